"""`engage share-out`, `merge`, `conflicts`, `agreement`: the same core, one-line errors."""

from __future__ import annotations

from engage.cli import main
from tests.team.conftest import build_lead
from tests.team.test_shareout_merge import code_work_file


def test_share_out_merge_and_agreement_from_the_command_line(tmp_path, capsys):
    build_lead(tmp_path / "lead.engage").close()
    lead = str(tmp_path / "lead.engage")
    out = tmp_path / "out"
    out.mkdir()
    assert main(["share-out", lead, str(out), "--consultation", "1", "--officers", "Jo,Sam",
                 "--split", "overlap", "--overlap", "8"]) == 0
    files = sorted(out.glob("*.engage"))
    assert len(files) == 2
    for path, officer in zip(files, ("Jo", "Sam"), strict=True):
        code_work_file(path, officer, accept={"Travel to services": range(1, 41)})
    capsys.readouterr()
    assert main(["merge", lead, *map(str, files)]) == 0
    assert "(Jo): 8 decisions applied" in capsys.readouterr().out
    assert main(["agreement", lead]) == 0
    text = capsys.readouterr().out
    assert "Jo, Sam on 8 comments (Cohen's kappa)" in text
    assert main(["conflicts", lead]) == 0
    assert "0 open conflicts" in capsys.readouterr().out


def test_refusals_are_one_line_and_exit_2(tmp_path, capsys):
    build_lead(tmp_path / "lead.engage").close()
    lead = str(tmp_path / "lead.engage")
    assert main(["merge", lead, lead]) == 2
    err = capsys.readouterr().err
    assert err.startswith("engage: lead.engage: not a work file") and err.count("\n") == 1
    assert main(["conflicts", lead, "--resolve", "mine"]) == 2
    assert "no open conflicts" in capsys.readouterr().err
