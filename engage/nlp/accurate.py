"""The accurate model for `engage classify` and `engage train`: encoder + heads + fast model.

``AccurateModel`` has the fast ``EngageModel``'s ``predict`` contract, so ``predict_frame``
writes its columns the same way. Two cases:

- the shipped model (its themes are the encoder's framework themes): the encoder's fine-tuned
  heads blended with the fast model, as chosen by nested cross-validation (``AccurateHeads``);
- a model folder from ``engage train`` (its own themes): heads learnt by ``train_heads`` over
  [encoder vector ⊕ the model's TF-IDF features], saved beside it as ``accurate.json``/``.npz``
  with the thresholds chosen by cross-validation on its training data.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

from engage.nlp.encoder import Encoder, EncoderUnavailable
from engage.progress import CancelFn, ProgressFn, Reporter

CUSTOM_STEM = "accurate"
BATCH = 20_000
LEVELS = np.arange(1, 6)


class AccurateModel:
    """Predicts like ``EngageModel``, with the encoder's vectors in the decision."""

    def __init__(self, fast, model_dir: str | Path | None = None,
                 encoder_dir: str | Path | None = None) -> None:
        from engage.nlp.heads import load_heads
        from engage.nlp.safe_store import SafeStoreError, load

        self.fast = fast
        self.card = fast.card
        self.encoder = Encoder(encoder_dir)
        self.custom = None
        self.heads = None
        folder = Path(model_dir) if model_dir is not None else None
        if folder is not None and (folder / f"{CUSTOM_STEM}.json").is_file():
            try:
                self.custom = load(folder, CUSTOM_STEM)
            except SafeStoreError as exc:
                raise EncoderUnavailable(f"{folder}: accurate heads unusable: {exc}") from None
            if self.custom.get("encoder") != self.encoder.version:
                raise EncoderUnavailable(
                    f"{folder} was trained with another encoder ({self.custom.get('encoder')}); "
                    "retrain it with `engage train`, or use --fast")
        else:
            heads = load_heads(self.encoder.directory)
            if list(heads.themes_) != list(fast.theme_names):
                raise EncoderUnavailable(
                    "this model has no accurate heads (its themes are not the shipped ones); "
                    "retrain it with `engage train` to add them, or use --fast")
            self.heads = heads

    @property
    def theme_names(self) -> list[str]:
        return self.fast.theme_names

    @property
    def integer_sentiment(self) -> bool:
        return self.fast.integer_sentiment

    def predict(self, texts: Sequence[str], progress: ProgressFn | None = None,
                cancelled: CancelFn | None = None):
        report = Reporter(progress, cancelled)
        texts = list(texts)
        predictions = self.fast.predict(texts, progress=report.span(0.0, 0.1))
        vectors = self.encoder.encode(texts, progress=report.span(0.1, 0.95))
        report(0.95, "Applying the accurate heads")
        if self.heads is not None:
            self._shipped(predictions, vectors)
        else:
            self._custom(predictions, vectors, texts)
        report(1.0, "Classified")
        return predictions

    def _shipped(self, predictions, vectors: np.ndarray) -> None:
        heads = self.heads
        levels = predictions.sentiment_levels
        on_scale = levels is not None and np.all(np.isin(np.asarray(levels, float), LEVELS))
        for start in range(0, len(vectors), BATCH):
            end = min(len(vectors), start + BATCH)
            v = vectors[start:end]
            proba = heads.theme_proba(v, predictions.theme_proba[start:end])
            predictions.theme_proba[start:end] = heads.coding_proba(proba)
            predictions.theme_labels[start:end] = heads.decide(proba)
            predictions.outcomes[start:end] = _outcomes(predictions.theme_proba[start:end])
            if predictions.sentiment is not None and on_scale:
                fast = np.zeros((end - start, 5))
                fast[:, np.asarray(levels, int) - 1] = predictions.sentiment_proba[start:end]
                s = heads.sentiment_proba(v, fast)
                predictions.sentiment[start:end] = LEVELS[s.argmax(axis=1)]
                predictions.sentiment_confidence[start:end] = s.max(axis=1)

    def _custom(self, predictions, vectors: np.ndarray, texts: list[str]) -> None:
        custom = self.custom
        features = self.fast.themes.features_
        theme_head, threshold = custom["theme_head"], float(custom["threshold"])
        sentiment_head = custom.get("sentiment_head")
        for start in range(0, len(vectors), BATCH):
            end = min(len(vectors), start + BATCH)
            X = features.transform(texts[start:end])
            v = vectors[start:end]
            proba = theme_head.predict_proba(v, sparse=X)
            learnt = theme_head.learnable_
            mixed = predictions.theme_proba[start:end]
            mixed[:, learnt] = proba[:, learnt]
            labels = predictions.theme_labels[start:end]
            labels[:, learnt] = proba[:, learnt] >= threshold
            if sentiment_head is not None and predictions.sentiment is not None:
                s = sentiment_head.predict_proba(v, sparse=X)
                predictions.sentiment[start:end] = sentiment_head.classes_[s.argmax(axis=1)]
                predictions.sentiment_confidence[start:end] = s.max(axis=1)


def _outcomes(proba: np.ndarray) -> np.ndarray:
    top = proba.max(axis=1) if proba.shape[1] else np.zeros(len(proba))
    out = np.full(len(proba), "none", dtype=object)
    out[top >= 0.25] = "uncertain"
    out[top >= 0.5] = "coded"
    return out


def train_heads(fast, texts: Sequence[str], Y: np.ndarray, sentiment: np.ndarray | None,
                out: str | Path, encoder_dir: str | Path | None = None,
                progress: ProgressFn | None = None) -> dict:
    """Learn heads over [encoder vector ⊕ the fast model's features] for a trained model and
    save them in its folder; the theme threshold maximises 3-fold cross-validated micro-F1."""
    from sklearn.model_selection import KFold

    from engage.nlp.heads import SentimentHead, ThemeHead
    from engage.nlp.safe_store import save

    report = Reporter(progress)
    encoder = Encoder(encoder_dir)
    texts = list(texts)
    vectors = encoder.encode(texts, progress=report.span(0.0, 0.4))
    X = fast.themes.features_.transform(texts)
    Y = np.asarray(Y)
    oof = np.zeros(Y.shape, dtype=np.float32)
    split = list(KFold(3, shuffle=True, random_state=0).split(vectors))
    for k, (train, test) in enumerate(split):
        report(0.4 + 0.15 * k, "Cross-validating the accurate heads")
        head = ThemeHead().fit(vectors[train], Y[train], sparse=X[train])
        oof[test] = head.predict_proba(vectors[test], sparse=X[test])
    grid = np.arange(0.2, 0.91, 0.02)
    scores = [2 * np.sum((oof >= t) & (Y == 1)) / max(1, (oof >= t).sum() + Y.sum())
              for t in grid]
    threshold = float(grid[int(np.argmax(scores))])
    report(0.85, "Fitting the accurate heads")
    saved = {"encoder": encoder.version, "threshold": round(threshold, 2),
             "cv_micro_f1": round(float(max(scores)), 4),
             "theme_head": ThemeHead().fit(vectors, Y, sparse=X)}
    if sentiment is not None:
        known = ~np.isnan(np.asarray(sentiment, dtype=float))
        if len(np.unique(np.asarray(sentiment)[known])) >= 2:
            saved["sentiment_head"] = SentimentHead().fit(vectors[known],
                                                          np.asarray(sentiment)[known],
                                                          sparse=X[known])
    save(saved, out, CUSTOM_STEM)
    report(1.0, "Accurate heads ready")
    return {"encoder": encoder.version, "threshold": saved["threshold"],
            "cv_micro_f1": saved["cv_micro_f1"]}
