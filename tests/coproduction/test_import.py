"""Importing activity lists: column guessing, every bad row reported, all or nothing."""

from __future__ import annotations

import pytest

from engage.changes import Changes
from engage.coproduction import importer, sample, store
from engage.coproduction.errors import RowErrors
from engage.errors import ImportFileError
from tests.coproduction.conftest import place_id, table_counts, write_csv

HEADER = ["Project name", "Method", "Date", "Participation level", "No. of participants",
          "Locality", "Delivered with", "Groups reached", "Portfolio", "Summary", "Impact"]
GOOD = [
    ["Bus users' workshop", "Workshop", "14/03/2019", "Involve", "c. 25", "Bridport",
     "Healthwatch Dorset; Dorset Council", "older people; rural communities", "",
     "Residents mapped bus journeys to hospital appointments and outpatient clinics.",
     "Clinic times moved"],
    ["Online booking panel", "online", "March 2020", "consult", "1,200",
     "Bournemouth, Christchurch and Poole", "", "", "Digital",
     "A panel on booking online and the NHS App.", ""],
    ["", "", "", "", "", "", "", "", "", "", ""],
    ["Portland maternity co-production", "co-design groups", "2020-06-01", "Co-Produce", "",
     "Weymouth and Portland; Dorset West", "Bournemouth Maternity Voices", "", "", "", ""],
]


def test_columns_are_guessed_by_name():
    guessed = importer.guess_columns(HEADER + ["Unrelated"])
    assert guessed == {"title": "Project name", "type": "Method", "start_date": "Date",
                       "level": "Participation level", "participants": "No. of participants",
                       "places": "Locality", "partners": "Delivered with",
                       "groups": "Groups reached", "portfolios": "Portfolio",
                       "description": "Summary", "outcomes": "Impact"}


def test_a_good_file_is_imported_with_places_partners_and_suggestions(project, tmp_path):
    path = write_csv(tmp_path / "register.csv", HEADER, GOOD)
    report, changes = importer.import_activities(project, path)
    assert changes == Changes(activities=True)
    assert report.created == 3  # the blank line is skipped, by the reader or the importer
    rows = {row["title"]: row for row in store.list_activities(project)}
    bus = store.get_activity(project, rows["Bus users' workshop"]["id"])
    assert (bus.type, bus.level, bus.start_date, bus.participants) == (
        "workshop", "involve", "2019-03-14", 25)
    assert bus.place_ids == [place_id(project, "Dorset West")]
    assert bus.partners == ["Dorset Council", "Healthwatch Dorset"]
    assert bus.source == "register.csv" and bus.source_row == 2
    # no portfolio in the file: one is suggested from the description, and marked as such
    assert bus.portfolios == [] and bus.suggested_portfolios == ["One acute network"]
    online = store.get_activity(project, rows["Online booking panel"]["id"])
    assert (online.start_date, online.participants) == ("2020-03-01", 1200)
    assert online.place_ids == [place_id(project, "Bournemouth, Christchurch and Poole")]
    assert online.portfolios == ["Digital"] and online.suggested_portfolios == []
    portland = store.get_activity(project, rows["Portland maternity co-production"]["id"])
    assert (portland.type, portland.level) == ("co-design group", "co-produce")
    assert portland.source_row == 5  # the row number a spreadsheet shows, blank line counted
    assert portland.place_ids == [place_id(project, "Weymouth & Portland"),
                                  place_id(project, "Dorset West")]
    assert report.suggested == 1
    assert any("suggested" in line for line in report.lines())
    assert project._rows("SELECT action FROM audit ORDER BY id DESC LIMIT 1")[0][0] == \
        "import activities"


def test_importing_the_same_list_twice_adds_nothing(project, tmp_path):
    path = write_csv(tmp_path / "register.csv", HEADER, GOOD)
    importer.import_activities(project, path)
    before = table_counts(project)
    report, _ = importer.import_activities(project, path)
    assert report.created == 0 and len(report.already_present) == 3
    counts = table_counts(project)
    assert counts["activities"] == before["activities"]


def test_every_bad_row_is_reported_and_nothing_is_kept(project, tmp_path):
    bad = [list(GOOD[0]), list(GOOD[1]), list(GOOD[3]), list(GOOD[0])]
    bad[1][3] = "consulted"
    bad[2][5] = "Weymuth"
    bad[2][2] = "31/02/2020"
    bad[3][0] = ""
    bad[3][4] = "lots"
    path = write_csv(tmp_path / "register.csv", HEADER, bad)
    before = table_counts(project)
    with pytest.raises(RowErrors) as caught:
        importer.import_activities(project, path)
    lines = caught.value.lines()
    assert "row 3: unknown participation level 'consulted' — expected one of: inform, " \
           "consult, involve, co-design, co-produce" in lines
    assert "row 4: '31/02/2020' is not a date (e.g. 14/03/2017 or March 2017)" in lines
    assert any(line.startswith("row 4: unknown place 'Weymuth'") for line in lines)
    assert "row 5: the title is empty" in lines
    assert "row 5: participants 'lots' is not a whole number" in lines
    assert len(lines) == 5
    assert str(caught.value).startswith("register.csv: 5 rows have problems, so nothing was "
                                        "imported — row 3: unknown participation level")
    assert table_counts(project) == before


def test_a_file_without_a_title_column_or_level_says_so(project, tmp_path):
    path = write_csv(tmp_path / "x.csv", ["Colour", "Size"], [["red", "2"]])
    with pytest.raises(ImportFileError, match="no column looks like the activity title"):
        importer.import_activities(project, path)
    path = write_csv(tmp_path / "y.csv", ["Title", "Type"], [["Drop-in", "outreach"]])
    with pytest.raises(ImportFileError, match="no column gives a participation level"):
        importer.import_activities(project, path)
    with pytest.raises(ImportFileError, match="default unknown participation level 'loud'"):
        importer.import_activities(project, path, default_level="loud")
    report, _ = importer.import_activities(project, path, default_level="inform")
    assert report.created == 1
    assert store.list_activities(project)[0]["level"] == "inform"


def test_explicit_columns_override_the_guess(project, tmp_path):
    path = write_csv(tmp_path / "x.csv", ["Scheme", "Heading", "Kind", "Level"],
                     [["Ignored", "Carers' café", "outreach", "consult"]])
    with pytest.raises(ImportFileError, match="no column named 'Nope'"):
        importer.import_activities(project, path, columns={"title": "Nope"})
    with pytest.raises(ImportFileError, match="'colour' is not an activity field"):
        importer.import_activities(project, path, columns={"colour": "Kind"})
    importer.import_activities(project, path, columns={"title": "Heading"})
    assert [r["title"] for r in store.list_activities(project)] == ["Carers' café"]


def test_an_xlsx_register_is_read_the_same_way(project, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Title", "Type", "Start date", "Level", "Participants", "Place"])
    sheet.append(["Lunch club chat", "outreach", dt.datetime(2019, 10, 17), "consult", 28,
                  "Bournemouth East"])
    book.save(tmp_path / "register.xlsx")
    report, _ = importer.import_activities(project, tmp_path / "register.xlsx")
    assert report.created == 1
    [row] = store.list_activities(project)
    assert (row["start_date"], row["participants"], row["places"]) == (
        "2019-10-17", 28, "Bournemouth East")


@pytest.mark.parametrize(("text", "expected"), [
    ("14/03/2019", "2019-03-14"), ("2019-03-14", "2019-03-14"), ("March 2019", "2019-03-01"),
    ("Mar 2019", "2019-03-01"), ("2019-03", "2019-03-01"), ("2019-03-14 00:00:00", "2019-03-14"),
    ("", None),
])
def test_dates_as_people_write_them(text, expected):
    assert importer.parse_date(text) == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("40", 40), ("1,200", 1200), ("c. 40", 40), ("approx 40", 40), ("40+", 40), ("", None),
    ("28.0", 28),
])
def test_participant_counts_as_people_write_them(text, expected):
    assert importer.parse_count(text) == expected


def test_names_split_on_semicolons_and_on_commas_unless_the_whole_cell_is_a_name():
    known = {"bournemouth christchurch and poole"}
    assert importer.split_names("Bournemouth, Christchurch and Poole", known) == \
        ["Bournemouth, Christchurch and Poole"]
    assert importer.split_names("Purbeck, Poole Bay", known) == ["Purbeck", "Poole Bay"]
    assert importer.split_names("A; B, C | D", known) == ["A", "B, C", "D"]


def test_the_committed_sample_file_is_what_the_generator_writes(tmp_path):
    committed = sample.sample_csv_path()
    assert committed is not None
    fresh = sample.write_activities_csv(tmp_path / "activities.csv")
    assert committed.read_bytes() == fresh.read_bytes()


def test_the_sample_register_imports_cleanly_with_its_actions(project):
    changes = sample.add_sample_activities(project)
    assert changes.activities and changes.actions
    rows = store.list_activities(project)
    assert len(rows) == len(sample.ACTIVITIES)
    assert {r["level"] for r in rows} == {"inform", "consult", "involve", "co-design",
                                          "co-produce"}
    blank_portfolio = sum(1 for r in sample.ACTIVITIES if not r["Portfolio"])
    assert sum(1 for r in rows if not r["portfolios"]) == blank_portfolio
    from engage.coproduction.actions import list_actions

    assert len(list_actions(project)) == len(sample.ACTIONS)
