"""The left-hand navigator: consultations and their questions, with comment counts.

Selecting an entry narrows the comment table to that consultation or question. The tree is
rebuilt from the core when a `Changes` record says consultations, questions or comments
changed; the selection survives the rebuild when its entry still exists.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHeaderView, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from engage.browse import consultation_names, question_counts
from engage.changes import Changes
from engage.project import Project

_KEY_ROLE = Qt.ItemDataRole.UserRole + 1  # (consultation_id, question_id); None = everything


class Navigator(QWidget):
    """Tree of "All comments" → consultations → questions."""

    selection_changed = Signal(object, object)  # consultation_id, question_id (either None)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self.tree = QTreeWidget(self)
        self.tree.setColumnCount(2)
        self.tree.setHeaderLabels(["Consultation / question", "Comments"])
        self.tree.setAccessibleName("Consultations and questions")
        self.tree.setAccessibleDescription("Choose a consultation or question to show its comments")
        self.tree.setUniformRowHeights(True)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        header = self.tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.currentItemChanged.connect(self._on_current_changed)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.tree)
        self.setFocusProxy(self.tree)

    def set_project(self, project: Project | None) -> None:
        self._project = project
        self._rebuild(keep=None)

    def on_changes(self, changes: Changes) -> None:
        if changes.consultations or changes.questions or changes.comments:
            self._rebuild(keep=self.current_key())

    def current_key(self) -> tuple[int | None, int | None]:
        item = self.tree.currentItem()
        key = item.data(0, _KEY_ROLE) if item is not None else None
        return tuple(key) if key else (None, None)

    def select(self, consultation_id: int | None, question_id: int | None = None) -> bool:
        """Make an entry current (and so filter the table); False if it does not exist."""
        item = self._find((consultation_id, question_id))
        if item is not None:
            self.tree.setCurrentItem(item)
        return item is not None

    # ----- building ------------------------------------------------------------------------
    def _rebuild(self, keep: tuple[int | None, int | None] | None) -> None:
        self.tree.blockSignals(True)
        try:
            self.tree.clear()
            if self._project is not None:
                self._fill(self._project)
            target = self._find(keep) if keep else None
            target = target or self.tree.topLevelItem(0)
            if target is not None:
                self.tree.setCurrentItem(target)
        finally:
            self.tree.blockSignals(False)
        if keep is not None and self.current_key() != keep:
            self._on_current_changed(self.tree.currentItem(), None)

    def _fill(self, project: Project) -> None:
        questions = question_counts(project)
        totals: dict[int, int] = {}
        for question in questions:
            cid = question["consultation_id"]
            totals[cid] = totals.get(cid, 0) + question["comments"]
        everything = self._item(None, "All comments", sum(totals.values()), (None, None))
        self.tree.addTopLevelItem(everything)
        by_consultation: dict[int, QTreeWidgetItem] = {}
        for consultation in consultation_names(project):
            cid = consultation["id"]
            item = self._item(everything, consultation["name"], totals.get(cid, 0), (cid, None))
            item.setToolTip(0, consultation["description"] or consultation["name"])
            by_consultation[cid] = item
        for question in questions:
            parent = by_consultation.get(question["consultation_id"])
            if parent is None:
                continue
            item = self._item(parent, question["label"], question["comments"],
                              (question["consultation_id"], question["id"]))
            item.setToolTip(0, f"{question['text'] or question['label']}\n"
                               f"{question['comments']:,} comments")
        self.tree.expandAll()

    @staticmethod
    def _item(parent: QTreeWidgetItem | None, label: str, count: int,
              key: tuple[int | None, int | None]) -> QTreeWidgetItem:
        item = QTreeWidgetItem(parent, [label, f"{count:,}"])
        item.setData(0, _KEY_ROLE, key)
        item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return item

    def _find(self, key: tuple[int | None, int | None] | None) -> QTreeWidgetItem | None:
        if key is None:
            return None
        stack = [self.tree.topLevelItem(i) for i in range(self.tree.topLevelItemCount())]
        while stack:
            item = stack.pop()
            if tuple(item.data(0, _KEY_ROLE) or (None, None)) == tuple(key):
                return item
            stack += [item.child(i) for i in range(item.childCount())]
        return None

    def _on_current_changed(self, current: QTreeWidgetItem | None, _previous) -> None:
        key = current.data(0, _KEY_ROLE) if current is not None else None
        consultation_id, question_id = tuple(key) if key else (None, None)
        self.selection_changed.emit(consultation_id, question_id)
