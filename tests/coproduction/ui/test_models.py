"""The co-production item models pass Qt's model tester and show what the core returns."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt

from engage.coproduction import actions, dashboard, placeadmin, store
from ui.coproduction.dashboard_view import ActionsModel, MatrixModel
from ui.coproduction.models import (
    LEVEL_COLOURS,
    ActionTableModel,
    ActivityTableModel,
    PlaceTreeModel,
    PostcodeTableModel,
    UnplacedRespondentModel,
    UnplacedTableModel,
)


def test_every_model_passes_the_model_tester(qtmodeltester, sample):
    for model in (ActivityTableModel(sample), ActionTableModel(sample),
                  PostcodeTableModel(sample), UnplacedTableModel(sample),
                  UnplacedRespondentModel(sample), PlaceTreeModel(sample)):
        qtmodeltester.check(model)
    matrix = MatrixModel()
    matrix.set_matrix(dashboard.place_portfolio_matrix(sample))
    qtmodeltester.check(matrix)
    groups = ActionsModel()
    groups.set_groups(dashboard.actions_by_portfolio(sample))
    qtmodeltester.check(groups)


def test_models_without_a_project_are_empty(qtmodeltester):
    for model in (ActivityTableModel(), ActionTableModel(), PlaceTreeModel()):
        qtmodeltester.check(model)
        assert model.rowCount() == 0


def test_activity_rows_and_level_colours_come_from_the_core(sample):
    model = ActivityTableModel(sample)
    rows = store.list_activities(sample)
    assert model.rowCount() == len(rows)
    for row in range(model.rowCount()):
        level = model.index(row, ActivityTableModel.LEVEL_COLUMN).data()
        assert level == rows[row]["level"]
        brush = model.index(row, ActivityTableModel.LEVEL_COLUMN).data(
            Qt.ItemDataRole.BackgroundRole)
        assert brush.color().name() == LEVEL_COLOURS[level]
    model.set_filter(store.ActivityFilter(level="co-produce"))
    assert model.rowCount() == sum(1 for r in rows if r["level"] == "co-produce") > 0


def test_suggested_portfolios_are_marked_in_the_table(sample):
    model = ActivityTableModel(sample)
    column = next(i for i, c in enumerate(model.COLUMNS) if c.key == "portfolios")
    suggested = [r for r in range(model.rowCount())
                 if model.row_data(r)["suggested_portfolios"]]
    assert suggested
    assert model.index(suggested[0], column).data().endswith("(suggested)")


def test_action_model_filters_by_ids(sample):
    model = ActionTableModel(sample)
    assert model.rowCount() == len(actions.list_actions(sample))
    first = model.row_data(0)["id"]
    model.set_ids((first,))
    assert model.rowCount() == 1 and model.row_data(0)["id"] == first


def test_place_tree_follows_the_hierarchy_and_rolls_up_respondents(sample):
    model = PlaceTreeModel(sample)
    purbeck = next(p["id"] for p in sample.places() if p["name"] == "Purbeck")
    index = model.index_of(purbeck)
    assert index.data() == "Purbeck"
    assert model.parent(index).data() == "Dorset Council"
    assert model.parent(model.parent(index)).data() == "Dorset ICS"
    assert model.parent(model.parent(model.parent(index))) == QModelIndex()
    respondents = model.index(index.row(), 3, model.parent(index)).data()
    assert respondents == "5"
    assert model.index(index.row(), 2, model.parent(index)).data().endswith("(est.)")
    tree = placeadmin.place_tree(sample)
    assert model.rowCount() == sum(1 for p in tree if p["parent_id"] is None)


def test_unplaced_model_counts_every_respondent_without_a_place(sample):
    model = UnplacedTableModel(sample)
    assert model.count == 5
    assert sum(model.row_data(r)["respondents"] for r in range(model.rowCount())) == 5
