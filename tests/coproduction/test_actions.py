""""You said, we did": actions with their themes, comments and activities, and the reason rule."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest

from engage.browse import count_comments
from engage.changes import Changes
from engage.coproduction import actions, store
from engage.coproduction.actions import Action, ActionError
from tests.coproduction.conftest import add_consultation, add_respondents, place_id, table_counts


@pytest.fixture
def comments(project) -> list[int]:
    consultation = add_consultation(project)
    add_respondents(project, consultation, place_id(project, "Purbeck"), 6)
    return [r[0] for r in project.db.execute("SELECT id FROM comments ORDER BY id")]


@pytest.fixture
def activity(project) -> int:
    activity_id, _ = store.add_activity(project, store.Activity(
        title="Transport workshop", type="workshop", level="involve"))
    return activity_id


def test_an_action_keeps_its_themes_comments_and_activities(project, comments, activity):
    action_id, changes = actions.add_action(project, Action(
        title="Buses do not reach the hospital in time", decision="Clinic times moved",
        owner="Transport lead", status="In Progress", portfolio="one acute network",
        themes=["Travel to services", "Travel to services"], due_date="2020-03-31",
        support_comment_ids=comments[:4], quote_comment_ids=comments[1:2],
        activity_ids=[activity]))
    assert changes == Changes(actions=True)
    stored = actions.get_action(project, action_id)
    assert stored.status == "in progress"
    assert stored.portfolio == "One acute network"
    assert stored.themes == ["Travel to services"]
    assert stored.support_comment_ids == comments[:4]
    assert stored.quote_comment_ids == [comments[1]]
    assert stored.activity_ids == [activity]
    [row] = actions.list_actions(project)
    assert (row["supporting_comments"], row["quotes"], row["activities"]) == (4, 1, 1)
    assert count_comments(project, actions.comment_filter(stored)) == 4
    assert count_comments(project, actions.comment_filter(stored, quotes_only=True)) == 1
    assert actions.actions_for_activity(project, activity) == [action_id]


def test_not_taken_forward_needs_a_reason_in_code_and_in_the_schema(project):
    before = table_counts(project)
    with pytest.raises(ActionError, match="say why it was not taken forward"):
        actions.add_action(project, Action(title="Reopen the ward", status="not taken forward"))
    assert table_counts(project) == before
    with pytest.raises(sqlite3.IntegrityError):
        project.db.execute("INSERT INTO actions (title, status, reason) "
                           "VALUES ('Reopen the ward', 'not taken forward', '  ')")
    action_id, _ = actions.add_action(project, Action(
        title="Reopen the ward", status="not taken forward", reason="No staff to run it"))
    assert actions.get_action(project, action_id).reason == "No staff to run it"


@pytest.mark.parametrize(("change", "message"), [
    ({"title": ""}, "needs a title"),
    ({"status": "finished"}, "unknown action status 'finished'"),
    ({"portfolio": "Estates"}, "unknown portfolio 'Estates'"),
    ({"support_comment_ids": [424242]}, "no comment with id 424242"),
    ({"activity_ids": [99]}, "no activity with id 99"),
    ({"due_date": "next spring"}, "is not a date"),
])
def test_bad_actions_are_refused(project, change, message):
    values = {"title": "More evening clinics", **change}
    with pytest.raises(ActionError, match=message):
        actions.add_action(project, Action(**values))
    assert actions.list_actions(project) == []


def test_marking_done_dates_it_today_and_edits_are_audited(project):
    action_id, _ = actions.add_action(project, Action(title="Evening clinics"))
    actions.set_action_status(project, action_id, "done")
    stored = actions.get_action(project, action_id)
    assert stored.status == "done"
    assert stored.done_date == dt.date.today().isoformat()
    rows = project._rows("SELECT action, before, after FROM audit WHERE entity = 'action' "
                         "ORDER BY id")
    assert [r["action"] for r in rows] == ["add action", "edit action"]
    assert '"status": "planned"' in rows[1]["before"] and '"status": "done"' in rows[1]["after"]


def test_open_actions_past_their_due_date_are_overdue(project):
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    late, _ = actions.add_action(project, Action(title="Late", due_date=yesterday))
    actions.add_action(project, Action(title="On time", due_date=tomorrow))
    actions.add_action(project, Action(title="Done late", status="done", due_date=yesterday))
    overdue = {r["title"]: r["overdue"] for r in actions.list_actions(project)}
    assert overdue == {"Late": True, "On time": False, "Done late": False}
    assert [r["id"] for r in actions.list_actions(project, open_only=True)
            if r["title"] == "Late"] == [late]


def test_deleting_an_activity_or_comment_unlinks_it_from_actions(project, comments, activity):
    action_id, _ = actions.add_action(project, Action(
        title="x", support_comment_ids=comments[:2], activity_ids=[activity]))
    store.delete_activity(project, activity)
    project.db.execute("DELETE FROM comments WHERE id = ?", [comments[0]])
    stored = actions.get_action(project, action_id)
    assert stored.activity_ids == [] and stored.support_comment_ids == [comments[1]]


def test_theme_evidence_gathers_comments_coded_with_the_themes(project, comments):
    portfolio = project.db["portfolios"].insert({"name": "Digital", "position": 1}).last_pk
    online = project.db["themes"].insert({"portfolio_id": portfolio, "name": "Online access",
                                          "position": 1}).last_pk
    other = project.db["themes"].insert({"portfolio_id": portfolio, "name": "Shared records",
                                         "position": 2}).last_pk
    accepted, model_coded, rejected, elsewhere = comments[:4]
    rows = [(accepted, online, "officer", "accepted", "uncertain", 1),
            (model_coded, online, "model", None, "coded", 0),
            (rejected, online, "model", "rejected", "coded", 0),
            (elsewhere, other, "model", None, "coded", 0)]
    for comment, theme, source, decision, outcome, key_quote in rows:
        project.db["codings"].insert({"comment_id": comment, "theme_id": theme,
                                      "source": source, "decision": decision})
        project.db["comment_analysis"].insert({"comment_id": comment, "outcome": outcome,
                                               "key_quote": key_quote})
    support, quotes = actions.theme_evidence(project, ["Online access"])
    assert support == sorted([accepted, model_coded])
    assert quotes == [accepted]
    assert actions.theme_evidence(project, []) == ([], [])
