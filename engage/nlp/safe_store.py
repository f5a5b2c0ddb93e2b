"""Fitted models saved as JSON and plain arrays, and loaded without running any code.

Why not pickle or joblib: a model folder is something a colleague e-mails, and unpickling runs
whatever the file says (a crafted ``model.joblib`` wrote a file before Engage could refuse it).
Here a model is two files:

- ``<stem>.json``: the structure — plain values, lists, dicts, and for each estimator the name
  of its class and its attributes;
- ``<stem>.npz``: every array, read with ``allow_pickle=False`` so no object array (and so no
  code) can come back from it.

Only classes named in ``SAFE_TYPES`` are ever made, and they are made with ``__new__`` plus
their saved attributes, so no constructor runs either. Anything else in a file — an unknown
class, an object array, a dtype that is not a plain number or string — is refused with a
one-line reason. The sizes of both files are checked before they are parsed, so a hostile
folder cannot exhaust the machine.
"""

from __future__ import annotations

import importlib
import json
import zipfile
from pathlib import Path

import numpy as np
import scipy.sparse as sp

#: Classes a model file may contain, by "module:qualname". Extend this list (never the loader)
#: when a new estimator is saved; a name is imported only if it is written here.
SAFE_TYPES = frozenset({
    "engage.nlp.features:TextFeatures",
    "engage.nlp.classifier:ThemeClassifier",
    "engage.nlp.sentiment:SentimentClassifier",
    "engage.nlp.kind:KindClassifier",
    "engage.nlp.heads:ThemeHead",
    "engage.nlp.heads:SentimentHead",
    "engage.nlp.heads:KindHead",
    "engage.nlp.heads:AccurateHeads",
    "sklearn.feature_extraction.text:TfidfVectorizer",
    "sklearn.feature_extraction.text:TfidfTransformer",
    "sklearn.feature_extraction.text:CountVectorizer",
    "sklearn.linear_model._logistic:LogisticRegression",
    "sklearn.linear_model._ridge:Ridge",
    "sklearn.preprocessing._data:StandardScaler",
})
#: Plain numeric and string dtypes only: kinds bool, signed, unsigned, float, unicode.
_ARRAY_KINDS = frozenset("biufU")
_NUMPY_TYPES = {name: getattr(np, name) for name in (
    "float16", "float32", "float64", "int8", "int16", "int32", "int64",
    "uint8", "uint16", "uint32", "uint64", "bool_")}
MAX_JSON_BYTES = 256 * 1024 * 1024
MAX_ARRAY_BYTES = 2 * 1024 * 1024 * 1024
#: A str → int dict this large is stored as a key list plus one integer array (vocabularies).
_MAP_AS_ARRAY = 64


class SafeStoreError(ValueError):
    """A model file holds something this loader will not make, or is damaged."""


def _type_name(cls: type) -> str:
    return f"{cls.__module__}:{cls.__qualname__}"


# ----- saving ----------------------------------------------------------------------------------
class _Encoder:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self.seen: dict[int, int] = {}

    def array(self, value: np.ndarray) -> dict:
        flag = False
        if value.dtype.kind == "O":
            if not all(isinstance(v, str) for v in value.ravel()):
                raise SafeStoreError("an object array that is not all text cannot be saved")
            value, flag = value.astype(str), True
        if value.dtype.kind not in _ARRAY_KINDS:
            raise SafeStoreError(f"arrays of dtype {value.dtype} cannot be saved")
        key = f"a{len(self.arrays)}"
        self.arrays[key] = value
        return {"$array": key, "object": flag} if flag else {"$array": key}

    def encode(self, value):  # noqa: C901 - one branch per stored kind, flat on purpose
        if value is None or isinstance(value, (bool, str)):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, np.generic):
            return value
        if isinstance(value, np.generic):
            if value.dtype.kind not in _ARRAY_KINDS:
                raise SafeStoreError(f"a scalar of dtype {value.dtype} cannot be saved")
            return {"$scalar": value.dtype.str, "value": value.item()}
        if isinstance(value, np.ndarray):
            return self.array(value)
        if sp.issparse(value):
            m = value.tocsr()
            return {"$csr": [self.array(m.data), self.array(m.indices), self.array(m.indptr)],
                    "shape": list(m.shape)}
        if isinstance(value, type):
            name = next((n for n, t in _NUMPY_TYPES.items() if t is value), None)
            if name is None:
                raise SafeStoreError(f"the type {value.__name__} cannot be saved")
            return {"$numpy_type": name}
        if isinstance(value, tuple):
            return {"$tuple": [self.encode(v) for v in value]}
        if isinstance(value, list):
            return {"$list": [self.encode(v) for v in value]}
        if isinstance(value, dict):
            return self.mapping(value)
        return self.instance(value)

    def mapping(self, value: dict) -> dict:
        if not all(isinstance(k, str) for k in value):
            raise SafeStoreError("only dicts with text keys can be saved")
        values = list(value.values())
        if len(value) >= _MAP_AS_ARRAY and all(
            isinstance(v, (int, np.integer)) and not isinstance(v, bool) for v in values
        ):
            return {"$strmap": list(value), "values": self.array(np.asarray(values, np.int64))}
        return {"$dict": {k: self.encode(v) for k, v in value.items()}}

    def instance(self, value) -> dict:
        name = _type_name(type(value))
        if name not in SAFE_TYPES:
            raise SafeStoreError(f"{name} is not a type a model file may hold")
        if id(value) in self.seen:
            return {"$ref": self.seen[id(value)]}
        self.seen[id(value)] = ref = len(self.seen)
        state = {k: self.encode(v) for k, v in vars(value).items()}
        return {"$object": name, "id": ref, "state": state}


def save(value, directory: str | Path, stem: str = "model") -> tuple[Path, Path]:
    """Write ``value`` as ``<stem>.json`` + ``<stem>.npz`` in ``directory``."""
    directory = Path(directory)
    encoder = _Encoder()
    tree = encoder.encode(value)
    json_path, npz_path = directory / f"{stem}.json", directory / f"{stem}.npz"
    np.savez_compressed(npz_path, **encoder.arrays)
    json_path.write_text(json.dumps({"safe_store": 1, "value": tree}), encoding="utf-8")
    return json_path, npz_path


# ----- loading ---------------------------------------------------------------------------------
class _Decoder:
    def __init__(self, arrays) -> None:
        self.arrays = arrays
        self.made: dict[int, object] = {}

    def array(self, node) -> np.ndarray:
        if not isinstance(node, dict) or not isinstance(node.get("$array"), str):
            raise SafeStoreError("an array reference is malformed")
        try:
            value = self.arrays[node["$array"]]
        except KeyError:
            raise SafeStoreError(f"array {node['$array']!r} is missing from the .npz") from None
        if value.dtype.kind not in _ARRAY_KINDS:
            raise SafeStoreError(f"an array of dtype {value.dtype} is not allowed")
        return value.astype(object) if node.get("object") else value

    def decode(self, node):  # noqa: C901 - mirrors _Encoder.encode
        if node is None or isinstance(node, (bool, int, float, str)):
            return node
        if not isinstance(node, dict) or len(node) == 0:
            raise SafeStoreError("the model file has a value of an unknown shape")
        if "$array" in node:
            return self.array(node)
        if "$scalar" in node:
            dtype = np.dtype(str(node["$scalar"]))
            if dtype.kind not in _ARRAY_KINDS:
                raise SafeStoreError(f"a scalar of dtype {dtype} is not allowed")
            return dtype.type(node["value"])
        if "$csr" in node:
            data, indices, indptr = (self.array(n) for n in node["$csr"])
            return sp.csr_matrix((data, indices, indptr), shape=tuple(node["shape"]))
        if "$numpy_type" in node:
            try:
                return _NUMPY_TYPES[node["$numpy_type"]]
            except KeyError:
                raise SafeStoreError(f"numpy type {node['$numpy_type']!r} is not allowed") from None
        if "$tuple" in node:
            return tuple(self.decode(v) for v in node["$tuple"])
        if "$list" in node:
            return [self.decode(v) for v in node["$list"]]
        if "$dict" in node:
            return {str(k): self.decode(v) for k, v in node["$dict"].items()}
        if "$strmap" in node:
            keys, values = node["$strmap"], self.array(node["values"])
            if not isinstance(keys, list) or len(keys) != len(values):
                raise SafeStoreError("a vocabulary's keys and values do not match")
            return dict(zip(map(str, keys), values.tolist(), strict=True))
        if "$ref" in node:
            try:
                return self.made[node["$ref"]]
            except (KeyError, TypeError):
                raise SafeStoreError("the model file refers to an object it never made") from None
        if "$object" in node:
            return self.instance(node)
        raise SafeStoreError(f"the model file has an unknown entry {next(iter(node))!r}")

    def instance(self, node: dict):
        name = node["$object"]
        if name not in SAFE_TYPES:
            raise SafeStoreError(f"the model file asks for {name!r}, which Engage never loads")
        module, _, qualname = str(name).partition(":")
        try:
            cls = getattr(importlib.import_module(module), qualname)
        except (ImportError, AttributeError):
            raise SafeStoreError(f"{name} does not exist in this version of Engage") from None
        value = cls.__new__(cls)
        self.made[node.get("id")] = value
        state = node.get("state")
        if not isinstance(state, dict):
            raise SafeStoreError(f"the saved {qualname} has no attributes")
        value.__dict__.update({str(k): self.decode(v) for k, v in state.items()})
        return value


def _check_npz(path: Path) -> None:
    """Refuse an archive that would inflate past the limit, before numpy reads any of it."""
    try:
        with zipfile.ZipFile(path) as archive:
            sizes = [info.file_size for info in archive.infolist()]
    except (zipfile.BadZipFile, OSError) as exc:
        raise SafeStoreError(f"{path.name} is not a model array file ({exc})") from None
    if sum(sizes) > MAX_ARRAY_BYTES:
        raise SafeStoreError(
            f"{path.name} would unpack to {sum(sizes) / 2**20:,.0f} MB, over the "
            f"{MAX_ARRAY_BYTES / 2**20:,.0f} MB limit for a model")


def load(directory: str | Path, stem: str = "model"):
    """The value ``save`` wrote; SafeStoreError for anything unsafe, unknown or damaged."""
    directory = Path(directory)
    json_path, npz_path = directory / f"{stem}.json", directory / f"{stem}.npz"
    for path in (json_path, npz_path):
        if not path.is_file():
            raise SafeStoreError(f"{path.name} is missing from {directory}")
    if json_path.stat().st_size > MAX_JSON_BYTES:
        raise SafeStoreError(f"{json_path.name} is larger than a model can be")
    try:
        document = json.loads(json_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise SafeStoreError(f"{json_path.name} is not valid JSON ({exc})") from None
    except RecursionError:
        raise SafeStoreError(f"{json_path.name} is nested too deeply to be a model") from None
    if not isinstance(document, dict) or document.get("safe_store") != 1:
        raise SafeStoreError(f"{json_path.name} is not an Engage model file")
    _check_npz(npz_path)
    try:
        with np.load(npz_path, allow_pickle=False) as arrays:
            loaded = {key: arrays[key] for key in arrays.files}
    except (ValueError, OSError, zipfile.BadZipFile, EOFError) as exc:
        raise SafeStoreError(f"{npz_path.name} cannot be read ({exc})") from None
    try:
        return _Decoder(loaded).decode(document.get("value"))
    except RecursionError:
        raise SafeStoreError(f"{json_path.name} is nested too deeply to be a model") from None
    except (TypeError, KeyError, AttributeError) as exc:
        raise SafeStoreError(f"{json_path.name} is damaged ({type(exc).__name__})") from None
