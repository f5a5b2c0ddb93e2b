"""Views that stay true: after import and analysis every tab shows what the core now holds,
Clear clears a drill-down too, long attribute names wrap, Redo has one key, the officer's name
is asked once and recorded, and a first look starts on the welcome page and the Overview."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence

from engage.browse import CommentFilter
from engage.project import Project
from engage.settings import Settings
from tests.ui.conftest import import_survey
from ui import comment_model as cm
from ui.main_window import EMPTY_PROJECT_HINT, MainWindow
from ui.workbench import coding_model as wm


@pytest.fixture
def messages(monkeypatch):
    shown: list[tuple[str, str]] = []
    monkeypatch.setattr(MainWindow, "show_error", lambda self, t, m: shown.append((t, m)))
    monkeypatch.setattr(MainWindow, "show_info", lambda self, t, m: shown.append((t, m)))
    return shown


@pytest.fixture
def window(qtbot, messages):
    win = MainWindow(Settings())
    qtbot.addWidget(win)
    win.resize(1280, 800)
    win.show()
    yield win
    win.tasks.cancel()
    win.tasks.wait(5000)
    win.views.shut_down()


def _column(model, column: int) -> list[str]:
    return [model.index(r, column).data() or "" for r in range(model.rowCount())]


def test_import_then_analysis_fills_every_tab_without_reopening(qtbot, window, tmp_path,
                                                                survey):
    path = tmp_path / "fresh.engage"
    Project.create(path).close()
    assert window.open_project(path)
    # what the import wizard does when it lands: broadcast the import, then analyse
    _report, imported = import_survey(window.project, survey.path)
    window.apply_changes(imported)
    assert window.model.rowCount() == survey.count()
    assert not any(_column(window.model, cm.THEMES)), "nothing analysed yet"
    window.tabs.setCurrentIndex(0)
    with qtbot.waitSignal(window.changed, timeout=120_000):
        window.analysis.analyse()

    # Comments tab: themes and sentiment in place, the same row still current
    assert any(_column(window.model, cm.THEMES))
    assert all(_column(window.model, cm.SENTIMENT)[r] for r in range(window.model.rowCount())
               if window.model.record(r).substantive)
    # Overview: figures of the analysed project
    window.show_overview()
    overview = window.views.overview
    qtbot.waitUntil(lambda: overview.figures is not None
                    and overview.figures.overview.outcomes.get("coded", 0)
                    + overview.figures.overview.outcomes.get("uncertain", 0) > 0,
                    timeout=30_000)
    # Coding tab: chips and sentiment on its rows
    window.tabs.setCurrentIndex(window.tabs.indexOf(
        window.views.coding.parentWidget().parentWidget()))
    coding = window.views.coding.coding
    assert coding.model.rowCount() == survey.count()
    assert any(_column(coding.model, wm.THEMES))
    assert any(_column(coding.model, wm.SENTIMENT))


def test_a_coding_decision_repaints_the_comment_list_when_it_is_shown(qtbot, window,
                                                                     analysed_sample_copy):
    window.open_project(analysed_sample_copy)
    row = next(r for r in range(50) if window.model.record(r).themes)
    comment_id = window.model.record(row).id
    theme = window.model.record(row).themes.split("; ")[0]
    coding = window.views.coding.coding
    window.tabs.setCurrentIndex(window.tabs.indexOf(
        window.views.coding.parentWidget().parentWidget()))
    coding.set_filter(CommentFilter(comment_ids=(comment_id,)))
    theme_id = next(c["theme_id"] for c in coding.detail.info["codings"] if c["theme"] == theme)
    coding.commands.decide_current("rejected", theme_id)
    window.tabs.setCurrentIndex(0)
    shown = window.model.record(window.model.rowCount() and row).themes
    assert theme not in shown.split("; ")


@pytest.fixture
def analysed_sample_copy(analysed_sample_path, tmp_path):
    from tests.ui.conftest import copy_project

    return copy_project(analysed_sample_path, tmp_path / "sample.engage")


def test_clear_also_ends_a_drilldown_and_a_later_search_finds_matches(qtbot, window,
                                                                     project_path, survey):
    window.open_project(project_path)
    first = window.model.record(0).id
    window.show_comments(CommentFilter(comment_ids=(first,)))
    assert window.model.rowCount() == 1 and window.drilldown.isVisible()
    with qtbot.waitSignal(window.filter_bar.filter_changed, timeout=2000):
        window.filter_bar.clear_button.click()
    assert window.drilldown.filter is None and not window.drilldown.isVisible()
    assert window.model.rowCount() == survey.count()

    window.show_comments(CommentFilter(comment_ids=(first,)))
    window.clear_filters_action.trigger()
    assert window.drilldown.filter is None
    with qtbot.waitSignal(window.filter_bar.filter_changed, timeout=2000):
        qtbot.keyClicks(window.filter_bar.search, "parking")
    assert window.model.rowCount() == survey.count_word("parking") > 1


def test_the_empty_result_hint_names_a_command_that_clears_a_drilldown(qtbot, window,
                                                                      project_path):
    window.open_project(project_path)
    window.show_comments(CommentFilter(comment_ids=(window.model.record(0).id,)))
    with qtbot.waitSignal(window.filter_bar.filter_changed, timeout=2000):
        qtbot.keyClicks(window.filter_bar.search, "xylophone")
    assert window.model.rowCount() == 0
    hint = window.detail.plain_text()
    assert "Edit → Clear Search and Filters" in hint
    window.clear_filters_action.trigger()  # the command the hint names
    assert window.model.rowCount() > 1


def test_a_long_attribute_name_leaves_its_value_room(qtbot, tmp_path):
    from ui.detail_pane import DetailPane

    question = "Are you happy for us to contact you about future engagement?"
    path = tmp_path / "long.engage"
    csv_path = tmp_path / "long.csv"
    csv_path.write_text(f"Respondent ID,Comment,{question}\nR1,The bus stops too early,"
                        "Yes by email\n", encoding="utf-8")
    from engage.importing.importer import import_file
    from engage.importing.mapping import ColumnMapping

    with Project.create(path) as project:
        import_file(project, csv_path, "Long names", mapping=ColumnMapping(roles={
            "Respondent ID": "respondent_id", "Comment": "comment", question: "attribute"}))
        pane = DetailPane()
        qtbot.addWidget(pane)
        pane.resize(300, 600)
        pane.show()
        pane.set_project(project)
        comment_id = project.db.execute("SELECT min(id) FROM comments").fetchone()[0]
        pane.show_comment(comment_id)
        document = pane.browser.document()
        document.setTextWidth(pane.browser.viewport().width())
        block = document.begin()
        lines = {}
        while block.isValid():
            lines[block.text()] = block.layout().lineCount()
            block = block.next()
        assert lines.get("Yes by email") == 1, lines
        pane.set_project(None)


def test_redo_has_ctrl_shift_z_once_and_works(qtbot, window):
    from ui.workbench.session import unique_shortcuts

    assert [k.toString() for k in unique_shortcuts("Ctrl+Shift+Z", "Ctrl+Shift+Z", "Ctrl+Y")] \
        == ["Ctrl+Shift+Z", "Ctrl+Y"]
    redo = window.views.coding.session.redo_action
    keys = [k.toString() for k in redo.shortcuts()]
    assert keys[0] == "Ctrl+Shift+Z" and len(keys) == len(set(keys))
    # no two actions of the window answer the same key in the same place
    seen: dict[str, list] = {}
    from PySide6.QtGui import QAction
    for action in window.findChildren(QAction):
        for key in action.shortcuts():
            seen.setdefault(key.toString(), []).append(action)
    clashes = {k: [a.text() for a in v] for k, v in seen.items()
               if len(v) > 1 and len({a.shortcutContext() for a in v}) == 1
               and all(a.shortcutContext() == Qt.ShortcutContext.WindowShortcut for a in v)}
    assert not clashes
    assert QKeySequence("Ctrl+Shift+Z") in redo.shortcuts()


def test_the_officer_is_asked_once_and_every_decision_carries_the_name(
        qtbot, window, officer_dialog, analysed_sample_copy):
    asked, answers = officer_dialog
    answers.append("Jo Bloggs")
    window.open_project(analysed_sample_copy)
    coding = window.views.coding.coding
    window.tabs.setCurrentIndex(window.tabs.indexOf(
        window.views.coding.parentWidget().parentWidget()))
    coding.commands.set_sentiment(2)
    coding.move(1)
    coding.commands.set_sentiment(4)
    assert len(asked) == 1, "asked once, at the first decision"
    assert Settings.load().officer_name == "Jo Bloggs"
    assert "Jo Bloggs" in window.officer.label.text()
    users = [r["user"] for r in window.project.audit_log(limit=2)]
    assert users == ["Jo Bloggs", "Jo Bloggs"]
    # a fresh window with the saved settings does not ask again, and records the name
    second = MainWindow(Settings.load())
    qtbot.addWidget(second)
    window.close_project()
    second.open_project(analysed_sample_copy)
    assert second.project.user == "Jo Bloggs"
    second.officer.ensure()
    assert len(asked) == 1
    second.close_project()


def test_an_empty_project_says_how_to_import(qtbot, window, tmp_path):
    path = tmp_path / "empty.engage"
    Project.create(path).close()
    coding_tab = window.tabs.indexOf(window.views.coding.parentWidget().parentWidget())
    window.open_project(path)
    assert EMPTY_PROJECT_HINT in window.detail.plain_text()
    window.tabs.setCurrentIndex(coding_tab)
    assert "File → Import… (Ctrl+I)" in window.views.coding.coding.detail.plain_text()
    assert "No comments match" not in window.views.coding.coding.detail.plain_text()


def test_a_new_project_opened_on_the_coding_tab_keeps_the_docks_out_of_its_way(
        qtbot, window, tmp_path, project_path):
    window.open_project(project_path)
    coding_tab = window.tabs.indexOf(window.views.coding.parentWidget().parentWidget())
    window.tabs.setCurrentIndex(coding_tab)
    assert not window.detail_dock.isVisible()
    window.new_project(tmp_path / "new.engage")
    assert window.tabs.currentIndex() == coding_tab
    assert not window.detail_dock.isVisible() and not window.navigator_dock.isVisible()
    window.tabs.setCurrentIndex(0)
    assert window.detail_dock.isVisible()


def test_the_sample_opens_on_its_overview(qtbot, window, analysed_sample_copy):
    window.sample_path = analysed_sample_copy
    window.welcome.sample_button.click()
    assert window.project is not None
    assert window.tabs.currentWidget().widget() is window.views.overview


def test_first_launch_shows_the_welcome_page_with_the_sample_one_click_away(
        qtbot, monkeypatch, analysed_sample_copy, isolated_settings):
    from PySide6.QtWidgets import QApplication

    import ui.app

    shown = {}
    before = set(QApplication.topLevelWidgets())

    def fake_exec():
        shown["window"] = next(w for w in QApplication.topLevelWidgets()
                               if isinstance(w, MainWindow) and w not in before)
        return 0
    monkeypatch.setattr(QApplication.instance(), "exec", fake_exec)
    assert not (isolated_settings / "settings.json").exists()
    ui.app._run(QApplication.instance(), ["engage-gui", "--sample", str(analysed_sample_copy)])
    window = shown["window"]
    qtbot.addWidget(window)
    assert window.project is None and window.stack.currentWidget() is window.welcome
    assert window.sample_path == analysed_sample_copy.resolve()
    window.welcome.sample_button.click()
    assert window.project.path == analysed_sample_copy.resolve()
    assert window.tabs.currentWidget().widget() is window.views.overview
    window.close_project()


def test_split_arguments_knows_the_sample_option():
    from ui.app import split_arguments

    assert split_arguments(["x", "--sample", "s.engage", "p.engage"]) == (["p.engage"],
                                                                          "s.engage")
    assert split_arguments(["x", "--sample=s.engage"]) == ([], "s.engage")
    assert split_arguments(["x", "--smoke-test", "p.engage"]) == (["p.engage"], None)
