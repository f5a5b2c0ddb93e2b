"""Editing places and the postcode lookup, and placing respondents who have no place.

Places are user data: the officer renames them, sets populations (marking which are
estimates), adds PCNs or wards under a locality and teaches Engage other spellings (aliases).
A renamed place keeps its old name as an alias so files typed with the old name still match.

Respondents with no place are never dropped: they are counted and listed, grouped by what
the export said, so the officer can see which alias or postcode district would place them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from engage.changes import Changes
from engage.coproduction.errors import RowErrors
from engage.coproduction.postcodes import normalise_district, read_district_rows
from engage.errors import EngageError, NotFoundError
from engage.places import place_key
from engage.progress import CancelFn, ProgressFn, Reporter
from engage.project import Project

SUB_LOCALITY_KINDS = ("pcn", "ward")
KIND_LABELS = {"ics": "ICS", "local_authority": "local authority", "partnership":
               "health and care partnership", "locality": "locality", "pcn": "PCN",
               "ward": "ward"}
CHANGED = Changes(places=True)


class PlacesError(EngageError):
    """A place edit that cannot be made (empty or clashing name, negative population…)."""


# ----- reading ----------------------------------------------------------------------------
def place_tree(project: Project) -> list[dict]:
    """Every place in tree order (parents first, depth-first) with what the editor shows."""
    places = {row["id"]: dict(row) for row in project._rows("SELECT * FROM places ORDER BY id")}
    aliases: dict[int, list[str]] = {}
    for alias, place_id in project.db.execute(
            "SELECT alias, place_id FROM place_aliases ORDER BY alias"):
        aliases.setdefault(place_id, []).append(alias)
    districts: dict[int, list[str]] = {}
    for district, place_id in project.db.execute(
            "SELECT district, place_id FROM postcode_districts ORDER BY length(district), "
            "district"):
        districts.setdefault(place_id, []).append(district)
    direct = dict(project.db.execute(
        "SELECT place_id, count(*) FROM respondents WHERE place_id IS NOT NULL "
        "GROUP BY place_id").fetchall())
    children: dict[int | None, list[int]] = {}
    for place in places.values():
        children.setdefault(place["parent_id"], []).append(place["id"])
    out: list[dict] = []

    def visit(place_id: int, depth: int) -> int:
        row = places[place_id]
        row.update(depth=depth, aliases=aliases.get(place_id, []),
                   districts=districts.get(place_id, []),
                   respondents=direct.get(place_id, 0), kind_label=KIND_LABELS.get(
                       row["kind"], row["kind"]))
        out.append(row)
        total = row["respondents"]
        for child in children.get(place_id, []):
            total += visit(child, depth + 1)
        row["respondents_total"] = total
        return total

    for root in children.get(None, []):
        visit(root, 0)
    return out


def locality_of(project: Project) -> dict[int, int | None]:
    """For every place, the locality it lies in (itself for a locality; None above them)."""
    parents = dict(project.db.execute("SELECT id, parent_id FROM places").fetchall())
    kinds = dict(project.db.execute("SELECT id, kind FROM places").fetchall())
    found: dict[int, int | None] = {}
    for place_id in parents:
        current: int | None = place_id
        seen = set()
        while current is not None and kinds.get(current) != "locality" and current not in seen:
            seen.add(current)
            current = parents.get(current)
        found[place_id] = current if current is not None and kinds.get(current) == "locality" \
            else None
    return found


def _place(project: Project, place_id: int) -> dict:
    rows = project._rows("SELECT * FROM places WHERE id = ?", [place_id])
    if not rows:
        raise NotFoundError(f"no place {place_id} in {project.path.name}")
    return dict(rows[0])


def find_place(project: Project, name: str) -> int | None:
    """A place id from a name or any alias, ignoring case, '&'/'and' and punctuation."""
    key = place_key(name)
    if not key:
        return None
    row = project.db.execute("SELECT place_id FROM place_aliases WHERE alias = ?",
                             [key]).fetchone()
    if row:
        return row[0]
    for place_id, place_name in project.db.execute("SELECT id, name FROM places"):
        if place_key(place_name) == key:
            return place_id
    return None


# ----- editing places ---------------------------------------------------------------------
def rename_place(project: Project, place_id: int, name: str) -> Changes:
    before = _place(project, place_id)
    clean = " ".join(name.split())
    if not clean:
        raise PlacesError("a place needs a name")
    _refuse_clash(project, clean, place_id)
    with project.transaction("rename place") as tx:
        project.db["places"].update(place_id, {"name": clean})
        for alias in (place_key(before["name"]), place_key(clean)):
            project.db.execute("INSERT OR IGNORE INTO place_aliases (alias, place_id) "
                               "VALUES (?, ?)", [alias, place_id])
        tx.audit("place", place_id, {"name": before["name"]}, {"name": clean})
    return CHANGED


def _refuse_clash(project: Project, name: str, place_id: int | None) -> None:
    other = find_place(project, name)
    if other is not None and other != place_id:
        raise PlacesError(f"{name!r} already names or is an alias of "
                          f"{_place(project, other)['name']!r}")


def set_population(project: Project, place_id: int, population: int | None,
                   is_estimate: bool) -> Changes:
    """Set a place's population; `is_estimate` marks a figure that is not a census count."""
    before = _place(project, place_id)
    if population is not None and (not isinstance(population, int) or population < 0):
        raise PlacesError(f"{before['name']}: population must be a whole number of 0 or more")
    after = {"population": population, "population_is_estimate": int(bool(is_estimate))}
    with project.transaction("set population") as tx:
        project.db["places"].update(place_id, after)
        tx.audit("place", place_id, {k: before[k] for k in after}, after)
    return CHANGED


def add_place(project: Project, parent_id: int, name: str, kind: str = "pcn",
              population: int | None = None, is_estimate: bool = True) -> tuple[int, Changes]:
    """Add a PCN or ward under a locality."""
    parent = _place(project, parent_id)
    if kind not in SUB_LOCALITY_KINDS:
        raise PlacesError(f"only a PCN or a ward can be added (not {kind!r})")
    if parent["kind"] != "locality":
        raise PlacesError(f"a {KIND_LABELS[kind]} goes under a locality, and "
                          f"{parent['name']!r} is a {KIND_LABELS.get(parent['kind'], 'place')}")
    clean = " ".join(name.split())
    if not clean:
        raise PlacesError(f"the new {KIND_LABELS[kind]} needs a name")
    _refuse_clash(project, clean, None)
    if population is not None and population < 0:
        raise PlacesError(f"{clean}: population must be 0 or more")
    row = {"name": clean, "kind": kind, "parent_id": parent_id,
           "partnership_id": parent["partnership_id"], "population": population,
           "population_is_estimate": int(bool(is_estimate))}
    with project.transaction("add place") as tx:
        place_id = project.db["places"].insert(row).last_pk
        project.db["place_aliases"].insert({"alias": place_key(clean), "place_id": place_id},
                                           replace=True)
        tx.audit("place", place_id, None, row)
    return place_id, CHANGED


def delete_place(project: Project, place_id: int) -> Changes:
    """Remove a PCN or ward that nothing points at; the county structure cannot be removed."""
    place = _place(project, place_id)
    if place["kind"] not in SUB_LOCALITY_KINDS:
        raise PlacesError(f"{place['name']!r} is part of the county structure and cannot be "
                          "removed; rename it instead")
    one = project.db.execute
    uses = {
        "respondents": one("SELECT count(*) FROM respondents WHERE place_id = ?",
                           [place_id]).fetchone()[0],
        "activities": one("SELECT count(*) FROM activity_places WHERE place_id = ?",
                          [place_id]).fetchone()[0],
        "places inside it": one("SELECT count(*) FROM places WHERE parent_id = ?",
                                [place_id]).fetchone()[0],
    }
    used = [f"{n} {what}" for what, n in uses.items() if n]
    if used:
        raise PlacesError(f"{place['name']!r} is still used by {', '.join(used)}")
    with project.transaction("delete place") as tx:
        aliases = [r[0] for r in one("SELECT alias FROM place_aliases WHERE place_id = ?",
                                     [place_id])]
        districts = [r[0] for r in one("SELECT district FROM postcode_districts WHERE "
                                       "place_id = ?", [place_id])]
        one("DELETE FROM place_aliases WHERE place_id = ?", [place_id])
        one("DELETE FROM postcode_districts WHERE place_id = ?", [place_id])
        one("DELETE FROM places WHERE id = ?", [place_id])
        tx.audit("place", place_id, {**place, "aliases": aliases, "districts": districts}, None)
    return CHANGED


def add_alias(project: Project, place_id: int, alias: str) -> Changes:
    place = _place(project, place_id)
    key = place_key(alias)
    if not key:
        raise PlacesError("an alias needs some letters or digits")
    other = project.db.execute("SELECT place_id FROM place_aliases WHERE alias = ?",
                               [key]).fetchone()
    if other and other[0] != place_id:
        raise PlacesError(f"{alias.strip()!r} already means {_place(project, other[0])['name']!r}")
    if other:
        return Changes()
    with project.transaction("add place alias") as tx:
        project.db["place_aliases"].insert({"alias": key, "place_id": place_id})
        tx.audit("place_alias", place_id, None, {"alias": key, "place": place["name"]})
    return CHANGED


def remove_alias(project: Project, alias: str) -> Changes:
    key = place_key(alias)
    row = project.db.execute("SELECT place_id FROM place_aliases WHERE alias = ?",
                             [key]).fetchone()
    if row is None:
        raise NotFoundError(f"no alias {alias!r}")
    with project.transaction("remove place alias") as tx:
        project.db.execute("DELETE FROM place_aliases WHERE alias = ?", [key])
        tx.audit("place_alias", row[0], {"alias": key}, None)
    return CHANGED


# ----- postcode districts -----------------------------------------------------------------
def postcode_table(project: Project) -> list[dict]:
    """The lookup with, for each district, how many respondents gave it."""
    return [dict(r) for r in project._rows(
        """SELECT d.district, d.place_id, p.name AS place, coalesce(n.respondents, 0)
             AS respondents
           FROM postcode_districts d JOIN places p ON p.id = d.place_id
           LEFT JOIN (SELECT upper(postcode_district) AS district, count(*) AS respondents
                      FROM respondents WHERE postcode_district IS NOT NULL GROUP BY 1) n
             ON n.district = d.district
           ORDER BY substr(d.district, 1, 2), length(d.district), d.district""")]


def set_postcode_district(project: Project, district: str, place_id: int | None) -> Changes:
    """Point a district at a place, or remove it from the lookup with `place_id=None`."""
    code = normalise_district(district)
    if code is None:
        raise PlacesError(f"{district.strip()!r} is not a postcode district (e.g. DT4 or BH23)")
    before = project.db.execute("SELECT place_id FROM postcode_districts WHERE district = ?",
                                [code]).fetchone()
    if place_id is not None:
        _place(project, place_id)
    with project.transaction("edit postcode district") as tx:
        if place_id is None:
            project.db.execute("DELETE FROM postcode_districts WHERE district = ?", [code])
        else:
            project.db["postcode_districts"].upsert({"district": code, "place_id": place_id},
                                                    pk="district")
        tx.audit("postcode_district", place_id, {"district": code,
                                                 "place_id": before[0] if before else None},
                 {"district": code, "place_id": place_id})
    return CHANGED


@dataclass
class PostcodeImportReport:
    file: str
    rows: int = 0
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    removed: int = 0
    notes: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"File: {self.file}", f"Rows read: {self.rows}",
               f"Districts added: {self.added}, changed: {self.changed}, "
               f"already so: {self.unchanged}"]
        if self.removed:
            out.append(f"Districts removed (not in the file): {self.removed}")
        return out + self.notes


def read_text_file(path: Path) -> str:
    """Text of a small CSV the officer picked: UTF-8 (with or without BOM), else Windows."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise EngageError(f"{path}: no such file") from None
    except OSError as exc:
        raise EngageError(f"{path}: cannot be read ({exc.strerror})") from None
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def import_postcode_districts(project: Project, path: str | Path,
                              replace_all: bool = False) -> tuple[PostcodeImportReport, Changes]:
    """Merge a district → locality CSV into the lookup (or replace it); all rows or none."""
    path = Path(path)
    rows, header_problems = read_district_rows(read_text_file(path), path.name)
    if header_problems:
        raise PlacesError(header_problems[0])
    report = PostcodeImportReport(file=path.name, rows=len(rows))
    problems: list[tuple[int, str]] = []
    wanted: dict[str, tuple[int, int]] = {}
    for row in rows:
        code = normalise_district(row.district)
        place_id = find_place(project, row.place) if row.place else None
        if not row.district and not row.place:
            continue
        if code is None:
            problems.append((row.row, f"{row.district!r} is not a postcode district "
                                      "(expected e.g. DT4 or BH23)"))
        elif not row.place:
            problems.append((row.row, f"no place given for {code}"))
        elif place_id is None:
            problems.append((row.row, f"unknown place {row.place!r} — add it or an alias "
                                      "in Places first"))
        elif code in wanted and wanted[code][0] != place_id:
            problems.append((row.row, f"{code} is already given to another place on row "
                                      f"{wanted[code][1]}"))
        else:
            wanted.setdefault(code, (place_id, row.row))
    if problems:
        raise RowErrors(path.name, problems, len(rows))
    if not wanted:
        raise PlacesError(f"{path.name}: no postcode districts in the file")
    current = dict(project.db.execute("SELECT district, place_id FROM postcode_districts"))
    with project.transaction("import postcode districts") as tx:
        if replace_all:
            gone = sorted(set(current) - set(wanted))
            for code in gone:
                project.db.execute("DELETE FROM postcode_districts WHERE district = ?", [code])
                tx.audit("postcode_district", current[code], {"district": code,
                                                              "place_id": current[code]}, None)
            report.removed = len(gone)
        for code, (place_id, _row) in wanted.items():
            old = current.get(code)
            if old == place_id:
                report.unchanged += 1
                continue
            project.db["postcode_districts"].upsert({"district": code, "place_id": place_id},
                                                    pk="district")
            tx.audit("postcode_district", place_id,
                     None if old is None else {"district": code, "place_id": old},
                     {"district": code, "place_id": place_id})
            if old is None:
                report.added += 1
            else:
                report.changed += 1
    return report, CHANGED


def apply_postcode_districts(project: Project, consultation_id: int | None = None,
                             progress: ProgressFn | None = None,
                             cancelled: CancelFn | None = None) -> tuple[int, Changes]:
    """Place respondents who have no place but whose postcode district is in the lookup.

    Respondents who already have a place keep it: the place they named wins over a lookup
    that is only approximate. Each respondent placed gets an audit row.
    """
    step = Reporter(progress, cancelled)
    step(0.0, "Finding respondents with no place")
    where = "AND r.consultation_id = ?" if consultation_id is not None else ""
    params = [consultation_id] if consultation_id is not None else []
    rows = project.db.execute(
        f"""SELECT r.id, d.place_id, d.district FROM respondents r
            JOIN postcode_districts d ON d.district = upper(r.postcode_district)
            WHERE r.place_id IS NULL {where}""", params).fetchall()
    if not rows:
        step(1.0, "No respondents to place")
        return 0, Changes()
    with project.transaction("place respondents by postcode") as tx:
        for i, (respondent_id, place_id, district) in enumerate(rows):
            if i % 500 == 0:
                step(i / len(rows), f"Placing respondent {i + 1} of {len(rows)}")
            project.db.execute("UPDATE respondents SET place_id = ? WHERE id = ?",
                               [place_id, respondent_id])
            tx.audit("respondent", respondent_id, {"place_id": None},
                     {"place_id": place_id, "by_postcode_district": district})
    step(1.0, f"Placed {len(rows)} respondents")
    return len(rows), Changes(respondents=True, places=True)


def unplaced_respondents(project: Project, consultation_id: int | None = None,
                         limit: int = 200) -> dict:
    """Respondents with no place: how many, grouped by what they wrote, and the first few."""
    where = "AND r.consultation_id = ?" if consultation_id is not None else ""
    params = [consultation_id] if consultation_id is not None else []
    count = project.db.execute(f"SELECT count(*) FROM respondents r WHERE r.place_id IS NULL "
                               f"{where}", params).fetchone()[0]
    groups = [dict(r) for r in project._rows(
        f"""SELECT coalesce(nullif(trim(r.place_raw), ''), '') AS place_raw,
              coalesce(upper(r.postcode_district), '') AS postcode_district,
              count(*) AS respondents,
              (SELECT d.place_id FROM postcode_districts d
               WHERE d.district = upper(r.postcode_district)) AS district_place_id
            FROM respondents r WHERE r.place_id IS NULL {where}
            GROUP BY 1, 2 ORDER BY respondents DESC, 1, 2 LIMIT ?""", params + [limit])]
    rows = [dict(r) for r in project._rows(
        f"""SELECT r.id, r.external_id, c.name AS consultation, r.place_raw, r.postcode_district
            FROM respondents r JOIN consultations c ON c.id = r.consultation_id
            WHERE r.place_id IS NULL {where} ORDER BY r.id LIMIT ?""", params + [limit])]
    return {"count": count, "groups": groups, "respondents": rows}
