"""The first two pages of the import wizard: which file, and what each of its columns holds.

Pages only read a preview (a few hundred rows) on the GUI thread; the import itself runs in a
worker (see `ui.import_wizard`). The project is read through the core's own functions with a
short-lived connection of the page's own, never the main window's.
"""

from __future__ import annotations

import contextlib
import html
import logging
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QSignalBlocker, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from engage.errors import EngageError, MappingError
from engage.importing.importer import ImportReport
from engage.importing.layout import MAX_EXTRA_HEADER_ROWS, HeaderInfo, prepare_table
from engage.importing.mapping import ColumnMapping, guess_mapping
from engage.importing.readers import Table, read_table, sheet_names
from engage.importing.report import describe
from engage.project import Project
from engage.settings import Settings
from ui.mapping_model import COMMENT_ROLE, MappingList, PreviewModel

log = logging.getLogger(__name__)

PREVIEW_ROWS = 50  # rows shown to the officer
GUESS_ROWS = 500  # rows the mapping guess looks at: more text gives a steadier guess
FILE_FILTER = ("Survey exports (*.csv *.tsv *.tab *.txt *.xlsx *.json);;CSV (*.csv *.txt);;"
               "TSV (*.tsv *.tab);;Excel workbook (*.xlsx);;JSON (*.json);;All files (*)")
EXCEL_SUFFIXES = {".xlsx", ".xlsm"}
ERROR_STYLE = "color: #b00020;"
NOTE_STYLE = "color: palette(placeholder-text);"


@dataclass
class ImportChoices:
    """What the officer chose on each page; the run page hands it to the core."""

    project_path: Path
    path: Path | None = None
    sheet: str | None = None
    table: Table | None = None          # without its heading rows, columns named by them
    raw_table: Table | None = None      # as read: row 1 the names, every other row data
    header_info: HeaderInfo | None = None
    consultation: str = ""
    keep_original: bool = False
    mapping: ColumnMapping | None = None
    save_mapping: bool = True
    existing: list[dict] = field(default_factory=list)
    report: ImportReport | None = None


def consultation_from_file(path: Path) -> str:
    """A readable default name: 'big_ask_2013.csv' → 'Big ask 2013'."""
    name = " ".join(path.stem.replace("_", " ").replace("-", " ").split())
    if name and name == name.lower():
        name = name[0].upper() + name[1:]
    return name or "Consultation"


def read_consultations(project_path: Path) -> list[dict]:
    with Project.open(project_path) as project:
        return project.consultations()


def read_saved_mapping(project_path: Path, columns: list[str]) -> ColumnMapping | None:
    with Project.open(project_path) as project:
        saved = project.saved_mapping(ColumnMapping.signature(columns))
    return ColumnMapping.from_json(saved) if saved else None


def _note(text: str = "", style: str = NOTE_STYLE) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(style)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


def _stacked(*items) -> QVBoxLayout:
    """A field with its notes right under it (a hidden note takes no room)."""
    box = QVBoxLayout()
    box.setSpacing(3)
    for item in items:
        if isinstance(item, QWidget):
            box.addWidget(item)
        else:
            box.addLayout(item)
    return box


class FilePage(QWizardPage):
    """Page 1: the file (and sheet), the consultation it belongs to, and personal data."""

    def __init__(self, choices: ImportChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices = choices
        self._loaded: tuple[str, str | None] | None = None
        self._name_edited = False
        self.setTitle("Choose the file to import")
        self.setSubTitle("A survey export as CSV, TSV, Excel (XLSX) or JSON: one row per "
                         "respondent, or one row per answer. Nothing is imported until the "
                         "last step.")
        self._build()
        self._reload_timer = QTimer(self, singleShot=True, interval=400)
        self._reload_timer.timeout.connect(self.load)

    def _build(self) -> None:
        self.path_edit = QLineEdit()
        self.path_edit.setPlaceholderText("Path of a CSV, TSV, XLSX or JSON file")
        self.path_edit.setAccessibleName("File to import")
        self.path_edit.textChanged.connect(self._path_typed)
        self.path_edit.editingFinished.connect(self._load_if_changed)
        self.browse_button = QPushButton("&Browse…")
        self.browse_button.setAccessibleName("Browse for a file")
        self.browse_button.clicked.connect(self.browse)
        self.error_label = _note(style=ERROR_STYLE)
        self.error_label.setAccessibleName("Problem with the file")
        self.error_label.hide()
        self.info_label = _note()
        self.sheet_combo = QComboBox()
        self.sheet_combo.setAccessibleName("Sheet of the workbook")
        self.sheet_combo.currentIndexChanged.connect(self._sheet_chosen)
        self.sheet_label = QLabel("&Sheet:")
        self.sheet_label.setBuddy(self.sheet_combo)
        self.consultation_combo = QComboBox()
        self.consultation_combo.setEditable(True)
        self.consultation_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.consultation_combo.setAccessibleName("Consultation")
        self.consultation_combo.lineEdit().setAccessibleName("Consultation name")
        self.consultation_combo.lineEdit().textEdited.connect(self._name_typed)
        self.consultation_combo.activated.connect(self._name_typed)
        self.consultation_combo.currentTextChanged.connect(self._name_changed)
        self.consultation_hint = _note()
        self.keep_original = QCheckBox("Keep &unmasked originals")
        self.keep_original.setAccessibleName("Keep unmasked originals")
        keep_hint = _note(
            "Personal data is masked when comments are imported: e-mail addresses, phone numbers, NHS numbers, "
            "full postcodes and titled names such as “Dr Patel” are replaced in every comment, "
            "and the report says what was masked. Tick this only if you need the unmasked "
            "text kept in the project file as well.")
        self.keep_original.setAccessibleDescription(keep_hint.text())

        file_label = QLabel("&File:")
        file_label.setBuddy(self.path_edit)
        consultation_label = QLabel("C&onsultation:")
        consultation_label.setBuddy(self.consultation_combo)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path_edit, 1)
        file_row.addWidget(self.browse_button)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(14)
        form.addRow(file_label, _stacked(file_row, self.error_label, self.info_label))
        form.addRow(self.sheet_label, self.sheet_combo)
        form.addRow(consultation_label,
                    _stacked(self.consultation_combo, self.consultation_hint))
        self._form = form
        self._show_sheets(False)
        privacy = QGroupBox("Personal data")
        privacy_layout = QVBoxLayout(privacy)
        privacy_layout.addWidget(keep_hint)
        privacy_layout.addWidget(self.keep_original)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addSpacing(12)
        layout.addWidget(privacy)
        layout.addStretch(1)

    # ----- wizard hooks ---------------------------------------------------------------------
    def initializePage(self) -> None:
        try:
            self.choices.existing = read_consultations(self.choices.project_path)
        except EngageError as exc:
            self.choices.existing = []
            self._show_error(str(exc))
        current = self.consultation_combo.currentText()
        with QSignalBlocker(self.consultation_combo):
            self.consultation_combo.clear()
            self.consultation_combo.addItems([c["name"] for c in self.choices.existing])
            self.consultation_combo.setEditText(current)
        self._name_changed(current)
        self.path_edit.setFocus()

    def isComplete(self) -> bool:
        return (self.choices.table is not None and self._loaded == self._wanted()
                and bool(self.consultation_combo.currentText().strip()))

    def validatePage(self) -> bool:
        self.choices.consultation = self.consultation_combo.currentText().strip()
        self.choices.keep_original = self.keep_original.isChecked()
        return self.isComplete()

    # ----- choosing and reading the file ------------------------------------------------------
    def browse(self) -> None:
        folder = Settings.load().last_import_folder or str(self.choices.project_path.parent)
        chosen, _ = QFileDialog.getOpenFileName(self, "Import a survey export", folder,
                                                FILE_FILTER)
        if chosen:
            self.set_path(chosen)

    def set_path(self, path: str | Path) -> None:
        """Put a path in the field and read it now (what Browse and the tests do)."""
        with QSignalBlocker(self.path_edit):
            self.path_edit.setText(str(path))
        self.load()

    def _wanted(self) -> tuple[str, str | None]:
        return self.path_edit.text().strip(), self.sheet_combo.currentText() or None

    def _path_typed(self) -> None:
        self.completeChanged.emit()
        self._reload_timer.start()

    def _load_if_changed(self) -> None:
        if self._loaded is None or self._loaded[0] != self.path_edit.text().strip():
            self.load()

    def _sheet_chosen(self) -> None:
        if self._loaded is not None and self._loaded != self._wanted():
            self.load(keep_sheets=True)

    def load(self, keep_sheets: bool = False) -> None:
        """Read a preview of the file; a problem becomes one red line and blocks Next."""
        self._reload_timer.stop()
        text = self.path_edit.text().strip()
        self.choices.table = None
        self._loaded = None
        if not text:
            self._show_error("")
            self.info_label.clear()
            self.completeChanged.emit()
            return
        path = Path(text).expanduser()
        try:
            if not path.is_file():
                raise EngageError(f"{path}: no such file" if not path.exists()
                                  else f"{path}: is a folder, not a file")
            if not keep_sheets:  # a new file: let the reader pick the first sheet with data
                self._fill_sheets(path)
            sheet = (self.sheet_combo.currentText() or None) if keep_sheets else None
            table = read_table(path, sheet=sheet, limit=GUESS_ROWS)
            if table.sheet and not keep_sheets:
                with QSignalBlocker(self.sheet_combo):
                    self.sheet_combo.setCurrentText(table.sheet)
                sheet = self.sheet_combo.currentText() or None
            if not table.columns:
                raise EngageError(f"{path.name}: no columns found")
        except EngageError as exc:
            self._show_error(str(exc))
        except Exception as exc:  # noqa: BLE001 - a reader slip must not become a traceback
            log.exception("reading %s failed", path)
            self._show_error(f"{path.name}: cannot be read ({exc.__class__.__name__}: {exc})")
        else:
            self._accept(path, sheet, table)
        self.completeChanged.emit()

    def _prepared(self, table: Table) -> Table:
        prepared, info = prepare_table(table)
        self.choices.raw_table, self.choices.header_info = table, info
        return prepared

    def _fill_sheets(self, path: Path) -> None:
        is_excel = path.suffix.lower() in EXCEL_SUFFIXES
        with QSignalBlocker(self.sheet_combo):
            self.sheet_combo.clear()
            if is_excel:
                self.sheet_combo.addItems(sheet_names(path))
        self._show_sheets(is_excel)

    def _show_sheets(self, visible: bool) -> None:
        self._form.setRowVisible(self.sheet_combo, visible)

    def _accept(self, path: Path, sheet: str | None, raw: Table) -> None:
        table = self._prepared(raw)
        self.choices.path, self.choices.sheet, self.choices.table = path, sheet, table
        self._loaded = (self.path_edit.text().strip(), sheet)
        self._show_error("")
        shown = min(len(table.rows), PREVIEW_ROWS)
        rows = f"{table.total_rows:,} rows, " if table.total_rows is not None else ""
        found = self.choices.header_info.summary()
        self.info_label.setText(f"{found}. {rows}{len(table.columns)} columns; the next page "
                                f"previews the first {shown} rows.")
        if not self._name_edited:
            self._suggest_name(path)
        settings = Settings.load()
        settings.last_import_folder = str(path.parent.resolve())
        with contextlib.suppress(OSError):
            settings.save()

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))
        if message:
            self.info_label.clear()

    # ----- consultation -------------------------------------------------------------------
    def _suggest_name(self, path: Path) -> None:
        name = consultation_from_file(path)
        for existing in self.choices.existing:
            if existing["name"].casefold() == name.casefold():
                name = existing["name"]
        self.consultation_combo.setEditText(name)

    def _name_typed(self, *_args) -> None:
        self._name_edited = True

    def _name_changed(self, text: str) -> None:
        name = text.strip()
        match = next((c for c in self.choices.existing if c["name"] == name), None)
        if not name:
            self.consultation_hint.setText("Give the consultation a name.")
        elif match:
            self.consultation_hint.setText(
                f"Adds to the existing consultation ({match['respondents']:,} respondents, "
                f"{match['comments']:,} comments). Respondents already in it are matched on "
                "their id, not added twice.")
        else:
            self.consultation_hint.setText("A new consultation of that name will be created.")
        self.completeChanged.emit()


class ColumnsPage(QWizardPage):
    """Page 2: preview of the first rows and the role of every column."""

    def __init__(self, choices: ImportChoices, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.choices = choices
        self._table_shown: Table | None = None
        self._problem = ""
        self.setTitle("Say what each column holds")
        self.setSubTitle("Comment columns (highlighted) hold the answers: each non-empty cell "
                         "becomes one comment. Personal identifiers are left out and hidden. "
                         "Hover over a role to see why it was chosen.")
        self.model = PreviewModel(self)
        self.model.roles_changed.connect(self._check)
        self._build()

    def _build(self) -> None:
        self.source_note = _note()
        self.found_note = QLabel()
        self.found_note.setWordWrap(True)
        self.found_note.setAccessibleName("What Engage found in the file")
        self.found_note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.header_spin = QSpinBox()
        self.header_spin.setRange(1, MAX_EXTRA_HEADER_ROWS + 1)
        self.header_spin.setAccessibleName("Header rows at the top of the file")
        self.header_spin.lineEdit().setAccessibleName("Header rows at the top of the file")
        self.header_spin.setToolTip("How many rows at the top are headings, not answers. "
                                    "Engage finds them from their content; change it if it is "
                                    "wrong.")
        self.header_spin.valueChanged.connect(self._header_rows_changed)
        header_label = QLabel("&Header rows:")
        header_label.setBuddy(self.header_spin)
        header_row = QHBoxLayout()
        header_row.addWidget(header_label)
        header_row.addWidget(self.header_spin)
        header_row.addWidget(self.found_note, 1)
        self.mapping_list = MappingList(self.model)
        self.mapping_list.column_focused.connect(self._show_column)
        self.preview = QTableView()
        self.preview.setModel(self.model)
        self.preview.setAccessibleName("Preview of the first rows")
        self.preview.setWordWrap(False)
        self.preview.setTabKeyNavigation(False)
        self.preview.setAlternatingRowColors(True)
        self.preview.setHorizontalScrollMode(QTableView.ScrollMode.ScrollPerPixel)
        self.preview.verticalHeader().setDefaultSectionSize(
            self.preview.fontMetrics().height() + 8)
        header = self.preview.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.sectionClicked.connect(self._header_clicked)
        list_box = QWidget()
        list_layout = QVBoxLayout(list_box)
        list_layout.setContentsMargins(0, 0, 0, 0)
        list_title = QLabel("&Columns and their roles")
        self.list_title = list_title
        list_layout.addWidget(list_title)
        list_layout.addWidget(self.mapping_list)
        preview_box = QWidget()
        preview_layout = QVBoxLayout(preview_box)
        preview_layout.setContentsMargins(0, 0, 0, 0)
        self.preview_title = QLabel("&Preview")
        self.preview_title.setBuddy(self.preview)
        preview_layout.addWidget(self.preview_title)
        preview_layout.addWidget(self.preview)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(list_box)
        splitter.addWidget(preview_box)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([380, 620])
        splitter.setChildrenCollapsible(False)
        self.error_label = _note(style=ERROR_STYLE)
        self.error_label.setAccessibleName("Problem with the mapping")
        self.save_check = QCheckBox("&Save this mapping for the next export of this survey")
        self.save_check.setChecked(True)
        self.save_check.setAccessibleName("Save this mapping for the next export of this survey")
        layout = QVBoxLayout(self)
        layout.addLayout(header_row)
        layout.addWidget(self.source_note)
        layout.addWidget(splitter, 1)
        layout.addWidget(self.error_label)
        layout.addWidget(self.save_check)

    # ----- wizard hooks -------------------------------------------------------------------
    def initializePage(self) -> None:
        table = self.choices.table
        if table is None or table is self._table_shown:
            return  # coming back to the same file keeps the officer's choices
        self._table_shown = table
        info = self.choices.header_info
        with QSignalBlocker(self.header_spin):
            self.header_spin.setValue(info.rows if info else 1)
        self._show_table(table)

    def _header_rows_changed(self, rows: int) -> None:
        """The officer says how many heading rows there are: re-read names and roles."""
        raw = self.choices.raw_table
        if raw is None or rows - 1 >= len(raw.rows):
            return
        table, info = prepare_table(raw, header_rows=rows)
        self.choices.table, self.choices.header_info = table, info
        self._table_shown = table
        self._show_table(table)

    def _show_table(self, table: Table) -> None:
        mapping, note, reason = self._starting_mapping(table)
        shown = table.rows[:PREVIEW_ROWS]
        self.model.set_preview(table.columns, shown,
                               [table.row_number(i) for i in range(len(shown))], mapping,
                               default_reason=reason)
        self.source_note.setText(note)
        self._keyboard_order()
        self.preview_title.setText(f"&Preview of the first {len(shown)} rows "
                                   f"(row numbers as in the file)")
        self._size_columns()
        comments = self.model.comment_columns()
        if comments:  # the columns that matter most, in view once the page is laid out
            QTimer.singleShot(0, self, lambda: (self._show_column(comments[-1]),
                                                self._show_column(comments[0])))
        self._check()

    def isComplete(self) -> bool:
        return bool(self.model.comment_columns()) and not self._problem

    def validatePage(self) -> bool:
        self.choices.mapping = self.model.mapping()
        self.choices.save_mapping = self.save_check.isChecked()
        return self.isComplete()

    # ----- helpers --------------------------------------------------------------------------
    def _starting_mapping(self, table: Table) -> tuple[ColumnMapping, str, str]:
        try:
            saved = read_saved_mapping(self.choices.project_path, table.columns)
        except (EngageError, ValueError, KeyError, TypeError) as exc:
            log.warning("saved mapping not usable: %s", exc)
            saved = None
        if saved is not None:
            return (saved, "These roles come from the mapping you saved when you last "
                           "imported an export of this survey. Check them before you go on.",
                    "saved from your last import of this survey")
        return (guess_mapping(table), "Engage guessed these roles from the column names and "
                                      "contents. Check them before you go on.", "")

    def _size_columns(self) -> None:
        """Room for each heading (names are shortened to fit) and more for comments."""
        header = self.preview.horizontalHeader()
        font = QFont(header.font())
        font.setBold(True)
        metrics = QFontMetrics(font)
        for col in range(self.model.columnCount()):
            title = str(self.model.headerData(col, Qt.Orientation.Horizontal))
            needed = max(metrics.horizontalAdvance(line) for line in title.splitlines()) + 24
            wide = self.model.role(self.model.columns[col]) == COMMENT_ROLE
            header.resizeSection(col, max(340 if wide else 90, needed))

    def _keyboard_order(self) -> None:
        """Tab runs down the roles, then the preview and the checkbox; Alt+C starts it."""
        combos = [self.mapping_list.combo(c) for c in self.model.columns]
        if not combos:
            return
        self.list_title.setBuddy(combos[0])
        chain = [*combos, self.preview, self.save_check]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)
        comments = self.model.comment_columns()  # start where a check matters most
        start = self.mapping_list.combo(comments[0]) if comments else combos[0]
        QTimer.singleShot(0, start, lambda: start.setFocus())

    def _show_column(self, column: str) -> None:
        if column in self.model.columns and self.model.rowCount():
            first_row = self.preview.rowAt(0) if self.preview.rowAt(0) >= 0 else 0
            self.preview.scrollTo(self.model.index(first_row, self.model.columns.index(column)))

    def _header_clicked(self, section: int) -> None:
        columns = self.model.columns
        if 0 <= section < len(columns):
            self.mapping_list.combo(columns[section]).setFocus()

    def _check(self) -> None:
        problem = ""
        if self.choices.table is not None and self.model.columns:
            if not self.model.comment_columns():
                problem = ("Choose at least one comment column: the open-question answers "
                           "to analyse.")
            else:
                try:
                    self.model.mapping().validate(self.choices.table)
                except MappingError as exc:
                    problem = str(exc)
        self._problem = problem
        if self.model.columns:
            found = describe(self.choices.header_info, self.model.mapping())
            self.found_note.setText("<b>Found:</b> " + html.escape(found[0]) + "<br>"
                                    + html.escape(found[1][0].upper() + found[1][1:]))
        self.error_label.setText(problem)
        self.error_label.setVisible(bool(problem))
        self.completeChanged.emit()
