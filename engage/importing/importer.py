"""Storing a survey export in a project: one transaction, so a failure leaves it as it was.

Wide layout: each open-question column becomes a question, each non-empty cell a comment
linked to its respondent. Re-importing or appending a later export of the same survey matches
respondents on their id and never duplicates them or their answers.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from engage.changes import Changes
from engage.errors import ImportFileError
from engage.importing.cleaning import duplicate_key, is_placeholder, normalise_text
from engage.importing.mapping import ColumnMapping, guess_mapping
from engage.importing.pii import mask_personal_data, postcode_district
from engage.importing.readers import Table, read_table
from engage.places import place_key, resolve_place
from engage.progress import CancelFn, ProgressFn, Reporter
from engage.project import Project, utc_now

FIXED_ATTRIBUTES = ("age_band", "sex", "ethnicity", "disability", "carer")
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d",
                 "%d %B %Y", "%d %b %Y")


@dataclass
class ImportReport:
    """What an import did, shown to the officer and kept with the project."""

    file: str
    consultation: str = ""
    consultation_id: int | None = None
    import_id: int | None = None
    rows_read: int = 0
    respondents_created: int = 0
    respondents_matched: int = 0
    comments_created: int = 0
    comments_already_present: int = 0
    placeholders: int = 0
    duplicates: int = 0
    unplaced_respondents: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    masked: Counter = field(default_factory=Counter)
    masked_rows: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        """A plain-language summary for the CLI and the wizard's last page."""
        out = [
            f"File: {self.file}",
            f"Consultation: {self.consultation}",
            f"Rows read: {self.rows_read}",
            f"Respondents: {self.respondents_created} new, {self.respondents_matched} already in the project",
            f"Comments created: {self.comments_created}"
            + (f" ({self.comments_already_present} already imported, not added again)"
               if self.comments_already_present else ""),
            f"Non-substantive answers (kept, marked): {self.placeholders}",
            f"Exact duplicates flagged: {self.duplicates}",
        ]
        if self.unplaced_respondents:
            out.append(f"Respondents with no recognised place: {self.unplaced_respondents}")
        if self.masked:
            kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.masked.items()))
            out.append(f"Personal data masked: {kinds}")
        out.append(f"Skipped rows: {len(self.skipped)}")
        out += [f"  row {row}: {reason}" for row, reason in self.skipped[:50]]
        if len(self.skipped) > 50:
            out.append(f"  … and {len(self.skipped) - 50} more")
        out += [f"Warning: {w}" for w in self.warnings[:20]]
        return out

    def to_dict(self) -> dict:
        return dict(file=self.file, rows_read=self.rows_read,
                    respondents_created=self.respondents_created,
                    respondents_matched=self.respondents_matched,
                    comments_created=self.comments_created,
                    comments_already_present=self.comments_already_present,
                    placeholders=self.placeholders, duplicates=self.duplicates,
                    unplaced_respondents=self.unplaced_respondents,
                    skipped=self.skipped, masked=dict(self.masked),
                    masked_rows=self.masked_rows[:500], warnings=self.warnings[:200])


@functools.lru_cache(maxsize=4096)
def parse_date(value: str) -> str | None:
    """ISO date from what survey tools write (UK day-first), or None if it is not a date."""
    text = value.strip()
    if not text:
        return None
    head = text.replace("T", " ").split(" ")[0] if text[:4].isdigit() else text
    for candidate in (head, text.split(" ")[0], text):
        for fmt in _DATE_FORMATS:
            try:
                return dt.datetime.strptime(candidate, fmt).date().isoformat()
            except ValueError:
                continue
    return None


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def import_file(project: Project, path: str | Path, consultation: str,
                mapping: ColumnMapping | None = None, sheet: str | None = None,
                text_columns: list[str] | None = None, keep_original: bool = False,
                save_mapping: bool = True, progress: ProgressFn | None = None,
                cancelled: CancelFn | None = None, layout: str | None = None,
                question_column: str | None = None, header_rows: int | None = None,
                respondent_column: str | None = None) -> tuple[ImportReport, Changes]:
    """Read a file and import it; the mapping is the saved one, the guessed one, or given."""
    path = Path(path)
    report = Reporter(progress, cancelled)
    report(0.0, f"Reading {path.name}")
    table = read_table(path, sheet=sheet)
    report(0.15, f"Read {len(table.rows)} rows")
    if mapping is None:
        saved = project.saved_mapping(ColumnMapping.signature(table.columns))
        mapping = ColumnMapping.from_json(saved) if saved else guess_mapping(table)
    if text_columns:
        mapping = with_text_columns(mapping, table, text_columns)
    return import_table(project, table, consultation, mapping, keep_original=keep_original,
                        save_mapping=save_mapping, progress=report.span(0.15, 1.0),
                        cancelled=cancelled, sha256=file_sha256(path))


def with_text_columns(mapping: ColumnMapping, table: Table, columns: list[str]) -> ColumnMapping:
    """Explicit comment columns win over the guess; other guessed comment columns are ignored."""
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ImportFileError(f"{Path(table.source).name}: no column named "
                              + ", ".join(repr(c) for c in missing)
                              + f" (columns are: {', '.join(table.columns)})")
    roles = dict(mapping.roles)
    for column, role in roles.items():
        if role == "comment" and column not in columns:
            roles[column] = "ignore"
    for column in columns:
        roles[column] = "comment"
    return ColumnMapping(roles=roles)


def import_table(project: Project, table: Table, consultation: str, mapping: ColumnMapping,
                 keep_original: bool = False, save_mapping: bool = True,
                 progress: ProgressFn | None = None, cancelled: CancelFn | None = None,
                 sha256: str | None = None) -> tuple[ImportReport, Changes]:
    """Import an already-read table in one transaction; raise (and keep nothing) on failure."""
    mapping.validate(table)
    step = Reporter(progress, cancelled)
    result = ImportReport(file=Path(table.source).name, consultation=consultation,
                          warnings=list(getattr(table, "warnings", [])))
    with project.transaction("import") as tx:
        plan = _ImportPlan(project, table, mapping, consultation, keep_original, result)
        plan.write(step, sha256)
        if save_mapping:
            project.db["saved_mappings"].upsert(
                {"signature": ColumnMapping.signature(table.columns), "name": result.file,
                 "mapping": json.dumps(mapping.to_json()), "saved_at": utc_now()},
                pk="signature")
        tx.audit("import", result.import_id, None, {
            "file": result.file, "consultation": consultation,
            "comments_created": result.comments_created,
            "respondents_created": result.respondents_created})
    # Fresh statistics let SQLite pick the index for filtered first pages (a question's or
    # a place's comments: ~77 ms to under 1 ms on a million); cheap next to the import.
    project.db.execute("ANALYZE")
    if progress is not None:  # after the commit: report, but a late Cancel can't undo it
        progress(1.0, f"Imported {result.comments_created} comments")
    return result, Changes(consultations=True, questions=True, respondents=True, comments=True)


class _ImportPlan:
    """Turns rows into respondent and comment records; lives for one import only."""

    def __init__(self, project: Project, table: Table, mapping: ColumnMapping,
                 consultation: str, keep_original: bool, report: ImportReport) -> None:
        self.project, self.table, self.mapping = project, table, mapping
        self.keep_original, self.report = keep_original, report
        self.db = project.db
        self.consultation_id = self._consultation_id(consultation)
        report.consultation_id = self.consultation_id
        self.aliases, self.districts = project.place_lookup()
        self.place_names = {place_key(p["name"]): p["id"] for p in project.places()}
        self.index = {name: i for i, name in enumerate(table.columns)}
        self.role_index = {role: self.index[column] for column, role in mapping.roles.items()
                           if role not in ("comment", "attribute", "ignore")}

    def _consultation_id(self, name: str) -> int:
        name = name.strip()
        if not name:
            raise ImportFileError("the consultation needs a name")
        existing = self.project.find_consultation(name)
        if existing:
            return existing["id"]
        return self.db["consultations"].insert(
            {"name": name, "description": "", "created_at": utc_now()}).last_pk

    def _question_ids(self) -> dict[str, int]:
        existing = dict(self.db.execute(
            "SELECT label, id FROM questions WHERE consultation_id = ?",
            [self.consultation_id]).fetchall())
        position = len(existing)
        for column in self.mapping.comment_columns:
            if column not in existing:
                position += 1
                existing[column] = self.db["questions"].insert(
                    {"consultation_id": self.consultation_id, "label": column, "text": column,
                     "position": position}).last_pk
        return existing

    def _next_id(self, table: str) -> int:
        return (self.db.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0) + 1

    def write(self, step: Reporter, sha256: str | None) -> None:
        report = self.report
        import_id = self.db["imports"].insert({
            "consultation_id": self.consultation_id, "file_name": report.file,
            "file_format": self.table.file_format, "sheet": self.table.sheet, "sha256": sha256,
            "imported_at": utc_now(), "imported_by": self.project.user}).last_pk
        report.import_id = import_id
        questions = self._question_ids()
        known = dict(self.db.execute(
            "SELECT external_id, id FROM respondents WHERE consultation_id = ?",
            [self.consultation_id]).fetchall())
        answered = set(self.db.execute(
            "SELECT respondent_id, question_id FROM comments WHERE consultation_id = ?",
            [self.consultation_id]).fetchall())
        seen_keys = dict(self.db.execute(
            "SELECT dup_key, min(id) FROM comments WHERE consultation_id = ? AND substantive = 1 "
            "GROUP BY dup_key", [self.consultation_id]).fetchall())
        next_respondent, next_comment = self._next_id("respondents"), self._next_id("comments")
        respondents, comments = [], []
        first_row_of: dict[str, int] = {}
        total = max(1, len(self.table.rows))
        for i, values in enumerate(self.table.rows):
            if i % 500 == 0:
                step(0.7 * i / total, f"Reading row {i + 1} of {total}")
            row_number = self.table.row_number(i)
            report.rows_read += 1
            if not any(v.strip() for v in values):
                report.skipped.append((row_number, "empty row"))
                continue
            external = self._external_id(values)
            if external in first_row_of:
                report.skipped.append((row_number, f"respondent {external} already appears at "
                                                   f"row {first_row_of[external]}; first kept"))
                continue
            first_row_of[external] = row_number
            respondent_id = known.get(external)
            if respondent_id is None:
                respondent_id = next_respondent
                next_respondent += 1
                respondents.append(self._respondent(respondent_id, external, values, row_number,
                                                    import_id))
                report.respondents_created += 1
            else:
                report.respondents_matched += 1
            date = parse_date(self._value(values, "date"))
            for column in self.mapping.comment_columns:
                raw = normalise_text(values[self.index[column]])
                if not raw:
                    continue
                question_id = questions[column]
                if (respondent_id, question_id) in answered:
                    report.comments_already_present += 1
                    continue
                answered.add((respondent_id, question_id))
                comments.append(self._comment(next_comment, raw, question_id, respondent_id,
                                              date, row_number, import_id, seen_keys))
                next_comment += 1
        step(0.75, f"Saving {len(comments)} comments")
        _bulk_insert(self.db, "respondents", respondents)
        _bulk_insert(self.db, "comments", comments)
        report.comments_created = len(comments)
        report.unplaced_respondents = sum(1 for r in respondents if r["place_id"] is None)
        self.db["imports"].update(import_id, {
            "rows_read": report.rows_read, "respondents_created": report.respondents_created,
            "respondents_matched": report.respondents_matched,
            "comments_created": report.comments_created,
            "report": json.dumps(report.to_dict()), "mapping": json.dumps(self.mapping.to_json())})

    def _unknown_locality(self, name: str) -> int:
        """The id of a town's "(locality unknown)" place, made under its council if new."""
        from engage.places import (
            AMBIGUOUS_TOWN_PARENT,
            AMBIGUOUS_TOWN_PARTNERSHIP,
            UNKNOWN_LOCALITY_KIND,
        )

        found = self.db.execute("SELECT id FROM places WHERE name = ?", [name]).fetchone()
        if found:
            return found[0]
        parent = self.db.execute("SELECT id FROM places WHERE name = ?",
                                 [AMBIGUOUS_TOWN_PARENT]).fetchone()
        partnership = self.db.execute("SELECT id FROM places WHERE name = ?",
                                      [AMBIGUOUS_TOWN_PARTNERSHIP]).fetchone()
        return self.db["places"].insert({
            "name": name, "kind": UNKNOWN_LOCALITY_KIND, "parent_id": parent[0] if parent else None,
            "partnership_id": partnership[0] if partnership else None, "population": None,
            "population_is_estimate": 0}).last_pk

    def _value(self, values: list[str], role: str) -> str:
        i = self.role_index.get(role)
        return values[i].strip() if i is not None else ""

    def _external_id(self, values: list[str]) -> str:
        """The export's own id, or a hash of the row so re-importing a file is idempotent."""
        given = self._value(values, "respondent_id")
        if given:
            return given
        return "row:" + hashlib.sha1("\x1f".join(values).encode("utf-8")).hexdigest()[:16]

    def _respondent(self, rid: int, external: str, values: list[str], row_number: int,
                    import_id: int) -> dict:
        place_raw = self._value(values, "place")
        postcode = self._value(values, "postcode")
        district = postcode_district(postcode) if postcode else None
        place_id = resolve_place(place_raw, district, self.aliases, self.districts,
                                 self.place_names)
        if isinstance(place_id, str):
            place_id = self._unknown_locality(place_id)
        attributes = {column: values[self.index[column]].strip()
                      for column in self.mapping.attribute_columns
                      if values[self.index[column]].strip()}
        row = dict(id=rid, consultation_id=self.consultation_id, external_id=external,
                   place_id=place_id, place_raw=place_raw or None, postcode_district=district,
                   date=parse_date(self._value(values, "date")),
                   attributes=json.dumps(attributes, ensure_ascii=False), import_id=import_id,
                   source_row=row_number)
        for role in FIXED_ATTRIBUTES:
            row[role] = self._value(values, role) or None
        return row

    def _comment(self, cid: int, raw: str, question_id: int, respondent_id: int,
                 date: str | None, row_number: int, import_id: int,
                 seen_keys: dict[str, int]) -> dict:
        text, items = mask_personal_data(raw)
        masked = None
        if items:
            kinds = Counter(item.kind for item in items)
            self.report.masked.update(kinds)
            self.report.masked_rows += [(row_number, kind) for kind in kinds]
            masked = json.dumps([{"kind": k, "count": n} for k, n in sorted(kinds.items())])
        substantive = not is_placeholder(text)
        key = _dup_hash(duplicate_key(text)) if substantive else None
        duplicate_of = None
        if key:
            duplicate_of = seen_keys.get(key)
            if duplicate_of is None:
                seen_keys[key] = cid
            else:
                self.report.duplicates += 1
        if not substantive:
            self.report.placeholders += 1
        return dict(id=cid, consultation_id=self.consultation_id, question_id=question_id,
                    respondent_id=respondent_id, text=text,
                    original_text=raw if (self.keep_original and items) else None, date=date,
                    import_id=import_id, source_row=row_number, substantive=int(substantive),
                    duplicate_of=duplicate_of, dup_key=key, masked=masked)


def _dup_hash(key: str) -> str:
    """A short fixed-size stand-in for the normalised text, so the duplicate index stays small
    (64 bits: a chance collision needs billions of distinct comments)."""
    return hashlib.blake2b(key.encode("utf-8"), digest_size=8).hexdigest()


def _bulk_insert(db, table: str, rows: list[dict]) -> None:
    """Insert many rows with one prepared statement.

    sqlite-utils' insert_all rebuilds SQL and JSON-checks every value for each chunk, which
    costs more than the import itself at 29,000 comments; all rows here share one shape.
    """
    if not rows:
        return
    columns = list(rows[0])
    sql = (f"INSERT INTO {table} ({', '.join(columns)}) "
           f"VALUES ({', '.join('?' * len(columns))})")
    db.conn.executemany(sql, ([row[c] for c in columns] for row in rows))
