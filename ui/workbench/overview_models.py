"""Item models of the overview: portfolio → theme tree, and the place × portfolio heat table.

Thin: each holds one core record (`explore.Overview`, `explore.PlaceTable`) and says how to
show it. Display text is formatted; SORT_ROLE gives the raw number so a proxy sorts numbers
as numbers; KEY_ROLE says what a row or cell stands for, so a click becomes a comment filter.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from engage.analysis import explore
from engage.reports import fmt
from ui.coproduction.dashboard_view import SHORT_PORTFOLIO
from ui.workbench.sentiment_bar import SENTIMENT_ROLE, describe

_Index = QModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2   # ("portfolio", id) / ("theme", id) / place cell
SHARE_ROLE = Qt.ItemDataRole.UserRole + 3
NAME, COMMENTS, SHARE, SENTIMENT = range(4)
TREE_HEADERS = ("Portfolio / theme", "Comments", "Respondents", "Sentiment")
TREE_TIPS = ("Dorset ICS portfolios and their themes",
             "Comments with the theme on (officer-accepted, or confidently suggested)",
             "Share of the respondents who commented who mentioned the theme",
             "Comments by sentiment, very positive (left) to very negative (right)")
_TOP = 0  # internal id of a portfolio row; a theme row holds its portfolio's row + 1


class ThemeTreeModel(QAbstractItemModel):
    """Portfolios at the top, their themes below, with counts, shares and sentiment."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.overview: explore.Overview | None = None
        self._portfolios: list[dict] = []
        self._themes: list[list[dict]] = []

    def set_overview(self, overview: explore.Overview | None) -> None:
        self.beginResetModel()
        self.overview = overview
        self._portfolios = list(overview.portfolios) if overview else []
        by_portfolio: dict[int, list[dict]] = {p["portfolio_id"]: [] for p in self._portfolios}
        for theme in overview.themes if overview else []:
            by_portfolio.setdefault(theme["portfolio_id"], []).append(theme)
        self._themes = [by_portfolio[p["portfolio_id"]] for p in self._portfolios]
        self.endResetModel()

    # ----- structure -----------------------------------------------------------------------
    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> _Index:  # noqa: B008
        if not self.hasIndex(row, column, parent):
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _TOP)
        return self.createIndex(row, column, parent.row() + 1)

    def parent(self, index: _Index = QModelIndex()) -> _Index:  # noqa: B008
        if not index.isValid() or index.internalId() == _TOP:
            return QModelIndex()
        return self.createIndex(index.internalId() - 1, 0, _TOP)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        if not parent.isValid():
            return len(self._portfolios)
        if parent.internalId() == _TOP and parent.column() == 0:
            return len(self._themes[parent.row()])
        return 0

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return len(TREE_HEADERS)

    def row_of(self, index: _Index) -> dict | None:
        """The portfolio or theme record behind an index."""
        if not index.isValid():
            return None
        if index.internalId() == _TOP:
            return self._portfolios[index.row()]
        return self._themes[index.internalId() - 1][index.row()]

    def key(self, index: _Index) -> tuple[str, int] | None:
        row = self.row_of(index)
        if row is None:
            return None
        return ("portfolio", row["portfolio_id"]) if index.internalId() == _TOP else (
            "theme", row["theme_id"])

    def find(self, key: tuple[str, int]) -> _Index:
        for p_row, portfolio in enumerate(self._portfolios):
            if key == ("portfolio", portfolio["portfolio_id"]):
                return self.index(p_row, 0)
            for t_row, theme in enumerate(self._themes[p_row]):
                if key == ("theme", theme["theme_id"]):
                    return self.index(t_row, 0, self.index(p_row, 0))
        return QModelIndex()

    # ----- data ----------------------------------------------------------------------------
    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(TREE_HEADERS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return TREE_HEADERS[section]
        if role == Qt.ItemDataRole.ToolTipRole:
            return TREE_TIPS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        row = self.row_of(index)
        if row is None or self.overview is None:
            return None
        column = index.column()
        base = self.overview.base.respondents
        share = explore.share(row["respondents"], base)
        levels = tuple(row[f"s{level}"] for level in range(1, 6))
        is_portfolio = index.internalId() == _TOP
        if role == Qt.ItemDataRole.DisplayRole:
            return (row["portfolio"] if is_portfolio else row["theme"],
                    fmt.count(row["comments"]), fmt.pct(share), None)[column]
        if role == SORT_ROLE:
            return (row["portfolio"] if is_portfolio else row["theme"], row["comments"],
                    share, levels[3] + levels[4] - levels[0] - levels[1])[column]
        if role == KEY_ROLE:
            return self.key(index)
        if role == SENTIMENT_ROLE and column == SENTIMENT:
            return levels
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (COMMENTS, SHARE):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and is_portfolio and column == NAME:
            font = QFont()
            font.setBold(True)
            return font
        if role in (Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.AccessibleDescriptionRole):
            name = row["portfolio"] if is_portfolio else row["theme"]
            return (f"{name}: {fmt.counted(row['comments'], 'comment')} from "
                    f"{fmt.counted(row['respondents'], 'respondent')}, {fmt.pct(share)} of the "
                    f"{base:,} who commented. Sentiment: {describe(levels)}. "
                    "Click to list the comments.")
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


PLACE_BASE = -1  # KEY_ROLE portfolio of the "who commented" column


class PlaceTableModel(QAbstractTableModel):
    """Places down, portfolios across; a cell is the share of the place's commenting
    respondents (or comments) with a theme of the portfolio on."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.table = explore.PlaceTable([], [])
        self.unit = "respondents"
        self.peak = 0.0

    def set_table(self, table: explore.PlaceTable) -> None:
        self.beginResetModel()
        self.table = table
        self._update_peak()
        self.endResetModel()

    def set_unit(self, unit: str) -> None:
        self.beginResetModel()
        self.unit = unit
        self._update_peak()
        self.endResetModel()

    def _update_peak(self) -> None:
        self.peak = max((row.share(p["id"], self.unit) for row in self.table.rows
                         for p in self.table.portfolios), default=0.0)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.table.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.table.portfolios) + 1

    def portfolio_at(self, column: int) -> dict | None:
        return self.table.portfolios[column] if 0 <= column < len(self.table.portfolios) else None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Vertical:
            if 0 <= section < len(self.table.rows) and role == Qt.ItemDataRole.DisplayRole:
                return self.table.rows[section].name
            return None
        if not 0 <= section < self.columnCount():
            return None
        portfolio = self.portfolio_at(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if portfolio is None:
                return f"{self.unit.capitalize()}\nwho commented"
            return SHORT_PORTFOLIO.get(portfolio["name"], portfolio["name"])
        if role == Qt.ItemDataRole.ToolTipRole:
            return portfolio["name"] if portfolio else (
                f"{self.unit.capitalize()} from the place with a substantive comment")
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self.table.rows):
            return None
        row = self.table.rows[index.row()]
        portfolio = self.portfolio_at(index.column())
        whole = row.respondents if self.unit == "respondents" else row.comments
        if portfolio is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return fmt.count(whole)
            if role == SORT_ROLE:
                return whole
            if role == KEY_ROLE:
                return (row.place_id, PLACE_BASE)
            if role == Qt.ItemDataRole.TextAlignmentRole:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        count, share = row.count(portfolio["id"], self.unit), row.share(portfolio["id"], self.unit)
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{share:.0%}" if whole else "–"
        if role in (SORT_ROLE, SHARE_ROLE):
            return share
        if role == KEY_ROLE:
            return (row.place_id, portfolio["id"])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"{row.name} × {portfolio['name']}: {count:,} of {whole:,} {self.unit} "
                    f"({fmt.pct(share)}). Click to list the comments.")
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class HeatDelegate(QStyledItemDelegate):
    """Shades a cell from the view's base colour towards a blue by its share of the largest
    share in the table; the text turns light or dark to stay readable on the shade."""

    HEAT = QColor("#2f6db5")

    def __init__(self, model: PlaceTableModel, parent=None) -> None:
        super().__init__(parent)
        self.model = model

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        share = index.data(SHARE_ROLE)
        peak = self.model.peak
        if share is None or not peak:
            super().paint(painter, option, index)
            return
        base = option.palette.color(QPalette.ColorRole.Base)
        t = min(share / peak, 1.0) * 0.9
        shade = QColor.fromRgbF(*(b + (h - b) * t for b, h in zip(
            base.getRgbF()[:3], self.HEAT.getRgbF()[:3], strict=True)))
        painter.fillRect(option.rect.adjusted(1, 1, -1, -1), shade)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.backgroundBrush = shade
        ink = QColor("#ffffff") if shade.lightnessF() < 0.55 else QColor("#111111")
        opt.palette.setColor(QPalette.ColorRole.Text, ink)
        opt.palette.setColor(QPalette.ColorRole.HighlightedText, ink)
        if opt.state & QStyle.StateFlag.State_Selected:
            opt.font.setBold(True)
        style = opt.widget.style() if opt.widget is not None else None
        if style is not None:
            style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
