"""A merge killed part-way (SIGKILL, after the first file's decisions are written and before
the transaction commits) leaves the lead project exactly as it was."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from engage.project import Project
from engage.team import merge, shareout
from tests.team.conftest import build_lead
from tests.team.test_shareout_merge import code_work_file, dump

ROOT = Path(__file__).resolve().parents[2]

# Kills its own process at the sixth cancellation check: the first file has been applied
# inside the merge's transaction, the second not yet, nothing committed. Before dying it
# prints whether a transaction is open and how many codings the first file changed in it.
KILLER = """
import os, signal, sys
from engage.project import Project
from engage.team import merge
calls = []
def cancelled():
    calls.append(1)
    if len(calls) == 6:
        written = project.db.execute(
            "SELECT count(*) FROM codings WHERE decided_by IN ('Jo', 'Sam')").fetchone()[0]
        print(project.db.conn.in_transaction, written, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    return False
project = Project.open(sys.argv[1], user="Lead")
merge.merge_files(project, sys.argv[2:], cancelled=cancelled)
print("finished")
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killed_merge_leaves_the_project_as_it_was(tmp_path):
    lead = build_lead(tmp_path / "lead.engage")
    shares = shareout.plan_shares(lead, 1, ["Jo", "Sam"], "random", overlap=4)
    folder = tmp_path / "out"
    folder.mkdir()
    paths = shareout.share_out(lead, 1, folder, shares, "random")
    lead.close()
    for path, officer in zip(paths, ("Jo", "Sam"), strict=True):
        code_work_file(path, officer, accept={"Travel to services": range(1, 41)},
                       sentiment={tuple(range(1, 41)): 4})
    before = dump(lead.path)
    run = subprocess.run([sys.executable, "-c", KILLER, str(lead.path), *map(str, paths)],
                         cwd=ROOT, capture_output=True, text=True,
                         env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=120)
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert "finished" not in run.stdout
    in_transaction, written = run.stdout.split()
    assert in_transaction == "True" and int(written) > 0
    assert dump(lead.path) == before
    with Project.open(lead.path, user="Lead") as project:  # and it still merges afterwards
        assert merge.merge_files(project, paths).applied > 0
