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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", help="project to show (default: build the sample)")
    parser.add_argument("--search", default="parking", help="search to show as active")
    parser.add_argument("--row", type=int, default=2, help="result row to select")
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
    if window.model.rowCount() > args.row:
        window.table.selectRow(args.row)
    window.table.setFocus()
    settle(app)
    window.grab().save(str(out / "main_window.png"))
    print(f"{window.count_label.text()}; saved {out / 'welcome.png'} and "
          f"{out / 'main_window.png'}")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
