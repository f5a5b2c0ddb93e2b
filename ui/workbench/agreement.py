"""How far to trust the automatic coding: model against officer, theme by theme.

Only comments an officer reviewed count: there we know both what the model would have shown
and what the officer decided (`workbench_store.reviewed_labels`; the figures are
`engage.analysis.agreement`'s, the same as in reports). Each theme gets Cohen's kappa,
precision, recall and how many reviewed comments back them, plus a verdict in plain words.
Click a theme to see its reviewed comments in the coding list.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engage.analysis import store, workbench_store
from engage.analysis.agreement import KAPPA_NAME, BinaryAgreement, theme_agreement
from engage.browse import CommentFilter
from engage.changes import Changes
from engage.project import Project
from ui.team.officer_agreement import OfficerAgreementPanel

SORT_ROLE = Qt.ItemDataRole.UserRole + 1
THEME_ID_ROLE = Qt.ItemDataRole.UserRole + 2
MIN_EVIDENCE = 5  # comments where the model or an officer used a theme before judging it
#: (lowest kappa, verdict, colour) from the most to the least trustworthy.
VERDICTS = ((0.8, "Trust it", "#66bd63"), (0.6, "Mostly right: spot-check", "#a6d96a"),
            (0.4, "Check a sample", "#fee08b"), (0.2, "Check carefully", "#fc8d59"),
            (float("-inf"), "Do not rely on it", "#d73027"))
LEGEND = (
    "<b>How far to trust the automatic coding.</b> On the comments an officer has reviewed, "
    "we compare the theme the model would have shown with the officer's decision. "
    "<b>Kappa</b> is agreement beyond what chance would give: 1 is perfect, 0 no better than "
    "guessing (0.8+ very good, 0.6–0.8 good, 0.4–0.6 moderate, below 0.4 weak). "
    "<b>Precision</b>: of the comments the model gave this theme, the share the officer kept "
    "— low means it over-codes. <b>Recall</b>: of the comments the officer gave this theme, "
    "the share the model had found — low means it misses some. <b>Reviewed with theme</b>: "
    f"comments where either used the theme; under {MIN_EVIDENCE} the figures say little yet. "
    "Retrain after reviewing more comments and these figures usually rise.")


def verdict(table: BinaryAgreement) -> tuple[str, str | None]:
    """(plain words, colour) for one theme's table."""
    seen = table.true_pos + table.false_pos + table.false_neg
    if seen < MIN_EVIDENCE:
        return "Too few reviewed to judge", None
    kappa = table.kappa
    if kappa is None:
        return "Cannot tell", None
    return next((words, colour) for low, words, colour in VERDICTS if kappa >= low)


@dataclass(frozen=True)
class Column:
    title: str
    tip: str


COLUMNS = (
    Column("Theme", ""), Column("Portfolio", ""),
    Column("Reviewed with theme", "Reviewed comments where the model or the officer used it"),
    Column("Officer", "Reviewed comments the officer coded with this theme"),
    Column("Model", "Reviewed comments the model had coded with this theme"),
    Column("Kappa", "Agreement beyond chance: 1 perfect, 0 no better than chance"),
    Column("Precision", "Of the model's codings, the share the officer kept"),
    Column("Recall", "Of the officer's codings, the share the model had found"),
    Column("Verdict", "How far to trust the automatic coding of this theme"),
)
THEME, PORTFOLIO, SEEN, OFFICER, MODEL, KAPPA, PRECISION, RECALL, VERDICT = range(len(COLUMNS))


def _fmt(value: float | None, percent: bool = False) -> str:
    if value is None:
        return "—"
    return f"{value:.0%}" if percent else f"{value:.2f}"


class AgreementModel(QAbstractTableModel):
    """One row per theme that the model or an officer used on a reviewed comment."""

    def __init__(self, project: Project | None = None, parent=None) -> None:
        super().__init__(parent)
        self._project = project
        self._rows: list[tuple[dict, BinaryAgreement, list]] = []
        self.reviewed = 0
        self.unseen = 0
        self.pooled: BinaryAgreement | None = None
        self.mean_kappa: float | None = None
        self.kappa: float | None = None   # the headline kappa, AgreementSummary.kappa
        self.refresh()

    def set_project(self, project: Project | None) -> None:
        self._project = project
        self.refresh()

    def hold(self, project: Project | None) -> None:
        """Use this project, reading it only at the next `refresh` (the view is hidden)."""
        self.beginResetModel()
        self._project, self._rows, self.reviewed, self.unseen = project, [], 0, 0
        self.pooled, self.mean_kappa, self.kappa = None, None, None
        self.endResetModel()

    def refresh(self, consultation_id: int | None = None) -> None:
        self.beginResetModel()
        self._rows, self.reviewed, self.unseen = [], 0, 0
        self.pooled, self.mean_kappa, self.kappa = None, None, None
        if self._project is not None:
            model, officer = workbench_store.reviewed_labels(self._project, consultation_id)
            themes = store.themes(self._project)
            summary = theme_agreement(model, officer, [t["id"] for t in themes])
            self.reviewed, self.pooled, self.mean_kappa = (summary.comments, summary.pooled,
                                                           summary.mean_kappa)
            self.kappa = summary.kappa
            for theme in themes:
                table = summary.for_theme(theme["id"])
                if table is not None and table.true_pos + table.false_pos + table.false_neg:
                    self._rows.append((theme, table, self._values(theme, table)))
            self.unseen = len(themes) - len(self._rows)
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        if role == Qt.ItemDataRole.ToolTipRole:
            return COLUMNS[section].tip or None
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or not 0 <= index.row() < len(self._rows) \
                or not 0 <= index.column() < len(COLUMNS):
            return None
        theme, table, values = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            value = values[column]
            if column in (KAPPA,):
                return _fmt(value)
            if column in (PRECISION, RECALL):
                return _fmt(value, percent=True)
            return "" if value is None else str(value)
        if role == SORT_ROLE:
            value = values[column]
            if column == VERDICT:
                return table.kappa if verdict(table)[1] else -2.0
            return -1.0 if value is None else value
        if role == THEME_ID_ROLE:
            return theme["id"]
        if role == Qt.ItemDataRole.TextAlignmentRole and column >= SEEN and column != VERDICT:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.BackgroundRole and column == VERDICT:
            colour = verdict(table)[1]
            return QColor(colour) if colour else None
        if role == Qt.ItemDataRole.ForegroundRole and column == VERDICT and verdict(table)[1]:
            return QColor("#000000")  # on a light verdict colour, in either theme
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"{theme['name']}: both {table.true_pos}, model only {table.false_pos}, "
                    f"officer only {table.false_neg}, neither {table.true_neg}")
        return None

    @staticmethod
    def _values(theme: dict, table: BinaryAgreement) -> list:
        return [theme["name"], theme["portfolio"],
                table.true_pos + table.false_pos + table.false_neg,
                table.true_pos + table.false_neg, table.true_pos + table.false_pos,
                table.kappa, table.precision, table.recall, verdict(table)[0]]


class AgreementView(QWidget):
    """The agreement table with its legend; refreshes when shown after a change."""

    comments_requested = Signal(object)  # CommentFilter: a theme's reviewed comments

    def __init__(self, project: Project | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("AgreementView")
        self.project = project
        self.consultation_id: int | None = None
        self._dirty = True
        self.model = AgreementModel(None, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(SEEN, Qt.SortOrder.DescendingOrder)
        self.table.setAccessibleName("Agreement per theme")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(THEME, QHeaderView.ResizeMode.Stretch)
        for column in range(PORTFOLIO, len(COLUMNS)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.activated.connect(self._on_activated)
        self.table.doubleClicked.connect(self._on_activated)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setAccessibleName("Agreement summary")
        self.legend = QLabel(LEGEND, self)
        self.legend.setWordWrap(True)
        self.legend.setAccessibleName("What the figures mean")
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.legend)
        self.officers = OfficerAgreementPanel(self)  # officer against officer (ui.team)
        self.officers.comments_requested.connect(self.comments_requested)
        layout.addWidget(self.officers)
        self.set_project(project)

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.model.hold(project)
        self._dirty = True
        self.summary.setText(self._summary_text())
        self._refresh_if_visible()

    def set_consultation(self, consultation_id: int | None) -> None:
        if consultation_id != self.consultation_id:
            self.consultation_id = consultation_id
            self._dirty = True
            self._refresh_if_visible()

    def on_changes(self, changes: Changes) -> None:
        """Any coding may move the figures (our own too), so no echo check here."""
        if changes.codings or changes.taxonomy or changes.comments:
            self._dirty = True
            self._refresh_if_visible()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        self._refresh_if_visible()

    def refresh(self) -> None:
        self._dirty = False
        self.model.refresh(self.consultation_id)
        self.summary.setText(self._summary_text())
        self.officers.refresh(self.project, self.consultation_id)

    def _refresh_if_visible(self) -> None:
        if self._dirty and self.isVisible():
            self.refresh()

    def _summary_text(self) -> str:
        m = self.model
        if self.project is None:
            return "No project is open."
        if m.reviewed == 0:
            return ("No comment has been reviewed yet. Code some comments in the Coding view "
                    "(the review queue is the quickest way) and the agreement appears here.")
        pooled = m.pooled
        text = (f"Based on <b>{m.reviewed:,}</b> comments an officer reviewed. Across all "
                f"themes the model's codings were kept <b>{_fmt(pooled.precision, True)}</b> "
                f"of the time (precision) and it found <b>{_fmt(pooled.recall, True)}</b> of "
                f"the officers' codings (recall); {KAPPA_NAME} <b>{_fmt(m.kappa)}</b>, as in "
                f"the report (mean over themes {_fmt(m.mean_kappa)}).")
        if m.unseen:
            text += f" {m.unseen} theme(s) not yet seen on a reviewed comment are not listed."
        return text

    def _on_activated(self, index: QModelIndex) -> None:
        theme_id = self.proxy.data(index, THEME_ID_ROLE)
        if theme_id is not None:
            self.comments_requested.emit(CommentFilter(
                consultation_id=self.consultation_id, theme_id=theme_id, reviewed=True))
