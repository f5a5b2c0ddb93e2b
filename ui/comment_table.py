"""The comment table view: one line per comment, fixed row height, columns the officer can hide.

Fixed row heights and no resize-to-contents matter at a million rows: the view then never asks
the model about rows it does not paint.
"""

from __future__ import annotations

from PySide6.QtCore import QByteArray, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView, QWidget

from ui import comment_model as cm

COLUMN_WIDTHS = {cm.ID: 52, cm.QUESTION: 120, cm.RESPONDENT: 90, cm.PLACE: 104, cm.DATE: 84,
                 cm.FLAGS: 66, cm.THEMES: 150, cm.SENTIMENT: 110}
#: Hidden until the officer shows them (header right-click). The detail pane shows all three
#: and the navigator lists the questions; with them shown, a 1280-pixel window beside both
#: docks left the comment itself a few letters wide.
DEFAULT_HIDDEN = (cm.QUESTION, cm.RESPONDENT, cm.DATE)


class CommentTable(QTableView):
    def __init__(self, model: cm.CommentTableModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(model)
        self.setAccessibleName("Comments")
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(False)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.setAlternatingRowColors(True)
        rows = self.verticalHeader()
        rows.setVisible(False)
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(cm.COMMENT, QHeaderView.ResizeMode.Stretch)
        header.setHighlightSections(False)
        for column, width in COLUMN_WIDTHS.items():
            self.setColumnWidth(column, width)
        # Right-click on the header: show or hide any column but the comment itself.
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        self.column_actions: dict[int, QAction] = {}
        for column, title in enumerate(cm.COLUMNS):
            if column != cm.COMMENT:
                header.addAction(self._column_toggle(column, title))
        for column in DEFAULT_HIDDEN:
            self.column_actions[column].setChecked(False)

    def _column_toggle(self, column: int, title: str) -> QAction:
        action = QAction(f"Show {title}", self)
        action.setCheckable(True)
        action.setChecked(True)
        action.toggled.connect(lambda shown: self.setColumnHidden(column, not shown))
        self.column_actions[column] = action
        return action

    def header_state(self) -> QByteArray:
        return self.horizontalHeader().saveState()

    def restore_header_state(self, state: QByteArray) -> None:
        self.horizontalHeader().restoreState(state)
        for column, action in self.column_actions.items():
            action.setChecked(not self.isColumnHidden(column))
