"""The import wizard's column mapping: a preview model and the list of role choosers.

`PreviewModel` shows the first rows of a file, each column headed by its role, and holds the
officer's choice of role per column, so the preview, the role combo boxes (`MappingList`) and
the mapping handed to the core all read one source of truth. Neither reads files or the
project: the wizard gives them an already-read table.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSignalBlocker,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont
from PySide6.QtWidgets import QComboBox, QGridLayout, QLabel, QScrollArea, QWidget

from engage.importing.layout import metadata_kind
from engage.importing.mapping import ROLE_LABELS, ROLES, ColumnMapping
from engage.importing.pii import mask_personal_data

COMMENT_ROLE = "comment"
IGNORE_ROLE = "ignore"
_DISPLAY_CHARS = 160  # the view elides anyway; long survey answers would only cost time
_TOOLTIP_CHARS = 1200
_HEADING_CHARS = {True: 44, False: 26}  # comment columns are given more room
_COMMENT_BACKGROUND = QColor("#fff2c4")  # warm highlight, readable with dark text
_COMMENT_FOREGROUND = QColor("#1c1c1c")
HIGHLIGHT_STYLE = "background: #fff2c4; color: #1c1c1c; font-weight: bold; padding: 2px;"
HIDDEN_TEXT = "(hidden: personal data)"

AnyIndex = QModelIndex | QPersistentModelIndex


def role_label(role: str) -> str:
    return ROLE_LABELS.get(role, role.replace("_", " ").capitalize())


def shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"


def role_choices() -> list[tuple[str, str]]:
    """(role, label) pairs in the order the core lists them, for combo boxes."""
    return [(role, role_label(role)) for role in ROLES]


class PreviewModel(QAbstractTableModel):
    """First rows of the file to import, with the role chosen for each column."""

    roles_changed = Signal()

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._columns: list[str] = []
        self._rows: list[list[str]] = []
        self._row_numbers: list[int] = []
        self._roles: dict[str, str] = {}
        self._guessed: dict[str, str] = {}
        self._reasons: dict[str, str] = {}

    # ----- loading ------------------------------------------------------------------------
    def set_preview(self, columns: Sequence[str], rows: Sequence[Sequence[str]],
                    row_numbers: Sequence[int], mapping: ColumnMapping,
                    default_reason: str = "") -> None:
        """Show new rows and start from `mapping` (saved or guessed) for every column."""
        self.beginResetModel()
        self._columns = list(columns)
        reasons = getattr(mapping, "reasons", None) or {}
        hidden = [metadata_kind(c) == "personal"
                  or str(reasons.get(c, "")).startswith("Personal identifier") for c in columns]
        # Shown as it will be stored: identifiers hidden, personal data in free text masked.
        self._rows = [[HIDDEN_TEXT if hide and value.strip() else mask_personal_data(value)[0]
                       for value, hide in zip(r, hidden, strict=False)] for r in rows]
        self._row_numbers = list(row_numbers)
        self._roles = {c: mapping.roles.get(c, IGNORE_ROLE) for c in self._columns}
        self._guessed = dict(self._roles)
        self._reasons = {c: str(reasons.get(c) or default_reason) for c in self._columns}
        self.endResetModel()
        self.roles_changed.emit()

    # ----- the mapping ----------------------------------------------------------------------
    @property
    def columns(self) -> list[str]:
        return list(self._columns)

    def role(self, column: str) -> str:
        return self._roles.get(column, IGNORE_ROLE)

    def set_role(self, column: str, role: str) -> None:
        if column not in self._roles or role not in ROLES or self._roles[column] == role:
            return
        self._roles[column] = role
        col = self._columns.index(column)
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, col, col)
        if self._rows:
            self.dataChanged.emit(self.index(0, col), self.index(len(self._rows) - 1, col))
        self.roles_changed.emit()

    def mapping(self) -> ColumnMapping:
        return ColumnMapping(roles=dict(self._roles), reasons=dict(self._reasons))

    def comment_columns(self) -> list[str]:
        return [c for c in self._columns if self._roles[c] == COMMENT_ROLE]

    def explanation(self, column: str) -> str:
        """Why this column has its role: the guess's reason, or that the officer chose it."""
        guessed, now = self._guessed.get(column, IGNORE_ROLE), self.role(column)
        reason = self._reasons.get(column, "")
        guess = f"Engage suggested “{role_label(guessed)}”" + (f": {reason}" if reason else "")
        if now == guessed:
            return guess
        return f"You chose “{role_label(now)}”. {guess}"

    # ----- Qt model -------------------------------------------------------------------------
    def rowCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: AnyIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._columns)

    def data(self, index: AnyIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if row >= len(self._rows) or col >= len(self._columns):
            return None
        values = self._rows[row]
        text = values[col] if col < len(values) else ""
        if role == Qt.ItemDataRole.DisplayRole:
            flat = " ".join(text.split())
            return flat if len(flat) <= _DISPLAY_CHARS else flat[:_DISPLAY_CHARS] + "…"
        if role == Qt.ItemDataRole.ToolTipRole and text.strip():
            return text if len(text) <= _TOOLTIP_CHARS else text[:_TOOLTIP_CHARS] + "…"
        if self._roles[self._columns[col]] == COMMENT_ROLE:
            if role == Qt.ItemDataRole.BackgroundRole:
                return QBrush(_COMMENT_BACKGROUND)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QBrush(_COMMENT_FOREGROUND)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if orientation == Qt.Orientation.Vertical:
            if role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self._row_numbers):
                return str(self._row_numbers[section])
            if role == Qt.ItemDataRole.ToolTipRole and 0 <= section < len(self._row_numbers):
                return f"Row {self._row_numbers[section]} of the file"
            return None
        if not 0 <= section < len(self._columns):
            return None
        column = self._columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            name = shorten(column, _HEADING_CHARS[self._roles[column] == COMMENT_ROLE])
            return f"{name}\n[{role_label(self._roles[column])}]"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{column}\n{self.explanation(column)}"
        if role == Qt.ItemDataRole.FontRole and self._roles[column] == COMMENT_ROLE:
            font = QFont()
            font.setBold(True)
            return font
        return None

    def flags(self, index: AnyIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable


class _RoleCombo(QComboBox):
    """A role chooser that ignores the mouse wheel unless focused, so scrolling the list
    past it cannot change a column's role by accident; says when it gets the focus."""

    focused = Signal()

    def wheelEvent(self, event) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.focused.emit()


class MappingList(QScrollArea):
    """One row per file column: its name and a combo box of roles, tooltip saying why."""

    column_focused = Signal(str)

    def __init__(self, model: PreviewModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.setWidgetResizable(True)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setAccessibleName("Role of each column")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Tab goes straight to the combo boxes
        self._combos: dict[str, QComboBox] = {}
        self._labels: dict[str, QLabel] = {}
        model.roles_changed.connect(self.sync)
        model.modelReset.connect(self.rebuild)

    def combo(self, column: str) -> QComboBox:
        return self._combos[column]

    def rebuild(self) -> None:
        inner = QWidget()
        grid = QGridLayout(inner)
        grid.setColumnStretch(0, 1)
        grid.setVerticalSpacing(6)
        self._combos.clear()
        self._labels.clear()
        for row, column in enumerate(self.model.columns):
            label = QLabel(column)
            label.setWordWrap(True)
            label.setMinimumWidth(120)
            combo = _RoleCombo()
            combo.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            for role, text in role_choices():
                combo.addItem(text, role)
            combo.setCurrentIndex(max(0, combo.findData(self.model.role(column))))
            combo.setAccessibleName(f"Role of column {column}")
            combo.currentIndexChanged.connect(
                lambda _i, c=column, b=combo: self.model.set_role(c, b.currentData()))
            combo.focused.connect(lambda c=column: self.column_focused.emit(c))
            label.setBuddy(combo)
            grid.addWidget(label, row, 0)
            grid.addWidget(combo, row, 1, Qt.AlignmentFlag.AlignTop)
            self._combos[column], self._labels[column] = combo, label
        grid.setRowStretch(len(self.model.columns), 1)
        self.setWidget(inner)
        self.sync()

    def sync(self) -> None:
        for column, combo in self._combos.items():
            role = self.model.role(column)
            if combo.currentData() != role:
                with QSignalBlocker(combo):
                    combo.setCurrentIndex(max(0, combo.findData(role)))
            tip = self.model.explanation(column)
            combo.setToolTip(tip)
            combo.setAccessibleDescription(tip)
            label = self._labels[column]
            label.setToolTip(tip)
            label.setStyleSheet(HIGHLIGHT_STYLE if role == COMMENT_ROLE else "padding: 2px;")
