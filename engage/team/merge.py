"""File → Merge Coding…: bring a colleague's decisions back into the lead project.

What comes back is every decision the colleague made after the file was shared out (read from
the work file's own audit trail, so a model re-run in the work file brings nothing): themes
accepted, rejected or added, sentiment, kind and key quotes set, and themes they created. Each
lands with the colleague's name and the time they made it in the lead project's audit trail.

A decision is applied when the lead project still holds what was shared (or only a model
suggestion); when someone has decided otherwise since, it becomes a conflict for the Conflicts
view instead of overwriting them. Every decision merged is remembered (`team_decisions`), so
merging the same file twice changes nothing, and a file sent back again after more work
brings only what is new. All files of one merge are one transaction: a merge that fails or is
killed leaves the project exactly as it was.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from engage.analysis.store import ACTIVE_CODING, chunks, insert_theme
from engage.changes import Changes
from engage.progress import CancelFn, ProgressFn, Reporter
from engage.project import Project, Transaction, utc_now
from engage.team.workfile import (
    WorkFileError,
    codebook,
    codebook_version,
    map_codebook,
    open_readonly,
    project_uid,
    read_meta,
)

#: Per-comment officer fields a merge brings back: field name → comment_analysis column.
SCALAR_FIELDS = {"sentiment": "sentiment_officer", "key_quote": "key_quote"}
#: The officer's kind of comment lives on the comment itself (comments.kind with
#: kind_source 'officer'; a model kind is a suggestion, not a decision).
KIND = "kind"
FIELD_LABELS = {"sentiment": "sentiment", "key_quote": "key quote", KIND: "kind"}


def scalar_fields(conn: sqlite3.Connection) -> dict[str, str]:
    """The per-comment fields this file has: name → column (comment_analysis, or for kind
    the comments table)."""
    columns = {row[1] for row in conn.execute("PRAGMA table_info(comment_analysis)")}
    out = {name: column for name, column in SCALAR_FIELDS.items() if column in columns}
    if "kind_source" in {row[1] for row in conn.execute("PRAGMA table_info(comments)")}:
        out[KIND] = "kind"
    return out


def _analysis_fields(fields: dict[str, str]) -> dict[str, str]:
    return {name: column for name, column in fields.items() if name != KIND}


def officer_kinds(conn: sqlite3.Connection, comment_ids: list[int]) -> dict[int, str]:
    """Comment id → the kind an officer set (model kinds are left out)."""
    out: dict[int, str] = {}
    for chunk in chunks(comment_ids, 900):
        marks = ",".join("?" * len(chunk))
        out.update(conn.execute(
            f"SELECT id, kind FROM comments WHERE kind_source = 'officer' AND kind IS NOT NULL "
            f"AND id IN ({marks})", chunk).fetchall())
    return out


@dataclass
class Decision:
    """One decision from a colleague: `field` is "theme:<id>" (value 'accepted' or
    'rejected') or a scalar field name; `baseline` is what the field held when shared."""

    comment_id: int
    field: str
    value: object
    baseline: object
    officer: str
    at: str | None


@dataclass
class Incoming:
    """What one returned file brings back, whatever its format (work file or REFI-QDA)."""

    source_id: str
    label: str
    officer: str
    decisions: list[Decision]
    theme_ids: dict[int, int]                       # file theme id → lead theme id
    new_themes: list[dict] = field(default_factory=list)  # {id, name, portfolio, officer, at}
    codings: dict[int, tuple[list[int], int | None]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


@dataclass
class FileMerge:
    label: str
    officer: str
    applied: int = 0
    same: int = 0
    conflicts: int = 0
    already: int = 0
    new_themes: int = 0
    notes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{self.applied:,} decisions applied"]
        if self.conflicts:
            parts.append(f"{self.conflicts:,} conflicts to resolve")
        if self.same:
            parts.append(f"{self.same:,} already agreed")
        if self.already:
            parts.append(f"{self.already:,} merged before")
        if self.new_themes:
            parts.append(f"{self.new_themes} new themes")
        text = f"{self.label} ({self.officer}): " + ", ".join(parts)
        return text + ("" if not self.notes else ". " + "; ".join(self.notes))


@dataclass
class MergeResult:
    files: list[FileMerge]
    changes: Changes

    @property
    def conflicts(self) -> int:
        return sum(f.conflicts for f in self.files)

    @property
    def applied(self) -> int:
        return sum(f.applied for f in self.files)


# ----- reading a work file -------------------------------------------------------------------
def read_work_file(project: Project, path: str | Path, drop_unmapped: bool = False) -> Incoming:
    """The decisions in one work file, checked against this project (refused with a clear
    message when it belongs elsewhere or its themes cannot be mapped)."""
    path = Path(path)
    conn = open_readonly(path)
    try:
        meta = read_meta(conn, path)
        uid = project_uid(project)
        if uid != meta.project_uid:
            raise WorkFileError(
                f"{path.name}: shared out from another project ({meta.project_name}, "
                f"consultation '{meta.consultation_name}'), not from {project.path.name}; "
                "open that project to merge it")
        row = project.db.execute("SELECT name FROM consultations WHERE id = ?",
                                 [meta.consultation_id]).fetchone()
        if row is None:
            raise WorkFileError(f"{path.name}: its consultation '{meta.consultation_name}' is "
                                f"no longer in {project.path.name}")
        mapping = map_codebook(project, meta)
        notes = []
        if mapping.missing and not drop_unmapped:
            raise WorkFileError(
                f"{path.name}: shared out with an older codebook (version "
                f"{meta.codebook_version}) whose themes {', '.join(map(repr, mapping.missing))} "
                "have since been deleted here; restore them, or merge leaving those out")
        if mapping.missing:
            notes.append("left out codings of deleted themes " + ", ".join(mapping.missing))
        today = codebook_version(codebook(project.db.conn))
        if meta.codebook_version != today and mapping.notes:
            notes.append(f"shared with codebook version {meta.codebook_version}, mapped onto "
                         f"today's ({today}): " + "; ".join(mapping.notes))
        theirs = scalar_fields(conn)  # an older work file may lack a field (kind, say)
        fields = {k: v for k, v in scalar_fields(project.db.conn).items() if k in theirs}
        decisions, touched = _work_decisions(conn, meta.baseline_audit_id, meta.officer, fields)
        shared_ids = {t["id"] for t in meta.codebook}
        new_themes = [{"id": tid, "name": name, "portfolio": portfolio,
                       "description": description or "", "officer": meta.officer,
                       "at": created_at}
                      for tid, name, portfolio, description, created_at in conn.execute(
                          """SELECT t.id, t.name, p.name, t.description, t.created_at
                             FROM themes t JOIN portfolios p ON p.id = t.portfolio_id
                             ORDER BY t.id""") if tid not in shared_ids]
        keep = set(mapping.ids) | {t["id"] for t in new_themes}
        decisions = [d for d in decisions if not d.field.startswith("theme:")
                     or int(d.field[6:]) in keep]
        codings = _officer_codings(conn, touched, meta.shared_at, keep)
        return Incoming(meta.work_id, path.name, meta.officer, decisions, mapping.ids,
                        new_themes, codings, notes)
    except sqlite3.DatabaseError as exc:
        raise WorkFileError(f"{path.name}: cannot be read as an Engage work file ({exc})"
                            ) from exc
    finally:
        conn.close()


def _work_decisions(conn: sqlite3.Connection, baseline_id: int, officer: str,
                    fields: dict[str, str]) -> tuple[list[Decision], set[int]]:
    """Decisions made after share-out: what the audit says was touched, as it stands now."""
    first: dict[tuple[int, str], object] = {}
    last: dict[tuple[int, str], tuple[str, str]] = {}
    columns = {column: name for name, column in _analysis_fields(fields).items()}
    for at, user, entity, cid, before, after in conn.execute(
            "SELECT at, user, entity, entity_id, before, after FROM audit WHERE id > ? "
            "AND entity_id IS NOT NULL ORDER BY id", [baseline_id]):
        b, a = _loads(before), _loads(after)
        if entity == "coding":
            row = a or b
            if not isinstance(row, dict) or "theme_id" not in row:
                continue
            key = (int(cid), f"theme:{row['theme_id']}")
            first.setdefault(key, (b or {}).get("decision"))
            last[key] = (user, at)
            continue
        if entity == KIND and KIND in fields:
            key = (int(cid), KIND)
            b = b if isinstance(b, dict) else {}
            first.setdefault(key, b.get("kind") if b.get("kind_source") == "officer" else None)
            last[key] = (user, at)
            continue
        for column, name in columns.items():
            if (isinstance(a, dict) and column in a) or (isinstance(b, dict) and column in b):
                key = (int(cid), name)
                first.setdefault(key, _normal(name, (b or {}).get(column)))
                last[key] = (user, at)
    touched = {cid for cid, _f in first}
    current = _current_values(conn, touched, fields)
    out = []
    for key, baseline in first.items():
        value, by, when = current.get(key, (None, None, None))
        if value is None or value == baseline:
            continue
        user, at = last[key]
        out.append(Decision(key[0], key[1], value, baseline, by or user or officer, when or at))
    return out, touched


def _current_values(conn: sqlite3.Connection, comment_ids: set[int],
                    fields: dict[str, str]) -> dict[tuple[int, str], tuple]:
    out: dict[tuple[int, str], tuple] = {}
    analysis = _analysis_fields(fields)
    selected = ", ".join(analysis.values())
    if KIND in fields:
        for cid, kind in officer_kinds(conn, sorted(comment_ids)).items():
            out[(cid, KIND)] = (kind, None, None)
    for chunk in chunks(sorted(comment_ids), 900):
        marks = ",".join("?" * len(chunk))
        for cid, tid, decision, by, at in conn.execute(
                f"SELECT comment_id, theme_id, decision, decided_by, decided_at FROM codings "
                f"WHERE decision IS NOT NULL AND comment_id IN ({marks})", chunk):
            out[(cid, f"theme:{tid}")] = (decision, by, at)
        if selected:
            for row in conn.execute(f"SELECT comment_id, {selected} FROM comment_analysis "
                                    f"WHERE comment_id IN ({marks})", chunk):
                for name, value in zip(analysis, row[1:], strict=True):
                    out[(row[0], name)] = (_normal(name, value), None, None)
    return out


def _officer_codings(conn: sqlite3.Connection, touched: set[int], shared_at: str,
                     keep: set[int]) -> dict[int, tuple[list[int], int | None]]:
    """Each comment the colleague worked on: the themes on it in their file, their sentiment."""
    reviewed = set(touched) | {r[0] for r in conn.execute(
        "SELECT comment_id FROM comment_analysis WHERE reviewed = 1 AND reviewed_at > ?",
        [shared_at])}
    out: dict[int, tuple[list[int], int | None]] = {}
    for chunk in chunks(sorted(reviewed), 900):
        marks = ",".join("?" * len(chunk))
        themes: dict[int, list[int]] = {cid: [] for cid in chunk}
        for cid, tid in conn.execute(
                f"""SELECT c.comment_id, c.theme_id FROM codings c
                    LEFT JOIN comment_analysis a ON a.comment_id = c.comment_id
                    WHERE c.comment_id IN ({marks}) AND {ACTIVE_CODING}
                    ORDER BY c.theme_id""", chunk):
            if tid in keep:
                themes[cid].append(tid)
        sentiment = dict(conn.execute(
            f"SELECT comment_id, sentiment_officer FROM comment_analysis "
            f"WHERE comment_id IN ({marks})", chunk).fetchall())
        for cid in chunk:
            out[cid] = (themes[cid], sentiment.get(cid))
    return out


#: One encoder for the tens of thousands of values a merge writes (json.dumps with arguments
#: builds a new encoder on every call).
_dumps = json.JSONEncoder(ensure_ascii=False, default=str).encode


def _loads(text: str | None):
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def _normal(name: str, value):
    return int(bool(value)) if name == "key_quote" else value


# ----- merging -------------------------------------------------------------------------------
def merge_files(project: Project, paths: Sequence[str | Path], drop_unmapped: bool = False,
                progress: ProgressFn | None = None,
                cancelled: CancelFn | None = None) -> MergeResult:
    """Merge returned work files: every file is read and checked before anything is written."""
    report = Reporter(progress, cancelled)
    incoming = []
    for n, path in enumerate(paths):
        report(0.4 * n / max(len(paths), 1), f"Reading {Path(path).name}")
        incoming.append(read_work_file(project, path, drop_unmapped))
    return merge_incoming(project, incoming, report.span(0.4, 1.0))


def merge_incoming(project: Project, incoming: Sequence[Incoming],
                   report: Reporter | None = None) -> MergeResult:
    """Apply what the files bring, all in one transaction (nothing kept if it stops part-way)."""
    report = report or Reporter()
    results = []
    who: dict[tuple[str, int], str] = {}  # (entity, comment) → who set it, across the files
    with project.transaction("merge coding") as tx:
        for n, item in enumerate(incoming):
            report(n / max(len(incoming), 1), f"Merging {item.label}")
            results.append(_apply(project, tx, item, report, who))
            _flush_audit(project, tx, who)
        report.check()
    changes = Changes(codings=any(r.applied for r in results),
                      sentiment=any(r.applied for r in results),
                      comments=any(r.applied for r in results),  # kinds live on comments
                      taxonomy=any(r.new_themes for r in results))
    report(1.0, "Merged", force=True)
    return MergeResult(results, changes)


def _flush_audit(project: Project, tx: Transaction, who: dict) -> None:
    """Write the audit rows gathered so far (inside the merge's transaction), in bulk."""
    project.db.conn.executemany(
        'INSERT INTO audit (at, "user", action, entity, entity_id, before, after) '
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(e["at"], e["user"], e["action"], e["entity"], e["entity_id"], e["before"],
          e["after"]) for e in tx.entries])
    for e in tx.entries:
        who[(e["entity"], e["entity_id"])] = e["user"]
    tx.entries.clear()


def _apply(project: Project, tx: Transaction, item: Incoming, report: Reporter,
           who: dict[tuple[str, int], str]) -> FileMerge:
    db = project.db
    result = FileMerge(item.label, item.officer, notes=list(item.notes))
    now = utc_now()
    action = f"merge coding from {item.label}"
    theme_ids = dict(item.theme_ids)
    theme_ids.update(_new_themes(project, tx, item, action, result))
    done = {(cid, f, v) for cid, f, v in db.execute(
        "SELECT comment_id, field, value FROM team_decisions WHERE work_id = ?",
        [item.source_id])}
    fields = scalar_fields(db.conn)
    cids = sorted({d.comment_id for d in item.decisions})
    codings, scalars = _lead_state(project, cids, fields)
    existing_comments = _existing(project, cids)
    coding_writes: dict[tuple[int, int], dict] = {}
    scalar_writes: dict[tuple[int, str], object] = {}
    decision_rows, conflict_rows, reviewed = [], [], {}
    for n, d in enumerate(item.decisions):
        if n % 2000 == 0:
            report.check()
        if d.comment_id not in existing_comments:
            continue
        fieldname = d.field
        if fieldname.startswith("theme:"):
            tid = theme_ids.get(int(fieldname[6:]))
            if tid is None:
                continue
            fieldname = f"theme:{tid}"
        elif fieldname not in fields:
            continue
        value = _dumps(d.value)
        if (d.comment_id, fieldname, value) in done:
            result.already += 1
            continue
        done.add((d.comment_id, fieldname, value))
        if fieldname.startswith("theme:"):
            tid = int(fieldname[6:])
            row = coding_writes.get((d.comment_id, tid)) or codings.get((d.comment_id, tid))
            mine, mine_by = (row or {}).get("decision"), (row or {}).get("decided_by")
        else:
            mine = scalar_writes.get((d.comment_id, fieldname),
                                     scalars.get((d.comment_id, fieldname)))
            mine_by = None
        if mine == d.value:
            outcome = "same"
            result.same += 1
        elif mine is None or mine == d.baseline or (fieldname == "key_quote" and not mine):
            outcome = "applied"
            result.applied += 1
            if fieldname.startswith("theme:"):
                base = row or {"comment_id": d.comment_id, "theme_id": tid, "source": "officer",
                               "confidence": None, "evidence": None}
                new = {**base, "decision": d.value, "decided_by": d.officer,
                       "decided_at": d.at or now}
                coding_writes[(d.comment_id, tid)] = new
                _audit(tx, d, action, "coding", row, new, now)
            else:
                scalar_writes[(d.comment_id, fieldname)] = d.value
                if fieldname == KIND:  # as engage.analysis.kinds.set_kind records it
                    _audit(tx, d, action, KIND, {"kind": mine, "kind_source": "officer"
                                                 if mine else None},
                           {"kind": d.value, "kind_source": "officer"}, now)
                else:
                    column = fields[fieldname]
                    _audit(tx, d, action, fieldname, {column: mine}, {column: d.value}, now)
            reviewed.setdefault(d.comment_id, (d.officer, d.at or now))
        else:
            outcome = "conflict"
            result.conflicts += 1
            if mine_by is None:
                # who set it: an earlier file of this merge, else the stored audit trail
                mine_by = who.get((fieldname, d.comment_id)) or _last_officer(
                    project, fieldname, d.comment_id)
            conflict_rows.append((d.comment_id, fieldname, _dumps(mine), mine_by, value,
                                  d.officer, d.at, item.source_id))
        decision_rows.append((item.source_id, d.comment_id, fieldname, value, d.officer, d.at,
                              outcome, now))
    _write(project, coding_writes, scalar_writes, fields, reviewed)
    db.conn.executemany(
        "INSERT INTO team_conflicts (comment_id, field, mine, mine_by, theirs, theirs_by, "
        "theirs_at, work_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", conflict_rows)
    db.conn.executemany(
        "INSERT OR IGNORE INTO team_decisions (work_id, comment_id, field, value, officer, "
        "decided_at, outcome, merged_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", decision_rows)
    _store_officer_codings(project, item, theme_ids, existing_comments)
    if result.applied or result.conflicts or result.new_themes:
        tx.audit("team_merge", None, None,
                 {"file": item.label, "officer": item.officer, "applied": result.applied,
                  "conflicts": result.conflicts, "new_themes": result.new_themes})
    return result


def _last_officer(project: Project, fieldname: str, comment_id: int) -> str | None:
    """Who last set this field of this comment, from the stored audit trail."""
    row = project.db.execute(
        "SELECT user FROM audit WHERE entity = ? AND entity_id = ? ORDER BY id DESC LIMIT 1",
        [fieldname, comment_id]).fetchone()
    return row[0] if row else None


def _audit(tx: Transaction, d: Decision, action: str, entity: str, before, after,
           now: str) -> None:
    """An audit row in the colleague's name, at the time they made the decision."""
    tx.entries.append({"at": d.at or now, "user": d.officer, "action": action,
                       "entity": entity, "entity_id": d.comment_id,
                       "before": None if before is None else _dumps(before),
                       "after": _dumps(after)})


def _new_themes(project: Project, tx: Transaction, item: Incoming, action: str,
                result: FileMerge) -> dict[int, int]:
    """Themes the colleague created: matched by name, else added to the same portfolio."""
    out: dict[int, int] = {}
    db = project.db
    portfolios = dict(db.execute("SELECT name, id FROM portfolios").fetchall())
    for theme in item.new_themes:
        row = db.execute("SELECT id FROM themes WHERE name = ?", [theme["name"]]).fetchone()
        if row:
            out[theme["id"]] = row[0]
            continue
        portfolio = theme["portfolio"] or "Imported codes"
        portfolio_id = portfolios.get(portfolio)
        if portfolio_id is None:  # a portfolio renamed since, or a parent code from elsewhere
            position = db.execute("SELECT coalesce(max(position), 0) + 1 FROM portfolios"
                                  ).fetchone()[0]
            portfolio_id = db["portfolios"].insert({"name": portfolio,
                                                    "position": position}).last_pk
            portfolios[portfolio] = portfolio_id
            tx.audit("portfolio", portfolio_id, None, {"name": portfolio})
        tid = insert_theme(project, portfolio_id, theme["name"], theme.get("description", ""),
                           origin="officer")
        out[theme["id"]] = tid
        result.new_themes += 1
        tx.entries.append({"at": theme.get("at") or utc_now(), "user": theme["officer"],
                           "action": action, "entity": "theme", "entity_id": tid,
                           "before": None,
                           "after": json.dumps({"name": theme["name"],
                                                "portfolio_id": portfolio_id})})
    return out


def _lead_state(project: Project, cids: list[int], fields: dict[str, str]):
    codings: dict[tuple[int, int], dict] = {}
    scalars: dict[tuple[int, str], object] = {}
    analysis = _analysis_fields(fields)
    columns = ", ".join(analysis.values())
    if KIND in fields:
        for cid, kind in officer_kinds(project.db.conn, cids).items():
            scalars[(cid, KIND)] = kind
    for chunk in chunks(cids, 900):
        marks = ",".join("?" * len(chunk))
        for r in project._rows(f"SELECT * FROM codings WHERE comment_id IN ({marks})", chunk):
            codings[(r["comment_id"], r["theme_id"])] = dict(r)
        if columns:
            for row in project.db.execute(f"SELECT comment_id, {columns} FROM comment_analysis "
                                          f"WHERE comment_id IN ({marks})", chunk):
                for name, value in zip(analysis, row[1:], strict=True):
                    scalars[(row[0], name)] = _normal(name, value)
    return codings, scalars


def _existing(project: Project, cids: list[int]) -> set[int]:
    out: set[int] = set()
    for chunk in chunks(cids, 900):
        marks = ",".join("?" * len(chunk))
        out.update(r[0] for r in project.db.execute(
            f"SELECT id FROM comments WHERE id IN ({marks})", chunk))
    return out


def _write(project: Project, codings: dict, scalars: dict, fields: dict[str, str],
           reviewed: dict[int, tuple[str, str]]) -> None:
    db = project.db.conn
    if codings:
        columns = [row[1] for row in db.execute("PRAGMA table_info(codings)")]
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns
                            if c not in ("comment_id", "theme_id"))
        db.executemany(f"INSERT INTO codings ({', '.join(columns)}) "
                       f"VALUES ({', '.join('?' * len(columns))}) "
                       f"ON CONFLICT(comment_id, theme_id) DO UPDATE SET {updates}",
                       [[row.get(c) for c in columns] for row in codings.values()])
    by_column: dict[str, list] = {}
    kinds = []
    for (cid, name), value in scalars.items():
        if name == KIND:
            kinds.append((value, cid))
        else:
            by_column.setdefault(fields[name], []).append((cid, value))
    db.executemany("UPDATE comments SET kind = ?, kind_source = 'officer', kind_confidence = 1.0 "
                   "WHERE id = ?", kinds)
    for column, rows in by_column.items():
        db.executemany(f"INSERT INTO comment_analysis (comment_id, {column}) VALUES (?, ?) "
                       f"ON CONFLICT(comment_id) DO UPDATE SET {column} = excluded.{column}",
                       rows)
    db.executemany(
        "INSERT INTO comment_analysis (comment_id, reviewed, reviewed_by, reviewed_at) "
        "VALUES (?, 1, ?, ?) ON CONFLICT(comment_id) DO UPDATE SET reviewed = 1, "
        "reviewed_by = excluded.reviewed_by, reviewed_at = excluded.reviewed_at "
        "WHERE comment_analysis.reviewed = 0",
        [(cid, by, at) for cid, (by, at) in reviewed.items()])


def _store_officer_codings(project: Project, item: Incoming, theme_ids: dict[int, int],
                           existing: set[int]) -> None:
    """Each officer's own coding, kept apart from the merged result, for agreement figures."""
    known = _existing(project, sorted(item.codings)) if item.codings else set()
    rows = []
    for cid, (themes, sentiment) in item.codings.items():
        if cid not in known and cid not in existing:
            continue
        mapped = sorted({theme_ids[t] for t in themes if t in theme_ids})
        rows.append((item.source_id, item.officer, cid, _dumps(mapped), sentiment))
    project.db.conn.executemany(
        "INSERT INTO team_codings (work_id, officer, comment_id, themes, sentiment) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(work_id, comment_id) DO UPDATE SET "
        "officer = excluded.officer, themes = excluded.themes, sentiment = excluded.sentiment "
        "WHERE team_codings.themes IS NOT excluded.themes "
        "OR team_codings.sentiment IS NOT excluded.sentiment", rows)
