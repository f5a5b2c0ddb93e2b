"""The report data layer against a plain-Python reading of the same rules on the raw tables."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from engage.analysis import counting, store
from engage.reports import export_queries
from engage.reports import queries as q
from engage.reports.queries import ReportScope
from engage.reports.summary import build_summary
from tests.reports.conftest import comment_id


def raw(project, sql, params=()):
    return [dict(r) for r in project._rows(sql, list(params))]


def counting_reasons(project):
    """Why each comment of the project is not counted (None: counted), by the rule's words:
    no content; a repeat of the same respondent's earlier text; a campaign response after the
    first (a near-duplicate group from 10+ respondents, every text 12+ words)."""
    every = sorted(raw(project, "SELECT * FROM comments"), key=lambda c: c["id"])
    group_of = {a["comment_id"]: a["near_dup_group"]
                for a in raw(project, "SELECT * FROM comment_analysis")}
    members = defaultdict(list)
    for c in every:
        if c["substantive"] and group_of.get(c["id"]) is not None:
            members[(group_of[c["id"]], c["consultation_id"])].append(c)
    campaign_first = {key: min(m["id"] for m in group) for key, group in members.items()
                      if len({m["respondent_id"] for m in group}) >= 10
                      and min(len(m["text"].split()) for m in group) >= 12}
    reasons, seen = {}, set()
    for c in every:
        key = (group_of.get(c["id"]), c["consultation_id"])
        if not c["substantive"]:
            reasons[c["id"]] = "no_content"
        elif c["dup_key"] and (c["respondent_id"], c["dup_key"]) in seen:
            reasons[c["id"]] = "repeat"
        elif key in campaign_first and campaign_first[key] != c["id"]:
            reasons[c["id"]] = "campaign"
        else:
            reasons[c["id"]] = None
        if c["substantive"] and c["dup_key"]:
            seen.add((c["respondent_id"], c["dup_key"]))
    return reasons


def brute_force(project, respondent_ok=lambda r: True, question_id=None):
    """Counted comments and their active themes, computed row by row without the queries."""
    respondents = {r["id"]: r for r in raw(project, "SELECT * FROM respondents")
                   if respondent_ok(r)}
    if question_id is not None:
        answered = {c["respondent_id"] for c in raw(project, "SELECT * FROM comments")
                    if c["question_id"] == question_id}
        respondents = {k: v for k, v in respondents.items() if k in answered}
    analysis = {a["comment_id"]: a for a in raw(project, "SELECT * FROM comment_analysis")}
    comments = sorted((c for c in raw(project, "SELECT * FROM comments")
                       if c["respondent_id"] in respondents
                       and (question_id is None or c["question_id"] == question_id)),
                      key=lambda c: c["id"])
    reasons = counting_reasons(project)
    counted = [c for c in comments if reasons[c["id"]] is None]
    themes = defaultdict(set)
    for coding in raw(project, "SELECT * FROM codings"):
        outcome = analysis.get(coding["comment_id"], {}).get("outcome")
        on = coding["decision"] == "accepted" or (
            coding["decision"] is None and coding["source"] == "model" and outcome == "coded")
        if on:
            themes[coding["comment_id"]].add(coding["theme_id"])
    return respondents, comments, reasons, counted, themes, analysis


@pytest.fixture(scope="module")
def project(shared_project):
    return shared_project


def test_headline_counts_match_the_rules_and_the_known_story(project):
    counts = q.headline_counts(project, ReportScope())
    respondents, comments, reasons, counted, themes, analysis = brute_force(project)
    assert counts["respondents"] == len(respondents) == 15
    assert counts["comments"] == len(comments) == 22
    by_reason = Counter(reasons[c["id"]] for c in comments)
    # three placeholders; R09 writes R01's words and R10-R12 share a text, but they are
    # different people and three is no campaign, so every one of them counts
    assert (counts["no_content"], counts["repeats"], counts["campaign"]) == (
        by_reason["no_content"], by_reason["repeat"], by_reason["campaign"]) == (3, 0, 0)
    assert counts["counted"] == len(counted) == 19
    assert counts["coded"] == sum(1 for c in counted if themes[c["id"]])
    assert counts["reviewed"] == sum(1 for a in analysis.values() if a["reviewed"]) == 3
    assert counts["masked_comments"] == 1
    assert q.masked_kinds(project, ReportScope()) == {"email": 1}


def test_theme_rows_count_counted_comments_with_active_themes(project):
    _r, _c, _reasons, counted, themes, analysis = brute_force(project)
    expected = Counter(t for c in counted for t in themes[c["id"]])
    respondents = defaultdict(set)
    for c in counted:
        for t in themes[c["id"]]:
            respondents[t].add(c["respondent_id"])
    rows = q.theme_rows(project, ReportScope())
    assert {r["theme_id"]: r["comments"] for r in rows} == {
        t["id"]: expected.get(t["id"], 0) for t in store.themes(project)}
    assert {r["theme_id"]: r["respondents"] for r in rows} == {
        t["id"]: len(respondents[t["id"]]) for t in store.themes(project)}
    for r in rows:
        sentiments = Counter(
            analysis[c["id"]]["sentiment_officer"] or analysis[c["id"]]["sentiment"]
            for c in counted if r["theme_id"] in themes[c["id"]])
        assert [r[f"s{level}"] for level in range(1, 6)] == [sentiments[level]
                                                             for level in range(1, 6)]


def test_officer_decisions_are_what_counts(project):
    rows = {r["theme"]: r for r in q.theme_rows(project, ReportScope())}
    # R08's waiting-list comment: the model said Waiting times, the officer said Online booking
    cid = comment_id(project, "Please email")
    active = {c["theme_id"] for c in export_queries.active_codings(project, ReportScope())[cid]}
    ids = {t["name"]: t["id"] for t in store.themes(project)}
    assert active == {ids["Online booking"]}
    # the =HYPERLINK comment was uncertain; it counts only because the officer accepted it
    assert ids["Online booking"] in {
        c["theme_id"] for c in export_queries.active_codings(project, ReportScope())[
            comment_id(project, "=HYPERLINK")]}
    # an uncertain suggestion nobody decided on does not count
    unsure = comment_id(project, "I am not sure")
    assert unsure not in export_queries.active_codings(project, ReportScope())
    assert [c["theme_id"] for c in store.comment_codings(project, unsure)] == [
        ids["Online booking"]]
    assert rows["Online booking"]["comments"] >= 2


@pytest.mark.parametrize("place, expected_respondents", [
    ("Weymouth & Portland", {"R01", "R03", "R08"}),
    ("Dorset Council", {"R01", "R03", "R08", "R04", "R09"}),
    ("Dorset ICS", {"R01", "R02", "R03", "R04", "R05", "R07", "R08", "R09", "R10", "R11",
                    "R12", "R13", "R15"}),
])
def test_place_scope_includes_every_place_inside(project, place, expected_respondents):
    place_id = next(p["id"] for p in project.places() if p["name"] == place)
    scope = ReportScope(place_id=place_id)
    inside = _descendants(project, place_id)
    respondents, _c, _r, counted, _t, _a = brute_force(
        project, lambda r: r["place_id"] in inside)
    assert {r["external_id"] for r in respondents.values()} == expected_respondents
    counts = q.headline_counts(project, scope)
    assert counts["respondents"] == len(expected_respondents)
    assert counts["counted"] == len(counted)


def _descendants(project, place_id):
    places = project.places()
    found = {place_id}
    while True:
        more = {p["id"] for p in places if p["parent_id"] in found or p["partnership_id"] in found}
        if more <= found:
            return found
        found |= more


def test_the_same_words_from_two_people_count_for_both(project):
    # R09 writes R01's words; R09 is in Purbeck, R01 in Weymouth & Portland
    text = "Waiting six weeks for a GP appointment is far too long for someone my age"
    rows = raw(project, "SELECT id FROM comments WHERE text = ?", [text])
    assert len(rows) == 2
    statuses = dict(project.db.execute(
        f"SELECT m.id, {counting.status_sql('m')} FROM comments m").fetchall())
    assert [statuses[r["id"]] for r in rows] == [None, None]
    places = {p["name"]: p["id"] for p in project.places()}
    parts = sum(q.headline_counts(project, ReportScope(place_id=places[name]))["counted"]
                for name in ("Dorset Council", "Bournemouth, Christchurch and Poole"))
    # which comments count never depends on the scope, so the parts add up to the whole
    unplaced = next(p["comments"] for p in q.place_rows(project, ReportScope())
                    if p["place_id"] is None)
    assert parts + unplaced == q.headline_counts(project, ReportScope())["counted"]


def test_question_and_group_scopes(project):
    q2 = next(x["id"] for x in project.questions() if x["label"].startswith("Anything"))
    respondents, comments, _r, counted, _t, _a = brute_force(project, question_id=q2)
    counts = q.headline_counts(project, ReportScope(question_id=q2))
    assert (counts["respondents"], counts["comments"], counts["counted"]) == (
        len(respondents), len(comments), len(counted))
    carers = ReportScope(attributes=(("carer", "Yes"),))
    assert q.headline_counts(project, carers)["respondents"] == 4
    ward = ReportScope(attributes=(("Ward", "Rodwell"),))
    assert q.headline_counts(project, ward)["respondents"] == 1


def test_places_keep_respondents_without_a_place(project):
    rows = q.place_rows(project, ReportScope())
    assert sum(r["respondents"] for r in rows) == 15
    unplaced = [r for r in rows if r["place_id"] is None]
    assert unplaced and unplaced[0]["place"] == q.NO_PLACE and unplaced[0]["respondents"] == 2


def test_profile_counts_cover_every_respondent(project):
    for attribute, _label in q.PROFILE_ATTRIBUTES:
        rows = q.profile_counts(project, ReportScope(), attribute)
        assert sum(n for _v, n in rows) == 15
    sex = dict(q.profile_counts(project, ReportScope(), "sex"))
    assert sex == {"Female": 7, "Male": 6, q.NOT_STATED: 2}


def test_reviewed_labels_and_agreement(project):
    model, officer = q.reviewed_theme_labels(project)
    ids = {t["name"]: t["id"] for t in store.themes(project)}
    email = comment_id(project, "Please email")
    assert model[email] == {ids["Waiting times"]}
    assert officer[email] == {ids["Online booking"]}
    summary = build_summary(project)
    waiting = summary.agreement.themes.for_theme(ids["Waiting times"])
    assert (waiting.true_pos, waiting.false_pos) == (1, 1)  # R01 confirmed, R08 rejected


def test_quotes_put_key_quotes_first_and_never_repeat_a_campaign(project):
    summary = build_summary(project)
    carer = next(t for t in summary.themes if t.name == "Carer support")
    quotes = summary.quotes[carer.theme_id]
    assert quotes[0].key_quote and quotes[0].text.startswith("As a carer")
    for theme_quotes in summary.quotes.values():
        ids = [quote.comment_id for quote in theme_quotes]
        assert len(ids) == len(set(ids))


def test_coproduction_adapter_says_when_the_register_is_missing(project, tmp_path):
    assert q.coproduction_available(project)
    from tests.reports.conftest import build

    other = build(tmp_path)
    other.db.execute("DROP TABLE action_activities")
    assert not q.coproduction_available(other)
    assert q.activities_in_scope(other, ReportScope()) == []
    summary = build_summary(other)
    assert not summary.coproduction.available
    other.close()


def test_age_bands_read_youngest_first(project):
    bands = [value for value, _n in q.profile_counts(project, ReportScope(), "age_band")]
    assert bands == ["18-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+",
                     q.NOT_STATED]


def test_word_clouds_leave_out_every_negation_the_analysis_keeps():
    from engage.nlp.text import NEGATIONS
    from engage.reports.summary import CLOUD_LEAVE_OUT

    assert NEGATIONS <= CLOUD_LEAVE_OUT


def test_a_comment_illustrates_one_theme_unless_an_officer_made_it_key(project):
    summary = build_summary(project)
    seen = Counter(quote.comment_id for quotes in summary.quotes.values() for quote in quotes
                   if not quote.key_quote)
    assert seen and max(seen.values()) == 1


def test_word_clouds_spell_acronyms_and_phrases():
    from engage.reports.summary import _top_words

    words = _top_words(Counter({"gp": 5, "a_and_e": 4, "waiting_list": 3, "not": 9, "2024": 8}),
                       10)
    assert words == {"GP": 5, "A&E": 4, "waiting list": 3}
