"""Who is coding: the officer's name, asked once, kept in settings, written on every decision.

The name is the audit table's "who" (and the `decided_by` of every coding, so reports and
exports carry it). The window publishes it as ENGAGE_OFFICER, the variable the core and the
CLI read (`engage.project.default_user`), so every connection the app opens — its own and
each worker's — records the same name.
"""

from __future__ import annotations

import html
import os
import sys

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QInputDialog, QLabel, QLineEdit, QWidget

from engage.project import OFFICER_ENV, default_user


def effective_name(saved: str) -> str:
    """The saved name, else what the environment says (ENGAGE_OFFICER, then the login)."""
    return saved.strip() or default_user()


def publish(name: str) -> None:
    """Make `name` the user of every project connection this process opens from now on."""
    if name.strip():
        os.environ[OFFICER_ENV] = name.strip()


def ask_officer_name(parent: QWidget | None, current: str) -> str | None:
    """Ask for the officer's name (pre-filled); None if the officer cancelled."""
    name, ok = QInputDialog.getText(
        parent, "Officer name",
        "Your name, as it should appear beside every coding decision in the audit trail, "
        "reports and exports:", QLineEdit.EchoMode.Normal, current)
    name = " ".join(name.split())
    return name if ok and name else None


class OfficerName(QObject):
    """The window's officer: a status-bar label, an Edit menu action, and asking once.

    `window` needs `settings` (engage.settings.Settings), `project` and `statusBar()`.
    """

    def __init__(self, window) -> None:
        super().__init__(window)
        self.window = window
        self._asked = False
        publish(window.settings.officer_name)
        self.label = QLabel(window)
        self.label.setAccessibleName("Officer name")
        self.label.setToolTip("Every decision is recorded with this name "
                              "(Edit → Officer Name… to change it)")
        self.label.linkActivated.connect(lambda _link: self.change())
        self.action = QAction("Officer &Name…", window)
        self.action.setStatusTip("The name recorded beside your decisions")
        self.action.triggered.connect(lambda _checked=False: self.change())
        self._show()

    def name(self) -> str:
        return effective_name(self.window.settings.officer_name)

    def ensure(self) -> None:
        """Ask once for the name decisions are recorded with (first import or coding)."""
        if self.window.settings.officer_name.strip() or self._asked:
            return
        self._asked = True
        self.change()

    def change(self) -> None:
        # looked up on the module each time, so tests can answer the dialog
        name = sys.modules[__name__].ask_officer_name(self.window, self.name())
        if name is None:
            return
        settings = self.window.settings
        settings.officer_name = name
        settings.save()
        publish(name)
        if self.window.project is not None:
            self.window.project.user = name
        self._show()
        self.window.statusBar().showMessage(f"Your decisions are now recorded as {name}.", 5000)

    def _show(self) -> None:
        self.label.setText(f"Officer: <a href='name'>{html.escape(self.name())}</a>")
