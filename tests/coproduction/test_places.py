"""Editing places and postcode districts, and placing respondents who have none."""

from __future__ import annotations

import csv

import pytest

from engage.changes import Changes
from engage.coproduction import placeadmin as pa
from engage.coproduction.errors import RowErrors
from engage.coproduction.postcodes import default_table_text, normalise_district
from engage.errors import EngageError
from tests.coproduction.conftest import add_consultation, add_respondents, place_id, table_counts


def test_the_shipped_postcode_table_is_loaded_into_every_new_project(project):
    shipped = [row for row in csv.reader(
        line for line in default_table_text().splitlines() if not line.startswith("#"))][1:]
    lookup = {row["district"]: row["place"] for row in pa.postcode_table(project)}
    assert lookup == {district: locality for district, locality in shipped}
    kinds = {row["kind"] for row in project.places() if row["name"] in set(lookup.values())}
    assert kinds == {"locality"}


@pytest.mark.parametrize(("text", "district"), [
    ("dt4", "DT4"), (" BH23 ", "BH23"), ("DT4 7TB", "DT4"), ("bh237ab", "BH23"),
    ("SP8", "SP8"), ("W1A", "W1A"), ("4DT", None), ("", None), ("Weymouth", None),
])
def test_postcode_districts_are_recognised(text, district):
    assert normalise_district(text) == district


def test_rename_keeps_the_old_name_as_an_alias(project):
    purbeck = place_id(project, "Purbeck")
    assert pa.rename_place(project, purbeck, "Purbeck and Swanage") == Changes(places=True)
    assert pa.find_place(project, "purbeck") == purbeck
    assert pa.find_place(project, "Purbeck & Swanage") == purbeck
    with pytest.raises(pa.PlacesError, match="already names or is an alias of 'Poole Bay'"):
        pa.rename_place(project, purbeck, "Poole Bay")


def test_population_and_its_estimate_flag_are_set_together(project):
    purbeck = place_id(project, "Purbeck")
    pa.set_population(project, purbeck, 45210, is_estimate=False)
    row = next(p for p in project.places() if p["id"] == purbeck)
    assert (row["population"], row["population_is_estimate"]) == (45210, 0)
    with pytest.raises(pa.PlacesError, match="whole number of 0 or more"):
        pa.set_population(project, purbeck, -1, is_estimate=True)
    audit = project._rows("SELECT before, after FROM audit WHERE entity = 'place'")
    assert '"population": 45210' in audit[-1]["after"]


def test_pcns_go_under_localities_and_roll_up_to_them(project):
    purbeck = place_id(project, "Purbeck")
    pcn, _ = pa.add_place(project, purbeck, "Wareham PCN", "pcn", population=20000)
    with pytest.raises(pa.PlacesError, match="goes under a locality"):
        pa.add_place(project, place_id(project, "Dorset Council"), "Somewhere PCN")
    with pytest.raises(pa.PlacesError, match="only a PCN or a ward"):
        pa.add_place(project, purbeck, "A town", "town")
    consultation = add_consultation(project)
    add_respondents(project, consultation, pcn, 3)
    add_respondents(project, consultation, purbeck, 2)
    tree = {row["name"]: row for row in pa.place_tree(project)}
    assert tree["Wareham PCN"]["depth"] == tree["Purbeck"]["depth"] + 1
    assert (tree["Purbeck"]["respondents"], tree["Purbeck"]["respondents_total"]) == (2, 5)
    assert tree["Dorset Council"]["respondents_total"] == 5
    assert tree["Dorset ICS"]["respondents_total"] == 5
    assert pa.locality_of(project)[pcn] == purbeck
    assert pa.locality_of(project)[place_id(project, "Dorset ICS")] is None


def test_only_unused_pcns_or_wards_can_be_deleted(project):
    purbeck = place_id(project, "Purbeck")
    with pytest.raises(pa.PlacesError, match="part of the county structure"):
        pa.delete_place(project, purbeck)
    used, _ = pa.add_place(project, purbeck, "Used ward", "ward")
    add_respondents(project, add_consultation(project), used, 1)
    with pytest.raises(pa.PlacesError, match="still used by 1 respondents"):
        pa.delete_place(project, used)
    spare, _ = pa.add_place(project, purbeck, "Spare ward", "ward")
    pa.set_postcode_district(project, "BH99", spare)
    pa.delete_place(project, spare)
    assert pa.find_place(project, "Spare ward") is None
    assert "BH99" not in {row["district"] for row in pa.postcode_table(project)}


def test_aliases_cannot_point_two_ways(project):
    purbeck = place_id(project, "Purbeck")
    pa.add_alias(project, purbeck, "Isle of Purbeck")
    assert pa.find_place(project, "isle of PURBECK") == purbeck
    with pytest.raises(pa.PlacesError, match="already means 'Purbeck'"):
        pa.add_alias(project, place_id(project, "Poole Bay"), "Isle of Purbeck")
    pa.remove_alias(project, "Isle of Purbeck")
    assert pa.find_place(project, "Isle of Purbeck") is None


def _write(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_import_postcodes_merges_and_reports_what_changed(project, tmp_path):
    path = _write(tmp_path / "districts.csv", [
        "# my own table", "Postcode district,Locality",
        "dt4,Weymouth and Portland",      # already so
        "BH20,Poole Bay",                 # was Purbeck: changed
        "BH99,purbeck",                   # new
    ])
    before = len(pa.postcode_table(project))
    report, changes = pa.import_postcode_districts(project, path)
    assert (report.rows, report.added, report.changed, report.unchanged) == (3, 1, 1, 1)
    assert changes == Changes(places=True)
    lookup = {row["district"]: row["place"] for row in pa.postcode_table(project)}
    assert lookup["BH20"] == "Poole Bay" and lookup["BH99"] == "Purbeck"
    assert len(lookup) == before + 1

    report, _ = pa.import_postcode_districts(project, path, replace_all=True)
    assert report.removed == before - 2
    assert set(row["district"] for row in pa.postcode_table(project)) == {"DT4", "BH20", "BH99"}


def test_a_bad_postcode_file_lists_every_bad_row_and_changes_nothing(project, tmp_path):
    path = _write(tmp_path / "districts.csv", [
        "district,locality", "DT4,Weymouth & Portland", "XYZ1,Purbeck", "BH21,Wimborn",
        "BH23,", "DT4,Purbeck"])
    before = table_counts(project)
    with pytest.raises(RowErrors) as caught:
        pa.import_postcode_districts(project, path)
    assert [row for row, _ in caught.value.problems] == [3, 4, 5, 6]
    message = str(caught.value)
    assert message.startswith("districts.csv: 4 rows have problems, so nothing was imported")
    assert "row 3: 'XYZ1' is not a postcode district" in message
    assert "row 4: unknown place 'Wimborn'" in message and "\n" not in message
    assert "row 6: DT4 is already given to another place on row 2" in caught.value.lines()
    assert table_counts(project) == before


def test_a_file_without_the_columns_says_which_it_needs(project, tmp_path):
    path = _write(tmp_path / "x.csv", ["name,size", "a,1"])
    with pytest.raises(EngageError, match="needs a 'district' column and a 'locality' column"):
        pa.import_postcode_districts(project, path)
    with pytest.raises(EngageError, match="no such file"):
        pa.import_postcode_districts(project, tmp_path / "missing.csv")


def test_applying_the_lookup_places_only_respondents_without_a_place(project):
    consultation = add_consultation(project)
    purbeck, poole_bay = place_id(project, "Purbeck"), place_id(project, "Poole Bay")
    placed_by_lookup = add_respondents(project, consultation, None, 4, district="bh20")
    keeps_own = add_respondents(project, consultation, poole_bay, 2, district="BH20")
    unknown = add_respondents(project, consultation, None, 3, district="ZZ9", place_raw="Mars")
    blank = add_respondents(project, consultation, None, 1)
    found = pa.unplaced_respondents(project)
    assert found["count"] == 8

    placed, changes = pa.apply_postcode_districts(project)
    assert placed == 4 and changes == Changes(respondents=True, places=True)
    places = dict(project.db.execute("SELECT id, place_id FROM respondents"))
    assert {places[r] for r in placed_by_lookup} == {purbeck}
    assert {places[r] for r in keeps_own} == {poole_bay}
    assert {places[r] for r in unknown + blank} == {None}
    audited = project.db.execute("SELECT count(*) FROM audit WHERE entity = 'respondent'")
    assert audited.fetchone()[0] == 4

    found = pa.unplaced_respondents(project)
    assert found["count"] == 4
    groups = {(g["place_raw"], g["postcode_district"]): g["respondents"] for g in found["groups"]}
    assert groups == {("Mars", "ZZ9"): 3, ("", ""): 1}
    assert sorted(r["id"] for r in found["respondents"]) == sorted(unknown + blank)
    assert pa.apply_postcode_districts(project) == (0, Changes())
