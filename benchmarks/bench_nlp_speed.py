"""Speed of the supervised models: prediction throughput, retrain time, SVC comparison.

Reporting, not asserting. Uses the labelled patient feedback (../shared) to train and, repeated,
~29,000 comments to classify (the size of Dorset's Big Ask). Prints medians of several runs:

- prediction: themes + sentiment for 29,000 raw comments (vectorising included), comments/s;
- retrain after new codings: ``ThemeClassifier.refit`` on all 4,905 coded comments, and the
  full ``fit`` (with its inner cross-validation) for reference;
- comparison: a TF-IDF + one-vs-rest kernel SVC with probability outputs, the kind of pipeline
  pxtextmining ships (their published figure: ~5.5 s per 1,000 comments on 2 cores), timed
  here predicting 1,000 comments.

    .venv/bin/python benchmarks/bench_nlp_speed.py [--runs 5] [--skip-svc]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engage.nlp import modelio  # noqa: E402
from engage.nlp.classifier import ThemeClassifier  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "patient-feedback" / "train.csv"
N_PREDICT = 29_000
PXTEXTMINING_S_PER_1000 = 5.5


def timed(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default=str(DATA))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-svc", action="store_true", help="skip the slow SVC comparison")
    args = parser.parse_args()
    if not Path(args.data).is_file():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    frame = pd.read_csv(args.data)
    columns = list(frame.columns)
    themes = columns[columns.index("Comment sentiment") + 1 :]
    texts = frame["FFT answer"].fillna("").astype(str).tolist()
    Y = frame[themes].fillna(0).to_numpy().astype(int)
    sentiment = frame["Comment sentiment"].to_numpy(dtype=float)
    many = (texts * (N_PREDICT // len(texts) + 1))[:N_PREDICT]

    print(f"training on {len(texts):,} comments …", flush=True)
    start = time.perf_counter()
    model = modelio.train_model(texts, Y, themes, sentiment, cv=5)
    full_train = time.perf_counter() - start

    predict_s, _ = timed(lambda: model.predict(many), args.runs)
    themes_only = modelio.EngageModel(themes=model.themes, sentiment=None, card=model.card)
    themes_s, _ = timed(lambda: themes_only.predict(many), args.runs)
    X = model.themes.features_.transform(many)
    matrix_s, _ = timed(lambda: model.themes.predict_proba_matrix(X), args.runs)

    theme_model = model.themes
    refit_s, _ = timed(lambda: theme_model.refit(texts, Y), max(3, args.runs // 2))
    fit_s, _ = timed(lambda: ThemeClassifier().fit(texts, Y), 1)

    rows = [
        ("predict themes + sentiment, 29k comments", f"{predict_s:.2f} s",
         f"{N_PREDICT / predict_s:,.0f} comments/s"),
        ("predict themes only, 29k comments", f"{themes_s:.2f} s",
         f"{N_PREDICT / themes_s:,.0f} comments/s"),
        ("  of which vectorised → probabilities", f"{matrix_s:.3f} s",
         f"{N_PREDICT / matrix_s:,.0f} comments/s"),
        ("retrain themes (refit, 4,905 coded)", f"{refit_s:.2f} s", ""),
        ("full theme fit incl. inner 5-fold CV", f"{fit_s:.2f} s", "(1 run)"),
        ("full train incl. sentiment and card CV", f"{full_train:.2f} s", "(1 run)"),
    ]
    if not args.skip_svc:
        svc_per_1000 = svc_comparison(texts, Y, max(1, min(3, args.runs)))
        ours_per_1000 = predict_s / N_PREDICT * 1000
        rows += [
            ("TF-IDF + OvR SVC(probability) predict", f"{svc_per_1000:.2f} s / 1,000", ""),
            ("pxtextmining published figure", f"{PXTEXTMINING_S_PER_1000:.2f} s / 1,000", ""),
            ("ours, themes + sentiment", f"{ours_per_1000:.3f} s / 1,000",
             f"{svc_per_1000 / ours_per_1000:,.0f}× faster than the SVC here, "
             f"{PXTEXTMINING_S_PER_1000 / ours_per_1000:,.0f}× the published figure"),
        ]
    print(f"\nmedians of {args.runs} runs where not marked")
    for name, value, note in rows:
        print(f"{name:<42} {value:>18}  {note}")
    return 0


def svc_comparison(texts: list[str], Y: np.ndarray, runs: int) -> float:
    """Seconds per 1,000 comments for a TF-IDF + one-vs-rest kernel SVC with probabilities."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.multiclass import OneVsRestClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.svm import SVC

    # SVC(probability=True) is deprecated in recent scikit-learn but is what such pipelines use.
    warnings.filterwarnings("ignore", category=FutureWarning)
    keep = Y.sum(axis=0) >= 5
    print("fitting the SVC comparison pipeline (slow) …", flush=True)
    pipeline = make_pipeline(
        TfidfVectorizer(ngram_range=(1, 2), min_df=2),
        OneVsRestClassifier(SVC(probability=True, class_weight="balanced", cache_size=500)),
    ).fit(texts, Y[:, keep])
    sample = texts[:1000]
    seconds, _ = timed(lambda: pipeline.predict_proba(sample), runs)
    return seconds


if __name__ == "__main__":
    sys.exit(main())
