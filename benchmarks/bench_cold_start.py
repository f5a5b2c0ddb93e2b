"""Cold start on consultation text: the Dorset taxonomy's seed terms + the mapped framework model.

What an officer meets first, before coding anything: each comment scored against the taxonomy's
seed terms and descriptions (``engage.nlp.seeds``) and against the shipped patient-feedback
model, whose framework themes reach Dorset themes through ``framework_to_dorset.csv``. A theme
counts as coded when the analysis would code it (``engage.analysis.pipeline``'s rule: one of
the top suggestions at or above the review threshold, on a comment whose best theme reaches the
coded threshold).

Scored on ``engage/nlp/data/consultation_examples.csv``: consultation-style comments written for
this project (not the shared patient-feedback file, not the sample data), each labelled with its
Dorset themes; the seeds and the mapping were improved looking at misses on this set, so its
"after" figures flatter. ``--holdout`` scores ``tests/data/consultation_holdout.csv`` instead:
60 comments written afterwards and never tuned on. A labelled theme missing from the taxonomy
counts as missed (recall 0).

    .venv/bin/python benchmarks/bench_cold_start.py [--taxonomy JSON] [--mapping CSV] [--seeds-only]

``--taxonomy``/``--mapping`` score an older (or edited) taxonomy and table, for before/after.
Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import csv
import sys
from importlib import resources
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engage.analysis.pipeline import CODED_THRESHOLD, MAX_SUGGESTIONS, REVIEW_THRESHOLD  # noqa: E402
from engage.nlp.mapping import LABEL_RELATIONS, load_mapping  # noqa: E402
from engage.nlp.seeds import SeedScorer  # noqa: E402
from engage.nlp.taxonomy import Taxonomy, load_default  # noqa: E402
from engage.nlp.text import tokenize  # noqa: E402

HOLDOUT = Path(__file__).resolve().parents[1] / "tests" / "data" / "consultation_holdout.csv"


def load_examples(holdout: bool = False) -> list[dict]:
    if holdout:
        text = HOLDOUT.read_text(encoding="utf-8")
    else:
        text = resources.files("engage.nlp.data").joinpath(
            "consultation_examples.csv").read_text("utf-8")
    rows = list(csv.DictReader(text.splitlines()))
    for row in rows:
        row["theme_set"] = {t.strip() for t in row["themes"].split(";") if t.strip()}
    return rows


def cold_scores(texts, taxonomy, mapping_path=None, seeds_only=False) -> np.ndarray:
    tokens = tokenize(texts)
    scores = SeedScorer(taxonomy).fit(tokens).score(tokens).scores.copy()
    if seeds_only:
        return scores
    from engage.nlp.modelio import load_model

    model = load_model()
    predictions = model.predict(texts)
    position = {name.casefold(): j for j, name in enumerate(taxonomy.theme_names)}
    for row in load_mapping(mapping_path, taxonomy=taxonomy):
        if row.relation not in LABEL_RELATIONS or row.framework_theme not in predictions.themes:
            continue
        j = position.get(row.dorset_theme.casefold())
        if j is not None:
            k = predictions.themes.index(row.framework_theme)
            np.maximum(scores[:, j], predictions.theme_proba[:, k], out=scores[:, j])
    return scores


def coded(scores: np.ndarray, names: list[str]) -> list[set[str]]:
    """The themes the analysis would code on each comment (its ACTIVE_CODING rule)."""
    out = []
    for row in scores:
        order = np.argsort(-row)[:MAX_SUGGESTIONS]
        if len(order) == 0 or row[order[0]] < CODED_THRESHOLD:
            out.append(set())
        else:
            out.append({names[j] for j in order if row[j] >= REVIEW_THRESHOLD})
    return out


def per_theme(truth: list[set[str]], predicted: list[set[str]], themes: list[str]):
    rows = []
    for theme in themes:
        tp = sum(theme in t and theme in p for t, p in zip(truth, predicted, strict=True))
        fp = sum(theme not in t and theme in p for t, p in zip(truth, predicted, strict=True))
        fn = sum(theme in t and theme not in p for t, p in zip(truth, predicted, strict=True))
        precision = tp / (tp + fp) if tp + fp else float("nan")
        recall = tp / (tp + fn) if tp + fn else float("nan")
        rows.append((theme, tp + fn, tp + fp, precision, recall))
    return rows


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--taxonomy", help="taxonomy JSON (default: the shipped Dorset one)")
    parser.add_argument("--mapping", help="framework-to-Dorset CSV (default: the shipped one)")
    parser.add_argument("--seeds-only", action="store_true", help="leave the model out")
    parser.add_argument("--holdout", action="store_true",
                        help="score tests/data/consultation_holdout.csv (written after the seeds "
                             "were tuned on the examples, never tuned on)")
    args = parser.parse_args(argv)
    taxonomy = Taxonomy.from_json(args.taxonomy) if args.taxonomy else load_default()
    examples = load_examples(args.holdout)
    texts = [row["text"] for row in examples]
    truth = [row["theme_set"] for row in examples]
    scores = cold_scores(texts, taxonomy, args.mapping, args.seeds_only)
    predicted = coded(scores, taxonomy.theme_names)
    labelled = sorted({t for s in truth for t in s})
    rows = per_theme(truth, predicted, labelled + sorted(
        {t for s in predicted for t in s} - set(labelled)))
    print(f"{len(texts)} {'held-out ' if args.holdout else ''}consultation comments, "
          f"{len(labelled)} labelled themes, "
          f"{'seeds only' if args.seeds_only else 'seeds + mapped framework model'}")
    print(f"{'theme':40s} {'true':>5s} {'coded':>5s} {'prec':>6s} {'recall':>6s}")
    for theme, n_true, n_pred, precision, recall in rows:
        missing = "" if taxonomy.has_theme(theme) else "  (not in taxonomy)"
        print(f"{theme[:40]:40s} {n_true:5d} {n_pred:5d} {precision:6.2f} {recall:6.2f}{missing}")
    tp = sum(len(t & p) for t, p in zip(truth, predicted, strict=True))
    n_pred = sum(len(p) for p in predicted)
    n_true = sum(len(t) for t in truth)
    micro_p, micro_r = tp / max(n_pred, 1), tp / max(n_true, 1)
    micro_f1 = 2 * micro_p * micro_r / max(micro_p + micro_r, 1e-9)
    f1s = [2 * p * r / (p + r) if p + r else 0.0 for _t, _n, _m, p, r in rows
           if _n > 0 and not np.isnan(p) and not np.isnan(r)]
    f1s += [0.0 for _t, _n, _m, p, r in rows if _n > 0 and (np.isnan(p) or np.isnan(r))]
    untouched = sum(1 for t, p in zip(truth, predicted, strict=True) if t and not p)
    print(f"micro precision {micro_p:.3f}  recall {micro_r:.3f}  F1 {micro_f1:.3f}   "
          f"macro-F1 (labelled themes) {np.mean(f1s):.3f}   comments with a theme left with "
          f"none coded: {untouched}")


if __name__ == "__main__":
    main()
