"""Multi-label theme classifier: calibrated probabilities, three outcomes, readable reasons.

How it decides, and why:
- One linear SVM per theme over word + character TF-IDF (``engage.nlp.features``), with each
  feature scaled by how strongly it separates that theme from the rest (the naive-Bayes
  log-count ratio of Wang & Manning's NB-SVM). On the NHS patient-feedback data this beat
  plain TF-IDF SVMs and logistic regression in 5-fold cross-validation, most of all on the
  smaller themes.
- Scores become probabilities by Platt scaling fitted on *out-of-fold* scores from an inner
  cross-validation, so a probability means the same thing for every theme.
- One threshold for coding (``threshold_``) is chosen on those out-of-fold probabilities to
  maximise micro-F1; per-theme thresholds overfit the small themes and lost in CV. Every
  training comment has at least one theme, so when nothing reaches it the best theme is still
  given if it reaches ``fallback_threshold_`` (chosen with it, on the same predictions).
- Three outcomes per comment: *coded* (a theme reaches ``threshold_``), *uncertain* (the best
  theme reaches ``review_threshold_``, by default half the coding threshold or the fallback if
  lower: these go to the review queue) and *no theme* (nothing comes close).
- Themes with fewer than ``min_examples`` positive examples are kept (so names and counts stay
  in the model card) but never predicted: nothing can be learnt from two examples.
- ``refit`` re-learns the per-theme weights on new codings while keeping the vocabulary, the
  calibration and thresholds: seconds, so the app can learn in the background after each batch.
  The SVMs stop at a dual tolerance of 1e-2 rather than scikit-learn's 1e-4: on all 4,905
  patient-feedback comments the weights differ by under 0.03% of their size while each fit
  takes a half to a third of the time, which keeps ``refit`` inside its 5 s budget.
- Fitting runs with one BLAS thread. The fits are many small solves (an SVM and a Platt
  sigmoid per theme and fold); on two busy cores, waking BLAS threads for each step of the
  sigmoids' L-BFGS cost several times the work itself. The SVMs get their scaled features
  built in the float64 CSR form liblinear reads (the same values, without a re-sort and a
  conversion per theme), and the threshold search counts in bulk. Same weights and thresholds;
  the officer model on 1,000 codings went from 5.2 s to 1.1 s (``benchmarks/bench_retrain.py``).
- Tried in nested 5-fold CV and lost, so not used (micro-F1 / macro-F1 of themes with 20+
  examples, against 0.698 / 0.512 for this model): a second stage (stacking / classifier
  chain) fitted per theme on the out-of-fold probabilities of all themes, 0.685 / 0.480, or
  averaged with the first stage, 0.697 / 0.500; per-theme logistic regression, 0.685 / 0.501,
  and its average with the NB-SVM, 0.698 / 0.508; also coding every theme within a tuned
  fraction of the comment's best one (the inner CV never chose it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.model_selection import KFold
from sklearn.svm import LinearSVC
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from engage.nlp.features import TextFeatures, only_function_words

CODED, UNCERTAIN, NO_THEME = "coded", "uncertain", "none"
SVM_TOL = 1e-2


def nb_ratio(X: sp.csr_matrix, y: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """|log-count ratio| of each feature between positive and negative rows (NB-SVM scaling)."""
    positive = np.asarray(X[y == 1].sum(axis=0)).ravel() + alpha
    negative = np.asarray(X[y == 0].sum(axis=0)).ravel() + alpha
    ratio = np.log((positive / positive.sum()) / (negative / negative.sum()))
    return np.abs(ratio).astype(np.float32)


def _sorted_csr(X) -> sp.csr_matrix:
    """``X`` as CSR with sorted indices and no duplicates, the form liblinear reads as is."""
    X = sp.csr_matrix(X)
    if not X.has_canonical_format:
        X = X.copy()
        X.sum_duplicates()
    return X


def _scaled(X: sp.csr_matrix, scale: np.ndarray) -> sp.csr_matrix:
    """``X @ diag(scale)`` as float64 with X's structure: the same values as the product
    (each is one float32 multiplication) without its re-sort and float64 copy."""
    data = (X.data * scale[X.indices]).astype(np.float64)
    out = sp.csr_matrix((data, X.indices, X.indptr), shape=X.shape)
    out.has_sorted_indices = True
    return out


def _fit_theme(X: sp.csr_matrix, y: np.ndarray, C: float, nb: bool) -> tuple[np.ndarray, float]:
    """Weights in the *unscaled* feature space (so prediction is one sparse product); ``X``
    in canonical CSR form (``_sorted_csr``)."""
    if y.min() == y.max():  # a theme on every (or no) comment: nothing to separate
        return np.zeros(X.shape[1], np.float32), 10.0 if y[0] else -10.0
    scale = nb_ratio(X, y) if nb else np.ones(X.shape[1], np.float32)
    # Fixed seed: the dual solver shuffles, and `make models` must be reproducible. tol: see
    # the module docstring (same weights to 0.03%, two to three times faster).
    svm = LinearSVC(C=C, dual=True, tol=SVM_TOL, max_iter=5000, random_state=0).fit(
        _scaled(X, scale.astype(X.dtype)), y)
    return (svm.coef_.ravel() * scale).astype(np.float32), float(svm.intercept_[0])


def _platt(scores: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Sigmoid a*s + b fitted by regularised logistic regression (Platt's targets)."""
    from sklearn.linear_model import LogisticRegression

    n_pos, n_neg = y.sum(), len(y) - y.sum()
    # Platt's smoothed targets keep a theme with few examples from becoming over-confident.
    targets = np.where(y == 1, (n_pos + 1) / (n_pos + 2), 1 / (n_neg + 2))
    s = scores.reshape(-1, 1)
    both = np.vstack([s, s])
    labels = np.r_[np.ones(len(y)), np.zeros(len(y))]
    weights = np.r_[targets, 1 - targets]
    lr = LogisticRegression(C=1e4).fit(both, labels, sample_weight=weights)
    return -float(lr.coef_[0, 0]), -float(lr.intercept_[0])


def micro_f1_for(Y: np.ndarray, P: np.ndarray, threshold: float, fallback: float) -> float:
    """Micro-F1 of the labels ``predict`` would give at these two thresholds."""
    pred = _decide(P, threshold, fallback)
    tp = np.sum(pred & (Y == 1))
    return 2 * tp / max(1, pred.sum() + Y.sum())


def _decide(proba: np.ndarray, threshold: float, fallback: float) -> np.ndarray:
    pred = proba >= threshold
    if fallback < threshold and proba.shape[1]:
        rows = np.flatnonzero(~pred.any(axis=1))
        top = proba[rows].argmax(axis=1)
        ok = proba[rows, top] >= fallback
        pred[rows[ok], top[ok]] = True
    return pred


def choose_thresholds(Y: np.ndarray, P: np.ndarray) -> tuple[float, float, float]:
    """(threshold, fallback, micro-F1) maximising micro-F1 on out-of-fold probabilities.

    The fallback only ever adds a comment's best theme when nothing reached the coding
    threshold; it is tried from "never" (equal to the threshold) down to "always" (0).
    """
    # The counts behind micro_f1_for, from what the grid shares: a comment's best theme does
    # not depend on the thresholds, so each fallback only adds those comments' best themes.
    labels, proba = np.asarray(Y) == 1, np.asarray(P)
    truth, rows = int(labels.sum()), np.arange(len(proba))
    has_themes = proba.shape[1] > 0
    if has_themes:
        top = proba.argmax(axis=1)
        top_p, top_hit = proba[rows, top], labels[rows, top]
    best = (0.5, 0.5, -1.0)
    # scored at the rounded values it returns, which are the ones predict will compare with
    for t in np.round(np.arange(0.15, 0.71, 0.01), 2):
        pred = proba >= t
        predicted, hits = int(pred.sum()), int(np.sum(pred & labels))
        empty = ~pred.any(axis=1)
        for r in np.round(np.r_[t, np.arange(0.0, t, 0.02)], 2):
            n, tp = predicted, hits
            if r < t and has_themes:
                added = empty & (top_p >= r)
                n, tp = n + int(added.sum()), tp + int(np.sum(top_hit & added))
            f = 2 * tp / max(1, n + truth)
            if f > best[2] + 1e-9:
                best = (float(t), float(r), float(f))
    return best


class ThemeClassifier(ClassifierMixin, BaseEstimator):
    """Multi-label theme classifier over raw comment texts.

    ``fit(texts, Y, themes=None)`` with ``Y`` an (n_comments, n_themes) 0/1 array (or a
    DataFrame whose columns name the themes).
    """

    def __init__(
        self,
        features: TextFeatures | None = None,
        C: float = 0.5,
        nb_scaling: bool = True,
        min_examples: int = 5,
        cv: int = 5,
        threshold: float | None = None,
        review_threshold: float | None = None,
        random_state: int = 0,
    ) -> None:
        self.features = features
        self.C = C
        self.nb_scaling = nb_scaling
        self.min_examples = min_examples
        self.cv = cv
        self.threshold = threshold
        self.review_threshold = review_threshold
        self.random_state = random_state

    # ----- fitting ---------------------------------------------------------------------------
    def fit(self, texts: Sequence[str], Y, themes: Sequence[str] | None = None, progress=None):
        Y, names = _as_label_matrix(Y, themes)
        texts = list(texts)
        if len(texts) != Y.shape[0]:
            raise ValueError(f"{len(texts)} texts but {Y.shape[0]} label rows")
        self.themes_ = names
        self.counts_ = Y.sum(axis=0).astype(int)
        self.learnable_ = self.counts_ >= max(self.min_examples, 2)
        self.features_ = clone(self.features) if self.features is not None else TextFeatures()
        X = _sorted_csr(self.features_.fit_transform(texts))
        # many small solves: BLAS threads cost more to wake than they save (module docstring)
        with threadpool_limits(limits=1, user_api="blas"):
            self._calibrate(X, Y, progress)
            self._fit_weights(X, Y)
        return self

    def _calibrate(self, X: sp.csr_matrix, Y: np.ndarray, progress=None) -> None:
        """Out-of-fold scores → per-theme Platt sigmoids → the two thresholds."""
        k = Y.shape[1]
        self.calib_a_ = np.full(k, -1.0)
        self.calib_b_ = np.zeros(k)
        self.oof_proba_ = None
        learn = np.flatnonzero(self.learnable_)
        n_splits = min(self.cv, int(self.counts_[learn].min()) if len(learn) else 0)
        if len(learn) == 0 or n_splits < 2:
            self._set_thresholds(0.5, 0.5)
            self.cv_micro_f1_ = None
            return
        scores = np.zeros((X.shape[0], k))
        folds = KFold(n_splits, shuffle=True, random_state=self.random_state).split(X)
        for i, (train, test) in enumerate(folds):
            X_train, X_test = X[train], X[test]
            for j in learn:
                w, b = _fit_theme(X_train, Y[train, j], self.C, self.nb_scaling)
                scores[test, j] = X_test @ w + b
            if progress:
                progress((i + 1) / (n_splits + 1), f"Cross-validating themes ({i + 1}/{n_splits})")
        for j in learn:
            self.calib_a_[j], self.calib_b_[j] = _platt(scores[:, j], Y[:, j])
        proba = self._sigmoid(scores)
        self.oof_proba_ = proba.astype(np.float32)
        t, fallback, _ = choose_thresholds(Y, proba)
        self._set_thresholds(t, fallback)
        self.cv_micro_f1_ = micro_f1_for(Y, proba, self.threshold_, self.fallback_threshold_)

    def _set_thresholds(self, threshold: float, fallback: float) -> None:
        """Explicit parameters win over the values chosen by cross-validation."""
        self.threshold_ = self.threshold if self.threshold is not None else threshold
        self.fallback_threshold_ = min(fallback, self.threshold_)
        self.review_threshold_ = (
            self.review_threshold if self.review_threshold is not None
            else min(self.fallback_threshold_, self.threshold_ / 2)
        )

    def _fit_weights(self, X: sp.csr_matrix, Y: np.ndarray) -> None:
        k = Y.shape[1]
        self.coef_ = np.zeros((k, X.shape[1]), np.float32)
        self.intercept_ = np.full(k, -10.0)
        for j in np.flatnonzero(self.learnable_):
            self.coef_[j], self.intercept_[j] = _fit_theme(X, Y[:, j], self.C, self.nb_scaling)

    def refit(self, texts: Sequence[str], Y) -> ThemeClassifier:
        """Learn the weights again from (new) codings, keeping vocabulary and calibration.

        The fast path for learning in the background: the full ``fit`` re-runs the inner
        cross-validation; this re-uses its sigmoids and thresholds. Themes newly reaching
        ``min_examples`` become predictable with the default sigmoid until the next ``fit``.
        """
        check_is_fitted(self, "coef_")
        Y, _ = _as_label_matrix(Y, self.themes_)
        if Y.shape[1] != len(self.themes_):
            raise ValueError("refit needs the same themes as fit; call fit for a new set")
        self.counts_ = Y.sum(axis=0).astype(int)
        self.learnable_ = self.counts_ >= max(self.min_examples, 2)
        X = _sorted_csr(self.features_.transform(texts))
        with threadpool_limits(limits=1, user_api="blas"):
            self._fit_weights(X, Y)
        return self

    # ----- predicting ------------------------------------------------------------------------
    def _sigmoid(self, scores: np.ndarray) -> np.ndarray:
        z = scores * self.calib_a_ + self.calib_b_
        proba = 1.0 / (1.0 + np.exp(np.clip(z, -50, 50)))
        proba[:, ~self.learnable_] = 0.0
        return proba

    def decision_function_matrix(self, X: sp.csr_matrix) -> np.ndarray:
        return np.asarray(X @ self.coef_.T) + self.intercept_

    def predict_proba_matrix(self, X: sp.csr_matrix) -> np.ndarray:
        """Calibrated probability per theme from already-vectorised comments."""
        check_is_fitted(self, "coef_")
        return self._sigmoid(self.decision_function_matrix(X))

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """(n_comments, n_themes) calibrated probabilities; never-predicted themes get 0."""
        check_is_fitted(self, "coef_")
        return self.predict_proba_matrix(self.features_.transform(texts))

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """0/1 labels from probabilities: coded themes, else the best one if above the fallback."""
        return _decide(proba, self.threshold_, self.fallback_threshold_).astype(int)

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        return self.decide(self.predict_proba(texts))

    def outcomes(self, proba: np.ndarray) -> np.ndarray:
        """'coded', 'uncertain' (review) or 'none' for each row of probabilities."""
        top = proba.max(axis=1) if proba.shape[1] else np.zeros(len(proba))
        out = np.full(len(proba), NO_THEME, dtype=object)
        out[top >= self.review_threshold_] = UNCERTAIN
        out[top >= self.threshold_] = CODED
        return out

    def explain(self, text: str, theme: str | int, top: int = 8) -> list[tuple[str, float]]:
        """The words and phrases that pushed ``text`` towards ``theme``, strongest first."""
        check_is_fitted(self, "coef_")
        j = theme if isinstance(theme, (int, np.integer)) else self.themes_.index(theme)
        if not self.learnable_[j]:
            return []
        parts = self.features_.contributions(text, self.coef_[j])
        ranked = sorted(
            ((t, v) for t, v in parts.items() if v > 0 and not only_function_words(t)),
            key=lambda tv: -tv[1],
        )
        return [(t, round(v, 4)) for t, v in ranked[:top]]

    def never_predicted(self) -> list[tuple[str, int]]:
        """Themes kept in the model but too rare to learn, with their example counts."""
        check_is_fitted(self, "coef_")
        return [(t, int(c)) for t, c, ok in zip(self.themes_, self.counts_, self.learnable_,
                                                strict=True) if not ok]


def _as_label_matrix(Y, themes: Sequence[str] | None) -> tuple[np.ndarray, list[str]]:
    if hasattr(Y, "columns"):
        names = [str(c) for c in Y.columns]
        Y = Y.to_numpy()
    else:
        Y = np.asarray(Y)
        names = None
    if Y.ndim != 2:
        raise ValueError("Y must be a 2-D (comments × themes) 0/1 matrix")
    Y = np.nan_to_num(Y.astype(float), nan=0.0)
    if not np.isin(Y, (0.0, 1.0)).all():
        raise ValueError("Y must hold only 0 and 1")
    if themes is not None:
        names = [str(t) for t in themes]
    if names is None:
        names = [f"theme {i + 1}" for i in range(Y.shape[1])]
    if len(names) != Y.shape[1]:
        raise ValueError(f"{len(names)} theme names for {Y.shape[1]} label columns")
    return Y.astype(np.int8), names
