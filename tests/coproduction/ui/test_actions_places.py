"""The "you said, we did" view and the places editor."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QDialogButtonBox

from engage.changes import Changes
from engage.coproduction import actions, placeadmin
from ui.coproduction.actions_view import ActionsView
from ui.coproduction.places_view import PlacesView


@pytest.fixture
def actions_view(qtbot, sample):
    widget = ActionsView(sample)
    qtbot.addWidget(widget)
    widget.show()
    return widget


@pytest.fixture
def places_view(qtbot, sample):
    widget = PlacesView(sample)
    qtbot.addWidget(widget)
    widget.show()
    return widget


def _place(sample, name: str) -> int:
    return next(p["id"] for p in sample.places() if p["name"] == name)


def test_not_taken_forward_needs_a_reason_before_it_saves(qtbot, actions_view, sample):
    before = len(actions.list_actions(sample))
    dialog = actions_view.add_action()
    save = dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Save)
    dialog.title.setText("Open the minor injuries unit at night")
    dialog.status.setCurrentText("not taken forward")
    save.click()
    assert dialog.isVisible() and "say why it was not taken forward" in dialog.error.text()
    dialog.reason.setText("Too few night-time attendances to staff it safely")
    dialog.support.setText("1, 2 3")
    with qtbot.waitSignal(actions_view.changed, timeout=3000) as signal:
        save.click()
    assert signal.args[0] == Changes(actions=True)
    assert len(actions.list_actions(sample)) == before + 1
    saved = actions.get_action(sample, actions_view.selected_id())
    assert saved.reason.startswith("Too few") and saved.support_comment_ids == [1, 2, 3]


def test_comment_ids_that_are_not_numbers_are_refused_in_the_dialog(actions_view):
    dialog = actions_view.add_action()
    dialog.title.setText("x")
    dialog.support.setText("12, forty")
    dialog.save()
    assert dialog.isVisible() and "whole numbers" in dialog.error.text()
    dialog.reject()


def test_click_through_to_comments_and_activities(qtbot, actions_view, sample):
    action_id = actions_view.model.row_data(0)["id"]
    action = actions.get_action(sample, action_id)
    actions_view.select(action_id)
    with qtbot.waitSignal(actions_view.comments_requested) as signal:
        actions_view.comments_button.click()
    assert set(signal.args[0].comment_ids) == set(action.support_comment_ids
                                                  + action.quote_comment_ids)
    with qtbot.waitSignal(actions_view.activities_requested) as signal:
        actions_view.activities_button.click()
    assert signal.args[0] == tuple(action.activity_ids)


def test_editing_an_action_status(qtbot, actions_view, sample):
    row = next(r for r in range(actions_view.model.rowCount())
               if actions_view.model.row_data(r)["status"] == "planned")
    action_id = actions_view.model.row_data(row)["id"]
    actions_view.select(action_id)
    dialog = actions_view.edit_selected()
    dialog.status.setCurrentText("in progress")
    with qtbot.waitSignal(actions_view.changed):
        dialog.save()
    assert actions.get_action(sample, action_id).status == "in progress"
    with qtbot.waitSignal(actions_view.changed):
        actions_view.delete_selected(confirm=False)
    assert actions_view.model.row_of(action_id) == -1


def test_population_and_aliases_are_edited_through_the_core(qtbot, places_view, sample):
    purbeck = _place(sample, "Purbeck")
    places_view.select(purbeck)
    places_view.population.setValue(47500)
    places_view.estimate.setChecked(False)
    with qtbot.waitSignal(places_view.changed):
        places_view.population_button.click()
    row = next(p for p in sample.places() if p["id"] == purbeck)
    assert (row["population"], row["population_is_estimate"]) == (47500, 0)
    places_view.alias.setText("Isle of Purbeck")
    with qtbot.waitSignal(places_view.changed):
        places_view.add_alias()
    assert placeadmin.find_place(sample, "isle of purbeck") == purbeck
    assert places_view.selected_place()["id"] == purbeck  # selection survives the refresh


def test_a_refused_edit_is_shown_and_changes_nothing(qtbot, places_view, sample):
    places_view.select(_place(sample, "Purbeck"))
    places_view.name.setText("Poole Bay")
    with qtbot.assertNotEmitted(places_view.changed):
        places_view.rename_button.click()
    assert "already names or is an alias of 'Poole Bay'" in places_view.message.text()
    assert placeadmin.find_place(sample, "Purbeck") == _place(sample, "Purbeck")


def test_pcns_are_added_and_removed_under_a_locality(qtbot, places_view, sample):
    purbeck = _place(sample, "Purbeck")
    places_view.select(purbeck)
    assert places_view.add_child_button.isEnabled()
    assert not places_view.delete_button.isEnabled()
    with qtbot.waitSignal(places_view.changed):
        places_view.add_child("Purbeck Coast PCN")
    pcn = _place(sample, "Purbeck Coast PCN")
    assert places_view.tree_model.parent(places_view.tree_model.index_of(pcn)).data() == \
        "Purbeck"
    places_view.select(pcn)
    assert places_view.delete_button.isEnabled()
    with qtbot.waitSignal(places_view.changed):
        places_view.delete_button.click()
    assert placeadmin.find_place(sample, "Purbeck Coast PCN") is None


def test_postcode_districts_are_set_imported_and_applied(qtbot, places_view, sample, tmp_path):
    assert places_view.unplaced_model.count == 5
    places_view.district.setText("zz9")
    places_view.district_place.setCurrentIndex(places_view.district_place.findText("Purbeck"))
    with qtbot.waitSignal(places_view.changed):
        places_view.set_district_button.click()
    assert "ZZ9" in {r["district"] for r in placeadmin.postcode_table(sample)}

    bad = tmp_path / "bad.csv"
    bad.write_text("district,locality\nQQ1,Nowhere\n", encoding="utf-8")
    with qtbot.assertNotEmitted(places_view.changed):
        places_view.import_postcodes(str(bad))
    assert places_view.last_problems == ["row 2: unknown place 'Nowhere' — add it or an alias "
                                         "in Places first"]
    good = tmp_path / "good.csv"
    good.write_text("district,locality\nQQ1,Poole Bay\n", encoding="utf-8")
    with qtbot.waitSignal(places_view.changed):
        places_view.import_postcodes(str(good))
    assert places_view.last_report.added == 1

    with qtbot.waitSignal(places_view.changed, timeout=10000):
        places_view.apply_postcodes()
    assert places_view.unplaced_model.count == 2   # the three in BH20 are placed
    assert "Placed 3 respondents" in places_view.unplaced_label.text()
    assert places_view.unplaced_people_model.rowCount() == 2
