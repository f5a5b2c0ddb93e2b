"""`engage train` and `engage classify`: the supervised models from the command line.

Contract (an independent evaluation calls exactly this):

    engage train --input CSV --text-column COL --theme-columns COL [COL ...]
                 [--sentiment-column COL] [--fast] --out MODEL_DIR
    engage classify --input CSV --text-column COL [--model MODEL_DIR] [--fast] --out CSV

Theme columns are one-hot (1 = has theme; blank or 0 = not). `classify` writes every input row
in order with every input column as it was read, plus `themes` (names joined by ";", empty for
none), `sentiment` (on the training column's scale) and `kind` (praise, complaint, suggestion,
question, mixed or none). Both use the accurate model (the shipped sentence encoder, run by ONNX
Runtime, engage.nlp.accurate) unless `--fast`; `train` then also learns heads over the
encoder's vectors. Where the accurate model is not installed they say so on stderr and use the
fast model. Bad input raises ``EngageError``, which
the CLI prints as one line and turns into exit code 2.

Heavy libraries are imported inside the handlers so `engage --help` stays fast.
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from engage.errors import EngageError
from engage.progress import clear_terminal_progress, terminal_progress

THEMES_COLUMN = "themes"
SENTIMENT_COLUMN = "sentiment"
KIND_COLUMN = "kind"
_TRUE = {"1", "1.0", "1.00", "true", "yes", "y"}
_FALSE = {"", "0", "0.0", "0.00", "false", "no", "n", "nan", "na"}


class TrainingDataError(EngageError):
    """The CSV given to train or classify cannot be used as it is."""


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "train", help="train theme and sentiment models from a coded CSV",
        description="Train a theme model (and a sentiment model) from one-hot coded comments.",
    )
    p.add_argument("--input", required=True, metavar="CSV", help="coded comments (CSV)")
    p.add_argument("--text-column", required=True, metavar="COL", help="the comment column")
    p.add_argument("--theme-columns", required=True, nargs="+", metavar="COL",
                   help="one-hot theme columns (1 = has theme; blank or 0 = not)")
    p.add_argument("--sentiment-column", metavar="COL",
                   help="numeric sentiment column (e.g. 1 very positive … 5 very negative)")
    p.add_argument("--out", required=True, metavar="MODEL_DIR", help="folder to write the model")
    p.add_argument("--fast", action="store_true",
                   help="the fast linear model only (no heads over the sentence encoder)")
    p.add_argument("--quiet", action="store_true", help="print only errors")
    p.set_defaults(func=cmd_train)

    p = subparsers.add_parser(
        "classify", help="add predicted themes and sentiment to a CSV",
        description="Write the input CSV with `themes` and `sentiment` columns added.",
    )
    p.add_argument("--input", required=True, metavar="CSV", help="comments to classify (CSV)")
    p.add_argument("--text-column", required=True, metavar="COL", help="the comment column")
    p.add_argument("--model", metavar="MODEL_DIR",
                   help="model folder from `engage train` (default: the shipped model)")
    p.add_argument("--out", required=True, metavar="CSV", help="where to write the result")
    p.add_argument("--fast", action="store_true",
                   help="the fast linear model only (seconds; the default is the accurate one)")
    p.add_argument("--quiet", action="store_true", help="print only errors")
    p.set_defaults(func=cmd_classify)


# ----- reading input -----------------------------------------------------------------------------
def read_csv(path: str | Path):
    """Every cell as the string it was written as (blank stays blank), rows in file order."""
    import pandas as pd

    path = Path(path)
    if not path.exists():
        raise TrainingDataError(f"input file not found: {path}")
    if not path.is_file():
        raise TrainingDataError(f"input is not a file: {path}")
    last_error: Exception | None = None
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            with warnings.catch_warnings():
                # A row longer than the header would be silently cut: make it an error.
                warnings.simplefilter("error", pd.errors.ParserWarning)
                frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_filter=False,
                                    index_col=False, encoding=encoding)
            break
        except pd.errors.ParserWarning:
            raise TrainingDataError(
                f"{path} has rows with more fields than its header (check the quoting)"
            ) from None
        except UnicodeDecodeError as exc:
            last_error = exc
        except pd.errors.EmptyDataError:
            raise TrainingDataError(f"{path} is empty: no header and no rows") from None
        except (pd.errors.ParserError, ValueError) as exc:
            reason = str(exc).strip().splitlines()[-1] if str(exc).strip() else "bad CSV"
            raise TrainingDataError(f"{path} is not a readable CSV: {reason}") from None
    else:
        raise TrainingDataError(f"{path} cannot be decoded as text: {last_error}")
    if frame.columns.duplicated().any():
        dupes = sorted(set(frame.columns[frame.columns.duplicated()]))
        raise TrainingDataError(f"{path} has duplicate column names: {', '.join(dupes)}")
    if len(frame) == 0:
        raise TrainingDataError(f"{path} has no rows")
    return frame


def _require_columns(frame, columns: list[str], path: str, role: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        names = ", ".join(repr(c) for c in missing)
        available = ", ".join(repr(c) for c in list(frame.columns)[:12])
        more = " …" if len(frame.columns) > 12 else ""
        raise TrainingDataError(
            f"{role} column {names} not found in {path} (columns: {available}{more})"
        )


def theme_matrix(frame, columns: list[str], path: str):
    """0/1 matrix from one-hot columns; anything other than 1, 0 or blank is an error."""
    import numpy as np

    out = np.zeros((len(frame), len(columns)), dtype=np.int8)
    for j, column in enumerate(columns):
        values = frame[column].str.strip().str.lower()
        ones = values.isin(_TRUE).to_numpy()
        bad = ~(ones | values.isin(_FALSE).to_numpy())
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise TrainingDataError(
                f"theme column {column!r} in {path} has {frame[column].iloc[row]!r} on data row "
                f"{row + 1}; theme columns must hold 1 (has theme), 0 or blank"
            )
        out[:, j] = ones
    return out


def sentiment_values(frame, column: str, path: str):
    import numpy as np
    import pandas as pd

    raw = frame[column].str.strip()
    values = pd.to_numeric(raw.where(raw != "", None), errors="coerce")
    bad = values.isna() & (raw != "") & ~raw.str.lower().isin({"nan", "na", "n/a"})
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise TrainingDataError(
            f"sentiment column {column!r} in {path} has {frame[column].iloc[row]!r} on data row "
            f"{row + 1}; it must hold numbers (e.g. 1 to 5) or blanks"
        )
    values = values.to_numpy(dtype=float)
    known = values[~np.isnan(values)]
    if len(known) == 0:
        raise TrainingDataError(f"sentiment column {column!r} in {path} has no values")
    if len(np.unique(known)) < 2:
        raise TrainingDataError(
            f"sentiment column {column!r} in {path} holds only one value; nothing to learn"
        )
    return values


# ----- train -------------------------------------------------------------------------------------
def cmd_train(args: argparse.Namespace) -> int:
    from engage.nlp import modelio

    path = str(args.input)
    frame = read_csv(path)
    themes = list(dict.fromkeys(args.theme_columns))
    _require_columns(frame, [args.text_column], path, "text")
    _require_columns(frame, themes, path, "theme")
    if args.sentiment_column:
        _require_columns(frame, [args.sentiment_column], path, "sentiment")
    if args.text_column in themes:
        raise TrainingDataError(f"{args.text_column!r} is both the text and a theme column")
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise TrainingDataError(f"--out {out} exists and is not a folder")
    Y = theme_matrix(frame, themes, path)
    sentiment = (
        sentiment_values(frame, args.sentiment_column, path) if args.sentiment_column else None
    )
    texts = frame[args.text_column].tolist()
    if not any(t.strip() for t in texts):
        raise TrainingDataError(f"text column {args.text_column!r} in {path} is blank in every row")
    if Y.sum() == 0:
        raise TrainingDataError(f"no row of {path} has any of the {len(themes)} themes set to 1")
    source = {
        "file": Path(path).name,
        "sha256": modelio.file_fingerprint(path),
        "text_column": args.text_column,
        "theme_columns": themes,
        "sentiment_column": args.sentiment_column,
    }
    progress = None if args.quiet else terminal_progress()
    model = modelio.train_model(texts, Y, themes, sentiment, source=source, progress=progress)
    modelio.save_model(model, out)
    accurate = None
    if not getattr(args, "fast", False):
        from engage.nlp.accurate import train_heads
        from engage.nlp.encoder import EncoderUnavailable

        try:
            accurate = train_heads(model, texts, Y, sentiment, out, progress=progress)
        except EncoderUnavailable as exc:
            print(f"engage: note: {exc}; trained the fast model only", file=sys.stderr)
    if not args.quiet:
        clear_terminal_progress()
        _print_training_summary(model, out)
        if accurate:
            print(f"Accurate heads over the sentence encoder: cross-validated micro-F1 "
                  f"{accurate['cv_micro_f1']:.3f} (threshold {accurate['threshold']:.2f})")
    return 0


def _print_training_summary(model, out: Path) -> None:
    card = model.card
    th = card["themes"]
    print(f"Trained on {card['training_data']['rows']:,} comments; model written to {out}")
    print(f"Themes: {th['predicted']} of {th['count']} learnt "
          f"(coding threshold {th['threshold']:.2f}, review from {th['review_threshold']:.2f})")
    cv = th.get("cross_validation")
    if cv:
        macro = next((v for k, v in cv.items() if k.startswith("macro")), None)
        macro_text = f", macro-F1 {macro:.3f}" if macro is not None else ""
        print(f"  cross-validated micro-F1 {cv['micro_f1']:.3f}{macro_text}")
    if th["never_predicted"]:
        print(f"  kept but never predicted (fewer than {th['min_examples']} examples):")
        for entry in th["never_predicted"]:
            print(f"    {entry['name']} ({entry['examples']})")
    sentiment = card.get("sentiment")
    if sentiment:
        cv = sentiment.get("cross_validation", {})
        levels = ", ".join(sentiment["examples_per_level"])
        line = f"Sentiment: levels {levels}"
        if "macro_f1" in cv:
            line += f"; cross-validated macro-F1 {cv['macro_f1']:.3f}"
        print(line)


# ----- classify ----------------------------------------------------------------------------------
def cmd_classify(args: argparse.Namespace) -> int:
    from engage.nlp import modelio
    from engage.reports.cells import neutralise

    path = str(args.input)
    frame = read_csv(path)
    _require_columns(frame, [args.text_column], path, "text")
    out = Path(args.out)
    if out.exists() and out.is_dir():
        raise TrainingDataError(f"--out {out} is a folder; give a CSV file name")
    if not out.parent.exists():
        raise TrainingDataError(f"folder for --out does not exist: {out.parent}")
    model = modelio.load_model(args.model) if args.model else _default_model(modelio)
    if not getattr(args, "fast", False):
        model = _accurate(model, args.model)
    progress = None if args.quiet else terminal_progress()
    texts = frame[args.text_column].tolist()
    result = modelio.predict_frame(model, texts, progress=progress)
    for column in (THEMES_COLUMN, SENTIMENT_COLUMN, KIND_COLUMN):
        if column in frame.columns:
            print(f"engage: note: input column {column!r} is replaced by the prediction",
                  file=sys.stderr)
    frame[THEMES_COLUMN] = result["themes"]
    frame[SENTIMENT_COLUMN] = result["sentiment"]
    frame[KIND_COLUMN] = _kinds(texts)
    # The output is opened in a spreadsheet: a formula typed into the input stays text there,
    # by the same rule as the CSV and XLSX exports.
    frame = frame.map(neutralise)
    try:
        frame.to_csv(out, index=False, encoding="utf-8")
    except OSError as exc:
        raise TrainingDataError(f"cannot write {out}: {exc.strerror or exc}") from None
    if not args.quiet:
        clear_terminal_progress()
        coded = sum(1 for t in result["themes"] if t)
        print(f"Classified {len(frame):,} comments ({coded:,} with a theme); wrote {out}")
    return 0


def _accurate(model, model_dir):
    """The accurate model around ``model``, or ``model`` itself with a note saying why not."""
    from engage.nlp.accurate import AccurateModel
    from engage.nlp.encoder import EncoderUnavailable

    try:
        return AccurateModel(model, model_dir)
    except EncoderUnavailable as exc:
        print(f"engage: note: {exc}; using the fast model", file=sys.stderr)
        return model


def _kinds(texts: list[str]) -> list[str]:
    """Each comment's kind (engage.nlp.kind); blank, with a note, if no kind model is shipped."""
    try:
        from engage.nlp.kind import KindError, predict_kinds
    except ImportError:
        return [""] * len(texts)
    try:
        kinds, _confidence = predict_kinds(texts)
    except KindError as exc:
        print(f"engage: note: no kind of comment: {exc}", file=sys.stderr)
        return [""] * len(texts)
    return list(kinds)


def _default_model(modelio):
    directory = modelio.default_model_dir()
    if not (directory / modelio.MODEL_FILE).is_file():
        raise TrainingDataError(
            f"no shipped model at {directory}; run `make models` or pass --model MODEL_DIR"
        )
    return modelio.load_model(directory)  # checked like any folder: nothing in it runs


