"""`CoproductionWidget`: dashboard, activity register, "you said, we did" and places as tabs.

It owns no data: each tab reads the core and writes through it. Writes made in any tab are
announced on `changed` (for the main window to broadcast) and applied to the other tabs at
once, so the widget is consistent even before the main window is wired to it. Click-throughs
between tabs (a dashboard cell to its activities, an action to its activities) stay inside;
comments go out on `comments_requested` for the main window's comment browser.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QTabWidget, QWidget

from engage.changes import Changes
from engage.project import Project
from ui.coproduction.actions_view import ActionsView
from ui.coproduction.dashboard_view import DashboardView
from ui.coproduction.places_view import PlacesView
from ui.coproduction.register_view import RegisterView


class CoproductionWidget(QTabWidget):
    changed = Signal(object)               # Changes from a write made in this widget
    comments_requested = Signal(object)    # engage.browse.CommentFilter

    DASHBOARD, REGISTER, ACTIONS, PLACES = range(4)

    def __init__(self, project: Project | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CoproductionWidget")
        self.setDocumentMode(True)
        self.project = project
        self._echo: Changes | None = None
        self.dashboard = DashboardView(project, self)
        self.register = RegisterView(project, self)
        self.actions_view = ActionsView(project, self)
        self.places = PlacesView(project, self)
        self.addTab(self.dashboard, "Dashboard")
        self.addTab(self.register, "Activities")
        self.addTab(self.actions_view, "You said, we did")
        self.addTab(self.places, "Places")
        for view in (self.register, self.actions_view, self.places):
            view.changed.connect(self._changed_here)
        self.dashboard.activities_requested.connect(self.show_activities)
        self.actions_view.activities_requested.connect(self.show_activities)
        self.dashboard.actions_requested.connect(self.show_actions)
        self.dashboard.comments_requested.connect(
            lambda comment_filter, _label: self.comments_requested.emit(comment_filter))
        self.actions_view.comments_requested.connect(self.comments_requested)

    def set_project(self, project: Project | None) -> None:
        self.project = project
        for view in self.views():
            view.set_project(project)

    def views(self):
        return (self.dashboard, self.register, self.actions_view, self.places)

    def on_changes(self, changes: Changes) -> None:
        """Refresh what a write (here or anywhere in the app) changed."""
        if self.project is None or not changes.any() or changes is self._echo:
            return
        for view in self.views():
            view.on_changes(changes)

    def _changed_here(self, changes: Changes) -> None:
        """Refresh every tab now; skip the same record if the main window echoes it back."""
        self.on_changes(changes)
        self._echo = changes
        try:
            self.changed.emit(changes)
        finally:
            self._echo = None

    def show_activities(self, ids, label: str = "") -> None:
        self.register.show_activities(tuple(ids), label)
        self.setCurrentIndex(self.REGISTER)

    def show_actions(self, ids, label: str = "") -> None:
        self.actions_view.show_actions(tuple(ids), label)
        self.setCurrentIndex(self.ACTIONS)
