"""`engage report` and `engage export`: consultation summaries and coded data, headless.

Bad input (no such project, consultation, place or section; a folder that does not exist; a
format we cannot write) is an `EngageError`: one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from engage.errors import EngageError, NotFoundError
from engage.reports.exports import EXPORT_FORMATS
from engage.reports.report import REPORT_FORMATS
from engage.reports.summary import SECTIONS


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "report", help="write a consultation summary (DOCX, PDF or HTML)",
        description="Write a consultation summary for a board or the public. Sections: "
                    + ", ".join(SECTIONS) + ".")
    p.add_argument("project")
    p.add_argument("--format", choices=REPORT_FORMATS,
                   help="report format (default: from the --out file name)")
    p.add_argument("--out", required=True, help="the file to write")
    _scope_arguments(p)
    p.add_argument("--sections", help="comma-separated sections to include (default: all)")
    p.add_argument("--summary-text", metavar="FILE",
                   help="a text file with the executive summary to use instead of the draft")
    p.add_argument("--title", help="report title (default: the consultation's name)")
    p.set_defaults(func=cmd_report)

    p = subparsers.add_parser(
        "export", help="export coded comments (CSV, XLSX) or REFI-QDA (QDPX, QDC)",
        description="Export coded comments for spreadsheets or for QDA software (NVivo, "
                    "ATLAS.ti, MAXQDA, QualCoder) through the REFI-QDA standard.")
    p.add_argument("project")
    p.add_argument("--format", choices=EXPORT_FORMATS,
                   help="export format (default: from the --out file name)")
    p.add_argument("--out", required=True, help="the file to write")
    _scope_arguments(p)
    p.set_defaults(func=cmd_export)


def _scope_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--consultation", help="consultation id or name (default: all)")
    p.add_argument("--place", help="place id or name: that place and every place inside it")
    p.add_argument("--question", help="question id or label (needs --consultation for a label)")


def _scope(project, args: argparse.Namespace):
    from engage.reports.queries import ReportScope

    consultation_id = None
    if args.consultation:
        consultation_id = project.consultation(args.consultation)["id"]
    place_id = _place_id(project, args.place) if args.place else None
    question_id = _question_id(project, args.question, consultation_id) if args.question \
        else None
    return ReportScope(consultation_id=consultation_id, place_id=place_id,
                       question_id=question_id)


def _place_id(project, value: str) -> int:
    for place in project.places():
        if str(place["id"]) == value.strip() or place["name"].casefold() == value.strip().casefold():
            return place["id"]
    raise NotFoundError(f"no place {value!r} in {project.path.name}")


def _question_id(project, value: str, consultation_id: int | None) -> int:
    for question in project.questions(consultation_id):
        if str(question["id"]) == value.strip() or question["label"] == value:
            return question["id"]
    raise NotFoundError(f"no question {value!r} in {project.path.name}")


def _open(path: str):
    from engage.project import Project

    return Project.open(path)


def cmd_report(args: argparse.Namespace) -> int:
    from engage.reports.report import check_sections, report_format, write_report

    report_format(args.out, args.format)  # fail before opening anything
    sections = None
    if args.sections:
        sections = check_sections([s.strip() for s in args.sections.split(",") if s.strip()])
    summary_text = None
    if args.summary_text:
        try:
            summary_text = Path(args.summary_text).read_text(encoding="utf-8")
        except FileNotFoundError as exc:
            raise EngageError(f"{args.summary_text}: no such file") from exc
        except (OSError, UnicodeDecodeError) as exc:
            raise EngageError(f"{args.summary_text}: cannot be read as text ({exc})") from exc
    with _open(args.project) as project:
        path = write_report(project, args.out, args.format, scope=_scope(project, args),
                            sections=sections, summary_text=summary_text, title=args.title)
    print(f"Report written to {path}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from engage.reports.exports import export_format, write_export

    export_format(args.out, args.format)
    with _open(args.project) as project:
        path = write_export(project, args.out, args.format, scope=_scope(project, args))
    print(f"Exported to {path}")
    return 0
