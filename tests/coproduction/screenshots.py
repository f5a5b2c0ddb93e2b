"""Screenshots of the co-production views for docs/screenshots (a script, not a test).

    xvfb-run -a .venv/bin/python -m tests.coproduction.screenshots [--project FILE]

Builds the sample project (with its activity register and actions) in a temporary folder
unless --project is given, and saves coproduction_*.png. Look at them before committing.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def settle(app, rounds: int = 30) -> None:
    for _ in range(rounds):
        app.processEvents()


def save(widget, app, out: Path, name: str) -> None:
    settle(app)
    widget.grab().save(str(out / f"coproduction_{name}.png"))
    print(out / f"coproduction_{name}.png")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", help="project to show (default: build the sample)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--size", default="1440x900", help="window size, WIDTHxHEIGHT")
    args = parser.parse_args(argv)

    from PySide6.QtWidgets import QApplication

    from engage.coproduction.dashboard import place_portfolio_matrix
    from engage.demo import build_demo_project
    from engage.project import Project
    from ui.coproduction import CoproductionWidget

    scratch = Path(tempfile.mkdtemp(prefix="engage-coproduction-shots-"))
    path = Path(args.project) if args.project else build_demo_project(scratch / "s.engage")
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setStyle("Fusion")
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    width, height = (int(v) for v in args.size.split("x"))

    project = Project.open(path)
    widget = CoproductionWidget(project)
    widget.setWindowTitle("Engage — co-production")
    widget.resize(width, height)
    widget.show()
    save(widget, app, out, "dashboard")

    # a matrix cell clicked through to its activities
    matrix = place_portfolio_matrix(project)
    row = next(i for i, r in enumerate(matrix.rows) if r.name == "Weymouth & Portland")
    widget.dashboard._matrix_clicked(widget.dashboard.matrix_model.index(
        row, len(matrix.portfolios)))
    save(widget, app, out, "activities_from_dashboard")

    # an activity list with bad rows: every problem listed, nothing imported
    bad = scratch / "stocktake.csv"
    bad.write_text("Project name,Method,Participation level,Locality\n"
                   "Walking football for men over 50,workshop,consulted,Weymouth\n"
                   "Bridport memory café,outreach,involve,Bridport\n"
                   "Hamworthy young carers' group,co-design group,co-produce,Hamworthy\n"
                   ",focus group,consult,Poole Bay\n", encoding="utf-8")
    widget.register.import_file(bad)
    widget.register.tasks.wait(20000)
    settle(app)
    save(widget.register._problem_box, app, out, "import_problems")
    widget.register._problem_box.close()
    widget.register.status.clear()

    widget.register.show_all()
    suggested = next(r for r in widget.register.model._rows if r["suggested_portfolios"])
    widget.register.select(suggested["id"])
    save(widget, app, out, "activities")

    dialog = widget.register.edit_selected()
    save(dialog, app, out, "activity_dialog")
    dialog.reject()

    widget.setCurrentIndex(widget.ACTIONS)
    widget.actions_view.select(widget.actions_view.model.row_data(0)["id"])
    save(widget, app, out, "actions")
    dialog = widget.actions_view.edit_selected()
    save(dialog, app, out, "action_dialog")
    dialog.reject()

    widget.setCurrentIndex(widget.PLACES)
    widget.places.select(next(p["id"] for p in project.places() if p["name"] == "Purbeck"))
    save(widget, app, out, "places")
    widget.places.lower_tabs.setCurrentIndex(1)
    save(widget, app, out, "places_unplaced")
    project.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
