"""Rebuild the shipped default model: ``python -m engage.nlp.build_models`` (= ``make models``).

Trains on the labelled NHS patient feedback in ``../shared/data/patient-feedback/train.csv``
(text ``FFT answer``; themes = every column after ``Comment sentiment``; sentiment
``Comment sentiment``, 1 very positive … 5 very negative) exactly as ``engage train`` would,
and writes ``models/default/`` (model + JSON card). Reproducible: same data, same model.
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m engage.nlp.build_models",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--input", default=str(DEFAULT_DATA), help="labelled CSV")
    parser.add_argument("--out", default=str(REPO / "models" / "default"), help="model folder")
    args = parser.parse_args(argv)

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
