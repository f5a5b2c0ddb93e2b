"""Cross-validated quality of the theme and sentiment models against a plain baseline.

Reporting, not asserting. On ../shared/data/patient-feedback/train.csv, in one run and on the
same 5 folds (KFold, shuffled, seed 0):

- ours: ``ThemeClassifier`` and ``SentimentClassifier`` exactly as ``engage train`` fits them
  (all their tuning happens inside each training fold, so the figures are nested CV);
- baseline (issue 13's, exactly): word 1–2-gram ⊕ char_wb 2–5-gram TF-IDF (min_df 2,
  sublinear); one-vs-rest ``LogisticRegression(C=10, class_weight="balanced", max_iter=2000)``
  at the default 0.5 threshold for themes; the same features with
  ``LogisticRegression(C=5, class_weight="balanced")`` for sentiment;
- a learning curve: theme macro-F1 after 200, 500 and 1,000 coded comments, coding them in
  active-learning order (uncertainty sampling from a random seed of 100) or in random order.

Every figure comes with a bootstrap 95% interval (comments resampled with replacement from the
pooled out-of-fold predictions). Prints a table and writes benchmarks/results/nlp_quality.json.

    .venv/bin/python benchmarks/bench_nlp_quality.py [--quick] [--data CSV]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engage.nlp.classifier import ThemeClassifier  # noqa: E402
from engage.nlp.sentiment import SentimentClassifier, three_level  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "patient-feedback" / "train.csv"
RESULTS = ROOT / "benchmarks" / "results" / "nlp_quality.json"
MACRO_MIN = 20
CURVE_SIZES = (200, 500, 1000)
SEED_SET, BATCH = 100, 100


# ----- metrics (numpy, so 1,000 bootstrap resamples take seconds) --------------------------------
def micro_f1(Y: np.ndarray, P: np.ndarray) -> float:
    tp = np.sum(Y & P)
    return float(2 * tp / max(1, Y.sum() + P.sum()))


def macro_f1(Y: np.ndarray, P: np.ndarray) -> float:
    tp = (Y & P).sum(axis=0)
    denom = Y.sum(axis=0) + P.sum(axis=0)
    return float(np.mean(np.where(denom > 0, 2 * tp / np.maximum(denom, 1), 0.0)))


def class_macro_f1(y: np.ndarray, p: np.ndarray, classes) -> float:
    return float(np.mean([binary_f1(y == c, p == c) for c in classes]))


def binary_f1(y: np.ndarray, p: np.ndarray) -> float:
    tp = np.sum(y & p)
    return float(2 * tp / max(1, y.sum() + p.sum()))


def bootstrap(metric, *arrays, n: int = 1000, seed: int = 0) -> dict:
    """Point estimate and percentile 95% interval over resampled comments."""
    rng = np.random.default_rng(seed)
    size = len(arrays[0])
    values = [metric(*(a[idx] for a in arrays))
              for idx in (rng.integers(0, size, size) for _ in range(n))]
    low, high = np.percentile(values, [2.5, 97.5])
    return {"value": round(metric(*arrays), 4), "ci95": [round(float(low), 4),
                                                         round(float(high), 4)]}


# ----- models --------------------------------------------------------------------------------
def baseline_features():
    """Issue 13's baseline, exactly: word 1–2-gram ⊕ char_wb 2–5-gram TF-IDF, min_df 2,
    sublinear term frequency."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_union

    return make_union(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2, sublinear_tf=True),
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True))


def baseline_theme_proba(train_texts, Y_train, test_texts) -> np.ndarray:
    """One-vs-rest LogisticRegression(C=10, class_weight="balanced", max_iter=2000)."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    vec = baseline_features()
    X, Xt = vec.fit_transform(train_texts), vec.transform(test_texts)
    present = Y_train.sum(axis=0) > 0  # a column with no positive example cannot be fitted
    proba = np.zeros((len(test_texts), Y_train.shape[1]))
    model = OneVsRestClassifier(LogisticRegression(C=10, class_weight="balanced",
                                                   max_iter=2000))
    model.fit(X, Y_train[:, present])
    proba[:, present] = model.predict_proba(Xt)
    return proba


def baseline_themes(train_texts, Y_train, test_texts) -> np.ndarray:
    """The baseline's theme labels at its default 0.5 threshold."""
    return baseline_theme_proba(train_texts, Y_train, test_texts) >= 0.5


def baseline_sentiment_proba(train_texts, y_train, test_texts):
    """(classes, probabilities): the same features + LogisticRegression(C=5, balanced)."""
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import LogisticRegression

    vec = baseline_features()
    X = vec.fit_transform(train_texts)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model = LogisticRegression(C=5, class_weight="balanced").fit(X, y_train)
    return model.classes_, model.predict_proba(vec.transform(test_texts))


def baseline_sentiment(train_texts, y_train, test_texts) -> np.ndarray:
    classes, proba = baseline_sentiment_proba(train_texts, y_train, test_texts)
    return classes[proba.argmax(axis=1)]


def learning_curve(texts, Y, train, test, big, order: str, seed: int) -> dict[int, np.ndarray]:
    """Predictions on ``test`` after coding 200/500/1,000 comments of ``train`` in ``order``."""
    rng = np.random.default_rng(seed)
    pool = list(rng.permutation(train))
    coded, pool = pool[:SEED_SET], pool[SEED_SET:]
    out: dict[int, np.ndarray] = {}
    while True:
        model = ThemeClassifier(cv=3).fit(texts[coded], Y[coded])
        if len(coded) in CURVE_SIZES:
            out[len(coded)] = model.predict(texts[test]).astype(bool)
        if len(coded) >= max(CURVE_SIZES):
            return out
        if order == "random":
            nxt = min(s for s in (*CURVE_SIZES, len(coded) + BATCH) if s > len(coded))
            take = nxt - len(coded)
            coded, pool = coded + pool[:take], pool[take:]
            continue
        proba = model.predict_proba(texts[pool])[:, model.learnable_]
        uncertainty = -np.min(np.abs(_logit(proba) - _logit(model.threshold_)), axis=1) \
            if proba.shape[1] else rng.random(len(pool))
        take = np.argsort(-uncertainty)[:BATCH]
        chosen = set(take.tolist())
        coded = coded + [pool[i] for i in take]
        pool = [p for i, p in enumerate(pool) if i not in chosen]


def _logit(p):
    p = np.clip(p, 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


# ----- the run -------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--quick", action="store_true", help="2 folds for the learning curve")
    parser.add_argument("--folds", type=int, default=5)
    args = parser.parse_args()
    if not Path(args.data).is_file():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    from sklearn.model_selection import KFold

    frame = pd.read_csv(args.data)
    columns = list(frame.columns)
    themes = columns[columns.index("Comment sentiment") + 1 :]
    texts = frame["FFT answer"].fillna("").astype(str).to_numpy(dtype=object)
    Y = frame[themes].fillna(0).to_numpy().astype(int)
    sentiment = frame["Comment sentiment"].to_numpy(dtype=float)
    big = Y.sum(axis=0) >= MACRO_MIN
    Yb = Y.astype(bool)

    ours_t = np.zeros_like(Yb)
    base_t = np.zeros_like(Yb)
    ours_s = np.full(len(texts), np.nan)
    base_s = np.full(len(texts), np.nan)
    curve = {order: {n: np.zeros_like(Yb) for n in CURVE_SIZES} for order in ("active", "random")}
    curve_rows: list[np.ndarray] = []
    timings = {"ours_themes": [], "ours_sentiment": [], "baseline_themes": [],
               "baseline_sentiment": [], "learning_curve": []}
    folds = list(KFold(args.folds, shuffle=True, random_state=0).split(texts))
    curve_folds = 2 if args.quick else len(folds)
    for i, (train, test) in enumerate(folds):
        t0 = time.perf_counter()
        ours_t[test] = ThemeClassifier().fit(texts[train], Y[train]).predict(texts[test])
        t1 = time.perf_counter()
        base_t[test] = baseline_themes(texts[train], Y[train], texts[test])
        t2 = time.perf_counter()
        labelled = train[~np.isnan(sentiment[train])]
        ours_s[test] = SentimentClassifier().fit(texts[train], sentiment[train]).predict(
            texts[test])
        t3 = time.perf_counter()
        base_s[test] = baseline_sentiment(texts[labelled], sentiment[labelled], texts[test])
        t4 = time.perf_counter()
        timings["ours_themes"].append(t1 - t0)
        timings["baseline_themes"].append(t2 - t1)
        timings["ours_sentiment"].append(t3 - t2)
        timings["baseline_sentiment"].append(t4 - t3)
        if i < curve_folds:
            for order in ("active", "random"):
                for n, pred in learning_curve(texts, Y, train, test, big, order, seed=i).items():
                    curve[order][n][test] = pred
            curve_rows.append(test)
            timings["learning_curve"].append(time.perf_counter() - t4)
        print(f"fold {i + 1}/{len(folds)} done ({time.perf_counter() - t0:.0f} s)", flush=True)

    def themes_block(P):
        return {
            "micro_f1": bootstrap(micro_f1, Yb, P),
            f"macro_f1_themes_{MACRO_MIN}plus": bootstrap(macro_f1, Yb[:, big], P[:, big]),
        }

    known = ~np.isnan(sentiment)
    levels = np.unique(sentiment[known])

    def sentiment_block(pred):
        y, p = sentiment[known], pred[known]
        y3, p3 = three_level(y), three_level(p)
        return {
            "macro_f1_5_levels": bootstrap(lambda a, b: class_macro_f1(a, b, levels), y, p),
            "macro_f1_3_levels": bootstrap(lambda a, b: class_macro_f1(a, b, (0, 1, 2)), y3, p3),
            "neutral_f1": bootstrap(lambda a, b: binary_f1(a == 1, b == 1), y3, p3),
        }

    rows = np.concatenate(curve_rows)
    learning = {
        order: {str(n): bootstrap(macro_f1, Yb[rows][:, big], curve[order][n][rows][:, big])
                for n in CURVE_SIZES}
        for order in ("active", "random")
    }
    results = {
        "data": {"file": str(Path(args.data).name), "comments": len(texts), "themes": len(themes),
                 f"themes_with_{MACRO_MIN}_plus": int(big.sum()),
                 "labelled_sentiment": int(known.sum())},
        "method": {"folds": args.folds, "split": "KFold(shuffle=True, random_state=0)",
                   "bootstrap": "1,000 resamples of comments, percentile 95% interval",
                   "learning_curve_folds": curve_folds,
                   "learning_curve": f"seed {SEED_SET} random, then batches of {BATCH}; "
                                     "active = closest to the coding threshold (logit)"},
        "themes": {"ours": themes_block(ours_t), "baseline": themes_block(base_t)},
        "sentiment": {"ours": sentiment_block(ours_s), "baseline": sentiment_block(base_s)},
        "learning_curve_macro_f1": learning,
        "fit_seconds_median": {k: round(float(np.median(v)), 2) for k, v in timings.items() if v},
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print_table(results)
    print(f"\nwritten {RESULTS.relative_to(ROOT)}")
    return 0


def _fmt(entry: dict) -> str:
    low, high = entry["ci95"]
    return f"{entry['value']:.3f} [{low:.3f}, {high:.3f}]"


def print_table(results: dict) -> None:
    print(f"\n{'metric':<34} {'ours (95% CI)':<24} {'baseline (95% CI)':<24}")
    for group in ("themes", "sentiment"):
        for key in results[group]["ours"]:
            print(f"{group + ' ' + key:<34} {_fmt(results[group]['ours'][key]):<24} "
                  f"{_fmt(results[group]['baseline'][key]):<24}")
    print(f"\n{'learning curve (macro-F1)':<34} {'active learning':<24} {'random order':<24}")
    for n in results["learning_curve_macro_f1"]["active"]:
        print(f"{'after ' + n + ' coded comments':<34} "
              f"{_fmt(results['learning_curve_macro_f1']['active'][n]):<24} "
              f"{_fmt(results['learning_curve_macro_f1']['random'][n]):<24}")


if __name__ == "__main__":
    sys.exit(main())
