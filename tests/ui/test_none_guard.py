"""The guard that keeps None alive while PySide6 6.12 returns it without a reference."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtWidgets import QLabel

from ui import none_guard


@pytest.mark.skipif(not none_guard.needed(), reason="None is immortal from Python 3.12")
def test_void_qt_calls_cannot_use_up_none(qtbot):
    none_guard.install()
    assert sys.getrefcount(None) > none_guard.HEADROOM // 2
    assert none_guard.install() is False  # once is enough
    label = QLabel("x")
    qtbot.addWidget(label)
    before = sys.getrefcount(None)
    for _ in range(20_000):  # several times what a bare interpreter survives
        label.setEnabled(True)
    assert sys.getrefcount(None) > none_guard.HEADROOM // 2
    assert before - sys.getrefcount(None) <= 20_000
