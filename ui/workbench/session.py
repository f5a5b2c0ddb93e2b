"""One officer's coding session: the undo stack every coding view shares, and its commands.

Every coding action is one `SnapshotCommand`: it reads the rows the action may change
(`workbench_store.take_snapshot`), runs the action through the core, reads them again, and keeps both.
Undo writes the before-state back with `workbench_store.restore_snapshot`, redo the after-state — in
audited transactions, so the audit table records the undo too and a redo is exact (same ids,
same timestamps). A bulk action on a selection is one command.

Views never refresh each other: after any write the session emits `changed` (for the main
window to broadcast) and `comments_changed` (for lists to repaint those rows in place).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand, QUndoStack

from engage.analysis import workbench_store
from engage.changes import Changes
from engage.errors import EngageError
from engage.project import Project
from engage.settings import Settings

#: An action: does its write(s) through the core, returns what changed and any extra
#: snapshot keys it only knows afterwards (e.g. the id of a theme it created).
Action = Callable[[], tuple[Changes, dict]]


def officer_name(settings: Settings | None = None) -> str:
    """The name audit rows carry: the officer's from settings, else empty (login name)."""
    settings = settings if settings is not None else Settings.load()
    return settings.officer_name.strip()


def unique_shortcuts(*keys: str | QKeySequence) -> list[QKeySequence]:
    """Key sequences without repeats, in order (an action holding one key twice is ambiguous)."""
    out: dict[str, QKeySequence] = {}
    for key in keys:
        sequence = QKeySequence(key)
        if not sequence.isEmpty():
            out.setdefault(sequence.toString(QKeySequence.SequenceFormat.PortableText), sequence)
    return list(out.values())


def _merged(keys: dict, more: dict) -> dict:
    out = {k: list(v) for k, v in keys.items()}
    for k, v in more.items():
        out[k] = list(dict.fromkeys([*out.get(k, []), *v]))
    return out


class SnapshotCommand(QUndoCommand):
    """One undoable action, kept as the rows it changed before and after."""

    def __init__(self, session: CodingSession, text: str, keys: dict, action: Action,
                 comment_ids: Sequence[int] = ()) -> None:
        super().__init__(text)
        self.session, self.keys, self.action = session, keys, action
        self.comment_ids = list(comment_ids)
        self.before: workbench_store.Snapshot | None = None
        self.after: workbench_store.Snapshot | None = None
        self.result: dict = {}
        self._first = True

    def perform(self) -> Changes:
        """Run the action for the first time (raises EngageError if it cannot be done)."""
        project = self.session.project
        before = workbench_store.take_snapshot(project, **self.keys)
        changes, more = self.action()
        self.result = more
        after = workbench_store.take_snapshot(project, **_merged(self.keys, more))
        self.before, self.after = before.aligned(after), after.aligned(before)
        return changes

    def redo(self) -> None:
        if self._first:  # pushed after perform(): the action has already run
            self._first = False
            return
        self._restore(self.after, "redo")

    def undo(self) -> None:
        self._restore(self.before, "undo")

    def _restore(self, snapshot: workbench_store.Snapshot | None, verb: str) -> None:
        if snapshot is None or self.session.project is None:
            return
        try:
            changes = workbench_store.restore_snapshot(self.session.project, snapshot,
                                             f"{verb} {self.text().lower()}")
        except Exception as exc:  # noqa: BLE001 - report one line, never a traceback
            self.session.failed.emit(f"Could not {verb} “{self.text()}”: {exc}")
            return
        self.session.announce(changes, self.comment_ids)


class CodingSession(QObject):
    """The project, the officer's name and the shared undo stack of the coding views."""

    changed = Signal(object)            # engage.changes.Changes after any write or undo
    comments_changed = Signal(list)     # ids of comments whose codings or fields changed
    codings_made = Signal(int)          # how many comments an officer action just coded
    failed = Signal(str)                # one line for the officer

    def __init__(self, parent: QObject | None = None, settings: Settings | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.settings = settings
        self.undo_stack = QUndoStack(self)
        self.undo_stack.setUndoLimit(200)
        self.last_changes: Changes | None = None
        self.last_ids: list[int] = []
        self.selected_comments: Callable[[], list[int]] = list
        #: Called before each action (the window asks for the officer's name the first time)
        self.before_decision: Callable[[], None] | None = None
        self.undo_action = self.undo_stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.redo_action = self.undo_stack.createRedoAction(self, "&Redo")
        # Ctrl+Shift+Z everywhere, Ctrl+Y too; never the same key twice (on X11 the platform's
        # Redo *is* Ctrl+Shift+Z, and a doubled key is an "ambiguous shortcut" that does nothing)
        self.redo_action.setShortcuts(unique_shortcuts("Ctrl+Shift+Z", "Ctrl+Y"))

    def set_project(self, project: Project | None) -> None:
        """Use this project; audit rows carry the officer's name from settings if set."""
        self.undo_stack.clear()
        self.project = project
        if project is not None:
            name = officer_name(self.settings)
            if name:
                project.user = name

    def actions(self) -> list[QAction]:
        return [self.undo_action, self.redo_action]

    # ----- doing things ------------------------------------------------------------------
    def perform(self, command, comment_ids: Sequence[int]) -> bool:
        """Perform one undoable command, push it and announce what it changed; on an
        EngageError say why and change nothing. Every decision takes this one path."""
        if self.before_decision is not None:
            self.before_decision()
        try:
            changes = command.perform()
        except EngageError as exc:
            self.failed.emit(str(exc))
            return False
        self.undo_stack.push(command)
        self.announce(changes, comment_ids)
        return True

    def run(self, text: str, keys: dict, action: Action, comment_ids: Sequence[int] = (),
            coded: int = 0) -> SnapshotCommand | None:
        """Do an action as one undoable command; on an EngageError say why, change nothing."""
        if self.project is None:
            return None
        command = SnapshotCommand(self, text, keys, action, comment_ids)
        if not self.perform(command, comment_ids):
            return None
        if coded:
            self.codings_made.emit(coded)
        return command

    def run_once(self, action: Callable[[], Changes]) -> bool:
        """An action that cannot be undoed (a merge): run it, then forget older commands,
        which may refer to what it removed."""
        if self.project is None:
            return False
        try:
            changes = action()
        except EngageError as exc:
            self.failed.emit(str(exc))
            return False
        self.undo_stack.clear()
        self.announce(changes, [])
        return True

    def announce(self, changes: Changes, comment_ids: Sequence[int] = ()) -> None:
        self.last_changes, self.last_ids = changes, list(comment_ids)
        if comment_ids:
            self.comments_changed.emit(list(comment_ids))
        if changes.any():
            self.changed.emit(changes)

    def is_echo(self, changes: Changes) -> bool:
        """True for the Changes this session just announced, coming back from the window."""
        return changes is self.last_changes
