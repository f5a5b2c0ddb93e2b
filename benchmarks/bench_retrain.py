"""Retraining on the officer's codings (issue 13 target: the officer's corrections of themes,
sentiment and kind still retrain in <= 5 s).

For N = 100 / 300 / 1,000 / 3,000 coded comments, a project is built from the shared
patient-feedback file (``train.csv``): N comments stand in for the officer's work (their themes
accepted, their sentiment and a weak kind set by hand, through the core's own write functions)
and 1,000 more, never coded, are the rest of the consultation. Then the pipeline's own
functions are timed on it, median of ``--repeats``, wall and CPU seconds:

- theme text model: ``_Analysis._warm_scores`` (fast pass: the officer ``ThemeClassifier``
  fitted on the codings, then scoring every comment);
- vector head: ``_Analysis._officer_head`` (accurate pass: ``ThemeHead`` over the stored
  encoder vectors, then scoring every comment);
- sentiment model: ``_Analysis._warm_sentiment``;
- kind model: ``engage.nlp.kind.officer_model`` (the retrain inside ``predict_kinds``);
- total: their sum in each repeat.

The encoder vectors are the shipped ONNX encoder's (``models/encoder``), computed once and
cached in ``build/retrain_vectors.npz``. That encoder was fine-tuned on this same file, so the
vector head's held-out figures flatter it; they still compare one version of the code with
another.

Quality, on the same N codings and the 1,000 uncoded rows (disjoint): micro-F1 of the themes
the text model codes (its own thresholds), of the vector head at 0.5, and of their 50/50 blend
at 0.5 (as the accurate pass mixes them); macro-F1 of the five sentiment levels; macro-F1 of
the kind model against the weak kinds.

    .venv/bin/python benchmarks/bench_retrain.py [--sizes 100 300 1000 3000] [--repeats 3]
        [--out benchmarks/results/retrain.json] [--no-quality]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DATA = ROOT.parent / "shared" / "data" / "patient-feedback" / "train.csv"
BUILD = ROOT / "build" / "retrain"
VECTOR_CACHE = ROOT / "build" / "retrain_vectors.npz"
RESULTS = ROOT / "benchmarks" / "results" / "retrain.json"
HOLDOUT = 1_000
COMPONENTS = ("theme text model", "vector head", "sentiment model", "kind model")


# ----- data -------------------------------------------------------------------------------------
def load() -> dict:
    import pandas as pd

    from engage.nlp.kind import weak_kind

    frame = pd.read_csv(DATA)
    columns = list(frame.columns)
    themes = columns[columns.index("Comment sentiment") + 1:]
    texts = frame["FFT answer"].fillna("").astype(str).str.strip().to_numpy(dtype=object)
    sentiment = pd.to_numeric(frame["Comment sentiment"], errors="coerce").to_numpy(float)
    questions = frame["FFT question"].fillna("").astype(str).tolist()
    kinds = np.array([weak_kind(t, q, None if np.isnan(s) else s)
                      for t, q, s in zip(texts, questions, sentiment, strict=True)], dtype=object)
    return {"texts": texts, "Y": frame[themes].fillna(0).to_numpy().astype(np.uint8),
            "sentiment": sentiment, "kinds": kinds, "themes": themes}


def splits(data: dict, sizes) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    """(held-out rows, {N: coded rows}): the coded sets nest, none meets the held-out rows."""
    usable = np.flatnonzero([len(t) > 2 for t in data["texts"]])
    order = np.random.default_rng(0).permutation(usable)
    holdout, pool = order[:HOLDOUT], order[HOLDOUT:]
    if max(sizes) > len(pool):
        raise SystemExit(f"only {len(pool)} rows beside the {HOLDOUT} held out")
    return holdout, {n: pool[:n] for n in sizes}


def encoder_vectors(texts) -> tuple[np.ndarray, object]:
    """Every row's vector from the shipped encoder, cached by file and encoder version."""
    from engage.nlp.encoder import Encoder

    encoder = Encoder()
    key = hashlib.sha256(DATA.read_bytes()).hexdigest()[:16] + ":" + encoder.version
    if VECTOR_CACHE.exists():
        with np.load(VECTOR_CACHE, allow_pickle=False) as saved:
            if str(saved["key"]) == key and len(saved["vectors"]) == len(texts):
                return saved["vectors"], encoder
    print(f"encoding {len(texts):,} comments once (cached in {VECTOR_CACHE})", flush=True)
    vectors = encoder.encode(list(texts)).astype(np.float32)
    VECTOR_CACHE.parent.mkdir(parents=True, exist_ok=True)
    np.savez(VECTOR_CACHE, vectors=vectors, key=np.array(key))
    return vectors, encoder


# ----- the project -------------------------------------------------------------------------------
def build_project(n: int, data: dict, coded: np.ndarray, holdout: np.ndarray,
                  vectors: np.ndarray, encoder) -> tuple[Path, dict[int, int]]:
    """A project holding the coded and held-out comments, the codings set as an officer would;
    returns its path and {comment id: data row}."""
    from engage.analysis import kinds as kind_store
    from engage.analysis import store
    from engage.analysis import vectors as vector_store
    from engage.importing.importer import import_file
    from engage.project import Project

    BUILD.mkdir(parents=True, exist_ok=True)
    rows = np.r_[coded, holdout]
    source = BUILD / f"retrain_{n}.csv"
    with open(source, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["Respondent", "What would you like to tell us?"])
        for r in rows:
            writer.writerow([f"P{int(r)}", data["texts"][r]])
    path = BUILD / f"retrain_{n}.engage"
    with Project.create(path, overwrite=True) as project:
        import_file(project, source, "Retrain benchmark")
        store.install_taxonomy(project, [{"name": "Patient feedback", "themes": [
            {"name": t} for t in data["themes"]]}])
        row_of = {}
        for cid, ext in project.db.execute(
                "SELECT c.id, r.external_id FROM comments c "
                "JOIN respondents r ON r.id = c.respondent_id"):
            row_of[int(cid)] = int(str(ext)[1:])
        id_of = {r: cid for cid, r in row_of.items()}
        coded_ids = [id_of[int(r)] for r in coded if int(r) in id_of]
        for j, theme in enumerate(data["themes"]):
            accepted = [cid for cid in coded_ids if data["Y"][row_of[cid], j]]
            if accepted:
                store.set_coding_decision(project, accepted, store.theme_id(project, theme),
                                          "accepted")
        for level in range(1, 6):
            store.set_officer_sentiment(project, [c for c in coded_ids
                                                  if data["sentiment"][row_of[c]] == level], level)
        for kind in sorted({k for k in data["kinds"] if k}):
            chosen = [c for c in coded_ids if data["kinds"][row_of[c]] == kind]
            if chosen:
                kind_store.set_kind(project, chosen, kind)
        ids = sorted(row_of)
        vector_store.save_vectors(project, ids, vectors[[row_of[c] for c in ids]],
                                  encoder.version)
    return path, row_of


def time_once(path: Path, encoder) -> dict[str, tuple[float, float]]:
    """Wall and CPU seconds of each retrain, each run by the pipeline's own function."""
    from engage.analysis import store
    from engage.analysis.kinds import officer_kinds
    from engage.analysis.pipeline import _Analysis
    from engage.nlp.kind import officer_model
    from engage.progress import Reporter
    from engage.project import Project

    out = {}
    with Project.open(path) as project:
        analysis = _Analysis(project, None, None, Reporter())
        rows = store.comments_to_analyse(project)
        ids, texts = [r[0] for r in rows], [r[1] for r in rows]
        theme_rows = store.themes(project)

        def clock(name, fn):
            t0, c0 = time.perf_counter(), time.process_time()
            result = fn()
            out[name] = (time.perf_counter() - t0, time.process_time() - c0)
            return result

        scores = np.zeros((len(texts), len(theme_rows)))
        learnt = clock("theme text model",
                       lambda: analysis._warm_scores(scores, texts, theme_rows, ids))
        assert learnt > 0, "the officer theme model did not run"
        # the accurate pass's inputs to the vector head, prepared as _warm_scores prepares them
        training = store.officer_training_data(project)
        column = {t["id"]: j for j, t in enumerate(theme_rows)}
        Y = np.zeros((len(training), len(theme_rows)), dtype=np.uint8)
        for i, (_cid, _text, theme_ids, _s) in enumerate(training):
            for tid in theme_ids:
                Y[i, column[tid]] = 1
        analysis.accurate = (encoder, None)
        analysis.vector_ids = ids  # the head reads their stored vectors a batch at a time
        clock("vector head", lambda: analysis._officer_head(
            [c for c, *_ in training], [t for _c, t, *_ in training], Y, None, ids, texts))
        analysis.sentiment_on_own_scale = False
        analysis.sentiment_proba = np.full((len(texts), 5), 0.2)
        learnt = clock("sentiment model", lambda: analysis._warm_sentiment(texts))
        assert learnt > 0, "the officer sentiment model did not run"
        officer = officer_kinds(project)
        model = clock("kind model", lambda: officer_model(officer))
        assert model is not None, "the officer kind model did not run"
    out["total"] = tuple(sum(out[c][k] for c in COMPONENTS) for k in (0, 1))
    return out


# ----- quality -----------------------------------------------------------------------------------
def _micro(Y: np.ndarray, pred: np.ndarray) -> float:
    pred = pred.astype(bool)
    return float(2 * np.sum(pred & (Y == 1)) / max(1, pred.sum() + Y.sum()))


def quality(data: dict, coded: np.ndarray, holdout: np.ndarray, vectors: np.ndarray) -> dict:
    """Held-out scores of the officer models fitted as the pipeline fits them."""
    from sklearn.metrics import f1_score

    from engage.analysis.pipeline import CODED_THRESHOLD, WARM_MIN_EXAMPLES
    from engage.nlp.classifier import ThemeClassifier
    from engage.nlp.heads import ThemeHead
    from engage.nlp.kind import officer_model
    from engage.nlp.sentiment import SentimentClassifier

    texts, Y = data["texts"], data["Y"]
    V = vectors.astype(np.float16).astype(np.float32)  # as stored in a project
    text_model = ThemeClassifier(min_examples=WARM_MIN_EXAMPLES, cv=3).fit(
        list(texts[coded]), Y[coded], themes=data["themes"])
    p_text = text_model.predict_proba(list(texts[holdout]))
    head = ThemeHead(min_examples=WARM_MIN_EXAMPLES).fit(V[coded], Y[coded])
    p_head = head.predict_proba(V[holdout])
    truth = Y[holdout]
    out = {"themes_micro_f1_text": _micro(truth, text_model.decide(p_text)),
           "themes_micro_f1_head": _micro(truth, p_head >= CODED_THRESHOLD),
           "themes_micro_f1_blend": _micro(truth, 0.5 * p_text + 0.5 * p_head
                                           >= CODED_THRESHOLD)}
    s = data["sentiment"]
    train = coded[~np.isnan(s[coded])]
    test = holdout[~np.isnan(s[holdout])]
    sentiment = SentimentClassifier().fit(list(texts[train]), s[train])
    out["sentiment_macro_f1"] = float(f1_score(s[test], sentiment.predict(list(texts[test])),
                                               average="macro", labels=np.arange(1, 6)))
    k = data["kinds"]
    train = [r for r in coded if k[r]]
    test = [r for r in holdout if k[r]]
    kind = officer_model([(texts[r], k[r]) for r in train])
    out["kind_macro_f1"] = float(f1_score(list(k[test]), list(kind.predict(list(texts[test]))),
                                          average="macro"))
    return {name: round(v, 4) for name, v in out.items()}


# ----- main --------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 300, 1000, 3000])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--no-quality", action="store_true")
    args = parser.parse_args()
    data = load()
    holdout, coded = splits(data, args.sizes)
    vectors, encoder = encoder_vectors(data["texts"])
    results = {"sizes": {}, "repeats": args.repeats,
               "note": "wall seconds on a shared 2-core machine; CPU seconds beside them"}
    for n in args.sizes:
        path, _rows = build_project(n, data, coded[n], holdout, vectors, encoder)
        runs = [time_once(path, encoder) for _ in range(args.repeats)]
        entry = {}
        for name in (*COMPONENTS, "total"):
            entry[name] = {"wall_s": round(float(np.median([r[name][0] for r in runs])), 3),
                           "cpu_s": round(float(np.median([r[name][1] for r in runs])), 3)}
        print(f"{n:,} codings (median of {args.repeats}):", flush=True)
        for name, v in entry.items():
            print(f"  {name:17s} {v['wall_s']:6.2f} s wall  {v['cpu_s']:6.2f} s CPU", flush=True)
        if not args.no_quality:
            entry["quality"] = quality(data, coded[n], holdout, vectors)
            print("  held out:", ", ".join(f"{k} {v:.3f}" for k, v in entry["quality"].items()),
                  flush=True)
        results["sizes"][str(n)] = entry
    results["load_average_at_end"] = round(os.getloadavg()[0], 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
