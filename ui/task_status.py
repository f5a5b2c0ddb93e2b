"""The status-bar end of the task runner: what is running, how far it got, and Cancel.

The window asks `run(fn, description, on_done)`; the widgets show only while work runs, and
the result goes to `on_done` on the GUI thread. Failures go to the `failed` signal of the
runner as one line, for the window to show.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QStatusBar

from ui.tasks import TaskFn, TaskRunner

_STEPS = 1000


class TaskStatus:
    """Binds one `TaskRunner` to a label, a progress bar and a Cancel button in a status bar."""

    def __init__(self, runner: TaskRunner, bar: QStatusBar) -> None:
        self.runner = runner
        self._on_done: Callable[[object], None] | None = None
        self._bar = bar
        self._cancel_note: str | None = None
        self.label = QLabel(bar)
        self.progress_bar = QProgressBar(bar)
        self.progress_bar.setRange(0, _STEPS)
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setAccessibleName("Progress")
        self.cancel_button = QPushButton("Cancel", bar)
        self.cancel_button.setAccessibleName("Cancel the running task")
        self.cancel_button.setToolTip("Stop; anything half done is rolled back")
        self.cancel_button.clicked.connect(runner.cancel)
        for widget in self.widgets():
            bar.addPermanentWidget(widget)
            widget.hide()
        runner.started.connect(self._started)
        runner.progress.connect(self._progress)
        runner.running_changed.connect(self._running)
        runner.finished.connect(self._finished)
        runner.cancelled.connect(self._cancelled)

    def widgets(self) -> tuple:
        return self.label, self.progress_bar, self.cancel_button

    def run(self, fn: TaskFn, description: str,
            on_done: Callable[[object], None] | None = None) -> None:
        """Run `fn(progress, cancelled)` in the worker; hand its result to `on_done`."""
        self._on_done = on_done
        self.runner.start(fn, description)

    def cancel(self, note: str) -> None:
        """Cancel the running task for a reason of the window's, told in `note`: a task stopped
        because its project closed was not cancelled by the officer, and a bare "Cancelled" in
        the next project's status bar would read as something of that project's."""
        self._cancel_note = note
        self.runner.cancel()

    def _cancelled(self) -> None:
        note, self._cancel_note = self._cancel_note, None
        self._bar.showMessage(note or "Cancelled", 8000 if note else 5000)

    def _started(self, description: str) -> None:
        self._cancel_note = None
        self.label.setText(description)
        self.progress_bar.setValue(0)

    def _progress(self, fraction: float, message: str) -> None:
        self.progress_bar.setValue(round(fraction * _STEPS))
        if message:
            self.label.setText(message)

    def _running(self, running: bool) -> None:
        for widget in self.widgets():
            widget.setVisible(running)

    def _finished(self, result: object) -> None:
        callback, self._on_done = self._on_done, None
        if callback is not None:
            callback(result)
