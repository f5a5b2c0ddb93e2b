"""Coded comments for other tools: CSV and XLSX tables; REFI-QDA (.qdpx, .qdc) via refiqda.

Spreadsheets: one row per comment with who said it, where, the themes (as a list and as 0/1
columns), sentiment, confidence and who coded it. Any text cell a spreadsheet would treat as a
formula (starting with =, +, -, @, tab or carriage return) is prefixed with a single quote, so a
comment typed as "=HYPERLINK(...)" stays a comment.

The REFI-QDA project and codebook files are written by `engage.reports.refiqda`.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

from engage.analysis.counting import RULE_SUMMARY, STATUS_LABELS
from engage.errors import EngageError
from engage.nlp.sentiment import chart_level
from engage.progress import CancelFn, ProgressFn, Reporter
from engage.project import Project, stored_json
from engage.reports import export_queries
from engage.reports import queries as q
from engage.reports.cells import FORMULA_STARTS, neutralise  # noqa: F401 - FORMULA_STARTS re-exported
from engage.reports.queries import ReportScope
from engage.reports.refiqda import ORIGIN, codebook_qdc, project_qdpx
from engage.reports.report import check_suffix_matches, printable_name, write_output
from engage.reports.summary import SENTIMENT_LABELS

EXPORT_FORMATS = ("csv", "xlsx", "qdpx", "qdc")
FIXED_COLUMNS = (("age_band", "age_band"), ("sex", "sex"), ("ethnicity", "ethnicity"),
                 ("disability", "disability"), ("carer", "carer"))
THEME_COLUMN_PREFIX = "theme: "


def export_format(path: str | Path, given: str | None = None) -> str:
    """The format asked for, or the one the file name implies; a mismatch is refused."""
    fmt = (given or Path(path).suffix.lstrip(".")).lower()
    if fmt not in EXPORT_FORMATS:
        raise EngageError(f"{printable_name(path)}: cannot tell the export format; use one of "
                          + ", ".join(EXPORT_FORMATS))
    check_suffix_matches(path, fmt)
    return fmt


def write_export(project: Project, out: str | Path, fmt: str | None = None,
                 scope: ReportScope | None = None, progress: ProgressFn | None = None,
                 cancelled: CancelFn | None = None) -> Path:
    """Write the coded comments of `scope` (default: the whole project) to `out`."""
    fmt = export_format(out, fmt)
    scope = scope or ReportScope()
    if scope.consultation_id is not None:
        project.consultation(scope.consultation_id)  # a clear error for an unknown id
    report = Reporter(progress, cancelled)
    report(0.0, f"Exporting {fmt.upper()}")
    if fmt == "qdc":
        data = codebook_qdc(project)
    else:
        data = _comments_export(project, scope, fmt, report)
    report.check()
    path = write_output(out, data)
    report(1.0, f"Exported to {path.name}", force=True)
    return path


def _comments_export(project: Project, scope: ReportScope, fmt: str, report: Reporter) -> bytes:
    with q.materialised(project, scope):
        if fmt == "qdpx":
            return project_qdpx(project, scope, report)
        table = CommentTable(project, scope)
        return table.csv_bytes(report) if fmt == "csv" else table.xlsx_bytes(report)


# ----- the comment table -------------------------------------------------------------------------
class CommentTable:
    """The rows of the CSV and XLSX exports, computed once for either format."""

    def __init__(self, project: Project, scope: ReportScope) -> None:
        self.project, self.scope = project, scope
        self.themes = q.codebook_themes(project)
        self.theme_names = {t["id"]: t["name"] for t in self.themes}
        self.theme_portfolio = {t["id"]: t["portfolio"] for t in self.themes}
        self.extra = export_queries.extra_attribute_names(project, scope)
        self.codings = export_queries.active_codings(project, scope)
        self.with_kind = export_queries.has_kind(project)

    @property
    def headers(self) -> list[str]:
        """Stable names (the README's "Export columns" table): scripts find columns by name."""
        return (["comment_id", "consultation", "question", "respondent", "date", "place",
                 "place_as_given", "postcode_district"]
                + [name for name, _column in FIXED_COLUMNS] + self.extra
                + ["text"] + (["kind"] if self.with_kind else [])
                + ["personal_data_masked", "counted", "not_counted_reason", "duplicate_of",
                   "near_duplicate_group", "outcome", "themes", "portfolios",
                   "theme_confidence", "coded_by", "sentiment", "sentiment_label",
                   "sentiment_by", "sentiment_confidence", "charted_feeling", "reviewed",
                   "reviewed_by", "key_quote", "topic"]
                + [THEME_COLUMN_PREFIX + t["name"] for t in self.themes])

    def rows(self, report: Reporter | None = None) -> Iterator[list]:
        for n, c in enumerate(export_queries.export_comments(self.project, self.scope)):
            if report and n % 2000 == 0:
                report(0.05 + 0.6 * min(1.0, n / 30000), f"Writing comment {n + 1:,}")
            yield [neutralise(value) for value in self._row(c)]

    def _row(self, c: dict) -> list:
        codings = self.codings.get(c["comment_id"], [])
        on = {coding["theme_id"] for coding in codings}
        attributes = stored_json(c["attributes"])
        sentiment = c["sentiment_officer"] or c["sentiment"]
        by = "officer" if c["sentiment_officer"] else "model" if c["sentiment"] else ""
        return ([c["comment_id"], c["consultation"], c["question"], c["external_id"], c["date"],
                 c["place"], c["place_as_given"], c["postcode_district"]]
                + [c[column] or "" for _name, column in FIXED_COLUMNS]
                + [attributes.get(name, "") for name in self.extra]
                + [c["text"]] + ([c["kind"] or ""] if self.with_kind else [])
                + ["yes" if c["masked"] else "no", int(not c["exclusion"]),
                   STATUS_LABELS.get(c["exclusion"] or None, "") if c["exclusion"] else "",
                   c["duplicate_of"] or "", c["near_dup_group"] or "",
                   c["outcome"] or "not analysed",
                   "; ".join(self.theme_names[x["theme_id"]] for x in codings),
                   "; ".join(dict.fromkeys(self.theme_portfolio[x["theme_id"]] for x in codings)),
                   "; ".join("" if x["source"] != "model" or x["confidence"] is None
                             else f"{x['confidence']:.2f}" for x in codings),
                   "; ".join(_coder(x) for x in codings),
                   sentiment if sentiment else "", SENTIMENT_LABELS.get(sentiment or 0, ""), by,
                   "" if c["sentiment_confidence"] is None or by != "model"
                   else round(c["sentiment_confidence"], 2),
                   chart_level(sentiment, c["kind"], officer_set=by == "officer") or "",
                   int(bool(c["reviewed"])), c["reviewed_by"] or "", int(bool(c["key_quote"])),
                   c["topic"] or ""]
                + [int(t["id"] in on) for t in self.themes])

    def csv_bytes(self, report: Reporter | None = None) -> bytes:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow([neutralise(h) for h in self.headers])
        writer.writerows(self.rows(report))
        return buffer.getvalue().encode("utf-8-sig")  # the BOM makes Excel read UTF-8

    def xlsx_bytes(self, report: Reporter | None = None) -> bytes:
        from engage.reports.xlsx import Sheet, workbook_bytes

        headers = self.headers
        widths = [60 if h == "text" else 28 if h in ("themes", "portfolios") else 14
                  for h in headers]
        codebook = [[neutralise(t["portfolio"]), neutralise(t["name"]),
                     neutralise(t["description"] or "")] for t in self.themes]
        return workbook_bytes([
            Sheet("Comments", [neutralise(h) for h in headers], self.rows(report), widths),
            Sheet("Codebook", ["portfolio", "theme", "description"], codebook, [36, 32, 80],
                  freeze=False),
            Sheet("About", ["about this export"],
                  [[neutralise(line)] for line in _about_lines(self.project, self.scope)],
                  [120], freeze=False)])


def _coder(coding: dict) -> str:
    if coding["decision"] == "accepted":
        return f"officer ({coding['decided_by']})" if coding["decided_by"] else "officer"
    return "model"


def _about_lines(project: Project, scope: ReportScope) -> list[str]:
    names = q.scope_names(project, scope)
    return [f"Exported from {project.path.name} by {ORIGIN}",
            f"Consultation: {names['consultation'] or 'all'}",
            f"Place: {names['place'] or 'all'}", f"Question: {names['question'] or 'all'}",
            "themes: the themes that are on (officer accepted, or a confident model "
            "suggestion not rejected); theme: columns repeat them as 0/1.",
            "sentiment: 1 very positive to 5 very negative (3 neutral or mixed); the "
            "officer's when set, else the model's. charted_feeling: positive, neutral or "
            "negative as the app's charts and the report count it (a suggestion counts as "
            "neutral unless an officer set its sentiment).",
            "counted: 1 when the comment counts in the app's and the report's figures; "
            "not_counted_reason says why not (no content, repeat, campaign response). "
            + RULE_SUMMARY,
            "Text cells starting with = + - @ are prefixed with ' so they cannot run as "
            "formulas."]
