"""A corpus of awkward and hostile survey exports, written on demand.

Each `BadInput` says how to write the file, what an officer should get from importing it
(refused with a one-line message, or imported with a report), and a text that message or
report must contain. The files are generated rather than committed so they stay small in git
and cannot drift from the code that explains them; write them all out to try in the app with

    python -m tests.hardening.bad_inputs OUT_DIR

The comments are written for these tests (and the sample-data generator's fragments).
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sample_data import generate

HEADER = list(generate.HEADER)
Q1, Q2, Q3 = generate.QUESTIONS
BIG_FILE_MB = 400
FORMULAS = ("=cmd|' /C calc'!A0", "+SUM(1,2)", "@HYPERLINK(\"http://example.invalid\",\"x\")",
            "-2+3 people agree", "=1+1")


def base_rows(n: int = 25, seed: int = 11) -> list[list[str]]:
    return [list(row) for row in generate.iter_rows(n, seed)]


def csv_text(header: list[str], rows: list[list[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _write_text(path: Path, header: list[str], rows: list[list[str]], encoding="utf-8",
                delimiter=",") -> None:
    path.write_bytes(csv_text(header, rows, delimiter).encode(encoding))


# ----- generators: each writes one file at `path` ---------------------------------------------
def ragged(path: Path) -> None:
    rows = base_rows()
    rows[3] = rows[3][:5]  # short: padded with blanks
    rows[6] = rows[6] + ["stray cell", "another stray", "third"]  # long: extras dropped
    rows[9] = rows[9][:2]
    _write_text(path, HEADER, rows)


def unclosed_quote(path: Path) -> None:
    """The quote opens in the last row, so no later quote can close it by accident."""
    rows = base_rows()
    last = ",".join(rows[-1][:9]) + ',"this answer opens a quote and never closes it,,\r\n'
    path.write_text(csv_text(HEADER, rows[:-1]) + last, encoding="utf-8")


def nul_bytes(path: Path) -> None:
    data = csv_text(HEADER, base_rows()).encode("utf-8")
    noisy = bytearray()
    for i, byte in enumerate(data):
        noisy.append(byte)
        if i % 97 == 0:
            noisy.append(0)
    path.write_bytes(bytes(noisy))


MIXED_CP1252 = "It costs £4 to park – and that’s for one hour"
MIXED_UTF8 = "The café volunteers at the surgery are lovely — très gentils"


def mixed_encodings(path: Path) -> None:
    rows = base_rows()
    first, last = rows[:10], rows[12:]
    windows = rows[10][:9] + [MIXED_CP1252, "", ""]
    utf8 = rows[11][:9] + [MIXED_UTF8, "", ""]
    data = (csv_text(HEADER, first + [utf8]).encode("utf-8")
            + csv_text(HEADER, [windows]).split("\r\n", 1)[1].encode("cp1252")
            + csv_text(HEADER, last).split("\r\n", 1)[1].encode("utf-8"))
    path.write_bytes(data)


def windows_cp1252(path: Path) -> None:
    rows = base_rows()
    rows[2][9] = MIXED_CP1252
    _write_text(path, HEADER, rows, encoding="cp1252")


def utf16_tab(path: Path) -> None:
    path.write_bytes(codecs.BOM_UTF16_LE
                     + csv_text(HEADER, base_rows(), "\t").encode("utf-16-le"))


def old_mac_line_endings(path: Path) -> None:
    path.write_bytes(csv_text(HEADER, base_rows()).replace("\r\n", "\r").encode("utf-8"))


def excel_sep_line(path: Path) -> None:
    path.write_text("sep=;\r\n" + csv_text(HEADER, base_rows(), ";"), encoding="utf-8")


def huge_cell(path: Path) -> None:
    rows = base_rows()
    rows[4][10] = ("Please read my whole story. " * 400_000)[:10_000_000]  # 10 MB
    _write_text(path, HEADER, rows)


def wide_500_columns(path: Path) -> None:
    extra = [f"Tick box {i}" for i in range(500 - len(HEADER))]
    rng = random.Random(4)
    rows = [row + [rng.choice(("Yes", "No", "")) for _ in extra] for row in base_rows()]
    _write_text(path, HEADER + extra, rows)


def formulas(path: Path) -> None:
    rows = base_rows()
    for i, formula in enumerate(FORMULAS):
        rows[i][9] = formula
    _write_text(path, HEADER, rows)


def whitespace_only(path: Path) -> None:
    path.write_bytes(b"\r\n   \r\n\t\r\n")


def zero_bytes(path: Path) -> None:
    path.write_bytes(b"")


def bom_only(path: Path) -> None:
    path.write_bytes(codecs.BOM_UTF8)


def header_only(path: Path) -> None:
    _write_text(path, HEADER, [])


def duplicate_respondents(path: Path) -> None:
    rows = base_rows()
    rows[7][0] = rows[2][0]
    rows[8][0] = rows[2][0]
    _write_text(path, HEADER, rows)


def no_comment_column(path: Path) -> None:
    _write_text(path, ["Respondent ID", "Score", "Age band"],
                [[f"R{i}", str(i % 5 + 1), "35-44"] for i in range(30)])


def placeholders_only(path: Path) -> None:
    rows = base_rows()
    for row in rows:
        row[9], row[10], row[11] = "n/a", "nothing", "-"
    _write_text(path, HEADER, rows)


MERGED_PLACE = "Purbeck"


def merged_sheets_xlsx(path: Path) -> None:
    """A cover sheet, a responses sheet with merged place cells, and a lookup sheet."""
    import openpyxl

    workbook = openpyxl.Workbook()
    cover = workbook.active
    cover.title = "About"
    cover["A1"] = "Big Ask 2013: responses exported for analysis"
    cover.merge_cells("A1:F1")
    responses = workbook.create_sheet("Responses")
    responses.append(HEADER)
    for row in base_rows():
        responses.append(row)
    locality = HEADER.index("Locality") + 1
    responses.cell(row=3, column=locality, value=MERGED_PLACE)
    responses.merge_cells(start_row=3, start_column=locality, end_row=6, end_column=locality)
    lookup = workbook.create_sheet("Lookup")
    lookup.append(["Code", "Meaning"])
    lookup.append(["DT", "Dorchester postcode area"])
    workbook.save(path)


def not_records_json(path: Path) -> None:
    path.write_text(json.dumps({"survey": "Big Ask", "responses": 3300, "closed": "2013-03-31"}),
                    encoding="utf-8")


def list_of_numbers_json(path: Path) -> None:
    path.write_text(json.dumps(list(range(50))), encoding="utf-8")


def records_then_a_string_json(path: Path) -> None:
    records = [dict(zip(HEADER, row, strict=True)) for row in base_rows(5)]
    path.write_text(json.dumps(records + ["and a stray line of text"]), encoding="utf-8")


def deeply_nested_json(path: Path) -> None:
    path.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")


def truncated_json(path: Path) -> None:
    records = [dict(zip(HEADER, row, strict=True)) for row in base_rows(5)]
    path.write_text(json.dumps(records)[:-40], encoding="utf-8")


def nested_values_json(path: Path) -> None:
    records = [dict(zip(HEADER, row, strict=True)) for row in base_rows(10)]
    for i, record in enumerate(records):
        record["Tags"] = {"channel": ("online", "paper")[i % 2], "sources": ["web", f"week {i}"]}
    path.write_text(json.dumps({"responses": records}), encoding="utf-8")


def random_binary(path: Path) -> None:
    path.write_bytes(random.Random(9).randbytes(40_000))


def workbook_renamed(path: Path) -> None:
    merged_sheets_xlsx(path)  # a real workbook given a .csv name


def image_renamed(path: Path) -> None:
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + random.Random(2).randbytes(3000))


def pdf_renamed(path: Path) -> None:
    path.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")


def text_renamed_xlsx(path: Path) -> None:
    path.write_text(csv_text(HEADER, base_rows()), encoding="utf-8")


def truncated_xlsx(path: Path) -> None:
    merged_sheets_xlsx(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def protected_xlsx(path: Path) -> None:
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000))


def legacy_xls(path: Path) -> None:
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4000))


def word_document(path: Path) -> None:
    path.write_bytes(b"PK\x03\x04" + bytes(100))


BOMB_MB = 40


def zip_bomb_xlsx(path: Path, unpacked_mb: int = BOMB_MB) -> None:
    """A real workbook whose sheet part inflates ~1000 times: tens of KB on disk."""
    import zipfile

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["Respondent ID", Q1])
    sheet.append(["R1", "BOMB-PLACEHOLDER"])
    workbook.save(path)
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    filler = b"a" * (unpacked_mb * 1024 * 1024)
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(
        b"BOMB-PLACEHOLDER", filler)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


#: Hiragana only: every Shift-JIS byte of it is also a valid Windows-1252 byte, so a cp1252
#: reading "works" and stores nonsense.
SHIFT_JIS_TEXT = "びょういんの うけつけは とても しんせつでした"


def shift_jis(path: Path) -> None:
    rows = [[f"R{i}", f"{SHIFT_JIS_TEXT} {i}"] for i in range(30)]
    path.write_bytes(csv_text(["ID", "Comment"], rows).encode("shift_jis"))


def random_high_bytes(path: Path) -> None:
    """Random bytes with no control byte in them: nothing marks them as binary but sense."""
    rng = random.Random(5)
    path.write_bytes(bytes(rng.randrange(0xA0, 0x100) for _ in range(20_000)))


def too_wide(path: Path) -> None:
    """One column more than Engage reads (MAX_COLUMNS, 5,000)."""
    header = ["Respondent ID", Q1] + [f"Tick {i}" for i in range(4_999)]
    rows = [[f"R{i}", f"Answer {i} about the surgery"] + ["1"] * 4_999 for i in range(3)]
    _write_text(path, header, rows)


def a_folder(path: Path) -> None:
    path.mkdir()


def several_hundred_mb(path: Path) -> None:
    """A real header and rows, then a sparse tail: the size is what a reader sees first."""
    _write_text(path, HEADER, base_rows())
    with open(path, "r+b") as fh:
        fh.truncate(BIG_FILE_MB * 1024 * 1024)


@dataclass(frozen=True)
class BadInput:
    name: str  # file name to write
    what: str  # for the report table
    make: Callable[[Path], None]
    outcome: str  # "refused" or "imported"
    expect: str  # in the one-line refusal, or in the import report
    args: tuple[str, ...] = ()
    extra: dict = field(default_factory=dict, hash=False)


CORPUS: tuple[BadInput, ...] = (
    BadInput("ragged.csv", "ragged rows (short and long)", ragged, "imported",
             "extra cells ignored"),
    BadInput("unclosed_quote.csv", "a quote that never closes", unclosed_quote, "refused",
             "a quoted cell is never closed"),
    BadInput("nul_bytes.csv", "NUL bytes scattered through the file", nul_bytes, "imported",
             "Comments created"),
    BadInput("mixed_encodings.csv", "UTF-8 with a pasted Windows-1252 line", mixed_encodings,
             "imported", "read as Windows-1252 text"),
    BadInput("windows.csv", "all Windows-1252 (Excel on Windows)", windows_cp1252, "imported",
             "Comments created"),
    BadInput("unicode_text.txt", "UTF-16 tab-separated (Excel 'Unicode text')", utf16_tab,
             "imported", "Comments created"),
    BadInput("old_mac.csv", "CR-only line endings", old_mac_line_endings, "imported",
             "Comments created"),
    BadInput("sep_line.csv", "Excel 'sep=;' first line, semicolons", excel_sep_line,
             "imported", "Comments created"),
    BadInput("huge_cell.csv", "one 10 MB cell", huge_cell, "imported",
             "was cut to its first 100,000"),
    BadInput("wide.csv", "500 columns", wide_500_columns, "imported", "Comments created"),
    BadInput("formulas.csv", "spreadsheet formulas as answers (=cmd|' /C calc'!A0 …)", formulas,
             "imported", "Comments created"),
    BadInput("whitespace.csv", "only blank lines", whitespace_only, "refused", "the file is empty"),
    BadInput("zero.csv", "zero bytes", zero_bytes, "refused", "the file is empty"),
    BadInput("bom_only.csv", "a byte-order mark and nothing else", bom_only, "refused",
             "the file is empty"),
    BadInput("header_only.csv", "a header row and no data", header_only, "refused",
             "no data rows"),
    BadInput("duplicates.csv", "the same respondent id on three rows (kept as one respondent's "
             "answers)", duplicate_respondents, "imported", "Comments created"),
    BadInput("no_text.csv", "no free-text column at all", no_comment_column, "refused",
             "No column is mapped as a comment"),
    BadInput("placeholders.csv", "every answer 'n/a', 'nothing' or '-'", placeholders_only,
             "imported", "Placeholders (imported, marked non-substantive)"),
    BadInput("merged.xlsx", "XLSX: cover sheet, merged cells, three sheets", merged_sheets_xlsx,
             "imported", "Comments created"),
    BadInput("merged.xlsx", "XLSX: a sheet that is not there", merged_sheets_xlsx, "refused",
             "has no sheet named 'Answers'; its sheets are 'About', 'Responses', 'Lookup'",
             args=("--sheet", "Answers")),
    BadInput("merged.xlsx", "XLSX: the cover sheet chosen", merged_sheets_xlsx, "refused",
             "sheet 'About': has a header row but no data rows", args=("--sheet", "About")),
    BadInput("object.json", "JSON: an object, not a list of records", not_records_json,
             "refused", "expected a list of records, found an object with keys"),
    BadInput("numbers.json", "JSON: a list of numbers", list_of_numbers_json, "refused",
             "found a list of numbers"),
    BadInput("stray.json", "JSON: records then a string", records_then_a_string_json, "refused",
             "record 6 is a string"),
    BadInput("deep.json", "JSON: nested 200,000 deep", deeply_nested_json, "refused",
             "nested too deeply"),
    BadInput("cut.json", "JSON: cut off mid-way", truncated_json, "refused",
             "not valid JSON at line 1"),
    BadInput("nested.json", "JSON: records with nested values, wrapped in an object",
             nested_values_json, "imported", "Comments created"),
    BadInput("binary.csv", "random binary renamed .csv", random_binary, "refused",
             "is not a text/CSV file (it contains binary data)"),
    BadInput("high_bytes.csv", "random bytes above 159 (no control bytes)", random_high_bytes,
             "refused", "is not a text/CSV file"),
    BadInput("shift_jis.csv", "Shift-JIS text that Windows-1252 also decodes", shift_jis,
             "imported", "read as cp932"),
    BadInput("bomb.xlsx", f"zip bomb: a workbook part inflating to {BOMB_MB} MB",
             zip_bomb_xlsx, "refused", "refused as a possible zip bomb"),
    BadInput("workbook.csv", "an XLSX workbook renamed .csv", workbook_renamed, "refused",
             "give it the .xlsx extension"),
    BadInput("image.csv", "a PNG image renamed .csv", image_renamed, "refused", "is an image"),
    BadInput("document.csv", "a PDF renamed .csv", pdf_renamed, "refused", "is a PDF document"),
    BadInput("text.xlsx", "CSV text renamed .xlsx", text_renamed_xlsx, "refused",
             "is not a valid Excel workbook"),
    BadInput("cut.xlsx", "XLSX cut off half-way", truncated_xlsx, "refused",
             "is not a valid Excel workbook"),
    BadInput("protected.xlsx", "password-protected workbook", protected_xlsx, "refused",
             "password-protected"),
    BadInput("legacy.xls", "old Excel .xls", legacy_xls, "refused", "save it as .xlsx"),
    BadInput("notes.docx", "a Word document", word_document, "refused", "cannot be imported"),
    BadInput("folder.csv", "a folder named .csv", a_folder, "refused", "is a folder"),
    BadInput("too_wide.csv", "5,001 columns", too_wide, "refused",
             "5,001 columns, more than the 5,000 Engage reads"),
    BadInput("big.csv", f"{BIG_FILE_MB} MB CSV", several_hundred_mb, "refused",
             f"the file is {BIG_FILE_MB} MB"),
)


def write_all(folder: Path) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for item in CORPUS:
        path = folder / item.name
        if not path.exists():
            item.make(path)
            written.append(path)
    return written


if __name__ == "__main__":
    for path in write_all(Path(sys.argv[1] if len(sys.argv) > 1 else "bad_inputs")):
        print(path)
