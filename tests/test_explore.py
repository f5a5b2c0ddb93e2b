"""Workbench figures (engage.analysis.explore) against counts worked out here by hand.

The project is built through the analysis store (taxonomy, a model run, officer decisions) from
a table in this file; every expectation is computed from that table in plain Python, never by
asking the database the same question twice.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import pytest

from engage.analysis import explore, place_rows, store
from engage.browse import CommentFilter, count_comments
from engage.project import Project

TAXONOMY = [
    {"name": "Prevention at scale", "themes": [{"name": "Healthy lifestyles"},
                                               {"name": "Loneliness"}]},
    {"name": "One acute network", "themes": [{"name": "Hospital parking"},
                                             {"name": "Waiting for operations"}]},
    {"name": "Digital", "themes": [{"name": "Online booking"}]},
]
SPRING, AUTUMN = "Spring listening", "Autumn listening"

# respondent: (consultation, place, age band, respondent date)
RESPONDENTS = {
    "R1": (SPRING, "Purbeck", "18-24", "2020-01-15"),
    "R2": (SPRING, "Purbeck", "75+", "2020-01-20"),
    "R3": (SPRING, "Poole Bay", "18-24", "2020-03-02"),
    "R4": (SPRING, "Dorset Council", "75+", "2020-03-09"),
    "R5": (SPRING, None, "45-54", None),
    "R6": (AUTUMN, "Poole Bay", "18-24", "2020-10-01"),
}


@dataclass
class Spec:
    key: str
    respondent: str
    question: str
    text: str
    date: str | None
    outcome: str | None            # None: not substantive, never analysed
    sentiment: int | None
    themes: tuple[str, ...] = ()   # the model's suggestions
    tokens: str = ""


COMMENTS = [
    Spec("c1", "R1", "Q1", "The car park by the hospital is always full before nine", None,
         "coded", 4, ("Hospital parking",), "car_park hospital full not"),
    Spec("c2", "R1", "Q2", "Walking groups in the village keep me going", "2020-01-16",
         "coded", 1, ("Healthy lifestyles",), "walking_group village keep go"),
    Spec("c3", "R2", "Q1", "Nobody visits since my wife died and the days feel long",
         "2020-01-21", "coded", 5, ("Loneliness", "Healthy lifestyles"),
         "visit wife die day feel long nobody"),
    Spec("c4", "R2", "Q2", "n/a", "2020-01-21", None, None),
    Spec("c5", "R3", "Q1", "Eleven months for my hip, and the car park fees on top",
         "2020-03-03", "coded", 5, ("Waiting for operations", "Hospital parking"),
         "month hip car_park fee 11"),
    Spec("c6", "R3", "Q2", "The app lets me book the nurse in a minute", "2020-03-04",
         "uncertain", 2, ("Online booking",), "app book nurse minute"),
    Spec("c7", "R4", "Q1", "Parking is fine, the wait for surgery is not", "2020-03-10",
         "coded", 3, ("Hospital parking", "Waiting for operations"),
         "parking fine wait surgery not"),
    Spec("c8", "R5", "Q1", "More exercise classes for older people please", None, "coded", 2,
         ("Healthy lifestyles",), "exercise class old people"),
    Spec("c9", "R6", "Q1", "Hospital parking at Poole is a nightmare", "2020-10-02", "coded",
         5, ("Hospital parking",), "hospital parking poole nightmare"),
    Spec("c10", "R6", "Q2", "The clinic letter came quickly", "2020-10-03", "no_theme", 2,
         (), "clinic letter come quickly"),
]
# Officer decisions after the run: (comment, theme, decision); officer sentiments.
DECISIONS = [("c6", "Online booking", "accepted"), ("c7", "Hospital parking", "rejected"),
             ("c10", "Loneliness", "accepted")]
OFFICER_SENTIMENT = {"c7": 4}


def generated() -> tuple[dict, list[Spec]]:
    """Two age groups of 40 in February: loneliness far commoner among the older group,
    healthy lifestyles equally common, hospital parking too rare to test."""
    respondents, comments = {}, []
    for group, place, lonely in (("18-24", "Purbeck", 5), ("75+", "Poole Bay", 25)):
        for i in range(40):
            key = f"G{group}-{i}"
            respondents[key] = (SPRING, place, group, "2020-02-10")
            themes = []
            if i < lonely:
                themes.append("Loneliness")
            if i % 2 == 0:
                themes.append("Healthy lifestyles")
            if (group == "18-24" and i == 39) or (group == "75+" and i in (38, 39)):
                themes.append("Hospital parking")
            words = ["survey", "answer"] + (["alone"] if "Loneliness" in themes else [])
            comments.append(Spec(f"g-{key}", key, "Q1", f"Answer number {i} from a {group} "
                                 f"respondent", "2020-02-11", "coded", 3 + (i % 3) - 1,
                                 tuple(themes), " ".join(words)))
    return respondents, comments


@dataclass
class Built:
    project: Project
    comment_ids: dict[str, int]
    respondent_ids: dict[str, int]
    respondents: dict[str, tuple]
    comments: list[Spec]
    consultations: dict[str, int]
    themes: dict[str, int]
    portfolios: dict[str, int]
    places: dict[str, int]

    # ----- the independent computation ---------------------------------------------------
    def active(self, spec: Spec) -> set[str]:
        """Themes on for a comment: confident model suggestions not rejected, plus accepted."""
        on = set(spec.themes) if spec.outcome == "coded" else set()
        for key, theme, decision in DECISIONS:
            if key == spec.key:
                (on.add if decision == "accepted" else on.discard)(theme)
        return on

    def sentiment(self, spec: Spec) -> int | None:
        return OFFICER_SENTIMENT.get(spec.key, spec.sentiment)

    def portfolio_of(self, theme: str) -> str:
        return next(p["name"] for p in TAXONOMY for t in p["themes"] if t["name"] == theme)

    def in_consultation(self, spec: Spec, consultation: str | None) -> bool:
        return consultation is None or self.respondents[spec.respondent][0] == consultation

    def month(self, spec: Spec) -> str | None:
        date = spec.date or self.respondents[spec.respondent][3]
        return date[:7] if date else None


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    path = tmp_path_factory.mktemp("explore") / "explore.engage"
    extra_respondents, extra_comments = generated()
    respondents = {**RESPONDENTS, **extra_respondents}
    comments = COMMENTS + extra_comments
    project = Project.create(path, user="officer")
    places = {p["name"]: p["id"] for p in project.places()}
    db = project.db
    with project.transaction("seed"):
        consultations = {name: db["consultations"].insert(
            {"name": name, "created_at": "2020-01-01"}).last_pk for name in (SPRING, AUTUMN)}
        questions = {(c, q): db["questions"].insert(
            {"consultation_id": cid, "label": q, "text": q, "position": i}).last_pk
            for c, cid in consultations.items() for i, q in enumerate(("Q1", "Q2"))}
        respondent_ids = {key: db["respondents"].insert(
            {"consultation_id": consultations[c], "external_id": key,
             "place_id": places.get(place), "age_band": age, "date": date}).last_pk
            for key, (c, place, age, date) in respondents.items()}
        comment_ids = {}
        for spec in comments:
            consultation = respondents[spec.respondent][0]
            comment_ids[spec.key] = db["comments"].insert({
                "consultation_id": consultations[consultation],
                "question_id": questions[(consultation, spec.question)],
                "respondent_id": respondent_ids[spec.respondent], "text": spec.text,
                "date": spec.date, "substantive": int(spec.outcome is not None)}).last_pk
    store.install_taxonomy(project, TAXONOMY)
    themes = {t["name"]: t["id"] for t in store.themes(project)}
    run = store.start_run(project, "test", {})
    store.save_results(project, run, [
        store.CommentResult(comment_ids[s.key], s.outcome, s.sentiment, 0.9, 0.1,
                            [(themes[t], 0.8, []) for t in s.themes], tokens=s.tokens)
        for s in comments if s.outcome is not None])
    for key, theme, decision in DECISIONS:
        store.set_coding_decision(project, [comment_ids[key]], themes[theme], decision)
    for key, level in OFFICER_SENTIMENT.items():
        store.set_officer_sentiment(project, [comment_ids[key]], level)
    yield Built(project, comment_ids, respondent_ids, respondents, comments, consultations,
                themes, {p["name"]: p["id"] for p in store.portfolios(project)}, places)
    project.close()


CONSULTATIONS = [None, SPRING, AUTUMN]


def consultation_id(built: Built, name: str | None) -> int | None:
    return None if name is None else built.consultations[name]


# ----- overview ------------------------------------------------------------------------------
@pytest.mark.parametrize("consultation", CONSULTATIONS)
def test_theme_counts_equal_the_store_and_the_hand_count(built, consultation):
    cid = consultation_id(built, consultation)
    rows = explore.theme_counts(built.project, cid)
    ours = [(r["theme_id"], r["comments"], r["respondents"]) for r in rows]
    assert ours == [(r["theme_id"], r["comments"], r["respondents"])
                    for r in store.theme_counts(built.project, cid)]
    for row in rows:
        having = [s for s in built.comments if built.in_consultation(s, consultation)
                  and row["theme"] in built.active(s)]
        assert row["comments"] == len(having)
        assert row["respondents"] == len({s.respondent for s in having})
        levels = Counter(built.sentiment(s) for s in having)
        assert [row[f"s{level}"] for level in range(1, 6)] == [levels[level]
                                                              for level in range(1, 6)]
        assert row["comments"] == count_comments(
            built.project, CommentFilter(consultation_id=cid, theme_id=row["theme_id"]))


@pytest.mark.parametrize("consultation", CONSULTATIONS)
def test_portfolio_counts_count_each_comment_once(built, consultation):
    rows = explore.portfolio_counts(built.project, consultation_id(built, consultation))
    assert [r["portfolio"] for r in rows] == [p["name"] for p in TAXONOMY]
    for row in rows:
        having = [s for s in built.comments if built.in_consultation(s, consultation)
                  and any(built.portfolio_of(t) == row["portfolio"] for t in built.active(s))]
        assert row["comments"] == len(having)
        assert row["respondents"] == len({s.respondent for s in having})
        levels = Counter(built.sentiment(s) for s in having)
        assert row["s5"] == levels[5] and row["s1"] == levels[1]
    digital = next(r for r in rows if r["portfolio"] == "Digital")
    assert digital["comments"] == (1 if consultation in (None, SPRING) else 0)  # accepted c6


@pytest.mark.parametrize("consultation", CONSULTATIONS)
def test_base_counts_respondents_with_a_substantive_comment(built, consultation):
    base = explore.base_counts(built.project, consultation_id(built, consultation))
    substantive = [s for s in built.comments
                   if built.in_consultation(s, consultation) and s.outcome is not None]
    assert base.comments == len(substantive)
    assert base.respondents == len({s.respondent for s in substantive})


def test_overview_bundles_the_figures(built):
    cid = built.consultations[SPRING]
    overview = explore.overview(built.project, cid)
    assert overview.themes == explore.theme_counts(built.project, cid)
    assert overview.outcomes == store.outcome_counts(built.project, cid)
    assert overview.base == explore.base_counts(built.project, cid)


# ----- over time -----------------------------------------------------------------------------
def test_months_run_without_gaps_and_undated_comments_are_kept_apart(built):
    timeline = explore.monthly_counts(built.project, None, by="theme")
    dated = sorted({built.month(s) for s in built.comments if built.active(s)} - {None})
    assert timeline.months == explore.month_range(dated)
    assert len(timeline.months) == 10  # January to October 2020, empty months included
    for theme, theme_id in built.themes.items():
        expected = Counter(built.month(s) for s in built.comments if theme in built.active(s))
        assert timeline.series(theme_id) == [expected[m] for m in timeline.months]
        assert timeline.undated.get(theme_id, 0) == expected[None]
    assert timeline.undated == {built.themes["Healthy lifestyles"]: 1}  # c8: no date at all


def test_monthly_counts_by_portfolio_count_a_comment_once(built):
    cid = built.consultations[SPRING]
    timeline = explore.monthly_counts(built.project, cid, by="portfolio")
    assert timeline.months == ["2020-01", "2020-02", "2020-03"]
    for portfolio, portfolio_id in built.portfolios.items():
        expected = Counter(built.month(s) for s in built.comments
                           if built.in_consultation(s, SPRING)
                           and portfolio in {built.portfolio_of(t) for t in built.active(s)})
        assert timeline.series(portfolio_id) == [expected[m] for m in timeline.months]
    with pytest.raises(ValueError):
        explore.monthly_counts(built.project, cid, by="place")


def test_month_range_and_labels():
    assert explore.month_range(["2019-11", "2020-02"]) == ["2019-11", "2019-12", "2020-01",
                                                           "2020-02"]
    assert explore.month_range([]) == []
    assert explore.month_label("2013-03") == "Mar 2013"


@pytest.mark.parametrize("by", ["theme", "portfolio"])
def test_month_comment_ids_are_the_bars_comments(built, by):
    cid = built.consultations[SPRING]
    timeline = explore.monthly_counts(built.project, cid, by=by)
    keys = built.themes if by == "theme" else built.portfolios
    for key_id in keys.values():
        for month, count in zip(timeline.months, timeline.series(key_id), strict=True):
            ids = explore.month_comment_ids(built.project, by, key_id, month, cid)
            assert len(ids) == count
            named = {key for key, value in built.comment_ids.items() if value in ids}
            assert all(built.month(s) == month for s in built.comments if s.key in named)
    parking = explore.month_comment_ids(built.project, "theme", built.themes["Hospital parking"],
                                        "2020-01")
    assert parking == (built.comment_ids["c1"],)  # dated by its respondent
    with pytest.raises(ValueError):
        explore.month_comment_ids(built.project, "place", 1, "2020-01")


def test_place_comment_ids_are_the_cells_comments(built):
    cid = built.consultations[SPRING]
    table = explore.place_portfolio_table(built.project, cid)
    for row in table.rows:
        for portfolio in table.portfolios:
            ids = explore.place_comment_ids(built.project, row.place_id, portfolio["id"], cid)
            assert len(ids) == row.count(portfolio["id"], "comments")
        assert len(explore.place_comment_ids(built.project, row.place_id, None, cid)) == \
            row.comments
    assert explore.place_comment_ids(built.project, None) == (built.comment_ids["c8"],)
    council = built.places["Dorset Council"]
    assert explore.place_comment_ids(built.project, council) == (built.comment_ids["c7"],)
    within = count_comments(built.project, CommentFilter(place_id=council))
    assert within > 1  # the comment filter takes in the council's localities too


# ----- places × portfolios -------------------------------------------------------------------
def test_place_portfolio_table_against_the_hand_count(built):
    table = explore.place_portfolio_table(built.project, built.consultations[SPRING])
    names = [row.name for row in table.rows]
    localities = [p["name"] for p in built.project.places("locality")]
    assert names[:len(localities)] == localities
    assert names[len(localities):] == ["Dorset Council", place_rows.NO_PLACE]
    assert [p["name"] for p in table.portfolios] == [p["name"] for p in TAXONOMY]
    for row in table.rows:
        here = [s for s in built.comments if built.in_consultation(s, SPRING)
                and s.outcome is not None and built.respondents[s.respondent][1] ==
                (None if row.place_id is None else row.name)]
        assert row.comments == len(here)
        assert row.respondents == len({s.respondent for s in here})
        for portfolio in table.portfolios:
            having = [s for s in here if portfolio["name"] in
                      {built.portfolio_of(t) for t in built.active(s)}]
            respondents = len({s.respondent for s in having})
            assert row.count(portfolio["id"], "comments") == len(having)
            assert row.count(portfolio["id"], "respondents") == respondents
            assert row.share(portfolio["id"]) == pytest.approx(
                respondents / row.respondents if row.respondents else 0.0)
    assert all(row.within is None for row in table.rows)  # no PCN or ward in this project
    poole_north = next(row for row in table.rows if row.name == "Poole North")
    assert poole_north.respondents == 0 and poole_north.share(built.portfolios["Digital"]) == 0


# ----- two groups ------------------------------------------------------------------------------
def test_two_proportion_test_matches_a_chi_square_without_correction():
    from scipy.stats import chi2_contingency

    z, p = explore.two_proportion_test(30, 100, 50, 100)
    chi2, p_chi, _dof, _expected = chi2_contingency([[30, 70], [50, 50]], correction=False)
    assert z == pytest.approx(-math.sqrt(chi2))
    assert p == pytest.approx(p_chi)
    assert explore.two_proportion_test(1, 40, 2, 40) is None   # expected 1.5 with the theme
    assert explore.two_proportion_test(0, 0, 5, 10) is None


def test_compare_age_bands(built):
    cid = built.consultations[SPRING]
    young = CommentFilter(consultation_id=cid, attributes=(("age_band", "18-24"),))
    old = CommentFilter(consultation_id=cid, attributes=(("age_band", "75+"),))
    comparison = explore.compare_groups(built.project, young, old, alpha=0.05)

    def group(age):
        return [s for s in built.comments if built.in_consultation(s, SPRING)
                and built.respondents[s.respondent][2] == age and s.outcome is not None]

    a, b = group("18-24"), group("75+")
    assert comparison.a_respondents == len({s.respondent for s in a}) == 42
    assert comparison.b_respondents == len({s.respondent for s in b}) == 42
    assert comparison.overlap == 0
    rows = {row.theme: row for row in comparison.rows}
    for theme, row in rows.items():
        x_a = len({s.respondent for s in a if theme in built.active(s)})
        x_b = len({s.respondent for s in b if theme in built.active(s)})
        assert (row.a_count, row.b_count) == (x_a, x_b)
        assert row.a_share == pytest.approx(x_a / 42)
        assert row.difference == pytest.approx(x_a / 42 - x_b / 42)
    assert rows["Loneliness"].significant and rows["Loneliness"].p_value < 0.001
    assert not rows["Healthy lifestyles"].significant
    assert rows["Healthy lifestyles"].p_value > 0.05
    assert rows["Hospital parking"].p_value is None
    assert rows["Hospital parking"].note == "too few respondents to test"
    assert rows["Online booking"].note in ("too few respondents to test",
                                           "not mentioned by either group")
    assert any("without correction" in note for note in comparison.notes)


def test_compare_consultations_and_overlapping_places(built):
    spring = CommentFilter(consultation_id=built.consultations[SPRING])
    autumn = CommentFilter(consultation_id=built.consultations[AUTUMN])
    comparison = explore.compare_groups(built.project, spring, autumn)
    assert comparison.b_respondents == 1
    assert any("only 1 respondent with" in note for note in comparison.notes)
    assert all(row.p_value is None for row in comparison.rows)
    parking = next(row for row in comparison.rows if row.theme == "Hospital parking")
    assert parking.b_count == 1 and parking.b_share == 1.0
    # A place against the whole project: every respondent of the place is in both.
    poole = CommentFilter(place_id=built.places["Poole Bay"])
    everyone = CommentFilter()
    both = explore.compare_groups(built.project, poole, everyone)
    poole_respondents = {s.respondent for s in built.comments if s.outcome is not None
                         and built.respondents[s.respondent][1] == "Poole Bay"}
    assert both.overlap == both.a_respondents == len(poole_respondents)
    assert any("in both groups" in note for note in both.notes)


def test_compare_with_an_empty_group(built):
    nobody = CommentFilter(search="zeppelin")
    comparison = explore.compare_groups(built.project, nobody, CommentFilter())
    assert comparison.a_respondents == 0
    assert all(row.note == "no respondents in a group" for row in comparison.rows)
    assert comparison.tests == 0


# ----- words -----------------------------------------------------------------------------------
def is_filler(word: str) -> bool:
    from engage.analysis.cloud import is_filler as cloud_filler

    return cloud_filler(word)


def test_word_frequencies_count_comments_and_show_phrases_with_spaces(built):
    f = CommentFilter(consultation_id=built.consultations[SPRING])
    words = explore.word_frequencies(built.project, f, limit=500)
    expected = Counter(word for s in built.comments
                       if built.in_consultation(s, SPRING) and s.tokens
                       for word in set(s.tokens.split()))
    for word in ("not", "nobody", "11"):  # negations kept for sentiment, numbers
        expected.pop(word, None)
    for word in [w for w in expected if is_filler(w)]:  # filler words: out of cloud and list
        expected.pop(word)
    assert {w.token: w.comments for w in words} == dict(expected)
    assert [w.comments for w in words] == sorted((w.comments for w in words), reverse=True)
    car_park = next(w for w in words if w.token == "car_park")
    assert car_park.text == "car park" and car_park.comments == 2
    assert car_park.sentiment == pytest.approx((4 + 5) / 2)
    for word in words[:8]:
        assert word.comments == count_comments(built.project, f.with_(word=word.token))


def test_word_frequencies_follow_the_filter_and_the_limit(built):
    parking = CommentFilter(theme_id=built.themes["Hospital parking"])
    words = explore.word_frequencies(built.project, parking, limit=3)
    assert len(words) == 3
    assert words[0].comments == max(w.comments for w in
                                    explore.word_frequencies(built.project, parking))
    having = [s for s in built.comments if "Hospital parking" in built.active(s)]
    assert {w.token for w in explore.word_frequencies(built.project, parking)} == {
        word for s in having for word in s.tokens.split()
        if not is_filler(word)} - {"not", "nobody", "11"}
    assert explore.display_word("a_and_e") == "A&E"
    assert explore.display_word("gp_appointment") == "GP appointment"
    assert explore.display_word("waiting__list") == "waiting list"


# ----- word clouds ---------------------------------------------------------------------------
def test_cloud_layout_is_deterministic_and_every_word_can_be_clicked(built):
    from engage.analysis import cloud

    words = explore.word_frequencies(built.project, CommentFilter(), limit=40)
    first = cloud.draw_cloud(words, width=400, height=240, scale=1)
    again = cloud.draw_cloud(words, width=400, height=240, scale=1)
    assert first.rgba == again.rgba and first.image_size == (400, 240)
    assert len(first.rgba) == 400 * 240 * 4
    assert [box.word.token for box in first.boxes] == [w.token for w in words][:len(first.boxes)]
    for index, box in enumerate(first.boxes):
        x, y = first.point_on(index)
        assert first.word_at(x, y) is box.word
        assert box.left - 2 <= x <= box.left + box.width + 2
    assert first.word_at(-5, 10) is None


def test_cloud_of_nothing_is_none_and_inks_follow_the_feeling():
    from engage.analysis import cloud

    assert cloud.draw_cloud([]) is None
    assert cloud.draw_cloud([explore.WordCount("x", "x", 0, None)]) is None
    light = [cloud.ink(level) for level in (1, 2, 3, 4, 5)]
    assert len(set(light)) == 5
    assert cloud.ink(1.2) == light[0] and cloud.ink(4.6) == light[4] and cloud.ink(3.4) == light[2]
    assert cloud.ink(None) == cloud.UNKNOWN_INK["light"]
    assert cloud.ink(5, "dark") != light[4]
