"""Which column of a survey export holds what: comments, respondent ID, place, demographics.

`guess_mapping` proposes a role for every column and says why (the wizard shows the reason as
a tooltip); the officer corrects it; `ColumnMapping.validate` checks the result against the
file before anything is imported. A mapping is saved with the `signature` of the file's
columns, so the next export of the same survey is mapped the same way without asking again.
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from engage.errors import MappingError
from engage.importing.cleaning import is_placeholder
from engage.importing.layout import (
    answer_time_rank,
    find_question_column,
    metadata_kind,
    personal_label,
)
from engage.importing.pii import postcode_district
from engage.importing.readers import Table

ROLES = (
    "comment",
    "question",
    "respondent_id",
    "date",
    "place",
    "postcode",
    "age_band",
    "sex",
    "ethnicity",
    "disability",
    "carer",
    "attribute",
    "ignore",
)

ROLE_LABELS: dict[str, str] = {
    "comment": "Comment (free text)",
    "question": "Question (long layout)",
    "respondent_id": "Respondent ID",
    "date": "Date",
    "place": "Place / locality",
    "postcode": "Postcode",
    "age_band": "Age band",
    "sex": "Sex / gender",
    "ethnicity": "Ethnicity",
    "disability": "Disability",
    "carer": "Carer",
    "attribute": "Other attribute",
    "ignore": "Ignore",
}

#: Roles at most one column may have; comments and attributes can be many, ignore any number.
SINGLE_ROLES = frozenset(ROLES) - {"comment", "attribute", "ignore"}

_MAPPING_FORMAT = 1


@dataclass
class ColumnMapping:
    """Column name -> role, plus a human reason for each guessed role."""

    roles: dict[str, str] = field(default_factory=dict)
    reasons: dict[str, str] = field(default_factory=dict, compare=False)

    def role_of(self, column: str) -> str:
        return self.roles.get(column, "ignore")

    def set_role(self, column: str, role: str) -> None:
        """Record the user's choice for one column (it replaces the guess and its reason)."""
        _check_role(role)
        self.roles[column] = role
        self.reasons[column] = "Chosen by you."

    def columns_for(self, role: str) -> list[str]:
        _check_role(role)
        return [column for column, r in self.roles.items() if r == role]

    def column_for(self, role: str) -> str | None:
        """The column with a single-valued role such as "respondent_id", or None."""
        columns = self.columns_for(role)
        return columns[0] if columns else None

    @property
    def comment_columns(self) -> list[str]:
        return self.columns_for("comment")

    @property
    def attribute_columns(self) -> list[str]:
        return self.columns_for("attribute")

    @property
    def layout(self) -> str:
        """"long" when a column names each row's question, else "wide"."""
        return "long" if self.column_for("question") else "wide"

    def to_json(self) -> dict:
        """A JSON-ready dict (json.dumps it to store); reasons are not kept, they were guesses."""
        return {"format": _MAPPING_FORMAT, "roles": dict(self.roles)}

    @classmethod
    def from_json(cls, data: str | dict) -> ColumnMapping:
        """Rebuild a mapping from `to_json()`'s dict or its JSON text."""
        try:
            document = json.loads(data) if isinstance(data, str) else data
            roles = document["roles"]
            if not isinstance(roles, dict):
                raise TypeError("roles is not an object")
        except (ValueError, TypeError, KeyError) as exc:
            raise MappingError(f"The saved column mapping cannot be read ({exc})") from exc
        for column, role in roles.items():
            if role not in ROLES:
                raise MappingError(f"The saved column mapping gives column {column!r} an unknown role {role!r}")
        return cls(roles={str(c): str(r) for c, r in roles.items()})

    @staticmethod
    def signature(columns: Iterable[str]) -> str:
        """A stable fingerprint of a set of column names, whatever their order."""
        joined = "\n".join(sorted(str(c) for c in columns))
        return hashlib.sha256(joined.encode("utf-8")).hexdigest()[:20]

    def validate(self, table: Table) -> None:
        """Raise `MappingError` unless this mapping can import `table`."""
        present = set(table.columns)
        missing = [c for c, role in self.roles.items() if role != "ignore" and c not in present]
        if missing:
            names = ", ".join(repr(c) for c in missing[:3]) + (" …" if len(missing) > 3 else "")
            noun = "column" if len(missing) == 1 else "columns"
            raise MappingError(f"{table.name} has no {noun} {names}, which the mapping uses")
        for column, role in self.roles.items():
            if role not in ROLES:
                raise MappingError(f"Column {column!r} has an unknown role {role!r}")
        if not self.comment_columns:
            raise MappingError("No column is mapped as a comment; choose at least one free-text column")
        if self.column_for("question") in self.comment_columns:
            raise MappingError("The question column cannot also be a comment column")
        for role in ROLES:
            columns = self.columns_for(role) if role in SINGLE_ROLES else []
            if len(columns) > 1:
                names = " and ".join(repr(c) for c in columns[:3])
                raise MappingError(
                    f"{len(columns)} columns are mapped as {ROLE_LABELS[role]} ({names}); choose one"
                )


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")


# --------------------------------------------------------------------------------------------
# Guessing


def _name_key(name: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", name.casefold()).split())


_PERSONAL_NAME = re.compile(
    r"^(your )?("
    r"((full|first|last|sur|given|family|fore) ?)?names?"
    r"|e ?mail( address)?|(tele)?phone( number)?|mobile( number)?|(home |postal )?address"
    r"|contact details|ip address|date of birth|dob|birth ?date"
    r")$"
)

# (role, pattern on the normalised name); the first that matches wins.
_NAME_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("respondent_id", re.compile(
        r"^(id|ref|reference|respondent|uid|uuid|urn|serial)$"
        r"|\b(respondent|response|participant|record|submission|unique|user|row|case|survey"
        r"|serial|form|contact|patient|customer|person|ticket|enquiry|comment|answer)"
        r" ?(id|ref|reference|number|no|num)$|\bid$|^id\b")),
    ("date", re.compile(
        r"\b(date|dated|submitted|timestamp|time stamp|completed|completion time|start time"
        r"|end time|created|received|submission time)\b")),
    ("postcode", re.compile(r"\b(post ?codes?|postal codes?|zip( codes?)?)\b")),
    ("place", re.compile(
        r"\b(locality|localities|place|area|town|ward|neighbourhood|neighborhood|village"
        r"|parish|city|district|county|borough|where do you live|primary care network|pcn)\b")),
    ("age_band", re.compile(r"\b(age|ages|age band|age group|age range|how old)\b")),
    ("sex", re.compile(r"\b(sex|gender)\b")),
    ("ethnicity", re.compile(r"ethnic")),
    ("disability", re.compile(r"disab")),
    ("carer", re.compile(r"\bcarers?\b|\bcaring\b|unpaid care")),
)

_COMMENT_NAME = re.compile(
    r"\b(comments?|feedback|suggestions?|views?|tell us|describe|explain|why|anything else"
    r"|improve|improvements?|experiences?)\b"
)

_WORD_RE = re.compile(r"\S*[^\W\d_]\S*")  # a whitespace-separated token with a letter in it
_DATE_RE = re.compile(
    r"\d{4}[-/]\d{1,2}[-/]\d{1,2}([ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?( ?[AaPp][Mm])?"
    r"( ?(Z|[+-]\d{2}:?\d{2}|[A-Z]{2,4}))?)?"
    r"|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}( \d{1,2}:\d{2}(:\d{2})?( ?[AaPp][Mm])?)?"
    r"|\d{1,2}(st|nd|rd|th)? [A-Za-z]{3,9},? \d{4}( \d{1,2}:\d{2}(:\d{2})?)?"
    r"|[A-Za-z]{3,9} \d{1,2}(st|nd|rd|th)?,? \d{4}( \d{1,2}:\d{2}(:\d{2})?( ?[AaPp][Mm])?)?"
)
_AGE_RE = re.compile(
    r"(aged? )?\d{1,3} ?(-|–|to) ?\d{1,3}( years)?|\d{2,3} ?\+|(aged? )?\d{2,3} (and|or) (over|above|older)"
    r"|(under|over|below|above) \d{1,3}( years)?",
    re.IGNORECASE,
)
_NOT_STATED = re.compile(
    r"prefer(red)? not to (say|answer)|not (known|stated|given)|unknown|rather not say|n/?a",
    re.IGNORECASE,
)
_EMAIL_RE = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")

_SAMPLE_ROWS = 3000


@dataclass
class _Profile:
    """What the values of one column look like (from a sample of rows)."""

    filled: int = 0
    rows: int = 0
    distinct: int = 0
    long_share: float = 0.0
    long_distinct: float = 0.0
    median_length: float = 0.0
    median_words: float = 0.0
    top_value: str = ""
    dates: float = 0.0
    postcodes: float = 0.0
    ages: float = 0.0
    emails: float = 0.0
    unique_long: int = 0        # answers of four words or more that occur only once
    long_kinds: int = 0         # different answers of four words or more

    @property
    def distinct_ratio(self) -> float:
        return self.distinct / self.filled if self.filled else 0.0

    @property
    def fill_ratio(self) -> float:
        return self.filled / self.rows if self.rows else 0.0

    @property
    def is_free_text(self) -> bool:
        """Long and varied: many answers of four words or more, rarely repeated."""
        if self.long_share >= 0.3 and self.long_distinct >= 0.6 and (
                self.median_length >= 20 or self.median_words >= 4 or self.long_share >= 0.5):
            return True
        # Sentences are answers to a question however many short or repeated answers sit
        # beside them ("No", "n/a", "Very happy"): a list of options repeats its long values.
        if self.unique_long >= 8 and self.unique_long >= 0.5 * self.long_kinds:
            return True
        # Sentences repeated now and then (a campaign's shared wording, a short preview) are
        # still answers; a list of long options repeats a handful of values over and over.
        return self.long_kinds >= 5 and self.long_distinct >= 0.3 and self.median_words >= 5


def _profile(values: list[str]) -> _Profile:
    rows = len(values)
    filled = [v.strip() for v in values if v.strip()]
    if not filled:
        return _Profile(rows=rows)
    counts = Counter(filled)
    # "n/a" and "nothing to add" say nothing about what kind of column this is.
    placeholders = {v for v in counts if is_placeholder(v)}
    answers = [v for v in filled if v not in placeholders] or filled
    words = [len(_WORD_RE.findall(v)) for v in answers]
    long_values = [v for v, n in zip(answers, words, strict=True) if n >= 4]
    profile = _Profile(
        filled=len(filled),
        rows=rows,
        distinct=len(counts),
        long_share=len(long_values) / len(answers),
        long_distinct=len(set(long_values)) / len(long_values) if long_values else 0.0,
        median_length=statistics.median(len(v) for v in answers),
        median_words=statistics.median(words),
        top_value=counts.most_common(1)[0][0],
        long_kinds=len(set(long_values)),
    )
    long_counts = Counter(long_values)
    profile.unique_long = sum(1 for n in long_counts.values() if n == 1)
    if not profile.is_free_text:  # the shape of short values only matters for short columns
        common = counts.most_common(1000)
        stated = [(v, n) for v, n in common if not _NOT_STATED.fullmatch(v)] or common
        profile.dates = _share(stated, lambda v: bool(_DATE_RE.fullmatch(v)))
        profile.postcodes = _share(stated, lambda v: postcode_district(v) is not None)
        profile.ages = _share(stated, lambda v: bool(_AGE_RE.fullmatch(v)))
        profile.emails = _share(common, lambda v: bool(_EMAIL_RE.search(v)))
    return profile


def _share(counted: list[tuple[str, int]], test) -> float:
    """Share of values passing `test`, weighted by how often each distinct value occurs."""
    total = sum(n for _, n in counted)
    return sum(n for v, n in counted if test(v)) / total if total else 0.0


def _sample(table: Table) -> list[list[str]]:
    step = max(1, len(table.rows) // _SAMPLE_ROWS)
    return table.rows[::step]


def _percent(x: float) -> str:
    return f"{round(100 * x)}%"


def guess_mapping(table: Table, layout: str | None = None, question_column: str | None = None,
                  respondent_column: str | None = None) -> ColumnMapping:
    """Propose a role for every column of `table`, each with the reason it was chosen.

    `layout` ("long" or "wide"), `question_column` and `respondent_column` override what the
    content suggests; a column named that does not exist is refused.
    """
    for given in (question_column, respondent_column):
        if given is not None and given not in table.columns:
            raise MappingError(f"{table.name} has no column {given!r} (columns are: "
                               f"{', '.join(table.columns)})")
    if layout not in (None, "long", "wide"):
        raise MappingError(f"layout must be long or wide, not {layout!r}")
    sample = _sample(table)
    profiles = {
        column: _profile([row[i] for row in sample]) for i, column in enumerate(table.columns)
    }
    roles: dict[str, str] = {}
    reasons: dict[str, str] = {}
    named: dict[str, list[tuple[int, str]]] = {}  # role -> [(strength, column)]
    for column in table.columns:
        role, reason = _first_look(column, profiles[column])
        if role in SINGLE_ROLES:
            named.setdefault(role, []).append((_name_strength(column, role), column))
        roles[column], reasons[column] = role, reason
    for role, candidates in named.items():
        if role == "date":
            candidates = [(-answer_time_rank(c), c) if metadata_kind(c) == "time" else (s, c)
                          for s, c in candidates]
        best = max(candidates, key=lambda c: c[0])[1]  # max keeps the first of equals
        for _, column in candidates:
            if column != best:
                roles[column] = "ignore" if metadata_kind(column) else "attribute"
                reasons[column] = (
                    f"Also looks like {ROLE_LABELS[role].lower()}, but {best!r} fits better; "
                    + ("left out." if roles[column] == "ignore" else "kept as an attribute."))
    _pick_content_id(table.columns, profiles, roles, reasons)
    if respondent_column:
        _force(roles, reasons, respondent_column, "respondent_id", "Named as the respondent column.")
    if layout != "wide":
        _pick_question_column(table, roles, reasons, question_column)
    _ensure_comment(profiles, roles, reasons)
    return ColumnMapping(roles=roles, reasons=reasons)


def _force(roles: dict[str, str], reasons: dict[str, str], column: str, role: str,
           reason: str) -> None:
    """Give `column` a single-valued role, moving any other column off it."""
    for other, r in roles.items():
        if r == role and other != column:
            roles[other], reasons[other] = "attribute", f"{column!r} has that role instead."
    roles[column], reasons[column] = role, reason


def _pick_question_column(table: Table, roles, reasons, question_column: str | None) -> None:
    if question_column:
        _force(roles, reasons, question_column, "question",
               "Named as the question column: each row is one answer (long layout).")
        return
    respondent = next((c for c, r in roles.items() if r == "respondent_id"), None)
    comments = {c for c, r in roles.items() if r == "comment"}
    found = find_question_column(table, respondent, exclude=comments)
    if found:
        _force(roles, reasons, found[0], "question", found[1])


def _ensure_comment(profiles: dict[str, _Profile], roles, reasons) -> None:
    """With no column taken for free text, the wordiest varied answers are still answers:
    short, often-repeated answers ("More staff", "Parking") to an open question."""
    if "comment" in roles.values():
        return
    best, best_score = None, None
    for column, role in roles.items():
        p = profiles[column]
        if role != "attribute" or p.distinct < 3 or metadata_kind(column):
            continue
        if p.median_words <= 1 and p.distinct_ratio >= 0.9:
            continue  # a code for each row ("Comment ID"), not an answer
        asked = bool(_COMMENT_NAME.search(_name_key(column))) or column.rstrip().endswith("?")
        score = (p.median_words >= 2, asked, p.distinct, p.median_length)
        if best_score is None or score > best_score:
            best, best_score = column, score
    if best is not None and (best_score[0] or best_score[1]):  # wordy, or asked for words
        roles[best] = "comment"
        reasons[best] = ("The most varied written answers in the file (median "
                         f"{round(profiles[best].median_length)} characters): taken as comments.")


def _first_look(column: str, p: _Profile) -> tuple[str, str]:
    key = _name_key(column)
    if p.filled == 0:
        return "ignore", "Every value is empty."
    kind = metadata_kind(column)
    if kind == "personal" or _PERSONAL_NAME.match(key):
        label = personal_label(column)
        return "ignore", (f"Personal identifier ({label}): left out, never shown or stored. "
                          "Analysis does not need it.")
    if kind == "other":
        return "ignore", "Survey metadata written by the survey tool: left out."
    if kind == "time":
        if p.dates >= 0.5:
            return "date", "The survey tool's time stamp: used as the answer's date."
        return "ignore", "Survey metadata (a time the survey tool recorded): left out."
    named = next(
        (role for role, pattern in _NAME_RULES if pattern.search(key) and _content_allows(role, p)),
        None,
    )
    # A short name ("Ethnicity") is plainer evidence than a few long answers in a preview;
    # a question ("Q2 What should change in your area?") is not, so its answers decide.
    if named and len(key.split()) <= 3:
        return named, f"The column name points to {ROLE_LABELS[named]}."
    if p.is_free_text:
        return "comment", (
            f"Free text: {_percent(p.long_share)} of answers have four or more words "
            f"(median {round(p.median_length)} characters), and they are rarely repeated."
        )
    if named:
        return named, f"The column name points to {ROLE_LABELS[named]}."
    if _COMMENT_NAME.search(key) and p.distinct_ratio >= 0.6 and p.median_words >= 2:
        return "comment", "The column name asks for comments and the answers vary."
    return _content_role(p)


def _content_allows(role: str, p: _Profile) -> bool:
    """Veto a name-based guess the values contradict ("Is your record up to date?" Yes/No)."""
    if role == "date":
        return p.dates >= 0.5
    if role == "postcode":
        return p.postcodes >= 0.3
    if role == "respondent_id":
        # A long export repeats each id once per answer; an id is still short and varied.
        return p.filled < 10 or p.distinct_ratio >= 0.5 or (p.distinct >= 2 and p.median_words <= 2)
    return True


def _content_role(p: _Profile) -> tuple[str, str]:
    if p.emails >= 0.5:
        return "ignore", "Holds e-mail addresses, which analysis does not need."
    if p.postcodes >= 0.8:
        return "postcode", f"{_percent(p.postcodes)} of values look like UK postcodes."
    if p.dates >= 0.8:
        return "date", f"{_percent(p.dates)} of values look like dates."
    if p.ages >= 0.8 and p.distinct <= 30 and p.median_length >= 2:
        return "age_band", f"{_percent(p.ages)} of values look like ages or age bands."
    if p.distinct == 1 and p.filled >= 5:
        return "ignore", f"Every row has the same value ({p.top_value!r})."
    return "attribute", (
        f"Short answers with {p.distinct} different values: kept as an attribute for "
        "filtering and comparison."
    )


def _name_strength(column: str, role: str) -> int:
    """How plainly a name says its role: a bare "Sex" beats a long question mentioning sex."""
    key = _name_key(column)
    words = len(key.split())
    if role == "respondent_id" and re.search(
            r"\b(respondent|response|participant|contact|patient|customer|person|user)", key):
        return 4
    if role == "respondent_id" and re.search(r"\b(comment|answer|case|ticket|row|record)\b", key):
        return 2
    return 3 if words <= 2 else 2 if words <= 4 else 1


def _pick_content_id(columns, profiles, roles, reasons) -> None:
    """With no column named like an ID, a short, filled, near-unique column is probably one."""
    if "respondent_id" in roles.values():
        return
    for column in columns:
        p = profiles[column]
        if roles[column] != "attribute" or p.filled < 5:
            continue
        if p.distinct_ratio >= 0.95 and p.fill_ratio >= 0.9 and p.median_words <= 1:
            roles[column] = "respondent_id"
            reasons[column] = (
                f"Short values, {_percent(p.distinct_ratio)} of them different: looks like a "
                "respondent ID."
            )
            return


__all__ = ["ROLES", "ROLE_LABELS", "SINGLE_ROLES", "ColumnMapping", "guess_mapping"]
