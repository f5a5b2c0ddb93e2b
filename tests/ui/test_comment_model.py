"""The comment table model: a correct Qt model, paged from the core, filtered by the core."""

from __future__ import annotations

import math

from PySide6.QtCore import Qt

from engage.browse import CommentFilter
from tests.ui.conftest import PLACEHOLDER, QUESTION_COLUMNS
from ui.comment_model import COMMENT, COMMENT_ID_ROLE, FLAGS, ID, QUESTION, CommentTableModel


def all_records(model: CommentTableModel) -> list:
    return [model.record(row) for row in range(model.rowCount())]


def test_passes_qt_model_tester(qtmodeltester, project):
    model = CommentTableModel(project, page_size=7)
    qtmodeltester.check(model)
    model.set_filter(CommentFilter(search="parking"))
    qtmodeltester.check(model)


def test_model_without_project_is_empty_and_valid(qtmodeltester):
    model = CommentTableModel(None)
    assert model.rowCount() == 0
    qtmodeltester.check(model)


def test_counts_every_answer_and_fetches_lazily(project, survey):
    model = CommentTableModel(project, page_size=7)
    assert model.rowCount() == survey.count()
    assert model.columnCount() == 9  # ID … Flags, Themes, Sentiment
    assert model.pages_fetched == 0, "counting must not fetch rows"
    model.data(model.index(0, COMMENT))
    assert model.pages_fetched == 1


def test_pages_cover_every_row_once_in_import_order(project, survey):
    model = CommentTableModel(project, page_size=7, cached_pages=3)
    records = all_records(model)
    ids = [r.id for r in records]
    assert ids == sorted(set(ids)) and len(ids) == survey.count()
    assert model.pages_fetched == math.ceil(survey.count() / 7)
    assert [r.text for r in records] != [] and records[0].text.startswith(
        survey.rows[0][QUESTION_COLUMNS[0]][:20])


def test_small_cache_refetches_old_pages_but_keeps_recent_ones(project):
    model = CommentTableModel(project, page_size=5, cached_pages=2)
    model.record(0)
    model.record(5)
    model.record(1)  # page 0 is still cached
    assert model.pages_fetched == 2
    model.record(10)  # evicts the least recently used page (5..9)
    model.record(6)
    assert model.pages_fetched == 4


def test_filters_give_the_counts_of_the_survey(project, survey):
    model = CommentTableModel(project, page_size=7)
    model.set_filter(CommentFilter(search="parking"))
    assert model.rowCount() == survey.count_word("parking") > 0
    assert all("parking" in r.text.lower() for r in all_records(model))

    model.set_filter(CommentFilter(substantive_only=True))
    assert model.rowCount() == survey.count(lambda _row, text: text != PLACEHOLDER)

    question = next(q for q in project.questions() if q["label"] == QUESTION_COLUMNS[2])
    model.set_filter(CommentFilter(question_id=question["id"]))
    assert model.rowCount() == survey.count(question=QUESTION_COLUMNS[2])
    assert {r.question for r in all_records(model)} == {QUESTION_COLUMNS[2]}


def test_hiding_duplicates_keeps_one_of_each_repeated_answer(project, survey):
    model = CommentTableModel(project)
    model.set_filter(CommentFilter(duplicates=False, substantive_only=True))
    texts = [r.text for r in all_records(model)]
    assert len(texts) == len(set(texts))
    expected = len({text for _row, text in survey.cells() if text != PLACEHOLDER})
    assert model.rowCount() == expected


def test_display_flags_and_tooltips(project, survey):
    model = CommentTableModel(project)
    rows = {model.record(r).id: r for r in range(model.rowCount())}
    placeholder_row = next(r for r in range(model.rowCount())
                           if model.record(r).text == PLACEHOLDER)
    assert "placeholder" in model.data(model.index(placeholder_row, FLAGS))
    duplicate_row = next(r for r in range(model.rowCount())
                         if model.record(r).duplicate_of is not None)
    assert "duplicate" in model.data(model.index(duplicate_row, FLAGS))
    first = model.index(0, COMMENT)
    full = model.record(0).text
    assert full.split()[0] in model.data(first, Qt.ItemDataRole.ToolTipRole)
    assert "\n" not in model.data(first)
    assert model.data(model.index(0, ID)) == str(model.record(0).id)
    assert model.data(first, COMMENT_ID_ROLE) in rows
    assert model.data(model.index(0, QUESTION)) == QUESTION_COLUMNS[0]


def test_set_filter_resets_and_refresh_keeps_the_filter(qtbot, project):
    model = CommentTableModel(project)
    with qtbot.waitSignal(model.modelReset):
        model.set_filter(CommentFilter(search="dorchester"))
    filtered = model.rowCount()
    with qtbot.waitSignal(model.modelReset):
        model.refresh()
    assert model.comment_filter().search == "dorchester"
    assert model.rowCount() == filtered
    assert model.record(filtered) is None and model.record(-1) is None


def test_rows_show_active_themes_and_sentiment(qtbot, tmp_path):
    """After analysis the list says what each comment is about and how the person felt."""
    from engage.analysis import store
    from engage.project import Project
    from ui.comment_model import SENTIMENT, THEMES

    with Project.create(tmp_path / "t.engage") as project:
        with project.transaction("seed"):
            cid = project.db["consultations"].insert({"name": "C", "created_at": "x"}).last_pk
            qid = project.db["questions"].insert({"consultation_id": cid, "label": "Q"}).last_pk
            for i in (1, 2):
                project.db["respondents"].insert({"id": i, "consultation_id": cid,
                                                  "external_id": f"R{i}"})
                project.db["comments"].insert({"id": i, "consultation_id": cid,
                                               "question_id": qid, "respondent_id": i,
                                               "text": f"text {i}"})
        store.install_taxonomy(project, [{"name": "Digital", "themes": [{"name": "Online"}]}])
        online = store.theme_id(project, "Online")
        run = store.start_run(project, "v", {})
        store.save_results(project, run, [
            store.CommentResult(1, "coded", 5, 0.9, 0.0, [(online, 0.9, [])]),
            store.CommentResult(2, "uncertain", 2, 0.9, 0.5, [(online, 0.4, [])])])
        model = CommentTableModel(project)
        assert model.index(0, THEMES).data() == "Online"
        assert model.index(0, SENTIMENT).data() == "5 very negative"
        assert model.index(1, THEMES).data() == ""  # an uncertain suggestion is not shown as coded
        store.set_officer_sentiment(project, [2], 3)
        model.refresh()
        assert model.index(1, SENTIMENT).data() == "3 neutral or mixed"
