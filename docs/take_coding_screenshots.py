"""Screenshots of the coding workbench, review queue, agreement and topics views, for the docs.

Run under a virtual screen:

    xvfb-run -a .venv/bin/python docs/take_coding_screenshots.py [--project FILE] [--dark]

Builds and analyses the sample project in a throw-away folder (unless --project is given; a
copy is used either way), lets a simulated officer review some comments — keeping a suggested
theme when its seed terms are in the text, removing it otherwise — so the agreement view has
figures, and writes docs/screenshots/workbench_{coding,review,agreement,topics}.png.
Look at the pictures before committing them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
OUT = ROOT / "docs" / "screenshots"
REVIEWED_FROM_QUEUE = 70
REVIEWED_CODED = 90


def settle(app, seconds: float = 0.4) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def simulate_officer(project) -> None:
    """Review the first comments of the queue and some confidently coded ones."""
    from engage.analysis import store
    from engage.analysis.evidence import evidence_spans

    coded = [row[0] for row in project.db.execute(  # every third, so the list shows a mix
        "SELECT comment_id FROM comment_analysis WHERE outcome = 'coded' "
        "ORDER BY comment_id LIMIT ?", [3 * REVIEWED_CODED])][::3]
    for cid in store.review_queue(project)[:REVIEWED_FROM_QUEUE] + coded:
        text = store.comment_codings(project, cid)
        comment = project.db.execute("SELECT text FROM comments WHERE id = ?", [cid]).fetchone()
        for coding in text:
            found = evidence_spans(comment[0], coding["evidence"])
            decision = "accepted" if found else "rejected"
            store.set_coding_decision(project, [cid], coding["theme_id"], decision)


def showcase_row(workbench, themes: int = 3) -> int:
    """A row not yet reviewed whose comment has `themes` themes with words highlighted
    (or fewer, if no such row is near the top)."""
    from engage.analysis.evidence import evidence_spans

    model = workbench.model
    for row in range(min(model.rowCount(), 400)):
        found = model.row(row)
        if found.info["reviewed"]:
            continue
        lit = [c for c in found.info["codings"] if c["decision"] != "rejected"
               and evidence_spans(found.comment.text, c["evidence"])]
        if len(lit) >= themes and 140 < len(found.comment.text) < 420:
            return row
    return showcase_row(workbench, themes - 1) if themes > 1 else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", help="an analysed project to copy (default: the sample)")
    parser.add_argument("--dark", action="store_true", help="a dark palette, to check themes")
    parser.add_argument("--out", default=str(OUT))
    args = parser.parse_args(argv)
    scratch = Path(tempfile.mkdtemp(prefix="engage-coding-shots-"))
    os.environ["ENGAGE_CONFIG_DIR"] = str(scratch / "config")
    from PySide6.QtWidgets import QApplication

    from engage.demo import build_demo_project
    from engage.project import Project
    from engage.settings import Settings
    from ui.workbench.coding_tabs import CodingTabs
    from ui.workbench.session import CodingSession

    path = scratch / "sample.engage"
    if args.project:
        shutil.copyfile(args.project, path)
    else:
        print("building and analysing the sample project …", flush=True)
        build_demo_project(path)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setStyle("Fusion")
    if args.dark:
        from tests.ui.screenshots import dark_palette

        app.setPalette(dark_palette())
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    suffix = "_dark" if args.dark else ""

    project = Project.open(path, user="Sam Patel")
    simulate_officer(project)
    tabs = CodingTabs(session=CodingSession(settings=Settings(officer_name="Sam Patel")))
    tabs.setWindowTitle("sample.engage — Engage")
    tabs.resize(1600, 960)
    tabs.set_project(project)
    tabs.show()
    settle(app)
    workbench = tabs.coding
    workbench.splitter.setSizes([930, 670])
    row = showcase_row(workbench)
    workbench.list_view.selectRow(row)
    workbench.list_view.scrollTo(workbench.model.index(row, 0))
    workbench.commands.remember(workbench.current_theme())
    settle(app)
    tabs.grab().save(str(out / f"workbench_coding{suffix}.png"))

    workbench.show_review_queue(True)
    settle(app)
    for _ in range(2):  # the officer works down the queue: accept, next
        workbench.commands.accept_all()
        workbench.move(1)
    row = showcase_row(workbench)
    workbench.list_view.selectRow(row)
    settle(app)
    tabs.grab().save(str(out / f"workbench_review{suffix}.png"))

    tabs.setCurrentIndex(tabs.AGREEMENT)
    settle(app)
    tabs.grab().save(str(out / f"workbench_agreement{suffix}.png"))

    tabs.setCurrentIndex(tabs.TOPICS)
    settle(app, 0.2)
    tabs.topics.themes.sizes.wait(20_000)
    topics = tabs.topics
    uncovered = next((r for r in range(topics.model.rowCount())
                      if not topics.model.topic(r)["covered"]), 0)
    topics.table.selectRow(uncovered)
    settle(app, 0.8)
    tabs.grab().save(str(out / f"workbench_topics{suffix}.png"))
    for name in ("coding", "review", "agreement", "topics"):
        print(out / f"workbench_{name}{suffix}.png")
    tabs.close()
    project.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
