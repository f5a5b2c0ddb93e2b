"""Kill -9 during import, analysis and report: the project keeps exactly what was committed.

Two kinds of kill. From outside, as the operating system or an impatient officer would: the
real `engage` command runs in its own process and gets SIGKILL at a moment chosen by watching
it work (a time, or its write-ahead log growing, which means it is part-way through writing).
From inside, at an exact point in the middle of a transaction (after the old codings are
deleted, say, and before the new ones are written), so the worst moment is always tested,
whatever the machine's speed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from engage import integrity
from engage.importing.importer import import_file
from engage.project import Project
from sample_data import generate
from tests.hardening.conftest import ROOT, table_counts

pytestmark = pytest.mark.slow

BIG_RESPONDENTS = 30_000  # ~58,000 comments: some seconds of reading, then of writing


def _start(*args: str | Path, code: str | None = None) -> subprocess.Popen:
    """`python -m engage ARGS`, or `python -c CODE ARGS`, in a new process."""
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "engage"]
    return subprocess.Popen(command + [str(a) for a in args], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def _kill_when(process: subprocess.Popen, ready, timeout: float = 120) -> bool:
    """SIGKILL `process` as soon as `ready()` is true; True if it was still running then."""
    deadline = time.monotonic() + timeout
    while process.poll() is None and time.monotonic() < deadline:
        if ready():
            process.send_signal(signal.SIGKILL)
            process.communicate()
            return process.returncode == -signal.SIGKILL
        time.sleep(0.005)
    process.communicate()
    return False


def _wal_over(project: Path, size: int):
    wal = Path(str(project) + "-wal")
    return lambda: wal.exists() and wal.stat().st_size > size


def _after(seconds: float):
    start = time.monotonic()
    return lambda: time.monotonic() - start > seconds


def _fingerprint(path: Path) -> dict:
    """Row counts of every table plus a digest of the codings and analysis rows."""
    counts = table_counts(path)
    with Project.open(path) as project:
        digest = hashlib.sha256()
        for table, order in (("codings", "comment_id, theme_id"),
                             ("comment_analysis", "comment_id"), ("analysis_runs", "id")):
            if table in counts:
                for row in project.db.execute(f"SELECT * FROM {table} ORDER BY {order}"):
                    digest.update(repr(row).encode())
    return {"counts": counts, "digest": digest.hexdigest()}


def _assert_sound(path: Path) -> None:
    report = integrity.full_check(path)
    assert report.ok, report.lines


# ----- import ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def big_export(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("exports") / "big_export.csv"
    generate.write_csv(path, n_respondents=BIG_RESPONDENTS, seed=21)
    return path


@pytest.fixture(scope="module")
def imported_once(tmp_path_factory) -> Path:
    """A project holding one committed import (the sample's 3,300 respondents)."""
    path = tmp_path_factory.mktemp("base") / "imported.engage"
    from engage.demo import sample_files

    with Project.create(path) as project:
        import_file(project, sample_files()["main"], "Big Ask 2013")
    return path


KILL_IMPORT = [("while reading the file", lambda p: _after(1.0)),
               ("as writing starts", lambda p: _wal_over(p, 1_000_000)),
               ("deep in the writing", lambda p: _wal_over(p, 15_000_000))]


@pytest.mark.parametrize("moment", [k[1] for k in KILL_IMPORT], ids=[k[0] for k in KILL_IMPORT])
def test_import_killed_keeps_only_the_earlier_import(moment, imported_once, big_export,
                                                     tmp_path):
    path = tmp_path / "project.engage"
    shutil.copy(imported_once, path)
    before = _fingerprint(path)
    process = _start("import", path, big_export, "--consultation", "Second wave")
    assert _kill_when(process, moment(path)), "the import finished before it could be killed"
    assert _fingerprint(path) == before
    _assert_sound(path)
    with Project.open(path) as project:  # usable again at once: the lock died with the process
        assert [c["name"] for c in project.consultations()] == ["Big Ask 2013"]
        project.set_setting("after the crash", "still writable")


SELF_KILL_IMPORT = """
import os, signal, sys
from engage.importing import importer
real_bulk_insert = importer._bulk_insert

def bulk_insert_then_die(db, table, rows):
    real_bulk_insert(db, table, rows)
    if table == "respondents":  # respondents written, comments not yet: the worst moment
        os.kill(os.getpid(), signal.SIGKILL)

importer._bulk_insert = bulk_insert_then_die
from engage.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_import_killed_between_respondents_and_comments(imported_once, tmp_path):
    path = tmp_path / "project.engage"
    shutil.copy(imported_once, path)
    before = _fingerprint(path)
    wave2 = generate.HERE / generate.WAVE2_CSV
    process = _start("import", path, wave2, "--consultation", "Big Ask 2013", code=SELF_KILL_IMPORT)
    process.communicate(timeout=120)
    assert process.returncode == -signal.SIGKILL
    assert _fingerprint(path) == before
    _assert_sound(path)


# ----- analysis -----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def analysed_once(tmp_path_factory) -> Path:
    """The sample project, analysed once (a committed run with codings to protect)."""
    from engage.demo import build_demo_project

    return build_demo_project(tmp_path_factory.mktemp("analysed") / "analysed.engage")


def _assert_no_run_left_running(path: Path) -> None:
    with Project.open(path) as project:
        statuses = [r[0] for r in project.db.execute("SELECT status FROM analysis_runs")]
    assert "running" not in statuses


SELF_KILL_ANALYSIS = """
import os, signal, sys
from engage.analysis import store
real_decided_pairs = store._decided_pairs

def decided_pairs_then_die(project, ids):
    # Inside save_results: the model's earlier codings are deleted, the new ones not written.
    real_decided_pairs(project, ids)
    os.kill(os.getpid(), signal.SIGKILL)

store._decided_pairs = decided_pairs_then_die
from engage.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_analysis_killed_mid_save_keeps_the_earlier_run(analysed_once, tmp_path):
    path = tmp_path / "project.engage"
    shutil.copy(analysed_once, path)
    before = _fingerprint(path)
    process = _start("analyse", path, code=SELF_KILL_ANALYSIS)
    process.communicate(timeout=300)
    assert process.returncode == -signal.SIGKILL
    assert _fingerprint(path) == before
    _assert_no_run_left_running(path)
    _assert_sound(path)


KILL_ANALYSIS = [("while computing", lambda p: _after(2.0)),
                 ("while saving", lambda p: _wal_over(p, 100_000))]


@pytest.mark.parametrize("moment", [k[1] for k in KILL_ANALYSIS],
                         ids=[k[0] for k in KILL_ANALYSIS])
def test_analysis_killed_from_outside_keeps_the_earlier_run(moment, analysed_once, tmp_path):
    path = tmp_path / "project.engage"
    shutil.copy(analysed_once, path)
    before = _fingerprint(path)
    process = _start("analyse", path)
    assert _kill_when(process, moment(path)), "the analysis finished before it could be killed"
    assert _fingerprint(path) == before
    _assert_no_run_left_running(path)
    _assert_sound(path)


# ----- reports ------------------------------------------------------------------------------
@pytest.mark.parametrize(("fmt", "seconds"), [("pdf", 1.5), ("docx", 2.5), ("xlsx", 1.0)])
def test_report_or_export_killed_leaves_no_half_written_file(fmt, seconds, analysed_once,
                                                             tmp_path):
    path = tmp_path / "project.engage"
    shutil.copy(analysed_once, path)
    before = _fingerprint(path)
    out = tmp_path / "out" / f"summary.{fmt}"
    out.parent.mkdir()
    command = "export" if fmt == "xlsx" else "report"
    process = _start(command, path, "--out", out)
    assert _kill_when(process, _after(seconds)), f"the {command} finished before the kill"
    assert not out.exists()  # written to a temporary name and renamed only when complete
    assert _fingerprint(path) == before
    _assert_sound(path)
