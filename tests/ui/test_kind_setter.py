"""Setting a comment's kind with the mouse: the kind box under each detail pane goes through the
coding session as the Shift+letter keys do (audited, one undo step), the coding list's Kind
column reads the core and follows every change, and a box that is only scrolled over or
arrowed past writes nothing."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from engage.analysis import kinds, workbench_store
from engage.browse import comment_detail
from engage.project import Project
from engage.settings import Settings
from tests.ui import workbench_data as data
from tests.ui.test_coding import make_workbench, select
from ui.kind_setter import KIND_LABELS, MODEL_ENTRY, KindSetter, kind_word
from ui.workbench import coding_model as cm

CTRL = Qt.KeyboardModifier.ControlModifier


@pytest.fixture
def small(tmp_path):
    with Project.open(data.build(tmp_path / "small.engage")) as project:
        yield project


@pytest.fixture
def workbench(qtbot, small):
    wb = make_workbench(qtbot, small)
    yield wb
    wb.retrainer.cancel()
    wb.retrainer.wait(30_000)
    wb.set_project(None)


def kind_of(project, comment_id):
    d = comment_detail(project, comment_id)
    return d["kind"], d["kind_source"]


def kind_audit(project) -> list[dict]:
    return [dict(r) for r in project._rows(
        "SELECT * FROM audit WHERE action = 'set kind' ORDER BY id")]


def choose(qtbot, setter: KindSetter, label: str) -> None:
    """Pick an entry as an officer does: click the box, click the entry in its list."""
    combo = setter.combo
    qtbot.mouseClick(combo, Qt.MouseButton.LeftButton)
    view = combo.view()
    qtbot.waitUntil(view.isVisible, timeout=5000)
    row = combo.findText(label)
    assert row >= 0, label
    index = view.model().index(row, 0)
    view.scrollTo(index)
    # an open list ignores a release within a double-click interval of opening (Qt's guard
    # against the opening click choosing an entry); a person takes longer than that to aim
    qtbot.wait(QApplication.doubleClickInterval() + 100)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(index).center())
    qtbot.waitUntil(lambda: not view.isVisible(), timeout=5000)


def kind_cell(workbench, comment_id):
    row = workbench.model.loaded_row_of(comment_id)
    assert row >= 0
    return workbench.model.index(row, cm.KIND)


# ----- the coding workbench's pane ---------------------------------------------------------------
def test_workbench_kind_box_sets_the_selected_comments_kind_audited_and_undoable(
        qtbot, workbench, small):
    kinds.save_model_kinds(small, [1, 2], ["complaint", "praise"], [0.7, 0.6])
    workbench.model.reload()
    select(workbench, 0, 1)
    setter = workbench.detail.kind_setter
    assert setter.isEnabled() and setter.current_kind() == "complaint"
    assert "the model's estimate, 70% sure" in setter.note.text()
    assert kind_cell(workbench, 1).data() == "Complaint"

    with qtbot.waitSignal(workbench.session.changed) as blocker:
        choose(qtbot, setter, KIND_LABELS["suggestion"])
    assert blocker.args[0].comments
    # the same command the keys run: both selected comments, one audited step, one undo
    assert kind_of(small, 1) == kind_of(small, 2) == ("suggestion", "officer")
    audit = kind_audit(small)
    assert [r["entity_id"] for r in audit] == [1, 2]
    assert {r["user"] for r in audit} == {data.OFFICER}
    assert workbench.session.undo_stack.count() == 1
    assert workbench.session.undo_stack.undoText() == "Kind Suggestion (2 comments)"
    assert workbench.current_comment() == 1  # the list did not move
    assert setter.current_kind() == "suggestion" and setter.note.text() == "set by an officer"
    for cid in (1, 2):
        cell = kind_cell(workbench, cid)
        assert cell.data() == "Suggestion"
        assert cell.data(Qt.ItemDataRole.FontRole).bold()  # an officer's own call
    assert workbench.list_view.hasFocus()  # the keys go on working

    with qtbot.waitSignal(workbench.session.changed):
        qtbot.keyClick(workbench.list_view, Qt.Key.Key_Z, CTRL)
    assert kind_of(small, 1) == ("complaint", "model")
    assert kind_of(small, 2) == ("praise", "model")
    assert kind_cell(workbench, 1).data() == "Complaint"
    assert kind_cell(workbench, 2).data() == "Praise"
    assert not kind_cell(workbench, 2).data(Qt.ItemDataRole.FontRole)
    assert setter.current_kind() == "complaint"


def test_the_model_entry_hands_the_kind_back_and_the_box_follows_the_keys(qtbot, workbench,
                                                                          small):
    kinds.set_kind(small, [3], "praise")
    workbench.model.reload()
    select(workbench, 2)
    setter = workbench.detail.kind_setter
    assert setter.current_kind() == "praise"
    with qtbot.waitSignal(workbench.session.changed):
        choose(qtbot, setter, MODEL_ENTRY)
    assert kind_of(small, 3) == (None, None)
    assert setter.current_kind() is None and setter.note.text() == "not classified yet"
    assert kind_cell(workbench, 3).data() == ""
    # a kind set with the keys shows in the box too
    with qtbot.waitSignal(workbench.session.changed):
        qtbot.keyClick(workbench.list_view, Qt.Key.Key_Q, Qt.KeyboardModifier.ShiftModifier)
    assert setter.current_kind() == "question" and setter.note.text() == "set by an officer"
    assert kind_cell(workbench, 3).data() == "Question"


def test_arrowing_past_or_scrolling_over_the_box_writes_nothing(qtbot, workbench, small):
    select(workbench, 0)
    combo = workbench.detail.kind_setter.combo
    combo.setFocus()
    before = len(kind_audit(small))
    qtbot.keyClick(combo, Qt.Key.Key_Down)  # opens the list rather than picking the next kind
    qtbot.waitUntil(combo.view().isVisible, timeout=5000)
    qtbot.keyClick(combo.view(), Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: not combo.view().isVisible(), timeout=5000)
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent

    centre = QPointF(combo.rect().center())
    wheel = QWheelEvent(centre, QPointF(combo.mapToGlobal(combo.rect().center())), QPoint(),
                        QPoint(0, -120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                        Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(combo, wheel)
    assert len(kind_audit(small)) == before
    assert kind_of(small, 1) == (None, None)
    assert workbench.session.undo_stack.count() == 0


# ----- the Kind column -------------------------------------------------------------------------
def test_kind_column_shows_the_cores_kinds_in_words(qtbot, qtmodeltester, small):
    kinds.save_model_kinds(small, [1, 2, 3, 4], ["suggestion", "complaint", "none", "mixed"],
                           [0.9, 0.8, 0.95, 0.5])
    kinds.set_kind(small, [5], "question")
    model = cm.CodingListModel(small, page_size=5)
    qtmodeltester.check(model, force_py=True)
    assert model.headerData(cm.KIND, Qt.Orientation.Horizontal) == "Kind"
    truth = workbench_store.workbench_rows(small, range(1, 13))
    shown = {model.comment_id(r): model.index(r, cm.KIND).data() for r in range(model.rowCount())}
    assert shown == {cid: kind_word(info["kind"]) for cid, info in truth.items()}
    assert shown[1] == "Suggestion" and shown[2] == "Complaint" and shown[5] == "Question"
    assert shown[3] == "" and shown[6] == ""  # nothing to classify / not classified yet
    assert model.index(model.loaded_row_of(3), cm.KIND).data(
        Qt.ItemDataRole.ToolTipRole).startswith("Nothing to classify")

    # a change through the core reaches the column when its rows are refreshed
    kinds.set_kind(small, [2], "praise")
    with qtbot.waitSignal(model.dataChanged) as blocker:
        model.refresh_comments([2])
    top, bottom = blocker.args[0], blocker.args[1]
    assert top.column() <= cm.KIND <= bottom.column()
    assert model.index(model.loaded_row_of(2), cm.KIND).data() == "Praise"
    qtmodeltester.check(model, force_py=True)


def test_workbench_rows_carry_each_comments_kind(small):
    kinds.save_model_kinds(small, [1], ["suggestion"], [0.83])
    kinds.set_kind(small, [2], "complaint")
    rows = workbench_store.workbench_rows(small, [1, 2, 3])
    assert (rows[1]["kind"], rows[1]["kind_source"], rows[1]["kind_confidence"]) == \
        ("suggestion", "model", 0.83)
    assert (rows[2]["kind"], rows[2]["kind_source"]) == ("complaint", "officer")
    assert rows[3]["kind"] is None and rows[3]["copies"] == 1


# ----- the Comments tab's pane, in the window ----------------------------------------------------
@pytest.fixture
def window(qtbot, small, monkeypatch):
    from ui.main_window import MainWindow

    monkeypatch.setattr(MainWindow, "show_error", lambda self, title, text: None)
    win = MainWindow(Settings(officer_name=data.OFFICER))
    qtbot.addWidget(win)
    win.resize(1400, 800)
    win.show()
    assert win.open_project(small.path)
    yield win
    win.tasks.cancel()
    win.tasks.wait(10_000)
    win.views.shut_down()
    win.close_project()


def test_comments_pane_kind_box_sets_the_kind_through_the_session(qtbot, window, small):
    from PySide6.QtCore import QItemSelectionModel

    from ui import comment_model

    table = window.table
    table.selectionModel().setCurrentIndex(
        window.model.index(3, comment_model.COMMENT),
        QItemSelectionModel.SelectionFlag.ClearAndSelect | QItemSelectionModel.SelectionFlag.Rows)
    cid = window.model.comment_id(3)
    assert window.detail.comment_id() == cid
    setter = window.detail.kind_setter
    assert setter.isEnabled() and setter.current_kind() is None

    with qtbot.waitSignal(window.changed) as blocker:
        choose(qtbot, setter, KIND_LABELS["complaint"])
    assert blocker.args[0].comments
    assert kind_of(small, cid) == ("complaint", "officer")
    audit = kind_audit(small)
    assert [(r["entity_id"], r["user"]) for r in audit] == [(cid, data.OFFICER)]
    # the officer stays on the comment, and every view shows the new kind
    assert window.detail.comment_id() == cid and table.currentIndex().row() == 3
    assert "Complaint (set by an officer)" in window.detail.plain_text()
    assert setter.current_kind() == "complaint"
    workbench = window.views.coding.coding
    assert kind_cell(workbench, cid).data() == "Complaint"

    session = window.views.coding.session
    assert session.undo_stack.undoText() == "Kind Complaint"
    with qtbot.waitSignal(window.changed):
        session.undo_action.trigger()  # Edit → Undo
    assert kind_of(small, cid) == (None, None)
    assert "not classified yet" in window.detail.plain_text()
    assert setter.current_kind() is None
    assert kind_cell(workbench, cid).data() == ""
    assert window.detail.comment_id() == cid


def test_the_box_is_off_while_no_comment_is_shown(qtbot, small):
    from ui.detail_pane import DetailPane

    pane = DetailPane()
    qtbot.addWidget(pane)
    pane.set_project(small)
    assert not pane.kind_setter.isEnabled()
    pane.show_comment(4)
    assert pane.kind_setter.isEnabled()
    with qtbot.waitSignal(pane.kind_chosen) as blocker:
        pane.show()
        choose(qtbot, pane.kind_setter, KIND_LABELS["mixed"])
    assert blocker.args == [4, "mixed"]
    assert kind_of(small, 4) == (None, None)  # the pane only asks; its owner writes
    pane.show_message("Nothing matches.")
    assert not pane.kind_setter.isEnabled()
