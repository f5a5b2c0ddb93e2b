"""The one shape every reader produces: a `Table` of strings, and the builder that turns raw
rows into it (header clean-up, padding of short rows, cut cells and their warnings).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engage.errors import ImportFileError
from engage.importing.source_file import MAX_COLUMNS, max_rows, too_many_columns, too_many_rows

MAX_ROW_WARNINGS = 20
#: A cell longer than this is cut (with a warning naming the row): no one writes a comment of
#: a hundred thousand characters, but a paste accident or a hostile file can hold one.
MAX_CELL_CHARS = 100_000


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




class TableBuilder:
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
        self.max_rows = max_rows()  # the limits: checked as rows arrive, before any write

    @property
    def full(self) -> bool:
        return self.limit is not None and len(self.rows) >= self.limit

    def set_header(self, cells: list[str]) -> None:
        blank_tail = []
        for j in range(len(cells) - 1, -1, -1):
            if cells[j].strip():
                break
            blank_tail.append(j)
        if len(cells) - len(blank_tail) > MAX_COLUMNS:
            raise too_many_columns(self.where, len(cells) - len(blank_tail))
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
        if self.total > self.max_rows:
            raise too_many_rows(self.where, self.max_rows)
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
