"""Choose a theme by typing: a few letters of the theme or its portfolio, Enter to choose.

Used for assigning a theme (Ctrl+T), choosing a merge target and a portfolio's theme. The list
filters as the officer types (case-insensitive, anywhere in the name or portfolio); Up/Down
move through it without leaving the text box.
"""

from __future__ import annotations

from PySide6.QtCore import QSortFilterProxyModel, Qt
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

THEME_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class _TypeAhead(QLineEdit):
    """A search box that hands Up/Down/PageUp/PageDown to the list below it."""

    def __init__(self, list_view: QListView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list_view = list_view

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        if event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_PageUp,
                           Qt.Key.Key_PageDown):
            self.list_view.keyPressEvent(event)
            return
        super().keyPressEvent(event)


class ThemePicker(QDialog):
    """`ThemePicker(themes).chosen()` after exec; or `ThemePicker.pick(parent, themes)`."""

    def __init__(self, themes: list[dict], title: str = "Add a theme",
                 prompt: str = "Type to find a theme; Enter to choose.",
                 parent: QWidget | None = None, exclude: set[int] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.model = QStandardItemModel(self)
        for theme in themes:
            if exclude and theme["id"] in exclude:
                continue
            item = QStandardItem(f"{theme['name']}  —  {theme['portfolio']}")
            item.setData(theme["id"], THEME_ID_ROLE)
            item.setEditable(False)
            self.model.appendRow(item)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.list_view = QListView(self)
        self.list_view.setModel(self.proxy)
        self.list_view.setAccessibleName("Themes")
        self.list_view.doubleClicked.connect(lambda _index: self.accept())
        self.search = _TypeAhead(self.list_view, self)
        self.search.setPlaceholderText("Theme or portfolio…")
        self.search.setAccessibleName("Find a theme")
        self.search.textChanged.connect(self._filter)
        self.search.returnPressed.connect(self.accept)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(prompt, self))
        layout.addWidget(self.search)
        layout.addWidget(self.list_view)
        layout.addWidget(buttons)
        self.resize(420, 420)
        self._filter("")

    def _filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        if self.proxy.rowCount():
            self.list_view.setCurrentIndex(self.proxy.index(0, 0))

    def chosen(self) -> int | None:
        index = self.list_view.currentIndex()
        return index.data(THEME_ID_ROLE) if index.isValid() else None

    def accept(self) -> None:
        if self.chosen() is not None:
            super().accept()

    @classmethod
    def pick(cls, parent: QWidget | None, themes: list[dict], title: str = "Add a theme",
             prompt: str = "Type to find a theme; Enter to choose.",
             exclude: set[int] | None = None) -> int | None:
        dialog = cls(themes, title, prompt, parent, exclude)
        dialog.search.setFocus()
        return dialog.chosen() if dialog.exec() == QDialog.DialogCode.Accepted else None
