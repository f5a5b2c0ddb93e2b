"""The main window: navigator on the left, comments in the middle, details on the right.

The window owns the GUI thread's connection to the open project and one task runner for long
work. Views never poke each other: after a write the window broadcasts the `Changes` record on
`changed`, and each view looks at the flags it cares about.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable
from pathlib import Path

from platformdirs import user_data_dir
from PySide6.QtCore import (
    QByteArray,
    QItemSelectionModel,
    QModelIndex,
    QSettings,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from engage.browse import CommentFilter, count_comments, describe_filter
from engage.changes import Changes
from engage.errors import EngageError
from engage.project import PROJECT_SUFFIX, Project
from engage.settings import Settings, settings_path
from ui import comment_model as cm
from ui import officer
from ui.analysis_actions import AnalysisActions
from ui.comment_table import CommentTable
from ui.coproduction import CoproductionWidget
from ui.detail_pane import DetailPane
from ui.drilldown import DrilldownBar, merge
from ui.file_drops import FileDrops
from ui.filter_bar import FilterBar
from ui.navigator import Navigator
from ui.recent_projects import RecentProjects
from ui.task_status import TaskStatus
from ui.tasks import TaskFn, TaskRunner
from ui.team import TeamActions
from ui.views import AnalysisViews, scrolling
from ui.welcome import WelcomePage
from ui.workbench.coding_actions import set_kinds

APP_NAME = "Engage"
EMPTY_PROJECT_HINT = ("This project has no comments yet. Import a survey export: "
                      "File → Import… (Ctrl+I).")
FILE_FILTER = f"Engage projects (*{PROJECT_SUFFIX});;All files (*)"


def default_sample_path() -> Path:
    return Path(user_data_dir("engage", appauthor=False)) / f"sample{PROJECT_SUFFIX}"


class MainWindow(QMainWindow):
    changed = Signal(object)  # engage.changes.Changes, after any write

    def __init__(self, settings: Settings | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings if settings is not None else Settings.load()
        self.project: Project | None = None
        self.sample_path = default_sample_path()
        self.tasks = TaskRunner(self)
        self.analysis = AnalysisActions(self)
        self._total = 0
        self._wizard = None
        self._size_docks = False
        self._table_stale = False
        self.officer = officer.OfficerName(self)
        self.file_drops = FileDrops(self)  # dropped projects and survey files
        self.setObjectName("MainWindow")
        self._build_views()
        self._build_status_bar()
        self._build_menus()
        self._connect()
        self._restore_layout()

    # ----- building ------------------------------------------------------------------------
    def _build_views(self) -> None:
        self.filter_bar = FilterBar(self)
        self.model = cm.CommentTableModel(None, self, page_size=self.settings.page_size or 200)
        self.table = CommentTable(self.model, self)

        browser = QWidget(self)
        layout = QVBoxLayout(browser)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.filter_bar)
        self.drilldown = DrilldownBar(browser)
        layout.addWidget(self.drilldown)
        layout.addWidget(self.table)
        QWidget.setTabOrder(self.filter_bar.clear_button, self.table)

        self.welcome = WelcomePage(self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.welcome)
        self.coproduction = CoproductionWidget(None, self)
        self.tabs = QTabWidget(self)
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(browser, "&Comments")
        self.views = AnalysisViews(self.tabs)
        self.tabs.addTab(scrolling(self.coproduction), "Co-&production")
        self.stack.addWidget(self.tabs)
        self.setCentralWidget(self.stack)

        self.navigator = Navigator(self)
        self.detail = DetailPane(self)
        self.navigator_dock = self._dock("Consultations", "navigatorDock", self.navigator,
                                         Qt.DockWidgetArea.LeftDockWidgetArea)
        self.detail_dock = self._dock("Comment", "detailDock", self.detail,
                                      Qt.DockWidgetArea.RightDockWidgetArea)

    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        dock.setAccessibleName(title)
        dock.setMinimumWidth(180)
        self.addDockWidget(area, dock)
        return dock

    def _build_status_bar(self) -> None:
        bar = self.statusBar()
        self.count_label = QLabel(self)
        self.count_label.setAccessibleName("Comment count")
        bar.addWidget(self.count_label, 1)
        self.task_status = TaskStatus(self.tasks, bar)
        bar.addPermanentWidget(self.officer.label)
        self.progress_bar = self.task_status.progress_bar
        self.cancel_button = self.task_status.cancel_button

    def _action(self, text: str, slot, shortcut=None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        if tip:
            action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def _build_menus(self) -> None:
        menus = self.menuBar()
        file_menu = menus.addMenu("&File")
        self.new_action = self._action("&New Project…", self.new_project,
                                       QKeySequence.StandardKey.New, "Create an empty project file")
        self.open_action = self._action("&Open Project…", self.open_project_dialog,
                                        QKeySequence.StandardKey.Open, "Open a project file")
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent = RecentProjects(
            self.settings, self.recent_menu, self.open_project, self._on_recent_changed,
            lambda message: self.statusBar().showMessage(message, 5000))
        self.sample_action = self._action("Open &Sample Project", self.open_sample_project,
                                          tip="Open the Big Ask-style sample project")
        self.import_action = self._action("&Import…", self.import_file, "Ctrl+I",
                                          "Import a survey export into this project")
        self.close_action = self._action("&Close Project", self.close_project,
                                         QKeySequence.StandardKey.Close)
        self.quit_action = self._action("&Quit", self.close, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        file_menu.insertActions(self.recent_menu.menuAction(), [self.new_action, self.open_action])
        file_menu.addAction(self.sample_action)
        file_menu.addSeparator()
        file_menu.addAction(self.import_action)
        file_menu.addSeparator()
        self.team = TeamActions(self)
        self.team.add_to(file_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.close_action)
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)

        edit_menu = menus.addMenu("&Edit")
        self.find_action = self._action("&Find…", self.filter_bar.focus_search,
                                        QKeySequence.StandardKey.Find, "Search the comments")
        self.clear_filters_action = self._action("C&lear Search and Filters",
                                                 self.filter_bar.clear, "Ctrl+Shift+L",
                                                 "Show every comment again (also ends a "
                                                 "drill-down from another view)")
        edit_menu.addActions(self.views.undo_actions())
        edit_menu.addSeparator()
        edit_menu.addActions([self.find_action, self.clear_filters_action])
        edit_menu.addSeparator()
        edit_menu.addAction(self.officer.action)

        self.analysis.add_to(menus.addMenu("&Analysis"))

        view_menu = menus.addMenu("&View")
        view_menu.addAction(self.navigator_dock.toggleViewAction())
        view_menu.addAction(self.detail_dock.toggleViewAction())
        view_menu.addSeparator()
        view_menu.addAction(self._action("Go to &Navigator", self._focus(self.navigator), "Ctrl+1"))
        view_menu.addAction(self._action("Go to &Comments", self._focus(self.table), "Ctrl+2"))
        view_menu.addAction(self._action("Go to &Details", self._focus(self.detail), "Ctrl+3"))

        help_menu = menus.addMenu("&Help")
        help_menu.addAction(self._action("&About Engage", self.show_about))
        help_menu.addAction(self._action("About &Qt", QApplication.aboutQt))

    def _focus(self, widget: QWidget) -> Callable[[], None]:
        def focus() -> None:
            for dock in (self.navigator_dock, self.detail_dock):
                if dock.widget() is widget:
                    dock.show()
            widget.setFocus(Qt.FocusReason.ShortcutFocusReason)
        return focus

    def _connect(self) -> None:
        self.welcome.new_requested.connect(self.new_project)
        self.welcome.open_requested.connect(self.open_project_dialog)
        self.welcome.sample_requested.connect(self.open_sample_project)
        self.welcome.recent_requested.connect(lambda path: self.open_project(path))
        self.navigator.selection_changed.connect(self._on_navigator)
        self.filter_bar.filter_changed.connect(self.apply_filter)
        self.filter_bar.clearing.connect(self.drilldown.reset)  # Clear means everything
        self.drilldown.changed.connect(self.apply_filter)
        # The docks serve the comment list; other tabs get the whole width.
        self.tabs.currentChanged.connect(self._on_tab)
        self.coproduction.changed.connect(self.apply_changes)
        self.coproduction.comments_requested.connect(self.show_comments)
        self.changed.connect(self.coproduction.on_changes)
        self.views.comments_requested.connect(self.show_comments)
        self.views.changed.connect(self.apply_changes)
        self.views.coding.session.before_decision = self.officer.ensure
        self.changed.connect(self.views.on_changes)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.changed.connect(self.navigator.on_changes)
        self.changed.connect(self.filter_bar.on_changes)
        self.changed.connect(self.detail.on_changes)
        self.detail.kind_chosen.connect(  # the coding session's command: audited, undoable
            lambda cid, kind: set_kinds(self.views.coding.session, [cid], kind))
        self.changed.connect(self._on_changes)
        self.tasks.running_changed.connect(self._on_task_running)
        self.tasks.failed.connect(lambda message: self.show_error("The task did not finish",
                                                                  message))

    # ----- projects ------------------------------------------------------------------------
    def open_project(self, path: str | Path) -> bool:
        """Open a project file; on failure say why and keep what was open."""
        path = Path(path)
        try:
            project = Project.open(path, user=self.officer.name())
        except EngageError as exc:
            self.show_error("Cannot open the project", str(exc))
            if not path.exists():
                self.recent.forget(path)
            return False
        self.close_project()
        self.project = project
        self.recent.add(path)
        self.drilldown.filter = None
        self.drilldown.hide()
        self.coproduction.set_project(project)
        self.views.set_project(project)
        self._total = count_comments(project, CommentFilter())
        for view in (self.filter_bar, self.detail, self.model):
            view.set_project(project)
        self.navigator.set_project(project)  # "All comments" current, quietly
        self.apply_filter()
        self.stack.setCurrentIndex(1)
        self._update_title()
        self._update_actions()
        self.analysis.resume()  # an accurate pass left unfinished carries on
        return True

    def show_overview(self) -> None:
        """The tab a first look starts on: the whole consultation, every number clickable."""
        self.tabs.setCurrentWidget(self.views.overview.parentWidget().parentWidget())

    def close_project(self) -> None:
        if self.project is None:
            return
        self.analysis.stop()  # its analysis has nothing to say to the next project
        for view in (self.navigator, self.filter_bar, self.detail, self.model,
                     self.coproduction, self.views):
            view.set_project(None)
        self.project.close()
        self.project = None
        self._total = 0
        self._show_welcome()

    def new_project(self, path: str | Path | None = None) -> bool:
        if path is None:
            chosen, _ = QFileDialog.getSaveFileName(self, "New project", self.recent.folder(),
                                                    FILE_FILTER)
            if not chosen:
                return False
            path = chosen if chosen.endswith(PROJECT_SUFFIX) else chosen + PROJECT_SUFFIX
        if self.project is not None and self.project.path.resolve() == Path(path).resolve():
            self.close_project()  # replacing the open file: let go of it first
        try:  # the save dialog has already asked before replacing a file
            Project.create(path, overwrite=True).close()
        except EngageError as exc:
            self.show_error("Cannot create the project", str(exc))
            return False
        return self.open_project(path)

    def open_project_dialog(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(self, "Open project", self.recent.folder(),
                                                FILE_FILTER)
        if chosen:
            self.open_project(chosen)

    def open_sample_project(self) -> None:
        """Open the sample, building it in the background the first time."""
        path = self.sample_path
        if path.exists():
            if self.open_project(path):
                self.show_overview()
            return

        def built(result) -> None:
            if self.open_project(result):
                self.show_overview()
        self.run_task(lambda progress, cancelled: build_sample(path, progress, cancelled),
                      "Building the sample project", built)

    def import_file(self) -> None:
        if self.project is None:
            self.show_info("Import", "Open or create a project first, then import into it.")
            return
        try:
            from ui.import_wizard import ImportWizard
        except ModuleNotFoundError as exc:
            if exc.name != "ui.import_wizard":
                raise
            self.show_info("Import", "Import is not available in this build.")
            return
        self.officer.ensure()  # the import is the first thing the audit records
        self._wizard = ImportWizard(self.project.path, self)
        self._wizard.imported.connect(self.apply_changes)
        self._wizard.imported.connect(lambda _changes: self.analysis.analyse())
        self._wizard.open()

    # ----- changes and filtering -----------------------------------------------------------
    def apply_changes(self, changes: Changes) -> None:
        """Tell every view what a write changed; each decides whether to refresh."""
        if changes.any():
            self.changed.emit(changes)

    def _on_changes(self, changes: Changes) -> None:
        if self.project is None:
            return
        if changes.comments or changes.respondents or changes.questions:
            self._total = count_comments(self.project, CommentFilter())
            self.apply_filter(keep_current=True)  # the views re-read in their own on_changes
        elif changes.codings or changes.sentiment or changes.taxonomy or changes.places:
            # Themes and sentiment columns (an analysis, a coding decision): re-read the rows,
            # now if the list is in view, else when its tab is shown.
            self._table_stale = True
            if self.tabs.currentIndex() == 0:
                self._refresh_table()

    def _refresh_table(self) -> None:
        """Re-read the comment list's rows in place: same filter, same current comment."""
        self._table_stale = False
        current = self.table.currentIndex()
        self.model.refresh()
        if current.isValid() and current.row() < self.model.rowCount():
            self.table.selectionModel().setCurrentIndex(
                self.model.index(current.row(), cm.COMMENT),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        self._update_counts()

    def _on_tab(self, index: int) -> None:
        self._show_docks(index == 0 and self.project is not None)
        if index == 0 and self._table_stale and self.project is not None:
            self._refresh_table()

    def current_filter(self) -> CommentFilter:
        consultation_id, question_id = self.navigator.current_key()
        base = CommentFilter(consultation_id=consultation_id, question_id=question_id,
                             **self.filter_bar.filter_fields())
        return merge(base, self.drilldown.filter)

    def show_comments(self, drill: CommentFilter) -> None:
        """Show the comments behind a number clicked in any view."""
        if self.project is None:
            return
        self.tabs.setCurrentIndex(0)
        self.drilldown.set_drilldown(drill, describe_filter(self.project, drill))

    def apply_filter(self, keep_current: bool = False) -> None:
        """Show the filter's comments from the first; `keep_current` (after a write): stay on
        the comment that was current if it is still in its row."""
        if self.project is None:
            return
        row, current = self.table.currentIndex().row(), self.detail.comment_id()
        self.model.set_filter(self.current_filter())
        if not keep_current:
            self.views.set_filter(self.current_filter())
        self._update_counts()
        if self.model.rowCount() > 0:
            kept = keep_current and current is not None and row > 0 \
                and self.model.comment_id(row) == current
            self.table.selectionModel().setCurrentIndex(
                self.model.index(row if kept else 0, cm.COMMENT),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        elif self._total == 0:
            self.detail.show_message(EMPTY_PROJECT_HINT)
        else:
            self.detail.show_message("No comments match. Change the search or filters, or "
                                     "clear them with Edit → Clear Search and Filters "
                                     "(Ctrl+Shift+L).")

    def _on_navigator(self, consultation_id: int | None, _question_id: int | None) -> None:
        self.filter_bar.set_consultation(consultation_id)
        self.views.set_consultation(consultation_id)
        self.apply_filter()

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        comment_id = self.model.comment_id(current.row()) if current.isValid() else None
        self.detail.show_comment(comment_id, self.filter_bar.search_text())

    def _update_counts(self) -> None:
        if self.project is None:
            self.count_label.setText("")
            return
        self.count_label.setText(f"Showing {self.model.rowCount():,} of {self._total:,} comments")

    # ----- background work -----------------------------------------------------------------
    def run_task(self, fn: TaskFn, description: str,
                 on_done: Callable[[object], None] | None = None) -> None:
        """Run `fn(progress, cancelled)` off the GUI thread, with progress and Cancel shown."""
        self.task_status.run(fn, description, on_done)

    def _on_task_running(self, running: bool) -> None:
        self.welcome.sample_button.setEnabled(not running)
        self.sample_action.setEnabled(not running)

    # ----- messages ------------------------------------------------------------------------
    def show_error(self, title: str, message: str) -> None:
        """One clear line, never a traceback."""
        QMessageBox.warning(self, title, message)

    def show_info(self, title: str, message: str) -> None:
        QMessageBox.information(self, title, message)

    def show_about(self) -> None:
        QMessageBox.about(self, "About Engage",
                          "<h3>Engage</h3><p>Turns the free-text comments of public engagement "
                          "into evidence for health and care boards: themes, sentiment, who "
                          "said it and where, and what was done about it.</p>"
                          "<p>Everything runs on this computer; nothing is sent anywhere.</p>")

    # ----- window state --------------------------------------------------------------------
    def _show_welcome(self) -> None:
        self.welcome.set_recent(self.recent.existing())
        self.stack.setCurrentIndex(0)
        self._update_counts()
        self._update_title()
        self._update_actions()

    def _update_title(self) -> None:
        self.setWindowTitle(f"{self.project.path.name} — {APP_NAME}" if self.project else APP_NAME)

    def _update_actions(self) -> None:
        has_project = self.project is not None
        for action in (self.import_action, self.close_action, self.find_action,
                       self.clear_filters_action):
            action.setEnabled(has_project)
        self.analysis.set_enabled(has_project)
        self.team.set_enabled(has_project)
        # Only the comment list needs the docks: a new project opened on the Coding tab keeps
        # the whole width for the workbench.
        self._show_docks(has_project and self.tabs.currentIndex() == 0)

    def _show_docks(self, available: bool) -> None:
        """Empty docks beside the welcome page only confuse; hide them, then bring them back."""
        for dock in (self.navigator_dock, self.detail_dock):
            toggle = dock.toggleViewAction()
            if not available and toggle.isEnabled():
                dock.setProperty("wanted", not dock.isHidden())
                dock.hide()
            elif available and not toggle.isEnabled():
                dock.setVisible(dock.property("wanted") is not False)
            toggle.setEnabled(available)
        if available and self._size_docks:
            QTimer.singleShot(0, self._default_dock_sizes)

    def _on_recent_changed(self) -> None:
        if self.project is None:
            self._show_welcome()

    def _qsettings(self) -> QSettings:
        """Window geometry only, beside engage's own settings file."""
        return QSettings(str(settings_path().parent / "window.ini"), QSettings.Format.IniFormat)

    def _restore_layout(self) -> None:
        """Docks and columns as last left, then the welcome page, then the window's size.

        The size comes last: with the docks hidden beside the welcome page the window may be
        narrower than it could be with them.
        """
        store = self._qsettings()
        state, header = store.value("state"), store.value("table_header")
        if isinstance(state, QByteArray):
            self.restoreState(state)
        if isinstance(header, QByteArray):
            self.table.restore_header_state(header)
        self._show_welcome()
        geometry = store.value("geometry")
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            self.resize(1280, 800)
            self._size_docks = True

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._size_docks and self.project is not None:
            QTimer.singleShot(0, self._default_dock_sizes)

    def _default_dock_sizes(self) -> None:
        """First run only: docks take sizes once they are shown in a laid-out window."""
        if not self._size_docks or not self.isVisible():
            return
        self._size_docks = False
        width = max(self.width(), 900)
        self.resizeDocks([self.navigator_dock, self.detail_dock],
                         [max(220, width // 6), max(300, width // 5)], Qt.Orientation.Horizontal)

    def save_layout(self) -> None:
        store = self._qsettings()
        store.setValue("geometry", self.saveGeometry())
        hidden = self.project is None
        self._show_docks(True)  # save the docks as the officer left them, not as hidden
        store.setValue("state", self.saveState())
        self._show_docks(not hidden)
        store.setValue("table_header", self.table.header_state())
        store.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt's name
        self.save_layout()
        self.tasks.cancel()
        self.tasks.wait(5000)
        self.views.shut_down()
        self.close_project()
        super().closeEvent(event)


def build_sample(path: Path, progress, cancelled) -> Path:
    """Build the sample beside its final place and move it in only when complete."""
    from engage.demo import build_demo_project

    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.stem + ".building" + PROJECT_SUFFIX)
    try:
        build_demo_project(partial, progress=progress, cancelled=cancelled)
        os.replace(partial, path)
    finally:
        for suffix in ("", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                Path(str(partial) + suffix).unlink()
    return path
