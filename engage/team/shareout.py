"""File → Share Out for Coding…: split a consultation's comments into one work file per
colleague.

Each work file is a normal Engage project (a colleague opens it in Engage on their own laptop,
offline) holding the codebook, the comments it needs with their respondents, places and the
model's suggestions, all under the same ids as in the lead project, so decisions come back
onto the same rows. Its ``team.work_file`` setting ties it to the lead project, the
consultation and the codebook version (see `engage.team.workfile`).

Splits: by question (whole questions to each officer, balanced by size), by place (whole
localities), a random even share, or only an overlap sample; any split can add an overlap
sample that every officer codes, which is what officer-vs-officer agreement is measured on.
"""

from __future__ import annotations

import random
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from engage.analysis.store import chunks
from engage.errors import EngageError
from engage.progress import CancelFn, ProgressFn, Reporter
from engage.project import Project, utc_now
from engage.team.workfile import (
    WORK_FILE_KEY,
    WorkFileMeta,
    codebook,
    codebook_version,
    project_uid,
)

SPLITS = ("question", "place", "random", "overlap")
SPLIT_LABELS = {"question": "By question", "place": "By place", "random": "Random share",
                "overlap": "Overlap sample only (everyone codes the same comments)"}


@dataclass
class Share:
    officer: str
    comment_ids: list[int]
    overlap_ids: list[int]


def plan_shares(project: Project, consultation_id: int, officers: Sequence[str], split: str,
                overlap: int = 0, seed: int = 1, substantive_only: bool = True) -> list[Share]:
    """Which comments each officer gets. Deterministic for a given seed."""
    officers = [o.strip() for o in officers if o.strip()]
    if not officers:
        raise EngageError("name at least one officer to share the work out to")
    if len(set(officers)) != len(officers):
        raise EngageError("each officer can be named only once")
    if split not in SPLITS:
        raise EngageError(f"unknown split {split!r}; use one of {', '.join(SPLITS)}")
    project.consultation(consultation_id)
    rows = project.db.execute(
        f"""SELECT m.id, m.question_id, coalesce(r.place_id, 0) FROM comments m
            JOIN respondents r ON r.id = m.respondent_id WHERE m.consultation_id = ?
            {'AND m.substantive = 1' if substantive_only else ''} ORDER BY m.id""",
        [consultation_id]).fetchall()
    if not rows:
        raise EngageError("this consultation has no comments to share out")
    rng = random.Random(seed)
    ids = [r[0] for r in rows]
    if split == "overlap":
        overlap = overlap or len(ids)
    sample = sorted(rng.sample(ids, min(max(overlap, 0), len(ids))))
    if split == "overlap":
        return [Share(o, list(sample), list(sample)) for o in officers]
    in_sample = set(sample)
    rest = [r for r in rows if r[0] not in in_sample]
    parts: list[list[int]] = [[] for _ in officers]
    if split == "random":
        pool = [r[0] for r in rest]
        rng.shuffle(pool)
        for i, cid in enumerate(pool):
            parts[i % len(officers)].append(cid)
    else:
        key = 1 if split == "question" else 2
        groups: dict[int, list[int]] = {}
        for r in rest:
            groups.setdefault(r[key], []).append(r[0])
        for group in sorted(groups.values(), key=len, reverse=True):  # largest first
            min(parts, key=len).extend(group)
    return [Share(o, sorted(part + sample), list(sample)) for o, part in zip(officers, parts,
                                                                              strict=True)]


def safe_file_part(text: str, limit: int = 40) -> str:
    """A name that is a valid file name everywhere (no / \\ : ? * etc.), not too long."""
    cleaned = re.sub(r'[<>:"/\\|?*\x00-\x1f]+', " ", text).strip().strip(".")
    cleaned = re.sub(r"\s+", " ", cleaned)[:limit].strip()
    return cleaned or "officer"


def share_out(project: Project, consultation_id: int, folder: str | Path,
              shares: Sequence[Share], split: str, progress: ProgressFn | None = None,
              cancelled: CancelFn | None = None) -> list[Path]:
    """Write one work file per share into `folder`; record each in the lead project.

    A file is written whole or not at all (it is built under a temporary name and renamed),
    and if anything fails the files already written are removed again.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise EngageError(f"{folder}: no such folder")
    report = Reporter(progress, cancelled)
    uid = project_uid(project, create=True)
    consultation = project.consultation(consultation_id)
    themes = codebook(project.db.conn)
    version = codebook_version(themes)
    stem = safe_file_part(consultation["name"], 30)
    written: list[Path] = []
    records = []
    try:
        for n, share in enumerate(shares):
            report(n / len(shares), f"Writing {share.officer}'s work file")
            target = _free_name(folder / f"{stem} - {safe_file_part(share.officer)}.engage")
            meta = WorkFileMeta(
                work_id=str(uuid.uuid4()), project_uid=uid, project_name=project.path.name,
                consultation_id=consultation_id, consultation_name=consultation["name"],
                codebook_version=version, codebook=themes, officer=share.officer,
                shared_by=project.user, shared_at=utc_now(), split=split,
                comments=len(share.comment_ids), overlap_ids=share.overlap_ids)
            _write_work_file(project, target, meta, share.comment_ids, report)
            written.append(target)
            records.append((meta, target))
        with project.transaction("share out for coding") as tx:
            for meta, target in records:
                row = {"work_id": meta.work_id, "officer": meta.officer,
                       "consultation_id": consultation_id, "codebook_version": version,
                       "split": split, "comments": meta.comments,
                       "overlap_comments": len(meta.overlap_ids), "file_name": target.name,
                       "created_at": meta.shared_at, "created_by": project.user}
                project.db["team_shares"].insert(row)
                tx.audit("team_share", None, None, row)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    report(1.0, f"Shared out {len(written)} work files", force=True)
    return written


def _free_name(path: Path) -> Path:
    candidate, n = path, 2
    while candidate.exists():
        candidate = path.with_name(f"{path.stem} ({n}){path.suffix}")
        n += 1
    return candidate


_COPY_ORDER = ("places", "place_aliases", "postcode_districts", "portfolios", "themes")


def _write_work_file(project: Project, target: Path, meta: WorkFileMeta,
                     comment_ids: list[int], report: Reporter) -> None:
    partial = target.with_name(target.name + ".partial")
    work = Project.create(partial, overwrite=True, user=project.user)
    try:
        src = project.db.conn
        dst = work.db
        with work.transaction("share out for coding") as tx:
            dst.execute("PRAGMA defer_foreign_keys = ON")
            for table in ("postcode_districts", "place_aliases", "places"):
                dst.execute(f"DELETE FROM {table}")
            for table in _COPY_ORDER:
                _copy_rows(src, dst, table, f"SELECT * FROM {table}", [])
            _copy_rows(src, dst, "consultations", "SELECT * FROM consultations WHERE id = ?",
                       [meta.consultation_id])
            report.check()
            for chunk in chunks(comment_ids, 900):
                marks = ",".join("?" * len(chunk))
                _copy_comments(src, dst, chunk, marks)
            tx.audit("team_work_file", None, None,
                     {"officer": meta.officer, "comments": meta.comments,
                      "from": project.path.name})
        meta.baseline_audit_id = dst.execute("SELECT coalesce(max(id), 0) FROM audit"
                                             ).fetchone()[0]
        with work.db.atomic():
            work.db["settings"].upsert({"key": WORK_FILE_KEY, "value": meta.to_json()},
                                       pk="key")
        work.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        work.close()
    partial.replace(target)


def _copy_comments(src, dst, chunk: list[int], marks: str) -> None:
    _copy_rows(src, dst, "questions",
               f"SELECT * FROM questions WHERE id IN (SELECT DISTINCT question_id FROM comments "
               f"WHERE id IN ({marks}))", chunk, ignore=True)
    _copy_rows(src, dst, "imports",
               f"SELECT * FROM imports WHERE id IN (SELECT DISTINCT import_id FROM comments "
               f"WHERE id IN ({marks}))", chunk, ignore=True)
    _copy_rows(src, dst, "respondents",
               f"SELECT * FROM respondents WHERE id IN (SELECT DISTINCT respondent_id FROM "
               f"comments WHERE id IN ({marks}))", chunk, ignore=True)
    _copy_rows(src, dst, "comments",
               f"SELECT *, NULL AS duplicate_of FROM comments WHERE id IN ({marks})", chunk)
    _copy_rows(src, dst, "codings", f"SELECT * FROM codings WHERE comment_id IN ({marks})",
               chunk)
    _copy_rows(src, dst, "comment_analysis",
               f"SELECT *, NULL AS topic_id, NULL AS run_id FROM comment_analysis "
               f"WHERE comment_id IN ({marks})", chunk)


def _copy_rows(src, dst, table: str, sql: str, params: list, ignore: bool = False) -> None:
    cursor = src.execute(sql, params)
    names = [d[0] for d in cursor.description]
    # "SELECT *, NULL AS x" names x twice; the later (overriding) value wins.
    columns = list(dict.fromkeys(names))
    wanted = set(dst[table].columns_dict)
    columns = [c for c in columns if c in wanted]
    position = {name: i for i, name in enumerate(names)}  # last position of each name
    rows = [[row[position[c]] for c in columns] for row in cursor]
    if not rows:
        return
    verb = "INSERT OR IGNORE" if ignore else "INSERT"
    dst.conn.executemany(
        f"{verb} INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
        rows)
