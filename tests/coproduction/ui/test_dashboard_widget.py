"""The dashboard's click-throughs and the `CoproductionWidget` that ties the tabs together."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from engage.changes import Changes
from engage.coproduction import dashboard, store
from engage.coproduction.actions import get_action
from ui.coproduction import CoproductionWidget
from ui.coproduction.dashboard_view import DashboardView


@pytest.fixture
def view(qtbot, sample):
    widget = DashboardView(sample)
    qtbot.addWidget(widget)
    widget.resize(1400, 900)
    widget.show()
    return widget


@pytest.fixture
def widget(qtbot, sample):
    coproduction = CoproductionWidget(sample)
    qtbot.addWidget(coproduction)
    coproduction.resize(1400, 900)
    coproduction.show()
    return coproduction


def _click(qtbot, table, row: int, column: int) -> None:
    index = table.model().index(row, column)
    table.scrollTo(index)
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton,
                     pos=table.visualRect(index).center())


def test_headline_and_matrix_show_the_core_figures(view, sample):
    figures = dashboard.headline(sample)
    assert f"<b>{figures['activities']}</b> activities" in view.headline.text()
    matrix = dashboard.place_portfolio_matrix(sample)
    model = view.matrix_model
    assert model.rowCount() == len(matrix.rows)
    for row, place in enumerate(matrix.rows):
        for column, portfolio in enumerate(matrix.portfolios):
            cell = matrix.cell(place.place_id, portfolio)
            text = model.index(row, column).data()
            assert text == (f"{cell.count} · {cell.highest_level}" if cell.count else "")


def test_clicking_a_matrix_cell_asks_for_its_activities(qtbot, view, sample):
    matrix = dashboard.place_portfolio_matrix(sample)
    row, column, cell = next((r, c, matrix.cell(place.place_id, name))
                             for r, place in enumerate(matrix.rows)
                             for c, name in enumerate(matrix.portfolios)
                             if matrix.cell(place.place_id, name).count >= 2)
    with qtbot.waitSignal(view.activities_requested) as signal:
        _click(qtbot, view.matrix, row, column)
    assert signal.args[0] == cell.activity_ids
    assert signal.args[1] == f"{matrix.rows[row].name} × {matrix.portfolios[column]}"


def test_bars_click_through_to_comments_and_activities(qtbot, view, sample):
    rates = dashboard.response_rates(sample)
    heard = view.rates.chart().series()[0].barSets()[0]
    bottom = rates.rows[-1]   # bars are drawn bottom-up, so index 0 is the last locality
    with qtbot.waitSignal(view.comments_requested) as signal:
        heard.clicked.emit(0)
    assert signal.args[0] == bottom.comment_filter

    levels = dashboard.levels_by_place(sample)
    consult = view.levels.chart().series()[0].barSets()[1]
    assert consult.label() == "consult"
    with qtbot.waitSignal(view.activities_requested) as signal:
        consult.clicked.emit(0)
    assert signal.args[0] == levels[-1].ids_by_level["consult"]

    months, _ = dashboard.timeline(sample, by="auto")
    inform = view.timeline.chart().series()[0].barSets()[0]
    with qtbot.waitSignal(view.activities_requested) as signal:
        inform.clicked.emit(0)
    assert signal.args[0] == months[0].ids_by_level["inform"]


def test_open_actions_click_through(qtbot, view, sample):
    groups = view.actions_model.groups
    row = next(i for i, g in enumerate(groups) if g.ids_by_status["done"])
    column = view.actions_model.COLUMNS.index("done")
    with qtbot.waitSignal(view.actions_requested) as signal:
        _click(qtbot, view.actions_table, row, column)
    assert signal.args[0] == groups[row].ids_by_status["done"]


def test_the_widget_opens_the_register_on_a_dashboard_cell(qtbot, widget, sample):
    matrix = dashboard.place_portfolio_matrix(sample)
    row = next(i for i, place in enumerate(matrix.rows) if matrix.row_cell(place.place_id).count)
    all_column = len(matrix.portfolios)
    _click(qtbot, widget.dashboard.matrix, row, all_column)
    assert widget.currentIndex() == widget.REGISTER
    shown = {widget.register.model.row_data(r)["id"]
             for r in range(widget.register.model.rowCount())}
    assert shown == set(matrix.row_cell(matrix.rows[row].place_id).activity_ids)


def test_the_widget_forwards_comment_requests(qtbot, widget, sample):
    view = widget.actions_view
    action_id = view.model.row_data(0)["id"]
    view.select(action_id)
    with qtbot.waitSignal(widget.comments_requested) as signal:
        view.comments_button.click()
    action = get_action(sample, action_id)
    assert set(signal.args[0].comment_ids) >= set(action.support_comment_ids)


def test_a_write_in_one_tab_refreshes_the_others_and_is_announced_once(qtbot, widget, sample):
    before = dashboard.headline(sample)["activities"]
    widget.register.select(widget.register.model.row_data(0)["id"])
    with qtbot.waitSignal(widget.changed) as signal:
        widget.register.delete_selected(confirm=False)
    assert signal.args[0].activities
    assert f"<b>{before - 1}</b> activities" in widget.dashboard.headline.text()


def test_on_changes_from_elsewhere_refreshes_and_echoes_are_ignored(qtbot, widget, sample):
    refreshed = []
    widget.dashboard.refresh = lambda: refreshed.append(1)   # count refreshes from here on
    store.add_activity(sample, store.Activity(title="Added elsewhere", type="survey",
                                              level="inform"))
    widget.on_changes(Changes(activities=True))
    assert len(refreshed) == 1
    assert widget.register.model.row_of(
        next(r["id"] for r in store.list_activities(sample) if r["title"] == "Added elsewhere")
    ) >= 0
    widget.changed.connect(widget.on_changes)        # as a main window would echo it back
    widget.register.select(widget.register.model.row_data(0)["id"])
    widget.register.delete_selected(confirm=False)
    assert len(refreshed) == 2                       # once, not twice
    widget.on_changes(Changes(comments=True))        # nothing the dashboard shows
    assert len(refreshed) == 2


def test_set_project_none_empties_every_tab(widget):
    widget.set_project(None)
    assert widget.register.model.rowCount() == 0
    assert widget.actions_view.model.rowCount() == 0
    assert widget.places.tree_model.rowCount() == 0
    assert widget.dashboard.matrix_model.rowCount() == 0
