"""The bundle's launcher picks the desktop app or the command line by the name it is called by
(on Linux `engage-gui` is a symlink to `engage`). `make package` runs the frozen bundle itself;
this checks the dispatch from source, where it is quick."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from engage.project import Project
from tests.hardening.conftest import ROOT

LAUNCHER = ROOT / "packaging" / "engage_launcher.py"


@pytest.fixture
def project(tmp_path):
    path = tmp_path / "empty.engage"
    Project.create(path).close()
    return path


def _run(program, *args, cwd):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "QT_QPA_PLATFORM": "offscreen"}
    return subprocess.run([sys.executable, str(program), *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def test_called_engage_it_is_the_command_line(tmp_path, project):
    program = tmp_path / "engage"
    program.symlink_to(LAUNCHER)
    result = _run(program, "info", project, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert f"Project {project}" in result.stdout


def test_called_engage_gui_it_opens_the_window(tmp_path, project):
    program = tmp_path / "engage-gui"
    program.symlink_to(LAUNCHER)
    result = _run(program, "--smoke-test", project, cwd=tmp_path)
    # An empty project lists no comments, so the smoke check reports failure: proof that the
    # window, not the command line (which has no --smoke-test), answered.
    assert "smoke test: window opened, 0 comments listed" in result.stdout, result.stderr
    assert result.returncode == 1
