"""Respondents placed from what they wrote: a postcode district outranks a town name, and a
town that spans several localities, named without a postcode, is not guessed."""

from __future__ import annotations

import csv

import pytest

from engage.coproduction import dashboard
from engage.importing.importer import import_file
from engage.importing.mapping import ColumnMapping
from engage.places import place_key, resolve_place
from engage.project import Project

# (respondent, town written, postcode) → where the respondent should be
CASES = [
    ("P1", "Poole", "BH17 7AB", "Poole North"),
    ("P2", "Poole", "BH14 0QD", "Poole Bay"),
    ("P3", "Poole", "BH15 1SZ", "Poole Central"),
    ("P4", "Poole", "", "Poole (locality unknown)"),
    ("P5", "poole ", "", "Poole (locality unknown)"),
    ("B1", "Bournemouth", "BH7 6JD", "Bournemouth East"),
    ("B2", "Bournemouth", "BH10 4AA", "Bournemouth North"),
    ("B3", "Bournemouth", "BH2 5AA", "Central Bournemouth"),
    ("B4", "Bournemouth", "", "Bournemouth (locality unknown)"),
    ("W1", "Weymouth", "DT1 1AA", "Mid Dorset"),       # the postcode outranks the town
    ("L1", "Poole North", "BH12 3AA", "Poole North"),  # a locality's own name is as given
    ("N1", "", "DT4 7TB", "Weymouth & Portland"),
    ("X1", "Atlantis", "", None),
]


@pytest.fixture
def placed(tmp_path):
    export = tmp_path / "towns.csv"
    with open(export, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Response ID", "Town", "Postcode", "Comment"])
        for rid, town, postcode, _ in CASES:
            writer.writerow([rid, town, postcode, f"A comment written for respondent {rid}"])
    project = Project.create(tmp_path / "towns.engage", user="sam")
    import_file(project, export, "Towns", mapping=ColumnMapping(roles={
        "Response ID": "respondent_id", "Town": "place", "Postcode": "postcode",
        "Comment": "comment"}))
    yield project
    project.close()


def test_postcodes_outrank_towns_and_ambiguous_towns_are_not_guessed(placed):
    got = dict(placed.db.execute(
        "SELECT r.external_id, p.name FROM respondents r "
        "LEFT JOIN places p ON p.id = r.place_id").fetchall())
    assert got == {rid: where for rid, _t, _p, where in CASES}
    unknown = {p["name"]: p for p in placed.places() if "(locality unknown)" in p["name"]}
    council = next(p["id"] for p in placed.places()
                   if p["name"] == "Bournemouth, Christchurch and Poole")
    assert {p["parent_id"] for p in unknown.values()} == {council}
    assert {p["kind"] for p in unknown.values()} == {"town"}


def test_the_unknown_locality_is_counted_but_in_no_locality(placed):
    rates = dashboard.response_rates(placed)
    assert rates.above_locality == 3  # P4, P5, B4: counted, and not spread over a guess
    assert {r.name: r.respondents for r in rates.rows}["Poole Central"] == 1


def test_resolve_place_order():
    aliases = {place_key("Weymouth"): 6, place_key("Poole"): 17}  # an old project's alias
    districts = {"DT1": 8, "BH17": 16}
    names = {place_key("Poole North"): 16, place_key("Poole Central"): 17}
    assert resolve_place("Poole", "bh17", aliases, districts, names) == 16
    assert resolve_place("Poole", None, aliases, districts, names) == "Poole (locality unknown)"
    assert resolve_place("Poole Central", "BH17", aliases, districts, names) == 17
    assert resolve_place("Weymouth", "DT1", aliases, districts, names) == 8
    assert resolve_place("Weymouth", "ZZ9", aliases, districts, names) == 6
    assert resolve_place("", None, aliases, districts, names) is None
