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
from ui.tasks import TaskFn


def with_own_connection(path: Path, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> TaskFn:
    """A task running `fn(project, *args, **kwargs)` on a connection of its own."""
    def task(_progress, cancelled) -> Any:
        with Project.open(path) as project:
            if cancelled():
                raise Cancelled()
            return fn(project, *args, **kwargs)
    return task
