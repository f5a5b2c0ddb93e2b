"""Reading survey exports: formats, encodings, delimiters, awkward cells and clear errors."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import random
import time

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from engage.errors import ImportFileError
from engage.importing.readers import Table, read_table, sheet_names
from engage.importing.table import MAX_ROW_WARNINGS


def write_csv(path, rows, delimiter=",", encoding="utf-8"):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def write_xlsx(path, sheets):
    """sheets: {title: [row, ...]} in order; a row is a list of cell values."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


HEADER = ["ID", "Where", "What could be better?"]
ROWS = [
    ["1", "Purbeck", "The bus to the hospital only runs twice a day, so I miss appointments."],
    ["2", "Poole Bay", "Reception staff were patient with my father, who is hard of hearing."],
    ["3", "Mid Dorset", "Parking costs more than the prescription; please look at that."],
]


# --------------------------------------------------------------------------------------------
# CSV and TSV


def test_reads_a_plain_csv(tmp_path):
    table = read_table(write_csv(tmp_path / "survey.csv", [HEADER, *ROWS]))
    assert table.columns == HEADER
    assert table.rows == ROWS
    assert table.file_format == "csv"
    assert table.delimiter == ","
    assert table.encoding == "utf-8"
    assert table.total_rows == len(ROWS)
    assert table.source == str(tmp_path / "survey.csv")
    assert table.warnings == []
    assert [table.row_number(i) for i in range(3)] == [2, 3, 4]


def test_multi_line_quoted_cells_keep_their_line_breaks(tmp_path):
    text = 'ID,Comment,Place\r\n1,"First line\r\nsecond line, with a comma",Purbeck\r\n2,"Said ""no"" twice",Poole\r\n'
    path = tmp_path / "lines.csv"
    path.write_bytes(text.encode())
    table = read_table(path)
    assert table.rows == [
        ["1", "First line\nsecond line, with a comma", "Purbeck"],
        ["2", 'Said "no" twice', "Poole"],
    ]
    assert table.row_number(1) == 3  # the second record, though it starts on line 4


def test_utf8_bom_is_detected_and_removed(tmp_path):
    path = write_csv(tmp_path / "bom.csv", [HEADER, *ROWS], encoding="utf-8-sig")
    table = read_table(path)
    assert table.encoding == "utf-8-sig"
    assert table.columns[0] == "ID"


def test_cp1252_file_reads_pound_signs_and_curly_quotes(tmp_path):
    rows = [["ID", "Comment"], ["1", "Paid £4 to park – “daylight robbery”"], ["2", "Café in the foyer helps"]]
    table = read_table(write_csv(tmp_path / "old.csv", rows, encoding="cp1252"))
    assert table.encoding == "cp1252"
    assert table.rows == rows[1:]


def test_bom_with_cp1252_bytes_after_it(tmp_path):
    path = tmp_path / "mixed.csv"
    path.write_bytes(codecs.BOM_UTF8 + "ID,Cost\r\n1,£3\r\n".encode("cp1252"))
    table = read_table(path)
    assert table.columns == ["ID", "Cost"]
    assert table.rows == [["1", "£3"]]
    assert table.encoding == "cp1252"


def test_utf16_tab_separated_text_from_excel(tmp_path):
    path = write_csv(tmp_path / "unicode.txt", [HEADER, *ROWS], delimiter="\t", encoding="utf-16")
    table = read_table(path)
    assert table.encoding == "utf-16"
    assert table.delimiter == "\t"
    assert table.file_format == "tsv"
    assert table.rows == ROWS


@pytest.mark.parametrize("delimiter", [",", "\t", ";", "|"])
@pytest.mark.parametrize("suffix", [".csv", ".txt"])
def test_delimiter_is_detected_despite_punctuation_in_comments(tmp_path, delimiter, suffix):
    rows = [
        ["Respondent", "Locality", "Comment"],
        ["1", "Purbeck", "Too far; two buses, then a walk | or a taxi\tat night"],
        ["2", "Poole Bay", "Fine, thanks; nothing else"],
        ["3", "Dorset West", "Kind staff | short wait, clean ward"],
    ]
    table = read_table(write_csv(tmp_path / f"d{suffix}", rows, delimiter=delimiter))
    assert table.delimiter == delimiter
    assert table.columns == rows[0]
    assert table.rows == rows[1:]


def test_excel_sep_line_names_the_delimiter(tmp_path):
    path = tmp_path / "sep.csv"
    path.write_text("sep=;\nID;Comment\n1;Waited, and waited\n", encoding="utf-8")
    table = read_table(path)
    assert table.delimiter == ";"
    assert table.columns == ["ID", "Comment"]
    assert table.rows == [["1", "Waited, and waited"]]


def test_duplicate_and_blank_headers_are_made_unique(tmp_path):
    rows = [["ID", "Comment", "", "Comment", "comment", " "], ["1", "a", "b", "c", "d", "e"]]
    table = read_table(write_csv(tmp_path / "dup.csv", rows))
    assert table.columns == ["ID", "Comment", "Column 3", "Comment (2)", "comment (3)", "Column 6"]


def test_generated_header_names_do_not_collide_with_real_ones(tmp_path):
    rows = [["Note", "", "Column 2", "Note", "Note (2)"], ["1", "2", "3", "4", "5"]]
    table = read_table(write_csv(tmp_path / "clash.csv", rows))
    assert len({c.casefold() for c in table.columns}) == 5
    assert table.columns[:3] == ["Note", "Column 2 (2)", "Column 2"]
    assert table.columns[4] == "Note (2)"


def test_header_whitespace_and_line_breaks_are_collapsed(tmp_path):
    rows = [["  ID ", "Q1 What\nworks   well?"], ["1", "x"]]
    assert read_table(write_csv(tmp_path / "h.csv", rows)).columns == ["ID", "Q1 What works well?"]


def test_nul_bytes_are_stripped(tmp_path):
    path = tmp_path / "nul.csv"
    path.write_bytes(b"ID,Com\x00ment\r\n1,Go\x00od\r\n2,Fine\r\n\x00\x00\x00\x00")
    table = read_table(path)
    assert table.columns == ["ID", "Comment"]
    assert table.rows == [["1", "Good"], ["2", "Fine"]]


def test_short_rows_are_padded_and_long_rows_warned_about(tmp_path):
    rows = [["A", "B", "C"], ["1"], ["2", "x", "y", "extra", "more"], ["3", "p", "q", "", ""]]
    table = read_table(write_csv(tmp_path / "ragged.csv", rows))
    assert table.rows == [["1", "", ""], ["2", "x", "y"], ["3", "p", "q"]]
    assert table.warnings == ["row 3 has 5 cells, the header has 3; extra cells ignored"]


def test_warnings_about_long_rows_are_capped(tmp_path):
    rows = [["A", "B"]] + [[str(i), "x", "surplus"] for i in range(MAX_ROW_WARNINGS + 7)]
    table = read_table(write_csv(tmp_path / "many.csv", rows))
    assert len(table.warnings) == MAX_ROW_WARNINGS + 1
    assert table.warnings[-1].startswith("7 more rows")


def test_blank_rows_are_skipped_but_row_numbers_stay_true(tmp_path):
    path = tmp_path / "gaps.csv"
    path.write_text("\nID,Comment\n1,first\n\n,\n2,second\n\n\n", encoding="utf-8")
    table = read_table(path)
    assert table.rows == [["1", "first"], ["2", "second"]]
    assert [table.row_number(i) for i in range(2)] == [3, 6]
    assert table.total_rows == 2


def test_trailing_unnamed_empty_column_is_dropped_but_one_with_data_is_kept(tmp_path):
    empty_tail = read_table(write_csv(tmp_path / "t1.csv", [["A", "B", ""], ["1", "2", ""]]))
    assert empty_tail.columns == ["A", "B"]
    data_tail = read_table(write_csv(tmp_path / "t2.csv", [["A", "B", ""], ["1", "2", "3"]]))
    assert data_tail.columns == ["A", "B", "Column 3"]
    assert data_tail.rows == [["1", "2", "3"]]
    # A preview keeps the same columns as the full read, even if the data comes later.
    late = write_csv(tmp_path / "t3.csv", [["A", "B", ""], ["1", "2", ""], ["3", "4", ""], ["5", "6", "7"]])
    assert read_table(late, limit=1).columns == read_table(late).columns == ["A", "B", "Column 3"]
    assert read_table(late, limit=1).rows == [["1", "2", ""]]


def test_limit_reads_a_preview_but_counts_every_row(tmp_path):
    rows = [HEADER] + [[str(i), "Purbeck", f"comment number {i}"] for i in range(500)]
    path = write_csv(tmp_path / "big.csv", rows)
    preview = read_table(path, limit=25)
    full = read_table(path)
    assert preview.rows == full.rows[:25]
    assert preview.columns == full.columns
    assert preview.total_rows == full.total_rows == 500
    assert preview.is_partial and not full.is_partial


def test_limit_must_be_positive(tmp_path):
    with pytest.raises(ValueError):
        read_table(write_csv(tmp_path / "a.csv", [HEADER, *ROWS]), limit=0)


def test_upper_case_extension_is_accepted(tmp_path):
    assert read_table(write_csv(tmp_path / "SURVEY.CSV", [HEADER, *ROWS])).rows == ROWS


@pytest.mark.slow
def test_fifteen_thousand_row_export_reads_quickly(tmp_path):
    rng = random.Random(7)
    words = "bus ward wait kind staff parking phone clinic village ramp carer night weekend".split()
    header = ["ID", "Date", "Postcode", "Locality", "Age", "Sex", "Ethnicity", "Disability",
              "Carer", "Q1", "Q2", "Q3"]
    rows = [header]
    for i in range(15_000):
        answers = [" ".join(rng.choices(words, k=rng.randint(5, 60))) if rng.random() < 0.65 else ""
                   for _ in range(3)]
        rows.append([str(i), "2024-05-01", "DT1 2AB", "Purbeck", "35-44", "Female",
                     "White British", "No", "No", *answers])
    path = write_csv(tmp_path / "export.csv", rows)
    started = time.perf_counter()
    table = read_table(path)
    elapsed = time.perf_counter() - started
    assert len(table.rows) == 15_000
    # The target is well under a second; the bound leaves room for a slow CI machine while
    # still catching anything quadratic.
    assert elapsed < 2.5, f"reading took {elapsed:.2f} s"


# --------------------------------------------------------------------------------------------
# XLSX


def test_xlsx_values_become_clean_strings(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", {"Responses": [
        ["ID", "Submitted", "Score", "Share", "Consent", "When", "Comment"],
        [42, dt.datetime(2024, 3, 1), 7.0, 0.1 + 0.2, True, dt.datetime(2024, 3, 1, 14, 5, 9),
         "Line one\r\nline two"],
        [43, dt.date(2024, 3, 2), 7.5, None, False, None, "Short"],
    ]})
    table = read_table(path)
    assert table.file_format == "xlsx"
    assert table.sheet == "Responses"
    assert table.rows == [
        ["42", "2024-03-01", "7", "0.3", "TRUE", "2024-03-01 14:05:09", "Line one\nline two"],
        ["43", "2024-03-02", "7.5", "", "FALSE", "", "Short"],
    ]
    assert all(isinstance(cell, str) for row in table.rows for cell in row)


def test_xlsx_default_sheet_is_the_first_with_data(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", {
        "Cover": [],
        "Headings only": [["ID", "Comment"]],
        "Data": [["ID", "Comment"], [1, "Helpful"]],
        "Notes": [["Note"], ["ignore me"]],
    })
    assert sheet_names(path) == ["Cover", "Headings only", "Data", "Notes"]
    table = read_table(path)
    assert table.sheet == "Data"
    assert table.rows == [["1", "Helpful"]]
    assert read_table(path, sheet="Notes").rows == [["ignore me"]]


def test_xlsx_merged_cells_read_as_their_top_left_value(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Locality", "ID", "Comment", "Also"])
    sheet.append(["Purbeck", 1, "Fine", "a"])
    sheet.append([None, 2, "Slow", None])
    sheet.append([None, 3, "Kind", None])
    sheet.merge_cells("A2:A4")
    sheet.merge_cells("C4:D4")
    workbook.save(tmp_path / "merged.xlsx")
    table = read_table(tmp_path / "merged.xlsx")
    assert table.rows == [
        ["Purbeck", "1", "Fine", "a"],
        ["Purbeck", "2", "Slow", ""],
        ["Purbeck", "3", "Kind", "Kind"],
    ]


def test_xlsx_trailing_empty_rows_and_columns_are_skipped(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["ID", "Comment"])
    sheet.append([1, "Good"])
    sheet.cell(row=40, column=12).number_format = "0.00"  # formatted but empty
    sheet.cell(row=30, column=9, value="")
    workbook.save(tmp_path / "tail.xlsx")
    table = read_table(tmp_path / "tail.xlsx")
    assert table.columns == ["ID", "Comment"]
    assert table.rows == [["1", "Good"]]
    assert table.total_rows == 1


def test_xlsx_limit(tmp_path):
    rows = [["ID", "Comment"]] + [[i, f"comment {i}"] for i in range(30)]
    path = write_xlsx(tmp_path / "long.xlsx", {"S": rows})
    preview = read_table(path, limit=10)
    assert len(preview.rows) == 10
    assert preview.total_rows is None and preview.is_partial
    whole = read_table(path, limit=30)
    assert whole.total_rows == 30 and not whole.is_partial


def test_sheet_names_is_empty_for_other_formats(tmp_path):
    assert sheet_names(write_csv(tmp_path / "a.csv", [HEADER, *ROWS])) == []


# --------------------------------------------------------------------------------------------
# JSON


def test_json_records_union_of_keys_in_first_seen_order(tmp_path):
    records = [
        {"id": 1, "comment": "Good", "tags": ["a", "b"]},
        {"id": 2.0, "place": "Purbeck", "comment": None, "extra": {"k": "v"}, "ok": True},
    ]
    path = tmp_path / "r.json"
    path.write_text(json.dumps(records), encoding="utf-8")
    table = read_table(path)
    assert table.file_format == "json"
    assert table.columns == ["id", "comment", "tags", "place", "extra", "ok"]
    assert table.rows == [
        ["1", "Good", '["a", "b"]', "", "", ""],
        ["2", "", "", "Purbeck", '{"k": "v"}', "true"],
    ]
    assert [table.row_number(i) for i in range(2)] == [1, 2]


def test_json_single_key_wrapper_is_unwrapped(tmp_path):
    path = tmp_path / "w.json"
    path.write_text(json.dumps({"responses": [{"id": "a", "text": "Fine"}]}), encoding="utf-8")
    assert read_table(path).rows == [["a", "Fine"]]


# --------------------------------------------------------------------------------------------
# Errors: one line, naming the file


def _xlsx_bytes():
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    return buffer.getvalue()


BAD_FILES = [
    ("empty.csv", b"", "empty"),
    ("blank.csv", b"\xef\xbb\xbf \r\n\r\n", "empty"),
    ("header.csv", b"ID,Comment\r\n", "no data rows"),
    ("unclosed.csv", b'ID,Comment\n1,fine\n2,"never closed\n3,more\n4,text\n', "row 3: a quoted cell is never closed"),
    ("junk.csv", random.Random(3).randbytes(5000), "binary"),
    ("renamed.csv", _xlsx_bytes(), "workbook"),
    ("object.json", b'{"survey": "Big Ask", "year": 2013}', "expected a list of records, found an object with keys 'survey', 'year'"),
    ("numbers.json", b"[1, 2, 3]", "expected a list of records, found a list of numbers"),
    ("mixed.json", b'[{"a": 1}, "oops"]', "record 2 is a string"),
    ("broken.json", b'[{"a": 1},', "not valid JSON at line 1"),
    ("emptylist.json", b"[]", "empty"),
    ("scalar.json", b'"text"', "found a string"),
    ("bad.xlsx", b"this is not a workbook", "bad.xlsx is not a valid Excel workbook"),
    ("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "password-protected"),
    ("cut.xlsx", _xlsx_bytes()[:300], "cut.xlsx is not a valid Excel workbook"),
    ("notes.pdf", b"%PDF-1.4", "supported types are .csv"),
    ("legacy.xls", b"\xd0\xcf\x11\xe0", "save it as .xlsx"),
]


@pytest.mark.parametrize(("name", "content", "expected"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_raise_one_clear_line(tmp_path, name, content, expected):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError) as caught:
        read_table(path)
    message = str(caught.value)
    assert name in message
    assert expected in message
    assert "\n" not in message


def test_missing_file(tmp_path):
    with pytest.raises(ImportFileError, match=r"gone\.csv: file not found"):
        read_table(tmp_path / "gone.csv")
    with pytest.raises(ImportFileError, match=r"gone\.xlsx: file not found"):
        sheet_names(tmp_path / "gone.xlsx")


def test_folder_instead_of_file(tmp_path):
    (tmp_path / "folder.csv").mkdir()
    with pytest.raises(ImportFileError, match="folder"):
        read_table(tmp_path / "folder.csv")


def test_unknown_sheet_lists_the_sheets(tmp_path):
    path = write_xlsx(tmp_path / "book.xlsx", {"Responses": [["A"], ["1"]], "Notes": [["B"], ["2"]]})
    with pytest.raises(ImportFileError) as caught:
        read_table(path, sheet="Answers")
    assert str(caught.value) == "book.xlsx has no sheet named 'Answers'; its sheets are 'Responses', 'Notes'"


def test_workbook_without_data(tmp_path):
    path = write_xlsx(tmp_path / "blank.xlsx", {"One": [], "Two": [[None, None]]})
    with pytest.raises(ImportFileError, match="blank.xlsx: there is no data in any sheet"):
        read_table(path)


def test_unclosed_quote_in_last_row(tmp_path):
    path = tmp_path / "tail.csv"
    path.write_text('ID,Comment\n1,ok\n2,"open', encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"tail\.csv: row 3: a quoted cell is never closed"):
        read_table(path)


def test_stray_quote_inside_a_cell_is_not_an_error(tmp_path):
    path = tmp_path / "stray.csv"
    path.write_text('ID,Comment\n1,He said "fine" then left\n2,ok\n', encoding="utf-8")
    assert read_table(path).rows == [["1", 'He said "fine" then left'], ["2", "ok"]]


# --------------------------------------------------------------------------------------------
# Round trips (hypothesis)

_NAME_CHARS = st.characters(whitelist_categories=("Lu", "Ll", "Nd"), max_codepoint=0x2FFF)
_names = st.text(_NAME_CHARS, min_size=1, max_size=12)
_cell_chars = st.characters(
    blacklist_categories=("Cs", "Cc", "Co", "Cn"), blacklist_characters="\r\x00"
) | st.sampled_from(["\n", "\t", '"', ",", ";", "|", " ", "'"])
_cells = st.text(_cell_chars, max_size=30)


@st.composite
def tables(draw, cells=_cells, names=_names):
    """A header of distinct clean names and rows whose first cell is never blank."""
    names = draw(st.lists(names, min_size=1, max_size=6, unique_by=str.casefold))
    width = len(names)
    rows = draw(st.lists(st.lists(cells, min_size=width, max_size=width), min_size=1, max_size=12))
    for i, row in enumerate(rows):
        row[0] = f"r{i}" + row[0]
    return names, rows


_ROUND_TRIP = settings(max_examples=60, deadline=None,
                       suppress_health_check=[HealthCheck.function_scoped_fixture])


@_ROUND_TRIP
@given(data=tables(), delimiter=st.sampled_from([",", "\t", ";", "|"]),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_delimited_round_trip(tmp_path, data, delimiter, encoding):
    names, rows = data
    suffix = ".tsv" if delimiter == "\t" else ".csv"
    table = read_table(write_csv(tmp_path / f"rt{suffix}", [names, *rows], delimiter, encoding))
    assert table.columns == names
    assert table.rows == rows
    if len(names) > 1:  # one column has no delimiter to find
        assert table.delimiter == delimiter


_CP1252_EXTRA = "£€’‘“”–—…©½"  # all encode to bytes 0x80-0xBF, which never start UTF-8


@_ROUND_TRIP
@given(data=tables(st.text(st.sampled_from("abc XYZ 019,.;:!?'\"\n" + _CP1252_EXTRA), max_size=25),
                   st.text(st.sampled_from("abcdefXYZ0129"), min_size=1, max_size=8)))
def test_cp1252_round_trip(tmp_path, data):
    names, rows = data
    assume(any(ch in _CP1252_EXTRA for row in rows for cell in row for ch in cell))
    table = read_table(write_csv(tmp_path / "rt.csv", [names, *rows], encoding="cp1252"))
    assert table.encoding == "cp1252"
    assert (table.columns, table.rows) == (names, rows)


_xlsx_cells = st.text(
    st.characters(blacklist_categories=("Cs", "Cc", "Co", "Cn")) | st.sampled_from(["\n", "\t"]),
    max_size=30,
).filter(lambda s: not s.startswith("=") and "_x" not in s)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=tables(_xlsx_cells))
def test_xlsx_round_trip(tmp_path, data):
    names, rows = data
    table = read_table(write_xlsx(tmp_path / "rt.xlsx", {"Sheet": [names, *rows]}))
    assert table.columns == names
    assert table.rows == [[cell for cell in row] for row in rows]


@_ROUND_TRIP
@given(data=tables())
def test_json_round_trip(tmp_path, data):
    names, rows = data
    path = tmp_path / "rt.json"
    path.write_text(json.dumps([dict(zip(names, row, strict=True)) for row in rows]), encoding="utf-8")
    table = read_table(path)
    assert (table.columns, table.rows) == (names, rows)


def test_table_defaults_number_rows_from_two():
    table = Table(columns=["A"], rows=[["x"], ["y"]], source="mem", file_format="csv",
                  encoding=None, delimiter=None, sheet=None, total_rows=2)
    assert [table.row_number(i) for i in range(2)] == [2, 3]
    assert table.column_values("A") == ["x", "y"]


def test_bom_only_differs_in_encoding_name(tmp_path):
    plain = read_table(write_csv(tmp_path / "p.csv", [HEADER, *ROWS]))
    bom = tmp_path / "b.csv"
    bom.write_bytes(codecs.BOM_UTF8 + (tmp_path / "p.csv").read_bytes())
    with_bom = read_table(bom)
    assert (with_bom.columns, with_bom.rows) == (plain.columns, plain.rows)
    assert (plain.encoding, with_bom.encoding) == ("utf-8", "utf-8-sig")


def test_json_nan_and_infinity_are_empty_cells(tmp_path):
    path = tmp_path / "nan.json"
    path.write_text('[{"id": NaN, "text": "Kind staff"}, {"id": 2, "text": Infinity}]')
    table = read_table(path)
    assert table.rows == [["", "Kind staff"], ["2", ""]]
