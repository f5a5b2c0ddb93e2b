"""Rebuild the shipped default model: ``python -m engage.nlp.build_models`` (= ``make models``).

Trains on the labelled NHS patient feedback in ``../shared/data/patient-feedback/train.csv``
(text ``FFT answer``; themes = every column after ``Comment sentiment``; sentiment
``Comment sentiment``, 1 very positive … 5 very negative) exactly as ``engage train`` would,
and writes ``models/default/`` (model + JSON card). Reproducible: same data, same model.

``--accurate`` (``make models-accurate``, after ``benchmarks/train_encoder.py final`` and
``benchmarks/bench_accurate.py quality`` in the build venv) assembles ``models/encoder/`` for
the accurate pass from ``build/encoder_final/``: the int8 ONNX encoder, its vocabulary, the
fine-tuned heads with the blend chosen by nested cross-validation (``heads.json``/``.npz``,
pickle-free) and a model card with the data, date, CV metrics and speed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DEFAULT_DATA = REPO.parent / "shared" / "data" / "patient-feedback" / "train.csv"
TEXT_COLUMN = "FFT answer"
SENTIMENT_COLUMN = "Comment sentiment"


def framework_columns(header: list[str]) -> list[str]:
    """The theme columns of the patient-feedback file: every column after the sentiment one."""
    return header[header.index(SENTIMENT_COLUMN) + 1 :]


FINAL = REPO / "build" / "encoder_final"
QUALITY = REPO / "benchmarks" / "results" / "accurate_quality.json"
SPEED = REPO / "benchmarks" / "results" / "accurate_speed.json"


def build_accurate(source: Path = FINAL, out: Path | None = None) -> Path:
    """models/encoder/ from a fine-tuned encoder export and the nested-CV results."""
    import datetime as dt
    import json
    import shutil

    import numpy as np

    from engage.nlp.heads import HEADS_STEM, AccurateHeads
    from engage.nlp.safe_store import save

    out = Path(out) if out is not None else REPO / "models" / "encoder"
    training = json.loads((source / "training.json").read_text(encoding="utf-8"))
    quality = json.loads(QUALITY.read_text(encoding="utf-8")) if QUALITY.is_file() else {}
    final = quality.get("final_choice", {})
    with np.load(source / "heads.npz", allow_pickle=False) as h:
        heads = AccurateHeads(training["themes"], h["theme_w"], h["theme_b"],
                              h["sentiment_w"], h["sentiment_b"],
                              theme_weight=final.get("theme_weight", 0.5),
                              sentiment_weight=final.get("sentiment_weight", 0.5),
                              threshold=final.get("threshold", 0.5),
                              fallback=final.get("fallback", 0.5),
                              theme_offsets=final.get("theme_offsets"),
                              sentiment_bias=final.get("sentiment_bias"))
    out.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source / "encoder.int8.onnx", out / "encoder.onnx")
    shutil.copyfile(source / "vocab.txt", out / "vocab.txt")
    save(heads, out, HEADS_STEM)
    card = {
        "name": "Engage accurate pass: fine-tuned all-MiniLM-L6-v2 (int8 ONNX) + heads",
        "created": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "base_model": training["base"],
        "licence": "all-MiniLM-L6-v2: Apache-2.0",
        "training_data": {"file": DEFAULT_DATA.name, "comments": training["comments"],
                          "source": "NHS patient feedback (pxtextmining v6 framework), two "
                                    "trusts, 2021-22, labelled by NHS staff"},
        "training": {k: training[k] for k in ("epochs", "batch", "encoder_lr", "head_lr",
                                               "max_pieces", "theme_weight", "pos_weight_cap",
                                               "seconds")},
        "max_pieces": training["max_pieces"],
        "quantisation": "dynamic int8, per-channel weights of every MatMul (embeddings fp32)",
        "themes": training["themes"],
        "blend": {"theme_weight": heads.theme_weight_,
                  "sentiment_weight": heads.sentiment_weight_,
                  "threshold": heads.threshold_, "fallback": heads.fallback_,
                  "themes_with_own_offset": int(np.count_nonzero(heads.theme_offsets_)),
                  "sentiment_bias": [round(float(b), 2) for b in heads.sentiment_bias_],
                  "chosen_by": "nested cross-validation on the scored folds "
                               "(benchmarks/bench_accurate.py; see cross_validation.method "
                               "and cross_validation.data.folds_scored)"},
        "cross_validation": {k: quality[k] for k in ("data", "method", "themes", "sentiment")
                             if k in quality},
        "speed": json.loads(SPEED.read_text(encoding="utf-8")) if SPEED.is_file() else {},
    }
    (out / "model_card.json").write_text(json.dumps(card, indent=2) + "\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engage.nlp.build_models",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--input", default=str(DEFAULT_DATA), help="labelled CSV")
    parser.add_argument("--out", default=str(REPO / "models" / "default"), help="model folder")
    parser.add_argument("--accurate", action="store_true",
                        help="assemble models/encoder/ from build/encoder_final/")
    args = parser.parse_args(argv)
    if args.accurate:
        if not (FINAL / "training.json").is_file():
            print(f"build_models: no fine-tuned encoder in {FINAL}; run "
                  "`make models-accurate`", file=sys.stderr)
            return 2
        print(f"wrote {build_accurate()}")
        return 0

    from engage.errors import EngageError
    from engage.nlp.commands import cmd_train, read_csv

    try:
        header = list(read_csv(args.input).columns)
        if SENTIMENT_COLUMN not in header:
            print(f"build_models: {args.input} has no {SENTIMENT_COLUMN!r} column",
                  file=sys.stderr)
            return 2
        train_args = argparse.Namespace(
            input=args.input,
            text_column=TEXT_COLUMN,
            theme_columns=framework_columns(header),
            sentiment_column=SENTIMENT_COLUMN,
            out=args.out,
            quiet=False,
        )
        return cmd_train(train_args)
    except EngageError as exc:
        print(f"build_models: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
