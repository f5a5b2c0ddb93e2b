"""The Conflicts view's core: where a colleague decided otherwise than the lead project holds.

Each conflict is one comment and one field (a theme, sentiment, kind or key quote), with what
the project holds ("mine") and what the colleague decided ("theirs"). Resolving:

- keep mine: the project is left as it is; the conflict is closed.
- keep theirs: the colleague's decision is written, in their name and at their time.
- keep both: for a theme, the theme stays on the comment (a comment can hold both officers'
  themes); a comment has one sentiment, kind and key-quote mark, so there "both" keeps mine
  and the colleague's value stays on record in the conflict and the audit trail.

Every resolution returns an `Undo` that puts the codings, officer fields and conflict rows
back exactly as they were.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from engage.analysis import workbench_store
from engage.analysis.store import chunks
from engage.changes import Changes
from engage.errors import EngageError
from engage.project import Project, utc_now
from engage.team.merge import FIELD_LABELS, KIND, scalar_fields

CHOICES = ("mine", "theirs", "both")
SENTIMENT_WORDS = {1: "very positive", 2: "positive", 3: "neutral or mixed", 4: "negative",
                   5: "very negative"}


@dataclass(frozen=True)
class Undo:
    """What a resolution changed, to be written back by `undo`."""

    snapshot: workbench_store.Snapshot
    conflicts: dict[int, tuple]
    description: str
    kinds: dict[int, tuple] | None = None   # comment → (kind, kind_source, kind_confidence)


def list_conflicts(project: Project, status: str | None = "open",
                   consultation_id: int | None = None) -> list[dict]:
    """Conflicts with the comment's text and readable mine/theirs, oldest first."""
    clauses, params = [], []
    if status is not None:
        clauses.append("k.status = ?")
        params.append(status)
    if consultation_id is not None:
        clauses.append("m.consultation_id = ?")
        params.append(consultation_id)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    rows = project._rows(
        f"""SELECT k.*, m.text, q.label AS question, r.external_id AS respondent
            FROM team_conflicts k JOIN comments m ON m.id = k.comment_id
            JOIN questions q ON q.id = m.question_id
            JOIN respondents r ON r.id = m.respondent_id {where}
            ORDER BY k.comment_id, k.id""", params)
    names = dict(project.db.execute("SELECT id, name FROM themes").fetchall())
    out = []
    for r in rows:
        d = dict(r)
        d["mine"], d["theirs"] = json.loads(d["mine"] or "null"), json.loads(d["theirs"] or "null")
        d["what"] = field_label(d["field"], names)
        d["mine_text"], d["theirs_text"] = (value_text(d["field"], d["mine"]),
                                            value_text(d["field"], d["theirs"]))
        out.append(d)
    return out


def conflict_count(project: Project) -> int:
    return project.db.execute("SELECT count(*) FROM team_conflicts WHERE status = 'open'"
                              ).fetchone()[0]


def field_label(fieldname: str, theme_names: dict[int, str]) -> str:
    if fieldname.startswith("theme:"):
        return "theme: " + theme_names.get(int(fieldname[6:]), f"#{fieldname[6:]}")
    return FIELD_LABELS.get(fieldname, fieldname)


def value_text(fieldname: str, value) -> str:
    if fieldname.startswith("theme:"):
        return {"accepted": "on (accepted)", "rejected": "off (rejected)"}.get(
            value, "model suggestion / not set")
    if fieldname == "sentiment":
        return f"{value} {SENTIMENT_WORDS.get(value, '')}".strip() if value else "not set"
    if fieldname == "key_quote":
        return "key quote" if value else "not a key quote"
    return str(value) if value not in (None, "") else "not set"


def resolve(project: Project, conflict_ids: Sequence[int], choice: str) -> tuple[Changes, Undo]:
    """Resolve these open conflicts one way; returns what changed and how to undo it."""
    if choice not in CHOICES:
        raise EngageError(f"unknown choice {choice!r}; use mine, theirs or both")
    rows = _conflict_rows(project, conflict_ids)
    open_rows = [r for r in rows if r["status"] == "open"]
    if not open_rows:
        raise EngageError("no open conflicts selected")
    fields = scalar_fields(project.db.conn)
    pairs = [(r["comment_id"], int(r["field"][6:])) for r in open_rows
             if r["field"].startswith("theme:")]
    comments = sorted({r["comment_id"] for r in open_rows})
    snapshot = workbench_store.take_snapshot(project, pairs=pairs, comments=comments)
    kinds = _kinds(project, sorted({r["comment_id"] for r in open_rows if r["field"] == KIND}))
    before = {r["id"]: (r["status"], r["resolved_by"], r["resolved_at"]) for r in rows}
    now = utc_now()
    touched_sentiment = False
    with project.transaction(f"resolve conflicts: keep {choice}") as tx:
        for r in open_rows:
            theirs = json.loads(r["theirs"] or "null")
            mine = json.loads(r["mine"] or "null")
            if choice == "theirs" or (choice == "both" and r["field"].startswith("theme:")
                                      and theirs == "accepted" and mine != "accepted"):
                touched_sentiment |= _write_value(project, tx, r, theirs, r["theirs_by"],
                                                  r["theirs_at"] or now, fields)
            project.db.execute(
                "UPDATE team_conflicts SET status = ?, resolved_by = ?, resolved_at = ? "
                "WHERE id = ?", [choice, project.user, now, r["id"]])
            tx.audit("team_conflict", r["comment_id"], {"status": "open"},
                     {"status": choice, "field": r["field"], "theirs_by": r["theirs_by"]})
    undo = Undo(snapshot, before, f"keep {choice} on {len(open_rows)} conflicts", kinds)
    return Changes(codings=True, sentiment=touched_sentiment, comments=bool(kinds)), undo


def _kinds(project: Project, comment_ids: list[int]) -> dict[int, tuple]:
    out: dict[int, tuple] = {}
    for chunk in chunks(comment_ids, 900):
        marks = ",".join("?" * len(chunk))
        for cid, *row in project.db.execute(
                f"SELECT id, kind, kind_source, kind_confidence FROM comments "
                f"WHERE id IN ({marks})", chunk):
            out[cid] = tuple(row)
    return out


def _write_value(project: Project, tx, row: dict, value, by: str, at: str,
                 fields: dict[str, str]) -> bool:
    cid, fieldname = row["comment_id"], row["field"]
    if fieldname.startswith("theme:"):
        tid = int(fieldname[6:])
        current = project._rows("SELECT * FROM codings WHERE comment_id = ? AND theme_id = ?",
                                [cid, tid])
        base = dict(current[0]) if current else {"comment_id": cid, "theme_id": tid,
                                                  "source": "officer", "confidence": None,
                                                  "evidence": None}
        new = {**base, "decision": value, "decided_by": by, "decided_at": at}
        project.db.execute("DELETE FROM codings WHERE comment_id = ? AND theme_id = ?",
                           [cid, tid])
        project.db["codings"].insert(new)
        tx.audit("coding", cid, base if current else None, new)
        return False
    if fieldname == KIND and KIND in fields:  # as engage.analysis.kinds.set_kind writes it
        old = project.db.execute("SELECT kind, kind_source FROM comments WHERE id = ?",
                                 [cid]).fetchone()
        project.db.execute("UPDATE comments SET kind = ?, kind_source = 'officer', "
                           "kind_confidence = 1.0 WHERE id = ?", [value, cid])
        tx.audit(KIND, cid, {"kind": old[0], "kind_source": old[1]} if old else None,
                 {"kind": value, "kind_source": "officer"})
        return True
    column = fields.get(fieldname)
    if column is None:
        return False
    old = project.db.execute(f"SELECT {column} FROM comment_analysis WHERE comment_id = ?",
                             [cid]).fetchone()
    project.db.execute(
        f"INSERT INTO comment_analysis (comment_id, {column}) VALUES (?, ?) "
        f"ON CONFLICT(comment_id) DO UPDATE SET {column} = excluded.{column}", [cid, value])
    tx.audit(fieldname, cid, {column: old[0] if old else None}, {column: value})
    return fieldname == "sentiment"


def undo(project: Project, record: Undo) -> Changes:
    """Put back the codings, officer fields and conflicts as they were before `record`."""
    with project.transaction(f"undo {record.description}") as tx:
        changes = workbench_store.restore_snapshot(project, record.snapshot,
                                                   action=f"undo {record.description}")
        for cid, (kind, source, confidence) in (record.kinds or {}).items():
            project.db.execute("UPDATE comments SET kind = ?, kind_source = ?, "
                               "kind_confidence = ? WHERE id = ?", [kind, source, confidence,
                                                                   cid])
            tx.audit(KIND, cid, None, {"kind": kind, "kind_source": source})
        for cid, (status, by, at) in record.conflicts.items():
            project.db.execute("UPDATE team_conflicts SET status = ?, resolved_by = ?, "
                               "resolved_at = ? WHERE id = ?", [status, by, at, cid])
        tx.audit("team_conflict", None, None, {"undone": len(record.conflicts)})
    return changes | Changes(codings=True, comments=bool(record.kinds))


def _conflict_rows(project: Project, ids: Sequence[int]) -> list[dict]:
    out = []
    for chunk in chunks(list(ids), 900):
        marks = ",".join("?" * len(chunk))
        out += [dict(r) for r in project._rows(
            f"SELECT * FROM team_conflicts WHERE id IN ({marks}) ORDER BY id", chunk)]
    return out
