"""The accurate pass: cross-validated quality beside the fast pass and issue 13's baseline, and
its speed.

Quality (``quality``), on ../shared/data/patient-feedback/train.csv, the 5 folds of
``bench_nlp_quality.py`` (KFold, shuffled, seed 0), bootstrap 95% intervals:

- baseline: issue 13's TF-IDF + LogisticRegression, exactly (``bench_nlp_quality``);
- fast: Engage's ``ThemeClassifier`` / ``SentimentClassifier`` as ``engage train`` fits them;
- encoder: the heads fine-tuned with the encoder in that training fold
  (``benchmarks/train_encoder.py cv`` writes ``build/encoder_cv/fold{k}.npz``);
- accurate: the encoder blended with the fast model. The blend weights, the theme threshold and
  the fallback are chosen by nested cross-validation: for each outer fold, on the pooled
  out-of-fold predictions of the *other* folds only, then applied to the held-out fold.

The fast and baseline out-of-fold predictions are cached in ``build/accurate_cv_fast.npz``.

Speed (``speed``): the accurate pass (word pieces + ONNX encoder + heads) over N synthetic
comments (default 29,000) in this process, median of ``--repeats``.

    .venv/bin/python benchmarks/bench_accurate.py quality
    .venv/bin/python benchmarks/bench_accurate.py speed [--comments 29000] [--repeats 3]
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
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_nlp_quality import (  # noqa: E402
    baseline_sentiment_proba,
    baseline_theme_proba,
    binary_f1,
    bootstrap,
    class_macro_f1,
    macro_f1,
    micro_f1,
)

DATA = ROOT.parent / "shared" / "data" / "patient-feedback" / "train.csv"
CV_DIR = ROOT / "build" / "encoder_cv"
FAST_CACHE = ROOT / "build" / "accurate_cv_fast.npz"
RESULTS = ROOT / "benchmarks" / "results" / "accurate_quality.json"
SPEED_RESULTS = ROOT / "benchmarks" / "results" / "accurate_speed.json"
MACRO_MIN = 20
LEVELS = np.arange(1, 6)
THEME_WEIGHTS = np.round(np.arange(0.0, 1.01, 0.1), 2)
SENTIMENT_WEIGHTS = np.round(np.arange(0.0, 1.01, 0.1), 2)


def load():
    frame = pd.read_csv(DATA)
    columns = list(frame.columns)
    themes = columns[columns.index("Comment sentiment") + 1:]
    texts = frame["FFT answer"].fillna("").astype(str).to_numpy(dtype=object)
    Y = frame[themes].fillna(0).to_numpy().astype(int)
    return texts, Y, frame["Comment sentiment"].to_numpy(dtype=float), themes


def folds(n: int):
    from sklearn.model_selection import KFold

    return list(KFold(5, shuffle=True, random_state=0).split(np.arange(n)))


def _levels_proba(classes, proba) -> np.ndarray:
    out = np.zeros((len(proba), 5))
    out[:, np.asarray(classes, dtype=int) - 1] = proba
    return out


def fast_and_baseline(texts, Y, sentiment) -> dict:
    """Out-of-fold probabilities of the fast models and the baseline (cached per fold)."""
    from engage.nlp.classifier import ThemeClassifier
    from engage.nlp.sentiment import SentimentClassifier

    n, k = Y.shape
    cache = dict(np.load(FAST_CACHE)) if FAST_CACHE.exists() else {
        "fast_t": np.zeros((n, k)), "fast_s": np.zeros((n, 5)), "base_t": np.zeros((n, k)),
        "base_s": np.zeros((n, 5)), "fast_thr": np.zeros((5, 2)), "done": np.zeros(0, int)}
    done = set(cache["done"].tolist())
    for f, (train, test) in enumerate(folds(n)):
        if f in done:
            continue
        t0 = time.perf_counter()
        model = ThemeClassifier().fit(texts[train], Y[train])
        cache["fast_t"][test] = model.predict_proba(texts[test])
        cache["fast_thr"][f] = (model.threshold_, model.fallback_)
        s = SentimentClassifier().fit(texts[train], sentiment[train])
        cache["fast_s"][test] = _levels_proba(s.classes_, s.predict_proba(texts[test]))
        cache["base_t"][test] = baseline_theme_proba(texts[train], Y[train], texts[test])
        labelled = train[~np.isnan(sentiment[train])]
        classes, proba = baseline_sentiment_proba(texts[labelled], sentiment[labelled],
                                                  texts[test])
        cache["base_s"][test] = _levels_proba(classes, proba)
        done.add(f)
        cache["done"] = np.array(sorted(done))
        FAST_CACHE.parent.mkdir(exist_ok=True)
        np.savez(FAST_CACHE, **cache)
        print(f"fast + baseline fold {f + 1}: {time.perf_counter() - t0:.0f} s", flush=True)
    return cache


def encoder_oof(n: int, k: int):
    """Encoder-head probabilities for the folds whose fine-tuning has finished."""
    from engage.nlp.heads import AccurateHeads

    enc_t, enc_s, done = np.zeros((n, k)), np.zeros((n, 5)), []
    for f in range(5):
        path = CV_DIR / f"fold{f + 1}.npz"
        if not path.exists():
            continue
        with np.load(path, allow_pickle=False) as saved:
            heads = AccurateHeads([str(i) for i in range(k)], saved["theme_w"],
                                  saved["theme_b"], saved["sentiment_w"], saved["sentiment_b"])
            vectors = saved["embeddings"][saved["test"]].astype(np.float32)
            enc_t[saved["test"]] = heads.encoder_theme_proba(vectors)
            enc_s[saved["test"]] = heads.encoder_sentiment_proba(vectors)
        done.append(f)
    return enc_t, enc_s, done


def _decide(proba, threshold, fallback):
    pred = proba >= threshold
    if fallback < threshold and proba.shape[1]:
        rows = np.flatnonzero(~pred.any(axis=1))
        top = proba[rows].argmax(axis=1)
        ok = proba[rows, top] >= fallback
        pred[rows[ok], top[ok]] = True
    return pred


def _best_threshold(Yb, proba):
    """(threshold, fallback) maximising micro-F1 (coarse grid, then the fallback)."""
    best = (0.5, 0.5, -1.0)
    for t in np.arange(0.1, 0.91, 0.02):
        f = micro_f1(Yb, proba >= t)
        if f > best[2]:
            best = (float(t), float(t), f)
    t = best[0]
    for r in np.arange(0.0, t, 0.02):
        f = micro_f1(Yb, _decide(proba, t, r))
        if f > best[2]:
            best = (t, float(r), f)
    return best[:2]


def nested_themes(Yb, enc, fast, split, done):
    """Blend weight + threshold chosen on the other folds, applied to each held-out fold."""
    from engage.nlp.heads import blend_themes

    pred = np.zeros_like(Yb)
    chosen = []
    blends = {w: blend_themes(enc, fast, w) for w in THEME_WEIGHTS}
    for f in done:
        inner = np.concatenate([split[g][1] for g in done if g != f])
        best = None
        for w in THEME_WEIGHTS:
            t, r = _best_threshold(Yb[inner], blends[w][inner])
            score = micro_f1(Yb[inner], _decide(blends[w][inner], t, r))
            if best is None or score > best[0]:
                best = (score, w, t, r)
        _, w, t, r = best
        test = split[f][1]
        pred[test] = _decide(blends[w][test], t, r)
        chosen.append({"fold": f + 1, "weight": float(w), "threshold": round(t, 2),
                       "fallback": round(r, 2)})
    return pred, chosen


def nested_sentiment(y, known, enc, fast, split, done):
    from engage.nlp.heads import blend_sentiment

    pred = np.zeros(len(y))
    chosen = []
    blends = {w: blend_sentiment(enc, fast, w) for w in SENTIMENT_WEIGHTS}
    for f in done:
        inner = np.concatenate([split[g][1] for g in done if g != f])
        inner = inner[known[inner]]
        best = max(SENTIMENT_WEIGHTS, key=lambda w: class_macro_f1(
            y[inner], LEVELS[blends[w][inner].argmax(1)], LEVELS))
        test = split[f][1]
        pred[test] = LEVELS[blends[best][test].argmax(1)]
        chosen.append({"fold": f + 1, "weight": float(best)})
    return pred, chosen


def quality() -> dict:
    from engage.nlp.sentiment import three_level

    texts, Y, sentiment, themes = load()
    n, k = Y.shape
    cache = fast_and_baseline(texts, Y, sentiment)
    enc_t, enc_s, done = encoder_oof(n, k)
    if not done:
        raise SystemExit(f"no fine-tuned fold in {CV_DIR}: run benchmarks/train_encoder.py cv")
    split = folds(n)
    rows = np.concatenate([split[f][1] for f in done])
    Yb = Y.astype(bool)
    big = Y.sum(axis=0) >= MACRO_MIN
    known = ~np.isnan(sentiment)

    fast_pred = np.zeros_like(Yb)
    for f in done:
        test = split[f][1]
        fast_pred[test] = _decide(cache["fast_t"][test], *cache["fast_thr"][f])
    acc_t, theme_choice = nested_themes(Yb, enc_t, cache["fast_t"], split, done)
    enc_pred, _ = nested_themes(Yb, enc_t, enc_t, split, done)  # encoder alone, nested thr
    theme_preds = {"baseline": cache["base_t"] >= 0.5, "fast": fast_pred,
                   "encoder": enc_pred, "accurate": acc_t}
    acc_s, sentiment_choice = nested_sentiment(sentiment, known, enc_s, cache["fast_s"],
                                               split, done)
    sentiment_preds = {"baseline": LEVELS[cache["base_s"].argmax(1)],
                       "fast": LEVELS[cache["fast_s"].argmax(1)],
                       "encoder": LEVELS[enc_s.argmax(1)], "accurate": acc_s}
    r = rows
    rk = rows[known[rows]]
    out = {
        "data": {"file": DATA.name, "comments": int(len(r)), "folds_scored": [f + 1 for f in done],
                 f"themes_with_{MACRO_MIN}_plus": int(big.sum())},
        "method": "KFold(5, shuffle, seed 0); accurate = encoder heads blended with the fast "
                  "model, weights/threshold chosen per outer fold on the other folds only "
                  "(nested); bootstrap 1,000 resamples, percentile 95% interval",
        "themes": {}, "sentiment": {},
        "chosen": {"themes": theme_choice, "sentiment": sentiment_choice},
    }
    for name, P in theme_preds.items():
        out["themes"][name] = {
            "micro_f1": bootstrap(micro_f1, Yb[r], P[r]),
            f"macro_f1_themes_{MACRO_MIN}plus": bootstrap(macro_f1, Yb[r][:, big],
                                                          P[r][:, big]),
        }
    for name, p in sentiment_preds.items():
        y3, p3 = three_level(sentiment[rk]), three_level(p[rk])
        out["sentiment"][name] = {
            "macro_f1_5_levels": bootstrap(lambda a, b: class_macro_f1(a, b, LEVELS),
                                           sentiment[rk], p[rk]),
            "neutral_f1": bootstrap(lambda a, b: binary_f1(a == 1, b == 1), y3, p3),
            "macro_f1_3_levels": bootstrap(lambda a, b: class_macro_f1(a, b, (0, 1, 2)), y3,
                                           p3),
        }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    _print_quality(out)
    return out


def _fmt(entry: dict) -> str:
    low, high = entry["ci95"]
    return f"{entry['value']:.3f} [{low:.3f}, {high:.3f}]"


def _print_quality(out: dict) -> None:
    print(f"folds scored: {out['data']['folds_scored']}  comments: {out['data']['comments']}")
    for group in ("themes", "sentiment"):
        names = list(out[group])
        print(f"\n{group:<24}" + "".join(f"{n:<24}" for n in names))
        for metric in out[group][names[0]]:
            print(f"{metric:<24}" + "".join(f"{_fmt(out[group][n][metric]):<24}"
                                            for n in names))
    print("\nchosen:", json.dumps(out["chosen"]))


# ----- speed -------------------------------------------------------------------------------------
def synthetic_comments(n: int, seed: int = 0) -> list[str]:
    """Comments of realistic lengths made from a small vocabulary of our own."""
    words = ("the nurse was kind and the wait was far too long for my appointment we need "
             "more buses to the hospital parking costs too much staff listened to me the "
             "doctor explained everything clearly I could not get through on the phone "
             "please keep the community clinic open close to home for families").split()
    rng = np.random.default_rng(seed)
    lengths = np.clip(rng.lognormal(2.3, 0.8, n).astype(int), 1, 300)
    return [" ".join(rng.choice(words, size=m)) for m in lengths]


def speed(comments: int, repeats: int) -> dict:
    from engage.nlp.encoder import Encoder
    from engage.nlp.heads import HEADS_STEM
    from engage.nlp.safe_store import load as safe_load

    encoder = Encoder()
    heads = safe_load(encoder.directory, HEADS_STEM)
    texts = synthetic_comments(comments)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        vectors = encoder.encode(texts)
        heads.theme_proba(vectors)
        heads.sentiment_proba(vectors)
        times.append(time.perf_counter() - t0)
        print(f"  {comments:,} comments: {times[-1]:.1f} s", flush=True)
    out = {"comments": comments, "repeats": repeats,
           "median_seconds": round(float(np.median(times)), 2),
           "comments_per_second": round(comments / float(np.median(times)), 1),
           "onnx": str((encoder.directory / "encoder.onnx").stat().st_size // 2**20) + " MB"}
    SPEED_RESULTS.parent.mkdir(parents=True, exist_ok=True)
    SPEED_RESULTS.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["quality", "speed", "fast-cache"])
    parser.add_argument("--comments", type=int, default=29_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if args.what == "quality":
        quality()
    elif args.what == "fast-cache":
        texts, Y, sentiment, _ = load()
        fast_and_baseline(texts, Y, sentiment)
    else:
        speed(args.comments, args.repeats)
    return 0


if __name__ == "__main__":
    sys.exit(main())
