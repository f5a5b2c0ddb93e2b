"""Small editing widgets the co-production dialogs share.

- `CheckList`: a list of choices with check boxes (places, portfolios, groups, consultations).
- `NamesEdit`: names separated by semicolons, with completion from known names.
- `OptionalDate`: a date that may be left empty (ISO text in and out).
- `ErrorLabel`: the one-line message a dialog shows instead of closing when the core refuses.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QCompleter,
    QDateEdit,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QWidget,
)


class CheckList(QListWidget):
    """Choices with check boxes; each item carries a value (an id or a name)."""

    def __init__(self, parent=None, accessible_name: str = "") -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setUniformItemSizes(True)

    def set_choices(self, choices: Iterable[tuple[object, str]], checked: Iterable = (),
                    indent: dict | None = None) -> None:
        wanted = set(checked)
        self.clear()
        for value, label in choices:
            prefix = "   " * (indent or {}).get(value, 0)
            item = QListWidgetItem(prefix + label, self)
            item.setData(Qt.ItemDataRole.UserRole, value)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if value in wanted
                               else Qt.CheckState.Unchecked)

    def add_heading(self, text: str) -> None:
        """A bold, uncheckable line that groups the choices below it."""
        item = QListWidgetItem(text, self)
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)

    def add_choice(self, value: object, label: str, checked: bool = True) -> None:
        item = QListWidgetItem(label, self)
        item.setData(Qt.ItemDataRole.UserRole, value)
        item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)

    def checked_values(self) -> list:
        return [self.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.count())
                if self.item(i).flags() & Qt.ItemFlag.ItemIsUserCheckable
                and self.item(i).checkState() == Qt.CheckState.Checked]

    def set_checked(self, value: object, checked: bool = True) -> None:
        for i in range(self.count()):
            if self.item(i).data(Qt.ItemDataRole.UserRole) == value:
                self.item(i).setCheckState(Qt.CheckState.Checked if checked
                                           else Qt.CheckState.Unchecked)


class NamesEdit(QLineEdit):
    """Several names in one line, separated by ';', completing the name being typed."""

    SEPARATOR = "; "

    def __init__(self, known: Sequence[str] = (), parent=None, accessible_name: str = "") -> None:
        super().__init__(parent)
        self.setAccessibleName(accessible_name)
        self.setPlaceholderText("names separated by ;")
        self._completer = QCompleter(list(known), self)
        self._completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self._completer.setFilterMode(Qt.MatchFlag.MatchContains)
        self._completer.setWidget(self)
        self._completer.activated.connect(self._insert)
        self.textEdited.connect(self._complete)

    def set_known(self, known: Sequence[str]) -> None:
        self._completer.model().setStringList(list(known))

    def names(self) -> list[str]:
        return [part.strip() for part in self.text().split(";") if part.strip()]

    def set_names(self, names: Iterable[str]) -> None:
        self.setText(self.SEPARATOR.join(names))

    def _current_fragment(self) -> str:
        return self.text().split(";")[-1].strip()

    def _complete(self, _text: str) -> None:
        fragment = self._current_fragment()
        if len(fragment) < 2:
            self._completer.popup().hide()
            return
        self._completer.setCompletionPrefix(fragment)
        self._completer.complete()

    def _insert(self, name: str) -> None:
        parts = self.text().split(";")[:-1]
        self.setText(self.SEPARATOR.join([p.strip() for p in parts if p.strip()] + [name])
                     + self.SEPARATOR)


class OptionalDate(QWidget):
    """A date with a check box: unchecked means 'no date'."""

    def __init__(self, parent=None, accessible_name: str = "") -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.enabled = QCheckBox(self)
        self.enabled.setAccessibleName(f"{accessible_name} given")
        self.edit = QDateEdit(self)
        self.edit.setAccessibleName(accessible_name)
        self.edit.setCalendarPopup(True)
        self.edit.setDisplayFormat("dd MMM yyyy")
        self.edit.setDate(QDate.currentDate())
        self.edit.setEnabled(False)
        self.enabled.toggled.connect(self.edit.setEnabled)
        layout.addWidget(self.enabled)
        layout.addWidget(self.edit, 1)

    def set_iso(self, value: str | None) -> None:
        date = QDate.fromString(value or "", "yyyy-MM-dd")
        self.enabled.setChecked(date.isValid())
        if date.isValid():
            self.edit.setDate(date)

    def iso(self) -> str | None:
        return self.edit.date().toString("yyyy-MM-dd") if self.enabled.isChecked() else None


class ErrorLabel(QLabel):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAccessibleName("Problem")
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.WindowText, QColor("#c92a2a"))
        self.setPalette(palette)
        self.hide()

    def show_message(self, message: str) -> None:
        self.setText(message)
        self.setVisible(bool(message))
