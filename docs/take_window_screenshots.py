"""Screenshots of the whole window as a new officer meets it, for checking by eye.

Run under a virtual screen:
    xvfb-run -a .venv/bin/python docs/take_window_screenshots.py [--project FILE] [--out DIR]

With fresh settings: the welcome page of a first launch; the sample on its Overview; the
comment list after a drill-down; the Coding tab with an identical-text group and the review
queue; the Edit menu; a new empty project on the Coding tab; the word cloud and topics; the
"Fill from themes" action dialog; a comment whose attribute name is a whole question. PNGs go
to DIR (default docs/screenshots/window_*.png). Look at every picture.
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


def settle(app, seconds: float = 0.5) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.02)


def wait_for(app, what: str, condition, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"timed out waiting for {what}")
        app.processEvents()
        time.sleep(0.02)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", help="an analysed project (default: build the sample)")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="engage-window-shots-"))
    os.environ["ENGAGE_CONFIG_DIR"] = str(scratch / "config")
    os.environ.pop("ENGAGE_OFFICER", None)

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    import ui.officer
    from engage.analysis import workbench_store
    from engage.browse import CommentFilter
    from engage.demo import build_demo_project
    from ui import app as app_module
    from ui.main_window import MainWindow

    sample = Path(args.project) if args.project else build_demo_project(scratch / "sample.engage")
    app = app_module.create_application([sys.argv[0]])
    ui.officer.ask_officer_name = lambda _parent, _current: "Jo Bloggs"

    def shot(widget, name: str) -> None:
        settle(app)
        path = out / f"window_{name}.png"
        widget.grab().save(str(path))
        print("wrote", path)

    # first launch: run the app's own start-up with a fake event loop
    windows: list[MainWindow] = []
    QApplication.exec = lambda *_a: windows.append(next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow))) or 0
    app_module._run(app, ["engage-gui", "--sample", str(sample)])
    window = windows[0]
    window.resize(1400, 860)
    shot(window, "first_launch")

    window.welcome.sample_button.click()
    overview = window.views.overview
    wait_for(app, "overview", lambda: overview.figures is not None)
    shot(window, "sample_overview")

    theme = max(overview.figures.overview.themes, key=lambda t: t["comments"])
    window.show_comments(CommentFilter(theme_id=theme["theme_id"]))
    shot(window, "drilldown")
    window.clear_filters_action.trigger()
    shot(window, "cleared")

    coding_tab = window.tabs.indexOf(window.views.coding.parentWidget().parentWidget())
    window.tabs.setCurrentIndex(coding_tab)
    workbench = window.views.coding.coding
    queue = workbench_store.review_queue_entries(window.project, limit=2000)
    copies = workbench_store.workbench_rows(window.project, queue)
    grouped = next((cid for cid in queue if copies[cid]["copies"] > 1), queue[0])
    workbench.set_filter(CommentFilter(comment_ids=tuple(queue[:60])))
    row = next(r for r in range(workbench.model.rowCount())
               if workbench.model.comment_id(r) == grouped)
    workbench.list_view.setCurrentIndex(workbench.model.index(row, 1))
    shot(window, "coding_identical")
    workbench.commands.decide_current("rejected")
    shot(window, "coding_after_reject")
    workbench.set_filter(CommentFilter())
    workbench.show_review_queue(True)
    shot(window, "review_queue")

    edit = next(a.menu() for a in window.menuBar().actions() if a.text() == "&Edit")
    edit.popup(window.mapToGlobal(window.rect().topLeft()))
    shot(edit, "edit_menu")
    edit.hide()

    window.new_project(scratch / "empty.engage")
    shot(window, "new_project_coding")
    window.tabs.setCurrentIndex(0)
    shot(window, "new_project_comments")

    window.open_project(sample)
    cloud = window.views.word_cloud
    drawn: list[int] = []
    cloud.drawn.connect(lambda: drawn.append(1))
    window.tabs.setCurrentIndex(window.tabs.indexOf(cloud.parentWidget().parentWidget()))
    try:
        wait_for(app, "word cloud", lambda: drawn and not cloud.reshape.isActive(), 90)
        settle(app, 1.0)
        wait_for(app, "word cloud", lambda: not cloud.tasks.is_running())
    except SystemExit as exc:
        print(f"{exc}: {cloud.summary.text()}")
    shot(window, "wordcloud")
    window.tabs.setCurrentIndex(coding_tab)
    window.views.coding.setCurrentIndex(window.views.coding.TOPICS)
    shot(window, "topics")

    from ui.coproduction.actions_view import ActionDialog

    dialog = ActionDialog(window.project)
    dialog.themes.set_names([theme["theme"]])
    dialog.fill_from_themes()
    dialog.show()
    shot(dialog, "fill_from_themes")
    dialog.close()

    long_attribute(window, scratch, shot)
    QTimer.singleShot(0, window.close)
    window.close()
    return 0


def long_attribute(window, scratch: Path, shot) -> None:
    """A comment whose respondent answered a whole question as an attribute."""
    from engage.importing.importer import import_file
    from engage.importing.mapping import ColumnMapping
    from engage.project import Project

    question = "Are you happy for us to contact you about future engagement?"
    csv_path = scratch / "long.csv"
    csv_path.write_text(f"Respondent ID,Comment,{question}\nR1,The late bus was cut and "
                        "now I miss my physio,Yes by email please\n", encoding="utf-8")
    path = scratch / "long.engage"
    with Project.create(path) as project:
        import_file(project, csv_path, "Long attribute names", mapping=ColumnMapping(roles={
            "Respondent ID": "respondent_id", "Comment": "comment", question: "attribute"}))
    window.open_project(path)
    window.tabs.setCurrentIndex(0)
    shot(window, "long_attribute")


if __name__ == "__main__":
    raise SystemExit(main())
