"""The overview: its numbers are the core's, and every row, bar and cell clicks through."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QModelIndex, QPoint, Qt

from engage.analysis import explore, store
from engage.browse import CommentFilter, count_comments, fetch_comments
from engage.project import Project
from engage.reports import fmt
from engage.reports import queries as q
from tests.ui.conftest import copy_project, import_survey, survey_rows, write_survey
from ui.workbench.overview import OverviewWidget
from ui.workbench.overview_models import COMMENTS, KEY_ROLE, NAME, SHARE, SORT_ROLE


@pytest.fixture
def sample(analysed_sample_path):
    with Project.open(analysed_sample_path) as project:
        yield project


def shown(qtbot, project, consultation_id=None) -> OverviewWidget:
    widget = OverviewWidget(project)
    qtbot.addWidget(widget)
    widget.set_consultation(consultation_id)
    widget.resize(1400, 900)
    with qtbot.waitSignal(widget.refreshed, timeout=30000):
        widget.show()
    return widget


@pytest.fixture
def overview(qtbot, sample):
    return shown(qtbot, sample, sample.consultations()[0]["id"])


def theme_rows(model):
    """(index, record) for every theme row of the tree model."""
    for p_row in range(model.rowCount()):
        parent = model.index(p_row, 0)
        for t_row in range(model.rowCount(parent)):
            yield model.index(t_row, 0, parent), model.row_of(model.index(t_row, 0, parent))


def click(qtbot, view, index: QModelIndex) -> None:
    view.scrollTo(index)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     pos=view.visualRect(index).center())


def test_models_pass_the_qt_model_tester(qtmodeltester, overview):
    qtmodeltester.check(overview.tree_model)
    qtmodeltester.check(overview.tree_proxy)
    qtmodeltester.check(overview.place_model)
    overview.unit.setCurrentIndex(1)
    qtmodeltester.check(overview.place_model)


def test_empty_models_are_valid(qtmodeltester, qtbot):
    widget = OverviewWidget(None)
    qtbot.addWidget(widget)
    qtmodeltester.check(widget.tree_model)
    qtmodeltester.check(widget.place_model)
    assert widget.headline.text() == ""


def test_tree_numbers_equal_the_reports_theme_counts(overview, sample):
    # the report's query (its own SQL) and the tree count by the one counting rule
    cid = overview.consultation_id
    expected = {row["theme_id"]: row for row in q.theme_rows(sample, q.ReportScope(cid))}
    base = explore.base_counts(sample, cid)
    model = overview.tree_model
    seen = set()
    for index, record in theme_rows(model):
        truth = expected[record["theme_id"]]
        assert index.siblingAtColumn(NAME).data() == truth["theme"]
        assert index.siblingAtColumn(COMMENTS).data() == fmt.count(truth["comments"])
        assert index.siblingAtColumn(SHARE).data(SORT_ROLE) == pytest.approx(
            truth["respondents"] / base.respondents)
        assert index.siblingAtColumn(SHARE).data() == fmt.pct(truth["respondents"]
                                                              / base.respondents)
        seen.add(record["theme_id"])
    assert seen == set(expected)
    assert any(row["comments"] for row in expected.values())


def test_portfolio_rows_count_each_comment_once(overview, sample):
    model = overview.tree_model
    for p_row in range(model.rowCount()):
        record = model.row_of(model.index(p_row, 0))
        f = CommentFilter(consultation_id=overview.consultation_id,
                          portfolio_id=record["portfolio_id"], counted_only=True)
        assert record["comments"] == count_comments(sample, f)
        themes = [model.row_of(model.index(t, 0, model.index(p_row, 0)))["comments"]
                  for t in range(model.rowCount(model.index(p_row, 0)))]
        assert record["comments"] <= sum(themes)


def test_clicking_a_theme_row_asks_for_its_comments(qtbot, overview, sample):
    index, record = max(theme_rows(overview.tree_model), key=lambda item: item[1]["comments"])
    view_index = overview.tree_proxy.mapFromSource(index)
    with qtbot.waitSignal(overview.filter_requested) as signal:
        click(qtbot, overview.tree, view_index)
    f = signal.args[0]
    assert f == CommentFilter(consultation_id=overview.consultation_id,
                              theme_id=record["theme_id"], counted_only=True)
    assert count_comments(sample, f) == record["comments"]
    assert overview.selected_key() == ("theme", record["theme_id"])
    assert overview.chart.series[0].key == ("theme", record["theme_id"])


def test_sorting_the_tree_keeps_themes_under_their_portfolio(overview):
    overview.tree.sortByColumn(COMMENTS, Qt.SortOrder.DescendingOrder)
    proxy = overview.tree_proxy
    for p_row in range(proxy.rowCount()):
        parent = proxy.index(p_row, 0)
        counts = [proxy.index(t, COMMENTS, parent).data(SORT_ROLE)
                  for t in range(proxy.rowCount(parent))]
        assert counts == sorted(counts, reverse=True)
        portfolio = parent.data(KEY_ROLE)[1]
        for t in range(proxy.rowCount(parent)):
            source = proxy.mapToSource(proxy.index(t, 0, parent))
            assert overview.tree_model.row_of(source)["portfolio_id"] == portfolio


def test_chart_shows_the_selection_by_month_and_a_bar_click_lists_that_month(
        qtbot, overview, sample):
    index, record = max(theme_rows(overview.tree_model), key=lambda item: item[1]["comments"])
    overview.select(("theme", record["theme_id"]))
    chart = overview.chart
    timeline = explore.monthly_counts(sample, overview.consultation_id, by="theme")
    assert chart.months == timeline.months and len(chart.months) >= 2
    assert chart.series[0].counts == timeline.series(record["theme_id"])
    month = max(range(len(chart.months)), key=lambda i: chart.series[0].counts[i])
    point = chart.bar_position(0, month)
    with qtbot.waitSignal(overview.filter_requested) as signal:
        qtbot.mouseClick(chart.viewport(), Qt.MouseButton.LeftButton,
                         pos=QPoint(round(point.x()), round(point.y())))
    f = signal.args[0]
    assert f.theme_id == record["theme_id"]
    assert len(f.comment_ids) == chart.series[0].counts[month]
    assert count_comments(sample, f) == chart.series[0].counts[month]


def test_chart_without_a_selection_shows_every_portfolio(overview, sample):
    overview.tree.setCurrentIndex(QModelIndex())
    assert [s.key for s in overview.chart.series] == [
        ("portfolio", p["id"]) for p in store.portfolios(sample)]


def test_clicking_a_heat_cell_lists_that_place_and_portfolio(qtbot, overview, sample):
    table = overview.place_model.table
    row = max(range(len(table.rows)), key=lambda r: table.rows[r].respondents)
    place = table.rows[row]
    column = 1
    portfolio = table.portfolios[column]
    with qtbot.waitSignal(overview.filter_requested) as signal:
        click(qtbot, overview.places, overview.place_model.index(row, column))
    f = signal.args[0]
    assert len(f.comment_ids) == place.count(portfolio["id"], "comments")
    assert count_comments(sample, f) == place.count(portfolio["id"], "comments")
    assert count_comments(sample, CommentFilter(
        consultation_id=overview.consultation_id, place_id=place.place_id,
        portfolio_id=portfolio["id"])) == len(f.comment_ids)  # the same as by place and portfolio
    text = overview.place_model.index(row, column).data()
    assert text == f"{place.share(portfolio['id']):.0%}"
    overview.unit.setCurrentIndex(1)  # shares of comments
    assert overview.place_model.index(row, column).data() == \
        f"{place.share(portfolio['id'], 'comments'):.0%}"


def test_the_no_place_row_lists_only_respondents_with_no_place(qtbot, overview, sample):
    table = overview.place_model.table
    row = next(r for r, place in enumerate(table.rows) if place.place_id is None)
    portfolio = table.portfolios[0]
    with qtbot.waitSignal(overview.filter_requested) as signal:
        click(qtbot, overview.places, overview.place_model.index(row, 0))
    f = signal.args[0]
    assert f.place_id is None and f.comment_ids is not None
    assert len(f.comment_ids) == table.rows[row].count(portfolio["id"], "comments")


@pytest.fixture
def two_consultations(tmp_path, analysed_sample_path):
    """The sample plus a small consultation imported and never analysed."""
    path = copy_project(analysed_sample_path, tmp_path / "two.engage")
    with Project.open(path) as project:
        import_survey(project, write_survey(tmp_path / "survey.csv", survey_rows(20)))
        yield project


def test_the_overview_follows_the_consultation(qtbot, two_consultations):
    project = two_consultations
    first, second = (c["id"] for c in project.consultations())
    widget = shown(qtbot, project, first)
    assert widget.figures.overview.themes == explore.theme_counts(project, first)
    with qtbot.waitSignal(widget.refreshed, timeout=30000):
        widget.set_consultation(second)
    assert all(record["comments"] == 0 for _index, record in theme_rows(widget.tree_model))
    assert "not analysed yet" in widget.headline.text()
    with qtbot.waitSignal(widget.refreshed, timeout=30000):
        widget.set_consultation(None)
    every = {r["theme_id"]: r["comments"] for r in q.theme_rows(project, q.ReportScope())}
    assert {record["theme_id"]: record["comments"]
            for _index, record in theme_rows(widget.tree_model)} == every


def test_a_coding_change_refreshes_the_figures(qtbot, tmp_path, analysed_sample_path):
    with Project.open(copy_project(analysed_sample_path, tmp_path / "c.engage")) as project:
        widget = shown(qtbot, project)
        index, record = max(theme_rows(widget.tree_model), key=lambda item: item[1]["comments"])
        widget.select(("theme", record["theme_id"]))
        f = CommentFilter(theme_id=record["theme_id"])
        ids = [row.id for row in fetch_comments(project, f, 0, 3)]
        changes = store.set_coding_decision(project, ids, record["theme_id"], "rejected")
        with qtbot.waitSignal(widget.refreshed, timeout=30000):
            widget.on_changes(changes)
        after = widget.tree_model.row_of(widget.tree_model.find(("theme", record["theme_id"])))
        assert after["comments"] == record["comments"] - 3
        assert widget.selected_key() == ("theme", record["theme_id"])  # selection kept


def test_a_pcn_sits_indented_under_its_locality_in_both_place_tables(qtbot, qtmodeltester,
                                                                      tmp_path):
    """A PCN is inside its locality's figures (as in the report) and listed beneath it."""
    from engage.analysis.pipeline import analyse_project
    from engage.coproduction.placeadmin import add_place, find_place

    rows = survey_rows(24)
    for row in [r for r in rows if r["Locality"] == "Purbeck"][::2]:
        row["Locality"] = "Swanage PCN"
    path = tmp_path / "pcn.engage"
    with Project.create(path, user="sam") as project:
        add_place(project, find_place(project, "Purbeck"), "Swanage PCN")
        import_survey(project, write_survey(tmp_path / "survey.csv", rows))
    analyse_project(path)
    with Project.open(path) as project:
        widget = shown(qtbot, project)
        for model in (widget.place_model, widget.kind_place_model):
            qtmodeltester.check(model)
            labels = [model.headerData(r, Qt.Orientation.Vertical)
                      for r in range(model.rowCount())]
            at = labels.index("Purbeck")
            assert labels[at + 1].strip() == "\u21b3 Swanage PCN"
            assert "already counted" in model.headerData(at + 1, Qt.Orientation.Vertical,
                                                         Qt.ItemDataRole.ToolTipRole)
        table = widget.place_model.table
        purbeck = next(r for r in table.rows if r.name == "Purbeck")
        pcn = next(r for r in table.rows if r.name == "Swanage PCN")
        assert 0 < pcn.comments < purbeck.comments == count_comments(
            project, CommentFilter(place_id=purbeck.place_id, counted_only=True))
