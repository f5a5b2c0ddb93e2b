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
