"""Running core functions off the GUI thread.

Core functions take `progress(fraction, message)` and `cancelled()`; this adapts them to Qt
signals. One worker at a time per runner: starting a new task cancels the one running, and
results of a superseded run are dropped (Orange's TaskState pattern). Tasks never touch
widgets, and a task that needs the project opens its own connection.
"""

from __future__ import annotations

import logging
import threading
import traceback
import weakref
from collections.abc import Callable
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from engage.errors import EngageError
from engage.progress import Cancelled

log = logging.getLogger(__name__)

TaskFn = Callable[[Callable[[float, str], None], Callable[[], bool]], Any]


class _Signals(QObject):
    progress = Signal(int, float, str)
    done = Signal(int, object)
    failed = Signal(int, str)
    cancelled = Signal(int)


class _Job(QRunnable):
    def __init__(self, token: int, fn: TaskFn, signals: _Signals, stop: threading.Event) -> None:
        super().__init__()
        self.token, self.fn, self.signals, self.stop = token, fn, signals, stop
        self.setAutoDelete(True)

    def run(self) -> None:
        try:
            self._run()
        except RuntimeError:
            # The runner (and its signal object) was destroyed while this job ran, e.g. its
            # window closed: there is no one left to tell, and Qt's pool must not see it.
            log.debug("task finished after its runner was deleted")

    def _run(self) -> None:
        emit = self.signals

        def progress(fraction: float, message: str) -> None:
            if self.stop.is_set():
                raise Cancelled("Cancelled by the user")
            emit.progress.emit(self.token, fraction, message)

        try:
            result = self.fn(progress, self.stop.is_set)
        except Cancelled:
            emit.cancelled.emit(self.token)
        except EngageError as exc:
            emit.failed.emit(self.token, str(exc))
        except Exception as exc:  # noqa: BLE001 - never a traceback dialog; log it instead
            log.error("task failed:\n%s", traceback.format_exc())
            emit.failed.emit(self.token, f"Something went wrong: {exc.__class__.__name__}: {exc}. "
                                         "Nothing was changed by the unfinished step.")
        else:
            if self.stop.is_set():
                emit.cancelled.emit(self.token)
            else:
                emit.done.emit(self.token, result)


#: Every runner alive, so the app (and the tests) can wait for all background work at once.
_RUNNERS: weakref.WeakSet = weakref.WeakSet()


def wait_for_all(msecs: int = 10_000) -> bool:
    """Cancel every runner's task and wait for the workers to stop; False if one is stuck."""
    # A runner whose widget is gone has had its pool deleted, which waited for its worker.
    runners = [runner for runner in list(_RUNNERS) if shiboken6.isValid(runner)]
    for runner in runners:
        runner.cancel()
    return all(runner.wait(msecs) for runner in runners if shiboken6.isValid(runner))


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
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(1)
        self._signals = _Signals(self)
        self._signals.progress.connect(self._on_progress)
        self._signals.done.connect(self._on_done)
        self._signals.failed.connect(self._on_failed)
        self._signals.cancelled.connect(self._on_cancelled)
        self._token = 0
        self._stop: threading.Event | None = None
        self.description = ""
        _RUNNERS.add(self)

    def start(self, fn: TaskFn, description: str = "") -> None:
        """Run `fn(progress, cancelled)` in the worker; any task still running is cancelled."""
        self.cancel()
        self._token += 1
        self._stop = threading.Event()
        self.description = description
        self.running_changed.emit(True)
        self.started.emit(description)
        self._pool.start(_Job(self._token, fn, self._signals, self._stop))

    def cancel(self) -> None:
        if self._stop is not None:
            self._stop.set()

    def is_running(self) -> bool:
        return self._stop is not None and not self._stop.is_set()

    def wait(self, msecs: int = -1) -> bool:
        return self._pool.waitForDone(msecs)

    def _current(self, token: int) -> bool:
        return token == self._token

    def _finish(self) -> None:
        self._stop = None
        self.running_changed.emit(False)

    def _on_progress(self, token: int, fraction: float, message: str) -> None:
        if self._current(token) and self._stop is not None and not self._stop.is_set():
            self.progress.emit(fraction, message)

    def _on_done(self, token: int, result: object) -> None:
        if self._current(token):
            self._finish()
            self.finished.emit(result)

    def _on_failed(self, token: int, message: str) -> None:
        if self._current(token):
            self._finish()
            self.failed.emit(message)

    def _on_cancelled(self, token: int) -> None:
        if self._current(token):
            self._finish()
            self.cancelled.emit()
