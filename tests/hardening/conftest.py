"""Helpers for the hardening tests: run the real `engage` command and inspect project files."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from engage.project import Project

ROOT = Path(__file__).resolve().parents[2]


def run_engage(*args: str | Path, timeout: float = 120) -> subprocess.CompletedProcess:
    """`python -m engage ARGS` in a fresh process, as an officer's shell would run it."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "engage", *map(str, args)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=timeout)


def assert_one_line_refusal(result: subprocess.CompletedProcess, *expected: str) -> None:
    """Exit 2, one line on stderr naming the problem, never a traceback."""
    assert result.returncode == 2, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for text in expected:
        assert text in lines[0], lines[0]


def table_counts(path: Path) -> dict[str, int]:
    """Row counts of every ordinary table, read without Engage (no lock, no migration)."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        names = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name NOT LIKE 'comments_fts%'")]
        return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    finally:
        conn.close()


def integrity(path: Path) -> list[str]:
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return [r[0] for r in conn.execute("PRAGMA integrity_check")]
    finally:
        conn.close()


@pytest.fixture
def small_project(tmp_path):
    """A project with a few hundred comments, closed (so fully checkpointed into the file)."""
    path = tmp_path / "small.engage"
    with Project.create(path) as project:
        db = project.db
        cid = db["consultations"].insert({"name": "Survey", "created_at": "x"}).last_pk
        qid = db["questions"].insert({"consultation_id": cid, "label": "Q1"}).last_pk
        for i in range(400):
            rid = db["respondents"].insert({"consultation_id": cid, "external_id": f"r{i}"}).last_pk
            db["comments"].insert({"consultation_id": cid, "question_id": qid,
                                   "respondent_id": rid,
                                   "text": f"comment number {i} about the surgery " * 5})
    return path


HOLDER = """
import sys, time
from engage.project import Project
project = Project.open(sys.argv[1])
print("open", flush=True)
time.sleep(120)
"""


@pytest.fixture
def held_elsewhere(small_project):
    """The project open in another (live) Engage process; yields that process."""
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(small_project)], cwd=ROOT,
                               stdout=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert process.stdout.readline().strip() == "open"
        yield process
    finally:
        process.kill()
        process.wait()
