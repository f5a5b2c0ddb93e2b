"""Smoke tests of the main window: open, search, filter, refresh on changes, background work."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QWidget

from engage.changes import Changes
from engage.project import Project
from engage.settings import Settings
from tests.ui.conftest import QUESTION_COLUMNS, import_survey, survey_rows, write_survey
from ui import comment_model as cm
from ui.main_window import MainWindow


@pytest.fixture
def messages(monkeypatch):
    """Message boxes are modal; record what would have been shown instead."""
    shown: list[tuple[str, str, str]] = []
    monkeypatch.setattr(MainWindow, "show_error",
                        lambda self, title, text: shown.append(("error", title, text)))
    monkeypatch.setattr(MainWindow, "show_info",
                        lambda self, title, text: shown.append(("info", title, text)))
    return shown


@pytest.fixture
def window(qtbot, messages):
    win = MainWindow(Settings())
    qtbot.addWidget(win)
    win.show()
    yield win
    win.tasks.cancel()
    win.tasks.wait(5000)


def count_text(shown: int, total: int) -> str:
    return f"Showing {shown:,} of {total:,} comments"


def test_starts_on_the_welcome_page_without_a_project(window):
    assert window.stack.currentWidget() is window.welcome
    assert window.windowTitle() == "Engage"
    assert not window.import_action.isEnabled()


def test_opening_a_project_shows_all_its_comments(window, project_path, survey):
    assert window.open_project(project_path)
    assert window.windowTitle().startswith(project_path.name)
    assert window.stack.currentIndex() == 1
    assert window.model.rowCount() == survey.count()
    assert window.count_label.text() == count_text(survey.count(), survey.count())
    assert window.detail.comment_id() == window.model.record(0).id
    assert str(project_path.resolve()) == Settings.load().recent_projects[0]


def test_search_filters_the_table_and_highlights_the_detail(qtbot, window, project_path,
                                                           survey):
    window.open_project(project_path)
    with qtbot.waitSignal(window.filter_bar.filter_changed, timeout=2000):
        qtbot.keyClicks(window.filter_bar.search, "parking")
    expected = survey.count_word("parking")
    assert 0 < expected < survey.count()
    assert window.model.rowCount() == expected
    assert window.count_label.text() == count_text(expected, survey.count())
    assert "parking" in window.detail.plain_text().lower()
    assert "<span style=" in window.detail.browser.toHtml() or \
        "background-color" in window.detail.browser.toHtml()


def test_search_runs_once_after_typing_stops(qtbot, window, project_path):
    window.open_project(project_path)
    emitted = []
    window.filter_bar.filter_changed.connect(lambda: emitted.append(1))
    qtbot.keyClicks(window.filter_bar.search, "waiting")
    assert emitted == []  # debounced: nothing yet
    qtbot.waitUntil(lambda: emitted == [1], timeout=2000)


def test_navigator_and_checkboxes_narrow_the_table(qtbot, window, project_path, survey):
    window.open_project(project_path)
    question = next(q for q in window.project.questions() if q["label"] == QUESTION_COLUMNS[1])
    assert window.navigator.select(question["consultation_id"], question["id"])
    assert window.model.rowCount() == survey.count(question=QUESTION_COLUMNS[1])
    window.filter_bar.hide_placeholders.click()
    assert window.model.rowCount() == survey.count(
        lambda _row, text: text != "n/a", question=QUESTION_COLUMNS[1])
    window.filter_bar.clear_button.click()
    assert not window.filter_bar.hide_placeholders.isChecked()
    assert window.model.rowCount() == survey.count(question=QUESTION_COLUMNS[1])


def test_place_and_attribute_filters(window, project_path, survey):
    window.open_project(project_path)
    bar = window.filter_bar
    bar.place.setCurrentIndex(bar.place.findText("Poole Bay"))
    assert window.model.rowCount() == survey.count(lambda row, _t: row["Locality"] == "Poole Bay")
    bar.place.setCurrentIndex(0)
    assert bar.attribute.count() == 1, "attributes are listed only when the officer asks"
    bar.attribute.showPopup()  # as a click or Alt+Down would
    bar.attribute.hidePopup()
    bar.attribute.setCurrentIndex(bar.attribute.findData("age_band"))
    bar.value.setCurrentIndex(bar.value.findData("65+"))
    assert window.model.rowCount() == survey.count(lambda row, _t: row["Age band"] == "65+")


def test_views_refresh_from_a_changes_record(window, project_path, survey, tmp_path):
    window.open_project(project_path)
    more = survey_rows(respondents=5, start=500)
    with Project.open(project_path) as other:  # as a worker would: its own connection
        _report, changes = import_survey(other, write_survey(tmp_path / "more.csv", more))
    assert window.model.rowCount() == survey.count()  # nothing refreshes by itself
    window.apply_changes(changes)
    added = sum(1 for row in more for c in QUESTION_COLUMNS if row[c].strip())
    assert window.model.rowCount() == survey.count() + added
    assert window.count_label.text() == count_text(survey.count() + added,
                                                   survey.count() + added)
    top = window.navigator.tree.topLevelItem(0)
    assert top.text(1) == f"{survey.count() + added:,}"


def test_unrelated_changes_do_not_reset_the_table(qtbot, window, project_path):
    window.open_project(project_path)
    resets = []
    window.model.modelReset.connect(lambda: resets.append(1))
    window.apply_changes(Changes(activities=True))
    window.apply_changes(Changes())
    assert resets == []


def test_a_file_that_is_not_a_project_gets_one_clear_message(window, messages, tmp_path):
    bogus = tmp_path / "notes.engage"
    bogus.write_text("just some notes, not a database")
    assert not window.open_project(bogus)
    assert window.project is None
    (kind, _title, text), = messages
    assert kind == "error" and "notes.engage" in text and "\n" not in text


def test_close_project_returns_to_the_welcome_page(window, project_path):
    window.open_project(project_path)
    window.close_action.trigger()
    assert window.project is None
    assert window.stack.currentWidget() is window.welcome
    assert window.count_label.text() == ""


def test_find_shortcut_focuses_the_search_box(qtbot, window, project_path):
    window.open_project(project_path)
    window.activateWindow()
    window.table.setFocus()
    window.find_action.trigger()
    qtbot.waitUntil(lambda: window.filter_bar.search.hasFocus(), timeout=2000)


def test_import_opens_the_wizard_or_says_it_is_not_available(window, messages, project_path):
    window.open_project(project_path)
    window.import_action.trigger()
    try:
        from ui.import_wizard import ImportWizard
    except ModuleNotFoundError:
        assert messages and "not available" in messages[-1][2]
        return
    assert isinstance(window._wizard, ImportWizard)
    window._wizard.close()


def fake_long_task(steps: int, seen_cancel: list):
    def task(progress, cancelled):
        from engage.progress import Cancelled

        for i in range(steps):
            if cancelled():
                seen_cancel.append(i)
                raise Cancelled("stopped")
            progress(i / steps, f"Step {i + 1} of {steps}")
            time.sleep(0.01)
        return "done"
    return task


def test_long_task_reports_progress_keeps_the_loop_turning_and_can_be_cancelled(qtbot, window):
    ticks = []
    timer = QTimer(window)
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(10)
    seen_cancel: list[int] = []
    with qtbot.waitSignal(window.tasks.progress, timeout=3000):
        window.run_task(fake_long_task(2000, seen_cancel), "Pretending to work")
    assert window.progress_bar.isVisible() and window.cancel_button.isVisible()
    qtbot.waitUntil(lambda: len(ticks) >= 5, timeout=3000)  # the GUI thread is free
    qtbot.waitUntil(lambda: window.progress_bar.value() > 0, timeout=3000)
    with qtbot.waitSignal(window.tasks.cancelled, timeout=3000):
        qtbot.mouseClick(window.cancel_button, Qt.MouseButton.LeftButton)
    timer.stop()
    assert seen_cancel and seen_cancel[0] < 2000
    assert not window.progress_bar.isVisible() and not window.cancel_button.isVisible()


def test_finished_task_hands_its_result_to_the_caller(qtbot, window):
    results = []
    with qtbot.waitSignal(window.tasks.finished, timeout=3000):
        window.run_task(fake_long_task(3, []), "Quick", results.append)
    assert results == ["done"]


def test_failed_task_shows_its_one_line_message(qtbot, window, messages):
    from engage.errors import ImportFileError

    def task(_progress, _cancelled):
        raise ImportFileError("survey.csv: row 4 has 3 columns, expected 7")

    with qtbot.waitSignal(window.tasks.failed, timeout=3000):
        window.run_task(task, "Failing")
    assert messages[-1][0] == "error"
    assert messages[-1][2] == "survey.csv: row 4 has 3 columns, expected 7"


def test_an_import_through_the_wizard_refreshes_the_browser(qtbot, window, project_path,
                                                            survey, tmp_path):
    from ui.import_wizard import ImportWizard

    window.open_project(project_path)
    more = survey_rows(respondents=6, start=700)
    added = sum(1 for row in more for c in QUESTION_COLUMNS if row[c].strip())
    window.import_action.trigger()
    wizard = window._wizard
    assert isinstance(wizard, ImportWizard)
    wizard.file_page.set_path(write_survey(tmp_path / "later_export.csv", more))
    wizard.next()
    assert wizard.currentPage() is wizard.columns_page
    with qtbot.waitSignal(wizard.imported, timeout=20_000):
        wizard.next()
    total = survey.count() + added
    assert window.model.rowCount() == total
    assert window.count_label.text() == count_text(total, total)
    assert window.navigator.tree.topLevelItem(0).text(1) == f"{total:,}"
    wizard.run_page.runner.wait(10_000)
    wizard.close()


def wait_for_task(qtbot, window, timeout: int = 120_000) -> str:
    """Wait until the running task ends whichever way; return how it ended."""
    outcome: list[str] = []
    window.tasks.finished.connect(lambda _result: outcome.append("finished"))
    window.tasks.failed.connect(lambda message: outcome.append(f"failed: {message}"))
    window.tasks.cancelled.connect(lambda: outcome.append("cancelled"))
    qtbot.waitUntil(lambda: bool(outcome), timeout=timeout)
    return outcome[0]


def test_open_sample_project_builds_it_in_the_background(qtbot, window, messages, tmp_path):
    window.sample_path = tmp_path / "samples" / "sample.engage"
    progress = []
    window.tasks.progress.connect(lambda fraction, _message: progress.append(fraction))
    window.welcome.sample_button.click()
    assert window.cancel_button.isVisible()
    assert wait_for_task(qtbot, window) == "finished", messages
    assert progress and window.project is not None
    assert window.project.path == window.sample_path
    assert window.model.rowCount() > 1000
    assert not list(window.sample_path.parent.glob("*.building*")), "no partial file is left"


def test_cancelling_the_sample_build_leaves_no_file(qtbot, window, tmp_path):
    window.sample_path = tmp_path / "samples" / "sample.engage"
    window.open_sample_project()
    window.tasks.cancel()
    assert wait_for_task(qtbot, window) == "cancelled"
    assert window.project is None
    assert list(window.sample_path.parent.glob("*")) == []


def test_recent_projects_reappear_on_the_welcome_page(window, project_path):
    window.open_project(project_path)
    window.close_project()
    names = [b.text() for b in window.welcome._recent_buttons]
    assert names == [project_path.name]
    window.welcome._recent_buttons[0].click()
    assert window.project is not None and window.project.path == project_path


def test_main_opens_the_project_named_on_the_command_line(qtbot, qapp, monkeypatch, tmp_path,
                                                         project_path):
    import sys

    from PySide6.QtWidgets import QApplication

    from ui import app as app_module

    monkeypatch.setattr(app_module, "log_path", lambda: tmp_path / "logs" / "engage.log")
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    errors = []
    monkeypatch.setattr(app_module.QMessageBox, "warning",
                        lambda _parent, title, text: errors.append((title, text)))

    def opened() -> list[MainWindow]:
        return [w for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and w.project is not None]

    def event_loop_until_opened() -> int:
        # Stands in for app.exec(): a real exec/quit here would stop later tests' loops.
        qtbot.waitUntil(lambda: bool(opened() or errors), timeout=5000)
        return 0

    monkeypatch.setattr(qapp, "exec", event_loop_until_opened)
    assert app_module.main(["engage", str(project_path)]) == 0
    assert errors == []
    window, = opened()
    assert window.windowTitle().startswith(project_path.name)
    assert (tmp_path / "logs" / "engage.log").exists()
    window.close()
    window.deleteLater()


def test_every_control_has_an_accessible_name(window, project_path):
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QComboBox,
        QLineEdit,
        QTextBrowser,
    )

    window.open_project(project_path)
    kinds = (QAbstractButton, QAbstractItemView, QComboBox, QLineEdit, QTextBrowser)
    controls = [w for w in window.findChildren(QWidget)
                if isinstance(w, kinds) and w.isVisible()
                and w.focusPolicy() != Qt.FocusPolicy.NoFocus
                and not isinstance(w.parentWidget(), kinds)]  # not parts of a composite control
    assert len(controls) >= 9  # search, 3 combos, 2 boxes, clear, table, tree, details
    unnamed = [f"{type(w).__name__} {w.objectName()}" for w in controls if not w.accessibleName()]
    assert unnamed == []


def test_tab_walks_the_filter_bar_then_the_table(window, project_path):
    window.open_project(project_path)
    bar = window.filter_bar
    expected = [bar.search, bar.place, bar.attribute, bar.value, bar.hide_placeholders,
                bar.hide_duplicates, bar.clear_button, window.table]
    chain, widget = [], bar.search
    while len(chain) < len(expected) and widget is not None:
        chain.append(widget)
        widget = widget.nextInFocusChain()
        while widget is not None and widget not in expected and widget is not bar.search:
            widget = widget.nextInFocusChain()
    assert chain == expected


def select_comment(window, predicate) -> int:
    """Select the first table row whose record matches; return the row."""
    model = window.model
    row = next(r for r in range(model.rowCount()) if predicate(model.record(r)))
    window.table.selectRow(row)
    return row


def test_detail_pane_says_what_was_masked_and_where_it_came_from(window, project_path,
                                                                 survey):
    window.open_project(project_path)
    select_comment(window, lambda record: record.masked)
    text = window.detail.plain_text()
    phone_row = next(i for i, row in enumerate(survey.rows) if "01305" in row[QUESTION_COLUMNS[2]])
    assert "1 phone number masked" in text
    assert "01305" not in text
    assert f"survey.csv, row {phone_row + 2}" in text  # row 1 is the header
    assert survey.rows[phone_row]["Respondent ID"] in text
    assert QUESTION_COLUMNS[2] in text


def test_detail_pane_marks_placeholders_and_duplicates(window, project_path):
    window.open_project(project_path)
    select_comment(window, lambda record: not record.substantive)
    assert "non-substantive" in window.detail.plain_text()
    row = select_comment(window, lambda record: record.duplicate_of is not None)
    original = window.model.record(row).duplicate_of
    assert f"exact duplicate of comment {original}" in window.detail.plain_text()


def test_window_size_and_hidden_columns_are_remembered(qtbot, messages):
    first = MainWindow(Settings())
    qtbot.addWidget(first)
    first.show()
    first.resize(first.minimumSizeHint().width() + 10, 520)  # the offscreen screen is small
    size = first.size()
    first.table.column_actions[4].setChecked(False)  # hide Place
    first.close()
    second = MainWindow(Settings())
    qtbot.addWidget(second)
    assert second.size() == size
    assert second.table.isColumnHidden(4)
    assert not second.table.column_actions[4].isChecked()


def test_empty_results_say_why_and_what_to_do(window, project_path, tmp_path):
    window.open_project(project_path)
    window.filter_bar.search.setText("zebra")
    window.filter_bar._search_now()
    assert window.model.rowCount() == 0
    assert "No comments match" in window.detail.plain_text()
    assert window.new_project(tmp_path / "fresh.engage")
    assert "no comments yet" in window.detail.plain_text()
    assert "Import" in window.detail.plain_text()


def test_new_project_over_the_open_one_lets_go_of_it_first(window, project_path):
    window.open_project(project_path)
    assert window.new_project(project_path)
    assert window.model.rowCount() == 0
    assert window.count_label.text() == count_text(0, 0)


def test_escape_in_the_search_box_shows_everything_again(qtbot, window, project_path, survey):
    window.open_project(project_path)
    search = window.filter_bar.search
    window.activateWindow()
    search.setFocus()
    qtbot.waitUntil(search.hasFocus, timeout=2000)
    qtbot.keyClicks(search, "parking")
    qtbot.keyClick(search, Qt.Key.Key_Return)
    assert window.model.rowCount() == survey.count_word("parking")
    qtbot.keyClick(search, Qt.Key.Key_Escape)
    assert search.text() == ""
    assert window.model.rowCount() == survey.count()


def test_the_comment_itself_keeps_room_in_a_laptop_window_beside_both_docks(qtbot, window,
                                                                          project_path):
    window.resize(1280, 800)
    window.open_project(project_path)
    qtbot.waitUntil(lambda: not window._size_docks)  # docks take their first-run sizes
    assert window.navigator_dock.isVisible() and window.detail_dock.isVisible()
    table = window.table
    qtbot.waitUntil(lambda: table.viewport().width() > 0)
    comment_width = table.columnWidth(cm.COMMENT)
    assert comment_width >= 0.3 * table.viewport().width(), (
        comment_width, table.viewport().width())
