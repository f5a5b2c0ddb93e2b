"""The bar above the comment table: search, place, a respondent attribute, and two toggles.

It owns the parts of the filter it shows; the navigator owns consultation and question. The
window combines both into one `CommentFilter`. Typing is debounced so a search runs once the
officer pauses, not at every key.
"""

from __future__ import annotations

from itertools import pairwise

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from engage.browse import attribute_names, attribute_values
from engage.changes import Changes
from engage.project import Project

SEARCH_DELAY_MS = 250
ANY_PLACE = "(any place)"
ANY_ATTRIBUTE = "(any respondent)"
ANY_VALUE = "(any value)"
_PLACE_KINDS = ("local_authority", "partnership")


def attribute_label(name: str) -> str:
    """'age_band' → 'Age band'; names from the export are shown as they came."""
    if name.islower() and " " not in name:
        return name.replace("_", " ").capitalize()
    return name


class _LazyComboBox(QComboBox):
    """Calls `load` the first time it is opened or focused, before showing anything."""

    def __init__(self, load, parent: QWidget) -> None:
        super().__init__(parent)
        self._load = load

    def showPopup(self) -> None:  # noqa: N802 - Qt's name
        self._load()
        super().showPopup()

    def focusInEvent(self, event) -> None:  # noqa: N802 - Qt's name
        self._load()
        super().focusInEvent(event)


class FilterBar(QWidget):
    """Emits `filter_changed` whenever what it shows would change the table."""

    filter_changed = Signal()
    clearing = Signal()  # Clear was asked for: everything else narrowing the list goes too

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self._consultation_id: int | None = None
        self._attributes_loaded = False
        self._quiet = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self._emit)
        self._build()

    # ----- layout --------------------------------------------------------------------------
    def _build(self) -> None:
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search comments (words, \"a phrase\", prefix*)")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search comments")
        self.search.setToolTip("Full-text search: every word must appear; \"quotes\" for a "
                               "phrase; end a word with * for words starting with it")
        self.search.setMinimumWidth(200)
        self.search.textEdited.connect(lambda _text: self._timer.start())
        self.search.returnPressed.connect(self._search_now)
        self.search.textChanged.connect(self._on_text_changed)
        escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self.search, self.search.clear)
        escape.setContext(Qt.ShortcutContext.WidgetShortcut)  # Escape empties the search box

        self.place = self._combo("Place", "Only comments from respondents in this place")
        # Listing attribute names reads every respondent (a third of a second at a million
        # comments), so it waits until the officer reaches for the combo.
        self.attribute = self._combo("Respondent attribute",
                                     "Filter on a respondent attribute, e.g. age band",
                                     _LazyComboBox(self.ensure_attributes, self))
        self.value = self._combo("Attribute value", "The attribute value to keep")
        self.attribute.currentIndexChanged.connect(self._on_attribute_changed)
        self.place.currentIndexChanged.connect(self._changed)
        self.value.currentIndexChanged.connect(self._changed)

        self.hide_placeholders = QCheckBox("Hide &non-substantive", self)
        self.hide_placeholders.setAccessibleName("Hide non-substantive answers")
        self.hide_placeholders.setToolTip("Hide answers such as “n/a”, “nothing” or “-”")
        self.hide_duplicates = QCheckBox("Hide d&uplicates", self)
        self.hide_duplicates.setAccessibleName("Hide duplicate comments")
        self.hide_duplicates.setToolTip("Show each exactly repeated comment once")
        for box in (self.hide_placeholders, self.hide_duplicates):
            box.toggled.connect(self._changed)
        self.clear_button = QPushButton("C&lear", self)
        self.clear_button.setAccessibleName("Clear search and filters")
        self.clear_button.setToolTip("Clear the search and every filter in this bar")
        self.clear_button.clicked.connect(self.clear)

        # Two rows, so the bar fits beside the docks on a 1280-pixel laptop screen.
        search_row = QHBoxLayout()
        search_row.addWidget(self._buddy("&Search:", self.search))
        search_row.addWidget(self.search, 1)
        search_row.addWidget(self.hide_placeholders)
        search_row.addWidget(self.hide_duplicates)
        search_row.addWidget(self.clear_button)
        filter_row = QHBoxLayout()
        filter_row.addWidget(self._buddy("&Place:", self.place))
        filter_row.addWidget(self.place, 1)
        filter_row.addWidget(self._buddy("&Respondent:", self.attribute))
        filter_row.addWidget(self.attribute, 1)
        filter_row.addWidget(self.value, 1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        layout.addLayout(search_row)
        layout.addLayout(filter_row)
        order = [self.search, self.place, self.attribute, self.value, self.hide_placeholders,
                 self.hide_duplicates, self.clear_button]
        for first, second in pairwise(order):
            QWidget.setTabOrder(first, second)
        self._fill_combos()

    def _combo(self, name: str, tip: str, combo: QComboBox | None = None) -> QComboBox:
        combo = combo if combo is not None else QComboBox(self)
        combo.setAccessibleName(name)
        combo.setToolTip(tip)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(10)
        combo.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        return combo

    def _buddy(self, text: str, widget: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(widget)
        return label

    # ----- what the window reads and drives ------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        self._project = project
        self._consultation_id = None
        self._attributes_loaded = False
        self._quiet = True
        try:
            self.search.clear()
            self.hide_placeholders.setChecked(False)
            self.hide_duplicates.setChecked(False)
            self._fill_combos()
        finally:
            self._quiet = False

    def set_consultation(self, consultation_id: int | None) -> None:
        """Attribute values are those of the consultation in view."""
        if consultation_id != self._consultation_id:
            self._consultation_id = consultation_id
            if self._attributes_loaded:
                self._keeping_choices(self._fill_attributes)

    def ensure_attributes(self) -> None:
        """Fill the attribute combo now if it has not been filled for this project."""
        if not self._attributes_loaded and self._project is not None:
            self._attributes_loaded = True
            self._keeping_choices(self._fill_attributes)

    def on_changes(self, changes: Changes) -> None:
        if changes.places or changes.respondents:
            self._keeping_choices(self._fill_combos)

    def filter_fields(self) -> dict:
        """The `CommentFilter` fields this bar decides."""
        fields: dict = {"search": self.search.text().strip(),
                        "place_id": self.place.currentData(),
                        "substantive_only": self.hide_placeholders.isChecked(),
                        "duplicates": False if self.hide_duplicates.isChecked() else None}
        name, value = self.attribute.currentData(), self.value.currentData()
        fields["attributes"] = ((name, value),) if name and value is not None else ()
        return fields

    def search_text(self) -> str:
        return self.search.text().strip()

    def focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    def clear(self) -> None:
        """Clear the search and every filter; `clearing` first, so a drill-down the window
        keeps on top goes in the same step (one re-query, not two)."""
        self._timer.stop()
        self.clearing.emit()
        self._quiet = True
        try:
            self.search.clear()
            self.place.setCurrentIndex(0)
            self.attribute.setCurrentIndex(0)
            self.hide_placeholders.setChecked(False)
            self.hide_duplicates.setChecked(False)
        finally:
            self._quiet = False
        self._emit()

    # ----- filling the combos --------------------------------------------------------------
    def _fill_combos(self) -> None:
        self.place.blockSignals(True)
        self.place.clear()
        self.place.addItem(ANY_PLACE, None)
        if self._project is not None:
            places = self._project.places()
            for place in (p for p in places if p["kind"] == "locality"):
                self.place.addItem(place["name"], place["id"])
            areas = [p for p in places if p["kind"] in _PLACE_KINDS]
            if areas:
                self.place.insertSeparator(self.place.count())
                for place in areas:
                    self.place.addItem(place["name"], place["id"])
        self.place.blockSignals(False)
        self._fill_attributes()

    def _attribute_names(self) -> list[str]:
        if self._project is None or not self._attributes_loaded:
            return []
        return attribute_names(self._project, self._consultation_id)

    def _fill_attributes(self) -> None:
        self.attribute.blockSignals(True)
        self.attribute.clear()
        self.attribute.addItem(ANY_ATTRIBUTE, None)
        for name in self._attribute_names():
            self.attribute.addItem(attribute_label(name), name)
        self.attribute.blockSignals(False)
        self._fill_values()

    def _fill_values(self) -> None:
        self.value.blockSignals(True)
        self.value.clear()
        name = self.attribute.currentData()
        self.value.addItem(ANY_VALUE, None)
        if self._project is not None and name:
            for value, count in attribute_values(self._project, name, self._consultation_id):
                self.value.addItem(f"{value} ({count:,})", value)
        self.value.setEnabled(bool(name))
        self.value.blockSignals(False)

    def _keeping_choices(self, refill) -> None:
        """Refill combos but keep what the officer had chosen when it still exists."""
        chosen = (self.place.currentData(), self.attribute.currentData(),
                  self.value.currentData())
        before = self.filter_fields()
        refill()
        for combo, data in zip((self.place, self.attribute), chosen[:2], strict=True):
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, combo.findData(data)))
            combo.blockSignals(False)
        self._fill_values()
        self.value.blockSignals(True)
        self.value.setCurrentIndex(max(0, self.value.findData(chosen[2])))
        self.value.blockSignals(False)
        if self.filter_fields() != before:
            self._emit()

    # ----- reacting ------------------------------------------------------------------------
    def _on_attribute_changed(self) -> None:
        self._fill_values()
        self._changed()

    def _on_text_changed(self, text: str) -> None:
        if not text:  # the clear button or Escape: show everything again at once
            self._timer.stop()
            self._changed()

    def _search_now(self) -> None:
        self._timer.stop()
        self._emit()

    def _changed(self) -> None:
        if not self._quiet:
            self._emit()

    def _emit(self) -> None:
        self.filter_changed.emit()
