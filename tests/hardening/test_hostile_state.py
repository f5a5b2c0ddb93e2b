"""Hostile state around a command rather than in the file imported: a consultation that is not
there, a full disk, a read-only project, values in the project file that are not what Engage
wrote, an activity register with an absurd head count.

Simulating a full disk and a read-only file without root or a tiny file system:
- full disk: `PRAGMA max_page_count` caps the database at its current size, so the next page
  SQLite needs fails with SQLITE_FULL, "database or disk is full" — the very error a full disk
  gives. The cap is set on every connection Engage opens (`Project._connect` wrapped).
- read-only: `PRAGMA query_only` makes every write fail with SQLITE_READONLY, "attempt to
  write a readonly database", the error of a file without write permission (chmod does not
  stop root, who runs these tests in CI).
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from engage import cli
from engage.errors import EngageError
from engage.project import Project
from tests.coproduction.conftest import write_csv
from tests.hardening.conftest import ROOT, integrity, table_counts


def _run(capsys, *args) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


def _one_line(err: str, *expected: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    for text in expected:
        assert text in lines[0], lines[0]
    return lines[0]


@pytest.fixture
def survey_csv(tmp_path):
    rows = [[f"R{i}", f"The bus to the hospital runs once an hour, answer {i}"]
            for i in range(60)]
    return write_csv(tmp_path / "survey.csv", ["Respondent ID", "Comment"], rows)


def _with_pragma(monkeypatch, pragma: str) -> None:
    """Every connection Engage opens from now on runs `pragma` once it is set up."""
    real = Project._connect.__func__

    def connect(cls, path, user, check):
        project = real(cls, path, user, check)
        if pragma == "full":
            pages = project.db.execute("PRAGMA page_count").fetchone()[0]
            project.db.execute(f"PRAGMA max_page_count = {pages}")
        else:
            project.db.execute(pragma)
        return project

    monkeypatch.setattr(Project, "_connect", classmethod(connect))


# ----- a consultation that is not there --------------------------------------------------------
def test_analyse_refuses_a_consultation_that_is_not_there(capsys, small_project):
    before = table_counts(small_project)
    code, _out, err = _run(capsys, "analyse", small_project, "--consultation", "999")
    assert code == 2
    _one_line(err, "no consultation 999")
    assert table_counts(small_project) == before  # no analysis run, no audit row


# ----- a full disk --------------------------------------------------------------------------------
def test_import_on_a_full_disk_is_one_line_and_the_project_is_intact(capsys, small_project,
                                                                      survey_csv, monkeypatch):
    before = table_counts(small_project)
    _with_pragma(monkeypatch, "full")
    code, _out, err = _run(capsys, "import", small_project, survey_csv)
    assert code == 2
    _one_line(err, "the disk is full", "the project file is intact")
    assert table_counts(small_project) == before
    assert integrity(small_project) == ["ok"]


def test_analyse_on_a_full_disk_is_one_line_and_the_project_is_intact(capsys, small_project,
                                                                       monkeypatch):
    before = table_counts(small_project)
    _with_pragma(monkeypatch, "full")
    code, _out, err = _run(capsys, "analyse", small_project)
    assert code == 2
    _one_line(err, "the disk is full", "the project file is intact")
    assert table_counts(small_project) == before
    assert integrity(small_project) == ["ok"]


def test_a_read_only_project_is_one_line_and_unchanged(capsys, small_project, survey_csv,
                                                       monkeypatch):
    before = table_counts(small_project)
    _with_pragma(monkeypatch, "PRAGMA query_only = 1")
    code, _out, err = _run(capsys, "import", small_project, survey_csv)
    assert code == 2
    _one_line(err, "read-only", "the project file is intact")
    assert table_counts(small_project) == before


def test_the_core_raises_an_engage_error_for_a_full_disk(small_project, monkeypatch):
    """The GUI gets the same one line: it shows EngageError messages as they are."""
    _with_pragma(monkeypatch, "full")
    with (Project.open(small_project) as project, pytest.raises(EngageError) as caught,
          project.transaction("rename consultation") as tx):
        project.db["consultations"].update(1, {"name": "x" * 20_000})
        tx.audit("consultation", 1, None, None)
    assert "rename consultation" in str(caught.value) and "\n" not in str(caught.value)


def test_engage_new_on_a_full_disk_leaves_nothing_behind(capsys, tmp_path, monkeypatch):
    real = sqlite3.connect

    def tiny(*args, **kwargs):
        conn = real(*args, **kwargs)
        conn.execute("PRAGMA max_page_count = 3")
        return conn

    monkeypatch.setattr("engage.project.sqlite3.connect", tiny)
    target = tmp_path / "new.engage"
    code, _out, err = _run(capsys, "new", target)
    assert code == 2
    _one_line(err, "the disk is full")
    assert list(tmp_path.iterdir()) == []  # no project, no -wal, no -shm, no lock


def test_a_refused_import_into_a_new_project_leaves_no_project(capsys, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    target = tmp_path / "new.engage"
    code, _out, err = _run(capsys, "import", target, empty)
    assert code == 2
    _one_line(err, "the file is empty")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["empty.csv"]


def test_a_refused_import_into_an_existing_project_keeps_it(capsys, small_project, tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    before = table_counts(small_project)
    code, _out, _err = _run(capsys, "import", small_project, empty)
    assert code == 2 and small_project.exists()
    assert table_counts(small_project) == before


# ----- values in the project file that are not what Engage wrote ----------------------------------
def _damage(path, sql: str) -> None:
    conn = sqlite3.connect(path)
    with conn:
        conn.execute(sql)
    conn.close()


def test_malformed_saved_mapping_is_ignored_and_import_carries_on(capsys, small_project,
                                                                  survey_csv):
    from engage.importing.mapping import ColumnMapping
    from engage.importing.readers import read_table

    signature = ColumnMapping.signature(read_table(survey_csv).columns)
    with Project.open(small_project) as project:
        project.save_mapping(signature, "mine", {"columns": {}})
    _damage(small_project, "UPDATE saved_mappings SET mapping = '{not json'")
    code, out, err = _run(capsys, "import", small_project, survey_csv)
    assert code == 0, err
    assert "Comments created: 60" in out
    with Project.open(small_project) as project:  # the import saved a good mapping over it
        assert project.saved_mapping(signature) is not None


def test_malformed_masked_value_does_not_stop_a_report_or_export(capsys, small_project, tmp_path):
    _damage(small_project, "UPDATE comments SET masked = '{\"spans\": [1, 2' WHERE id % 7 = 0")
    _damage(small_project, "UPDATE respondents SET attributes = '{\"Ward\": \"Purbeck\"}'")
    _damage(small_project, "UPDATE respondents SET attributes = 'not json' WHERE id % 5 = 0")
    _damage(small_project, "UPDATE respondents SET attributes = '[1, 2]' WHERE id % 5 = 1")
    for command, name in (("report", "r.html"), ("export", "c.csv"), ("export", "c.qdpx")):
        code, _out, err = _run(capsys, command, small_project, "--out", tmp_path / name)
        assert code == 0, (command, err)
        assert (tmp_path / name).stat().st_size > 0


# ----- an activity register with an absurd head count ---------------------------------------------
@pytest.mark.parametrize("count", ["9" * 400, "99999999999999999999", "1e400"])
def test_activities_import_refuses_an_absurd_participant_count(capsys, tmp_path, count):
    project = tmp_path / "p.engage"
    Project.create(project).close()
    register = write_csv(tmp_path / "register.csv", ["Title", "Type", "Start date", "Level",
                                                     "Participants"],
                         [["Carers' café", "outreach", "04/04/2019", "consult", count]])
    before = table_counts(project)
    code, _out, err = _run(capsys, "activities", "import", project, register)
    assert code == 2
    _one_line(err, "participants")
    assert table_counts(project) == before


def test_a_real_head_count_still_imports(capsys, tmp_path):
    project = tmp_path / "p.engage"
    Project.create(project).close()
    register = write_csv(tmp_path / "register.csv", ["Title", "Type", "Start date", "Level",
                                                     "Participants"],
                         [["Carers' café", "outreach", "04/04/2019", "consult", "1,200"]])
    code, out, err = _run(capsys, "activities", "import", project, register)
    assert code == 0, err
    with Project.open(project) as opened:
        assert opened.db.execute("SELECT participants FROM activities").fetchone()[0] == 1200
    json.dumps(out)


# ----- the command line's own errors ------------------------------------------------------------
@pytest.mark.parametrize("argv", [["import", "only-one-argument"], ["frobnicate"],
                                  ["analyse", "p.engage", "--consultation", "two"], []])
def test_argument_errors_take_one_line(capsys, argv):
    with pytest.raises(SystemExit) as caught:
        cli.main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "error:" in err and "--help" in err, err


def test_a_newline_in_a_project_name_stays_on_one_line(capsys, tmp_path):
    code, _out, err = _run(capsys, "info", tmp_path / "two\nlines.engage")
    assert code == 2
    _one_line(err, "two\\nlines.engage")


# ----- a really read-only file and folder, for a user who is not root ----------------------------
def _as_nobody(*args) -> subprocess.CompletedProcess:
    """`python -m engage ARGS` as user nobody (root ignores file modes), with this venv's
    packages on the path of a system Python of the same version."""
    site = next(p for p in sys.path if p.endswith("site-packages"))
    return subprocess.run(
        ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups", "env",
         f"PYTHONPATH={ROOT}:{site}", "HOME=/tmp", SYSTEM_PYTHON, "-m", "engage",
         *map(str, args)], capture_output=True, text=True, timeout=120, cwd="/")


SYSTEM_PYTHON = f"/usr/bin/python{sys.version_info.major}.{sys.version_info.minor}"
needs_nobody = pytest.mark.skipif(
    not (hasattr(os, "geteuid") and os.geteuid() == 0 and shutil.which("setpriv")
         and os.path.exists(SYSTEM_PYTHON)),
    reason="needs root, setpriv and a system Python of this version to act as another user")


@pytest.fixture
def reachable_folder():
    """A folder user nobody can reach (pytest's own tmp folders are root's alone)."""
    import tempfile

    folder = Path(tempfile.mkdtemp(prefix="engage-ro-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    for path in folder.rglob("*"):
        path.chmod(0o777)
    shutil.rmtree(folder)


@needs_nobody
def test_a_read_only_file_and_folder_are_named_for_what_they_are(small_project, survey_csv,
                                                                 reachable_folder):
    for folder_mode, expected in ((0o777, "the project file is read-only"),
                                  (0o755, "is read-only, and Engage keeps its journal")):
        shared = reachable_folder / f"{folder_mode:o}"
        shared.mkdir()
        project = shared / "shared.engage"
        shutil.copy(small_project, project)
        source = shared / "survey.csv"
        shutil.copy(survey_csv, source)
        for path in (project, source):
            path.chmod(0o444)
        shared.chmod(folder_mode)
        before = table_counts(project)
        result = _as_nobody("import", project, source)
        assert result.returncode == 2, result.stderr
        _one_line(result.stderr, expected, "the project file is intact")
        assert "damaged" not in result.stderr
        assert table_counts(project) == before


@needs_nobody
def test_a_read_only_file_still_opens_and_checks_clean(small_project,
                                                                 reachable_folder):
    shared = reachable_folder / "shared"
    shared.mkdir()
    project = shared / "shared.engage"
    shutil.copy(small_project, project)
    project.chmod(0o444)
    shared.chmod(0o777)
    result = _as_nobody("check", project)  # opens it, then reads every page
    assert result.returncode == 0, result.stderr
    assert "PROBLEM" not in result.stdout and "not checked (the file is read-only)" in result.stdout


def test_malformed_stored_json_does_not_stop_the_comment_detail(small_project):
    from engage.browse import comment_detail

    _damage(small_project, "UPDATE comments SET masked = '[{\"kind\": ' WHERE id = 1")
    _damage(small_project, "UPDATE respondents SET attributes = 'not json' WHERE id = 1")
    with Project.open(small_project) as project:
        detail = comment_detail(project, 1)
    assert detail["masked"] == [] and detail["respondent_attributes"] == {}
    assert detail["text"].startswith("comment number 0")


def test_engage_new_force_on_a_full_disk_keeps_the_old_project(capsys, small_project,
                                                              monkeypatch):
    before = table_counts(small_project)
    real = sqlite3.connect

    def tiny(*args, **kwargs):
        conn = real(*args, **kwargs)
        conn.execute("PRAGMA max_page_count = 3")
        return conn

    monkeypatch.setattr("engage.project.sqlite3.connect", tiny)
    code, _out, err = _run(capsys, "new", small_project, "--force")
    assert code == 2
    _one_line(err, f"{small_project.name}: the disk is full")
    monkeypatch.undo()
    assert table_counts(small_project) == before  # replaced only by a complete new project
    assert not [p for p in small_project.parent.iterdir() if p.name.startswith(".")]


def test_engage_new_force_replaces_a_project_and_its_stale_journal(capsys, small_project):
    (small_project.parent / (small_project.name + "-wal")).write_bytes(b"stale journal")
    code, _out, err = _run(capsys, "new", small_project, "--force")
    assert code == 0, err
    counts = table_counts(small_project)
    assert counts["comments"] == 0 and counts["migrations"] > 0
    assert integrity(small_project) == ["ok"]
