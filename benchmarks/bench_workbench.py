"""Overview, word cloud and compare views on a 29,000-comment analysed project (issue 4).

Target: every UI action responds within 100 ms. Two kinds of figures, medians of several runs:

- GUI-thread actions: what runs between a click and the view showing its answer (select a
  theme and redraw the chart, change the heat table's unit, sort, click a row / bar / cell /
  word / share through to the filter emitted). These are what the target is about.
- Worker loads: the queries and drawing that run off the GUI thread (figures for the overview,
  a word cloud, a comparison), with the longest pause of the GUI thread's event loop while
  each runs (a 5 ms timer measures it): the window must keep answering meanwhile.

Uses the analysed project cached by bench_report.py (build/bench/report_29k.engage; built on
first use). Prints figures; asserts nothing. Run: .venv/bin/python benchmarks/bench_workbench.py
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("ENGAGE_CONFIG_DIR", tempfile.mkdtemp(prefix="engage-bench-config-"))

REPEAT = 7


def median_ms(action, repeat: int = REPEAT) -> tuple[float, float]:
    """Median wall and CPU milliseconds of `action()`."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return statistics.median(walls), statistics.median(cpus)


class Stalls:
    """The longest gap between ticks of a 5 ms timer: how long the event loop was blocked."""

    def __init__(self) -> None:
        from PySide6.QtCore import QTimer

        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.worst = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.worst = max(self.worst, now - self.last)
        self.last = now

    def __enter__(self) -> Stalls:
        self.last, self.worst = time.perf_counter(), 0.0
        self.timer.start()
        return self

    def __exit__(self, *exc) -> None:
        self.timer.stop()


def run_until(app, done, timeout: float = 120.0) -> float:
    start = time.perf_counter()
    while not done():
        if time.perf_counter() - start > timeout:
            raise SystemExit("timed out")
        app.processEvents()
        time.sleep(0.001)
    return time.perf_counter() - start


def load(app, name: str, start, done) -> None:
    """Time a background load from the request to its result on screen, and the stalls."""
    walls, stalls = [], []
    for _ in range(3):
        with Stalls() as watch:
            begin = time.perf_counter()
            start()
            run_until(app, done)
            walls.append((time.perf_counter() - begin) * 1000)
        stalls.append(watch.worst * 1000)
    print(f"  {name:44s} {statistics.median(walls):7.0f} ms in the worker; "
          f"longest event-loop pause {max(stalls):4.0f} ms")


def action(name: str, fn) -> None:
    wall, cpu = median_ms(fn)
    print(f"  {name:44s} {wall:7.1f} ms (CPU {cpu:.1f})")


def main() -> int:
    from bench_report import analysed_project
    from PySide6.QtCore import QModelIndex, Qt

    from engage.analysis import explore, store
    from engage.browse import CommentFilter, count_comments, fetch_comments
    from engage.project import Project
    from ui.app import create_application
    from ui.workbench.compare import DIFFERENCE, SHARE_A, CompareWidget
    from ui.workbench.overview import OverviewWidget
    from ui.workbench.wordcloud_view import WordCloudWidget

    source, how = analysed_project()
    scratch = Path(tempfile.mkdtemp(prefix="engage-bench-"))
    path = scratch / "workbench.engage"
    shutil.copyfile(source, path)
    app = create_application([sys.argv[0]])
    project = Project.open(path)
    cid = project.consultations()[0]["id"]
    print(f"{count_comments(project, CommentFilter()):,} comments ({how})")

    print("Core queries (each one SQL aggregate; run in workers):")
    for name, fn in (
            ("theme counts (explore)", lambda: explore.theme_counts(project, cid)),
            ("theme counts (store, for comparison)", lambda: store.theme_counts(project, cid)),
            ("portfolio counts", lambda: explore.portfolio_counts(project, cid)),
            ("base counts", lambda: explore.base_counts(project, cid)),
            ("comments by month and theme", lambda: explore.monthly_counts(project, cid)),
            ("comments by month and portfolio",
             lambda: explore.monthly_counts(project, cid, by="portfolio")),
            ("place x portfolio table", lambda: explore.place_portfolio_table(project, cid)),
            ("compare age bands 18-24 / 75+", lambda: explore.compare_groups(
                project, CommentFilter(consultation_id=cid, attributes=(("age_band", "18-24"),)),
                CommentFilter(consultation_id=cid, attributes=(("age_band", "75+"),)))),
            ("word frequencies, whole consultation",
             lambda: explore.word_frequencies(project, CommentFilter(consultation_id=cid)))):
        wall, cpu = median_ms(fn, 3)
        print(f"  {name:44s} {wall:7.1f} ms (CPU {cpu:.1f})")

    print("Background loads (request → result shown):")
    overview = OverviewWidget(project)
    overview.resize(1500, 900)
    overview.show()
    loaded = []
    overview.refreshed.connect(lambda: loaded.append(1))
    load(app, "overview figures", lambda: (loaded.clear(), overview.refresh()),
         lambda: bool(loaded))
    cloud = WordCloudWidget(project)
    cloud.resize(1300, 860)
    cloud.show()
    run_until(app, lambda: cloud.cloud is not None and not cloud.busy
              and not cloud.reshape.isActive())
    load(app, "word cloud (whole consultation)", cloud.redraw, lambda: not cloud.busy)
    compare = CompareWidget(project)
    compare.resize(1300, 860)
    compare.show()
    compare.set_groups_by_attribute("age_band", "18-24", "75+", cid)
    run_until(app, lambda: compare.comparison is not None and not compare.busy)
    load(app, "comparison (age bands)", compare.compare, lambda: not compare.busy)

    print("GUI-thread actions (the 100 ms target):")
    themes = [("theme", t["theme_id"]) for t in explore.theme_counts(project, cid)]
    picks = iter(themes * REPEAT)

    def select_theme() -> None:
        overview.select(next(picks))
        app.processEvents()

    action("select a theme (chart redrawn)", select_theme)
    action("clear the selection (5-portfolio chart)",
           lambda: (overview.tree.setCurrentIndex(QModelIndex()), app.processEvents()))
    action("heat table: switch respondents/comments",
           lambda: (overview.unit.setCurrentIndex(1 - overview.unit.currentIndex()),
                    app.processEvents()))
    orders = iter([Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder] * REPEAT)
    action("sort the theme tree by comments",
           lambda: (overview.tree.sortByColumn(1, next(orders)), app.processEvents()))
    index = overview.tree_proxy.index(0, 0, overview.tree_proxy.index(0, 0))
    action("click a theme row → filter", lambda: overview._tree_clicked(index))
    overview.select(themes[0])
    action("click a month's bar (the lookup starts)",
           lambda: overview._bar_clicked(themes[0], overview.chart.months[0]))
    run_until(app, lambda: not overview.lookups.is_running())
    portfolio = ("portfolio", explore.portfolio_counts(project, cid)[1]["portfolio_id"])
    found: list = []
    overview.filter_requested.connect(found.append)
    for name, key in (("theme", themes[0]), ("portfolio", portfolio)):
        load(app, f"month bar of a {name} → filter (ids in a worker)",
             lambda key=key: (found.clear(), overview._bar_clicked(key, overview.chart.months[1])),
             lambda: bool(found))
    overview.filter_requested.disconnect(found.append)
    cell = overview.place_model.index(0, 1)
    action("click a heat cell → filter", lambda: overview._cell_clicked(cell))
    no_place = overview.place_model.index(overview.place_model.rowCount() - 1, 1)
    action("click the (no place) row → filter (ids query)",
           lambda: overview._cell_clicked(no_place))
    box = cloud.cloud.boxes[0]
    point = cloud.canvas.from_layout(*cloud.cloud.point_on(0))
    action("word cloud: map a click to its word → filter",
           lambda: cloud._word_chosen(cloud.canvas.word_at(point)))
    action("word cloud: hover (cursor and tip)", lambda: cloud.canvas.word_at(point))
    assert cloud.canvas.word_at(point) is box.word
    orders = iter([Qt.SortOrder.DescendingOrder, Qt.SortOrder.AscendingOrder] * REPEAT)
    action("compare: sort by difference",
           lambda: (compare.table.sortByColumn(DIFFERENCE, next(orders)), app.processEvents()))
    action("compare: click a share → filter",
           lambda: compare._cell_clicked(compare.proxy.index(0, SHARE_A)))

    print("The comment list's answer to each emitted filter (count + first page of 200; the "
          "main window's work, for the end-to-end figure):")
    emitted = []
    for source in (overview, cloud, compare):
        source.filter_requested.connect(emitted.append)
    overview._tree_clicked(index)
    overview._bar_clicked(themes[0], overview.chart.months[0])
    run_until(app, lambda: len(emitted) == 2)
    overview._cell_clicked(cell)
    overview._cell_clicked(no_place)
    cloud._word_chosen(box.word)
    compare._cell_clicked(compare.proxy.index(0, SHARE_A))
    names = ("theme row", "month bar", "heat cell", "(no place) cell", "word", "compare share")
    for name, f in zip(names, emitted, strict=True):
        action(f"{name}: {count_comments(project, f):,} comments",
               lambda f=f: (count_comments(project, f), fetch_comments(project, f, 0, 200)))
    project.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
