"""Team coding on the command line: `engage share-out`, `engage merge`, `engage conflicts`,
`engage agreement` and `engage import-qdpx`, the same core the File menu uses.

Bad input (a file from another project, a theme deleted since share-out, an unknown officer)
is an `EngageError`: one line on stderr and exit status 2.
"""

from __future__ import annotations

import argparse

from engage.errors import EngageError


def register(subparsers) -> None:
    from engage.team.shareout import SPLITS

    p = subparsers.add_parser(
        "share-out", help="split a consultation into work files for colleagues to code",
        description="Write one work file (a normal Engage project) per officer into FOLDER.")
    p.add_argument("project")
    p.add_argument("folder")
    p.add_argument("--consultation", required=True, help="consultation id or name")
    p.add_argument("--officers", required=True, help="comma-separated officer names")
    p.add_argument("--split", choices=SPLITS, default="random")
    p.add_argument("--overlap", type=int, default=0,
                   help="comments every officer codes, for agreement figures (default 0)")
    p.add_argument("--seed", type=int, default=1, help="random seed for the split")
    p.set_defaults(func=cmd_share_out)

    p = subparsers.add_parser("merge", help="merge colleagues' coded work files back in")
    p.add_argument("project")
    p.add_argument("files", nargs="+")
    p.add_argument("--leave-out-deleted-themes", action="store_true",
                   help="merge a file whose codebook has themes deleted here, without them")
    p.set_defaults(func=cmd_merge)

    p = subparsers.add_parser("conflicts", help="list or resolve officers' disagreements")
    p.add_argument("project")
    p.add_argument("--resolve", choices=("mine", "theirs", "both"),
                   help="resolve the listed open conflicts this way")
    p.add_argument("--ids", help="comma-separated conflict ids (default: all open ones)")
    p.set_defaults(func=cmd_conflicts)

    p = subparsers.add_parser("agreement",
                              help="officer-vs-officer agreement on the comments they all coded")
    p.add_argument("project")
    p.add_argument("--consultation", help="consultation id or name (default: all)")
    p.set_defaults(func=cmd_agreement)

    p = subparsers.add_parser("import-qdpx",
                              help="bring codings from NVivo, ATLAS.ti, MAXQDA or QualCoder "
                                   "back from a REFI-QDA project")
    p.add_argument("project")
    p.add_argument("file")
    p.set_defaults(func=cmd_import_qdpx)


def cmd_share_out(args: argparse.Namespace) -> int:
    from engage.project import Project
    from engage.team import shareout

    with Project.open(args.project) as project:
        consultation_id = project.consultation(args.consultation)["id"]
        shares = shareout.plan_shares(project, consultation_id, args.officers.split(","),
                                      args.split, overlap=args.overlap, seed=args.seed)
        paths = shareout.share_out(project, consultation_id, args.folder, shares, args.split)
    for share, path in zip(shares, paths, strict=True):
        print(f"{path}: {share.officer}, {len(share.comment_ids):,} comments "
              f"({len(share.overlap_ids):,} in the overlap sample)")
    return 0


def cmd_merge(args: argparse.Namespace) -> int:
    from engage.project import Project
    from engage.team import merge

    with Project.open(args.project) as project:
        result = merge.merge_files(project, args.files, args.leave_out_deleted_themes)
    for f in result.files:
        print(f.summary())
    if result.conflicts:
        print(f"{result.conflicts:,} conflicts to resolve: engage conflicts {args.project}")
    return 0


def cmd_conflicts(args: argparse.Namespace) -> int:
    from engage.project import Project
    from engage.team import conflicts

    with Project.open(args.project) as project:
        rows = conflicts.list_conflicts(project)
        if args.ids:
            try:
                wanted = {int(x) for x in args.ids.split(",") if x.strip()}
            except ValueError as exc:
                raise EngageError(f"--ids: not a list of numbers ({args.ids})") from exc
            rows = [r for r in rows if r["id"] in wanted]
        if args.resolve:
            if not rows:
                raise EngageError("no open conflicts to resolve")
            conflicts.resolve(project, [r["id"] for r in rows], args.resolve)
            print(f"Resolved {len(rows):,} conflicts: kept {args.resolve}")
            return 0
        for r in rows:
            print(f"#{r['id']}\tcomment {r['comment_id']}\t{r['what']}\tmine: {r['mine_text']}"
                  f" ({r['mine_by'] or '-'})\ttheirs: {r['theirs_text']} ({r['theirs_by']})")
        print(f"{len(rows):,} open conflicts")
    return 0


def cmd_agreement(args: argparse.Namespace) -> int:
    from engage.project import Project
    from engage.team.kappa import officer_agreement

    with Project.open(args.project) as project:
        consultation_id = (project.consultation(args.consultation)["id"]
                           if args.consultation else None)
        result = officer_agreement(project, consultation_id)
    if result is None:
        print("No comment has been coded by more than one officer.")
        return 0

    def fmt(value, percent=False):
        return "-" if value is None else f"{value:.1%}" if percent else f"{value:.3f}"

    print(f"{', '.join(result.officers)} on {result.comments:,} comments ({result.method})")
    print(f"overall\t{fmt(result.agreement, True)}\t{fmt(result.kappa)}")
    for t in result.themes:
        print(f"{t.theme}\t{fmt(t.agreement, True)}\t{fmt(t.kappa)}\t"
              f"{len(t.disagreements)} split")
    if result.sentiment_items:
        print(f"sentiment\t{fmt(result.sentiment_agreement, True)}\t"
              f"{fmt(result.sentiment_kappa)}\t{result.sentiment_items:,} comments")
    return 0


def cmd_import_qdpx(args: argparse.Namespace) -> int:
    from engage.project import Project
    from engage.team.refiqda_import import import_qdpx

    with Project.open(args.project) as project:
        result = import_qdpx(project, args.file)
    for f in result.files:
        print(f.summary())
    return 0
