"""First-look polish: "Fill from themes" summarises instead of dumping ids into one line."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialog

from engage.analysis import store
from engage.project import Project
from tests.ui.conftest import copy_project
from ui.coproduction import comment_ids
from ui.coproduction.actions_view import ActionDialog


@pytest.fixture
def sample(analysed_sample_path, tmp_path):
    with Project.open(copy_project(analysed_sample_path, tmp_path / "s.engage")) as project:
        yield project


def test_fill_from_themes_shows_a_count_and_keeps_every_id(qtbot, sample, monkeypatch):
    busiest = max(store.theme_counts(sample), key=lambda row: row["comments"])
    dialog = ActionDialog(sample)
    qtbot.addWidget(dialog)
    dialog.themes.set_names([busiest["theme"]])
    dialog.fill_from_themes()
    ids = dialog.support.text().split()
    assert len(ids) > comment_ids.SHORT_LIST
    line = dialog.support.edit.text()
    assert line.startswith(f"{len(ids):,} comments: ") and len(line) < 80
    assert dialog.support.edit.isReadOnly()
    assert dialog.entered().support_comment_ids == [int(i) for i in ids]

    # List… shows them all, one per line; what the officer keeps there is what is saved
    def edit(self):
        assert self.editor.toPlainText().splitlines() == ids
        self.editor.setPlainText("\n".join(ids[:3]))
        return QDialog.DialogCode.Accepted
    monkeypatch.setattr(comment_ids.IdListDialog, "exec", edit)
    dialog.support.list_button.click()
    assert dialog.entered().support_comment_ids == [int(i) for i in ids[:3]]
    assert not dialog.support.edit.isReadOnly(), "a short list is edited in the line again"
    dialog.reject()


def test_the_app_log_keeps_spacy_info_lines_off_the_console(monkeypatch, tmp_path):
    import logging

    import ui.app

    root = logging.getLogger()
    monkeypatch.setattr(ui.app, "log_path", lambda: tmp_path / "engage.log")
    monkeypatch.setattr(root, "level", root.level)
    handlers = list(root.handlers)
    spacy_logger = logging.getLogger("spacy")
    monkeypatch.setattr(spacy_logger, "level", spacy_logger.level)
    try:
        ui.app.setup_logging()
        assert root.isEnabledFor(logging.INFO)  # Engage's own lines still reach the file
        assert not spacy_logger.isEnabledFor(logging.INFO)
        assert spacy_logger.isEnabledFor(logging.WARNING)
    finally:
        for handler in set(root.handlers) - set(handlers):
            root.removeHandler(handler)
            handler.close()
