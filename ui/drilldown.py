"""The line above the comment list saying which clicked number it shows, with a way back.

Overview bars, heat-table cells, word clouds and dashboards ask for "the comments behind this
number" as a CommentFilter; the window keeps that filter here, on top of the filter bar's own
search and filters, until the officer clears it.
"""

from __future__ import annotations

from dataclasses import fields

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from engage.browse import CommentFilter

# Fields a drill-down may set; the navigator and filter bar own the rest.
_DEFAULTS = CommentFilter()
_DRILL_FIELDS = [f.name for f in fields(CommentFilter)
                 if f.name not in ("search", "substantive_only", "duplicates")]


def merge(base: CommentFilter, drill: CommentFilter | None) -> CommentFilter:
    """`base` with every field the drill-down sets (non-default) taking the drill's value."""
    if drill is None:
        return base
    changes = {name: getattr(drill, name) for name in _DRILL_FIELDS
               if getattr(drill, name) != getattr(_DEFAULTS, name)}
    return base.with_(**changes)


class DrilldownBar(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.filter: CommentFilter | None = None
        self.label = QLabel(self)
        self.label.setAccessibleName("Drill-down")
        self.label.setWordWrap(True)
        self.clear_button = QPushButton("&Show all comments", self)
        self.clear_button.setAccessibleName("Clear the drill-down")
        self.clear_button.clicked.connect(self.clear)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.clear_button)
        self.hide()

    def set_drilldown(self, drill: CommentFilter, description: str) -> None:
        self.filter = drill
        self.label.setText(f"Showing the comments behind: <b>{_escape(description)}</b>")
        self.show()
        self.changed.emit()

    def clear(self) -> None:
        if self.reset():
            self.changed.emit()

    def reset(self) -> bool:
        """Drop the drill-down without announcing it (the caller re-filters); True if set."""
        if self.filter is None:
            return False
        self.filter = None
        self.hide()
        return True


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
