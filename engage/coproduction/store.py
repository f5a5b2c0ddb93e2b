"""The activity register: engagement and co-production activities, their partners and links.

Every write is one transaction with audit rows holding the activity as it was and as it became,
so the history of each entry can be shown and any edit undone by writing `before` back.
Writers return `Changes(activities=True)`; partners are part of the register, so adding one
on the way is covered by the same flag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from engage.changes import Changes
from engage.coproduction import portfolios as pf
from engage.coproduction.vocab import (
    ACTIVITY_TYPES,
    LEVELS,
    canonical_group,
    group_category,
    guess_partner_kind,
    level_rank,
    normalise_level,
    normalise_partner_kind,
    normalise_type,
)
from engage.errors import EngageError, NotFoundError
from engage.project import Project, utc_now

CHANGED = Changes(activities=True)


class ActivityError(EngageError):
    """An activity, partner or evidence entry the officer entered does not make sense."""


@dataclass
class Activity:
    """One register entry as the officer sees it: names for partners, ids for places."""

    title: str
    type: str
    level: str
    start_date: str | None = None
    end_date: str | None = None
    participants: int | None = None
    description: str = ""
    outcomes: str = ""
    place_ids: list[int] = field(default_factory=list)
    partners: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)
    portfolios: list[str] = field(default_factory=list)
    suggested_portfolios: list[str] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    consultation_ids: list[int] = field(default_factory=list)
    source: str = ""
    source_row: int | None = None
    id: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class ActivityFilter:
    """What the register view and `engage activities list` can narrow the list to."""

    place_id: int | None = None          # this place or any place inside it
    portfolio: str | None = None
    level: str | None = None
    type: str | None = None
    search: str = ""
    activity_ids: tuple[int, ...] | None = None


# ----- reading ----------------------------------------------------------------------------
def get_activity(project: Project, activity_id: int) -> Activity:
    rows = project._rows("SELECT * FROM activities WHERE id = ?", [activity_id])
    if not rows:
        raise NotFoundError(f"no activity {activity_id} in {project.path.name}")
    row = dict(rows[0])
    one = project.db.execute
    portfolio_rows = one(
        "SELECT coalesce(p.name, ap.portfolio), ap.suggested FROM activity_portfolios ap "
        "LEFT JOIN portfolios p ON p.id = ap.portfolio_id WHERE ap.activity_id = ? "
        "ORDER BY ap.rowid", [activity_id]).fetchall()
    return Activity(
        id=row["id"], title=row["title"], type=row["type"], level=row["level"],
        start_date=row["start_date"], end_date=row["end_date"],
        participants=row["participants"], description=row["description"],
        outcomes=row["outcomes"], source=row["source"], source_row=row["source_row"],
        place_ids=[r[0] for r in one("SELECT place_id FROM activity_places WHERE activity_id = ? "
                                     "ORDER BY place_id", [activity_id])],
        partners=[r[0] for r in one(
            "SELECT p.name FROM activity_partners ap JOIN partners p ON p.id = ap.partner_id "
            "WHERE ap.activity_id = ? ORDER BY p.name COLLATE NOCASE", [activity_id])],
        groups=[r[0] for r in one("SELECT name FROM activity_groups WHERE activity_id = ? "
                                  "ORDER BY rowid", [activity_id])],
        portfolios=[name for name, suggested in portfolio_rows if not suggested],
        suggested_portfolios=[name for name, suggested in portfolio_rows if suggested],
        themes=[r[0] for r in one(
            "SELECT coalesce(t.name, at.theme) FROM activity_themes at "
            "LEFT JOIN themes t ON t.id = at.theme_id WHERE at.activity_id = ? ORDER BY at.rowid",
            [activity_id])],
        consultation_ids=[r[0] for r in one(
            "SELECT consultation_id FROM activity_consultations WHERE activity_id = ? "
            "ORDER BY consultation_id", [activity_id])],
    )


def list_activities(project: Project, f: ActivityFilter | None = None) -> list[dict]:
    """One flat row per activity for tables and the CLI: lists joined with '; '."""
    f = f or ActivityFilter()
    clauses, params = [], []
    if f.place_id is not None:
        clauses.append("a.id IN (SELECT activity_id FROM activity_places WHERE place_id IN "
                       f"({_descendants_sql()}))")
        params.append(f.place_id)
    if f.portfolio:
        clauses.append("a.id IN (SELECT ap.activity_id FROM activity_portfolios ap LEFT JOIN "
                       "portfolios p ON p.id = ap.portfolio_id "
                       "WHERE coalesce(p.name, ap.portfolio) = ?)")
        params.append(f.portfolio)
    if f.level:
        clauses.append("a.level = ?")
        params.append(f.level)
    if f.type:
        clauses.append("a.type = ?")
        params.append(f.type)
    if f.search.strip():
        clauses.append("(a.title LIKE ? OR a.description LIKE ? OR a.outcomes LIKE ?)")
        params += ["%" + f.search.strip() + "%"] * 3
    if f.activity_ids is not None:
        clauses.append(f"a.id IN ({','.join('?' * len(f.activity_ids)) or 'NULL'})")
        params += list(f.activity_ids)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    sql = f"""
        SELECT a.id, a.title, a.type, a.level, a.start_date, a.end_date, a.participants,
          a.description, a.outcomes, a.source,
          (SELECT group_concat(name, '; ') FROM (SELECT p.name FROM activity_places x
             JOIN places p ON p.id = x.place_id WHERE x.activity_id = a.id ORDER BY p.id))
             AS places,
          (SELECT group_concat(name, '; ') FROM (SELECT p.name FROM activity_partners x
             JOIN partners p ON p.id = x.partner_id WHERE x.activity_id = a.id
             ORDER BY p.name COLLATE NOCASE)) AS partners,
          (SELECT group_concat(name, '; ') FROM (SELECT name FROM activity_groups
             WHERE activity_id = a.id ORDER BY rowid)) AS groups_reached,
          (SELECT group_concat(name, '; ') FROM (SELECT coalesce(p.name, x.portfolio) AS name
             FROM activity_portfolios x LEFT JOIN portfolios p ON p.id = x.portfolio_id
             WHERE x.activity_id = a.id AND x.suggested = 0 ORDER BY x.rowid)) AS portfolios,
          (SELECT group_concat(name, '; ') FROM (SELECT coalesce(p.name, x.portfolio) AS name
             FROM activity_portfolios x LEFT JOIN portfolios p ON p.id = x.portfolio_id
             WHERE x.activity_id = a.id AND x.suggested = 1 ORDER BY x.rowid))
             AS suggested_portfolios,
          (SELECT group_concat(name, '; ') FROM (SELECT coalesce(t.name, x.theme) AS name
             FROM activity_themes x LEFT JOIN themes t ON t.id = x.theme_id
             WHERE x.activity_id = a.id ORDER BY x.rowid)) AS themes,
          (SELECT count(*) FROM activity_evidence e WHERE e.activity_id = a.id) AS evidence
        FROM activities a {where}
        ORDER BY coalesce(a.start_date, '9999'), a.id
    """
    out = []
    for row in project._rows(sql, params):
        item = dict(row)
        for key in ("places", "partners", "groups_reached", "portfolios",
                    "suggested_portfolios", "themes"):
            item[key] = item[key] or ""
        item["level_rank"] = level_rank(item["level"])
        out.append(item)
    return out


def _descendants_sql() -> str:
    """Ids of a place (the one ? parameter) and every place inside it, at any depth."""
    return ("WITH RECURSIVE sub(id) AS (SELECT ? UNION SELECT p.id FROM places p "
            "JOIN sub ON p.parent_id = sub.id) SELECT id FROM sub")


def activity_count(project: Project) -> int:
    return project.db.execute("SELECT count(*) FROM activities").fetchone()[0]


# ----- checking ---------------------------------------------------------------------------
def parse_iso_date(value: str | None, what: str,
                   error: type[EngageError] = ActivityError) -> str | None:
    """ISO dates only here; importers turn what people type into ISO before calling."""
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10]).isoformat()
    except ValueError:
        raise error(f"{what} {text!r} is not a date (expected YYYY-MM-DD)") from None


def checked(project: Project, activity: Activity) -> Activity:
    """The activity with canonical spellings, or ActivityError naming the first problem."""
    title = " ".join((activity.title or "").split())
    if not title:
        raise ActivityError("an activity needs a title")
    where = f"activity {title!r}"
    try:
        kind = normalise_type(activity.type or "")
        level = normalise_level(activity.level or "")
    except ValueError as exc:
        raise ActivityError(f"{where}: {exc}") from None
    start = parse_iso_date(activity.start_date, f"{where}: start date")
    end = parse_iso_date(activity.end_date, f"{where}: end date")
    if start and end and end < start:
        raise ActivityError(f"{where}: ends ({end}) before it starts ({start})")
    participants = activity.participants
    if participants is not None and (not isinstance(participants, int) or participants < 0):
        raise ActivityError(f"{where}: participants must be a whole number of 0 or more")
    known_places = {row[0] for row in project.db.execute("SELECT id FROM places")}
    missing = [pid for pid in activity.place_ids if pid not in known_places]
    if missing:
        raise ActivityError(f"{where}: no place with id {missing[0]}")
    known_consultations = {row[0] for row in project.db.execute("SELECT id FROM consultations")}
    missing = [cid for cid in activity.consultation_ids if cid not in known_consultations]
    if missing:
        raise ActivityError(f"{where}: no consultation with id {missing[0]}")
    try:
        confirmed = [pf.resolve_portfolio(project, name)[0] for name in activity.portfolios]
        suggested = [pf.resolve_portfolio(project, name)[0]
                     for name in activity.suggested_portfolios]
    except ValueError as exc:
        raise ActivityError(f"{where}: {exc}") from None
    return replace(
        activity, title=title, type=kind, level=level, start_date=start, end_date=end,
        description=(activity.description or "").strip(),
        outcomes=(activity.outcomes or "").strip(),
        place_ids=list(dict.fromkeys(activity.place_ids)),
        partners=_unique(" ".join(p.split()) for p in activity.partners),
        groups=_unique(canonical_group(g) for g in activity.groups),
        portfolios=_unique(confirmed),
        suggested_portfolios=[p for p in _unique(suggested) if p not in confirmed],
        themes=_unique(pf.resolve_theme(project, t)[0] for t in activity.themes),
        consultation_ids=list(dict.fromkeys(activity.consultation_ids)),
    )


def _unique(values: Iterable[str]) -> list[str]:
    seen: dict[str, str] = {}
    for value in values:
        if value and value.casefold() not in seen:
            seen[value.casefold()] = value
    return list(seen.values())


# ----- writing ----------------------------------------------------------------------------
def add_activity(project: Project, activity: Activity) -> tuple[int, Changes]:
    """Add one activity (partners not yet known are added with a guessed kind)."""
    with project.transaction("add activity") as tx:
        activity_id = insert_activity(project, tx, checked(project, activity))
    return activity_id, CHANGED


def insert_activity(project: Project, tx, activity: Activity) -> int:
    """Write an already-checked activity inside the caller's transaction (for importers)."""
    now = utc_now()
    activity_id = project.db["activities"].insert({
        "title": activity.title, "type": activity.type, "level": activity.level,
        "start_date": activity.start_date, "end_date": activity.end_date,
        "participants": activity.participants, "description": activity.description,
        "outcomes": activity.outcomes, "source": activity.source,
        "source_row": activity.source_row, "created_by": project.user, "created_at": now,
        "updated_at": now}).last_pk
    _write_links(project, tx, activity_id, activity)
    tx.audit("activity", activity_id, None, replace(activity, id=activity_id).to_dict())
    return activity_id


def update_activity(project: Project, activity: Activity) -> Changes:
    if activity.id is None:
        raise ActivityError("cannot update an activity that has not been added")
    before = get_activity(project, activity.id)
    after = replace(checked(project, activity), source=before.source,
                    source_row=before.source_row)
    with project.transaction("edit activity") as tx:
        project.db["activities"].update(activity.id, {
            "title": after.title, "type": after.type, "level": after.level,
            "start_date": after.start_date, "end_date": after.end_date,
            "participants": after.participants, "description": after.description,
            "outcomes": after.outcomes, "updated_at": utc_now()})
        for table in ("activity_places", "activity_partners", "activity_groups",
                      "activity_portfolios", "activity_themes", "activity_consultations"):
            project.db.execute(f"DELETE FROM {table} WHERE activity_id = ?", [activity.id])
        _write_links(project, tx, activity.id, after)
        tx.audit("activity", activity.id, before.to_dict(), after.to_dict())
    return CHANGED


def delete_activity(project: Project, activity_id: int) -> Changes:
    """Delete an activity with its links and evidence records (files on disk are kept)."""
    before = get_activity(project, activity_id)
    evidence = list_evidence(project, activity_id)
    with project.transaction("delete activity") as tx:
        project.db.execute("DELETE FROM activities WHERE id = ?", [activity_id])
        tx.audit("activity", activity_id, {**before.to_dict(), "evidence": evidence}, None)
    return Changes(activities=True, actions=True)


def confirm_suggested_portfolios(project: Project, activity_id: int) -> Changes:
    """The officer accepts the suggested portfolios of an activity as its own."""
    before = get_activity(project, activity_id)
    if not before.suggested_portfolios:
        return Changes()
    with project.transaction("confirm suggested portfolio") as tx:
        project.db.execute("UPDATE activity_portfolios SET suggested = 0 WHERE activity_id = ?",
                           [activity_id])
        tx.audit("activity", activity_id, {"suggested_portfolios": before.suggested_portfolios},
                 {"portfolios": before.portfolios + before.suggested_portfolios})
    return CHANGED


def _write_links(project: Project, tx, activity_id: int, activity: Activity) -> None:
    db = project.db
    db["activity_places"].insert_all(
        [{"activity_id": activity_id, "place_id": pid} for pid in activity.place_ids])
    partner_ids = [_partner_id(project, tx, name) for name in activity.partners]
    db["activity_partners"].insert_all(
        [{"activity_id": activity_id, "partner_id": pid} for pid in dict.fromkeys(partner_ids)])
    db["activity_groups"].insert_all(
        [{"activity_id": activity_id, "name": g, "category": group_category(g)}
         for g in activity.groups])
    links = [(name, 0) for name in activity.portfolios]
    links += [(name, 1) for name in activity.suggested_portfolios]
    db["activity_portfolios"].insert_all(
        [{"activity_id": activity_id, "portfolio": name, "suggested": suggested,
          "portfolio_id": pf.portfolio_id(project, name)} for name, suggested in links])
    db["activity_themes"].insert_all(
        [{"activity_id": activity_id, "theme": name, "theme_id": pf.resolve_theme(project, name)[1]}
         for name in activity.themes])
    db["activity_consultations"].insert_all(
        [{"activity_id": activity_id, "consultation_id": cid} for cid in activity.consultation_ids])


def set_suggestion_score(project: Project, activity_id: int, portfolio: str,
                         score: float) -> None:
    """Record how strongly a suggested portfolio was supported (inside a caller's transaction)."""
    project.db.execute("UPDATE activity_portfolios SET score = ? WHERE activity_id = ? AND "
                       "portfolio = ?", [score, activity_id, portfolio])


# ----- partners ---------------------------------------------------------------------------
def list_partners(project: Project) -> list[dict]:
    return [dict(r) for r in project._rows(
        "SELECT p.*, (SELECT count(*) FROM activity_partners x WHERE x.partner_id = p.id) "
        "AS activities FROM partners p ORDER BY p.name COLLATE NOCASE")]


def find_partner(project: Project, name: str) -> dict | None:
    rows = project._rows("SELECT * FROM partners WHERE name = ? COLLATE NOCASE",
                         [" ".join(name.split())])
    return dict(rows[0]) if rows else None


def _partner_id(project: Project, tx, name: str, kind: str | None = None) -> int:
    existing = find_partner(project, name)
    if existing:
        return existing["id"]
    clean = " ".join(name.split())
    row = {"name": clean, "kind": kind or guess_partner_kind(clean), "notes": ""}
    partner_id = project.db["partners"].insert(row).last_pk
    tx.audit("partner", partner_id, None, row)
    return partner_id


def add_partner(project: Project, name: str, kind: str = "other", notes: str = "") -> tuple[int, Changes]:
    clean = " ".join(name.split())
    if not clean:
        raise ActivityError("a partner needs a name")
    if find_partner(project, clean):
        raise ActivityError(f"there is already a partner called {clean!r}")
    try:
        kind = normalise_partner_kind(kind)
    except ValueError as exc:
        raise ActivityError(f"partner {clean!r}: {exc}") from None
    with project.transaction("add partner") as tx:
        partner_id = project.db["partners"].insert(
            {"name": clean, "kind": kind, "notes": notes.strip()}).last_pk
        tx.audit("partner", partner_id, None, {"name": clean, "kind": kind, "notes": notes})
    return partner_id, CHANGED


def update_partner(project: Project, partner_id: int, name: str | None = None,
                   kind: str | None = None, notes: str | None = None) -> Changes:
    rows = project._rows("SELECT * FROM partners WHERE id = ?", [partner_id])
    if not rows:
        raise NotFoundError(f"no partner {partner_id}")
    before = dict(rows[0])
    after = dict(before)
    if name is not None:
        clean = " ".join(name.split())
        other = find_partner(project, clean)
        if not clean or (other and other["id"] != partner_id):
            raise ActivityError(f"partner name {clean!r} is empty or already used")
        after["name"] = clean
    if kind is not None:
        try:
            after["kind"] = normalise_partner_kind(kind)
        except ValueError as exc:
            raise ActivityError(f"partner {after['name']!r}: {exc}") from None
    if notes is not None:
        after["notes"] = notes.strip()
    with project.transaction("edit partner") as tx:
        project.db["partners"].update(partner_id, after)
        tx.audit("partner", partner_id, before, after)
    return CHANGED


def delete_partner(project: Project, partner_id: int) -> Changes:
    """Remove a partner that no activity names; one still in use is refused, not unlinked."""
    partner = next((p for p in list_partners(project) if p["id"] == partner_id), None)
    if partner is None:
        raise NotFoundError(f"no partner {partner_id}")
    if partner["activities"]:
        raise ActivityError(f"partner {partner['name']!r} is named by {partner['activities']} "
                            "activities; remove it from them first")
    with project.transaction("delete partner") as tx:
        project.db.execute("DELETE FROM partners WHERE id = ?", [partner_id])
        tx.audit("partner", partner_id, partner, None)
    return CHANGED


# ----- evidence ---------------------------------------------------------------------------
def list_evidence(project: Project, activity_id: int) -> list[dict]:
    return [dict(r) for r in project._rows(
        "SELECT * FROM activity_evidence WHERE activity_id = ? ORDER BY id", [activity_id])]


def add_evidence(project: Project, activity_id: int, path: str | Path,
                 note: str = "") -> tuple[int, Changes]:
    """Record a file that evidences an activity (a note of a meeting, photos, a report).

    The file stays where it is: the project keeps its name and path, not a copy, so a
    project file never grows by the size of every slide deck.
    """
    get_activity(project, activity_id)
    path_text = str(path).strip()
    if not path_text:
        raise ActivityError("evidence needs a file")
    row = {"activity_id": activity_id, "file_name": Path(path_text).name, "path": path_text,
           "note": note.strip(), "added_by": project.user, "added_at": utc_now()}
    with project.transaction("add evidence") as tx:
        evidence_id = project.db["activity_evidence"].insert(row).last_pk
        tx.audit("activity_evidence", evidence_id, None, row)
    return evidence_id, CHANGED


def remove_evidence(project: Project, evidence_id: int) -> Changes:
    rows = project._rows("SELECT * FROM activity_evidence WHERE id = ?", [evidence_id])
    if not rows:
        raise NotFoundError(f"no evidence record {evidence_id}")
    with project.transaction("remove evidence") as tx:
        project.db.execute("DELETE FROM activity_evidence WHERE id = ?", [evidence_id])
        tx.audit("activity_evidence", evidence_id, dict(rows[0]), None)
    return CHANGED


def vocabulary() -> dict[str, Sequence[str]]:
    """The fixed choices, for dialogs and `--help`."""
    return {"types": ACTIVITY_TYPES, "levels": LEVELS}
