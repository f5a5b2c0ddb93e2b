"""Word clouds: drawn in the background for a selection; a click on a word lists its comments."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage

from engage.analysis import cloud as clouds
from engage.analysis import explore, store
from engage.browse import CommentFilter, count_comments
from engage.project import Project
from ui.workbench.wordcloud_view import WordCloudWidget, layout_size


@pytest.fixture
def sample(analysed_sample_path):
    with Project.open(analysed_sample_path) as project:
        yield project


def biggest_theme(project) -> dict:
    return max(store.theme_counts(project), key=lambda t: t["comments"])


@pytest.fixture
def widget(qtbot, sample):
    cloud = WordCloudWidget(sample)
    qtbot.addWidget(cloud)
    cloud.resize(1200, 760)
    cloud.set_filter(CommentFilter(consultation_id=sample.consultations()[0]["id"]))
    cloud.select_theme(biggest_theme(sample)["theme_id"])
    with qtbot.waitSignal(cloud.drawn, timeout=60000):
        cloud.show()
    qtbot.waitUntil(lambda: not cloud.busy and not cloud.reshape.isActive()
                    and (cloud.cloud.width, cloud.cloud.height) == cloud._size(), timeout=60000)
    return cloud


def test_word_list_passes_the_qt_model_tester(qtmodeltester, widget):
    qtmodeltester.check(widget.word_model)
    assert widget.word_model.rowCount() == len(widget.cloud.boxes) > 20


def test_the_cloud_shows_the_selections_most_used_words(widget, sample):
    f = widget.current_filter()
    assert f.theme_id == biggest_theme(sample)["theme_id"]
    expected = clouds.cloud_words(explore.word_frequencies(sample, f, limit=150))
    shown = [box.word for box in widget.cloud.boxes]
    assert shown == expected[:len(shown)]
    assert not any(clouds.is_filler(word.token) for word in shown)
    assert all("_" not in word.text for word in shown)  # phrases with spaces
    assert any(" " in word.text for word in shown)


def test_clicking_a_word_lists_the_comments_that_use_it(qtbot, widget, sample):
    cloud = widget.cloud
    for box_index in (0, len(cloud.boxes) // 2):
        box = cloud.boxes[box_index]
        x, y = cloud.point_on(box_index)
        point = widget.canvas.from_layout(x + 0.5, y + 0.5)
        with qtbot.waitSignal(widget.filter_requested) as signal:
            qtbot.mouseClick(widget.canvas, Qt.MouseButton.LeftButton,
                             pos=QPoint(int(point.x()), int(point.y())))
        f = signal.args[0]
        assert f == widget.current_filter().with_(word=box.word.token, counted_only=True)
        assert box.word.text in [b.word.text for b in cloud.boxes]  # a word of the layout
        assert count_comments(sample, f) == box.word.comments


def test_clicking_between_words_asks_for_nothing(qtbot, widget):
    cloud = widget.cloud
    empty = next((x, y) for y in range(0, cloud.height, 3) for x in range(0, cloud.width, 3)
                 if not cloud.labels[max(y - 6, 0):y + 7, max(x - 6, 0):x + 7].any())
    point = widget.canvas.from_layout(*empty)
    with qtbot.assertNotEmitted(widget.filter_requested):
        qtbot.mouseClick(widget.canvas, Qt.MouseButton.LeftButton,
                         pos=QPoint(int(point.x()), int(point.y())))


def test_keyboard_users_pick_a_word_from_the_list(qtbot, widget):
    widget.word_list.setFocus()
    widget.word_list.setCurrentIndex(widget.word_model.index(2, 0))
    with qtbot.waitSignal(widget.filter_requested) as signal:
        qtbot.keyClick(widget.word_list, Qt.Key.Key_Return)
    assert signal.args[0].word == widget.word_model.words[2].token


def test_pickers_narrow_the_selection_and_redraw(qtbot, widget):
    with qtbot.waitSignal(widget.drawn, timeout=60000):
        widget.feeling.setCurrentIndex(widget.feeling.findText("negative (4–5)"))
    assert widget.current_filter().sentiment == (4, 5)
    assert widget.shown_filter.sentiment == (4, 5)
    assert "negative" in widget.summary.text()


def test_set_filter_moves_the_pickers(qtbot, widget, sample):
    place = next(p for p in sample.places() if p["kind"] == "locality")
    with qtbot.waitSignal(widget.drawn, timeout=60000):
        widget.set_filter(CommentFilter(place_id=place["id"], sentiment=(1, 2),
                                        search="parking"))
    assert widget.place.currentData() == place["id"]
    assert widget.feeling.currentData() == "1,2"
    assert widget.theme.currentData() is None
    assert widget.current_filter().search == "parking"


def test_a_selection_with_no_words_says_so(qtbot, widget):
    with qtbot.waitSignal(widget.drawn, timeout=60000):
        widget.set_filter(CommentFilter(search="zeppelinxyz"))
    assert widget.cloud is None
    assert "No words" in widget.summary.text()
    assert not widget.export_button.isEnabled()


def test_export_png_saves_the_picture(widget, tmp_path):
    path = tmp_path / "cloud.png"
    assert widget.export_png(path)
    image = QImage(str(path))
    assert (image.width(), image.height()) == widget.cloud.image_size


def test_the_same_selection_draws_the_same_picture(qtbot, widget):
    first = widget.cloud.rgba
    with qtbot.waitSignal(widget.drawn, timeout=60000):
        widget.redraw()
    assert widget.cloud.rgba == first


def test_layout_size_follows_the_canvas_shape_in_steps():
    assert layout_size(1000, 500) == (960, 480)
    assert layout_size(1004, 500) == layout_size(1000, 500)
    assert layout_size(3000, 100)[1] == round(960 / 2.6)


def test_changes_to_codings_redraw_and_others_do_not(qtbot, widget):
    from engage.changes import Changes

    with qtbot.waitSignal(widget.drawn, timeout=60000):
        widget.on_changes(Changes(codings=True))
    with qtbot.assertNotEmitted(widget.drawn, wait=300):
        widget.on_changes(Changes(activities=True, actions=True))


def test_filler_words_do_not_outgrow_the_subject():
    words = [explore.WordCount("honestly", "honestly", 90, 3.0),
             explore.WordCount("simple", "simple", 80, 2.0),
             explore.WordCount("really_just", "really just", 70, 3.0),
             explore.WordCount("gp", "GP", 40, 4.0),
             explore.WordCount("parking", "parking", 30, 4.5),
             explore.WordCount("simple_booking", "simple booking", 20, 2.0)]
    drawn = clouds.draw_cloud(words, width=400, height=240, scale=1)
    shown = [box.word.text for box in drawn.boxes]
    assert sorted(shown) == ["GP", "parking", "simple booking"]
