"""The coding workbench: read a comment, code it, move on — at the speed of reading.

Left, the comment list (theme chips, sentiment, place; paged over the core); right, the
comment with the words behind each suggestion highlighted. The keys are in
`ui.workbench.coding_actions`; every action is one undo step on the session's QUndoStack.
"Review queue" (Ctrl+R) switches the list to the uncertain comments the model most wants an
officer to look at; the retrainer re-analyses after every 20 coded comments (or on "Retrain
now") in the background, learning from them.

Wiring (the main window): `set_project`, `set_filter(CommentFilter)` when its filters change,
`on_changes(changes)` from its broadcast, `changed` to its `apply_changes`, and
`session.undo_action` / `session.redo_action` in its Edit menu.
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from engage.analysis import store, workbench_store
from engage.browse import CommentFilter, count_comments
from engage.changes import Changes
from engage.project import Project
from ui.workbench import coding_model as cm
from ui.workbench.chips import ChipDelegate
from ui.workbench.coding_actions import CodingActions
from ui.workbench.coding_detail import CodingDetail
from ui.workbench.retrain import RetrainBar, Retrainer
from ui.workbench.session import CodingSession
from ui.workbench.theme_picker import ThemePicker

MAX_BULK = 1000      # comments one bulk action may touch
QUEUE_LIMIT = 500    # comments shown in the review queue at once
_REFRESH_FLAGS = ("comments", "respondents", "questions", "codings", "sentiment", "taxonomy")


class CodingWorkbench(QWidget):
    changed = Signal(object)                # engage.changes.Changes, after any write here
    current_comment_changed = Signal(object)  # comment id or None

    def __init__(self, session: CodingSession | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CodingWorkbench")
        self.session = session or CodingSession(self)
        self.project: Project | None = None
        self._filter = CommentFilter()
        self._current_theme: int | None = None
        self._themes: list[dict] | None = None
        self._session_coded = 0
        self._counts: tuple[int, int] | None = None
        self._counts_stale = True
        self._status_timer = QTimer(self)
        self._status_timer.setSingleShot(True)
        self._status_timer.setInterval(0)
        self._status_timer.timeout.connect(self._write_status)
        self.pick_theme = ThemePicker.pick          # replaceable in tests
        self.exec_dialog = lambda dialog: dialog.exec() == QDialog.DialogCode.Accepted
        self.retrainer = Retrainer(self.session, parent=self)
        self._build()
        self.commands = CodingActions(self)
        self._build_navigation()
        self._connect()
        self.session.selected_comments = self.selected_ids
        self._update_status()

    # ----- building ----------------------------------------------------------------------
    def _build(self) -> None:
        self.model = cm.CodingListModel(None, self)
        self.list_view = QTableView(self)
        self.list_view.setModel(self.model)
        self.list_view.setAccessibleName("Comments to code")
        self.list_view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.list_view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.list_view.setWordWrap(False)
        self.list_view.setAlternatingRowColors(True)
        self.list_view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.delegate = ChipDelegate(self.list_view)
        self.list_view.setItemDelegateForColumn(cm.THEMES, self.delegate)
        header = self.list_view.horizontalHeader()
        header.setSectionResizeMode(cm.COMMENT, QHeaderView.ResizeMode.Stretch)
        for column, width in ((cm.ID, 50), (cm.THEMES, 220), (cm.SENTIMENT, 120), (cm.KIND, 84),
                              (cm.PLACE, 110), (cm.MARKS, 110)):
            self.list_view.setColumnWidth(column, width)
        self.list_view.verticalHeader().hide()
        self.list_view.verticalHeader().setDefaultSectionSize(26)
        self.detail = CodingDetail(self)

        self.queue_button = QPushButton("Review queue", self)
        self.queue_button.setCheckable(True)
        self.queue_button.setAccessibleName("Review queue")
        self.queue_button.setToolTip("Show the uncertain comments, the ones whose coding "
                                     "teaches the model most first (Ctrl+R)")
        self.retrain_bar = RetrainBar(self.retrainer, self)
        self.together = QCheckBox("Code identical texts together", self)
        self.together.setChecked(True)
        self.together.setToolTip(
            "On: a theme accepted or removed on one comment is accepted or removed on every "
            "comment of the consultation with the same text (×N in Marks).\nOff: each copy "
            "is coded on its own, so you can split one from the others.")
        self.recent_label = QLabel(self)
        self.recent_label.setAccessibleName("Recent themes")
        top = QHBoxLayout()
        top.addWidget(self.queue_button)
        top.addWidget(self.retrain_bar)
        top.addWidget(self.together)
        top.addStretch(1)
        top.addWidget(self.recent_label)

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(self.list_view)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 1)  # the list, with its seven columns, gets the room
        self.status = QLabel(self)
        self.status.setAccessibleName("Coding status")
        self.message = QLabel(self)
        self.message.setAccessibleName("Last action")
        bottom = QHBoxLayout()
        bottom.addWidget(self.status, 1)
        bottom.addWidget(self.message)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)
        layout.addLayout(bottom)
        self.setFocusProxy(self.list_view)

    def _action(self, text: str, slot, *keys: str, context=Qt.ShortcutContext.
                WidgetWithChildrenShortcut) -> QAction:
        action = QAction(text, self)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(context)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def _build_navigation(self) -> None:
        by_name = self.commands.by_name
        by_name["next"] = self._action("Next comment", lambda: self.move(1), "J")
        by_name["previous"] = self._action("Previous comment", lambda: self.move(-1), "Shift+J")
        by_name["next_unreviewed"] = self._action("Next comment to review",
                                                  self.next_unreviewed, "N")
        by_name["theme_left"] = self._action("Previous theme", lambda: self.step_theme(-1),
                                             "Left")
        by_name["theme_right"] = self._action("Next theme", lambda: self.step_theme(1), "Right")
        by_name["queue"] = self._action("Review queue", self.queue_button.toggle, "Ctrl+R",
                                        context=Qt.ShortcutContext.WindowShortcut)
        by_name["retrain"] = self._action("Retrain now", self.retrainer.start, "Ctrl+Shift+R",
                                          context=Qt.ShortcutContext.WindowShortcut)
        for action in self.session.actions():
            if action not in QWidget.actions(self):
                self.addAction(action)

    def _connect(self) -> None:
        self.list_view.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.list_view.selectionModel().selectionChanged.connect(
            lambda *_: self._update_status(counts=False))
        self.list_view.customContextMenuRequested.connect(self._context_menu)
        self.queue_button.toggled.connect(self._on_queue_toggled)
        self.detail.link_activated.connect(self._on_link)
        self.session.comments_changed.connect(self._on_comments_changed)
        self.session.changed.connect(self._on_session_changed)
        self.session.changed.connect(self.changed)
        self.session.codings_made.connect(self._on_coded)
        self.session.failed.connect(self.say)
        self.retrainer.due_changed.connect(lambda _n: self._update_status(counts=False))

    # ----- what the window drives ----------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        if project is not self.project:
            self.retrainer.cancel()  # a retrain of the old project has nothing to say here
        self.project = project
        self.session.set_project(project)
        self._themes = None
        self._filter = CommentFilter()
        self.detail.set_project(project)
        self._update_colours()
        self.queue_button.setChecked(False)
        self.model.set_project(project)
        self._select_row(0)
        self._update_status()

    def set_filter(self, comment_filter: CommentFilter) -> None:
        """The comments to code (the main window's navigator and filters)."""
        self._filter = comment_filter
        self.retrainer.consultation_id = comment_filter.consultation_id
        self._reload(keep_current=False)

    def comment_filter(self) -> CommentFilter:
        return self._filter

    def on_changes(self, changes: Changes) -> None:
        """A write elsewhere (broadcast by the window); our own writes are already shown."""
        if self.session.is_echo(changes):
            return
        if changes.taxonomy:
            self._themes = None
            self._update_colours()
        if any(getattr(changes, flag) for flag in _REFRESH_FLAGS):
            self._reload(keep_current=True)

    def show_review_queue(self, on: bool = True) -> None:
        self.queue_button.setChecked(on)

    def in_review_queue(self) -> bool:
        return self.queue_button.isChecked()

    # ----- reading state ------------------------------------------------------------------
    def themes(self) -> list[dict]:
        if self._themes is None:
            self._themes = store.themes(self.project) if self.project is not None else []
        return self._themes

    def current_comment(self) -> int | None:
        index = self.list_view.currentIndex()
        return self.model.comment_id(index.row()) if index.isValid() else None

    def selected_ids(self) -> list[int]:
        """The selected comments (the current one if none), at most MAX_BULK."""
        selection = self.list_view.selectionModel().selection()
        total = sum(r.bottom() - r.top() + 1 for r in selection)
        if total > MAX_BULK:
            self.say(f"{total:,} comments are selected; a bulk action takes at most "
                     f"{MAX_BULK:,}. Narrow the filter or the selection.")
            return []
        rows = sorted({row for r in selection for row in range(r.top(), r.bottom() + 1)})
        ids = [cid for cid in (self.model.comment_id(r) for r in rows) if cid is not None]
        current = self.current_comment()
        return ids or ([current] if current is not None else [])

    def current_theme(self) -> int | None:
        return self._current_theme

    def copies_together(self) -> bool:
        """Whether theme decisions reach the comment's identical copies too."""
        return self.together.isChecked()

    def set_current_theme(self, theme_id: int | None) -> None:
        self._current_theme = theme_id
        self.detail.refresh(theme_id)

    def say(self, message: str) -> None:
        self.message.setText(message)

    # ----- moving around --------------------------------------------------------------------
    def move(self, step: int) -> None:
        row = self.list_view.currentIndex().row() + step
        if 0 <= row < self.model.rowCount():
            self._select_row(row)

    def next_unreviewed(self, scan: int = 2000) -> None:
        """The next comment no officer has reviewed, after the current one."""
        start = self.list_view.currentIndex().row() + 1
        for row in range(start, min(self.model.rowCount(), start + scan)):
            found = self.model.row(row)
            if found is not None and not found.info.get("reviewed"):
                self._select_row(row)
                return
        self.say("No comment left to review below this one.")

    def step_theme(self, step: int) -> None:
        codings = self.detail.ordered()
        if not codings:
            return
        ids = [c["theme_id"] for c in codings]
        position = ids.index(self._current_theme) if self._current_theme in ids else -step
        self.set_current_theme(ids[(position + step) % len(ids)])

    def advance_theme(self, decided: int | None = None) -> None:
        """After a decision on `decided` (default: the current theme), the cursor moves to the
        next theme below it in view; the rows themselves stay where they were."""
        decided = decided if decided is not None else self._current_theme
        if decided is not None:
            self.set_current_theme(self.detail.theme_after(decided))

    def _select_row(self, row: int) -> None:
        if not 0 <= row < self.model.rowCount():
            self.detail.show_message(self._empty_message())
            self._update_status()
            return
        index = self.model.index(row, cm.COMMENT)
        self.list_view.selectionModel().setCurrentIndex(
            index, QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows)
        self.list_view.scrollTo(index)

    def _empty_message(self) -> str:
        if self.project is None:
            return "No project is open."
        if count_comments(self.project, CommentFilter()) == 0:
            return ("This project has no comments yet. Import a survey export: "
                    "File → Import… (Ctrl+I).")
        if self.in_review_queue():
            return ("The review queue is empty: every uncertain comment has been reviewed. "
                    "Retrain to let the model learn from your codings.")
        return ("No comments match. Change the search or filters, or clear them with "
                "Edit → Clear Search and Filters (Ctrl+Shift+L).")

    # ----- reacting ----------------------------------------------------------------------
    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        comment_id = self.model.comment_id(current.row()) if current.isValid() else None
        self.detail.show_comment(comment_id)  # picks the first theme still waiting
        self._current_theme = self.detail.current_theme()
        self.current_comment_changed.emit(comment_id)
        self._update_status(counts=False)

    def _on_comments_changed(self, ids: list[int]) -> None:
        self.model.refresh_comments(ids)
        if self.detail.comment_id() in ids:
            self.detail.refresh(self._current_theme)
        self._update_status()

    def _on_session_changed(self, changes: Changes) -> None:
        if changes.taxonomy:
            self._themes = None
            self._update_colours()
            self.recent_changed()
        if not self.session.last_ids:  # theme edits, merges, retraining: re-read the list
            self._reload(keep_current=True)

    def _on_coded(self, count: int) -> None:
        self._session_coded += count
        self._update_status()

    def _on_queue_toggled(self, _on: bool) -> None:
        self._reload(keep_current=False)
        self.list_view.setFocus()

    def _on_link(self, verb: str, theme_id: int) -> None:
        if verb == "current":
            self.set_current_theme(theme_id)
        elif verb in ("accept", "reject"):
            self.set_current_theme(theme_id)
            self.commands.decide_current("accepted" if verb == "accept" else "rejected", theme_id)
        elif verb == "clear":
            self.commands.clear_decision(theme_id)
        elif verb == "pick":
            self.commands.assign_theme()

    def _reload(self, keep_current: bool) -> None:
        current = self.current_comment() if keep_current else None
        old_row = self.list_view.currentIndex().row() if keep_current else 0
        if self.project is None:
            self.model.set_project(None)
        elif self.in_review_queue():
            ids = workbench_store.review_queue_entries(self.project,
                                                       self._filter.consultation_id, QUEUE_LIMIT)
            self.model.set_ids(ids, self._filter)
        else:
            self.model.set_filter(self._filter)
        row = -1
        if current is not None:  # usually still where it was: load that page and look
            self.model.row(max(old_row, 0))
            row = self.model.loaded_row_of(current)
            if row < 0:
                row = min(max(old_row, 0), self.model.rowCount() - 1)
        self._select_row(max(row, 0))
        self._update_status()

    def _update_colours(self) -> None:
        portfolios = store.portfolios(self.project) if self.project is not None else []
        self.delegate.portfolio_index = {p["id"]: i for i, p in enumerate(portfolios)}
        self.list_view.viewport().update()

    def recent_changed(self) -> None:
        self.recent_label.setText(self.commands.recent_label())

    def _update_status(self, counts: bool = True) -> None:
        """Schedule one status update after the current event (many callers, one query)."""
        self._counts_stale |= counts
        self._status_timer.start()

    def _write_status(self) -> None:
        if self.project is None:
            self.status.setText("")
            return
        if self._counts_stale or self._counts is None:
            consultation = self._filter.consultation_id
            self._counts = (workbench_store.review_queue_count(self.project, consultation),
                            workbench_store.reviewed_count(self.project, consultation))
            self._counts_stale = False
        queue, reviewed = self._counts
        rows = self.model.rowCount()
        selected = sum(r.bottom() - r.top() + 1
                       for r in self.list_view.selectionModel().selection())
        where = "in the review queue" if self.in_review_queue() else "shown"
        parts = [f"{rows:,} comments {where}", f"{selected:,} selected",
                 f"{reviewed:,} reviewed ({self._session_coded:,} coded this session)",
                 f"{queue:,} uncertain waiting for review",
                 f"retrain after {self.retrainer.remaining()} more"]
        self.status.setText("   ·   ".join(parts))
        self.queue_button.setText(f"Review queue ({queue:,})")

    def status_text(self) -> str:
        """The status line as it stands once pending updates are written."""
        if self._status_timer.isActive():
            self._status_timer.stop()
            self._write_status()
        return self.status.text()

    def _context_menu(self, position) -> None:
        menu = QMenu(self)
        names = ("assign", "accept", "reject", "accept_all", "split", None, "key_quote",
                 "sentiment1", "sentiment2", "sentiment3", "sentiment4", "sentiment5",
                 "sentiment0", None, "queue", "retrain")
        for name in names:
            if name is None:
                menu.addSeparator()
            else:
                menu.addAction(self.commands.by_name[name])
        menu.exec(self.list_view.viewport().mapToGlobal(position))
