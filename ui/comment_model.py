"""The comment table: a thin item model that asks the core for one page at a time.

A project may hold a million comments, so the model never loads them all. It asks the core
how many comments match the filter, and fetches the pages the view actually paints, keeping
the last few in a small cache. Every query comes from `engage.browse`; there is no SQL here.
"""

from __future__ import annotations

import html
from collections import OrderedDict

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont, QGuiApplication, QPalette

from engage.browse import (
    SENTIMENT_WORDS,
    CommentFilter,
    CommentRow,
    count_comments,
    fetch_comments,
)
from engage.project import Project

COLUMNS = ("ID", "Comment", "Question", "Respondent", "Place", "Date", "Flags", "Themes",
           "Sentiment")
ID, COMMENT, QUESTION, RESPONDENT, PLACE, DATE, FLAGS, THEMES, SENTIMENT = range(len(COLUMNS))
COMMENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1
_DISPLAY_CHARS = 400  # the view elides further; this only bounds the string handed to it
_TOOLTIP_CHARS = 3000

_Index = QModelIndex | QPersistentModelIndex


def flag_words(row: CommentRow) -> list[str]:
    """Short words for the flags column, in a fixed order."""
    words = []
    if not row.substantive:
        words.append("placeholder")
    if row.duplicate_of is not None:
        words.append("duplicate")
    if row.masked:
        words.append("masked")
    return words


def flag_explanation(row: CommentRow) -> str:
    """What the flags mean, for the tooltip."""
    lines = []
    if not row.substantive:
        lines.append("Non-substantive answer (e.g. “n/a”): kept, but left out of analysis")
    if row.duplicate_of is not None:
        lines.append(f"Exact duplicate of comment {row.duplicate_of}")
    if row.masked:
        lines.append("Personal data was masked in this comment")
    return "\n".join(lines)


class CommentTableModel(QAbstractTableModel):
    """Comments matching a `CommentFilter`, fetched page by page from the core."""

    def __init__(self, project: Project | None = None, parent=None, page_size: int = 200,
                 cached_pages: int = 16) -> None:
        super().__init__(parent)
        self._project = project
        self._filter = CommentFilter()
        self._page_size = max(1, page_size)
        self._cached_pages = max(2, cached_pages)
        self._pages: OrderedDict[int, list[CommentRow]] = OrderedDict()
        self._count = self._query_count()
        self.pages_fetched = 0  # for tests and benchmarks: how often the core was asked

    # ----- what the window drives ----------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        self.beginResetModel()
        self._project = project
        self._filter = CommentFilter()
        self._pages.clear()
        self._count = self._query_count()
        self.endResetModel()

    def project(self) -> Project | None:
        return self._project

    def set_filter(self, comment_filter: CommentFilter) -> None:
        """Show the comments matching a new filter (counts once, fetches lazily)."""
        self.beginResetModel()
        self._filter = comment_filter
        self._pages.clear()
        self._count = self._query_count()
        self.endResetModel()

    def comment_filter(self) -> CommentFilter:
        return self._filter

    def refresh(self) -> None:
        """Re-read after the project changed, keeping the filter."""
        self.set_filter(self._filter)

    def comment_id(self, row: int) -> int | None:
        record = self.record(row)
        return None if record is None else record.id

    def record(self, row: int) -> CommentRow | None:
        """The comment shown on a row, fetching its page if needed."""
        if not 0 <= row < self._count:
            return None
        page = self._page(row // self._page_size)
        offset = row % self._page_size
        return page[offset] if offset < len(page) else None

    # ----- Qt model interface ---------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008 - Qt's signature
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(COLUMNS):
            if role == Qt.ItemDataRole.DisplayRole:
                return COLUMNS[section]
            if role == Qt.ItemDataRole.ToolTipRole and section == FLAGS:
                return "placeholder: non-substantive answer · duplicate: exact repeat · " \
                       "masked: personal data removed"
        if orientation == Qt.Orientation.Vertical and role == Qt.ItemDataRole.DisplayRole:
            return section + 1
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | \
            Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or index.column() >= len(COLUMNS):
            return None
        row = self.record(index.row())
        if row is None:
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(row, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column)
        if role == COMMENT_ID_ROLE:
            return row.id
        if role == Qt.ItemDataRole.TextAlignmentRole and column == ID:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ForegroundRole and not row.substantive:
            # A palette colour, so placeholders stay readable in light and dark themes.
            return QGuiApplication.palette().brush(QPalette.ColorRole.PlaceholderText)
        if role == Qt.ItemDataRole.FontRole and not row.substantive and column == COMMENT:
            font = QFont()
            font.setItalic(True)
            return font
        return None

    # ----- helpers ----------------------------------------------------------------------------
    @staticmethod
    def _display(row: CommentRow, column: int) -> str:
        if column == ID:
            return str(row.id)
        if column == COMMENT:
            return " ".join(row.text[:_DISPLAY_CHARS].split())
        if column == QUESTION:
            return row.question
        if column == RESPONDENT:
            return row.respondent
        if column == PLACE:
            return row.place
        if column == DATE:
            return row.date
        if column == THEMES:
            return row.themes
        if column == SENTIMENT:
            return "" if row.sentiment is None else f"{row.sentiment} {SENTIMENT_WORDS[row.sentiment]}"
        return ", ".join(flag_words(row))

    @staticmethod
    def _tooltip(row: CommentRow, column: int) -> str | None:
        if column == COMMENT:
            text = row.text if len(row.text) <= _TOOLTIP_CHARS else row.text[:_TOOLTIP_CHARS] + "…"
            # Rich text, so Qt wraps long comments instead of drawing one endless line.
            return "<p style='white-space:pre-wrap'>" + html.escape(text) + "</p>"
        if column == FLAGS:
            return flag_explanation(row) or None
        if column == QUESTION:
            return row.question
        if column == THEMES and row.themes:
            return row.themes.replace("; ", "\n")
        return None

    def _query_count(self) -> int:
        if self._project is None:
            return 0
        return count_comments(self._project, self._filter)

    def _page(self, number: int) -> list[CommentRow]:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        page = []
        if self._project is not None:
            page = fetch_comments(self._project, self._filter, number * self._page_size,
                                  self._page_size)
            self.pages_fetched += 1
        self._pages[number] = page
        while len(self._pages) > self._cached_pages:
            self._pages.popitem(last=False)
        return page
