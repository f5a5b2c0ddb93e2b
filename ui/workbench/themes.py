"""The theme manager: rename, move to another portfolio, merge and split themes.

Rename, move and split are undoable (one command each on the session's stack); a merge is
not — it deletes a theme and moves its co-production links — so it asks first and then
clears the undo history, whose older steps may refer to the merged theme. Split moves the
comments selected in the coding list, so "select, then split" works across the two views.
Comment counts follow the active-coding rule and are read off the GUI thread.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engage.analysis import store, workbench_store
from engage.browse import CommentFilter
from engage.changes import Changes
from engage.project import Project
from ui.tasks import TaskRunner
from ui.workbench.coding_actions import split
from ui.workbench.session import CodingSession
from ui.workbench.theme_dialogs import ThemeDialog, confirm
from ui.workbench.theme_picker import ThemePicker

THEME_ID_ROLE = Qt.ItemDataRole.UserRole + 1
COLUMNS = ("Theme", "Portfolio", "Comments", "Seed terms", "Origin")
THEME, PORTFOLIO, COMMENTS, SEEDS, ORIGIN = range(len(COLUMNS))
_ORIGINS = {"default": "Dorset default", "officer": "added by an officer",
            "topic": "from a discovered topic"}


def _sizes(path, _progress, _cancelled) -> dict[int, int]:
    with Project.open(path) as project:
        return workbench_store.theme_sizes(project)


class ThemesModel(QAbstractTableModel):
    """Every theme with its portfolio, size (filled in when counted) and seed terms."""

    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self._rows: list[dict] = []
        self._sizes: dict[int, int] | None = None

    def set_themes(self, themes: list[dict]) -> None:
        self.beginResetModel()
        self._rows = themes
        self.endResetModel()

    def set_sizes(self, sizes: dict[int, int] | None) -> None:
        self._sizes = sizes
        if self._rows:
            self.dataChanged.emit(self.index(0, COMMENTS), self.index(len(self._rows) - 1,
                                                                       COMMENTS))

    def theme(self, row: int) -> dict | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, theme_id: int) -> int:
        return next((i for i, t in enumerate(self._rows) if t["id"] == theme_id), -1)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole):
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(COLUMNS)):
            return COLUMNS[section]
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole):
        theme = self.theme(index.row()) if index.isValid() else None
        if theme is None or not 0 <= index.column() < len(COLUMNS):
            return None
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            if column == THEME:
                return theme["name"]
            if column == PORTFOLIO:
                return theme["portfolio"]
            if column == COMMENTS:
                return "…" if self._sizes is None else f"{self._sizes.get(theme['id'], 0):,}"
            if column == SEEDS:
                return ", ".join(theme["seed_terms"][:8])
            return _ORIGINS.get(theme["origin"], theme["origin"] or "")
        if role == THEME_ID_ROLE:
            return theme["id"]
        if role == Qt.ItemDataRole.ToolTipRole and column in (THEME, SEEDS):
            return theme["description"] or ", ".join(theme["seed_terms"]) or None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == COMMENTS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None


class ThemeManager(QWidget):
    comments_requested = Signal(object)  # CommentFilter for one theme

    def __init__(self, session: CodingSession, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self._dirty = True
        # Dialog hooks, replaceable in tests.
        self.ask_text = lambda title, label, text: QInputDialog.getText(self, title, label,
                                                                         text=text)
        self.ask_item = lambda title, label, items, current: QInputDialog.getItem(
            self, title, label, items, current, False)
        self.pick_theme = ThemePicker.pick
        self.confirm = confirm
        self.exec_dialog = lambda dialog: dialog.exec() == QDialog.DialogCode.Accepted
        self.model = ThemesModel(self)
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setAccessibleName("Themes")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(SEEDS, QHeaderView.ResizeMode.Stretch)
        for column in (THEME, PORTFOLIO, COMMENTS, ORIGIN):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        self.table.doubleClicked.connect(lambda _index: self.show_comments())
        self.sizes = TaskRunner(self)
        self.sizes.finished.connect(self.model.set_sizes)
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        for name, text, slot, key, tip in (
                ("rename", "Rename…", self.rename, "F2", "Give the theme a new name"),
                ("move", "Move to portfolio…", self.move, "", "Put the theme in another "
                 "portfolio"),
                ("merge", "Merge into…", self.merge, "", "Move every comment of this theme to "
                 "another theme and remove this one"),
                ("split", "Split selected comments…", self.split, "", "Move the comments "
                 "selected in the Coding list from this theme to a new theme"),
                ("comments", "Show comments", self.show_comments, "", "Show this theme's "
                 "comments in the coding list")):
            button = QPushButton(text, self)
            button.setToolTip(tip + (f" ({key})" if key else ""))
            button.setAccessibleName(text.rstrip("…"))
            if key:
                button.setShortcut(QKeySequence(key))
            button.clicked.connect(lambda _checked=False, slot=slot: slot())
            buttons.addWidget(button)
            self.buttons[name] = button
        buttons.addStretch(1)
        title = QLabel("<b>Themes</b> — rename, move, merge or split. Counts use the same rule "
                       "as the figures.", self)
        title.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)

    # ----- state ---------------------------------------------------------------------------
    @property
    def project(self) -> Project | None:
        return self.session.project

    def refresh(self) -> None:
        self._dirty = False
        current = self.current_theme()
        self.model.set_themes(store.themes(self.project) if self.project is not None else [])
        self.model.set_sizes(None)
        if self.project is not None:
            path = self.project.path
            self.sizes.start(lambda progress, cancelled: _sizes(path, progress, cancelled),
                             "Counting comments per theme")
        row = self.model.row_of(current) if current is not None else 0
        if self.model.rowCount():
            self.table.selectRow(max(row, 0))

    def mark_dirty(self) -> None:
        self._dirty = True
        if self.isVisible():
            self.refresh()

    def on_changes(self, changes: Changes) -> None:
        if changes.taxonomy or changes.codings or changes.comments:
            self.mark_dirty()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt's name
        super().showEvent(event)
        if self._dirty:
            self.refresh()

    def current_theme(self) -> int | None:
        index = self.table.currentIndex()
        return self.model.data(self.model.index(index.row(), THEME), THEME_ID_ROLE) \
            if index.isValid() else None

    def select_theme(self, theme_id: int) -> None:
        row = self.model.row_of(theme_id)
        if row >= 0:
            self.table.selectRow(row)

    def _chosen(self) -> dict | None:
        theme = self.model.theme(self.table.currentIndex().row())
        if theme is None:
            QMessageBox.information(self, "Themes", "Choose a theme in the list first.")
        return theme

    # ----- actions -------------------------------------------------------------------------
    def rename(self) -> None:
        theme = self._chosen()
        if theme is None:
            return
        name, ok = self.ask_text("Rename theme", "New name:", theme["name"])
        name = name.strip()
        if not ok or not name or name == theme["name"]:
            return
        if any(t["name"].casefold() == name.casefold() and t["id"] != theme["id"]
               for t in store.themes(self.project)):
            self.session.failed.emit(f"There is already a theme named {name!r}; merge into it "
                                     "instead.")
            return
        self._edit(theme, f"Rename {theme['name']} to {name}", name=name)

    def move(self) -> None:
        theme = self._chosen()
        if theme is None:
            return
        portfolios = store.portfolios(self.project)
        names = [p["name"] for p in portfolios]
        chosen, ok = self.ask_item("Move theme", f"Move “{theme['name']}” to:", names,
                                   names.index(theme["portfolio"]))
        if ok and chosen != theme["portfolio"]:
            target = portfolios[names.index(chosen)]["id"]
            self._edit(theme, f"Move {theme['name']} to {chosen}", portfolio_id=target)

    def _edit(self, theme: dict, text: str, **fields) -> None:
        project, tid = self.project, theme["id"]
        self.session.run(text, {"theme_ids": [tid]},
                         lambda: (store.update_theme(project, tid, **fields), {}))

    def merge(self) -> None:
        theme = self._chosen()
        if theme is None:
            return
        target = self.pick_theme(self, store.themes(self.project), "Merge into…",
                                 f"Move every comment of “{theme['name']}” to:",
                                 {theme["id"]})
        if target is None:
            return
        target_name = next(t["name"] for t in store.themes(self.project) if t["id"] == target)
        if not self.confirm(self, "Merge themes",
                            f"Move every comment of “{theme['name']}” to “{target_name}” and "
                            f"remove “{theme['name']}”?\n\nThis cannot be undone, and it "
                            "clears the undo history.", "Merge"):
            return
        project, source = self.project, theme["id"]
        if self.session.run_once(lambda: store.merge_themes(project, source, target)):
            self.select_theme(target)

    def split(self) -> None:
        theme = self._chosen()
        if theme is None:
            return
        ids = self.session.selected_comments()
        if not ids:
            self.session.failed.emit("Select the comments to move in the Coding list first.")
            return
        dialog = ThemeDialog(
            f"Split {theme['name']}", store.portfolios(self.project), self,
            portfolio_id=theme["portfolio_id"], ok_text="Split",
            note=f"Of the {len(ids)} comment(s) selected in the Coding list, those that carry "
                 f"“{theme['name']}” move to a new theme. You can undo this.")
        if self.exec_dialog(dialog):
            name, portfolio_id, _seeds, _ = dialog.values()
            new_id = split(self.session, theme["id"], ids, name, portfolio_id)
            if new_id is not None:
                self.refresh()
                self.select_theme(new_id)

    def show_comments(self) -> None:
        theme = self._chosen()
        if theme is not None:
            self.comments_requested.emit(CommentFilter(theme_id=theme["id"]))
