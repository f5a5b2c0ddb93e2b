"""`engage activities|actions|places …`: output on success, exit 2 and one line on bad input."""

from __future__ import annotations

import json

import pytest

from engage.cli import main
from engage.project import Project
from tests.coproduction.conftest import write_csv

HEADER = ["Title", "Type", "Start date", "Level", "Places", "Portfolio"]
ROWS = [["Carers' café", "outreach", "04/04/2019", "consult", "Portland", ""],
        ["Maternity voices", "co-design group", "11/03/2019", "co-produce", "Poole Bay",
         "One acute network"]]


@pytest.fixture
def project_path(tmp_path):
    path = tmp_path / "p.engage"
    Project.create(path).close()
    return path


def _run(capsys, *args) -> tuple[int, str, str]:
    code = main([str(a) for a in args])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_then_list(capsys, project_path, tmp_path):
    path = write_csv(tmp_path / "register.csv", HEADER, ROWS)
    code, out, err = _run(capsys, "activities", "import", project_path, path)
    assert code == 0 and err == ""
    assert "Activities added: 2" in out
    code, out, _ = _run(capsys, "activities", "list", project_path)
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:4] == ["id", "start", "type", "level"]
    assert "Maternity voices" in lines[1] and "Carers' café" in lines[2]  # by start date
    assert lines[-1].startswith("2 activities")
    code, out, _ = _run(capsys, "activities", "list", project_path, "--json",
                        "--place", "Weymouth and Portland")
    rows = json.loads(out)
    assert [r["title"] for r in rows] == ["Carers' café"]
    assert rows[0]["places"] == "Weymouth & Portland"


def test_column_and_default_options(capsys, project_path, tmp_path):
    path = write_csv(tmp_path / "stocktake.csv", ["Scheme", "Notes"],
                     [["Falls pilot", "Strength and balance classes"]])
    code, _, err = _run(capsys, "activities", "import", project_path, path,
                        "--default-type", "workshop", "--default-level", "involve",
                        "--column", "title=Scheme")
    assert code == 0, err
    code, _, err = _run(capsys, "activities", "import", project_path, path, "--column", "oops")
    assert code == 2 and "expected FIELD=COLUMN" in err


@pytest.mark.parametrize(("rows", "expected"), [
    ([["Café", "outreach", "04/04/2019", "consulted", "Portland", ""]],
     "row 2: unknown participation level 'consulted'"),
    ([["Café", "outreach", "04/04/2019", "consult", "Atlantis", ""]],
     "row 2: unknown place 'Atlantis'"),
])
def test_bad_rows_exit_2_with_one_line_and_change_nothing(capsys, project_path, tmp_path,
                                                          rows, expected):
    path = write_csv(tmp_path / "bad.csv", HEADER, rows)
    code, out, err = _run(capsys, "activities", "import", project_path, path)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and expected in err
    with Project.open(project_path) as project:
        assert project.db.execute("SELECT count(*) FROM activities").fetchone()[0] == 0


def test_missing_files_and_projects_exit_2(capsys, project_path, tmp_path):
    code, _, err = _run(capsys, "activities", "import", project_path, tmp_path / "none.csv")
    assert code == 2 and len(err.strip().splitlines()) == 1
    code, _, err = _run(capsys, "activities", "list", tmp_path / "missing.engage")
    assert code == 2 and "no such project file" in err
    code, _, err = _run(capsys, "activities", "list", project_path, "--level", "loud")
    assert code == 2 and "unknown participation level 'loud'" in err
    code, _, err = _run(capsys, "activities", "list", project_path, "--place", "Atlantis")
    assert code == 2 and "no place called 'Atlantis'" in err


def test_places_commands(capsys, project_path, tmp_path):
    good = tmp_path / "districts.csv"
    good.write_text("district,locality\nBH99,Purbeck\n", encoding="utf-8")
    code, out, _ = _run(capsys, "places", "import-postcodes", project_path, good, "--apply")
    assert code == 0 and "Districts added: 1" in out and "placed by postcode district: 0" in out
    bad = tmp_path / "bad.csv"
    bad.write_text("district,locality\nBH99,Nowhere\n", encoding="utf-8")
    code, _, err = _run(capsys, "places", "import-postcodes", project_path, bad)
    assert code == 2 and "row 2: unknown place 'Nowhere'" in err
    code, out, _ = _run(capsys, "places", "rates", project_path, "--json")
    assert code == 0 and len(json.loads(out)["localities"]) == 13
    code, out, _ = _run(capsys, "places", "unplaced", project_path)
    assert code == 0 and out.startswith("Respondents with no place: 0")
    code, out, _ = _run(capsys, "actions", "list", project_path)
    assert code == 0 and out.strip().endswith("0 actions")


def test_one_action_is_listed_as_one_action_not_one_actions(capsys, project_path):
    from engage.coproduction import actions
    from engage.coproduction.actions import Action

    with Project.open(project_path) as project:
        actions.add_action(project, Action(title="Later pharmacy hours in Purbeck"))
    code, out, _ = _run(capsys, "actions", "list", project_path)
    assert code == 0 and out.strip().endswith("\n1 action")
