"""Re-analysis in the background, so the model learns from the officer's codings.

`engage.analysis.pipeline.analyse_project` re-scores every comment; once officers have
reviewed enough comments it learns from them (warm start) while keeping every decision. The
retrainer runs it after every `every` coded comments, or when asked, in its own TaskRunner —
a retrain never cancels an import or a report running in the main window's runner, and the
window never waits for it. Starting again while one runs restarts it (the newer codings win).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from ui.tasks import TaskRunner
from ui.workbench.session import CodingSession

DEFAULT_EVERY = 20


def _analyse(path, consultation_id, progress, cancelled):
    from engage.analysis.pipeline import analyse_project

    return analyse_project(path, consultation_id, progress=progress, cancelled=cancelled)


class Retrainer(QObject):
    """Counts the officer's codings and re-runs the analysis when enough have piled up."""

    due_changed = Signal(int)       # codings still to make before the next automatic run
    started = Signal()
    progress = Signal(float, str)
    finished = Signal(object)       # engage.analysis.pipeline.AnalysisSummary
    failed = Signal(str)
    cancelled = Signal()

    def __init__(self, session: CodingSession, every: int = DEFAULT_EVERY,
                 parent: QObject | None = None) -> None:
        super().__init__(parent or session)
        self.session = session
        self.every = every
        self.automatic = True
        self.consultation_id: int | None = None
        self.pending = 0
        self.last_summary = None
        self.runner = TaskRunner(self)
        self.runner.progress.connect(self.progress)
        self.runner.finished.connect(self._on_finished)
        self.runner.failed.connect(self.failed)
        self.runner.cancelled.connect(self.cancelled)
        session.codings_made.connect(self.note_codings)

    def remaining(self) -> int:
        return max(0, self.every - self.pending)

    def is_running(self) -> bool:
        return self.runner.is_running()

    def note_codings(self, count: int) -> None:
        self.pending += count
        if self.automatic and self.pending >= self.every and not self.is_running():
            self.start()
        else:
            self.due_changed.emit(self.remaining())

    def start(self) -> bool:
        project = self.session.project
        if project is None:
            return False
        path, consultation = project.path, self.consultation_id
        self.pending = 0
        self.due_changed.emit(self.remaining())
        self.runner.start(lambda progress, cancelled: _analyse(path, consultation, progress,
                                                               cancelled),
                          "Re-analysing with your codings")
        self.started.emit()
        return True

    def cancel(self) -> None:
        self.runner.cancel()

    def wait(self, msecs: int = -1) -> bool:
        return self.runner.wait(msecs)

    def _on_finished(self, result) -> None:
        summary, changes = result
        self.last_summary = summary
        self.session.announce(changes)
        self.finished.emit(summary)
        if self.automatic and self.pending >= self.every:  # coded enough meanwhile: again
            self.start()


def summary_line(summary) -> str:
    """'Re-analysed 6,199 comments in 9.8 s (learning 1.2 s) from 40 reviewed comments'."""
    learning = summary.stages.get("officer model")
    taught = [f"{n:,} {what}" for n, what in (
        (summary.officer_examples, "reviewed comments"),
        (summary.officer_sentiments, "sentiments you set")) if n]
    learnt = (" from " + " and ".join(taught) if taught
              else " (not enough reviewed comments to learn from)")
    timing = f" (learning {learning:.1f} s)" if learning and taught else ""
    return f"Re-analysed {summary.comments:,} comments in {summary.seconds:.1f} s{timing}{learnt}"


class RetrainBar(QWidget):
    """'Retrain now', progress and Cancel for a Retrainer; a line saying what happened."""

    def __init__(self, retrainer: Retrainer, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.retrainer = retrainer
        self.button = QPushButton("Retrain now", self)
        self.button.setToolTip("Re-analyse every comment, learning from your codings "
                               "(Ctrl+Shift+R). Your decisions are always kept.")
        self.button.setAccessibleName("Retrain now")
        self.progress_bar = QProgressBar(self)
        self.progress_bar.setRange(0, 1000)
        self.progress_bar.setMaximumWidth(180)
        self.progress_bar.setAccessibleName("Retraining progress")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setAccessibleName("Cancel retraining")
        self.message = QLabel(self)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.button, self.progress_bar, self.cancel_button, self.message):
            layout.addWidget(widget)
        self.button.clicked.connect(retrainer.start)
        self.cancel_button.clicked.connect(retrainer.cancel)
        retrainer.started.connect(lambda: self._running(True))
        retrainer.progress.connect(self._on_progress)
        retrainer.finished.connect(lambda s: self._done(summary_line(s)))
        retrainer.failed.connect(lambda m: self._done(m))
        retrainer.cancelled.connect(lambda: self._done("Retraining cancelled; nothing changed"))
        retrainer.due_changed.connect(self._on_due)
        self._running(False)
        self._on_due(retrainer.remaining())

    def _running(self, running: bool) -> None:
        self.progress_bar.setVisible(running)
        self.cancel_button.setVisible(running)
        self.button.setEnabled(not running)
        if running:
            self.progress_bar.setValue(0)
            self.message.setText("Re-analysing…")

    def _on_progress(self, fraction: float, message: str) -> None:
        self.progress_bar.setValue(int(fraction * 1000))
        self.message.setText(message)

    def _on_due(self, remaining: int) -> None:
        if not self.retrainer.is_running():
            self.button.setToolTip(f"Re-analyse now, learning from your codings "
                                   f"(Ctrl+Shift+R); automatically after {remaining} more "
                                   f"coded comments.")

    def _done(self, message: str) -> None:
        self._running(False)
        self.message.setText(message)
