"""Adding or editing one activity in the register.

The dialog gathers what the officer enters and hands it to the core, which checks it; if the
core refuses, its one-line reason is shown in the dialog and nothing closes or is lost.
Evidence files are recorded straight away on an activity that already exists (they are links
to files, not copies).
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from engage.browse import consultation_names
from engage.coproduction import placeadmin, store
from engage.coproduction import portfolios as pf
from engage.coproduction.vocab import ACTIVITY_TYPES, GROUP_CATEGORIES, LEVEL_MEANINGS, LEVELS
from engage.errors import EngageError
from engage.project import Project
from ui.coproduction.widgets import CheckList, ErrorLabel, NamesEdit, OptionalDate

NO_COUNT = -1


class ActivityDialog(QDialog):
    saved = Signal(object, int)        # Changes, activity id

    def __init__(self, project: Project, activity_id: int | None = None, parent=None) -> None:
        super().__init__(parent)
        self.project = project
        self.activity = store.get_activity(project, activity_id) if activity_id else None
        self.setWindowTitle("Edit activity" if self.activity else "Add activity")
        self.setObjectName("ActivityDialog")
        self._build()
        self._fill()

    # ----- building ------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = QLineEdit(self)
        self.title.setAccessibleName("Title")
        self.type = QComboBox(self)
        self.type.setAccessibleName("Type")
        self.type.addItems(ACTIVITY_TYPES)
        self.level = QComboBox(self)
        self.level.setAccessibleName("Participation level")
        for level in LEVELS:
            self.level.addItem(level, level)
            self.level.setItemData(self.level.count() - 1, LEVEL_MEANINGS[level],
                                   Qt.ItemDataRole.ToolTipRole)
        self.level_meaning = QLabel(self)
        self.level_meaning.setWordWrap(True)
        self.level.currentIndexChanged.connect(self._show_meaning)
        self.start = OptionalDate(self, "Start date")
        self.end = OptionalDate(self, "End date")
        self.participants = QSpinBox(self)
        self.participants.setAccessibleName("Participants")
        self.participants.setRange(NO_COUNT, 10_000_000)
        self.participants.setSpecialValueText("not recorded")
        self.participants.setGroupSeparatorShown(True)
        self.partners = NamesEdit([p["name"] for p in store.list_partners(self.project)], self,
                                  "Partners")
        self.themes = NamesEdit(pf.theme_names(self.project), self, "Themes")
        self.description = QPlainTextEdit(self)
        self.description.setAccessibleName("Description")
        self.outcomes = QPlainTextEdit(self)
        self.outcomes.setAccessibleName("Outcomes")
        self.outcomes.setPlaceholderText("What changed because of it")
        for edit in (self.description, self.outcomes):
            edit.setTabChangesFocus(True)
            edit.setMinimumHeight(60)
            edit.setMaximumHeight(140)

        form = QFormLayout()
        form.addRow("&Title", self.title)
        form.addRow("T&ype", self.type)
        form.addRow("&Level", self.level)
        form.addRow("", self.level_meaning)
        dates = QHBoxLayout()
        dates.addWidget(self.start, 1)
        dates.addWidget(QLabel("to", self))
        dates.addWidget(self.end, 1)
        form.addRow("Dates", dates)
        form.addRow("&Participants", self.participants)
        form.addRow("Pa&rtners", self.partners)
        form.addRow("T&hemes", self.themes)
        form.addRow("&Description", self.description)
        form.addRow("&Outcomes", self.outcomes)

        self.places = CheckList(self, "Places")
        self.portfolios = CheckList(self, "Portfolios")
        self.suggestion = QLabel(self)
        self.suggestion.setWordWrap(True)
        self.groups = CheckList(self, "Groups reached")
        self.extra_group = QLineEdit(self)
        self.extra_group.setAccessibleName("Another group")
        self.extra_group.setPlaceholderText("Another group, then Enter")
        self.extra_group.returnPressed.connect(self._add_group)
        self.consultations = CheckList(self, "Linked consultations")

        lists = QGridLayout()
        lists.addWidget(self._boxed("Places", self.places), 0, 0, 2, 1)
        portfolio_box = self._boxed("Portfolios", self.portfolios, self.suggestion)
        lists.addWidget(portfolio_box, 0, 1)
        lists.addWidget(self._boxed("Linked consultations", self.consultations), 1, 1)
        lists.addWidget(self._boxed("Groups reached", self.groups, self.extra_group), 0, 2, 2, 1)
        lists.addWidget(self._evidence_box(), 2, 0, 1, 3)

        self.error = ErrorLabel(self)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)

        columns = QHBoxLayout()
        left = QWidget(self)
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        left_layout.addLayout(form)
        left_layout.addStretch(1)
        left.setMinimumWidth(360)
        right = QWidget(self)
        right.setLayout(lists)
        columns.addWidget(left, 4)
        columns.addWidget(right, 7)
        layout = QVBoxLayout(self)
        layout.addLayout(columns)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.portfolios.setMaximumHeight(self.fontMetrics().height() * 7)
        self.resize(1240, 680)

    def _boxed(self, title: str, *widgets: QWidget) -> QGroupBox:
        box = QGroupBox(title, self)
        layout = QVBoxLayout(box)
        for widget in widgets:
            layout.addWidget(widget)
        return box

    def _evidence_box(self) -> QGroupBox:
        self.evidence = QListWidget(self)
        self.evidence.setAccessibleName("Evidence files")
        self.evidence.setMaximumHeight(80)
        self.add_evidence_button = QPushButton("Attach file…", self)
        self.add_evidence_button.clicked.connect(self._choose_evidence)
        self.remove_evidence_button = QPushButton("Remove", self)
        self.remove_evidence_button.clicked.connect(self._remove_evidence)
        buttons = QVBoxLayout()
        buttons.addWidget(self.add_evidence_button)
        buttons.addWidget(self.remove_evidence_button)
        buttons.addStretch(1)
        box = QGroupBox("Evidence (files stay where they are; the project records where)", self)
        layout = QHBoxLayout(box)
        layout.addWidget(self.evidence, 1)
        layout.addLayout(buttons)
        if self.activity is None:
            for button in (self.add_evidence_button, self.remove_evidence_button):
                button.setEnabled(False)
                button.setToolTip("Save the activity first, then attach files to it")
        return box

    # ----- filling -------------------------------------------------------------------------
    def _fill(self) -> None:
        a = self.activity
        tree = placeadmin.place_tree(self.project)
        chosen_portfolios = (a.portfolios + a.suggested_portfolios) if a else []
        self.places.set_choices([(p["id"], p["name"]) for p in tree], a.place_ids if a else [],
                                indent={p["id"]: p["depth"] for p in tree})
        names = pf.portfolio_names(self.project)
        self.portfolios.set_choices([(n, n) for n in names], chosen_portfolios)
        if a and a.suggested_portfolios:
            self.suggestion.setText("Suggested from the description: "
                                    + "; ".join(a.suggested_portfolios)
                                    + ". Saving confirms what is ticked.")
        else:
            self.suggestion.hide()
        self._fill_groups(a.groups if a else [])
        self.consultations.set_choices(
            [(c["id"], c["name"]) for c in consultation_names(self.project)],
            a.consultation_ids if a else [])
        if a is None:
            self.level.setCurrentIndex(LEVELS.index("consult"))
            self.participants.setValue(NO_COUNT)
            self._show_meaning()
            return
        self.title.setText(a.title)
        self.type.setCurrentText(a.type)
        self.level.setCurrentIndex(LEVELS.index(a.level))
        self.start.set_iso(a.start_date)
        self.end.set_iso(a.end_date)
        self.participants.setValue(NO_COUNT if a.participants is None else a.participants)
        self.partners.set_names(a.partners)
        self.themes.set_names(a.themes)
        self.description.setPlainText(a.description)
        self.outcomes.setPlainText(a.outcomes)
        self._fill_evidence()
        self._show_meaning()

    def _fill_groups(self, chosen: list[str]) -> None:
        """The vocabulary under category headings, then any groups the officer added."""
        self.groups.clear()
        known = set()
        for category, names in GROUP_CATEGORIES.items():
            self.groups.add_heading(category)
            for name in names:
                self.groups.add_choice(name, name, name in chosen)
                known.add(name)
        extra = [g for g in chosen if g not in known]
        if extra:
            self.groups.add_heading("other")
            for name in extra:
                self.groups.add_choice(name, name, True)

    def _fill_evidence(self) -> None:
        self.evidence.clear()
        if self.activity is None:
            return
        for row in store.list_evidence(self.project, self.activity.id):
            label = row["file_name"] + (f" — {row['note']}" if row["note"] else "")
            item = QListWidgetItem(label, self.evidence)
            item.setToolTip(row["path"])
            item.setData(Qt.ItemDataRole.UserRole, row["id"])

    def _show_meaning(self) -> None:
        level = self.level.currentData()
        self.level_meaning.setText(LEVEL_MEANINGS.get(level, ""))

    def _add_group(self) -> None:
        name = self.extra_group.text().strip()
        if name:
            self.groups.add_choice(name, name)
            self.extra_group.clear()

    # ----- saving --------------------------------------------------------------------------
    def entered(self) -> store.Activity:
        """What the form holds, as the core's record (not yet checked)."""
        count = self.participants.value()
        return store.Activity(
            id=self.activity.id if self.activity else None,
            title=self.title.text(), type=self.type.currentText(),
            level=self.level.currentData(), start_date=self.start.iso(), end_date=self.end.iso(),
            participants=None if count == NO_COUNT else count,
            description=self.description.toPlainText(), outcomes=self.outcomes.toPlainText(),
            place_ids=self.places.checked_values(), partners=self.partners.names(),
            groups=self.groups.checked_values(),
            portfolios=self.portfolios.checked_values(),  # ticking confirms a suggestion
            themes=self.themes.names(),
            consultation_ids=self.consultations.checked_values())

    def save(self) -> None:
        try:
            if self.activity is None:
                activity_id, changes = store.add_activity(self.project, self.entered())
            else:
                activity_id = self.activity.id
                changes = store.update_activity(self.project, self.entered())
        except EngageError as exc:
            self.error.show_message(str(exc))
            return
        self.saved.emit(changes, activity_id)
        self.accept()

    def _choose_evidence(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Attach evidence")
        if path:
            self.attach_evidence(path)

    def attach_evidence(self, path: str | Path, note: str = "") -> None:
        try:
            _, changes = store.add_evidence(self.project, self.activity.id, path, note)
        except EngageError as exc:
            self.error.show_message(str(exc))
            return
        self._fill_evidence()
        self.saved.emit(changes, self.activity.id)

    def _remove_evidence(self) -> None:
        item = self.evidence.currentItem()
        if item is None:
            return
        changes = store.remove_evidence(self.project, item.data(Qt.ItemDataRole.UserRole))
        self._fill_evidence()
        self.saved.emit(changes, self.activity.id)
