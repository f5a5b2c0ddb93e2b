"""The activity register: filter, browse, add, edit, delete and import activities.

Import runs off the GUI thread on its own connection to the project file. A file with bad rows
changes nothing, and every problem is listed with its row number so the spreadsheet can be
fixed in one go.
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import QItemSelectionModel, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engage.changes import Changes
from engage.coproduction import actions as core_actions
from engage.coproduction import placeadmin, store
from engage.coproduction import portfolios as pf
from engage.coproduction.errors import RowErrors
from engage.coproduction.vocab import LEVEL_MEANINGS, LEVELS
from engage.project import Project
from ui.coproduction.activity_dialog import ActivityDialog
from ui.coproduction.models import ID_ROLE, ActivityTableModel
from ui.tasks import TaskRunner

IMPORT_FILTER = "Activity lists (*.csv *.tsv *.txt *.xlsx *.json);;All files (*)"
_WIDTHS = (84, 300, 110, 84, 60, 170, 220, 220)


def run_import(path: Path, file: str):
    """The import task: its own connection; a file with bad rows comes back as the error."""
    def task(progress, cancelled):
        from engage.coproduction.importer import import_activities

        with Project.open(path) as project:
            try:
                report, _ = import_activities(project, file, progress=progress,
                                              cancelled=cancelled)
            except RowErrors as exc:
                return exc
        return report
    return task


class RegisterView(QWidget):
    changed = Signal(object)          # Changes after a write made here

    def __init__(self, project: Project | None = None, parent=None) -> None:
        super().__init__(parent)
        self.project = project
        self.tasks = TaskRunner(self)
        self._ids_label = ""
        self._build()
        self.set_project(project)

    # ----- building ------------------------------------------------------------------------
    def _build(self) -> None:
        self.search = QLineEdit(self)
        self.search.setPlaceholderText("Search titles, descriptions and outcomes")
        self.search.setAccessibleName("Search activities")
        self.search.setClearButtonEnabled(True)
        self.place = QComboBox(self)
        self.place.setAccessibleName("Place")
        self.portfolio = QComboBox(self)
        self.portfolio.setAccessibleName("Portfolio")
        self.level = QComboBox(self)
        self.level.setAccessibleName("Participation level")
        self.level.addItem("All levels", None)
        for level in LEVELS:
            self.level.addItem(level, level)
            self.level.setItemData(self.level.count() - 1, LEVEL_MEANINGS[level],
                                   Qt.ItemDataRole.ToolTipRole)
        self.search.textChanged.connect(self.apply_filter)
        for combo in (self.place, self.portfolio, self.level):
            combo.currentIndexChanged.connect(self.apply_filter)
        filters = QHBoxLayout()
        filters.addWidget(self.search, 2)
        filters.addWidget(self.place, 1)
        filters.addWidget(self.portfolio, 1)
        filters.addWidget(self.level)

        self.banner = QLabel(self)
        self.banner.setAccessibleName("Showing selected activities")
        self.show_all_button = QPushButton("Show all activities", self)
        self.show_all_button.clicked.connect(self.show_all)
        banner = QHBoxLayout()
        banner.addWidget(self.banner, 1)
        banner.addWidget(self.show_all_button)

        self.model = ActivityTableModel(None, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Activities")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for column, width in enumerate(_WIDTHS):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_detail())

        self.detail = QTextBrowser(self)
        self.detail.setAccessibleName("Activity details")
        self.detail.setOpenLinks(False)

        self.add_button = QPushButton("&Add…", self)
        self.edit_button = QPushButton("&Edit…", self)
        self.delete_button = QPushButton("&Delete", self)
        self.confirm_button = QPushButton("&Confirm suggested portfolio", self)
        self.confirm_button.setToolTip("Accept the portfolio suggested from the description")
        self.import_button = QPushButton("&Import list…", self)
        self.import_button.setToolTip("Add activities from a CSV or Excel list")
        self.status = QLabel(self)
        self.add_button.clicked.connect(self.add_activity)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.confirm_button.clicked.connect(self.confirm_selected)
        self.import_button.clicked.connect(self.choose_import)
        self.tasks.finished.connect(self._import_finished)
        self.tasks.failed.connect(lambda message: self._import_failed([message]))
        self.tasks.progress.connect(lambda f, m: self.status.setText(f"{m} ({f:.0%})"))
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.delete_button,
                       self.confirm_button):
            buttons.addWidget(button)
        buttons.addWidget(self.status, 1)
        buttons.addWidget(self.import_button)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addLayout(banner)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

    # ----- project and filter --------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.model.set_project(project)
        self._fill_combos()
        self._ids_label = ""
        self.apply_filter()

    def _fill_combos(self) -> None:
        for combo in (self.place, self.portfolio):
            combo.blockSignals(True)
            combo.clear()
        self.place.addItem("All places", None)
        self.portfolio.addItem("All portfolios", None)
        if self.project is not None:
            for row in placeadmin.place_tree(self.project):
                self.place.addItem("  " * row["depth"] + row["name"], row["id"])
            for name in pf.portfolio_names(self.project):
                self.portfolio.addItem(name, name)
        for combo in (self.place, self.portfolio):
            combo.blockSignals(False)

    def current_filter(self, ids: tuple[int, ...] | None = None) -> store.ActivityFilter:
        return store.ActivityFilter(place_id=self.place.currentData(),
                                    portfolio=self.portfolio.currentData(),
                                    level=self.level.currentData(), search=self.search.text(),
                                    activity_ids=ids)

    def apply_filter(self) -> None:
        ids = self.model.activity_filter().activity_ids if self._ids_label else None
        self.model.set_filter(self.current_filter(ids))
        self._update_banner()
        self._show_detail()

    def show_activities(self, ids: tuple[int, ...], label: str) -> None:
        """Narrow the list to these activities (a dashboard cell clicked through)."""
        self._ids_label = label or "Selected activities"
        for combo in (self.place, self.portfolio, self.level):
            combo.blockSignals(True)
            combo.setCurrentIndex(0)
            combo.blockSignals(False)
        self.search.blockSignals(True)
        self.search.clear()
        self.search.blockSignals(False)
        self.model.set_filter(self.current_filter(tuple(ids)))
        self._update_banner()
        if self.model.rowCount():
            self.table.selectionModel().setCurrentIndex(
                self.proxy.index(0, 1), QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        self._show_detail()

    def show_all(self) -> None:
        self._ids_label = ""
        self.apply_filter()

    def _update_banner(self) -> None:
        count = self.model.rowCount()
        total = store.activity_count(self.project) if self.project is not None else 0
        text = f"{count:,} of {total:,} activities"
        if self._ids_label:
            text = f"{self._ids_label}: {text}"
        self.banner.setText(text)
        self.show_all_button.setVisible(bool(self._ids_label))

    def refresh(self) -> None:
        current = self.selected_id()
        self._fill_combos_keeping()
        self.model.refresh()
        self._update_banner()
        if current is not None:
            self.select(current)
        self._show_detail()

    def _fill_combos_keeping(self) -> None:
        place, portfolio = self.place.currentData(), self.portfolio.currentData()
        self._fill_combos()
        for combo, value in ((self.place, place), (self.portfolio, portfolio)):
            index = combo.findData(value)
            combo.blockSignals(True)
            combo.setCurrentIndex(max(0, index))
            combo.blockSignals(False)

    def on_changes(self, changes: Changes) -> None:
        if changes.activities or changes.places or changes.taxonomy or changes.consultations:
            self.refresh()

    # ----- selection and detail ------------------------------------------------------------
    def selected_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.proxy.data(index, ID_ROLE) if index.isValid() else None

    def select(self, activity_id: int) -> None:
        row = self.model.row_of(activity_id)
        if row < 0:
            return
        index = self.proxy.mapFromSource(self.model.index(row, 1))
        self.table.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)

    def _show_detail(self) -> None:
        activity_id = self.selected_id()
        has = activity_id is not None and self.project is not None
        for button in (self.edit_button, self.delete_button):
            button.setEnabled(has)
        if not has:
            self.confirm_button.setEnabled(False)
            self.detail.setHtml("<p style='color:gray'>Select an activity to see its details."
                                "</p>")
            return
        activity = store.get_activity(self.project, activity_id)
        self.confirm_button.setEnabled(bool(activity.suggested_portfolios))
        self.detail.setHtml(activity_html(self.project, activity))

    # ----- writing -------------------------------------------------------------------------
    def add_activity(self) -> ActivityDialog | None:
        return self._open_dialog(None)

    def edit_selected(self) -> ActivityDialog | None:
        activity_id = self.selected_id()
        return self._open_dialog(activity_id) if activity_id is not None else None

    def _open_dialog(self, activity_id: int | None) -> ActivityDialog | None:
        if self.project is None:
            return None
        dialog = ActivityDialog(self.project, activity_id, self)
        dialog.saved.connect(self._saved)
        dialog.open()
        return dialog

    def _saved(self, changes: Changes, activity_id: int) -> None:
        self.refresh()
        self.select(activity_id)
        self.changed.emit(changes)

    def delete_selected(self, confirm: bool = True) -> None:
        activity_id = self.selected_id()
        if activity_id is None:
            return
        title = store.get_activity(self.project, activity_id).title
        if confirm and QMessageBox.question(
                self, "Delete activity", f"Delete “{title}” from the register? Its evidence "
                "records go too (the files stay where they are).") \
                != QMessageBox.StandardButton.Yes:
            return
        changes = store.delete_activity(self.project, activity_id)
        self.refresh()
        self.changed.emit(changes)

    def confirm_selected(self) -> None:
        activity_id = self.selected_id()
        if activity_id is None:
            return
        changes = store.confirm_suggested_portfolios(self.project, activity_id)
        self.refresh()
        self.changed.emit(changes)

    # ----- import --------------------------------------------------------------------------
    def choose_import(self) -> None:
        if self.project is None:
            return
        file, _ = QFileDialog.getOpenFileName(self, "Import activities", "", IMPORT_FILTER)
        if file:
            self.import_file(file)

    def import_file(self, file: str | Path) -> None:
        self.import_button.setEnabled(False)
        self.status.setText(f"Importing {Path(file).name}…")
        self.tasks.start(run_import(self.project.path, str(file)), "Importing activities")

    def _import_finished(self, result: object) -> None:
        self.import_button.setEnabled(True)
        if isinstance(result, RowErrors):
            self._import_failed([str(result).split(" — ")[0]] + result.lines())
            return
        self.status.setText(f"Added {result.created} activities from {result.file}")
        self.last_report = result
        self.refresh()
        self.changed.emit(Changes(activities=True))

    def _import_failed(self, lines: list[str]) -> None:
        self.import_button.setEnabled(True)
        self.status.setText("Import failed; nothing was changed")
        self.last_problems = lines
        box = QMessageBox(QMessageBox.Icon.Warning, "Import activities", lines[0],
                          QMessageBox.StandardButton.Ok, self)
        if len(lines) > 1:
            box.setInformativeText("\n".join(lines[1:21])
                                   + (f"\n… and {len(lines) - 21} more" if len(lines) > 21
                                      else ""))
            box.setDetailedText("\n".join(lines[1:]))
        box.open()
        self._problem_box = box


def activity_html(project: Project, a: store.Activity) -> str:
    """The detail pane: everything about one activity that the table leaves out."""
    esc = html.escape
    places = {p["id"]: p["name"] for p in project.places()}
    evidence = store.list_evidence(project, a.id)
    linked = core_actions.list_actions(project, action_ids=tuple(
        core_actions.actions_for_activity(project, a.id)))

    def line(label: str, value: str) -> str:
        return f"<tr><td style='color:#555;padding-right:12px'>{label}</td><td>{value}</td></tr>"

    portfolios = [esc(p) for p in a.portfolios] + [f"<i>{esc(p)} (suggested)</i>"
                                                   for p in a.suggested_portfolios]
    rows = [
        line("Level", f"<b>{esc(a.level)}</b> — {esc(LEVEL_MEANINGS[a.level])}"),
        line("When", esc(" to ".join(d for d in (a.start_date, a.end_date) if d) or "no date")),
        line("Places", esc("; ".join(places.get(p, "?") for p in a.place_ids) or "none")),
        line("Partners", esc("; ".join(a.partners) or "none")),
        line("Groups reached", esc("; ".join(a.groups) or "none recorded")),
        line("Portfolios", "; ".join(portfolios) or "none"),
        line("Themes", esc("; ".join(a.themes) or "none")),
        line("Outcomes", esc(a.outcomes or "none recorded yet")),
        line("Evidence", "; ".join(esc(e["file_name"]) for e in evidence) or "none"),
        line("You said, we did", "; ".join(f"{esc(r['title'])} ({esc(r['status'])})"
                                           for r in linked) or "none yet"),
    ]
    if a.source:
        rows.append(line("Imported from", esc(f"{a.source}, row {a.source_row}")))
    return (f"<h3 style='margin:0'>{esc(a.title)}</h3><p>{esc(a.description)}</p>"
            f"<table>{''.join(rows)}</table>")
