"""Read-only queries behind consultation summaries and exports (the reports' data layer).

Every figure a report prints comes from one function here, so a test can put the same question
to the project and compare. All of them take a `ReportScope` (consultation, place, question,
respondent group) and count by the one rule the views and exports use too
(`engage.analysis.counting`):

- comments *read*: every comment of the respondents in scope;
- *not counted*: answers with no content ("n/a", "no comment"), repeats of the same
  respondent's earlier answer, and campaign responses after each campaign's first. Which
  comment is not counted never depends on the scope, so places add up to the whole;
- *counted*: the rest. Theme, sentiment, place and quote figures are over counted comments.

A theme is *on* for a comment by `engage.analysis.store.ACTIVE_CODING` (officer accepted, or a
confident model suggestion the officer did not reject); sentiment is the officer's if set,
else the model's (`EFFECTIVE_SENTIMENT`).
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from engage.analysis import counting
from engage.analysis.kinds import (  # roll-ups: a suggestion counts neutral
    CHART_SENTIMENT,
    HEADLINE_KINDS,
)
from engage.analysis.store import ACTIVE_CODING, EFFECTIVE_SENTIMENT
from engage.browse import ATTRIBUTE_COLUMNS, CommentFilter
from engage.project import Project

NOT_STATED = "Not stated"
NO_PLACE = "(no place)"
PROFILE_ATTRIBUTES = (("age_band", "Age band"), ("sex", "Sex"), ("ethnicity", "Ethnicity"),
                      ("disability", "Disability"), ("carer", "Carer"))
EXCLUSION_REASONS = (counting.NO_CONTENT, counting.REPEAT, counting.CAMPAIGN)


@dataclass(frozen=True)
class ReportScope:
    """Which part of the project a report covers; None everywhere means all of it."""

    consultation_id: int | None = None
    place_id: int | None = None          # this place and every place inside it
    question_id: int | None = None
    attributes: tuple[tuple[str, str], ...] = ()  # a respondent group, e.g. (("carer", "Yes"),)

    @classmethod
    def from_filter(cls, f: CommentFilter) -> ReportScope:
        return cls(f.consultation_id, f.place_id, f.question_id, tuple(f.attributes))


# ----- the scope as SQL ------------------------------------------------------------------------
# (connection id, scope) -> temp table name, while `materialised` is active for that scope.
_MATERIALISED: dict[tuple[int, ReportScope], str] = {}


@contextlib.contextmanager
def materialised(project: Project, scope: ReportScope) -> Iterator[None]:
    """Work out the scope's respondents and comments once, for a run of queries.

    Deciding which comments count takes a sort over every comment; a report asks twenty
    questions of the same scope, so inside this block they read two temporary tables (on this
    connection only, dropped on exit) instead. All the figures then also describe one moment.
    """
    key = (id(project.db.conn), scope)
    if key in _MATERIALISED:
        yield
        return
    name = "engage_scope_" + uuid.uuid4().hex[:12]
    cte, params = _scope_cte(scope)
    conn = project.db.conn
    conn.execute(f"CREATE TEMP TABLE {name}_r AS {cte} SELECT * FROM scope_respondents", params)
    conn.execute(f"CREATE TEMP TABLE {name}_c AS {cte} SELECT * FROM scope_comments", params)
    conn.execute(f"CREATE UNIQUE INDEX temp.{name}_ci ON {name}_c (comment_id)")
    _MATERIALISED[key] = name
    try:
        yield
    finally:
        del _MATERIALISED[key]
        with contextlib.suppress(Exception):
            conn.execute(f"DROP TABLE temp.{name}_c")
            conn.execute(f"DROP TABLE temp.{name}_r")


def cte_for(project: Project, scope: ReportScope) -> tuple[str, list]:
    name = _MATERIALISED.get((id(project.db.conn), scope))
    if name is None:
        return _scope_cte(scope)
    return (f"WITH scope_respondents AS (SELECT * FROM temp.{name}_r), "
            f"scope_comments AS (SELECT * FROM temp.{name}_c), "
            "counted AS (SELECT * FROM scope_comments WHERE exclusion IS NULL)"), []


def _scope_cte(scope: ReportScope) -> tuple[str, list]:
    """A WITH clause defining scope_respondents and scope_comments (with each exclusion)."""
    ctes: list[str] = []
    params: list = []
    r_where: list[str] = []
    if scope.place_id is not None:
        ctes.append("scope_places(id) AS (SELECT ? UNION SELECT p.id FROM places p "
                    "JOIN scope_places s ON p.parent_id = s.id OR p.partnership_id = s.id)")
        params.append(scope.place_id)
        r_where.append("r.place_id IN (SELECT id FROM scope_places)")
    if scope.consultation_id is not None:
        r_where.append("r.consultation_id = ?")
        params.append(scope.consultation_id)
    for name, value in scope.attributes:
        if name in ATTRIBUTE_COLUMNS:
            r_where.append(f"r.{name} = ?")
        else:
            r_where.append("json_extract(r.attributes, ?) = ?")
            params.append("$." + json.dumps(name))
        params.append(value)
    if scope.question_id is not None:
        r_where.append("EXISTS (SELECT 1 FROM comments q WHERE q.respondent_id = r.id "
                       "AND q.question_id = ?)")
        params.append(scope.question_id)
    where = ("WHERE " + " AND ".join(r_where)) if r_where else ""
    ctes.append(f"scope_respondents AS (SELECT r.id AS respondent_id, r.place_id "
                f"FROM respondents r {where})")
    m_where = ""
    if scope.question_id is not None:
        m_where = "WHERE m.question_id = ?"
        params.append(scope.question_id)
    ctes.append(f"""scope_comments AS (
        SELECT m.id AS comment_id, m.respondent_id, m.question_id, m.consultation_id,
               sr.place_id, ca.near_dup_group AS ndg, {counting.status_sql('m')} AS exclusion
        FROM comments m JOIN scope_respondents sr ON sr.respondent_id = m.respondent_id
        LEFT JOIN comment_analysis ca ON ca.comment_id = m.id {m_where})""")
    ctes.append("counted AS (SELECT * FROM scope_comments WHERE exclusion IS NULL)")
    return "WITH RECURSIVE " + ",\n".join(ctes), params


def scope_rows(project: Project, scope: ReportScope, body: str, extra: list | None = None) -> list[dict]:
    cte, params = cte_for(project, scope)
    return [dict(r) for r in project._rows(f"{cte}\n{body}", params + (extra or []))]


def _one(project: Project, scope: ReportScope, body: str, extra: list | None = None):
    cte, params = cte_for(project, scope)
    return project.db.execute(f"{cte}\n{body}", params + (extra or [])).fetchone()


def _active(joins: str = "") -> str:
    """FROM-clause body: active codings (c) of counted comments (k), with their analysis (a)."""
    return f"""counted k JOIN codings c ON c.comment_id = k.comment_id
        LEFT JOIN comment_analysis a ON a.comment_id = k.comment_id {joins}
        WHERE {ACTIVE_CODING}"""


# ----- headline figures ------------------------------------------------------------------------
def headline_counts(project: Project, scope: ReportScope) -> dict[str, int]:
    """Respondents, comments read / excluded (by reason) / counted, analysed, reviewed, masked."""
    row = _one(project, scope, f"""
        SELECT (SELECT count(*) FROM scope_respondents),
               (SELECT count(DISTINCT respondent_id) FROM scope_comments
                WHERE exclusion IS NOT 'no_content'),
               (SELECT count(DISTINCT respondent_id) FROM counted),
               count(*),
               coalesce(sum(s.exclusion = 'no_content'), 0),
               coalesce(sum(s.exclusion = 'repeat'), 0),
               coalesce(sum(s.exclusion = 'campaign'), 0),
               coalesce(sum(s.exclusion IS NULL), 0),
               coalesce(sum(s.exclusion IS NULL AND a.outcome IS NOT NULL), 0),
               coalesce(sum(a.reviewed = 1), 0),
               coalesce(sum(a.sentiment_officer IS NOT NULL), 0),
               coalesce(sum(m.masked IS NOT NULL), 0),
               coalesce(sum(s.exclusion IS NULL AND {EFFECTIVE_SENTIMENT} IS NOT NULL), 0)
        FROM scope_comments s JOIN comments m ON m.id = s.comment_id
        LEFT JOIN comment_analysis a ON a.comment_id = s.comment_id""")
    keys = ("respondents", "respondents_commenting", "respondents_counted", "comments",
            "no_content", "repeats", "campaign", "counted", "analysed",
            "reviewed", "officer_sentiment", "masked_comments", "with_sentiment")
    counts = dict(zip(keys, (int(v or 0) for v in row), strict=True))
    counts["excluded"] = counts["no_content"] + counts["repeats"] + counts["campaign"]
    counts["coded"] = int(_one(project, scope, f"""
        SELECT count(DISTINCT k.comment_id) FROM {_active()}""")[0])
    return counts


def masked_kinds(project: Project, scope: ReportScope) -> dict[str, int]:
    """How many items of each kind of personal data were masked in the comments in scope."""
    rows = scope_rows(project, scope, """
        SELECT json_extract(j.value, '$.kind') AS masked_kind,
               sum(json_extract(j.value, '$.count')) AS n
        FROM scope_comments s JOIN comments m ON m.id = s.comment_id,
             json_each(CASE WHEN json_valid(m.masked) THEN m.masked END) j
        WHERE m.masked IS NOT NULL AND j.type = 'object'
        GROUP BY masked_kind ORDER BY masked_kind""")
    # the alias must not be 'kind': SQLite would group by comments.kind (praise, complaint…)
    return {r["masked_kind"]: int(r["n"] or 0) for r in rows}


def imported_files(project: Project, scope: ReportScope) -> list[dict]:
    """Files imported into the consultations in scope, with the masking counts each recorded."""
    where, params = ("WHERE i.consultation_id = ?", [scope.consultation_id]) \
        if scope.consultation_id is not None else ("", [])
    rows = project._rows(f"""
        SELECT i.id, i.file_name, i.file_format, i.imported_at, i.imported_by, i.rows_read,
               i.comments_created, i.respondents_created, i.report, co.name AS consultation
        FROM imports i LEFT JOIN consultations co ON co.id = i.consultation_id {where}
        ORDER BY i.id""", params)
    out = []
    for r in rows:
        d = dict(r)
        try:
            report = json.loads(d.pop("report") or "{}")
        except ValueError:
            report = {}
        d["masked"] = {k: int(v) for k, v in (report.get("masked") or {}).items()}
        d["placeholders"] = int(report.get("placeholders") or 0)
        d["duplicates"] = int(report.get("duplicates") or 0)
        out.append(d)
    return out


def analysis_runs(project: Project) -> list[dict]:
    """Finished model runs, newest last: which model versions produced the suggestions."""
    runs = []
    for r in project._rows("SELECT id, model_version, started_at, finished_at, comments, status, "
                           "params FROM analysis_runs ORDER BY id"):
        run = dict(r)
        try:
            params = json.loads(run.pop("params") or "{}")
        except ValueError:
            params = {}
        run["mode"] = params.get("mode", "") if isinstance(params, dict) else ""
        runs.append(run)
    return runs


def runs_used(project: Project, scope: ReportScope) -> dict[int, int]:
    """Run id → counted comments whose current analysis came from that run."""
    rows = scope_rows(project, scope, """
        SELECT a.run_id, count(*) AS n FROM counted k
        JOIN comment_analysis a ON a.comment_id = k.comment_id
        WHERE a.run_id IS NOT NULL GROUP BY a.run_id""")
    return {r["run_id"]: r["n"] for r in rows}


# ----- themes ------------------------------------------------------------------------------------
#: Per theme, counted comments that ask for something, praise or complain (engage.analysis.kinds).
_KIND_SUMS = ", ".join(
    f"sum((SELECT kc.kind FROM comments kc WHERE kc.id = k.comment_id) = '{kind}') AS {kind}"
    for kind in HEADLINE_KINDS)


def theme_rows(project: Project, scope: ReportScope) -> list[dict]:
    """Every theme (in codebook order) with counted comments, respondents and sentiment 1..5."""
    counts = {r["theme_id"]: r for r in scope_rows(project, scope, f"""
        SELECT c.theme_id, count(*) AS comments, count(DISTINCT k.respondent_id) AS respondents,
               sum({CHART_SENTIMENT} = 1) AS s1, sum({CHART_SENTIMENT} = 2) AS s2,
               sum({CHART_SENTIMENT} = 3) AS s3, sum({CHART_SENTIMENT} = 4) AS s4,
               sum({CHART_SENTIMENT} = 5) AS s5, {_KIND_SUMS}
        FROM {_active()} GROUP BY c.theme_id""")}
    out = []
    for t in codebook_themes(project):
        c = counts.get(t["id"], {})
        row = {"theme_id": t["id"], "theme": t["name"], "portfolio_id": t["portfolio_id"],
               "portfolio": t["portfolio"], "comments": int(c.get("comments") or 0),
               "respondents": int(c.get("respondents") or 0)}
        for level in range(1, 6):
            row[f"s{level}"] = int(c.get(f"s{level}") or 0)
        for kind in HEADLINE_KINDS:
            row[kind] = int(c.get(kind) or 0)
        out.append(row)
    return out


def portfolio_rows(project: Project, scope: ReportScope) -> list[dict]:
    """Per portfolio: counted comments and respondents with at least one of its themes."""
    counts = {r["portfolio_id"]: r for r in scope_rows(project, scope, f"""
        SELECT t.portfolio_id, count(DISTINCT k.comment_id) AS comments,
               count(DISTINCT k.respondent_id) AS respondents
        FROM {_active('JOIN themes t ON t.id = c.theme_id')}
        GROUP BY t.portfolio_id""")}
    return [{"portfolio_id": p["id"], "portfolio": p["name"],
             "comments": int(counts.get(p["id"], {}).get("comments") or 0),
             "respondents": int(counts.get(p["id"], {}).get("respondents") or 0)}
            for p in codebook_portfolios(project)]


def sentiment_counts(project: Project, scope: ReportScope) -> dict[int | None, int]:
    """Counted comments by effective sentiment 1..5, and None for those with none."""
    rows = scope_rows(project, scope, f"""
        SELECT {CHART_SENTIMENT} AS s, count(*) AS n FROM counted k
        LEFT JOIN comment_analysis a ON a.comment_id = k.comment_id GROUP BY s""")
    out: dict[int | None, int] = {level: 0 for level in (1, 2, 3, 4, 5)}
    out[None] = 0
    for r in rows:
        out[r["s"] if r["s"] in (1, 2, 3, 4, 5) else None] += r["n"]
    return out


# ----- respondents and places ------------------------------------------------------------------
def profile_counts(project: Project, scope: ReportScope, attribute: str) -> list[tuple[str, int]]:
    """Respondents in scope by one attribute, most common first ('Age band' youngest first),
    'Not stated' last."""
    if attribute in ATTRIBUTE_COLUMNS:
        expr, extra = f"r.{attribute}", []
    else:
        expr, extra = "json_extract(r.attributes, ?)", ["$." + json.dumps(attribute)]
    cte, params = cte_for(project, scope)
    rows = project.db.execute(f"""{cte}
        SELECT nullif(trim({expr}), '') AS v, count(*) FROM scope_respondents s
        JOIN respondents r ON r.id = s.respondent_id GROUP BY v
        ORDER BY v IS NULL, count(*) DESC, v""", params + extra).fetchall()
    out = [(NOT_STATED if v is None else str(v), int(n)) for v, n in rows]
    if attribute == "age_band":
        out.sort(key=lambda item: _age_order(item[0]))
    return out


def _age_order(band: str) -> tuple[int, float]:
    """Age bands youngest first ('Under 18', '18-24' … '85+'), unstated answers last."""
    if band == NOT_STATED:
        return (3, 0)
    text = band.strip().lower()
    digits = re.match(r"\D*(\d+)", text)
    if digits is None:
        return (2, 0)  # "Prefer not to say" and the like
    return (1, -1 if text.startswith(("under", "below", "<")) else float(digits.group(1)))


_PLACE_KINDS = ", ".join(f"coalesce(pc.{kind}, 0) AS {kind}" for kind in HEADLINE_KINDS)


def place_rows(project: Project, scope: ReportScope) -> list[dict]:
    """Per place respondents were assigned to: respondents, counted comments, sentiment, kinds
    (asked for, praised, complained about), population.

    Respondents with no recognised place form their own row: counted, never dropped.
    """
    rows = scope_rows(project, scope, f"""
        SELECT pp.place_id, coalesce(p.name, '{NO_PLACE}') AS place, p.kind, p.population,
               coalesce(p.population_is_estimate, 0) AS population_is_estimate,
               pp.respondents, coalesce(pc.comments, 0) AS comments,
               coalesce(pc.positive, 0) AS positive, coalesce(pc.neutral, 0) AS neutral,
               coalesce(pc.negative, 0) AS negative, {_PLACE_KINDS}
        FROM (SELECT place_id, count(*) AS respondents FROM scope_respondents
              GROUP BY place_id) pp
        LEFT JOIN places p ON p.id = pp.place_id
        LEFT JOIN (SELECT k.place_id, count(*) AS comments,
                          sum({CHART_SENTIMENT} IN (1, 2)) AS positive,
                          sum({CHART_SENTIMENT} = 3) AS neutral,
                          sum({CHART_SENTIMENT} IN (4, 5)) AS negative, {_KIND_SUMS}
                   FROM counted k LEFT JOIN comment_analysis a ON a.comment_id = k.comment_id
                   GROUP BY k.place_id) pc ON pc.place_id IS pp.place_id
        ORDER BY pp.place_id IS NULL, pp.respondents DESC, place""")
    return rows


def place_theme_counts(project: Project, scope: ReportScope) -> dict[int | None, list[tuple[int, int]]]:
    """Place id → [(theme id, counted comments)], most comments first."""
    rows = scope_rows(project, scope, f"""
        SELECT k.place_id, c.theme_id, count(*) AS n FROM {_active()}
        GROUP BY k.place_id, c.theme_id ORDER BY k.place_id, n DESC, c.theme_id""")
    out: dict[int | None, list[tuple[int, int]]] = defaultdict(list)
    for r in rows:
        out[r["place_id"]].append((r["theme_id"], r["n"]))
    return dict(out)


# ----- agreement ---------------------------------------------------------------------------------
def reviewed_theme_labels(project: Project, scope: ReportScope | None = None,
                          ) -> tuple[dict[int, set[int]], dict[int, set[int]]]:
    """(model, officer) theme sets for every comment an officer reviewed.

    The model's set is what it would show with nobody looking: its suggestions on a comment it
    was confident about ('coded'), whatever the officer later decided. The officer's set is the
    final coding (ACTIVE_CODING): accepted themes plus model themes left standing.
    """
    scope = scope or ReportScope()
    rows = scope_rows(project, scope, f"""
        SELECT s.comment_id, c.theme_id,
               (c.source = 'model' AND a.outcome = 'coded') AS by_model,
               {ACTIVE_CODING} AS by_officer
        FROM scope_comments s JOIN comment_analysis a ON a.comment_id = s.comment_id
        LEFT JOIN codings c ON c.comment_id = s.comment_id
        WHERE a.reviewed = 1""")
    model: dict[int, set[int]] = {}
    officer: dict[int, set[int]] = {}
    for r in rows:
        model.setdefault(r["comment_id"], set())
        officer.setdefault(r["comment_id"], set())
        if r["theme_id"] is None:
            continue
        if r["by_model"]:
            model[r["comment_id"]].add(r["theme_id"])
        if r["by_officer"]:
            officer[r["comment_id"]].add(r["theme_id"])
    return model, officer


def sentiment_pairs(project: Project, scope: ReportScope | None = None) -> list[tuple[int, int]]:
    """(model, officer) sentiment for comments where both exist."""
    rows = scope_rows(project, scope or ReportScope(), """
        SELECT a.sentiment, a.sentiment_officer FROM scope_comments s
        JOIN comment_analysis a ON a.comment_id = s.comment_id
        WHERE a.sentiment IS NOT NULL AND a.sentiment_officer IS NOT NULL""")
    return [(r["sentiment"], r["sentiment_officer"]) for r in rows]


# ----- quotes and words ------------------------------------------------------------------------
def quote_candidates(project: Project, scope: ReportScope, per_theme: int = 40) -> list[dict]:
    """Counted comments that could illustrate each theme, best first.

    Key quotes first, then officer-accepted, then the model's most confident. Texts are read
    only for the `per_theme` best of each theme; the caller keeps the readable ones.
    """
    return scope_rows(project, scope, f"""
        SELECT r.*, m.text, coalesce(p.name, '') AS place FROM (
            SELECT c.theme_id, k.comment_id, k.place_id, k.ndg,
                   coalesce(a.key_quote, 0) AS key_quote,
                   coalesce(c.confidence, 1.0) AS confidence, c.decision,
                   {EFFECTIVE_SENTIMENT} AS sentiment,
                   row_number() OVER (PARTITION BY c.theme_id ORDER BY
                       coalesce(a.key_quote, 0) DESC, c.decision = 'accepted' DESC,
                       coalesce(c.confidence, 1.0) DESC, k.comment_id) AS rank
            FROM {_active()}) r
        JOIN comments m ON m.id = r.comment_id LEFT JOIN places p ON p.id = r.place_id
        WHERE r.rank <= ? ORDER BY r.theme_id, r.rank""", [per_theme])


def comment_tokens(project: Project, scope: ReportScope,
                   ) -> Iterator[tuple[str | None, str | None, str | None]]:
    """(portfolio ids of its active themes as "1,3" or None, stored tokens, text if no tokens)
    for every counted comment."""
    cte, params = cte_for(project, scope)
    yield from project.db.execute(f"""{cte}
        SELECT (SELECT group_concat(DISTINCT t.portfolio_id) FROM codings c
                JOIN themes t ON t.id = c.theme_id
                WHERE c.comment_id = k.comment_id AND {ACTIVE_CODING}),
               a.tokens,
               CASE WHEN a.tokens IS NULL
                    THEN (SELECT text FROM comments m WHERE m.id = k.comment_id) END
        FROM counted k LEFT JOIN comment_analysis a ON a.comment_id = k.comment_id""", params)


# ----- codebook and scope names ---------------------------------------------------------------
def codebook_portfolios(project: Project) -> list[dict]:
    return [dict(r) for r in project._rows(
        "SELECT id, name, description, position FROM portfolios ORDER BY position, id")]


def codebook_themes(project: Project) -> list[dict]:
    return [dict(r) for r in project._rows(
        """SELECT t.id, t.name, t.description, t.portfolio_id, t.seed_terms, t.origin,
                  p.name AS portfolio
           FROM themes t JOIN portfolios p ON p.id = t.portfolio_id
           ORDER BY p.position, p.id, t.position, t.id""")]


def scope_names(project: Project, scope: ReportScope) -> dict[str, str | None]:
    """Plain names for what the scope covers, for titles and the methodology."""
    def name_of(sql: str, value) -> str | None:
        if value is None:
            return None
        row = project.db.execute(sql, [value]).fetchone()
        return row[0] if row else None

    return {
        "consultation": name_of("SELECT name FROM consultations WHERE id = ?",
                                scope.consultation_id),
        "place": name_of("SELECT name FROM places WHERE id = ?", scope.place_id),
        "question": name_of("SELECT coalesce(nullif(text, ''), label) FROM questions "
                            "WHERE id = ?", scope.question_id),
    }


def consultation_dates(project: Project, scope: ReportScope) -> tuple[str | None, str | None]:
    """First and last response date in scope (from comments, else respondents)."""
    row = _one(project, scope, """
        SELECT min(coalesce(m.date, r.date)), max(coalesce(m.date, r.date))
        FROM scope_comments s JOIN comments m ON m.id = s.comment_id
        JOIN respondents r ON r.id = s.respondent_id""")
    return (row[0], row[1]) if row else (None, None)


def questions_in_scope(project: Project, scope: ReportScope) -> list[dict]:
    return scope_rows(project, scope, """
        SELECT q.id, q.label, q.text, count(*) AS comments,
               sum(s.exclusion IS NULL) AS counted
        FROM scope_comments s JOIN questions q ON q.id = s.question_id
        GROUP BY q.id ORDER BY q.consultation_id, q.position, q.id""")


# ----- co-production (migration 3) -------------------------------------------------------------
COPRODUCTION_TABLES = ("activities", "activity_places", "activity_consultations",
                       "activity_portfolios", "actions", "action_themes", "action_comments",
                       "action_activities")


def coproduction_available(project: Project) -> bool:
    """True when the project file has the co-production register's tables."""
    names = set(project.db.table_names())
    return all(name in names for name in COPRODUCTION_TABLES)


def _activity_ids_sql(scope: ReportScope) -> tuple[str, list]:
    """Activities linked to the consultation in scope and held in the place in scope."""
    clauses, params = [], []
    if scope.consultation_id is not None:
        clauses.append("x.id IN (SELECT activity_id FROM activity_consultations "
                       "WHERE consultation_id = ?)")
        params.append(scope.consultation_id)
    if scope.place_id is not None:
        clauses.append("""x.id IN (SELECT activity_id FROM activity_places WHERE place_id IN (
            WITH RECURSIVE sp(id) AS (SELECT ? UNION SELECT p.id FROM places p
                JOIN sp ON p.parent_id = sp.id OR p.partnership_id = sp.id) SELECT id FROM sp))""")
        params.append(scope.place_id)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    return f"SELECT x.id FROM activities x {where}", params


def activities_in_scope(project: Project, scope: ReportScope) -> list[dict]:
    """Activities with their places and portfolios (names joined), earliest first."""
    if not coproduction_available(project):
        return []
    ids_sql, params = _activity_ids_sql(scope)
    return [dict(r) for r in project._rows(f"""
        SELECT x.id, x.title, x.type, x.level, x.start_date, x.end_date, x.participants,
               x.outcomes,
               (SELECT group_concat(p.name, '; ') FROM activity_places ap
                JOIN places p ON p.id = ap.place_id WHERE ap.activity_id = x.id) AS places,
               (SELECT group_concat(portfolio, '; ') FROM activity_portfolios f
                WHERE f.activity_id = x.id AND f.suggested = 0) AS portfolios
        FROM activities x WHERE x.id IN ({ids_sql})
        ORDER BY x.start_date IS NULL, x.start_date, x.id""", params)]


def actions_in_scope(project: Project, scope: ReportScope) -> list[dict]:
    """'You said, we did': actions backed by comments in scope or shaped by its activities.

    With no consultation or place chosen, every action in the register.
    """
    if not coproduction_available(project):
        return []
    select = """
        SELECT n.id, n.title, n.decision, n.owner, n.status, n.reason, n.portfolio,
               n.due_date, n.done_date,
               (SELECT group_concat(theme, '; ') FROM action_themes t
                WHERE t.action_id = n.id) AS themes,
               (SELECT count(*) FROM action_comments ac WHERE ac.action_id = n.id
                AND ac.role = 'support') AS supporting_comments
        FROM actions n"""
    order = "ORDER BY n.portfolio IS NULL, n.portfolio, n.id"
    if scope == ReportScope():
        return [dict(r) for r in project._rows(f"{select} {order}")]
    cte, params = cte_for(project, scope)
    ids_sql, activity_params = _activity_ids_sql(scope)
    return [dict(r) for r in project._rows(f"""{cte} {select}
        WHERE n.id IN (SELECT action_id FROM action_comments
                       WHERE comment_id IN (SELECT comment_id FROM scope_comments))
           OR n.id IN (SELECT action_id FROM action_activities
                       WHERE activity_id IN ({ids_sql}))
        {order}""", params + activity_params)]
