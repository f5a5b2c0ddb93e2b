"""Progress and cancellation for long core functions.

Core functions never see Qt: they take a plain callback and a cancel check, and the UI adapts
them to signals (the pattern Orange uses with its TaskState).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable

ProgressFn = Callable[[float, str], None]
CancelFn = Callable[[], bool]


class Cancelled(Exception):
    """Raised inside a long function when its cancel check says stop; the caller rolls back."""


class Reporter:
    """Throttles progress calls and checks for cancellation at each step.

    Calling the UI for every one of a million rows would cost more than the work itself, so
    updates are sent at most every `interval` seconds (and always at 0 and 1).
    """

    def __init__(
        self,
        progress: ProgressFn | None = None,
        cancelled: CancelFn | None = None,
        interval: float = 0.1,
    ) -> None:
        self._progress = progress
        self._cancelled = cancelled
        self._interval = interval
        self._last = 0.0

    def __call__(self, fraction: float, message: str = "", force: bool = False) -> None:
        self.check()
        if self._progress is None:
            return
        now = time.monotonic()
        if force or fraction <= 0.0 or fraction >= 1.0 or now - self._last >= self._interval:
            self._last = now
            self._progress(max(0.0, min(1.0, fraction)), message)

    def check(self) -> None:
        if self._cancelled is not None and self._cancelled():
            raise Cancelled("Cancelled by the user")

    def span(self, start: float, end: float) -> Reporter:
        """A reporter for one stage that maps its own 0..1 onto [start, end] of this one."""
        parent = self

        def scaled(fraction: float, message: str) -> None:
            parent(start + (end - start) * fraction, message)

        child = Reporter(scaled if self._progress else None, self._cancelled, 0.0)
        return child


def terminal_progress() -> ProgressFn | None:
    """A one-line percentage on stderr for the CLI, or None when stderr is not a terminal
    (a log file or a pipe should get the result, not a stream of carriage returns)."""
    if not sys.stderr.isatty():
        return None

    def show(fraction: float, message: str) -> None:
        sys.stderr.write(f"\r{int(fraction * 100):3d}% {message[:70]:<70}")
        sys.stderr.flush()

    return show


def clear_terminal_progress() -> None:
    """Blank the line ``terminal_progress`` drew, so the summary starts on a clean line."""
    if sys.stderr.isatty():
        sys.stderr.write("\r" + " " * 76 + "\r")
        sys.stderr.flush()
