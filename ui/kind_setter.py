"""The kind of a comment as a control: the detail panes show it in a combo box the officer can
change with the mouse as well as with the workbench's Shift+letter keys.

The widget only says what was chosen (`kind_chosen`: a kind of ``engage.nlp.kind``, or None
to hand the kind back to the model); the pane's owner makes the change through the coding
session (``ui.workbench.coding_actions.set_kinds``), the same audited, undoable path the keys
take, and the pane shows the new kind when the change record comes back.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QPalette, QWheelEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

#: The kinds as an officer reads them, in the order the combo box offers them.
KIND_LABELS = {"praise": "Praise", "complaint": "Complaint", "suggestion": "Suggestion",
               "question": "Question", "mixed": "Mixed", "none": "None (nothing to classify)"}
#: The box's own wording: short enough for a narrow pane, never cut off.
BOX_LABELS = {**KIND_LABELS, "none": "Nothing to classify"}
#: The entry that clears the officer's kind: the next analysis sets it again.
MODEL_ENTRY = "Not set"


def kind_word(kind: str | None) -> str:
    """'Suggestion', 'Complaint', …; blank for a comment with nothing to classify or no kind."""
    return "" if kind in (None, "none") else KIND_LABELS.get(kind, "")


def kind_note(kind: str | None, source: str | None, confidence: float | None) -> str:
    """Who set the kind: 'set by an officer' / 'the model's estimate, 82% sure'."""
    if kind is None:
        return "not classified yet"
    if source == "officer":
        return "set by an officer"
    return "the model's estimate" + (f", {confidence:.0%} sure" if confidence is not None else "")


class KindCombo(QComboBox):
    """A combo box that writes only when the officer picks an entry from its list.

    A closed QComboBox changes its entry (and says so) on arrow keys, typed letters and the
    mouse wheel; each would be a write here, so arrows and letters open the list instead and
    the wheel scrolls the pane as if the box were not there.
    """

    _OPENING_KEYS = frozenset({Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp,
                               Qt.Key.Key_PageDown, Qt.Key.Key_Home, Qt.Key.Key_End})

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        plain = not event.modifiers() & (Qt.KeyboardModifier.AltModifier
                                         | Qt.KeyboardModifier.ControlModifier)
        text = event.text()
        if plain and (event.key() in self._OPENING_KEYS or (text.isprintable() and text.strip())):
            self.showPopup()
            return
        super().keyPressEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt's name
        event.ignore()


class KindSetter(QWidget):
    """'Kind: [Suggestion ▾]  set by an officer' — choosing an entry emits `kind_chosen`."""

    kind_chosen = Signal(object)  # str (a kind) or None (the model's)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = KindCombo(self)
        self.combo.setAccessibleName("Kind of comment")
        for kind, label in BOX_LABELS.items():
            self.combo.addItem(label, kind)
        self.combo.insertSeparator(self.combo.count())
        self.combo.addItem(MODEL_ENTRY, None)
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.combo.activated.connect(self._activated)
        label = QLabel("&Kind:", self)
        label.setBuddy(self.combo)
        self.note = QLabel(self)
        self.note.setAccessibleName("Who set the kind")
        self.note.setForegroundRole(QPalette.ColorRole.PlaceholderText)
        self.note.setWordWrap(True)  # a narrow pane wraps it rather than growing wider
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(label)
        layout.addWidget(self.combo)
        layout.addWidget(self.note, 1)
        self.set_tips()
        self.show_kind(None)

    def set_tips(self, keys: dict[str, str] | None = None,
                 target: str = "this comment") -> None:
        """Each entry's tooltip: what it does to `target`, with its key where there is one."""
        for row in range(self.combo.count()):
            kind = self.combo.itemData(row)
            if self.combo.itemText(row) == "":
                continue  # the separator
            if kind is None:
                tip = (f"Hand the kind of {target} back to the model (the next analysis sets it)"
                       + (f" — {keys['model']}" if keys and "model" in keys else ""))
            else:
                tip = (f"Set the kind of {target} to {KIND_LABELS[kind].lower()}"
                       + (f" — {keys[kind]}" if keys and kind in keys else ""))
            self.combo.setItemData(row, tip, Qt.ItemDataRole.ToolTipRole)

    def show_kind(self, kind: str | None, source: str | None = None,
                  confidence: float | None = None, enabled: bool = True) -> None:
        """Show a comment's kind (without emitting anything)."""
        row = self.combo.findData(kind) if kind is not None else self.combo.count() - 1
        self.combo.blockSignals(True)
        self.combo.setCurrentIndex(max(row, 0))
        self.combo.blockSignals(False)
        self.note.setText(kind_note(kind, source, confidence) if enabled else "")
        self.setEnabled(enabled)

    def current_kind(self) -> str | None:
        return self.combo.currentData()

    def _activated(self, row: int) -> None:
        self.kind_chosen.emit(self.combo.itemData(row))
