"""Discovered topics, and the themes they can become.

The analysis finds topics (NMF) in what people wrote, whatever the taxonomy says; a topic no
theme resembles is "not covered" — a subject the framework misses. For each topic: its top
words and phrases, its size, the portfolio it most resembles, and its most typical comments.
"Make it a theme" promotes it in one step (name, portfolio and seed terms filled in, all
editable); no comment is coded behind the officer's back — a re-analysis, offered at once,
suggests the new theme wherever its seed terms occur, with the words highlighted. Beside it,
the theme manager renames, moves, merges and splits themes.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engage.analysis import store, workbench_store
from engage.analysis.explore import display_word
from engage.browse import CommentFilter, fetch_comments
from engage.changes import Changes
from engage.project import Project
from ui.workbench.session import CodingSession
from ui.workbench.theme_dialogs import ThemeDialog
from ui.workbench.themes import ThemeManager

TOPIC_ID_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Topic", "Comments", "Covered", "Suggested portfolio", "Top words", "Top phrases",
           "Theme")
TOPIC, SIZE, COVERED, PORTFOLIO, TERMS, PHRASES, THEME = range(len(COLUMNS))
SHOWN_EXAMPLES = 5



def _sentence(text: str) -> str:
    """First letter up, the rest as written ("GP appointment", not "Gp appointment")."""
    return text[:1].upper() + text[1:]

def words(tokens: list[str], limit: int = 8) -> str:
    return ", ".join(display_word(t) for t in tokens[:limit])


class TopicsModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[dict] = []
        self._theme_names: dict[int, str] = {}

    def set_topics(self, topics: list[dict], theme_names: dict[int, str]) -> None:
        self.beginResetModel()
        self._rows, self._theme_names = topics, theme_names
        self.endResetModel()

    def topic(self, row: int) -> dict | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, topic_id: int) -> int:
        return next((i for i, t in enumerate(self._rows) if t["id"] == topic_id), -1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(COLUMNS):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section]
        if role == Qt.ItemDataRole.ToolTipRole and section == COVERED:
            return "Whether an existing theme resembles this topic; 'No' is a subject the " \
                   "taxonomy misses — a candidate for a new theme."
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        topic = self.topic(index.row()) if index.isValid() else None
        if topic is None or not 0 <= index.column() < len(COLUMNS):
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(topic, column)
        if role == TOPIC_ID_ROLE:
            return topic["id"]
        if role == Qt.ItemDataRole.ToolTipRole and column in (TERMS, PHRASES):
            return words(topic["top_terms" if column == TERMS else "top_phrases"], 30)
        if role == Qt.ItemDataRole.TextAlignmentRole and column == SIZE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.FontRole and column == COVERED and not topic["covered"]:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def _display(self, topic: dict, column: int) -> str:
        if column == TOPIC:
            return topic["label"].replace("_", " ")
        if column == SIZE:
            return f"{topic['size']:,}"
        if column == TERMS:
            return words(topic["top_terms"])
        if column == PHRASES:
            return words(topic["top_phrases"], 5)
        if column == PORTFOLIO:
            return topic["suggested_portfolio"] or ""
        if column == COVERED:
            return "Yes" if topic["covered"] else "No — new subject"
        promoted = topic["promoted_theme_id"]
        return self._theme_names.get(promoted, "") if promoted is not None else ""


class TopicsView(QWidget):
    comments_requested = Signal(object)   # CommentFilter
    retrain_requested = Signal()
    changed = Signal(object)              # Changes from writes made here

    def __init__(self, session: CodingSession | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TopicsView")
        self.session = session or CodingSession(self)
        self._dirty = True
        self.exec_dialog = lambda dialog: dialog.exec() == QDialog.DialogCode.Accepted
        self.model = TopicsModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Discovered topics")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(TERMS, QHeaderView.ResizeMode.Stretch)
        for column in (TOPIC, SIZE, PORTFOLIO, COVERED, THEME):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.setColumnWidth(PHRASES, 160)
        self.examples = QTextBrowser(self)
        self.examples.setAccessibleName("Typical comments of the topic")
        self.promote_button = QPushButton("Make it a theme…", self)
        self.promote_button.setAccessibleName("Make it a theme")
        self.promote_button.setToolTip("Create a theme from this topic: name, portfolio and "
                                       "seed terms filled in from it (Ctrl+Shift+P)")
        self.promote_button.setShortcut("Ctrl+Shift+P")
        self.comments_button = QPushButton("Show its comments", self)
        self.comments_button.setToolTip("Show the comments of this topic in the coding list")
        self.promote_button.clicked.connect(lambda _checked=False: self.promote())
        self.comments_button.clicked.connect(lambda _checked=False: self.show_comments())
        self.themes = ThemeManager(self.session, self)
        self.themes.comments_requested.connect(self.comments_requested)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_examples())
        self.table.doubleClicked.connect(lambda _index: self.show_comments())
        self.session.changed.connect(self.changed)
        self.session.changed.connect(self._on_session_changed)
        self._layout()

    def _layout(self) -> None:
        intro = QLabel("<b>Discovered topics</b> — what people talk about, found without the "
                       "taxonomy. A topic no theme covers may deserve a theme of its own.", self)
        intro.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.promote_button)
        buttons.addWidget(self.comments_button)
        buttons.addStretch(1)
        topics = QWidget(self)
        column = QVBoxLayout(topics)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(intro)
        column.addWidget(self.table, 1)
        column.addLayout(buttons)
        examples = QWidget(self)
        column = QVBoxLayout(examples)
        column.setContentsMargins(0, 0, 0, 0)
        column.addWidget(QLabel("<b>Typical comments</b> of the selected topic", self))
        column.addWidget(self.examples, 1)
        top = QSplitter(Qt.Orientation.Horizontal, self)
        top.addWidget(topics)
        top.addWidget(examples)
        top.setStretchFactor(0, 2)
        top.setStretchFactor(1, 1)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(top)
        splitter.addWidget(self.themes)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(splitter)

    # ----- state ---------------------------------------------------------------------------
    @property
    def project(self) -> Project | None:
        return self.session.project

    def set_project(self, project: Project | None) -> None:
        if project is not self.session.project:
            self.session.set_project(project)
        self.mark_dirty()
        self.themes.mark_dirty()

    def on_changes(self, changes: Changes) -> None:
        if self.session.is_echo(changes):
            return
        if changes.topics or changes.taxonomy or changes.codings:
            self.mark_dirty()
        self.themes.on_changes(changes)

    def _on_session_changed(self, changes: Changes) -> None:
        if changes.topics or changes.taxonomy:
            self.mark_dirty()
        self.themes.on_changes(changes)

    def mark_dirty(self) -> None:
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def refresh(self) -> None:
        self._dirty = False
        current = self.current_topic()
        topics = store.latest_topics(self.project) if self.project is not None else []
        names = {t["id"]: t["name"] for t in store.themes(self.project)} if self.project else {}
        self.model.set_topics(topics, names)
        row = self.model.row_of(current["id"]) if current is not None else 0
        if self.model.rowCount():
            self.table.selectRow(max(row, 0))
        self._show_examples()

    def current_topic(self) -> dict | None:
        index = self.table.currentIndex()
        return self.model.topic(index.row()) if index.isValid() else None

    def _show_examples(self) -> None:
        topic = self.current_topic()
        self.promote_button.setEnabled(topic is not None and topic["promoted_theme_id"] is None)
        self.comments_button.setEnabled(topic is not None)
        if topic is None or self.project is None:
            self.examples.setHtml("<p><i>" + ("No topics yet: they are found when the comments "
                                              "are analysed." if self.project else
                                              "No project is open.") + "</i></p>")
            return
        ids = tuple(topic["representative_ids"][:SHOWN_EXAMPLES])
        found = {c.id: c for c in fetch_comments(self.project, CommentFilter(comment_ids=ids),
                                                 0, len(ids))}
        items = "".join(f"<li style='margin-bottom:6px'>{html.escape(found[i].text)} "
                        f"<span style='color:gray'>(comment {i})</span></li>"
                        for i in ids if i in found)
        self.examples.setHtml(f"<ul style='margin-left:-20px'>{items}</ul>")

    # ----- actions -------------------------------------------------------------------------
    def promote(self) -> int | None:
        """Make the current topic a theme (one undoable step); the new theme's id."""
        topic = self.current_topic()
        if topic is None or self.project is None or topic["promoted_theme_id"] is not None:
            return None
        seeds = list(dict.fromkeys(t.replace("_", " ")
                                   for t in (*topic["top_phrases"], *topic["top_terms"])))
        dialog = ThemeDialog(
            "Make the topic a theme", store.portfolios(self.project), self,
            name=_sentence(topic["label"].replace(" / ", ", ").replace("_", " ")),
            portfolio_id=topic["suggested_portfolio_id"], seed_terms=seeds[:10],
            ok_text="Make theme", check="Re-analyse now, so the theme is suggested on "
                                        "comments that use its seed terms",
            note="The seed terms decide which comments the analysis suggests the theme for; "
                 "remove words that are too general. No comment is coded until you accept it.")
        if not self.exec_dialog(dialog):
            return None
        name, portfolio_id, seed_terms, retrain = dialog.values()
        project, topic_id = self.project, topic["id"]

        def action():
            new_id, changes = workbench_store.promote_topic(project, topic_id, name, portfolio_id,
                                                  seed_terms)
            return changes, {"theme_ids": [new_id]}
        command = self.session.run(f"Make topic a theme: {name}", {"topic_ids": [topic_id]},
                                   action)
        if command is None:
            return None
        if retrain:
            self.retrain_requested.emit()
        return command.result["theme_ids"][0]

    def show_comments(self) -> None:
        topic = self.current_topic()
        if topic is not None:
            self.comments_requested.emit(CommentFilter(topic_id=topic["id"]))
