"""Cold-start seed scoring: scores in [0, 1], the right theme on top, matched terms returned."""

import numpy as np
import pytest

from engage.nlp.seeds import SeedScorer, score_comments
from engage.nlp.taxonomy import Portfolio, Taxonomy, Theme, load_default
from engage.nlp.text import to_token_string, tokenize
from engage.progress import Cancelled

COMMENTS = {
    "GP access": "Rang the surgery for a week and could never get a GP appointment",
    "Ambulance": "The ambulance took four hours and the paramedics apologised",
    "Travel to services": "Only one bus a day to the hospital and parking is expensive",
    "Mental health": "My son waited a year for CAMHS while his anxiety got worse",
    "Pharmacy": "The chemist never has my repeat prescription ready",
    "Loneliness and isolation": "Since my wife died I am lonely and isolated in the village",
}


@pytest.fixture(scope="module")
def scores():
    return score_comments(tokenize(list(COMMENTS.values())))


def test_expected_theme_scores_highest(scores):
    for i, theme in enumerate(COMMENTS):
        assert scores.top_themes(i, k=1)[0][0] == theme


def test_scores_are_a_matrix_in_unit_interval(scores):
    assert scores.scores.shape == (len(COMMENTS), len(load_default().themes))
    assert scores.scores.min() >= 0.0 and scores.scores.max() <= 1.0
    assert scores.theme_names == load_default().theme_names


def test_matched_terms_explain_the_score(scores):
    terms = scores.matched_terms(0, "GP access")
    assert "gp appointment" in terms
    assert scores.matched_terms(2, "Travel to services")


def test_unrelated_comment_scores_low():
    result = score_comments(tokenize(["The weather was sunny on Tuesday"]))
    assert result.scores.max() < 0.3
    assert result.matched == [{}]


def tiny_taxonomy():
    return Taxonomy(
        [Portfolio("P")],
        [
            Theme("Parking", "P", "Parking at the hospital", ["car park", "parking", "space"]),
            Theme("Food", "P", "Meals on the ward", ["food", "meal", "sandwich"]),
            Theme("Spaces", "P", "Room to sit", ["space", "chair"]),
        ],
    )


def test_more_distinct_seeds_mean_higher_score_and_phrases_weigh_more():
    scorer = SeedScorer(tiny_taxonomy()).fit()
    comments = ["parking was awful", "parking in the car park was awful", "the car park was awful"]
    one, two, phrase = scorer.score(tokenize(comments)).seed_scores[:, 0]
    assert two > one and two > phrase
    assert phrase > one


def test_seed_shared_between_themes_weighs_less():
    scorer = SeedScorer(tiny_taxonomy()).fit()
    shared, own = scorer.score([["space"], ["chair"]]).seed_scores[:, 2]
    assert own > shared


def test_seed_common_in_the_consultation_weighs_less():
    rare_corpus = [["meal"]] + [["ward", "noise"]] * 99
    common_corpus = [["meal"]] * 60 + [["ward", "noise"]] * 40
    rare = SeedScorer(tiny_taxonomy()).fit(rare_corpus).score([["meal"]]).seed_scores[0, 1]
    common = SeedScorer(tiny_taxonomy()).fit(common_corpus).score([["meal"]]).seed_scores[0, 1]
    assert common < rare


def test_description_only_evidence_is_weaker_than_a_seed():
    taxonomy = tiny_taxonomy()
    scorer = SeedScorer(taxonomy).fit([["ward", "meal"], ["hospital", "ward"]])
    described, seeded = scorer.score([["ward", "hospital"], ["sandwich"]]).scores
    assert 0 < described.max() < seeded.max()


def test_multiword_seed_needs_the_words_in_order():
    taxonomy = Taxonomy([Portfolio("P")], [Theme("Queue", "P", "", ["phone queue"])])
    scorer = SeedScorer(taxonomy).fit()
    in_order, reversed_ = scorer.score([["phone", "queue"], ["queue", "phone"]]).seed_scores[:, 0]
    assert in_order > 0 and reversed_ == 0


def test_accepts_stored_token_strings_and_empty_comments():
    tokens = tokenize(["Parking was impossible", ""])
    strings = [to_token_string(t) for t in tokens]
    scorer = SeedScorer(tiny_taxonomy()).fit(strings)
    from_strings = scorer.score(strings).scores
    from_lists = scorer.score(tokens).scores
    np.testing.assert_allclose(from_strings, from_lists)
    assert from_strings[1].max() == 0


def test_cancel_and_unfitted_use():
    with pytest.raises(RuntimeError):
        SeedScorer(tiny_taxonomy()).score([["food"]])
    with pytest.raises(Cancelled):
        SeedScorer(tiny_taxonomy()).fit().score([["food"]], cancelled=lambda: True)


# ----- context: phrases, negative cues, collapsed seeds (issue 15) ------------------------------
def _coded_theme(text):
    """Score one comment within a consultation-sized corpus (the written examples), as the
    analysis does; return the scores and the themes suggested for it."""
    import csv
    from importlib import resources

    corpus = [row["text"] for row in csv.DictReader(resources.files("engage.nlp.data").joinpath(
        "consultation_examples.csv").read_text("utf-8").splitlines())]
    result = score_comments(tokenize([text] + corpus))
    return result, {name for name, score in result.top_themes(0, k=4, min_score=0.25)}


def test_a_phone_line_cutting_off_is_not_loneliness():
    result, themes = _coded_theme("I waited on hold for forty minutes and then the line cut off.")
    assert "Loneliness and isolation" not in themes
    assert result.matched_terms(0, "Loneliness and isolation") == []
    result, themes = _coded_theme("Since the bus stopped running I feel cut off from my friends.")
    assert "cut off" in result.matched_terms(0, "Loneliness and isolation")


def test_teams_means_video_only_beside_video_words():
    result, themes = _coded_theme("The ward teams were brilliant and worked together.")
    assert "Video and telephone consultations" not in themes
    result, themes = _coded_theme("My follow-up was a Microsoft Teams call with the consultant.")
    assert "Video and telephone consultations" in themes


def test_paperwork_is_not_a_shared_care_record():
    _result, themes = _coded_theme("So much paperwork to fill in for a blue badge.")
    assert "Shared care record" not in themes


def test_suicidal_is_mental_health_and_dentistry_has_a_theme():
    result, _ = _coded_theme("The crisis team were a lifeline when I felt suicidal.")
    assert result.top_themes(0, k=1)[0][0] == "Mental health"
    result, _ = _coded_theme("Impossible to find an NHS dentist for my kids in Blandford.")
    assert result.top_themes(0, k=1)[0][0] == "NHS dentistry"


def test_residents_subjects_have_themes_in_the_right_portfolio():
    taxonomy = load_default()
    expected = {
        "NHS dentistry": "Integrated community and primary care services",
        "Pharmacy": "Integrated community and primary care services",
        "Carers' breaks": "Integrated community and primary care services",
        "Patient transport": "One acute network",
        "End of life care": "Integrated community and primary care services",
        "Equality and accessibility": "Leading and working differently",
    }
    for theme, portfolio in expected.items():
        assert taxonomy.theme(theme).portfolio == portfolio
    for text, theme in [("Respite once a month would let me keep caring for my dad.",
                         "Carers' breaks"),
                        ("Hospital transport never turned up for my clinic.", "Patient transport")]:
        result, themes = _coded_theme(text)
        assert theme in themes, (text, result.top_themes(0))


def context_taxonomy(seed):
    return Taxonomy([Portfolio("P")], [Theme("Lonely", "P", "", [seed]),
                                       Theme("Other", "P", "", ["weather"])])


def test_not_near_and_only_near_cues_within_a_window():
    scorer = SeedScorer(context_taxonomy("cut off (not near: phone, line)")).fit()
    far = "cut off from friends village " + "word " * 8 + "phone"
    docs = tokenize(["the phone line cut off", "felt cut off from friends", far])
    matched = [bool(m) for m in scorer.score(docs).matched]
    assert matched == [False, True, True]
    scorer = SeedScorer(context_taxonomy("teams (only near: video, microsoft)")).fit()
    docs = tokenize(["teams on the ward", "a video call on teams", "microsoft teams"])
    assert [bool(m) for m in scorer.score(docs).matched] == [False, True, True]


def test_a_seed_that_collapses_to_one_common_word_is_left_out():
    scorer = SeedScorer(context_taxonomy("keep the hospital")).fit()
    assert scorer.collapsed_seeds_ == [("Lonely", "keep the hospital")]
    assert scorer.score(tokenize(["parking at the hospital"])).matched == [{}]
    assert SeedScorer(context_taxonomy("waiting lists")).fit().collapsed_seeds_ == []


def test_shipped_taxonomy_has_no_collapsed_seed():
    assert SeedScorer(load_default()).fit().collapsed_seeds_ == []


def test_a_phrase_and_the_word_inside_it_are_one_piece_of_evidence():
    taxonomy = Taxonomy([Portfolio("P")], [Theme("Waits", "P", "", ["wait", "waited years"]),
                                           Theme("Other", "P", "", ["weather"])])
    scorer = SeedScorer(taxonomy).fit()
    both, phrase_only = scorer.score(tokenize(["we waited years", "waited years"])).seed_scores[:, 0]
    assert both == pytest.approx(phrase_only)
    assert phrase_only == pytest.approx(scorer.phrase_weight)


def test_a_few_comments_do_not_make_their_words_common():
    one = score_comments(tokenize(["Our son waited for CAMHS while his anxiety got worse"]))
    assert one.seed_scores[0, one.theme_names.index("Mental health")] >= 0.5
