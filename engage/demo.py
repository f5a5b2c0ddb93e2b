"""Building the sample project, so a first run opens on something alive."""

from __future__ import annotations

import tempfile
from pathlib import Path

from engage.progress import CancelFn, ProgressFn

SAMPLE_CONSULTATION = "Big Ask 2013"


def sample_files() -> dict[str, Path]:
    from importlib.resources import files

    folder = Path(str(files("sample_data")))
    return {"main": folder / "big_ask_2013.csv", "wave2": folder / "big_ask_2013_wave2.csv"}


def build_demo_project(out: str | Path | None = None, progress: ProgressFn | None = None,
                       cancelled: CancelFn | None = None) -> Path:
    """Create the sample project (replacing any file at `out`) and return its path."""
    from engage.importing.importer import import_file
    from engage.project import Project

    path = Path(out) if out else Path(tempfile.mkdtemp(prefix="engage-demo-")) / "sample.engage"
    files = sample_files()
    with Project.create(path, overwrite=True) as project:
        import_file(project, files["main"], SAMPLE_CONSULTATION, progress=progress,
                    cancelled=cancelled)
        for extra in _extra_steps():
            extra(project)
    return path


def _extra_steps():
    """Later features (analysis, activities) add their sample content here when present."""
    steps = []
    try:
        from engage.coproduction.sample import add_sample_activities
    except ModuleNotFoundError:
        pass
    else:
        steps.append(add_sample_activities)
    return steps
