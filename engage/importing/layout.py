"""What kind of export a table is: its heading rows, the tool that wrote it, its metadata
columns, and whether it holds one row per respondent (wide) or one row per answer (long).

Survey tools put more than column names at the top: SurveyMonkey a second row of sub-labels
("Open-Ended Response"), Qualtrics the question wording and a row of `{"ImportId": …}` JSON,
Snap the variable labels. Those rows are found from their content (a row whose cells do not
fit what the rows below hold in typed columns, or echo the column names), used for the
question names, and never imported as answers. Everything here works on a `Table` and never
touches a project, so the wizard's preview and the importer see the same result.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from engage.errors import ImportFileError
from engage.importing.table import Table, unique_column_names

#: Heading rows looked at beyond the first: Qualtrics has three in all.
MAX_EXTRA_HEADER_ROWS = 3
_TYPE_SAMPLE_ROWS = 200

_IMPORT_ID_RE = re.compile(r'^\s*\{\s*"ImportId"\s*:', re.IGNORECASE)
_NUMBER_RE = re.compile(r"^[-+]?\d+(?:[.,]\d+)?$")
_DATE_LIKE_RE = re.compile(
    r"^(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[-/.]\d{1,2}[-/.]\d{2,4})(?:[ T]\d{1,2}:\d{2}.*)?$"
    r"|^\d{1,2}:\d{2}(?::\d{2})?(?: ?[AaPp][Mm])?$")
_IP_RE = re.compile(r"^(?:\d{1,3}\.){3}\d{1,3}$|^[0-9a-fA-F]{0,4}(?::[0-9a-fA-F]{0,4}){2,7}$")
_BOOL_RE = re.compile(r"^(?:true|false)$", re.IGNORECASE)
_NOT_STATED_RE = re.compile(r"^(?:n/?a|-+|unknown|not known|prefer not to say)$", re.IGNORECASE)

#: Sub-labels that say only "this column is the answer": the question is row 1's.
_PLAIN_SUB_LABELS = frozenset({"response", "responses", "open-ended response", "open ended response",
                               "open-ended responses", "antwort", "offene antwort", "réponse",
                               "réponse ouverte", "respuesta", "respuesta abierta"})
#: Second-row sub-labels of SurveyMonkey-style exports (and their usual translations).
SUB_LABELS = frozenset({
    "response", "responses", "open-ended response", "open ended response", "open-ended responses",
    "other (please specify)", "antwort", "offene antwort", "réponse", "réponse ouverte",
    "respuesta", "respuesta abierta",
})

# A column name that is a code rather than wording: Q2, Q2_TEXT, Q3_1, QID5, V12, Q1.2, S3.
_CODE_RE = re.compile(r"^(?:q|qid|v|s|question|var)[ _.-]?\d+(?:[ _.-]?[a-z0-9]+)*$", re.IGNORECASE)


def squash(name: str) -> str:
    """A column name reduced to lowercase letters and digits: "Start Date" == "StartDate"."""
    return re.sub(r"[^a-z0-9]+", "", name.casefold())


# --------------------------------------------------------------------------------------------
# Survey metadata: what each tool adds around the answers.

_TIME_COLUMNS = frozenset(squash(n) for n in (
    "StartDate", "EndDate", "RecordedDate", "Start time", "End time", "Completion time",
    "Timestamp", "Submitted", "Date submitted", "Submitted on", "Submission Date", "Started",
    "Ended", "Completed", "Last modified time", "Response submitted", "Date entered",
    "Created on", "Date created", "Received", "Date received",
))
#: The time that says when the answer was given, best first (a start time is the fallback).
_ANSWER_TIME_ORDER = tuple(squash(n) for n in (
    "RecordedDate", "Completion time", "Submitted", "Date submitted", "Submitted on",
    "Submission Date", "Response submitted", "Timestamp", "EndDate", "Ended", "Completed",
    "End time", "Received", "Date received", "Created on", "Date created", "Date entered",
    "StartDate", "Started", "Start time", "Last modified time",
))
_PERSONAL_COLUMNS = frozenset(squash(n) for n in (
    "IPAddress", "IP", "Submission IP", "User IP", "LocationLatitude", "LocationLongitude",
    "Latitude", "Longitude", "Lat", "Long", "Lng", "RecipientEmail", "RecipientFirstName",
    "RecipientLastName", "Email", "Email address", "E-mail", "E-mail address",
    "Respondent email", "Name", "First name", "Last name", "Full name", "Surname",
    "Forename", "Contact name", "Contact email", "Phone", "Telephone", "Mobile",
    "Phone number", "Telephone number", "Address", "Home address", "Date of birth", "DOB",
    "Your name", "Your email", "Your email address", "Your phone number",
))
_OTHER_METADATA = frozenset(squash(n) for n in (
    "Status", "Response Status", "Progress", "Duration (in seconds)", "Duration",
    "Time taken", "Finished", "UserAgent", "User Agent", "Browser", "Device", "Operating System",
    "UserLanguage", "Language", "Q_Language", "DistributionChannel", "Distribution channel",
    "Collector ID", "Collector", "ResponseSet", "Tracking Link", "Custom Value",
    "Custom Data 1", "Custom Data", "ExternalReference", "ExternalDataReference",
    "External Reference", "UserNo", "Score", "Total score", "Quiz feedback", "Points",
    "Q_RecaptchaScore", "Q_RelevantIDDuplicate", "Q_RelevantIDFraudScore", "Referer", "Referrer",
    "Unique ID", "Entered by", "Sequence Number", "Response Type",
))


def metadata_kind(column: str) -> str | None:
    """"time", "personal" or "other" for a survey tool's own column; None for a question."""
    key = squash(column)
    if key in _PERSONAL_COLUMNS or key.startswith(("recipient", "ipaddress")):
        return "personal"
    if key in _TIME_COLUMNS:
        return "time"
    if key in _OTHER_METADATA or key.startswith(("customdata", "qrelevantid", "qrecaptcha")):
        return "other"
    return None


def personal_label(column: str) -> str:
    """What kind of personal identifier a column holds, for the report ("IP address")."""
    key = squash(column)
    if key in ("ip", "ipaddress", "submissionip", "userip"):
        return "IP address"
    if "lat" in key or "long" in key or key == "lng":
        return "location"
    for cue, label in (("mail", "e-mail"), ("phone", "phone number"), ("mobile", "phone number"),
                       ("address", "address"), ("birth", "date of birth"), ("dob", "date of birth")):
        if cue in key:
            return label
    return "name"


def answer_time_rank(column: str) -> int:
    """Lower is a better column to date an answer by; a large number for other columns."""
    key = squash(column)
    return _ANSWER_TIME_ORDER.index(key) if key in _ANSWER_TIME_ORDER else len(_ANSWER_TIME_ORDER)


# --------------------------------------------------------------------------------------------
# Presets: which tool wrote the file, recognised from its column names.

@dataclass(frozen=True)
class Preset:
    name: str
    marks: frozenset[str]
    needed: int

    def matches(self, keys: set[str]) -> bool:
        return len(self.marks & keys) >= self.needed


def _preset(name: str, marks: tuple[str, ...], needed: int) -> Preset:
    return Preset(name, frozenset(squash(m) for m in marks), needed)


PRESETS: tuple[Preset, ...] = (
    _preset("SurveyMonkey", ("Respondent ID", "Collector ID", "Custom Data 1"), 2),
    _preset("Qualtrics", ("StartDate", "EndDate", "RecordedDate", "ResponseId", "IPAddress",
                          "Duration (in seconds)", "DistributionChannel", "UserLanguage",
                          "RecipientEmail", "LocationLatitude", "ResponseSet",
                          "ExternalDataReference"), 3),
    _preset("SmartSurvey", ("UserID", "UserNo", "Unique ID", "Started", "Ended",
                            "Tracking Link", "Custom Value"), 3),
    _preset("Microsoft Forms", ("Start time", "Completion time", "Last modified time"), 2),
    _preset("JotForm", ("Submission Date", "Submission ID", "Submission IP"), 2),
    _preset("Citizen Space", ("Response ID", "Date submitted", "Response submitted",
                              "Response status", "Citizen Space ID"), 2),
    _preset("Snap Surveys", ("Serial No", "Serial", "Snap ID", "Case No"), 1),
    _preset("Google Forms", ("Timestamp",), 1),
    _preset("CRM or case-system", ("Case ID", "Case ref", "Case number", "Ticket ID",
                                          "Enquiry ID", "Contact ID", "Created on",
                                          "Case type", "Owner"), 2),
    _preset("Typed-up paper form", ("Form no", "Form number", "Entered by", "Date entered",
                                    "Paper form", "Sheet no"), 1),
)


def detect_preset(columns: list[str], header_rows: int, import_ids: bool) -> str:
    keys = {squash(c) for c in columns}
    if import_ids:
        return "Qualtrics"
    for preset in PRESETS:
        if preset.matches(keys):
            if preset.name == "Google Forms" and squash(columns[0]) != "timestamp":
                continue
            return preset.name
    if header_rows == 2 and any(_CODE_RE.match(c) for c in columns):
        return "Snap Surveys"
    return "Spreadsheet"


# --------------------------------------------------------------------------------------------
# Heading rows


@dataclass
class HeaderInfo:
    """What the top of the file held, and which names the columns were given."""

    rows: int = 1                       # heading rows in all (1 = column names only)
    name_row: int | None = None         # the row the question wording came from, if not row 1
    preset: str = "Spreadsheet"
    import_ids: bool = False
    header_row_numbers: list[tuple[int, str]] = field(default_factory=list)
    original_names: dict[str, str] = field(default_factory=dict)  # new name -> row-1 name
    header_cells: dict[int, list[str]] = field(default_factory=dict, repr=False)
    forced: bool = False

    def summary(self) -> str:
        plain = self.preset in ("Spreadsheet", "Typed-up paper form")
        head = self.preset if plain else f"{self.preset} export"
        parts = ["1 header row" if self.rows == 1 else f"{self.rows} header rows"]
        if self.name_row:
            parts.append(f"question wording taken from row {self.name_row}")
        return f"{head}: " + "; ".join(parts)


def _cell_type(value: str) -> str | None:
    text = value.strip()
    if not text:
        return None
    if _NUMBER_RE.match(text):
        return "number"
    if _DATE_LIKE_RE.match(text):
        return "date"
    if _BOOL_RE.match(text):
        return "bool"
    if _IP_RE.match(text) and ("." in text or ":" in text):
        return "ip"
    return "text"


def _column_types(rows: list[list[str]], width: int) -> list[str | None]:
    """For each column, the type nearly all its values share (number, date, …) or None."""
    types: list[str | None] = []
    for j in range(width):
        counts = Counter(t for row in rows if (t := _cell_type(row[j])) and not
                         _NOT_STATED_RE.match(row[j].strip()))
        total = sum(counts.values())
        best = counts.most_common(1)
        if best and best[0][0] != "text" and best[0][1] >= 0.8 * total:
            types.append(best[0][0])
        else:
            types.append(None)
    return types


def _is_import_id_row(cells: list[str]) -> bool:
    return any(_IMPORT_ID_RE.match(c) for c in cells)


def _is_header_row(cells: list[str], columns: list[str], types: list[str | None]) -> bool:
    filled = [j for j, c in enumerate(cells) if c.strip()]
    if not filled:
        return False
    matched = mismatched = 0
    for j in filled:
        if types[j] is None or _NOT_STATED_RE.match(cells[j].strip()):
            continue
        if _cell_type(cells[j]) == types[j]:
            matched += 1
        else:
            mismatched += 1
    echoes = sum(1 for j in filled if squash(cells[j]) and squash(cells[j]) == squash(columns[j]))
    subs = sum(1 for j in filled if cells[j].strip().casefold() in SUB_LABELS)
    if matched:
        return False
    if mismatched >= 2 or (mismatched and (echoes or subs)):
        return True
    if echoes >= max(2, len(filled) // 2):
        return True
    coded = [j for j in filled if _CODE_RE.match(columns[j])]
    if len(coded) >= 2 and sum(_looks_like_question(cells[j]) for j in coded) >= len(coded) / 2:
        return True  # variable names in row 1, their question labels below (Snap, SPSS-style)
    typed = any(t is not None for t in types)
    return subs >= 1 and (typed or subs >= 0.3 * len(filled))


def count_header_rows(table: Table) -> int:
    """Heading rows at the top of `table.rows` (0 when the data starts straight away)."""
    rows = table.rows
    top = min(MAX_EXTRA_HEADER_ROWS, len(rows))
    json_rows = [k for k in range(top) if _is_import_id_row(rows[k])]
    count = 0
    for k in range(min(top, len(rows) - 1)):
        if k in json_rows:
            count = k + 1
            continue
        later = [r for i, r in enumerate(rows[k + 1:k + 1 + _TYPE_SAMPLE_ROWS], start=k + 1)
                 if i not in json_rows]
        if not later:
            break
        if _is_header_row(rows[k], table.columns, _column_types(later, len(table.columns))):
            count = k + 1
        else:
            break
    if json_rows:
        count = max(count, json_rows[-1] + 1)
    return min(count, len(rows) - 1)


def _blank_name(name: str, position: int) -> bool:
    return not name.strip() or name == f"Column {position + 1}"


def _column_names(table: Table, extra: list[list[str]]) -> tuple[list[str], int | None]:
    """The best name for each column from row 1 and the extra heading rows."""
    from engage.importing.cleaning import normalise_text

    columns = table.columns
    texts = [row for row in extra if not _is_import_id_row(row)]
    names: list[str] = []
    name_row: int | None = None
    parent = ""
    for j, raw in enumerate(columns):
        first = "" if _blank_name(raw, j) else raw
        subs = [" ".join(r[j].split()) for r in texts if r[j].strip()]
        wording = next((s for s in subs if s.casefold() not in _PLAIN_SUB_LABELS), "")
        next_blank = j + 1 < len(columns) and _blank_name(columns[j + 1], j + 1)
        if first:
            parent = first
        if not first:
            name = f"{parent} - {wording}" if parent and wording else (wording or parent or raw)
        elif wording and next_blank and metadata_kind(first) is None:
            name = f"{first} - {wording}"  # the first option of a multi-column question
        elif wording and (_CODE_RE.match(first) or (
                " " not in first and metadata_kind(first) is None
                and len(wording.split()) >= 3 and metadata_kind(wording) is None)):
            name = wording
            row_index = next(k for k, r in enumerate(extra) if " ".join(r[j].split()) == wording)
            name_row = name_row or row_index + 2
        else:
            name = first
        names.append(normalise_text(name).replace("\n", " "))
    return unique_column_names(names), name_row


def prepare_table(table: Table, header_rows: int | None = None) -> tuple[Table, HeaderInfo]:
    """The table without its extra heading rows, columns named by their best heading.

    `header_rows` (1 = column names only) overrides the detection.
    """
    if header_rows is not None:
        if header_rows < 1:
            raise ImportFileError(f"{table.name}: --header-rows must be 1 or more")
        if header_rows - 1 >= len(table.rows):
            raise ImportFileError(f"{table.name}: {header_rows} header rows would leave no data "
                                  f"(the file has {len(table.rows) + 1} rows)")
        extra_count = header_rows - 1
    else:
        extra_count = count_header_rows(table)
    extra = table.rows[:extra_count]
    info = HeaderInfo(rows=extra_count + 1, forced=header_rows is not None,
                      import_ids=any(_is_import_id_row(r) for r in extra))
    for k, row in enumerate(extra):
        kind = "Qualtrics import ids" if _is_import_id_row(row) else "question wording or sub-labels"
        info.header_row_numbers.append((table.row_number(k), f"header row ({kind})"))
        info.header_cells[table.row_number(k)] = list(row)
    if extra_count:
        names, info.name_row = _column_names(table, extra)
    else:
        names = list(table.columns)
    info.original_names = {new: old for new, old in zip(names, table.columns, strict=True)
                           if new != old}
    info.preset = detect_preset(list(table.columns) + names, info.rows, info.import_ids)
    if not extra_count:
        return table, info
    numbers = [table.row_number(i) for i in range(extra_count, len(table.rows))]
    prepared = Table(columns=names, rows=table.rows[extra_count:], source=table.source,
                     file_format=table.file_format, encoding=table.encoding,
                     delimiter=table.delimiter, sheet=table.sheet,
                     total_rows=None if table.total_rows is None else table.total_rows - extra_count,
                     warnings=list(table.warnings), row_numbers=numbers)
    return prepared, info


# --------------------------------------------------------------------------------------------
# Long layout: a column that names the question each row answers.

_QUESTION_START_RE = re.compile(
    r"^(how|what|why|when|where|which|who|would|could|should|did|do|does|is|are|was|were|have"
    r"|has|please|tell|describe|any|anything|if|overall|thinking|in what|to what)\b", re.IGNORECASE)
_MAX_QUESTIONS = 60


def _looks_like_question(value: str) -> bool:
    text = value.strip()
    return "?" in text or bool(_QUESTION_START_RE.match(text)) or text.casefold().startswith("fft")


def find_question_column(table: Table, respondent_column: str | None,
                         exclude: set[str] | frozenset[str] = frozenset()) -> tuple[str, str] | None:
    """(column, reason) of the column naming each row's question in a long export, or None."""
    step = max(1, len(table.rows) // 5000)
    rows = table.rows[::step]
    rid = table.columns.index(respondent_column) if respondent_column in table.columns else None
    best: tuple[float, str, str] | None = None
    for j, column in enumerate(table.columns):
        if column in exclude or column == respondent_column or metadata_kind(column):
            continue
        if len({r[j] for r in rows[:200]}) > 2 * _MAX_QUESTIONS:
            continue  # free text or ids: clear from the first rows, no need to read them all
        values = [" ".join(r[j].split()) for r in rows if r[j].strip()]
        if len(values) < 2 or len(values) < 0.5 * len(rows):
            continue
        counts = Counter(values)
        if len(counts) > _MAX_QUESTIONS or len(counts) > len(values) / 2:
            continue
        if not any(_looks_like_question(v) for v in counts) and "question" not in column.casefold():
            continue
        share = sum(1 for v in counts if _looks_like_question(v)) / len(counts)
        named = "question" in column.casefold()
        varies = _varies_within_respondent(rows, rid, j) if rid is not None else None
        if not named and (share < 0.6 or varies is not None and varies < 0.8):
            continue
        if named and share < 0.3 and len(counts) > 1 and varies is not None and varies < 0.5:
            continue
        score = share + (1 if named else 0) + (varies or 0)
        if best is None or score > best[0]:
            reason = (f"{len(counts)} different questions, repeated down the rows: each row "
                      "is one answer (long layout).")
            best = (score, column, reason)
    return (best[1], best[2]) if best else None


def _varies_within_respondent(rows: list[list[str]], rid: int, j: int) -> float | None:
    """Share of respondents with several rows whose rows name different questions."""
    groups: dict[str, set[str]] = {}
    sizes: Counter = Counter()
    for row in rows:
        key = row[rid].strip()
        if key:
            groups.setdefault(key, set()).add(" ".join(row[j].split()))
            sizes[key] += 1
    several = [k for k, n in sizes.items() if n > 1]
    if not several:
        return None
    return sum(1 for k in several if len(groups[k]) > 1) / len(several)


def question_label(value: str) -> str:
    """A question's wording as one line: the same question typed with different line breaks
    or spacing is one question."""
    return " ".join(value.split())


__all__ = [
    "HeaderInfo",
    "PRESETS",
    "answer_time_rank",
    "count_header_rows",
    "find_question_column",
    "metadata_kind",
    "personal_label",
    "prepare_table",
    "question_label",
]
