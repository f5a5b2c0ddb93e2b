"""Queries behind the comment browser: filter, count, page, search and detail.

The table never holds a million rows: it asks for a count, then for the pages it shows.
Searching uses the FTS5 index, so it stays fast on a million comments.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from engage.analysis.kinds import chart_sentiment_sql
from engage.project import Project, stored_json

# Respondent attributes kept in their own columns (indexed filters); others live in JSON.
ATTRIBUTE_COLUMNS = ("age_band", "sex", "ethnicity", "disability", "carer", "postcode_district")


@dataclass(frozen=True)
class CommentFilter:
    consultation_id: int | None = None
    question_id: int | None = None
    place_id: int | None = None
    search: str = ""
    attributes: tuple[tuple[str, str], ...] = ()
    substantive_only: bool = False
    counted_only: bool = False  # only comments the counting rule counts (engage.analysis.counting)
    duplicates: bool | None = None  # None: all; False: hide duplicates; True: only duplicates
    comment_ids: tuple[int, ...] | None = field(default=None)
    # Analysis filters (engage.analysis): a theme counts when its coding is active (accepted
    # by an officer, or a confident model suggestion not rejected) — the reports' rule too.
    theme_id: int | None = None
    portfolio_id: int | None = None
    # charted sentiment in these: the officer's, else the model's, with a suggestion the model
    # scored counted as neutral (kinds.CHART_SENTIMENT), as every bar and report counts it
    sentiment: tuple[int, ...] = ()
    outcome: str | None = None  # 'coded', 'uncertain', 'no_theme'
    topic_id: int | None = None
    key_quotes_only: bool = False
    reviewed: bool | None = None
    word: str = ""  # a lemma or phrase token as stored by the analysis (word-cloud click)

    def with_(self, **changes) -> CommentFilter:
        values = {**self.__dict__, **changes}
        return CommentFilter(**values)


@dataclass(frozen=True)
class CommentRow:
    id: int
    text: str
    question: str
    respondent: str
    place: str
    date: str
    substantive: bool
    duplicate_of: int | None
    masked: bool
    themes: str = ""  # active themes, "; "-joined (accepted, or confident and not rejected)
    sentiment: int | None = None  # the officer's if set, else the model's


SENTIMENT_WORDS = {1: "very positive", 2: "positive", 3: "neutral or mixed", 4: "negative",
                   5: "very negative"}


def fts_query(text: str) -> str:
    """Turn what an officer types into a safe FTS5 query.

    Words are ANDed; a trailing * keeps prefix search; "quoted phrases" stay phrases; FTS
    operators typed by accident can never raise a syntax error.
    """
    parts: list[str] = []
    for phrase, word in re.findall(r'"([^"]+)"|(\S+)', text):
        if phrase:
            words = re.findall(r"\w+", phrase)
            if words:
                parts.append('"' + " ".join(words) + '"')
            continue
        prefix = word.endswith("*")
        for token in re.findall(r"\w+", word):
            parts.append(f'"{token}"' + ("*" if prefix else ""))
    return " ".join(parts)


def _where(f: CommentFilter) -> tuple[str, list, bool]:
    """SQL conditions for a filter; the flag says whether respondents must be joined."""
    clauses: list[str] = []
    params: list = []
    needs_respondent = False
    if f.consultation_id is not None:
        clauses.append("c.consultation_id = ?")
        params.append(f.consultation_id)
    if f.question_id is not None:
        clauses.append("c.question_id = ?")
        params.append(f.question_id)
    if f.place_id is not None:
        needs_respondent = True
        # A place includes everything below it: a council its localities and their PCNs.
        clauses.append("r.place_id IN (WITH RECURSIVE within(id) AS (SELECT ? UNION "
                       "SELECT p.id FROM places p JOIN within w "
                       "ON p.parent_id = w.id OR p.partnership_id = w.id) SELECT id FROM within)")
        params.append(f.place_id)
    for name, value in f.attributes:
        needs_respondent = True
        if name in ATTRIBUTE_COLUMNS:
            clauses.append(f"r.{name} = ?")
        else:
            clauses.append("json_extract(r.attributes, ?) = ?")
            params.append("$." + json.dumps(name))
        params.append(value)
    if f.substantive_only:
        clauses.append("c.substantive = 1")
    if f.counted_only:
        from engage.analysis.counting import counted_sql

        clauses.append(counted_sql("c"))
    if f.duplicates is False:
        clauses.append("c.duplicate_of IS NULL")
    elif f.duplicates is True:
        clauses.append("c.duplicate_of IS NOT NULL")
    _analysis_clauses(f, clauses, params)
    query = fts_query(f.search) if f.search.strip() else ""
    if query:
        clauses.append("c.id IN (SELECT rowid FROM comments_fts WHERE comments_fts MATCH ?)")
        params.append(query)
    if f.comment_ids is not None:
        clauses.append(f"c.id IN ({','.join('?' * len(f.comment_ids)) or 'NULL'})")
        params += list(f.comment_ids)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    return where, params, needs_respondent


_ACTIVE = ("(cd.decision = 'accepted' OR (cd.decision IS NULL AND cd.source = 'model' AND "
           "ca.outcome = 'coded'))")


def _analysis_clauses(f: CommentFilter, clauses: list[str], params: list) -> None:
    if f.theme_id is not None:
        clauses.append(f"c.id IN (SELECT cd.comment_id FROM codings cd JOIN comment_analysis ca "
                       f"ON ca.comment_id = cd.comment_id WHERE cd.theme_id = ? AND {_ACTIVE})")
        params.append(f.theme_id)
    if f.portfolio_id is not None:
        clauses.append(f"c.id IN (SELECT cd.comment_id FROM codings cd JOIN comment_analysis ca "
                       f"ON ca.comment_id = cd.comment_id JOIN themes t ON t.id = cd.theme_id "
                       f"WHERE t.portfolio_id = ? AND {_ACTIVE})")
        params.append(f.portfolio_id)
    analysis: list[str] = []
    if f.sentiment:
        # as the charts count it, so a click on a feeling lists the comments its bar counts
        analysis.append(f"{chart_sentiment_sql('ca')} IN ({','.join('?' * len(f.sentiment))})")
        params.extend(f.sentiment)
    if f.outcome is not None:
        analysis.append("ca.outcome = ?")
        params.append(f.outcome)
    if f.topic_id is not None:
        analysis.append("ca.topic_id = ?")
        params.append(f.topic_id)
    if f.key_quotes_only:
        analysis.append("ca.key_quote = 1")
    if f.reviewed is not None:
        analysis.append("ca.reviewed = ?")
        params.append(int(f.reviewed))
    if f.word.strip():
        analysis.append("(' ' || ca.tokens || ' ') LIKE ?")
        params.append(f"% {f.word.strip().replace(' ', '_')} %")
    if analysis:
        clauses.append("c.id IN (SELECT ca.comment_id FROM comment_analysis ca WHERE "
                       + " AND ".join(analysis) + ")")


def count_comments(project: Project, f: CommentFilter) -> int:
    where, params, needs_respondent = _where(f)
    join = "JOIN respondents r ON r.id = c.respondent_id" if needs_respondent else ""
    return project.db.execute(f"SELECT count(*) FROM comments c {join} {where}",
                              params).fetchone()[0]


def fetch_comments(project: Project, f: CommentFilter, offset: int, limit: int) -> list[CommentRow]:
    """One page of comments in id order (import order), with what the table shows."""
    where, params, _ = _where(f)
    sql = f"""
        SELECT c.id, c.text, q.label, r.external_id, coalesce(p.name, r.place_raw, ''),
               coalesce(c.date, ''), c.substantive, c.duplicate_of, c.masked IS NOT NULL,
               (SELECT group_concat(t.name, '; ') FROM codings cd
                  JOIN themes t ON t.id = cd.theme_id
                  JOIN comment_analysis ca ON ca.comment_id = cd.comment_id
                  WHERE cd.comment_id = c.id AND {_ACTIVE}),
               (SELECT coalesce(sentiment_officer, sentiment) FROM comment_analysis
                  WHERE comment_id = c.id)
        FROM comments c
        JOIN respondents r ON r.id = c.respondent_id
        JOIN questions q ON q.id = c.question_id
        LEFT JOIN places p ON p.id = r.place_id
        {where} ORDER BY c.id LIMIT ? OFFSET ?
    """
    rows = project.db.execute(sql, params + [limit, offset]).fetchall()
    return [CommentRow(r[0], r[1], r[2], r[3] or "", r[4] or "", r[5], bool(r[6]), r[7],
                       bool(r[8]), r[9] or "", r[10]) for r in rows]


def comment_detail(project: Project, comment_id: int) -> dict:
    """Everything the detail pane shows: the comment, its respondent and what was masked."""
    rows = project._rows(
        """SELECT c.*, q.label AS question_label, q.text AS question_text,
                  co.name AS consultation, r.external_id, r.place_raw, r.postcode_district,
                  r.age_band, r.sex, r.ethnicity, r.disability, r.carer,
                  r.attributes AS respondent_attributes, p.name AS place,
                  i.file_name AS source_file
           FROM comments c JOIN questions q ON q.id = c.question_id
           JOIN consultations co ON co.id = c.consultation_id
           JOIN respondents r ON r.id = c.respondent_id
           LEFT JOIN places p ON p.id = r.place_id
           LEFT JOIN imports i ON i.id = c.import_id
           WHERE c.id = ?""", [comment_id])
    if not rows:
        from engage.errors import NotFoundError

        raise NotFoundError(f"no comment {comment_id}")
    detail = dict(rows[0])
    detail["masked"] = stored_json(detail["masked"], list)
    detail["respondent_attributes"] = stored_json(detail["respondent_attributes"], dict)
    return detail



def attribute_names(project: Project, consultation_id: int | None = None) -> list[str]:
    """Respondent attributes that have at least one value, fixed ones first."""
    names = [name for name in ATTRIBUTE_COLUMNS
             if project.db.execute(f"SELECT 1 FROM respondents WHERE {name} IS NOT NULL "
                                   f"AND {name} != '' LIMIT 1").fetchone()]
    where = "WHERE consultation_id = ?" if consultation_id is not None else ""
    params = [consultation_id] if consultation_id is not None else []
    extra = project.db.execute(
        f"SELECT DISTINCT j.key FROM respondents, json_each(respondents.attributes) j {where}",
        params).fetchall()
    return names + sorted(row[0] for row in extra)


def attribute_values(project: Project, name: str, consultation_id: int | None = None,
                     limit: int = 200) -> list[tuple[str, int]]:
    """Values of one attribute with respondent counts, most common first."""
    if name in ATTRIBUTE_COLUMNS:
        expr, params = name, []
    else:
        expr, params = "json_extract(attributes, ?)", ["$." + json.dumps(name)]
    where = ""
    if consultation_id is not None:
        where = "WHERE consultation_id = ?"
        params.append(consultation_id)
    sql = (f"SELECT v, count(*) FROM (SELECT {expr} AS v FROM respondents {where}) "
           f"WHERE v IS NOT NULL AND v != '' GROUP BY v ORDER BY count(*) DESC, v LIMIT ?")
    return [(str(v), n) for v, n in project.db.execute(sql, params + [limit]).fetchall()]


def place_counts(project: Project, consultation_id: int | None = None) -> list[dict]:
    """Respondents per place including those with no place, which are counted, never dropped."""
    where = "WHERE r.consultation_id = ?" if consultation_id is not None else ""
    params = [consultation_id] if consultation_id is not None else []
    sql = f"""SELECT r.place_id, coalesce(p.name, '(no place)') AS name, count(*) AS respondents
              FROM respondents r LEFT JOIN places p ON p.id = r.place_id {where}
              GROUP BY r.place_id ORDER BY respondents DESC"""
    return [dict(r) for r in project._rows(sql, params)]


def question_counts(project: Project) -> list[dict]:
    """Every question with its number of comments, for the navigator.

    Cheaper than `Project.questions()` (no distinct-respondent counts): each count is a range
    of the question index, so a million comments cost tens of milliseconds, not a second.
    """
    sql = """SELECT q.id, q.consultation_id, q.label, q.text, q.position,
                    (SELECT count(*) FROM comments c WHERE c.question_id = q.id) AS comments
             FROM questions q ORDER BY q.consultation_id, q.position, q.id"""
    return [dict(row) for row in project._rows(sql)]


def consultation_names(project: Project) -> list[dict]:
    """Consultations without counts (ids, names, descriptions), for lists that count otherwise.

    `Project.consultations()` counts respondents and comments per consultation, which costs
    about half a second on a million comments; the navigator adds up `question_counts` instead.
    """
    return [dict(row) for row in project._rows(
        "SELECT id, name, description FROM consultations ORDER BY id")]


def describe_filter(project: Project, f: CommentFilter) -> str:
    """Plain words for what a drill-down shows, e.g. 'theme GP access · sentiment 4–5'."""
    parts: list[str] = []

    def name_of(table: str, row_id: int | None) -> str | None:
        if row_id is None:
            return None
        row = project.db.execute(f"SELECT name FROM {table} WHERE id = ?", [row_id]).fetchone()
        return row[0] if row else f"#{row_id}"

    for label, table, value in (("consultation", "consultations", f.consultation_id),
                                ("place", "places", f.place_id),
                                ("portfolio", "portfolios", f.portfolio_id),
                                ("theme", "themes", f.theme_id)):
        name = name_of(table, value)
        if name:
            parts.append(f"{label} {name}")
    if f.question_id is not None:
        row = project.db.execute("SELECT label FROM questions WHERE id = ?",
                                 [f.question_id]).fetchone()
        parts.append(f"question {row[0] if row else f.question_id}")
    if f.topic_id is not None:
        row = project.db.execute("SELECT label FROM topics WHERE id = ?", [f.topic_id]).fetchone()
        parts.append(f"topic {row[0] if row else f.topic_id}")
    if f.sentiment:
        levels = sorted(f.sentiment)
        parts.append("sentiment " + (f"{levels[0]}–{levels[-1]}" if len(levels) > 1
                                     and levels == list(range(levels[0], levels[-1] + 1))
                                     else ", ".join(map(str, levels))))
    outcome_words = {"coded": "coded", "uncertain": "for review", "no_theme": "no theme"}
    if f.outcome:
        parts.append(outcome_words.get(f.outcome, f.outcome))
    if f.word:
        parts.append(f"word “{f.word.replace('_', ' ')}”")
    if f.key_quotes_only:
        parts.append("key quotes")
    for name, value in f.attributes:
        parts.append(f"{name.replace('_', ' ')} {value}")
    if f.comment_ids is not None:
        parts.append(f"{len(f.comment_ids):,} chosen comments")
    if f.counted_only:
        parts.append("counted comments (no repeats, a campaign once)")
    return " · ".join(parts) or "all comments"
