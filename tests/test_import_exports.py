"""Exports from every survey tool officers use, in each tool's layout: every answer in, every
heading row a heading, personal identifiers out, nothing merged because it looks alike."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

import pytest

from engage import cli
from engage.errors import MappingError
from engage.importing.importer import import_file
from engage.importing.layout import prepare_table
from engage.importing.readers import read_table
from engage.progress import Cancelled
from engage.project import Project
from tests import survey_exports as exports

TRAIN = Path("/work/shared/data/patient-feedback/train.csv")


def _project(tmp_path: Path) -> Project:
    return Project.create(tmp_path / "p.engage")


def _counts(project: Project) -> tuple[int, int]:
    respondents = project.db.execute("SELECT count(*) FROM respondents").fetchone()[0]
    comments = project.db.execute("SELECT count(*) FROM comments").fetchone()[0]
    return respondents, comments


def _questions(project: Project) -> set[str]:
    return {r[0] for r in project.db.execute("SELECT label FROM questions")}


@pytest.mark.parametrize("build", exports.ALL_TOOLS, ids=lambda b: b.__name__)
def test_each_tool_imports_every_answer_and_no_heading(build, tmp_path):
    export = build()
    path = export.write(tmp_path)
    _table, info = prepare_table(read_table(path))
    assert info.rows == export.header_rows
    assert info.preset == export.preset
    with _project(tmp_path) as project:
        report, _ = import_file(project, path, "Survey")
        assert _counts(project) == (export.respondents, export.answers)
        assert report.answers_read == export.answers == report.comments_created
        assert _questions(project) == export.questions
        texts = [r[0] for r in project.db.execute("SELECT text FROM comments")]
        heading_cells = {c for row in export.rows[:export.header_rows] for c in row if c}
        assert not heading_cells & set(texts)
        assert not any("ImportId" in t for t in texts)
        stored = json.dumps([list(r) for r in project.db.execute(
            "SELECT external_id, attributes, place_raw FROM respondents")])
        for column in export.personal_columns:
            assert column not in stored
        assert "@" not in stored and "81.2.69." not in stored and "86.1.2." not in stored
        header_rows = [row for row, reason in report.skipped if reason.startswith("header row")]
        assert header_rows == list(range(2, export.header_rows + 1))


def test_qualtrics_report_names_what_was_found(tmp_path):
    path = exports.qualtrics().write(tmp_path)
    with _project(tmp_path) as project:
        report, _ = import_file(project, path, "Survey")
    assert report.shape[0].startswith("Qualtrics export: 3 header rows; question wording taken "
                                      "from row 2; ")
    assert "survey-metadata columns left out" in report.shape[0]
    personal = report.left_out_columns["personal identifiers (never stored)"]
    assert {"IPAddress", "RecipientEmail", "LocationLatitude"} <= set(personal)
    assert any("personal identifiers" in line for line in report.lines())


def test_answer_date_comes_from_the_tools_recorded_time(tmp_path):
    path = exports.qualtrics().write(tmp_path)
    with _project(tmp_path) as project:
        import_file(project, path, "Survey")
        dates = {r[0] for r in project.db.execute("SELECT date FROM comments")}
    assert dates and all(d and d.startswith("2024-03-") for d in dates)


def test_long_layout_groups_answers_by_respondent(tmp_path):
    export = exports.fft_long()
    path = export.write(tmp_path)
    with _project(tmp_path) as project:
        report, _ = import_file(project, path, "FFT")
        assert _counts(project) == (export.respondents, export.answers)
        # the same wording typed with a line break is one question
        assert _questions(project) == export.questions
        per_person = project.db.execute(
            "SELECT max(n) FROM (SELECT count(*) AS n FROM comments GROUP BY respondent_id)"
        ).fetchone()[0]
    assert per_person == 3
    assert "long layout" in report.shape[1] and "FFT question" in report.shape[1]
    assert not report.skipped


def test_identical_rows_without_an_id_stay_separate_respondents(tmp_path):
    export = exports.google_forms()
    path = export.write(tmp_path)
    with _project(tmp_path) as project:
        import_file(project, path, "GP FFT")
        assert _counts(project) == (export.respondents, export.answers)
        import_file(project, path, "GP FFT")  # and the same file again adds nothing
        assert _counts(project) == (export.respondents, export.answers)


def test_a_later_export_adds_only_the_new_answers(tmp_path):
    early = exports.fft_long(6)
    late = exports.fft_long(9)
    with _project(tmp_path) as project:
        import_file(project, early.write(tmp_path), "FFT")
        later = tmp_path / "later"
        later.mkdir()
        report, _ = import_file(project, late.write(later), "FFT")
        assert _counts(project) == (late.respondents, late.answers)
    assert report.duplicates == early.answers
    assert report.comments_created == late.answers - early.answers
    assert len(report.duplicate_rows) == early.answers
    assert any(line.startswith(f"Duplicates (already in the project, not added again): "
                               f"{early.answers}") for line in report.lines())


def test_the_same_answer_twice_in_one_file_is_kept_twice(tmp_path):
    path = tmp_path / "twice.csv"
    sentence = "The car park was full again and I missed my slot."
    rows = [["Respondent ID", "Question", "Answer"],
            ["A1", "What could we do better?", sentence],
            ["A1", "What could we do better?", sentence],
            ["A2", "What could we do better?", sentence]]
    rows += [[f"B{i}", "What was good?", text] for i, text in enumerate(exports.PRAISE)]
    _write(path, rows)
    with _project(tmp_path) as project:
        import_file(project, path, "Repeat")
        assert _counts(project) == (2 + len(exports.PRAISE), 3 + len(exports.PRAISE))


def _write(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_an_email_as_respondent_id_becomes_a_stable_pseudonym(tmp_path):
    rows = [["Respondent", "Comments"],
            ["jo.bloggs@example.com", "The clinic was hard to find from the bus stop."],
            ["sam@example.org", "Reception staff were patient with my mother."]]
    path = _write(tmp_path / "emails.csv", rows)
    with _project(tmp_path) as project:
        report, _ = import_file(project, path, "Mail", text_columns=["Comments"])
        ids = sorted(r[0] for r in project.db.execute("SELECT external_id FROM respondents"))
        again, _ = import_file(project, path, "Mail", text_columns=["Comments"])
        assert _counts(project) == (2, 2)
    assert report.pseudonymised == 2
    assert all(i.startswith("pseudonym:") and "@" not in i for i in ids)
    assert again.respondents_matched == 2 and again.duplicates == 2


def test_personal_data_in_attributes_and_place_is_masked(tmp_path):
    rows = [["ID", "Where do you live?", "Age band", "Other notes", "Comments"]]
    for i in range(12):
        rows.append([str(i), f"Mrs Patel's house {i}, DT1 2JY", f"45-54 call 07700 90012{i % 10}",
                     f"ring me on 01305 25115{i % 10}", f"Visit {i}: the waiting room was cold."])
    path = _write(tmp_path / "attrs.csv", rows)
    with _project(tmp_path) as project:
        report, _ = import_file(project, path, "Attrs", text_columns=["Comments"])
        stored = json.dumps([list(r) for r in project.db.execute(
            "SELECT place_raw, age_band, attributes FROM respondents")])
    assert "07700" not in stored and "01305" not in stored and "DT1 2JY" not in stored
    assert "Patel" not in stored
    assert report.masked["phone"] >= 24


def test_a_sentence_column_with_many_short_answers_is_a_question(tmp_path):
    export = exports.smartsurvey(80)
    path = export.write(tmp_path)
    with _project(tmp_path) as project:
        import_file(project, path, "Smart")
        assert _questions(project) == {"Is there anything else you would like to tell us?"}


def test_short_repeated_answers_to_an_open_question_are_not_refused(tmp_path):
    path = exports.microsoft_forms(120).write(tmp_path)
    with _project(tmp_path) as project:
        report, _ = import_file(project, path, "Forms")
    assert report.comments_created == 120


def test_json_nan_is_an_empty_answer_not_a_comment(tmp_path):
    path = tmp_path / "nan.json"
    path.write_text('[{"id": NaN, "comment": NaN}, {"id": 2, "comment": "Kind staff, '
                    'long wait for the X-ray."}, {"id": 3, "comment": "Parking was fine."}]')
    with _project(tmp_path) as project:
        import_file(project, path, "Json", text_columns=["comment"])
        texts = [r[0] for r in project.db.execute("SELECT text FROM comments")]
        ids = [r[0] for r in project.db.execute("SELECT external_id FROM respondents")]
    assert "nan" not in texts and "nan" not in ids
    assert len(texts) == 2


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_cancelled_import_leaves_the_project_byte_for_byte(tmp_path):
    path = exports.fft_long(40).write(tmp_path)
    project_path = tmp_path / "p.engage"
    with Project.create(project_path) as project:
        import_file(project, exports.qualtrics().write(tmp_path), "First")
    before = _digest(project_path)
    calls = []

    def cancel_after_a_while() -> bool:
        calls.append(1)
        return len(calls) > 2

    with Project.open(project_path) as project, pytest.raises(Cancelled):
        import_file(project, path, "Second", cancelled=cancel_after_a_while,
                    progress=lambda f, m: None)
    assert _digest(project_path) == before


def test_a_refused_import_leaves_the_project_byte_for_byte(tmp_path):
    path = _write(tmp_path / "short.csv", [["Yes or no"], ["Yes"], ["No"]])
    project_path = tmp_path / "p.engage"
    Project.create(project_path).close()
    before = _digest(project_path)
    with Project.open(project_path) as project, pytest.raises(MappingError):
        import_file(project, path, "Refused")
    assert _digest(project_path) == before


def test_cli_overrides_header_rows_layout_and_columns(tmp_path, capsys):
    export = exports.crm_long()
    path = export.write(tmp_path)
    project = tmp_path / "cli.engage"
    assert cli.main(["import", str(project), str(path), "--consultation", "Wide",
                     "--layout", "wide", "--respondent-column", "Case ID"]) == 0
    with Project.open(project) as p:
        assert _counts(p) == (export.answers, export.answers)  # every case its own respondent
        assert _questions(p) == {"Response"}
    assert cli.main(["import", str(project), str(path), "--consultation", "Long",
                     "--question-column", "Question", "--respondent-column", "Contact ID"]) == 0
    snap = exports.snap().write(tmp_path)
    assert cli.main(["import", str(project), str(snap), "--consultation", "Snap one row",
                     "--header-rows", "1", "--text-column", "Q2"]) == 0
    out = capsys.readouterr().out
    assert "long layout: one row per answer, question in column Question" in out
    with Project.open(project) as p:
        long_id = p.find_consultation("Long")["id"]
        assert {q["label"] for q in p.questions(long_id)} == export.questions
        snap_id = p.find_consultation("Snap one row")["id"]
        labels = [r[0] for r in p.db.execute(
            "SELECT text FROM comments WHERE consultation_id = ?", [snap_id])]
    assert "What did you like about your visit?" in labels  # the label row, taken as data


def test_cli_refuses_an_unknown_question_column(tmp_path, capsys):
    path = exports.crm_long().write(tmp_path)
    code = cli.main(["import", str(tmp_path / "x.engage"), str(path),
                     "--question-column", "Nope"])
    err = capsys.readouterr().err
    assert code == 2 and "no column 'Nope'" in err and len(err.strip().splitlines()) == 1


@pytest.mark.skipif(not TRAIN.exists(), reason="the shared patient-feedback file is not here")
def test_shared_long_file_imports_every_answer(tmp_path, capsys):
    project = tmp_path / "train.engage"
    assert cli.main(["import", str(project), str(TRAIN), "--text-column", "FFT answer"]) == 0
    with Project.open(project) as p:
        assert _counts(p) == (3641, 4905)
        assert len(_questions(p)) == 5
        assert all(len(label.split()) >= 2 for label in _questions(p))  # wording, not codes


def test_answer_rows_without_a_question_column_are_all_kept(tmp_path):
    rows = [["Respondent ID", "Comment"]]
    for person in range(10):
        for k in range(1 + person % 3):
            rows.append([f"P{person}", f"{exports.PRAISE[(person + k) % 8]} ({k})"])
    path = _write(tmp_path / "answers.csv", rows)
    with _project(tmp_path) as project:
        report, _ = import_file(project, path, "Answers")
        assert _counts(project) == (10, len(rows) - 1)
    assert not report.skipped and report.shape[1].startswith("wide layout")


def test_a_qualtrics_workbook_reads_like_its_csv(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    export = exports.qualtrics()
    book = openpyxl.Workbook()
    for row in export.rows:
        book.active.append(row)
    path = tmp_path / "qualtrics.xlsx"
    book.save(path)
    with _project(tmp_path) as project:
        report, _ = import_file(project, path, "Workbook")
        assert _counts(project) == (export.respondents, export.answers)
        assert _questions(project) == export.questions
    assert report.shape[0].startswith("Qualtrics export: 3 header rows")
