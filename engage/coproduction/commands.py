"""Command line for co-production: `engage activities …`, `engage actions …`, `engage places …`.

    engage activities import PROJECT FILE [--sheet S] [--column FIELD=COLUMN ...]
                                          [--default-type T] [--default-level L] [--no-suggest]
    engage activities list PROJECT [--place P] [--portfolio P] [--level L] [--json]
    engage actions list PROJECT [--open] [--json]
    engage places import-postcodes PROJECT CSV [--replace] [--apply]
    engage places unplaced PROJECT [--json]
    engage places rates PROJECT [--consultation C] [--json]

Bad input exits 2 with one line on stderr (the CLI's `main` turns an `EngageError` into that).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from engage.errors import EngageError


def register(subparsers) -> None:
    _register_activities(subparsers)
    _register_actions(subparsers)
    _register_places(subparsers)


def _register_activities(subparsers) -> None:
    from engage.coproduction.importer import FIELD_NAMES

    group = subparsers.add_parser("activities", help="the co-production activity register")
    sub = group.add_subparsers(dest="activities_command", required=True,
                               parser_class=type(group))
    p = sub.add_parser("import", help="add activities from a CSV, TSV, XLSX or JSON file")
    p.add_argument("project")
    p.add_argument("file")
    p.add_argument("--sheet", help="XLSX sheet to read (default: the first with data)")
    p.add_argument("--column", action="append", default=[], metavar="FIELD=COLUMN",
                   help="use COLUMN for FIELD, overriding the guess; fields: "
                        + ", ".join(FIELD_NAMES))
    p.add_argument("--default-type", help="activity type for rows that give none")
    p.add_argument("--default-level", help="participation level for rows that give none")
    p.add_argument("--no-suggest", action="store_true",
                   help="do not suggest a portfolio where the file gives none")
    p.set_defaults(func=cmd_activities_import)

    p = sub.add_parser("list", help="print the register")
    p.add_argument("project")
    p.add_argument("--place", help="only activities in this place (or places inside it)")
    p.add_argument("--portfolio", help="only activities feeding this portfolio")
    p.add_argument("--level", help="only activities at this participation level")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_activities_list)


def _register_actions(subparsers) -> None:
    group = subparsers.add_parser("actions", help='"you said, we did" actions')
    sub = group.add_subparsers(dest="actions_command", required=True, parser_class=type(group))
    p = sub.add_parser("list", help="print the actions")
    p.add_argument("project")
    p.add_argument("--open", action="store_true", help="only planned and in-progress actions")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_actions_list)


def _register_places(subparsers) -> None:
    group = subparsers.add_parser("places", help="places, populations and postcode districts")
    sub = group.add_subparsers(dest="places_command", required=True, parser_class=type(group))
    p = sub.add_parser("import-postcodes",
                       help="load a postcode district → locality CSV into the lookup")
    p.add_argument("project")
    p.add_argument("csv")
    p.add_argument("--replace", action="store_true",
                   help="remove districts that are not in the file (default: merge)")
    p.add_argument("--apply", action="store_true",
                   help="then place respondents who have no place by their district")
    p.set_defaults(func=cmd_places_import_postcodes)

    p = sub.add_parser("unplaced", help="respondents with no place, grouped by what they wrote")
    p.add_argument("project")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_places_unplaced)

    p = sub.add_parser("rates", help="responses per 1,000 population by locality")
    p.add_argument("project")
    p.add_argument("--consultation", help="one consultation (name or id); default: all")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_places_rates)


# ----- activities ---------------------------------------------------------------------------
def _columns(pairs: list[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        field, sep, column = pair.partition("=")
        if not sep or not field.strip() or not column.strip():
            raise EngageError(f"--column {pair!r}: expected FIELD=COLUMN, e.g. title=Project name")
        out[field.strip()] = column.strip()
    return out


def _open(path: str):
    from engage.project import Project

    return Project.open(path)


def _open_or_create(path: str):
    from engage.project import Project

    return Project.open(path) if Path(path).exists() else Project.create(path)


def cmd_activities_import(args: argparse.Namespace) -> int:
    from engage.coproduction.importer import import_activities

    columns = _columns(args.column)
    with _open_or_create(args.project) as project:
        report, _ = import_activities(project, args.file, sheet=args.sheet, columns=columns,
                                      default_type=args.default_type,
                                      default_level=args.default_level,
                                      suggest=not args.no_suggest)
    print("\n".join(report.lines()))
    return 0


def cmd_activities_list(args: argparse.Namespace) -> int:
    from engage.coproduction import placeadmin
    from engage.coproduction.portfolios import resolve_portfolio
    from engage.coproduction.store import ActivityFilter, list_activities
    from engage.coproduction.vocab import normalise_level

    with _open(args.project) as project:
        place_id = None
        if args.place:
            place_id = placeadmin.find_place(project, args.place)
            if place_id is None:
                raise EngageError(f"no place called {args.place!r} in {project.path.name}")
        try:
            portfolio = resolve_portfolio(project, args.portfolio)[0] if args.portfolio else None
            level = normalise_level(args.level) if args.level else None
        except ValueError as exc:
            raise EngageError(str(exc)) from None
        rows = list_activities(project, ActivityFilter(place_id=place_id, portfolio=portfolio,
                                                       level=level))
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    table = [[str(r["id"]), r["start_date"] or "", r["type"], r["level"],
              "" if r["participants"] is None else str(r["participants"]), r["places"],
              _portfolio_cell(r), r["title"]] for r in rows]
    _print_table(["id", "start", "type", "level", "people", "places", "portfolio", "title"],
                 table, widths=[4, 10, 15, 10, 6, 28, 24, 0])
    print(f"{len(rows)} activities" + (" (? = portfolio suggested, not yet confirmed)"
                                       if any(r["suggested_portfolios"] for r in rows) else ""))
    return 0


def _portfolio_cell(row: dict) -> str:
    parts = [p for p in row["portfolios"].split("; ") if p]
    parts += [f"{p}?" for p in row["suggested_portfolios"].split("; ") if p]
    return "; ".join(parts)


def _print_table(header: list[str], rows: list[list[str]], widths: list[int]) -> None:
    """Fixed-width columns; a width of 0 means the rest of the line (never cut)."""
    def fit(text: str, width: int) -> str:
        if not width:
            return text
        return text.ljust(width) if len(text) <= width else text[:width - 1] + "…"

    for row in [header] + rows:
        print("  ".join(fit(cell, width) for cell, width in zip(row, widths, strict=True))
              .rstrip())


# ----- actions ----------------------------------------------------------------------------
def cmd_actions_list(args: argparse.Namespace) -> int:
    from engage.coproduction.actions import list_actions

    with _open(args.project) as project:
        rows = list_actions(project, open_only=args.open)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return 0
    table = [[str(r["id"]), r["status"] + (" (overdue)" if r["overdue"] else ""),
              r["due_date"] or "", r["portfolio"], str(r["supporting_comments"]), r["title"]]
             for r in rows]
    _print_table(["id", "status", "due", "portfolio", "comments", "you said"], table,
                 widths=[4, 22, 10, 28, 8, 0])
    print(f"{len(rows)} action{'' if len(rows) == 1 else 's'}")
    return 0


# ----- places -----------------------------------------------------------------------------
def cmd_places_import_postcodes(args: argparse.Namespace) -> int:
    from engage.coproduction.placeadmin import apply_postcode_districts, import_postcode_districts

    with _open(args.project) as project:
        report, _ = import_postcode_districts(project, args.csv, replace_all=args.replace)
        print("\n".join(report.lines()))
        if args.apply:
            placed, _ = apply_postcode_districts(project)
            print(f"Respondents placed by postcode district: {placed}")
    return 0


def cmd_places_unplaced(args: argparse.Namespace) -> int:
    from engage.coproduction.placeadmin import unplaced_respondents

    with _open(args.project) as project:
        found = unplaced_respondents(project)
    if args.json:
        print(json.dumps(found, indent=2, ensure_ascii=False))
        return 0
    print(f"Respondents with no place: {found['count']}")
    _print_table(["respondents", "district", "place as written"],
                 [[str(g["respondents"]), g["postcode_district"], g["place_raw"] or "(blank)"]
                  for g in found["groups"]], widths=[11, 8, 0])
    return 0


def cmd_places_rates(args: argparse.Namespace) -> int:
    from engage.coproduction.dashboard import response_rates

    with _open(args.project) as project:
        consultation_id = project.consultation(args.consultation)["id"] \
            if args.consultation else None
        rates = response_rates(project, consultation_id)
    if args.json:
        print(json.dumps({
            "county_rate": rates.county_rate, "threshold": rates.threshold, "rule": rates.rule,
            "unplaced": rates.unplaced, "above_locality": rates.above_locality,
            "localities": [{"place_id": r.place_id, "name": r.name, "population": r.population,
                            "population_is_estimate": r.population_is_estimate,
                            "respondents": r.respondents, "per_1000": r.rate,
                            "ratio_to_county": r.ratio, "under_heard": r.under_heard}
                           for r in rates.rows]}, indent=2))
        return 0
    table = []
    for r in rates.rows:
        population = "" if r.population is None else f"{r.population:,}" + \
            ("*" if r.population_is_estimate else "")
        rate = "" if r.rate is None else f"{r.rate:.1f}"
        flag = "under-heard" if r.under_heard else ""
        table.append([r.name, population, str(r.respondents), rate, flag])
    _print_table(["locality", "population", "respondents", "per 1,000", ""], table,
                 widths=[22, 10, 11, 9, 0])
    print(rates.rule)
    return 0
