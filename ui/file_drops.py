"""Files dropped on the window: a project opens; a survey export starts the import wizard on it.

A dropped file goes through exactly the checks of File → Open and of the wizard's Browse…
(`MainWindow.open_project`, `FilePage.set_path` → `read_table`), so it is refused in the same
one line as on the command line — a zip bomb, a damaged project, a file of the wrong kind.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject

from engage.errors import one_line
from engage.project import PROJECT_SUFFIX


class FileDrops(QObject):
    """Accepts drops of local files on a `MainWindow` (an event filter, so the window's own
    code stays as it is)."""

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        window.setAcceptDrops(True)
        window.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove):
            if dropped_paths(event):
                event.acceptProposedAction()
                return True
        elif kind == QEvent.Type.Drop:
            paths = dropped_paths(event)
            if paths:
                event.acceptProposedAction()
                self.open(paths[0])
                return True
        return super().eventFilter(watched, event)

    def open(self, path: Path) -> None:
        """A project opens; anything else is offered to the import wizard, which checks it."""
        window = self.window
        if path.suffix.lower() == PROJECT_SUFFIX:
            window.open_project(path)
            return
        if window.project is None:
            window.show_error("Cannot import", f"{one_line(path.name)}: open or create a "
                                               "project first, then drop the file on it")
            return
        window.import_file()
        wizard = getattr(window, "_wizard", None)
        if wizard is not None:
            wizard.file_page.set_path(path)


def dropped_paths(event) -> list[Path]:
    mime = event.mimeData() if hasattr(event, "mimeData") else None
    if mime is None or not mime.hasUrls():
        return []
    return [Path(url.toLocalFile()) for url in mime.urls() if url.isLocalFile()]
