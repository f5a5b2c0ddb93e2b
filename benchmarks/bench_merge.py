"""Team coding at full size (issue 14): share a 29,000-comment consultation out to five
officers (6,000 comments each: a random share plus a 250-comment overlap all five code), code
every work file, then time merging all five back. Target: merge <= 10 s (median).

The project is synthetic (written through the core: comments made of short phrases, model
suggestions from `engage.analysis.store`), so this measures the merge, not the NLP. Each
officer, in their own work file, reviews every comment: keeps or rejects the suggestion, adds
a second theme on some, sets sentiment on a third and marks a few key quotes, all through the
same core calls the workbench makes (so their audit trail is real). Each timed merge runs on a
fresh copy of the lead project. Prints figures; asserts nothing. Cached in build/bench/.

    nice -n 15 .venv/bin/python benchmarks/bench_merge.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engage.analysis import store  # noqa: E402
from engage.project import Project  # noqa: E402
from engage.team import conflicts, kappa, merge, shareout  # noqa: E402

BUILD = ROOT / "build" / "bench" / "merge"
COMMENTS = 29_000
OFFICERS = ["Officer A", "Officer B", "Officer C", "Officer D", "Officer E"]
OVERLAP = 250  # (29,000 - 250) / 5 + 250 = 6,000 comments per work file
WORDS = ("wait", "appointment", "bus", "parking", "online", "app", "ward", "staff", "kind",
         "phone", "pharmacy", "GP", "clinic", "home", "carer", "night", "weekend", "cost")
TAXONOMY = [{"name": f"Portfolio {p}", "themes": [{"name": f"Theme {p}.{t}"} for t in range(6)]}
            for p in range(5)]


def lead_project() -> Path:
    path = BUILD / "lead_29k.engage"
    if path.exists():
        return path
    BUILD.mkdir(parents=True, exist_ok=True)
    rng = random.Random(14)
    start = time.perf_counter()
    with Project.create(path, overwrite=True, user="Lead") as p:
        with p.transaction("seed"):
            cid = p.db["consultations"].insert({"name": "Merge benchmark",
                                                "created_at": "2026-01-01"}).last_pk
            questions = [p.db["questions"].insert({"consultation_id": cid, "label": f"Q{i}",
                                                   "position": i}).last_pk for i in range(3)]
            p.db["respondents"].insert_all(
                ({"id": i, "consultation_id": cid, "external_id": f"R{i}"}
                 for i in range(1, COMMENTS + 1)), batch_size=5000)
            p.db["comments"].insert_all(
                ({"id": i, "consultation_id": cid, "question_id": questions[i % 3],
                  "respondent_id": i, "text": " ".join(rng.choices(WORDS, k=12))}
                 for i in range(1, COMMENTS + 1)), batch_size=5000)
        store.install_taxonomy(p, TAXONOMY)
        themes = [t["id"] for t in store.themes(p)]
        run = store.start_run(p, "bench", {})
        store.save_results(p, run, [
            store.CommentResult(i, "coded" if rng.random() < 0.7 else "uncertain",
                                rng.randint(1, 5), 0.7, rng.random(),
                                [(t, 0.5 + rng.random() / 2, []) for t in rng.sample(themes, 2)])
            for i in range(1, COMMENTS + 1)])
    print(f"built the 29,000-comment lead project in {time.perf_counter() - start:.1f} s")
    return path


def work_files(lead: Path) -> list[Path]:
    folder = BUILD / "work"
    done = folder / "done"
    if done.exists():
        return sorted(folder.glob("*.engage"))
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with Project.open(lead, user="Lead") as p:
        shares = shareout.plan_shares(p, 1, OFFICERS, "random", overlap=OVERLAP, seed=14)
        start = time.perf_counter()
        paths = shareout.share_out(p, 1, folder, shares, "random")
        print(f"share-out of 5 x {len(shares[0].comment_ids):,} comments: "
              f"{time.perf_counter() - start:.1f} s")
    for n, path in enumerate(paths):
        start = time.perf_counter()
        code(path, OFFICERS[n], random.Random(n))
        print(f"  {OFFICERS[n]} coded {path.name} in {time.perf_counter() - start:.1f} s",
              flush=True)
    done.write_text("ok")
    return paths


def code(path: Path, officer: str, rng: random.Random) -> None:
    """Review every comment as an officer would: through the workbench's core calls."""
    with Project.open(path, user=officer) as work:
        themes = [t["id"] for t in store.themes(work)]
        suggested: dict[int, list[int]] = {}
        for cid, tid in work.db.execute("SELECT comment_id, theme_id FROM codings"):
            suggested.setdefault(cid, []).append(tid)
        by_action: dict[tuple[int, str], list[int]] = {}
        for cid, tids in suggested.items():
            by_action.setdefault((tids[0], "accepted"), []).append(cid)
            if rng.random() < 0.5:
                by_action.setdefault((tids[1], "rejected"), []).append(cid)
            if rng.random() < 0.3:
                by_action.setdefault((rng.choice(themes), "accepted"), []).append(cid)
        for (tid, decision), cids in by_action.items():
            store.set_coding_decision(work, cids, tid, decision)
        ids = sorted(suggested)
        for level in range(1, 6):
            store.set_officer_sentiment(work, [c for c in ids if c % 15 == level], level)
        store.set_key_quote(work, ids[::50], True)


def timed_merge(lead: Path, paths: list[Path]) -> tuple[float, float, merge.MergeResult, Path]:
    copy = BUILD / "lead_merge_run.engage"
    for suffix in ("", "-wal", "-shm"):
        Path(str(copy) + suffix).unlink(missing_ok=True)
    shutil.copyfile(lead, copy)
    with Project.open(copy, user="Lead") as p:
        start, start_cpu = time.perf_counter(), time.process_time()
        result = merge.merge_files(p, paths)
        elapsed, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    return elapsed, cpu, result, copy


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    lead = lead_project()
    paths = work_files(lead)
    times, cpus = [], []
    for _ in range(args.repeat):
        elapsed, cpu, result, copy = timed_merge(lead, paths)
        times.append(elapsed)
        cpus.append(cpu)
    print(f"merge of {len(paths)} work files into {COMMENTS:,} comments: median "
          f"{statistics.median(times):.2f} s (runs {', '.join(f'{t:.2f}' for t in times)}; "
          f"CPU median {statistics.median(cpus):.2f} s; target <= 10 s)")
    for f in result.files:
        print("  " + f.summary())
    with Project.open(copy, user="Lead") as p:
        start = time.perf_counter()
        again = merge.merge_files(p, paths)
        print(f"merging the same 5 files again: {time.perf_counter() - start:.2f} s, "
              f"{again.applied} applied, {again.conflicts} new conflicts")
        start = time.perf_counter()
        agreement = kappa.officer_agreement(p, 1)
        print(f"officer agreement on the {agreement.comments} overlap comments "
              f"({agreement.method}): {agreement.agreement:.1%}, kappa {agreement.kappa:.3f} "
              f"({time.perf_counter() - start:.2f} s)")
        start = time.perf_counter()
        open_ids = [r["id"] for r in conflicts.list_conflicts(p)]
        _changes, undo = conflicts.resolve(p, open_ids, "theirs")
        print(f"resolving {len(open_ids):,} conflicts (keep theirs): "
              f"{time.perf_counter() - start:.2f} s")
        start = time.perf_counter()
        conflicts.undo(p, undo)
        print(f"undoing it: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main()
