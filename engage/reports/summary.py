"""Every figure of a consultation summary, computed once: the single source for all renderers.

`build_summary` asks `engage.reports.queries` and returns plain dataclasses. Renderers format
them and never count anything themselves, so a board paper, its PDF and its HTML twin cannot
disagree, and a test can check each printed number against its query.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Collection
from dataclasses import dataclass, field

from engage.analysis.agreement import (
    AgreementSummary,
    SentimentAgreement,
    sentiment_agreement,
    theme_agreement,
)
from engage.analysis.kinds import HEADLINE_KINDS
from engage.progress import CancelFn, ProgressFn, Reporter
from engage.project import Project
from engage.reports import queries as q
from engage.reports.queries import ReportScope
from engage.reports.quotes import Quote, choose_quotes

#: What a place row adds up when a place inside a locality counts for the locality.
_PLACE_FIGURES = ("respondents", "comments", "positive", "neutral", "negative", *HEADLINE_KINDS)

#: Report sections in reading order: key → heading. The officer picks any subset.
SECTIONS: dict[str, str] = {
    "summary": "Executive summary",
    "themes": "Themes by portfolio",
    "sentiment": "How people feel",
    "quotes": "What people said",
    "wordclouds": "Words people used",
    "places": "Responses by place",
    "profile": "Who responded",
    "coproduction": "Co-production and engagement activities",
    "actions": "You said, we did",
    "methodology": "How the comments were analysed",
    "codebook": "Appendix: codebook",
}
SENTIMENT_LABELS = {1: "Very positive", 2: "Positive", 3: "Neutral or mixed", 4: "Negative",
                    5: "Very negative"}
#: A theme's feeling is named in the executive summary only on at least this many comments
#: with a sentiment: "100% negative" from five comments says nothing a board can use.
MIN_SENTIMENT_BASE = 30
#: Left out of word clouds: the negations the analysis keeps for sentiment
#: (engage.nlp.text.NEGATIONS; a test keeps the two in step) say nothing on their own.
CLOUD_LEAVE_OUT = frozenset({"not", "no", "never", "nothing", "nobody", "none", "noone",
                             "nor", "cannot", "without"})


@dataclass(frozen=True)
class Sentiment:
    """Counts by the five NHS patient-experience levels, with the three-level roll-up."""

    levels: dict[int, int]
    unknown: int = 0

    @property
    def positive(self) -> int:
        return self.levels.get(1, 0) + self.levels.get(2, 0)

    @property
    def neutral(self) -> int:
        return self.levels.get(3, 0)

    @property
    def negative(self) -> int:
        return self.levels.get(4, 0) + self.levels.get(5, 0)

    @property
    def rated(self) -> int:
        return sum(self.levels.values())

    def share(self, part: int) -> float:
        return part / self.rated if self.rated else 0.0


@dataclass(frozen=True)
class Counts:
    respondents: int
    respondents_commenting: int
    respondents_counted: int
    comments: int
    no_content: int
    repeats: int
    campaign: int
    excluded: int
    counted: int
    analysed: int
    coded: int
    reviewed: int
    officer_sentiment: int
    masked_comments: int
    with_sentiment: int


@dataclass(frozen=True)
class ThemeFigure:
    theme_id: int
    name: str
    portfolio_id: int
    portfolio: str
    description: str
    comments: int
    respondents: int
    share_of_respondents: float
    sentiment: Sentiment
    #: counted comments of each headline kind: 'suggestion' (asked for), 'praise', 'complaint'
    kinds: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class PortfolioFigure:
    portfolio_id: int
    name: str
    description: str
    comments: int
    respondents: int
    share_of_respondents: float
    themes: list[ThemeFigure]


@dataclass(frozen=True)
class PlaceFigure:
    place_id: int | None
    name: str
    kind: str | None
    respondents: int
    comments: int
    share_of_respondents: float
    population: int | None
    population_is_estimate: bool
    share_of_population: float | None
    rate_per_1000: float | None
    under_heard: bool
    sentiment: Sentiment
    top_themes: list[tuple[str, int]]
    locality: bool = False   # one of the project's localities (listed even when nobody replied)
    #: counted comments of each headline kind, as on ThemeFigure
    kinds: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class ProfileTable:
    attribute: str
    label: str
    rows: list[tuple[str, int, float]]  # value, respondents, share of respondents


@dataclass(frozen=True)
class ThemeAgreementRow:
    theme: str
    portfolio: str
    officer_yes: int
    model_yes: int
    both: int
    kappa: float | None
    precision: float | None
    recall: float | None


@dataclass(frozen=True)
class Agreement:
    reviewed: int
    themes: AgreementSummary
    rows: list[ThemeAgreementRow]
    sentiment: SentimentAgreement


@dataclass(frozen=True)
class Coproduction:
    available: bool
    activities: list[dict]
    level_counts: dict[str, int]
    participants: int
    actions: list[dict]
    action_status_counts: dict[str, int]


@dataclass(frozen=True)
class CodebookEntry:
    portfolio: str
    portfolio_description: str
    themes: list[tuple[str, str]]  # name, description


@dataclass
class ConsultationSummary:
    title: str
    scope: ReportScope
    scope_names: dict[str, str | None]
    generated_at: str
    first_date: str | None
    last_date: str | None
    counts: Counts
    masked_kinds: dict[str, int]
    files: list[dict]
    runs: list[dict]
    questions: list[dict]
    portfolios: list[PortfolioFigure]
    sentiment: Sentiment
    places: list[PlaceFigure]
    overall_rate_per_1000: float | None
    profile: list[ProfileTable]
    quotes: dict[int, list[Quote]]
    agreement: Agreement
    coproduction: Coproduction
    codebook: list[CodebookEntry]
    word_frequencies: dict[int | None, dict[str, int]] = field(default_factory=dict)
    campaigns: list = field(default_factory=list)   # engage.analysis.counting.Campaign
    #: One methodology sentence on officer-vs-officer agreement (engage.team.kappa), or None.
    officer_agreement: str | None = None

    @property
    def themes(self) -> list[ThemeFigure]:
        return [t for p in self.portfolios for t in p.themes]

    def theme(self, theme_id: int) -> ThemeFigure:
        for t in self.themes:
            if t.theme_id == theme_id:
                return t
        raise KeyError(theme_id)

    def top_themes(self, n: int = 5) -> list[ThemeFigure]:
        ranked = sorted((t for t in self.themes if t.comments), key=lambda t: (-t.comments,
                                                                               t.name))
        return ranked[:n]

    @property
    def scope_label(self) -> str:
        """A line saying which part of the project the report covers."""
        names = self.scope_names
        parts = [names.get("consultation") or names.get("all") or "All consultations"]
        if names.get("place"):
            parts.append(f"place: {names['place']}")
        if names.get("question"):
            parts.append(f"question: {names['question']}")
        for attribute, value in self.scope.attributes:
            parts.append(f"{attribute.replace('_', ' ')}: {value}")
        return " · ".join(parts)


def _share(part: int, whole: int) -> float:
    return part / whole if whole else 0.0


def build_summary(project: Project, scope: ReportScope | None = None,
                  sections: Collection[str] | None = None, title: str | None = None,
                  progress: ProgressFn | None = None,
                  cancelled: CancelFn | None = None) -> ConsultationSummary:
    """Compute the figures for a consultation summary of `scope` (default: the whole project).

    `sections` only decides whether the word frequencies (the one costly extra) are gathered.
    """
    scope = scope or ReportScope()
    with q.materialised(project, scope):
        return _build(project, scope, sections, title, Reporter(progress, cancelled))


def _build(project: Project, scope: ReportScope, sections: Collection[str] | None,
           title: str | None, report: Reporter) -> ConsultationSummary:
    report(0.0, "Counting comments")
    names = q.scope_names(project, scope)
    names["all"] = ("All responses" if len(project.consultations()) == 1
                    else "All consultations")
    if scope.consultation_id is not None and names["consultation"] is None:
        from engage.errors import NotFoundError

        raise NotFoundError(f"no consultation {scope.consultation_id} in {project.path.name}")
    counts = Counts(**q.headline_counts(project, scope))
    first, last = q.consultation_dates(project, scope)
    report(0.15, "Counting themes")
    portfolios = _portfolios(project, scope, counts)
    sentiment_rows = q.sentiment_counts(project, scope)
    sentiment = Sentiment({k: v for k, v in sentiment_rows.items() if k is not None},
                          sentiment_rows[None])
    report(0.35, "Counting places and respondents")
    places, overall_rate = _places(project, scope, portfolios)
    campaigns = _campaigns(project, scope)
    profile = [_profile(project, scope, attribute, label, counts.respondents)
               for attribute, label in q.PROFILE_ATTRIBUTES]
    report(0.5, "Choosing quotes")
    quotes = choose_quotes(q.quote_candidates(project, scope))
    report(0.6, "Measuring agreement")
    agreement = _agreement(project, scope, portfolios)
    report(0.7, "Reading co-production records")
    coproduction = _coproduction(project, scope)
    summary = ConsultationSummary(
        title=title or names["consultation"] or _project_title(project), scope=scope,
        scope_names=names, generated_at=dt.date.today().isoformat(), first_date=first,
        last_date=last, counts=counts, masked_kinds=q.masked_kinds(project, scope),
        files=q.imported_files(project, scope), runs=_runs(project, scope),
        questions=q.questions_in_scope(project, scope), portfolios=portfolios,
        sentiment=sentiment, places=places, overall_rate_per_1000=overall_rate,
        campaigns=campaigns,
        profile=profile, quotes=quotes, agreement=agreement, coproduction=coproduction,
        codebook=_codebook(project), officer_agreement=_officer_agreement(project, scope))
    if sections is None or "wordclouds" in sections:
        report(0.8, "Counting words")
        summary.word_frequencies = word_frequencies(project, scope)
    report(1.0, "Figures ready", force=True)
    return summary


def _project_title(project: Project) -> str:
    """With no consultation chosen: the only one's name, else a generic title."""
    consultations = project.consultations()
    return consultations[0]["name"] if len(consultations) == 1 else "Consultation summary"


def _portfolios(project: Project, scope: ReportScope, counts: Counts) -> list[PortfolioFigure]:
    descriptions = {t["id"]: t["description"] or "" for t in q.codebook_themes(project)}
    by_portfolio: dict[int, list[ThemeFigure]] = {}
    for row in q.theme_rows(project, scope):
        by_portfolio.setdefault(row["portfolio_id"], []).append(ThemeFigure(
            theme_id=row["theme_id"], name=row["theme"], portfolio_id=row["portfolio_id"],
            portfolio=row["portfolio"], description=descriptions.get(row["theme_id"], ""),
            comments=row["comments"], respondents=row["respondents"],
            share_of_respondents=_share(row["respondents"], counts.respondents_counted),
            sentiment=Sentiment({level: row[f"s{level}"] for level in range(1, 6)},
                                row["comments"] - sum(row[f"s{level}"] for level in range(1, 6))),
            kinds={kind: row.get(kind, 0) for kind in ("suggestion", "praise", "complaint")}))
    descriptions_p = {p["id"]: p["description"] or "" for p in q.codebook_portfolios(project)}
    return [PortfolioFigure(row["portfolio_id"], row["portfolio"],
                            descriptions_p.get(row["portfolio_id"], ""), row["comments"],
                            row["respondents"],
                            _share(row["respondents"], counts.respondents_counted),
                            by_portfolio.get(row["portfolio_id"], []))
            for row in q.portfolio_rows(project, scope)]


def _places(project: Project, scope: ReportScope,
            portfolios: list[PortfolioFigure]) -> tuple[list[PlaceFigure], float | None]:
    """Every locality in scope (nobody from it included), then wider places respondents were
    put in (a council area, "Poole (locality unknown)"), then respondents with no place.

    A respondent in a place inside a locality (a PCN, a ward) counts for the locality, as on
    the co-production dashboard, and the under-heard rule is the dashboard's."""
    from engage.coproduction.dashboard import UNDER_HEARD_SHARE
    from engage.coproduction.placeadmin import locality_of

    theme_names = {t.theme_id: t.name for p in portfolios for t in p.themes}
    per_place_themes = q.place_theme_counts(project, scope)
    home_of = locality_of(project)
    known = {p["id"]: p for p in project.places()}
    merged: dict[int | None, dict] = {}
    themes_of: dict[int | None, Counter] = {}
    for r in q.place_rows(project, scope):
        pid = r["place_id"]
        home = None if pid is None else (home_of.get(pid) or pid)
        into = merged.setdefault(home, dict.fromkeys(_PLACE_FIGURES, 0))
        for key in into:
            into[key] += r[key]
        themes_of.setdefault(home, Counter()).update(dict(per_place_themes.get(pid, [])))
    localities = [p for p in known.values() if p["kind"] == "locality"
                  and _in_scope(p["id"], scope.place_id, known, home_of)]
    order = [p["id"] for p in localities] + sorted(
        (k for k in merged if k is not None and k not in {p["id"] for p in localities}),
        key=lambda k: -merged[k]["respondents"]) + ([None] if None in merged else [])
    total = sum(m["respondents"] for m in merged.values())
    with_population = [p for p in localities if p["population"]]
    population_total = sum(p["population"] for p in with_population)
    overall_rate = (1000 * sum(merged.get(p["id"], {}).get("respondents", 0)
                               for p in with_population) / population_total
                    if population_total else None)
    empty = dict.fromkeys(_PLACE_FIGURES, 0)
    places = []
    for pid in order:
        r = merged.get(pid, empty)
        place = known.get(pid, {}) if pid is not None else {}
        is_locality = place.get("kind") == "locality"
        population = (place.get("population") or None) if is_locality else None
        rate = 1000 * r["respondents"] / population if population else None
        places.append(PlaceFigure(
            place_id=pid, name=place.get("name", q.NO_PLACE), kind=place.get("kind"),
            respondents=r["respondents"], comments=r["comments"],
            share_of_respondents=_share(r["respondents"], total),
            population=population,
            population_is_estimate=bool(place.get("population_is_estimate")),
            share_of_population=population / population_total if population else None,
            rate_per_1000=rate,
            under_heard=is_locality and bool(
                rate is not None and overall_rate and rate < UNDER_HEARD_SHARE * overall_rate),
            sentiment=Sentiment({1: r["positive"], 3: r["neutral"], 5: r["negative"]},
                                r["comments"] - r["positive"] - r["neutral"] - r["negative"]),
            top_themes=[(theme_names.get(tid, str(tid)), n)
                        for tid, n in sorted(themes_of.get(pid, Counter()).items(),
                                             key=lambda item: (-item[1], item[0]))[:3]],
            locality=is_locality, kinds={kind: r[kind] for kind in HEADLINE_KINDS}))
    return places, overall_rate


def _in_scope(locality_id: int, scope_place: int | None, known: dict[int, dict],
              home_of: dict[int, int | None]) -> bool:
    """A locality belongs in a report on `scope_place` when it lies within it (or is it), or
    when the scope is a place inside the locality."""
    if scope_place is None or home_of.get(scope_place) == locality_id:
        return True
    current: int | None = locality_id
    seen: set[int] = set()
    while current is not None and current not in seen:
        if current == scope_place:
            return True
        seen.add(current)
        place = known.get(current, {})
        if place.get("partnership_id") == scope_place:
            return True
        current = place.get("parent_id")
    return False


def _campaigns(project: Project, scope: ReportScope) -> list:
    """The campaigns whose responses are in scope (each counted once)."""
    from engage.analysis.counting import campaigns

    if scope == ReportScope():
        return campaigns(project)
    groups = {r["ndg"] for r in q.scope_rows(
        project, scope, "SELECT DISTINCT ndg FROM scope_comments WHERE ndg IS NOT NULL")}
    return [c for c in campaigns(project, scope.consultation_id) if c.group in groups]


def _profile(project: Project, scope: ReportScope, attribute: str, label: str,
             respondents: int) -> ProfileTable:
    return ProfileTable(attribute, label, [(value, n, _share(n, respondents))
                                           for value, n in q.profile_counts(project, scope,
                                                                            attribute)])


def _runs(project: Project, scope: ReportScope) -> list[dict]:
    used = q.runs_used(project, scope)
    runs = []
    for run in q.analysis_runs(project):
        runs.append({**run, "comments_in_report": used.get(run["id"], 0)})
    return runs


def _officer_agreement(project: Project, scope: ReportScope) -> str | None:
    from engage.team.kappa import methodology_sentence

    return methodology_sentence(project, scope.consultation_id)


def _agreement(project: Project, scope: ReportScope,
               portfolios: list[PortfolioFigure]) -> Agreement:
    model, officer = q.reviewed_theme_labels(project, scope)
    themes = [t for p in portfolios for t in p.themes]
    summary = theme_agreement(model, officer, [t.theme_id for t in themes])
    rows = []
    for t in themes:
        table = summary.for_theme(t.theme_id)
        if table is None or table.true_pos + table.false_pos + table.false_neg == 0:
            continue
        rows.append(ThemeAgreementRow(t.name, t.portfolio, table.true_pos + table.false_neg,
                                      table.true_pos + table.false_pos, table.true_pos,
                                      table.kappa, table.precision, table.recall))
    return Agreement(len(officer), summary, rows,
                     sentiment_agreement(q.sentiment_pairs(project, scope)))


def _coproduction(project: Project, scope: ReportScope) -> Coproduction:
    from engage.coproduction.vocab import ACTION_STATUSES, LEVELS

    available = q.coproduction_available(project)
    activities = q.activities_in_scope(project, scope) if available else []
    actions = q.actions_in_scope(project, scope) if available else []
    levels = Counter(a["level"] for a in activities)
    statuses = Counter(a["status"] for a in actions)
    return Coproduction(available, activities, {level: levels.get(level, 0) for level in LEVELS},
                        sum(a["participants"] or 0 for a in activities), actions,
                        {status: statuses.get(status, 0) for status in ACTION_STATUSES})


def _codebook(project: Project) -> list[CodebookEntry]:
    themes = q.codebook_themes(project)
    return [CodebookEntry(p["name"], p["description"] or "",
                          [(t["name"], t["description"] or "") for t in themes
                           if t["portfolio_id"] == p["id"]])
            for p in q.codebook_portfolios(project)]


# ----- words ----------------------------------------------------------------------------------
def word_frequencies(project: Project, scope: ReportScope,
                     limit: int = 120) -> dict[int | None, dict[str, int]]:
    """Portfolio id → its most frequent words; None → all counted comments.

    Uses the lemmatised tokens the analysis stored; comments never analysed fall back to
    their text without stop words. Multi-word tokens ("mental_health") are shown with a space.
    """
    counters: dict[int | None, Counter] = {None: Counter()}
    stop_words = None
    for portfolio_ids, tokens, text in q.comment_tokens(project, scope):
        if tokens:
            words = tokens.split()
        else:
            if stop_words is None:
                from engage.nlp.text import STOP_WORDS

                stop_words = STOP_WORDS
            words = [w for w in re.findall(r"[a-z][a-z']+", (text or "").lower())
                     if len(w) > 2 and w not in stop_words]
        counters[None].update(words)
        for pid in (portfolio_ids or "").split(","):
            if pid:
                counters.setdefault(int(pid), Counter()).update(words)
    return {pid: _top_words(counter, limit) for pid, counter in counters.items()}


#: How stored tokens are written in a cloud when lower case would look wrong.
CLOUD_SPELLINGS = {"gp": "GP", "gps": "GPs", "nhs": "NHS", "a_and_e": "A&E", "a&e": "A&E",
                   "ae": "A&E", "cqc": "CQC", "icb": "ICB", "ccg": "CCG", "pcn": "PCN",
                   "mri": "MRI", "111": "111", "999": "999", "covid": "COVID",
                   "gp_appointment": "GP appointment", "gp_surgery": "GP surgery"}


def _top_words(counter: Counter, limit: int) -> dict[str, int]:
    """The most frequent words, numbers left out, phrases shown with spaces."""
    out: dict[str, int] = {}
    for word, n in counter.most_common():
        if word in CLOUD_SPELLINGS:
            shown = CLOUD_SPELLINGS[word]
        elif word.isdigit() or word in CLOUD_LEAVE_OUT:
            continue
        else:
            shown = word.replace("_", " ")
        out[shown] = out.get(shown, 0) + n
        if len(out) == limit:
            break
    return out
