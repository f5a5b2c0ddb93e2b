"""Topics view and theme manager: promote a topic in one step, rename, move, merge, split,
with undo where the action allows it."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from engage.analysis import store, workbench_store
from engage.project import Project
from engage.settings import Settings
from tests.ui import workbench_data as data
from ui.workbench import topics as tv
from ui.workbench.session import CodingSession
from ui.workbench.themes import COMMENTS, ThemesModel


@pytest.fixture
def small(tmp_path):
    with Project.open(data.build(tmp_path / "topics.engage")) as project:
        yield project


@pytest.fixture
def view(qtbot, small):
    session = CodingSession(settings=Settings(officer_name=data.OFFICER))
    topics = tv.TopicsView(session)
    qtbot.addWidget(topics)
    topics.resize(1300, 800)
    topics.set_project(small)
    with qtbot.waitSignal(topics.themes.sizes.finished, timeout=10_000), \
            qtbot.waitExposed(topics):
        topics.show()
    yield topics
    topics.themes.sizes.wait(5000)


def accept_with(**fields):
    """A stand-in for exec(): fill the dialog's fields, then press OK."""
    def fill(dialog):
        if "name" in fields:
            dialog.name.setText(fields["name"])
        if "portfolio" in fields:
            dialog.portfolio.setCurrentIndex(dialog.portfolio.findText(fields["portfolio"]))
        if "seeds" in fields:
            dialog.seeds.setText(fields["seeds"])
        if "check" in fields:
            dialog.check.setChecked(fields["check"])
        return True
    return fill


def test_models_pass_the_model_tester(qtmodeltester, view, small):
    qtmodeltester.check(view.model, force_py=True)
    themes = ThemesModel()
    themes.set_themes(store.themes(small))
    themes.set_sizes(workbench_store.theme_sizes(small))
    qtmodeltester.check(themes, force_py=True)


def test_topics_show_words_portfolio_coverage_and_typical_comments(view, small):
    topics = store.latest_topics(small)
    assert view.model.rowCount() == len(topics)
    first = topics[0]  # largest first
    assert view.model.index(0, tv.TERMS).data() == ", ".join(first["top_terms"])
    assert view.model.index(0, tv.PORTFOLIO).data() == first["suggested_portfolio"]
    covered = {view.model.index(r, tv.COVERED).data() for r in range(view.model.rowCount())}
    assert covered == {"Yes", "No — new subject"}
    shown = view.examples.toPlainText()
    for cid in first["representative_ids"][:tv.SHOWN_EXAMPLES]:
        assert data.TEXTS[cid - 1] in shown


def test_theme_sizes_are_counted_in_the_background(view, small):
    sizes = workbench_store.theme_sizes(small)
    model = view.themes.model
    for row in range(model.rowCount()):
        theme = model.theme(row)
        assert model.index(row, COMMENTS).data() == f"{sizes.get(theme['id'], 0):,}"


def test_promote_a_topic_in_one_step_then_undo_and_redo(qtbot, view, small):
    uncovered = next(r for r in range(view.model.rowCount())
                     if not view.model.topic(r)["covered"])
    view.table.selectRow(uncovered)
    topic = view.current_topic()
    view.exec_dialog = accept_with(name="Letters and texts", check=True)
    with qtbot.waitSignal(view.retrain_requested):
        new_id = view.promote()
    theme = {t["id"]: t for t in store.themes(small)}[new_id]
    assert theme["name"] == "Letters and texts"
    assert theme["portfolio_id"] == topic["suggested_portfolio_id"]
    assert theme["seed_terms"][0] == topic["top_phrases"][0].replace("_", " ")
    assert view.model.index(view.model.row_of(topic["id"]), tv.THEME).data() == \
        "Letters and texts"
    assert not view.promote_button.isEnabled()  # a topic becomes a theme once
    view.session.undo_stack.undo()
    assert new_id not in {t["id"] for t in store.themes(small)}
    assert workbench_store.topic(small, topic["id"])["promoted_theme_id"] is None
    view.session.undo_stack.redo()
    assert workbench_store.topic(small, topic["id"])["promoted_theme_id"] == new_id


def test_promote_cancelled_changes_nothing(view, small):
    themes = store.themes(small)
    view.exec_dialog = lambda dialog: False
    assert view.promote() is None
    assert store.themes(small) == themes


def test_rename_and_move_are_undoable(view, small):
    manager = view.themes
    waiting = data.theme_ids(small)["Waiting times"]
    manager.select_theme(waiting)
    manager.ask_text = lambda *args: ("Delays", True)
    manager.rename()
    manager.ask_item = lambda *args: ("Digital", True)
    manager.move()
    theme = {t["id"]: t for t in store.themes(small)}[waiting]
    assert (theme["name"], theme["portfolio"]) == ("Delays", "Digital")
    view.session.undo_stack.undo()
    view.session.undo_stack.undo()
    theme = {t["id"]: t for t in store.themes(small)}[waiting]
    assert (theme["name"], theme["portfolio"]) == ("Waiting times", "One acute network")


def test_rename_to_an_existing_name_is_refused(qtbot, view, small):
    manager = view.themes
    manager.select_theme(data.theme_ids(small)["Waiting times"])
    manager.ask_text = lambda *args: ("online access", True)
    with qtbot.waitSignal(view.session.failed) as blocker:
        manager.rename()
    assert "already a theme" in blocker.args[0]
    assert "Waiting times" in data.theme_ids(small)


def test_merge_asks_first_and_cannot_be_undone(view, small):
    manager = view.themes
    ids = data.theme_ids(small)
    manager.select_theme(ids["Digital exclusion"])
    manager.pick_theme = lambda *args: ids["Online access"]
    manager.confirm = lambda *args: False
    manager.merge()
    assert "Digital exclusion" in data.theme_ids(small)
    manager.ask_text = lambda *args: ("Offline", True)
    manager.rename()  # something on the undo stack that the merge must forget
    assert view.session.undo_stack.count() == 1
    manager.confirm = lambda *args: True
    manager.merge()
    assert "Offline" not in data.theme_ids(small)
    assert any(c["theme"] == "Online access" for c in store.comment_codings(small, 5))
    assert view.session.undo_stack.count() == 0


def test_split_moves_the_comments_selected_in_the_coding_list(view, small):
    manager = view.themes
    travel = data.theme_ids(small)["Travel to services"]
    manager.select_theme(travel)
    view.session.selected_comments = lambda: [4, 10, 3]
    manager.exec_dialog = accept_with(name="Car parking")
    manager.split()
    new = data.theme_ids(small)["Car parking"]
    assert manager.current_theme() == new
    for cid in (4, 10):
        by_theme = {c["theme_id"]: c["decision"] for c in store.comment_codings(small, cid)}
        assert by_theme[new] == "accepted" and by_theme[travel] == "rejected"
    view.session.undo_stack.undo()
    assert "Car parking" not in data.theme_ids(small)


def test_split_without_a_selection_says_what_to_do(qtbot, view, small):
    view.themes.select_theme(data.theme_ids(small)["Travel to services"])
    view.session.selected_comments = list
    with qtbot.waitSignal(view.session.failed) as blocker:
        view.themes.split()
    assert "Select the comments" in blocker.args[0]


def test_show_comments_of_a_topic_and_of_a_theme(qtbot, view, small):
    with qtbot.waitSignal(view.comments_requested) as blocker:
        qtbot.mouseClick(view.comments_button, Qt.MouseButton.LeftButton)
    assert blocker.args[0].topic_id == view.current_topic()["id"]
    view.themes.select_theme(data.theme_ids(small)["Online access"])
    with qtbot.waitSignal(view.comments_requested) as blocker:
        qtbot.mouseClick(view.themes.buttons["comments"], Qt.MouseButton.LeftButton)
    assert blocker.args[0].theme_id == data.theme_ids(small)["Online access"]
