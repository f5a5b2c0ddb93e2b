"""File → Import…: a four-page wizard from a survey export to comments in the project.

1. File (and sheet, consultation, whether to keep unmasked originals)  — `ui.import_pages`
2. Columns: preview and the role of each column                         — `ui.import_pages`
3. Import: runs the core's `import_file` in a worker with its own project connection,
   with progress and Cancel (the core rolls the whole import back)
4. Report: what the import did, copyable

The wizard emits `imported(Changes)` when an import has landed so the main window refreshes.
"""

from __future__ import annotations

import html
import threading
from pathlib import Path

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from engage.importing.importer import ImportReport, import_file
from engage.project import Project
from ui.import_pages import ERROR_STYLE, ColumnsPage, FilePage, ImportChoices, _note
from ui.tasks import TaskRunner

CANCELLED_MESSAGE = "Import cancelled — the project is unchanged."
_PROGRESS_STEPS = 1000
_MASKED_KINDS = {"email": "e-mail addresses", "phone": "phone numbers",
                 "nhs_number": "NHS numbers", "postcode": "full postcodes",
                 "name": "titled names", "titled_name": "titled names"}


def run_import(choices: ImportChoices, stop: threading.Event):
    """The worker's task: its own connection to the project, closed whatever happens."""
    path, consultation, mapping = choices.path, choices.consultation, choices.mapping
    sheet, keep, save = choices.sheet, choices.keep_original, choices.save_mapping
    project_path = choices.project_path
    header_rows = choices.header_info.rows if choices.header_info else None

    def task(progress, _runner_cancelled):
        with Project.open(project_path) as project:
            return import_file(project, path, consultation, mapping=mapping, sheet=sheet,
                               keep_original=keep, save_mapping=save, progress=progress,
                               cancelled=stop.is_set, header_rows=header_rows)
    return task


class RunPage(QWizardPage):
    """Page 3: the import itself, off the GUI thread, with a progress bar and Cancel."""

    landed = Signal(object, object)  # ImportReport, Changes
    running_changed = Signal(bool)

    def __init__(self, choices: ImportChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices = choices
        self._stop = threading.Event()
        self._running = False
        self._done = False
        self.setTitle("Importing")
        self.setSubTitle("The import is one step: if it is cancelled or fails, the project "
                         "stays exactly as it was.")
        self.runner = TaskRunner(self)
        self.runner.progress.connect(self._progress)
        self.runner.finished.connect(self._finished)
        self.runner.failed.connect(self._failed)
        self.runner.cancelled.connect(self._cancelled)
        self.status = _note()
        self.status.setStyleSheet("")
        self.bar = QProgressBar()
        self.bar.setRange(0, _PROGRESS_STEPS)
        self.bar.setAccessibleName("Import progress")
        self.step = _note()
        self.step.setAccessibleName("Current step")
        self.outcome = _note(style=ERROR_STYLE)
        self.outcome.setAccessibleName("Outcome of the import")
        self.cancel_button = QPushButton("&Cancel import")
        self.cancel_button.setAccessibleName("Cancel the import")
        self.cancel_button.clicked.connect(self.cancel)
        self.again_button = QPushButton("Import &again")
        self.again_button.setAccessibleName("Start the import again")
        self.again_button.clicked.connect(self.start)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.again_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.outcome)
        layout.addWidget(self.status)
        layout.addWidget(self.bar)
        layout.addWidget(self.step)
        layout.addLayout(buttons)
        layout.addStretch(1)

    def initializePage(self) -> None:
        self.start()

    def isComplete(self) -> bool:
        return self._done and not self._running

    def is_running(self) -> bool:
        return self._running

    def start(self) -> None:
        c = self.choices
        self._stop = threading.Event()
        self._done = False
        self.status.setText(f"Importing {c.path.name if c.path else ''} into the consultation "
                            f"“{c.consultation}”…")
        self.outcome.clear()
        self.outcome.hide()
        self.bar.show()
        self.bar.setRange(0, 0)  # busy until the core reports its first step
        self.step.setText("Starting")
        self.runner.start(run_import(c, self._stop), "Import")
        self._set_running(True)
        self.cancel_button.setFocus()

    def cancel(self) -> None:
        """Ask the worker to stop; the core raises inside its transaction, so nothing stays."""
        if self._running:
            self._stop.set()
            self.cancel_button.setEnabled(False)
            self.step.setText("Cancelling…")

    def _set_running(self, running: bool) -> None:
        self._running = running
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.again_button.setVisible(not running and not self._done)
        self.running_changed.emit(running)
        self.completeChanged.emit()

    def _progress(self, fraction: float, message: str) -> None:
        if fraction > 0:
            self.bar.setRange(0, _PROGRESS_STEPS)
            self.bar.setValue(round(fraction * _PROGRESS_STEPS))
        if not self._stop.is_set():
            self.step.setText(message)

    def _finished(self, result) -> None:
        report, changes = result
        self.choices.report = report
        self._done = True
        self.bar.setRange(0, _PROGRESS_STEPS)
        self.bar.setValue(_PROGRESS_STEPS)
        self.step.setText(f"Imported {report.comments_created:,} comments.")
        self.setCommitPage(True)  # the import has landed: no going back past it
        self._set_running(False)
        self.landed.emit(report, changes)
        if self.wizard() is not None and self.wizard().currentPage() is self:
            wizard = self.wizard()
            QTimer.singleShot(0, wizard, lambda: wizard.next())

    def _failed(self, message: str) -> None:
        self._stopped(f"{message.rstrip('.')}. Nothing was imported; the project is unchanged.",
                      ERROR_STYLE)

    def _cancelled(self) -> None:
        self._stopped(CANCELLED_MESSAGE, "")

    def _stopped(self, outcome: str, style: str) -> None:
        name = self.choices.path.name if self.choices.path else "the file"
        self.status.setText(f"Nothing was imported from {name}. Go Back to change the file "
                            "or the columns, or choose Import again.")
        self.bar.hide()
        self.step.clear()
        self.outcome.setStyleSheet(style + "font-weight: bold;")
        self.outcome.setText(outcome)
        self.outcome.show()
        self._set_running(False)
        self.again_button.setFocus()


def report_html(report: ImportReport, keep_original: bool) -> str:
    """The import report as simple HTML: the headline numbers first, then the details."""
    e = html.escape
    rows = [("Rows read", report.rows_read),
            ("Answers read", report.answers_read),
            ("Comments imported", report.comments_created),
            ("  of them placeholders (“n/a”, “nothing”: kept, marked)", report.placeholders),
            ("Duplicates: already in the project, not added again", report.duplicates),
            ("Rows left out", len(report.skipped)),
            ("Respondents new", report.respondents_created),
            ("Respondents already in the project (matched, not added again)",
             report.respondents_matched),
            ("Same words as another comment (imported, flagged)", report.repeated_texts),
            ("Respondents with no recognised place", report.unplaced_respondents)]
    out = [f"<h2>{report.comments_created:,} comments imported into "
           f"“{e(report.consultation)}”</h2>",
           f"<p>From {e(report.file)}.</p>"]
    out += [f"<p><b>Found:</b> {e(line)}</p>" for line in report.shape]
    out.append("<table cellspacing='0' cellpadding='3'>")
    out += [f"<tr><td>{e(label)}</td><td align='right'><b>{n:,}</b></td></tr>"
            for label, n in rows]
    out.append("</table>")
    if report.duplicate_rows:
        shown = ", ".join(str(r) for r in report.duplicate_rows[:30])
        more = len(report.duplicate_rows) - 30
        out.append(f"<p>Duplicates at rows {shown}"
                   + (f" and {more:,} more" if more > 0 else "") + ".</p>")
    if report.left_out_columns:
        out.append("<h3>Columns left out</h3><ul>")
        out += [f"<li>{len(cols)} {e(reason)}: {e(', '.join(cols[:20]))}"
                + (" …" if len(cols) > 20 else "") + "</li>"
                for reason, cols in report.left_out_columns.items()]
        out.append("</ul>")
    if report.pseudonymised:
        out.append(f"<p>{report.pseudonymised:,} respondent ids held personal data "
                   "(such as an e-mail address) and were replaced by pseudonyms.</p>")
    out.append("<h3>Personal data masked</h3>")
    if report.masked:
        where: dict[str, list[int]] = {}
        for row, kind in report.masked_rows:
            where.setdefault(kind, []).append(row)
        items = []
        for kind, n in sorted(report.masked.items()):
            rows_of = where.get(kind, [])
            shown = ", ".join(str(r) for r in rows_of[:15]) + (" …" if len(rows_of) > 15 else "")
            items.append(f"<li>{n:,} {e(_MASKED_KINDS.get(kind, kind.replace('_', ' ')))}"
                         + (f" (rows {shown})" if shown else "") + "</li>")
        out.append("<ul>" + "".join(items) + "</ul>")
    else:
        out.append("<p>None found.</p>")
    out.append("<p>" + ("The unmasked text of those comments was kept, as you asked."
                        if keep_original else
                        "The unmasked text was not stored.") + "</p>")
    out.append(f"<h3>Rows left out ({len(report.skipped):,})</h3>")
    if report.skipped:
        out.append("<ul>" + "".join(f"<li>Row {row}: {e(reason)}</li>"
                                    for row, reason in report.skipped[:200]) + "</ul>")
        if len(report.skipped) > 200:
            out.append(f"<p>… and {len(report.skipped) - 200:,} more (Copy report lists "
                       "the first 50).</p>")
    else:
        out.append("<p>None.</p>")
    if report.warnings:
        out.append(f"<h3>Warnings ({len(report.warnings):,})</h3><ul>"
                   + "".join(f"<li>{e(w)}</li>" for w in report.warnings[:100]) + "</ul>")
    return "".join(out)


class LeftOutDialog(QDialog):
    """The rows an import left out: row number, reason and (masked) content, one a line."""

    def __init__(self, report: ImportReport, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Rows left out of {report.file}")
        columns = report.columns
        self.table = QTableWidget(len(report.skipped), 2 + len(columns), self)
        self.table.setHorizontalHeaderLabels(["Row", "Why it was left out", *columns])
        self.table.setAccessibleName("Rows left out")
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for i, (row, reason) in enumerate(report.skipped):
            cells = report.skipped_cells.get(row, [])
            for j, text in enumerate([str(row), reason, *cells]):
                self.table.setItem(i, j, QTableWidgetItem(" ".join(text.split())[:200]))
        self.table.resizeColumnsToContents()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"{len(report.skipped):,} rows of the file were not imported "
                                "as answers. Heading rows are the file's own titles; personal "
                                "identifiers are not shown."))
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)
        self.resize(820, 420)


class ReportPage(QWizardPage):
    """Page 4: the import report, readable and copyable."""

    def __init__(self, choices: ImportChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices = choices
        self.setTitle("Import report")
        self.setSubTitle("What the import did. The same report is kept with the project.")
        self.view = QTextBrowser()
        self.view.setTabChangesFocus(True)
        self.view.setOpenLinks(False)
        self.view.setAccessibleName("Import report")
        self.view.document().setDocumentMargin(12)
        self.copy_button = QPushButton("&Copy report")
        self.copy_button.setAccessibleName("Copy the report to the clipboard")
        self.copy_button.clicked.connect(self.copy)
        self.copied = QLabel()
        self.left_out_button = QPushButton("Show the rows &left out")
        self.left_out_button.setAccessibleName("Show the rows left out, with their reasons")
        self.left_out_button.clicked.connect(self.show_left_out)
        row = QHBoxLayout()
        row.addWidget(self.copy_button)
        row.addWidget(self.left_out_button)
        row.addWidget(self.copied, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(row)

    def initializePage(self) -> None:
        report = self.choices.report
        self.copied.clear()
        if report is not None:
            self.view.setHtml(report_html(report, self.choices.keep_original))
        self.left_out_button.setEnabled(bool(report and report.skipped))

    def show_left_out(self) -> LeftOutDialog | None:
        report = self.choices.report
        if report is None or not report.skipped:
            return None
        dialog = LeftOutDialog(report, self)
        dialog.show()
        return dialog

    def text(self) -> str:
        report = self.choices.report
        return "\n".join(report.lines()) if report is not None else ""

    def copy(self) -> None:
        QGuiApplication.clipboard().setText(self.text())
        self.copied.setText("Copied to the clipboard.")


class ImportWizard(QWizard):
    """File → Import…; emits `imported(Changes)` when an import has landed."""

    imported = Signal(object)

    def __init__(self, project_path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices = ImportChoices(project_path=Path(project_path))
        self._close_when_idle = False
        self.setWindowTitle("Import a survey export")
        self.setWizardStyle(QWizard.WizardStyle.ModernStyle)
        self.setOption(QWizard.WizardOption.NoBackButtonOnStartPage, True)
        self.setOption(QWizard.WizardOption.NoCancelButtonOnLastPage, True)
        self.file_page = FilePage(self.choices)
        self.columns_page = ColumnsPage(self.choices)
        self.run_page = RunPage(self.choices)
        self.report_page = ReportPage(self.choices)
        for page in (self.file_page, self.columns_page, self.run_page, self.report_page):
            self.addPage(page)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Next >")
        self.run_page.landed.connect(self._landed)
        self.run_page.running_changed.connect(self._running_changed)
        self.resize(1080, 720)
        self.setMinimumSize(760, 520)

    def _landed(self, _report: ImportReport, changes) -> None:
        self.imported.emit(changes)

    def reject(self) -> None:
        """Closing while importing cancels the import first; the window closes once stopped."""
        if self.run_page.is_running():
            self._close_when_idle = True
            self.run_page.cancel()
            return
        super().reject()

    def _running_changed(self, running: bool) -> None:
        # QWizard disables Back after a commit page, and re-checks that on every button
        # update, so this holds where setting the button itself would be undone.
        self.columns_page.setCommitPage(running)
        if not running and self._close_when_idle:
            self._close_when_idle = False
            close = self.accept if self.run_page.isComplete() else self.reject
            QTimer.singleShot(0, self, lambda: close())

