"""`engage analyse` end to end (issue 3 targets: 29,000 comments in <= 20 s on 2 cores;
1,000,000 comments in <= 15 min with peak memory <= 4 GB). Prints medians; asserts nothing."""

from __future__ import annotations

import argparse
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks.bench_import_scale import BUILD, export_with_comments  # noqa: E402
from engage.analysis.pipeline import analyse_project  # noqa: E402
from engage.importing.importer import import_file  # noqa: E402
from engage.project import Project  # noqa: E402


def build(target_comments: int, name: str) -> Path:
    path = BUILD / f"analyse_{name}.engage"
    source, _ = export_with_comments(target_comments, f"export_{name}")
    with Project.create(path, overwrite=True) as project:
        import_file(project, source, "Benchmark")
    return path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--million", action="store_true", help="also the 1M-comment run")
    parser.add_argument("--million-only", action="store_true",
                        help="only the 1M-comment run of `engage analyse` (both passes)")
    parser.add_argument("--million-memory", action="store_true",
                        help="peak memory of `engage analyse` (both passes) on 1,000,000 comments "
                             "whose vectors are stored first, so the hour of encoding is skipped")
    parser.add_argument("--reuse", action="store_true",
                        help="with --million-only: analyse build/analyse_1m.engage as it is "
                             "(built and not yet analysed) instead of importing it again")
    args = parser.parse_args()
    if args.million_only:
        million_both_passes(args.reuse)
        return
    if args.million_memory:
        million_memory(args.reuse)
        return
    walls, cpus, stages = [], [], []
    for _ in range(args.repeat):
        path = build(29_000, "29k")  # fresh each time: no stored tokens from a previous run
        start, start_cpu = time.perf_counter(), time.process_time()
        summary, _ = analyse_project(path)
        walls.append(time.perf_counter() - start)
        cpus.append(time.process_time() - start_cpu)
        stages.append(summary.stages)
    print(f"analyse {summary.comments:,} comments: median {statistics.median(walls):.1f} s wall, "
          f"{statistics.median(cpus):.1f} s CPU (runs {', '.join(f'{w:.1f}' for w in walls)}; "
          "target <= 20 s)")
    for key in stages[0]:
        print(f"  {key}: median {statistics.median(s[key] for s in stages):.2f} s")
    start = time.perf_counter()
    summary, _ = analyse_project(path)
    print(f"re-analyse (tokens stored): {time.perf_counter() - start:.1f} s")
    if args.million:
        million()


def million() -> None:
    """Import here, analyse in a child process: its peak memory is the analysis alone, not the
    import's (which an officer runs as a separate step)."""
    path = build(1_000_000, "1m")
    code = ("import sys, time; from engage.analysis.pipeline import analyse_project; "
            "t = time.perf_counter(); s, _ = analyse_project(sys.argv[1]); "
            "print(s.comments, time.perf_counter() - t)")
    result = subprocess.run([sys.executable, "-c", code, str(path)], cwd=ROOT, check=True,
                            capture_output=True, text=True)
    comments, seconds = result.stdout.split()[-2:]
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"analyse {int(comments):,} comments: {float(seconds):.0f} s, "
          f"peak memory {peak:,.0f} MB (targets <= 900 s, <= 4096 MB)")



def million_both_passes(reuse: bool = False) -> None:
    """`engage analyse PROJECT` (fast pass, then the accurate pass) on 1,000,000 comments, in a
    child process as an officer runs it: wall time of each pass and the child's peak memory
    (issue 13 targets: <= 40 min, <= 4 GB)."""
    import os

    path = BUILD / "analyse_1m.engage"
    if not (reuse and path.exists()):
        path = build(1_000_000, "1m")
    with Project.open(path) as project:
        texts = [t for (t,) in project.db.execute("SELECT text FROM comments")]
    print(f"{len(texts):,} comments, {len(set(texts)):,} distinct texts", flush=True)
    del texts
    env = {**os.environ, "ENGAGE_ACCURATE": "on"}
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "engage", "analyse", str(path)], cwd=ROOT,
                            check=True, capture_output=True, text=True, env=env)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(result.stdout.strip())
    print(f"engage analyse (both passes) of 1,000,000 comments: {seconds / 60:.1f} min, peak "
          f"memory {peak:,.0f} MB (targets <= 40 min, <= 4096 MB); load average at end "
          f"{os.getloadavg()[0]:.1f}")


HELD_TEXTS = 20_000  # distinct texts the memory run encodes itself


def million_memory(reuse: bool = False) -> None:
    """Peak memory of `engage analyse PROJECT` on 1,000,000 comments, sampled twice a second
    with the time it was reached, most of the encoding skipped: every comment but those of
    20,000 distinct texts is first given a real vector of one of 3,000 comments encoded here
    (so the heads see vectors like the encoder's), and the run encodes the 20,000 itself.

    Encoding holds 2,000 texts at a time; the runtime's working memory reaches its size within
    the first few thousand, and it is held to the end of encoding. What grows with the project
    is everything after it. So this measures the full run's peak in about half its time, where
    the real run takes 40 minutes on a quiet machine and cannot be repeated for every change."""
    import os

    import numpy as np

    from engage.analysis import vectors
    from engage.nlp.encoder import Encoder

    path = BUILD / "analyse_1m.engage"
    if not (reuse and path.exists()):
        path = build(1_000_000, "1m")
    encoder = Encoder()
    with Project.open(path) as project:
        rows = list(project.db.execute("SELECT id, text FROM comments"))
        rng = np.random.default_rng(0)
        distinct = sorted({text for _, text in rows})
        chosen = rng.choice(len(distinct), 3000 + HELD_TEXTS, replace=False)
        sample = [distinct[i] for i in chosen[:3000]]
        held = {distinct[i] for i in chosen[3000:]}
        rows = [row for row in rows if row[1] not in held]
        found = encoder.encode(sample)
        pick = rng.integers(0, len(sample), len(rows))
        for start in range(0, len(rows), 50_000):
            part = rows[start:start + 50_000]
            vectors.save_vectors(project, [cid for cid, _ in part],
                                 found[pick[start:start + len(part)]], encoder.version)
    print(f"vectors stored for {len(rows):,} comments; the run encodes {len(held):,} distinct "
          "texts", flush=True)
    del rows, distinct, held
    env = {**os.environ, "ENGAGE_ACCURATE": "on"}
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "engage", "analyse", str(path)], cwd=ROOT,
                             env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True)
    peak, peak_at = 0.0, 0.0
    while child.poll() is None:
        try:
            with open(f"/proc/{child.pid}/status") as status:
                rss = next(int(line.split()[1]) for line in status
                           if line.startswith("VmRSS")) / 1024
        except (OSError, StopIteration):
            rss = 0.0
        if rss > peak:
            peak, peak_at = rss, time.perf_counter() - start
        time.sleep(0.5)
    output = child.stdout.read()
    seconds = time.perf_counter() - start
    if child.returncode:
        raise SystemExit(f"engage analyse failed:\n{output}")
    maxrss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(output.strip())
    print(f"engage analyse (both passes, vectors stored) of 1,000,000 comments: peak memory "
          f"{maxrss:,.0f} MB (target <= 4096 MB), sampled peak {peak:,.0f} MB at "
          f"{peak_at:.0f} s of {seconds:.0f} s")


if __name__ == "__main__":
    main()
