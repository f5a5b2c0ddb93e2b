"""The coding workbench: keyboard coding writes through the core, undo restores it exactly,
bulk actions are one step, the review queue and retraining work without freezing the window."""

from __future__ import annotations

import json
import time

import pytest
from PySide6.QtCore import Qt, QTimer

from engage.analysis import store, workbench_store
from engage.browse import CommentFilter
from engage.changes import Changes
from engage.project import Project
from engage.settings import Settings
from tests.ui import workbench_data as data
from tests.ui.conftest import copy_project
from ui.workbench import coding_model as cm
from ui.workbench.coding import CodingWorkbench
from ui.workbench.coding_detail import highlighted_html
from ui.workbench.session import CodingSession

CTRL, SHIFT, ALT = (Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.ShiftModifier,
                    Qt.KeyboardModifier.AltModifier)


@pytest.fixture
def small(tmp_path):
    with Project.open(data.build(tmp_path / "small.engage")) as project:
        yield project


def make_workbench(qtbot, project) -> CodingWorkbench:
    session = CodingSession(settings=Settings(officer_name=data.OFFICER))
    workbench = CodingWorkbench(session)
    qtbot.addWidget(workbench)
    workbench.resize(1300, 700)
    workbench.set_project(project)
    with qtbot.waitActive(workbench):  # shortcuts need the window active and focus inside
        workbench.show()
        workbench.activateWindow()
    workbench.list_view.setFocus()
    return workbench


@pytest.fixture
def workbench(qtbot, small):
    wb = make_workbench(qtbot, small)
    yield wb
    wb.retrainer.cancel()
    wb.retrainer.wait(30_000)
    wb.set_project(None)


def press(qtbot, workbench, key, modifier=Qt.KeyboardModifier.NoModifier):
    qtbot.keyClick(workbench.list_view, key, modifier)


def select(workbench, *rows):
    view = workbench.list_view
    view.clearSelection()
    view.setCurrentIndex(workbench.model.index(rows[0], cm.COMMENT))
    for row in rows:
        view.selectionModel().select(
            workbench.model.index(row, cm.COMMENT),
            view.selectionModel().SelectionFlag.Select | view.selectionModel().SelectionFlag.Rows)


# ----- the model -------------------------------------------------------------------------------
def test_list_model_passes_the_model_tester_in_both_modes(qtmodeltester, small):
    model = cm.CodingListModel(small, page_size=5)
    model.set_filter(CommentFilter())
    qtmodeltester.check(model, force_py=True)
    model.set_ids([5, 3, 12])
    qtmodeltester.check(model, force_py=True)
    assert [model.comment_id(r) for r in range(3)] == [5, 3, 12]  # the order given
    assert model.row(0).comment.text == data.TEXTS[4]


def test_list_shows_chips_sentiment_and_place_from_the_core(small):
    model = cm.CodingListModel(small)
    model.set_filter(CommentFilter())
    chips = model.index(9, cm.THEMES).data(cm.CODINGS_ROLE)
    assert [(c["theme"], c["active"]) for c in chips] == [
        ("Waiting times", True), ("Travel to services", True)]
    uncertain = model.index(4, cm.THEMES).data(cm.CODINGS_ROLE)
    assert [c["active"] for c in uncertain] == [False]  # outlined: not counted yet
    info = workbench_store.workbench_rows(small, [1])[1]
    assert model.index(0, cm.SENTIMENT).data() == cm.sentiment_text(info)


# ----- keyboard coding and undo ----------------------------------------------------------------
def test_accepting_by_key_writes_through_the_core_and_undo_restores_exactly(qtbot, workbench,
                                                                            small):
    select(workbench, 5)  # comment 6: two suggestions, nothing decided
    before = data.state(small, [6])
    assert workbench.current_theme() == data.theme_ids(small)["Waiting times"]
    with qtbot.waitSignal(workbench.changed) as blocker:
        press(qtbot, workbench, Qt.Key.Key_A)
    assert blocker.args[0].codings
    codings = {c["theme"]: c for c in store.comment_codings(small, 6)}
    assert codings["Waiting times"]["decision"] == "accepted"
    assert codings["Waiting times"]["decided_by"] == data.OFFICER
    after = data.state(small, [6])
    # the current theme moves on to the one still waiting for a decision
    assert workbench.current_theme() == data.theme_ids(small)["Online access"]

    press(qtbot, workbench, Qt.Key.Key_Z, CTRL)
    assert data.state(small, [6]) == before
    undo = [dict(r) for r in small._rows("SELECT * FROM audit WHERE action LIKE 'undo%'")]
    assert undo and {r["user"] for r in undo} == {data.OFFICER}
    press(qtbot, workbench, Qt.Key.Key_Z, CTRL | SHIFT)
    assert data.state(small, [6]) == after


def test_remove_sentiment_and_key_quote_keys_and_their_undo(qtbot, workbench, small):
    select(workbench, 0)
    before = data.state(small, [1])
    press(qtbot, workbench, Qt.Key.Key_Delete)
    assert store.comment_codings(small, 1)[0]["decision"] == "rejected"
    press(qtbot, workbench, Qt.Key.Key_5)
    press(qtbot, workbench, Qt.Key.Key_K)
    analysis = store.comment_analysis(small, 1)
    assert (analysis["sentiment_officer"], analysis["key_quote"]) == (5, 1)
    assert workbench.model.index(0, cm.MARKS).data().startswith("★")
    press(qtbot, workbench, Qt.Key.Key_0)  # back to the model's estimate
    assert store.comment_analysis(small, 1)["sentiment_officer"] is None
    for _ in range(4):
        press(qtbot, workbench, Qt.Key.Key_Z, CTRL)
    assert data.state(small, [1]) == before


def test_removing_an_officers_own_theme_deletes_it(qtbot, workbench, small):
    select(workbench, 8)  # comment 9: no suggestion
    online = data.theme_ids(small)["Online access"]
    workbench.pick_theme = lambda parent, themes: online
    press(qtbot, workbench, Qt.Key.Key_T, CTRL)
    assert [(c["theme_id"], c["source"], c["decision"])
            for c in store.comment_codings(small, 9)] == [(online, "officer", "accepted")]
    press(qtbot, workbench, Qt.Key.Key_Backspace)
    assert store.comment_codings(small, 9) == []


def test_a_bulk_action_is_one_undo_step(qtbot, workbench, small):
    select(workbench, 0, 2, 3)
    ids = [1, 3, 4]
    store.set_officer_sentiment(small, [3], 1)  # each comment has its own value to go back to
    before = data.state(small, ids)
    count = workbench.session.undo_stack.count()
    press(qtbot, workbench, Qt.Key.Key_2)
    assert {store.comment_analysis(small, c)["sentiment_officer"] for c in ids} == {2}
    assert workbench.session.undo_stack.count() == count + 1
    assert "3 comments" in workbench.session.undo_stack.undoText()
    workbench.session.undo_stack.undo()
    assert data.state(small, ids) == before


def test_theme_picker_and_recent_themes_assign_to_the_selection(qtbot, workbench, small):
    digital = data.theme_ids(small)["Digital exclusion"]
    workbench.pick_theme = lambda parent, themes: digital
    select(workbench, 6, 10)
    press(qtbot, workbench, Qt.Key.Key_T, CTRL)
    for cid in (7, 11):
        assert any(c["theme_id"] == digital and c["decision"] == "accepted"
                   for c in store.comment_codings(small, cid))
    assert "Alt+1 Digital exclusion" in workbench.recent_label.text()
    select(workbench, 7)
    press(qtbot, workbench, Qt.Key.Key_1, ALT)
    assert any(c["theme_id"] == digital for c in store.comment_codings(small, 8))


def test_accept_on_a_selection_only_touches_comments_that_carry_the_theme(qtbot, workbench,
                                                                           small):
    select(workbench, 1, 3, 2)  # current: comment 2 (Travel); comment 3 has only Online access
    press(qtbot, workbench, Qt.Key.Key_A)
    travel = data.theme_ids(small)["Travel to services"]
    assert {c["theme_id"] for c in store.comment_codings(small, 3)} != {travel}
    assert all(c["decision"] == "accepted" for cid in (2, 4)
               for c in store.comment_codings(small, cid) if c["theme_id"] == travel)
    assert store.comment_analysis(small, 3)["reviewed"] == 0


def test_accept_all_suggestions_with_shift_a(qtbot, workbench, small):
    select(workbench, 5)
    press(qtbot, workbench, Qt.Key.Key_A, SHIFT)
    assert {c["decision"] for c in store.comment_codings(small, 6)} == {"accepted"}


def test_arrow_keys_choose_the_theme_that_r_rejects(qtbot, workbench, small):
    select(workbench, 9)  # comment 10: Waiting times, Travel to services
    press(qtbot, workbench, Qt.Key.Key_Right)
    assert workbench.current_theme() == data.theme_ids(small)["Travel to services"]
    press(qtbot, workbench, Qt.Key.Key_R)
    by_theme = {c["theme"]: c["decision"] for c in store.comment_codings(small, 10)}
    assert by_theme == {"Waiting times": None, "Travel to services": "rejected"}


def test_navigation_keys(qtbot, workbench, small):
    select(workbench, 0)
    press(qtbot, workbench, Qt.Key.Key_J)
    assert workbench.current_comment() == 2
    store.set_coding_decision(small, [3, 4], 1, "rejected")  # reviewed already
    workbench.model.refresh_comments([3, 4])
    press(qtbot, workbench, Qt.Key.Key_N)
    assert workbench.current_comment() == 5


def test_split_off_into_a_new_theme_and_undo(qtbot, workbench, small):
    travel = data.theme_ids(small)["Travel to services"]
    select(workbench, 3, 9)  # comments 4 and 10 carry Travel to services (parking)
    workbench.set_current_theme(travel)

    def fill(dialog):
        dialog.name.setText("Car parking")
        return True
    workbench.exec_dialog = fill
    press(qtbot, workbench, Qt.Key.Key_T, CTRL | SHIFT)
    new = data.theme_ids(small).get("Car parking")
    assert new is not None
    assert all(any(c["theme_id"] == new for c in store.comment_codings(small, cid))
               for cid in (4, 10))
    workbench.session.undo_stack.undo()
    assert "Car parking" not in data.theme_ids(small)


# ----- the detail pane -------------------------------------------------------------------------
def test_evidence_is_highlighted_in_each_themes_colour(qtbot, workbench, small):
    select(workbench, 0)  # "We waited … the waiting lists …", evidence wait, waiting list
    info = workbench_store.workbench_rows(small, [1])[1]
    marked = highlighted_html(data.TEXTS[0], info["codings"])
    assert ">waited</span>" in marked and ">waiting lists</span>" in marked
    html = workbench.detail.html()
    assert "#ffd54f" in html  # the first theme's highlight colour reached the pane
    assert "because of: wait, waiting list" in workbench.detail.plain_text()


def test_rejected_themes_are_not_highlighted(small):
    info = workbench_store.workbench_rows(small, [1])[1]
    info["codings"][0]["decision"] = "rejected"
    assert "<span" not in highlighted_html(data.TEXTS[0], info["codings"])


# ----- review queue, status, changes -----------------------------------------------------------
def test_review_queue_is_one_click_away_in_active_learning_order(qtbot, workbench, small):
    qtbot.mouseClick(workbench.queue_button, Qt.MouseButton.LeftButton)
    assert workbench.in_review_queue()
    expected = store.review_queue(small)
    assert [workbench.model.comment_id(r) for r in range(workbench.model.rowCount())] == expected
    assert f"{len(expected)} uncertain waiting" in workbench.status_text()
    press(qtbot, workbench, Qt.Key.Key_A)  # reviewed rows stay put while the officer works
    assert workbench.model.rowCount() == len(expected)
    assert f"{len(expected) - 1} uncertain waiting" in workbench.status_text()
    press(qtbot, workbench, Qt.Key.Key_R, CTRL)
    assert not workbench.in_review_queue()


def test_changes_from_elsewhere_reload_but_our_own_echo_does_not(qtbot, workbench, small):
    fetched = workbench.model.pages_fetched
    select(workbench, 1)
    press(qtbot, workbench, Qt.Key.Key_A)
    workbench.on_changes(workbench.session.last_changes)  # the window's broadcast of ours
    assert workbench.model.pages_fetched == fetched
    workbench.on_changes(Changes(codings=True))
    assert workbench.model.pages_fetched > fetched
    assert workbench.current_comment() == 2  # the officer's place is kept


# ----- retraining ------------------------------------------------------------------------------
def test_retrain_starts_after_enough_codings_and_can_be_cancelled(qtbot, workbench):
    workbench.retrainer.every = 2
    select(workbench, 0)
    press(qtbot, workbench, Qt.Key.Key_A)
    assert not workbench.retrainer.is_running()
    select(workbench, 1)
    with qtbot.waitSignal(workbench.retrainer.started, timeout=2000):
        press(qtbot, workbench, Qt.Key.Key_A)
    with qtbot.waitSignal(workbench.retrainer.cancelled, timeout=60_000):
        qtbot.mouseClick(workbench.retrain_bar.cancel_button, Qt.MouseButton.LeftButton)
    assert "cancelled" in workbench.retrain_bar.message.text()


def test_retrain_now_learns_from_the_officer_and_keeps_decisions(qtbot, tmp_path,
                                                                 analysed_sample_path):
    with Project.open(copy_project(analysed_sample_path, tmp_path / "r.engage")) as project:
        workbench = make_workbench(qtbot, project)
        queue = store.review_queue(project)[:25]
        for cid in queue:  # an officer accepts the strongest suggestion of each
            top = store.comment_codings(project, cid)[0]
            store.set_coding_decision(project, [cid], top["theme_id"], "accepted")
        decided = data.state(project, queue)
        with qtbot.waitSignal(workbench.retrainer.finished, timeout=120_000) as blocker:
            qtbot.mouseClick(workbench.retrain_bar.button, Qt.MouseButton.LeftButton)
        summary = blocker.args[0]
        assert summary.mode == "warm start" and summary.officer_examples >= 25
        assert "Re-analysed" in workbench.retrain_bar.message.text()
        for cid in queue:
            kept = [c for c in store.comment_codings(project, cid) if c["decision"]]
            assert kept == [c for c in decided[cid][0] if c["decision"]]
        workbench.set_project(None)  # as the window does before closing the project


@pytest.mark.slow
def test_the_event_loop_keeps_turning_while_29000_comments_are_analysed(qtbot, tmp_path):
    from engage.importing.importer import import_file
    from sample_data import generate

    source = tmp_path / "big.csv"
    generate.write_csv(source, 15_000, seed=4)
    path = tmp_path / "big.engage"
    with Project.create(path) as project:
        import_file(project, source, "Big")
        total = project.totals()["comments"]
    assert total >= 28_000
    with Project.open(path) as project:
        workbench = make_workbench(qtbot, project)
        ticks: list[float] = []
        timer = QTimer()
        timer.setInterval(20)
        timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
        timer.start()
        progress: list[float] = []
        workbench.retrainer.progress.connect(lambda f, _m: progress.append(f))
        start = time.perf_counter()
        with qtbot.waitSignal(workbench.retrainer.finished, timeout=180_000) as blocker:
            workbench.retrainer.start()
        elapsed = time.perf_counter() - start
        timer.stop()
        gaps = [b - a for a, b in zip(ticks, ticks[1:], strict=False)]
        assert blocker.args[0].comments >= 28_000
        assert len(ticks) >= 0.5 * elapsed / 0.020  # at least half the ticks a idle loop gets
        assert max(gaps) < 1.0, f"the window froze for {max(gaps):.2f} s"
        assert progress and progress == sorted(progress)
        print(f"\nanalysed {blocker.args[0].comments:,} comments in {elapsed:.1f} s; "
              f"{len(ticks)} timer ticks, longest gap {max(gaps) * 1000:.0f} ms")
        workbench.set_project(None)


def test_audit_rows_carry_the_officers_name_from_settings(qtbot, workbench, small):
    select(workbench, 2)
    press(qtbot, workbench, Qt.Key.Key_A)
    row = small._rows("SELECT user, before, after FROM audit WHERE entity = 'coding' "
                      "ORDER BY id DESC LIMIT 1")[0]
    assert row["user"] == data.OFFICER
    assert json.loads(row["after"])["decision"] == "accepted"


def test_coding_tabs_share_one_session_and_route_clicks_to_the_coding_list(qtbot, small):
    from ui.workbench.coding_tabs import CodingTabs

    tabs = CodingTabs()
    qtbot.addWidget(tabs)
    tabs.set_project(small)
    with qtbot.waitActive(tabs):
        tabs.show()
        tabs.activateWindow()
    assert tabs.topics.session is tabs.coding.session
    tabs.setCurrentIndex(tabs.TOPICS)
    topic = tabs.topics.current_topic()
    with qtbot.waitSignal(tabs.comments_requested):
        tabs.topics.show_comments()
    assert tabs.currentIndex() == tabs.CODING
    shown = {tabs.coding.model.comment_id(r) for r in range(tabs.coding.model.rowCount())}
    assert shown == {cid for cid, info in workbench_store.workbench_rows(small, range(1, 13)).items()
                     if info["topic_id"] == topic["id"]}
    with qtbot.waitSignal(tabs.changed):
        press(qtbot, tabs.coding, Qt.Key.Key_A)
    tabs.on_changes(tabs.session.last_changes)  # the window's echo is ignored
    tabs.shut_down()
    assert not tabs.coding.retrainer.is_running()


def test_theme_picker_filters_as_the_officer_types(qtbot, small):
    from ui.workbench.theme_picker import ThemePicker

    picker = ThemePicker(store.themes(small))
    qtbot.addWidget(picker)
    qtbot.keyClicks(picker.search, "TRAV")
    assert picker.proxy.rowCount() == 1
    assert picker.chosen() == data.theme_ids(small)["Travel to services"]
    picker.search.clear()
    qtbot.keyClicks(picker.search, "digital")  # a portfolio's name finds its themes
    assert picker.proxy.rowCount() == 2
    qtbot.keyClick(picker.search, Qt.Key.Key_Down)
    assert picker.chosen() == data.theme_ids(small)["Digital exclusion"]
    with qtbot.waitSignal(picker.accepted):
        qtbot.keyClick(picker.search, Qt.Key.Key_Return)


def test_a_bulk_action_on_too_many_comments_is_refused(qtbot, workbench, small, monkeypatch):
    import ui.workbench.coding as coding_module

    monkeypatch.setattr(coding_module, "MAX_BULK", 2)
    before = data.state(small, [1, 2, 3])
    select(workbench, 0, 1, 2)
    press(qtbot, workbench, Qt.Key.Key_4)
    assert data.state(small, [1, 2, 3]) == before
    assert "at most 2" in workbench.message.text()


def test_retrain_summary_names_what_the_model_learnt_from():
    from engage.analysis.pipeline import AnalysisSummary
    from ui.workbench.retrain import summary_line

    def summary(examples, sentiments):
        return AnalysisSummary(1, 6199, {}, 0, 0, "warm start", examples, 9.8,
                               {"officer model": 1.2}, sentiments)

    assert summary_line(summary(40, 0)).endswith("(learning 1.2 s) from 40 reviewed comments")
    assert summary_line(summary(40, 25)).endswith(
        "from 40 reviewed comments and 25 sentiments you set")
    assert summary_line(summary(0, 25)).endswith("(learning 1.2 s) from 25 sentiments you set")
    assert summary_line(summary(0, 0)).endswith("(not enough reviewed comments to learn from)")
