"""The data layer of the coding workbench: rows to show, snapshots for undo, theme editing.

Every write here is one transaction with audit rows and returns a Changes record; the snapshot
pair is how the UI undoes and redoes exactly. Taxonomy, model results and single officer
decisions live in `engage.analysis.store`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from engage.analysis.store import (
    ACTIVE_CODING,
    add_theme,
    chunks,
    coding_state,
    decision_after,
    insert_theme,
    require_free_theme_name,
    restore_coding,
)
from engage.changes import Changes
from engage.errors import EngageError, NotFoundError
from engage.project import Project, utc_now

OFFICER_FIELDS = ("sentiment_officer", "key_quote", "reviewed", "reviewed_by", "reviewed_at")
_MODEL_FIELDS = ("tokens", "outcome", "sentiment", "sentiment_confidence", "review_priority",
                 "near_dup_group", "topic_id", "run_id")


def workbench_rows(project: Project, comment_ids: Sequence[int]) -> dict[int, dict]:
    """What the coding list shows for each comment: analysis fields and codings.

    Each value: outcome, sentiment, sentiment_officer, key_quote, reviewed, topic_id, and
    `codings` — [{theme_id, theme, portfolio_id, source, confidence, evidence, decision,
    active}] strongest first, where `active` follows ACTIVE_CODING (what the counts count).
    `copies`: how many comments of its consultation have the same text (1: it is unique).
    `kind`, `kind_source`, `kind_confidence`: the comment's kind (engage.analysis.kinds), None
    while it has none. Comments never analysed get empty defaults. Three queries per call,
    whatever the page size.
    """
    out = {cid: {"outcome": None, "sentiment": None, "sentiment_officer": None,
                 "key_quote": 0, "reviewed": 0, "topic_id": None, "codings": [], "copies": 1,
                 "kind": None, "kind_source": None, "kind_confidence": None}
           for cid in comment_ids}
    for chunk in chunks(list(out), 900):
        marks = ",".join("?" * len(chunk))
        for cid, kind, kind_source, kind_confidence, copies in project.db.execute(
                f"""SELECT m.id, m.kind, m.kind_source, m.kind_confidence,
                           CASE WHEN m.dup_key IS NULL THEN 1 ELSE
                           (SELECT count(*) FROM comments e WHERE e.consultation_id =
                            m.consultation_id AND e.dup_key = m.dup_key) END
                    FROM comments m WHERE m.id IN ({marks})""", chunk):
            out[cid].update(copies=max(1, copies), kind=kind, kind_source=kind_source,
                            kind_confidence=kind_confidence)
        for r in project._rows(
                f"""SELECT comment_id, outcome, sentiment, sentiment_officer, key_quote,
                           reviewed, topic_id FROM comment_analysis
                    WHERE comment_id IN ({marks})""", chunk):
            fields_ = dict(r)
            out[fields_.pop("comment_id")].update(fields_)
        for r in project._rows(
                f"""SELECT c.comment_id, c.theme_id, t.name AS theme, t.portfolio_id,
                           c.source, c.confidence, c.evidence, c.decision, c.decided_by,
                           {ACTIVE_CODING} AS active
                    FROM codings c JOIN themes t ON t.id = c.theme_id
                    LEFT JOIN comment_analysis a ON a.comment_id = c.comment_id
                    WHERE c.comment_id IN ({marks})
                    ORDER BY c.comment_id, c.decision = 'accepted' DESC,
                             coalesce(c.confidence, 1) DESC, t.position""", chunk):
            coding = dict(r)
            coding["evidence"] = json.loads(coding["evidence"]) if coding["evidence"] else []
            coding["active"] = bool(coding["active"])
            out[coding.pop("comment_id")]["codings"].append(coding)
    return out


# ----- identical texts ---------------------------------------------------------------------
# Comments with the same normalised text in one consultation (the importer's `dup_key`: case,
# punctuation and spacing aside) are one text to an officer: coded together, listed once in
# the review queue. Placeholder answers ("n/a") have no key and always stand alone.

def identical_groups(project: Project, comment_ids: Sequence[int]) -> dict[int, list[int]]:
    """Each comment's identical copies in its consultation, itself included, in id order."""
    out = {cid: [cid] for cid in comment_ids}
    for chunk in chunks(list(out), 900):
        marks = ",".join("?" * len(chunk))
        found: dict[int, list[int]] = {}
        for cid, copy in project.db.execute(
                f"""SELECT m.id, e.id FROM comments m JOIN comments e
                      ON e.consultation_id = m.consultation_id AND e.dup_key = m.dup_key
                    WHERE m.id IN ({marks}) AND m.dup_key IS NOT NULL ORDER BY m.id, e.id""",
                chunk):
            found.setdefault(cid, []).append(copy)
        out.update(found)
    return out


def with_identical(project: Project, comment_ids: Sequence[int]) -> list[int]:
    """The comments and all their identical copies, each once (the given ones first)."""
    groups = identical_groups(project, comment_ids)
    return list(dict.fromkeys([*comment_ids, *(c for cid in comment_ids for c in groups[cid])]))


def decide_theme(project: Project, comment_ids: Sequence[int], theme_id_: int,
                 decision: str | None, *, copies: bool = True,
                 action: str = "code comment") -> tuple[list[int], Changes]:
    """Accept, remove or undecide a theme on comments — and, unless told not to, on every
    identical copy of them — in one transaction with an audit row per comment changed.

    'accepted' accepts the theme (adding it where it was not suggested); 'rejected' rejects a
    model suggestion (so a re-run does not bring it back) and removes an officer's own coding;
    None lets the model's suggestion stand again. Comments already in the asked-for state
    are left alone. Every comment changed counts as reviewed. Returns the ids changed.
    """
    if decision not in ("accepted", "rejected", None):
        raise EngageError(f"unknown decision {decision!r}")
    targets = (with_identical(project, comment_ids) if copies
               else list(dict.fromkeys(comment_ids)))
    now, user = utc_now(), project.user
    changed: list[int] = []
    with project.transaction(action) as tx:
        for cid in targets:
            before = coding_state(project, cid, theme_id_)
            if decision == "accepted":
                if before is not None and before["decision"] == "accepted":
                    continue
                after = decision_after(before, cid, theme_id_, "accepted", user, now)
            elif decision == "rejected":
                if before is None or before["decision"] == "rejected":
                    continue
                after = (None if before["source"] == "officer" else
                         decision_after(before, cid, theme_id_, "rejected", user, now))
            else:
                if before is None or before["decision"] is None:
                    continue
                after = decision_after(before, cid, theme_id_, None, user, now)
            restore_coding(project, cid, theme_id_, after)
            tx.audit("coding", cid, before, after)
            _mark_reviewed(project, cid, user, now)
            changed.append(cid)
    return changed, Changes(codings=bool(changed))


_WAITING = "a.outcome = 'uncertain' AND a.reviewed = 0"


def review_queue_entries(project: Project, consultation_id: int | None = None,
                         limit: int = 500) -> list[int]:
    """The review queue, one entry per distinct text: uncertain comments no officer has
    reviewed, each text shown by its copy most useful to the model, most useful first."""
    where = "AND m.consultation_id = ?" if consultation_id is not None else ""
    params = ([consultation_id] if consultation_id is not None else []) + [limit]
    rows = project.db.execute(
        f"""WITH waiting AS (
                SELECT a.comment_id AS id, a.review_priority AS priority,
                       row_number() OVER (PARTITION BY m.consultation_id,
                                          coalesce(m.dup_key, 'comment ' || m.id)
                                          ORDER BY a.review_priority DESC, a.comment_id) AS rank
                FROM comment_analysis a JOIN comments m ON m.id = a.comment_id
                WHERE {_WAITING} {where})
            SELECT id FROM waiting WHERE rank = 1 ORDER BY priority DESC, id LIMIT ?""",
        params).fetchall()
    return [r[0] for r in rows]


def review_queue_count(project: Project, consultation_id: int | None = None) -> int:
    """How many distinct texts still wait for an officer: the review queue's full length,
    the figure the overview's "for review" shows too."""
    where = "AND m.consultation_id = ?" if consultation_id is not None else ""
    params = [consultation_id] if consultation_id is not None else []
    return project.db.execute(
        f"""SELECT count(*) FROM (SELECT DISTINCT m.consultation_id,
                                         coalesce(m.dup_key, 'comment ' || m.id)
                                  FROM comment_analysis a JOIN comments m ON m.id = a.comment_id
                                  WHERE {_WAITING} {where})""", params).fetchone()[0]


def reviewed_count(project: Project, consultation_id: int | None = None) -> int:
    return _analysis_count(project, "a.reviewed = 1", consultation_id)


def _analysis_count(project: Project, condition: str, consultation_id: int | None) -> int:
    if consultation_id is None:  # no join: the workbench asks after every action
        return project.db.execute(
            f"SELECT count(*) FROM comment_analysis a WHERE {condition}").fetchone()[0]
    # Filter comment_analysis first (its index), then look up each match's consultation: a
    # join driven from comments reads every comment of the consultation (10x slower).
    return project.db.execute(
        f"""SELECT count(*) FROM comment_analysis a WHERE {condition} AND
            (SELECT m.consultation_id FROM comments m WHERE m.id = a.comment_id) = ?""",
        [consultation_id]).fetchone()[0]


def theme_sizes(project: Project) -> dict[int, int]:
    """Comments per theme under the active-coding rule, cheaply (no sentiment, no people)."""
    rows = project.db.execute(
        f"""SELECT c.theme_id, count(*) FROM codings c
            LEFT JOIN comment_analysis a ON a.comment_id = c.comment_id
            WHERE {ACTIVE_CODING} GROUP BY c.theme_id""").fetchall()
    return dict(rows)


def topic(project: Project, topic_id: int) -> dict:
    rows = project._rows("SELECT * FROM topics WHERE id = ?", [topic_id])
    if not rows:
        raise NotFoundError(f"no topic {topic_id}")
    d = dict(rows[0])
    for key in ("top_terms", "top_phrases", "representative_ids"):
        d[key] = json.loads(d[key] or "[]")
    return d


@dataclass(frozen=True)
class Snapshot:
    """The state of some rows, to be written back by `restore_snapshot` (undo and redo).

    None means "the row did not exist". Keys: themes by id; codings by (comment, theme);
    officer fields of comment_analysis by comment; promoted_theme_id of topics by topic.
    """

    themes: dict
    codings: dict
    analysis: dict
    topics: dict

    def aligned(self, other: Snapshot) -> Snapshot:
        """This snapshot, also saying "absent" for rows only `other` knows about.

        Take one snapshot before an action and one after (when new ids are known); aligning
        each with the other gives two snapshots over the same rows.
        """
        def fill(mine: dict, theirs: dict) -> dict:
            return {**{key: None for key in theirs}, **mine}
        return Snapshot(fill(self.themes, other.themes), fill(self.codings, other.codings),
                        fill(self.analysis, other.analysis), fill(self.topics, other.topics))

    def is_empty(self) -> bool:
        return not (self.themes or self.codings or self.analysis or self.topics)


def take_snapshot(project: Project, *, pairs: Iterable[tuple[int, int]] = (),
                  comments: Sequence[int] = (), themes_of_comments: Sequence[int] = (),
                  theme_codings: Sequence[int] = (), theme_ids: Sequence[int] = (),
                  topic_ids: Sequence[int] = ()) -> Snapshot:
    """Read the rows an action may change, before (or after) it runs.

    pairs: codings by (comment, theme). comments: their officer fields (sentiment, key quote,
    reviewed), plus their codings of `themes_of_comments`. theme_codings: every coding of
    these themes. theme_ids: the theme rows, and topics promoted to them. topic_ids: topics.
    """
    wanted = set(pairs) | {(c, t) for c in comments for t in themes_of_comments}
    codings: dict = dict.fromkeys(wanted)
    by_comment: dict[int, set[int]] = {}
    for cid, tid in wanted:
        by_comment.setdefault(cid, set()).add(tid)
    for chunk in chunks(sorted(by_comment), 900):
        marks = ",".join("?" * len(chunk))
        for r in project._rows(f"SELECT * FROM codings WHERE comment_id IN ({marks})", chunk):
            if r["theme_id"] in by_comment[r["comment_id"]]:
                codings[(r["comment_id"], r["theme_id"])] = dict(r)
    for tid in theme_codings:
        for r in project._rows("SELECT * FROM codings WHERE theme_id = ?", [tid]):
            codings[(r["comment_id"], r["theme_id"])] = dict(r)
    analysis: dict = dict.fromkeys(comments)
    for chunk in chunks(list(comments), 900):
        marks = ",".join("?" * len(chunk))
        for r in project._rows(
                f"SELECT comment_id, {', '.join(OFFICER_FIELDS)} FROM comment_analysis "
                f"WHERE comment_id IN ({marks})", chunk):
            analysis[r["comment_id"]] = {k: r[k] for k in OFFICER_FIELDS}
    themes_: dict = {}
    for tid in theme_ids:
        rows = project._rows("SELECT * FROM themes WHERE id = ?", [tid])
        themes_[tid] = dict(rows[0]) if rows else None
    topics_: dict = {}
    marks = ",".join("?" * len(theme_ids))
    if theme_ids:
        topics_.update(project.db.execute(
            f"SELECT id, promoted_theme_id FROM topics WHERE promoted_theme_id IN ({marks})",
            list(theme_ids)).fetchall())
    for topic_id in topic_ids:
        row = project.db.execute("SELECT promoted_theme_id FROM topics WHERE id = ?",
                                 [topic_id]).fetchone()
        if row is not None:
            topics_[topic_id] = row[0]
    return Snapshot(themes_, codings, analysis, topics_)


def restore_snapshot(project: Project, snapshot: Snapshot, action: str = "undo") -> Changes:
    """Write every row of `snapshot` back as it was, in one audited transaction.

    Rows already in the recorded state are left alone (and not audited). Themes that must
    exist are written first and themes that must not exist are removed last, so codings
    never point at a missing theme.
    """
    db = project.db
    current = take_snapshot(project, pairs=list(snapshot.codings),
                            comments=list(snapshot.analysis), theme_ids=list(snapshot.themes),
                            topic_ids=list(snapshot.topics))
    changed = {"taxonomy": False, "codings": False, "sentiment": False, "topics": False}
    with project.transaction(action) as tx:
        for tid, state in snapshot.themes.items():
            if state is not None and current.themes.get(tid) != state:
                db["themes"].upsert(state, pk="id")
                tx.audit("theme", tid, current.themes.get(tid), state)
                changed["taxonomy"] = True
        moved = [(key, state) for key, state in snapshot.codings.items()
                 if current.codings.get(key) != state]
        if moved:  # in bulk: undoing a bulk action touches hundreds of rows
            db.conn.executemany("DELETE FROM codings WHERE comment_id = ? AND theme_id = ?",
                                [key for key, _state in moved])
            db["codings"].insert_all([state for _key, state in moved if state is not None])
            for (cid, tid), state in moved:
                tx.audit("coding", cid, current.codings.get((cid, tid)), state)
            changed["codings"] = True
        for cid, state in snapshot.analysis.items():
            before = current.analysis.get(cid)
            if before != state:
                _restore_officer_fields(project, cid, state)
                tx.audit("comment_review", cid, before, state)
                changed["codings"] = True
                changed["sentiment"] |= ((before or {}).get("sentiment_officer")
                                         != (state or {}).get("sentiment_officer"))
        for topic_id, promoted in snapshot.topics.items():
            if current.topics.get(topic_id) != promoted:
                db["topics"].update(topic_id, {"promoted_theme_id": promoted})
                tx.audit("topic", topic_id, {"promoted_theme_id": current.topics.get(topic_id)},
                         {"promoted_theme_id": promoted})
                changed["topics"] = True
        for tid, state in snapshot.themes.items():
            if state is None and current.themes.get(tid) is not None:
                _delete_theme(project, tx, tid, current.themes[tid])
                changed["taxonomy"] = changed["codings"] = True
    return Changes(**changed)


def _restore_officer_fields(project: Project, comment_id: int, state: dict | None) -> None:
    """Officer fields back as recorded; None: as if never touched (row gone if it held only
    officer fields)."""
    if state is None:
        model_data = project.db.execute(
            f"SELECT {' OR '.join(f'{k} IS NOT NULL' for k in _MODEL_FIELDS)} "
            f"FROM comment_analysis WHERE comment_id = ?", [comment_id]).fetchone()
        if model_data is not None and not model_data[0]:
            project.db.execute("DELETE FROM comment_analysis WHERE comment_id = ?", [comment_id])
            return
        state = {"sentiment_officer": None, "key_quote": 0, "reviewed": 0,
                 "reviewed_by": None, "reviewed_at": None}
    columns = ", ".join(OFFICER_FIELDS)
    updates = ", ".join(f"{k} = excluded.{k}" for k in OFFICER_FIELDS)
    project.db.execute(
        f"INSERT INTO comment_analysis (comment_id, {columns}) VALUES (?, ?, ?, ?, ?, ?) "
        f"ON CONFLICT(comment_id) DO UPDATE SET {updates}",
        [comment_id, *(state.get(k) for k in OFFICER_FIELDS)])


def _delete_theme(project: Project, tx, theme_id_: int, before: dict) -> None:
    db = project.db
    left = db.execute("SELECT count(*) FROM codings WHERE theme_id = ?", [theme_id_]).fetchone()[0]
    db.execute("DELETE FROM codings WHERE theme_id = ?", [theme_id_])
    db.execute("UPDATE topics SET promoted_theme_id = NULL WHERE promoted_theme_id = ?",
               [theme_id_])
    db.execute("DELETE FROM themes WHERE id = ?", [theme_id_])
    tx.audit("theme", theme_id_, before, {"deleted": True, "codings_removed": left})


def split_theme(project: Project, source_id: int, comment_ids: Sequence[int], name: str,
                portfolio_id: int | None = None, description: str = "",
                seed_terms: Iterable[str] = ()) -> tuple[int, Changes]:
    """Move the selected comments from `source` to a new theme, as the officer's decision.

    The new theme (in the source's portfolio unless told otherwise) is accepted on every
    selected comment that carried the source; the source is rejected on those comments if the
    model suggested it (so a re-run does not put it back) or removed if an officer had added
    it. The comments count as reviewed. Comments without the source theme are left alone.
    """
    name = name.strip()
    if not name:
        raise EngageError("the new theme needs a name")
    source = project._rows("SELECT * FROM themes WHERE id = ?", [source_id])
    if not source:
        raise NotFoundError(f"no theme {source_id}")
    require_free_theme_name(project, name)
    carrying = [cid for cid in dict.fromkeys(comment_ids)
                if (state := coding_state(project, cid, source_id)) is not None
                and state["decision"] != "rejected"]
    if not carrying:
        raise EngageError(f"none of the selected comments has the theme {source[0]['name']!r}")
    portfolio = portfolio_id if portfolio_id is not None else source[0]["portfolio_id"]
    now, user = utc_now(), project.user
    with project.transaction("split theme") as tx:
        new_id = insert_theme(project, portfolio, name, description, seed_terms)
        tx.audit("theme", new_id, None, {"name": name, "portfolio_id": portfolio,
                                         "split_from": source_id, "comments": len(carrying)})
        for cid in carrying:
            before = coding_state(project, cid, source_id)
            after = (None if before["source"] == "officer" else
                     {**before, "decision": "rejected", "decided_by": user, "decided_at": now})
            restore_coding(project, cid, source_id, after)
            tx.audit("coding", cid, before, after)
            coding = {"comment_id": cid, "theme_id": new_id, "source": "officer",
                      "confidence": None, "evidence": None, "decision": "accepted",
                      "decided_by": user, "decided_at": now}
            restore_coding(project, cid, new_id, coding)
            tx.audit("coding", cid, None, coding)
            _mark_reviewed(project, cid, user, now)
    return new_id, Changes(taxonomy=True, codings=True)


def _mark_reviewed(project: Project, comment_id: int, user: str, now: str) -> None:
    project.db.execute(
        "INSERT INTO comment_analysis (comment_id, reviewed, reviewed_by, reviewed_at) "
        "VALUES (?, 1, ?, ?) ON CONFLICT(comment_id) DO UPDATE SET reviewed = 1, "
        "reviewed_by = excluded.reviewed_by, reviewed_at = excluded.reviewed_at",
        [comment_id, user, now])


def promote_topic(project: Project, topic_id: int, name: str | None = None,
                  portfolio_id: int | None = None,
                  seed_terms: Iterable[str] | None = None) -> tuple[int, Changes]:
    """Make a discovered topic a theme in one step, and remember which theme it became.

    Name, portfolio and seed terms default to the topic's own (label, suggested portfolio,
    top phrases then top terms, as `engage.nlp.topics.topic_to_theme` builds them). Nothing
    is coded here on purpose: the representative comments were chosen by the topic model, not
    read by an officer, and marking them reviewed would teach the warm start that they carry
    no other theme. The seed terms make the next analysis suggest the theme, with evidence.
    """
    found = topic(project, topic_id)
    if found["promoted_theme_id"] is not None:
        raise EngageError(f"topic {found['label']!r} is already the theme "
                          f"{_theme_name(project, found['promoted_theme_id'])!r}")
    portfolio = portfolio_id if portfolio_id is not None else found["suggested_portfolio_id"]
    if portfolio is None:
        raise EngageError("choose a portfolio for the new theme")
    seeds = list(seed_terms) if seed_terms is not None else list(dict.fromkeys(
        t.replace("_", " ") for t in (*found["top_phrases"], *found["top_terms"])))
    label = found["label"].replace(" / ", ", ")
    title = (name or label[:1].upper() + label[1:]).strip()  # not .capitalize(): "GP" stays
    description = "Comments about " + ", ".join(seeds[:5]) + "." if seeds else ""
    new_id, changes = add_theme(project, portfolio, title, description, seeds, origin="topic")
    with project.transaction("promote topic") as tx:
        project.db["topics"].update(topic_id, {"promoted_theme_id": new_id})
        tx.audit("topic", topic_id, {"promoted_theme_id": None}, {"promoted_theme_id": new_id})
    return new_id, changes | Changes(topics=True)


def _theme_name(project: Project, theme_id_: int) -> str:
    row = project.db.execute("SELECT name FROM themes WHERE id = ?", [theme_id_]).fetchone()
    return row[0] if row else f"#{theme_id_}"


def reviewed_labels(project: Project, consultation_id: int | None = None,
                    ) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """(model, officer) theme sets for each reviewed comment, for the agreement view.

    The same rule as `engage.reports.queries.reviewed_theme_labels` (the model's set: its
    suggestions on comments it was confident about; the officer's: ACTIVE_CODING), without the
    report's scope machinery, so it stays interactive on a large project.
    """
    where = "AND m.consultation_id = ?" if consultation_id is not None else ""
    params = [consultation_id] if consultation_id is not None else []
    rows = project.db.execute(
        f"""SELECT a.comment_id, c.theme_id, (c.source = 'model' AND a.outcome = 'coded'),
                   {ACTIVE_CODING}
            FROM comment_analysis a JOIN comments m ON m.id = a.comment_id
            LEFT JOIN codings c ON c.comment_id = a.comment_id
            WHERE a.reviewed = 1 {where}""", params).fetchall()
    model: dict[int, set[int]] = {}
    officer: dict[int, set[int]] = {}
    for cid, tid, by_model, by_officer in rows:
        model.setdefault(cid, set())
        officer.setdefault(cid, set())
        if tid is not None and by_model:
            model[cid].add(tid)
        if tid is not None and by_officer:
            officer[cid].add(tid)
    return model, officer
