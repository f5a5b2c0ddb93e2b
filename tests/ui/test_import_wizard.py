"""The import wizard driven as an officer would: file, columns, import, report.

Every comment here is written for the test. The import runs in the wizard's worker thread,
so the tests wait on its signals rather than sleeping.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QAbstractButton,
    QCheckBox,
    QLabel,
    QPushButton,
    QWidget,
    QWizard,
)

from engage.browse import CommentFilter, fetch_comments
from engage.changes import Changes
from engage.project import Project
from engage.settings import Settings
from ui.import_wizard import CANCELLED_MESSAGE, ImportWizard
from ui.mapping_model import PreviewModel

COLUMNS = ["Respondent ID", "Date completed", "Locality", "Age band",
           "What works well in your local services?", "What should change?",
           "Anything else to tell us?"]
OPEN_COLUMNS = COLUMNS[4:]
_PLACES = ["Weymouth & Portland", "Purbeck", "Poole Bay", "North Dorset", "Christchurch"]
_AGES = ["18-24", "25-44", "45-64", "65-74", "75+"]
_SUBJECTS = ["the minor injuries unit", "my GP surgery", "the community nurses",
             "the pharmacy on the high street", "the mental health crisis line",
             "the patient transport service", "the stroke ward", "the health visitor"]
_PRAISE = ["was quick to see me and explained everything clearly",
           "treated my father with real kindness after his fall",
           "sorted my repeat prescription without any fuss",
           "listened properly and did not rush the appointment"]
_ASKS = ["should open later in the evening for people who work",
         "needs more staff so the waiting list comes down",
         "ought to share records so I stop repeating my story",
         "must be reachable by bus from the villages"]


def _comment(i: int, pool: list[str]) -> str:
    subject = _SUBJECTS[i % len(_SUBJECTS)]
    return f"{subject.capitalize()} {pool[(i // 3) % len(pool)]} (visit {i % 7 + 1})."


def survey_rows(n: int) -> list[list[str]]:
    rows = []
    for i in range(n):
        other = "" if i % 3 else f"Thank you for asking; reply {i} about {_SUBJECTS[i % 5]}."
        rows.append([f"R{1000 + i}", f"{1 + i % 28:02d}/03/2013", _PLACES[i % len(_PLACES)],
                     _AGES[i % len(_AGES)], _comment(i, _PRAISE), _comment(i + 1, _ASKS), other])
    return rows


def write_csv(path: Path, rows: list[list[str]], columns: list[str] = COLUMNS) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerows(rows)
    return path


def non_empty(rows: list[list[str]], columns: list[str]) -> int:
    index = [COLUMNS.index(c) for c in columns]
    return sum(1 for row in rows for i in index if row[i].strip())


@pytest.fixture
def empty_project(tmp_path) -> Path:
    path = tmp_path / "wizard.engage"
    Project.create(path).close()
    return path


@pytest.fixture
def export(tmp_path) -> tuple[Path, list[list[str]]]:
    rows = survey_rows(40)
    return write_csv(tmp_path / "dorset_services_survey.csv", rows), rows


@pytest.fixture
def wizard(qtbot, empty_project):
    wiz = ImportWizard(empty_project)
    qtbot.addWidget(wiz)
    wiz.show()
    yield wiz
    wiz.run_page.cancel()
    wiz.run_page.runner.wait(10_000)


def totals(empty_project: Path) -> dict:
    with Project.open(empty_project) as project:
        return project.totals()


def to_columns_page(wizard: ImportWizard, path: Path) -> None:
    wizard.file_page.set_path(path)
    assert wizard.file_page.isComplete(), wizard.file_page.error_label.text()
    wizard.next()
    assert wizard.currentPage() is wizard.columns_page


def next_enabled(wizard: ImportWizard) -> bool:
    return wizard.button(QWizard.WizardButton.NextButton).isEnabled()


def test_file_page_reads_the_file_and_suggests_a_consultation(wizard, export):
    path, _rows = export
    assert not next_enabled(wizard)
    wizard.file_page.set_path(path)
    assert wizard.file_page.isComplete()
    assert next_enabled(wizard)
    assert wizard.file_page.consultation_combo.currentText() == "Dorset services survey"
    assert not wizard.file_page.error_label.isVisible()
    assert not wizard.file_page.keep_original.isChecked()
    assert not wizard.file_page.sheet_combo.isVisible()  # CSV: no sheets to choose
    assert Path(Settings.load().last_import_folder) == path.parent.resolve()


def test_a_typed_path_is_read_after_a_pause(qtbot, wizard, export):
    qtbot.keyClicks(wizard.file_page.path_edit, str(export[0]))
    qtbot.waitUntil(wizard.file_page.isComplete, timeout=3000)
    assert wizard.choices.table.columns == COLUMNS


def test_mapping_is_guessed_and_shown(wizard, export):
    to_columns_page(wizard, export[0])
    model = wizard.columns_page.model
    assert model.comment_columns() == OPEN_COLUMNS
    assert model.role("Respondent ID") == "respondent_id"
    assert model.role("Date completed") == "date"
    combo = wizard.columns_page.mapping_list.combo("What should change?")
    assert combo.currentData() == "comment"
    assert combo.toolTip()  # the reason for the guess
    col = COLUMNS.index("What should change?")
    assert combo.currentText() in model.headerData(col, Qt.Orientation.Horizontal)
    assert model.data(model.index(0, col), Qt.ItemDataRole.BackgroundRole) is not None
    id_col = COLUMNS.index("Respondent ID")
    assert model.data(model.index(0, id_col), Qt.ItemDataRole.BackgroundRole) is None
    assert model.rowCount() == 40
    assert next_enabled(wizard)


def test_changing_a_role_changes_the_mapping(wizard, export):
    to_columns_page(wizard, export[0])
    page = wizard.columns_page
    combo = page.mapping_list.combo("Anything else to tell us?")
    combo.setCurrentIndex(combo.findData("ignore"))
    assert page.model.mapping().roles["Anything else to tell us?"] == "ignore"
    assert page.model.comment_columns() == OPEN_COLUMNS[:2]
    assert "You chose" in combo.toolTip()
    for column in OPEN_COLUMNS[:2]:
        box = page.mapping_list.combo(column)
        box.setCurrentIndex(box.findData("ignore"))
    assert not next_enabled(wizard)
    assert page.error_label.isVisible() and "comment column" in page.error_label.text()
    box = page.mapping_list.combo(OPEN_COLUMNS[0])
    box.setCurrentIndex(box.findData("comment"))
    assert next_enabled(wizard)
    assert not page.error_label.isVisible()


def test_import_lands_and_counts_match(qtbot, wizard, export, empty_project):
    path, rows = export
    to_columns_page(wizard, path)
    combo = wizard.columns_page.mapping_list.combo("Anything else to tell us?")
    combo.setCurrentIndex(combo.findData("ignore"))
    with qtbot.waitSignal(wizard.imported, timeout=20_000) as landed:
        wizard.next()
    changes = landed.args[0]
    assert isinstance(changes, Changes) and changes.comments and changes.respondents
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.report_page)
    counts = totals(empty_project)
    assert counts["respondents"] == len(rows)
    assert counts["comments"] == non_empty(rows, OPEN_COLUMNS[:2])
    assert counts["questions"] == 2 and counts["imports"] == 1
    with Project.open(empty_project) as project:
        assert [c["name"] for c in project.consultations()] == ["Dorset services survey"]
    report_text = wizard.report_page.view.toPlainText()
    assert f"{counts['comments']} comments imported" in report_text
    assert "Rows read" in report_text
    assert not wizard.button(QWizard.WizardButton.BackButton).isEnabled()
    wizard.report_page.copy_button.click()
    assert f"Comments created: {counts['comments']}" in QGuiApplication.clipboard().text()


def test_saved_mapping_is_offered_for_the_next_export(qtbot, wizard, export, empty_project):
    path, _rows = export
    to_columns_page(wizard, path)
    combo = wizard.columns_page.mapping_list.combo("Anything else to tell us?")
    combo.setCurrentIndex(combo.findData("ignore"))
    with qtbot.waitSignal(wizard.imported, timeout=20_000):
        wizard.next()
    second = ImportWizard(empty_project)
    qtbot.addWidget(second)
    second.show()
    assert "Dorset services survey" in [second.file_page.consultation_combo.itemText(i)
                                        for i in range(second.file_page.consultation_combo.count())]
    to_columns_page(second, path)
    assert second.columns_page.model.role("Anything else to tell us?") == "ignore"
    assert "saved" in second.columns_page.source_note.text()
    with qtbot.waitSignal(second.imported, timeout=20_000):
        second.next()
    qtbot.waitUntil(lambda: second.currentPage() is second.report_page)
    assert totals(empty_project)["respondents"] == len(_rows)  # matched, not duplicated
    assert second.choices.report.respondents_matched == len(_rows)


def test_an_unsaved_mapping_is_not_remembered(qtbot, wizard, export, empty_project):
    to_columns_page(wizard, export[0])
    combo = wizard.columns_page.mapping_list.combo("Anything else to tell us?")
    combo.setCurrentIndex(combo.findData("ignore"))
    wizard.columns_page.save_check.setChecked(False)
    with qtbot.waitSignal(wizard.imported, timeout=20_000):
        wizard.next()
    second = ImportWizard(empty_project)
    qtbot.addWidget(second)
    second.show()
    to_columns_page(second, export[0])
    assert second.columns_page.model.role("Anything else to tell us?") == "comment"
    assert "guessed" in second.columns_page.source_note.text()


def test_a_bad_file_shows_the_error_and_changes_nothing(wizard, tmp_path, empty_project):
    before = totals(empty_project)
    bad = tmp_path / "export.csv"
    bad.write_bytes(b"\x00\x01\x02PK\x03\x04" * 400)
    wizard.file_page.set_path(bad)
    label = wizard.file_page.error_label
    assert label.isVisible() and "export.csv" in label.text()
    assert "\n" not in label.text().strip()
    assert not wizard.file_page.isComplete() and not next_enabled(wizard)
    wizard.file_page.set_path(tmp_path / "missing.csv")
    assert label.isVisible() and "missing.csv" in label.text()
    assert not next_enabled(wizard)
    assert totals(empty_project) == before


def test_a_file_fixed_after_an_error_can_be_read(wizard, tmp_path, export):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    wizard.file_page.set_path(empty)
    assert wizard.file_page.error_label.isVisible()
    wizard.file_page.set_path(export[0])
    assert not wizard.file_page.error_label.isVisible()
    assert next_enabled(wizard)


def test_cancel_during_import_leaves_the_project_unchanged(qtbot, wizard, tmp_path,
                                                          empty_project):
    big = write_csv(tmp_path / "big.csv", survey_rows(30_000))
    before = totals(empty_project)
    to_columns_page(wizard, big)
    with qtbot.waitSignal(wizard.run_page.runner.cancelled, timeout=30_000):
        wizard.next()
        assert wizard.run_page.is_running()
        assert not wizard.button(QWizard.WizardButton.BackButton).isEnabled()
        assert not next_enabled(wizard)
        wizard.run_page.cancel()
    assert wizard.run_page.outcome.text() == CANCELLED_MESSAGE
    assert totals(empty_project) == before
    assert wizard.button(QWizard.WizardButton.BackButton).isEnabled()
    assert not next_enabled(wizard)
    assert wizard.currentPage() is wizard.run_page
    small = survey_rows(20)  # the officer trims the export and tries again
    write_csv(big, small)
    with qtbot.waitSignal(wizard.imported, timeout=20_000):
        wizard.run_page.again_button.click()
    assert totals(empty_project)["respondents"] == len(small)


def test_a_failed_import_says_why_in_one_line(qtbot, wizard, tmp_path, empty_project):
    path = write_csv(tmp_path / "changing.csv", survey_rows(10))
    to_columns_page(wizard, path)
    renamed = ["Ref"] + COLUMNS[1:5] + ["Q2 renamed"] + COLUMNS[6:]
    write_csv(path, survey_rows(10), columns=renamed)  # the file changes under the wizard
    with qtbot.waitSignal(wizard.run_page.runner.failed, timeout=20_000):
        wizard.next()
    outcome = wizard.run_page.outcome.text()
    assert "What should change?" in outcome and "unchanged" in outcome
    assert "\n" not in outcome and "Traceback" not in outcome
    assert totals(empty_project)["comments"] == 0
    assert wizard.button(QWizard.WizardButton.BackButton).isEnabled()
    assert not next_enabled(wizard)


def test_closing_while_importing_cancels_first(qtbot, wizard, tmp_path, empty_project):
    big = write_csv(tmp_path / "big.csv", survey_rows(30_000))
    to_columns_page(wizard, big)
    wizard.next()
    wizard.reject()
    assert wizard.isVisible()  # stays open until the worker has rolled back
    qtbot.waitUntil(lambda: not wizard.isVisible(), timeout=30_000)
    assert totals(empty_project)["comments"] == 0


def test_report_lists_masked_and_left_out_rows(qtbot, wizard, tmp_path, empty_project):
    rows = survey_rows(12)
    rows[2][4] = "Please write to me at someone.local@example.org about the clinic hours."
    rows[7][0] = rows[1][0]  # the same respondent twice: both rows' answers are kept
    sub_labels = ["", "", "", "", "Open-Ended Response", "Open-Ended Response", "Response"]
    path = write_csv(tmp_path / "masked.csv", [sub_labels, *rows])
    to_columns_page(wizard, path)
    assert wizard.columns_page.header_spin.value() == 2
    with qtbot.waitSignal(wizard.imported, timeout=20_000):
        wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.report_page)
    report = wizard.choices.report
    assert report.masked and report.skipped == [(2, "header row (question wording or sub-labels)")]
    assert report.comments_created == non_empty(rows, OPEN_COLUMNS) == report.answers_read
    assert report.respondents_created == len(rows) - 1
    text = wizard.report_page.view.toPlainText()
    assert "Row 2: header row" in text
    assert "Personal data masked" in text and "None found" not in text.split("Rows left out")[0]
    dialog = wizard.report_page.show_left_out()
    assert dialog is not None and dialog.table.rowCount() == 1
    assert dialog.table.item(0, 0).text() == "2" and "header row" in dialog.table.item(0, 1).text()
    dialog.close()
    with Project.open(empty_project) as project:
        stored = [row.text for row in fetch_comments(project, CommentFilter(), 0, 1000)]
    assert len(stored) == report.comments_created
    assert not any("someone.local@example.org" in t for t in stored)
    assert "Open-Ended Response" not in stored


def test_xlsx_offers_a_sheet_chooser(wizard, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    first = book.active
    first.title = "Notes"
    first.append(["About this export"])
    first.append(["Exported for the test"])
    second = book.create_sheet("Responses")
    second.append(COLUMNS)
    for row in survey_rows(10):
        second.append(row)
    path = tmp_path / "survey.xlsx"
    book.save(path)
    page = wizard.file_page
    page.set_path(path)
    assert page.sheet_combo.isVisible()
    assert [page.sheet_combo.itemText(i) for i in range(page.sheet_combo.count())] == \
        ["Notes", "Responses"]
    assert page.sheet_combo.currentText() == wizard.choices.sheet  # what the reader chose
    page.sheet_combo.setCurrentIndex(0)
    assert page.isComplete() and wizard.choices.table.columns == ["About this export"]
    page.sheet_combo.setCurrentIndex(1)
    assert page.isComplete()
    assert wizard.choices.sheet == "Responses"
    assert wizard.choices.table.columns == COLUMNS


def test_every_control_is_named_and_reachable_by_keyboard(wizard, export):
    def check(page: QWidget) -> None:
        for widget in page.findChildren(QWidget):
            if widget.focusPolicy() & Qt.FocusPolicy.TabFocus and widget.isVisibleTo(page):
                assert widget.accessibleName() or isinstance(widget, QAbstractButton) or \
                    any(isinstance(lbl, QLabel) and lbl.buddy() is widget
                        for lbl in page.findChildren(QLabel)), widget
            if isinstance(widget, QPushButton | QCheckBox) and widget.isVisibleTo(page):
                assert "&" in widget.text(), widget.text()
    check(wizard.file_page)
    to_columns_page(wizard, export[0])
    check(wizard.columns_page)
    page = wizard.columns_page
    expected = [page.mapping_list.combo(c) for c in COLUMNS] + [page.preview, page.save_check]
    order, widget = [], expected[0]
    while len(order) < len(expected):
        if widget.isVisible() and widget.focusPolicy() & Qt.FocusPolicy.TabFocus:
            order.append(widget)
        widget = widget.nextInFocusChain()
    assert order == expected


def test_preview_model_passes_the_model_tester(qtmodeltester, wizard, export):
    to_columns_page(wizard, export[0])
    qtmodeltester.check(wizard.columns_page.model)
    empty = PreviewModel()
    qtmodeltester.check(empty)


def test_a_qualtrics_export_is_recognised_and_its_identifiers_hidden(qtbot, wizard, tmp_path,
                                                                     empty_project):
    from tests import survey_exports

    export = survey_exports.qualtrics()
    to_columns_page(wizard, export.write(tmp_path))
    page = wizard.columns_page
    found = page.found_note.text()
    assert "Qualtrics export: 3 header rows; question wording taken from row 2" in found
    assert "survey-metadata columns left out" in found
    assert page.header_spin.value() == 3
    model = page.model
    assert "What was good about your visit?" in model.columns
    ip = model.columns.index("IPAddress")
    shown = {model.data(model.index(r, ip)) for r in range(model.rowCount())}
    assert shown == {"(hidden: personal data)"}
    assert not any("@" in (model.data(model.index(r, c)) or "")
                   for r in range(model.rowCount()) for c in range(model.columnCount()))
    page.header_spin.setValue(1)  # the officer overrides: every row below row 1 is data
    assert "Q2" in model.columns and "1 header row" in page.found_note.text()
    page.header_spin.setValue(3)
    with qtbot.waitSignal(wizard.imported, timeout=20_000):
        wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.report_page)
    assert wizard.choices.report.comments_created == export.answers
    assert "personal identifiers" in wizard.report_page.view.toPlainText()


def test_a_long_export_is_shown_as_one_row_per_answer(qtbot, wizard, tmp_path, empty_project):
    from tests import survey_exports

    export = survey_exports.fft_long(30)  # answers repeat: the answer column is still text
    to_columns_page(wizard, export.write(tmp_path))
    page = wizard.columns_page
    assert "long layout: one row per answer, question in column FFT question" in \
        page.found_note.text().replace("Long layout", "long layout")
    assert page.model.role("FFT question") == "question"
    assert page.model.comment_columns() == ["FFT answer"]
    with qtbot.waitSignal(wizard.imported, timeout=20_000):
        wizard.next()
    qtbot.waitUntil(lambda: wizard.currentPage() is wizard.report_page)
    report = wizard.choices.report
    assert (report.respondents_created, report.comments_created) == (export.respondents,
                                                                      export.answers)
