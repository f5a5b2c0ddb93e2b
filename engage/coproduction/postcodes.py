"""Postcode districts: recognising them and reading a district → place table from CSV.

Pure functions (no project) so the schema migration can load the shipped default table with
the same reader the officer's own imports go through.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from importlib import resources

DEFAULT_TABLE = "postcode_districts.csv"

_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")
_DISTRICT_HEADERS = ("district", "postcode district", "postcode", "outward code", "postcode area")
_PLACE_HEADERS = ("locality", "place", "area", "place name", "locality name")


def normalise_district(value: str) -> str | None:
    """'dt4' → 'DT4'; 'DT4 7TB' → 'DT4'; anything that is not a district → None."""
    text = value.strip().upper()
    if not text:
        return None
    outward = text.split()[0] if " " in text else text
    if " " not in text and len(text) >= 5 and re.match(r"^[A-Z]{1,2}[0-9][0-9A-Z]?[0-9][A-Z]{2}$",
                                                      text):
        outward = text[:-3]  # a full postcode typed without its space
    return outward if _DISTRICT.match(outward) else None


@dataclass(frozen=True)
class DistrictRow:
    row: int          # line number in the file, as a spreadsheet would show it
    district: str     # as written
    place: str        # place name as written


def read_district_rows(text: str, source: str) -> tuple[list[DistrictRow], list[str]]:
    """Rows of a district → place CSV and problems with its header (not with rows).

    Lines starting with '#' are comments. The header names the two columns; a file with no
    recognisable header is read as district, place by position.
    """
    lines = [(n, line) for n, line in enumerate(text.splitlines(), start=1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        return [], [f"{source}: the file has no rows"]
    numbers = [n for n, _ in lines]
    records = list(csv.reader(io.StringIO("\n".join(line for _, line in lines))))
    header = [h.strip().casefold() for h in records[0]]
    district_col = _find(header, _DISTRICT_HEADERS)
    place_col = _find(header, _PLACE_HEADERS)
    start = 1
    if district_col is None and place_col is None and records[0] and \
            normalise_district(records[0][0] or "") is not None:
        district_col, place_col, start = 0, 1, 0  # no header at all: first row is data
    if district_col is None or place_col is None:
        return [], [f"{source}: needs a 'district' column and a 'locality' column "
                    f"(found: {', '.join(records[0]) or 'nothing'})"]
    rows = []
    for index in range(start, len(records)):
        record = records[index]
        cell = (lambda i, rec=record: rec[i].strip() if i < len(rec) else "")  # noqa: E731
        rows.append(DistrictRow(numbers[index], cell(district_col), cell(place_col)))
    return rows, []


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    for name in names:
        if name in header:
            return header.index(name)
    return None


def default_table_text() -> str:
    return resources.files("engage.coproduction").joinpath("data", DEFAULT_TABLE).read_text(
        encoding="utf-8")
