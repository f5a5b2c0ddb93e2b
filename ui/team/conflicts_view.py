"""The Conflicts view: where a colleague decided otherwise than the project holds, side by side.

Each row is one comment and one field (a theme, sentiment, kind or key quote) with what the
project holds ("mine") and the colleague's decision ("theirs"); the comment's text and both
sides are shown below the list. Resolve the selected rows — one, several or all (Ctrl+A) — by
keeping mine, theirs or both; Undo takes back the last resolution exactly. The core does the
work (`engage.team.conflicts`); this is a thin table over it.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engage.changes import Changes
from engage.errors import EngageError
from engage.project import Project
from engage.team import conflicts

COLUMNS = (("Comment", "comment_id"), ("Question", "question"), ("What", "what"),
           ("Mine", "mine_text"), ("Mine by", "mine_by"), ("Theirs", "theirs_text"),
           ("Theirs by", "theirs_by"), ("When", "theirs_at"), ("Resolved", "status"))


class ConflictModel(QAbstractTableModel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.rows: list[dict] = []

    def set_rows(self, rows: list[dict]) -> None:
        self.beginResetModel()
        self.rows = rows
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][0]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid() or role not in (Qt.ItemDataRole.DisplayRole,
                                               Qt.ItemDataRole.ToolTipRole):
            return None
        row = self.rows[index.row()]
        key = COLUMNS[index.column()][1]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row["text"]
        value = row.get(key)
        if key == "status":
            return "" if value == "open" else f"kept {value}"
        if key == "theirs_at" and value:
            return str(value)[:16].replace("T", " ")
        return "" if value is None else str(value)


class ConflictsDialog(QDialog):
    changed = Signal(object)  # Changes, for the window to broadcast

    def __init__(self, project: Project, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Conflicts between officers")
        self.setObjectName("ConflictsDialog")
        self.project = project
        self.undo_stack: list[conflicts.Undo] = []
        self.model = ConflictModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Conflicts")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().selectionChanged.connect(lambda *_: self._show_current())
        self.summary = QLabel(self)
        self.text = QLabel(self)
        self.text.setWordWrap(True)
        self.text.setAccessibleName("The comment")
        self.mine = self._side("Mine (this project)")
        self.theirs = self._side("Theirs (the colleague's file)")
        sides = QHBoxLayout()
        sides.addWidget(self.mine, 1)
        sides.addWidget(self.theirs, 1)
        detail = QWidget(self)
        detail_layout = QVBoxLayout(detail)
        detail_layout.addWidget(self.text)
        detail_layout.addLayout(sides)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(detail)
        splitter.setSizes([300, 160])
        self.show_resolved = QCheckBox("Show resolved")
        self.show_resolved.toggled.connect(lambda _on: self.refresh())
        self.buttons = {}
        row = QHBoxLayout()
        row.addWidget(self.show_resolved)
        row.addStretch(1)
        for choice, label, tip in (
                ("mine", "Keep &Mine", "Leave the project as it is"),
                ("theirs", "Keep &Theirs", "Write the colleague's decision, in their name"),
                ("both", "Keep &Both", "Themes: keep the theme on (both officers' themes); "
                                       "sentiment, kind, key quote: keep mine")):
            button = QPushButton(label)
            button.setToolTip(tip)
            button.clicked.connect(lambda _checked=False, c=choice: self.resolve(c))
            self.buttons[choice] = button
            row.addWidget(button)
        self.undo_button = QPushButton("&Undo")
        self.undo_button.clicked.connect(self.undo)
        row.addWidget(self.undo_button)
        QShortcut(QKeySequence.StandardKey.Undo, self, activated=self.undo)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(splitter, 1)
        layout.addLayout(row)
        self.resize(980, 620)
        self.refresh()

    def _side(self, title: str) -> QLabel:
        label = QLabel(self)
        label.setWordWrap(True)
        label.setAccessibleName(title)
        label.setProperty("title", title)
        label.setStyleSheet("QLabel { border: 1px solid #AEB7BD; padding: 8px; "
                            "background: #F8FAFB; }")
        return label

    def refresh(self) -> None:
        status = None if self.show_resolved.isChecked() else "open"
        self.model.set_rows(conflicts.list_conflicts(self.project, status=status))
        open_count = conflicts.conflict_count(self.project)
        comments = len({r["comment_id"] for r in self.model.rows if r["status"] == "open"})
        self.summary.setText(
            f"<b>{open_count:,}</b> open conflicts on {comments:,} comments. Select rows "
            "(Ctrl+A for all) and keep mine, theirs or both; Undo takes it back."
            if open_count else "No open conflicts: every merged decision agrees with the "
                               "project, or has been resolved.")
        if self.model.rows:
            self.table.selectRow(0)
        self._show_current()
        self.undo_button.setEnabled(bool(self.undo_stack))

    def selected_ids(self) -> list[int]:
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        return [self.model.rows[r]["id"] for r in rows if self.model.rows[r]["status"] == "open"]

    def _show_current(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        for button in self.buttons.values():
            button.setEnabled(bool(self.selected_ids()))
        if not rows:
            self.text.setText("")
            self.mine.setText("")
            self.theirs.setText("")
            return
        r = self.model.rows[rows[0].row()]
        self.text.setText(f"<b>Comment {r['comment_id']}</b> ({html.escape(r['question'])}, "
                          f"respondent {html.escape(str(r['respondent']))}): "
                          f"{html.escape(r['text'])}")
        self.mine.setText(f"<b>{self.mine.property('title')}</b><br>{html.escape(r['what'])}: "
                          f"<b>{html.escape(r['mine_text'])}</b>"
                          f"<br>by {html.escape(r['mine_by'] or 'this project')}")
        self.theirs.setText(f"<b>{self.theirs.property('title')}</b><br>"
                            f"{html.escape(r['what'])}: <b>{html.escape(r['theirs_text'])}</b>"
                            f"<br>by {html.escape(r['theirs_by'])}, "
                            f"{html.escape(str(r['theirs_at'] or '')[:16].replace('T', ' '))}")

    def resolve(self, choice: str) -> None:
        ids = self.selected_ids()
        if not ids:
            return
        try:
            changes, record = conflicts.resolve(self.project, ids, choice)
        except EngageError as exc:
            self.summary.setText(str(exc))
            return
        self.undo_stack.append(record)
        self.refresh()
        self.changed.emit(changes)

    def undo(self) -> None:
        if not self.undo_stack:
            return
        changes = conflicts.undo(self.project, self.undo_stack.pop())
        self.refresh()
        self.changed.emit(changes | Changes(codings=True))
