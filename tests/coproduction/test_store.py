"""The activity register: adding, editing, deleting, checking — each audited, nothing half-done."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from engage.changes import Changes
from engage.coproduction import store
from engage.coproduction.store import Activity, ActivityError
from engage.coproduction.vocab import DEFAULT_PORTFOLIOS, LEVELS
from tests.coproduction.conftest import add_consultation, audit_count, place_id, table_counts


def _activity(project, **changes) -> Activity:
    values = dict(title="Carers' café", type="outreach", level="consult",
                  start_date="2019-04-04", place_ids=[place_id(project, "Purbeck")],
                  partners=["Healthwatch Dorset"], groups=["Carers"],
                  portfolios=[DEFAULT_PORTFOLIOS[1]], themes=["Carers"])
    values.update(changes)
    return Activity(**values)


def _audit(project, entity):
    return [dict(r) for r in project._rows(
        "SELECT * FROM audit WHERE entity = ? ORDER BY id", [entity])]


def test_add_activity_stores_canonical_spellings_and_returns_changes(project):
    activity = _activity(project, title="  Portland  workshop ", type="Workshops",
                         level="Co-Design", groups=["older PEOPLE", "Fishermen"],
                         portfolios=["digital"], partners=["Dorset Council", "dorset council"])
    activity_id, changes = store.add_activity(project, activity)
    assert changes == Changes(activities=True)
    stored = store.get_activity(project, activity_id)
    assert (stored.title, stored.type, stored.level) == ("Portland workshop", "workshop",
                                                         "co-design")
    assert stored.groups == ["older people", "Fishermen"]
    assert stored.portfolios == ["Digital"]
    assert stored.partners == ["Dorset Council"]
    assert store.find_partner(project, "DORSET COUNCIL")["kind"] == "council"
    categories = dict(project.db.execute(
        "SELECT name, category FROM activity_groups WHERE activity_id = ?", [activity_id]))
    assert categories == {"older people": "age group", "Fishermen": "other"}


def test_every_write_leaves_an_audit_row_with_before_and_after(project):
    activity_id, _ = store.add_activity(project, _activity(project))
    added = _audit(project, "activity")
    assert len(added) == 1 and added[0]["before"] is None
    assert json.loads(added[0]["after"])["title"] == "Carers' café"
    assert added[0]["user"] == "tester" and added[0]["action"] == "add activity"

    edited = store.get_activity(project, activity_id)
    edited.level = "involve"
    edited.place_ids = [place_id(project, "Poole Bay")]
    assert store.update_activity(project, edited) == Changes(activities=True)
    row = _audit(project, "activity")[-1]
    assert json.loads(row["before"])["level"] == "consult"
    assert json.loads(row["after"])["level"] == "involve"
    assert store.get_activity(project, activity_id).place_ids == [place_id(project, "Poole Bay")]

    store.delete_activity(project, activity_id)
    row = _audit(project, "activity")[-1]
    assert row["action"] == "delete activity" and row["after"] is None
    assert json.loads(row["before"])["level"] == "involve"


def test_delete_removes_links_and_evidence_but_not_partners(project):
    activity_id, _ = store.add_activity(project, _activity(project))
    store.add_evidence(project, activity_id, "/tmp/notes/cafe.pdf", "meeting notes")
    store.delete_activity(project, activity_id)
    counts = table_counts(project)
    for table in ("activities", "activity_places", "activity_partners", "activity_groups",
                  "activity_portfolios", "activity_themes", "activity_evidence"):
        assert counts[table] == 0, table
    assert counts["partners"] == 1


@pytest.mark.parametrize(("change", "message"), [
    ({"title": "  "}, "needs a title"),
    ({"type": "webinar"}, "unknown activity type 'webinar' — expected one of: survey"),
    ({"level": "consulted"}, "unknown participation level 'consulted'"),
    ({"start_date": "2019-05-01", "end_date": "2019-04-01"}, "ends (2019-04-01) before it"),
    ({"start_date": "4th April"}, "is not a date"),
    ({"participants": -3}, "participants must be a whole number"),
    ({"place_ids": [9999]}, "no place with id 9999"),
    ({"consultation_ids": [77]}, "no consultation with id 77"),
    ({"portfolios": ["Estates"]}, "unknown portfolio 'Estates'"),
])
def test_bad_activities_are_refused_with_one_line_and_nothing_written(project, change, message):
    before = table_counts(project)
    with pytest.raises(ActivityError, match=re.escape(message)) as caught:
        store.add_activity(project, _activity(project, **change))
    assert "\n" not in str(caught.value)
    assert table_counts(project) == before


def test_the_schema_itself_refuses_a_level_off_the_ladder(project):
    with pytest.raises(sqlite3.IntegrityError):
        project.db.execute("INSERT INTO activities (title, type, level) "
                           "VALUES ('x', 'survey', 'consulted')")
    for level in LEVELS:
        project.db.execute("INSERT INTO activities (title, type, level) VALUES ('x', 'survey', ?)",
                           [level])


def test_links_to_consultations_and_themes_survive_a_round_trip(project):
    consultation = add_consultation(project)
    activity_id, _ = store.add_activity(project, _activity(
        project, consultation_ids=[consultation], themes=["GP access", "Seaside parking"]))
    stored = store.get_activity(project, activity_id)
    assert stored.consultation_ids == [consultation]
    assert stored.themes == ["GP access", "Seaside parking"]


def test_theme_links_follow_the_taxonomy_by_id_once_it_exists(project):
    portfolio = project.db["portfolios"].insert({"name": "Digital", "position": 1}).last_pk
    theme = project.db["themes"].insert({"portfolio_id": portfolio, "name": "Online access",
                                         "position": 1}).last_pk
    activity_id, _ = store.add_activity(project, _activity(
        project, portfolios=["Digital"], themes=["online ACCESS"]))
    assert project.db.execute("SELECT theme, theme_id FROM activity_themes").fetchall() == \
        [("Online access", theme)]
    project.db.execute("UPDATE themes SET name = 'Online services' WHERE id = ?", [theme])
    assert store.get_activity(project, activity_id).themes == ["Online services"]
    project.db.execute("DELETE FROM themes WHERE id = ?", [theme])
    assert store.get_activity(project, activity_id).themes == ["Online access"]


def test_once_the_project_has_a_taxonomy_only_its_portfolios_are_accepted(project):
    project.db["portfolios"].insert({"name": "Better lives", "position": 1})
    with pytest.raises(ActivityError, match="unknown portfolio 'Digital'"):
        store.add_activity(project, _activity(project, portfolios=["Digital"]))
    activity_id, _ = store.add_activity(project, _activity(project, portfolios=["better lives"]))
    assert store.get_activity(project, activity_id).portfolios == ["Better lives"]


def test_suggested_portfolios_are_kept_apart_until_confirmed(project):
    activity_id, _ = store.add_activity(project, _activity(
        project, portfolios=[], suggested_portfolios=["Digital"]))
    row = store.list_activities(project)[0]
    assert (row["portfolios"], row["suggested_portfolios"]) == ("", "Digital")
    assert store.confirm_suggested_portfolios(project, activity_id) == Changes(activities=True)
    stored = store.get_activity(project, activity_id)
    assert (stored.portfolios, stored.suggested_portfolios) == (["Digital"], [])
    assert _audit(project, "activity")[-1]["action"] == "confirm suggested portfolio"


def test_list_filters_by_place_including_places_inside_it(project):
    from engage.coproduction.placeadmin import add_place

    purbeck = place_id(project, "Purbeck")
    pcn, _ = add_place(project, purbeck, "Swanage and Purbeck PCN")
    in_pcn, _ = store.add_activity(project, _activity(project, title="In the PCN",
                                                      place_ids=[pcn]))
    elsewhere, _ = store.add_activity(project, _activity(
        project, title="Elsewhere", place_ids=[place_id(project, "Poole Bay")]))
    ids = lambda f: [r["id"] for r in store.list_activities(project, f)]  # noqa: E731
    assert ids(store.ActivityFilter(place_id=purbeck)) == [in_pcn]
    dorset_council = place_id(project, "Dorset Council")
    assert ids(store.ActivityFilter(place_id=dorset_council)) == [in_pcn]
    assert ids(store.ActivityFilter(search="elsewhere")) == [elsewhere]
    assert ids(store.ActivityFilter(level="involve")) == []


def test_partners_can_be_added_renamed_and_removed_only_when_unused(project):
    partner_id, _ = store.add_partner(project, "Purbeck Youth Forum", "vcse")
    assert store.find_partner(project, "purbeck youth forum")["kind"] == "VCSE"
    with pytest.raises(ActivityError, match="already a partner"):
        store.add_partner(project, "PURBECK youth forum")
    with pytest.raises(ActivityError, match="unknown partner kind"):
        store.update_partner(project, partner_id, kind="charity shop")
    store.update_partner(project, partner_id, name="Purbeck Youth Voice", kind="other")
    store.add_activity(project, _activity(project, partners=["Purbeck Youth Voice"]))
    with pytest.raises(ActivityError, match="named by 1 activities"):
        store.delete_partner(project, partner_id)
    other, _ = store.add_partner(project, "Unused Group")
    audit_before = audit_count(project)
    store.delete_partner(project, other)
    assert store.find_partner(project, "Unused Group") is None
    assert audit_count(project) == audit_before + 1


def test_evidence_is_recorded_by_path_and_audited(project, tmp_path):
    activity_id, _ = store.add_activity(project, _activity(project))
    evidence_id, changes = store.add_evidence(project, activity_id, tmp_path / "notes.docx",
                                              " notes ")
    assert changes.activities
    [row] = store.list_evidence(project, activity_id)
    assert (row["file_name"], row["note"], row["added_by"]) == ("notes.docx", "notes", "tester")
    store.remove_evidence(project, evidence_id)
    assert store.list_evidence(project, activity_id) == []
    assert [r["action"] for r in _audit(project, "activity_evidence")] == \
        ["add evidence", "remove evidence"]


def test_links_made_by_name_are_tied_to_a_taxonomy_installed_later(project):
    from engage.coproduction.actions import Action, add_action, get_action
    from engage.coproduction.portfolios import link_to_taxonomy

    activity_id, _ = store.add_activity(project, _activity(project, portfolios=["Digital"],
                                                           themes=["Online access"]))
    action_id, _ = add_action(project, Action(title="x", portfolio="Digital",
                                              themes=["Online access"]))
    assert link_to_taxonomy(project) == Changes()          # no taxonomy yet: nothing to do
    portfolio = project.db["portfolios"].insert({"name": "Digital", "position": 1}).last_pk
    theme = project.db["themes"].insert({"portfolio_id": portfolio, "name": "Online access",
                                         "position": 1}).last_pk
    assert link_to_taxonomy(project) == Changes(activities=True, actions=True)
    project.db.execute("UPDATE portfolios SET name = 'Digital services' WHERE id = ?",
                       [portfolio])
    project.db.execute("UPDATE themes SET name = 'Online services' WHERE id = ?", [theme])
    activity = store.get_activity(project, activity_id)
    assert (activity.portfolios, activity.themes) == (["Digital services"], ["Online services"])
    action = get_action(project, action_id)
    assert (action.portfolio, action.themes) == ("Digital services", ["Online services"])
    assert link_to_taxonomy(project) == Changes()          # already linked
