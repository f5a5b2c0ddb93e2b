"""A project: one SQLite file (``*.engage``) holding one or more consultations.

This module and the other core store modules are the only places SQL is written. Every write
runs inside `Project.transaction`, which is one SQLite transaction (a crash mid-way leaves the
file as it was) and records who did what in the audit table.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import getpass
import json
import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlite_utils

from engage import filelock, integrity, schema
from engage.errors import NotFoundError, ProjectError
from engage.integrity import storage_error  # noqa: F401 - re-exported for the CLI

PROJECT_SUFFIX = ".engage"


def _remove_with_journal(path: Path, keep_file: bool = False) -> None:
    """Delete a project file (unless `keep_file`) and SQLite's -wal and -shm beside it."""
    for suffix in ("-wal", "-shm") if keep_file else ("", "-wal", "-shm"):
        with contextlib.suppress(OSError):
            Path(str(path) + suffix).unlink(missing_ok=True)


def stored_json(text: str | None, kind: type = dict) -> list | dict:
    """A JSON list or object Engage stored, or an empty one when what is there is not one (a
    damaged or hand-edited file must not stop a view, report or export)."""
    try:
        value = json.loads(text) if text else kind()
    except (TypeError, ValueError, RecursionError):
        return kind()
    return value if isinstance(value, kind) else kind()


def utc_now() -> str:
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")


def _json(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, default=str)


@dataclass
class Transaction:
    """Handed to the body of a write; collects audit rows written when the body succeeds."""

    project: Project
    action: str
    entries: list[dict] = field(default_factory=list)

    def audit(self, entity: str, entity_id: int | None = None, before: Any = None,
              after: Any = None) -> None:
        self.entries.append(dict(at=utc_now(), user=self.project.user, action=self.action,
                                 entity=entity, entity_id=entity_id, before=_json(before),
                                 after=_json(after)))


class Project:
    """An open project file. Not thread-safe: each worker thread opens its own Project."""

    def __init__(self, path: Path, db: sqlite_utils.Database, user: str | None = None) -> None:
        self.path = path
        self.db = db
        self.user = user or _default_user()
        self._locked = False

    # ----- opening and closing -------------------------------------------------------------
    # Opening takes the project lock (engage.filelock), so a second Engage process is told the
    # file is in use instead of writing behind the first one's back; closing gives it back.
    @classmethod
    def create(cls, path: str | Path, overwrite: bool = False, user: str | None = None) -> Project:
        path = Path(path)
        if path.is_dir():
            raise ProjectError(f"{path}: is a folder, not a project file")
        if path.exists() and not overwrite:
            raise ProjectError(f"{path}: a file of that name already exists")
        if not path.parent.exists():
            raise ProjectError(f"{path}: the folder {path.parent} does not exist")
        filelock.acquire(path)
        building = path.with_name(f".{path.name}.new")
        try:
            # Made complete under a hidden name, then moved into place: a full disk or a kill
            # while the schema is written leaves no half-made project (and, with --force, the
            # old project is kept until the new one is whole).
            _remove_with_journal(building)
            try:
                cls._connect(building, user, check=False).db.conn.close()  # checkpoints its WAL
            except ProjectError as exc:  # name the file the officer asked for, not ours
                raise ProjectError(str(exc).replace(building.name, path.name)) from exc
            if Path(f"{building}-wal").exists() and Path(f"{building}-wal").stat().st_size:
                raise ProjectError(f"{path}: the new project could not be completed on disk; "
                                   "check the free space and try again")
            _remove_with_journal(path, keep_file=True)  # an old journal must not replay
            os.replace(building, path)
            integrity.forget_checked(path)
            return cls._connect(path, user, check=False)
        except BaseException:
            _remove_with_journal(building)
            filelock.release(path)
            raise

    def discard(self) -> None:
        """Close and delete a project this process has just created and not used after all
        (an import into a new file that was refused), so no empty project is left behind."""
        self.close()
        _remove_with_journal(self.path)

    @classmethod
    def open(cls, path: str | Path, user: str | None = None) -> Project:
        """Open an existing project: checked, locked for this process, migrated if older.

        A file made by an older Engage is backed up beside itself before it is upgraded
        (see engage.schema.migrate).
        """
        path = Path(path)
        if not path.exists():
            raise ProjectError(f"{path}: no such project file")
        if path.is_dir():
            raise ProjectError(f"{path}: is a folder, not a project file")
        integrity.check_header(path)
        filelock.acquire(path)
        try:
            return cls._connect(path, user, check=True)
        except BaseException:
            filelock.release(path)
            raise

    @classmethod
    def _connect(cls, path: Path, user: str | None, check: bool) -> Project:
        try:
            conn = sqlite3.connect(str(path), timeout=10)
        except sqlite3.Error as exc:
            raise ProjectError(f"{path}: cannot be opened as a project ({exc})") from exc
        try:
            integrity.check_schema(conn, path)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            if check:
                integrity.quick_check_once(conn, path)
            db = sqlite_utils.Database(conn)
            schema.migrate(db)
        except ProjectError:
            conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise (storage_error(path, exc, "open the project" if check else "create the project")
                   or ProjectError(f"{path}: cannot be opened as a project ({exc})")) from exc
        project = cls(path, db, user)
        project._locked = True
        return project

    def reopen(self) -> Project:
        """A second connection to the same file, for a worker thread."""
        return Project.open(self.path, user=self.user)

    def close(self) -> None:
        with contextlib.suppress(sqlite3.Error):
            self.db.conn.close()
        if self._locked:
            self._locked = False
            filelock.release(self.path)

    def __enter__(self) -> Project:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----- writing -------------------------------------------------------------------------
    @contextlib.contextmanager
    def transaction(self, action: str) -> Iterator[Transaction]:
        """One SQLite transaction with its audit rows; nothing is kept if the body raises."""
        tx = Transaction(self, action)
        try:
            with self.db.atomic():
                yield tx
                if tx.entries:
                    self.db["audit"].insert_all(tx.entries)
        except sqlite3.DatabaseError as exc:
            # The one place a full disk or a read-only file meets a write: SQLite has rolled
            # the transaction back, so the officer is told that, in one line, not a traceback.
            error = storage_error(self.path, exc, action)
            if error is None:
                raise
            raise error from exc

    # ----- settings stored in the project ------------------------------------------------
    def get_setting(self, key: str, default: str | None = None) -> str | None:
        row = self.db.execute("SELECT value FROM settings WHERE key = ?", [key]).fetchone()
        return default if row is None else row[0]

    def set_setting(self, key: str, value: str) -> None:
        with self.transaction("change setting") as tx:
            before = self.get_setting(key)
            self.db["settings"].upsert({"key": key, "value": value}, pk="key")
            tx.audit("setting", None, {key: before}, {key: value})

    # ----- consultations and questions -------------------------------------------------
    def consultations(self) -> list[dict]:
        """Each consultation with its counts, for navigators and `engage info`."""
        sql = """
            SELECT c.id, c.name, c.description, c.created_at,
              (SELECT count(*) FROM respondents r WHERE r.consultation_id = c.id) AS respondents,
              (SELECT count(*) FROM comments m WHERE m.consultation_id = c.id) AS comments
            FROM consultations c ORDER BY c.id
        """
        return [dict(row) for row in self._rows(sql)]

    def consultation(self, id_or_name: int | str) -> dict:
        if isinstance(id_or_name, int) or str(id_or_name).isdigit():
            rows = self._rows("SELECT * FROM consultations WHERE id = ?", [int(id_or_name)])
        else:
            rows = self._rows("SELECT * FROM consultations WHERE name = ?", [id_or_name])
        if not rows:
            raise NotFoundError(f"no consultation {id_or_name!r} in {self.path.name}")
        return dict(rows[0])

    def find_consultation(self, name: str) -> dict | None:
        rows = self._rows("SELECT * FROM consultations WHERE name = ?", [name])
        return dict(rows[0]) if rows else None

    def questions(self, consultation_id: int | None = None) -> list[dict]:
        """Questions with counts of respondents who answered and comments."""
        sql = """
            SELECT q.id, q.consultation_id, q.label, q.text, q.position,
              count(m.id) AS comments,
              count(DISTINCT m.respondent_id) AS respondents,
              coalesce(sum(m.substantive), 0) AS substantive
            FROM questions q LEFT JOIN comments m ON m.question_id = q.id
            {where} GROUP BY q.id ORDER BY q.consultation_id, q.position, q.id
        """
        if consultation_id is None:
            return [dict(r) for r in self._rows(sql.format(where=""))]
        return [dict(r) for r in self._rows(sql.format(where="WHERE q.consultation_id = ?"),
                                            [consultation_id])]

    def totals(self) -> dict:
        one = self.db.execute
        return {
            "consultations": one("SELECT count(*) FROM consultations").fetchone()[0],
            "questions": one("SELECT count(*) FROM questions").fetchone()[0],
            "respondents": one("SELECT count(*) FROM respondents").fetchone()[0],
            "comments": one("SELECT count(*) FROM comments").fetchone()[0],
            "imports": one("SELECT count(*) FROM imports").fetchone()[0],
        }

    def rename_consultation(self, consultation_id: int, name: str) -> None:
        before = self.consultation(consultation_id)
        with self.transaction("rename consultation") as tx:
            self.db["consultations"].update(consultation_id, {"name": name})
            tx.audit("consultation", consultation_id, {"name": before["name"]}, {"name": name})

    # ----- places ----------------------------------------------------------------------
    def places(self, kind: str | None = None) -> list[dict]:
        if kind is None:
            return [dict(r) for r in self._rows("SELECT * FROM places ORDER BY id")]
        return [dict(r) for r in self._rows("SELECT * FROM places WHERE kind = ? ORDER BY id",
                                            [kind])]

    def place_lookup(self) -> tuple[dict[str, int], dict[str, int]]:
        """(alias key → place id, postcode district → place id), for resolving imports."""
        aliases = dict(self.db.execute("SELECT alias, place_id FROM place_aliases").fetchall())
        districts = dict(self.db.execute(
            "SELECT upper(district), place_id FROM postcode_districts").fetchall())
        return aliases, districts

    # ----- saved column mappings ------------------------------------------------------
    def saved_mapping(self, signature: str) -> dict | None:
        """The mapping saved for files with these columns; None when there is none or what is
        stored is not a mapping (a damaged or hand-edited value is ignored, not a crash: the
        import guesses the columns again and saves a good mapping over it)."""
        row = self.db.execute("SELECT mapping FROM saved_mappings WHERE signature = ?",
                              [signature]).fetchone()
        if row is None:
            return None
        try:
            value = json.loads(row[0])
        except (TypeError, ValueError, RecursionError):
            return None
        return value if isinstance(value, dict) else None

    def save_mapping(self, signature: str, name: str, mapping: dict) -> None:
        with self.transaction("save column mapping") as tx:
            self.db["saved_mappings"].upsert(
                {"signature": signature, "name": name, "mapping": _json(mapping),
                 "saved_at": utc_now()}, pk="signature")
            tx.audit("saved_mapping", None, None, {"name": name})

    # ----- audit ---------------------------------------------------------------------
    def audit_log(self, limit: int = 200) -> list[dict]:
        return [dict(r) for r in self._rows("SELECT * FROM audit ORDER BY id DESC LIMIT ?",
                                            [limit])]

    def imports(self) -> list[dict]:
        return [dict(r) for r in self._rows("SELECT * FROM imports ORDER BY id")]

    # ----- helpers -----------------------------------------------------------------------
    def _rows(self, sql: str, params: list | None = None) -> list[sqlite3.Row]:
        cursor = self.db.conn.cursor()
        cursor.row_factory = sqlite3.Row
        return cursor.execute(sql, params or []).fetchall()


#: The officer's name for audit rows when none is given to `Project.open`: set by the CLI's
#: `--officer NAME` and by the desktop app from its settings, so worker connections agree.
OFFICER_ENV = "ENGAGE_OFFICER"


def default_user() -> str:
    """Who the audit says did it: ENGAGE_OFFICER if set, else the login name."""
    named = " ".join(os.environ.get(OFFICER_ENV, "").split())
    if named:
        return named
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name on some systems; the audit still needs one
        return "officer"


_default_user = default_user
