"""Kinds in the project: officers' kinds are kept, the chart rule (Python and SQL agree), and
"what people asked for / praised / complained about" per theme and per place."""

import itertools

import numpy as np
import pytest

from engage.analysis import kinds, store
from engage.nlp.kind import KINDS
from engage.nlp.sentiment import chart_level, three_level
from engage.project import Project

TAXONOMY = [{"name": "One acute network", "themes": [{"name": "Travel to services"},
                                                       {"name": "Maternity"}]}]
TEXTS = {  # comment id -> (text, respondent's place name)
    1: ("More buses to the hospital on Sundays.", "Purbeck"),
    2: ("The bus driver was rude and left me at the stop.", "Purbeck"),
    3: ("Having my baby close to home matters most to me.", "North Dorset"),
    4: ("The midwives were wonderful, thank you.", "North Dorset"),
    5: ("When will the birth centre reopen?", None),
}


@pytest.fixture
def project(tmp_path):
    with Project.create(tmp_path / "k.engage", user="ana") as p:
        places = {r["name"]: r["id"] for r in p.db["places"].rows}
        with p.transaction("seed"):
            cid = p.db["consultations"].insert({"name": "C", "created_at": "x"}).last_pk
            qid = p.db["questions"].insert({"consultation_id": cid, "label": "Q1"}).last_pk
            for i, (text, place) in TEXTS.items():
                p.db["respondents"].insert({"id": i, "consultation_id": cid,
                                            "external_id": f"R{i}",
                                            "place_id": places.get(place)})
                p.db["comments"].insert({"id": i, "consultation_id": cid, "question_id": qid,
                                         "respondent_id": i, "text": text})
        store.install_taxonomy(p, TAXONOMY)
        yield p


def theme_ids(project):
    return {t["name"]: t["id"] for t in store.themes(project)}


def analysed(project, sentiments=None):
    t = theme_ids(project)
    theme_of = {1: "Travel to services", 2: "Travel to services", 3: "Maternity",
                4: "Maternity", 5: "Maternity"}
    sentiments = sentiments or {1: 4, 2: 5, 3: 4, 4: 1, 5: 3}
    run = store.start_run(project, "test", {})
    store.save_results(project, run, [
        store.CommentResult(cid, "coded", sentiments[cid], 0.8, 0.5,
                            [(t[theme_of[cid]], 0.9, [])], tokens="x")
        for cid in TEXTS])
    return t


# ----- the chart rule ------------------------------------------------------------------------
def test_a_suggestion_counts_neutral_unless_an_officer_set_its_sentiment():
    assert chart_level(5, "suggestion") == "neutral"
    assert chart_level(5, "suggestion", officer_set=True) == "negative"
    assert chart_level(5, "complaint") == "negative"
    assert chart_level(1, "praise") == "positive"
    assert chart_level(4, None) == "negative"
    assert chart_level(None, "suggestion") is None
    assert list(three_level([5, 5, 1], kinds=["suggestion", "complaint", "suggestion"])) == [1, 2, 1]
    assert list(three_level([5], kinds=["suggestion"], officer_set=[True])) == [2]


def test_sql_chart_sentiment_applies_the_same_rule_as_chart_level(project):
    """Every combination of model sentiment, officer sentiment and kind, through SQL."""
    analysed(project)
    levels = {1: "positive", 2: "positive", 3: "neutral", 4: "negative", 5: "negative"}
    cases = list(itertools.product([None, 1, 3, 5], [None, 2, 4], [None, *KINDS]))
    for model_s, officer_s, kind in cases:
        project.db.execute("UPDATE comment_analysis SET sentiment = ?, sentiment_officer = ? "
                           "WHERE comment_id = 1", [model_s, officer_s])
        project.db.execute("UPDATE comments SET kind = ? WHERE id = 1", [kind])
        value = project.db.execute(
            f"SELECT {kinds.CHART_SENTIMENT} FROM comment_analysis a WHERE a.comment_id = 1"
        ).fetchone()[0]
        effective = officer_s if officer_s is not None else model_s
        expected = chart_level(effective, kind, officer_set=officer_s is not None)
        assert (levels.get(value) if value is not None else None) == expected, \
            (model_s, officer_s, kind, value)


def test_wishes_no_longer_make_a_consultation_look_unhappy(project):
    """Three of five comments read negative by the model; two of them are wishes."""
    analysed(project)
    kinds.save_model_kinds(project, [1, 2, 3, 4, 5],
                           ["suggestion", "complaint", "suggestion", "praise", "question"],
                           [0.9] * 5)
    plain, charted = project.db.execute(
        f"""SELECT sum({store.EFFECTIVE_SENTIMENT} IN (4, 5)), sum({kinds.CHART_SENTIMENT} IN (4, 5))
            FROM comment_analysis a""").fetchone()
    assert (plain, charted) == (3, 1)


# ----- storing kinds ---------------------------------------------------------------------------
def test_officer_kind_is_audited_and_survives_the_model(project):
    kinds.save_model_kinds(project, [1, 2], ["complaint", "complaint"], [0.6, 0.7])
    changes = kinds.set_kind(project, [1], "suggestion")
    assert changes.comments and changes.sentiment
    kinds.save_model_kinds(project, [1, 2], ["complaint", "praise"], [0.6, 0.7])
    rows = dict(project.db.execute("SELECT id, kind || '/' || kind_source FROM comments "
                                   "WHERE id IN (1, 2)").fetchall())
    assert rows == {1: "suggestion/officer", 2: "praise/model"}
    audit = project.db.execute("SELECT user, before, after FROM audit WHERE entity = 'kind'"
                               ).fetchall()
    assert len(audit) == 1 and audit[0][0] == "ana" and '"suggestion"' in audit[0][2]
    assert kinds.officer_kinds(project) == [(TEXTS[1][0], "suggestion")]


def test_clearing_an_officer_kind_hands_it_back_to_the_model(project):
    kinds.set_kind(project, [3], "praise")
    kinds.set_kind(project, [3], None)
    kinds.save_model_kinds(project, [3], ["suggestion"], [0.8])
    assert project.db.execute("SELECT kind, kind_source FROM comments WHERE id = 3"
                              ).fetchone() == ("suggestion", "model")


def test_unknown_kind_or_comment_changes_nothing(project):
    from engage.errors import EngageError

    with pytest.raises(EngageError):
        kinds.set_kind(project, [1], "rant")
    with pytest.raises(EngageError, match="No comment with id 99"):
        kinds.set_kind(project, [1, 99], "praise")
    assert project.db.execute("SELECT kind FROM comments WHERE id = 1").fetchone()[0] is None


def test_analyse_kinds_classifies_and_keeps_officer_kinds(project):
    kinds.set_kind(project, [5], "complaint")
    ids = list(TEXTS)
    kinds.analyse_kinds(project, ids, [TEXTS[i][0] for i in ids])
    got = dict(project.db.execute("SELECT id, kind FROM comments").fetchall())
    assert got[5] == "complaint"  # the officer's, not the model's 'question'
    assert got[1] == "suggestion" and got[3] == "suggestion" and got[4] == "praise"
    assert all(got[i] in KINDS for i in ids)


# ----- what people asked for / praised / complained about ------------------------------------
def test_kinds_by_theme_and_place(project):
    analysed(project)
    kinds.save_model_kinds(project, list(TEXTS),
                           ["suggestion", "complaint", "suggestion", "praise", "question"],
                           [0.9, 0.8, 0.7, 0.9, 0.9])
    by_theme = {r["theme"]: r for r in kinds.kinds_by_theme(project)}
    assert (by_theme["Travel to services"]["suggestion"],
            by_theme["Travel to services"]["complaint"]) == (1, 1)
    assert (by_theme["Maternity"]["comments"], by_theme["Maternity"]["suggestion"],
            by_theme["Maternity"]["praise"], by_theme["Maternity"]["question"]) == (3, 1, 1, 1)
    by_place = {r["place"]: r for r in kinds.kinds_by_place(project)}
    assert by_place["Purbeck"]["suggestion"] == 1 and by_place["Purbeck"]["complaint"] == 1
    assert by_place["North Dorset"]["praise"] == 1
    assert by_place["Poole Bay"]["comments"] == 0  # places not heard from are listed too
    assert by_place["(no place)"]["question"] == 1
    top = kinds.headline(kinds.kinds_by_theme(project))
    assert top["suggestion"] == [("Maternity", 1), ("Travel to services", 1)]
    asked = kinds.comments_of_kind(project, "suggestion", theme_id=theme_ids(project)["Maternity"])
    assert [c["comment_id"] for c in asked] == [3]
    assert kinds.kind_counts(project)["suggestion"] == 2
    assert sum(np.array(list(kinds.kind_counts(project).values()))) == len(TEXTS)


def test_report_roll_ups_count_a_suggestion_as_neutral(project):
    """Themes, the overall distribution and places in the report all use the chart rule."""
    from engage.reports import queries as q

    analysed(project)  # model sentiments 4, 5, 4, 1, 3
    kinds.save_model_kinds(project, list(TEXTS),
                           ["suggestion", "complaint", "suggestion", "praise", "question"],
                           [0.9] * 5)
    scope = q.ReportScope()
    themes = {r["theme"]: r for r in q.theme_rows(project, scope)}
    assert (themes["Travel to services"]["s3"], themes["Travel to services"]["s5"]) == (1, 1)
    assert (themes["Maternity"]["s3"], themes["Maternity"]["s4"]) == (2, 0)
    overall = q.sentiment_counts(project, scope)
    assert (overall[3], overall[4], overall[5]) == (3, 0, 1)
    places = {r["place"]: r for r in q.place_rows(project, scope)}
    assert (places["Purbeck"]["neutral"], places["Purbeck"]["negative"]) == (1, 1)
    assert places["North Dorset"]["negative"] == 0


def test_overview_theme_and_portfolio_sentiment_count_a_suggestion_as_neutral(project):
    from engage.analysis import explore

    analysed(project)
    kinds.save_model_kinds(project, list(TEXTS),
                           ["suggestion", "complaint", "suggestion", "praise", "question"],
                           [0.9] * 5)
    themes = {r["theme"]: r for r in explore.theme_counts(project)}
    assert (themes["Maternity"]["s3"], themes["Maternity"]["s4"]) == (2, 0)
    (portfolio,) = explore.portfolio_counts(project)
    assert (portfolio["s3"], portfolio["s4"], portfolio["s5"]) == (3, 0, 1)


def test_report_summary_says_what_people_asked_for_praised_and_complained_about(project):
    from engage.reports import queries as q
    from engage.reports.draft import draft_summary_text
    from engage.reports.summary import build_summary

    analysed(project)
    kinds.save_model_kinds(project, list(TEXTS),
                           ["suggestion", "complaint", "suggestion", "praise", "question"],
                           [0.9] * 5)
    summary = build_summary(project, q.ReportScope())
    maternity = next(t for t in summary.themes if t.name == "Maternity")
    assert maternity.kinds == {"suggestion": 1, "praise": 1, "complaint": 0}
    text = draft_summary_text(summary)
    assert ("people most often asked for Maternity (1), Travel to services (1); praised "
            "Maternity (1); complained about Travel to services (1).") in text


def test_coproduction_portfolio_terms_leave_seed_context_out(project):
    from engage.coproduction.portfolios import portfolio_seed_terms

    project.db.execute("UPDATE themes SET seed_terms = ? WHERE name = 'Maternity'",
                       ['["midwife", "birth (not near: date, certificate)"]'])
    terms = portfolio_seed_terms(project)["One acute network"]
    assert "birth" in terms and not any("not near" in t for t in terms)
