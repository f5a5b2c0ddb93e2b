"""The accurate pass: word pieces, the ONNX encoder, heads, and the resumable project pass.

Everything here runs the shipped encoder in ``models/encoder`` (the suite switches the accurate
pass off elsewhere with ENGAGE_ACCURATE=off; these tests switch it back on).
"""

import csv
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp

from engage.analysis import pipeline, vectors
from engage.analysis.pipeline import accurate_pending, analyse_project, refine_project
from engage.cli import main
from engage.importing.importer import import_file
from engage.nlp import safe_store
from engage.nlp.encoder import Encoder, EncoderUnavailable, WordPiece, available
from engage.nlp.heads import AccurateHeads, ThemeHead, load_heads
from engage.progress import Cancelled
from engage.project import Project

BODIES = [
    "the practice nurse explained my results clearly and kindly",
    "I waited five hours in the emergency department without an update",
    "please bring back the evening bus to the community hospital",
    "when will the new health centre in the town open?",
    "parking at the hospital costs far too much for visitors",
    "the physiotherapist was patient and really helped my recovery",
    "I would like more mental health support for teenagers",
    "reception staff were rude on the phone and hung up on me",
]
OPENINGS = ["", "Honestly, ", "As a parent, "]


@pytest.fixture(autouse=True)
def accurate_on(monkeypatch):
    monkeypatch.delenv("ENGAGE_ACCURATE", raising=False)
    if not available():
        pytest.fail("the accurate model is not installed in models/encoder")


# ----- word pieces ---------------------------------------------------------------------------
VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "the", "bus", "##es", "cafe", "late", ",", "!",
         "run", "##ning"]


def test_word_pieces_follow_the_uncased_rules():
    wp = WordPiece(VOCAB, max_pieces=32)
    ids = wp.encode("The BUSES, running  Café late!")
    pieces = [VOCAB[i] for i in ids]
    assert pieces == ["[CLS]", "the", "bus", "##es", ",", "run", "##ning", "cafe", "late", "!",
                      "[SEP]"]
    assert [VOCAB[i] for i in wp.encode("zebra")] == ["[CLS]", "[UNK]", "[SEP]"]
    assert [VOCAB[i] for i in wp.encode("")] == ["[CLS]", "[SEP]"]


def test_word_pieces_are_cut_to_the_limit_keeping_the_end_marker():
    wp = WordPiece(VOCAB, max_pieces=6)
    ids = wp.encode("the bus the bus the bus the bus")
    assert len(ids) == 6 and VOCAB[ids[0]] == "[CLS]" and VOCAB[ids[-1]] == "[SEP]"


def test_a_vocabulary_without_its_markers_is_refused():
    with pytest.raises(EncoderUnavailable):
        WordPiece(["the", "bus"])


# ----- the encoder ---------------------------------------------------------------------------
def test_encoder_vectors_do_not_depend_on_batching_or_order():
    encoder = Encoder()
    texts = [o + b for o in OPENINGS for b in BODIES]
    together = encoder.encode(texts)
    assert together.shape == (len(texts), encoder.dimension)
    # int8 activations are scaled per batch, so a comment's vector moves a little with its
    # batch-mates: the same direction, not the same bits
    alone = np.vstack([encoder.encode([t]) for t in texts[:4]])
    assert _cosine(together[:4], alone).min() > 0.97
    reversed_ = encoder.encode(texts[::-1])[::-1]
    assert _cosine(together, reversed_).min() > 0.97
    assert _cosine(together[:1], together[1:2])[0] < 0.9  # different comments differ


def test_a_released_encoder_loads_again_and_gives_the_same_vectors():
    encoder = Encoder()
    before = encoder.encode(BODIES)
    encoder.release()
    assert encoder.session is None
    assert np.array_equal(encoder.encode(BODIES), before)


def test_identical_comments_are_encoded_once_and_share_one_vector(monkeypatch):
    encoder = Encoder()
    runs = []
    original = encoder.session.run

    def counting(outputs, feeds):
        runs.append(feeds["input_ids"].shape[0])
        return original(outputs, feeds)

    monkeypatch.setattr(encoder.session, "run", counting)
    texts = [BODIES[0], BODIES[1], BODIES[0].upper(), BODIES[0], BODIES[1] + "  "]
    out = encoder.encode(texts)
    assert sum(runs) == 2  # upper case and spacing give the same uncased word pieces
    assert np.array_equal(out[0], out[2]) and np.array_equal(out[0], out[3])
    assert np.array_equal(out[1], out[4]) and not np.array_equal(out[0], out[1])


def test_onnx_runtime_keeps_no_usage_queue_and_sends_nothing(tmp_path):
    # a fresh process, as an officer's: the runtime reads its telemetry switch on import
    env = {k: v for k, v in os.environ.items()
           if k not in ("ENGAGE_ACCURATE", "ORT_DISABLE_TELEMETRY")}
    env["HOME"] = str(tmp_path)
    code = "from engage.nlp.encoder import Encoder; Encoder().encode(['the bus is late'])"
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120, cwd=root)
    assert not (tmp_path / ".cache" / "Microsoft").exists()


def _cosine(a, b):
    return (a * b).sum(1) / np.linalg.norm(a, axis=1) / np.linalg.norm(b, axis=1)


def test_switched_off_or_missing_model_says_what_to_do(monkeypatch, tmp_path):
    with pytest.raises(EncoderUnavailable, match="make models-accurate"):
        Encoder(tmp_path)
    monkeypatch.setenv("ENGAGE_ACCURATE", "off")
    assert not available()
    with pytest.raises(EncoderUnavailable, match="switched off"):
        Encoder()


# ----- heads ---------------------------------------------------------------------------------
def test_shipped_heads_load_without_pickle_and_blend_with_the_fast_model():
    heads = load_heads(Encoder().directory)
    assert isinstance(heads, AccurateHeads) and len(heads.themes_) == heads.theme_w_.shape[0]
    v = np.random.default_rng(0).normal(size=(5, heads.theme_w_.shape[1])).astype(np.float32)
    alone = heads.encoder_theme_proba(v)
    fast = np.full_like(alone, 0.5)
    blended = heads.theme_proba(v, fast)
    assert blended.shape == alone.shape and np.all((blended > 0) & (blended < 1))
    s = heads.sentiment_proba(v, np.full((5, 5), 0.2))
    assert np.allclose(s.sum(axis=1), 1, atol=1e-5)


def test_theme_head_learns_from_vectors_and_sparse_features_and_round_trips(tmp_path):
    rng = np.random.default_rng(1)
    v = rng.normal(size=(120, 16)).astype(np.float32)
    Y = np.zeros((120, 3), dtype=int)
    Y[:, 0] = v[:, 0] > 0.3
    Y[:, 1] = v[:, 1] < -0.3
    Y[:2, 2] = 1  # too few examples: not learnt
    X = sp.csr_matrix(rng.random((120, 5)))
    head = ThemeHead(min_examples=3).fit(v, Y, sparse=X)
    p = head.predict_proba(v, sparse=X)
    assert ((p[:, 0] >= 0.5) == Y[:, 0].astype(bool)).mean() > 0.85
    assert not head.learnable_[2] and np.all(p[:, 2] == 0)
    safe_store.save(head, tmp_path, "head")
    again = safe_store.load(tmp_path, "head")
    assert np.allclose(again.predict_proba(v, sparse=X), p)


# ----- the project pass ----------------------------------------------------------------------
def _project(folder, rows):
    source = folder / "survey.csv"
    with open(source, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["ID", "Locality", "What matters to you"])
        for n, text in enumerate(rows, 1):
            writer.writerow([f"R{n}", "Purbeck", text])
    path = folder / "p.engage"
    with Project.create(path) as project:
        import_file(project, source, "Test survey")
    return path


def test_refine_codes_every_comment_resumes_after_cancel_and_encodes_once(tmp_path,
                                                                          monkeypatch):
    texts = [o + b for o in OPENINGS for b in BODIES]
    path = _project(tmp_path, texts)
    analyse_project(path)
    assert accurate_pending(path) == len(texts)
    encoded: list[int] = []
    real = Encoder.encode

    def counting(self, batch, **kwargs):
        encoded.append(len(batch))
        return real(self, batch, **kwargs)

    monkeypatch.setattr(Encoder, "encode", counting)
    monkeypatch.setattr(pipeline, "ENCODE_CHUNK", 10)

    def cancel_after_first_chunk():  # asked to stop while the second chunk is encoding
        return sum(encoded) >= 20

    with pytest.raises(Cancelled):
        refine_project(path, progress=lambda f, m: None, cancelled=cancel_after_first_chunk)
    with Project.open(path) as project:
        kept = vectors.vector_count(project)
        assert 10 <= kept < len(texts)
        assert vectors.coded_by_counts(project).get("accurate", 0) == 0
    encoded.clear()
    messages = []
    summary, changes = refine_project(path, progress=lambda f, m: messages.append(m))
    assert sum(encoded) == len(texts) - kept  # resumed: only what was not saved
    assert summary.comments == len(texts) and changes.codings and changes.sentiment
    assert any("accurate model" in m for m in messages)
    with Project.open(path) as project:
        assert vectors.coded_by_counts(project) == {"accurate": len(texts)}
        assert vectors.vector_count(project) == len(texts)
    assert accurate_pending(path) == 0
    # a fast re-analysis marks the comments fast again; refining encodes nothing new
    analyse_project(path)
    assert accurate_pending(path) == len(texts)
    encoded.clear()
    refine_project(path)
    assert sum(encoded) == 0


def test_refine_encodes_a_repeated_comment_once_and_gives_every_copy_its_vector(
        tmp_path, monkeypatch):
    texts = BODIES + [BODIES[2]] * 5 + [BODIES[0]] * 3
    path = _project(tmp_path, texts)
    analyse_project(path)
    encoded: list[str] = []
    real = Encoder.encode

    def counting(self, batch, **kwargs):
        encoded.extend(batch)
        return real(self, batch, **kwargs)

    monkeypatch.setattr(Encoder, "encode", counting)
    summary, _ = refine_project(path)
    assert sorted(encoded) == sorted(BODIES) and summary.comments == len(texts)
    with Project.open(path) as project:
        ids = [cid for cid, _t in project.db.execute(
            "SELECT id, text FROM comments ORDER BY id")]
        stored, found = vectors.load_vectors(project, ids, Encoder().dimension,
                                             Encoder().version)
    assert found.all()
    copies = [i for i, t in enumerate(texts) if t == BODIES[2]]
    assert all(np.array_equal(stored[copies[0]], stored[i]) for i in copies)
    assert not np.array_equal(stored[0], stored[1])


def _saved_results(path):
    with Project.open(path) as project:
        analysis = list(project.db.execute(
            "SELECT comment_id, outcome, sentiment, sentiment_confidence, review_priority, "
            "coded_by FROM comment_analysis ORDER BY comment_id"))
        codings = list(project.db.execute(
            "SELECT comment_id, theme_id, confidence FROM codings ORDER BY comment_id, theme_id"))
    return analysis, codings


def test_refining_in_small_batches_saves_exactly_what_one_batch_saves(tmp_path, monkeypatch):
    # A million comments are read back, scored and saved a batch at a time; the batch edges
    # must not change a single result.
    texts = [o + b for o in OPENINGS for b in BODIES]
    (tmp_path / "whole").mkdir()
    (tmp_path / "batched").mkdir()
    whole, batched = _project(tmp_path / "whole", texts), _project(tmp_path / "batched", texts)
    for path in (whole, batched):
        analyse_project(path)
    summary_whole, _ = refine_project(whole)
    monkeypatch.setattr(pipeline, "HEAD_BATCH", 5)
    monkeypatch.setattr(pipeline, "SAVE_BATCH", 7)
    summary_batched, _ = refine_project(batched)
    assert summary_batched.comments == summary_whole.comments == len(texts)
    assert summary_batched.outcomes == summary_whole.outcomes
    analysis, codings = _saved_results(batched)
    assert len(analysis) == len(texts) and {row[5] for row in analysis} == {"accurate"}
    assert (analysis, codings) == _saved_results(whole)
    with Project.open(batched) as project:
        run = project.db.execute("SELECT comments FROM analysis_runs WHERE status = 'done' "
                                 "ORDER BY id DESC LIMIT 1").fetchone()
    assert run[0] == len(texts)


def test_engage_analyse_runs_both_passes_unless_fast(tmp_path, capsys):
    path = _project(tmp_path, [o + b for o in OPENINGS for b in BODIES])
    assert main(["analyse", str(path), "--fast"]) == 0
    assert accurate_pending(path) > 0
    assert main(["analyse", str(path)]) == 0
    assert "accurate model" in capsys.readouterr().out
    assert accurate_pending(path) == 0


def test_classify_is_accurate_by_default_and_offline(tmp_path, monkeypatch):
    source = tmp_path / "in.csv"
    with open(source, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text"])
        for b in BODIES:
            writer.writerow([b])

    def no_network(*args, **kwargs):
        raise OSError("network access attempted")

    monkeypatch.setattr(socket, "socket", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    encoded: list[int] = []
    real = Encoder.encode
    monkeypatch.setattr(Encoder, "encode",
                        lambda self, batch, **kw: encoded.append(len(batch)) or real(
                            self, batch, **kw))
    for flag, expected in (([], [len(BODIES)]), (["--fast"], [])):
        encoded.clear()
        out = tmp_path / f"out{len(flag)}.csv"
        assert main(["classify", "--input", str(source), "--text-column", "text",
                     "--out", str(out), *flag]) == 0
        with open(out, encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        assert [r["text"] for r in rows] == BODIES
        assert all(r["sentiment"] in {"1", "2", "3", "4", "5"} for r in rows)
        assert {r["kind"] for r in rows} <= {"praise", "complaint", "suggestion", "question",
                                             "mixed", "none"}
        assert encoded == expected


def test_train_adds_accurate_heads_that_classify_then_uses(tmp_path, capsys):
    source = tmp_path / "coded.csv"
    themes = {"waiting": ("waited", "hours", "delay"), "staff": ("nurse", "staff", "kind"),
              "travel": ("bus", "parking", "travel")}
    with open(source, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["text", "waiting", "staff", "travel", "score"])
        for n, (opening, body) in enumerate((o, b) for o in OPENINGS * 3 for b in BODIES):
            text = f"{opening}{body} ({n})"
            flags = [int(any(w in body for w in words)) for words in themes.values()]
            writer.writerow([text, *flags, 2 if "kind" in body or "helped" in body else 4])
    model = tmp_path / "model"
    assert main(["train", "--input", str(source), "--text-column", "text", "--theme-columns",
                 "waiting", "staff", "travel", "--sentiment-column", "score",
                 "--out", str(model)]) == 0
    assert "Accurate heads" in capsys.readouterr().out
    assert (model / "accurate.json").is_file() and (model / "accurate.npz").is_file()
    out = tmp_path / "out.csv"
    assert main(["classify", "--input", str(source), "--text-column", "text", "--model",
                 str(model), "--out", str(out)]) == 0
    with open(out, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert "engage: note" not in capsys.readouterr().err  # the accurate heads were used
    hits = sum("travel" in r["themes"].split(";") for r in rows if "bus" in r["text"])
    assert hits >= 5  # the comments about the bus are coded with travel
    assert {r["sentiment"] for r in rows} <= {"2", "4"}


def test_report_method_quotes_the_shipped_int8_figures_when_measured(tmp_path):
    import json

    from engage.nlp.encoder import methodology_sentence

    def entry(v):
        return {"value": v, "ci95": [v - 0.01, v + 0.01]}

    cv = {"themes": {"baseline": {"micro_f1": entry(0.61)}, "accurate": {"micro_f1": entry(0.71)},
                     "accurate_int8": {"micro_f1": entry(0.70)}},
          "sentiment": {"baseline": {"macro_f1_5_levels": entry(0.51)},
                        "accurate": {"macro_f1_5_levels": entry(0.63)},
                        "accurate_int8": {"macro_f1_5_levels": entry(0.62)}}}
    (tmp_path / "model_card.json").write_text(json.dumps(
        {"training_data": {"comments": 4321}, "cross_validation": cv}), encoding="utf-8")
    text = methodology_sentence(tmp_path)
    assert "4,321" in text and "micro-F1 0.70" in text and "baseline: 0.61" in text
    assert "macro-F1 0.62" in text and "0.71" not in text
