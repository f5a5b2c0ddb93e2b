"""The accurate pass's sentence encoder: a fine-tuned MiniLM run by ONNX Runtime.

Nothing here needs PyTorch or ``transformers``: the word pieces come from a small WordPiece
tokeniser written for the encoder's vocabulary (BERT's uncased rules: clean, split on spaces and
punctuation, lower-case, strip accents, longest-match word pieces), and the network is an ONNX
graph, which ONNX Runtime evaluates without running any code from the file. The model folder
(``models/encoder/`` unless named) holds:

- ``encoder.onnx`` — input ids + attention mask → one mean-pooled vector per comment;
- ``vocab.txt`` — the word-piece vocabulary, one piece a line;
- ``heads.json`` + ``heads.npz`` — the linear theme and sentiment heads fine-tuned with it
  (``engage.nlp.heads``), written by ``engage.nlp.safe_store``;
- ``model_card.json`` — data, date, cross-validated metrics, speed.

Comments are encoded shortest first in batches, so little is spent on padding; the vectors come
back in input order as float32 (the project stores them as float16).
"""

from __future__ import annotations

import json
import os
import unicodedata
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from engage.errors import EngageError
from engage.progress import CancelFn, ProgressFn, Reporter

ONNX_FILE = "encoder.onnx"
VOCAB_FILE = "vocab.txt"
CARD_FILE = "model_card.json"
DEFAULT_MAX_PIECES = 96
BATCH = 64
#: The cost of a batch grows with its longest comment: cap the pieces per batch so one long
#: letter does not pad 63 short comments to its length.
MAX_BATCH_PIECES = 64 * 48


class EncoderUnavailable(EngageError):
    """The accurate model cannot run here: its files or ONNX Runtime are missing."""


def default_encoder_dir() -> Path:
    """``$ENGAGE_ENCODER_DIR`` or ``models/encoder`` beside the package."""
    env = os.environ.get("ENGAGE_ENCODER_DIR")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "models" / "encoder"


# ----- word pieces -------------------------------------------------------------------------------
def _is_punctuation(ch: str) -> bool:
    code = ord(ch)
    if 33 <= code <= 47 or 58 <= code <= 64 or 91 <= code <= 96 or 123 <= code <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(code: int) -> bool:
    return (0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF or 0x20000 <= code <= 0x2A6DF
            or 0x2A700 <= code <= 0x2B73F or 0x2B740 <= code <= 0x2B81F
            or 0x2B820 <= code <= 0x2CEAF or 0xF900 <= code <= 0xFAFF
            or 0x2F800 <= code <= 0x2FA1F)


def _clean(text: str) -> str:
    out = []
    for ch in text:
        code = ord(ch)
        if code == 0 or code == 0xFFFD:
            continue
        if ch in "\t\n\r" or unicodedata.category(ch) == "Zs":
            out.append(" ")
        elif unicodedata.category(ch) in ("Cc", "Cf"):
            continue
        elif _is_cjk(code):
            out.append(f" {ch} ")
        else:
            out.append(ch)
    return "".join(out)


def _basic_words(text: str) -> list[str]:
    """BERT's basic tokenisation, uncased: words and single punctuation marks."""
    words: list[str] = []
    for word in _clean(text).split():
        word = unicodedata.normalize("NFD", word.lower())
        word = "".join(ch for ch in word if unicodedata.category(ch) != "Mn")
        current: list[str] = []
        for ch in word:
            if _is_punctuation(ch):
                if current:
                    words.append("".join(current))
                    current = []
                words.append(ch)
            else:
                current.append(ch)
        if current:
            words.append("".join(current))
    return words


class WordPiece:
    """Text → word-piece ids for a BERT-style uncased vocabulary."""

    def __init__(self, vocab: Sequence[str], max_pieces: int = DEFAULT_MAX_PIECES) -> None:
        self.index = {piece: i for i, piece in enumerate(vocab)}
        for special in ("[CLS]", "[SEP]", "[UNK]", "[PAD]"):
            if special not in self.index:
                raise EncoderUnavailable(f"the encoder's vocabulary has no {special} piece")
        self.cls, self.sep = self.index["[CLS]"], self.index["[SEP]"]
        self.unk, self.pad = self.index["[UNK]"], self.index["[PAD]"]
        self.max_pieces = max_pieces
        self._cache: dict[str, tuple[int, ...]] = {}

    @classmethod
    def from_file(cls, path: str | Path, max_pieces: int = DEFAULT_MAX_PIECES) -> WordPiece:
        lines = Path(path).read_text(encoding="utf-8").split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        return cls(lines, max_pieces)

    def _word(self, word: str) -> tuple[int, ...]:
        found = self._cache.get(word)
        if found is not None:
            return found
        if len(word) > 100:
            pieces: tuple[int, ...] = (self.unk,)
        else:
            out, start = [], 0
            while start < len(word):
                end, piece = len(word), None
                while start < end:
                    candidate = word[start:end] if start == 0 else "##" + word[start:end]
                    if candidate in self.index:
                        piece = self.index[candidate]
                        break
                    end -= 1
                if piece is None:
                    out = [self.unk]
                    break
                out.append(piece)
                start = end
            pieces = tuple(out)
        if len(self._cache) < 500_000:
            self._cache[word] = pieces
        return pieces

    def encode(self, text: str) -> list[int]:
        """[CLS] pieces… [SEP], cut to ``max_pieces`` in all."""
        ids = [self.cls]
        room = self.max_pieces - 1
        for word in _basic_words(text or ""):
            ids.extend(self._word(word))
            if len(ids) >= room:
                del ids[room:]
                break
        ids.append(self.sep)
        return ids


# ----- the encoder -------------------------------------------------------------------------------
class Encoder:
    """Comment texts → fine-tuned sentence vectors, on ONNX Runtime, two workers by default."""

    def __init__(self, directory: str | Path | None = None, threads: int | None = None) -> None:
        if _switched_off():
            raise EncoderUnavailable("the accurate model is switched off ($ENGAGE_ACCURATE)")
        self.directory = Path(directory) if directory is not None else default_encoder_dir()
        onnx_path = self.directory / ONNX_FILE
        vocab_path = self.directory / VOCAB_FILE
        missing = [p.name for p in (onnx_path, vocab_path) if not p.is_file()]
        if missing:
            raise EncoderUnavailable(
                f"the accurate model is not installed: {', '.join(missing)} missing in "
                f"{self.directory} (build it with `make models-accurate`, or use --fast)")
        # ONNX Runtime otherwise keeps a usage-event queue in ~/.cache/Microsoft and, seconds
        # after loading, looks up its collector on the network: Engage never sends anything.
        # It reads the switch once, on import, so it must be set first.
        os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
        try:
            import onnxruntime as ort
        except ImportError:
            raise EncoderUnavailable(
                "the accurate model needs ONNX Runtime (pip install onnxruntime), or use --fast"
            ) from None
        self.card = read_card(self.directory)
        max_pieces = int(self.card.get("max_pieces", DEFAULT_MAX_PIECES))
        self.pieces = WordPiece.from_file(vocab_path, max_pieces)
        # One single-threaded session run from `workers` threads at once: batches are small,
        # and ONNX Runtime's own threads spent about half their time spinning between the
        # products of one batch, where two batches side by side keep both cores working.
        self.workers = max(1, threads or min(2, os.cpu_count() or 1))
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
        options.log_severity_level = 3
        self._load = lambda: ort.InferenceSession(str(onnx_path), options,
                                                  providers=["CPUExecutionProvider"])
        try:
            self.session = self._load()
        except Exception as exc:  # ONNX Runtime raises its own untyped errors
            raise EncoderUnavailable(f"{onnx_path} cannot be loaded: {exc}") from None
        self.dimension = int(self.session.get_outputs()[0].shape[-1])

    def release(self) -> None:
        """Free the runtime's working memory, about 200 MB once it has run batches of every
        length; the next ``encode`` loads the model again. The accurate pass releases it once
        its comments are encoded, so it is not held beside a million comments' scores."""
        self.session = None

    @property
    def version(self) -> str:
        return str(self.card.get("created", "unknown"))

    def encode(self, texts: Sequence[str], progress: ProgressFn | None = None,
               cancelled: CancelFn | None = None) -> np.ndarray:
        """(n, dimension) float32 vectors in input order."""
        report = Reporter(progress, cancelled)
        n = len(texts)
        out = np.zeros((n, self.dimension), dtype=np.float32)
        if n == 0:
            return out
        if self.session is None:
            self.session = self._load()
        ids, copy_of = _distinct([self.pieces.encode(t) for t in texts])
        unique = self._encode_pieces(ids, report)
        out[:] = unique[copy_of]
        return out

    def _encode_pieces(self, ids: list[tuple[int, ...]], report: Reporter) -> np.ndarray:
        """Batches of similar length run on the worker threads; progress and the cancel check
        stay on the calling thread, which also stops handing out batches once cancelled."""
        from concurrent.futures import ThreadPoolExecutor

        n = len(ids)
        out = np.zeros((n, self.dimension), dtype=np.float32)
        batches = _batches(ids)
        done = 0
        with ThreadPoolExecutor(self.workers, thread_name_prefix="engage-encoder") as pool:
            ahead = 2 * self.workers  # queued batches: enough to keep every worker busy
            running = [pool.submit(self._run, ids, rows) for rows in batches[:ahead]]
            try:
                for k in range(len(batches)):
                    rows = batches[k]
                    out[rows] = running[k].result()
                    if k + ahead < len(batches):
                        running.append(pool.submit(self._run, ids, batches[k + ahead]))
                    done += len(rows)
                    report(done / n, f"Encoded {done:,} of {n:,} distinct comments")
            except BaseException:
                for future in running:
                    future.cancel()
                raise
        return out

    def _run(self, ids: list[tuple[int, ...]], rows: np.ndarray) -> np.ndarray:
        width = len(ids[rows[-1]])
        batch = np.full((len(rows), width), self.pieces.pad, dtype=np.int64)
        mask = np.zeros((len(rows), width), dtype=np.int64)
        for j, i in enumerate(rows):
            batch[j, : len(ids[i])] = ids[i]
            mask[j, : len(ids[i])] = 1
        return self.session.run(None, {"input_ids": batch, "attention_mask": mask})[0]


def _batches(ids: list[tuple[int, ...]]) -> list[np.ndarray]:
    """Row numbers shortest first, cut into batches of at most BATCH comments and about
    MAX_BATCH_PIECES padded pieces."""
    n = len(ids)
    order = np.argsort([len(x) for x in ids], kind="stable")
    out, k = [], 0
    while k < n:
        width = len(ids[order[min(k + BATCH, n) - 1]])
        size = max(1, min(BATCH, MAX_BATCH_PIECES // max(width, 1)))
        out.append(order[k: k + size])
        k += size
    return out


def _distinct(encoded: list[list[int]]) -> tuple[list[tuple[int, ...]], np.ndarray]:
    """Each distinct word-piece sequence once, and where every comment's copy sits.

    Consultations repeat themselves ("No", "None.", "n/a", campaign texts): a comment whose
    pieces equal another's takes that comment's vector, so each text costs the encoder once and
    identical comments can never be coded apart."""
    position: dict[tuple[int, ...], int] = {}
    copy_of = np.empty(len(encoded), dtype=np.int64)
    for i, pieces in enumerate(encoded):
        copy_of[i] = position.setdefault(tuple(pieces), len(position))
    return list(position), copy_of


def _switched_off() -> bool:
    return os.environ.get("ENGAGE_ACCURATE", "").strip().lower() in ("off", "0", "no")


def read_card(directory: str | Path) -> dict:
    path = Path(directory) / CARD_FILE
    if not path.is_file():
        return {}
    try:
        card = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return card if isinstance(card, dict) else {}


def available(directory: str | Path | None = None) -> bool:
    """True when the accurate model's files and ONNX Runtime are both here (nothing loaded)
    and ``$ENGAGE_ACCURATE`` is not ``off`` (the GUI then runs the fast pass only)."""
    if _switched_off():
        return False
    folder = Path(directory) if directory is not None else default_encoder_dir()
    if not ((folder / ONNX_FILE).is_file() and (folder / VOCAB_FILE).is_file()):
        return False
    try:
        import importlib.util

        return importlib.util.find_spec("onnxruntime") is not None
    except (ImportError, ValueError):
        return False


def methodology_sentence(directory: str | Path | None = None) -> str | None:
    """What the accurate model is and how well it did, from its card, for a report's method
    section; None when no accurate model is installed."""
    folder = Path(directory) if directory is not None else default_encoder_dir()
    card = read_card(folder)
    if not card:
        return None
    cv = card.get("cross_validation", {})
    themes, sentiment = cv.get("themes", {}), cv.get("sentiment", {})
    data = card.get("training_data", {})
    n = data.get("comments")
    text = ("The accurate pass re-codes each comment with a small sentence encoder "
            "(all-MiniLM-L6-v2, fine-tuned on "
            f"{f'{n:,}' if isinstance(n, int) else 'the'} labelled NHS patient-feedback "
            "comments) blended with the linear model; the runs above say which model coded "
            "the comments in this report.")
    try:
        # the int8 model's own figures when measured: that is the model that ships
        ours = themes.get("accurate_int8") or themes["accurate"]
        s_ours = sentiment.get("accurate_int8") or sentiment["accurate"]
        base, s_base = themes["baseline"], sentiment["baseline"]
        text += (f" Cross-validated on that data, it reached themes micro-F1 "
                 f"{ours['micro_f1']['value']:.2f} (a plain TF-IDF baseline: "
                 f"{base['micro_f1']['value']:.2f}) and five-level sentiment macro-F1 "
                 f"{s_ours['macro_f1_5_levels']['value']:.2f} (baseline "
                 f"{s_base['macro_f1_5_levels']['value']:.2f}).")
    except (KeyError, TypeError):
        pass
    return text
