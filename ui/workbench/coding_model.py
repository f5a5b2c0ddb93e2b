"""The coding list: comments with their theme chips, sentiment, kind and place, a page at a time.

A thin model over `engage.browse` (which comments, in which order, one page per query) and
`workbench_store.workbench_rows` (their codings and sentiment, two queries per page). It never loads
every comment. Two sources: a `CommentFilter` (id order) or an explicit list of ids in the
order given (the review queue, most useful to the model first).

After an officer action only the rows touched are re-read (`refresh_comments`), so the list
does not jump while the officer works through it; a full `reload()` re-asks the core.
"""

from __future__ import annotations

import html
from collections import OrderedDict
from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QGuiApplication, QPalette

from engage.analysis import workbench_store
from engage.browse import CommentFilter, CommentRow, count_comments, fetch_comments
from engage.project import Project
from ui.kind_setter import kind_note, kind_word

COLUMNS = ("ID", "Comment", "Themes", "Sentiment", "Kind", "Place", "Marks")
ID, COMMENT, THEMES, SENTIMENT, KIND, PLACE, MARKS = range(len(COLUMNS))
COMMENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
CODINGS_ROLE = Qt.ItemDataRole.UserRole + 2     # list of coding dicts (see workbench_store.workbench_rows)
SENTIMENT_LEVELS = {1: "very positive", 2: "positive", 3: "neutral/mixed", 4: "negative",
                    5: "very negative"}
#: Green to red through grey; read as "how it felt", not as good or bad data.
SENTIMENT_COLOURS = {1: "#1a9850", 2: "#91cf60", 3: "#b0b0b0", 4: "#fc8d59", 5: "#d73027"}
_DISPLAY_CHARS = 300
_ROLES = frozenset({Qt.ItemDataRole.DisplayRole, COMMENT_ID_ROLE, CODINGS_ROLE,
                    Qt.ItemDataRole.ToolTipRole, Qt.ItemDataRole.DecorationRole,
                    Qt.ItemDataRole.FontRole, Qt.ItemDataRole.TextAlignmentRole,
                    Qt.ItemDataRole.ForegroundRole})
# Built once: selection models ask for every selected cell's flags.
_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
_Index = QModelIndex | QPersistentModelIndex


@dataclass
class Row:
    comment: CommentRow
    info: dict   # workbench_store.workbench_rows value


def sentiment_of(info: dict) -> tuple[int | None, bool]:
    """(effective level, set by an officer)."""
    officer = info.get("sentiment_officer")
    return (officer, True) if officer is not None else (info.get("sentiment"), False)


def sentiment_text(info: dict) -> str:
    level, _ = sentiment_of(info)
    return "" if level is None else f"{level} {SENTIMENT_LEVELS[level]}"


def marks_text(info: dict) -> str:
    marks = []
    if info.get("copies", 1) > 1:
        marks.append(f"×{info['copies']} identical")
    if info.get("key_quote"):
        marks.append("★ key quote")
    if info.get("reviewed"):
        marks.append("✓ reviewed")
    return "  ".join(marks)


def shown_codings(info: dict) -> list[dict]:
    """Chips for the list: every coding except rejected ones."""
    return [c for c in info.get("codings", []) if c["decision"] != "rejected"]


class CodingListModel(QAbstractTableModel):
    def __init__(self, project: Project | None = None, parent=None, page_size: int = 100,
                 cached_pages: int = 12) -> None:
        super().__init__(parent)
        self._project = project
        self._filter = CommentFilter()
        self._ids: list[int] | None = None     # explicit order (queue mode), else the filter
        self._page_size = max(1, page_size)
        self._cached_pages = max(2, cached_pages)
        self._pages: OrderedDict[int, list[Row]] = OrderedDict()
        self._count = 0
        self.pages_fetched = 0
        self._count = self._query_count()

    # ----- sources -----------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        self._project = project
        self._ids = None
        self._filter = CommentFilter()
        self.reload()

    def set_filter(self, comment_filter: CommentFilter) -> None:
        self._filter, self._ids = comment_filter, None
        self.reload()

    def set_ids(self, ids: list[int], comment_filter: CommentFilter | None = None) -> None:
        """Show exactly these comments in this order (optionally still within a filter)."""
        self._ids = list(ids)
        if comment_filter is not None:
            self._filter = comment_filter
        self.reload()

    def comment_filter(self) -> CommentFilter:
        return self._filter

    def is_id_list(self) -> bool:
        return self._ids is not None

    def reload(self) -> None:
        self.beginResetModel()
        self._pages.clear()
        self._count = self._query_count()
        self.endResetModel()

    # ----- rows --------------------------------------------------------------------------
    def row(self, number: int) -> Row | None:
        if not 0 <= number < self._count:
            return None
        page = self._page(number // self._page_size)
        offset = number % self._page_size
        return page[offset] if offset < len(page) else None

    def comment_id(self, number: int) -> int | None:
        if self._ids is not None:
            return self._ids[number] if 0 <= number < self._count else None
        found = self.row(number)
        return None if found is None else found.comment.id

    def loaded_row_of(self, comment_id: int) -> int:
        """The row showing a comment, looking only at pages already fetched (-1 if none)."""
        if self._ids is not None:
            try:
                return self._ids.index(comment_id)
            except ValueError:
                return -1
        for number, page in self._pages.items():
            for offset, found in enumerate(page):
                if found.comment.id == comment_id:
                    return number * self._page_size + offset
        return -1

    def refresh_comments(self, comment_ids: list[int]) -> None:
        """Re-read the codings of these comments where they are on screen; rows stay put."""
        if self._project is None:
            return
        wanted = set(comment_ids)
        places = [(number, offset, found) for number, page in self._pages.items()
                  for offset, found in enumerate(page) if found.comment.id in wanted]
        if not places:
            return
        fresh = workbench_store.workbench_rows(self._project, [f.comment.id for _n, _o, f in places])
        rows = []
        for number, offset, found in places:
            found.info = fresh[found.comment.id]
            rows.append(number * self._page_size + offset)
        # one signal for the span (a bulk action on 200 rows repaints once, not 200 times)
        self.dataChanged.emit(self.index(min(rows), THEMES), self.index(max(rows), MARKS))

    def refresh_all_loaded(self) -> None:
        """Re-read every fetched row (theme names or colours changed); no re-query."""
        ids = [found.comment.id for page in self._pages.values() for found in page]
        self.refresh_comments(ids)

    # ----- Qt's interface ----------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole and section == THEMES:
                return ("Filled: counted in the figures (accepted by an officer, ✓, or a "
                        "confident suggestion). Outlined: suggested, not counted until accepted.")
            if role == Qt.ItemDataRole.ToolTipRole and section == KIND:
                return ("What the comment does: praise, complaint, suggestion, question or "
                        "mixed. Bold: set by an officer (Shift+P/C/S/Q/M, or the box below the "
                        "comment); otherwise the model's estimate.")
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        return _FLAGS if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if role not in _ROLES or not index.isValid():
            return None  # most of what a view asks for, answered without a row lookup
        found = self.row(index.row())
        if found is None:
            return None
        column, info = index.column(), found.info
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(found, column)
        if role == COMMENT_ID_ROLE:
            return found.comment.id
        if role == CODINGS_ROLE:
            return shown_codings(info)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(found, column)
        if role == Qt.ItemDataRole.DecorationRole and column == SENTIMENT:
            level, _ = sentiment_of(info)
            return QColor(SENTIMENT_COLOURS[level]) if level in SENTIMENT_COLOURS else None
        if role == Qt.ItemDataRole.FontRole and (
                (column == SENTIMENT and sentiment_of(info)[1])
                or (column == KIND and info.get("kind_source") == "officer")):
            font = QFont()
            font.setBold(True)  # the officer's own judgement
            return font
        if role == Qt.ItemDataRole.TextAlignmentRole and column == ID:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and column == MARKS:
            return QBrush(QGuiApplication.palette().color(QPalette.ColorRole.PlaceholderText))
        return None

    @staticmethod
    def _display(found: Row, column: int) -> str:
        if column == ID:
            return str(found.comment.id)
        if column == COMMENT:
            return " ".join(found.comment.text[:_DISPLAY_CHARS].split())
        if column == THEMES:
            return ", ".join(c["theme"] for c in shown_codings(found.info))
        if column == SENTIMENT:
            return sentiment_text(found.info)
        if column == KIND:
            return kind_word(found.info.get("kind"))
        if column == PLACE:
            return found.comment.place
        return marks_text(found.info)

    @staticmethod
    def _tooltip(found: Row, column: int) -> str | None:
        if column == COMMENT:
            return "<p style='white-space:pre-wrap'>" + html.escape(found.comment.text[:3000]) \
                + "</p>"
        if column == THEMES:
            lines = [f"{c['theme']}: " + ("accepted by an officer" if c["decision"] == "accepted"
                                           else "counted (confident suggestion)" if c["active"]
                                           else "suggested, not counted yet")
                     for c in shown_codings(found.info)]
            return "\n".join(lines) or "No themes"
        if column == SENTIMENT:
            level, officer = sentiment_of(found.info)
            if level is None:
                return None
            return "Set by an officer" if officer else "The model's estimate"
        if column == KIND:
            info = found.info
            note = kind_note(info.get("kind"), info.get("kind_source"), info.get("kind_confidence"))
            if info.get("kind") == "none":
                note = f"nothing to classify ({note})"
            return note[0].upper() + note[1:]
        return None

    # ----- fetching ----------------------------------------------------------------------
    def _query_count(self) -> int:
        if self._project is None:
            return 0
        if self._ids is not None:
            return len(self._ids)
        return count_comments(self._project, self._filter)

    def _page(self, number: int) -> list[Row]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        page = self._fetch(number) if self._project is not None else []
        self.pages_fetched += 1
        self._pages[number] = page
        while len(self._pages) > self._cached_pages:
            self._pages.popitem(last=False)
        return page

    def _fetch(self, number: int) -> list[Row]:
        start = number * self._page_size
        if self._ids is None:
            comments = fetch_comments(self._project, self._filter, start, self._page_size)
        else:
            wanted = self._ids[start:start + self._page_size]
            found = {c.id: c for c in fetch_comments(
                self._project, CommentFilter(comment_ids=tuple(wanted)), 0, len(wanted))}
            comments = [found[i] for i in wanted if i in found]
        info = workbench_store.workbench_rows(self._project, [c.id for c in comments])
        return [Row(c, info[c.id]) for c in comments]
