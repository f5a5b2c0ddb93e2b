"""The `engage` command: everything the GUI does, headless, on the same core.

Exit codes: 0 success, 2 bad input (one line on stderr saying what and where), 1 unexpected.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import json
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from engage.errors import EngageError, one_line
from engage.progress import clear_terminal_progress, terminal_progress

OFFICER_ENV = "ENGAGE_OFFICER"  # engage.project.OFFICER_ENV, without importing it at start-up

# Feature modules that add their own subcommands through `register(subparsers)`.
COMMAND_MODULES = ("engage.nlp.commands", "engage.coproduction.commands",
                   "engage.reports.commands", "engage.team.commands")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 too; keep it to one line
        print(f"{self.prog}: error: {one_line(message)} (see: {self.prog} --help)",
              file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="engage", description="Analyse public-engagement comments offline.")
    parser.add_argument("--officer", metavar="NAME",
                        help="who the audit trail records for this command's decisions "
                             "(default: $ENGAGE_OFFICER, else your login name)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("new", help="create an empty project file")
    p.add_argument("project")
    p.add_argument("--force", action="store_true", help="replace an existing file")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("import", help="import a survey export (CSV, TSV, XLSX, JSON)")
    p.add_argument("project")
    p.add_argument("file")
    p.add_argument("--consultation", help="consultation name (default: from the file name)")
    p.add_argument("--sheet", help="XLSX sheet to read (default: the first with data)")
    p.add_argument("--mapping", help="column mapping JSON file (as saved by the wizard)")
    p.add_argument("--text-column", action="append", dest="text_columns", metavar="COL",
                   help="a comment column; repeat for several (overrides the guess)")
    p.add_argument("--keep-original", action="store_true",
                   help="also store the unmasked text of comments that had personal data")
    p.add_argument("--layout", choices=("long", "wide"),
                   help="long: one row per answer; wide: one row per respondent (default: detected)")
    p.add_argument("--question-column", metavar="COL",
                   help="long layout: the column naming each answer's question (default: detected)")
    p.add_argument("--header-rows", type=int, metavar="N",
                   help="how many rows at the top are headings (default: detected)")
    p.add_argument("--respondent-column", metavar="COL",
                   help="the column identifying respondents (default: detected)")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("info", help="print consultations, questions and counts")
    p.add_argument("project")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_info)

    p = sub.add_parser("check", help="read every page of a project file and report damage "
                                      "(exit 2 if any)")
    p.add_argument("project")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("demo", help="build the sample project headless and print what it holds")
    p.add_argument("--out", help="where to write the project (default: a temporary folder)")
    p.add_argument("--quiet", action="store_true", help="print only the project path")
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("analyse", help="themes, sentiment, near-duplicates and topics for "
                                        "every comment of a project")
    p.add_argument("project")
    p.add_argument("--consultation", type=int, help="only this consultation (id)")
    p.add_argument("--model", help="model folder (default: the shipped model)")
    p.add_argument("--fast", action="store_true",
                   help="the fast pass only (default: the fast pass, then the accurate one)")
    p.set_defaults(func=cmd_analyse)

    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue  # that feature is not part of this build
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.officer and args.officer.strip():
        os.environ[OFFICER_ENV] = args.officer.strip()  # every connection this command opens
    try:
        return int(args.func(args) or 0)
    except EngageError as exc:
        print(f"engage: {exc}", file=sys.stderr)
        return 2
    except sqlite3.DatabaseError as exc:  # a write outside Project.transaction, met a full disk
        from engage.project import storage_error

        project = Path(getattr(args, "project", None) or "project")
        error = storage_error(project, exc, args.command)
        if error is None:
            raise
        print(f"engage: {error}", file=sys.stderr)
        return 2
    except OSError as exc:
        if exc.errno not in _STORAGE_ERRNOS:
            raise
        where = one_line(str(exc.filename)) + ": " if exc.filename else ""
        print(f"engage: {where}{exc.strerror or exc}; the project file is intact",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("engage: interrupted; nothing was changed by the unfinished step", file=sys.stderr)
        return 130


#: Errors of the disk rather than of Engage: said in one line, never a traceback.
_STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EIO}


def cmd_new(args: argparse.Namespace) -> int:
    from engage.project import Project

    with Project.create(args.project, overwrite=args.force) as project:
        print(f"Created {project.path}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from engage.importing.importer import import_file

    path = Path(args.file)
    mapping = _read_mapping(Path(args.mapping)) if args.mapping else None
    consultation = args.consultation or path.stem.replace("_", " ").strip() or "Consultation"
    created = not Path(args.project).exists()
    with _open_or_create(args.project) as project:
        try:
            report, _ = import_file(project, path, consultation, mapping=mapping, sheet=args.sheet,
                                    text_columns=args.text_columns,
                                    keep_original=args.keep_original, layout=args.layout,
                                    question_column=args.question_column,
                                    header_rows=args.header_rows,
                                    respondent_column=args.respondent_column)
        except BaseException:
            if created:  # the project was made for this import alone: leave none behind
                project.discard()
            raise
    print("\n".join(report.lines()))
    return 0


def _read_mapping(path: Path):
    from engage.importing.mapping import ColumnMapping

    try:
        return ColumnMapping.from_json(json.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError as exc:
        raise EngageError(f"{path}: no such mapping file") from exc
    except (ValueError, KeyError, TypeError) as exc:
        raise EngageError(f"{path}: not a column mapping file ({exc})") from exc


def _open_or_create(path: str):
    from engage.project import Project

    return Project.open(path) if Path(path).exists() else Project.create(path)


def cmd_info(args: argparse.Namespace) -> int:
    from engage.project import Project

    with Project.open(args.project) as project:
        info = project_info(project)
    if args.json:
        print(json.dumps(info, indent=2))
        return 0
    print(f"Project {info['path']}")
    for c in info["consultations"]:
        print(f"  Consultation {c['id']}: {c['name']} — {c['respondents']} respondents, "
              f"{c['comments']} comments")
        for q in c["questions"]:
            print(f"    Question {q['id']}: {q['label']} — {q['respondents']} respondents, "
                  f"{q['comments']} comments ({q['substantive']} substantive)")
    t = info["totals"]
    print(f"Totals: {t['consultations']} consultations, {t['questions']} questions, "
          f"{t['respondents']} respondents, {t['comments']} comments")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from engage.integrity import full_check

    report = full_check(args.project)
    print("\n".join(report.lines))
    return 0 if report.ok else 2


def project_info(project) -> dict:
    consultations = project.consultations()
    questions = project.questions()
    for c in consultations:
        c["questions"] = [q for q in questions if q["consultation_id"] == c["id"]]
    return {"path": str(project.path), "consultations": consultations,
            "totals": project.totals()}


def cmd_demo(args: argparse.Namespace) -> int:
    from engage.demo import build_demo_project

    path = build_demo_project(args.out)
    if args.quiet:
        print(path)
        return 0
    from engage.project import Project

    with Project.open(path) as project:
        info = project_info(project)
        portfolios = _portfolio_lines(project)
    print(f"Sample project built at {path}")
    for c in info["consultations"]:
        print(f"  {c['name']}: {c['respondents']} respondents, {c['comments']} comments")
        for q in c["questions"]:
            print(f"    {q['label']}: {q['comments']} comments")
    t = info["totals"]
    print(f"Totals: {t['respondents']} respondents, {t['comments']} comments")
    if portfolios:
        print("Comments by portfolio (from the shipped model; officers review these codes):")
        print("\n".join(portfolios))
    print("Open it in the app with: make run   (or: python main.py " + str(path) + ")")
    return 0


def _portfolio_lines(project) -> list[str]:
    """One line per portfolio; empty when the project has not been analysed."""
    from engage.analysis import explore, store

    if not store.has_taxonomy(project):
        return []
    return [f"  {row['portfolio']}: {row['comments']:,} comments"
            for row in explore.portfolio_counts(project)]


def cmd_analyse(args: argparse.Namespace) -> int:
    from engage.analysis.pipeline import analyse_project
    from engage.project import Project

    with Project.open(args.project) as project:  # a missing or foreign file, a wrong id: first
        if args.consultation is not None:
            project.consultation(args.consultation)
    summary, _ = analyse_project(args.project, consultation_id=args.consultation,
                                 model_dir=args.model)
    print("\n".join(summary.lines()))
    if args.fast:
        return 0
    from engage.analysis.pipeline import refine_project
    from engage.nlp.encoder import EncoderUnavailable

    try:
        refined, _ = refine_project(args.project, consultation_id=args.consultation,
                                    model_dir=args.model, progress=terminal_progress())
    except EncoderUnavailable as exc:
        print(f"engage: note: {exc}; the fast results stand", file=sys.stderr)
        return 0
    clear_terminal_progress()
    print(f"Refined {refined.comments:,} comments with the accurate model in "
          f"{refined.seconds:.1f} s: coded {refined.outcomes.get('coded', 0):,}, for review "
          f"{refined.outcomes.get('uncertain', 0):,}, no theme "
          f"{refined.outcomes.get('no_theme', 0):,}")
    return 0


