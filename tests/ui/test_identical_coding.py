"""Coding that does what the officer meant: identical texts are coded together (or split),
the review queue lists each text once, the theme rows never move under the cursor, and the
overview's "for review" is the queue's own count."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from engage.analysis import store, workbench_store
from engage.browse import CommentFilter, fetch_comments
from engage.importing.importer import import_file
from engage.importing.mapping import ColumnMapping
from engage.project import Project
from engage.settings import Settings
from tests.ui import workbench_data as data
from ui.workbench import coding_model as cm
from ui.workbench.coding import CodingWorkbench
from ui.workbench.session import CodingSession

PARKING = "The car park is always full by nine in the morning."
BUSES = "Buses stop running before the evening clinics finish."
# Written for these tests: four copies of one text (case and punctuation aside), two of
# another, three texts said once.
ROWS = [PARKING, BUSES, "the car park is ALWAYS full by nine in the morning",
        "I waited nine weeks for a scan and heard nothing.", PARKING, BUSES,
        "The app lets me order repeat prescriptions at midnight.", PARKING,
        "Nobody told my father which bus goes to the new clinic."]


def build(path) -> Project:
    csv_path = path.with_suffix(".csv")
    csv_path.write_text("Respondent ID,Comment\n" + "".join(
        f'R{i},"{text}"\n' for i, text in enumerate(ROWS, start=1)), encoding="utf-8")
    project = Project.create(path, user=data.OFFICER)
    import_file(project, csv_path, "Identical texts", mapping=ColumnMapping(
        roles={"Respondent ID": "respondent_id", "Comment": "comment"}))
    store.install_taxonomy(project, data.TAXONOMY)
    themes = data.theme_ids(project)
    comments = fetch_comments(project, CommentFilter(), 0, 100)
    results = []
    for n, c in enumerate(comments):
        suggestions = [(themes["Travel to services"], 0.4, ["car park"])] \
            if "car park" in c.text.lower() else [(themes["Waiting times"], 0.5, []),
                                                  (themes["Online access"], 0.4, []),
                                                  (themes["Travel to services"], 0.3, [])]
        results.append(store.CommentResult(c.id, "uncertain", 3, 0.6, 1.0 - n / 20,
                                           suggestions, tokens="a b"))
    store.save_results(project, store.start_run(project, "test", {}), results)
    return project


@pytest.fixture
def project(tmp_path):
    opened = build(tmp_path / "identical.engage")
    yield opened
    opened.close()


def ids_of(project, text_start: str) -> list[int]:
    return [c.id for c in fetch_comments(project, CommentFilter(), 0, 100)
            if c.text.lower().startswith(text_start.lower())]


def state(project, comment_id, theme_id):
    found = store.coding_state(project, comment_id, theme_id)
    return None if found is None else found["decision"]


# ----- the core -------------------------------------------------------------------------------
def test_a_decision_reaches_every_identical_copy_in_one_transaction(project):
    travel = data.theme_ids(project)["Travel to services"]
    parking = ids_of(project, "the car park")
    assert len(parking) == 4
    before = len(project.audit_log(limit=1000))
    changed, changes = workbench_store.decide_theme(project, [parking[2]], travel, "rejected")
    assert sorted(changed) == sorted(parking) and changes.codings
    assert {state(project, cid, travel) for cid in parking} == {"rejected"}
    audit = project.audit_log(limit=1000)[:len(project.audit_log(limit=1000)) - before]
    assert sorted(r["entity_id"] for r in audit) == sorted(parking)
    assert {r["user"] for r in audit} == {data.OFFICER}
    # the buses texts were not touched
    assert all(state(project, cid, travel) is None for cid in ids_of(project, "buses"))


def test_split_codes_just_the_one_comment(project):
    travel = data.theme_ids(project)["Travel to services"]
    parking = ids_of(project, "the car park")
    changed, _ = workbench_store.decide_theme(project, [parking[0]], travel, "accepted",
                                              copies=False)
    assert changed == [parking[0]]
    assert [state(project, cid, travel) for cid in parking] == ["accepted", None, None, None]


def test_the_review_queue_lists_each_text_once(project):
    queue = workbench_store.review_queue_entries(project)
    texts = {c.id: " ".join(c.text.lower().rstrip(".").split())
             for c in fetch_comments(project, CommentFilter(), 0, 100)}
    assert len(queue) == len({texts[cid] for cid in texts}) == 5
    assert len({texts[cid] for cid in queue}) == len(queue)
    assert workbench_store.review_queue_count(project) == len(queue)
    copies = workbench_store.workbench_rows(project, queue)
    assert sorted(copies[cid]["copies"] for cid in queue) == [1, 1, 1, 2, 4]


# ----- the workbench --------------------------------------------------------------------------
@pytest.fixture
def workbench(qtbot, project):
    session = CodingSession(settings=Settings(officer_name=data.OFFICER))
    wb = CodingWorkbench(session)
    qtbot.addWidget(wb)
    wb.resize(1300, 700)
    wb.set_project(project)
    with qtbot.waitActive(wb):
        wb.show()
        wb.activateWindow()
    wb.list_view.setFocus()
    yield wb
    wb.retrainer.cancel()
    wb.retrainer.wait(30_000)
    wb.set_project(None)


def show(workbench, comment_id):
    row = next(r for r in range(workbench.model.rowCount())
               if workbench.model.comment_id(r) == comment_id)
    workbench.list_view.setCurrentIndex(workbench.model.index(row, 1))


def test_r_on_one_copy_removes_the_theme_from_all_and_undo_is_one_step(qtbot, workbench,
                                                                      project):
    travel = data.theme_ids(project)["Travel to services"]
    parking = ids_of(project, "the car park")
    show(workbench, parking[1])
    assert workbench.current_theme() == travel
    assert "×4 identical" in workbench.detail.plain_text()
    qtbot.keyClick(workbench.list_view, Qt.Key.Key_R)
    assert {state(project, cid, travel) for cid in parking} == {"rejected"}
    assert "3 identical copies" in workbench.session.undo_stack.undoText()
    workbench.session.undo_stack.undo()
    assert {state(project, cid, travel) for cid in parking} == {None}
    workbench.session.undo_stack.redo()
    assert {state(project, cid, travel) for cid in parking} == {"rejected"}


def test_unticking_together_codes_just_this_copy(qtbot, workbench, project):
    travel = data.theme_ids(project)["Travel to services"]
    parking = ids_of(project, "the car park")
    workbench.together.setChecked(False)
    show(workbench, parking[0])
    qtbot.keyClick(workbench.list_view, Qt.Key.Key_A)
    assert [state(project, cid, travel) for cid in parking] == ["accepted", None, None, None]


def test_the_review_queue_shows_one_entry_per_text_with_its_count(qtbot, workbench, project):
    workbench.show_review_queue(True)
    assert workbench.model.rowCount() == 5
    marks = [workbench.model.index(r, cm.MARKS).data() for r in range(workbench.model.rowCount())]
    assert sum("×4 identical" in m for m in marks) == 1
    assert sum("×2 identical" in m for m in marks) == 1
    assert "Review queue (5)" in workbench.queue_button.text()


def test_after_r_the_rows_stay_and_the_cursor_moves_to_the_next_theme_in_view(
        qtbot, workbench, project):
    themes = data.theme_ids(project)
    scan = ids_of(project, "i waited")[0]
    show(workbench, scan)
    order = [c["theme_id"] for c in workbench.detail.ordered()]
    assert order == [themes["Waiting times"], themes["Online access"],
                     themes["Travel to services"]]
    qtbot.keyClick(workbench.list_view, Qt.Key.Key_Right)
    assert workbench.current_theme() == themes["Online access"]
    qtbot.keyClick(workbench.list_view, Qt.Key.Key_R)
    assert state(project, scan, themes["Online access"]) == "rejected"
    assert [c["theme_id"] for c in workbench.detail.ordered()] == order, "no re-sort"
    assert workbench.current_theme() == themes["Travel to services"]
    qtbot.keyClick(workbench.list_view, Qt.Key.Key_A)  # acts on the theme in view
    assert state(project, scan, themes["Travel to services"]) == "accepted"
    assert state(project, scan, themes["Waiting times"]) is None


def test_overview_for_review_is_the_queue_count_after_decisions(qtbot, workbench, project):
    from ui.workbench.overview import OverviewWidget

    travel = data.theme_ids(project)["Travel to services"]
    workbench_store.decide_theme(project, ids_of(project, "buses")[:1], travel, "accepted")
    overview = OverviewWidget(project)
    qtbot.addWidget(overview)
    with qtbot.waitSignal(overview.refreshed, timeout=30_000):
        overview.show()
    queue = workbench_store.review_queue_count(project)
    assert queue == len(workbench_store.review_queue_entries(project)) == 4
    assert f"<b>{queue:,}</b> for review" in overview.headline.text()
    workbench.show_review_queue(True)
    assert workbench.model.rowCount() == queue
    overview.set_project(None)


def test_after_a_retrain_the_overview_and_the_queue_still_agree(qtbot, workbench, project):
    from ui.workbench.overview import OverviewWidget

    travel = data.theme_ids(project)["Travel to services"]
    show(workbench, ids_of(project, "the car park")[0])
    qtbot.keyClick(workbench.list_view, Qt.Key.Key_R)  # four copies reviewed at once
    with qtbot.waitSignal(workbench.retrainer.finished, timeout=120_000):
        assert workbench.retrainer.start()
    assert {state(project, cid, travel) for cid in ids_of(project, "the car park")} \
        == {"rejected"}, "a retrain keeps every decision"
    overview = OverviewWidget(project)
    qtbot.addWidget(overview)
    with qtbot.waitSignal(overview.refreshed, timeout=30_000):
        overview.show()
    queue = workbench_store.review_queue_count(project)
    assert f"<b>{queue:,}</b> for review" in overview.headline.text()
    workbench.show_review_queue(True)
    assert workbench.model.rowCount() == queue
    assert f"Review queue ({queue:,})" in workbench.queue_button.text()
    overview.set_project(None)
