"""The accurate pass belongs to its project: opening another project (or closing this one) stops
it through its cancel check, nothing it found reaches the project now open, and the pass
resumes when its own project is opened again.

The accurate pass is off for the rest of the suite (tests/conftest.py); these tests switch it
back on, as tests/ui/test_accurate_pass.py does.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from engage.analysis import vectors
from engage.analysis.pipeline import accurate_pending, analyse_project
from engage.nlp.encoder import available
from engage.project import Project
from engage.settings import Settings
from tests.ui.conftest import QUESTION_COLUMNS, import_survey, write_survey
from ui.main_window import MainWindow

# Written for this test; none of them is in the other project.
OTHER_TEXTS = (
    "The community hospital in our town should open its x-ray room at weekends.",
    "A hearing aid clinic nearer to the coast would save my father a long trip.",
    "Thank you to the district nurses who came every day after my operation.",
    "Nobody told us the eye clinic had moved until we arrived at the old address.",
)


def other_project(folder: Path) -> Path:
    """Project B: a few comments, imported and never analysed (nothing for a pass to do)."""
    rows = [{"Respondent ID": f"B{i:03d}", "Date": "02/07/2013", "Locality": "Purbeck",
             "Age band": "65+", QUESTION_COLUMNS[0]: text, QUESTION_COLUMNS[1]: "",
             QUESTION_COLUMNS[2]: ""} for i, text in enumerate(OTHER_TEXTS, start=1)]
    path = folder / "other.engage"
    with Project.create(path) as project:
        import_survey(project, write_survey(folder / "other.csv", rows))
    return path


@pytest.fixture
def window(qtbot, monkeypatch):
    monkeypatch.delenv("ENGAGE_ACCURATE", raising=False)  # on, for these tests only
    if not available():
        pytest.fail("the accurate model is not installed in models/encoder")
    errors: list[str] = []
    monkeypatch.setattr(MainWindow, "show_error", lambda self, title, text: errors.append(text))
    win = MainWindow(Settings(officer_name="Robin Tester"))
    win.errors = errors
    qtbot.addWidget(win)
    win.show()
    yield win
    win.tasks.cancel()
    win.tasks.wait(60_000)
    win.views.shut_down()
    win.close_project()


def start_refining(qtbot, window, path: Path) -> None:
    """Open `path` (fast-analysed) and wait until its accurate pass is under way."""
    seen: list[str] = []
    window.tasks.progress.connect(lambda _f, message: seen.append(message))
    assert window.open_project(path)  # resumes the pass the fast analysis left to do
    assert window.analysis.working_on() == window.project.path and window.tasks.is_running()
    qtbot.waitUntil(lambda: bool(seen), timeout=60_000)


def accurate_coded(path: Path) -> int:
    with Project.open(path) as project:
        return vectors.coded_by_counts(project).get("accurate", 0)


def test_opening_another_project_cancels_the_pass_and_its_result_stays_out(
        qtbot, window, project_path, tmp_path):
    analyse_project(project_path)
    pending = accurate_pending(project_path)
    assert pending > 0
    other = other_project(tmp_path)
    assert accurate_pending(other) == 0
    start_refining(qtbot, window, project_path)

    broadcasts: list = []
    window.changed.connect(broadcasts.append)
    with qtbot.waitSignal(window.tasks.cancelled, timeout=120_000):
        assert window.open_project(other)
    assert window.tasks.wait(60_000)  # the worker has ended …
    qtbot.wait(200)                   # … and whatever it posted has been delivered
    assert not window.tasks.is_running() and window.analysis.working_on() is None
    assert window.errors == []

    # project B's views hold B and nothing from A's pass
    assert window.project.path == other
    assert broadcasts == []
    assert "accurate model" not in window.statusBar().currentMessage()
    # the status bar says whose pass stopped, not a bare "Cancelled" that reads as B's
    assert window.statusBar().currentMessage() == (
        f"Paused refining {project_path.name} when it closed; it carries on when you open it "
        "again")
    listed = [window.model.record(r).text for r in range(window.model.rowCount())]
    assert sorted(listed) == sorted(OTHER_TEXTS)
    workbench = window.views.coding.coding
    assert sorted(workbench.model.row(r).comment.text
                  for r in range(workbench.model.rowCount())) == sorted(OTHER_TEXTS)
    assert any(text in window.detail.plain_text() for text in OTHER_TEXTS)

    # A's pass stopped before coding anything, and carries on when A is opened again
    assert accurate_pending(project_path) == pending and accurate_coded(project_path) == 0
    assert window.open_project(project_path)
    assert window.analysis.working_on() == window.project.path
    qtbot.waitUntil(lambda: not window.tasks.is_running(), timeout=300_000)
    assert window.errors == []
    assert accurate_pending(project_path) == 0 and accurate_coded(project_path) > 0
    assert "Refined" in window.statusBar().currentMessage()


def test_closing_the_project_cancels_its_pass(qtbot, window, project_path):
    analyse_project(project_path)
    pending = accurate_pending(project_path)
    start_refining(qtbot, window, project_path)
    broadcasts: list = []
    window.changed.connect(broadcasts.append)
    with qtbot.waitSignal(window.tasks.cancelled, timeout=120_000):
        window.close_action.trigger()  # File → Close Project
    assert window.tasks.wait(60_000)
    qtbot.wait(200)
    assert window.project is None and broadcasts == [] and window.errors == []
    assert accurate_pending(project_path) == pending
