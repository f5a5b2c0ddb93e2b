"""Screenshots of the workbench's overview, word cloud and compare views, for the docs.

Run under a virtual screen:
    xvfb-run -a .venv/bin/python docs/take_workbench_screenshots.py [--project FILE] [--dark]

Builds the analysed sample project in a temporary folder (unless --project is given) and
writes docs/screenshots/workbench_{overview,wordcloud,compare}.png (with --dark:
workbench_*_dark.png, a dark palette standing in for a system dark theme). Look at the
pictures before committing them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"


def wait_for(app, signal_source, condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {signal_source}")
        app.processEvents()
        time.sleep(0.02)


def settle(app, seconds: float = 0.4) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def settled(app, cloud) -> bool:
    """The cloud is drawn for the canvas's final shape (a resize redraws after a pause)."""
    settle(app, 0.5)
    return cloud.cloud is not None and not cloud.busy and not cloud.reshape.isActive()


def shoot(app, widget, name: str, loaded, dark: bool, size=(1500, 900)) -> None:
    widget.resize(*size)
    widget.show()
    wait_for(app, name, loaded)
    settle(app)
    path = OUT / f"workbench_{name}{'_dark' if dark else ''}.png"
    widget.grab().save(str(path))
    print("wrote", path.relative_to(ROOT))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", help="an analysed project (default: build the sample)")
    parser.add_argument("--dark", action="store_true", help="a dark palette, to check colours")
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="engage-shots-"))
    os.environ["ENGAGE_CONFIG_DIR"] = str(scratch / "config")

    from engage.analysis import store
    from engage.browse import CommentFilter
    from engage.demo import build_demo_project
    from engage.project import Project
    from tests.ui.screenshots import dark_palette
    from ui.app import create_application
    from ui.workbench.compare import CompareWidget
    from ui.workbench.overview import OverviewWidget
    from ui.workbench.wordcloud_view import WordCloudWidget

    path = Path(args.project) if args.project else build_demo_project(scratch / "sample.engage")
    app = create_application([sys.argv[0]])
    if args.dark:
        app.setPalette(dark_palette())
    OUT.mkdir(parents=True, exist_ok=True)
    project = Project.open(path)
    consultation = project.consultations()[0]["id"]

    themes = sorted(store.theme_counts(project, consultation), key=lambda t: -t["comments"])
    overview = OverviewWidget(project)
    overview.set_consultation(consultation)
    overview.resize(1500, 900)
    overview.show()
    wait_for(app, "overview", lambda: overview.figures is not None)
    overview.select(("theme", themes[0]["theme_id"]))
    shoot(app, overview, "overview", lambda: overview.figures is not None, args.dark)

    cloud = WordCloudWidget(project)
    cloud.set_filter(CommentFilter(consultation_id=consultation))
    cloud.select_theme(themes[1]["theme_id"])
    shoot(app, cloud, "wordcloud", lambda: settled(app, cloud), args.dark, (1300, 860))

    compare = CompareWidget(project)
    compare.set_groups_by_attribute("age_band", "18-24", "75+", consultation)
    shoot(app, compare, "compare", lambda: compare.comparison is not None and not compare.busy,
          args.dark, (1300, 860))
    project.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
