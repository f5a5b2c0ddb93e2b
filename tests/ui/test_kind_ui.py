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


# ----- the overview: asked for / praised / complained about per theme ---------------------------
@pytest.fixture
def sample(analysed_sample_path):
    with Project.open(analysed_sample_path) as project:
        yield project


def overview_of(qtbot, project, consultation_id=None):
    from ui.workbench.overview import OverviewWidget

    widget = OverviewWidget(project)
    qtbot.addWidget(widget)
    widget.set_consultation(consultation_id)
    widget.resize(1500, 900)
    with qtbot.waitSignal(widget.refreshed, timeout=30000):
        widget.show()
    return widget


def theme_indexes(model):
    for p_row in range(model.rowCount()):
        parent = model.index(p_row, 0)
        for t_row in range(model.rowCount(parent)):
            yield model.index(t_row, 0, parent)


def test_overview_kind_columns_are_the_cores_per_theme_counts(qtbot, qtmodeltester, sample):
    from ui.workbench.overview_models import ASKED, COMPLAINED, KIND_ROLE, PRAISED

    cid = sample.consultations()[0]["id"]
    widget = overview_of(qtbot, sample, cid)
    qtmodeltester.check(widget.tree_model)
    truth = {r["theme_id"]: r for r in kinds.kinds_by_theme(sample, cid)}
    assert sum(r["suggestion"] for r in truth.values()) > 0  # the sample has wishes in it
    model = widget.tree_model
    for index in theme_indexes(model):
        row = truth[model.key(index)[1]]
        for column, kind in ((ASKED, "suggestion"), (PRAISED, "praise"),
                             (COMPLAINED, "complaint")):
            cell = index.siblingAtColumn(column)
            assert cell.data() == f"{row[kind]:,}"
            assert cell.data(KIND_ROLE) == kind
    portfolio = model.index(0, ASKED)
    assert portfolio.data() == "" and portfolio.data(KIND_ROLE) is None
    assert "Asked for</b> most:" in widget.headline.text()


def test_clicking_a_themes_asked_for_figure_lists_exactly_those_comments(qtbot, sample):
    from engage.browse import count_comments, fetch_comments
    from ui.workbench.overview_models import ASKED

    cid = sample.consultations()[0]["id"]
    widget = overview_of(qtbot, sample, cid)
    model = widget.tree_model
    index = max(theme_indexes(model),
                key=lambda i: int(i.siblingAtColumn(ASKED).data().replace(",", "")))
    expected = int(index.siblingAtColumn(ASKED).data().replace(",", ""))
    assert expected > 0
    cell = widget.tree_proxy.mapFromSource(index.siblingAtColumn(ASKED))
    widget.tree.scrollTo(cell)
    with qtbot.waitSignal(widget.filter_requested, timeout=10000) as blocker:
        qtbot.mouseClick(widget.tree.viewport(), Qt.MouseButton.LeftButton,
                         pos=widget.tree.visualRect(cell).center())
    f = blocker.args[0]
    assert f.theme_id == model.key(index)[1] and f.counted_only
    assert count_comments(sample, f) == expected
    shown = fetch_comments(sample, f, offset=0, limit=expected)
    assert {comment_detail(sample, c.id)["kind"] for c in shown} == {"suggestion"}


def test_overview_shows_dashes_while_no_comment_has_a_kind(qtbot, small):
    from ui.workbench.overview_models import ASKED

    widget = overview_of(qtbot, small)
    model = widget.tree_model
    cells = [i.siblingAtColumn(ASKED).data() for i in theme_indexes(model)]
    assert cells and set(cells) == {"–"}
    kinds.save_model_kinds(small, [1], ["suggestion"], [0.9])
    with qtbot.waitSignal(widget.refreshed, timeout=30000):
        widget.on_changes(kinds.set_kind(small, [2], "complaint"))
    assert "–" not in {i.siblingAtColumn(ASKED).data() for i in theme_indexes(model)}


def test_places_table_shows_kinds_per_place_and_a_cell_lists_its_comments(qtbot, qtmodeltester,
                                                                         sample):
    from engage.browse import count_comments

    cid = sample.consultations()[0]["id"]
    widget = overview_of(qtbot, sample, cid)
    widget.unit.setCurrentIndex(widget.unit.findData("kinds"))
    model = widget.places.model()
    assert model is widget.kind_place_model
    qtmodeltester.check(model)
    truth = [r for r in kinds.kinds_by_place(sample, cid) if r["comments"]]
    assert [model.headerData(r, Qt.Orientation.Vertical) for r in range(model.rowCount())] \
        == [r["place"] for r in truth]
    for row, r in enumerate(truth):
        assert model.index(row, 0).data().startswith(f"{r['suggestion']:,} (")
        assert model.index(row, 2).data().startswith(f"{r['complaint']:,} (")
        assert model.index(row, 3).data() == f"{r['comments']:,}"
    row = max(range(len(truth)), key=lambda i: truth[i]["praise"])
    cell = model.index(row, 1)
    widget.places.scrollTo(cell)
    with qtbot.waitSignal(widget.filter_requested, timeout=10000) as blocker:
        qtbot.mouseClick(widget.places.viewport(), Qt.MouseButton.LeftButton,
                         pos=widget.places.visualRect(cell).center())
    assert count_comments(sample, blocker.args[0]) == truth[row]["praise"] > 0
    widget.unit.setCurrentIndex(0)  # back to portfolio shares
    assert widget.places.model() is widget.place_model


# ----- compare: the same three figures per group ------------------------------------------------
def test_compare_shows_what_each_group_asked_for_praised_and_complained_about(
        qtbot, qtmodeltester, sample):
    from collections import Counter

    from engage.browse import fetch_comments
    from ui.workbench.compare import KINDS_A, KINDS_B, CompareWidget

    widget = CompareWidget(sample)
    qtbot.addWidget(widget)
    widget.resize(1400, 800)
    widget.show()
    cid = sample.consultations()[0]["id"]
    with qtbot.waitSignal(widget.compared, timeout=30000):
        widget.set_groups_by_attribute("age_band", "18-24", "75+", cid)
    qtbot.waitUntil(lambda: not widget.busy, timeout=30000)
    model = widget.model
    qtmodeltester.check(model)
    row = max(range(model.rowCount()), key=lambda r: model.row_at(r).a_count)
    for column, group in ((KINDS_A, "a"), (KINDS_B, "b")):
        # the figures are the kinds of the comments "list their comments" shows
        with qtbot.waitSignal(widget.filter_requested) as blocker:
            widget.request_comments(row, group)
        listed = fetch_comments(sample, blocker.args[0], 0, -1)
        kinds_seen = Counter(comment_detail(sample, c.id)["kind"] for c in listed)
        expected = " / ".join(f"{kinds_seen[k]:,}" for k in kinds.HEADLINE_KINDS)
        assert model.index(row, column).data() == expected
    assert sum(kinds_seen.values()) > 0
