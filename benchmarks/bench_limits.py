"""What the import limits cost: read and import time and peak memory by row count.

Writes a plain two-column export (respondent id, one short comment) of N rows — the cheapest
kind of row, so the most rows fit under the 256 MB file limit — and times, each in a fresh
process, reading it (`read_table`) and importing it into a new project (`import_file`). The
largest N shows whether a file at the row limit imports in the time the README states, and
N = 2,000,000 that a bigger one is refused before any work. Prints medians; asserts nothing.

    .venv/bin/python benchmarks/bench_limits.py --rows 100000 500000 1000000 2000000
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build" / "bench"

WORDS = ("the bus", "my surgery", "the pharmacy", "parking", "the ward", "a nurse",
         "waiting", "the app", "the phone line", "evening clinics")


def write_rows(path: Path, rows: int) -> Path:
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write("Respondent ID,Comment\n")
        for i in range(rows):
            a, b = WORDS[i % len(WORDS)], WORDS[(i // 10) % len(WORDS)]
            fh.write(f"R{i},{a} and {b} could be better ({i % 997})\n")
    return path


CHILD = r"""
import json, resource, sys, time
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from engage.errors import EngageError
step, source, target = sys.argv[2], Path(sys.argv[3]), Path(sys.argv[4])
t = time.perf_counter()
outcome = "ok"
try:
    if step == "read":
        from engage.importing.readers import read_table
        read_table(source)
    else:
        from engage.importing.importer import import_file
        from engage.project import Project
        target.unlink(missing_ok=True)
        with Project.create(target) as project:
            import_file(project, source, "Scale")
except EngageError as exc:
    outcome = "refused: " + str(exc)[:160]
seconds = time.perf_counter() - t
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "peak_mb": peak, "outcome": outcome}))
"""


def measure(step: str, source: Path, repeat: int) -> dict:
    runs = []
    for _ in range(repeat):
        result = subprocess.run(
            [sys.executable, "-c", CHILD, str(ROOT), step, str(source),
             str(BUILD / "limits.engage")], capture_output=True, text=True, check=True)
        runs.append(json.loads(result.stdout.strip().splitlines()[-1]))
    return {"seconds": statistics.median(r["seconds"] for r in runs),
            "peak_mb": max(r["peak_mb"] for r in runs), "outcome": runs[-1]["outcome"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 2_000_000])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--steps", nargs="+", default=["read", "import"])
    args = parser.parse_args()
    for rows in args.rows:
        source = write_rows(BUILD / f"limits_{rows}.csv", rows)
        size = source.stat().st_size / (1024 * 1024)
        for step in args.steps:
            m = measure(step, source, args.repeat)
            print(f"{rows:>10,} rows ({size:,.0f} MB) {step:>6}: {m['seconds']:7.1f} s, "
                  f"peak {m['peak_mb']:,.0f} MB, {m['outcome']}", flush=True)


if __name__ == "__main__":
    main()
