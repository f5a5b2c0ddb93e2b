"""The project file under stress: damaged or foreign files, upgrades with backups, and a
project already open in another Engage process."""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3

import pytest

from engage import filelock, integrity, schema
from engage.errors import ProjectError, ProjectInUseError
from engage.project import Project
from tests.hardening.conftest import assert_one_line_refusal, run_engage


# ----- damaged and foreign files ------------------------------------------------------------
def _cut_in_half(data: bytes) -> bytes:
    return data[: len(data) // 2]


def _cut_mid_page(data: bytes) -> bytes:
    return data[: len(data) // 2 + 1000]


def _garbage_pages(data: bytes) -> bytes:
    scrambled = bytearray(data)
    noise = random.Random(5)
    for start in range(4096, len(data), 4096 * 2):  # every other page after the first
        scrambled[start:start + 4096] = noise.randbytes(4096)
    return bytes(scrambled)


def _garbage_header(data: bytes) -> bytes:
    return data[:16] + b"\xff\xff" + data[18:]


DAMAGE = [
    ("cut in half", _cut_in_half, "cut short"),
    ("cut mid-page", _cut_mid_page, "part-way through a page"),
    ("pages overwritten with noise", _garbage_pages, "damaged"),
    ("header page size overwritten", _garbage_header, "header is not valid"),
    ("zero bytes", lambda data: b"", "the file is empty"),
    ("first 50 bytes only", lambda data: data[:50], "only 50 bytes"),
    ("random bytes", lambda data: random.Random(1).randbytes(20000), "not an SQLite database"),
    ("text file", lambda data: b"Response ID,Comment\n1,hello\n", "not an SQLite database"),
]


@pytest.mark.parametrize(("damage", "expected"), [(d[1], d[2]) for d in DAMAGE],
                         ids=[d[0] for d in DAMAGE])
def test_damaged_file_is_refused_with_one_clear_line(small_project, damage, expected):
    small_project.write_bytes(damage(small_project.read_bytes()))
    with pytest.raises(ProjectError) as caught:
        Project.open(small_project)
    message = str(caught.value)
    assert expected in message
    assert "\n" not in message
    assert small_project.name in message
    assert not filelock.lock_path_for(small_project).exists()  # the refusal let go of the lock


def test_damaged_file_through_the_command_line(small_project):
    small_project.write_bytes(_garbage_pages(small_project.read_bytes()))
    assert_one_line_refusal(run_engage("info", small_project), "damaged", "engage check")
    checked = run_engage("check", small_project)
    assert checked.returncode == 2
    assert "PROBLEM" in checked.stdout
    assert "Traceback" not in checked.stderr


def test_sqlite_file_of_another_program_is_left_alone(tmp_path):
    path = tmp_path / "places.engage"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="made by another program"):
        Project.open(path)
    assert path.read_bytes() == before  # no Engage tables added, not even WAL mode switched on


def test_check_command_reports_a_healthy_file(small_project):
    result = run_engage("check", small_project)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "SQLite integrity check: ok" in result.stdout
    assert "Search index: ok" in result.stdout
    assert "400 comments" in result.stdout


def test_check_finds_broken_links_and_a_stale_search_index(small_project):
    conn = sqlite3.connect(small_project)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute("DELETE FROM respondents WHERE id = 3")
    conn.execute("INSERT INTO comments_fts(comments_fts, rowid, text) VALUES ('delete', 7, 'x')")
    conn.commit()
    conn.close()
    report = integrity.full_check(small_project)
    assert not report.ok
    text = "\n".join(report.lines)
    assert "1 rows of comments point at records that do not exist" in text
    assert "search index" in text


# ----- upgrades -----------------------------------------------------------------------------
def _make_old_project(path, monkeypatch) -> None:
    """A project as an Engage that knew only the first two migrations would have left it."""
    with monkeypatch.context() as m:
        m.setattr(schema, "MIGRATIONS", schema.MIGRATIONS[:2])
        m.setattr(schema, "LATEST_VERSION", 2)
        with Project.create(path) as project:
            project.set_setting("title", "from the old version")


def test_upgrade_takes_a_backup_of_the_old_file_first(tmp_path, monkeypatch):
    path = tmp_path / "old.engage"
    _make_old_project(path, monkeypatch)
    with Project.open(path) as project:
        assert schema.applied_versions(project.db) == {v for v, _n, _f in schema.MIGRATIONS}
    backup = tmp_path / "old.backup-v2.engage"
    assert backup.exists()
    conn = sqlite3.connect(backup)
    assert {r[0] for r in conn.execute("SELECT version FROM migrations")} == {1, 2}
    assert conn.execute("SELECT value FROM settings WHERE key = 'title'").fetchone() == (
        "from the old version",)
    conn.close()
    with Project.open(path):  # already current: no second backup
        pass
    assert sorted(p.name for p in tmp_path.glob("*.backup-*")) == ["old.backup-v2.engage"]


def test_an_earlier_backup_is_never_overwritten(tmp_path, monkeypatch):
    path = tmp_path / "old.engage"
    _make_old_project(path, monkeypatch)
    (tmp_path / "old.backup-v2.engage").write_bytes(b"an officer's earlier copy")
    Project.open(path).close()
    assert (tmp_path / "old.backup-v2.engage").read_bytes() == b"an officer's earlier copy"
    assert (tmp_path / "old.backup-v2-2.engage").exists()


def test_no_backup_no_upgrade(tmp_path, monkeypatch):
    path = tmp_path / "old.engage"
    _make_old_project(path, monkeypatch)
    monkeypatch.setattr(schema, "backup_path",
                        lambda project_path, version: tmp_path / "missing" / "b.engage")
    with pytest.raises(ProjectError, match="could not be written"):
        Project.open(path)
    conn = sqlite3.connect(path)
    assert {r[0] for r in conn.execute("SELECT version FROM migrations")} == {1, 2}
    conn.close()


def test_new_projects_need_no_backup(tmp_path):
    Project.create(tmp_path / "fresh.engage").close()
    assert list(tmp_path.glob("*.backup-*")) == []


# ----- one Engage process per project -------------------------------------------------------
def test_project_open_in_another_process_is_refused_naming_it(small_project, held_elsewhere):
    with pytest.raises(ProjectInUseError) as caught:
        Project.open(small_project)
    message = str(caught.value)
    assert f"already open in another Engage window (pid {held_elsewhere.pid}" in message
    with pytest.raises(ProjectInUseError):
        Project.create(small_project, overwrite=True)  # and it is not deleted from under it
    assert small_project.exists()
    assert_one_line_refusal(run_engage("info", small_project),
                            f"already open in another Engage window (pid {held_elsewhere.pid}")


def test_check_works_while_the_project_is_open_elsewhere(small_project, held_elsewhere):
    result = run_engage("check", small_project)
    assert result.returncode == 0, result.stdout + result.stderr


def test_lock_of_a_killed_process_is_ignored(small_project, held_elsewhere):
    lock = filelock.lock_path_for(small_project)
    held_elsewhere.send_signal(signal.SIGKILL)
    held_elsewhere.wait()
    assert json.loads(lock.read_text())["pid"] == held_elsewhere.pid  # left behind by the kill
    with Project.open(small_project) as project:
        assert project.totals()["comments"] == 400
        assert json.loads(lock.read_text())["pid"] == os.getpid()
    assert not lock.exists()


def test_stale_lock_file_with_a_dead_pid_is_ignored(small_project):
    lock = filelock.lock_path_for(small_project)
    lock.write_text(json.dumps({"pid": 999_999_999, "host": "elsewhere", "user": "x"}))
    Project.open(small_project).close()
    assert not lock.exists()


def test_same_process_may_open_a_project_many_times(small_project):
    first = Project.open(small_project)
    second = first.reopen()
    third = Project.open(small_project)
    for project in (first, second):
        project.close()
    assert filelock.lock_path_for(small_project).exists()  # third still holds it
    third.close()
    third.close()  # closing twice gives the lock back once
    assert not filelock.lock_path_for(small_project).exists()
    assert not filelock.held_here(small_project)
