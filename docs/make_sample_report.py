"""Rebuild docs/sample_report.pdf and docs/sample_report.html from the sample project.

The sample project is what `engage demo` builds: the invented Big Ask 2013 export, the sample
co-production register, analysed by the fast pass, and then refined by the accurate pass as
`engage analyse` and the window do by default, so the report shows the figures an officer would
get. No officer has reviewed it, so the report says so rather than showing agreement figures
nobody earned.

    .venv/bin/python docs/make_sample_report.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engage.analysis.pipeline import refine_project  # noqa: E402
from engage.demo import build_demo_project  # noqa: E402
from engage.project import Project  # noqa: E402
from engage.reports.report import write_report  # noqa: E402
from engage.reports.summary import build_summary  # noqa: E402


def main() -> None:
    project_path = ROOT / "build" / "sample_report.engage"
    project_path.parent.mkdir(exist_ok=True)
    start = time.perf_counter()
    build_demo_project(project_path)
    print(f"sample project built and analysed in {time.perf_counter() - start:.1f} s")
    refined, _ = refine_project(project_path)
    print(f"refined {refined.comments:,} comments with the accurate model in "
          f"{refined.seconds:.1f} s")
    with Project.open(project_path) as project:
        summary = build_summary(project)
        for fmt in ("pdf", "html"):
            out = ROOT / "docs" / f"sample_report.{fmt}"
            write_report(project, out, summary=summary)
            print(f"wrote {out.relative_to(ROOT)} ({out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
