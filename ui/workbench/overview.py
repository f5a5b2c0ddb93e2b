"""The overview: the whole consultation at a glance, every number a way into its comments.

Portfolio → theme tree (comments, share of respondents, sentiment bar), comments by month for
the selected theme or portfolio, and a place × portfolio heat table. Clicking a row, a bar or a
cell emits `filter_requested` with the `CommentFilter` behind it.

Figures are read in a worker (`explore` aggregates; about half a second of queries on 29,000
comments) and kept, so selecting, switching the chart and changing the heat table's unit are
instant. A write announced through `on_changes` reloads them in the background.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from engage.analysis import counting, explore, kinds, workbench_store
from engage.browse import CommentFilter
from engage.changes import Changes
from engage.project import Project
from ui.tasks import TaskRunner
from ui.workbench.background import with_own_connection
from ui.workbench.month_chart import MonthChart, Series
from ui.workbench.overview_models import (
    ASKED,
    COMMENTS,
    COMPLAINED,
    KEY_ROLE,
    KIND_ROLE,
    NAME,
    PLACE_BASE,
    PRAISED,
    SENTIMENT,
    SHARE,
    SORT_ROLE,
    HeatDelegate,
    KindPlaceModel,
    PlaceTableModel,
    ThemeTreeModel,
)
from ui.workbench.sentiment_bar import SentimentBarDelegate, SentimentLegend

MAX_NAME = 300  # pixels at most for the theme names
RELOAD_ON = ("consultations", "respondents", "comments", "places", "taxonomy", "codings",
             "sentiment")


class Figures:
    """What one background load returns: everything the overview shows."""

    def __init__(self, project: Project, consultation_id: int | None) -> None:
        self.consultation_id = consultation_id
        self.overview = explore.overview(project, consultation_id)
        self.by_theme = explore.monthly_counts(project, consultation_id, by="theme")
        self.by_portfolio = explore.monthly_counts(project, consultation_id, by="portfolio")
        self.places = explore.place_portfolio_table(project, consultation_id)
        # the review queue's own count (distinct texts waiting), not "outcome = uncertain",
        # which still counts comments an officer has already reviewed
        self.for_review = workbench_store.review_queue_count(project, consultation_id)
        # what people asked for / praised / complained about, per theme; None while no
        # comment has a kind yet (the analysis has not classified them)
        self.kind_counts = kinds.kind_counts(project, consultation_id)
        classified = sum(n for k, n in self.kind_counts.items() if k != "unknown")
        self.kinds = kinds.kinds_by_theme(project, consultation_id) if classified else None
        self.kind_places = kinds.kinds_by_place(project, consultation_id) if classified \
            else None


def month_filter(project: Project, base: CommentFilter, key: tuple[str, int],
                 month: str) -> CommentFilter:
    """The comment filter behind one bar: its comments' ids (the filter has no dates). A theme
    is kept for context (cheap for the comment list); a portfolio's condition is not, as it
    would cost the list more than the ids themselves."""
    ids = explore.month_comment_ids(project, key[0], key[1], month, base.consultation_id)
    return base.with_(comment_ids=ids, theme_id=key[1] if key[0] == "theme" else None)


def kind_filter(project: Project, base: CommentFilter, theme_id: int,
                kind: str) -> CommentFilter:
    """The comment filter behind a theme's "asked for" / "praised" / "complained about"
    figure: its comments' ids (the filter has no kind), the theme kept for context."""
    rows = kinds.comments_of_kind(project, kind, theme_id=theme_id,
                                  consultation_id=base.consultation_id, limit=-1)
    return base.with_(comment_ids=tuple(r["comment_id"] for r in rows), theme_id=theme_id)


def kind_place_filter(project: Project, base: CommentFilter, place_id: int | None,
                      kind: str) -> CommentFilter:
    """The comment filter behind a place's "asked for" / "praised" / "complained about"
    figure: the ids of its counted comments of that kind (None: from no recognised place)."""
    placed = explore.place_comment_ids(project, place_id, None, base.consultation_id)
    of_kind = {r["comment_id"] for r in kinds.comments_of_kind(
        project, kind, consultation_id=base.consultation_id, limit=-1)}
    return base.with_(comment_ids=tuple(cid for cid in placed if cid in of_kind))


class OverviewWidget(QWidget):
    filter_requested = Signal(object)   # engage.browse.CommentFilter
    refreshed = Signal()                # new figures are on screen

    def __init__(self, project: Project | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OverviewWidget")
        self.project: Project | None = None
        self.consultation_id: int | None = None
        self.figures: Figures | None = None
        self._stale = False
        self.tasks = TaskRunner(self)
        self.tasks.finished.connect(self._loaded)
        self.tasks.failed.connect(self._failed)
        self.lookups = TaskRunner(self)  # clicks that need a query of their own
        self.lookups.finished.connect(self._found)
        self.lookups.failed.connect(self._failed)
        self._build()
        self.set_project(project)

    # ----- building ------------------------------------------------------------------------
    def _build(self) -> None:
        self.headline = QLabel(self)
        self.headline.setAccessibleName("Overview figures")
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        self.headline.setWordWrap(True)
        self.status = QLabel(self)
        self.status.setAccessibleName("Overview status")

        self.tree_model = ThemeTreeModel(self)
        self.tree_proxy = QSortFilterProxyModel(self)
        self.tree_proxy.setSourceModel(self.tree_model)
        self.tree_proxy.setSortRole(SORT_ROLE)
        self.tree = QTreeView(self)
        self.tree.setAccessibleName("Themes by portfolio")
        self.tree.setModel(self.tree_proxy)
        self.tree.setItemDelegateForColumn(SENTIMENT, SentimentBarDelegate(self.tree))
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSortingEnabled(True)
        self.tree.sortByColumn(-1, Qt.SortOrder.AscendingOrder)  # codebook order until asked
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        header = self.tree.header()
        header.setStretchLastSection(True)
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Interactive)
        self.tree.setColumnWidth(NAME, 300)
        self.tree.setColumnWidth(COMMENTS, 80)
        self.tree.setColumnWidth(SHARE, 92)
        metrics = self.tree.fontMetrics()
        for column in (ASKED, PRAISED, COMPLAINED):  # just their headers' width
            title = self.tree_model.headerData(column, Qt.Orientation.Horizontal)
            self.tree.setColumnWidth(column, metrics.horizontalAdvance(title) + 18)
        self.tree.clicked.connect(self._tree_clicked)
        self.tree.activated.connect(self._tree_clicked)
        self.tree.selectionModel().currentChanged.connect(lambda *_: self._show_chart())
        tree_box = self._boxed("Themes by portfolio", self.tree, SentimentLegend(self))

        self.chart = MonthChart(self)
        self.chart.bar_clicked.connect(self._bar_clicked)

        self.place_model = PlaceTableModel(self)
        self.places = QTableView(self)
        self.places.setAccessibleName("Places by portfolio")
        self.places.setModel(self.place_model)
        self.place_delegate = HeatDelegate(self.place_model, self.places)
        self.places.setItemDelegate(self.place_delegate)
        self.kind_place_model = KindPlaceModel(self)
        self.kind_delegate = HeatDelegate(self.kind_place_model, self.places)
        self.places.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.places.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.places.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.places.horizontalHeader().setMinimumSectionSize(64)
        rows = self.places.verticalHeader()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.places.fontMetrics().height() + 6)
        self.places.clicked.connect(self._cell_clicked)
        self.places.activated.connect(self._cell_clicked)
        self.unit = QComboBox(self)
        self.unit.setAccessibleName("Heat table counts")
        self.unit.addItem("share of respondents with a counted comment", "respondents")
        self.unit.addItem("share of comments", "comments")
        self.unit.addItem("what people asked for, praised, complained about", "kinds")
        self.unit.currentIndexChanged.connect(self._unit_changed)
        unit_row = QHBoxLayout()
        self.places_title = QLabel("<b>Places × portfolios</b>", self)
        unit_row.addWidget(self.places_title)
        unit_row.addStretch(1)
        shown = QLabel("Cells:", self)
        shown.setBuddy(self.unit)
        unit_row.addWidget(shown)
        unit_row.addWidget(self.unit)
        places_box = QWidget(self)
        places_layout = QVBoxLayout(places_box)
        places_layout.setContentsMargins(0, 0, 0, 0)
        places_layout.addLayout(unit_row)
        places_layout.addWidget(self.places, 1)
        caption = QLabel("Stronger blue: a larger share. Click a cell for its comments.", self)
        caption.setEnabled(False)
        places_layout.addWidget(caption)

        self.right = right = QSplitter(Qt.Orientation.Vertical, self)
        right.addWidget(self.chart)
        right.addWidget(places_box)
        right.setStretchFactor(0, 1)
        right.setStretchFactor(1, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(tree_box)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 6)
        self.splitter.setStretchFactor(1, 5)
        top = QHBoxLayout()
        top.addWidget(self.headline, 1)
        top.addWidget(self.status)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        QWidget.setTabOrder(self.tree, self.chart)
        QWidget.setTabOrder(self.chart, self.unit)
        QWidget.setTabOrder(self.unit, self.places)

    def _unit_changed(self) -> None:
        """Portfolio shares (of respondents or comments), or the kinds of comment per place."""
        unit = self.unit.currentData()
        kinds_shown = unit == "kinds"
        model = self.kind_place_model if kinds_shown else self.place_model
        if self.places.model() is not model:
            self.places.setModel(model)
            self.places.setItemDelegate(self.kind_delegate if kinds_shown
                                        else self.place_delegate)
            self.places_title.setText("<b>Places × kinds of comment</b>" if kinds_shown
                                      else "<b>Places × portfolios</b>")
            self._fit_place_columns()
        if not kinds_shown:
            self.place_model.set_unit(unit)

    def _fit_place_columns(self) -> None:
        header = self.places.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        last = self.places.model().columnCount() - 1
        if last >= 0:
            header.setSectionResizeMode(last, QHeaderView.ResizeMode.ResizeToContents)

    def _boxed(self, title: str, *widgets: QWidget) -> QWidget:
        box = QWidget(self)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel(f"<b>{title}</b>", self))
        for widget in widgets:
            layout.addWidget(widget, 1 if isinstance(widget, QTreeView) else 0)
        return box

    # ----- loading -------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.consultation_id = None
        self.refresh()

    def set_consultation(self, consultation_id: int | None) -> None:
        """Show one consultation (None: all of them), e.g. the navigator's choice."""
        if consultation_id != self.consultation_id:
            self.consultation_id = consultation_id
            self.refresh()

    def on_changes(self, changes: Changes) -> None:
        if self.project is not None and any(getattr(changes, flag) for flag in RELOAD_ON):
            self.refresh()

    def refresh(self) -> None:
        """Reload the figures in the background; the old ones stay until the new arrive."""
        if self.project is None:
            self.tasks.cancel()
            self._show(None)
            return
        if not self.isVisible():  # hidden (another tab): load when shown, not now
            self._stale = True
            return
        self._stale = False
        self.status.setText("Updating…")
        self.tasks.start(with_own_connection(self.project.path, Figures, self.consultation_id),
                         "Counting themes")

    def _loaded(self, figures: Figures) -> None:
        if self.project is None or figures.consultation_id != self.consultation_id:
            return
        self._show(figures)

    def _failed(self, message: str) -> None:
        self.status.setText(f"Figures not updated: {message}")

    def _show(self, figures: Figures | None) -> None:
        key = self.selected_key()
        self.figures = figures
        self.status.setText("")
        self.tree_model.set_overview(figures.overview if figures else None,
                                     figures.kinds if figures else None)
        self.tree.expandAll()
        self._fit_names()
        self.place_model.set_table(figures.places if figures else explore.PlaceTable([], []))
        self.kind_place_model.set_rows(figures.kind_places if figures else None)
        self._fit_place_columns()
        self._fit_places()
        self._show_headline()
        if key is not None:
            self.select(key)
        self._show_chart()
        self.refreshed.emit()

    def _fit_names(self) -> None:
        """Widen the name column to its longest name (bold for portfolios), measured directly:
        asking the view to resize to contents would query every row again."""
        model = self.tree_model
        if not model.rowCount():
            return
        bold = self.tree.font()
        bold.setBold(True)
        metrics, bold_metrics = self.tree.fontMetrics(), QFontMetrics(bold)
        portfolios = [model.index(r, 0) for r in range(model.rowCount())]
        widest = max([bold_metrics.horizontalAdvance(index.data()) for index in portfolios]
                     + [metrics.horizontalAdvance(model.index(r, 0, parent).data()) + \
                        self.tree.indentation() for parent in portfolios
                        for r in range(model.rowCount(parent))])
        # at most MAX_NAME wide: the figures beside the names matter more (a tooltip and
        # eliding show a long name whole)
        self.tree.setColumnWidth(NAME, min(widest + self.tree.indentation() + 16, MAX_NAME))

    def _fit_places(self) -> None:
        """Give the heat table the height its rows need (the chart takes the rest), once."""
        if self.places.property("fitted") or not self.place_model.rowCount():
            return
        needed = (self.places.horizontalHeader().sizeHint().height() + 2 * self.places.frameWidth()
                  + self.places.verticalHeader().length() + 60)
        total = sum(self.right.sizes())
        if total > needed + 220:
            self.places.setProperty("fitted", True)
            self.right.setSizes([total - needed, needed])

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        self._fit_places()

    def _show_headline(self) -> None:
        if self.figures is None:
            self.headline.setText("")
            return
        overview = self.figures.overview
        outcomes = overview.outcomes
        rule = overview.base.rule
        no_content = rule.no_content if rule else 0
        waiting = outcomes.get("not analysed", 0) - no_content
        not_counted = ""
        if rule and rule.not_counted:
            why = [f"{n:,} {what}" for n, what in (
                (rule.no_content, "with no content"), (rule.repeats, "repeats"),
                (rule.campaign, "campaign copies")) if n]
            not_counted = f" · {rule.not_counted:,} not counted ({', '.join(why)})"
        self.headline.setText(
            f"<b>{overview.base.comments:,}</b> counted comments from "
            f"<b>{overview.base.respondents:,}</b> respondents"
            + (f" (of {rule.respondents:,})" if rule else "")
            + f" · <b>{outcomes.get('coded', 0):,}</b> coded · "
            f"<b>{self.figures.for_review:,}</b> for review · "
            f"<b>{outcomes.get('no_theme', 0):,}</b> with no theme"
            + (f" · <b>{waiting:,}</b> not analysed yet" if waiting > 0 else "")
            + not_counted + self._kinds_line())
        self.headline.setToolTip(f"{counting.RULE_NAME}: {counting.RULE_SUMMARY}")

    def _kinds_line(self) -> str:
        """A second line: the themes most asked for, praised and complained about."""
        rows = self.figures.kinds if self.figures is not None else None
        if not rows:
            return ""
        top = kinds.headline(rows, top=3)
        parts = [f"<b>{html.escape(kinds.HEADLINE_WORDS[k].capitalize())}</b> most: "
                 + (", ".join(f"{html.escape(name)} ({n:,})" for name, n in top[k]) or "none")
                 for k in kinds.HEADLINE_KINDS]
        return "<br/>" + " · ".join(parts)

    # ----- selection and chart -------------------------------------------------------------
    def selected_key(self) -> tuple[str, int] | None:
        index = self.tree.currentIndex()
        return index.data(KEY_ROLE) if index.isValid() else None

    def select(self, key: tuple[str, int]) -> None:
        index = self.tree_proxy.mapFromSource(self.tree_model.find(key))
        if index.isValid():
            self.tree.setCurrentIndex(index)

    def _show_chart(self) -> None:
        figures, key = self.figures, self.selected_key()
        if figures is None:
            self.chart.show_series("Comments by month", [], [])
            return
        names = {("portfolio", p["portfolio_id"]): p["portfolio"]
                 for p in figures.overview.portfolios}
        names.update({("theme", t["theme_id"]): t["theme"] for t in figures.overview.themes})
        if key is None:
            timeline = figures.by_portfolio
            series = [Series(name, k, timeline.series(k[1])) for k, name in names.items()
                      if k[0] == "portfolio"]
            undated = sum(timeline.undated.values())
            title = "Comments by month and portfolio"
        else:
            timeline = figures.by_theme if key[0] == "theme" else figures.by_portfolio
            series = [Series(names[key], key, timeline.series(key[1]))]
            undated = timeline.undated.get(key[1], 0)
            title = f"{names[key]}: comments by month"
        self.chart.show_series(title, timeline.months, series, undated)

    # ----- clicks → comment filters --------------------------------------------------------
    def base_filter(self) -> CommentFilter:
        """Counted comments only (engage.analysis.counting): a click shows the figure's count."""
        return CommentFilter(consultation_id=self.consultation_id, counted_only=True)

    def _key_filter(self, key: tuple[str, int]) -> CommentFilter:
        kind, key_id = key
        field = "theme_id" if kind == "theme" else "portfolio_id"
        return self.base_filter().with_(**{field: key_id})

    def _tree_clicked(self, index: QModelIndex) -> None:
        key, kind = index.data(KEY_ROLE), index.data(KIND_ROLE)
        if key is not None and kind is not None and key[0] == "theme" \
                and self.project is not None:
            self.status.setText("Finding the comments…")
            self.lookups.start(with_own_connection(self.project.path, kind_filter,
                                                   self.base_filter(), key[1], kind),
                               "Finding comments")
        elif key is not None:
            self.filter_requested.emit(self._key_filter(key))

    def _bar_clicked(self, key: tuple[str, int], month: str) -> None:
        """Find the bar's comments in the background (a portfolio's month can take most of a
        100 ms budget to read), then ask for them."""
        if self.project is None:
            return
        self.status.setText("Finding the comments…")
        self.lookups.start(with_own_connection(self.project.path, month_filter,
                                               self.base_filter(), key, month),
                           "Finding comments")

    def _found(self, f: CommentFilter) -> None:
        self.status.setText("")
        self.filter_requested.emit(f)

    def _cell_clicked(self, index: QModelIndex) -> None:
        """Ask for a cell's comments by their ids, read via the place index in milliseconds.
        The list then shows them in about 20 ms, where a place-and-portfolio filter costs it
        80–170 ms; and the ids alone (not with the place as well, whose respondent join makes
        SQLite seek every id for every respondent) keep it so."""
        key = index.data(KEY_ROLE)
        if key is None or self.project is None:
            return
        if index.model() is self.kind_place_model:
            place_id, kind = key
            if kind is None:  # the place's counted comments
                ids = explore.place_comment_ids(self.project, place_id, None,
                                                self.consultation_id)
                self.filter_requested.emit(self.base_filter().with_(comment_ids=ids))
                return
            self.status.setText("Finding the comments…")
            self.lookups.start(with_own_connection(self.project.path, kind_place_filter,
                                                   self.base_filter(), place_id, kind),
                               "Finding comments")
            return
        place_id, portfolio_id = key
        portfolio_id = None if portfolio_id == PLACE_BASE else portfolio_id
        ids = explore.place_comment_ids(self.project, place_id, portfolio_id,
                                        self.consultation_id)
        self.filter_requested.emit(self.base_filter().with_(comment_ids=ids))
