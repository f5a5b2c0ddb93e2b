"""Exports: formulas neutralised, REFI-QDA files valid against the published schemas, and
what is exported reads back as the same comments with the same codes."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from lxml import etree

from engage.errors import EngageError
from engage.reports import export_queries
from engage.reports import queries as q
from engage.reports.exports import (
    FORMULA_STARTS,
    THEME_COLUMN_PREFIX,
    neutralise,
    write_export,
)
from engage.reports.queries import ReportScope

SCHEMAS = Path(__file__).resolve().parent.parent / "data" / "refi_qda"
NS = {"p": "urn:QDA-XML:project:1.0", "c": "urn:QDA-XML:codebook:1.0"}


@pytest.fixture(scope="module")
def exported(shared_project, tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    return shared_project, {fmt: write_export(shared_project, folder / f"coded.{fmt}")
                            for fmt in ("csv", "xlsx", "qdpx", "qdc")}


def expected(project, scope=ReportScope()):
    """comment id → (text, set of active theme names), from the queries."""
    names = {t["id"]: t["name"] for t in q.codebook_themes(project)}
    codings = export_queries.active_codings(project, scope)
    return {c["comment_id"]: (c["text"], {names[x["theme_id"]] for x in codings.get(
        c["comment_id"], [])}) for c in export_queries.export_comments(project, scope)}


def unquote(value: str) -> str:
    """Undo the neutralising quote, as an analyst reading the text would."""
    return value[1:] if value.startswith("'") and value[1:].startswith(FORMULA_STARTS) else value


@pytest.mark.parametrize("text", ["=1+2", "+44 1234", "-not happy", "@everyone", "\tx", "\rx"])
def test_formula_starts_get_a_quote(text):
    assert neutralise(text) == "'" + text


@pytest.mark.parametrize("value", ["plain", "", " =not at start", 5, -3, None, 0.5])
def test_other_values_are_left_alone(value):
    assert neutralise(value) == value


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_csv_has_no_cell_a_spreadsheet_would_run(exported):
    _project, paths = exported
    rows = read_csv(paths["csv"])
    cells = [value for row in rows for value in row.values()]
    assert not [v for v in cells if v.startswith(FORMULA_STARTS)]
    texts = [row["text"] for row in rows]
    assert "'=HYPERLINK(\"http://example.org\") online forms are confusing" in texts
    assert "'-not happy that respite for carers was cut last year" in texts
    assert "'@everyone should be able to park for free when visiting a relative" in texts


def test_csv_reads_back_as_the_same_comments_and_codes(exported):
    project, paths = exported
    rows = read_csv(paths["csv"])
    want = expected(project)
    assert [int(r["comment_id"]) for r in rows] == sorted(want)
    theme_columns = [k for k in rows[0] if k.startswith(THEME_COLUMN_PREFIX)]
    assert len(theme_columns) == len(q.codebook_themes(project))
    for row in rows:
        text, themes = want[int(row["comment_id"])]
        assert unquote(row["text"]) == text
        listed = {t for t in row["themes"].split("; ") if t}
        assert listed == themes
        flagged = {k[len(THEME_COLUMN_PREFIX):] for k in theme_columns if row[k] == "1"}
        assert flagged == themes
        assert len(row["coded_by"].split("; ")) == len(themes) or not themes


def test_csv_says_who_coded_and_what_was_excluded(exported):
    project, paths = exported
    rows = {row["text"]: row for row in read_csv(paths["csv"])}
    email = rows["Please email me at [email] about the waiting list for my knee"]
    assert (email["themes"], email["coded_by"]) == ("Online booking", "officer (sam)")
    assert email["personal_data_masked"] == "yes" and email["reviewed"] == "1"
    booking = rows["Booking online through the app works well and saves me a phone call"]
    assert (booking["sentiment"], booking["sentiment_by"]) == ("1", "officer")
    every = read_csv(paths["csv"])
    reasons = sorted(r["not_counted_reason"] for r in every if r["not_counted_reason"])
    assert reasons == ["no content"] * 3
    assert sum(r["counted"] == "1" for r in every) == q.headline_counts(
        project, q.ReportScope())["counted"]
    wards = {r["respondent"]: r["Ward"] for r in read_csv(paths["csv"])}
    assert (wards["R01"], wards["R09"]) == ("Rodwell", "")


def test_xlsx_reads_back_and_holds_no_formula(exported):
    project, paths = exported
    book = openpyxl.load_workbook(paths["xlsx"])
    sheet = book["Comments"]
    rows = list(sheet.iter_rows(values_only=False))
    header = [c.value for c in rows[0]]
    assert all(c.data_type != "f" for row in rows for c in row)
    want = expected(project)
    got = {}
    for row in rows[1:]:
        values = dict(zip(header, (c.value for c in row), strict=True))
        got[values["comment_id"]] = (unquote(values["text"]),
                                     {t for t in (values["themes"] or "").split("; ") if t})
        flagged = {h[len(THEME_COLUMN_PREFIX):] for h in header
                   if h.startswith(THEME_COLUMN_PREFIX) and values[h] == 1}
        assert flagged == got[values["comment_id"]][1]
    assert got == want
    assert [c.value for c in book["Codebook"]["B"]][1:] == [
        t["name"] for t in q.codebook_themes(project)]


def schema(name: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS / name)))


def test_qdpx_is_valid_against_the_refi_qda_project_schema(exported):
    _project, paths = exported
    with zipfile.ZipFile(paths["qdpx"]) as archive:
        document = etree.fromstring(archive.read("project.qde"))
        names = archive.namelist()
    validator = schema("Project-mrt2019.xsd")
    assert validator.validate(document), validator.error_log
    for source in document.iterfind(".//p:TextSource", NS):
        path = source.get("plainTextPath")
        assert path.startswith("internal://")
        assert "Sources/" + path[len("internal://"):] in names


def test_qdc_is_valid_against_the_refi_qda_codebook_schema(exported):
    project, paths = exported
    document = etree.parse(str(paths["qdc"]))
    validator = schema("Codebook-mrt2019.xsd")
    assert validator.validate(document), validator.error_log
    codes = {c.get("name"): c for c in document.iterfind(".//c:Code", NS)}
    for theme in q.codebook_themes(project):
        code = codes[theme["name"]]
        assert code.get("isCodable") == "true"
        assert code.getparent().get("name") == theme["portfolio"]


def test_qdpx_reads_back_as_the_same_comments_and_codes(exported):
    project, paths = exported
    with zipfile.ZipFile(paths["qdpx"]) as archive:
        document = etree.fromstring(archive.read("project.qde"))
        texts = {name: archive.read(name).decode("utf-8") for name in archive.namelist()
                 if name.startswith("Sources/")}
    code_names = {c.get("guid"): c.get("name") for c in document.iterfind(".//p:Code", NS)}
    got = {}
    for source in document.iterfind(".//p:TextSource", NS):
        text = texts["Sources/" + source.get("plainTextPath")[len("internal://"):]]
        for selection in source.iterfind("p:PlainTextSelection", NS):
            comment = int(selection.get("name").split(" · ")[1])
            span = text[int(selection.get("startPosition")):int(selection.get("endPosition"))]
            codes = {code_names[ref.get("targetGUID")]
                     for ref in selection.iterfind("p:Coding/p:CodeRef", NS)}
            assert codes, "a selection with no code reads as an empty annotation"
            # one selection per coder: a comment's themes are the union of its selections
            got.setdefault(comment, (span, set()))[1].update(
                c for c in codes if not c[0].isdigit())
    want = expected(project)
    assert {cid: want[cid] for cid in got} == got
    assert {cid for cid, (_text, themes) in want.items() if themes} <= set(got)
    cases = document.findall(".//p:Case", NS)
    assert len(cases) == q.headline_counts(project, ReportScope())["respondents_commenting"]


def test_exports_are_scoped_and_stable(shared_project, tmp_path):
    first = write_export(shared_project, tmp_path / "a.qdpx", scope=ReportScope(consultation_id=1))
    second = write_export(shared_project, tmp_path / "b.qdpx", scope=ReportScope(consultation_id=1))
    guids = []
    for path in (first, second):
        with zipfile.ZipFile(path) as archive:
            document = etree.fromstring(archive.read("project.qde"))
        guids.append([e.get("guid") for e in document.iter() if e.get("guid")])
    assert guids[0] == guids[1]  # the same project exports with the same identifiers
    place = next(p["id"] for p in shared_project.places() if p["name"] == "Purbeck")
    path = write_export(shared_project, tmp_path / "purbeck.csv", scope=ReportScope(place_id=place))
    rows = read_csv(path)
    assert {r["place"] for r in rows} == {"Purbeck"}
    assert [int(r["comment_id"]) for r in rows] == sorted(expected(
        shared_project, ReportScope(place_id=place)))


def test_bad_export_requests_are_clear_errors(shared_project, tmp_path):
    with pytest.raises(EngageError, match="cannot tell the export format"):
        write_export(shared_project, tmp_path / "coded.ods")
    with pytest.raises(EngageError, match="no consultation"):
        write_export(shared_project, tmp_path / "coded.csv", scope=ReportScope(consultation_id=99))


def test_csv_bytes_open_in_excel_as_utf8(exported):
    _project, paths = exported
    raw = paths["csv"].read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))[0][0] == "comment_id"


def test_xlsx_writer_keeps_types_spaces_and_drops_control_characters(tmp_path):
    from engage.reports.xlsx import Sheet, column_letter, workbook_bytes

    assert [column_letter(i) for i in (1, 26, 27, 52, 53, 703)] == [
        "A", "Z", "AA", "AZ", "BA", "AAA"]
    path = tmp_path / "t.xlsx"
    path.write_bytes(workbook_bytes([Sheet("Odd <&> name", ["a", "b", "c", "d"], [
        [1, 2.5, "  padded  ", "bell\x07 & <tag>"], [None, "", True, "x"]], [10, 10, 10, 10])]))
    sheet = openpyxl.load_workbook(path)["Odd <&> name"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows == [["a", "b", "c", "d"], [1, 2.5, "  padded  ", "bell & <tag>"],
                    [None, None, 1, "x"]]
    assert sheet["A1"].font.b and sheet.freeze_panes == "B2"
