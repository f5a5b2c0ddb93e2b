"""Small dialogs for theme work: name a theme (with portfolio and seed terms), confirm."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QWidget,
)


def split_terms(text: str) -> list[str]:
    """'wait, waiting list ,, queue' -> ['wait', 'waiting list', 'queue']."""
    return list(dict.fromkeys(t.strip() for t in text.split(",") if t.strip()))


class ThemeDialog(QDialog):
    """Name, portfolio and (optionally) seed terms for a new or edited theme."""

    def __init__(self, title: str, portfolios: list[dict], parent: QWidget | None = None, *,
                 name: str = "", portfolio_id: int | None = None,
                 seed_terms: list[str] | None = None, note: str = "",
                 check: str = "", checked: bool = True, ok_text: str = "OK") -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        form = QFormLayout(self)
        if note:
            label = QLabel(note, self)
            label.setWordWrap(True)
            form.addRow(label)
        self.name = QLineEdit(name, self)
        self.name.setAccessibleName("Theme name")
        form.addRow("&Name:", self.name)
        self.portfolio = QComboBox(self)
        self.portfolio.setAccessibleName("Portfolio")
        for p in portfolios:
            self.portfolio.addItem(p["name"], p["id"])
        if portfolio_id is not None:
            self.portfolio.setCurrentIndex(max(0, self.portfolio.findData(portfolio_id)))
        form.addRow("&Portfolio:", self.portfolio)
        self.seeds: QLineEdit | None = None
        if seed_terms is not None:
            self.seeds = QLineEdit(", ".join(seed_terms), self)
            self.seeds.setAccessibleName("Seed terms")
            self.seeds.setToolTip("Words and phrases that suggest this theme, separated by "
                                  "commas. The analysis matches them on word stems.")
            form.addRow("&Seed terms:", self.seeds)
        self.check: QCheckBox | None = None
        if check:
            self.check = QCheckBox(check, self)
            self.check.setChecked(checked)
            form.addRow(self.check)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        form.addRow(self.buttons)
        self.name.textChanged.connect(self._validate)
        self._validate()
        self.resize(460, self.sizeHint().height())

    def _validate(self) -> None:
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setEnabled(bool(self.name.text().strip()))

    def values(self) -> tuple[str, int | None, list[str], bool]:
        """(name, portfolio id, seed terms, checkbox)."""
        return (self.name.text().strip(), self.portfolio.currentData(),
                split_terms(self.seeds.text()) if self.seeds is not None else [],
                self.check.isChecked() if self.check is not None else False)


def confirm(parent: QWidget | None, title: str, text: str, button: str) -> bool:
    """Ask before something that cannot be undone; the safe answer is the default."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Cancel,
                      parent)
    go = box.addButton(button, QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)
    box.exec()
    return box.clickedButton() is go
