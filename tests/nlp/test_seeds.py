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
