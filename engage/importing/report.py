"""What an import did, in numbers an officer can check: every answer read is imported, a
duplicate of one already in the project, or left out with its reason and row; and what Engage
found in the file (the tool, heading rows, layout, the columns it left out and why).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from engage.importing.layout import HeaderInfo, metadata_kind
from engage.importing.mapping import ColumnMapping


@dataclass
class ImportReport:
    """What an import did, shown to the officer and kept with the project.

    Every answer read is accounted for: imported (placeholders included, marked), a duplicate
    of an answer already in the project, or left out with its reason and row.
    """

    file: str
    consultation: str = ""
    consultation_id: int | None = None
    import_id: int | None = None
    rows_read: int = 0
    answers_read: int = 0
    respondents_created: int = 0
    respondents_matched: int = 0
    comments_created: int = 0
    placeholders: int = 0
    duplicates: int = 0                     # already in the project: recognised, not added
    duplicate_rows: list[int] = field(default_factory=list)
    repeated_texts: int = 0                 # same words as another comment: kept, flagged
    unplaced_respondents: int = 0
    pseudonymised: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)
    skipped_cells: dict[int, list[str]] = field(default_factory=dict, repr=False)
    columns: list[str] = field(default_factory=list, repr=False)
    shape: list[str] = field(default_factory=list)
    left_out_columns: dict[str, list[str]] = field(default_factory=dict)
    masked: Counter = field(default_factory=Counter)
    masked_rows: list[tuple[int, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def comments_already_present(self) -> int:
        return self.duplicates

    @property
    def answers_left_out(self) -> int:
        return self.answers_read - self.comments_created - self.duplicates

    def lines(self) -> list[str]:
        """A plain-language summary for the CLI and the wizard's last page."""
        out = [f"File: {self.file}", f"Consultation: {self.consultation}"]
        out += [f"Found: {line}" for line in self.shape]
        out += [
            f"Rows read: {self.rows_read}",
            f"Answers read: {self.answers_read}",
            f"Comments created: {self.comments_created} (answers imported)",
            f"Respondents: {self.respondents_created} new, {self.respondents_matched} already in the project",
            f"Placeholders (imported, marked non-substantive): {self.placeholders}",
            f"Duplicates (already in the project, not added again): {self.duplicates}"
            + (f" (rows {_row_list(self.duplicate_rows)})" if self.duplicates else ""),
            f"Same words as another comment (imported, flagged): {self.repeated_texts}",
        ]
        if self.unplaced_respondents:
            out.append(f"Respondents with no recognised place: {self.unplaced_respondents}")
        for reason, columns in self.left_out_columns.items():
            out.append(f"Columns left out, {reason}: {len(columns)} ({', '.join(columns[:12])}"
                       + (" …" if len(columns) > 12 else "") + ")")
        if self.pseudonymised:
            out.append(f"Respondent ids holding personal data, replaced by pseudonyms: "
                       f"{self.pseudonymised}")
        if self.masked:
            kinds = ", ".join(f"{n} {kind}" for kind, n in sorted(self.masked.items()))
            out.append(f"Personal data masked: {kinds}")
        out.append(f"Rows left out: {len(self.skipped)}")
        out += [f"  row {row}: {reason}" for row, reason in self.skipped[:50]]
        if len(self.skipped) > 50:
            out.append(f"  … and {len(self.skipped) - 50} more")
        out += [f"Warning: {w}" for w in self.warnings[:20]]
        return out

    def to_dict(self) -> dict:
        return dict(file=self.file, rows_read=self.rows_read, answers_read=self.answers_read,
                    respondents_created=self.respondents_created,
                    respondents_matched=self.respondents_matched,
                    comments_created=self.comments_created,
                    placeholders=self.placeholders, duplicates=self.duplicates,
                    duplicate_rows=self.duplicate_rows[:500],
                    repeated_texts=self.repeated_texts,
                    unplaced_respondents=self.unplaced_respondents,
                    pseudonymised=self.pseudonymised, shape=self.shape,
                    left_out_columns=self.left_out_columns,
                    skipped=self.skipped, masked=dict(self.masked),
                    masked_rows=self.masked_rows[:500], warnings=self.warnings[:200])


def _row_list(rows: list[int], limit: int = 20) -> str:
    shown = ", ".join(str(r) for r in rows[:limit])
    return shown + (f" and {len(rows) - limit} more" if len(rows) > limit else "")


def describe(info: HeaderInfo | None, mapping: ColumnMapping) -> list[str]:
    """What Engage found in the file, in the words the wizard and the report use."""
    info = info or HeaderInfo()
    ignored = [c for c, r in mapping.roles.items() if r == "ignore" and metadata_kind(c)]
    first = info.summary()
    if ignored:
        first += f"; {len(ignored)} survey-metadata column{'s' if len(ignored) != 1 else ''} left out"
    question = mapping.column_for("question")
    answers = mapping.comment_columns
    if question:
        second = (f"long layout: one row per answer, question in column {question}, "
                  f"answer in {', '.join(answers)}")
    else:
        second = (f"wide layout: one row per respondent, {len(answers)} question column"
                  f"{'s' if len(answers) != 1 else ''}")
    respondent = mapping.column_for("respondent_id")
    second += (f"; respondents identified by {respondent}" if respondent
               else "; no respondent id: each row is its own respondent")
    return [first, second]


def left_out_columns(mapping: ColumnMapping) -> dict[str, list[str]]:
    """Ignored columns grouped by why: personal identifiers first, then the tool's metadata."""
    groups: dict[str, list[str]] = {}
    for column, role in mapping.roles.items():
        if role != "ignore":
            continue
        kind = metadata_kind(column)
        reason = mapping.reasons.get(column, "")
        if kind == "personal" or reason.startswith("Personal identifier"):
            groups.setdefault("personal identifiers (never stored)", []).append(column)
        elif kind:
            groups.setdefault("survey metadata", []).append(column)
        else:
            groups.setdefault("set to ignore", []).append(column)
    return groups


__all__ = ["ImportReport", "describe", "left_out_columns"]
