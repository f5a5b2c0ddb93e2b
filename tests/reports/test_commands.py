"""`engage report` and `engage export` from the command line: files written, clear refusals."""

from __future__ import annotations

import pytest
from pypdf import PdfReader

from engage.cli import main


@pytest.fixture
def project_path(project):
    path = str(project.path)
    project.close()
    return path


@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_report_writes_each_format(project_path, tmp_path, fmt, capsys):
    out = tmp_path / f"summary.{fmt}"
    assert main(["report", project_path, "--format", fmt, "--out", str(out),
                 "--consultation", "1", "--sections", "summary,themes,methodology"]) == 0
    assert out.stat().st_size > 1000
    assert capsys.readouterr().out.strip() == f"Report written to {out}"


def test_report_takes_the_officers_summary_text(project_path, tmp_path):
    text = tmp_path / "summary.txt"
    text.write_text("The board should note the strength of feeling about parking.",
                    encoding="utf-8")
    out = tmp_path / "r.pdf"
    assert main(["report", project_path, "--out", str(out), "--sections", "summary",
                 "--summary-text", str(text), "--title", "Parking review"]) == 0
    pdf_text = " ".join(p.extract_text() for p in PdfReader(out).pages)
    assert "strength of feeling about parking" in pdf_text and "Parking review" in pdf_text
    assert "people responded" not in pdf_text


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "qdpx", "qdc"])
def test_export_writes_each_format(project_path, tmp_path, fmt):
    out = tmp_path / f"coded.{fmt}"
    assert main(["export", project_path, "--format", fmt, "--out", str(out),
                 "--place", "Weymouth & Portland"]) == 0
    assert out.stat().st_size > 100


@pytest.mark.parametrize("args, message", [
    (["report", "{project}", "--out", "{tmp}/r.txt"], "cannot tell the report format"),
    (["report", "{project}", "--out", "{tmp}/missing/r.pdf"], "does not exist"),
    (["report", "{tmp}/nothing.engage", "--out", "{tmp}/r.pdf"], "no such project file"),
    (["report", "{project}", "--out", "{tmp}/r.pdf", "--consultation", "42"],
     "no consultation '42'"),
    (["report", "{project}", "--out", "{tmp}/r.pdf", "--place", "Atlantis"], "no place"),
    (["report", "{project}", "--out", "{tmp}/r.pdf", "--question", "99"], "no question"),
    (["report", "{project}", "--out", "{tmp}/r.pdf", "--sections", "themes,gossip"],
     "unknown report section gossip"),
    (["report", "{project}", "--out", "{tmp}/r.pdf", "--summary-text", "{tmp}/none.txt"],
     "no such file"),
    (["export", "{project}", "--out", "{tmp}/coded.ods"], "cannot tell the export format"),
])
def test_bad_input_is_one_line_and_exit_2(project_path, tmp_path, capsys, args, message):
    argv = [a.format(project=project_path, tmp=tmp_path) for a in args]
    assert main(argv) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and message in err[0] and err[0].startswith("engage: ")
