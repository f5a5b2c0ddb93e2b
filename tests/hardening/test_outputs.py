"""Reports and exports on a hostile destination: a name that contradicts the format, a disk
that fills up half-way, a name with a newline in it; and the mode of the file written.

A full disk is simulated at the lowest layer the writer uses: the file object `os.fdopen`
hands back raises ENOSPC from `write`, exactly as the kernel's write(2) would.
"""

from __future__ import annotations

import errno
import os
import stat

import pytest

from engage import cli
from engage.errors import EngageError
from engage.project import Project
from engage.reports import report as report_module
from engage.reports.exports import write_export
from engage.reports.report import write_report


class _FullDiskFile:
    def __init__(self, fh) -> None:
        self.fh = fh

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.fh.close()

    def fileno(self) -> int:
        return self.fh.fileno()

    def write(self, data: bytes) -> int:
        self.fh.write(data[: len(data) // 2])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.fixture
def full_disk(monkeypatch):
    real = os.fdopen
    monkeypatch.setattr(report_module.os, "fdopen",
                        lambda fd, *a, **k: _FullDiskFile(real(fd, *a, **k)))


@pytest.mark.parametrize("name", ["summary.html", "coded.csv", "coded.qdpx"])
def test_a_full_disk_leaves_no_hidden_temporary_file(small_project, tmp_path, full_disk, name):
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    write = write_report if name.endswith(".html") else write_export
    with Project.open(small_project) as project, pytest.raises(EngageError) as caught:
        write(project, out_dir / name)
    message = str(caught.value)
    assert "the disk is full" in message and "project is unchanged" in message
    assert "\n" not in message
    assert list(out_dir.iterdir()) == []  # neither the file nor a .engage-* temporary


@pytest.mark.parametrize("mask", [0o022, 0o002, 0o077])
def test_outputs_follow_the_umask(small_project, tmp_path, mask):
    old = os.umask(mask)
    try:
        with Project.open(small_project) as project:
            written = [write_export(project, tmp_path / "coded.csv"),
                       write_report(project, tmp_path / "summary.html")]
    finally:
        os.umask(old)
    for path in written:
        assert stat.S_IMODE(path.stat().st_mode) == 0o666 & ~mask, path


def test_rewriting_a_file_keeps_its_mode(small_project, tmp_path):
    out = tmp_path / "coded.csv"
    out.write_text("old")
    out.chmod(0o640)
    with Project.open(small_project) as project:
        write_export(project, out)
    assert stat.S_IMODE(out.stat().st_mode) == 0o640
    assert out.read_text(encoding="utf-8-sig").startswith("comment_id")


@pytest.mark.parametrize("args, expected", [
    (["report", "--format", "pdf", "--out", "r.docx"], "the format asked for is PDF but the file "
                                                       "name ends in .docx; name the file r.pdf"),
    (["report", "--format", "html", "--out", "r.pdf"], "ends in .pdf"),
    (["export", "--format", "xlsx", "--out", "coded.csv"], "is XLSX but the file name ends in .csv"),
    (["export", "--format", "csv", "--out", "coded.txt"], "ends in .txt"),
])
def test_a_format_the_file_name_contradicts_is_refused(small_project, tmp_path, capsys, args,
                                                       expected):
    command, *rest = args
    rest[-1] = str(tmp_path / rest[-1])
    assert cli.main([command, str(small_project), *rest]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and expected in err, err
    assert list(tmp_path.glob("r.*")) + list(tmp_path.glob("coded.*")) == []


def test_matching_and_implied_formats_still_work(small_project, tmp_path, capsys):
    for command, fmt, name in (("report", "html", "a.htm"), ("export", "csv", "b.csv"),
                               ("export", None, "c.xlsx")):
        args = [command, str(small_project), "--out", str(tmp_path / name)]
        if fmt:
            args += ["--format", fmt]
        assert cli.main(args) == 0, capsys.readouterr().err
        assert (tmp_path / name).stat().st_size > 0


def test_a_newline_in_the_file_name_stays_on_one_line(small_project, tmp_path, capsys):
    out = tmp_path / "missing\nfolder" / "r.pdf"
    assert cli.main(["report", str(small_project), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "missing\\nfolder" in err, err


def test_classify_output_keeps_formulas_from_its_input_as_text(tmp_path, capsys):
    from tests.hardening.bad_inputs import FORMULAS

    source = tmp_path / "in.csv"
    rows = ["id,text"] + [f'{i},"{f.replace(chr(34), chr(34) * 2)}"' for i, f in
                          enumerate(FORMULAS)] + ['=2+2,"The parking at the hospital is awful"']
    source.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    assert cli.main(["classify", "--input", str(source), "--text-column", "text",
                     "--out", str(out), "--quiet"]) == 0, capsys.readouterr().err
    import csv

    cells = [cell for row in csv.reader(out.read_text(encoding="utf-8").splitlines())
             for cell in row]
    for formula in FORMULAS:
        assert "'" + formula in cells and formula not in cells
    assert "'=2+2" in cells
