"""Places: the hierarchy with populations and aliases, the postcode lookup, unplaced respondents.

Every edit goes through the core (audited, one transaction) and the view refreshes from it.
Placing respondents by postcode runs off the GUI thread on its own connection.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from engage.changes import Changes
from engage.coproduction import placeadmin as core
from engage.coproduction.errors import RowErrors
from engage.errors import EngageError
from engage.project import Project
from ui.coproduction.models import (
    PlaceTreeModel,
    PostcodeTableModel,
    UnplacedRespondentModel,
    UnplacedTableModel,
)
from ui.coproduction.widgets import ErrorLabel
from ui.tasks import TaskRunner

NO_POPULATION = -1


def _apply_task(path):
    def task(progress, cancelled):
        with Project.open(path) as project:
            placed, _ = core.apply_postcode_districts(project, progress=progress,
                                                      cancelled=cancelled)
        return placed
    return task


def _compact(table: QTableView, widths: tuple[int, ...]) -> None:
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 8)
    table.horizontalHeader().setStretchLastSection(False)
    for column, width in enumerate(widths):
        table.setColumnWidth(column, width)


class PlacesView(QWidget):
    changed = Signal(object)          # Changes after a write made here

    def __init__(self, project: Project | None = None, parent=None) -> None:
        super().__init__(parent)
        self.project = project
        self.tasks = TaskRunner(self)
        self.tasks.finished.connect(self._placed)
        self.tasks.failed.connect(lambda message: self.message.show_message(message))
        self._build()
        self.set_project(project)

    # ----- building ------------------------------------------------------------------------
    def _build(self) -> None:
        self.tree_model = PlaceTreeModel(None, self)
        self.tree = QTreeView(self)
        self.tree.setModel(self.tree_model)
        self.tree.setAccessibleName("Places")
        self.tree.setAlternatingRowColors(True)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        self.tree.header().setStretchLastSection(True)
        self.tree.selectionModel().currentChanged.connect(lambda *_: self._show_place())

        self.message = ErrorLabel(self)
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        splitter.addWidget(self.tree)
        splitter.addWidget(self._editor())
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)

        tabs = QTabWidget(self)
        tabs.addTab(self._postcodes(), "Postcode districts")
        tabs.addTab(self._unplaced(), "Respondents with no place")
        self.lower_tabs = tabs

        vertical = QSplitter(Qt.Orientation.Vertical, self)
        vertical.addWidget(splitter)
        vertical.addWidget(tabs)
        vertical.setStretchFactor(0, 3)
        vertical.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.addWidget(vertical, 1)
        layout.addWidget(self.message)

    def _editor(self) -> QWidget:
        box = QGroupBox("Selected place", self)
        self.place_title = QLabel(box)
        self.name = QLineEdit(box)
        self.name.setAccessibleName("Place name")
        self.rename_button = QPushButton("Rename", box)
        self.rename_button.clicked.connect(self.rename)
        self.population = QSpinBox(box)
        self.population.setAccessibleName("Population")
        self.population.setRange(NO_POPULATION, 50_000_000)
        self.population.setSpecialValueText("not known")
        self.population.setGroupSeparatorShown(True)
        self.estimate = QCheckBox("an estimate", box)
        self.estimate.setToolTip("Ticked: shown as an estimate in charts and reports")
        self.population_button = QPushButton("Save population", box)
        self.population_button.clicked.connect(self.save_population)
        self.aliases = QListWidget(box)
        self.aliases.setAccessibleName("Other spellings")
        self.aliases.setMaximumHeight(90)
        self.alias = QLineEdit(box)
        self.alias.setAccessibleName("New spelling")
        self.alias.setPlaceholderText("Another spelling, then Enter")
        self.alias.returnPressed.connect(self.add_alias)
        self.remove_alias_button = QPushButton("Remove spelling", box)
        self.remove_alias_button.clicked.connect(self.remove_alias)
        self.add_child_button = QPushButton("Add PCN or ward…", box)
        self.add_child_button.clicked.connect(self.ask_add_child)
        self.delete_button = QPushButton("Remove this PCN or ward", box)
        self.delete_button.clicked.connect(self.delete_place)

        name_row = QHBoxLayout()
        name_row.addWidget(self.name, 1)
        name_row.addWidget(self.rename_button)
        population_row = QHBoxLayout()
        population_row.addWidget(self.population, 1)
        population_row.addWidget(self.estimate)
        population_row.addWidget(self.population_button)
        alias_row = QHBoxLayout()
        alias_row.addWidget(self.alias, 1)
        alias_row.addWidget(self.remove_alias_button)
        structure = QHBoxLayout()
        structure.addWidget(self.add_child_button)
        structure.addWidget(self.delete_button)
        outer = QVBoxLayout(box)
        form = QFormLayout()
        outer.addLayout(form)
        outer.addStretch(1)
        form.addRow(self.place_title)
        form.addRow("Name", name_row)
        form.addRow("Population", population_row)
        form.addRow("Other spellings", self.aliases)
        form.addRow("", alias_row)
        form.addRow(structure)
        return box

    def _postcodes(self) -> QWidget:
        page = QWidget(self)
        self.postcode_model = PostcodeTableModel(None, self)
        self.postcodes = QTableView(page)
        self.postcodes.setModel(self.postcode_model)
        self.postcodes.setAccessibleName("Postcode districts")
        self.postcodes.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        _compact(self.postcodes, (90, 220, 110))
        self.district = QLineEdit(page)
        self.district.setAccessibleName("District")
        self.district.setPlaceholderText("e.g. DT4")
        self.district_place = QComboBox(page)
        self.district_place.setAccessibleName("Locality for the district")
        self.set_district_button = QPushButton("Set", page)
        self.set_district_button.clicked.connect(self.set_district)
        self.remove_district_button = QPushButton("Remove selected", page)
        self.remove_district_button.clicked.connect(self.remove_district)
        self.import_button = QPushButton("Import CSV…", page)
        self.import_button.clicked.connect(self.choose_postcode_file)
        self.apply_button = QPushButton("Place respondents by postcode", page)
        self.apply_button.setToolTip("Respondents with no place but a known postcode district "
                                     "get that district's locality; others are left as they are")
        self.apply_button.clicked.connect(self.apply_postcodes)
        note = QLabel("The shipped Dorset table is approximate: districts that straddle two "
                      "localities go to the one with most people. Edit it or import your own.",
                      page)
        note.setWordWrap(True)
        controls = QHBoxLayout()
        for widget in (self.district, self.district_place, self.set_district_button,
                       self.remove_district_button):
            controls.addWidget(widget)
        controls.addStretch(1)
        controls.addWidget(self.import_button)
        controls.addWidget(self.apply_button)
        layout = QVBoxLayout(page)
        layout.addWidget(note)
        layout.addWidget(self.postcodes, 1)
        layout.addLayout(controls)
        return page

    def _unplaced(self) -> QWidget:
        page = QWidget(self)
        self.unplaced_model = UnplacedTableModel(None, self)
        self.unplaced_label = QLabel(page)
        self.unplaced_label.setWordWrap(True)
        self.unplaced = QTableView(page)
        self.unplaced.setModel(self.unplaced_model)
        self.unplaced.setAccessibleName("Respondents with no place, grouped")
        _compact(self.unplaced, (100, 260, 130))
        self.unplaced_people_model = UnplacedRespondentModel(None, self)
        self.unplaced_people = QTableView(page)
        self.unplaced_people.setModel(self.unplaced_people_model)
        self.unplaced_people.setAccessibleName("Respondents with no place")
        _compact(self.unplaced_people, (110, 220, 160, 120))
        tables = QHBoxLayout()
        tables.addWidget(self.unplaced, 1)
        tables.addWidget(self.unplaced_people, 1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.unplaced_label)
        layout.addLayout(tables, 1)
        return page

    # ----- loading -------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        self.project = project
        for model in self._models():
            model.set_project(project)
        self._after_refresh(None)

    def refresh(self) -> None:
        current = self.selected_place()
        for model in self._models():
            model.refresh()
        self._after_refresh(current["id"] if current else None)

    def _models(self):
        return (self.tree_model, self.postcode_model, self.unplaced_model,
                self.unplaced_people_model)

    def _after_refresh(self, place_id: int | None) -> None:
        self.tree.expandAll()
        self.district_place.clear()
        if self.project is not None:
            for row in core.place_tree(self.project):
                if row["kind"] in ("locality", "pcn", "ward"):
                    self.district_place.addItem(row["name"], row["id"])
        count = self.unplaced_model.count
        self.unplaced_label.setText(
            f"{count:,} respondents have no place. They are kept and counted, but are in no "
            "locality's figures. Add a spelling or a postcode district to place them."
            if count else "Every respondent has a place.")
        self.lower_tabs.setTabText(1, f"Respondents with no place ({count:,})")
        if place_id is not None:
            self.select(place_id)
        self._show_place()

    def on_changes(self, changes: Changes) -> None:
        if changes.places or changes.respondents or changes.consultations:
            self.refresh()

    # ----- selection -----------------------------------------------------------------------
    def selected_place(self) -> dict | None:
        return self.tree_model.place(self.tree.currentIndex())

    def select(self, place_id: int) -> None:
        index = self.tree_model.index_of(place_id)
        if index.isValid():
            self.tree.setCurrentIndex(index)

    def _show_place(self) -> None:
        place = self.selected_place()
        editable = place is not None
        for widget in (self.name, self.rename_button, self.population, self.estimate,
                       self.population_button, self.alias, self.remove_alias_button):
            widget.setEnabled(editable)
        self.add_child_button.setEnabled(editable and place["kind"] == "locality")
        self.delete_button.setEnabled(editable and place["kind"] in core.SUB_LOCALITY_KINDS)
        self.aliases.clear()
        if place is None:
            self.place_title.setText("Select a place to edit it.")
            self.name.clear()
            return
        self.place_title.setText(f"<b>{place['name']}</b> — {place['kind_label']}; "
                                 f"{place['respondents_total']:,} respondents")
        self.name.setText(place["name"])
        self.population.setValue(NO_POPULATION if place["population"] is None
                                 else place["population"])
        self.estimate.setChecked(bool(place["population_is_estimate"]))
        self.aliases.addItems(place["aliases"])

    # ----- edits ---------------------------------------------------------------------------
    def _write(self, fn, *args) -> bool:
        """Run one core write; show its refusal in the view, or refresh and announce it."""
        try:
            result = fn(self.project, *args)
        except EngageError as exc:
            self.message.show_message(str(exc))
            return False
        changes = result[1] if isinstance(result, tuple) else result
        self.message.show_message("")
        self.refresh()
        if changes.any():
            self.changed.emit(changes)
        return True

    def rename(self) -> None:
        place = self.selected_place()
        if place is not None:
            self._write(core.rename_place, place["id"], self.name.text())

    def save_population(self) -> None:
        place = self.selected_place()
        if place is not None:
            value = self.population.value()
            self._write(core.set_population, place["id"],
                        None if value == NO_POPULATION else value, self.estimate.isChecked())

    def add_alias(self) -> None:
        place = self.selected_place()
        if place is not None and self.alias.text().strip() and \
                self._write(core.add_alias, place["id"], self.alias.text()):
            self.alias.clear()

    def remove_alias(self) -> None:
        item = self.aliases.currentItem()
        if item is not None:
            self._write(core.remove_alias, item.text())

    def ask_add_child(self) -> None:
        place = self.selected_place()
        if place is None:
            return
        name, ok = QInputDialog.getText(self, "Add PCN or ward",
                                        f"Name of the PCN or ward in {place['name']}:")
        if ok and name.strip():
            kind = "ward" if "ward" in name.casefold() else "pcn"
            self.add_child(name, kind)

    def add_child(self, name: str, kind: str = "pcn") -> None:
        place = self.selected_place()
        if place is not None:
            self._write(core.add_place, place["id"], name, kind)

    def delete_place(self) -> None:
        place = self.selected_place()
        if place is not None:
            self._write(core.delete_place, place["id"])

    def set_district(self) -> None:
        self._write(core.set_postcode_district, self.district.text(),
                    self.district_place.currentData())

    def remove_district(self) -> None:
        row = self.postcode_model.row_data(self.postcodes.currentIndex().row())
        if row is not None:
            self._write(core.set_postcode_district, row["district"], None)

    def choose_postcode_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import postcode districts", "",
                                              "CSV files (*.csv *.txt);;All files (*)")
        if path:
            self.import_postcodes(path)

    def import_postcodes(self, path: str) -> None:
        try:
            report, changes = core.import_postcode_districts(self.project, path)
        except RowErrors as exc:
            self.message.show_message(str(exc))
            self.last_problems = exc.lines()
            return
        except EngageError as exc:
            self.message.show_message(str(exc))
            return
        self.refresh()
        self.message.show_message("")
        self.changed.emit(changes)
        self.last_report = report

    def apply_postcodes(self) -> None:
        if self.project is None:
            return
        self.apply_button.setEnabled(False)
        self.tasks.start(_apply_task(self.project.path), "Placing respondents by postcode")

    def _placed(self, placed: object) -> None:
        self.apply_button.setEnabled(True)
        self.refresh()
        self.unplaced_label.setText(f"Placed {placed:,} respondents by postcode district. "
                                    + self.unplaced_label.text())
        if placed:
            self.changed.emit(Changes(respondents=True, places=True))
