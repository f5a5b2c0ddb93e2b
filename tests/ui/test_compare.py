"""Compare: two groups theme by theme, the core's figures, sortable, clicking through."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, Qt

from engage.analysis import explore
from engage.browse import CommentFilter, count_comments
from engage.project import Project
from tests.ui.conftest import copy_project, import_survey, survey_rows, write_survey
from ui.workbench.compare import (
    DIFFERENCE,
    SHARE_A,
    SHARE_B,
    SORT_ROLE,
    TEST,
    THEME,
    CompareWidget,
)


@pytest.fixture
def sample(analysed_sample_path):
    with Project.open(analysed_sample_path) as project:
        yield project


def compared(qtbot, widget, action) -> None:
    with qtbot.waitSignal(widget.compared, timeout=30000):
        action()


@pytest.fixture
def widget(qtbot, sample):
    compare = CompareWidget(sample)
    qtbot.addWidget(compare)
    compare.resize(1200, 800)
    compare.show()
    cid = sample.consultations()[0]["id"]
    compared(qtbot, compare, lambda: compare.set_groups_by_attribute("age_band", "18-24", "75+",
                                                                    cid))
    qtbot.waitUntil(lambda: not compare.busy, timeout=30000)
    return compare


def click(qtbot, view, index: QModelIndex) -> None:
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(index).center())


def test_models_pass_the_qt_model_tester(qtmodeltester, widget):
    qtmodeltester.check(widget.model)
    qtmodeltester.check(widget.proxy)


def test_empty_widget_is_valid(qtmodeltester, qtbot):
    empty = CompareWidget(None)
    qtbot.addWidget(empty)
    qtmodeltester.check(empty.model)
    assert empty.current_groups() is None


def test_rows_are_the_cores_comparison(widget, sample):
    groups = widget.groups
    assert groups.a.attributes == (("age_band", "18-24"),)
    assert groups.b.attributes == (("age_band", "75+"),)
    truth = explore.compare_groups(sample, groups.a, groups.b, groups.alpha)
    assert widget.comparison == truth
    model = widget.model
    for row, theme in enumerate(truth.rows):
        assert model.index(row, THEME).data() == theme.theme
        assert model.index(row, SHARE_A).data() == f"{theme.a_share:.1%}  ({theme.a_count:,})"
        assert model.index(row, DIFFERENCE).data(SORT_ROLE) == pytest.approx(theme.difference)
        verdict = model.index(row, TEST).data()
        if theme.p_value is None:
            assert verdict == theme.note
        else:
            assert verdict.startswith("●") == theme.significant
    assert f"{truth.a_respondents:,}" in widget.headline.text()
    assert "α = 0.05" in widget.notes.text()


def test_table_sorts_by_difference_and_by_p_value(widget):
    proxy = widget.proxy
    widget.table.sortByColumn(DIFFERENCE, Qt.SortOrder.DescendingOrder)
    values = [proxy.index(r, DIFFERENCE).data(SORT_ROLE) for r in range(proxy.rowCount())]
    assert values == sorted(values, reverse=True)
    widget.table.sortByColumn(TEST, Qt.SortOrder.AscendingOrder)
    values = [proxy.index(r, TEST).data(SORT_ROLE) for r in range(proxy.rowCount())]
    assert values == sorted(values)


def test_clicking_a_share_lists_that_groups_comments_on_the_theme(qtbot, widget, sample):
    widget.table.sortByColumn(DIFFERENCE, Qt.SortOrder.DescendingOrder)
    top = widget.model.row_at(widget.proxy.mapToSource(widget.proxy.index(0, 0)).row())
    for column, group in ((SHARE_A, widget.groups.a), (SHARE_B, widget.groups.b)):
        with qtbot.waitSignal(widget.filter_requested) as signal:
            click(qtbot, widget.table, widget.proxy.index(0, column))
        f = signal.args[0]
        assert f == group.with_(theme_id=top.theme_id, counted_only=True)
        assert count_comments(sample, f) >= (top.a_count if column == SHARE_A else top.b_count)


def test_buttons_list_the_selected_themes_comments(qtbot, widget):
    widget.table.setCurrentIndex(widget.proxy.index(3, THEME))
    row = widget.model.row_at(widget.proxy.mapToSource(widget.proxy.index(3, 0)).row())
    with qtbot.waitSignal(widget.filter_requested) as signal:
        widget.show_b.click()
    assert signal.args[0] == widget.groups.b.with_(theme_id=row.theme_id, counted_only=True)


def test_two_places(qtbot, widget, sample):
    places = {p["name"]: p["id"] for p in sample.places()}
    compared(qtbot, widget, lambda: widget.kind.setCurrentIndex(widget.kind.findData("place")))
    compared(qtbot, widget, lambda: widget.group_a.setCurrentIndex(
        widget.group_a.findData(places["Poole Bay"])))
    compared(qtbot, widget, lambda: widget.group_b.setCurrentIndex(
        widget.group_b.findData(places["Purbeck"])))
    qtbot.waitUntil(lambda: not widget.busy, timeout=30000)
    assert widget.groups.a.place_id == places["Poole Bay"]
    assert widget.groups.b.place_id == places["Purbeck"]
    truth = explore.compare_groups(sample, widget.groups.a, widget.groups.b)
    assert widget.comparison.rows == truth.rows
    assert not widget.attribute.isVisible()


def test_significance_level_is_the_one_chosen(qtbot, widget):
    compared(qtbot, widget, lambda: widget.alpha.setCurrentIndex(widget.alpha.findData(0.01)))
    qtbot.waitUntil(lambda: not widget.busy, timeout=30000)
    assert widget.comparison.alpha == 0.01
    assert all(row.significant == (row.p_value is not None and row.p_value < 0.01)
               for row in widget.comparison.rows)


def test_two_consultations(qtbot, tmp_path, analysed_sample_path):
    path = copy_project(analysed_sample_path, tmp_path / "two.engage")
    with Project.open(path) as project:
        import_survey(project, write_survey(tmp_path / "survey.csv", survey_rows(20)))
        compare = CompareWidget(project)
        qtbot.addWidget(compare)
        compare.show()
        compared(qtbot, compare,
                 lambda: compare.kind.setCurrentIndex(compare.kind.findData("consultation")))
        qtbot.waitUntil(lambda: not compare.busy, timeout=30000)
        first, second = (c["id"] for c in project.consultations())
        assert compare.groups.a == CommentFilter(consultation_id=first)
        assert compare.groups.b == CommentFilter(consultation_id=second)
        assert compare.comparison.b_respondents == 20
        # the new consultation is not analysed: no theme is on, nothing can be tested
        assert all(row.b_count == 0 for row in compare.comparison.rows)


def test_a_coding_change_compares_again(qtbot, widget):
    from engage.changes import Changes

    with qtbot.waitSignal(widget.compared, timeout=30000):
        widget.on_changes(Changes(codings=True))
    with qtbot.assertNotEmitted(widget.compared, wait=300):
        widget.on_changes(Changes(activities=True))
