"""Coding, agreement and topics as one tabbed widget sharing one session and undo stack.

The simplest way to put the officer's coding views in the main window:

    self.coding = CodingTabs(self)
    self.coding.changed.connect(self.apply_changes)       # our writes, for every other view
    self.changed.connect(self.coding.on_changes)          # everyone's writes, for ours
    edit_menu.addActions(self.coding.session.actions())   # Undo / Redo (Ctrl+Z, Ctrl+Shift+Z)
    ... self.coding.set_project(project); self.coding.set_filter(self.current_filter())

A click on a theme or topic elsewhere in these views shows its comments in the Coding tab
(and is announced on `comments_requested`, so the window may mirror it in its filter bar).
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QWidget

from engage.browse import CommentFilter
from engage.changes import Changes
from engage.project import Project
from ui.workbench.agreement import AgreementView
from ui.workbench.coding import CodingWorkbench
from ui.workbench.session import CodingSession
from ui.workbench.topics import TopicsView


class CodingTabs(QTabWidget):
    changed = Signal(object)              # Changes from any write made in these views
    comments_requested = Signal(object)   # CommentFilter shown in the Coding tab

    CODING, AGREEMENT, TOPICS = range(3)

    def __init__(self, parent: QWidget | None = None,
                 session: CodingSession | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CodingTabs")
        self.setDocumentMode(True)
        self.session = session or CodingSession(self)
        self.coding = CodingWorkbench(self.session, self)
        self.agreement = AgreementView(None, self)
        self.topics = TopicsView(self.session, self)
        self.addTab(self.coding, "Coding")
        self.addTab(self.agreement, "Agreement")
        self.addTab(self.topics, "Topics and themes")
        for view in (self.agreement, self.topics):
            for action in self.session.actions():
                view.addAction(action)
        self.session.changed.connect(self.changed)
        self.session.changed.connect(self.agreement.on_changes)
        self.topics.retrain_requested.connect(self.coding.retrainer.start)
        self.agreement.comments_requested.connect(self.show_comments)
        self.topics.comments_requested.connect(self.show_comments)

    def set_project(self, project: Project | None) -> None:
        self.coding.set_project(project)      # also hands the project to the session
        self.agreement.set_project(project)
        self.topics.set_project(project)

    def set_filter(self, comment_filter: CommentFilter) -> None:
        self.coding.set_filter(comment_filter)
        self.agreement.set_consultation(comment_filter.consultation_id)

    def on_changes(self, changes: Changes) -> None:
        if self.session.is_echo(changes):
            return
        self.coding.on_changes(changes)
        self.agreement.on_changes(changes)
        self.topics.on_changes(changes)

    def shut_down(self, msecs: int = 5000) -> None:
        """Stop background work (a retrain, theme counts) before the window goes."""
        self.coding.retrainer.cancel()
        self.coding.retrainer.wait(msecs)
        self.topics.themes.sizes.cancel()
        self.topics.themes.sizes.wait(msecs)

    def show_comments(self, comment_filter: CommentFilter) -> None:
        """Show a theme's or topic's comments (within the current consultation) for coding."""
        consultation = self.coding.comment_filter().consultation_id
        merged = comment_filter.with_(consultation_id=comment_filter.consultation_id
                                      if comment_filter.consultation_id is not None
                                      else consultation)
        self.coding.show_review_queue(False)
        self.coding.set_filter(merged)
        self.setCurrentIndex(self.CODING)
        self.coding.list_view.setFocus()
        self.comments_requested.emit(merged)
