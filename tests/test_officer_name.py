"""Who the audit records: --officer NAME or ENGAGE_OFFICER, else the login name."""

import getpass

import pytest

from engage import cli
from engage.project import OFFICER_ENV, Project, default_user


@pytest.fixture(autouse=True)
def no_officer(monkeypatch):
    monkeypatch.setenv(OFFICER_ENV, "")
    monkeypatch.delenv(OFFICER_ENV)


def survey(tmp_path):
    path = tmp_path / "answers.csv"
    path.write_text("Respondent ID,What matters to you?\nA1,Evening surgery hours\n"
                    "A2,A bus that waits for the last clinic\n", encoding="utf-8")
    return path


def users(path):
    with Project.open(path) as project:
        return {row["user"] for row in project.audit_log()}


def test_the_cli_records_the_officer_it_is_given(tmp_path):
    target = tmp_path / "p.engage"
    assert cli.main(["--officer", "Sam Carter", "import", str(target),
                     str(survey(tmp_path))]) == 0
    assert users(target) == {"Sam Carter"}


def test_engage_officer_names_every_connection(tmp_path, monkeypatch):
    monkeypatch.setenv(OFFICER_ENV, "  Alex   Reid ")
    assert default_user() == "Alex Reid"
    target = tmp_path / "p.engage"
    assert cli.main(["import", str(target), str(survey(tmp_path))]) == 0
    assert users(target) == {"Alex Reid"}


def test_without_a_name_the_login_is_recorded(tmp_path):
    assert default_user() == getpass.getuser()
    with Project.create(tmp_path / "p.engage") as project:
        assert project.user == getpass.getuser()
    with Project.create(tmp_path / "q.engage", user="Given") as project:
        assert project.user == "Given"
