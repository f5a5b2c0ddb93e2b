"""Screenshots of the main window for docs/screenshots (a script, not a test).

    xvfb-run -a .venv/bin/python -m tests.ui.screenshots [--project FILE] [--search WORDS]

Builds the sample project in a temporary folder (unless --project is given), opens it with
clean settings, and saves welcome.png and main_window.png (a search active, a comment
selected). Look at the pictures before committing them.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def settle(app, rounds: int = 20) -> None:
    for _ in range(rounds):
        app.processEvents()


def first_masked_row(model, within: int = 400) -> int:
    """A row whose detail shows what the import masked, else the first."""
    for row in range(min(within, model.rowCount())):
        if model.record(row).masked:
            return row
    return 0


def dark_palette():
    from PySide6.QtGui import QColor, QPalette

    palette = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, "#2b2b2b"),
                         (QPalette.ColorRole.WindowText, "#e6e6e6"),
                         (QPalette.ColorRole.Base, "#1e1e1e"),
                         (QPalette.ColorRole.AlternateBase, "#262626"),
                         (QPalette.ColorRole.Text, "#e6e6e6"),
                         (QPalette.ColorRole.Button, "#353535"),
                         (QPalette.ColorRole.ButtonText, "#e6e6e6"),
                         (QPalette.ColorRole.Highlight, "#3d6fb6"),
                         (QPalette.ColorRole.HighlightedText, "#ffffff"),
                         (QPalette.ColorRole.PlaceholderText, "#8a8a8a")):
        palette.setColor(role, QColor(colour))
    return palette


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", help="project to show (default: build the sample)")
    parser.add_argument("--search", default="parking", help="search to show as active")
    parser.add_argument("--row", type=int, default=-1,
                        help="result row to select (default: the first with masked data)")
    parser.add_argument("--dark", action="store_true", help="a dark palette, to check themes")
    parser.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    parser.add_argument("--size", default="1600x960", help="window size, WIDTHxHEIGHT")
    args = parser.parse_args(argv)

    scratch = Path(tempfile.mkdtemp(prefix="engage-shots-"))
    os.environ["ENGAGE_CONFIG_DIR"] = str(scratch / "config")  # no one's recent projects
    from engage.demo import build_demo_project
    from engage.settings import Settings
    from ui.app import create_application
    from ui.main_window import MainWindow

    project = Path(args.project) if args.project else build_demo_project(scratch / "sample.engage")
    app = create_application([sys.argv[0]])
    if args.dark:  # stands in for a system dark theme, which Xvfb does not have
        app.setPalette(dark_palette())
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    width, height = (int(v) for v in args.size.split("x"))

    window = MainWindow(Settings())
    window.resize(width, height)
    window.show()
    settle(app)
    window.grab().save(str(out / "welcome.png"))

    window.open_project(project)
    window.filter_bar.search.setText(args.search)
    window.filter_bar._search_now()
    settle(app)
    row = args.row if args.row >= 0 else first_masked_row(window.model)
    if window.model.rowCount() > row:
        window.table.selectRow(row)
        window.table.scrollTo(window.model.index(row, 0),
                              window.table.ScrollHint.PositionAtCenter)
    window.table.setFocus()
    settle(app)
    window.grab().save(str(out / "main_window.png"))
    print(f"{window.count_label.text()}; saved {out / 'welcome.png'} and "
          f"{out / 'main_window.png'}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
