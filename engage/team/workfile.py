"""What ties a work file to the project it came from: the project's team id, the consultation,
and the version of the codebook it was shared with.

The lead project gets a random team id the first time it shares work out; every work file
carries it (with the consultation id and a fingerprint of the codebook) in its
``team.work_file`` setting, so a file from another project is refused and a file shared with
an older codebook is mapped onto today's themes, theme by theme, with a message saying how.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from engage import integrity, schema
from engage.errors import EngageError
from engage.project import Project

WORK_FILE_KEY = "team.work_file"
PROJECT_UID_KEY = "team.project_uid"


class WorkFileError(EngageError):
    """A file picked for merging is not a work file of this project, or cannot be read."""


def project_uid(project: Project, create: bool = False) -> str | None:
    """This project's team id (made on first share-out, or when `create`)."""
    uid = project.get_setting(PROJECT_UID_KEY)
    if uid is None and create:
        uid = str(uuid.uuid4())
        project.set_setting(PROJECT_UID_KEY, uid)
    return uid


def codebook(db: sqlite3.Connection) -> list[dict]:
    """Themes with their portfolio, in a stable order: what a work file was shared with."""
    rows = db.execute(
        """SELECT t.id, t.name, p.name FROM themes t JOIN portfolios p ON p.id = t.portfolio_id
           ORDER BY t.id""").fetchall()
    return [{"id": tid, "name": name, "portfolio": portfolio} for tid, name, portfolio in rows]


def codebook_version(themes: list[dict]) -> str:
    """A short fingerprint of the codebook: changes when a theme is added, renamed or moved."""
    text = json.dumps([[t["id"], t["name"], t["portfolio"]] for t in themes], ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


@dataclass
class WorkFileMeta:
    work_id: str
    project_uid: str
    project_name: str
    consultation_id: int
    consultation_name: str
    codebook_version: str
    codebook: list[dict]
    officer: str
    shared_by: str
    shared_at: str
    split: str
    baseline_audit_id: int = 0
    comments: int = 0
    overlap_ids: list[int] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, path: Path) -> WorkFileMeta:
        try:
            data = json.loads(text)
            return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})
        except (ValueError, TypeError, KeyError) as exc:
            raise WorkFileError(f"{path.name}: its work-file record is damaged ({exc})") from exc


def open_readonly(path: str | Path) -> sqlite3.Connection:
    """The work file opened read-only: merging never changes the colleague's file.

    The same header and schema checks as opening a project; a file from a newer Engage is
    refused. Nothing in the file runs: only plain SELECTs are made of its tables.
    """
    path = Path(path)
    if not path.is_file():
        raise WorkFileError(f"{path}: no such file")
    integrity.check_header(path)
    try:
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=10)
        integrity.check_schema(conn, path)
        versions = {r[0] for r in conn.execute("SELECT version FROM migrations")}
    except sqlite3.DatabaseError as exc:
        raise WorkFileError(f"{path.name}: cannot be read as an Engage project ({exc})") from exc
    if not versions:
        conn.close()
        raise WorkFileError(f"{path.name}: not an Engage project")
    if max(versions) > schema.LATEST_VERSION:
        conn.close()
        raise WorkFileError(f"{path.name}: saved by a newer version of Engage; update Engage "
                            "to merge it")
    return conn


def read_meta(conn: sqlite3.Connection, path: Path) -> WorkFileMeta:
    row = conn.execute("SELECT value FROM settings WHERE key = ?", [WORK_FILE_KEY]).fetchone()
    if row is None:
        raise WorkFileError(f"{path.name}: not a work file shared out by Engage (use File → "
                            "Import REFI-QDA Project… for other tools' files)")
    return WorkFileMeta.from_json(row[0], path)


@dataclass
class ThemeMapping:
    """Work-file theme id → lead theme id, and what the officer should be told about it."""

    ids: dict[int, int]
    notes: list[str]
    missing: list[str]


def map_codebook(project: Project, meta: WorkFileMeta) -> ThemeMapping:
    """Map the themes a work file was shared with onto the lead project's themes today.

    Same id and name: the same theme. Otherwise a theme of the same name; otherwise the theme
    it was renamed to (same id) or merged into (followed through the audit trail). A theme
    deleted since is `missing`: the caller refuses the file, or drops those codings if asked.
    """
    current = {t["id"]: t for t in codebook(project.db.conn)}
    by_name = {t["name"]: t["id"] for t in current.values()}
    merged = _merged_into(project)
    ids: dict[int, int] = {}
    notes: list[str] = []
    missing: list[str] = []
    for theme in meta.codebook:
        tid, name = theme["id"], theme["name"]
        if tid in current and current[tid]["name"] == name:
            ids[tid] = tid
        elif name in by_name:
            ids[tid] = by_name[name]
        elif tid in current:
            ids[tid] = tid
            notes.append(f"'{name}' is now called '{current[tid]['name']}'")
        else:
            target = tid
            seen = set()
            while target in merged and target not in seen:
                seen.add(target)
                target = merged[target]
            if target in current:
                ids[tid] = target
                notes.append(f"'{name}' was merged into '{current[target]['name']}'")
            else:
                missing.append(name)
    return ThemeMapping(ids, notes, missing)


def _merged_into(project: Project) -> dict[int, int]:
    out: dict[int, int] = {}
    for entity_id, after in project.db.execute(
            "SELECT entity_id, after FROM audit WHERE entity = 'theme' AND after LIKE "
            "'%merged_into%' ORDER BY id"):
        try:
            out[int(entity_id)] = int(json.loads(after)["merged_into"])
        except (ValueError, TypeError, KeyError):
            continue
    return out
