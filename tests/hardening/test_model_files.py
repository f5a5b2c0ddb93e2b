"""A model folder a colleague sends is data: nothing in it runs, and a bad one is refused.

Each hostile file below would create a marker file if any of its code ran. The tests check the
refusal (exit 2, one line) and that the marker never appears.
"""

from __future__ import annotations

import json
import pickle
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from engage.nlp import modelio, safe_store
from tests.hardening.conftest import assert_one_line_refusal, run_engage, table_counts


class _Payload:
    """Unpickling this calls Path.touch on the marker: proof that code ran."""

    def __init__(self, marker: Path) -> None:
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


@pytest.fixture
def marker(tmp_path) -> Path:
    return tmp_path / "payload-ran"


@pytest.fixture
def comments_csv(tmp_path) -> Path:
    path = tmp_path / "in.csv"
    path.write_text("text\nThe bus to the hospital only runs twice a day\n", encoding="utf-8")
    return path


def _classify(model_dir: Path, comments_csv: Path, tmp_path: Path):
    return run_engage("classify", "--input", comments_csv, "--text-column", "text",
                      "--model", model_dir, "--out", tmp_path / "out.csv")


def test_a_pickled_model_joblib_is_refused_and_never_opened(tmp_path, marker, comments_csv):
    folder = tmp_path / "sent-by-a-colleague"
    folder.mkdir()
    (folder / "model.joblib").write_bytes(pickle.dumps(_Payload(marker)))
    result = _classify(folder, comments_csv, tmp_path)
    assert_one_line_refusal(result, "pickle")
    assert not marker.exists()
    assert not (tmp_path / "out.csv").exists()


def test_a_model_json_naming_a_foreign_class_is_refused(tmp_path, marker, comments_csv):
    folder = tmp_path / "crafted"
    shutil.copytree(modelio.default_model_dir(), folder)
    document = {"safe_store": 1, "value": {"$object": "pathlib:Path", "id": 0, "state": {}}}
    (folder / "model.json").write_text(json.dumps(document), encoding="utf-8")
    result = _classify(folder, comments_csv, tmp_path)
    assert_one_line_refusal(result, "pathlib:Path")


def test_an_object_array_in_the_npz_is_refused_without_unpickling(tmp_path, marker):
    folder = tmp_path / "crafted"
    folder.mkdir()
    (folder / "model.json").write_text(
        json.dumps({"safe_store": 1, "value": {"$array": "a0"}}), encoding="utf-8")
    payload = np.empty(1, dtype=object)
    payload[0] = _Payload(marker)
    np.savez(folder / "model.npz", a0=payload)  # numpy pickles object arrays
    with pytest.raises(safe_store.SafeStoreError):
        safe_store.load(folder)
    assert not marker.exists()


def test_an_npz_that_would_inflate_past_the_limit_is_refused_unread(tmp_path, monkeypatch):
    folder = tmp_path / "bomb"
    folder.mkdir()
    safe_store.save({"weights": np.zeros(1_000_000, np.float32)}, folder)
    assert zipfile.ZipFile(folder / "model.npz").infolist()[0].compress_size < 100_000
    monkeypatch.setattr(safe_store, "MAX_ARRAY_BYTES", 1_000_000)
    with pytest.raises(safe_store.SafeStoreError, match="unpack to"):
        safe_store.load(folder)


@pytest.mark.parametrize("damage", ["missing", "empty", "garbage", "mixed-up arrays"])
def test_analyse_with_an_unusable_model_folder_stops_and_writes_nothing(
        small_project, tmp_path, damage):
    folder = tmp_path / "model"
    if damage != "missing":
        folder.mkdir()
    if damage == "garbage":
        (folder / "model.json").write_bytes(b"\x00\xff not json at all")
        (folder / "model.npz").write_bytes(b"PK nonsense")
    if damage == "mixed-up arrays":
        shutil.copytree(modelio.default_model_dir(), folder, dirs_exist_ok=True)
        with np.load(folder / "model.npz") as arrays:
            shuffled = {k: arrays[k] for k in arrays.files}
        keys = list(shuffled)
        shuffled = dict(zip(keys, [shuffled[k] for k in reversed(keys)], strict=True))
        np.savez_compressed(folder / "model.npz", **shuffled)
    before = table_counts(small_project)
    result = run_engage("analyse", small_project, "--model", folder)
    assert_one_line_refusal(result, str(folder.name))
    assert table_counts(small_project) == before


def test_the_shipped_model_round_trips_with_identical_predictions(tmp_path):
    model = modelio.load_model()
    copy = modelio.save_model(model, tmp_path / "copy")
    again = modelio.load_model(copy)
    texts = ["The receptionist was rude on the phone", "Lovely clean ward", "", "n/a"]
    a, b = model.predict(texts), again.predict(texts)
    np.testing.assert_array_equal(a.theme_proba, b.theme_proba)
    np.testing.assert_array_equal(a.sentiment_proba, b.sentiment_proba)
    assert not (copy / modelio.LEGACY_PICKLE_FILE).exists()


def test_saving_a_type_outside_the_allowed_list_is_refused(tmp_path):
    with pytest.raises(safe_store.SafeStoreError, match="not a type"):
        safe_store.save({"odd": object()}, tmp_path)


def test_train_with_a_single_theme_column_works(tmp_path):
    rows = ["text,Access"]
    for i in range(40):
        rows.append(f"could not get an appointment for weeks {i},1")
        rows.append(f"the garden at the day centre is lovely {i},")
    data = tmp_path / "one-theme.csv"
    data.write_text("\n".join(rows) + "\n", encoding="utf-8")
    result = run_engage("train", "--input", data, "--text-column", "text",
                        "--theme-columns", "Access", "--out", tmp_path / "m", "--quiet")
    assert result.returncode == 0, result.stderr
    model = modelio.load_model(tmp_path / "m")
    assert model.card["themes"]["themes"][0]["name"] == "Access"
    assert model.predict(["no appointment for weeks"]).theme_labels[0, 0] == 1
