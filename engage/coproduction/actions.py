""""You said, we did": decisions traced back to the themes, comments and activities behind them.

An action names what people said (its title and themes), the decision taken, who owns it and
where it stands. Supporting comments are the evidence counted behind it; quote comments are
the few a board or the public page shows. An action that is not taken forward must say why —
the schema refuses it otherwise — because "we heard you and decided not to" is an answer the
public is owed.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, replace

from engage.browse import CommentFilter
from engage.changes import Changes
from engage.coproduction import portfolios as pf
from engage.coproduction.store import ActivityError, parse_iso_date
from engage.coproduction.vocab import OPEN_STATUSES, normalise_status
from engage.errors import NotFoundError
from engage.project import Project, utc_now

CHANGED = Changes(actions=True)


class ActionError(ActivityError):
    """An action the officer entered does not make sense (unknown status, no reason…)."""


@dataclass
class Action:
    title: str                      # what people said, in a line
    decision: str = ""              # what was decided or done
    owner: str = ""
    status: str = "planned"
    reason: str = ""                # required when not taken forward
    portfolio: str | None = None
    start_date: str | None = None
    due_date: str | None = None
    done_date: str | None = None
    themes: list[str] = field(default_factory=list)
    support_comment_ids: list[int] = field(default_factory=list)
    quote_comment_ids: list[int] = field(default_factory=list)
    activity_ids: list[int] = field(default_factory=list)
    id: int | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


# ----- reading ----------------------------------------------------------------------------
def get_action(project: Project, action_id: int) -> Action:
    rows = project._rows(
        "SELECT a.*, coalesce(p.name, a.portfolio) AS portfolio_name FROM actions a "
        "LEFT JOIN portfolios p ON p.id = a.portfolio_id WHERE a.id = ?", [action_id])
    if not rows:
        raise NotFoundError(f"no action {action_id} in {project.path.name}")
    row = dict(rows[0])
    one = project.db.execute
    comments = one("SELECT comment_id, role FROM action_comments WHERE action_id = ? "
                   "ORDER BY comment_id", [action_id]).fetchall()
    return Action(
        id=row["id"], title=row["title"], decision=row["decision"], owner=row["owner"],
        status=row["status"], reason=row["reason"], portfolio=row["portfolio_name"],
        start_date=row["start_date"], due_date=row["due_date"], done_date=row["done_date"],
        themes=[r[0] for r in one(
            "SELECT coalesce(t.name, x.theme) FROM action_themes x LEFT JOIN themes t "
            "ON t.id = x.theme_id WHERE x.action_id = ? ORDER BY x.rowid", [action_id])],
        support_comment_ids=[cid for cid, role in comments if role == "support"],
        quote_comment_ids=[cid for cid, role in comments if role == "quote"],
        activity_ids=[r[0] for r in one("SELECT activity_id FROM action_activities WHERE "
                                        "action_id = ? ORDER BY activity_id", [action_id])],
    )


def list_actions(project: Project, status: str | None = None, portfolio: str | None = None,
                 open_only: bool = False, action_ids: tuple[int, ...] | None = None) -> list[dict]:
    """Flat rows for the actions table, with counts of the evidence behind each."""
    clauses, params = [], []
    if status:
        clauses.append("a.status = ?")
        params.append(status)
    if open_only:
        clauses.append(f"a.status IN ({','.join('?' * len(OPEN_STATUSES))})")
        params += list(OPEN_STATUSES)
    if portfolio:
        clauses.append("coalesce(p.name, a.portfolio, '') = ?")
        params.append(portfolio)
    if action_ids is not None:
        clauses.append(f"a.id IN ({','.join('?' * len(action_ids)) or 'NULL'})")
        params += list(action_ids)
    where = ("WHERE " + " AND ".join(clauses)) if clauses else ""
    sql = f"""
        SELECT a.id, a.title, a.decision, a.owner, a.status, a.reason,
          coalesce(p.name, a.portfolio, '') AS portfolio, a.start_date, a.due_date, a.done_date,
          (SELECT group_concat(name, '; ') FROM (SELECT coalesce(t.name, x.theme) AS name
             FROM action_themes x LEFT JOIN themes t ON t.id = x.theme_id
             WHERE x.action_id = a.id ORDER BY x.rowid)) AS themes,
          (SELECT count(*) FROM action_comments c WHERE c.action_id = a.id
             AND c.role = 'support') AS supporting_comments,
          (SELECT count(*) FROM action_comments c WHERE c.action_id = a.id
             AND c.role = 'quote') AS quotes,
          (SELECT count(*) FROM action_activities x WHERE x.action_id = a.id) AS activities
        FROM actions a LEFT JOIN portfolios p ON p.id = a.portfolio_id {where}
        ORDER BY CASE a.status WHEN 'in progress' THEN 0 WHEN 'planned' THEN 1
                 WHEN 'done' THEN 2 ELSE 3 END, coalesce(a.due_date, '9999'), a.id
    """
    today = dt.date.today().isoformat()
    out = []
    for row in project._rows(sql, params):
        item = dict(row)
        item["themes"] = item["themes"] or ""
        item["overdue"] = bool(item["status"] in OPEN_STATUSES and item["due_date"]
                               and item["due_date"] < today)
        out.append(item)
    return out


def comment_filter(action: Action, quotes_only: bool = False) -> CommentFilter:
    """The comments behind an action, for the comment browser."""
    ids = action.quote_comment_ids if quotes_only else \
        list(dict.fromkeys(action.support_comment_ids + action.quote_comment_ids))
    return CommentFilter(comment_ids=tuple(ids))


# ----- checking ---------------------------------------------------------------------------
def checked(project: Project, action: Action) -> Action:
    title = " ".join((action.title or "").split())
    if not title:
        raise ActionError("an action needs a title (what people said)")
    where = f"action {title!r}"
    try:
        status = normalise_status(action.status or "planned")
    except ValueError as exc:
        raise ActionError(f"{where}: {exc}") from None
    reason = (action.reason or "").strip()
    if status == "not taken forward" and not reason:
        raise ActionError(f"{where}: say why it was not taken forward")
    portfolio = None
    if action.portfolio and action.portfolio.strip():
        try:
            portfolio = pf.resolve_portfolio(project, action.portfolio)[0]
        except ValueError as exc:
            raise ActionError(f"{where}: {exc}") from None
    dates = {name: parse_iso_date(getattr(action, name), f"{where}: {name.replace('_', ' ')}",
                                  ActionError)
             for name in ("start_date", "due_date", "done_date")}
    if dates["done_date"] and dates["start_date"] and dates["done_date"] < dates["start_date"]:
        raise ActionError(f"{where}: done ({dates['done_date']}) before it started "
                          f"({dates['start_date']})")
    _check_ids(project, "comments", action.support_comment_ids + action.quote_comment_ids,
               f"{where}: no comment with id")
    _check_ids(project, "activities", action.activity_ids, f"{where}: no activity with id")
    return replace(action, title=title, status=status, reason=reason, portfolio=portfolio,
                   decision=(action.decision or "").strip(), owner=(action.owner or "").strip(),
                   themes=list(dict.fromkeys(pf.resolve_theme(project, t)[0]
                                             for t in action.themes if t.strip())),
                   support_comment_ids=list(dict.fromkeys(action.support_comment_ids)),
                   quote_comment_ids=list(dict.fromkeys(action.quote_comment_ids)),
                   activity_ids=list(dict.fromkeys(action.activity_ids)), **dates)


def _check_ids(project: Project, table: str, ids: list[int], message: str) -> None:
    if not ids:
        return
    wanted = set(ids)
    found = set()
    values = sorted(wanted)
    for start in range(0, len(values), 500):
        chunk = values[start:start + 500]
        found |= {r[0] for r in project.db.execute(
            f"SELECT id FROM {table} WHERE id IN ({','.join('?' * len(chunk))})", chunk)}
    missing = sorted(wanted - found)
    if missing:
        raise ActionError(f"{message} {missing[0]}")


# ----- writing ----------------------------------------------------------------------------
def add_action(project: Project, action: Action) -> tuple[int, Changes]:
    action = checked(project, action)
    now = utc_now()
    with project.transaction("add action") as tx:
        action_id = project.db["actions"].insert({
            **_columns(project, action), "created_by": project.user, "created_at": now,
            "updated_at": now}).last_pk
        _write_links(project, action_id, action)
        tx.audit("action", action_id, None, replace(action, id=action_id).to_dict())
    return action_id, CHANGED


def update_action(project: Project, action: Action) -> Changes:
    if action.id is None:
        raise ActionError("cannot update an action that has not been added")
    before = get_action(project, action.id)
    after = checked(project, action)
    with project.transaction("edit action") as tx:
        project.db["actions"].update(action.id, {**_columns(project, after),
                                                 "updated_at": utc_now()})
        for table in ("action_themes", "action_comments", "action_activities"):
            project.db.execute(f"DELETE FROM {table} WHERE action_id = ?", [action.id])
        _write_links(project, action.id, after)
        tx.audit("action", action.id, before.to_dict(), after.to_dict())
    return CHANGED


def set_action_status(project: Project, action_id: int, status: str, reason: str = "",
                      done_date: str | None = None) -> Changes:
    """Move an action along; 'done' gets today's date unless one is given."""
    action = get_action(project, action_id)
    try:
        status = normalise_status(status)
    except ValueError as exc:
        raise ActionError(f"action {action.title!r}: {exc}") from None
    if status == "done" and not (done_date or action.done_date):
        done_date = dt.date.today().isoformat()
    return update_action(project, replace(action, status=status,
                                          reason=reason or action.reason,
                                          done_date=done_date or action.done_date))


def delete_action(project: Project, action_id: int) -> Changes:
    before = get_action(project, action_id)
    with project.transaction("delete action") as tx:
        project.db.execute("DELETE FROM actions WHERE id = ?", [action_id])
        tx.audit("action", action_id, before.to_dict(), None)
    return CHANGED


def _columns(project: Project, action: Action) -> dict:
    return {"title": action.title, "decision": action.decision, "owner": action.owner,
            "status": action.status, "reason": action.reason, "portfolio": action.portfolio,
            "portfolio_id": pf.portfolio_id(project, action.portfolio) if action.portfolio
            else None, "start_date": action.start_date, "due_date": action.due_date,
            "done_date": action.done_date}


def _write_links(project: Project, action_id: int, action: Action) -> None:
    db = project.db
    db["action_themes"].insert_all(
        [{"action_id": action_id, "theme": name, "theme_id": pf.resolve_theme(project, name)[1]}
         for name in action.themes])
    db["action_comments"].insert_all(
        [{"action_id": action_id, "comment_id": cid, "role": "support"}
         for cid in action.support_comment_ids]
        + [{"action_id": action_id, "comment_id": cid, "role": "quote"}
           for cid in action.quote_comment_ids])
    db["action_activities"].insert_all(
        [{"action_id": action_id, "activity_id": aid} for aid in action.activity_ids])


def actions_for_activity(project: Project, activity_id: int) -> list[int]:
    return [r[0] for r in project.db.execute(
        "SELECT action_id FROM action_activities WHERE activity_id = ? ORDER BY action_id",
        [activity_id])]


def theme_evidence(project: Project, themes: list[str],
                   consultation_id: int | None = None) -> tuple[list[int], list[int]]:
    """(comments coded with any of these themes, those of them marked as key quotes).

    Lets an officer fill an action's supporting comments from its themes in one step. Uses the
    analysis layer's rule for which codings count (accepted by the officer, or confidently
    coded by the model and not rejected); empty when the project has not been analysed.
    """
    try:
        from engage.analysis.store import ACTIVE_CODING
    except ImportError:
        return [], []
    names = [t for t in themes if t.strip()]
    if not names:
        return [], []
    marks = ",".join("?" * len(names))
    where = "AND m.consultation_id = ?" if consultation_id is not None else ""
    params: list = names + ([consultation_id] if consultation_id is not None else [])
    rows = project.db.execute(
        f"""SELECT DISTINCT m.id, coalesce(a.key_quote, 0) FROM codings c
            JOIN themes t ON t.id = c.theme_id
            JOIN comments m ON m.id = c.comment_id
            LEFT JOIN comment_analysis a ON a.comment_id = c.comment_id
            WHERE t.name IN ({marks}) AND {ACTIVE_CODING} {where} ORDER BY m.id""",
        params).fetchall()
    return [r[0] for r in rows], [r[0] for r in rows if r[1]]
