"""The accurate pass in the window: it follows the fast one, shows its progress in the status
line, lands in place, and a project opened with an unfinished pass resumes it."""

from __future__ import annotations

import os

import pytest

from engage.analysis import vectors
from engage.analysis.pipeline import accurate_pending, analyse_project
from engage.nlp.encoder import available
from engage.project import Project
from engage.settings import Settings
from ui.main_window import MainWindow


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.delenv("ENGAGE_ACCURATE", raising=False)
    if not available():
        pytest.fail("the accurate model is not installed in models/encoder")
    monkeypatch.setattr(MainWindow, "show_error", lambda self, title, text: None)
    win = MainWindow(Settings())
    qtbot.addWidget(win)
    win.show()
    yield win
    win.tasks.cancel()
    win.tasks.wait(10000)


def test_opening_a_fast_analysed_project_refines_it_with_progress(qtbot, window,
                                                                  project_path):
    analyse_project(project_path)
    assert accurate_pending(project_path) > 0
    seen: list[str] = []
    window.tasks.progress.connect(lambda _f, message: seen.append(message))
    window.open_project(project_path)  # resumes the pass the fast analysis left to do
    qtbot.waitUntil(lambda: window.tasks.is_running(), timeout=5000)
    label = window.task_status.label
    qtbot.waitUntil(lambda: "Refining with the accurate model…" in label.text(), timeout=10000)
    shot = os.environ.get("ENGAGE_SCREENSHOT_DIR")
    if shot:
        qtbot.waitUntil(lambda: any(m.endswith("%") and not m.endswith(" 0%") for m in seen),
                        timeout=60000)
        window.grab().save(os.path.join(shot, "accurate_pass_running.png"))
    qtbot.waitUntil(lambda: not window.tasks.is_running(), timeout=180000)
    assert any(m.startswith("Refining with the accurate model… ") and m.endswith("%")
               for m in seen)
    assert "accurate model" in window.statusBar().currentMessage()
    with Project.open(project_path) as project:
        counts = vectors.coded_by_counts(project)
    assert counts.get("accurate", 0) > 0 and counts.get("fast", 0) == 0
    assert accurate_pending(project_path) == 0
    with Project.open(project_path) as project:
        first = project.db.execute("SELECT min(comment_id) FROM comment_analysis").fetchone()[0]
    window.detail.show_comment(first)
    assert "Coded by" in window.detail.plain_text()
    assert "accurate model" in window.detail.plain_text()


def test_switched_off_the_window_runs_the_fast_pass_only(qtbot, window, project_path,
                                                         monkeypatch):
    monkeypatch.setenv("ENGAGE_ACCURATE", "off")
    analyse_project(project_path)
    window.open_project(project_path)
    qtbot.wait(200)
    assert not window.tasks.is_running()
    assert accurate_pending(project_path) == 0  # nothing to resume when it is off
