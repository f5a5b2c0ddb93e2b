"""Small models over the encoder's stored vectors: the accurate pass's themes and sentiment.

Two kinds of head, both cheap because the expensive part — the encoder — has already run once
per comment and its vectors are stored in the project:

- ``AccurateHeads``: the linear theme and sentiment layers fine-tuned together with the encoder
  on NHS patient feedback, plus how to blend them with the fast (sparse TF-IDF) model's
  probabilities — weights and theme threshold chosen by nested cross-validation
  (``benchmarks/bench_accurate.py``). Shipped beside the ONNX file as ``heads.json``/``.npz``.
- ``ThemeHead`` / ``SentimentHead``: logistic regressions over [standardised vector ⊕ sparse
  text features], fitted from an officer's corrections in well under five seconds, so the
  accurate pass learns a consultation's own codings as the fast one does.

Blends are in logit space (themes) and log-probability space (sentiment): a weight of 0 is the
fast model alone, 1 the encoder alone.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

HEADS_STEM = "heads"
EPS = 1e-6


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, EPS, 1 - EPS)
    return np.log(p / (1 - p))


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-z))


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def blend_themes(encoder_p: np.ndarray, fast_p: np.ndarray | None, weight: float) -> np.ndarray:
    """Logit-space blend: weight 1 = encoder alone, 0 = fast model alone."""
    if fast_p is None or weight >= 1.0:
        return encoder_p.astype(np.float32)
    z = weight * _logit(encoder_p) + (1 - weight) * _logit(fast_p)
    return _sigmoid(z).astype(np.float32)


def blend_sentiment(encoder_p: np.ndarray, fast_p: np.ndarray | None,
                    weight: float) -> np.ndarray:
    """Log-space blend of two (n, 5) level distributions, renormalised."""
    if fast_p is None or weight >= 1.0:
        return encoder_p.astype(np.float32)
    z = weight * np.log(encoder_p + 1e-9) + (1 - weight) * np.log(fast_p + 1e-9)
    return _softmax(z).astype(np.float32)


def shift_themes(proba: np.ndarray, offsets: np.ndarray) -> np.ndarray:
    """Each theme's logit lowered by its offset: a per-theme threshold expressed so that one
    shared threshold (and the fast pass's 0.5 coding rule) still applies. Rare themes need a
    different cut from common ones, which a single threshold cannot give them."""
    if not np.any(offsets):
        return proba
    return _sigmoid(_logit(proba) - offsets).astype(np.float32)


def bias_levels(proba: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """A log-space bias per sentiment level, renormalised: class weighting in training leaves
    the small neutral and mixed levels under-called, which a per-level prior corrects."""
    if not np.any(bias):
        return proba
    return _softmax(np.log(proba + 1e-9) + bias).astype(np.float32)


def _vector(values, size: int) -> np.ndarray:
    if values is None:
        return np.zeros(size, dtype=np.float32)
    out = np.asarray(values, dtype=np.float32).reshape(-1)
    if out.shape != (size,):
        raise ValueError(f"expected {size} values, got {out.shape[0]}")
    return out


class AccurateHeads:
    """The encoder's fine-tuned linear heads and the blend with the fast model.

    Fitted attributes (plain arrays and numbers, so ``safe_store`` saves them):
    ``themes_`` (framework theme names), ``theme_w_`` (themes × dim), ``theme_b_``,
    ``sentiment_w_`` (5 × dim), ``sentiment_b_``, ``theme_weight_``, ``sentiment_weight_``,
    ``threshold_`` and ``fallback_`` (as ``ThemeClassifier``: a comment with no theme at the
    threshold takes its best theme if that reaches the fallback), ``theme_offsets_`` (one logit
    offset per theme) and ``sentiment_bias_`` (one log-space bias per level), all chosen by
    nested cross-validation.
    """

    def __init__(self, themes, theme_w, theme_b, sentiment_w, sentiment_b,
                 theme_weight: float = 1.0, sentiment_weight: float = 1.0,
                 threshold: float = 0.5, fallback: float = 0.5,
                 theme_offsets=None, sentiment_bias=None) -> None:
        self.themes_ = list(themes)
        self.theme_w_ = np.asarray(theme_w, dtype=np.float32)
        self.theme_b_ = np.asarray(theme_b, dtype=np.float32)
        self.sentiment_w_ = np.asarray(sentiment_w, dtype=np.float32)
        self.sentiment_b_ = np.asarray(sentiment_b, dtype=np.float32)
        self.theme_weight_ = float(theme_weight)
        self.sentiment_weight_ = float(sentiment_weight)
        self.threshold_ = float(threshold)
        self.fallback_ = float(fallback)
        self.theme_offsets_ = _vector(theme_offsets, len(self.themes_))
        self.sentiment_bias_ = _vector(sentiment_bias, 5)

    # encoder alone
    def encoder_theme_proba(self, vectors: np.ndarray) -> np.ndarray:
        return _sigmoid(np.asarray(vectors, np.float32) @ self.theme_w_.T + self.theme_b_)

    def encoder_sentiment_proba(self, vectors: np.ndarray) -> np.ndarray:
        return _softmax(np.asarray(vectors, np.float32) @ self.sentiment_w_.T
                        + self.sentiment_b_)

    # blended with the fast model, then each theme's and level's own correction
    def theme_proba(self, vectors: np.ndarray, fast_p: np.ndarray | None = None) -> np.ndarray:
        blended = blend_themes(self.encoder_theme_proba(vectors), fast_p, self.theme_weight_)
        return shift_themes(blended, self._offsets())

    def sentiment_proba(self, vectors: np.ndarray,
                        fast_p: np.ndarray | None = None) -> np.ndarray:
        blended = blend_sentiment(self.encoder_sentiment_proba(vectors), fast_p,
                                  self.sentiment_weight_)
        return bias_levels(blended, self._bias())

    def _offsets(self) -> np.ndarray:
        # heads saved before the per-theme corrections existed have no such attribute
        return getattr(self, "theme_offsets_", np.zeros(len(self.themes_), np.float32))

    def _bias(self) -> np.ndarray:
        return getattr(self, "sentiment_bias_", np.zeros(5, np.float32))

    def coding_proba(self, proba: np.ndarray) -> np.ndarray:
        """Probabilities shifted in logit space so the chosen threshold lands on 0.5, the
        pipeline's coding threshold."""
        return _sigmoid(_logit(proba) - _logit(np.array(self.threshold_))).astype(np.float32)

    def decide(self, proba: np.ndarray) -> np.ndarray:
        pred = proba >= self.threshold_
        if self.fallback_ < self.threshold_ and proba.shape[1]:
            rows = np.flatnonzero(~pred.any(axis=1))
            top = proba[rows].argmax(axis=1)
            ok = proba[rows, top] >= self.fallback_
            pred[rows[ok], top[ok]] = True
        return pred


def _design(vectors: np.ndarray, sparse: sp.spmatrix | None, scaler) -> sp.csr_matrix:
    dense = scaler.transform(np.asarray(vectors, dtype=np.float32)) * _DENSE_SCALE
    if sparse is None:
        return dense
    return sp.hstack([sp.csr_matrix(dense), sparse], format="csr")


#: Standardised vector components are O(1) and there are 384 of them (row norm ~20), against
#: TF-IDF rows of unit length: shrink the dense block to a norm of ~2 so neither drowns the
#: other under one penalty.
_DENSE_SCALE = 0.1


class ThemeHead:
    """One logistic regression per theme over [vector ⊕ sparse features]; themes with fewer
    than ``min_examples`` positives are not learnt (their column stays 0).

    Fitted with one BLAS thread: each L-BFGS step is a small product, and on two busy cores
    waking BLAS threads for it cost ten times the step (1,000 officer codings: 4.6 s → 0.5 s,
    ``benchmarks/bench_retrain.py``)."""

    def __init__(self, C: float = 4.0, min_examples: int = 3) -> None:
        self.C = C
        self.min_examples = min_examples

    def fit(self, vectors: np.ndarray, Y: np.ndarray, sparse: sp.spmatrix | None = None):
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler
        from threadpoolctl import threadpool_limits

        Y = np.asarray(Y)
        self.scaler_ = StandardScaler().fit(np.asarray(vectors, dtype=np.float32))
        X = _design(vectors, sparse, self.scaler_)
        self.counts_ = Y.sum(axis=0).astype(int)
        self.learnable_ = (self.counts_ >= self.min_examples) & (self.counts_ < len(Y))
        self.models_ = []
        with threadpool_limits(limits=1, user_api="blas"):
            for j in range(Y.shape[1]):
                if not self.learnable_[j]:
                    self.models_.append(None)
                    continue
                self.models_.append(LogisticRegression(
                    C=self.C, class_weight="balanced", max_iter=500,
                    solver="liblinear" if sp.issparse(X) else "lbfgs").fit(X, Y[:, j]))
        return self

    def predict_proba(self, vectors: np.ndarray, sparse: sp.spmatrix | None = None):
        X = _design(vectors, sparse, self.scaler_)
        out = np.zeros((X.shape[0], len(self.models_)), dtype=np.float32)
        for j, model in enumerate(self.models_):
            if model is not None:
                out[:, j] = model.predict_proba(X)[:, 1]
        return out


class SentimentHead:
    """Multinomial logistic regression over [vector ⊕ sparse features] for sentiment levels."""

    def __init__(self, C: float = 2.0) -> None:
        self.C = C

    def fit(self, vectors: np.ndarray, y, sparse: sp.spmatrix | None = None):
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler
        from threadpoolctl import threadpool_limits

        self.scaler_ = StandardScaler().fit(np.asarray(vectors, dtype=np.float32))
        X = _design(vectors, sparse, self.scaler_)
        with threadpool_limits(limits=1, user_api="blas"):  # as ThemeHead.fit
            self.model_ = LogisticRegression(C=self.C, class_weight="balanced",
                                             max_iter=1000).fit(X, np.asarray(y))
        self.classes_ = self.model_.classes_
        return self

    def predict_proba(self, vectors: np.ndarray, sparse: sp.spmatrix | None = None):
        return self.model_.predict_proba(_design(vectors, sparse, self.scaler_))


def load_heads(directory) -> AccurateHeads:
    """The shipped heads beside the encoder (``heads.json`` + ``heads.npz``, pickle-free)."""
    from pathlib import Path

    from engage.nlp.encoder import EncoderUnavailable
    from engage.nlp.safe_store import SafeStoreError, load

    try:
        heads = load(Path(directory), HEADS_STEM)
    except SafeStoreError as exc:
        raise EncoderUnavailable(f"the accurate model's heads cannot be used: {exc}") from None
    if not isinstance(heads, AccurateHeads):
        raise EncoderUnavailable(f"{directory}/{HEADS_STEM}.json does not hold accurate heads")
    return heads
