"""Model-versus-officer agreement: kappa, precision and recall per theme."""

import random

import pytest
from sklearn.metrics import cohen_kappa_score, precision_score, recall_score

from engage.analysis.agreement import (
    binary_agreement,
    cohen_kappa,
    roll_up_sentiment,
    sentiment_agreement,
    theme_agreement,
)


def test_kappa_matches_a_worked_example():
    # 50 items: both yes 20, model yes/officer no 5, model no/officer yes 10, both no 15.
    model = [1] * 20 + [1] * 5 + [0] * 10 + [0] * 15
    officer = [1] * 20 + [0] * 5 + [1] * 10 + [0] * 15
    # observed 0.7; chance 0.5*0.6 + 0.5*0.4 = 0.5; kappa = 0.2 / 0.5
    assert cohen_kappa(model, officer) == pytest.approx(0.4)
    table = binary_agreement([bool(m) for m in model], [bool(o) for o in officer])
    assert table.kappa == pytest.approx(0.4)
    assert table.precision == pytest.approx(20 / 25)
    assert table.recall == pytest.approx(20 / 30)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kappa_precision_recall_agree_with_scikit_learn(seed):
    rng = random.Random(seed)
    model = [rng.random() < 0.3 for _ in range(200)]
    officer = [m if rng.random() < 0.8 else not m for m in model]
    table = binary_agreement(model, officer)
    assert table.kappa == pytest.approx(cohen_kappa_score(model, officer))
    assert table.precision == pytest.approx(precision_score(officer, model))
    assert table.recall == pytest.approx(recall_score(officer, model))
    labels_a = [rng.randint(1, 5) for _ in range(100)]
    labels_b = [a if rng.random() < 0.6 else rng.randint(1, 5) for a in labels_a]
    assert cohen_kappa(labels_a, labels_b) == pytest.approx(cohen_kappa_score(labels_a, labels_b))


def test_undefined_cases_are_none_not_a_misleading_number():
    assert cohen_kappa([], []) is None
    assert cohen_kappa([1, 1, 1], [1, 1, 1]) is None
    table = binary_agreement([False, False], [False, False])
    assert (table.precision, table.recall, table.kappa) == (None, None, None)
    with pytest.raises(ValueError):
        cohen_kappa([1], [1, 2])


def test_theme_agreement_counts_each_reviewed_comment_once_per_theme():
    model = {1: {10}, 2: {10, 11}, 3: set(), 9: {11}}  # 9 was not reviewed: ignored
    officer = {1: {10}, 2: {11}, 3: {10}}
    result = theme_agreement(model, officer, [10, 11, 12])
    assert result.comments == 3
    t10 = result.for_theme(10)
    assert (t10.true_pos, t10.false_pos, t10.false_neg, t10.true_neg) == (1, 1, 1, 0)
    t11 = result.for_theme(11)
    assert (t11.true_pos, t11.false_pos, t11.false_neg, t11.true_neg) == (1, 0, 0, 2)
    assert result.pooled.items == 9
    assert result.pooled.true_pos == 2
    # theme 12 was used by nobody, so it does not pull the mean kappa around
    assert result.mean_kappa == pytest.approx((t10.kappa + t11.kappa) / 2)


def test_sentiment_roll_up_and_agreement():
    assert [roll_up_sentiment(s) for s in (1, 2, 3, 4, 5, None)] == [
        "positive", "positive", "neutral", "negative", "negative", None]
    result = sentiment_agreement([(1, 2), (5, 5), (3, 4), (4, 4)])
    assert result.comments == 4
    assert result.exact == pytest.approx(0.5)
    assert result.kappa3 == pytest.approx(cohen_kappa_score(
        ["p", "n", "m", "n"], ["p", "n", "n", "n"]))
