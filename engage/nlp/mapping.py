"""The reviewed table mapping pxtextmining v6 framework themes onto Dorset themes.

Why: the only labelled data we have is coded with the NHS patient-experience framework, not
with Dorset's portfolios. At cold start (no comment coded by the officer yet) a model trained
on that data can still suggest Dorset themes, through this table. The table lives in the repo
(``data/framework_to_dorset.csv``) so people can review and change it without touching code.

``relation`` says how the *framework* theme stands to the Dorset theme:
- ``equivalent``: the same subject;
- ``narrower``: every framework example is also an example of the Dorset theme;
- ``broader``: the framework theme covers the Dorset theme and more;
- ``related``: overlapping but neither contains the other;
- ``none``: no Dorset counterpart (``dorset_theme`` blank, ``note`` says why).
Only ``equivalent`` and ``narrower`` rows imply a Dorset label by default, because only they
guarantee that a framework example is a Dorset example.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from scipy import sparse

from engage.errors import EngageError
from engage.nlp.taxonomy import Taxonomy, load_default

RELATIONS = ("equivalent", "narrower", "broader", "related", "none")
LABEL_RELATIONS = ("equivalent", "narrower")
COLUMNS = ("framework_theme", "dorset_theme", "relation", "note")
DEFAULT_RESOURCE = "framework_to_dorset.csv"


class MappingTableError(EngageError):
    """The framework-to-Dorset table is malformed or names a theme that does not exist."""


@dataclass(frozen=True)
class MappingRow:
    framework_theme: str
    dorset_theme: str
    relation: str
    note: str


def _key(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def load_mapping(
    source: str | Path | None = None, taxonomy: Taxonomy | None = None
) -> list[MappingRow]:
    """Read and validate the table (the shipped one when ``source`` is None).

    Every Dorset theme named must exist in ``taxonomy`` (default: the Dorset default); each
    framework theme appears once; ``none`` rows name no Dorset theme and give a reason.
    """
    if source is None:
        text = resources.files("engage.nlp.data").joinpath(DEFAULT_RESOURCE).read_text("utf-8")
        label = DEFAULT_RESOURCE
    else:
        path = Path(source)
        label = path.name
        try:
            text = path.read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise MappingTableError(f"Cannot read mapping table {path}: {exc}") from None
    taxonomy = taxonomy if taxonomy is not None else load_default()
    return _parse(text, label, taxonomy)


def _parse(text: str, label: str, taxonomy: Taxonomy) -> list[MappingRow]:
    reader = csv.DictReader(io.StringIO(text))
    header = [(name or "").strip().lower() for name in reader.fieldnames or []]
    missing = [column for column in COLUMNS if column not in header]
    if missing:
        raise MappingTableError(f"{label}: missing column(s) {', '.join(missing)}")
    rows: list[MappingRow] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(reader, start=2):
        cells = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        row = MappingRow(*(cells.get(column, "") for column in COLUMNS))
        where = f"{label} row {number}"
        _check_row(row, where, taxonomy)
        if _key(row.framework_theme) in seen:
            raise MappingTableError(
                f"{where}: framework theme '{row.framework_theme}' already mapped on row "
                f"{seen[_key(row.framework_theme)]}"
            )
        seen[_key(row.framework_theme)] = number
        dorset = taxonomy.theme(row.dorset_theme).name if row.dorset_theme else ""
        rows.append(MappingRow(row.framework_theme, dorset, row.relation, row.note))
    return rows


def _check_row(row: MappingRow, where: str, taxonomy: Taxonomy) -> None:
    if not row.framework_theme:
        raise MappingTableError(f"{where}: framework_theme is empty")
    if row.relation not in RELATIONS:
        raise MappingTableError(
            f"{where}: relation '{row.relation}' is not one of {', '.join(RELATIONS)}"
        )
    if row.relation == "none":
        if row.dorset_theme:
            raise MappingTableError(f"{where}: relation 'none' must leave dorset_theme blank")
        if not row.note:
            raise MappingTableError(f"{where}: say in 'note' why there is no Dorset theme")
        return
    if not row.dorset_theme:
        raise MappingTableError(f"{where}: relation '{row.relation}' needs a dorset_theme")
    if not taxonomy.has_theme(row.dorset_theme):
        raise MappingTableError(
            f"{where}: Dorset theme '{row.dorset_theme}' is not in the taxonomy"
        )


def framework_to_dorset_labels(
    Y_framework,
    framework_names: Sequence[str],
    mapping: Sequence[MappingRow] | None = None,
    relations: Sequence[str] = LABEL_RELATIONS,
    taxonomy: Taxonomy | None = None,
) -> tuple[np.ndarray, list[str]]:
    """Turn framework one-hot labels (comments × framework themes) into Dorset labels.

    A comment has a Dorset theme when it has any framework theme mapped onto it with one of
    ``relations``. Returns (Y_dorset as uint8, dorset_names): only Dorset themes that some
    framework theme reaches are returned, in taxonomy order, so no empty column is trained.
    A framework name missing from the table is an error: silently dropping labels would make
    a model that looks fine and is not.
    """
    unknown = [r for r in relations if r not in RELATIONS or r == "none"]
    if unknown:
        raise MappingTableError(f"Relations {unknown} cannot imply a Dorset theme")
    taxonomy = taxonomy if taxonomy is not None else load_default()
    rows = list(mapping) if mapping is not None else load_mapping(taxonomy=taxonomy)
    by_framework = {_key(row.framework_theme): row for row in rows}
    if sparse.issparse(Y_framework):
        Y = Y_framework.tocsc()
    else:  # blank cells read by pandas are NaN and mean "not this theme"
        Y = np.nan_to_num(np.asarray(Y_framework, dtype=float), nan=0.0)
    if Y.ndim != 2 or Y.shape[1] != len(framework_names):
        raise MappingTableError(
            f"Labels have {Y.shape[-1] if Y.ndim else 0} columns but "
            f"{len(framework_names)} framework theme names were given"
        )
    targets: dict[str, list[int]] = {}
    for column, name in enumerate(framework_names):
        row = by_framework.get(_key(name))
        if row is None:
            raise MappingTableError(f"Framework theme '{name}' is not in the mapping table")
        if row.relation in relations:
            targets.setdefault(_key(row.dorset_theme), []).append(column)
    dorset_names = [name for name in taxonomy.theme_names if _key(name) in targets]
    Y_dorset = np.zeros((Y.shape[0], len(dorset_names)), dtype=np.uint8)
    for j, name in enumerate(dorset_names):
        block = Y[:, targets[_key(name)]]
        Y_dorset[:, j] = np.asarray((block != 0).sum(axis=1)).ravel() > 0
    return Y_dorset, dorset_names


def dorset_theme_for(
    framework_theme: str, mapping: Sequence[MappingRow] | None = None
) -> MappingRow:
    """The table row for one framework theme (for showing the reviewer's note in the UI)."""
    rows = mapping if mapping is not None else load_mapping()
    for row in rows:
        if _key(row.framework_theme) == _key(framework_theme):
            return row
    raise MappingTableError(f"Framework theme '{framework_theme}' is not in the mapping table")
