"""Read-only figures behind the workbench: overview, themes over time, place × portfolio,
two-group comparisons and word frequencies.

Every figure counts by the one rule of `engage.analysis.counting` (the reports and exports
use it too): only *counted* comments count (no "n/a", no repeat of the same respondent's
answer, a campaign text once); a theme is on for a comment by `store.ACTIVE_CODING`, sentiment
is `store.EFFECTIVE_SENTIMENT`, rolled up for charts by `kinds.CHART_SENTIMENT` (a
suggestion counts neutral unless an officer set its sentiment). A number an officer clicks
through to shows exactly that many comments when the filter says `counted_only=True`.

Shares are of *respondents with a counted comment*, since only those could have a theme. Every
function here is one or two aggregate SQL statements; callers on the GUI thread run them in a
worker.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from engage.analysis import counting, place_rows, store
from engage.analysis.counting import counted_sql
from engage.analysis.kinds import CHART_SENTIMENT
from engage.analysis.store import ACTIVE_CODING
from engage.browse import CommentFilter
from engage.browse import _where as browse_where
from engage.project import Project
from engage.reports.summary import CLOUD_LEAVE_OUT

SENTIMENT_LEVELS = (1, 2, 3, 4, 5)
DEFAULT_ALPHA = 0.05
#: The normal approximation behind the two-proportion test wants at least this many expected
#: respondents with, and without, the theme in each group.
MIN_EXPECTED = 5
#: Below this many respondents a group's shares move by whole percentage points per person.
SMALL_GROUP = 30
# An ISO date (what the importer stores) gives its month; anything else counts as undated.
_MONTH = ("CASE WHEN {d} GLOB '[0-9][0-9][0-9][0-9]-[01][0-9]*' "
          "THEN substr({d}, 1, 7) END")
MONTH_OF_COMMENT = _MONTH.format(d="coalesce(m.date, r.date)")


def _consultation(column: str, consultation_id: int | None) -> tuple[str, list]:
    """The condition for one consultation, never used to choose an index ("+column"): a
    project file has no statistics, so SQLite takes the comments' (consultation, duplicate
    key) index for selective, walks a whole consultation through it in random order, and is
    8–20 times slower than reading the rows it would have read anyway."""
    if consultation_id is None:
        return "", []
    return f"AND +{column} = ?", [consultation_id]


def share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


# ----- overview ------------------------------------------------------------------------------
@dataclass(frozen=True)
class Base:
    """Who could have a theme: respondents with a counted comment, and those comments (the
    bases of every share), with the rest of the counting rule's figures."""

    respondents: int
    comments: int
    rule: counting.Counts | None = None


@dataclass(frozen=True)
class Overview:
    """Everything the overview tree shows for one consultation (or all of them)."""

    consultation_id: int | None
    base: Base
    themes: list[dict]        # store.theme_counts rows
    portfolios: list[dict]    # portfolio_counts rows
    outcomes: dict[str, int]  # store.outcome_counts


def base_counts(project: Project, consultation_id: int | None = None) -> Base:
    rule = counting.counts(project, consultation_id)
    return Base(rule.respondents_counted, rule.counted, rule)


# Whole-consultation aggregates read every coding: scanning the table in order is about three
# times cheaper than walking it through the (theme, decision) index, which costs one random
# lookup per coding. Filters on one theme use the index as usual.
_ACTIVE_ROWS = """codings c NOT INDEXED JOIN themes t ON t.id = c.theme_id
    JOIN comment_analysis a ON a.comment_id = c.comment_id
    JOIN comments m ON m.id = c.comment_id"""
COUNTED = counted_sql("m")
_SENTIMENT_SUMS = ", ".join(f"sum(s = {level}) AS s{level}" for level in SENTIMENT_LEVELS)


def theme_counts(project: Project, consultation_id: int | None = None) -> list[dict]:
    """Per theme (codebook order): counted comments with it on, their respondents and
    sentiment 1..5, in one scan. (`store.theme_counts` counts every coded comment, for the
    coding workbench's theme sizes.)"""
    where, params = _consultation("m.consultation_id", consultation_id)
    counts = {row["theme_id"]: dict(row) for row in project._rows(f"""
        SELECT theme_id, count(*) AS comments, count(DISTINCT respondent_id) AS respondents,
               {_SENTIMENT_SUMS}
        FROM (SELECT c.theme_id, m.respondent_id, {CHART_SENTIMENT} AS s
              FROM {_ACTIVE_ROWS} WHERE {ACTIVE_CODING} AND {COUNTED} {where})
        GROUP BY theme_id""", params)}
    return [{"theme_id": t["id"], "theme": t["name"], "portfolio_id": t["portfolio_id"],
             "portfolio": t["portfolio"], **_figures(counts.get(t["id"], {}))}
            for t in store.themes(project)]


def portfolio_counts(project: Project, consultation_id: int | None = None) -> list[dict]:
    """Per portfolio (codebook order): comments with any of its themes on, their respondents
    and sentiment 1..5. A comment with two themes of one portfolio counts once."""
    where, params = _consultation("m.consultation_id", consultation_id)
    counts = {row["portfolio_id"]: dict(row) for row in project._rows(f"""
        SELECT portfolio_id, count(*) AS comments, count(DISTINCT respondent_id) AS respondents,
               {_SENTIMENT_SUMS}
        FROM (SELECT DISTINCT t.portfolio_id, m.id, m.respondent_id, {CHART_SENTIMENT} AS s
              FROM {_ACTIVE_ROWS} WHERE {ACTIVE_CODING} AND {COUNTED} {where})
        GROUP BY portfolio_id""", params)}
    return [{"portfolio_id": p["id"], "portfolio": p["name"], **_figures(counts.get(p["id"], {}))}
            for p in store.portfolios(project)]


def _figures(row: dict) -> dict:
    keys = ("comments", "respondents") + tuple(f"s{level}" for level in SENTIMENT_LEVELS)
    return {key: int(row.get(key) or 0) for key in keys}


def overview(project: Project, consultation_id: int | None = None) -> Overview:
    return Overview(consultation_id, base_counts(project, consultation_id),
                    theme_counts(project, consultation_id),
                    portfolio_counts(project, consultation_id),
                    store.outcome_counts(project, consultation_id))


# ----- over time -----------------------------------------------------------------------------
@dataclass(frozen=True)
class Timeline:
    """Comments per month for each theme (or portfolio), months contiguous, gaps as zero."""

    by: str                              # "theme" or "portfolio"
    months: list[str]                    # "2013-01", ...
    counts: dict[int, list[int]]         # theme or portfolio id → one count per month
    undated: dict[int, int] = field(default_factory=dict)

    def series(self, key: int) -> list[int]:
        return self.counts.get(key, [0] * len(self.months))


def monthly_counts(project: Project, consultation_id: int | None = None,
                   by: str = "theme") -> Timeline:
    """Comments with each theme (or any theme of each portfolio) on, by month of the comment's
    date, else its respondent's date. One aggregate statement."""
    if by not in ("theme", "portfolio"):
        raise ValueError(f"by must be 'theme' or 'portfolio', not {by!r}")
    where, params = _consultation("m.consultation_id", consultation_id)
    key = "c.theme_id" if by == "theme" else "t.portfolio_id"
    rows = project.db.execute(f"""
        SELECT {key}, {MONTH_OF_COMMENT} AS month, count(DISTINCT m.id)
        FROM {_ACTIVE_ROWS} JOIN respondents r ON r.id = m.respondent_id
        WHERE {ACTIVE_CODING} AND {COUNTED} {where} GROUP BY 1, 2""", params).fetchall()
    months = month_range([month for _k, month, _n in rows if month])
    position = {month: i for i, month in enumerate(months)}
    counts: dict[int, list[int]] = {}
    undated: dict[int, int] = {}
    for k, month, n in rows:
        if month is None:
            undated[k] = undated.get(k, 0) + n
        else:
            counts.setdefault(k, [0] * len(months))[position[month]] = n
    return Timeline(by, months, counts, undated)


def month_range(months: Sequence[str]) -> list[str]:
    """Every month from the earliest to the latest given ("2013-01" … "2013-04")."""
    if not months:
        return []
    first, last = min(months), max(months)
    year, month = int(first[:4]), int(first[5:7])
    out = []
    while f"{year:04d}-{month:02d}" <= last:
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def month_label(month: str) -> str:
    """'2013-03' → 'Mar 2013'."""
    names = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
    return f"{names[int(month[5:7]) - 1]} {month[:4]}"


def month_comment_ids(project: Project, by: str, key_id: int, month: str,
                      consultation_id: int | None = None) -> tuple[int, ...]:
    """The comments behind one bar of `monthly_counts`: with the theme (by="theme") or any
    theme of the portfolio (by="portfolio") on, dated in `month`. The comment filter has no
    date condition, so a click on a bar shows these ids."""
    if by not in ("theme", "portfolio"):
        raise ValueError(f"by must be 'theme' or 'portfolio', not {by!r}")
    key = "c.theme_id = ?" if by == "theme" else \
        "(SELECT portfolio_id FROM themes t WHERE t.id = c.theme_id) = ?"
    where, params = _consultation("m.consultation_id", consultation_id)
    # Comments of the month first (a scan, cheap), then each one's codings by its key: a
    # portfolio's codings are a third of the table, too many to walk one by one.
    rows = project.db.execute(f"""
        SELECT m.id FROM comments m NOT INDEXED JOIN respondents r ON r.id = m.respondent_id
        WHERE {MONTH_OF_COMMENT} = ? {where} AND EXISTS (
            SELECT 1 FROM codings c JOIN comment_analysis a ON a.comment_id = c.comment_id
            WHERE c.comment_id = m.id AND {key} AND {ACTIVE_CODING}) AND {COUNTED}
        ORDER BY m.id""", [month, *params, key_id]).fetchall()
    return tuple(row[0] for row in rows)


# ----- places × portfolios -------------------------------------------------------------------
@dataclass(frozen=True)
class PlaceRow:
    place_id: int | None
    name: str
    kind: str
    respondents: int   # respondents from here with a counted comment (the share's base)
    comments: int      # their counted comments
    cells: dict[int, tuple[int, int]]   # portfolio id → (comments, respondents) with it on
    within: int | None = None  # "of which" row: the locality whose figures already hold it

    def count(self, portfolio_id: int, unit: str = "respondents") -> int:
        comments, respondents = self.cells.get(portfolio_id, (0, 0))
        return respondents if unit == "respondents" else comments

    def share(self, portfolio_id: int, unit: str = "respondents") -> float:
        whole = self.respondents if unit == "respondents" else self.comments
        return share(self.count(portfolio_id, unit), whole)


@dataclass(frozen=True)
class PlaceTable:
    portfolios: list[dict]   # id, name in codebook order
    rows: list[PlaceRow]     # every locality, other places respondents were put in, no place


def place_portfolio_table(project: Project, consultation_id: int | None = None) -> PlaceTable:
    """Per place, and per portfolio: comments and respondents with one of its themes on,
    beside the place's commenting respondents and comments (the bases of the shares). Rows
    follow `place_rows.place_groups`, the report's rule: a locality counts its PCNs and wards
    (listed again beneath it as "of which" rows), a respondent placed only in "Dorset Council"
    is counted there and not in a locality, then respondents with no place."""
    where, params = _consultation("m.consultation_id", consultation_id)
    bases = {row[0]: (row[1], row[2]) for row in project.db.execute(f"""
        SELECT r.place_id, count(DISTINCT m.respondent_id), count(*)
        FROM comments m NOT INDEXED JOIN respondents r ON r.id = m.respondent_id
        WHERE {COUNTED} {where} GROUP BY r.place_id""", params)}
    cells: dict[int | None, dict[int, tuple[int, int]]] = {}
    for place_id, portfolio_id, comments, respondents in project.db.execute(f"""
            SELECT r.place_id, t.portfolio_id, count(DISTINCT m.id),
                   count(DISTINCT m.respondent_id)
            FROM {_ACTIVE_ROWS} JOIN respondents r ON r.id = m.respondent_id
            WHERE {ACTIVE_CODING} AND {COUNTED} {where} GROUP BY 1, 2""", params):
        cells.setdefault(place_id, {})[portfolio_id] = (comments, respondents)
    rows = []
    for group in place_rows.place_groups(project, set(bases)):
        # Sums are exact: a respondent is assigned to one place only.
        respondents = sum(bases.get(m, (0, 0))[0] for m in group.members)
        comments = sum(bases.get(m, (0, 0))[1] for m in group.members)
        summed: dict[int, tuple[int, int]] = {}
        for member in group.members:
            for portfolio_id, (n, people) in cells.get(member, {}).items():
                was = summed.get(portfolio_id, (0, 0))
                summed[portfolio_id] = (was[0] + n, was[1] + people)
        rows.append(PlaceRow(group.place_id, group.name, group.kind, respondents, comments,
                             summed, group.within))
    portfolios = [{"id": p["id"], "name": p["name"]} for p in store.portfolios(project)]
    return PlaceTable(portfolios, rows)


def place_comment_ids(project: Project, place_id: int | None, portfolio_id: int | None = None,
                      consultation_id: int | None = None) -> tuple[int, ...]:
    """The counted comments behind one cell of the place table: from respondents its row
    counts (`place_rows.members_of`: a locality with its PCNs and wards; None: no place), with
    a theme of the portfolio on (None: any comment). Read through the respondents' place
    index, so a click costs milliseconds, and exact where the comment filter is not (its
    place takes in every place below, a council its localities too)."""
    members = place_rows.members_of(project, place_id)
    placed = [m for m in members if m is not None]
    where_place = " OR ".join(
        (["r.place_id IS NULL"] if None in members else [])
        + ([f"r.place_id IN ({', '.join('?' * len(placed))})"] if placed else []))
    clauses, params = [f"({where_place})", COUNTED], list(placed)
    if consultation_id is not None:
        clauses.append("+m.consultation_id = ?")  # see _consultation
        params.append(consultation_id)
    if portfolio_id is not None:
        clauses.append(f"""EXISTS (SELECT 1 FROM codings c JOIN themes t ON t.id = c.theme_id
            JOIN comment_analysis a ON a.comment_id = c.comment_id
            WHERE c.comment_id = m.id AND t.portfolio_id = ? AND {ACTIVE_CODING})""")
        params.append(portfolio_id)
    rows = project.db.execute(
        f"""SELECT m.id FROM respondents r JOIN comments m ON m.respondent_id = r.id
            WHERE {" AND ".join(clauses)} ORDER BY m.id""", params).fetchall()
    return tuple(row[0] for row in rows)


# ----- two groups side by side ---------------------------------------------------------------
@dataclass(frozen=True)
class ThemeDifference:
    theme_id: int
    theme: str
    portfolio_id: int
    portfolio: str
    a_count: int          # respondents in group A with the theme on
    b_count: int
    a_share: float
    b_share: float
    p_value: float | None  # two-sided two-proportion z-test; None when not tested
    significant: bool
    note: str = ""

    @property
    def difference(self) -> float:
        """A's share minus B's, as a fraction (0.05 = five percentage points)."""
        return self.a_share - self.b_share


@dataclass(frozen=True)
class Comparison:
    a_respondents: int    # respondents in each group with a counted comment (the shares' bases)
    b_respondents: int
    overlap: int          # respondents in both groups
    alpha: float
    rows: list[ThemeDifference]
    notes: list[str]

    @property
    def tests(self) -> int:
        return sum(row.p_value is not None for row in self.rows)


def two_proportion_test(x1: int, n1: int, x2: int, n2: int,
                        min_expected: float = MIN_EXPECTED) -> tuple[float, float] | None:
    """(z, two-sided p) for the difference between x1/n1 and x2/n2, pooled standard error.

    None when the normal approximation does not hold: some group would expect fewer than
    `min_expected` respondents with, or without, the theme under the pooled share.
    """
    if n1 <= 0 or n2 <= 0:
        return None
    pooled = (x1 + x2) / (n1 + n2)
    expected = (n1 * pooled, n1 * (1 - pooled), n2 * pooled, n2 * (1 - pooled))
    if min(expected) < min_expected:
        return None
    se = math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
    z = (x1 / n1 - x2 / n2) / se
    return z, math.erfc(abs(z) / math.sqrt(2))


def _group_sql(f: CommentFilter) -> tuple[str, list]:
    """A SELECT of (comment id, respondent id) for the counted comments a filter finds.

    The comments table is scanned, not read through its (consultation, duplicate key) index:
    with no statistics the planner takes that index to be selective, but a consultation is
    usually most of the project, and scanning is then eight times cheaper. Rowid lookups (a
    search's matches) are still used.
    """
    where, params, needs_respondent = browse_where(f.with_(counted_only=True))
    join = "JOIN respondents r ON r.id = c.respondent_id" if needs_respondent else ""
    return (f"SELECT c.id AS comment_id, c.respondent_id FROM comments c NOT INDEXED {join} "
            f"{where}"), params


def group_theme_counts(project: Project, f: CommentFilter) -> tuple[int, dict[int, int]]:
    """(respondents the filter finds with a counted comment, theme id → those with the theme on in the
    comments the filter finds). One statement."""
    group, params = _group_sql(f)
    rows = project.db.execute(f"""
        WITH g AS ({group})
        SELECT NULL, count(DISTINCT respondent_id) FROM g
        UNION ALL
        SELECT c.theme_id, count(DISTINCT m.respondent_id) FROM {_ACTIVE_ROWS}
        WHERE {ACTIVE_CODING} AND c.comment_id IN (SELECT comment_id FROM g)
        GROUP BY c.theme_id""", params).fetchall()
    total = next((n for key, n in rows if key is None), 0)
    return int(total or 0), {key: n for key, n in rows if key is not None}


def group_overlap(project: Project, a: CommentFilter, b: CommentFilter) -> int:
    """Respondents found by both filters (with a counted comment)."""
    group_a, params_a = _group_sql(a)
    group_b, params_b = _group_sql(b)
    return project.db.execute(
        f"SELECT count(*) FROM (SELECT respondent_id FROM ({group_a}) "
        f"INTERSECT SELECT respondent_id FROM ({group_b}))", params_a + params_b).fetchone()[0]


def compare_groups(project: Project, a: CommentFilter, b: CommentFilter,
                   alpha: float = DEFAULT_ALPHA) -> Comparison:
    """For each theme, the share of each group's commenting respondents with it on, the
    difference and whether a two-sided two-proportion z-test finds it at level `alpha`.

    Tests are not corrected for being run once per theme: with 30 themes and alpha 0.05
    about one and a half differences may be flagged by chance alone (said in `notes`).
    """
    n_a, counts_a = group_theme_counts(project, a)
    n_b, counts_b = group_theme_counts(project, b)
    overlap = group_overlap(project, a, b)
    rows = []
    for theme in store.themes(project):
        x_a, x_b = counts_a.get(theme["id"], 0), counts_b.get(theme["id"], 0)
        result = two_proportion_test(x_a, n_a, x_b, n_b)
        note = "" if result is not None else (
            "no respondents in a group" if not n_a or not n_b else
            "too few respondents to test" if x_a + x_b else "not mentioned by either group")
        rows.append(ThemeDifference(
            theme["id"], theme["name"], theme["portfolio_id"], theme["portfolio"], x_a, x_b,
            share(x_a, n_a), share(x_b, n_b), result[1] if result else None,
            bool(result and result[1] < alpha), note))
    return Comparison(n_a, n_b, overlap, alpha, rows,
                      _comparison_notes(n_a, n_b, overlap, alpha, rows))


def _comparison_notes(n_a: int, n_b: int, overlap: int, alpha: float,
                      rows: list[ThemeDifference]) -> list[str]:
    notes = []
    for label, n in (("A", n_a), ("B", n_b)):
        if n == 0:
            notes.append(f"Group {label} has no respondents with a counted comment.")
        elif n < SMALL_GROUP:
            notes.append(f"Group {label} has only {n} respondent{'' if n == 1 else 's'} with a "
                         "counted comment: each one "
                         f"moves its shares by {100 / n:.0f} percentage points.")
    if overlap:
        notes.append(f"{overlap:,} respondents are in both groups; the test assumes separate "
                     "groups, so treat its markers with caution.")
    tested = sum(row.p_value is not None for row in rows)
    if tested:
        notes.append(f"{tested} themes tested at α = {alpha:g} without correction: about "
                     f"{tested * alpha:.1f} could be marked by chance alone.")
    return notes


# ----- words ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class WordCount:
    token: str        # as stored by the analysis ("mental_health"); CommentFilter.word takes it
    text: str         # as shown ("mental health")
    comments: int     # comments (found by the filter) containing it
    sentiment: float | None  # mean effective sentiment of those comments, 1..5


def _left_out(token: str) -> bool:
    """Words the cloud and its word list both leave out, so the two always show the same."""
    from engage.analysis.cloud import is_filler  # cloud imports this module

    return token in CLOUD_LEAVE_OUT or token.isdigit() or len(token) < 2 or is_filler(token)


def word_frequencies(project: Project, f: CommentFilter, limit: int = 150) -> list[WordCount]:
    """The lemmas and phrases most comments found by `f` use, most common first.

    Built from the tokens the analysis stored (stop words already out); a word counts once per
    comment, so its figure is the number of comments a click on it shows. The negations kept
    for sentiment and bare numbers are left out.
    """
    where, params, needs_respondent = browse_where(f.with_(counted_only=True))
    join = "JOIN respondents r ON r.id = c.respondent_id" if needs_respondent else ""
    clause = (where + " AND " if where else "WHERE ") + "a.tokens IS NOT NULL AND a.tokens != ''"
    counts: Counter = Counter()
    feeling: dict[str, list[int]] = {}
    cursor = project.db.execute(
        f"""SELECT a.tokens, {CHART_SENTIMENT} FROM comments c NOT INDEXED {join}
            JOIN comment_analysis a ON a.comment_id = c.id {clause}""", params)
    for tokens, sentiment in cursor:
        words = set(tokens.split())
        counts.update(words)
        if sentiment is not None:
            for word in words:
                total = feeling.setdefault(word, [0, 0])
                total[0] += sentiment
                total[1] += 1
    out = []
    for token, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        if _left_out(token):
            continue
        total = feeling.get(token)
        out.append(WordCount(token, display_word(token), n,
                             total[0] / total[1] if total else None))
        if len(out) == limit:
            break
    return out


#: How some tokens are written for people: acronyms in capitals, A&E as people write it.
SHOWN_AS = {"a_and_e": "A&E", "gp": "GP", "nhs": "NHS", "cqc": "CQC", "mri": "MRI", "ct": "CT",
            "icu": "ICU", "ics": "ICS", "pcn": "PCN", "vcse": "VCSE", "ae": "A&E"}


def display_word(token: str) -> str:
    """A stored token as people read it: phrases with spaces ("mental_health" → "mental
    health"), acronyms in capitals ("gp_appointment" → "GP appointment")."""
    if token in SHOWN_AS:
        return SHOWN_AS[token]
    return " ".join(SHOWN_AS.get(part, part) for part in re.split(r"_+", token) if part)
