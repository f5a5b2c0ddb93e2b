"""From a path to checked bytes and decoded text: which files Engage reads, how big, and in
which encoding. A file that is missing, too big, binary or of a kind Engage does not read is
refused here with one line saying so, before any reader parses it.
"""

from __future__ import annotations

import codecs
import os
import re
import zipfile
from pathlib import Path

from engage.errors import ImportFileError

#: File extensions Engage can import, and the reader each one goes to.
SUPPORTED_EXTENSIONS: dict[str, str] = {
    ".csv": "delimited",
    ".tsv": "delimited",
    ".tab": "delimited",
    ".txt": "delimited",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".json": "json",
}

#: Largest file read_table accepts, by reader, in MB. Reading holds the whole table in memory
#: (about ten times the size of a CSV file), so a bigger file is refused up front with a way
#: forward rather than taking the laptop's memory. ENGAGE_MAX_IMPORT_MB overrides both.
MAX_FILE_MB = {"delimited": 256, "json": 128, "xlsx": 128}
#: A workbook is a zip archive: its sheet XML inflates to many times the file's size. All its
#: parts together may hold at most this many times the XLSX size limit once unpacked (1 GB by
#: default, about what a 256 MB CSV becomes as sheet XML), and no part larger than
#: `_RATIO_FLOOR_MB` may be more than `MAX_XLSX_RATIO` times smaller packed than unpacked:
#: real sheets pack 5 to 30 times, a zip bomb a thousand. Checked from the zip directory alone,
#: before openpyxl parses anything.
MAX_XLSX_UNPACKED_FACTOR = 8
MAX_XLSX_RATIO = 200
_RATIO_FLOOR_MB = 4
#: Most data rows and columns one file may hold, checked as the file is read, before anything
#: is written. The largest exercises Engage was built for hold some 30,000 respondents; a
#: million rows imports in minutes (benchmarks/bench_limits.py) and needs about 2 GB of memory,
#: so a bigger file is refused with a way forward instead of running for a quarter of an hour.
#: ENGAGE_MAX_IMPORT_ROWS raises the row limit. 5,000 columns is far past any survey export
#: (a SurveyMonkey file with every tick box split out reaches a few hundred).
MAX_ROWS = 1_000_000
MAX_COLUMNS = 5_000
_BINARY_SAMPLE = 10_000
_MB = 1024 * 1024


def unsupported_message(path: Path) -> str:
    supported = ", ".join(SUPPORTED_EXTENSIONS)
    suffix = path.suffix.lower() or "(none)"
    hint = ""
    if suffix in (".xls", ".ods", ".numbers"):
        hint = " (save it as .xlsx or .csv first)"
    return f"{path.name}: files of type {suffix} cannot be imported{hint}; supported types are {supported}"


def check_file(path: Path) -> None:
    """The file is there and is a file; a workbook's parts also fit the size limits."""
    if not path.exists():
        raise ImportFileError(f"{path}: file not found")
    if path.is_dir():
        raise ImportFileError(f"{path}: is a folder, not a file")
    if SUPPORTED_EXTENSIONS.get(path.suffix.lower()) == "xlsx":
        check_size(path, "xlsx")
        check_workbook_parts(path)


def check_workbook_parts(path: Path) -> None:
    """Refuse a workbook whose parts unpack to more than the limits (a zip bomb) up front.

    Only the zip's central directory is read, so this costs milliseconds whatever the sizes
    claimed. A file that is not a zip is left for the workbook reader to refuse in its words.
    Sizes are those the archive declares; openpyxl's zip reader stops at the declared size,
    so a part cannot unpack to more than it claims.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return
    limit_mb = max_file_mb("xlsx") * MAX_XLSX_UNPACKED_FACTOR
    total_mb = sum(m.file_size for m in members) / _MB
    if total_mb > limit_mb:
        raise ImportFileError(
            f"{path.name}: the workbook unpacks to {total_mb:,.0f} MB, more than the "
            f"{limit_mb:,.0f} MB Engage reads (the file itself is "
            f"{_size(path.stat().st_size)}); save the responses sheet as CSV, or split "
            "it into parts of fewer rows")
    for member in members:
        unpacked_mb = member.file_size / _MB
        if unpacked_mb <= _RATIO_FLOOR_MB:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > MAX_XLSX_RATIO:
            raise ImportFileError(
                f"{path.name}: its part {_printable(member.filename)} unpacks from "
                f"{_size(member.compress_size)} to {_size(member.file_size)} "
                f"({ratio:,.0f} times; real workbooks stay under {MAX_XLSX_RATIO}), so it is "
                "refused as a possible zip bomb; open it in Excel and save it again, or save it "
                "as CSV")


def _size(n_bytes: int) -> str:
    return f"{n_bytes / _MB:,.0f} MB" if n_bytes >= _MB else f"{max(1, round(n_bytes / 1024)):,} KB"


def _printable(name: str) -> str:
    """A name from inside a file, safe to put in a one-line message."""
    return repr(name)[1:-1] if not name.isprintable() else name


def max_file_mb(kind: str) -> float:
    """The size limit for one reader, or the officer's own from ENGAGE_MAX_IMPORT_MB."""
    override = os.environ.get("ENGAGE_MAX_IMPORT_MB", "").strip()
    try:
        return float(override) if override else float(MAX_FILE_MB[kind])
    except ValueError:
        return float(MAX_FILE_MB[kind])


def max_rows() -> int:
    """The row limit, or the officer's own from ENGAGE_MAX_IMPORT_ROWS."""
    override = os.environ.get("ENGAGE_MAX_IMPORT_ROWS", "").strip().replace(",", "")
    try:
        return max(1, int(override)) if override else MAX_ROWS
    except ValueError:
        return MAX_ROWS


def too_many_rows(where: str, limit: int) -> ImportFileError:
    return ImportFileError(
        f"{where}: more than {limit:,} data rows, the most Engage imports from one file; split "
        "it into parts and import each into the same consultation (respondents already imported "
        "are not added again), or set ENGAGE_MAX_IMPORT_ROWS to raise the limit")


def too_many_columns(where: str, columns: int) -> ImportFileError:
    return ImportFileError(
        f"{where}: {columns:,} columns, more than the {MAX_COLUMNS:,} Engage reads; delete the "
        "columns you do not need (tick boxes, survey metadata) and import it again")


def check_size(path: Path, kind: str) -> None:
    limit = max_file_mb(kind)
    try:
        size_mb = path.stat().st_size / (1024 * 1024)
    except OSError as exc:
        raise ImportFileError(f"{path.name}: cannot be read ({exc.strerror or exc})") from exc
    if size_mb > limit:
        raise ImportFileError(
            f"{path.name}: the file is {size_mb:,.0f} MB, more than the {limit:,.0f} MB Engage "
            "reads at once (it would need several GB of memory); split it into parts of fewer "
            "rows and import each into the same consultation (respondents already imported are "
            "not added again), or set ENGAGE_MAX_IMPORT_MB to raise the limit")


def read_bytes(path: Path) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ImportFileError(f"{path.name}: cannot be read ({exc.strerror or exc})") from exc
    if not data.strip(b"\x00\t\n\r\f\v \xef\xbb\xbf"):
        raise ImportFileError(f"{path.name}: the file is empty")
    return data


_MAGIC = (
    (b"PK\x03\x04", "is a zip archive or Excel workbook, not a text table; if it is a workbook, "
     "give it the .xlsx extension"),
    (b"\xd0\xcf\x11\xe0", "is an old-style Office file (e.g. .xls), not a text table; "
     "save it as .xlsx or .csv"),
    (b"%PDF", "is a PDF document, not a table"),
    (b"\x89PNG", "is an image, not a table"),
    (b"\xff\xd8\xff", "is an image, not a table"),
)


def decode(path: Path, data: bytes) -> tuple[str, str, list[str]]:
    """Decode text bytes: BOMs first, then strict UTF-8, then cp1252, then a detector.

    charset-normalizer is only a last resort: on short UK survey files it often mistakes
    cp1252 pound signs and curly quotes for some other code page, while strict UTF-8
    followed by cp1252 is right for practically every export we meet. A file stitched
    together from UTF-8 and Windows exports is decoded line by line (see `_decode_mixed`).
    Returns (text, encoding, warnings).
    """
    for magic, what in _MAGIC:
        if data.startswith(magic):
            raise ImportFileError(f"{path.name}: {what}")
    if data.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
        return decode_as(path, data, "utf-32"), "utf-32", []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return decode_as(path, data, "utf-16"), "utf-16", []
    utf16 = _bomless_utf16(data)
    if utf16:
        return decode_as(path, data, utf16), utf16, []
    data = data.replace(b"\x00", b"")
    if binary_bytes(data):
        raise ImportFileError(f"{path.name}: is not a text/CSV file (it contains binary data)")
    if _no_table_structure(data):
        raise ImportFileError(
            f"{path.name}: is not a text/CSV file (no line breaks and no separators in its "
            f"first {_BINARY_SAMPLE:,} bytes)")
    bom = data.startswith(codecs.BOM_UTF8)
    if bom:
        data = data[len(codecs.BOM_UTF8):]
    try:
        return data.decode("utf-8"), "utf-8-sig" if bom else "utf-8", []
    except UnicodeDecodeError:
        pass
    mixed = _decode_mixed(data)
    if mixed is not None:
        text, lines = mixed
        shown = ", ".join(str(n) for n in lines[:5]) + (", …" if len(lines) > 5 else "")
        many = len(lines) != 1
        return text, "utf-8+cp1252", [
            f"{len(lines):,} line{'s' if many else ''} ({shown}) {'were' if many else 'was'} not "
            "UTF-8 like the rest of the file and "
            f"{'were' if many else 'was'} read as Windows-1252 text; check "
            f"{'their' if many else 'its'} accented letters and symbols"]
    if _plausible_cp1252(data):
        try:
            return data.decode("cp1252"), "cp1252", []
        except UnicodeDecodeError:
            pass
    return _detected(path, data)


_HIGH_BYTES = bytes(range(0x80, 0x100))
_HIGH_RUN = re.compile(rb"[\x80-\xff]{2,}")


def _plausible_cp1252(data: bytes) -> bool:
    """Whether the non-ASCII bytes look like Windows-1252 text rather than a multi-byte code.

    In a UK export the letters above 127 (é, ö) stand alone between ASCII ones, and only signs
    (£, –, ’, “, …) sit side by side. In Shift-JIS, GBK, EUC-KR, Big5 or a Cyrillic code page
    the bytes above 127 come in runs that cp1252 reads as strings of accented letters
    ("‚Ñ‚å", "Âîëüíèöà"): confident-looking nonsense. When most of them are in such runs, the
    file is not cp1252.
    """
    sample = data[:1_000_000]
    high = len(sample) - len(sample.translate(None, _HIGH_BYTES))
    if high < 8:
        return True
    in_letter_runs = 0
    for run in _HIGH_RUN.findall(sample):
        text = run.decode("cp1252", errors="replace")
        if "\ufffd" in text or sum(ch.isalpha() for ch in text) >= 2:
            in_letter_runs += len(run)
    return in_letter_runs <= 0.5 * high


def _detected(path: Path, data: bytes) -> tuple[str, str, list[str]]:
    """Neither UTF-8 nor Windows-1252: the detector's guess, said out loud, or a refusal."""
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # a detector failure must not hide the file behind a traceback
        best = None
    if best is None or not best.encoding:
        raise ImportFileError(
            f"{path.name}: is not a text/CSV file Engage can read (its text is neither UTF-8 "
            "nor Windows-1252, and no other encoding fits); save it again as 'CSV UTF-8'")
    language = f", {best.language}" if best.language and best.language != "Unknown" else ""
    return str(best), best.encoding, [
        f"the file is not UTF-8; its text was read as {best.encoding}{language} (a guess from "
        "its bytes): check a few comments, and if they look garbled save the file as "
        "'CSV UTF-8' and import it again"]


def _no_table_structure(data: bytes) -> bool:
    """No line break and no separator at all in a good-sized sample: not a table of text."""
    sample = data[:_BINARY_SAMPLE]
    if len(sample) < 512:
        return False
    return not any(ch in sample for ch in (b"\n", b"\r", b",", b"\t", b";", b"|"))


_CP1252 = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256))


def _decode_mixed(data: bytes) -> tuple[str, list[int]] | None:
    """UTF-8 lines as UTF-8 and the others as cp1252, when both kinds are there.

    Officers paste rows from a Windows export into a UTF-8 one; decoding the whole file as
    cp1252 would garble every accented letter of the UTF-8 part. None when no line has any
    UTF-8 beyond ASCII (then the file is plain cp1252). Returns (text, 1-based line numbers
    read as cp1252).
    """
    lines = data.split(b"\n")
    decoded: list[str | None] = []
    fallback: list[int] = []
    utf8_non_ascii = False
    for number, line in enumerate(lines, start=1):
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            decoded.append(None)
            fallback.append(number)
            continue
        utf8_non_ascii = utf8_non_ascii or not text.isascii()
        decoded.append(text)
    if not utf8_non_ascii:
        return None
    for number in fallback:
        decoded[number - 1] = "".join(_CP1252[b] for b in lines[number - 1])
    return "\n".join(decoded), fallback


def decode_as(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding).lstrip("\ufeff")
    except UnicodeDecodeError as exc:
        raise ImportFileError(
            f"{path.name}: looks like {encoding.upper()} text but byte {exc.start} cannot be decoded"
        ) from exc


def _bomless_utf16(data: bytes) -> str | None:
    """Spot UTF-16 text without a byte-order mark: NULs in every other byte."""
    sample = data[:4000]
    if len(sample) < 4 or sample.count(0) < len(sample) // 3:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.9 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.9 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


_CONTROL_BYTES = bytes(b for b in range(32) if b not in b"\t\n\v\f\r\x1a")


def binary_bytes(data: bytes) -> bool:
    """Control bytes that no text export contains (NULs aside, which are stripped)."""
    sample = data[:_BINARY_SAMPLE]
    odd = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return odd > max(8, len(sample) * 0.01)


def looks_binary(text: str) -> bool:
    sample = text[:_BINARY_SAMPLE]
    if not sample:
        return False
    odd = sum(
        1 for ch in sample
        if (ch < " " and ch not in "\t\n\r\f\v\x1a") or "\x7f" <= ch <= "\x9f"
    )
    return odd > max(8, len(sample) * 0.03)
