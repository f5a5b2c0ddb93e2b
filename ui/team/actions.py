"""The File menu's team-coding actions.

Share-out, merge and REFI-QDA import run on the window's task runner with their own project
connection (progress and Cancel in the status bar); when a merge lands, the window broadcasts
what changed and, if officers disagreed, offers the Conflicts view.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFileDialog, QMessageBox

from engage.project import Project
from engage.team.workfile import WorkFileError

OLDER_CODEBOOK = "older codebook"


class TeamActions(QObject):
    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self.share_action = self._action("S&hare Out for Coding…", self.share_out,
                                         "Split the comments into work files for colleagues")
        self.merge_action = self._action("&Merge Coding…", self.merge,
                                         "Bring colleagues' coded work files back in")
        self.conflicts_action = self._action("Co&nflicts…", self.show_conflicts,
                                             "Where officers' decisions disagree")
        self.refi_action = self._action("Import &REFI-QDA Project…", self.import_refi,
                                        "Bring codings made in NVivo, ATLAS.ti, MAXQDA or "
                                        "QualCoder back onto the comments")
        self._dialog = None
        self._conflicts = None

    def _action(self, text: str, slot, tip: str) -> QAction:
        action = QAction(text, self.window)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        return action

    def actions(self) -> list[QAction]:
        return [self.share_action, self.merge_action, self.conflicts_action, self.refi_action]

    def add_to(self, menu) -> None:
        menu.addActions(self.actions())

    def set_enabled(self, has_project: bool) -> None:
        for action in self.actions():
            action.setEnabled(has_project)

    # ----- share out -----------------------------------------------------------------------
    def share_out(self) -> None:
        from ui.team.shareout_dialog import ShareOutDialog

        window = self.window
        if window.project is None:
            return
        if self._dialog is not None:
            self._dialog.deleteLater()
        self._dialog = ShareOutDialog(window.project, window)
        self._dialog.accepted.connect(lambda: self._share(self._dialog.request()))
        self._dialog.open()

    def _share(self, request: dict) -> None:
        path = self.window.project.path

        def task(progress, cancelled):
            from engage.team import shareout

            with Project.open(path) as project:
                shares = shareout.plan_shares(project, request["consultation_id"],
                                              request["officers"], request["split"],
                                              overlap=request["overlap"])
                return shareout.share_out(project, request["consultation_id"],
                                          request["folder"], shares, request["split"],
                                          progress=progress, cancelled=cancelled)

        self.window.run_task(task, "Sharing out work files", self._shared)

    def _shared(self, paths) -> None:
        names = "\n".join(f"• {Path(p).name}" for p in paths)
        self.window.show_info("Share Out for Coding",
                              f"Wrote {len(paths)} work files to {Path(paths[0]).parent}:\n"
                              f"{names}\n\nSend each colleague their file; when they send it "
                              "back, use File → Merge Coding….")

    # ----- merge ---------------------------------------------------------------------------
    def merge(self, paths: list[str] | None = None, drop_unmapped: bool = False) -> None:
        window = self.window
        if window.project is None:
            return
        if paths is None:
            paths, _filter = QFileDialog.getOpenFileNames(
                window, "Merge coded work files", str(window.project.path.parent),
                "Engage work files (*.engage)")
        if not paths:
            return
        window.officer.ensure()
        project_path = window.project.path

        def task(progress, cancelled):
            from engage.team import merge

            with Project.open(project_path) as project:
                try:
                    return merge.merge_files(project, paths, drop_unmapped, progress, cancelled)
                except WorkFileError as exc:
                    if OLDER_CODEBOOK in str(exc) and not drop_unmapped:
                        return str(exc)
                    raise

        window.run_task(task, "Merging coding", lambda result: self._merged(result, paths))

    def _merged(self, result, paths) -> None:
        if isinstance(result, str):  # a codebook that cannot be fully mapped: ask
            answer = QMessageBox.question(
                self.window, "Merge Coding", result + ".\n\nMerge the rest, leaving out the "
                "codings of those themes?")
            if answer == QMessageBox.StandardButton.Yes:
                self.merge(paths, drop_unmapped=True)
            return
        self._report(result, "Merge Coding")

    def _report(self, result, title: str) -> None:
        self.window.apply_changes(result.changes)
        lines = "\n".join(f"• {f.summary()}" for f in result.files) or "Nothing to merge."
        if result.conflicts:
            answer = QMessageBox.question(
                self.window, title, f"{lines}\n\n{result.conflicts:,} decisions differ from "
                "what the project holds. Open the Conflicts view to resolve them?")
            if answer == QMessageBox.StandardButton.Yes:
                self.show_conflicts()
        else:
            self.window.show_info(title, lines)

    # ----- conflicts -----------------------------------------------------------------------
    def show_conflicts(self) -> None:
        from ui.team.conflicts_view import ConflictsDialog

        window = self.window
        if window.project is None:
            return
        if self._conflicts is not None:
            self._conflicts.close()
            self._conflicts.deleteLater()
        self._conflicts = ConflictsDialog(window.project, window)
        self._conflicts.changed.connect(window.apply_changes)
        self._conflicts.show()

    # ----- REFI-QDA ------------------------------------------------------------------------
    def import_refi(self) -> None:
        window = self.window
        if window.project is None:
            return
        path, _filter = QFileDialog.getOpenFileName(
            window, "Import a REFI-QDA project", str(window.project.path.parent),
            "REFI-QDA projects (*.qdpx)")
        if not path:
            return
        project_path = window.project.path

        def task(progress, cancelled):
            from engage.team.refiqda_import import import_qdpx

            with Project.open(project_path) as project:
                return import_qdpx(project, path, progress, cancelled)

        window.run_task(task, "Importing REFI-QDA codings",
                        lambda result: self._report(result, "Import REFI-QDA Project"))
