"""Building the sample project, so a first run opens on something alive."""

from __future__ import annotations

import tempfile
from pathlib import Path

from engage.progress import CancelFn, ProgressFn, Reporter

SAMPLE_CONSULTATION = "Big Ask 2013"


def sample_files() -> dict[str, Path]:
    from importlib.resources import files

    folder = Path(str(files("sample_data")))
    return {"main": folder / "big_ask_2013.csv", "wave2": folder / "big_ask_2013_wave2.csv"}


def build_demo_project(out: str | Path | None = None, progress: ProgressFn | None = None,
                       cancelled: CancelFn | None = None, analyse: bool = True) -> Path:
    """Create the sample project (replacing any file at `out`) and return its path.

    It is analysed too, so the app opens on themes and sentiment rather than raw text.
    """
    from engage.importing.importer import import_file
    from engage.project import Project

    path = Path(out) if out else Path(tempfile.mkdtemp(prefix="engage-demo-")) / "sample.engage"
    files = sample_files()
    report = Reporter(progress, cancelled)
    with Project.create(path, overwrite=True) as project:
        import_file(project, files["main"], SAMPLE_CONSULTATION,
                    progress=report.span(0.0, 0.3), cancelled=cancelled)
        for extra in _extra_steps():
            extra(project)
    if analyse:
        from engage.analysis.pipeline import analyse_project

        analyse_project(path, progress=report.span(0.3, 1.0), cancelled=cancelled)
        _link_sample_activities(path)
    return path


def _link_sample_activities(path: Path) -> None:
    """Sample activities were added by name before the taxonomy existed; tie them to it."""
    try:
        from engage.coproduction.portfolios import link_to_taxonomy
    except ModuleNotFoundError:
        return
    from engage.project import Project

    with Project.open(path) as project:
        link_to_taxonomy(project)


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
