"""The framework-to-Dorset mapping table and the label conversion built on it."""

import csv
from pathlib import Path

import numpy as np
import pytest
from scipy import sparse

from engage.errors import EngageError
from engage.nlp.mapping import (
    RELATIONS,
    MappingRow,
    dorset_theme_for,
    framework_to_dorset_labels,
    load_mapping,
)
from engage.nlp.taxonomy import Portfolio, Taxonomy, Theme, load_default

TRAIN_CSV = (
    Path(__file__).resolve().parents[3] / "shared" / "data" / "patient-feedback" / "train.csv"
)


def framework_columns() -> list[str]:
    with TRAIN_CSV.open(encoding="utf-8-sig", newline="") as handle:
        header = next(csv.reader(handle))
    return header[header.index("Comment sentiment") + 1 :]


@pytest.mark.skipif(not TRAIN_CSV.exists(), reason="shared training data not present")
def test_table_covers_every_framework_column_of_the_training_data():
    mapped = {row.framework_theme for row in load_mapping()}
    columns = framework_columns()
    assert columns, "no framework columns found after 'Comment sentiment'"
    assert [c for c in columns if c not in mapped] == []
    assert [m for m in mapped if m not in columns] == []


def test_shipped_table_is_valid_against_the_default_taxonomy():
    rows = load_mapping()
    taxonomy = load_default()
    assert rows
    for row in rows:
        assert row.relation in RELATIONS
        assert row.note, row.framework_theme
        if row.relation == "none":
            assert row.dorset_theme == ""
        else:
            assert taxonomy.has_theme(row.dorset_theme), row


def write_table(tmp_path, lines):
    path = tmp_path / "map.csv"
    path.write_text("framework_theme,dorset_theme,relation,note\n" + "\n".join(lines) + "\n")
    return path


def test_unknown_dorset_theme_is_reported_with_its_row(tmp_path):
    path = write_table(tmp_path, ["Parking,Travel to services,narrower,", "Food,Catering,related,"])
    with pytest.raises(EngageError, match="row 3: Dorset theme 'Catering' is not in the taxonomy"):
        load_mapping(path)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("Parking,Travel to services,similar,", "relation 'similar' is not one of"),
        ("Food,,none,", "say in 'note' why"),
        ("Food,Funding,none,because", "must leave dorset_theme blank"),
        ("Parking,,narrower,", "needs a dorset_theme"),
        (",Funding,related,", "framework_theme is empty"),
    ],
)
def test_malformed_rows_are_reported(tmp_path, line, message):
    with pytest.raises(EngageError, match=message):
        load_mapping(write_table(tmp_path, [line]))


def test_repeated_framework_theme_is_reported(tmp_path):
    path = write_table(
        tmp_path, ["Parking,Travel to services,narrower,", "parking,Funding,related,"]
    )
    with pytest.raises(EngageError, match="row 3.*already mapped on row 2"):
        load_mapping(path)


def tiny():
    taxonomy = Taxonomy(
        [Portfolio("P")], [Theme("Travel", "P"), Theme("Money", "P"), Theme("Kindness", "P")]
    )
    mapping = [
        MappingRow("Parking", "Travel", "narrower", "n"),
        MappingRow("Transport", "Travel", "equivalent", "n"),
        MappingRow("Budget", "Money", "related", "n"),
        MappingRow("Praise", "", "none", "sentiment"),
    ]
    return taxonomy, mapping


def test_labels_are_or_of_mapped_columns_and_only_reached_themes_returned():
    taxonomy, mapping = tiny()
    names = ["Parking", "Transport", "Budget", "Praise"]
    Y = np.array([[1, 0, 0, 0], [0, 1, 1, 0], [1, 1, 0, 1], [0, 0, 1, 1]])
    Y_dorset, dorset_names = framework_to_dorset_labels(Y, names, mapping, taxonomy=taxonomy)
    assert dorset_names == ["Travel"]
    assert Y_dorset[:, 0].tolist() == [1, 1, 1, 0]


def test_related_relation_can_be_included_and_sparse_and_nan_inputs_work():
    taxonomy, mapping = tiny()
    names = ["Budget", "Parking"]
    dense = np.array([[np.nan, 1.0], [1.0, np.nan], [np.nan, np.nan]])
    Y_dorset, dorset_names = framework_to_dorset_labels(
        dense, names, mapping, relations=("narrower", "related"), taxonomy=taxonomy
    )
    assert dorset_names == ["Travel", "Money"]
    assert Y_dorset.tolist() == [[1, 0], [0, 1], [0, 0]]
    sparse_result, _ = framework_to_dorset_labels(
        sparse.csr_matrix(np.nan_to_num(dense)),
        names,
        mapping,
        relations=("narrower", "related"),
        taxonomy=taxonomy,
    )
    assert sparse_result.tolist() == Y_dorset.tolist()


def test_unmapped_framework_name_and_shape_mismatch_are_errors():
    taxonomy, mapping = tiny()
    with pytest.raises(EngageError, match="'Noise' is not in the mapping table"):
        framework_to_dorset_labels(np.zeros((2, 1)), ["Noise"], mapping, taxonomy=taxonomy)
    with pytest.raises(EngageError, match="2 framework theme names"):
        framework_to_dorset_labels(
            np.zeros((2, 3)), ["Parking", "Budget"], mapping, taxonomy=taxonomy
        )


def test_shipped_table_seeds_several_dorset_themes_across_portfolios():
    rows = load_mapping()
    names = [row.framework_theme for row in rows]
    Y = np.eye(len(names), dtype=int)
    Y_dorset, dorset_names = framework_to_dorset_labels(Y, names, rows)
    taxonomy = load_default()
    assert len({taxonomy.theme(n).portfolio for n in dorset_names}) >= 3
    assert Y_dorset.sum() == sum(row.relation in ("equivalent", "narrower") for row in rows)


def test_lookup_of_one_row():
    row = dorset_theme_for("parking")
    assert row.relation in RELATIONS and row.note


def test_framework_themes_that_span_dorset_themes_imply_none_of_them():
    """Transport (mostly patient transport in the training file) now spans two Dorset themes,
    and timeliness covers praise for quick care, so neither implies a Dorset label; equality
    has a Dorset theme to relate to."""
    from engage.nlp.mapping import dorset_theme_for

    assert dorset_theme_for("Transport to/ from services").relation == "broader"
    assert dorset_theme_for("Timeliness of care").relation == "broader"
    assert dorset_theme_for("Equality, Diversity & Inclusion").dorset_theme == \
        "Equality and accessibility"
    names = ["Transport to/ from services", "Timeliness of care", "Parking"]
    Y, dorset = framework_to_dorset_labels(np.array([[1, 1, 0], [0, 0, 1]]), names)
    assert dorset == ["Travel to services"] and Y.tolist() == [[0], [1]]
