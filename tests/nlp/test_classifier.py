"""Theme classifier and features: the estimator contract, learning, calibration, reasons."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.metrics import f1_score

from engage.nlp.classifier import (
    CODED,
    NO_THEME,
    UNCERTAIN,
    ThemeClassifier,
    choose_thresholds,
    micro_f1_for,
)
from engage.nlp.features import TextFeatures

THEMES = ["Waiting", "Staff", "Parking", "Rare"]
_PHRASES = {
    "Waiting": ["waited hours to be seen", "the delay was awful", "long queue at reception",
                "appointment ran very late", "waiting list is far too long"],
    "Staff": ["the nurse was kind", "doctor listened to me", "receptionist was rude",
              "friendly helpful staff", "carers treated mum with respect"],
    "Parking": ["no parking spaces", "car park charges are high", "had to park miles away",
                "parking ticket machine broken", "drove round the car park twice"],
    "Rare": ["the fish tank in the lobby"],
}
_FILLER = ["overall", "on tuesday", "last month", "for my dad", "at the clinic", ""]


def make_corpus(n: int = 400, seed: int = 0) -> tuple[list[str], np.ndarray]:
    """Synthetic comments with one or two themes each; 'Rare' appears three times."""
    rng = random.Random(seed)
    texts, rows = [], []
    for i in range(n):
        if i < 3:
            chosen = ["Rare", "Staff"]
        else:
            chosen = rng.sample(THEMES[:3], rng.choice([1, 1, 2]))
        parts = [rng.choice(_PHRASES[t]) for t in chosen] + [rng.choice(_FILLER)]
        rng.shuffle(parts)
        texts.append(" and ".join(p for p in parts if p).capitalize() + ".")
        rows.append([int(t in chosen) for t in THEMES])
    return texts, np.array(rows)


@pytest.fixture(scope="module")
def fitted() -> tuple[ThemeClassifier, list[str], np.ndarray]:
    texts, Y = make_corpus(400)
    model = ThemeClassifier(cv=3).fit(texts[:300], Y[:300], themes=THEMES)
    return model, texts[300:], Y[300:]


def test_estimator_contract(fitted):
    model, _, _ = fitted
    params = model.get_params()
    assert params["C"] == model.C and "features" in params
    unfitted = clone(model)
    assert not hasattr(unfitted, "coef_")
    texts, Y = make_corpus(60, seed=3)
    assert unfitted.set_params(cv=2).fit(texts, Y, themes=THEMES) is unfitted
    for name in ("themes_", "counts_", "learnable_", "coef_", "intercept_", "threshold_",
                 "fallback_threshold_", "review_threshold_", "features_"):
        assert hasattr(model, name)


def test_learns_themes_on_unseen_comments(fitted):
    model, texts, Y = fitted
    pred = model.predict(texts)
    assert pred.shape == Y.shape
    learnt = model.learnable_
    assert f1_score(Y[:, learnt], pred[:, learnt], average="micro") > 0.85


def test_probabilities_are_calibrated_and_bounded(fitted):
    model, texts, Y = fitted
    proba = model.predict_proba(texts)
    assert proba.shape == Y.shape
    assert np.all((proba >= 0) & (proba <= 1))
    learnt = np.flatnonzero(model.learnable_)
    # Present themes get clearly higher probabilities than absent ones.
    present = proba[:, learnt][Y[:, learnt] == 1].mean()
    absent = proba[:, learnt][Y[:, learnt] == 0].mean()
    assert present > 0.6 > 0.2 > absent


def test_rare_theme_is_kept_reported_and_never_predicted(fitted):
    model, texts, _ = fitted
    rare = THEMES.index("Rare")
    assert model.themes_ == THEMES
    assert not model.learnable_[rare]
    assert model.never_predicted() == [("Rare", 3)]
    proba = model.predict_proba(texts + ["the fish tank in the lobby"])
    assert np.all(proba[:, rare] == 0)
    assert model.predict(["the fish tank in the lobby"])[0, rare] == 0
    assert model.explain("the fish tank in the lobby", "Rare") == []


def test_three_outcomes_follow_the_two_thresholds(fitted):
    model, _, _ = fitted
    assert 0 <= model.review_threshold_ <= model.fallback_threshold_ <= model.threshold_
    t, r = model.threshold_, model.review_threshold_
    proba = np.array([[t + 0.01, 0, 0, 0], [(t + r) / 2, 0, 0, 0], [r / 2, 0, 0, 0]])
    assert list(model.outcomes(proba)) == [CODED, UNCERTAIN, NO_THEME]
    clear = model.predict_proba(["The car park charges are high and no parking spaces."])
    assert model.outcomes(clear)[0] == CODED


def test_explain_names_readable_words_that_drove_the_theme(fitted):
    model, _, _ = fitted
    reasons = model.explain("We waited hours and the delay was awful.", "Waiting")
    terms = [term for term, _ in reasons]
    assert terms and all(weight > 0 for _, weight in reasons)
    assert any(word in " ".join(terms) for word in ("waited", "delay", "hours", "awful"))
    assert not any(term.startswith("char:") or term != term.strip() for term in terms)
    weights = [w for _, w in reasons]
    assert weights == sorted(weights, reverse=True)


def test_refit_learns_new_codings_without_recalibrating(fitted):
    model, _, _ = fitted
    copy = clone(model).fit(*make_corpus(200, seed=5), themes=THEMES)
    threshold = copy.threshold_
    texts, Y = make_corpus(200, seed=6)
    Y[:, THEMES.index("Rare")] = 0
    Y[:10, THEMES.index("Rare")] = 1  # the officer coded more examples of the rare theme
    before = copy.coef_.copy()
    assert copy.refit(texts, Y) is copy
    assert copy.threshold_ == threshold
    assert copy.learnable_[THEMES.index("Rare")]
    assert not np.allclose(before, copy.coef_)
    with pytest.raises(ValueError):
        copy.refit(texts, Y[:, :2])


def test_bad_labels_are_refused():
    texts, Y = make_corpus(30)
    with pytest.raises(ValueError):
        ThemeClassifier().fit(texts, Y * 2)
    with pytest.raises(ValueError):
        ThemeClassifier().fit(texts[:10], Y)


def test_theme_with_every_comment_or_none_does_not_crash():
    texts, Y = make_corpus(60, seed=2)
    Y = np.column_stack([Y, np.ones(len(Y), int), np.zeros(len(Y), int)])
    model = ThemeClassifier(cv=2).fit(texts, Y)
    proba = model.predict_proba(texts[:5])
    assert np.all(proba[:, -1] == 0) and model.counts_[-1] == 0


def test_choose_thresholds_prefers_the_fallback_when_every_comment_has_a_theme():
    Y = np.array([[1, 0], [0, 1], [1, 0], [0, 1]])
    proba = np.array([[0.12, 0.05], [0.05, 0.1], [0.9, 0.0], [0.0, 0.8]])
    threshold, fallback, f1 = choose_thresholds(Y, proba)
    assert f1 == pytest.approx(1.0)
    assert fallback < threshold


@pytest.mark.parametrize("seed", range(6))
def test_chosen_thresholds_are_the_best_pair_of_the_grid(seed):
    # The search counts in bulk; every pair it could choose, scored one by one with the rule
    # predict applies, must do no better than its choice (and the first best pair wins).
    rng = np.random.default_rng(seed)
    Y = (rng.random((150, 5)) < 0.25).astype(int)
    proba = np.clip(0.5 * Y * rng.random(Y.shape) + 0.45 * rng.random(Y.shape), 0, 1)
    if seed % 2:
        proba = np.round(proba, 1)  # ties between themes and with the thresholds
    threshold, fallback, f1 = choose_thresholds(Y, proba)
    assert f1 == pytest.approx(micro_f1_for(Y, proba, threshold, fallback))
    first_best = None
    for t in np.round(np.arange(0.15, 0.71, 0.01), 2):
        for r in np.round(np.r_[t, np.arange(0.0, t, 0.02)], 2):
            score = micro_f1_for(Y, proba, t, r)
            assert score <= f1 + 1e-9
            if first_best is None and score > f1 - 1e-9:
                first_best = (t, r)
    assert (threshold, fallback) == first_best


def test_features_match_words_and_handle_unseen_text():
    texts, _ = make_corpus(100)
    features = TextFeatures().fit(texts)
    X = features.transform(["Completely unseen wording here!", "", None])
    assert X.shape == (3, features.n_features_out_)
    assert X[1].nnz == 0 and X[2].nnz == 0
    norms = np.sqrt(X[0].multiply(X[0]).sum())
    assert 0 < norms <= np.sqrt(2) + 1e-6  # two L2-normalised blocks
    names = features.get_feature_names_out()
    assert len(names) == features.n_features_out_
    parts = features.contributions("Parking spaces, parking!", np.ones(len(names)))
    assert "parking" in parts and "spaces" in parts


SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "patient-feedback" / "train.csv"


@pytest.mark.skipif(not SHARED.is_file(), reason="shared patient-feedback data not present")
def test_learns_something_from_real_patient_feedback():
    import pandas as pd

    frame = pd.read_csv(SHARED).sample(900, random_state=1)
    columns = list(frame.columns)
    themes = columns[columns.index("Comment sentiment") + 1 :]
    texts = frame["FFT answer"].fillna("").tolist()
    Y = frame[themes].fillna(0).to_numpy().astype(int)
    model = ThemeClassifier(cv=3).fit(texts[:600], Y[:600], themes=themes)
    pred = model.predict(texts[600:])
    # Far above chance, far below perfect: a smoke test of the real pipeline, not a benchmark.
    assert f1_score(Y[600:], pred, average="micro") > 0.4
    assert all(count < 5 for _, count in model.never_predicted())
