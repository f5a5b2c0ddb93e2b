"""Five-level sentiment (1 very positive … 5 very negative), or any ordered numeric scale.

How it decides, and why:
- A multinomial logistic regression over word + character TF-IDF with balanced class weights:
  the neutral (3) and very negative (5) levels are rare, and unweighted models all but never
  predict them, which wrecks macro-F1.
- The levels are ordered, so beside it sit cumulative binary models P(level > k) (the
  Frank & Hall ordinal decomposition); their class probabilities are blended with the
  multinomial ones in log space. In 5-fold cross-validation the blend was a little better than
  either part; ``ordinal_weight`` sets the mix (0 turns it off).
- Tried in nested 5-fold CV and not kept: per-level log-offsets chosen on inner out-of-fold
  probabilities to lift macro-F1 and the neutral level (+0.006 macro-F1, +0.04 neutral F1 on
  one split, but -0.006 / +0.002 on a second split and -0.007 in the card's CV: noise, not a
  gain); a one-vs-rest linear SVM (0.558 against 0.561) and its blend with this model; theme
  probabilities as extra features (0.566, within noise). Linear models over these features
  seem to level out near 0.56 macro-F1 on five levels.
- Rows whose label is missing (NaN) are skipped when fitting, so a training file with some
  blank sentiments still trains themes on every row.
- Fitting runs with one BLAS thread: the solver's steps are small products, and on two busy
  cores waking BLAS threads for each costs more than the step (as ``ThemeClassifier``).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from engage.nlp.features import TextFeatures, only_function_words

#: Function words that do carry sentiment (negation, contrast), so explanations keep them.
SENTIMENT_FUNCTION_WORDS = frozenset(
    {"not", "no", "never", "nothing", "nobody", "none", "nor", "cannot", "without", "but",
     "although", "though", "however", "very", "too"}
)


class SentimentClassifier(ClassifierMixin, BaseEstimator):
    """Ordered-level classifier over raw texts; ``classes_`` holds the levels in order."""

    def __init__(
        self,
        features: TextFeatures | None = None,
        C: float = 3.0,
        class_weight: str | None = "balanced",
        ordinal_weight: float = 0.3,
        max_iter: int = 2000,
    ) -> None:
        self.features = features
        self.C = C
        self.class_weight = class_weight
        self.ordinal_weight = ordinal_weight
        self.max_iter = max_iter

    def fit(self, texts: Sequence[str], y) -> SentimentClassifier:
        texts = list(texts)
        y = np.asarray(y, dtype=float)
        if len(texts) != len(y):
            raise ValueError(f"{len(texts)} texts but {len(y)} sentiment values")
        self.features_ = clone(self.features) if self.features is not None else TextFeatures()
        self.features_.fit(texts)
        labelled = ~np.isnan(y)
        X = self.features_.transform([t for t, ok in zip(texts, labelled, strict=True) if ok])
        self._fit_matrix(X, y[labelled])
        return self

    def fit_matrix(self, X: sp.csr_matrix, y, features: TextFeatures) -> SentimentClassifier:
        """Fit on comments already vectorised by ``features`` (shared with the theme model)."""
        self.features_ = features
        y = np.asarray(y, dtype=float)
        labelled = ~np.isnan(y)
        self._fit_matrix(X[np.flatnonzero(labelled)], y[labelled])
        return self

    def _fit_matrix(self, X: sp.csr_matrix, y: np.ndarray) -> None:
        with threadpool_limits(limits=1, user_api="blas"):
            self._fit_models(X, y)

    def _fit_models(self, X: sp.csr_matrix, y: np.ndarray) -> None:
        self.classes_ = np.unique(y)
        if len(self.classes_) < 2:
            raise ValueError("sentiment needs at least two different values to learn from")
        # Fit on level positions 0..k-1: scikit-learn refuses fractional labels such as 0.5.
        codes = np.searchsorted(self.classes_, y)
        # newton-cg reaches the same optimum as lbfgs here about eight times faster.
        self.multinomial_ = LogisticRegression(
            C=self.C, class_weight=self.class_weight, max_iter=self.max_iter, solver="newton-cg"
        ).fit(X, codes)
        self.cumulative_ = []
        if self.ordinal_weight > 0 and len(self.classes_) > 2:
            for position in range(len(self.classes_) - 1):
                above = (codes > position).astype(int)
                model = LogisticRegression(
                    C=self.C, class_weight=self.class_weight, max_iter=self.max_iter,
                    solver="newton-cg",
                ).fit(X, above)
                self.cumulative_.append(model)

    # ----- predicting ------------------------------------------------------------------------
    def predict_proba_matrix(self, X: sp.csr_matrix) -> np.ndarray:
        check_is_fitted(self, "multinomial_")
        proba = self.multinomial_.predict_proba(X)
        if not self.cumulative_:
            return proba
        above = np.column_stack([m.predict_proba(X)[:, 1] for m in self.cumulative_])
        above = np.minimum.accumulate(above, axis=1)  # P(>k) must not rise with k
        ordinal = np.column_stack(
            [1 - above[:, 0], *(above[:, i] - above[:, i + 1] for i in range(above.shape[1] - 1)),
             above[:, -1]]
        )
        w = self.ordinal_weight
        logp = w * np.log(np.clip(ordinal, 1e-6, 1)) + (1 - w) * np.log(np.clip(proba, 1e-9, 1))
        logp -= logp.max(axis=1, keepdims=True)
        blended = np.exp(logp)
        return blended / blended.sum(axis=1, keepdims=True)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        check_is_fitted(self, "multinomial_")
        return self.predict_proba_matrix(self.features_.transform(texts))

    def predict_matrix(self, X: sp.csr_matrix) -> np.ndarray:
        return self.classes_[self.predict_proba_matrix(X).argmax(axis=1)]

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]

    def explain(self, text: str, level=None, top: int = 8) -> list[tuple[str, float]]:
        """Words and phrases that pushed ``text`` towards ``level`` (default: the predicted one)."""
        check_is_fitted(self, "multinomial_")
        if level is None:
            level = self.predict([text])[0]
        k = int(np.flatnonzero(self.classes_ == level)[0])
        coef = self.multinomial_.coef_
        if coef.shape[0] > 1:
            weights = coef[k] - coef.mean(axis=0)
        else:  # two levels: one weight vector, pointing at the second
            weights = coef[0] if k == 1 else -coef[0]
        parts = self.features_.contributions(text, weights)
        ranked = sorted(
            ((t, v) for t, v in parts.items()
             if v > 0 and not only_function_words(t, SENTIMENT_FUNCTION_WORDS)),
            key=lambda tv: -tv[1],
        )
        return [(t, round(v, 4)) for t, v in ranked[:top]]


def three_level(values: np.ndarray, low: float = 2, high: float = 4,
                kinds: Sequence[str | None] | None = None,
                officer_set: Sequence[bool] | None = None) -> np.ndarray:
    """Roll 1–5 up to 0 positive (≤ low), 1 neutral, 2 negative (≥ high) for charts and F1.

    With ``kinds`` it applies the chart rule of ``chart_level``: a suggestion counts as
    neutral unless an officer set its sentiment (``officer_set``). Without, it is the plain
    roll-up used for model metrics.
    """
    values = np.asarray(values, dtype=float)
    levels = np.where(values <= low, 0, np.where(values >= high, 2, 1))
    if kinds is not None:
        officer = (np.zeros(len(levels), dtype=bool) if officer_set is None
                   else np.asarray(officer_set, dtype=bool))
        wish = np.array([k in NEUTRAL_KINDS for k in kinds], dtype=bool)
        levels = np.where(wish & ~officer, 1, levels)
    return levels


#: Kinds that charts count as neutral whatever the model read into them. A suggestion (a
#: wish, a priority, an idea) reports no bad experience by definition (engage.nlp.kind); one
#: that does is a complaint. The patient-feedback model reads "More buses to the hospital"
#: as negative because there suggestions answer "How could we improve?".
NEUTRAL_KINDS = frozenset({"suggestion"})
CHART_LEVELS = ("positive", "neutral", "negative")


def chart_level(sentiment: float | None, kind: str | None = None,
                officer_set: bool = False) -> str | None:
    """THE rule every sentiment roll-up uses: 'positive', 'neutral', 'negative' or None.

    1–2 positive, 3 neutral or mixed, 4–5 negative — except that a comment whose kind is in
    ``NEUTRAL_KINDS`` (a suggestion) counts as neutral, unless an officer set its sentiment by
    hand (their reading wins). No sentiment: None (not counted).

    Its SQL twin is ``engage.analysis.kinds.CHART_SENTIMENT`` (a 1–5 value with suggestions
    moved to 3), for roll-ups done in queries (Overview, Compare, dashboard, report); a test
    keeps the two in step. Reports and explore queries count ``CHART_SENTIMENT`` where they
    count sentiment for charts, and keep ``EFFECTIVE_SENTIMENT`` for a comment's own value.
    """
    if sentiment is None or (isinstance(sentiment, float) and np.isnan(sentiment)):
        return None
    if kind in NEUTRAL_KINDS and not officer_set:
        return "neutral"
    return "positive" if sentiment <= 2 else "negative" if sentiment >= 4 else "neutral"
