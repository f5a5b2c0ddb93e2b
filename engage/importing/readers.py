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
from collections.abc import Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from engage.errors import ImportFileError
from engage.importing.source_file import (
    SUPPORTED_EXTENSIONS,
    check_file,
    check_size,
    decode,
    decode_as,
    looks_binary,
    read_bytes,
    unsupported_message,
)
from engage.importing.table import Table, TableBuilder, unique_column_names

PathLike = str | os.PathLike


DELIMITERS = (",", "\t", ";", "|")

_MAX_CSV_FIELD = 64 * 1024 * 1024

_SNIFF_CHARS = 16_000
_CONSISTENCY_CHARS = 64_000
_CONSISTENCY_ROWS = 200
_SENTINEL = "\ue000engage-end-of-file\ue001"


# --------------------------------------------------------------------------------------------
# Public entry points


def sheet_names(path: PathLike) -> list[str]:
    """Names of the worksheets in an XLSX workbook, in order; [] for any other kind of file."""
    path = Path(path)
    if SUPPORTED_EXTENSIONS.get(path.suffix.lower()) != "xlsx":
        return []
    check_file(path)
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
        raise ImportFileError(unsupported_message(path))
    if limit is not None and limit < 1:
        raise ValueError("limit must be at least 1")
    check_file(path)
    check_size(path, kind)
    if kind == "xlsx":
        return _read_xlsx(path, sheet, limit)
    if kind == "json":
        return _read_json(path, read_bytes(path), limit)
    return _read_delimited(path, read_bytes(path), limit)


# --------------------------------------------------------------------------------------------
# CSV / TSV


def _read_delimited(path: Path, data: bytes, limit: int | None) -> Table:
    text, encoding, notes = decode(path, data)
    del data  # let a large file's bytes go before the text is split into cells
    # One newline convention for record ends and for line breaks inside cells alike.
    text = text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").rstrip("\x1a")
    if looks_binary(text):
        raise ImportFileError(f"{path.name}: is not a text/CSV file (it contains binary data)")
    default = "," if path.suffix.lower() == ".csv" else "\t"
    delimiter, text = _explicit_separator(text)
    if delimiter is None:
        delimiter = _detect_delimiter(text, default)
    records = _parse_records(path, text, delimiter)
    builder = TableBuilder(path, limit)
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
            except ImportFileError:  # a limit reached: its own words, not "damaged"
                raise
            except Exception as exc:  # damaged sheet XML, bad shared strings, ...
                raise ImportFileError(
                    f"{path.name}: sheet {title!r} cannot be read; it is not a valid Excel worksheet"
                ) from exc
            if sheet is not None or builder.total > 0:
                return builder.finish("xlsx", complete=complete, sheet=title)
        raise ImportFileError(f"{path.name}: there is no data in any sheet")
    finally:
        workbook.close()


def _read_sheet(path: Path, workbook, ws, limit: int | None) -> tuple[TableBuilder, bool]:
    """Stream one worksheet into a builder; also say whether every row was read."""
    merged = _MergedCells(_merged_ranges(workbook, ws))
    ws.reset_dimensions()  # some writers record a wrong size; read every row that is there
    builder = TableBuilder(path, limit, where=f"{path.name}: sheet {ws.title!r}")
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
    builder = TableBuilder(path, limit)
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
            return decode_as(path, data, encoding), encoding, []
    try:
        return data.decode("utf-8"), "utf-8", []
    except UnicodeDecodeError:
        pass
    return decode(path, data)


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
        # JSON has no NaN or Infinity, but Python's reader takes them: an empty answer, not "nan".
        return _float_text(value) if math.isfinite(value) else ""
    return json.dumps(value, ensure_ascii=False)


__all__ = [
    "DELIMITERS",
    "SUPPORTED_EXTENSIONS",
    "Table",
    "read_table",
    "sheet_names",
    "unique_column_names",
]
