"""The Analysis menu: analyse comments, write a report, export coded data.

Analysis runs on the window's task runner (progress and Cancel in the status bar) with its own
project connection; when it lands, the window broadcasts what changed so every view refreshes.
An import starts an analysis by itself, so new comments arrive with themes and sentiment.

The fast pass answers first; the accurate pass (``engage.analysis.pipeline.refine_project``)
then runs as its own cancellable task — "Refining with the accurate model… 41%" — and every
number updates in place when it lands. A project opened with comments the accurate model has
not coded yet (a pass cancelled or cut short) resumes it: vectors already encoded are kept.

An analysis belongs to the project it started on. Closing that project (or opening another,
which closes it) cancels the task through its cancel check, and a result that still arrives
is dropped unless its project is the one open: one project's figures never land in another's
views. The cancelled accurate pass resumes the next time its project is opened.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QKeySequence

REFINING = "Refining with the accurate model…"


class AnalysisActions(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.analyse_action = self._action("&Analyse Comments", self.analyse, "F5",
                                           "Find themes, sentiment, topics and near-duplicates")
        self.report_action = self._action("Consultation &Report…", self.report, "Ctrl+P",
                                          "Write a summary report as DOCX, PDF or HTML")
        self.export_action = self._action("&Export Coded Comments…", self.export, "Ctrl+E",
                                          "Export as CSV, XLSX or REFI-QDA")
        self._dialog = None
        self._working_on: Path | None = None  # the project our running task is for
        self._stopped_note = ""
        # any other task started on the runner, or ours ending, makes the mark stale
        window.tasks.started.connect(self._forget)
        window.tasks.running_changed.connect(lambda running: running or self._forget())

    def _action(self, text: str, slot, shortcut: str, tip: str) -> QAction:
        action = QAction(text, self.window)
        action.setShortcut(QKeySequence(shortcut))
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def add_to(self, menu) -> None:
        menu.addAction(self.analyse_action)
        menu.addSeparator()
        menu.addActions([self.report_action, self.export_action])

    def set_enabled(self, has_project: bool) -> None:
        for action in (self.analyse_action, self.report_action, self.export_action):
            action.setEnabled(has_project)

    # ----- tasks tied to their project ----------------------------------------------------
    def _run(self, path: Path, task, description: str,
             on_done: Callable[[object], None], stopped_note: str) -> None:
        """Run an analysis task of the project at `path`; its result lands only while that
        project is still the one open. `stopped_note` is what the status bar says if the
        project closes first."""
        def landed(result) -> None:
            project = self.window.project
            if project is not None and project.path == path:
                on_done(result)
        self.window.run_task(task, description, landed)
        self._working_on = path  # after run_task: its `started` clears the mark
        self._stopped_note = stopped_note

    def _forget(self, *_args) -> None:
        self._working_on = None

    def working_on(self) -> Path | None:
        """The project whose analysis task is running, or None."""
        return self._working_on

    def stop(self) -> None:
        """The open project is closing: cancel its analysis (its result is dropped)."""
        if self._working_on is not None:
            self.window.task_status.cancel(self._stopped_note)
            self._working_on = None

    def analyse(self) -> None:
        window = self.window
        if window.project is None:
            return
        path = window.project.path

        def task(progress, cancelled):
            from engage.analysis.pipeline import analyse_project

            return analyse_project(path, progress=progress, cancelled=cancelled)

        self._run(path, task, "Analysing comments", self._analysed,
                  f"Stopped analysing {path.name} when it closed; analyse it again (F5) when you "
                  "open it")

    def _analysed(self, result) -> None:
        summary, changes = result
        self.window.apply_changes(changes)
        self.window.statusBar().showMessage(" ".join(summary.lines()[0:2]).replace("  ", " "),
                                            15000)
        self.refine()

    # ----- the accurate pass ---------------------------------------------------------------
    def refine(self) -> None:
        """Start the accurate pass (when its model is installed) as a background task."""
        from engage.nlp.encoder import available

        window = self.window
        if window.project is None or not available():
            return
        path = window.project.path

        def task(progress, cancelled):
            from engage.analysis.pipeline import refine_project

            def shown(fraction: float, _message: str) -> None:
                progress(fraction, f"{REFINING} {int(fraction * 100)}%")

            return refine_project(path, progress=shown, cancelled=cancelled)

        self._run(path, task, f"{REFINING} 0%", self._refined,
                  f"Paused refining {path.name} when it closed; it carries on when you open it "
                  "again")

    def resume(self) -> None:
        """On opening a project: finish an accurate pass that did not complete."""
        from engage.analysis.pipeline import accurate_pending

        window = self.window
        if window.project is None or window.tasks.is_running():
            return
        try:
            pending = accurate_pending(window.project.path)
        except Exception:  # noqa: BLE001 - a project that cannot say simply is not resumed
            return
        if pending:
            self.refine()

    def _refined(self, result) -> None:
        summary, changes = result
        self.window.apply_changes(changes)
        self.window.statusBar().showMessage(
            f"Refined {summary.comments:,} comments with the accurate model", 15000)

    def report(self) -> None:
        from ui.report_dialog import ReportDialog

        self._open(ReportDialog)

    def export(self) -> None:
        from ui.report_dialog import ExportDialog

        self._open(ExportDialog)

    def _open(self, dialog_class) -> None:
        window = self.window
        if window.project is None:
            return
        if self._dialog is not None:
            self._dialog.deleteLater()
        self._dialog = dialog_class(window.project, window.current_filter(), window)
        self._dialog.open()
