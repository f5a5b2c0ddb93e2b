""""You said, we did": the list of actions and the dialog that edits one.

An action links what people said (themes, and the comments behind them) to a decision, an
owner and a status. Supporting comments can be filled from the action's themes in one click
when the project has been analysed; "Show comments" sends the officer to the comment browser
with exactly those comments.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QItemSelectionModel, QSortFilterProxyModel, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from engage.browse import CommentFilter
from engage.changes import Changes
from engage.coproduction import actions as core
from engage.coproduction import portfolios as pf
from engage.coproduction import store
from engage.coproduction.vocab import ACTION_STATUSES
from engage.errors import EngageError
from engage.project import Project
from engage.reports.fmt import counted
from ui.coproduction.comment_ids import CommentIdsField
from ui.coproduction.models import ID_ROLE, ActionTableModel
from ui.coproduction.widgets import CheckList, ErrorLabel, NamesEdit, OptionalDate

_WIDTHS = (280, 280, 150, 150, 150, 84, 150, 76, 70)


def _ids(text: str) -> list[int]:
    """Comment ids typed as '12, 40 41' → [12, 40, 41]; anything else is refused."""
    parts = text.replace(",", " ").split()
    if not all(p.isdigit() for p in parts):
        raise ValueError("comment ids are whole numbers separated by spaces or commas")
    return [int(p) for p in parts]


class ActionDialog(QDialog):
    saved = Signal(object, int)        # Changes, action id

    def __init__(self, project: Project, action_id: int | None = None, parent=None) -> None:
        super().__init__(parent)
        self.project = project
        self.action = core.get_action(project, action_id) if action_id else None
        self.setWindowTitle("Edit action" if self.action else "Add action")
        self.setObjectName("ActionDialog")
        self._build()
        self._fill()

    def _build(self) -> None:
        self.title = QLineEdit(self)
        self.title.setAccessibleName("You said")
        self.title.setPlaceholderText("What people said, in a line")
        self.decision = QPlainTextEdit(self)
        self.decision.setAccessibleName("We did")
        self.decision.setPlaceholderText("What was decided or done")
        self.decision.setTabChangesFocus(True)
        self.owner = QLineEdit(self)
        self.owner.setAccessibleName("Owner")
        self.status = QComboBox(self)
        self.status.setAccessibleName("Status")
        self.status.addItems(ACTION_STATUSES)
        self.reason = QLineEdit(self)
        self.reason.setAccessibleName("Reason")
        self.reason.setPlaceholderText("Required when not taken forward")
        self.portfolio = QComboBox(self)
        self.portfolio.setAccessibleName("Portfolio")
        self.portfolio.addItem("(none)", None)
        for name in pf.portfolio_names(self.project):
            self.portfolio.addItem(name, name)
        # not `self.done`: that would hide QDialog.done(), which reject() calls
        self.start_date = OptionalDate(self, "Start date")
        self.due_date = OptionalDate(self, "Due date")
        self.done_date = OptionalDate(self, "Done date")
        self.themes = NamesEdit(pf.theme_names(self.project), self, "Themes")
        self.support = CommentIdsField(self, "Supporting comment ids")
        self.quotes = CommentIdsField(self, "Quote comment ids")
        self.fill_button = QPushButton("Fill from themes", self)
        self.fill_button.setToolTip("Supporting comments: every comment coded with these "
                                    "themes; quotes: those marked as key quotes")
        self.fill_button.clicked.connect(self.fill_from_themes)
        self.activities = CheckList(self, "Activities that shaped it")
        self.error = ErrorLabel(self)

        form = QFormLayout()
        form.addRow("You &said", self.title)
        form.addRow("We &did", self.decision)
        form.addRow("&Owner", self.owner)
        form.addRow("S&tatus", self.status)
        form.addRow("&Reason", self.reason)
        form.addRow("&Portfolio", self.portfolio)
        form.addRow("Started", self.start_date)
        form.addRow("Due", self.due_date)
        form.addRow("Done", self.done_date)
        form.addRow("T&hemes", self.themes)
        support = QHBoxLayout()
        support.addWidget(self.support, 1)
        support.addWidget(self.fill_button)
        form.addRow("Supporting comments", support)
        form.addRow("Quotes", self.quotes)
        form.addRow("Activities", self.activities)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.resize(720, 720)

    def _fill(self) -> None:
        a = self.action
        chosen = set(a.activity_ids if a else [])
        rows = sorted(store.list_activities(self.project), key=lambda r: r["id"] not in chosen)
        self.activities.set_choices([(r["id"], f"{r['title']} ({r['level']})") for r in rows],
                                    a.activity_ids if a else [])
        if a is None:
            return
        self.title.setText(a.title)
        self.decision.setPlainText(a.decision)
        self.owner.setText(a.owner)
        self.status.setCurrentText(a.status)
        self.reason.setText(a.reason)
        self.portfolio.setCurrentIndex(max(0, self.portfolio.findData(a.portfolio)))
        self.start_date.set_iso(a.start_date)
        self.due_date.set_iso(a.due_date)
        self.done_date.set_iso(a.done_date)
        self.themes.set_names(a.themes)
        self.support.setText(" ".join(map(str, a.support_comment_ids)))
        self.quotes.setText(" ".join(map(str, a.quote_comment_ids)))

    def fill_from_themes(self) -> None:
        support, quotes = core.theme_evidence(self.project, self.themes.names())
        if not support:
            self.error.show_message("No comments are coded with these themes yet (run the "
                                    "analysis, or code comments, first).")
            return
        self.error.show_message("")
        self.support.setText(" ".join(map(str, support)))
        if quotes:
            self.quotes.setText(" ".join(map(str, quotes)))

    def entered(self) -> core.Action:
        return core.Action(
            id=self.action.id if self.action else None, title=self.title.text(),
            decision=self.decision.toPlainText(), owner=self.owner.text(),
            status=self.status.currentText(), reason=self.reason.text(),
            portfolio=self.portfolio.currentData(), start_date=self.start_date.iso(),
            due_date=self.due_date.iso(), done_date=self.done_date.iso(), themes=self.themes.names(),
            support_comment_ids=_ids(self.support.text()),
            quote_comment_ids=_ids(self.quotes.text()),
            activity_ids=self.activities.checked_values())

    def save(self) -> None:
        try:
            action = self.entered()
            if self.action is None:
                action_id, changes = core.add_action(self.project, action)
            else:
                action_id, changes = self.action.id, core.update_action(self.project, action)
        except (EngageError, ValueError) as exc:
            self.error.show_message(str(exc))
            return
        self.saved.emit(changes, action_id)
        self.accept()


class ActionsView(QWidget):
    changed = Signal(object)                 # Changes after a write made here
    comments_requested = Signal(object)      # CommentFilter
    activities_requested = Signal(object, str)   # activity ids, label

    def __init__(self, project: Project | None = None, parent=None) -> None:
        super().__init__(parent)
        self.project = project
        self._label = ""
        self._build()
        self.set_project(project)

    def _build(self) -> None:
        self.banner = QLabel(self)
        self.show_all_button = QPushButton("Show all actions", self)
        self.show_all_button.clicked.connect(self.show_all)
        top = QHBoxLayout()
        top.addWidget(self.banner, 1)
        top.addWidget(self.show_all_button)
        self.model = ActionTableModel(None, self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setAccessibleName("Actions")
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(-1, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate(_WIDTHS):
            self.table.setColumnWidth(column, width)
        self.table.doubleClicked.connect(lambda _index: self.edit_selected())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._show_detail())
        self.detail = QTextBrowser(self)
        self.detail.setAccessibleName("Action details")

        self.add_button = QPushButton("&Add…", self)
        self.edit_button = QPushButton("&Edit…", self)
        self.delete_button = QPushButton("&Delete", self)
        self.comments_button = QPushButton("Show &comments", self)
        self.comments_button.setToolTip("Open the supporting comments in the comment browser")
        self.activities_button = QPushButton("Show ac&tivities", self)
        self.add_button.clicked.connect(self.add_action)
        self.edit_button.clicked.connect(self.edit_selected)
        self.delete_button.clicked.connect(self.delete_selected)
        self.comments_button.clicked.connect(self.request_comments)
        self.activities_button.clicked.connect(self.request_activities)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.edit_button, self.delete_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.comments_button)
        buttons.addWidget(self.activities_button)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(splitter, 1)
        layout.addLayout(buttons)

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self._label = ""
        self.model.set_ids(None)
        self.model.set_project(project)
        self._update_banner()
        self._show_detail()

    def refresh(self) -> None:
        current = self.selected_id()
        self.model.refresh()
        self._update_banner()
        if current is not None:
            self.select(current)
        self._show_detail()

    def on_changes(self, changes: Changes) -> None:
        if changes.actions or changes.activities or changes.taxonomy or changes.comments:
            self.refresh()

    def show_actions(self, ids: tuple[int, ...], label: str) -> None:
        self._label = label or "Selected actions"
        self.model.set_ids(tuple(ids))
        self._update_banner()
        self._show_detail()

    def show_all(self) -> None:
        self._label = ""
        self.model.set_ids(None)
        self._update_banner()
        self._show_detail()

    def _update_banner(self) -> None:
        count = self.model.rowCount()
        text = counted(count, "action")
        self.banner.setText(f"{self._label}: {text}" if self._label else
                            f"You said, we did — {text}")
        self.show_all_button.setVisible(bool(self._label))

    def selected_id(self) -> int | None:
        index = self.table.currentIndex()
        return self.proxy.data(index, ID_ROLE) if index.isValid() else None

    def select(self, action_id: int) -> None:
        row = self.model.row_of(action_id)
        if row >= 0:
            self.table.selectionModel().setCurrentIndex(
                self.proxy.mapFromSource(self.model.index(row, 0)),
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)

    def _show_detail(self) -> None:
        action_id = self.selected_id()
        for button in (self.edit_button, self.delete_button, self.comments_button,
                       self.activities_button):
            button.setEnabled(action_id is not None)
        if action_id is None or self.project is None:
            self.detail.setHtml("<p style='color:gray'>Select an action to see what it rests "
                                "on.</p>")
            return
        self.detail.setHtml(action_html(self.project, core.get_action(self.project, action_id)))

    def add_action(self) -> ActionDialog | None:
        return self._open(None)

    def edit_selected(self) -> ActionDialog | None:
        action_id = self.selected_id()
        return self._open(action_id) if action_id is not None else None

    def _open(self, action_id: int | None) -> ActionDialog | None:
        if self.project is None:
            return None
        dialog = ActionDialog(self.project, action_id, self)
        dialog.saved.connect(self._saved)
        dialog.open()
        return dialog

    def _saved(self, changes: Changes, action_id: int) -> None:
        self.refresh()
        self.select(action_id)
        self.changed.emit(changes)

    def delete_selected(self, confirm: bool = True) -> None:
        action_id = self.selected_id()
        if action_id is None:
            return
        if confirm and QMessageBox.question(self, "Delete action", "Delete this action?") \
                != QMessageBox.StandardButton.Yes:
            return
        changes = core.delete_action(self.project, action_id)
        self.refresh()
        self.changed.emit(changes)

    def request_comments(self) -> None:
        action_id = self.selected_id()
        if action_id is not None:
            action = core.get_action(self.project, action_id)
            self.comments_requested.emit(core.comment_filter(action))

    def request_activities(self) -> None:
        action_id = self.selected_id()
        if action_id is not None:
            action = core.get_action(self.project, action_id)
            self.activities_requested.emit(tuple(action.activity_ids),
                                           f"Activities behind “{action.title}”")


def action_html(project: Project, a: core.Action) -> str:
    esc = html.escape
    titles = {r["id"]: r["title"] for r in store.list_activities(
        project, store.ActivityFilter(activity_ids=tuple(a.activity_ids)))}
    quotes = []
    if a.quote_comment_ids:
        from engage.browse import fetch_comments

        quotes = fetch_comments(project, CommentFilter(comment_ids=tuple(a.quote_comment_ids)),
                                0, 5)
    parts = [f"<h3 style='margin:0'>You said: {esc(a.title)}</h3>",
             f"<p><b>We did:</b> {esc(a.decision or 'not recorded yet')}</p>",
             f"<p><b>Status:</b> {esc(a.status)}"
             + (f" — {esc(a.reason)}" if a.reason else "")
             + (f"; <b>owner:</b> {esc(a.owner)}" if a.owner else "") + "</p>",
             f"<p><b>Themes:</b> {esc('; '.join(a.themes) or 'none')}; "
             f"<b>supporting comments:</b> {len(a.support_comment_ids):,}; "
             f"<b>activities:</b> {esc('; '.join(titles.values()) or 'none')}</p>"]
    parts += [f"<blockquote>“{esc(q.text)}” <span style='color:gray'>— {esc(q.place)}"
              "</span></blockquote>" for q in quotes]
    return "".join(parts)
