"""The figures behind the co-production dashboard, each traceable to its activities or comments.

- place × portfolio: how many activities fed each portfolio in each place, and the highest rung
  of the participation ladder reached there;
- responses per 1,000 people by locality against the county rate, flagging under-heard places;
- participation levels per place, flagging places where engagement never rose above consult;
- a timeline of activities by month, and open "you said, we did" actions by portfolio.

Places roll up: an activity or respondent in a PCN or ward counts for its locality. Activities
recorded against a wider place (the ICS, a council area, a partnership) get a row of their own
rather than being spread over localities they may not have reached. Every cell carries the ids
of its activities (or a `CommentFilter` for its comments), so the UI can click through.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from engage.browse import CommentFilter
from engage.coproduction.placeadmin import locality_of
from engage.coproduction.portfolios import portfolio_names
from engage.coproduction.vocab import (
    ACTION_STATUSES,
    LEVELS,
    NO_PLACE,
    NO_PORTFOLIO,
    OPEN_STATUSES,
    level_rank,
)
from engage.project import Project

#: A locality is under-heard when its response rate is below this share of the county rate
#: (two-thirds; nobody at all is a rate of 0). Reports use the same rule.
UNDER_HEARD_SHARE = 2 / 3


def _highest(levels) -> str | None:
    ranked = [level for level in levels if level in LEVELS]
    return max(ranked, key=level_rank) if ranked else None


@dataclass(frozen=True)
class PlaceRow:
    """A dashboard row: a locality, a wider place, or `None` for activities with no place."""

    place_id: int | None
    name: str
    kind: str


@dataclass
class ActivityCell:
    activity_ids: tuple[int, ...] = ()
    highest_level: str | None = None
    suggested: int = 0       # how many of them are linked here only by a suggestion

    @property
    def count(self) -> int:
        return len(self.activity_ids)


@dataclass
class Matrix:
    rows: list[PlaceRow]
    portfolios: list[str]
    cells: dict[tuple[int | None, str], ActivityCell]

    def cell(self, place_id: int | None, portfolio: str) -> ActivityCell:
        return self.cells.get((place_id, portfolio), ActivityCell())

    def row_cell(self, place_id: int | None) -> ActivityCell:
        """All activities in a row, whatever the portfolio."""
        ids: dict[int, None] = {}
        levels = []
        for (pid, _portfolio), cell in self.cells.items():
            if pid == place_id:
                ids.update(dict.fromkeys(cell.activity_ids))
                levels.append(cell.highest_level)
        return ActivityCell(tuple(sorted(ids)), _highest(levels))


# ----- shared loading -------------------------------------------------------------------
@dataclass
class _Register:
    """Activities with their rolled-up rows and portfolios, loaded once per dashboard."""

    levels: dict[int, str]
    starts: dict[int, str | None]
    rows_of: dict[int, list[PlaceRow]]
    portfolios_of: dict[int, list[tuple[str, bool]]]
    localities: list[PlaceRow]
    wider: list[PlaceRow]
    participants: dict[int, int | None] = field(default_factory=dict)


def _load(project: Project) -> _Register:
    db = project.db
    places = {pid: (name, kind) for pid, name, kind in
              db.execute("SELECT id, name, kind FROM places ORDER BY id")}
    locality = locality_of(project)
    localities = [PlaceRow(pid, name, kind) for pid, (name, kind) in places.items()
                  if kind == "locality"]
    levels, starts, participants = {}, {}, {}
    for aid, level, start, end, people in db.execute(
            "SELECT id, level, start_date, end_date, participants FROM activities"):
        levels[aid], starts[aid], participants[aid] = level, start or end, people
    rows_of: dict[int, list[PlaceRow]] = defaultdict(list)
    wider: dict[int, PlaceRow] = {}
    for aid, pid in db.execute("SELECT activity_id, place_id FROM activity_places "
                               "ORDER BY activity_id, place_id"):
        home = locality.get(pid) or pid
        name, kind = places[home]
        row = PlaceRow(home, name, kind)
        if kind != "locality":
            wider[home] = row
        if row not in rows_of[aid]:
            rows_of[aid].append(row)
    no_place = PlaceRow(None, NO_PLACE, "none")
    for aid in levels:
        if not rows_of[aid]:
            rows_of[aid].append(no_place)
    portfolios_of: dict[int, list[tuple[str, bool]]] = defaultdict(list)
    for aid, name, suggested in db.execute(
            "SELECT ap.activity_id, coalesce(p.name, ap.portfolio), ap.suggested "
            "FROM activity_portfolios ap LEFT JOIN portfolios p ON p.id = ap.portfolio_id "
            "ORDER BY ap.activity_id, ap.rowid"):
        portfolios_of[aid].append((name, bool(suggested)))
    wider_rows = sorted(wider.values(), key=lambda r: r.place_id or 0)
    if any(no_place in rows for rows in rows_of.values()):
        wider_rows.append(no_place)
    return _Register(levels, starts, dict(rows_of), dict(portfolios_of), localities,
                     wider_rows, participants)


# ----- place × portfolio ----------------------------------------------------------------
def place_portfolio_matrix(project: Project) -> Matrix:
    """Activity counts per place and portfolio with the highest participation level reached.

    An activity counts once in every row it reached and every portfolio it fed (confirmed or
    suggested; `suggested` says how many are only suggestions).
    """
    reg = _load(project)
    columns = portfolio_names(project)
    ids: dict[tuple[int | None, str], list[int]] = defaultdict(list)
    suggested: dict[tuple[int | None, str], int] = defaultdict(int)
    for aid in reg.levels:
        links = reg.portfolios_of.get(aid) or [(NO_PORTFOLIO, False)]
        for row in reg.rows_of[aid]:
            for name, is_suggestion in links:
                ids[(row.place_id, name)].append(aid)
                suggested[(row.place_id, name)] += int(is_suggestion)
                if name not in columns:
                    columns.append(name)
    cells = {key: ActivityCell(tuple(sorted(found)), _highest(reg.levels[a] for a in found),
                               suggested[key]) for key, found in ids.items()}
    return Matrix(reg.localities + reg.wider, columns, cells)


# ----- responses per 1,000 --------------------------------------------------------------
@dataclass
class PlaceRate:
    place_id: int
    name: str
    population: int | None
    population_is_estimate: bool
    respondents: int
    rate: float | None           # respondents per 1,000 people
    ratio: float | None          # rate / county rate
    under_heard: bool
    comment_filter: CommentFilter


@dataclass
class Rates:
    rows: list[PlaceRate]
    county_rate: float | None
    county_respondents: int      # respondents in localities that have a population
    county_population: int
    unplaced: int                # respondents with no place at all
    above_locality: int          # placed only at ICS / council / partnership level
    no_population: list[str]     # localities whose rate cannot be worked out
    threshold: float
    any_estimate: bool

    @property
    def rule(self) -> str:
        county = "n/a" if self.county_rate is None else f"{self.county_rate:.1f}"
        text = (f"Under-heard: fewer than {self.threshold:.2f} × the county rate of responses per "
                f"1,000 people (county: {county} per 1,000, from {self.county_respondents:,} "
                f"respondents in localities with a population).")
        if self.unplaced or self.above_locality:
            text += (f" Not in any locality's rate: {self.unplaced:,} with no place, "
                     f"{self.above_locality:,} placed only at county, council or town level "
                     "(a town such as Poole named without a postcode: locality unknown).")
        text += (" Respondents are people, counted whatever they wrote (the Engage counting "
                 "rule; reports use the same figures).")
        if self.any_estimate:
            text += " Populations marked * are estimates."
        return text


def response_rates(project: Project, consultation_id: int | None = None,
                   threshold: float = UNDER_HEARD_SHARE) -> Rates:
    """Respondents per 1,000 population in each locality, against the county rate."""
    where = "WHERE consultation_id = ?" if consultation_id is not None else ""
    params = [consultation_id] if consultation_id is not None else []
    counts = project.db.execute(
        f"SELECT place_id, count(*) FROM respondents {where} GROUP BY place_id",
        params).fetchall()
    locality = locality_of(project)
    per_locality: dict[int, int] = defaultdict(int)
    unplaced = above = 0
    for place_id, n in counts:
        if place_id is None:
            unplaced += n
        elif locality.get(place_id) is None:
            above += n
        else:
            per_locality[locality[place_id]] += n
    localities = project._rows("SELECT id, name, population, population_is_estimate "
                               "FROM places WHERE kind = 'locality' ORDER BY id")
    with_population = [r for r in localities if r["population"]]
    county_people = sum(r["population"] for r in with_population)
    county_resp = sum(per_locality[r["id"]] for r in with_population)
    county_rate = 1000 * county_resp / county_people if county_people else None
    rows = []
    for r in localities:
        n = per_locality[r["id"]]
        rate = 1000 * n / r["population"] if r["population"] else None
        ratio = rate / county_rate if rate is not None and county_rate else None
        rows.append(PlaceRate(
            r["id"], r["name"], r["population"], bool(r["population_is_estimate"]), n, rate,
            ratio, ratio is not None and ratio < threshold,
            CommentFilter(consultation_id=consultation_id, place_id=r["id"])))
    return Rates(rows, county_rate, county_resp, county_people, unplaced, above,
                 [r["name"] for r in localities if not r["population"]], threshold,
                 any(r["population_is_estimate"] for r in with_population))


# ----- participation levels per place ---------------------------------------------------
@dataclass
class LevelRow:
    place: PlaceRow
    ids_by_level: dict[str, tuple[int, ...]]

    @property
    def highest(self) -> str | None:
        return _highest(level for level, ids in self.ids_by_level.items() if ids)

    @property
    def total(self) -> int:
        return len({aid for ids in self.ids_by_level.values() for aid in ids})

    @property
    def never_above_consult(self) -> bool:
        """True for a place with activities none of which went beyond consulting people."""
        return self.total > 0 and level_rank(self.highest) <= level_rank("consult")


def levels_by_place(project: Project) -> list[LevelRow]:
    reg = _load(project)
    found: dict[PlaceRow, dict[str, list[int]]] = {
        row: {level: [] for level in LEVELS} for row in reg.localities + reg.wider}
    for aid, level in reg.levels.items():
        for row in reg.rows_of[aid]:
            found[row][level].append(aid)
    return [LevelRow(row, {level: tuple(sorted(ids)) for level, ids in by_level.items()})
            for row, by_level in found.items()]


# ----- timeline -------------------------------------------------------------------------
@dataclass
class Month:
    """One period of the timeline: a month ("2019-03") or a quarter ("2019-Q1")."""

    month: str
    ids_by_level: dict[str, tuple[int, ...]]
    participants: int

    @property
    def activity_ids(self) -> tuple[int, ...]:
        return tuple(sorted(aid for ids in self.ids_by_level.values() for aid in ids))


def timeline(project: Project, by: str = "month") -> tuple[list[Month], tuple[int, ...]]:
    """Activities by the month (or quarter) they started, gaps filled, and undated ids.

    A register spanning years is easier to read by quarter; `by="auto"` picks quarters when
    the dated activities span more than 18 months.
    """
    reg = _load(project)
    dated = {aid: start for aid, start in reg.starts.items() if start}
    undated = tuple(sorted(aid for aid in reg.starts if aid not in dated))
    if not dated:
        return [], undated
    if by == "auto":
        first, last = min(dated.values()), max(dated.values())
        span = (int(last[:4]) - int(first[:4])) * 12 + int(last[5:7]) - int(first[5:7])
        by = "quarter" if span > 18 else "month"
    if by not in ("month", "quarter"):
        raise ValueError(f"timeline by {by!r}: expected month, quarter or auto")
    by_period: dict[str, dict[str, list[int]]] = defaultdict(
        lambda: {lv: [] for lv in LEVELS})
    for aid, start in dated.items():
        by_period[_period(start, by)][reg.levels[aid]].append(aid)
    out = []
    for period in _period_range(min(by_period), max(by_period), by):
        levels = by_period.get(period, {lv: [] for lv in LEVELS})
        ids = [aid for found in levels.values() for aid in found]
        out.append(Month(period, {lv: tuple(sorted(found)) for lv, found in levels.items()},
                         sum(reg.participants.get(aid) or 0 for aid in ids)))
    return out, undated


def _period(date: str, by: str) -> str:
    if by == "month":
        return date[:7]
    return f"{date[:4]}-Q{(int(date[5:7]) - 1) // 3 + 1}"


def _period_range(first: str, last: str, by: str) -> list[str]:
    year = int(first[:4])
    step = 1 if by == "month" else 3
    month = int(first[5:7]) if by == "month" else (int(first[6]) - 1) * 3 + 1
    out = []
    while True:
        period = _period(f"{year:04d}-{month:02d}", by)
        if period > last:
            return out
        out.append(period)
        month += step
        if month > 12:
            year, month = year + 1, month - 12


# ----- open actions by portfolio --------------------------------------------------------
@dataclass
class ActionGroup:
    portfolio: str
    ids_by_status: dict[str, tuple[int, ...]]
    overdue: tuple[int, ...]

    @property
    def open_ids(self) -> tuple[int, ...]:
        return tuple(sorted(a for s in OPEN_STATUSES for a in self.ids_by_status[s]))


def actions_by_portfolio(project: Project, today: str | None = None) -> list[ActionGroup]:
    """Every portfolio with its actions by status; open ones past their due date are overdue."""
    today = today or dt.date.today().isoformat()
    names = portfolio_names(project)
    groups: dict[str, dict[str, list[int]]] = {
        name: {s: [] for s in ACTION_STATUSES} for name in names}
    overdue: dict[str, list[int]] = defaultdict(list)
    for aid, portfolio, status, due in project.db.execute(
            "SELECT a.id, coalesce(p.name, a.portfolio), a.status, a.due_date FROM actions a "
            "LEFT JOIN portfolios p ON p.id = a.portfolio_id ORDER BY a.id"):
        name = portfolio or NO_PORTFOLIO
        groups.setdefault(name, {s: [] for s in ACTION_STATUSES})[status].append(aid)
        if status in OPEN_STATUSES and due and due < today:
            overdue[name].append(aid)
    return [ActionGroup(name, {s: tuple(ids) for s, ids in by_status.items()},
                        tuple(overdue[name])) for name, by_status in groups.items()]


# ----- headline -------------------------------------------------------------------------
def headline(project: Project) -> dict:
    """The numbers above the dashboard."""
    one = lambda sql: project.db.execute(sql).fetchone()[0]  # noqa: E731
    return {
        "activities": one("SELECT count(*) FROM activities"),
        "participants": one("SELECT coalesce(sum(participants), 0) FROM activities"),
        "partners": one("SELECT count(DISTINCT partner_id) FROM activity_partners"),
        "co_produced": one("SELECT count(*) FROM activities WHERE level IN "
                           "('co-design', 'co-produce')"),
        "open_actions": one("SELECT count(*) FROM actions WHERE status IN "
                            "('planned', 'in progress')"),
        "done_actions": one("SELECT count(*) FROM actions WHERE status = 'done'"),
        "suggested_portfolios": one("SELECT count(DISTINCT activity_id) FROM "
                                    "activity_portfolios WHERE suggested = 1"),
    }
