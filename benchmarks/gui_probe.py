"""GUI figures on a big project: open, first page painted, search, scroll, peak memory.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/gui_probe.py PROJECT

Run by bench_import_scale.py on its 1M-comment project; prints figures, asserts nothing.
Each figure includes the Qt work (model reset, painting), not just the core query.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__)
        return 2
    os.environ.setdefault("ENGAGE_CONFIG_DIR", tempfile.mkdtemp(prefix="engage-probe-"))
    from engage.settings import Settings
    from ui.app import create_application
    from ui.main_window import MainWindow

    app = create_application([argv[0]])
    window = MainWindow(Settings())
    window.resize(1600, 960)
    window.show()
    app.processEvents()

    def timed(action) -> float:
        start = time.perf_counter()
        action()
        window.table.viewport().repaint()  # paint now: the rows on screen are fetched here
        app.processEvents()
        return (time.perf_counter() - start) * 1000

    opened = timed(lambda: window.open_project(argv[1]))
    print(f"GUI: open project + first page painted: {opened:.0f} ms "
          f"({window.count_label.text()})")
    model = window.model

    def search(text: str) -> None:
        window.filter_bar.search.setText(text)
        window.filter_bar._search_now()  # what Return does, without the typing pause

    for term in ("parking", "\"mental health\""):
        ms = timed(lambda term=term: search(term))
        print(f"GUI: search {term} → {model.rowCount():,} rows, table repainted: {ms:.0f} ms")
    timed(lambda: search(""))
    ms = timed(lambda: window.table.scrollToBottom())
    print(f"GUI: scroll to the last of {model.rowCount():,} rows: {ms:.0f} ms")
    ms = timed(lambda: window.table.scrollToTop())
    print(f"GUI: back to the top: {ms:.0f} ms; pages fetched in all: {model.pages_fetched}")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"GUI: peak memory (max RSS) {peak:.0f} MB (target <= 500 MB)")
    window.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
