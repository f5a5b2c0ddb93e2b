"""Read survey exports (CSV, TSV, XLSX, JSON) into one plain `Table` of strings.

Everything downstream (column mapping, the importer, the wizard's preview) works on the same
shape whatever the file was, so the quirks of each format are dealt with here and only here:
encodings, delimiters, byte-order marks, multi-line cells, merged cells, ragged rows and
duplicate headers. Bad input becomes an `ImportFileError` with one line naming the file and
the place, never a raw Python exception.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import math
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

from engage.errors import ImportFileError

PathLike = str | os.PathLike

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

DELIMITERS = (",", "\t", ";", "|")
MAX_ROW_WARNINGS = 20

#: Largest file read_table accepts, by reader, in MB. Reading holds the whole table in memory
#: (about ten times the size of a CSV file), so a bigger file is refused up front with a way
#: forward rather than taking the laptop's memory. ENGAGE_MAX_IMPORT_MB overrides both.
MAX_FILE_MB = {"delimited": 256, "json": 128, "xlsx": 128}
#: A cell longer than this is cut (with a warning naming the row): no one writes a comment of
#: a hundred thousand characters, but a paste accident or a hostile file can hold one.
MAX_CELL_CHARS = 100_000
_MAX_CSV_FIELD = 64 * 1024 * 1024

_SNIFF_CHARS = 16_000
_CONSISTENCY_CHARS = 64_000
_CONSISTENCY_ROWS = 200
_BINARY_SAMPLE = 10_000
_SENTINEL = "\ue000engage-end-of-file\ue001"


@dataclass
class Table:
    """A rectangular table of strings read from one file (or one sheet of a workbook).

    Every row has exactly `len(columns)` cells and every cell is a `str` ("" when empty).
    Fully empty rows are left out; `row_number(i)` gives the row a user sees in a spreadsheet
    (header = row 1) or, for JSON, the 1-based position of the record in its list.
    `total_rows` counts the data rows in the whole file, even when `rows` holds only the
    first `limit` of them; it is None when unknown (an XLSX preview stopped at its limit).
    """

    columns: list[str]
    rows: list[list[str]]
    source: str
    file_format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    total_rows: int | None = None
    warnings: list[str] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list, repr=False)

    def row_number(self, i: int) -> int:
        """The row number a user would look for in the source file for `rows[i]`."""
        if self.row_numbers:
            return self.row_numbers[i]
        return i + 2

    @property
    def name(self) -> str:
        return Path(self.source).name

    @property
    def is_partial(self) -> bool:
        """True when `rows` is only the first part of the file (a preview)."""
        return self.total_rows is None or self.total_rows > len(self.rows)

    def column_values(self, column: str) -> list[str]:
        index = self.columns.index(column)
        return [row[index] for row in self.rows]


# --------------------------------------------------------------------------------------------
# Public entry points


def sheet_names(path: PathLike) -> list[str]:
    """Names of the worksheets in an XLSX workbook, in order; [] for any other kind of file."""
    path = Path(path)
    if SUPPORTED_EXTENSIONS.get(path.suffix.lower()) != "xlsx":
        return []
    _check_file(path)
    workbook = _open_workbook(path)
    try:
        return [ws.title for ws in workbook.worksheets]
    finally:
        workbook.close()


def read_table(path: PathLike, sheet: str | None = None, limit: int | None = None) -> Table:
    """Read a survey export into a `Table`.

    `sheet` picks a worksheet of an XLSX workbook (default: the first one holding data) and is
    ignored for other formats. `limit` keeps only the first `limit` data rows, for a quick
    preview of a large file.
    """
    path = Path(path)
    kind = SUPPORTED_EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        raise ImportFileError(_unsupported_message(path))
    if limit is not None and limit < 1:
        raise ValueError("limit must be at least 1")
    _check_file(path)
    _check_size(path, kind)
    if kind == "xlsx":
        return _read_xlsx(path, sheet, limit)
    if kind == "json":
        return _read_json(path, _read_bytes(path), limit)
    return _read_delimited(path, _read_bytes(path), limit)


# --------------------------------------------------------------------------------------------
# Files and bytes


def _unsupported_message(path: Path) -> str:
    supported = ", ".join(SUPPORTED_EXTENSIONS)
    suffix = path.suffix.lower() or "(none)"
    hint = ""
    if suffix in (".xls", ".ods", ".numbers"):
        hint = " (save it as .xlsx or .csv first)"
    return f"{path.name}: files of type {suffix} cannot be imported{hint}; supported types are {supported}"


def _check_file(path: Path) -> None:
    if not path.exists():
        raise ImportFileError(f"{path}: file not found")
    if path.is_dir():
        raise ImportFileError(f"{path}: is a folder, not a file")


def max_file_mb(kind: str) -> float:
    """The size limit for one reader, or the officer's own from ENGAGE_MAX_IMPORT_MB."""
    override = os.environ.get("ENGAGE_MAX_IMPORT_MB", "").strip()
    try:
        return float(override) if override else float(MAX_FILE_MB[kind])
    except ValueError:
        return float(MAX_FILE_MB[kind])


def _check_size(path: Path, kind: str) -> None:
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


def _read_bytes(path: Path) -> bytes:
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


def _decode(path: Path, data: bytes) -> tuple[str, str, list[str]]:
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
        return _decode_as(path, data, "utf-32"), "utf-32", []
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decode_as(path, data, "utf-16"), "utf-16", []
    utf16 = _bomless_utf16(data)
    if utf16:
        return _decode_as(path, data, utf16), utf16, []
    data = data.replace(b"\x00", b"")
    if _binary_bytes(data):
        raise ImportFileError(f"{path.name}: does not look like a text table (it contains binary data)")
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
    try:
        return data.decode("cp1252"), "cp1252", []
    except UnicodeDecodeError:
        pass
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data).best()
    except Exception:  # a detector failure must not hide the file behind a traceback
        best = None
    if best is not None and best.encoding:
        return str(best), best.encoding, []
    return data.decode("latin-1"), "latin-1", []


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


def _decode_as(path: Path, data: bytes, encoding: str) -> str:
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


def _binary_bytes(data: bytes) -> bool:
    """Control bytes that no text export contains (NULs aside, which are stripped)."""
    sample = data[:_BINARY_SAMPLE]
    odd = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
    return odd > max(8, len(sample) * 0.01)


def _looks_binary(text: str) -> bool:
    sample = text[:_BINARY_SAMPLE]
    if not sample:
        return False
    odd = sum(
        1 for ch in sample
        if (ch < " " and ch not in "\t\n\r\f\v\x1a") or "\x7f" <= ch <= "\x9f"
    )
    return odd > max(8, len(sample) * 0.03)


# --------------------------------------------------------------------------------------------
# CSV / TSV


def _read_delimited(path: Path, data: bytes, limit: int | None) -> Table:
    text, encoding, notes = _decode(path, data)
    del data  # let a large file's bytes go before the text is split into cells
    # One newline convention for record ends and for line breaks inside cells alike.
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").rstrip("\x1a")
    if _looks_binary(text):
        raise ImportFileError(f"{path.name}: does not look like a text table (it contains binary data)")
    default = "," if path.suffix.lower() == ".csv" else "\t"
    delimiter, text = _explicit_separator(text)
    if delimiter is None:
        delimiter = _detect_delimiter(text, default)
    records = _parse_records(path, text, delimiter)
    builder = _TableBuilder(path, limit)
    for number, cells in records:
        builder.add(number, cells)
    file_format = "tsv" if delimiter == "\t" else "csv"
    table = builder.finish(file_format, encoding=encoding, delimiter=delimiter)
    table.warnings[:0] = notes
    return table


def _explicit_separator(text: str) -> tuple[str | None, str]:
    """Excel's `sep=;` first line names the delimiter outright; honour it and drop the line."""
    match = re.match(r"\ufeff?sep=(.)\r?\n", text[:10])
    if match:
        return match.group(1), text[match.end():]
    return None, text


def _detect_delimiter(text: str, default: str) -> str:
    """Pick the delimiter that splits the first rows into the most consistent number of cells.

    csv.Sniffer alone is easily fooled by commas inside free-text answers, so its guess only
    breaks ties between candidates that split the sample equally well.
    """
    sample = text[:_CONSISTENCY_CHARS]
    if len(text) > len(sample) and "\n" in sample:
        sample = sample[: sample.rfind("\n")]
    try:
        sniffed = csv.Sniffer().sniff(sample[:_SNIFF_CHARS], delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        sniffed = None
    best, best_score = default, None
    for delimiter in DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter)
        try:
            rows = [r for r in islice(reader, _CONSISTENCY_ROWS) if any(r)]
        except csv.Error:
            continue
        if not rows:
            continue
        width = len(rows[0])
        data = rows[1:]
        consistency = sum(len(r) == width for r in data) / len(data) if data else 1.0
        score = (width > 1, round(consistency, 2), delimiter == sniffed, delimiter == default, width)
        if best_score is None or score > best_score:
            best, best_score = delimiter, score
    return best


def _parse_records(path: Path, text: str, delimiter: str) -> Iterator[tuple[int, list[str]]]:
    """Yield (row number, cells) for every record, blank ones included.

    The parser is lenient about stray quotes inside a cell, as Excel is. A quote that opens a
    cell and never closes would swallow the rest of the file into one cell; a sentinel line
    appended after the text exposes that: it only comes back as its own record when every
    quoted cell before it was closed.
    """
    ending = "" if text.endswith("\n") else "\n"
    reader = csv.reader(io.StringIO(text + ending + _SENTINEL, newline=""), delimiter=delimiter)
    number = 0
    pending: list[str] | None = None
    # Long cells are read whole and cut by the builder with a warning; beyond this the cell
    # is far likelier to be a quote that never closes.
    previous_limit = csv.field_size_limit(_MAX_CSV_FIELD)
    try:
        for cells in reader:
            if pending is not None:
                yield number, pending
            number += 1
            pending = cells
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            raise ImportFileError(
                f"{path.name}: row {number + 1}: a cell is over {csv.field_size_limit():,} characters "
                "long; probably a quoted cell is never closed"
            ) from exc
        raise ImportFileError(f"{path.name}: row {number + 1}: {exc}") from exc
    finally:
        csv.field_size_limit(previous_limit)
    if pending != [_SENTINEL]:
        raise ImportFileError(f"{path.name}: row {number}: a quoted cell is never closed")


# --------------------------------------------------------------------------------------------
# Shared row handling


class _TableBuilder:
    """Turns raw rows into a `Table`: header clean-up, padding, warnings, limit and counts."""

    def __init__(self, path: Path, limit: int | None, where: str | None = None) -> None:
        self.path = path
        self.where = where or path.name
        self.limit = limit
        self.columns: list[str] | None = None
        self.width = 0
        self.blank_tail: list[int] = []
        self.tail_used: set[int] = set()
        self.rows: list[list[str]] = []
        self.numbers: list[int] = []
        self.total = 0
        self.warnings: list[str] = []
        self.long_rows = 0
        self.long_row_warnings = 0
        self.cut_cells = 0

    @property
    def full(self) -> bool:
        return self.limit is not None and len(self.rows) >= self.limit

    def set_header(self, cells: list[str]) -> None:
        blank_tail = []
        for j in range(len(cells) - 1, -1, -1):
            if cells[j].strip():
                break
            blank_tail.append(j)
        self.columns = unique_column_names(cells)
        self.width = len(self.columns)
        self.blank_tail = blank_tail

    def add(self, number: int, cells: list[str]) -> None:
        if cells and max(map(len, cells)) > MAX_CELL_CHARS:
            cells = self._cut_long_cells(number, cells)
        if not "".join(cells).strip():
            return
        if self.columns is None:
            self.set_header(cells)
            return
        self.total += 1
        width = self.width
        if self.blank_tail and len(self.tail_used) < len(self.blank_tail):
            self.tail_used.update(j for j in self.blank_tail if j < len(cells) and cells[j].strip())
        if len(cells) > width:
            self._check_extra(number, cells)
        if self.full:
            return
        if len(cells) != width:
            cells = cells[:width] if len(cells) > width else cells + [""] * (width - len(cells))
        self.rows.append(cells)
        self.numbers.append(number)

    def _cut_long_cells(self, number: int, cells: list[str]) -> list[str]:
        out = []
        for j, cell in enumerate(cells):
            if len(cell) > MAX_CELL_CHARS:
                self.cut_cells += 1
                if self.cut_cells <= MAX_ROW_WARNINGS:
                    where = (f"column {self.columns[j]!r}" if self.columns and j < self.width
                             else f"cell {j + 1}")
                    self.warnings.append(
                        f"row {number}, {where}: a cell of {len(cell):,} characters was cut to "
                        f"its first {MAX_CELL_CHARS:,}")
                cell = cell[:MAX_CELL_CHARS]
            out.append(cell)
        return out

    def _check_extra(self, number: int, cells: list[str]) -> None:
        used = len(cells)
        while used > self.width and not cells[used - 1].strip():
            used -= 1
        if used <= self.width:
            return
        self.long_rows += 1
        if self.long_row_warnings < MAX_ROW_WARNINGS and not self.full:
            self.long_row_warnings += 1
            self.warnings.append(
                f"row {number} has {used} cells, the header has {self.width}; extra cells ignored"
            )

    def finish(self, file_format: str, *, complete: bool = True, **details: Any) -> Table:
        if self.columns is None:
            raise ImportFileError(f"{self.where}: there is nothing in it")
        if self.total == 0:
            raise ImportFileError(f"{self.where}: has a header row but no data rows")
        cut_more = self.cut_cells - MAX_ROW_WARNINGS
        if cut_more > 0:
            self.warnings.append(f"{cut_more:,} more cells over {MAX_CELL_CHARS:,} characters "
                                 "were cut")
        more = self.long_rows - self.long_row_warnings
        if more:
            self.warnings.append(
                f"{more} more rows have more cells than the header; extra cells ignored"
            )
        self._drop_empty_tail()
        return Table(
            columns=self.columns,
            rows=self.rows,
            source=str(self.path),
            file_format=file_format,
            total_rows=self.total if complete else None,
            warnings=self.warnings,
            row_numbers=self.numbers,
            **details,
        )

    def _drop_empty_tail(self) -> None:
        """Columns at the right with no heading and no value anywhere are not columns at all."""
        keep = self.width
        for j in self.blank_tail:  # right to left
            if j in self.tail_used:
                break
            keep = j
        if keep < self.width:
            self.columns = self.columns[:keep]
            self.width = keep
            self.rows[:] = [row[:keep] for row in self.rows]


def unique_column_names(raw: Iterable[str]) -> list[str]:
    """Clean header cells and make them unique: blanks become "Column N", repeats "Name (2)".

    Names compare without regard to case, because a later SQL or spreadsheet step would.
    """
    cleaned = [" ".join(str(c).replace("\ufeff", "").split()) for c in raw]
    taken: set[str] = set()
    firsts: set[int] = set()
    for i, name in enumerate(cleaned):
        if name and name.casefold() not in taken:
            taken.add(name.casefold())
            firsts.add(i)
    names = []
    for i, name in enumerate(cleaned):
        if i in firsts:
            names.append(name)
            continue
        base = name or f"Column {i + 1}"
        candidate, n = base, 2
        while candidate.casefold() in taken:
            candidate = f"{base} ({n})"
            n += 1
        taken.add(candidate.casefold())
        names.append(candidate)
    return names


# --------------------------------------------------------------------------------------------
# XLSX


def _open_workbook(path: Path):
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as exc:
        raise ImportFileError(f"{path.name}: cannot be read ({exc.strerror or exc})") from exc
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError(
            f"{path.name} is not a valid Excel workbook (it is password-protected or an old .xls "
            "file); save it from Excel as an unprotected .xlsx"
        )
    try:
        import openpyxl

        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except PermissionError as exc:
        raise ImportFileError(f"{path.name}: cannot be read (permission denied)") from exc
    except Exception as exc:  # openpyxl raises many kinds of error for a damaged file
        raise ImportFileError(f"{path.name} is not a valid Excel workbook") from exc


def _read_xlsx(path: Path, sheet: str | None, limit: int | None) -> Table:
    workbook = _open_workbook(path)
    try:
        worksheets = {ws.title: ws for ws in workbook.worksheets}
        if sheet is not None:
            if sheet not in worksheets:
                listed = ", ".join(repr(name) for name in worksheets) or "none"
                raise ImportFileError(f"{path.name} has no sheet named {sheet!r}; its sheets are {listed}")
            candidates = [sheet]
        else:
            candidates = list(worksheets)
        for title in candidates:
            try:
                builder, complete = _read_sheet(path, workbook, worksheets[title], limit)
            except Exception as exc:  # damaged sheet XML, bad shared strings, ...
                raise ImportFileError(
                    f"{path.name}: sheet {title!r} cannot be read; it is not a valid Excel worksheet"
                ) from exc
            if sheet is not None or builder.total > 0:
                return builder.finish("xlsx", complete=complete, sheet=title)
        raise ImportFileError(f"{path.name}: there is no data in any sheet")
    finally:
        workbook.close()


def _read_sheet(path: Path, workbook, ws, limit: int | None) -> tuple[_TableBuilder, bool]:
    """Stream one worksheet into a builder; also say whether every row was read."""
    merged = _MergedCells(_merged_ranges(workbook, ws))
    ws.reset_dimensions()  # some writers record a wrong size; read every row that is there
    builder = _TableBuilder(path, limit, where=f"{path.name}: sheet {ws.title!r}")
    for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
        cells = [_cell_text(v) for v in values]
        if merged:
            cells = merged.fill(number, cells)
        builder.add(number, cells)
        if limit is not None and builder.total > limit:
            return builder, False
    return builder, True


def _cell_text(value: Any) -> str:
    """An Excel cell as the text a user sees: 42 not 42.0, dates as ISO YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, str):
        if "\r" in value or "\x00" in value:
            value = value.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.replace(microsecond=0).isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def _float_text(value: float) -> str:
    if not math.isfinite(value):
        return str(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return f"{value:.15g}"  # Excel keeps 15 significant digits; no 0.30000000000000004


def _merged_ranges(workbook, ws) -> list[tuple[int, int, int, int]]:
    """Merged ranges of a read-only sheet (openpyxl only parses them in the slow mode).

    Returns (min_row, min_col, max_row, max_col) tuples; [] if the sheet XML cannot be seen.
    """
    try:
        from openpyxl.utils.cell import range_boundaries

        xml = workbook._archive.read(ws._worksheet_path)
    except Exception:
        return []
    ranges = []
    for ref in re.findall(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"', xml):
        min_col, min_row, max_col, max_row = range_boundaries(ref.decode("ascii"))
        ranges.append((min_row, min_col, max_row, max_col))
    return sorted(ranges)


class _MergedCells:
    """Gives every cell of a merged range the value of its top-left cell, row by row."""

    def __init__(self, ranges: list[tuple[int, int, int, int]]) -> None:
        self.pending = ranges
        self.active: list[tuple[int, int, int, int]] = []
        self.values: dict[tuple[int, int], str] = {}

    def __bool__(self) -> bool:
        return bool(self.pending or self.active)

    def fill(self, number: int, cells: list[str]) -> list[str]:
        while self.pending and self.pending[0][0] <= number:
            self.active.append(self.pending.pop(0))
        self.active = [r for r in self.active if r[2] >= number]
        for min_row, min_col, _max_row, max_col in self.active:
            if number == min_row:
                self.values[(min_row, min_col)] = cells[min_col - 1] if len(cells) >= min_col else ""
            value = self.values.get((min_row, min_col), "")
            if len(cells) < max_col:
                cells = cells + [""] * (max_col - len(cells))
            for col in range(min_col, max_col + 1):
                cells[col - 1] = value
        return cells


# --------------------------------------------------------------------------------------------
# JSON


def _read_json(path: Path, data: bytes, limit: int | None) -> Table:
    text, encoding, notes = _decode_json_text(path, data)
    try:
        document = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"{path.name}: not valid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from exc
    except RecursionError as exc:
        raise ImportFileError(f"{path.name}: the JSON is nested too deeply to read") from exc
    records = _records_in(path, document)
    keys: dict[str, None] = {}
    for record in records:
        for key in record:
            keys.setdefault(key, None)
    names = unique_column_names(keys)
    if not any(names_raw.strip() for names_raw in keys):
        raise ImportFileError(f"{path.name}: the records have no named fields")
    builder = _TableBuilder(path, limit)
    builder.set_header(names)
    order = list(keys)[: builder.width]
    for index, record in enumerate(records, start=1):
        builder.add(index, [_json_text(record.get(key)) for key in order])
    table = builder.finish("json", encoding=encoding)
    table.warnings[:0] = notes
    return table


def _decode_json_text(path: Path, data: bytes) -> tuple[str, str, list[str]]:
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            return _decode_as(path, data, encoding), encoding, []
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    return _decode(path, data)


def _records_in(path: Path, document: Any) -> list[dict]:
    if isinstance(document, dict):
        lists = [(k, v) for k, v in document.items() if isinstance(v, list)]
        if len(lists) == 1 and (len(document) == 1 or _all_records(lists[0][1])):
            document = lists[0][1]
        else:
            keys = ", ".join(repr(k) for k in list(document)[:6])
            if len(document) > 6:
                keys += ", …"
            found = f"an object with keys {keys}" if document else "an empty object"
            raise ImportFileError(f"{path.name}: expected a list of records, found {found}")
    if not isinstance(document, list):
        raise ImportFileError(f"{path.name}: expected a list of records, found {_json_kind(document)}")
    if not document:
        raise ImportFileError(f"{path.name}: the list of records is empty")
    if not isinstance(document[0], dict):
        kinds = sorted({_json_kind(item, plural=True) for item in document[:100]})
        raise ImportFileError(f"{path.name}: expected a list of records, found a list of {' and '.join(kinds)}")
    for index, item in enumerate(document, start=1):
        if not isinstance(item, dict):
            raise ImportFileError(
                f"{path.name}: record {index} is {_json_kind(item)}; expected an object with named fields"
            )
    return document


def _all_records(items: list) -> bool:
    return bool(items) and all(isinstance(item, dict) for item in items)


def _json_kind(value: Any, plural: bool = False) -> str:
    if isinstance(value, dict):
        kind = ("an object", "objects")
    elif isinstance(value, list):
        kind = ("a list", "lists")
    elif isinstance(value, str):
        kind = ("a string", "strings")
    elif isinstance(value, bool):
        kind = ("true/false", "true/false values")
    elif value is None:
        kind = ("null", "nulls")
    else:
        kind = ("a number", "numbers")
    return kind[1] if plural else kind[0]


def _json_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float_text(value)
    return json.dumps(value, ensure_ascii=False)


__all__ = [
    "DELIMITERS",
    "SUPPORTED_EXTENSIONS",
    "Table",
    "read_table",
    "sheet_names",
    "unique_column_names",
]
