"""`engage train` / `engage classify`: the command-line contract an evaluation relies on."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

import pytest

from engage.cli import main
from engage.nlp import modelio

THEMES = ["Waiting times", "Staff attitude", "Car parking", "Hardly ever"]
_PHRASES = {
    "Waiting times": ["waited hours to be seen", "long queue at reception", "very late clinic"],
    "Staff attitude": ["the nurse was kind", "receptionist was rude", "doctor listened well"],
    "Car parking": ["no parking spaces", "car park too expensive", "parking ticket machine"],
}


def write_training_csv(path: Path, n: int = 240, seed: int = 0) -> Path:
    """Coded comments in the shape of a survey export: ids, text, sentiment, one-hot themes."""
    rng = random.Random(seed)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "Comment", "Sentiment", *THEMES])
        for i in range(n):
            theme = THEMES[i % 3]
            positive = "kind" in (text := rng.choice(_PHRASES[theme])) or "listened" in text
            sentiment = "" if i % 40 == 0 else ("1.0" if positive else rng.choice(["4.0", "5.0"]))
            if i % 7 == 0:
                sentiment = "3.0"
                text += " i suppose"
            flags = ["1" if t == theme else rng.choice(["", "0"]) for t in THEMES]
            if i < 2:
                flags[3] = "1"  # two examples: kept, reported, never predicted
            writer.writerow([f"r{i}", text.capitalize(), sentiment, *flags])
    return path


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("cli")
    data = write_training_csv(folder / "coded.csv")
    model = folder / "model"
    code = main(["train", "--input", str(data), "--text-column", "Comment", "--theme-columns",
                 *THEMES, "--sentiment-column", "Sentiment", "--out", str(model)])
    assert code == 0
    return data, model


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_train_writes_model_and_card(trained):
    _, model = trained
    assert (model / modelio.MODEL_FILE).is_file()
    card = json.loads((model / modelio.CARD_FILE).read_text(encoding="utf-8"))
    assert card["training_data"]["rows"] == 240
    assert card["training_data"]["text_column"] == "Comment"
    assert card["themes"]["never_predicted"] == [{"name": "Hardly ever", "examples": 2}]
    assert "micro_f1" in card["themes"]["cross_validation"]
    assert card["sentiment"]["integer_scale"] is True
    assert "macro_f1" in card["sentiment"]["cross_validation"]
    assert card["created"] and card["parameters"]["themes"]["C"] > 0


def test_classify_keeps_rows_and_columns_and_adds_predictions(trained, tmp_path):
    data, model = trained
    source = tmp_path / "new.csv"
    source.write_text(
        "Comment,Place,Extra\n"
        "We waited hours to be seen,Poole,\"a, b\"\n"
        ",Weymouth,\n"
        "No parking spaces at all,Purbeck,x\n"
        "The receptionist was rude,Poole,\n",
        encoding="utf-8",
    )
    out = tmp_path / "out.csv"
    assert main(["classify", "--input", str(source), "--text-column", "Comment", "--model",
                 str(model), "--out", str(out)]) == 0
    header, rows = read_rows(out)
    assert header == ["Comment", "Place", "Extra", "themes", "sentiment", "kind"]
    assert [r["Place"] for r in rows] == ["Poole", "Weymouth", "Purbeck", "Poole"]
    assert rows[0]["Extra"] == "a, b" and rows[1]["Comment"] == ""
    assert "Waiting times" in rows[0]["themes"].split(";")
    assert "Car parking" in rows[2]["themes"].split(";")
    for row in rows:
        assert "Hardly ever" not in row["themes"]
        assert row["sentiment"] in {"1", "3", "4", "5"}  # integers: the column held 1.0 … 5.0


def test_train_without_sentiment_leaves_sentiment_blank(tmp_path):
    data = write_training_csv(tmp_path / "coded.csv", n=90)
    model = tmp_path / "m"
    assert main(["train", "--input", str(data), "--text-column", "Comment", "--theme-columns",
                 *THEMES[:3], "--out", str(model), "--quiet"]) == 0
    out = tmp_path / "out.csv"
    assert main(["classify", "--input", str(data), "--text-column", "Comment", "--model",
                 str(model), "--out", str(out), "--quiet"]) == 0
    _, rows = read_rows(out)
    assert len(rows) == 90 and all(r["sentiment"] == "" for r in rows)


def _fails(capsys, argv: list[str], *words: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1, err
    for word in words:
        assert word in err


def test_bad_training_input_exits_2_with_one_line(tmp_path, capsys):
    good = write_training_csv(tmp_path / "coded.csv", n=30)
    base = ["train", "--text-column", "Comment", "--out", str(tmp_path / "m")]
    _fails(capsys, [*base, "--input", str(tmp_path / "nope.csv"), "--theme-columns", "A"],
           "not found", "nope.csv")
    _fails(capsys, [*base, "--input", str(good), "--theme-columns", "Waiting times", "Missing"],
           "Missing")
    _fails(capsys, ["train", "--input", str(good), "--text-column", "Body", "--theme-columns",
                    "Waiting times", "--out", str(tmp_path / "m")], "Body")
    _fails(capsys, [*base, "--input", str(good), "--theme-columns", "Waiting times",
                    "--sentiment-column", "Mood"], "Mood")
    empty = tmp_path / "empty.csv"
    empty.write_text("Comment,Waiting times\n", encoding="utf-8")
    _fails(capsys, [*base, "--input", str(empty), "--theme-columns", "Waiting times"], "no rows")
    odd = tmp_path / "odd.csv"
    odd.write_text("Comment,Waiting times\nslow,1\nfast,2\n", encoding="utf-8")
    _fails(capsys, [*base, "--input", str(odd), "--theme-columns", "Waiting times"],
           "Waiting times", "'2'")
    words = tmp_path / "words.csv"
    words.write_text("Comment,T,S\nslow,1,bad\nfast,0,1\n", encoding="utf-8")
    _fails(capsys, [*base, "--input", str(words), "--theme-columns", "T",
                    "--sentiment-column", "S"], "'bad'")
    assert not (tmp_path / "m").exists()


def test_bad_classify_input_exits_2_with_one_line(trained, tmp_path, capsys):
    data, model = trained
    out = str(tmp_path / "out.csv")
    _fails(capsys, ["classify", "--input", str(tmp_path / "gone.csv"), "--text-column",
                    "Comment", "--model", str(model), "--out", out], "gone.csv")
    _fails(capsys, ["classify", "--input", str(data), "--text-column", "Body", "--model",
                    str(model), "--out", out], "Body")
    _fails(capsys, ["classify", "--input", str(data), "--text-column", "Comment", "--model",
                    str(tmp_path / "no-model"), "--out", out], "no-model")
    header_only = tmp_path / "header.csv"
    header_only.write_text("Comment\n", encoding="utf-8")
    _fails(capsys, ["classify", "--input", str(header_only), "--text-column", "Comment",
                    "--model", str(model), "--out", out], "no rows")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("Comment,Place\nslow,Poole,extra\n", encoding="utf-8")
    _fails(capsys, ["classify", "--input", str(ragged), "--text-column", "Comment",
                    "--model", str(model), "--out", out], "more fields")
    assert not Path(out).exists()


DEFAULT = modelio.default_model_dir()


@pytest.mark.skipif(not (DEFAULT / modelio.MODEL_FILE).is_file(), reason="no shipped model")
def test_classify_with_the_shipped_default_model(tmp_path):
    source = tmp_path / "in.csv"
    source.write_text("text\nThe staff were kind and caring\nWaited four hours for a bed\n",
                      encoding="utf-8")
    out = tmp_path / "out.csv"
    assert main(["classify", "--input", str(source), "--text-column", "text", "--out",
                 str(out), "--quiet"]) == 0
    _, rows = read_rows(out)
    assert len(rows) == 2
    assert all(r["sentiment"] in {"1", "2", "3", "4", "5"} for r in rows)
    assert all(r["themes"] for r in rows)
