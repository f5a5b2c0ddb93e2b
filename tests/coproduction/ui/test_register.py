"""The activity register view: filtering, click-through, add/edit/delete, suggestion, import."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from engage.coproduction import store
from tests.coproduction.conftest import write_csv
from ui.coproduction.register_view import RegisterView


@pytest.fixture
def view(qtbot, sample):
    widget = RegisterView(sample)
    qtbot.addWidget(widget)
    widget.resize(1200, 700)
    widget.show()
    return widget


def _save(qtbot, view, dialog):
    with qtbot.waitSignal(view.changed, timeout=3000) as signal:
        dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    return signal.args[0]


def test_filters_narrow_the_list_as_the_core_does(view, sample):
    total = store.activity_count(sample)
    assert view.model.rowCount() == total
    view.level.setCurrentIndex(view.level.findData("inform"))
    expected = store.list_activities(sample, store.ActivityFilter(level="inform"))
    assert view.model.rowCount() == len(expected) > 0
    view.place.setCurrentIndex(view.place.findText("Poole North", flags=_contains()))
    assert {view.model.row_data(r)["id"] for r in range(view.model.rowCount())} == {
        r["id"] for r in store.list_activities(sample, store.ActivityFilter(
            level="inform", place_id=view.place.currentData()))}
    view.search.setText("no such words anywhere")
    assert view.model.rowCount() == 0
    assert view.banner.text() == f"0 of {total} activities"


def _contains():
    from PySide6.QtCore import Qt

    return Qt.MatchFlag.MatchContains


def test_show_activities_lists_exactly_those_then_all_again(view, sample):
    ids = tuple(r["id"] for r in store.list_activities(sample)[:3])
    view.show_activities(ids, "Purbeck × Digital")
    assert {view.model.row_data(r)["id"] for r in range(view.model.rowCount())} == set(ids)
    assert view.banner.text().startswith("Purbeck × Digital: 3 of")
    assert view.show_all_button.isVisible()
    assert view.selected_id() in ids
    view.show_all()
    assert view.model.rowCount() == store.activity_count(sample)
    assert not view.show_all_button.isVisible()


def test_adding_an_activity_through_the_dialog(qtbot, view, sample):
    before = store.activity_count(sample)
    dialog = view.add_activity()
    dialog.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert dialog.isVisible() and "needs a title" in dialog.error.text()
    dialog.title.setText("Wool village hall drop-in")
    dialog.type.setCurrentText("outreach")
    dialog.level.setCurrentIndex(dialog.level.findData("involve"))
    dialog.places.set_checked(next(p["id"] for p in sample.places() if p["name"] == "Purbeck"))
    dialog.partners.setText("Healthwatch Dorset; Wool Parish Council")
    changes = _save(qtbot, view, dialog)
    assert changes.activities and not dialog.isVisible()
    assert store.activity_count(sample) == before + 1
    added = store.get_activity(sample, view.selected_id())
    assert (added.title, added.level, added.partners) == (
        "Wool village hall drop-in", "involve", ["Healthwatch Dorset", "Wool Parish Council"])
    assert view.model.rowCount() == before + 1


def test_editing_keeps_what_is_not_touched(qtbot, view, sample):
    activity_id = view.model.row_data(0)["id"]
    before = store.get_activity(sample, activity_id)
    view.select(activity_id)
    dialog = view.edit_selected()
    assert dialog.title.text() == before.title
    dialog.level.setCurrentIndex(dialog.level.findData("co-produce"))
    _save(qtbot, view, dialog)
    after = store.get_activity(sample, activity_id)
    assert after.level == "co-produce"
    assert (after.place_ids, after.partners) == (before.place_ids, before.partners)
    assert sorted(after.groups) == sorted(before.groups)  # shown in the vocabulary's order
    assert after.portfolios == before.portfolios + before.suggested_portfolios


def test_evidence_is_attached_from_the_dialog(qtbot, view, sample, tmp_path):
    activity_id = view.model.row_data(0)["id"]
    view.select(activity_id)
    dialog = view.edit_selected()
    with qtbot.waitSignal(dialog.saved):
        dialog.attach_evidence(tmp_path / "photos.zip", "photos of the day")
    assert dialog.evidence.count() == 1
    assert [e["file_name"] for e in store.list_evidence(sample, activity_id)] == ["photos.zip"]
    dialog.reject()


def test_confirming_a_suggestion_and_deleting(qtbot, view, sample):
    row = next(r for r in range(view.model.rowCount())
               if view.model.row_data(r)["suggested_portfolios"])
    activity_id = view.model.row_data(row)["id"]
    view.select(activity_id)
    assert view.confirm_button.isEnabled()
    with qtbot.waitSignal(view.changed):
        view.confirm_button.click()
    assert store.get_activity(sample, activity_id).suggested_portfolios == []
    assert not view.confirm_button.isEnabled()
    with qtbot.waitSignal(view.changed) as signal:
        view.delete_selected(confirm=False)
    assert signal.args[0].activities
    assert view.model.row_of(activity_id) == -1


def test_import_adds_a_good_file_in_the_background(qtbot, view, sample, tmp_path):
    path = write_csv(tmp_path / "more.csv", ["Title", "Type", "Level", "Places"],
                     [["Lyme Regis carers' walk", "outreach", "involve", "Dorset West"],
                      ["Gillingham youth forum", "workshop", "consult", "North Dorset"]])
    before = store.activity_count(sample)
    with qtbot.waitSignal(view.changed, timeout=20000):
        view.import_file(path)
    assert view.model.rowCount() == before + 2
    assert view.last_report.created == 2
    assert "Added 2 activities" in view.status.text()


def test_a_bad_file_lists_every_problem_and_changes_nothing(qtbot, view, sample, tmp_path):
    path = write_csv(tmp_path / "bad.csv", ["Title", "Type", "Level", "Places"],
                     [["Walk", "outreach", "consulted", "Dorset West"],
                      ["Forum", "workshop", "consult", "Atlantis"]])
    before = store.activity_count(sample)
    with qtbot.assertNotEmitted(view.changed), qtbot.waitSignal(view.tasks.finished,
                                                                  timeout=20000):
        view.import_file(path)
    assert view.last_problems[0].startswith("bad.csv: 2 rows have problems")
    assert view.last_problems[1].startswith("row 2: unknown participation level 'consulted'")
    assert view.last_problems[2].startswith("row 3: unknown place 'Atlantis'")
    assert store.activity_count(sample) == before
    assert view.import_button.isEnabled()
    view._problem_box.close()
