"""Train, save and load a model directory: themes + sentiment + a JSON model card.

A MODEL_DIR holds ``model.json`` + ``model.npz`` (the fitted estimators, written by
``engage.nlp.safe_store``: structure as JSON, numbers as plain arrays, so opening a model a
colleague sent can never run code) and ``model_card.json`` (what it was trained on, when, with
which parameters, its cross-validated metrics and which themes it keeps but never predicts). The
card is plain JSON so an officer, a board paper or a reviewer can read what the model is without
Python. A folder holding only an old ``model.joblib`` (a pickle) is refused, never opened.

The theme and sentiment estimators share one fitted vectoriser, so prediction vectorises each
comment once.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from engage.errors import EngageError
from engage.progress import CancelFn, ProgressFn, Reporter

THEME_SEPARATOR = ";"
MODEL_STEM = "model"
MODEL_FILE = f"{MODEL_STEM}.json"
ARRAYS_FILE = f"{MODEL_STEM}.npz"
#: Written by Engage before models were pickle-free; refused because unpickling runs code.
LEGACY_PICKLE_FILE = "model.joblib"
CARD_FILE = "model_card.json"
#: 2: safe_store files (1 was a joblib pickle).
FORMAT_VERSION = 2
#: Themes with at least this many examples count in the "macro-F1" figure (as in issue 3).
MACRO_MIN_EXAMPLES = 20


class ModelError(EngageError):
    """A model directory is missing, unreadable or was made by an incompatible version."""


def default_model_dir() -> Path:
    """The shipped model: ``$ENGAGE_MODEL_DIR`` or ``models/default`` beside the package."""
    env = os.environ.get("ENGAGE_MODEL_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "models" / "default"


@dataclass
class Predictions:
    """Per-comment results in input order."""

    theme_proba: np.ndarray  # (n, n_themes) calibrated probabilities
    theme_labels: np.ndarray  # (n, n_themes) 0/1 as `classify` writes them
    outcomes: np.ndarray  # 'coded' / 'uncertain' / 'none'
    sentiment: np.ndarray | None = None  # values on the training scale
    sentiment_confidence: np.ndarray | None = None
    themes: list[str] = field(default_factory=list)
    #: (n, levels) probabilities, columns in ``sentiment_levels`` order, for blending
    sentiment_proba: np.ndarray | None = None
    sentiment_levels: np.ndarray | None = None

    def theme_names(self, row: int) -> list[str]:
        return [self.themes[j] for j in np.flatnonzero(self.theme_labels[row])]


@dataclass
class EngageModel:
    """The fitted theme and (optional) sentiment estimators and their card."""

    themes: object  # ThemeClassifier
    sentiment: object | None  # SentimentClassifier
    card: dict

    @property
    def theme_names(self) -> list[str]:
        return list(self.themes.themes_)

    @property
    def integer_sentiment(self) -> bool:
        return bool(self.card.get("sentiment", {}).get("integer_scale", False))

    def predict(
        self,
        texts: Sequence[str],
        batch_size: int = 5000,
        progress: ProgressFn | None = None,
        cancelled: CancelFn | None = None,
    ) -> Predictions:
        """Themes, outcomes and sentiment for every text, in batches (bounded memory).

        The results are written into arrays made once at full size, with decisions taken batch
        by batch: stacking per-batch arrays at the end, and deciding on the whole matrix at
        once, each held a second copy of a million rows at the peak (analysis went over 4 GB).
        """
        report = Reporter(progress, cancelled)
        total, k = len(texts), len(self.theme_names)
        report(0.0, "Classifying comments")
        proba = np.zeros((total, k), dtype=np.float32)
        labels = np.zeros((total, k), dtype=np.int8)
        outcomes = np.empty(total, dtype=object)
        sentiment = confidence = sentiment_proba = None
        if self.sentiment is not None:
            sentiment = np.empty(total, dtype=np.asarray(self.sentiment.classes_).dtype)
            confidence = np.empty(total, dtype=np.float64)
            sentiment_proba = np.empty((total, len(self.sentiment.classes_)), dtype=np.float32)
        for start in range(0, total, batch_size):
            end = min(total, start + batch_size)
            X = self.themes.features_.transform(list(texts[start:end]))
            batch = self.themes.predict_proba_matrix(X)
            proba[start:end] = batch
            labels[start:end] = self.themes.decide(batch)
            outcomes[start:end] = self.themes.outcomes(batch)
            if self.sentiment is not None:
                sp = self.sentiment.predict_proba_matrix(X)
                sentiment[start:end] = self.sentiment.classes_[sp.argmax(axis=1)]
                confidence[start:end] = sp.max(axis=1)
                sentiment_proba[start:end] = sp
            report(end / max(total, 1), f"Classified {end:,} of {total:,}")
        return Predictions(theme_proba=proba, theme_labels=labels, outcomes=outcomes,
                           sentiment=sentiment, sentiment_confidence=confidence,
                           themes=self.theme_names, sentiment_proba=sentiment_proba,
                           sentiment_levels=None if self.sentiment is None
                           else np.asarray(self.sentiment.classes_))


def predict_frame(
    model: EngageModel,
    texts: Sequence[str],
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> dict[str, list[str]]:
    """The `themes` and `sentiment` columns `engage classify` writes, as strings."""
    result = model.predict(texts, progress=progress, cancelled=cancelled)
    themes = [THEME_SEPARATOR.join(result.theme_names(i)) for i in range(len(texts))]
    if result.sentiment is None:
        sentiment = [""] * len(texts)
    elif model.integer_sentiment:
        sentiment = [str(int(round(v))) for v in result.sentiment]
    else:
        sentiment = [f"{v:g}" for v in result.sentiment]
    return {"themes": themes, "sentiment": sentiment}


# ----- training --------------------------------------------------------------------------------
def train_model(
    texts: Sequence[str],
    Y: np.ndarray,
    theme_names: Sequence[str],
    sentiment: np.ndarray | None = None,
    source: dict | None = None,
    cv: int = 5,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> EngageModel:
    """Fit themes (and sentiment if given) and write their cross-validated metrics on the card."""
    from engage.nlp.classifier import ThemeClassifier
    from engage.nlp.sentiment import SentimentClassifier

    report = Reporter(progress, cancelled)
    texts = ["" if t is None else str(t) for t in texts]
    Y = np.asarray(Y, dtype=np.int8)
    theme_share = 0.5 if sentiment is not None else 0.95
    themes = ThemeClassifier(cv=cv).fit(
        texts, Y, themes=list(theme_names), progress=report.span(0.0, theme_share)
    )
    report(theme_share, "Themes learnt")
    card = {
        "format_version": FORMAT_VERSION,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "engage_version": _engage_version(),
        "training_data": {**(source or {}), "rows": len(texts)},
        "parameters": {
            "features": _plain(themes.features_.get_params()),
            "themes": _plain({k: v for k, v in themes.get_params().items() if k != "features"}),
        },
        "themes": _theme_card(themes, Y),
    }
    sentiment_model = None
    if sentiment is not None:
        sentiment = np.asarray(sentiment, dtype=float)
        labelled = ~np.isnan(sentiment)
        X = themes.features_.transform([t for t, ok in zip(texts, labelled, strict=True) if ok])
        y = sentiment[labelled]
        sentiment_model = SentimentClassifier()
        sentiment_model.fit_matrix(X, y, themes.features_)
        card["parameters"]["sentiment"] = _plain(
            {k: v for k, v in sentiment_model.get_params().items() if k != "features"}
        )
        card["sentiment"] = _sentiment_card(
            sentiment_model, X, y, cv, report.span(theme_share, 0.98)
        )
    report(1.0, "Model trained")
    return EngageModel(themes=themes, sentiment=sentiment_model, card=card)


def _theme_card(themes, Y: np.ndarray) -> dict:
    """Counts, what is predicted, thresholds and out-of-fold metrics for the themes."""
    from sklearn.metrics import f1_score

    entries = [
        {"name": name, "examples": int(count), "predicted": bool(ok)}
        for name, count, ok in zip(themes.themes_, themes.counts_, themes.learnable_, strict=True)
    ]
    card = {
        "count": len(entries),
        "predicted": int(themes.learnable_.sum()),
        "never_predicted": [
            {"name": n, "examples": c} for n, c in themes.never_predicted()
        ],
        "min_examples": int(max(themes.min_examples, 2)),
        "threshold": themes.threshold_,
        "fallback_threshold": themes.fallback_threshold_,
        "review_threshold": themes.review_threshold_,
        "themes": entries,
    }
    if themes.oof_proba_ is not None:
        pred = themes.decide(themes.oof_proba_)
        big = themes.counts_ >= MACRO_MIN_EXAMPLES
        # Column by column: f1_score(average=None) reads a one-column matrix as one binary
        # target and returns a figure per class (two), not one per theme.
        per_theme = [f1_score(Y[:, j], pred[:, j], zero_division=0) for j in range(Y.shape[1])]
        for entry, f in zip(entries, per_theme, strict=True):
            if entry["predicted"]:
                entry["cv_f1"] = round(float(f), 4)
        card["cross_validation"] = {
            "method": f"{themes.cv}-fold out-of-fold predictions from the fit's own inner "
            "cross-validation; the thresholds were chosen on these same predictions, so the "
            "figures are slightly optimistic (benchmarks/bench_nlp_quality.py has nested ones)",
            "micro_f1": round(float(f1_score(Y, pred, average="micro", zero_division=0)), 4),
            f"macro_f1_themes_with_{MACRO_MIN_EXAMPLES}_plus": (
                round(float(f1_score(Y[:, big], pred[:, big], average="macro", zero_division=0)),
                      4) if big.any() else None
            ),
        }
    return card


def _sentiment_card(model, X, y: np.ndarray, cv: int, report: Reporter) -> dict:
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    from engage.nlp.sentiment import SentimentClassifier, three_level

    classes = model.classes_
    card = {
        "levels": [float(c) for c in classes],
        "integer_scale": bool(np.all(np.equal(np.mod(classes, 1), 0))),
        "examples_per_level": {str(_level(c)): int((y == c).sum()) for c in classes},
    }
    smallest = min(int((y == c).sum()) for c in classes)
    folds = min(cv, smallest)
    if folds < 2:
        return card
    pred = np.zeros_like(y)
    splitter = StratifiedKFold(folds, shuffle=True, random_state=0)
    for i, (train, test) in enumerate(splitter.split(X, y)):
        fold_model = SentimentClassifier(**model.get_params())
        fold_model.fit_matrix(X[train], y[train], model.features_)
        pred[test] = fold_model.predict_matrix(X[test])
        report((i + 1) / folds, f"Cross-validating sentiment ({i + 1}/{folds})")
    metrics = {
        "method": f"{folds}-fold stratified cross-validation (vocabulary fitted on all texts)",
        "macro_f1": round(float(f1_score(y, pred, average="macro")), 4),
    }
    if len(classes) == 5:
        y3, p3 = three_level(y, classes[1], classes[3]), three_level(pred, classes[1], classes[3])
        metrics["three_level_macro_f1"] = round(float(f1_score(y3, p3, average="macro")), 4)
        metrics["neutral_f1"] = round(float(f1_score(y3 == 1, p3 == 1)), 4)
    card["cross_validation"] = metrics
    return card


# ----- saving and loading ------------------------------------------------------------------
def save_model(model: EngageModel, directory: str | Path) -> Path:
    from engage.nlp import safe_store

    directory = Path(directory)
    if directory.exists() and not directory.is_dir():
        raise ModelError(f"cannot write the model: {directory} exists and is not a folder")
    directory.mkdir(parents=True, exist_ok=True)
    themes = model.themes
    # The out-of-fold probabilities were only needed for the card; keep the file small.
    oof, themes.oof_proba_ = themes.oof_proba_, None
    try:
        safe_store.save(
            {"format_version": FORMAT_VERSION, "themes": themes, "sentiment": model.sentiment},
            directory, stem=MODEL_STEM,
        )
    except OSError as exc:
        raise ModelError(f"cannot write the model to {directory}: {exc.strerror or exc}") from None
    finally:
        themes.oof_proba_ = oof
    (directory / LEGACY_PICKLE_FILE).unlink(missing_ok=True)
    (directory / CARD_FILE).write_text(
        json.dumps(model.card, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    return directory


def check_model_dir(directory: str | Path) -> Path:
    """The folder, if it looks like a model; a one-line ModelError saying what is wrong if not."""
    directory = Path(directory)
    if not directory.is_dir():
        raise ModelError(f"model folder not found: {directory}")
    if not (directory / MODEL_FILE).is_file():
        if (directory / LEGACY_PICKLE_FILE).is_file():
            raise ModelError(
                f"{directory / LEGACY_PICKLE_FILE} is an old pickle model, which Engage no longer "
                "opens because loading one can run code; train it again with `engage train`")
        raise ModelError(f"{directory} holds no {MODEL_FILE}; train one with `engage train`")
    return directory


def load_model(directory: str | Path | None = None) -> EngageModel:
    """Load a model folder without executing anything in it; refuse what is not a model."""
    from engage.nlp import safe_store
    from engage.nlp.classifier import ThemeClassifier
    from engage.nlp.sentiment import SentimentClassifier

    directory = check_model_dir(directory if directory is not None else default_model_dir())
    try:
        payload = safe_store.load(directory, stem=MODEL_STEM)
    except safe_store.SafeStoreError as exc:
        raise ModelError(f"cannot use the model in {directory}: {exc}") from None
    if not isinstance(payload, dict) or payload.get("format_version") != FORMAT_VERSION:
        raise ModelError(f"{directory / MODEL_FILE} was written by an incompatible version "
                         "of Engage")
    themes, sentiment = payload.get("themes"), payload.get("sentiment")
    if not isinstance(themes, ThemeClassifier) or not (
            sentiment is None or isinstance(sentiment, SentimentClassifier)):
        raise ModelError(f"{directory / MODEL_FILE} does not hold an Engage theme model")
    try:
        card = json.loads((directory / CARD_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        card = {}
    if not isinstance(card, dict):
        card = {}
    if sentiment is not None and not isinstance(card.get("sentiment"), dict):
        classes = sentiment.classes_
        card["sentiment"] = {"integer_scale": bool(np.all(np.mod(classes, 1) == 0))}
    model = EngageModel(themes=themes, sentiment=sentiment, card=card)
    _check_it_predicts(model, directory)
    return model


def _check_it_predicts(model: EngageModel, directory: Path) -> None:
    """A folder whose arrays were edited or mixed up fails here, not half-way through a run."""
    try:
        result = model.predict(["a short check that the model works", ""])
        ok = result.theme_proba.shape == (2, len(model.theme_names))
    except Exception:  # noqa: BLE001 - any failure means the saved arrays do not fit together
        ok = False
    if not ok:
        raise ModelError(f"the model in {directory} is damaged: its parts do not fit together")


def file_fingerprint(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _level(value: float):
    return int(value) if float(value).is_integer() else float(value)


def _plain(params: dict) -> dict:
    """JSON-safe copy of estimator parameters."""
    out = {}
    for key, value in params.items():
        if isinstance(value, tuple):
            value = list(value)
        if isinstance(value, (np.integer, np.floating)):
            value = value.item()
        if value is None or isinstance(value, (str, int, float, bool, list)):
            out[key] = value
        else:
            out[key] = repr(value)
    return out


def _engage_version() -> str:
    from engage import __version__

    return __version__
