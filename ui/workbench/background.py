"""Read-only core queries for the workbench views, run off the GUI thread.

Each view owns a `TaskRunner` (one worker; a newer request cancels an older one and its result
is dropped). The task opens its own connection to the project file, as SQLite connections
must not cross threads, and returns plain core records for the view to show.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from engage.progress import Cancelled
from engage.project import Project
from ui import none_guard
from ui.tasks import TaskFn

# Every workbench view imports this module. Under PySide6 6.12 on Python 3.11 each void Qt
# call costs None a reference (see ui.none_guard); the views make many, so guard the process
# here until the application does it at start-up.
none_guard.install()


def with_own_connection(path: Path, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> TaskFn:
    """A task running `fn(project, *args, **kwargs)` on a connection of its own."""
    def task(_progress, cancelled) -> Any:
        with Project.open(path) as project:
            if cancelled():
                raise Cancelled()
            return fn(project, *args, **kwargs)
    return task
