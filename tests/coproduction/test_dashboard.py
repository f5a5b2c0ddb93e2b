"""Dashboard figures on a small hand-built project, each worked out here independently."""

from __future__ import annotations

import pytest

from engage.browse import count_comments
from engage.coproduction import dashboard, placeadmin, store
from engage.coproduction.actions import Action, add_action
from engage.coproduction.store import Activity
from engage.coproduction.vocab import NO_PLACE, NO_PORTFOLIO
from engage.places import DORSET_LOCALITIES
from tests.coproduction.conftest import add_consultation, add_respondents, place_id

DIGITAL, PREVENTION, ACUTE = "Digital", "Prevention at scale", "One acute network"


@pytest.fixture
def heard(project):
    """Populations and respondents chosen so that some localities are clearly under-heard."""
    populations = {name: 10_000 for name in DORSET_LOCALITIES}
    populations.update({"East Dorset": 40_000, "Purbeck": 5_000, "Poole Bay": None})
    respondents = {name: 60 for name in DORSET_LOCALITIES}
    respondents.update({"Weymouth & Portland": 20, "Purbeck": 10, "Christchurch": 0,
                        "East Dorset": 100, "Poole Bay": 7})
    for name, population in populations.items():
        placeadmin.set_population(project, place_id(project, name), population,
                                  is_estimate=name != "East Dorset")
    consultation = add_consultation(project)
    for name, count in respondents.items():
        add_respondents(project, consultation, place_id(project, name), count)
    pcn, _ = placeadmin.add_place(project, place_id(project, "Purbeck"), "Wareham PCN")
    add_respondents(project, consultation, pcn, 5)
    add_respondents(project, consultation, place_id(project, "Dorset Council"), 4)
    add_respondents(project, consultation, None, 9)
    respondents["Purbeck"] += 5
    return populations, respondents, consultation


def test_response_rates_against_the_county_rate(project, heard):
    populations, respondents, consultation = heard
    rates = dashboard.response_rates(project)
    counted = [name for name, population in populations.items() if population]
    county_rate = 1000 * sum(respondents[n] for n in counted) / sum(populations[n]
                                                                    for n in counted)
    assert rates.county_rate == pytest.approx(county_rate)
    assert rates.unplaced == 9 and rates.above_locality == 4
    assert rates.no_population == ["Poole Bay"]
    by_name = {row.name: row for row in rates.rows}
    assert set(by_name) == set(DORSET_LOCALITIES)
    for name in counted:
        rate = 1000 * respondents[name] / populations[name]
        row = by_name[name]
        assert row.respondents == respondents[name]
        assert row.rate == pytest.approx(rate)
        assert row.under_heard == (rate < dashboard.UNDER_HEARD_SHARE * county_rate), name
        assert row.population_is_estimate == (name != "East Dorset")
    flagged = sorted(row.name for row in rates.rows if row.under_heard)
    assert flagged == ["Christchurch", "East Dorset", "Weymouth & Portland"]
    assert by_name["Poole Bay"].rate is None and not by_name["Poole Bay"].under_heard
    assert "0.67 × the county rate" in rates.rule and "9 with no place" in rates.rule
    purbeck = by_name["Purbeck"]
    assert count_comments(project, purbeck.comment_filter) == respondents["Purbeck"]
    assert purbeck.comment_filter.place_id == place_id(project, "Purbeck")
    # a consultation with no respondents gives no county rate and flags nobody
    empty = dashboard.response_rates(project, add_consultation(project, "Empty"))
    assert empty.county_rate == 0 and not any(r.under_heard for r in empty.rows)
    assert dashboard.response_rates(project, consultation).county_rate == pytest.approx(
        county_rate)


@pytest.fixture
def register(project):
    """Six activities spread over places, portfolios, levels and months."""
    wp, purbeck = place_id(project, "Weymouth & Portland"), place_id(project, "Purbeck")
    pcn, _ = placeadmin.add_place(project, purbeck, "Wareham PCN")
    specs = {
        "a1": dict(place_ids=[wp], portfolios=[DIGITAL], level="consult",
                   start_date="2019-01-15", participants=10),
        "a2": dict(place_ids=[wp, pcn], portfolios=[DIGITAL, PREVENTION], level="co-design",
                   start_date="2019-03-02", participants=5),
        "a3": dict(place_ids=[place_id(project, "Dorset ICS")], level="inform",
                   start_date="2019-03-20"),
        "a4": dict(suggested_portfolios=[PREVENTION], level="involve",
                   start_date="2019-01-01", participants=7),
        "a5": dict(place_ids=[purbeck], portfolios=[ACUTE], level="consult"),
        "a6": dict(place_ids=[place_id(project, "Poole Bay")], portfolios=[ACUTE],
                   level="consult", start_date="2019-04-10"),
    }
    ids = {}
    for name, spec in specs.items():
        ids[name], _ = store.add_activity(project, Activity(title=name, type="workshop", **spec))
    return ids


def test_place_by_portfolio_matrix(project, register):
    ids = register
    matrix = dashboard.place_portfolio_matrix(project)
    wp, purbeck = place_id(project, "Weymouth & Portland"), place_id(project, "Purbeck")
    ics = place_id(project, "Dorset ICS")
    assert [row.name for row in matrix.rows] == list(DORSET_LOCALITIES) + ["Dorset ICS",
                                                                          NO_PLACE]
    assert matrix.portfolios[-1] == NO_PORTFOLIO and DIGITAL in matrix.portfolios
    expected = {
        (wp, DIGITAL): ({"a1", "a2"}, "co-design"),
        (wp, PREVENTION): ({"a2"}, "co-design"),
        (purbeck, DIGITAL): ({"a2"}, "co-design"),
        (purbeck, PREVENTION): ({"a2"}, "co-design"),
        (purbeck, ACUTE): ({"a5"}, "consult"),
        (place_id(project, "Poole Bay"), ACUTE): ({"a6"}, "consult"),
        (ics, NO_PORTFOLIO): ({"a3"}, "inform"),
        (None, PREVENTION): ({"a4"}, "involve"),
    }
    filled = {key: cell for key, cell in matrix.cells.items() if cell.count}
    assert set(filled) == set(expected)
    for key, (names, highest) in expected.items():
        cell = matrix.cell(*key)
        assert set(cell.activity_ids) == {ids[n] for n in names}, key
        assert cell.highest_level == highest, key
    assert matrix.cell(None, PREVENTION).suggested == 1
    assert matrix.cell(wp, DIGITAL).suggested == 0
    assert matrix.cell(place_id(project, "Christchurch"), DIGITAL).count == 0
    row = matrix.row_cell(purbeck)
    assert set(row.activity_ids) == {ids["a2"], ids["a5"]} and row.highest_level == "co-design"


def test_levels_by_place_flag_places_never_above_consult(project, register):
    ids = register
    rows = {row.place.name: row for row in dashboard.levels_by_place(project)}
    assert rows["Weymouth & Portland"].ids_by_level["consult"] == (ids["a1"],)
    assert rows["Weymouth & Portland"].highest == "co-design"
    assert rows["Purbeck"].total == 2
    assert rows["Poole Bay"].never_above_consult
    assert not rows["Weymouth & Portland"].never_above_consult
    assert rows["Christchurch"].total == 0 and not rows["Christchurch"].never_above_consult
    assert rows[NO_PLACE].ids_by_level["involve"] == (ids["a4"],)


def test_timeline_fills_empty_months_and_keeps_undated_apart(project, register):
    ids = register
    months, undated = dashboard.timeline(project)
    assert [m.month for m in months] == ["2019-01", "2019-02", "2019-03", "2019-04"]
    assert [len(m.activity_ids) for m in months] == [2, 0, 2, 1]
    assert months[0].ids_by_level["involve"] == (ids["a4"],)
    assert [m.participants for m in months] == [17, 0, 5, 0]
    assert undated == (ids["a5"],)
    quarters, _ = dashboard.timeline(project, by="quarter")
    assert [q.month for q in quarters] == ["2019-Q1", "2019-Q2"]
    assert [len(q.activity_ids) for q in quarters] == [4, 1]
    assert dashboard.timeline(project, by="auto")[0] == months  # four months: by month


def test_a_long_register_is_shown_by_quarter(project):
    for start in ("2018-11-30", "2020-08-01"):
        store.add_activity(project, Activity(title=start, type="survey", level="consult",
                                             start_date=start))
    quarters, _ = dashboard.timeline(project, by="auto")
    labels = [q.month for q in quarters]
    assert labels[0] == "2018-Q4" and labels[-1] == "2020-Q3" and len(labels) == 8
    assert [len(q.activity_ids) for q in quarters] == [1, 0, 0, 0, 0, 0, 0, 1]


def test_open_actions_by_portfolio(project):
    planned, _ = add_action(project, Action(title="p", portfolio=DIGITAL, due_date="2019-12-01"))
    done, _ = add_action(project, Action(title="d", portfolio=DIGITAL, status="done"))
    moving, _ = add_action(project, Action(title="m", status="in progress",
                                           due_date="2020-06-01"))
    add_action(project, Action(title="n", portfolio=PREVENTION, status="not taken forward",
                               reason="no money"))
    groups = {g.portfolio: g for g in dashboard.actions_by_portfolio(project, today="2020-01-01")}
    assert groups[DIGITAL].open_ids == (planned,)
    assert groups[DIGITAL].ids_by_status["done"] == (done,)
    assert groups[DIGITAL].overdue == (planned,)
    assert groups[NO_PORTFOLIO].open_ids == (moving,) and groups[NO_PORTFOLIO].overdue == ()
    assert groups[PREVENTION].open_ids == ()
    assert groups[ACUTE].open_ids == ()


def test_headline_counts(project, register):
    add_action(project, Action(title="p"))
    figures = dashboard.headline(project)
    assert figures["activities"] == 6
    assert figures["participants"] == 10 + 5 + 7
    assert figures["co_produced"] == 1
    assert figures["open_actions"] == 1 and figures["done_actions"] == 0
    assert figures["suggested_portfolios"] == 1
