"""Kinds of comment in the project: storing them, officers' corrections, and the queries behind
"what people asked for / praised / complained about" per theme and per place.

A comment's kind lives on the comment (``comments.kind``, ``kind_source`` 'model' or 'officer',
``kind_confidence``). A re-run of the analysis rewrites model kinds only; an officer's kind is
kept and taught back to the model (``engage.nlp.kind.predict_kinds``).

``CHART_SENTIMENT`` is the SQL twin of ``engage.nlp.sentiment.chart_level``: the 1–5 value
sentiment charts count, with a suggestion moved to 3 (neutral) unless an officer set its
sentiment. Roll-ups use it; a comment's own sentiment stays ``store.EFFECTIVE_SENTIMENT``.
"""

from __future__ import annotations

from collections.abc import Sequence

from engage.analysis.store import ACTIVE_CODING
from engage.changes import Changes
from engage.errors import EngageError
from engage.nlp.kind import KINDS, check_kind
from engage.nlp.sentiment import NEUTRAL_KINDS
from engage.progress import CancelFn, ProgressFn, Reporter
from engage.project import Project

#: Kinds a board reads side by side: what people asked for, praised and complained about.
HEADLINE_KINDS = ("suggestion", "praise", "complaint")
HEADLINE_WORDS = {"suggestion": "asked for", "praise": "praised", "complaint": "complained about"}
OFFICER = "officer"
MODEL = "model"


def chart_sentiment_sql(analysis: str = "a") -> str:
    """SQL: the sentiment value charts count for the comment_analysis row ``analysis``."""
    kinds = ", ".join(f"'{k}'" for k in sorted(NEUTRAL_KINDS))
    return (f"(CASE WHEN {analysis}.sentiment_officer IS NULL AND {analysis}.sentiment IS NOT NULL "
            f"AND (SELECT kd.kind FROM comments kd WHERE kd.id = {analysis}.comment_id) "
            f"IN ({kinds}) THEN 3 ELSE coalesce({analysis}.sentiment_officer, "
            f"{analysis}.sentiment) END)")


CHART_SENTIMENT = chart_sentiment_sql("a")


class KindSetError(EngageError):
    """A kind cannot be set (unknown comment or kind)."""


# ----- writes --------------------------------------------------------------------------------
def set_kind(project: Project, comment_ids: Sequence[int], kind: str | None) -> Changes:
    """The officer sets (or, with None, clears) the kind of comments; audited, kept on re-runs.

    Clearing hands the comment back to the model: its kind is filled in by the next analysis.
    """
    kind = check_kind(kind)
    ids = list(dict.fromkeys(int(i) for i in comment_ids))
    if not ids:
        return Changes()
    with project.transaction("set kind") as tx:
        for cid in ids:
            row = project.db.execute(
                "SELECT kind, kind_source FROM comments WHERE id = ?", [cid]).fetchone()
            if row is None:
                raise KindSetError(f"No comment with id {cid}")
            after_source = OFFICER if kind is not None else None
            if (row[0], row[1]) == (kind, after_source):
                continue
            project.db.execute(
                "UPDATE comments SET kind = ?, kind_source = ?, kind_confidence = ? WHERE id = ?",
                [kind, after_source, None if kind is None else 1.0, cid])
            tx.audit("kind", cid, {"kind": row[0], "kind_source": row[1]},
                     {"kind": kind, "kind_source": after_source})
    return Changes(comments=True, sentiment=True)


def save_model_kinds(project: Project, comment_ids: Sequence[int], kinds: Sequence[str],
                     confidences: Sequence[float]) -> Changes:
    """Store the model's kinds, leaving every officer-set kind as it is."""
    rows = [(check_kind(k), round(float(c), 4), int(cid))
            for cid, k, c in zip(comment_ids, kinds, confidences, strict=True)]
    with project.transaction("save kinds") as tx:
        project.db.conn.executemany(
            f"""UPDATE comments SET kind = ?, kind_source = '{MODEL}', kind_confidence = ?
                WHERE id = ? AND (kind_source IS NULL OR kind_source != '{OFFICER}')""", rows)
        tx.audit("kinds", None, None, {"comments": len(rows)})
    return Changes(comments=True, sentiment=True)


def officer_kinds(project: Project) -> list[tuple[str, str]]:
    """(text, kind) of every comment whose kind an officer set."""
    return [(t, k) for t, k in project.db.execute(
        f"SELECT text, kind FROM comments WHERE kind_source = '{OFFICER}' AND kind IS NOT NULL "
        "ORDER BY id")]


def analyse_kinds(project: Project, comment_ids: Sequence[int], texts: Sequence[str],
                  model=None, progress: ProgressFn | None = None,
                  cancelled: CancelFn | None = None) -> Changes:
    """Classify ``texts`` (the comments ``comment_ids``) and store their kinds.

    The analysis pipeline calls this once per run; the officers' own kinds teach the model
    (engage.nlp.kind.predict_kinds) and are never overwritten.
    """
    from engage.nlp.kind import KindError, predict_kinds

    report = Reporter(progress, cancelled)
    report(0.0, "Classifying kinds of comment")
    try:
        kinds, confidence = predict_kinds(texts, officer_kinds(project), model=model,
                                          cancelled=cancelled)
    except KindError:
        return Changes()  # no kind model shipped: comments keep no kind, nothing breaks
    changes = save_model_kinds(project, comment_ids, kinds, confidence)
    report(1.0, "Kinds ready")
    return changes


# ----- queries -------------------------------------------------------------------------------
def _counted(m: str = "m") -> str:
    """The counting rule's condition when it is available, else every substantive comment."""
    try:
        from engage.analysis.counting import counted_sql
    except ImportError:  # pragma: no cover - counting rule not installed
        return f"{m}.substantive = 1"
    return counted_sql(m)


def _kind_sums(m: str = "m") -> str:
    return ", ".join(f"coalesce(sum({m}.kind = '{k}'), 0) AS {k}" for k in KINDS)


def kind_counts(project: Project, consultation_id: int | None = None) -> dict[str, int]:
    """Counted comments of each kind (and 'unknown' for those with none yet)."""
    where, params = ("AND m.consultation_id = ?", [consultation_id]) \
        if consultation_id is not None else ("", [])
    rows = project.db.execute(
        f"""SELECT coalesce(m.kind, 'unknown'), count(*) FROM comments m
            WHERE {_counted('m')} {where} GROUP BY 1""", params).fetchall()
    out = {k: 0 for k in (*KINDS, "unknown")}
    out.update({k: int(n) for k, n in rows})
    return out


def kinds_by_theme(project: Project, consultation_id: int | None = None) -> list[dict]:
    """Per theme: counted comments coded with it, and how many of them are each kind.

    The columns a board reads as "what people asked for / praised / complained about" are
    ``suggestion``, ``praise`` and ``complaint``; every kind is returned.
    """
    where, params = ("AND m.consultation_id = ?", [consultation_id]) \
        if consultation_id is not None else ("", [])
    return [dict(r) for r in project._rows(f"""
        SELECT t.id AS theme_id, t.name AS theme, p.name AS portfolio,
               count(m.id) AS comments, {_kind_sums('m')}
        FROM themes t JOIN portfolios p ON p.id = t.portfolio_id
        LEFT JOIN (SELECT DISTINCT c.theme_id, m.id, m.kind
                   FROM codings c JOIN comment_analysis a ON a.comment_id = c.comment_id
                   JOIN comments m ON m.id = c.comment_id
                   WHERE {ACTIVE_CODING} AND {_counted('m')} {where}) m ON m.theme_id = t.id
        GROUP BY t.id ORDER BY p.position, p.id, t.position, t.id""", params)]


def kinds_by_place(project: Project, consultation_id: int | None = None) -> list[dict]:
    """Per place (`place_rows.place_groups`, the report's rule: a locality counts its PCNs and
    wards, which follow it as "of which" rows with ``within`` set; None: no recognised place):
    counted comments and how many are each kind. Every locality is listed, even one nobody is
    from."""
    from engage.analysis.place_rows import place_groups

    where, params = ("AND m.consultation_id = ?", [consultation_id]) \
        if consultation_id is not None else ("", [])
    per_place = {r["place_id"]: dict(r) for r in project._rows(f"""
        SELECT r.place_id, count(m.id) AS comments, {_kind_sums('m')}
        FROM comments m JOIN respondents r ON r.id = m.respondent_id
        WHERE {_counted('m')} {where} GROUP BY r.place_id""", params)}
    rows = []
    for group in place_groups(project, set(per_place)):
        row = {"place_id": group.place_id, "place": group.name, "place_kind": group.kind or None,
               "within": group.within, "comments": 0, **dict.fromkeys(KINDS, 0)}
        for member in group.members:
            for key in ("comments", *KINDS):
                row[key] += int(per_place.get(member, {}).get(key) or 0)
        rows.append(row)
    return rows


def comments_of_kind(project: Project, kind: str, theme_id: int | None = None,
                     place_id: int | None = None, consultation_id: int | None = None,
                     limit: int = 5) -> list[dict]:
    """Counted comments of one kind (optionally on one theme and/or from one place), the
    model's most confident first and officer-set kinds before those: examples to quote beside
    "what people asked for"."""
    kind = check_kind(kind)
    clauses, params = ["m.kind = ?", _counted("m")], [kind]
    if consultation_id is not None:
        clauses.append("m.consultation_id = ?")
        params.append(consultation_id)
    if place_id is not None:
        clauses.append("r.place_id = ?")
        params.append(place_id)
    if theme_id is not None:
        clauses.append(f"""m.id IN (SELECT c.comment_id FROM codings c
                           JOIN comment_analysis a ON a.comment_id = c.comment_id
                           WHERE c.theme_id = ? AND {ACTIVE_CODING})""")
        params.append(theme_id)
    params.append(limit)
    return [dict(r) for r in project._rows(f"""
        SELECT m.id AS comment_id, m.text, m.kind, m.kind_source, m.kind_confidence,
               r.place_id
        FROM comments m JOIN respondents r ON r.id = m.respondent_id
        WHERE {' AND '.join(clauses)}
        ORDER BY m.kind_source = '{OFFICER}' DESC, m.kind_confidence DESC, m.id
        LIMIT ?""", params)]


def headline(rows: Sequence[dict], top: int = 5) -> dict[str, list[tuple[str, int]]]:
    """From ``kinds_by_theme`` (or ``kinds_by_place``) rows: for each headline kind, the
    names with most comments of it — "what people asked for: Travel to services (12), …"."""
    name_key = "theme" if rows and "theme" in rows[0] else "place"
    out: dict[str, list[tuple[str, int]]] = {}
    for kind in HEADLINE_KINDS:
        ranked = sorted((r for r in rows if r.get(kind)), key=lambda r: (-r[kind], r[name_key]))
        out[kind] = [(r[name_key], int(r[kind])) for r in ranked[:top]]
    return out
