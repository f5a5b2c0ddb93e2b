"""Every file in the bad-input corpus gets a one-line refusal or an import with a report, and a
refused file leaves the project exactly as it was: through `engage import` and through the core.
"""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from engage import cli
from engage.errors import EngageError
from engage.importing.importer import import_file
from engage.importing.readers import read_table
from engage.importing.table import MAX_CELL_CHARS
from engage.project import Project
from engage.reports.exports import write_export
from sample_data import generate
from tests.hardening import bad_inputs
from tests.hardening.bad_inputs import CORPUS, BadInput
from tests.hardening.conftest import assert_one_line_refusal, integrity, run_engage, table_counts

CONSULTATION = "Bad inputs"


@pytest.fixture(scope="module")
def base_project(tmp_path_factory):
    """A project already holding one good import, so 'unchanged' means something."""
    folder = tmp_path_factory.mktemp("base")
    good = folder / "good.csv"
    generate.write_csv(good, n_respondents=40, seed=3)
    path = folder / "base.engage"
    with Project.create(path) as project:
        import_file(project, good, "First wave")
    return path


@pytest.fixture
def project_path(base_project, tmp_path):
    path = tmp_path / "project.engage"
    shutil.copy(base_project, path)
    return path


def _ids(item: BadInput) -> str:
    return item.name + ("[" + " ".join(item.args) + "]" if item.args else "")


def _sheet(item: BadInput) -> str | None:
    return item.args[1] if item.args[:1] == ("--sheet",) else None


def _comments(path) -> list[str]:
    with Project.open(path) as project:
        return [r[0] for r in project.db.execute(
            "SELECT m.text FROM comments m JOIN consultations c ON c.id = m.consultation_id "
            "WHERE c.name = ? ORDER BY m.id", [CONSULTATION])]


# ----- what an imported file must look like, beyond the report line ------------------------
def _check_nul(path, _source):
    assert not any("\x00" in text for text in _comments(path))


def _check_mixed(path, _source):
    texts = _comments(path)
    assert bad_inputs.MIXED_CP1252 in texts
    assert bad_inputs.MIXED_UTF8 in texts


def _check_windows(path, _source):
    assert bad_inputs.MIXED_CP1252 in _comments(path)


def _check_huge_cell(path, _source):
    longest = max(len(text) for text in _comments(path))
    assert MAX_CELL_CHARS - 100 <= longest <= MAX_CELL_CHARS


def _check_formulas(path, source):
    texts = _comments(path)
    for formula in bad_inputs.FORMULAS:
        assert formula in texts  # kept as the respondent typed it
    with Project.open(path) as project:
        out = write_export(project, source.with_name("export.csv"))
    cells = {cell for row in csv.reader(out.read_text(encoding="utf-8-sig").splitlines())
             for cell in row}
    for formula in bad_inputs.FORMULAS:
        assert "'" + formula in cells and formula not in cells  # never live in a spreadsheet


def _check_merged(path, _source):
    with Project.open(path) as project:
        rows = project.db.execute(
            "SELECT r.source_row, r.place_raw FROM respondents r JOIN consultations c "
            "ON c.id = r.consultation_id WHERE c.name = ? AND r.source_row BETWEEN 3 AND 6",
            [CONSULTATION]).fetchall()
    assert len(rows) == 4
    assert {place for _row, place in rows} == {bad_inputs.MERGED_PLACE}


def _check_wide(path, _source):
    with Project.open(path) as project:
        cid = project.consultation(CONSULTATION)["id"]
        assert len(project.questions(cid)) == 3


def _check_nested(_path, source):
    """Nested values arrive as JSON text in their cell (then mapped like any other column)."""
    tags = [json.loads(value) for value in read_table(source).column_values("Tags")]
    assert [t["sources"][1] for t in tags] == [f"week {i}" for i in range(len(tags))]


def _check_shift_jis(path, _source):
    assert f"{bad_inputs.SHIFT_JIS_TEXT} 3" in _comments(path)  # the text, not cp1252 nonsense


EXTRA_CHECKS = {"shift_jis.csv": _check_shift_jis, "nul_bytes.csv": _check_nul, "mixed_encodings.csv": _check_mixed,
                "windows.csv": _check_windows, "huge_cell.csv": _check_huge_cell,
                "formulas.csv": _check_formulas, "merged.xlsx": _check_merged,
                "wide.csv": _check_wide, "nested.json": _check_nested}


# ----- through `engage import` ----------------------------------------------------------------
@pytest.mark.parametrize("item", CORPUS, ids=_ids)
def test_engage_import_refuses_clearly_or_imports_with_a_report(item, project_path, tmp_path,
                                                               capsys):
    source = tmp_path / item.name
    item.make(source)
    before = table_counts(project_path)
    code = cli.main(["import", str(project_path), str(source), "--consultation", CONSULTATION,
                     *item.args])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if item.outcome == "refused":
        assert code == 2
        lines = err.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("engage: "), err
        assert item.expect in lines[0]
        assert table_counts(project_path) == before  # nothing written, not even an audit row
    else:
        assert code == 0, err
        assert item.expect in out
        after = table_counts(project_path)
        assert after["comments"] > before["comments"]
        assert after["imports"] == before["imports"] + 1
        if item.name in EXTRA_CHECKS and not item.args:
            EXTRA_CHECKS[item.name](project_path, source)
    assert integrity(project_path) == ["ok"]


# ----- through the core -------------------------------------------------------------------------
@pytest.mark.parametrize("item", [i for i in CORPUS if i.outcome == "refused"], ids=_ids)
def test_core_refusal_is_one_engage_error_and_changes_nothing(item, project_path, tmp_path):
    source = tmp_path / item.name
    item.make(source)
    before = table_counts(project_path)
    with Project.open(project_path) as project, pytest.raises(EngageError) as caught:
        import_file(project, source, CONSULTATION, sheet=_sheet(item))
    message = str(caught.value)
    assert item.expect in message and "\n" not in message
    assert table_counts(project_path) == before


@pytest.mark.parametrize("item", [i for i in CORPUS if i.outcome == "imported"], ids=_ids)
def test_core_import_reports_rows_it_could_not_use(item, project_path, tmp_path):
    source = tmp_path / item.name
    item.make(source)
    with Project.open(project_path) as project:
        report, _changes = import_file(project, source, CONSULTATION, sheet=_sheet(item))
    assert item.expect in "\n".join(report.lines())
    assert report.comments_created > 0 or report.placeholders > 0


def test_refusal_of_a_big_file_reads_nothing(tmp_path, monkeypatch):
    """Refused from its size alone, so a 400 MB file costs no memory and no time."""
    source = tmp_path / "big.csv"
    bad_inputs.several_hundred_mb(source)
    monkeypatch.setattr("pathlib.Path.read_bytes", lambda self: pytest.fail("file was read"))
    with pytest.raises(EngageError, match="split it into parts"):
        read_table(source)


def test_size_limit_can_be_raised_by_the_officer(tmp_path, monkeypatch):
    source = tmp_path / "survey.csv"
    generate.write_csv(source, n_respondents=3000, seed=2)
    monkeypatch.setenv("ENGAGE_MAX_IMPORT_MB", "0.1")
    with pytest.raises(EngageError, match="more than the 0 MB"):
        read_table(source)
    monkeypatch.setenv("ENGAGE_MAX_IMPORT_MB", "50")
    assert len(read_table(source).rows) == 3000


@pytest.mark.parametrize("kind", ["csv", "json", "xlsx"])
def test_a_file_past_the_row_limit_is_refused_before_anything_is_written(tmp_path, monkeypatch,
                                                                          project_path, kind):
    """The limit is checked as rows arrive (the default, 1,000,000, is set low here)."""
    source = tmp_path / f"survey.{kind}"
    rows = bad_inputs.base_rows(30)
    if kind == "csv":
        generate.write_csv(source, n_respondents=30, seed=2)
    elif kind == "json":
        source.write_text(json.dumps([dict(zip(bad_inputs.HEADER, r, strict=True))
                                      for r in rows]), encoding="utf-8")
    else:
        import openpyxl

        workbook = openpyxl.Workbook()
        workbook.active.append(bad_inputs.HEADER)
        for row in rows:
            workbook.active.append(row)
        workbook.save(source)
    before = table_counts(project_path)
    monkeypatch.setenv("ENGAGE_MAX_IMPORT_ROWS", "20")
    with Project.open(project_path) as project, pytest.raises(EngageError) as caught:
        import_file(project, source, CONSULTATION)
    assert "more than 20 data rows, the most Engage imports from one file" in str(caught.value)
    assert table_counts(project_path) == before
    monkeypatch.setenv("ENGAGE_MAX_IMPORT_ROWS", "30")
    assert len(read_table(source).rows) == 30


def test_workbook_unpacking_past_the_limit_is_refused_with_its_sizes(tmp_path, monkeypatch):
    """Checked from the zip directory: the sizes are named and nothing is parsed."""
    from engage.importing import readers

    source = tmp_path / "bomb.xlsx"
    bad_inputs.zip_bomb_xlsx(source, unpacked_mb=12)
    monkeypatch.setenv("ENGAGE_MAX_IMPORT_MB", "1")  # 8 MB unpacked at most
    monkeypatch.setattr("openpyxl.load_workbook", lambda *a, **k: pytest.fail("parsed"))
    for read in (read_table, readers.sheet_names):
        with pytest.raises(EngageError, match=r"unpacks to 12 MB, more than the 8 MB .* is \d+ KB"):
            read(source)


def test_shift_jis_is_not_stored_as_windows_1252(tmp_path):
    source = tmp_path / "sjis.csv"
    bad_inputs.shift_jis(source)
    source.read_bytes().decode("cp1252")  # the trap: cp1252 alone would accept it
    table = read_table(source)
    assert table.rows[0][1] == f"{bad_inputs.SHIFT_JIS_TEXT} 0"
    assert any("read as cp932" in w for w in table.warnings)


# ----- a few through the real command, in a process of their own --------------------------------
REAL_PROCESS = ("unclosed_quote.csv", "binary.csv", "big.csv", "deep.json")


@pytest.mark.parametrize("name", REAL_PROCESS)
def test_real_engage_process_refuses_in_one_line(name, project_path, tmp_path):
    item = next(i for i in CORPUS if i.name == name)
    source = tmp_path / item.name
    item.make(source)
    before = table_counts(project_path)
    result = run_engage("import", project_path, source, "--consultation", CONSULTATION)
    assert_one_line_refusal(result, item.expect)
    assert table_counts(project_path) == before
