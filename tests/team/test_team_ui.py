"""The team-coding dialogs over the core: share-out preview, Conflicts view (resolve, bulk,
undo) and the officer-vs-officer panel."""

from __future__ import annotations

import pytest

from engage.team import conflicts, shareout
from tests.team.test_conflicts_kappa import overlap_files, two_conflicts  # noqa: F401
from tests.team.test_shareout_merge import code_work_file

pytest.importorskip("pytestqt")


def test_share_out_dialog_previews_the_core_plan(qtbot, lead):
    from ui.team.shareout_dialog import ShareOutDialog

    dialog = ShareOutDialog(lead)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.buttons()[0]
    assert not ok.isEnabled() and "Name the colleagues" in dialog.preview.text()
    dialog.officers.setPlainText("Jo\nSam")
    dialog.overlap.setValue(6)
    dialog.update_preview()
    plan = shareout.plan_shares(lead, 1, ["Jo", "Sam"], "random", overlap=6)
    assert ok.isEnabled()
    for share in plan:
        assert f"<b>{share.officer}</b>: {len(share.comment_ids):,} comments" in \
            dialog.preview.text()
    assert dialog.request()["officers"] == ["Jo", "Sam"]


def test_conflicts_view_resolves_in_bulk_and_undoes(qtbot, lead, two_conflicts):  # noqa: F811
    from ui.team.conflicts_view import ConflictsDialog

    dialog = ConflictsDialog(lead)
    qtbot.addWidget(dialog)
    assert dialog.model.rowCount() == 2
    assert "Mine (this project)" in dialog.mine.text() and "Sam" in dialog.theirs.text()
    dialog.table.selectAll()
    with qtbot.waitSignal(dialog.changed):
        dialog.buttons["theirs"].click()
    assert conflicts.conflict_count(lead) == 0 and dialog.model.rowCount() == 0
    assert dialog.undo_button.isEnabled()
    with qtbot.waitSignal(dialog.changed):
        dialog.undo_button.click()
    assert conflicts.conflict_count(lead) == 2 and dialog.model.rowCount() == 2


def test_officer_panel_shows_kappa_and_opens_the_split_comments(qtbot, lead,
                                                                overlap_files):  # noqa: F811
    from engage.team import merge
    from ui.team.officer_agreement import NONE_YET, OfficerAgreementPanel

    panel = OfficerAgreementPanel()
    qtbot.addWidget(panel)
    panel.refresh(lead, 1)
    assert panel.summary.text() == NONE_YET
    ids, (jo, sam) = overlap_files
    code_work_file(jo, "Jo", accept={"Travel to services": ids[0:4]},
                   reject={"Waiting times": ids})
    code_work_file(sam, "Sam", accept={"Travel to services": ids[0:3] + [ids[4]]},
                   reject={"Waiting times": ids})
    merge.merge_files(lead, [jo, sam])
    panel.refresh(lead, 1)
    assert "Cohen's kappa <b>0.58</b>" in panel.summary.text()
    row = next(r for r in range(panel.table.rowCount())
               if panel.table.item(r, 0).text() == "Travel to services")
    with qtbot.waitSignal(panel.comments_requested) as signal:
        panel._open(panel.table.model().index(row, 0))
    assert sorted(signal.args[0].comment_ids) == sorted([ids[3], ids[4]])


def test_main_window_file_menu_has_the_team_actions(qtbot):
    from ui.main_window import MainWindow

    window = MainWindow()
    qtbot.addWidget(window)
    texts = [a.text().replace("&", "") for a in window.menuBar().actions()[0].menu().actions()]
    for text in ("Share Out for Coding…", "Merge Coding…", "Conflicts…",
                 "Import REFI-QDA Project…"):
        assert text in texts
    assert not window.team.share_action.isEnabled()  # no project open


def test_merge_coding_action_merges_in_the_background(qtbot, tmp_path, monkeypatch):
    from engage.project import Project
    from engage.settings import Settings
    from tests.team.conftest import build_lead
    from ui.main_window import MainWindow

    lead = build_lead(tmp_path / "lead.engage")
    shares = shareout.plan_shares(lead, 1, ["Jo"], "random")
    (tmp_path / "out").mkdir()
    (path,) = shareout.share_out(lead, 1, tmp_path / "out", shares, "random")
    lead.close()
    code_work_file(path, "Jo", accept={"Online access": range(1, 41)})
    window = MainWindow(Settings(officer_name="Lead Officer"))
    qtbot.addWidget(window)
    shown = []
    monkeypatch.setattr(window, "show_info", lambda title, text: shown.append(text))
    assert window.open_project(tmp_path / "lead.engage")
    window.team.merge([str(path)])
    qtbot.waitUntil(lambda: bool(shown), timeout=30_000)
    assert "(Jo): 40 decisions applied" in shown[0]
    window.close_project()
    with Project.open(tmp_path / "lead.engage") as project:
        assert project.db.execute("SELECT count(*) FROM codings WHERE decided_by = 'Jo'"
                                  ).fetchone()[0] == 40
