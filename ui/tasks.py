"""Running core functions off the GUI thread.

Core functions take `progress(fraction, message)` and `cancelled()`; this adapts them to Qt
signals. One task at a time per runner: starting a new task cancels the one running (the new
one waits for it to wind down), and results of a superseded run are dropped (Orange's
TaskState pattern). Tasks never touch widgets, and a task that needs the project opens its own
connection.

Why plain Python threads and a polled inbox rather than a QThreadPool with a QRunnable that
emits signals: the worker then touches no Qt object at all — not a runnable, not a signal
object, not a wrapper that Qt may delete in the worker thread or that the GUI thread's garbage
collector may reach while the worker uses it. Everything Qt happens on the GUI thread, when a
timer drains what the workers posted. The function itself is released on the GUI thread too,
after its thread has ended, so no closure's last reference dies in a worker.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
import traceback
import weakref
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal

from engage.errors import EngageError
from engage.progress import Cancelled

log = logging.getLogger(__name__)

TaskFn = Callable[[Callable[[float, str], None], Callable[[], bool]], Any]

#: How often the GUI thread collects what workers posted (ms): fast enough to feel immediate.
POLL_MS = 15
#: Every worker thread's name starts with this, so any of them can be found while it lives.
THREAD_PREFIX = "engage-task-"


def workers_alive() -> int:
    """How many workers are running or winding down, superseded ones included."""
    return sum(1 for thread in threading.enumerate() if thread.name.startswith(THREAD_PREFIX))


def _work(token: int, fn: TaskFn, stop: threading.Event, post: Callable[[tuple], None],
          previous: threading.Thread | None) -> None:
    """The worker's whole life: wait for the task it supersedes, run, post one outcome."""
    if previous is not None:
        previous.join()

    def progress(fraction: float, message: str) -> None:
        if stop.is_set():
            raise Cancelled("Cancelled by the user")
        post(("progress", token, fraction, message))

    try:
        if stop.is_set():
            raise Cancelled("Cancelled before it started")
        result = fn(progress, stop.is_set)
    except Cancelled:
        post(("cancelled", token))
    except EngageError as exc:
        post(("failed", token, str(exc)))
    except Exception as exc:  # noqa: BLE001 - never a traceback dialog; log it instead
        log.error("task failed:\n%s", traceback.format_exc())
        post(("failed", token, f"Something went wrong: {exc.__class__.__name__}: {exc}. "
                               "Nothing was changed by the unfinished step."))
    else:
        post(("cancelled", token) if stop.is_set() else ("done", token, result))


#: Every runner alive, so the app (and the tests) can wait for all background work at once.
_RUNNERS: weakref.WeakSet = weakref.WeakSet()


def wait_for_all(msecs: int = 10_000) -> bool:
    """Cancel every runner's task and wait for the workers to stop; False if one is stuck."""
    runners = [runner for runner in list(_RUNNERS) if shiboken6.isValid(runner)]
    for runner in runners:
        runner.cancel()
    return all(runner.wait(msecs) for runner in runners)


class TaskRunner(QObject):
    """Runs one core function at a time in a worker thread and reports through signals."""

    started = Signal(str)
    progress = Signal(float, str)
    finished = Signal(object)
    failed = Signal(str)
    cancelled = Signal()
    running_changed = Signal(bool)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._inbox: queue.SimpleQueue = queue.SimpleQueue()
        self._workers: list[tuple[threading.Thread, TaskFn, threading.Event]] = []
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._drain)
        self._token = 0
        self._stop: threading.Event | None = None
        self.description = ""
        # A runner whose widget is destroyed stops its worker: nobody is left to tell.
        workers = self._workers
        self.destroyed.connect(lambda *_: [stop.set() for _, _, stop in workers])
        _RUNNERS.add(self)

    def start(self, fn: TaskFn, description: str = "") -> None:
        """Run `fn(progress, cancelled)` in a worker; any task still running is cancelled."""
        self.cancel()
        self._token += 1
        self._stop = stop = threading.Event()
        self.description = description
        self.running_changed.emit(True)
        self.started.emit(description)
        previous = self._workers[-1][0] if self._workers else None
        thread = threading.Thread(
            target=_work, args=(self._token, fn, stop, self._inbox.put, previous),
            name=f"{THREAD_PREFIX}{self._token}", daemon=True)
        self._workers.append((thread, fn, stop))
        thread.start()
        self._timer.start()

    def cancel(self) -> None:
        if self._stop is not None:
            self._stop.set()

    def is_running(self) -> bool:
        return self._stop is not None and not self._stop.is_set()

    def wait(self, msecs: int = -1) -> bool:
        """Wait for every worker to end (all of them, if `msecs` is negative); True if none is
        left. What they posted is delivered at the next drain."""
        deadline = None if msecs < 0 else time.monotonic() + msecs / 1000
        for thread, _, _ in list(self._workers):
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread, _, _ in self._workers)

    # ----- the GUI thread's side -------------------------------------------------------------
    def _drain(self) -> None:
        while True:
            try:
                message = self._inbox.get_nowait()
            except queue.Empty:
                break
            self._deliver(*message)
        # Release finished workers' functions here, on the GUI thread, once their threads end.
        self._workers[:] = [w for w in self._workers if w[0].is_alive()]
        if not self._workers and self._inbox.empty():
            self._timer.stop()

    def _deliver(self, kind: str, token: int, *payload) -> None:
        if token != self._token:
            return  # a superseded run: its news is stale
        if kind == "progress":
            if self._stop is not None and not self._stop.is_set():
                self.progress.emit(*payload)
            return
        self._stop = None
        self.running_changed.emit(False)
        if kind == "done":
            self.finished.emit(payload[0])
        elif kind == "failed":
            self.failed.emit(payload[0])
        else:
            self.cancelled.emit()
