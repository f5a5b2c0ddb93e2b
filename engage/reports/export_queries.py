"""Read-only queries behind the exports (CSV, XLSX, REFI-QDA): every comment in scope with
its respondent, analysis and active codings. Scope and counting rules are those of
`engage.reports.queries`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator

from engage.analysis.store import ACTIVE_CODING
from engage.project import Project
from engage.reports.queries import ReportScope, cte_for, scope_rows


def export_comments(project: Project, scope: ReportScope) -> Iterator[dict]:
    """One dict per comment in scope (all of them; `exclusion` says why one is not counted,
    by `engage.analysis.counting`), in id order."""
    cte, params = cte_for(project, scope)
    kind = "m.kind" if has_kind(project) else "NULL"
    cursor = project.db.conn.cursor()
    cursor.execute(f"""{cte}
        SELECT s.comment_id, co.name AS consultation, q.label AS question, r.external_id,
               coalesce(p.name, '') AS place, coalesce(r.place_raw, '') AS place_as_given,
               coalesce(r.postcode_district, '') AS postcode_district,
               coalesce(m.date, r.date, '') AS date, r.age_band, r.sex, r.ethnicity,
               r.disability, r.carer, r.attributes, m.text, m.masked IS NOT NULL AS masked,
               coalesce(s.exclusion, '') AS exclusion, a.outcome, a.sentiment,
               a.sentiment_officer, a.sentiment_confidence, a.reviewed, a.reviewed_by,
               coalesce(a.key_quote, 0) AS key_quote, s.question_id, s.respondent_id,
               m.duplicate_of, a.near_dup_group, {kind} AS kind,
               (SELECT coalesce(nullif(t.label, ''), t.top_terms) FROM topics t
                WHERE t.id = a.topic_id) AS topic
        FROM scope_comments s JOIN comments m ON m.id = s.comment_id
        JOIN consultations co ON co.id = s.consultation_id
        JOIN questions q ON q.id = s.question_id
        JOIN respondents r ON r.id = s.respondent_id
        LEFT JOIN places p ON p.id = r.place_id
        LEFT JOIN comment_analysis a ON a.comment_id = s.comment_id
        ORDER BY s.comment_id""", params)
    names = [d[0] for d in cursor.description]
    for row in cursor:
        yield dict(zip(names, row, strict=True))


def has_kind(project: Project) -> bool:
    """True once comments carry a kind (praise, complaint, suggestion, question, mixed)."""
    return "kind" in project.db["comments"].columns_dict


def active_codings(project: Project, scope: ReportScope) -> dict[int, list[dict]]:
    """Comment id → its active codings (theme, source, confidence, decided_by) in scope.

    Excluded comments keep their codings here: an export shows everything that is on.
    """
    rows = scope_rows(project, scope, f"""
        SELECT s.comment_id, c.theme_id, c.source, c.confidence, c.decision, c.decided_by,
               c.decided_at
        FROM scope_comments s JOIN codings c ON c.comment_id = s.comment_id
        LEFT JOIN comment_analysis a ON a.comment_id = s.comment_id
        WHERE {ACTIVE_CODING} ORDER BY s.comment_id, c.theme_id""")
    out: dict[int, list[dict]] = defaultdict(list)
    for r in rows:
        out[r.pop("comment_id")].append(r)
    return dict(out)


def extra_attribute_names(project: Project, scope: ReportScope) -> list[str]:
    """Respondent attributes beyond the fixed ones (from the import's extra columns)."""
    rows = scope_rows(project, scope, """
        SELECT DISTINCT j.key FROM scope_respondents s JOIN respondents r
        ON r.id = s.respondent_id,
        json_each(CASE WHEN json_valid(r.attributes) THEN r.attributes END) j
        WHERE json_type(CASE WHEN json_valid(r.attributes) THEN r.attributes END) = 'object'
        ORDER BY j.key""")
    return [r["key"] for r in rows]


def officer_names(project: Project) -> list[str]:
    """Everyone who decided a coding, for the exchange file's users."""
    counter = Counter(row[0] for row in project.db.execute(
        "SELECT decided_by FROM codings WHERE decided_by IS NOT NULL"))
    return sorted(counter)
