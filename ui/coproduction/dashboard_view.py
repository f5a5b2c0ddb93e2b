"""The co-production dashboard: who was heard, where, how deeply, and what is still open.

Every number clicks through: matrix cells and level or timeline bars to the activities behind
them, response-rate bars to the comments from that locality, open-action cells to the actions.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engage.browse import consultation_names
from engage.changes import Changes
from engage.coproduction import dashboard as core
from engage.coproduction.vocab import NO_PORTFOLIO
from engage.project import Project
from ui.coproduction.charts import LevelsChart, RatesChart, TimelineChart
from ui.coproduction.models import LEVEL_COLOURS, level_brush, level_text_colour

_Index = QModelIndex
ALL = "All"
#: Column headers short enough for the matrix; the full name is the header's tooltip.
SHORT_PORTFOLIO = {"Prevention at scale": "Prevention",
                   "Integrated community and primary care services": "Community",
                   "One acute network": "Acute", "Digital": "Digital",
                   "Leading and working differently": "Leadership",
                   NO_PORTFOLIO: "No portfolio"}


class MatrixModel(QAbstractTableModel):
    """Places down, portfolios across; each cell: activities and the deepest level reached."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.matrix = core.Matrix([], [], {})

    def set_matrix(self, matrix: core.Matrix) -> None:
        self.beginResetModel()
        self.matrix = matrix
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else len(self.matrix.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.matrix.portfolios) + 1

    def cell(self, index: _Index) -> tuple[core.ActivityCell, str] | None:
        if not index.isValid() or index.row() >= len(self.matrix.rows):
            return None
        place = self.matrix.rows[index.row()]
        if index.column() == len(self.matrix.portfolios):
            return self.matrix.row_cell(place.place_id), f"{place.name}, all portfolios"
        if index.column() > len(self.matrix.portfolios):
            return None
        portfolio = self.matrix.portfolios[index.column()]
        return self.matrix.cell(place.place_id, portfolio), f"{place.name} × {portfolio}"

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal:
            names = self.matrix.portfolios + [ALL]
            if not 0 <= section < len(names):
                return None
            if role == Qt.ItemDataRole.DisplayRole:
                return SHORT_PORTFOLIO.get(names[section], names[section])
            if role == Qt.ItemDataRole.ToolTipRole:
                return names[section]
            return None
        if 0 <= section < len(self.matrix.rows) and role == Qt.ItemDataRole.DisplayRole:
            return self.matrix.rows[section].name
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        found = self.cell(index)
        if found is None:
            return None
        cell, label = found
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{cell.count} · {cell.highest_level}" if cell.count else ""
        if role == Qt.ItemDataRole.BackgroundRole:
            return level_brush(cell.highest_level) if cell.count else QBrush(QColor("#f8f9fa"))
        if role == Qt.ItemDataRole.ForegroundRole:
            return level_text_colour(cell.highest_level)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            if not cell.count:
                return f"{label}: no activities"
            text = (f"{label}: {cell.count} activities, deepest level {cell.highest_level}")
            if cell.suggested:
                text += f" ({cell.suggested} linked only by a suggested portfolio)"
            return text + ". Click to list them."
        return None


class ActionsModel(QAbstractTableModel):
    """Portfolios down; planned, in progress, overdue and done across."""

    COLUMNS = ("planned", "in progress", "overdue", "done", "not taken forward")
    HEADERS = ("planned", "in\nprogress", "of them\noverdue", "done", "not taken\nforward")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.groups: list[core.ActionGroup] = []

    def set_groups(self, groups: list[core.ActionGroup]) -> None:
        self.beginResetModel()
        self.groups = groups
        self.endResetModel()

    def ids(self, index: _Index) -> tuple[int, ...]:
        if not index.isValid() or index.row() >= len(self.groups):
            return ()
        group, column = self.groups[index.row()], self.COLUMNS[index.column()]
        return group.overdue if column == "overdue" else group.ids_by_status[column]

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.groups)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self.COLUMNS):
            return self.HEADERS[section]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self.groups):
            name = self.groups[section].portfolio
            return SHORT_PORTFOLIO.get(name, name)
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.groups):
            return None
        count = len(self.ids(index))
        column = self.COLUMNS[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return str(count) if count else ""
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == "overdue" and count:
            return QColor("#a61e4d")
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{self.groups[index.row()].portfolio}: {count} {column}"
        return None


def _table(parent, name: str) -> QTableView:
    table = QTableView(parent)
    table.setAccessibleName(name)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    return table


class DashboardView(QWidget):
    activities_requested = Signal(object, str)    # activity ids, label
    actions_requested = Signal(object, str)       # action ids, label
    comments_requested = Signal(object, str)      # CommentFilter, label

    def __init__(self, project: Project | None = None, parent=None) -> None:
        super().__init__(parent)
        self.project = project
        self._build()
        self.set_project(project)

    def _build(self) -> None:
        self.headline = QLabel(self)
        self.headline.setAccessibleName("Headline figures")
        self.headline.setTextFormat(Qt.TextFormat.RichText)
        self.consultation = QComboBox(self)
        self.consultation.setAccessibleName("Consultation for response rates")
        self.consultation.currentIndexChanged.connect(self._refresh_rates)
        top = QHBoxLayout()
        top.addWidget(self.headline, 1)
        top.addWidget(QLabel("Responses from:", self))
        top.addWidget(self.consultation)

        self.matrix_model = MatrixModel(self)
        self.matrix = _table(self, "Activities by place and portfolio")
        self.matrix.setModel(self.matrix_model)
        self.matrix.clicked.connect(self._matrix_clicked)
        self.legend = QLabel(self)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.legend.setText("Cell: activities · deepest level reached. " + "".join(
            f"<span style='background:{colour};color:{'white' if i > 1 else 'black'}'>"
            f"&nbsp;{level}&nbsp;</span> " for i, (level, colour) in
            enumerate(LEVEL_COLOURS.items())))
        matrix_box = QWidget(self)
        matrix_layout = QVBoxLayout(matrix_box)
        matrix_layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel("<b>Activities by place and portfolio</b>", self)
        matrix_layout.addWidget(title)
        matrix_layout.addWidget(self.matrix, 1)
        matrix_layout.addWidget(self.legend)

        self.rates = RatesChart(self)
        self.rates.comments_requested.connect(self.comments_requested)
        self.rule = QLabel(self)
        self.rule.setWordWrap(True)
        self.rule.setAccessibleName("How under-heard places are found")
        rates_box = QWidget(self)
        rates_layout = QVBoxLayout(rates_box)
        rates_layout.setContentsMargins(0, 0, 0, 0)
        rates_layout.addWidget(self.rates, 1)
        rates_layout.addWidget(self.rule)

        self.levels = LevelsChart(self)
        self.timeline = TimelineChart(self)
        for chart in (self.levels, self.timeline):
            chart.activities_requested.connect(self.activities_requested)
        self.actions_model = ActionsModel(self)
        self.actions_table = _table(self, "Actions by portfolio")
        self.actions_table.setModel(self.actions_model)
        self.actions_table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.actions_table.clicked.connect(self._actions_clicked)
        actions_box = QWidget(self)
        actions_layout = QVBoxLayout(actions_box)
        actions_layout.setContentsMargins(0, 0, 0, 0)
        actions_layout.addWidget(QLabel("<b>You said, we did: actions by portfolio</b>", self))
        actions_layout.addWidget(self.actions_table, 1)

        upper = QSplitter(Qt.Orientation.Horizontal, self)
        upper.addWidget(matrix_box)
        upper.addWidget(rates_box)
        upper.setStretchFactor(0, 2)
        upper.setStretchFactor(1, 1)
        lower = QSplitter(Qt.Orientation.Horizontal, self)
        for widget in (self.levels, self.timeline, actions_box):
            lower.addWidget(widget)
        lower.setStretchFactor(0, 7)
        lower.setStretchFactor(1, 5)
        lower.setStretchFactor(2, 6)
        grid = QGridLayout(self)
        grid.addLayout(top, 0, 0)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(upper)
        splitter.addWidget(lower)
        splitter.setStretchFactor(0, 1)
        splitter.setStretchFactor(1, 1)
        grid.addWidget(splitter, 1, 0)

    # ----- loading -------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.consultation.blockSignals(True)
        self.consultation.clear()
        self.consultation.addItem("all consultations", None)
        if project is not None:
            for c in consultation_names(project):
                self.consultation.addItem(c["name"], c["id"])
        self.consultation.blockSignals(False)
        self.refresh()

    def refresh(self) -> None:
        if self.project is None:
            self.matrix_model.set_matrix(core.Matrix([], [], {}))
            self.actions_model.set_groups([])
            self.headline.setText("")
            return
        figures = core.headline(self.project)
        self.headline.setText(
            f"<b>{figures['activities']:,}</b> activities · <b>{figures['participants']:,}"
            f"</b> participants · <b>{figures['partners']:,}</b> partners · "
            f"<b>{figures['co_produced']:,}</b> co-designed or co-produced · "
            f"<b>{figures['open_actions']:,}</b> open actions, <b>{figures['done_actions']:,}"
            "</b> done" + (f" · {figures['suggested_portfolios']} activities with a suggested "
                           "portfolio to confirm" if figures["suggested_portfolios"] else ""))
        self.matrix_model.set_matrix(core.place_portfolio_matrix(self.project))
        self.levels.show_levels(core.levels_by_place(self.project))
        self.timeline.show_months(*core.timeline(self.project, by="auto"))
        self.actions_model.set_groups(core.actions_by_portfolio(self.project))
        self._refresh_rates()

    def _refresh_rates(self) -> None:
        if self.project is None:
            return
        rates = core.response_rates(self.project, self.consultation.currentData())
        self.rates.show_rates(rates)
        self.rule.setText(rates.rule)

    def on_changes(self, changes: Changes) -> None:
        if changes.consultations:
            self.set_project(self.project)
        elif (changes.activities or changes.actions or changes.places or changes.respondents
              or changes.taxonomy):
            self.refresh()

    # ----- clicks --------------------------------------------------------------------------
    def _matrix_clicked(self, index: _Index) -> None:
        found = self.matrix_model.cell(index)
        if found and found[0].count:
            self.activities_requested.emit(found[0].activity_ids, found[1])

    def _actions_clicked(self, index: _Index) -> None:
        ids = self.actions_model.ids(index)
        if ids:
            group = self.actions_model.groups[index.row()]
            column = ActionsModel.COLUMNS[index.column()]
            self.actions_requested.emit(ids, f"{group.portfolio}: {column}")
