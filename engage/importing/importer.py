"""Storing a survey export in a project: one transaction, so a failure leaves it as it was.

Wide layout: each open-question column becomes a question, each non-empty cell a comment
linked to its respondent. Long layout: each row is one answer, its question named in a
question column. A respondent may have several rows; without an id column each row is its own
respondent. Re-importing or appending a later export of the same survey matches respondents on
their id and skips (and counts) every answer already in the project.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
import secrets
from collections import Counter
from pathlib import Path

from engage.changes import Changes
from engage.errors import ImportFileError
from engage.importing.cleaning import duplicate_key, is_placeholder, normalise_text
from engage.importing.layout import HeaderInfo, metadata_kind, prepare_table, question_label
from engage.importing.mapping import ColumnMapping, guess_mapping
from engage.importing.pii import mask_personal_data, postcode_district
from engage.importing.readers import Table, read_table
from engage.importing.report import ImportReport, describe, left_out_columns
from engage.places import place_key, resolve_place
from engage.progress import CancelFn, ProgressFn, Reporter
from engage.project import Project, utc_now

FIXED_ATTRIBUTES = ("age_band", "sex", "ethnicity", "disability", "carer")
_PSEUDONYM_SETTING = "respondent_pseudonym_key"
_TEN_DIGITS_RE = re.compile(r"(?:[0-9][^0-9]{0,4}){9}[0-9]")
# Day first, as UK tools write; a date that cannot be day-first (03/14/2024) is read
# month-first, as US-made tools (SurveyMonkey, Microsoft Forms) write by default.
_DATE_FORMATS = ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y", "%d-%m-%Y", "%d.%m.%Y", "%Y/%m/%d",
                 "%d %B %Y", "%d %b %Y", "%b %d, %Y", "%B %d, %Y", "%m/%d/%Y", "%m/%d/%y")


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
    table, info = prepare_table(table, header_rows=header_rows)
    report(0.15, f"Read {len(table.rows)} rows")
    overrides = dict(layout=layout, question_column=question_column,
                     respondent_column=respondent_column)
    if mapping is None:
        saved = project.saved_mapping(ColumnMapping.signature(table.columns))
        if saved and not any(overrides.values()):
            mapping = ColumnMapping.from_json(saved)
        else:
            mapping = guess_mapping(table, **overrides)
    else:
        mapping = with_overrides(mapping, table, **overrides)
    if text_columns:
        mapping = with_text_columns(mapping, table, text_columns)
    return import_table(project, table, consultation, mapping, keep_original=keep_original,
                        save_mapping=save_mapping, progress=report.span(0.15, 1.0),
                        cancelled=cancelled, sha256=file_sha256(path), header_info=info)


def with_overrides(mapping: ColumnMapping, table: Table, layout: str | None = None,
                   question_column: str | None = None,
                   respondent_column: str | None = None) -> ColumnMapping:
    """A given mapping with the command line's layout, question and respondent columns."""
    if not (layout or question_column or respondent_column):
        return mapping
    guessed = guess_mapping(table, layout=layout, question_column=question_column,
                            respondent_column=respondent_column)
    roles = dict(mapping.roles)
    for role, given in (("question", question_column), ("respondent_id", respondent_column)):
        if given:
            for column, r in list(roles.items()):
                if r == role:
                    roles[column] = "attribute"
            roles[given] = role
    if layout == "wide":
        roles = {c: ("attribute" if r == "question" else r) for c, r in roles.items()}
    elif layout == "long" and not question_column and "question" not in roles.values():
        found = guessed.column_for("question")
        if found:
            roles[found] = "question"
    return ColumnMapping(roles=roles)


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
    return ColumnMapping(roles=roles, reasons=dict(mapping.reasons))


def import_table(project: Project, table: Table, consultation: str, mapping: ColumnMapping,
                 keep_original: bool = False, save_mapping: bool = True,
                 progress: ProgressFn | None = None, cancelled: CancelFn | None = None,
                 sha256: str | None = None,
                 header_info: HeaderInfo | None = None) -> tuple[ImportReport, Changes]:
    """Import an already-read table in one transaction; raise (and keep nothing) on failure.

    `header_info` (from `layout.prepare_table`) says which heading rows were left out.
    """
    mapping.validate(table)
    step = Reporter(progress, cancelled)
    result = ImportReport(file=Path(table.source).name, consultation=consultation,
                          warnings=list(getattr(table, "warnings", [])),
                          shape=describe(header_info, mapping),
                          left_out_columns=left_out_columns(mapping),
                          columns=list(table.columns))
    if header_info is not None:
        result.skipped += header_info.header_row_numbers
        result.skipped_cells.update({row: [mask_personal_data(c)[0] for c in cells]
                                     for row, cells in header_info.header_cells.items()})
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
        self.pseudonyms: dict[str, str] = {}
        self.masked_values: dict[str, tuple[str, Counter]] = {}
        self.question_texts: dict[str, str] = {}
        self.attribute_columns = mapping.attribute_columns  # once, not once a row
        self._key: bytes | None = None
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
        """Label -> id of the consultation's questions; `_question_id` adds new ones."""
        self.questions = dict(self.db.execute(
            "SELECT label, id FROM questions WHERE consultation_id = ?",
            [self.consultation_id]).fetchall())
        return self.questions

    def _question_id(self, label: str) -> int:
        found = self.questions.get(label)
        if found is None:
            found = self.db["questions"].insert(
                {"consultation_id": self.consultation_id, "label": label, "text": label,
                 "position": len(self.questions) + 1}).last_pk
            self.questions[label] = found
        return found

    def _next_id(self, table: str) -> int:
        return (self.db.execute(f"SELECT max(id) FROM {table}").fetchone()[0] or 0) + 1

    def write(self, step: Reporter, sha256: str | None) -> None:
        report = self.report
        import_id = self.db["imports"].insert({
            "consultation_id": self.consultation_id, "file_name": report.file,
            "file_format": self.table.file_format, "sheet": self.table.sheet, "sha256": sha256,
            "imported_at": utc_now(), "imported_by": self.project.user}).last_pk
        report.import_id = import_id
        self._question_ids()
        if self.mapping.column_for("question") is None:
            for column in self.mapping.comment_columns:  # wide: questions in column order
                self._question_id(column)
        known = dict(self.db.execute(
            "SELECT external_id, id FROM respondents WHERE consultation_id = ?",
            [self.consultation_id]).fetchall())
        already = self._answers_in_project()
        seen_keys = dict(self.db.execute(
            "SELECT dup_key, min(id) FROM comments WHERE consultation_id = ? AND substantive = 1 "
            "GROUP BY dup_key", [self.consultation_id]).fetchall())
        next_respondent, next_comment = self._next_id("respondents"), self._next_id("comments")
        respondents, comments = [], []
        new_rows: dict[str, dict] = {}       # external id -> respondent row made by this import
        matched: set[str] = set()
        row_counts: Counter = Counter()      # rows without an id, by content
        question_at = self.index.get(self.mapping.column_for("question") or "")
        answer_columns = [(c, self.index[c]) for c in self.mapping.comment_columns]
        several = len(answer_columns) > 1
        long_layout = question_at is not None
        total = max(1, len(self.table.rows))
        for i, values in enumerate(self.table.rows):
            if i % 500 == 0:
                step(0.7 * i / total, f"Reading row {i + 1} of {total}")
            row_number = self.table.row_number(i)
            report.rows_read += 1
            external = self._external_id(values, row_counts)
            respondent_id = known.get(external)
            if respondent_id is None:
                respondent_id = next_respondent
                next_respondent += 1
                known[external] = respondent_id
                row = self._masked(self._respondent(respondent_id, external, values, row_number,
                                                    import_id), row_number)
                respondents.append(row)
                new_rows[external] = row
                report.respondents_created += 1
            elif external in new_rows:
                self._merge(new_rows[external], values, row_number)
            elif external not in matched:
                matched.add(external)
                report.respondents_matched += 1
            date = parse_date(self._value(values, "date"))
            asked = self._question_text(values[question_at]) if long_layout else ""
            answered = False
            for column, j in answer_columns:
                raw = normalise_text(values[j])
                if not raw:
                    continue
                answered = True
                report.answers_read += 1
                label = (f"{asked} - {column}" if several else asked) if asked else column
                question_id = self._question_id(label)
                comment = self._comment(next_comment, raw, question_id, respondent_id,
                                        date, row_number, import_id, seen_keys)
                key = (respondent_id, question_id, comment["text"])
                if already.get(key):
                    already[key] -= 1
                    report.duplicates += 1
                    report.duplicate_rows.append(row_number)
                    self._undo_counts(comment, seen_keys)
                    continue
                comments.append(comment)
                next_comment += 1
            if long_layout and not answered:
                self._leave_out(row_number, values, "no answer in "
                                + ", ".join(c for c, _ in answer_columns))
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

    def _question_text(self, cell: str) -> str:
        """A long file's question cell as a question's name (one line, masked like any text)."""
        found = self.question_texts.get(cell)
        if found is None:
            found = self.question_texts[cell] = mask_personal_data(question_label(cell))[0]
        return found

    def _answers_in_project(self) -> Counter:
        """(respondent, question, text) of the answers already stored: an export that repeats
        them (a later download of the same survey) adds each only once."""
        rows = self.db.execute(
            "SELECT respondent_id, question_id, text FROM comments WHERE consultation_id = ?",
            [self.consultation_id])
        return Counter(map(tuple, rows))

    def _undo_counts(self, comment: dict, seen_keys: dict[str, int]) -> None:
        """A comment not stored after all (already in the project) leaves no counts behind."""
        if comment["duplicate_of"] is not None:
            self.report.repeated_texts -= 1
        elif comment["dup_key"] and seen_keys.get(comment["dup_key"]) == comment["id"]:
            del seen_keys[comment["dup_key"]]
        if not comment["substantive"]:
            self.report.placeholders -= 1
        if comment["masked"]:
            kinds = {k["kind"]: k["count"] for k in json.loads(comment["masked"])}
            self.report.masked.subtract(kinds)
            self.report.masked += Counter()  # drop the kinds that fell to zero
            for kind in kinds:
                self.report.masked_rows.remove((comment["source_row"], kind))

    def _leave_out(self, row_number: int, values: list[str], reason: str) -> None:
        self.report.skipped.append((row_number, reason))
        if len(self.report.skipped_cells) < 500:
            self.report.skipped_cells[row_number] = self._shown_cells(values)

    def _shown_cells(self, values: list[str]) -> list[str]:
        """A row as the report may show it: personal columns blank, free text masked."""
        out = []
        for column, value in zip(self.table.columns, values, strict=True):
            role = self.mapping.role_of(column)
            hidden = role == "ignore" and (metadata_kind(column) == "personal"
                                           or "Personal" in self.mapping.reasons.get(column, ""))
            out.append("" if hidden else mask_personal_data(value)[0])
        return out

    def _masked(self, row: dict, row_number: int) -> dict:
        """Mask personal data in a respondent's kept values (place, fixed and other attributes)."""
        for name in ("place_raw", *FIXED_ATTRIBUTES):
            if row.get(name):
                row[name] = self._mask_value(row[name], row_number)
        attributes = row.get("attributes") or "{}"
        if attributes != "{}":
            values = json.loads(attributes)
            masked = {k: self._mask_value(v, row_number) for k, v in values.items()}
            if masked != values:
                row["attributes"] = json.dumps(masked, ensure_ascii=False)
        return row

    def _mask_value(self, value: str, row_number: int) -> str:
        found = self.masked_values.get(value)
        if found is None:  # attribute values repeat: mask each distinct one once
            text, items = mask_personal_data(value)
            found = self.masked_values[value] = (text, Counter(item.kind for item in items))
        text, kinds = found
        if kinds:
            self.report.masked.update(kinds)
            self.report.masked_rows += [(row_number, kind) for kind in kinds]
        return text

    def _merge(self, row: dict, values: list[str], row_number: int) -> None:
        """A respondent's later row (long layout) fills in what their first row left empty."""
        if not self.attribute_columns and not any(
                row.get(name) is None for name in FIXED_ATTRIBUTES):
            return
        attributes = json.loads(row["attributes"])
        changed = False
        for column in self.attribute_columns:
            value = values[self.index[column]].strip()
            if value and column not in attributes:
                attributes[column] = self._mask_value(value, row_number)
                changed = True
        if changed:
            row["attributes"] = json.dumps(attributes, ensure_ascii=False)
        for name in FIXED_ATTRIBUTES:
            if row.get(name) is None and self._value(values, name):
                row[name] = self._mask_value(self._value(values, name), row_number)

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

    def _external_id(self, values: list[str], row_counts: Counter) -> str:
        """The export's own id (a pseudonym if it is personal data, such as an e-mail), or
        for a row without one, a hash of the row and how many identical rows came before:
        two people who answered alike stay two respondents, and re-importing the same file
        finds the same ones again."""
        given = self._value(values, "respondent_id")
        if given:
            # "10342", "R_2d9x", "ANON-1001-XYZ": a code, no one's data; anything with an @,
            # a space, a dot or ten digits could be an address, a name or a phone number.
            code = not any(c in given for c in "@ .") and not _TEN_DIGITS_RE.search(given)
            if not code and mask_personal_data(given)[1]:
                self.report.pseudonymised += given not in self.pseudonyms
                return self._pseudonym(given)
            return given
        digest = hashlib.sha1("\x1f".join(values).encode("utf-8")).hexdigest()[:16]
        row_counts[digest] += 1
        n = row_counts[digest]
        return f"row:{digest}" if n == 1 else f"row:{digest}:{n}"

    def _pseudonym(self, given: str) -> str:
        found = self.pseudonyms.get(given)
        if found is None:
            digest = hashlib.blake2b(" ".join(given.casefold().split()).encode("utf-8"),
                                     key=self._pseudonym_key(), digest_size=8).hexdigest()
            found = self.pseudonyms[given] = f"pseudonym:{digest}"
        return found

    def _pseudonym_key(self) -> bytes:
        """A random key kept in the project: the same e-mail gets the same pseudonym at every
        import, yet no one can recompute it from a list of addresses without the file."""
        if self._key is None:
            stored = self.db.execute("SELECT value FROM settings WHERE key = ?",
                                     [_PSEUDONYM_SETTING]).fetchone()
            if stored is None:
                stored = (secrets.token_hex(16),)
                self.db["settings"].insert({"key": _PSEUDONYM_SETTING, "value": stored[0]})
            self._key = bytes.fromhex(stored[0])
        return self._key

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
                      for column in self.attribute_columns
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
                self.report.repeated_texts += 1
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
