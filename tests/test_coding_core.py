"""The core behind the coding workbench: rows to show, exact undo/redo, split, promote, evidence.

No Qt here: everything the workbench does can be done (and checked) headless.
"""

from __future__ import annotations

import json

import pytest

from engage.analysis import store, workbench_store
from engage.analysis.evidence import evidence_spans, stem
from engage.errors import EngageError
from engage.project import Project

TAXONOMY = [
    {"name": "One acute network", "themes": [
        {"name": "Waiting times", "seed_terms": ["wait", "waiting list"]},
        {"name": "Travel to services", "seed_terms": ["bus", "parking"]}]},
    {"name": "Digital", "themes": [{"name": "Online access", "seed_terms": ["app"]}]},
]
# Written for these tests.
TEXTS = {
    1: "We waited nine weeks and the waiting lists keep growing.",
    2: "The bus from the village stops running before clinics finish.",
    3: "Booking through the app was quick once I got the hang of it.",
    4: "Parking near the outpatients entrance is impossible on weekdays.",
    5: "Nobody answered the phone, so I drove in and waited again.",
}


@pytest.fixture
def project(tmp_path):
    with Project.create(tmp_path / "coding.engage", user="Sam Officer") as p:
        with p.transaction("seed"):
            cid = p.db["consultations"].insert({"name": "C", "created_at": "x"}).last_pk
            qid = p.db["questions"].insert({"consultation_id": cid, "label": "Q1"}).last_pk
            for i, text in TEXTS.items():
                p.db["respondents"].insert({"id": i, "consultation_id": cid,
                                            "external_id": f"R{i}"})
                p.db["comments"].insert({"id": i, "consultation_id": cid, "question_id": qid,
                                         "respondent_id": i, "text": text})
        store.install_taxonomy(p, TAXONOMY)
        t = theme_ids(p)
        run = store.start_run(p, "test", {})
        store.save_results(p, run, [
            result(1, "coded", [(t["Waiting times"], 0.9, ["wait", "waiting list"])]),
            result(2, "uncertain", [(t["Travel to services"], 0.45, ["bus"]),
                                    (t["Waiting times"], 0.3, [])]),
            result(3, "coded", [(t["Online access"], 0.8, ["app"])], sentiment=2),
            result(4, "coded", [(t["Travel to services"], 0.7, ["parking"])]),
        ], topics=[{"label": "phone / answer / drive", "top_terms": ["phone", "answer"],
                    "top_phrases": ["phone_line"], "representative_ids": [5], "size": 1,
                    "suggested_portfolio_id": store.portfolios(p)[1]["id"], "covered": 0}])
        yield p


def theme_ids(project) -> dict[str, int]:
    return {t["name"]: t["id"] for t in store.themes(project)}


def result(cid, outcome, suggestions, sentiment=4):
    return store.CommentResult(cid, outcome, sentiment, 0.8, 0.5, suggestions, tokens="x y")


def state(project, cids):
    """Everything an officer action can change on these comments."""
    return {cid: (store.comment_codings(project, cid), store.comment_analysis(project, cid))
            for cid in cids}


def audit_rows(project, action):
    return [dict(r) for r in project._rows("SELECT * FROM audit WHERE action = ?", [action])]


# ----- rows the list shows ---------------------------------------------------------------------
def test_workbench_rows_follow_the_active_coding_rule(project):
    t = theme_ids(project)
    rows = workbench_store.workbench_rows(project, [1, 2, 5])
    assert [(c["theme"], c["active"]) for c in rows[1]["codings"]] == [("Waiting times", True)]
    assert rows[1]["codings"][0]["evidence"] == ["wait", "waiting list"]
    # an uncertain comment's suggestions do not count until accepted
    assert [c["active"] for c in rows[2]["codings"]] == [False, False]
    assert rows[5]["codings"] == [] and rows[5]["outcome"] is None
    store.set_coding_decision(project, [2], t["Waiting times"], "accepted")
    rows = workbench_store.workbench_rows(project, [2])
    assert rows[2]["codings"][0]["theme"] == "Waiting times"  # accepted first
    assert rows[2]["codings"][0]["active"] and rows[2]["reviewed"] == 1


def test_queue_and_review_counts(project):
    t = theme_ids(project)
    assert workbench_store.review_queue_count(project) == len(store.review_queue(project)) == 1
    assert workbench_store.reviewed_count(project) == 0
    store.set_coding_decision(project, [2], t["Travel to services"], "accepted")
    assert workbench_store.review_queue_count(project) == 0
    assert workbench_store.reviewed_count(project) == 1


def test_theme_sizes_agree_with_theme_counts(project):
    t = theme_ids(project)
    store.set_coding_decision(project, [3], t["Online access"], "rejected")
    store.set_coding_decision(project, [5], t["Online access"], "accepted")
    sizes = workbench_store.theme_sizes(project)
    for row in store.theme_counts(project):
        assert sizes.get(row["theme_id"], 0) == row["comments"]


# ----- undo and redo -----------------------------------------------------------------------------
def test_snapshot_undo_and_redo_a_bulk_coding_exactly(project):
    t = theme_ids(project)
    cids = [1, 2, 4]
    before = workbench_store.take_snapshot(project, comments=cids, themes_of_comments=[t["Travel to services"]])
    was = state(project, cids)
    store.set_coding_decision(project, cids, t["Travel to services"], "accepted")
    after = workbench_store.take_snapshot(project, comments=cids,
                                themes_of_comments=[t["Travel to services"]])
    now = state(project, cids)
    assert now != was

    changes = workbench_store.restore_snapshot(project, before, "undo code comment")
    assert changes.codings
    assert state(project, cids) == was
    undo_audit = audit_rows(project, "undo code comment")
    assert undo_audit and {r["user"] for r in undo_audit} == {"Sam Officer"}

    workbench_store.restore_snapshot(project, after, "redo code comment")
    assert state(project, cids) == now


def test_undo_removes_what_an_officer_created_on_a_comment_never_analysed(project):
    t = theme_ids(project)
    before = workbench_store.take_snapshot(project, comments=[5], themes_of_comments=[t["Online access"]])
    store.set_coding_decision(project, [5], t["Online access"], "accepted")
    store.set_key_quote(project, [5], True)
    workbench_store.restore_snapshot(project, before)
    assert store.comment_codings(project, 5) == []
    assert store.comment_analysis(project, 5) is None


def test_undo_sentiment_and_key_quote_restores_each_comments_own_value(project):
    store.set_officer_sentiment(project, [3], 1)
    before = workbench_store.take_snapshot(project, comments=[1, 3])
    store.set_officer_sentiment(project, [1, 3], 5)
    store.set_key_quote(project, [1, 3], True)
    changes = workbench_store.restore_snapshot(project, before)
    assert changes.sentiment
    assert store.comment_analysis(project, 1)["sentiment_officer"] is None
    assert store.comment_analysis(project, 3)["sentiment_officer"] == 1
    assert store.comment_analysis(project, 3)["key_quote"] == 0


def test_restoring_the_current_state_writes_nothing(project):
    snap = workbench_store.take_snapshot(project, comments=[1, 2], themes_of_comments=[1, 2])
    count = project.db.execute("SELECT count(*) FROM audit").fetchone()[0]
    assert not workbench_store.restore_snapshot(project, snap).any()
    assert project.db.execute("SELECT count(*) FROM audit").fetchone()[0] == count


def test_rename_and_move_are_undone_by_a_theme_snapshot(project):
    t = theme_ids(project)
    digital = store.portfolios(project)[1]["id"]
    before = workbench_store.take_snapshot(project, theme_ids=[t["Waiting times"]])
    store.update_theme(project, t["Waiting times"], name="Delays", portfolio_id=digital)
    workbench_store.restore_snapshot(project, before)
    restored = {th["id"]: th for th in store.themes(project)}[t["Waiting times"]]
    assert (restored["name"], restored["portfolio"]) == ("Waiting times", "One acute network")


# ----- split -------------------------------------------------------------------------------------
def test_split_moves_the_selected_comments_to_a_new_theme(project):
    t = theme_ids(project)
    travel = t["Travel to services"]
    store.set_coding_decision(project, [1], travel, "accepted")  # an officer's own coding
    new_id, changes = workbench_store.split_theme(project, travel, [1, 4, 3], "Car parking")
    assert changes.taxonomy and changes.codings
    new = {th["id"]: th for th in store.themes(project)}[new_id]
    assert (new["name"], new["portfolio"], new["origin"]) == (
        "Car parking", "One acute network", "officer")
    by_theme = {c["theme_id"]: c for c in store.comment_codings(project, 4)}
    assert by_theme[new_id]["decision"] == "accepted"
    assert by_theme[travel]["decision"] == "rejected"  # the model's row stays, rejected
    assert travel not in {c["theme_id"] for c in store.comment_codings(project, 1)}
    assert store.comment_codings(project, 3)[0]["theme"] == "Online access"  # untouched
    assert store.comment_analysis(project, 4)["reviewed"] == 1
    # a re-run neither brings the old theme back nor drops the new one
    run = store.start_run(project, "again", {})
    store.save_results(project, run, [result(4, "coded", [(travel, 0.8, ["parking"])])])
    by_theme = {c["theme_id"]: c for c in store.comment_codings(project, 4)}
    assert by_theme[travel]["decision"] == "rejected"
    assert by_theme[new_id]["decision"] == "accepted"


def test_split_is_undone_by_aligned_snapshots(project):
    travel = theme_ids(project)["Travel to services"]
    was = state(project, [2, 4])
    themes_before = store.themes(project)
    before = workbench_store.take_snapshot(project, comments=[2, 4], themes_of_comments=[travel])
    new_id, _ = workbench_store.split_theme(project, travel, [2, 4], "Buses")
    after = workbench_store.take_snapshot(project, comments=[2, 4], themes_of_comments=[travel, new_id],
                                theme_ids=[new_id])
    workbench_store.restore_snapshot(project, before.aligned(after))
    assert store.themes(project) == themes_before
    assert state(project, [2, 4]) == was
    workbench_store.restore_snapshot(project, after.aligned(before))  # redo keeps the same theme id
    assert any(th["id"] == new_id and th["name"] == "Buses" for th in store.themes(project))


@pytest.mark.parametrize("name, comments, message", [
    ("", [4], "needs a name"),
    ("Online access", [4], "already a theme"),
    ("Car parking", [3], "none of the selected comments"),
])
def test_split_refuses_what_cannot_be_done(project, name, comments, message):
    travel = theme_ids(project)["Travel to services"]
    with pytest.raises(EngageError, match=message):
        workbench_store.split_theme(project, travel, comments, name)


# ----- promote a topic -----------------------------------------------------------------------
def test_promote_topic_makes_a_theme_from_its_words(project):
    topic = store.latest_topics(project)[0]
    new_id, changes = workbench_store.promote_topic(project, topic["id"])
    assert changes.taxonomy and changes.topics
    theme = {th["id"]: th for th in store.themes(project)}[new_id]
    assert theme["name"] == "Phone, answer, drive"
    assert theme["portfolio"] == topic["suggested_portfolio"]
    assert theme["seed_terms"] == ["phone line", "phone", "answer"]
    assert theme["origin"] == "topic"
    assert workbench_store.topic(project, topic["id"])["promoted_theme_id"] == new_id
    assert store.comment_codings(project, 5) == []  # nothing coded without an officer reading
    with pytest.raises(EngageError, match="already the theme"):
        workbench_store.promote_topic(project, topic["id"])


def test_promote_with_officer_choices_and_undo(project):
    topic = store.latest_topics(project)[0]
    acute = store.portfolios(project)[0]["id"]
    before = workbench_store.take_snapshot(project, topic_ids=[topic["id"]])
    new_id, _ = workbench_store.promote_topic(project, topic["id"], name="Phone lines",
                                    portfolio_id=acute, seed_terms=["phone line"])
    theme = {th["id"]: th for th in store.themes(project)}[new_id]
    assert (theme["name"], theme["portfolio_id"], theme["seed_terms"]) == (
        "Phone lines", acute, ["phone line"])
    after = workbench_store.take_snapshot(project, topic_ids=[topic["id"]], theme_ids=[new_id])
    workbench_store.restore_snapshot(project, before.aligned(after))
    assert new_id not in {th["id"] for th in store.themes(project)}
    assert workbench_store.topic(project, topic["id"])["promoted_theme_id"] is None
    audit = audit_rows(project, "undo")
    assert any(json.loads(r["after"] or "{}").get("deleted") for r in audit)


# ----- evidence in the text ------------------------------------------------------------------
def matched(text, terms):
    return [(text[s.start:s.end], terms[s.term]) for s in evidence_spans(text, terms)]


def test_evidence_matches_simple_inflections_case_insensitively():
    text = "Waiting is bad; we WAITED and still wait. The waits go on."
    assert [m for m, _ in matched(text, ["wait"])] == ["Waiting", "WAITED", "wait", "waits"]


def test_evidence_matches_phrases_symbols_and_gaps():
    text = ("The waiting lists at A&E are long; nobody I can talk to. "
            "Travelling by buses, caring for Mum.")
    found = matched(text, ["waiting list", "a and e", "nobody to talk to", "travel", "bus",
                           "care"])
    assert found == [("waiting lists", "waiting list"), ("A&E", "a and e"),
                     ("nobody I can talk", "nobody to talk to"), ("Travelling", "travel"),
                     ("buses", "bus"), ("caring", "care")]


def test_evidence_does_not_match_look_alikes():
    assert matched("The car park was full and the bus late.", ["care", "a and e"]) == []
    assert stem("car") != stem("care") and stem("caring") == stem("care")


def test_evidence_spans_never_overlap_and_prefer_the_longer_match():
    spans = evidence_spans("the waiting list again", ["wait", "waiting list"])
    assert [(s.start, s.end, s.term) for s in spans] == [(4, 16, 1)]


# ----- agreement labels ----------------------------------------------------------------------
def test_reviewed_labels_match_the_reports_definition(project):
    from engage.reports.queries import reviewed_theme_labels

    t = theme_ids(project)
    store.set_coding_decision(project, [1], t["Waiting times"], "rejected")
    store.set_coding_decision(project, [2], t["Travel to services"], "accepted")
    store.set_coding_decision(project, [3, 5], t["Online access"], "accepted")
    model, officer = workbench_store.reviewed_labels(project)
    assert (model, officer) == reviewed_theme_labels(project)
    assert model[1] == {t["Waiting times"]} and officer[1] == set()
    assert officer[5] == {t["Online access"]} and model[5] == set()
