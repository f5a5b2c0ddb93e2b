"""The window's side of the project-file refusals: one line in a message, nothing opened."""

from __future__ import annotations

import pytest

pytest.importorskip("PySide6")

from engage.settings import Settings  # noqa: E402
from ui.main_window import MainWindow  # noqa: E402


@pytest.fixture
def window(qtbot, monkeypatch, tmp_path):
    monkeypatch.setenv("ENGAGE_CONFIG_DIR", str(tmp_path / "config"))
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(MainWindow, "show_error", lambda self, title, text: shown.append(
        (title, text)))
    win = MainWindow(Settings())
    win.shown = shown
    qtbot.addWidget(win)
    yield win
    win.close_project()


def test_window_says_the_project_is_open_in_another_engage(window, small_project,
                                                           held_elsewhere):
    assert not window.open_project(small_project)
    assert window.project is None
    (title, text), = window.shown
    assert f"already open in another Engage window (pid {held_elsewhere.pid}" in text
    assert "\n" not in text


def test_window_says_a_damaged_file_is_damaged(window, small_project):
    data = small_project.read_bytes()
    small_project.write_bytes(data[: len(data) // 2])
    assert not window.open_project(small_project)
    (title, text), = window.shown
    assert "damaged" in text and "\n" not in text


# ----- the same checks and the same one line as the command line (issue 16) --------------------
def _cap_every_connection(monkeypatch) -> None:
    """A full disk for SQLite: every connection capped at its current size (see
    tests/hardening/test_hostile_state.py for why this is the very error a full disk gives)."""
    from engage.project import Project

    real = Project._connect.__func__

    def connect(cls, path, user, check):
        project = real(cls, path, user, check)
        pages = project.db.execute("PRAGMA page_count").fetchone()[0]
        project.db.execute(f"PRAGMA max_page_count = {pages}")
        return project

    monkeypatch.setattr(Project, "_connect", classmethod(connect))


def test_import_page_refuses_a_zip_bomb_with_the_command_lines_words(qtbot, tmp_path,
                                                                    small_project):
    from engage.errors import EngageError
    from engage.importing.readers import read_table
    from tests.hardening.bad_inputs import zip_bomb_xlsx
    from ui.import_pages import FilePage, ImportChoices

    bomb = tmp_path / "bomb.xlsx"
    zip_bomb_xlsx(bomb)
    with pytest.raises(EngageError) as caught:
        read_table(bomb)
    page = FilePage(ImportChoices(project_path=small_project))
    qtbot.addWidget(page)
    page.set_path(bomb)
    assert page.error_label.text() == str(caught.value)
    assert "zip bomb" in page.error_label.text() and "\n" not in page.error_label.text()
    assert not page.isComplete()


def test_recent_projects_menu_goes_through_the_same_checks(window, small_project):
    data = small_project.read_bytes()
    small_project.write_bytes(data[: len(data) // 2])
    window.settings.recent_projects = [str(small_project.resolve())]
    window.recent.fill_menu()
    action = next(a for a in window.recent_menu.actions() if a.text() == small_project.name)
    action.trigger()
    assert window.project is None
    (title, text), = window.shown
    assert "damaged" in text and "\n" not in text


def test_analysing_on_a_full_disk_shows_one_line(window, qtbot, small_project, monkeypatch):
    assert window.open_project(small_project)
    _cap_every_connection(monkeypatch)
    window.analysis.analyse()
    qtbot.waitUntil(lambda: bool(window.shown), timeout=120_000)
    (title, text), = window.shown
    assert "the disk is full" in text and "project file is intact" in text
    assert "\n" not in text and "Traceback" not in text


def test_a_new_project_on_a_full_disk_leaves_nothing(window, tmp_path, monkeypatch):
    import sqlite3

    real = sqlite3.connect

    def tiny(*args, **kwargs):
        conn = real(*args, **kwargs)
        conn.execute("PRAGMA max_page_count = 3")
        return conn

    monkeypatch.setattr("engage.project.sqlite3.connect", tiny)
    folder = tmp_path / "projects"
    folder.mkdir()
    assert not window.new_project(folder / "new.engage")
    (title, text), = window.shown
    assert "the disk is full" in text and "\n" not in text
    assert list(folder.iterdir()) == []


def _drop(window, path) -> bool:
    """Drag-enter then drop, handed to the window's drop handler as Qt would hand them (an
    offscreen platform delivers no drag-and-drop events of its own)."""
    from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
    from PySide6.QtGui import QDragEnterEvent, QDropEvent

    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    enter = QDragEnterEvent(QPoint(10, 10), Qt.DropAction.CopyAction, mime,
                            Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    assert window.file_drops.eventFilter(window, enter) and enter.isAccepted()
    drop = QDropEvent(QPointF(10, 10), Qt.DropAction.CopyAction, mime,
                      Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier)
    return window.file_drops.eventFilter(window, drop) and drop.isAccepted()


def test_a_dropped_damaged_project_gets_the_same_line_as_file_open(window, small_project):
    data = small_project.read_bytes()
    small_project.write_bytes(data[: len(data) // 2])
    assert _drop(window, small_project)
    assert window.project is None
    (title, text), = window.shown
    assert "damaged" in text and "\n" not in text


def test_a_dropped_project_opens(window, small_project):
    assert _drop(window, small_project)
    assert window.project is not None and window.project.path == small_project


def test_a_dropped_zip_bomb_goes_through_the_import_pages_checks(window, small_project,
                                                                tmp_path, monkeypatch):
    from tests.hardening.bad_inputs import zip_bomb_xlsx

    monkeypatch.setattr(window.officer, "ensure", lambda: "Test officer")
    assert window.open_project(small_project)
    bomb = tmp_path / "bomb.xlsx"
    zip_bomb_xlsx(bomb)
    assert _drop(window, bomb)
    page = window._wizard.file_page
    assert "refused as a possible zip bomb" in page.error_label.text()
    assert not page.isComplete()
    window._wizard.reject()


def test_a_survey_dropped_with_no_project_open_says_what_to_do(window, tmp_path):
    source = tmp_path / "survey.csv"
    source.write_text("ID,Comment\nR1,The bus is late\n", encoding="utf-8")
    assert _drop(window, source)
    (title, text), = window.shown
    assert "open or create a project first" in text
