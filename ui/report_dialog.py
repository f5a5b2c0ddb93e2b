"""File → Report… and File → Export…: what to cover, in which format, written off the GUI thread.

Thin over `engage.reports`: the dialogs list consultations and places through `Project`, run
`build_summary` / `write_report` / `write_export` in a `TaskRunner` (each task opens its own
connection to the project file), and show progress, one-line errors and "Open folder".
The report dialog drafts the executive summary from the figures so the officer can edit it
before the file is written.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, QTimer, QUrl
from PySide6.QtGui import QDesktopServices, QShowEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from engage.browse import CommentFilter
from engage.project import Project
from engage.reports.draft import draft_summary_text
from engage.reports.exports import write_export
from engage.reports.queries import ReportScope
from engage.reports.report import write_report
from engage.reports.summary import SECTIONS, build_summary
from ui.tasks import TaskRunner

REPORT_FORMATS = (("pdf", "PDF document"), ("docx", "Word document"),
                  ("html", "Web page (single file)"))
EXPORT_FORMATS = (("csv", "Coded comments — CSV"), ("xlsx", "Coded comments — Excel workbook"),
                  ("qdpx", "REFI-QDA project (NVivo, ATLAS.ti, MAXQDA, QualCoder)"),
                  ("qdc", "REFI-QDA codebook"))
ERROR_STYLE = "color: #B3261E;"
_STEPS = 1000


class _OutputDialog(QDialog):
    """What both dialogs share: scope, destination file, a worker with progress, Open folder."""

    formats: tuple[tuple[str, str], ...] = ()
    verb = "Write"

    def __init__(self, project: Project, initial: CommentFilter | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project = project
        self.project_path = Path(project.path)
        self.written: Path | None = None
        self.runner = TaskRunner(self)
        self._on_done = self._written  # what to do with the running task's result
        self.runner.finished.connect(lambda result: self._on_done(result))
        self.runner.progress.connect(self._progress)
        self.runner.failed.connect(self._failed)
        self.runner.cancelled.connect(lambda: self._stopped("Cancelled; no file was written."))
        self.runner.running_changed.connect(self._running)
        self.consultation = QComboBox()
        self.consultation.setAccessibleName("Consultation")
        self.consultation.addItem("All consultations", None)
        for c in project.consultations():
            self.consultation.addItem(f"{c['name']} ({c['comments']:,} comments)", c["id"])
        self.place = QComboBox()
        self.place.setAccessibleName("Place")
        self.place.addItem("All places", None)
        for p in project.places():
            indent = {"ics": 0, "local_authority": 1, "partnership": 1}.get(p["kind"], 2)
            self.place.addItem("    " * indent + p["name"], p["id"])
        self._initial = initial or CommentFilter()
        self._select(self.consultation, self._initial.consultation_id)
        self._select(self.place, self._initial.place_id)
        self.format = QComboBox()
        self.format.setAccessibleName("Format")
        for key, label in self.formats:
            self.format.addItem(label, key)
        self.format.currentIndexChanged.connect(self._format_changed)
        self.path = QLineEdit()
        self.path.setAccessibleName("File to write")
        self.path.setPlaceholderText("Choose where to save…")
        self.choose = QPushButton("Bro&wse…")
        self.choose.clicked.connect(self.choose_file)
        self.bar = QProgressBar()
        self.bar.setRange(0, _STEPS)
        self.bar.setAccessibleName("Progress")
        self.bar.hide()
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.status.setAccessibleName("Status")
        self.write_button = QPushButton(f"&{self.verb}")
        self.write_button.setDefault(True)
        self.write_button.clicked.connect(self.write)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(self.runner.cancel)
        self.cancel_button.hide()
        self.open_folder_button = QPushButton("Open &folder")
        self.open_folder_button.setEnabled(False)
        self.open_folder_button.clicked.connect(self.open_folder)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.reject)

    # ----- layout helpers --------------------------------------------------------------------
    def _scope_form(self) -> QFormLayout:
        form = QFormLayout()
        form.addRow("&Consultation:", self.consultation)
        form.addRow("&Place:", self.place)
        return form

    def _destination_form(self) -> QFormLayout:
        form = QFormLayout()
        form.addRow("F&ormat:", self.format)
        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(self.choose)
        label = QLabel("&Save as:")
        label.setBuddy(self.path)
        form.addRow(label, row)
        return form

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        row.addWidget(self.open_folder_button)
        row.addStretch(1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.write_button)
        row.addWidget(self.close_button)
        return row

    @staticmethod
    def _select(combo: QComboBox, value) -> None:
        index = combo.findData(value)
        if index >= 0:
            combo.setCurrentIndex(index)

    # ----- what the officer chose ------------------------------------------------------------
    def scope(self) -> ReportScope:
        question = self._initial.question_id if (
            self.consultation.currentData() == self._initial.consultation_id) else None
        return ReportScope(consultation_id=self.consultation.currentData(),
                           place_id=self.place.currentData(), question_id=question)

    def chosen_format(self) -> str:
        return self.format.currentData()

    def suggested_name(self) -> str:
        name = self.consultation.currentText().split(" (")[0]
        if self.consultation.currentData() is None:
            name = self.project_path.stem
        safe = "".join(ch if ch.isalnum() or ch in " -_" else " " for ch in name).strip()
        return "_".join(safe.split()) or "engage"

    def choose_file(self) -> None:
        fmt = self.chosen_format()
        start = self.path.text() or str(self.project_path.parent / f"{self.suggested_name()}.{fmt}")
        path, _ = QFileDialog.getSaveFileName(self, "Save as", start,
                                              f"{fmt.upper()} files (*.{fmt});;All files (*)")
        if path:
            self.path.setText(path if Path(path).suffix else f"{path}.{fmt}")

    def _format_changed(self) -> None:
        text = self.path.text().strip()
        if text:
            self.path.setText(str(Path(text).with_suffix("." + self.chosen_format())))

    def destination(self) -> Path | None:
        text = self.path.text().strip()
        if not text:
            self._stopped("Choose where to save the file first.", error=True)
            self.choose.setFocus()
            return None
        path = Path(text)
        return path if path.suffix else path.with_suffix("." + self.chosen_format())

    # ----- running ---------------------------------------------------------------------------
    def write(self) -> None:
        out = self.destination()
        if out is None:
            return
        self.written = None
        self.open_folder_button.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText(f"Writing {out.name}…")
        self.bar.setValue(0)
        self.bar.show()
        self._on_done = self._written
        self.runner.start(self.task(out), f"{self.verb} {out.name}")

    def task(self, out: Path):
        raise NotImplementedError

    def _written(self, path) -> None:
        self.written = Path(path)
        self.bar.setValue(_STEPS)
        self.status.setText(f"Saved {self.written.name} in {self.written.parent}.")
        self.open_folder_button.setEnabled(True)
        self.open_folder_button.setFocus()

    def open_folder(self) -> None:
        if self.written is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.written.parent)))

    def _progress(self, fraction: float, message: str) -> None:
        self.bar.setValue(round(fraction * _STEPS))
        if message:
            self.status.setText(message)

    def _failed(self, message: str) -> None:
        self._stopped(message, error=True)

    def _stopped(self, message: str, error: bool = False) -> None:
        self.bar.hide()
        self.status.setStyleSheet(ERROR_STYLE if error else "")
        self.status.setText(message)

    def _running(self, running: bool) -> None:
        for widget in (self.write_button, self.choose, self.consultation, self.place, self.format):
            widget.setEnabled(not running)
        self.cancel_button.setVisible(running)
        if not running:
            self.bar.setVisible(self.written is not None)

    def reject(self) -> None:
        self.runner.cancel()
        self.runner.wait(5000)
        super().reject()


class ReportDialog(_OutputDialog):
    """Choose consultation, place and sections; edit the drafted summary; write the report."""

    formats = REPORT_FORMATS
    verb = "Write report"

    def __init__(self, project: Project, initial: CommentFilter | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(project, initial, parent)
        self.setWindowTitle("Consultation summary report")
        self._summary = None  # figures behind the current draft, reused when scope unchanged
        self._drafted_once = False
        self.title = QLineEdit()
        self.title.setAccessibleName("Report title")
        self.title.setPlaceholderText("The consultation's name")
        self.sections: dict[str, QCheckBox] = {}
        grid = QGridLayout()
        for i, (key, heading) in enumerate(SECTIONS.items()):
            box = QCheckBox(heading)
            box.setChecked(True)
            self.sections[key] = box
            grid.addWidget(box, i // 2, i % 2)
        section_box = QGroupBox("Sections")
        section_box.setLayout(grid)
        self.summary_text = QPlainTextEdit()
        self.summary_text.setAccessibleName("Executive summary text")
        self.summary_text.setPlaceholderText(
            "Draft the executive summary from the figures, then edit it here. Blank lines "
            "separate paragraphs; lines starting with \"- \" become bullet points.")
        self.draft_button = QPushButton("&Draft from the figures")
        self.draft_button.clicked.connect(self.draft)
        summary_box = QGroupBox("Executive summary")
        summary_layout = QVBoxLayout(summary_box)
        summary_layout.addWidget(self.summary_text)
        summary_layout.addWidget(self.draft_button, 0, Qt.AlignmentFlag.AlignLeft)
        scope = self._scope_form()
        scope.addRow("&Title:", self.title)
        layout = QVBoxLayout(self)
        layout.addLayout(scope)
        layout.addWidget(section_box)
        layout.addWidget(summary_box, 1)
        layout.addLayout(self._destination_form())
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addLayout(self._buttons())
        self.consultation.currentIndexChanged.connect(self._scope_changed)
        self.place.currentIndexChanged.connect(self._scope_changed)
        self.resize(720, 680)

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        """Start the draft as soon as the dialog opens, so the text is there to edit."""
        super().showEvent(event)
        if not self._drafted_once and not self.summary_text.toPlainText().strip():
            self._drafted_once = True
            QTimer.singleShot(0, self, self.draft)

    def chosen_sections(self) -> list[str]:
        return [key for key, box in self.sections.items() if box.isChecked()]

    def _scope_changed(self) -> None:
        self._summary = None

    def draft(self) -> None:
        """Count the figures in the worker and put the drafted text in the editor."""
        scope, path = self.scope(), self.project_path
        title = self.title.text().strip() or None

        def task(progress, cancelled):
            with Project.open(path) as project:
                summary = build_summary(project, scope, title=title, progress=progress,
                                        cancelled=cancelled)
            return summary, draft_summary_text(summary)

        self.status.setStyleSheet("")
        self.status.setText("Counting the figures for the draft…")
        self.bar.setValue(0)
        self.bar.show()
        self._on_done = self._drafted
        self.runner.start(task, "Drafting the summary")

    def _drafted(self, result) -> None:
        self._summary, text = result
        self.summary_text.setPlainText(text)
        self.bar.hide()
        self.status.setText("Draft ready: edit it as you wish, then write the report.")
        self.summary_text.setFocus()

    def _running(self, running: bool) -> None:
        super()._running(running)
        self.draft_button.setEnabled(not running)

    def task(self, out: Path):
        scope, path, fmt = self.scope(), self.project_path, self.chosen_format()
        sections = self.chosen_sections()
        text = self.summary_text.toPlainText()
        title = self.title.text().strip() or None
        summary = self._summary if self._summary is not None and self._summary.scope == scope \
            and (title is None or self._summary.title == title) else None

        def task(progress, cancelled):
            with Project.open(path) as project:
                return write_report(project, out, fmt, scope=scope, sections=sections,
                                    summary_text=text or None, title=title, summary=summary,
                                    progress=progress, cancelled=cancelled)
        return task


class ExportDialog(_OutputDialog):
    """Export coded comments for spreadsheets or QDA software."""

    formats = EXPORT_FORMATS
    verb = "Export"

    def __init__(self, project: Project, initial: CommentFilter | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(project, initial, parent)
        self.setWindowTitle("Export coded comments")
        note = QLabel("One row per comment with its respondent's details, themes (as a list and "
                      "as 0/1 columns), sentiment, confidence and who coded it. REFI-QDA files "
                      "open in NVivo, ATLAS.ti, MAXQDA and QualCoder.")
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addLayout(self._scope_form())
        layout.addLayout(self._destination_form())
        layout.addWidget(self.bar)
        layout.addWidget(self.status)
        layout.addStretch(1)
        layout.addLayout(self._buttons())
        self.resize(620, 300)

    def task(self, out: Path):
        scope, path, fmt = self.scope(), self.project_path, self.chosen_format()

        def task(progress, cancelled):
            with Project.open(path) as project:
                return write_export(project, out, fmt, scope=scope, progress=progress,
                                    cancelled=cancelled)
        return task
