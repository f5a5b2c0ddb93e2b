"""Importing an activity list (CSV, TSV, XLSX, JSON) into the register: all rows or none.

Officers inherit registers as spreadsheets — a stock-take of pilots and projects, a partner's
list of outreach sessions — with their own column names. Columns are matched by name (a
`columns` mapping overrides the guess), every row is checked, and every problem is reported
with its row number in one go; if any row is wrong nothing is written. Rows already in the
register (same title, start date and places) are skipped, so importing a list twice does not
double it.

Portfolios: a portfolio column is taken as the officer's word (and must name a known
portfolio); where it is empty, a portfolio is suggested from the title and description and
stored marked as suggested.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from engage.changes import Changes
from engage.coproduction import portfolios as pf
from engage.coproduction.errors import RowErrors
from engage.coproduction.placeadmin import find_place
from engage.coproduction.store import Activity, checked, insert_activity, set_suggestion_score
from engage.coproduction.vocab import normalise_level, normalise_type, word_key
from engage.errors import ImportFileError
from engage.progress import CancelFn, ProgressFn, Reporter
from engage.project import Project, utc_now

#: Each field with the column names it is recognised by (compared with `word_key`).
FIELD_NAMES: dict[str, tuple[str, ...]] = {
    "title": ("title", "activity", "activity title", "name", "activity name", "project",
              "project name", "project title", "event", "scheme", "initiative", "pilot"),
    "type": ("type", "activity type", "method", "format", "kind", "engagement type",
             "engagement method"),
    "level": ("participation level", "level", "participation", "engagement level",
              "ladder", "level of participation", "involvement level"),
    "start_date": ("start date", "start", "date", "from", "date from", "began", "held on",
                   "event date", "start of activity"),
    "end_date": ("end date", "end", "to", "date to", "until", "finished", "end of activity"),
    "participants": ("participants", "number of participants", "attendees", "attendance",
                     "people", "people reached", "reach", "number reached", "headcount",
                     "no of participants", "numbers"),
    "places": ("places", "place", "locality", "localities", "area", "areas", "location",
               "where"),
    "partners": ("partners", "partner", "partner organisations", "organisations",
                 "delivered with", "delivered by", "lead organisation", "organisation"),
    "groups": ("groups reached", "groups", "communities", "communities reached", "audience",
               "target groups", "target group", "who took part", "population groups"),
    "portfolios": ("portfolio", "portfolios", "programme", "workstream"),
    "themes": ("themes", "theme", "topics", "topic", "issues"),
    "description": ("description", "summary", "details", "about", "notes", "purpose",
                    "what happened", "aims"),
    "outcomes": ("outcomes", "outcome", "what changed", "impact", "results", "changes made",
                 "you said we did"),
    "consultations": ("consultation", "consultations", "linked consultation",
                      "linked consultations"),
    "evidence": ("evidence", "evidence files", "files", "attachments", "documents"),
}
_MONTH_FORMATS = ("%B %Y", "%b %Y", "%Y-%m", "%m/%Y", "%b-%y", "%B-%y", "%b %y")
_DAY_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d",
                "%d %B %Y", "%d %b %Y", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S")


@dataclass
class ActivityImportReport:
    file: str
    rows_read: int = 0
    created: int = 0
    already_present: list[tuple[int, str]] = field(default_factory=list)
    empty_rows: int = 0
    suggested: int = 0
    suggestion_method: str = ""
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    activity_ids: list[int] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"File: {self.file}", f"Rows read: {self.rows_read}",
               f"Activities added: {self.created}"]
        if self.already_present:
            out.append(f"Already in the register (not added again): {len(self.already_present)}")
            out += [f"  row {row}: {title}" for row, title in self.already_present[:20]]
        if self.empty_rows:
            out.append(f"Empty rows skipped: {self.empty_rows}")
        if self.suggested:
            out.append(f"Portfolios suggested ({self.suggestion_method}), marked as suggested: "
                       f"{self.suggested}")
        out.append("Columns: " + ", ".join(f"{column} → {name.replace('_', ' ')}"
                                           for name, column in self.columns.items()))
        if self.ignored_columns:
            out.append("Columns not used: " + ", ".join(self.ignored_columns))
        return out


def guess_columns(columns: list[str]) -> dict[str, str]:
    """field → column, by exact name first and then by a name that contains a known one."""
    keys = {column: word_key(column) for column in columns}
    found: dict[str, str] = {}
    used: set[str] = set()
    for exact in (True, False):
        for name, synonyms in FIELD_NAMES.items():
            if name in found:
                continue
            for synonym in synonyms:
                match = next((c for c in columns if c not in used and (
                    keys[c] == synonym if exact else _contains(keys[c], synonym))), None)
                if match:
                    found[name] = match
                    used.add(match)
                    break
    return found


def _contains(key: str, synonym: str) -> bool:
    return len(synonym) > 3 and re.search(rf"\b{re.escape(synonym)}\b", key) is not None


def parse_date(value: str) -> str | None:
    """ISO date from UK-style dates, ISO date-times, or a month ('March 2017' → 2017-03-01)."""
    text = " ".join(value.strip().split())
    if not text:
        return None
    for fmt in _DAY_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date().isoformat()
        except ValueError:
            continue
    for fmt in _MONTH_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date().replace(day=1).isoformat()
        except ValueError:
            continue
    raise ValueError(f"{value.strip()!r} is not a date (e.g. 14/03/2017 or March 2017)")


#: More people than live in the whole of Dorset, by some way: a bigger count is a typing or
#: column mistake, and would not fit a SQLite integer past 19 digits anyway.
MAX_PARTICIPANTS = 10_000_000


def parse_count(value: str) -> int | None:
    """'40', '1,200', 'c. 40', 'approx 40', '40+' → a whole number; '' → None."""
    text = value.strip().casefold()
    if not text:
        return None
    text = re.sub(r"^(c\.?|ca\.?|approx\.?|approximately|about|around|~)\s*", "", text)
    text = text.rstrip("+").replace(",", "").strip()
    if re.fullmatch(r"\d+(\.0+)?", text):
        digits = text.split(".")[0].lstrip("0") or "0"
        # Compared as text: int() of a thousand digits is slow, and SQLite stores 64 bits.
        if len(digits) > len(str(MAX_PARTICIPANTS)) or int(digits) > MAX_PARTICIPANTS:
            shown = value.strip() if len(value.strip()) <= 20 else value.strip()[:20] + "…"
            raise ValueError(f"participants {shown!r} is more than {MAX_PARTICIPANTS:,}; "
                             "check the column holds head counts")
        return int(digits)
    raise ValueError(f"participants {value.strip()[:40]!r} is not a whole number")


def split_names(value: str, known: set[str] | None = None) -> list[str]:
    """Split a multi-name cell on ';', '|' or new lines; on commas only when the whole cell
    is not itself a known name (place and partner names can contain commas)."""
    text = value.strip()
    if not text:
        return []
    if re.search(r"[;|\n]", text):
        parts = re.split(r"[;|\n]", text)
    elif "," in text and not (known and word_key(text) in known):
        parts = text.split(",")
    else:
        parts = [text]
    return [" ".join(p.split()) for p in parts if p.strip()]


class _RowReader:
    """Turns one table row into an `Activity`, collecting every problem it has."""

    def __init__(self, project: Project, columns: dict[str, str], table_columns: list[str],
                 default_type: str | None, default_level: str | None) -> None:
        self.project = project
        self.index = {name: table_columns.index(column) for name, column in columns.items()}
        self.default_type, self.default_level = default_type, default_level
        self.consultations = {word_key(name): cid for cid, name in project.db.execute(
            "SELECT id, name FROM consultations")}
        self.place_names = {word_key(name) for (name,) in project.db.execute(
            "SELECT name FROM places")}
        self.partner_names = {word_key(name) for (name,) in project.db.execute(
            "SELECT name FROM partners")}

    def cell(self, values: list[str], name: str) -> str:
        i = self.index.get(name)
        return values[i].strip() if i is not None and i < len(values) else ""

    def read(self, values: list[str], row: int, source: str) -> tuple[Activity | None,
                                                                       list[str], list[str]]:
        problems: list[str] = []
        cell = lambda name: self.cell(values, name)  # noqa: E731

        def attempt(fn, text, fallback=None):
            try:
                return fn(text)
            except ValueError as exc:
                problems.append(str(exc))
                return fallback

        title = cell("title")
        if not title:
            problems.append("the title is empty")
        kind = level = None
        if cell("type") or self.default_type:
            kind = attempt(normalise_type, cell("type") or self.default_type)
        else:
            problems.append("the activity type is empty")
        if cell("level") or self.default_level:
            level = attempt(normalise_level, cell("level") or self.default_level)
        else:
            problems.append("the participation level is empty")
        start = attempt(parse_date, cell("start_date"))
        end = attempt(parse_date, cell("end_date"))
        if start and end and end < start:
            problems.append(f"the end date {end} is before the start date {start}")
        participants = attempt(parse_count, cell("participants"))
        place_ids = []
        for name in split_names(cell("places"), self.place_names):
            place_id = find_place(self.project, name)
            if place_id is None:
                problems.append(f"unknown place {name!r} — correct it, or add it as an alias "
                                "in Places")
            else:
                place_ids.append(place_id)
        portfolios = []
        for name in split_names(cell("portfolios")):
            try:
                portfolios.append(pf.resolve_portfolio(self.project, name)[0])
            except ValueError as exc:
                problems.append(str(exc))
        consultation_ids = []
        for name in split_names(cell("consultations")):
            cid = self.consultations.get(word_key(name))
            if cid is None:
                problems.append(f"unknown consultation {name!r}")
            else:
                consultation_ids.append(cid)
        if problems:
            return None, problems, []
        activity = Activity(
            title=title, type=kind, level=level, start_date=start, end_date=end,
            participants=participants, description=cell("description"),
            outcomes=cell("outcomes"), place_ids=place_ids,
            partners=split_names(cell("partners"), self.partner_names),
            groups=split_names(cell("groups")), portfolios=portfolios,
            themes=split_names(cell("themes")), consultation_ids=consultation_ids,
            source=source, source_row=row)
        return activity, [], split_names(cell("evidence"))


def import_activities(project: Project, path: str | Path, sheet: str | None = None,
                      columns: dict[str, str] | None = None, default_type: str | None = None,
                      default_level: str | None = None, suggest: bool = True,
                      progress: ProgressFn | None = None,
                      cancelled: CancelFn | None = None) -> tuple[ActivityImportReport, Changes]:
    """Read an activity list and add it to the register in one transaction."""
    from engage.importing.readers import read_table

    path = Path(path)
    step = Reporter(progress, cancelled)
    step(0.0, f"Reading {path.name}")
    table = read_table(path, sheet=sheet)
    return import_activity_table(project, table, columns, default_type, default_level, suggest,
                                 step.span(0.1, 1.0), cancelled)


def resolve_columns(table_columns: list[str], columns: dict[str, str] | None,
                    source: str) -> dict[str, str]:
    mapping = guess_columns(table_columns)
    for name, column in (columns or {}).items():
        if name not in FIELD_NAMES:
            raise ImportFileError(f"{source}: {name!r} is not an activity field (fields: "
                                  f"{', '.join(FIELD_NAMES)})")
        if column not in table_columns:
            raise ImportFileError(f"{source}: no column named {column!r} (columns are: "
                                  f"{', '.join(table_columns)})")
        mapping = {k: v for k, v in mapping.items() if v != column}
        mapping[name] = column
    if "title" not in mapping:
        raise ImportFileError(f"{source}: no column looks like the activity title (columns "
                              f"are: {', '.join(table_columns)}); name it 'title'")
    return mapping


def import_activity_table(project: Project, table, columns: dict[str, str] | None = None,
                          default_type: str | None = None, default_level: str | None = None,
                          suggest: bool = True, progress: ProgressFn | None = None,
                          cancelled: CancelFn | None = None
                          ) -> tuple[ActivityImportReport, Changes]:
    source = Path(table.source).name
    step = Reporter(progress, cancelled)
    mapping = resolve_columns(list(table.columns), columns, source)
    for name, value, missing in (("type", default_type, "an activity type"),
                                 ("level", default_level, "a participation level")):
        if name not in mapping and not value:
            raise ImportFileError(f"{source}: no column gives {missing}; name one or give a "
                                  f"default for every row")
    try:
        default_type = normalise_type(default_type) if default_type else None
        default_level = normalise_level(default_level) if default_level else None
    except ValueError as exc:
        raise ImportFileError(f"{source}: default {exc}") from None
    report = ActivityImportReport(file=source, columns=mapping,
                                  ignored_columns=[c for c in table.columns
                                                   if c not in mapping.values()])
    reader = _RowReader(project, mapping, list(table.columns), default_type, default_level)
    existing = _existing_keys(project)
    parsed: list[tuple[Activity, list[str]]] = []
    problems: list[tuple[int, str]] = []
    total = max(1, len(table.rows))
    for i, values in enumerate(table.rows):
        if i % 200 == 0:
            step(0.5 * i / total, f"Checking row {i + 1} of {total}")
        row = table.row_number(i)
        report.rows_read += 1
        if not any(v.strip() for v in values):
            report.empty_rows += 1
            continue
        activity, row_problems, evidence = reader.read(values, row, source)
        problems += [(row, message) for message in row_problems]
        if activity is None:
            continue
        key = _key(activity)
        if key in existing:
            report.already_present.append((row, activity.title))
            continue
        existing.add(key)
        parsed.append((activity, evidence))
    if problems:
        raise RowErrors(source, problems, report.rows_read)
    suggestions = _suggest(project, [a for a, _ in parsed], report) if suggest else {}
    step(0.6, f"Saving {len(parsed)} activities")
    with project.transaction("import activities") as tx:
        for n, (activity, evidence) in enumerate(parsed):
            step.check()
            suggestion = suggestions.get(n)
            if suggestion is not None:
                activity.suggested_portfolios = [suggestion.portfolio]
            activity_id = insert_activity(project, tx, checked(project, activity))
            if suggestion is not None:
                set_suggestion_score(project, activity_id, suggestion.portfolio,
                                     suggestion.score)
            for name in evidence:
                project.db["activity_evidence"].insert({
                    "activity_id": activity_id, "file_name": Path(name).name, "path": name,
                    "note": f"listed in {source}", "added_by": project.user,
                    "added_at": utc_now()})
            report.activity_ids.append(activity_id)
        report.created = len(parsed)
        tx.audit("activity_import", None, None, {"file": source, "created": report.created,
                                                 "columns": mapping})
    pf.link_to_taxonomy(project)
    step(1.0, f"Added {report.created} activities", force=True)
    return report, Changes(activities=True)


def _suggest(project: Project, activities: list[Activity],
             report: ActivityImportReport) -> dict:
    """Suggestions for activities the file gave no portfolio, by position in `activities`."""
    wanting = [n for n, a in enumerate(activities) if not a.portfolios]
    if not wanting:
        return {}
    suggester = pf.make_suggester(project)
    report.suggestion_method = suggester.method
    texts = [f"{activities[n].title}. {activities[n].description}" for n in wanting]
    found = {n: s for n, s in zip(wanting, suggester.suggest_many(texts), strict=True) if s is not None}
    report.suggested = len(found)
    return found


def _key(activity: Activity) -> tuple:
    return (word_key(activity.title), activity.start_date or "",
            tuple(sorted(set(activity.place_ids))))


def _existing_keys(project: Project) -> set[tuple]:
    places: dict[int, list[int]] = {}
    for aid, pid in project.db.execute("SELECT activity_id, place_id FROM activity_places"):
        places.setdefault(aid, []).append(pid)
    return {(word_key(title), start or "", tuple(sorted(set(places.get(aid, [])))))
            for aid, title, start in project.db.execute(
                "SELECT id, title, start_date FROM activities")}
