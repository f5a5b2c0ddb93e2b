"""Is this file a healthy Engage project? Cheap checks on every open, a full one on demand.

Opening must stay fast on a million-comment project (about 800 MB), where SQLite's
``PRAGMA quick_check`` alone takes 2-3 s. So every open checks what costs next to nothing:
the 100-byte SQLite header (magic, page size, a size that is a whole number of pages and not
shorter than the header says), that the schema can be read, and that it is an Engage schema.
Files up to `QUICK_CHECK_MAX_BYTES` (roughly 100,000 comments, a few tenths of a second) also
get ``PRAGMA quick_check`` on their first open in a process. `full_check` (``engage check``)
reads every page: ``integrity_check``, foreign keys and the full-text index.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from engage.errors import ProjectError, one_line

SQLITE_MAGIC = b"SQLite format 3\x00"
HEADER_BYTES = 100
QUICK_CHECK_MAX_BYTES = 64 * 1024 * 1024

_checked: set[str] = set()
_checked_guard = threading.Lock()


class DamagedProjectError(ProjectError):
    """The file is an SQLite database (or was) but parts of it are missing or unreadable."""

    def __init__(self, path: Path, what: str) -> None:
        self.what = what
        super().__init__(f"{path}: the project file is damaged ({what}); open a backup copy, "
                         "or run `engage check` on it for details")


def damaged(path: Path, what: str) -> DamagedProjectError:
    return DamagedProjectError(path, what)


def storage_error(path: Path, exc: sqlite3.Error, action: str | None = None
                  ) -> ProjectError | None:
    """A full disk, a read-only file or folder, or an I/O failure, as one line that says the
    project file is intact (SQLite has rolled back whatever `action` was writing); None for
    any other database error, which is a bug or damage and must be seen as such."""
    text = str(exc).lower()
    name = one_line(path.name)
    folder = one_line(str(path.resolve().parent))
    intact = (f"nothing of '{action}' was saved and the project file is intact" if action
              else "the project file is intact")
    if "disk is full" in text:
        return ProjectError(f"{name}: the disk is full; {intact}; free some space on {folder} "
                            "and try again")
    if "readonly database" in text or "unable to open database file" in text:
        if path.exists() and not os.access(path.parent, os.W_OK):
            return ProjectError(
                f"{name}: its folder {folder} is read-only, and Engage keeps its journal "
                f"(-wal, -shm) beside the project even to read it; {intact}; copy the project "
                "to a folder you can write to")
        if "readonly" in text:
            return ProjectError(f"{name}: the project file is read-only; {intact}; make it "
                                "writable, or save a copy elsewhere, to change it")
    if "disk i/o error" in text:
        return ProjectError(f"{name}: the disk could not be written or read ({exc}); {intact}")
    return None


def _problem_lines(rows: list[str]) -> list[str]:
    """SQLite's check results as single lines, without its '*** in database main ***' banner."""
    lines = [" ".join(line.split()) for row in rows for line in str(row).splitlines()]
    return [line for line in lines if line and not line.startswith("***")]


def check_header(path: Path) -> None:
    """Refuse files that are empty, not SQLite, or visibly cut short, before SQLite sees them."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as fh:
            head = fh.read(HEADER_BYTES)
    except OSError as exc:
        raise ProjectError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if size == 0:
        raise ProjectError(f"{path}: the file is empty (0 bytes), so it holds no project; "
                           "create a new project or open a backup copy")
    if not head.startswith(SQLITE_MAGIC[:15]) or head[15:16] not in (b"\x00", b""):
        raise ProjectError(f"{path}: not an Engage project (not an SQLite database)")
    if len(head) < HEADER_BYTES:
        raise damaged(path, f"only {size} bytes long")
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    if page_size < 512 or page_size > 65536 or page_size & (page_size - 1):
        raise damaged(path, "its header is not valid")
    if size % page_size:
        raise damaged(path, "it ends part-way through a page, so it was probably cut short")
    wal = Path(str(path) + "-wal")
    wal_in_use = wal.exists() and wal.stat().st_size > 0
    counter_valid = head[24:28] == head[92:96]
    pages = int.from_bytes(head[28:32], "big")
    if not wal_in_use and counter_valid and pages and pages * page_size > size:
        raise damaged(path, f"it holds {size // page_size:,} of its {pages:,} pages, so it was "
                            "cut short")


def check_schema(conn: sqlite3.Connection, path: Path) -> None:
    """The schema must be readable and, if there is one, Engage's (never adopt another app's file)."""
    try:
        tables = {row[0] for row in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise (storage_error(path, exc) or damaged(path, str(exc))) from exc
    if tables and "migrations" not in tables:
        raise ProjectError(f"{path}: not an Engage project (an SQLite database made by another "
                           "program)")


def quick_check_once(conn: sqlite3.Connection, path: Path) -> None:
    """``PRAGMA quick_check`` on the first open of a small-enough file in this process."""
    key = os.path.realpath(path)
    with _checked_guard:
        if key in _checked:
            return
    try:
        if path.stat().st_size > QUICK_CHECK_MAX_BYTES:
            return
        problems = [row[0] for row in conn.execute("PRAGMA quick_check(5)")]
    except sqlite3.DatabaseError as exc:
        raise (storage_error(path, exc) or damaged(path, str(exc))) from exc
    if problems != ["ok"]:
        raise damaged(path, (_problem_lines(problems) or ["unreadable pages"])[0])
    with _checked_guard:
        _checked.add(key)


def forget_checked(path: Path) -> None:
    """A file replaced on disk (a new project over an old one) is checked again next time."""
    with _checked_guard:
        _checked.discard(os.path.realpath(path))


@dataclass
class CheckReport:
    """What `engage check` found: lines to print and whether the file is healthy."""

    path: Path
    ok: bool = True
    lines: list[str] = field(default_factory=list)

    def problem(self, line: str) -> None:
        self.ok = False
        self.lines.append("PROBLEM: " + line)


def full_check(path: str | Path) -> CheckReport:
    """Read every page: header, SQLite integrity, foreign keys, full-text index, schema version.

    Opens its own connection without taking the project lock and writes nothing, so it can
    check a file that is open in the app.
    """
    from engage import schema

    path = Path(path)
    if not path.exists():
        raise ProjectError(f"{path}: no such project file")
    report = CheckReport(path)
    began = time.perf_counter()
    report.lines.append(f"File: {path} ({path.stat().st_size / 1e6:,.1f} MB)")
    try:
        check_header(path)
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=10)
    except DamagedProjectError as exc:
        report.problem(exc.what)
    except ProjectError as exc:
        report.problem(str(exc))
    except sqlite3.Error as exc:
        report.problem(f"SQLite cannot open the file: {exc}")
    else:
        try:
            check_schema(conn, path)
            _sqlite_integrity(conn, report)
            _foreign_keys(conn, report)
            _fulltext(conn, report)
            _versions(conn, report, schema.LATEST_VERSION)
        except DamagedProjectError as exc:
            report.problem(exc.what)
        except ProjectError as exc:
            report.problem(str(exc))
        except sqlite3.DatabaseError as exc:
            report.problem(f"SQLite cannot read the file: {exc}")
        finally:
            conn.close()
    report.lines.append(f"Checked in {time.perf_counter() - began:.1f} s: "
                        + ("no problems found" if report.ok else "problems found"))
    return report


def _sqlite_integrity(conn: sqlite3.Connection, report: CheckReport) -> None:
    problems = [row[0] for row in conn.execute("PRAGMA integrity_check(20)")]
    if problems == ["ok"]:
        report.lines.append("SQLite integrity check: ok")
        return
    for problem in _problem_lines(problems):
        report.problem(f"SQLite integrity check: {problem}")


def _foreign_keys(conn: sqlite3.Connection, report: CheckReport) -> None:
    broken: dict[str, int] = {}
    for table, *_rest in conn.execute("PRAGMA foreign_key_check"):
        broken[table] = broken.get(table, 0) + 1
    if not broken:
        report.lines.append("Links between records: ok")
    for table, n in sorted(broken.items()):
        report.problem(f"{n:,} rows of {table} point at records that do not exist")


def _fulltext(conn: sqlite3.Connection, report: CheckReport) -> None:
    """FTS5's own check; it is an INSERT in form only, and rolled back regardless."""
    if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'comments_fts'").fetchone():
        return
    conn.execute("BEGIN")
    try:
        conn.execute("INSERT INTO comments_fts(comments_fts, rank) VALUES ('integrity-check', 1)")
        report.lines.append("Search index: ok")
    except sqlite3.DatabaseError as exc:
        if "readonly database" in str(exc).lower():  # FTS5 checks through a write statement
            report.lines.append("Search index: not checked (the file is read-only)")
        else:
            report.problem(f"the search index does not match the comments ({exc})")
    finally:
        conn.rollback()


def _versions(conn: sqlite3.Connection, report: CheckReport, latest: int) -> None:
    versions = {row[0] for row in conn.execute("SELECT version FROM migrations")}
    newest = max(versions, default=0)
    if newest > latest:
        report.lines.append(f"Schema version {newest}: made by a newer Engage (this one knows up "
                            f"to {latest})")
    elif newest < latest:
        report.lines.append(f"Schema version {newest}: will be upgraded to {latest} (with a "
                            "backup) when opened")
    else:
        report.lines.append(f"Schema version {newest}: current")
    counts = {table: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
              for table in ("consultations", "respondents", "comments")}
    report.lines.append("Holds " + ", ".join(_count(n, table[:-1]) for table, n in counts.items()))


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")
