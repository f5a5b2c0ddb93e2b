"""The bundle's launcher picks the desktop app or the command line by the name it is called by
(on Linux `engage-gui` is a symlink to `engage`). `make package` runs the frozen bundle itself;
this checks the dispatch from source, where it is quick."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from engage.importing.importer import import_file
from engage.project import Project
from sample_data import generate
from tests.hardening.conftest import ROOT

LAUNCHER = ROOT / "packaging" / "engage_launcher.py"


@pytest.fixture
def project(tmp_path):
    source = tmp_path / "small.csv"
    generate.write_csv(source, n_respondents=5, seed=2)
    path = tmp_path / "small.engage"
    with Project.create(path) as created:
        import_file(created, source, "Launcher test")
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
    # Only the window knows --smoke-test; the command line would refuse it.
    assert result.returncode == 0, result.stdout + result.stderr
    assert "smoke test: window opened" in result.stdout
    assert "0 comments listed" not in result.stdout
