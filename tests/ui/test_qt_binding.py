"""The Qt binding must not leak references to None (PySide6 6.12.0 on Python 3.11 did, and
the app aborted after a few thousand calls: pyproject pins below it)."""

import sys

from PySide6.QtWidgets import QLabel


def test_void_qt_calls_do_not_take_references_from_none(qtbot):
    label = QLabel("x")
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(2000):
        label.setText("y")
    assert abs(sys.getrefcount(None) - before) < 100
