"""The analysis tabs beside the comment list, wired once so the main window stays small.

Each view has `set_project` and `on_changes`, and asks for "the comments behind this" with a
CommentFilter; this fans the window's project, consultation, filter and changes out to them
and funnels their requests and writes back through two signals.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QScrollArea, QTabWidget, QWidget

from engage.browse import CommentFilter
from engage.changes import Changes
from engage.project import Project
from ui.workbench.coding_tabs import CodingTabs
from ui.workbench.compare import CompareWidget
from ui.workbench.overview import OverviewWidget
from ui.workbench.wordcloud_view import WordCloudWidget


def scrolling(widget: QWidget) -> QScrollArea:
    """A tab that scrolls rather than forcing the window wider than a small laptop screen."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    area.setWidget(widget)
    return area


class AnalysisViews(QObject):
    comments_requested = Signal(object)  # CommentFilter for the comment list
    changed = Signal(object)             # Changes from writes made in these views

    def __init__(self, tabs: QTabWidget) -> None:
        super().__init__(tabs)
        self.overview = OverviewWidget(None, tabs)
        self.coding = CodingTabs(tabs)
        self.word_cloud = WordCloudWidget(None, tabs)
        self.compare = CompareWidget(None, tabs)
        tabs.addTab(scrolling(self.overview), "&Overview")
        tabs.addTab(scrolling(self.coding), "Co&ding")
        tabs.addTab(scrolling(self.word_cloud), "&Word cloud")
        tabs.addTab(scrolling(self.compare), "Co&mpare")
        for view in (self.overview, self.word_cloud, self.compare):
            view.filter_requested.connect(self.comments_requested)
        self.coding.changed.connect(self.changed)

    def views(self):
        return (self.overview, self.coding, self.word_cloud, self.compare)

    def undo_actions(self):
        """Undo and redo of coding actions, for the window's Edit menu."""
        return self.coding.session.actions()

    def set_project(self, project: Project | None) -> None:
        for view in self.views():
            view.set_project(project)

    def on_changes(self, changes: Changes) -> None:
        for view in self.views():
            view.on_changes(changes)

    def set_consultation(self, consultation_id: int | None) -> None:
        self.overview.set_consultation(consultation_id)
        self.compare.set_consultation(consultation_id)

    def set_filter(self, comment_filter: CommentFilter) -> None:
        self.word_cloud.set_filter(comment_filter)
        self.coding.set_filter(comment_filter)

    def shut_down(self) -> None:
        """Stop background work before the window goes (each view has its own runners)."""
        self.coding.shut_down()
        for view in (self.overview, self.word_cloud, self.compare):
            for runner in (getattr(view, "tasks", None), getattr(view, "lookups", None)):
                if runner is not None:
                    runner.cancel()
                    runner.wait(5000)
