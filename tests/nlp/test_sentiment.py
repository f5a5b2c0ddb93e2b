"""Sentiment estimator: ordered levels, blanks skipped, probabilities, reasons."""

from __future__ import annotations

import random

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import f1_score

from engage.nlp.features import TextFeatures
from engage.nlp.sentiment import SentimentClassifier, three_level

_WORDS = {
    1.0: ["absolutely brilliant", "outstanding care", "could not fault them", "superb team"],
    2.0: ["good service", "pleasant visit", "fairly helpful", "nice enough people"],
    3.0: ["no comment", "it was okay i suppose", "neither good nor bad", "average visit"],
    4.0: ["poor communication", "unhelpful reply", "slow to respond", "disappointing visit"],
    5.0: ["appalling treatment", "disgraceful and dangerous", "worst experience ever",
          "utterly shocking neglect"],
}
_TOPICS = ["at the surgery", "with the nurse", "on the ward", "about my medication", ""]


def make_corpus(n: int = 500, seed: int = 0) -> tuple[list[str], np.ndarray]:
    rng = random.Random(seed)
    texts, levels = [], []
    for _ in range(n):
        level = rng.choice(list(_WORDS))
        texts.append(f"{rng.choice(_WORDS[level])} {rng.choice(_TOPICS)}".strip())
        levels.append(level)
    return texts, np.array(levels)


@pytest.fixture(scope="module")
def fitted():
    texts, y = make_corpus()
    y_with_blanks = y.copy()
    y_with_blanks[:25] = np.nan  # blank sentiments are skipped, not fatal
    model = SentimentClassifier().fit(texts[:400], y_with_blanks[:400])
    return model, texts[400:], y[400:]


def test_contract_and_levels(fitted):
    model, _, _ = fitted
    assert list(model.classes_) == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert clone(model).get_params() == model.get_params()
    assert len(model.cumulative_) == 4


def test_predicts_unseen_comments_on_the_training_scale(fitted):
    model, texts, y = fitted
    pred = model.predict(texts)
    assert set(pred) <= set(model.classes_)
    assert f1_score(y, pred, average="macro") > 0.8
    proba = model.predict_proba(texts)
    assert proba.shape == (len(texts), 5)
    assert np.allclose(proba.sum(axis=1), 1.0)


def test_blend_weight_zero_is_plain_multinomial():
    texts, y = make_corpus(200, seed=1)
    plain = SentimentClassifier(ordinal_weight=0).fit(texts, y)
    assert plain.cumulative_ == []
    assert np.allclose(plain.predict_proba(texts), plain.multinomial_.predict_proba(
        plain.features_.transform(texts)))


def test_other_scales_work():
    texts, y = make_corpus(200, seed=2)
    two = SentimentClassifier().fit(texts, np.where(y <= 3, 0.0, 1.0))
    assert list(two.classes_) == [0.0, 1.0]
    assert two.explain("appalling treatment", 1.0)
    tenths = SentimentClassifier().fit(texts, y / 10)
    assert set(tenths.predict(texts[:20])) <= {0.1, 0.2, 0.3, 0.4, 0.5}


def test_one_level_or_no_labels_refused():
    texts, _ = make_corpus(20)
    with pytest.raises(ValueError):
        SentimentClassifier().fit(texts, np.full(20, 2.0))
    with pytest.raises(ValueError):
        SentimentClassifier().fit(texts, np.ones(19))


def test_fit_matrix_shares_a_vectoriser():
    texts, y = make_corpus(200, seed=4)
    features = TextFeatures().fit(texts)
    model = SentimentClassifier().fit_matrix(features.transform(texts), y, features)
    assert model.features_ is features
    assert model.predict(["superb team"])[0] in (1.0, 2.0)


def test_explain_gives_readable_words(fitted):
    model, _, _ = fitted
    reasons = model.explain("utterly shocking neglect on the ward", 5.0)
    assert reasons and all(w > 0 for _, w in reasons)
    assert any(word in " ".join(t for t, _ in reasons) for word in ("shocking", "neglect"))


def test_three_level_roll_up():
    assert list(three_level([1, 2, 3, 4, 5])) == [0, 0, 1, 2, 2]
