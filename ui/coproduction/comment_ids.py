"""A field of comment ids that stays readable when "Fill from themes" puts 240 in it.

A few ids are typed and edited in the line as before. A long list shows as a count and its
first ids ("240 comments: 12, 15, 19, …"), with List… opening every id in a dialog to read or
edit, one per line. `text()` / `setText()` speak the same "12, 40 41" form either way.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

SHORT_LIST = 10   # ids shown in the line itself; more become a summary
PREVIEW = 5       # ids named in the summary


def summary(ids: list[str]) -> str:
    shown = ", ".join(ids[:PREVIEW])
    return f"{len(ids):,} comments: {shown}{', …' if len(ids) > PREVIEW else ''}"


class CommentIdsField(QWidget):
    def __init__(self, parent: QWidget | None, name: str) -> None:
        super().__init__(parent)
        self.name = name
        self._full: str | None = None   # the whole list while the line shows a summary
        self.edit = QLineEdit(self)
        self.edit.setAccessibleName(name)
        self.edit.setPlaceholderText("comment ids, e.g. 12, 40 41")
        self.list_button = QPushButton("&List…", self)
        self.list_button.setToolTip("See or edit every id, one per line")
        self.list_button.setAccessibleName(f"List {name.lower()}")
        self.list_button.clicked.connect(self.show_list)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.edit, 1)
        layout.addWidget(self.list_button)

    def text(self) -> str:
        return self._full if self._full is not None else self.edit.text()

    def setText(self, text: str) -> None:  # noqa: N802 - the QLineEdit name it stands in for
        ids = text.replace(",", " ").split()
        if len(ids) <= SHORT_LIST:
            self._full = None
            self.edit.setReadOnly(False)
            self.edit.setText(text)
            self.edit.setToolTip("")
        else:
            self._full = " ".join(ids)
            self.edit.setReadOnly(True)
            self.edit.setText(summary(ids))
            self.edit.setToolTip("Too many to edit in one line: List… shows them all")

    def count(self) -> int:
        return len(self.text().replace(",", " ").split())

    def show_list(self) -> None:
        dialog = IdListDialog(self.name, self.text(), self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.setText(dialog.text())


class IdListDialog(QDialog):
    def __init__(self, title: str, text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        ids = text.replace(",", " ").split()
        self.editor = QPlainTextEdit("\n".join(ids), self)
        self.editor.setAccessibleName(title)
        note = QLabel(f"{len(ids):,} comment ids, one per line. Add, remove or paste ids; "
                      "spaces and commas also separate them.", self)
        note.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.editor, 1)
        layout.addWidget(buttons)
        self.resize(360, 480)

    def text(self) -> str:
        return " ".join(self.editor.toPlainText().replace(",", " ").split())
