"""The kind of a comment: praise, complaint, suggestion, question, mixed, or none.

Why a kind apart from sentiment: in patient feedback an answer to "How could we improve?"
implies something was wrong, but in a consultation that asks "what matters to you?" a wish or a
priority ("Having my baby close to home") is not a complaint. Reading it as one told a board
that three quarters of its residents were unhappy. The kind says what a comment *does*:

- praise: reports a good experience or approval, and nothing bad;
- complaint: reports a bad experience or disapproval (with or without a suggestion);
- suggestion: a wish, a priority or an idea, without reporting a bad experience;
- question: asks for information ("When will the new practice open?");
- mixed: praise and complaint together ("lovely staff, but far too few of them");
- none: nothing to classify ("n/a", "no comment", "don't know").

How it is learnt, since no labelled consultation text exists: the shared patient-feedback file
gives weak labels from the question each comment answers ("What was good?" against "How could
we improve?") and its sentiment, sharpened by cues written here (``kind_cues``: modal wishes,
"more …", "should", question marks; the form of a priority — "Having …", "Being able to …",
"access to", "close to home", a phrase with no verb; and reports of what happened or is the
case — "was", "we've waited", "is rude"); the consultation comments written for this project
(``data/consultation_examples.csv``) are labelled by hand; and an officer's kinds teach a
second model whose say grows with their number. A weak label on a verbless phrase with no
verdict ("Friendly staff", "Quick appointments") counts a tenth: it is praise because of the
question it answered, and the same words in a consultation are a priority (``weak_weights``).
Features are word 1–2-gram TF-IDF over the raw words (stop words kept: "should", "more" and
"why" are the signal) plus the cue indicators; the estimator is a balanced multinomial
logistic regression.

Stored pickle-free: the vocabulary, IDF weights and coefficients as plain JSON
(``to_dict``/``from_dict``), so a model file can never run code when opened.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import normalize
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from engage.errors import EngageError
from engage.nlp.kind_cues import (
    CUES,
    DERIVED_CUES,
    cue_matrix,
    is_fragment,
    is_nothing,
    normalise,
)

KINDS = ("praise", "complaint", "suggestion", "question", "mixed", "none")
KIND_WORDS = {"praise": "Praise", "complaint": "Complaint", "suggestion": "Suggestion",
              "question": "Question", "mixed": "Mixed", "none": "None"}
#: What each kind means: the model card and the report's methodology both say it this way.
KIND_DEFINITIONS = {
    "praise": "reports a good experience or approval, and nothing bad",
    "complaint": "reports a bad experience or disapproval, with or without a suggestion",
    "suggestion": "a wish, a priority or an idea, without reporting a bad experience",
    "question": "asks for information",
    "mixed": "praise and complaint together",
    "none": "nothing to classify",
}
EXAMPLES_RESOURCE = "consultation_examples.csv"
MODEL_FILE = "kind_model.json"
FORMAT_VERSION = 3  # 2: derived cues; 3: priority-form and report cues (kind_cues)
OFFICER_MIN = 20  # officer-set kinds before a model of their calls is blended in
OFFICER_HALF = 40  # officer-set kinds at which their model weighs half
OFFICER_WEIGHT = 3.0  # an officer's kind counts as this many written examples
BATCH = 20_000  # comments classified at once


class KindError(EngageError):
    """A kind model file is missing, unreadable or of an unknown format, or a kind is unknown."""


def check_kind(kind: str | None) -> str | None:
    """The kind, lowercased; None stays None; anything else is an error naming the choices."""
    if kind is None:
        return None
    value = str(kind).strip().lower()
    if value not in KINDS:
        raise KindError(f"Kind '{kind}' is not one of: {', '.join(KINDS)}")
    return value


class KindClassifier(ClassifierMixin, BaseEstimator):
    """Praise / complaint / suggestion / question / mixed / none from raw comment text."""

    def __init__(self, C: float = 2.0, cue_scale: float = 1.0, min_df: int = 2,
                 max_features: int = 20000, class_weight: str | None = "balanced",
                 max_iter: int = 3000) -> None:
        self.C = C
        self.cue_scale = cue_scale
        self.min_df = min_df
        self.max_features = max_features
        self.class_weight = class_weight
        self.max_iter = max_iter

    # ----- features -----------------------------------------------------------------------
    def _vectoriser_params(self) -> dict:
        return {"ngram_range": (1, 2), "lowercase": False, "token_pattern": r"(?u)\b\w[\w']*\b"}

    def _features(self, texts: Sequence[str], cues: sp.csr_matrix | None = None) -> sp.csr_matrix:
        """Word TF-IDF ⊕ cue indicators; ``cues`` (from ``cue_matrix``) may be passed in when
        several models score the same texts, since the cues cost as much as the words."""
        clean = [normalise(t) for t in texts]
        counts = CountVectorizer(vocabulary=self.vocabulary_,
                                 **self._vectoriser_params()).transform(clean)
        counts = counts.astype(np.float64)
        counts.data = 1.0 + np.log(counts.data)  # sublinear tf, as fitted
        words = normalize(counts.multiply(self.idf_).tocsr())
        cues = cue_matrix(clean) if cues is None else cues
        return sp.hstack([words, self.cue_scale * cues], format="csr")

    # ----- fitting ------------------------------------------------------------------------
    def fit(self, texts: Sequence[str], y: Sequence[str], sample_weight=None) -> KindClassifier:
        texts = list(texts)
        y = np.asarray([check_kind(k) for k in y], dtype=object)
        if len(texts) != len(y):
            raise ValueError(f"{len(texts)} texts but {len(y)} kinds")
        self.classes_ = np.array([k for k in KINDS if k in set(y)], dtype=object)
        if len(self.classes_) < 2:
            raise ValueError("kind needs at least two different kinds to learn from")
        clean = [normalise(t) for t in texts]
        min_df = self.min_df if len(texts) >= 50 else 1
        tfidf = TfidfVectorizer(min_df=min_df, sublinear_tf=True,
                                max_features=self.max_features,
                                **self._vectoriser_params()).fit(clean)
        self.vocabulary_ = {term: int(i) for term, i in tfidf.vocabulary_.items()}
        self.idf_ = tfidf.idf_.astype(np.float64)
        X = self._features(texts)
        codes = np.array([list(self.classes_).index(k) for k in y])
        # newton-cg reaches the optimum about ten times faster than lbfgs on these features,
        # which keeps a retrain on the officers' kinds well under a second; one BLAS thread,
        # since its steps are small products that waking threads on busy cores only slows.
        self.model_ = LogisticRegression(C=self.C, class_weight=self.class_weight,
                                         max_iter=self.max_iter, solver="newton-cg")
        with threadpool_limits(limits=1, user_api="blas"):
            self.model_.fit(X, codes, sample_weight=sample_weight)
        return self

    # ----- predicting ---------------------------------------------------------------------
    def predict_proba(self, texts: Sequence[str], cues: sp.csr_matrix | None = None) -> np.ndarray:
        """(comments × classes_) probabilities; answers with nothing in them are 'none'."""
        check_is_fitted(self, "model_")
        texts = list(texts)
        proba = np.zeros((len(texts), len(self.classes_)))
        if texts:
            proba[:, self.model_.classes_] = self.model_.predict_proba(
                self._features(texts, cues))
        if "none" in self.classes_:
            none = list(self.classes_).index("none")
            for i, text in enumerate(texts):
                if is_nothing(text):
                    proba[i] = 0.0
                    proba[i, none] = 1.0
        return proba

    def predict(self, texts: Sequence[str]) -> np.ndarray:
        return self.classes_[self.predict_proba(texts).argmax(axis=1)]

    def proba_on_kinds(self, texts: Sequence[str], cues: sp.csr_matrix | None = None
                       ) -> np.ndarray:
        """(comments × KINDS) probabilities, zero for kinds this model never saw."""
        out = np.zeros((len(texts), len(KINDS)))
        columns = [KINDS.index(k) for k in self.classes_]
        out[:, columns] = self.predict_proba(texts, cues)
        return out

    # ----- pickle-free storage ------------------------------------------------------------
    def to_dict(self) -> dict:
        check_is_fitted(self, "model_")
        terms = sorted(self.vocabulary_, key=self.vocabulary_.get)
        return {
            "format": "engage-kind", "format_version": FORMAT_VERSION,
            "params": self.get_params(), "classes": [str(k) for k in self.classes_],
            "terms": terms, "idf": [round(float(v), 5) for v in self.idf_],
            "coef": np.round(self.model_.coef_, 5).tolist(),
            "intercept": np.round(self.model_.intercept_, 5).tolist(),
            "model_classes": [int(c) for c in self.model_.classes_],
        }

    @classmethod
    def from_dict(cls, data: dict) -> KindClassifier:
        if not isinstance(data, dict) or data.get("format") != "engage-kind":
            raise KindError("Not an Engage kind model (format 'engage-kind' expected)")
        if data.get("format_version") != FORMAT_VERSION:
            raise KindError(f"Kind model format {data.get('format_version')} is not "
                            f"{FORMAT_VERSION}; rebuild it with `python -m engage.nlp.kind`")
        try:
            params = {k: v for k, v in data["params"].items() if k in cls().get_params()}
            model = cls(**params)
            model.classes_ = np.array([check_kind(k) for k in data["classes"]], dtype=object)
            model.vocabulary_ = {term: i for i, term in enumerate(data["terms"])}
            model.idf_ = np.asarray(data["idf"], dtype=np.float64)
            inner = LogisticRegression(C=model.C)
            inner.coef_ = np.asarray(data["coef"], dtype=np.float64)
            inner.intercept_ = np.asarray(data["intercept"], dtype=np.float64)
            inner.classes_ = np.asarray(data["model_classes"], dtype=int)
            n_features = len(model.idf_) + len(CUES) + len(DERIVED_CUES)
            if inner.coef_.shape[1] != n_features or len(model.idf_) != len(model.vocabulary_):
                raise KindError("Kind model arrays do not match its vocabulary and cues")
            inner.n_features_in_ = n_features
            model.model_ = inner
        except (KeyError, TypeError, ValueError) as exc:
            raise KindError(f"Kind model file is damaged: {exc}") from None
        return model


# ----- weak labels from patient feedback -------------------------------------------------------
IMPROVE_QUESTIONS = ("how could we improve", "what could we do better")
GOOD_QUESTIONS = ("what was good",)

_WISH = re.compile("|".join(p for n, p in CUES if n in ("modal_wish", "need_want", "please",
                                                          "opening_request", "more_of")))
_HAPPENED = re.compile("|".join(p for n, p in CUES if n in ("happened", "waited_for",
                                                              "first_person_past")))
_PRAISE = re.compile(dict(CUES)["praise_word"])
_CONTRAST = re.compile(dict(CUES)["contrast"])


def weak_kind(text: str, question: str, sentiment: float | None) -> str | None:
    """A kind for a patient-feedback answer from its question and sentiment, or None (unsure).

    "What was good?" answers are praise when positive; "How could we improve?" answers are a
    suggestion unless they report what went wrong (then a complaint) or say all was well
    (praise); answers to "Why?" follow their sentiment. Only used to train, never shown.
    """
    if is_nothing(text):
        return "none"
    if sentiment is None or np.isnan(sentiment):
        return None
    clean, q = normalise(text), normalise(question)
    if q.rstrip("?").strip().startswith(IMPROVE_QUESTIONS):
        if sentiment <= 2:
            return "praise" if _PRAISE.search(clean) else None
        if sentiment == 3:
            return "suggestion" if _WISH.search(clean) else None
        if _HAPPENED.search(clean):
            return "complaint"
        return "suggestion" if _WISH.search(clean) else None
    if q.rstrip("?").strip().startswith(GOOD_QUESTIONS):
        return "praise" if sentiment <= 2 else None
    if sentiment <= 2:
        return "praise"
    if sentiment >= 4:
        return "complaint"
    # a neutral answer is mixed only when it holds praise and a turn against it
    return "mixed" if _PRAISE.search(clean) and _CONTRAST.search(clean) else None


def weak_labels(texts: Sequence[str], questions: Sequence[str],
                sentiments: Sequence[float | None]) -> list[str | None]:
    return [weak_kind(t, q, s) for t, q, s in zip(texts, questions, sentiments, strict=True)]


# ----- the written consultation examples ----------------------------------------------------------
@dataclass(frozen=True)
class Example:
    text: str
    kind: str
    themes: tuple[str, ...]
    sentiment: int


def load_examples() -> list[Example]:
    """The consultation comments written and labelled for this project (kind, themes, sentiment)."""
    import csv

    text = resources.files("engage.nlp.data").joinpath(EXAMPLES_RESOURCE).read_text("utf-8")
    return [Example(row["text"], check_kind(row["kind"]),
                    tuple(t.strip() for t in row["themes"].split(";") if t.strip()),
                    int(row["sentiment"]))
            for row in csv.DictReader(text.splitlines())]


# ----- the shipped model and officers' corrections ---------------------------------------------
def default_model_path() -> Path:
    """The shipped kind model: package data beside the taxonomy, so the wheel and the bundle
    carry it with no packaging change (``$ENGAGE_KIND_MODEL`` points elsewhere)."""
    import os

    env = os.environ.get("ENGAGE_KIND_MODEL")
    if env:
        return Path(env)
    return Path(str(resources.files("engage.nlp.data").joinpath(MODEL_FILE)))


def save_model(model: KindClassifier, path: str | Path, card: dict | None = None) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = model.to_dict()
    data["card"] = card or {}
    path.write_text(json.dumps(data, separators=(",", ":")), encoding="utf-8")
    return path


def load_model(path: str | Path | None = None) -> KindClassifier:
    path = Path(path) if path is not None else default_model_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise KindError(f"No kind model at {path}; build it with `python -m engage.nlp.kind`") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise KindError(f"Cannot read kind model {path}: {exc}") from None
    return KindClassifier.from_dict(data)


def officer_weight(n: int) -> float:
    """How much the model of officers' kinds counts (0 below OFFICER_MIN, half at OFFICER_HALF)."""
    return 0.0 if n < OFFICER_MIN else n / (n + OFFICER_HALF)


def officer_model(officer: Sequence[tuple[str, str]]) -> KindClassifier | None:
    """The model of the officers' (text, kind) calls plus the written examples, or None while
    there are fewer than OFFICER_MIN of them or they name a single kind."""
    if officer_weight(len(officer)) == 0 or len({k for _t, k in officer}) < 2:
        return None
    examples = load_examples()
    return KindClassifier().fit(
        [e.text for e in examples] + [t for t, _k in officer],
        [e.kind for e in examples] + [k for _t, k in officer],
        sample_weight=[1.0] * len(examples) + [OFFICER_WEIGHT] * len(officer))


def predict_kinds(texts: Sequence[str], officer: Sequence[tuple[str, str]] = (),
                  model: KindClassifier | None = None,
                  cancelled: Callable[[], bool] | None = None) -> tuple[list[str], np.ndarray]:
    """(kinds, confidences) for ``texts``: the shipped model, blended with a model of the
    officers' own kinds once there are OFFICER_MIN of them.

    The officers' model learns from their kinds (each weighing OFFICER_WEIGHT examples) plus
    the written consultation examples, so a handful of corrections cannot make it forget the
    kinds they have not shown it.
    """
    all_texts = list(texts)
    if not all_texts:
        return [], np.zeros(0)
    # identical answers ("More staff", "n/a") are classified once
    position: dict[str, int] = {}
    inverse = np.array([position.setdefault(t, len(position)) for t in all_texts])
    texts = list(position)
    model = model if model is not None else load_model()
    weight = officer_weight(len(officer))
    warm = officer_model(officer)
    proba = np.zeros((len(texts), len(KINDS)))
    for start in range(0, len(texts), BATCH):
        if cancelled is not None and cancelled():
            from engage.progress import Cancelled

            raise Cancelled()
        batch = texts[start:start + BATCH]
        cues = cue_matrix([normalise(t) for t in batch])
        part = model.proba_on_kinds(batch, cues)
        if warm is not None:
            part = (1 - weight) * part + weight * warm.proba_on_kinds(batch, cues)
        proba[start:start + len(batch)] = part
    best = proba.argmax(axis=1)
    confidence = proba[np.arange(len(texts)), best]
    return [KINDS[best[i]] for i in inverse], confidence[inverse]


# ----- building the shipped model ------------------------------------------------------------
PATIENT_FEEDBACK_WEIGHT = 0.5  # a weak label counts half a written example
FRAGMENT_WEIGHT = 0.1  # ... a verbless phrase with no verdict a tenth of that (weak_weights)
NONE_WEIGHT = 0.0  # ... and an empty answer nothing: is_nothing makes it 'none' by rule


def patient_feedback_examples(train_csv: str | Path) -> tuple[list[str], list[str]]:
    """(texts, weak kinds) from the shared patient-feedback file, rows with no weak kind left out."""
    import pandas as pd

    frame = pd.read_csv(train_csv)
    labels = weak_labels(frame["FFT answer"].fillna("").astype(str).tolist(),
                         frame["FFT question"].fillna("").astype(str).tolist(),
                         pd.to_numeric(frame["Comment sentiment"], errors="coerce").tolist())
    keep = [i for i, k in enumerate(labels) if k is not None]
    texts = frame["FFT answer"].fillna("").astype(str).tolist()
    return [texts[i] for i in keep], [labels[i] for i in keep]


def weak_weights(texts: Sequence[str], kinds: Sequence[str],
                 pf_weight: float = PATIENT_FEEDBACK_WEIGHT,
                 fragment_weight: float = FRAGMENT_WEIGHT,
                 none_weight: float = NONE_WEIGHT) -> np.ndarray:
    """Training weight of each weak label: ``pf_weight``, times ``fragment_weight`` for praise
    or a complaint in a phrase with no verb and no verdict ("Friendly staff", "Quick
    appointments", "Parking"), times ``none_weight`` for an answer with nothing in it.

    Such a phrase takes its kind from the question it answered ("What was good?"), not from
    its words; in a consultation the same words answer "What matters to you?" and are a
    priority (kind_cues.is_fragment). Answers with nothing in them are 'none' by rule at
    prediction, so the weak ones need not teach the model that every short phrase is 'none'.
    """
    def weight(text: str, kind: str) -> float:
        if kind == "none":
            return none_weight
        return fragment_weight if kind in ("praise", "complaint") and is_fragment(text) else 1.0

    return np.asarray([pf_weight * weight(t, k) for t, k in zip(texts, kinds, strict=True)])


def training_set(train_csv: str | Path | None, examples: Sequence[Example] | None = None,
                 pf_weight: float = PATIENT_FEEDBACK_WEIGHT,
                 fragment_weight: float = FRAGMENT_WEIGHT, none_weight: float = NONE_WEIGHT):
    """(texts, kinds, weights): weak patient-feedback labels + the written examples."""
    examples = list(examples) if examples is not None else load_examples()
    texts, kinds = patient_feedback_examples(train_csv) if train_csv else ([], [])
    weights = list(weak_weights(texts, kinds, pf_weight, fragment_weight, none_weight))
    texts += [e.text for e in examples]
    kinds += [e.kind for e in examples]
    weights += [1.0] * len(examples)
    return texts, kinds, np.asarray(weights)


def build(train_csv: str | Path, out: str | Path | None = None) -> Path:
    """Fit the shipped kind model and write it (plain JSON) with its card."""
    import datetime as _dt
    import hashlib

    texts, kinds, weights = training_set(train_csv)
    model = KindClassifier().fit(texts, kinds, sample_weight=weights)
    counts = {k: int(sum(1 for x in kinds if x == k)) for k in KINDS}
    card = {
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "training_data": {
            "patient_feedback": {"file": Path(train_csv).name,
                                 "sha256": hashlib.sha256(Path(train_csv).read_bytes()).hexdigest(),
                                 "rows_with_weak_kind": len(texts) - len(load_examples()),
                                 "weight": PATIENT_FEEDBACK_WEIGHT,
                                 "fragment_weight": FRAGMENT_WEIGHT,
                                 "none_weight": NONE_WEIGHT},
            "written_examples": {"file": EXAMPLES_RESOURCE, "rows": len(load_examples())},
            "kinds": counts,
        },
        "definition": dict(KIND_DEFINITIONS),
        "metrics": "see benchmarks/bench_kind.py (5-fold CV on the written examples)",
    }
    return save_model(model, out or default_model_path(), card)


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    from engage.nlp.build_models import DEFAULT_DATA

    parser = argparse.ArgumentParser(prog="python -m engage.nlp.kind",
                                     description="Rebuild the shipped kind-of-comment model.")
    parser.add_argument("--input", default=str(DEFAULT_DATA), help="patient-feedback CSV")
    parser.add_argument("--out", default=None, help="model file (default: engage/nlp/data/)")
    args = parser.parse_args(argv)
    print(f"Kind model written to {build(args.input, args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
