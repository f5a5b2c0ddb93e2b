"""File → Open Recent: the list kept in `engage.settings.Settings.recent_projects`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QMenu

from engage.settings import Settings


class RecentProjects:
    """Keeps the recent list in the settings and fills the menu each time it opens."""

    def __init__(self, settings: Settings, menu: QMenu, open_project: Callable[[str], object],
                 on_change: Callable[[], None], on_save_error: Callable[[str], None]) -> None:
        self.settings, self.menu = settings, menu
        self._open, self._on_change, self._on_save_error = open_project, on_change, on_save_error
        menu.aboutToShow.connect(self.fill_menu)

    def existing(self) -> list[str]:
        return [p for p in self.settings.recent_projects if Path(p).exists()]

    def folder(self) -> str:
        """Where file dialogs start: beside the last project, else the home folder."""
        recent = self.settings.recent_projects
        return str(Path(recent[0]).parent) if recent else str(Path.home())

    def add(self, path: str | Path) -> None:
        self.settings.add_recent(path)
        self._save()

    def forget(self, path: str | Path) -> None:
        name = str(Path(path).resolve())
        self.settings.recent_projects = [p for p in self.settings.recent_projects if p != name]
        self._save()
        self._on_change()

    def clear(self) -> None:
        self.settings.recent_projects = []
        self._save()
        self._on_change()

    def fill_menu(self) -> None:
        self.menu.clear()
        for path in self.settings.recent_projects:
            action = self.menu.addAction(Path(path).name)
            action.setToolTip(path)
            action.setStatusTip(path)
            action.setEnabled(Path(path).exists())
            action.triggered.connect(lambda _checked=False, p=path: self._open(p))
        if not self.settings.recent_projects:
            self.menu.addAction("No recent projects").setEnabled(False)
            return
        self.menu.addSeparator()
        self.menu.addAction("Clear Recent Projects").triggered.connect(self.clear)

    def _save(self) -> None:
        try:
            self.settings.save()
        except OSError as exc:  # settings are a convenience; never stop work for them
            self._on_save_error(f"Could not save settings: {exc}")
