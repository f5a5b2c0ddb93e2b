"""The kind of a comment in the window: the detail panes say it and who set it, the officer sets
it from the coding workbench's keyboard (audited, one undo step), and the overview shows what
people asked for, praised and complained about per theme, each figure a way into its comments."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from engage.analysis import kinds
from engage.browse import comment_detail
from engage.project import Project
from tests.ui import workbench_data as data
from tests.ui.test_coding import make_workbench, press, select
from ui.detail_pane import DetailPane

SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def small(tmp_path):
    with Project.open(data.build(tmp_path / "small.engage")) as project:
        yield project


def kind_of(project, comment_id):
    d = comment_detail(project, comment_id)
    return d["kind"], d["kind_source"], d["kind_confidence"]


# ----- the detail panes ------------------------------------------------------------------------
def test_detail_pane_says_the_kind_and_who_set_it(qtbot, small):
    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.set_project(small)
    pane.show_comment(1)
    assert "not classified yet" in pane.plain_text()
    kinds.save_model_kinds(small, [1], ["praise"], [0.82])
    pane.show_comment(1)
    assert "Praise (the model's estimate, 82% sure)" in pane.plain_text()
    pane.on_changes(kinds.set_kind(small, [1], "suggestion"))
    assert "Suggestion (set by an officer)" in pane.plain_text()


# ----- setting a kind in the coding workbench ---------------------------------------------------
@pytest.fixture
def workbench(qtbot, small):
    wb = make_workbench(qtbot, small)
    yield wb
    wb.retrainer.cancel()
    wb.retrainer.wait(30_000)
    wb.set_project(None)


def test_shift_s_sets_suggestion_audited_and_undo_restores_the_models_kind(qtbot, workbench,
                                                                          small):
    kinds.save_model_kinds(small, [1, 2], ["complaint", "praise"], [0.7, 0.6])
    kinds.set_kind(small, [2], "question")  # an officer's kind already on comment 2
    select(workbench, 0, 1)
    with qtbot.waitSignal(workbench.session.changed) as blocker:
        press(qtbot, workbench, Qt.Key.Key_S, SHIFT)
    assert blocker.args[0].comments
    assert kind_of(small, 1)[:2] == ("suggestion", "officer")
    assert kind_of(small, 2)[:2] == ("suggestion", "officer")
    audit = [dict(r) for r in small._rows("SELECT * FROM audit WHERE action = 'set kind'")]
    assert audit and {r["user"] for r in audit} == {data.OFFICER}
    select(workbench, 0)
    assert "Kind: Suggestion (set by an officer)" in workbench.detail.plain_text()
    assert workbench.session.undo_stack.undoText() == "Kind Suggestion (2 comments)"

    with qtbot.waitSignal(workbench.session.changed):
        press(qtbot, workbench, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert kind_of(small, 1) == ("complaint", "model", 0.7)
    assert kind_of(small, 2)[:2] == ("question", "officer")
    assert "Kind: Complaint (the model's estimate, 70% sure)" in workbench.detail.plain_text()
    with qtbot.waitSignal(workbench.session.changed):
        workbench.session.undo_stack.redo()
    assert kind_of(small, 1)[:2] == kind_of(small, 2)[:2] == ("suggestion", "officer")


def test_shift_u_hands_the_kind_back_to_the_model(qtbot, workbench, small):
    kinds.set_kind(small, [1], "praise")
    select(workbench, 0)
    with qtbot.waitSignal(workbench.session.changed):
        press(qtbot, workbench, Qt.Key.Key_U, SHIFT)
    assert kind_of(small, 1)[:2] == (None, None)
    assert "not classified yet" in workbench.detail.plain_text()
