"""File → Report… and File → Export…: drafting, editing, writing off the GUI thread."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QDesktopServices

from engage.browse import CommentFilter
from engage.project import Project
from tests.reports.conftest import CONSULTATION, build
from ui.report_dialog import ExportDialog, ReportDialog


@pytest.fixture
def analysed(tmp_path):
    """An analysed project (the GUI thread's connection); the dialogs' tasks open their own."""
    project = build(tmp_path)
    yield project
    project.close()


def test_report_dialog_drafts_lets_the_officer_edit_and_writes(qtbot, analysed, tmp_path,
                                                               monkeypatch):
    dialog = ReportDialog(analysed, CommentFilter(consultation_id=1))
    qtbot.addWidget(dialog)
    assert dialog.consultation.currentText().startswith(CONSULTATION)
    assert [dialog.place.itemText(i).strip() for i in range(3)] == [
        "All places", "Dorset ICS", "Dorset Council"]
    with qtbot.waitSignal(dialog.runner.finished, timeout=30000):
        dialog.draft_button.click()
    drafted = dialog.summary_text.toPlainText()
    assert drafted.startswith("15 people responded to Winter listening exercise")
    dialog.summary_text.setPlainText("Edited by the officer: <b>parking</b> matters most.")
    for key, box in dialog.sections.items():
        box.setChecked(key in ("summary", "themes"))
    dialog.format.setCurrentIndex(dialog.format.findData("html"))
    out = tmp_path / "board.html"
    dialog.path.setText(str(out))
    with qtbot.waitSignal(dialog.runner.finished, timeout=60000):
        dialog.write_button.click()
    page = out.read_text(encoding="utf-8")
    assert "Edited by the officer: &lt;b&gt;parking&lt;/b&gt; matters most." in page
    assert "Themes by portfolio" in page and "What people said" not in page
    assert dialog.written == out and dialog.open_folder_button.isEnabled()
    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl",
                        staticmethod(lambda url: opened.append(url.toLocalFile())))
    dialog.open_folder_button.click()
    assert opened == [str(tmp_path)]


def test_changing_the_format_changes_the_file_name(qtbot, analysed, tmp_path):
    dialog = ReportDialog(analysed)
    qtbot.addWidget(dialog)
    dialog.path.setText(str(tmp_path / "summary.pdf"))
    dialog.format.setCurrentIndex(dialog.format.findData("docx"))
    assert dialog.path.text() == str(tmp_path / "summary.docx")


def test_report_dialog_shows_a_failure_as_one_line(qtbot, analysed, tmp_path):
    dialog = ReportDialog(analysed)
    qtbot.addWidget(dialog)
    dialog.write_button.click()
    assert "Choose where to save" in dialog.status.text()
    dialog.path.setText(str(tmp_path / "missing" / "r.pdf"))
    with qtbot.waitSignal(dialog.runner.failed, timeout=30000):
        dialog.write_button.click()
    assert "does not exist" in dialog.status.text() and "\n" not in dialog.status.text()
    assert dialog.write_button.isEnabled() and not dialog.open_folder_button.isEnabled()


def test_export_dialog_writes_the_chosen_place(qtbot, analysed, tmp_path):
    place = next(p["id"] for p in analysed.places() if p["name"] == "Purbeck")
    dialog = ExportDialog(analysed, CommentFilter(place_id=place))
    qtbot.addWidget(dialog)
    assert dialog.place.currentData() == place
    dialog.format.setCurrentIndex(dialog.format.findData("csv"))
    out = tmp_path / "purbeck.csv"
    dialog.path.setText(str(out))
    with qtbot.waitSignal(dialog.runner.finished, timeout=30000):
        dialog.write_button.click()
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("comment_id,") and len(lines) == 1 + 2  # R04's and R09's comments
    with Project.open(analysed.path) as other:
        assert other.totals()["comments"] == 22  # exporting changed nothing


def test_opening_the_report_dialog_starts_the_draft(qtbot, analysed):
    dialog = ReportDialog(analysed)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.runner.finished, timeout=30000):
        dialog.show()
    assert dialog.summary_text.toPlainText().startswith("15 people responded")
    assert dialog._summary is not None  # the figures are kept for writing the same scope
