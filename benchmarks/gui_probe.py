"""Open a project in the real main window (offscreen) and report timings and peak memory.

Run by bench_import_scale.py in its own process so the memory figure is the GUI's alone.
"""

from __future__ import annotations

import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ENGAGE_CONFIG_DIR", "/tmp/engage-gui-probe")


def peak_memory_mb() -> float:
    """This process's own peak (VmHWM): ru_maxrss carries the parent's peak over a fork."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(path: str) -> None:
    from PySide6.QtWidgets import QApplication

    from engage.settings import Settings
    from ui.app import create_application
    from ui.main_window import MainWindow

    app = QApplication.instance() or create_application([sys.argv[0]])
    window = MainWindow(Settings())
    window.resize(1400, 900)
    window.show()
    app.processEvents()
    start = time.perf_counter()
    window.open_project(path)
    app.processEvents()
    opened = time.perf_counter() - start
    search_ms = []
    for term in ("parking", '"mental health"', "waiting*", ""):
        window.filter_bar.search.setText(term)
        start = time.perf_counter()
        window.apply_filter()  # what the debounced search triggers
        app.processEvents()
        search_ms.append((time.perf_counter() - start) * 1000)
    peak = peak_memory_mb()
    print(f"GUI: open project and show first page {opened * 1000:.0f} ms; "
          f"search + first page {', '.join(f'{m:.0f}' for m in search_ms)} ms; "
          f"peak memory {peak:.0f} MB (target <= 500 MB)")
    window.close()


if __name__ == "__main__":
    main(sys.argv[1])
