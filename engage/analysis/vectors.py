"""The data layer of the accurate pass: stored encoder vectors and which model coded what.

Vectors are float16 bytes, one row per comment, tagged with the encoder that made them: a
comment is encoded once, an interrupted pass resumes from what was saved (each chunk is its own
transaction), and a new encoder makes the old vectors stale rather than wrong.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

import numpy as np

from engage.analysis.store import CommentResult, chunks, replace_model_suggestions
from engage.changes import Changes
from engage.project import Project, utc_now

DTYPE = np.float16


def encoded_ids(project: Project, comment_ids: Sequence[int], encoder: str) -> set[int]:
    """Those of ``comment_ids`` that already have a vector from ``encoder``."""
    found: set[int] = set()
    for chunk in chunks(list(comment_ids), 900):
        marks = ",".join("?" * len(chunk))
        found.update(r[0] for r in project.db.execute(
            f"SELECT comment_id FROM comment_vectors WHERE encoder = ? "
            f"AND comment_id IN ({marks})", [encoder, *chunk]))
    return found


def save_vectors(project: Project, comment_ids: Sequence[int], vectors: np.ndarray,
                 encoder: str) -> None:
    """Store (or replace) the vectors of these comments, in one transaction."""
    data = np.asarray(vectors, dtype=DTYPE)
    with project.transaction("store sentence vectors"):
        project.db.conn.executemany(
            "INSERT INTO comment_vectors (comment_id, encoder, vector) VALUES (?, ?, ?) "
            "ON CONFLICT(comment_id) DO UPDATE SET encoder = excluded.encoder, "
            "vector = excluded.vector",
            [(int(cid), encoder, data[i].tobytes()) for i, cid in enumerate(comment_ids)])


def load_vectors(project: Project, comment_ids: Sequence[int], dimension: int,
                 encoder: str) -> tuple[np.ndarray, np.ndarray]:
    """(vectors, found): float16 (n, dimension) in ``comment_ids`` order; ``found`` marks the
    rows that had a vector from ``encoder`` (the others are zeros)."""
    position = {int(cid): i for i, cid in enumerate(comment_ids)}
    out = np.zeros((len(comment_ids), dimension), dtype=DTYPE)
    found = np.zeros(len(comment_ids), dtype=bool)
    width = dimension * np.dtype(DTYPE).itemsize
    for chunk in chunks(list(comment_ids), 900):
        marks = ",".join("?" * len(chunk))
        for cid, blob in project.db.execute(
                f"SELECT comment_id, vector FROM comment_vectors WHERE encoder = ? "
                f"AND comment_id IN ({marks})", [encoder, *chunk]):
            if len(blob) != width:
                continue
            i = position[cid]
            out[i] = np.frombuffer(blob, dtype=DTYPE)
            found[i] = True
    return out, found


def vector_count(project: Project, encoder: str | None = None) -> int:
    if encoder is None:
        return int(project.db.execute("SELECT count(*) FROM comment_vectors").fetchone()[0])
    return int(project.db.execute("SELECT count(*) FROM comment_vectors WHERE encoder = ?",
                                  [encoder]).fetchone()[0])


def coded_by_counts(project: Project) -> dict[str, int]:
    """How many analysed comments each model coded: {'fast': n, 'accurate': m}."""
    return {str(k or "fast"): int(n) for k, n in project.db.execute(
        "SELECT coded_by, count(*) FROM comment_analysis GROUP BY coded_by")}


def unrefined_count(project: Project, consultation_id: int | None = None) -> int:
    """Analysed comments the accurate model has not coded yet (a pass to resume)."""
    sql = ("SELECT count(*) FROM comment_analysis a JOIN comments c ON c.id = a.comment_id "
           "WHERE coalesce(a.coded_by, 'fast') != 'accurate'")
    params: list = []
    if consultation_id is not None:
        sql += " AND c.consultation_id = ?"
        params.append(consultation_id)
    return int(project.db.execute(sql, params).fetchone()[0])


def analysed_ids(project: Project, comment_ids: Sequence[int]) -> set[int]:
    found: set[int] = set()
    for chunk in chunks(list(comment_ids), 900):
        marks = ",".join("?" * len(chunk))
        found.update(r[0] for r in project.db.execute(
            f"SELECT comment_id FROM comment_analysis WHERE comment_id IN ({marks})", chunk))
    return found


def save_refined(project: Project, run_id: int,
                 batches: Iterable[Sequence[CommentResult]],
                 metrics: dict | None = None) -> Changes:
    """The accurate pass's themes and sentiment, in place of the fast pass's, in one
    transaction. Officer decisions are kept; near-duplicates and topics are the fast run's.
    Results arrive in batches, so a million of them are never held at once."""
    db = project.db
    saved = 0
    with project.transaction("save accurate analysis") as tx:
        for results in batches:
            replace_model_suggestions(project, results)
            db.conn.executemany(
                """UPDATE comment_analysis SET outcome = ?, sentiment = ?,
                       sentiment_confidence = ?, review_priority = ?, run_id = ?,
                       coded_by = 'accurate'
                   WHERE comment_id = ?""",
                [(r.outcome, r.sentiment, r.sentiment_confidence, r.review_priority, run_id,
                  r.comment_id) for r in results])
            saved += len(results)
        db["analysis_runs"].update(run_id, {"finished_at": utc_now(), "comments": saved,
                                            "metrics": json.dumps(metrics or {}),
                                            "status": "done"})
        tx.audit("analysis_run", run_id, None, {"comments": saved, "pass": "accurate"})
    return Changes(codings=True, sentiment=True)


def mark_coded_by(project: Project, comment_ids: Sequence[int], model: str) -> None:
    """Record which model's results the comments now carry (inside the caller's transaction)."""
    project.db.conn.executemany("UPDATE comment_analysis SET coded_by = ? WHERE comment_id = ?",
                                [(model, int(cid)) for cid in comment_ids])


def coded_by_label(project: Project, comment_id: int) -> str | None:
    """'accurate model' / 'fast model' for an analysed comment, None for one not analysed."""
    row = project.db.execute("SELECT coded_by FROM comment_analysis WHERE comment_id = ?",
                             [comment_id]).fetchone()
    if row is None:
        return None
    return "accurate model" if row[0] == "accurate" else "fast model"
