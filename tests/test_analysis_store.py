"""Analysis store: the officer's decisions survive re-runs; undo restores exactly."""

import pytest

from engage.analysis import store
from engage.project import Project

TAXONOMY = [
    {"name": "Digital", "themes": [{"name": "Online access", "seed_terms": ["app"]}]},
    {"name": "One acute network", "themes": [{"name": "Waiting times"},
                                             {"name": "Travel to services"}]},
]


@pytest.fixture
def project(tmp_path):
    with Project.create(tmp_path / "a.engage", user="ana") as p:
        with p.transaction("seed") as _tx:
            cid = p.db["consultations"].insert({"name": "C", "created_at": "x"}).last_pk
            qid = p.db["questions"].insert({"consultation_id": cid, "label": "Q1"}).last_pk
            for i in range(1, 4):
                p.db["respondents"].insert({"id": i, "consultation_id": cid,
                                            "external_id": f"R{i}"})
                p.db["comments"].insert({"id": i, "consultation_id": cid, "question_id": qid,
                                         "respondent_id": i, "text": f"comment {i}"})
        store.install_taxonomy(p, TAXONOMY)
        yield p


def ids(project):
    return {t["name"]: t["id"] for t in store.themes(project)}


def result(cid, outcome, suggestions, sentiment=4):
    return store.CommentResult(cid, outcome, sentiment, 0.8, 0.5, suggestions, tokens="a b")


def test_install_taxonomy_is_idempotent_and_ordered(project):
    store.install_taxonomy(project, TAXONOMY)
    assert [t["name"] for t in store.themes(project)] == [
        "Online access", "Waiting times", "Travel to services"]
    assert [p["name"] for p in store.portfolios(project)] == ["Digital", "One acute network"]


def test_rerun_keeps_officer_decisions_and_replaces_model_suggestions(project):
    t = ids(project)
    run = store.start_run(project, "v1", {})
    store.save_results(project, run, [
        result(1, "coded", [(t["Waiting times"], 0.9, ["wait"])]),
        result(2, "uncertain", [(t["Online access"], 0.5, ["app"])]),
    ])
    store.set_coding_decision(project, [1], t["Waiting times"], "rejected")
    store.set_coding_decision(project, [1], t["Travel to services"], "accepted")
    run2 = store.start_run(project, "v2", {})
    store.save_results(project, run2, [
        result(1, "coded", [(t["Waiting times"], 0.95, ["wait"]), (t["Online access"], 0.7, [])]),
        result(2, "no_theme", []),
    ])
    by_theme = {c["theme"]: c for c in store.comment_codings(project, 1)}
    assert by_theme["Waiting times"]["decision"] == "rejected"
    assert by_theme["Travel to services"]["decision"] == "accepted"
    assert by_theme["Online access"]["decision"] is None
    assert store.comment_codings(project, 2) == []


def test_theme_counts_follow_decisions_and_confident_suggestions(project):
    t = ids(project)
    run = store.start_run(project, "v1", {})
    store.save_results(project, run, [
        result(1, "coded", [(t["Waiting times"], 0.9, [])], sentiment=5),
        result(2, "uncertain", [(t["Waiting times"], 0.5, [])]),
        result(3, "coded", [(t["Waiting times"], 0.9, [])], sentiment=2),
    ])
    store.set_officer_sentiment(project, [3], 1)
    counts = {c["theme"]: c for c in store.theme_counts(project)}
    assert counts["Waiting times"]["comments"] == 2  # the uncertain one is not counted
    assert (counts["Waiting times"]["s5"], counts["Waiting times"]["s1"]) == (1, 1)
    store.set_coding_decision(project, [2], t["Waiting times"], "accepted")
    counts = {c["theme"]: c for c in store.theme_counts(project)}
    assert counts["Waiting times"]["comments"] == 3
    assert store.review_queue(project) == []  # comment 2 was reviewed


def test_undo_by_restoring_before_state_from_audit(project):
    t = ids(project)
    before = store.coding_state(project, 1, t["Online access"])
    store.set_coding_decision(project, [1], t["Online access"], "accepted")
    assert store.coding_state(project, 1, t["Online access"])["decision"] == "accepted"
    store.restore_coding(project, 1, t["Online access"], before)
    assert store.coding_state(project, 1, t["Online access"]) is None
    assert project.audit_log()[0]["action"] == "code comment"


def test_merge_moves_codings(project):
    t = ids(project)
    store.set_coding_decision(project, [1, 2], t["Travel to services"], "accepted")
    store.merge_themes(project, t["Travel to services"], t["Waiting times"])
    assert "Travel to services" not in ids(project)
    assert {c["theme"] for c in store.comment_codings(project, 2)} == {"Waiting times"}


def test_browse_filters_agree_with_theme_counts(project):
    """The comments behind a number are exactly the ones the number counts."""
    from engage.browse import CommentFilter, count_comments, fetch_comments

    t = ids(project)
    run = store.start_run(project, "v1", {})
    store.save_results(project, run, [
        result(1, "coded", [(t["Waiting times"], 0.9, [])], sentiment=5),
        result(2, "uncertain", [(t["Waiting times"], 0.4, [])], sentiment=2),
        result(3, "coded", [(t["Online access"], 0.8, [])], sentiment=2),
    ])
    store.set_coding_decision(project, [3], t["Online access"], "rejected")
    counts = {c["theme"]: c["comments"] for c in store.theme_counts(project)}
    for name, theme in t.items():
        assert count_comments(project, CommentFilter(theme_id=theme)) == counts[name]
    assert count_comments(project, CommentFilter(sentiment=(1, 2))) == 2
    assert count_comments(project, CommentFilter(outcome="uncertain")) == 1
    assert count_comments(project, CommentFilter(word="b")) == 3
    rows = fetch_comments(project, CommentFilter(theme_id=t["Waiting times"], sentiment=(5,)), 0, 10)
    assert [r.id for r in rows] == [1]
