"""The wheel works away from the checkout: its `engage demo` finds the shipped model and the
sample data, and its `engage-gui` opens a project.

The wheel is built from a copy of the sources (so nothing left in a local `build/` folder can
slip in) without build isolation (so no download), and installed with `--no-deps` into a fresh
virtual environment that borrows the test environment's third-party packages through a path
entry. The borrowed folder's own `.pth` files are not read that way, so the checkout's editable
install of Engage stays out of sight: what runs is the wheel.
"""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.hardening.conftest import ROOT

pytestmark = pytest.mark.slow

SOURCES = ("engage", "ui", "models", "sample_data", "pyproject.toml", "README.md")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        origin = ROOT / name
        if origin.is_dir():
            shutil.copytree(origin, source / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            shutil.copy2(origin, source / name)
    out = tmp_path_factory.mktemp("wheelhouse")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "--quiet", "--wheel-dir", str(out), str(source)],
                   check=True, capture_output=True, text=True, timeout=300)
    (built,) = out.glob("engage-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh venv holding the wheel; returns its bin folder."""
    env_dir = tmp_path_factory.mktemp("venv")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env_dir)], check=True,
                   timeout=120)
    bin_dir = env_dir / "bin"
    python = bin_dir / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                              "['purelib'])"], check=True, capture_output=True, text=True
                             ).stdout.strip()
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"],
                *site.getsitepackages()}
    Path(purelib, "borrowed.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                    "--no-deps", "--no-index", "--quiet", str(wheel)],
                   check=True, capture_output=True, text=True, timeout=300)
    return bin_dir


def _clean_env(home: Path) -> dict[str, str]:
    keep = ("PATH", "LANG", "LC_ALL", "ENGAGE_CONFIG_DIR")
    env = {key: os.environ[key] for key in keep if key in os.environ}
    return {**env, "HOME": str(home), "QT_QPA_PLATFORM": "offscreen"}


def test_the_wheel_carries_the_model_the_data_and_both_programs(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("models/default/model.json", "models/default/model.npz", "models/default/model_card.json",
                   "models/encoder/encoder.onnx", "models/encoder/vocab.txt",
                   "models/encoder/heads.json", "models/encoder/model_card.json",
                   "sample_data/big_ask_2013.csv", "sample_data/activities.csv",
                   "ui/icons/engage.png", "engage/cli.py", "ui/app.py"):
        assert needed in names, needed
    assert any(n.startswith("engage/nlp/data/") for n in names)
    entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
    text = zipfile.ZipFile(wheel).read(entry_points).decode()
    assert "engage = engage.cli:main" in text
    assert "engage-gui = ui.app:main" in text
    assert not any(n.startswith(("tests/", "benchmarks/")) for n in names)


def test_installed_engage_demo_analyses_with_the_shipped_model(installed, tmp_path):
    result = subprocess.run([str(installed / "engage"), "demo", "--out",
                             str(tmp_path / "demo.engage")], cwd=tmp_path,
                            env=_clean_env(tmp_path), capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
    assert "Sample project built at" in result.stdout
    assert "Comments by portfolio" in result.stdout, result.stdout
    assert "One acute network:" in result.stdout
    where = subprocess.run([str(installed / "python"), "-c",
                            "import engage, models; print(engage.__file__); "
                            "print(models.__file__)"], cwd=tmp_path, env=_clean_env(tmp_path),
                           capture_output=True, text=True, check=True).stdout
    assert str(ROOT) not in where, "the checkout, not the wheel, was imported"

    gui = subprocess.run([str(installed / "engage-gui"), "--smoke-test",
                          str(tmp_path / "demo.engage")], cwd=tmp_path,
                         env=_clean_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert gui.returncode == 0, gui.stdout + gui.stderr
    assert "comments listed" in gui.stdout
