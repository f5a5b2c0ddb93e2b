"""What the officer can do to comments, from the keyboard first: each action one undo step.

Keys act on the selected comments (all of them: a bulk action is one command) and, for
accept / reject / remove, on the *current theme* — the one marked ▶ in the detail pane,
chosen with ←/→. Digits 1–5 are sentiment (the NHS scale, 1 very positive … 5 very
negative), so themes are assigned with Ctrl+T (type-ahead) or Alt+1…9 (the nine themes used
most recently). Shortcuts are live only while focus is inside the workbench, so typing in a
search box elsewhere never codes a comment.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence, QUndoCommand

from engage.analysis import kinds, store, workbench_store
from engage.browse import comment_detail
from engage.changes import Changes
from engage.errors import EngageError
from ui.kind_setter import KIND_LABELS
from ui.workbench.theme_dialogs import ThemeDialog

if TYPE_CHECKING:
    from ui.workbench.coding import CodingWorkbench

MAX_RECENT = 9
#: Shift+letter sets a comment's kind (engage.nlp.kind); Shift+U hands it back to the model.
KIND_KEYS = {"praise": "Shift+P", "complaint": "Shift+C", "suggestion": "Shift+S",
             "question": "Shift+Q", "mixed": "Shift+M", "none": "Shift+X"}


class CodingActions(QObject):
    """The workbench's QActions and the core calls behind them."""

    def __init__(self, workbench: CodingWorkbench) -> None:
        super().__init__(workbench)
        self.wb = workbench
        self.session = workbench.session
        self.recent: list[int] = []
        self.by_name: dict[str, QAction] = {}
        self._build()
        # the detail pane's kind box: the same command as the keys, on the same comments
        workbench.detail.kind_setter.set_tips({**KIND_KEYS, "model": "Shift+U"},
                                              "the selected comments")
        workbench.detail.kind_chosen.connect(self._kind_from_pane)

    # ----- building ----------------------------------------------------------------------
    def _add(self, name: str, text: str, slot: Callable[[], None], *keys: str,
             tip: str = "") -> QAction:
        action = QAction(text, self.wb)
        action.setShortcuts([QKeySequence(k) for k in keys])
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        action.setStatusTip(tip or text)
        action.triggered.connect(lambda _checked=False: slot())
        self.wb.addAction(action)
        self.by_name[name] = action
        return action

    def _build(self) -> None:
        add = self._add
        add("assign", "Add a theme…", self.assign_theme, "Ctrl+T", "T",
            tip="Add a theme to the selected comments (type to find it)")
        add("accept", "Accept theme", lambda: self.decide_current("accepted"), "A")
        add("reject", "Remove theme", lambda: self.decide_current("rejected"), "R", "Delete",
            "Backspace")
        add("accept_all", "Accept all suggestions", self.accept_all, "Shift+A")
        for level in range(1, 6):
            add(f"sentiment{level}", f"Sentiment {level}",
                lambda level=level: self.set_sentiment(level), str(level))
        add("sentiment0", "Use the model's sentiment", lambda: self.set_sentiment(None), "0")
        add("key_quote", "Key quote", self.toggle_key_quote, "K")
        for kind, key in KIND_KEYS.items():
            add(f"kind_{kind}", f"Kind: {KIND_LABELS[kind]}",
                lambda kind=kind: self.set_kind(kind), key,
                tip=f"Set the kind of the selected comments to {KIND_LABELS[kind].lower()}")
        add("kind_model", "Kind: the model's", lambda: self.set_kind(None), "Shift+U",
            tip="Hand the selected comments' kind back to the model (the next analysis sets it)")
        add("split", "Split off into a new theme…", self.split_current, "Ctrl+Shift+T",
            tip="Move the selected comments from the current theme to a new theme")
        for n in range(1, MAX_RECENT + 1):
            add(f"recent{n}", f"Recent theme {n}", lambda n=n: self.assign_recent(n),
                f"Alt+{n}")

    # ----- helpers -----------------------------------------------------------------------
    @property
    def project(self):
        return self.session.project

    def _targets(self) -> list[int]:
        ids = self.wb.selected_ids()
        if not ids and self.wb.current_comment() is None:
            self.wb.say("Select a comment first.")
        return ids

    def _theme_name(self, theme_id: int) -> str:
        return next((t["name"] for t in self.wb.themes() if t["id"] == theme_id), "theme")

    def remember(self, theme_id: int) -> None:
        self.recent = [theme_id] + [t for t in self.recent if t != theme_id]
        del self.recent[MAX_RECENT:]
        self.wb.recent_changed()

    def recent_label(self) -> str:
        names = {t["id"]: t["name"] for t in self.wb.themes()}
        return "   ".join(f"Alt+{i} {names[t]}" for i, t in enumerate(self.recent, start=1)
                          if t in names)

    def _run(self, text: str, keys: dict, action, ids: list[int], coded: bool = True) -> bool:
        count = len(ids) if coded else 0
        label = text if len(ids) == 1 else f"{text} ({len(ids)} comments)"
        return self.session.run(label, keys, action, ids, coded=count) is not None

    def _with_copies(self, ids: list[int]) -> list[int]:
        """The comments a theme decision reaches: with their identical copies unless the
        officer chose to code each copy on its own."""
        if not self.wb.copies_together():
            return list(ids)
        return workbench_store.with_identical(self.project, ids)

    def _decide(self, text: str, ids: list[int], theme_id: int, decision: str | None,
                action: str = "code comment") -> bool:
        """One theme decision on `ids` and their copies: one transaction, one undo step."""
        project, together = self.project, self.wb.copies_together()
        reach = self._with_copies(ids)

        def run():
            _changed, changes = workbench_store.decide_theme(project, ids, theme_id, decision,
                                                             copies=together, action=action)
            return changes, {}
        copies = len(reach) - len(ids)
        said = [f"{len(ids)} comments"] if len(ids) > 1 else []
        if copies > 0:
            said.append(f"{copies} identical {'copy' if copies == 1 else 'copies'}")
        label = text + (f" ({' and '.join(said)})" if said else "")
        return self.session.run(label, {"comments": reach, "themes_of_comments": [theme_id]},
                                run, reach, coded=len(reach)) is not None

    # ----- themes ------------------------------------------------------------------------
    def assign_theme(self) -> None:
        ids = self._targets()
        if not ids:
            return
        theme_id = self.wb.pick_theme(self.wb, self.wb.themes())
        if theme_id is not None:
            self.assign(theme_id, ids)

    def assign_recent(self, n: int) -> None:
        if n <= len(self.recent):
            ids = self._targets()
            if ids:
                self.assign(self.recent[n - 1], ids)

    def assign(self, theme_id: int, ids: list[int]) -> None:
        """Accept a theme on every selected comment (adding it where not suggested)."""
        self._decide(f"Add {self._theme_name(theme_id)}", ids, theme_id, "accepted", "add theme")
        self.remember(theme_id)
        self.wb.set_current_theme(theme_id)

    def decide_current(self, decision: str, theme_id: int | None = None) -> None:
        """Accept or remove the current theme on the selected comments that carry it."""
        theme_id = theme_id if theme_id is not None else self.wb.current_theme()
        ids = self._targets()
        if theme_id is None or not ids:
            if ids:
                self.wb.say("This comment has no theme to " +
                            ("accept" if decision == "accepted" else "remove") + ".")
            return
        rows = workbench_store.workbench_rows(self.project, ids)
        carrying = {cid: next((c for c in rows[cid]["codings"] if c["theme_id"] == theme_id),
                              None) for cid in ids}
        # an officer's own coding goes on removal; a model suggestion stays, rejected
        chosen = [cid for cid, c in carrying.items() if c is not None and c["decision"] != decision]
        name = self._theme_name(theme_id)
        if not chosen:
            self.wb.say(f"Nothing to {'accept' if decision == 'accepted' else 'remove'}: "
                        f"{name} is already {'accepted' if decision == 'accepted' else 'off'} "
                        f"on the selected comment{'s' if len(ids) > 1 else ''}.")
            return
        verb = "Accept" if decision == "accepted" else "Remove"
        if self._decide(f"{verb} {name}", chosen, theme_id, decision) and decision == "accepted":
            self.remember(theme_id)
        self.wb.advance_theme(theme_id)

    def clear_decision(self, theme_id: int) -> None:
        """Undecide: the model's suggestion stands again (from the detail pane's link)."""
        ids = [cid for cid in [self.wb.current_comment()] if cid is not None]
        if ids:
            self._decide(f"Undecide {self._theme_name(theme_id)}", ids, theme_id, None)

    def accept_all(self) -> None:
        """Accept every standing suggestion on the selected comments: "this is right"."""
        ids = self._targets()
        if not ids:
            return
        rows = workbench_store.workbench_rows(self.project, ids)
        by_theme: dict[int, list[int]] = {}
        for cid in ids:
            for c in rows[cid]["codings"]:
                if c["decision"] is None:
                    by_theme.setdefault(c["theme_id"], []).append(cid)
        if not by_theme:
            self.wb.say("No suggestions left to accept on the selected comments.")
            return
        project, together = self.project, self.wb.copies_together()
        reach = {t: self._with_copies(group) for t, group in by_theme.items()}

        def action():
            changes = Changes()
            with project.transaction("accept suggestions"):  # one transaction for them all
                for theme_id, group in by_theme.items():
                    changes |= workbench_store.decide_theme(
                        project, group, theme_id, "accepted", copies=together,
                        action="accept suggestions")[1]
            return changes, {}
        pairs = [(cid, t) for t, group in reach.items() for cid in group]
        touched = list(dict.fromkeys(cid for group in reach.values() for cid in group))
        self._run("Accept all suggestions", {"pairs": pairs, "comments": touched}, action,
                  touched)

    def split_current(self) -> None:
        """Move the selected comments from the current theme to a new theme."""
        theme_id, ids = self.wb.current_theme(), self._targets()
        if theme_id is None or not ids:
            return
        source = next((t for t in self.wb.themes() if t["id"] == theme_id), None)
        if source is None:
            return
        dialog = ThemeDialog(
            f"Split {source['name']}", store.portfolios(self.project), self.wb,
            name="", portfolio_id=source["portfolio_id"], ok_text="Split",
            note=f"The {len(ids)} selected comment(s) that carry “{source['name']}” move to "
                 "a new theme; the others keep it. You can undo this.")
        if self.wb.exec_dialog(dialog):
            name, portfolio_id, _seeds, _ = dialog.values()
            split(self.session, theme_id, ids, name, portfolio_id)

    # ----- sentiment and key quotes ------------------------------------------------------
    def set_sentiment(self, level: int | None) -> None:
        ids = self._targets()
        if not ids:
            return
        project = self.project
        text = f"Sentiment {level}" if level is not None else "Model's sentiment"
        self._run(text, {"comments": ids},
                  lambda: (store.set_officer_sentiment(project, ids, level), {}), ids,
                  coded=False)

    def set_kind(self, kind: str | None) -> None:
        """The officer's kind for the selected comments: one audited transaction, one undo
        step (undo puts back each comment's kind and who set it)."""
        ids = self._targets()
        if ids:
            set_kinds(self.session, ids, kind)

    def _kind_from_pane(self, kind: str | None) -> None:
        self.set_kind(kind)
        self.wb.list_view.setFocus()  # the keys go on working where the officer was

    def toggle_key_quote(self) -> None:
        ids = self._targets()
        if not ids:
            return
        current = self.wb.current_comment()
        info = workbench_store.workbench_rows(self.project, [current])[current] if current else {}
        mark = not info.get("key_quote")
        project = self.project
        self._run("Mark key quote" if mark else "Unmark key quote", {"comments": ids},
                  lambda: (store.set_key_quote(project, ids, mark), {}), ids, coded=False)


def set_kinds(session, comment_ids: list[int], kind: str | None) -> bool:
    """Set (None: hand back to the model) the kind of comments as one undoable command on the
    session's stack — the workbench's keys and the detail panes' kind boxes all come here.
    False, with the reason on `session.failed`, if it could not be done."""
    ids = list(comment_ids)
    if not ids or session.project is None:
        return False
    return session.perform(KindCommand(session, ids, kind), ids)


def split(session, theme_id: int, ids: list[int], name: str,
          portfolio_id: int | None = None) -> int | None:
    """Split as one undoable command; the new theme's id, or None if it could not be done."""
    project = session.project

    def action():
        new_id, changes = workbench_store.split_theme(project, theme_id, ids, name, portfolio_id)
        return changes, {"themes_of_comments": [new_id], "theme_ids": [new_id]}
    command = session.run(f"Split into {name}", {"comments": ids, "themes_of_comments": [theme_id],
                                                "theme_ids": [theme_id]}, action, ids)
    return None if command is None else command.result["theme_ids"][0]


class KindCommand(QUndoCommand):
    """Set the kind of comments (engage.analysis.kinds.set_kind); undo restores each one's
    kind, source and confidence as they were, in one audited transaction."""

    def __init__(self, session, comment_ids: list[int], kind: str | None) -> None:
        word = KIND_LABELS[kind].split(" (")[0] if kind else "the model's"
        count = f" ({len(comment_ids)} comments)" if len(comment_ids) > 1 else ""
        super().__init__(f"Kind {word}{count}")
        self.session, self.ids, self.kind = session, list(comment_ids), kind
        self.before: list[tuple[int, str | None, str | None, float | None]] = []
        self._first = True

    def perform(self) -> Changes:
        project = self.session.project
        self.before = [(cid, d.get("kind"), d.get("kind_source"), d.get("kind_confidence"))
                       for cid in self.ids for d in [comment_detail(project, cid)]]
        return kinds.set_kind(project, self.ids, self.kind)

    def redo(self) -> None:
        if self._first:  # pushed after perform(): the action has already run
            self._first = False
            return
        self._apply(lambda project: kinds.set_kind(project, self.ids, self.kind), "redo")

    def undo(self) -> None:
        self._apply(self._restore, "undo")

    def _restore(self, project) -> Changes:
        changes = Changes()
        with project.transaction(f"undo {self.text().lower()}"):
            officer: dict[str, list[int]] = {}
            model: list[tuple[int, str, float]] = []
            cleared: list[int] = []
            for cid, kind, source, confidence in self.before:
                if kind is not None and source == kinds.OFFICER:
                    officer.setdefault(kind, []).append(cid)
                else:
                    cleared.append(cid)
                    if kind is not None:
                        model.append((cid, kind, 0.0 if confidence is None else confidence))
            if cleared:
                changes |= kinds.set_kind(project, cleared, None)
            if model:
                changes |= kinds.save_model_kinds(project, *map(list, zip(*model, strict=True)))
            for kind, group in officer.items():
                changes |= kinds.set_kind(project, group, kind)
        return changes

    def _apply(self, action, verb: str) -> None:
        project = self.session.project
        if project is None:
            return
        try:
            changes = action(project)
        except EngageError as exc:
            self.session.failed.emit(f"Could not {verb} “{self.text()}”: {exc}")
            return
        self.session.announce(changes, self.ids)
