"""Kind of comment on consultation text, and the share of comments charts call negative.

Scored on ``engage/nlp/data/consultation_examples.csv`` (consultation comments written for this
project, labelled for kind, themes and sentiment). Every model that learns from those examples
is scored by 5-fold cross-validation (stratified by kind, the held-out fold never trained on);
the weak patient-feedback labels are always in training. Beside it, in the same run:
- majority: every comment the most common kind;
- patient feedback only: trained on the weak labels alone (no written example);
- examples only: the written examples alone, cross-validated;
- uniform weak weight: every weak label at the same weight (no down-weighting of verbless
  phrases or empty answers, ``engage.nlp.kind.weak_weights``).

Then two sets of consultation comments written apart and never trained or tuned on:
``tests/data/consultation_holdout.csv`` (60, written after the examples) and
``tests/data/kind_holdout.csv`` (46, mostly short answers to "what matters to you?", written
for issue 13 before the priority cues), each scored with the shipped model file and with the
shipped configuration refitted.

Then the share of comments called negative on the same comments: the written labels' own share
(sentiment 4–5), the shipped sentiment model's share on the five-level roll-up, and the share
under the chart rule (``engage.nlp.sentiment.chart_level``) with the cross-validated kinds.

    .venv/bin/python benchmarks/bench_kind.py [--train CSV] [--folds 5] [--repeats 3]

Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import accuracy_score, f1_score
from sklearn.model_selection import StratifiedKFold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engage.nlp.build_models import DEFAULT_DATA  # noqa: E402
from engage.nlp.kind import (  # noqa: E402
    FRAGMENT_WEIGHT,
    KINDS,
    NONE_WEIGHT,
    PATIENT_FEEDBACK_WEIGHT,
    KindClassifier,
    load_examples,
    patient_feedback_examples,
    weak_weights,
)

HOLDOUTS = ("consultation_holdout.csv", "kind_holdout.csv")


def cross_validated(examples, pf_texts, pf_kinds, pf_weights, folds, seed):
    texts = np.array([e.text for e in examples], dtype=object)
    kinds = np.array([e.kind for e in examples], dtype=object)
    predicted = np.empty(len(examples), dtype=object)
    for train, test in StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, kinds):
        model = KindClassifier().fit(
            list(pf_texts) + list(texts[train]), list(pf_kinds) + list(kinds[train]),
            sample_weight=list(pf_weights) + [1.0] * len(train))
        predicted[test] = model.predict(list(texts[test]))
    return predicted


def scores(truth, predicted) -> str:
    labels = [k for k in KINDS if k in set(truth)]
    per = f1_score(truth, predicted, labels=labels, average=None, zero_division=0)
    return (f"accuracy {accuracy_score(truth, predicted):.3f}  macro-F1 "
            f"{f1_score(truth, predicted, labels=labels, average='macro', zero_division=0):.3f}  "
            + "  ".join(f"{k} {v:.2f}" for k, v in zip(labels, per, strict=True)))


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", default=str(DEFAULT_DATA), help="patient-feedback CSV")
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3, help="CV repeats (different shuffles)")
    parser.add_argument("--pf-weight", type=float, default=PATIENT_FEEDBACK_WEIGHT)
    parser.add_argument("--fragment-weight", type=float, default=FRAGMENT_WEIGHT)
    parser.add_argument("--none-weight", type=float, default=NONE_WEIGHT)
    args = parser.parse_args(argv)
    examples = load_examples()
    truth = np.array([e.kind for e in examples], dtype=object)
    counts = {k: int((truth == k).sum()) for k in KINDS}
    print(f"{len(examples)} written consultation comments: {counts}")
    began = time.perf_counter()
    pf_texts, pf_kinds = patient_feedback_examples(args.train)
    pf_counts = {k: pf_kinds.count(k) for k in KINDS}
    print(f"weak labels from patient feedback: {len(pf_texts)} rows {pf_counts} "
          f"({time.perf_counter() - began:.1f} s)")

    majority = max(counts, key=counts.get)
    print(f"majority ({majority}):           {scores(truth, [majority] * len(truth))}")
    pf_only = KindClassifier().fit(pf_texts, pf_kinds).predict([e.text for e in examples])
    print(f"patient feedback only:        {scores(truth, pf_only)}")
    pf_weights = weak_weights(pf_texts, pf_kinds, args.pf_weight, args.fragment_weight,
                              args.none_weight)
    runs = {"examples only": ([], [], []),
            f"uniform weak x{args.pf_weight} + examples": (pf_texts, pf_kinds,
                                                     [args.pf_weight] * len(pf_texts)),
            "shipped (weak_weights + examples)": (pf_texts, pf_kinds, pf_weights)}
    kept = None
    for name, (texts, kinds, weights) in runs.items():
        accuracy, macro = [], []
        for repeat in range(args.repeats):
            t = time.perf_counter()
            predicted = cross_validated(examples, texts, kinds, weights, args.folds, seed=repeat)
            accuracy.append(accuracy_score(truth, predicted))
            macro.append(f1_score(truth, predicted, average="macro", zero_division=0))
            if repeat == 0:
                print(f"{name:34s}{scores(truth, predicted)}  ({time.perf_counter() - t:.1f} s)")
                kept = predicted if weights is pf_weights else kept
        print(f"{'':34s}over {args.repeats} CV repeats: accuracy median "
              f"{np.median(accuracy):.3f}, macro-F1 median {np.median(macro):.3f} "
              f"(range {min(macro):.3f}–{max(macro):.3f})")
    print("-- on the written examples (kinds cross-validated):")
    negative_shares(examples, kept)
    for name in HOLDOUTS:
        holdout(name, examples, pf_texts, pf_kinds, pf_weights)
    speed(examples)


def speed(examples, n: int = 29_000, repeats: int = 3) -> None:
    """Kinds for a Big Ask-sized consultation with the shipped model, and with 100 officer
    kinds to learn from (the retrain an officer's corrections trigger)."""
    from engage.nlp.kind import load_model, predict_kinds

    model = load_model()
    texts = [examples[i % len(examples)].text + f" ({i})" for i in range(n)]
    officer = [(e.text, e.kind) for e in examples[:100]]
    for label, extra in (("shipped model", ()), ("with 100 officer kinds", officer)):
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            predict_kinds(texts, officer=extra, model=model)
            times.append(time.perf_counter() - t)
        print(f"kinds for {n:,} comments, {label}: median {np.median(times):.2f} s")


def holdout(name, examples, pf_texts, pf_kinds, pf_weights) -> None:
    """Scored on ``tests/data/<name>``: written apart from the examples and never trained or
    tuned on."""
    import csv

    from engage.nlp.kind import Example, load_model

    path = Path(__file__).resolve().parents[1] / "tests" / "data" / name
    held = [Example(r["text"], r["kind"], tuple(t for t in r["themes"].split(";") if t),
                    int(r["sentiment"])) for r in csv.DictReader(path.open(encoding="utf-8"))]
    truth = [e.kind for e in held]
    texts = [e.text for e in held]
    print(f"-- {name} ({len(held)} comments), never trained or tuned on:")
    counts = {k: truth.count(k) for k in KINDS}
    majority = max(counts, key=counts.get)
    print(f"majority ({majority}):           {scores(truth, [majority] * len(truth))}")
    print(f"patient feedback only:        "
          f"{scores(truth, KindClassifier().fit(pf_texts, pf_kinds).predict(texts))}")
    ex_texts, ex_kinds = [e.text for e in examples], [e.kind for e in examples]
    print(f"examples only:                "
          f"{scores(truth, KindClassifier().fit(ex_texts, ex_kinds).predict(texts))}")
    shipped = KindClassifier().fit(pf_texts + ex_texts, pf_kinds + ex_kinds,
                                   sample_weight=list(pf_weights) + [1.0] * len(ex_texts))
    predicted = shipped.predict(texts)
    print(f"shipped configuration:        {scores(truth, predicted)}")
    print(f"shipped model file:           {scores(truth, load_model().predict(texts))}")
    negative_shares(held, predicted)


def negative_shares(examples, kinds) -> None:
    from engage.nlp.modelio import load_model
    from engage.nlp.sentiment import chart_level

    truth = np.array([e.sentiment for e in examples])
    model = load_model()
    predicted = np.rint(model.predict([e.text for e in examples]).sentiment).astype(int)
    written_kinds = [e.kind for e in examples]
    n = len(examples)
    share = lambda levels: sum(1 for v in levels if v == "negative") / n  # noqa: E731
    print("share of comments called negative:")
    print(f"  written labels (sentiment 4-5):                   {(truth >= 4).mean():.1%}")
    print(f"  written labels under the chart rule:              "
          f"{share([chart_level(s, k) for s, k in zip(truth, written_kinds, strict=True)]):.1%}")
    print(f"  model sentiment, five levels rolled up (before):  {(predicted >= 4).mean():.1%}")
    print(f"  model sentiment + CV kinds, chart rule (after):   "
          f"{share([chart_level(s, k) for s, k in zip(predicted, kinds, strict=True)]):.1%}")
    print(f"  model sentiment + written kinds, chart rule:      "
          f"{share([chart_level(s, k) for s, k in zip(predicted, written_kinds, strict=True)]):.1%}")


if __name__ == "__main__":
    main()
