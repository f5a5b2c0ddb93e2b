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
KIND_ROLE = Qt.ItemDataRole.UserRole + 4  # the kind a count cell stands for (theme rows)
NAME, COMMENTS, SHARE, ASKED, PRAISED, COMPLAINED, SENTIMENT = range(7)
#: the kind behind each kind column (engage.analysis.kinds.HEADLINE_KINDS)
KIND_COLUMNS = {ASKED: "suggestion", PRAISED: "praise", COMPLAINED: "complaint"}
TREE_HEADERS = ("Portfolio / theme", "Comments", "Respondents", "Asked for", "Praised",
                "Complained about", "Sentiment")
TREE_TIPS = ("Dorset ICS portfolios and their themes",
             "Comments with the theme on (officer-accepted, or confidently suggested)",
             "Share of the respondents with a counted comment who mentioned the theme",
             "Counted comments on the theme that ask for something: a wish, a priority or an "
             "idea, with no bad experience reported (kind: suggestion)",
             "Counted comments on the theme that praise (kind: praise)",
             "Counted comments on the theme that report a bad experience or disapproval "
             "(kind: complaint)",
             "Comments by sentiment, very positive (left) to very negative (right)")
_KIND_WORDS = {"suggestion": "asked for something", "praise": "praised",
               "complaint": "complained"}
_TOP = 0  # internal id of a portfolio row; a theme row holds its portfolio's row + 1


_DISPLAY = int(Qt.ItemDataRole.DisplayRole)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole)
_FONT = int(Qt.ItemDataRole.FontRole)
_TIP = int(Qt.ItemDataRole.ToolTipRole)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleDescriptionRole)
_RIGHT = int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
_CENTRE = int(Qt.AlignmentFlag.AlignCenter)


class _Node:
    """One row of the tree with every role's value per column worked out once: painting asks
    for a dozen roles per cell, and answering from a table keeps a repaint in milliseconds."""

    __slots__ = ("record", "key", "roles")

    def __init__(self, record: dict, key: tuple[str, int], base: int,
                 kinds: dict | None = None) -> None:
        self.record, self.key = record, key
        name = record["portfolio"] if key[0] == "portfolio" else record["theme"]
        share = explore.share(record["respondents"], base)
        levels = tuple(record[f"s{level}"] for level in range(1, 6))
        tip = (f"{name}: {fmt.counted(record['comments'], 'comment')} from "
               f"{fmt.counted(record['respondents'], 'respondent')}, {fmt.pct(share)} of the "
               f"{base:,} respondents with a counted comment. Sentiment: {describe(levels)}. "
               "Click to list the comments.")
        bold = None
        if key[0] == "portfolio":
            bold = QFont()
            bold.setBold(True)
        counts = [None if kinds is None else int(kinds.get(k) or 0)
                  for k in KIND_COLUMNS.values()]
        if key[0] == "portfolio":
            kind_tip = (f"{name}: what people asked for, praised and complained about is "
                        "counted per theme (a comment can carry several of a portfolio's "
                        "themes). Click to list the portfolio's comments.")
        elif kinds is None:
            kind_tip = f"{name}: the kinds of comment are not classified yet."
        else:
            kind_tip = None
        kind_tips = tuple(kind_tip or (
            f"{name}: {fmt.counted(n, 'counted comment')} {_KIND_WORDS[k]}. "
            "Click to list them.") for k, n in zip(KIND_COLUMNS.values(), counts, strict=True))
        shown = tuple("" if key[0] == "portfolio" else "–" if n is None else fmt.count(n)
                      for n in counts)
        kind_of = tuple(None if key[0] == "portfolio" or n is None else k
                        for k, n in zip(KIND_COLUMNS.values(), counts, strict=True))
        self.roles = {
            _DISPLAY: (name, fmt.count(record["comments"]), fmt.pct(share), *shown, None),
            int(SORT_ROLE): (name, record["comments"], share, *(n or 0 for n in counts),
                             levels[3] + levels[4] - levels[0] - levels[1]),
            int(KEY_ROLE): (key,) * len(TREE_HEADERS),
            int(KIND_ROLE): (None, None, None, *kind_of, None),
            int(SENTIMENT_ROLE): (None,) * (len(TREE_HEADERS) - 1) + (levels,),
            _ALIGN: (None, _RIGHT, _RIGHT, _RIGHT, _RIGHT, _RIGHT, None),
            _FONT: (bold,) + (None,) * (len(TREE_HEADERS) - 1),
            _TIP: (tip, tip, tip, *kind_tips, tip),
            _ACCESSIBLE: (tip, tip, tip, *kind_tips, tip),
        }


class ThemeTreeModel(QAbstractItemModel):
    """Portfolios at the top, their themes below, with counts, shares and sentiment."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.overview: explore.Overview | None = None
        self._portfolios: list[_Node] = []
        self._themes: list[list[_Node]] = []

    def set_overview(self, overview: explore.Overview | None,
                     kinds: list[dict] | None = None) -> None:
        """Show an overview; `kinds` (engage.analysis.kinds.kinds_by_theme rows) fills the
        asked for / praised / complained about columns (left as "–" without it)."""
        self.beginResetModel()
        self.overview = overview
        by_theme = {r["theme_id"]: r for r in kinds or []}
        base = overview.base.respondents if overview else 0
        self._portfolios = [_Node(p, ("portfolio", p["portfolio_id"]), base)
                            for p in (overview.portfolios if overview else [])]
        by_portfolio: dict[int, list[_Node]] = {n.key[1]: [] for n in self._portfolios}
        for theme in overview.themes if overview else []:
            by_portfolio.setdefault(theme["portfolio_id"], []).append(
                _Node(theme, ("theme", theme["theme_id"]), base,
                      by_theme.get(theme["theme_id"], {}) if kinds is not None else None))
        self._themes = [by_portfolio[n.key[1]] for n in self._portfolios]
        self.endResetModel()

    # ----- structure -----------------------------------------------------------------------
    def index(self, row: int, column: int, parent: _Index = QModelIndex()) -> _Index:  # noqa: B008
        if not 0 <= column < len(TREE_HEADERS) or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, _TOP) if row < len(self._portfolios) \
                else QModelIndex()
        if parent.internalId() != _TOP or parent.column() != 0 \
                or row >= len(self._themes[parent.row()]):
            return QModelIndex()
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

    def _node(self, index: _Index) -> _Node | None:
        if not index.isValid():
            return None
        if index.internalId() == _TOP:
            return self._portfolios[index.row()]
        return self._themes[index.internalId() - 1][index.row()]

    def row_of(self, index: _Index) -> dict | None:
        """The portfolio or theme record behind an index."""
        node = self._node(index)
        return node.record if node is not None else None

    def key(self, index: _Index) -> tuple[str, int] | None:
        node = self._node(index)
        return node.key if node is not None else None

    def find(self, key: tuple[str, int]) -> _Index:
        for p_row, portfolio in enumerate(self._portfolios):
            if key == portfolio.key:
                return self.index(p_row, 0)
            for t_row, theme in enumerate(self._themes[p_row]):
                if key == theme.key:
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
        node = self._node(index)
        if node is None:
            return None
        values = node.roles.get(int(role))
        return values[index.column()] if values is not None else None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


PLACE_BASE = -1  # KEY_ROLE portfolio of the "who commented" column


class _CellTableModel(QAbstractTableModel):
    """A read-only table whose cells are precomputed role → value dicts (``self._cells``), so
    painting a cell never queries the project."""

    _cells: list[list[dict[int, object]]]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.row() >= len(self._cells):
            return None
        return self._cells[index.row()][index.column()].get(int(role))

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


def place_header(name: str, within: int | None, role: int):
    """A place row's header: a PCN or ward sits indented under its locality, whose figures
    already hold it, so nobody adds it in twice."""
    if role == Qt.ItemDataRole.DisplayRole:
        return f"    \u21b3 {name}" if within is not None else name
    if role == Qt.ItemDataRole.ToolTipRole and within is not None:
        return f"{name}: already counted in the locality above it"
    return None


class PlaceTableModel(_CellTableModel):
    """Places down, portfolios across; a cell is the share of the place's commenting
    respondents (or comments) with a theme of the portfolio on. Cells are worked out once per
    table and unit, like the tree's rows."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.table = explore.PlaceTable([], [])
        self.unit = "respondents"
        self.peak = 0.0
        self._cells: list[list[dict[int, object]]] = []

    def set_table(self, table: explore.PlaceTable) -> None:
        self.beginResetModel()
        self.table = table
        self._build()
        self.endResetModel()

    def set_unit(self, unit: str) -> None:
        self.beginResetModel()
        self.unit = unit
        self._build()
        self.endResetModel()

    def _build(self) -> None:
        portfolios, unit = self.table.portfolios, self.unit
        self.peak = max((row.share(p["id"], unit) for row in self.table.rows
                         for p in portfolios), default=0.0)
        self._cells = []
        for row in self.table.rows:
            whole = row.respondents if unit == "respondents" else row.comments
            cells = []
            for portfolio in portfolios:
                count, share = row.count(portfolio["id"], unit), row.share(portfolio["id"], unit)
                cells.append({
                    _DISPLAY: f"{share:.0%}" if whole else "–", int(SORT_ROLE): share,
                    int(SHARE_ROLE): share, int(KEY_ROLE): (row.place_id, portfolio["id"]),
                    _ALIGN: _CENTRE,
                    _TIP: f"{row.name} × {portfolio['name']}: {count:,} of {whole:,} {unit} "
                          f"({fmt.pct(share)}). Click to list the comments."})
            cells.append({_DISPLAY: fmt.count(whole), int(SORT_ROLE): whole,
                          int(KEY_ROLE): (row.place_id, PLACE_BASE), _ALIGN: _RIGHT})
            self._cells.append(cells)

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.table.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.table.portfolios) + 1

    def portfolio_at(self, column: int) -> dict | None:
        return self.table.portfolios[column] if 0 <= column < len(self.table.portfolios) else None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Vertical:
            if 0 <= section < len(self.table.rows):
                row = self.table.rows[section]
                return place_header(row.name, row.within, role)
            return None
        if not 0 <= section < self.columnCount():
            return None
        portfolio = self.portfolio_at(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if portfolio is None:
                return f"{self.unit.capitalize()}\ncounted"
            return SHORT_PORTFOLIO.get(portfolio["name"], portfolio["name"])
        if role == Qt.ItemDataRole.ToolTipRole:
            return portfolio["name"] if portfolio else (
                f"{self.unit.capitalize()} from the place with a counted comment (the "
                "counting rule: no repeats, a campaign once) — the base of its shares")
        return None



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


class KindPlaceModel(_CellTableModel):
    """Places down; what their people asked for, praised and complained about across (counted
    comments of each kind, shaded by their share of the place's counted comments), then the
    place's counted comments. Rows are `engage.analysis.kinds.kinds_by_place` records of
    places with a counted comment."""

    HEADERS = ("Asked for", "Praised", "Complained about", "Comments\ncounted")

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[dict] = []
        self.peak = 0.0
        self._cells: list[list[dict[int, object]]] = []

    def set_rows(self, rows: list[dict] | None) -> None:
        self.beginResetModel()
        self.rows = [r for r in rows or [] if r["comments"]]
        kinds = list(KIND_COLUMNS.values())
        self.peak = max((r[k] / r["comments"] for r in self.rows for k in kinds), default=0.0)
        self._cells = []
        for r in self.rows:
            whole, cells = r["comments"], []
            for kind in kinds:
                n = int(r[kind])
                share = n / whole
                cells.append({
                    _DISPLAY: f"{n:,} ({share:.0%})", int(SORT_ROLE): n,
                    int(SHARE_ROLE): share, int(KEY_ROLE): (r["place_id"], kind),
                    int(KIND_ROLE): kind, _ALIGN: _CENTRE,
                    _TIP: f"{r['place']}: {n:,} of {fmt.counted(whole, 'counted comment')} "
                          f"{_KIND_WORDS[kind]} ({fmt.pct(share)}). Click to list them."})
            cells.append({_DISPLAY: fmt.count(whole), int(SORT_ROLE): whole,
                          int(KEY_ROLE): (r["place_id"], None), _ALIGN: _RIGHT})
            self._cells.append(cells)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Vertical:
            if 0 <= section < len(self.rows):
                row = self.rows[section]
                return place_header(row["place"], row.get("within"), role)
            return None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        return self.HEADERS[section] if 0 <= section < len(self.HEADERS) else None

