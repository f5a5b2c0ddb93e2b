"""The data layer for analysis: taxonomy, model suggestions, officer decisions.

The officer's word always wins: a re-run of the model rewrites only codings with no decision
and never touches an officer's sentiment. Every officer action is audited with before/after
so the UI can undo it by writing the 'before' back.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from engage.changes import Changes
from engage.errors import EngageError, NotFoundError
from engage.project import Project, utc_now

OUTCOMES = ("coded", "uncertain", "no_theme")


# ----- taxonomy ------------------------------------------------------------------------------
def has_taxonomy(project: Project) -> bool:
    return project.db.execute("SELECT count(*) FROM themes").fetchone()[0] > 0


def install_taxonomy(project: Project, portfolios: Sequence[dict]) -> Changes:
    """Add portfolios and themes that are not there yet (matched by name).

    `portfolios`: [{"name", "description", "themes": [{"name", "description", "seed_terms",
    "examples"}]}]. Existing names are left as the officer edited them.
    """
    db = project.db
    with project.transaction("install taxonomy") as tx:
        for p_pos, portfolio in enumerate(portfolios, start=1):
            row = db.execute("SELECT id FROM portfolios WHERE name = ?",
                             [portfolio["name"]]).fetchone()
            if row:
                pid = row[0]
            else:
                pid = db["portfolios"].insert({"name": portfolio["name"],
                                               "description": portfolio.get("description", ""),
                                               "position": p_pos}).last_pk
                tx.audit("portfolio", pid, None, {"name": portfolio["name"]})
            for t_pos, theme in enumerate(portfolio.get("themes", []), start=1):
                if db.execute("SELECT 1 FROM themes WHERE name = ?", [theme["name"]]).fetchone():
                    continue
                tid = db["themes"].insert({
                    "portfolio_id": pid, "name": theme["name"],
                    "description": theme.get("description", ""),
                    "seed_terms": json.dumps(list(theme.get("seed_terms", []))),
                    "examples": json.dumps(list(theme.get("examples", []))),
                    "position": t_pos, "origin": theme.get("origin", "default"),
                    "created_at": utc_now()}).last_pk
                tx.audit("theme", tid, None, {"name": theme["name"], "portfolio": portfolio["name"]})
    return Changes(taxonomy=True)


def portfolios(project: Project) -> list[dict]:
    return [dict(r) for r in project._rows("SELECT * FROM portfolios ORDER BY position, id")]


def themes(project: Project) -> list[dict]:
    rows = project._rows(
        """SELECT t.*, p.name AS portfolio FROM themes t JOIN portfolios p ON p.id = t.portfolio_id
           ORDER BY p.position, p.id, t.position, t.id""")
    out = []
    for r in rows:
        d = dict(r)
        d["seed_terms"] = json.loads(d["seed_terms"] or "[]")
        d["examples"] = json.loads(d["examples"] or "[]")
        out.append(d)
    return out


def theme_id(project: Project, name: str) -> int:
    row = project.db.execute("SELECT id FROM themes WHERE name = ?", [name]).fetchone()
    if row is None:
        raise NotFoundError(f"no theme named {name!r}")
    return row[0]


def add_theme(project: Project, portfolio_id: int, name: str, description: str = "",
              seed_terms: Iterable[str] = (), origin: str = "officer") -> tuple[int, Changes]:
    name = name.strip()
    if not name:
        raise EngageError("a theme needs a name")
    require_free_theme_name(project, name)
    with project.transaction("add theme") as tx:
        tid = insert_theme(project, portfolio_id, name, description, seed_terms, origin)
        tx.audit("theme", tid, None, {"name": name, "portfolio_id": portfolio_id})
    return tid, Changes(taxonomy=True)


def require_free_theme_name(project: Project, name: str) -> None:
    if project.db.execute("SELECT 1 FROM themes WHERE name = ?", [name]).fetchone():
        raise EngageError(f"there is already a theme named {name!r}")


def insert_theme(project: Project, portfolio_id: int, name: str, description: str = "",
                 seed_terms: Iterable[str] = (), origin: str = "officer") -> int:
    """A new theme, last in its portfolio, inside the caller's transaction (which audits)."""
    position = project.db.execute(
        "SELECT coalesce(max(position), 0) + 1 FROM themes WHERE portfolio_id = ?",
        [portfolio_id]).fetchone()[0]
    return project.db["themes"].insert({
        "portfolio_id": portfolio_id, "name": name, "description": description,
        "seed_terms": json.dumps(list(seed_terms)), "examples": "[]",
        "position": position, "origin": origin, "created_at": utc_now()}).last_pk


def update_theme(project: Project, theme_id_: int, **fields) -> Changes:
    """Rename, re-describe or move a theme to another portfolio."""
    allowed = {"name", "description", "portfolio_id", "seed_terms"}
    unknown = set(fields) - allowed
    if unknown:
        raise EngageError(f"cannot change {', '.join(sorted(unknown))} of a theme")
    before = dict(project._rows("SELECT * FROM themes WHERE id = ?", [theme_id_])[0])
    if "seed_terms" in fields:
        fields["seed_terms"] = json.dumps(list(fields["seed_terms"]))
    with project.transaction("edit theme") as tx:
        project.db["themes"].update(theme_id_, fields)
        tx.audit("theme", theme_id_, {k: before[k] for k in fields}, fields)
    return Changes(taxonomy=True, codings=True)


def merge_themes(project: Project, source_id: int, target_id: int) -> Changes:
    """Move every coding of `source` onto `target`, then delete `source`."""
    db = project.db
    with project.transaction("merge themes") as tx:
        moved = db.execute(
            """INSERT OR IGNORE INTO codings (comment_id, theme_id, source, confidence, evidence,
                   decision, decided_by, decided_at)
               SELECT comment_id, ?, source, confidence, evidence, decision, decided_by, decided_at
               FROM codings WHERE theme_id = ?""", [target_id, source_id]).rowcount
        db.execute("DELETE FROM codings WHERE theme_id = ?", [source_id])
        db.execute("UPDATE topics SET promoted_theme_id = ? WHERE promoted_theme_id = ?",
                   [target_id, source_id])
        name = db.execute("SELECT name FROM themes WHERE id = ?", [source_id]).fetchone()
        target_name = db.execute("SELECT name FROM themes WHERE id = ?", [target_id]).fetchone()[0]
        for link in ("activity_themes", "action_themes"):  # co-production follows the merge
            owner = "activity_id" if link == "activity_themes" else "action_id"
            db.execute(f"UPDATE OR IGNORE {link} SET theme_id = ?, theme = ? WHERE theme_id = ?",
                       [target_id, target_name, source_id])
            db.execute(f"DELETE FROM {link} WHERE theme_id = ? AND {owner} IN "
                       f"(SELECT {owner} FROM {link} WHERE theme_id = ?)", [source_id, target_id])
        db.execute("DELETE FROM themes WHERE id = ?", [source_id])
        tx.audit("theme", source_id, {"name": name[0] if name else None},
                 {"merged_into": target_id, "codings_moved": moved})
    return Changes(taxonomy=True, codings=True)


# ----- writing model results -----------------------------------------------------------------
@dataclass
class CommentResult:
    """What the model concluded about one comment."""

    comment_id: int
    outcome: str
    sentiment: int | None
    sentiment_confidence: float | None
    review_priority: float
    suggestions: list[tuple[int, float, list[str]]]  # (theme id, probability, evidence terms)
    tokens: str | None = None
    near_dup_group: int | None = None
    topic_id: int | None = None


def start_run(project: Project, model_version: str, params: dict) -> int:
    with project.transaction("start analysis") as tx:
        run_id = project.db["analysis_runs"].insert({
            "started_at": utc_now(), "model_version": model_version,
            "params": json.dumps(params), "status": "running"}).last_pk
        tx.audit("analysis_run", run_id, None, {"model_version": model_version})
    return run_id


def replace_model_suggestions(project: Project, results: Sequence[CommentResult]) -> None:
    """Swap the model's undecided suggestions for these results' (inside the caller's
    transaction). A theme an officer decided on is never touched, so re-running any pass keeps
    every decision."""
    db = project.db
    ids = [r.comment_id for r in results]
    for chunk in chunks(ids, 900):
        marks = ",".join("?" * len(chunk))
        db.execute(f"DELETE FROM codings WHERE decision IS NULL AND comment_id IN ({marks})",
                   chunk)
    decided = _decided_pairs(project, ids)
    db["codings"].insert_all(
        ({"comment_id": r.comment_id, "theme_id": t, "source": "model", "confidence": p,
          "evidence": json.dumps(ev)}
         for r in results for t, p, ev in r.suggestions if (r.comment_id, t) not in decided),
        batch_size=5000)


def save_results(project: Project, run_id: int, results: Sequence[CommentResult],
                 metrics: dict | None = None, topics: Sequence[dict] = ()) -> Changes:
    """Store one run's results in one transaction, keeping every officer decision.

    `topics` are this run's discovered topics; a result's `topic_id` is an index into them.
    """
    db = project.db
    with project.transaction("save analysis") as tx:
        topic_ids = _insert_topics(project, run_id, topics)
        replace_model_suggestions(project, results)
        db.conn.executemany(
            """INSERT INTO comment_analysis (comment_id, tokens, outcome, sentiment,
                   sentiment_confidence, review_priority, near_dup_group, topic_id, run_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(comment_id) DO UPDATE SET
                   tokens = coalesce(excluded.tokens, comment_analysis.tokens),
                   outcome = excluded.outcome, sentiment = excluded.sentiment,
                   sentiment_confidence = excluded.sentiment_confidence,
                   review_priority = excluded.review_priority,
                   near_dup_group = excluded.near_dup_group, topic_id = excluded.topic_id,
                   run_id = excluded.run_id""",
            [(r.comment_id, r.tokens, r.outcome, r.sentiment, r.sentiment_confidence,
              r.review_priority, r.near_dup_group,
              topic_ids[r.topic_id] if r.topic_id is not None and topic_ids else None, run_id)
             for r in results])
        db["analysis_runs"].update(run_id, {"finished_at": utc_now(), "comments": len(results),
                                            "metrics": json.dumps(metrics or {}),
                                            "status": "done"})
        tx.audit("analysis_run", run_id, None, {"comments": len(results)})
    return Changes(codings=True, sentiment=True, topics=True)


def _insert_topics(project: Project, run_id: int, topics: Sequence[dict]) -> list[int]:
    out = []
    for topic in topics:
        row = {k: (json.dumps(v) if isinstance(v, (list, dict)) else v) for k, v in topic.items()}
        out.append(project.db["topics"].insert({**row, "run_id": run_id}).last_pk)
    return out


def latest_topics(project: Project) -> list[dict]:
    """Topics of the most recent run that found any, largest first."""
    rows = project._rows(
        """SELECT t.*, p.name AS suggested_portfolio FROM topics t
           LEFT JOIN portfolios p ON p.id = t.suggested_portfolio_id
           WHERE t.run_id = (SELECT max(run_id) FROM topics) ORDER BY t.size DESC""")
    out = []
    for r in rows:
        d = dict(r)
        for key in ("top_terms", "top_phrases", "representative_ids"):
            d[key] = json.loads(d[key] or "[]")
        out.append(d)
    return out


def stored_tokens(project: Project, comment_ids: Sequence[int]) -> dict[int, str]:
    """Tokens saved by an earlier run, so re-analysis does not re-tokenise."""
    out: dict[int, str] = {}
    for chunk in chunks(list(comment_ids), 900):
        marks = ",".join("?" * len(chunk))
        out.update(project.db.execute(
            f"SELECT comment_id, tokens FROM comment_analysis WHERE tokens IS NOT NULL "
            f"AND comment_id IN ({marks})", chunk).fetchall())
    return out


def _decided_pairs(project: Project, ids: Sequence[int]) -> set[tuple[int, int]]:
    pairs: set[tuple[int, int]] = set()
    for chunk in chunks(list(ids), 900):
        marks = ",".join("?" * len(chunk))
        pairs.update(project.db.execute(
            f"SELECT comment_id, theme_id FROM codings WHERE decision IS NOT NULL "
            f"AND comment_id IN ({marks})", chunk).fetchall())
    return pairs


def chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


# ----- officer decisions ---------------------------------------------------------------------
def coding_state(project: Project, comment_id: int, theme_id_: int) -> dict | None:
    rows = project._rows("SELECT * FROM codings WHERE comment_id = ? AND theme_id = ?",
                         [comment_id, theme_id_])
    return dict(rows[0]) if rows else None


def set_coding_decision(project: Project, comment_ids: Sequence[int], theme_id_: int,
                        decision: str | None, action: str = "code comment") -> Changes:
    """Officer assigns ('accepted'), removes ('rejected') or clears (None) a theme.

    Works on a selection (bulk). 'accepted' on a comment with no suggestion adds an officer
    coding. The audit rows carry the previous state so the change can be undone exactly.
    """
    if decision not in ("accepted", "rejected", None):
        raise EngageError(f"unknown decision {decision!r}")
    now = utc_now()
    with project.transaction(action) as tx:
        for cid in comment_ids:
            before = coding_state(project, cid, theme_id_)
            restore_coding(project, cid, theme_id_, decision_after(before, cid, theme_id_,
                                                                     decision, project.user, now))
            tx.audit("coding", cid, before, coding_state(project, cid, theme_id_))
            project.db.execute(
                "INSERT INTO comment_analysis (comment_id, reviewed, reviewed_by, reviewed_at) "
                "VALUES (?, 1, ?, ?) ON CONFLICT(comment_id) DO UPDATE SET reviewed = 1, "
                "reviewed_by = excluded.reviewed_by, reviewed_at = excluded.reviewed_at",
                [cid, project.user, now])
    return Changes(codings=True)


def decision_after(before: dict | None, cid: int, tid: int, decision: str | None, user: str,
                   now: str) -> dict | None:
    """The coding row once `decision` is made on it (None: the row goes)."""
    if decision is None:
        if before is None or before["source"] == "officer":
            return None
        return {**before, "decision": None, "decided_by": None, "decided_at": None}
    base = before or {"comment_id": cid, "theme_id": tid, "source": "officer",
                      "confidence": None, "evidence": None}
    return {**base, "decision": decision, "decided_by": user, "decided_at": now}


def restore_coding(project: Project, comment_id: int, theme_id_: int, state: dict | None) -> None:
    """Write a coding row back exactly as given (None deletes it); the undo primitive."""
    project.db.execute("DELETE FROM codings WHERE comment_id = ? AND theme_id = ?",
                       [comment_id, theme_id_])
    if state is not None:
        project.db["codings"].insert(state)


def set_officer_sentiment(project: Project, comment_ids: Sequence[int],
                          sentiment: int | None) -> Changes:
    if sentiment is not None and sentiment not in (1, 2, 3, 4, 5):
        raise EngageError("sentiment must be 1 (very positive) to 5 (very negative)")
    with project.transaction("set sentiment") as tx:
        for cid in comment_ids:
            row = project.db.execute(
                "SELECT sentiment_officer FROM comment_analysis WHERE comment_id = ?",
                [cid]).fetchone()
            project.db.execute(
                "INSERT INTO comment_analysis (comment_id, sentiment_officer) VALUES (?, ?) "
                "ON CONFLICT(comment_id) DO UPDATE SET sentiment_officer = excluded.sentiment_officer",
                [cid, sentiment])
            tx.audit("sentiment", cid, {"sentiment_officer": row[0] if row else None},
                     {"sentiment_officer": sentiment})
    return Changes(sentiment=True)


def set_key_quote(project: Project, comment_ids: Sequence[int], is_key: bool) -> Changes:
    with project.transaction("mark key quote") as tx:
        for cid in comment_ids:
            row = project.db.execute("SELECT key_quote FROM comment_analysis WHERE comment_id = ?",
                                     [cid]).fetchone()
            project.db.execute(
                "INSERT INTO comment_analysis (comment_id, key_quote) VALUES (?, ?) "
                "ON CONFLICT(comment_id) DO UPDATE SET key_quote = excluded.key_quote",
                [cid, int(is_key)])
            tx.audit("key_quote", cid, {"key_quote": row[0] if row else 0},
                     {"key_quote": int(is_key)})
    return Changes(codings=True)


# ----- reading ---------------------------------------------------------------------------------
def comment_codings(project: Project, comment_id: int) -> list[dict]:
    """Themes on one comment: model suggestions and officer decisions, with evidence terms."""
    rows = project._rows(
        """SELECT c.*, t.name AS theme, p.name AS portfolio FROM codings c
           JOIN themes t ON t.id = c.theme_id JOIN portfolios p ON p.id = t.portfolio_id
           WHERE c.comment_id = ? ORDER BY coalesce(c.confidence, 1) DESC""", [comment_id])
    out = []
    for r in rows:
        d = dict(r)
        d["evidence"] = json.loads(d["evidence"]) if d["evidence"] else []
        out.append(d)
    return out


def comment_analysis(project: Project, comment_id: int) -> dict | None:
    rows = project._rows("SELECT * FROM comment_analysis WHERE comment_id = ?", [comment_id])
    return dict(rows[0]) if rows else None


# A coding counts as 'on' when the officer accepted it, or the model suggested it with no
# decision and the comment's outcome is 'coded' (confident). Reports and views share this.
ACTIVE_CODING = """(c.decision = 'accepted' OR (c.decision IS NULL AND c.source = 'model'
                    AND a.outcome = 'coded'))"""
EFFECTIVE_SENTIMENT = "coalesce(a.sentiment_officer, a.sentiment)"


def theme_counts(project: Project, consultation_id: int | None = None) -> list[dict]:
    """Per theme: comments, respondents, and sentiment counts (1..5) on active codings."""
    where = "AND m.consultation_id = ?" if consultation_id is not None else ""
    params = [consultation_id] if consultation_id is not None else []
    sql = f"""
        SELECT t.id AS theme_id, t.name AS theme, p.id AS portfolio_id, p.name AS portfolio,
               count(DISTINCT m.id) AS comments, count(DISTINCT m.respondent_id) AS respondents,
               sum({EFFECTIVE_SENTIMENT} = 1) AS s1, sum({EFFECTIVE_SENTIMENT} = 2) AS s2,
               sum({EFFECTIVE_SENTIMENT} = 3) AS s3, sum({EFFECTIVE_SENTIMENT} = 4) AS s4,
               sum({EFFECTIVE_SENTIMENT} = 5) AS s5
        FROM themes t JOIN portfolios p ON p.id = t.portfolio_id
        LEFT JOIN codings c ON c.theme_id = t.id
        LEFT JOIN comment_analysis a ON a.comment_id = c.comment_id
        LEFT JOIN comments m ON m.id = c.comment_id AND {ACTIVE_CODING} {where}
        GROUP BY t.id ORDER BY p.position, p.id, t.position, t.id"""
    return [dict(r) for r in project._rows(sql, params)]


def outcome_counts(project: Project, consultation_id: int | None = None) -> dict[str, int]:
    where = "WHERE m.consultation_id = ?" if consultation_id is not None else ""
    params = [consultation_id] if consultation_id is not None else []
    rows = project.db.execute(
        f"""SELECT coalesce(a.outcome, 'not analysed'), count(*) FROM comments m
            LEFT JOIN comment_analysis a ON a.comment_id = m.id {where} GROUP BY 1""",
        params).fetchall()
    return dict(rows)


def review_queue(project: Project, consultation_id: int | None = None,
                 limit: int = 500) -> list[int]:
    """Uncertain comments not yet reviewed, most useful to the model first."""
    where = "AND m.consultation_id = ?" if consultation_id is not None else ""
    params = ([consultation_id] if consultation_id is not None else []) + [limit]
    rows = project.db.execute(
        f"""SELECT a.comment_id FROM comment_analysis a JOIN comments m ON m.id = a.comment_id
            WHERE a.outcome = 'uncertain' AND a.reviewed = 0 {where}
            ORDER BY a.review_priority DESC, a.comment_id LIMIT ?""", params).fetchall()
    return [r[0] for r in rows]


def officer_training_data(project: Project) -> list[tuple[int, str, list[int], int | None]]:
    """Comments whose themes an officer reviewed: (id, text, accepted theme ids, sentiment)."""
    rows = project.db.execute(
        """SELECT m.id, m.text,
                  (SELECT group_concat(theme_id) FROM codings c
                   WHERE c.comment_id = m.id AND c.decision = 'accepted'),
                  a.sentiment_officer
           FROM comment_analysis a JOIN comments m ON m.id = a.comment_id
           WHERE a.reviewed = 1 ORDER BY m.id""").fetchall()
    return [(cid, text, [int(t) for t in themes_.split(",")] if themes_ else [], s)
            for cid, text, themes_, s in rows]


def officer_sentiments(project: Project) -> list[tuple[str, int]]:
    """(text, sentiment) of every comment whose sentiment an officer set by hand."""
    return [(text, int(s)) for text, s in project.db.execute(
        """SELECT m.text, a.sentiment_officer
           FROM comment_analysis a JOIN comments m ON m.id = a.comment_id
           WHERE a.sentiment_officer IS NOT NULL ORDER BY m.id""")]


def comments_to_analyse(project: Project, consultation_id: int | None = None,
                        substantive_only: bool = True) -> list[tuple[int, str]]:
    clauses = []
    params: list = []
    if consultation_id is not None:
        clauses.append("consultation_id = ?")
        params.append(consultation_id)
    if substantive_only:
        clauses.append("substantive = 1")
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    return project.db.execute(f"SELECT id, text FROM comments {where} ORDER BY id",
                              params).fetchall()
