"""The workbench's detail pane: one comment, with the words that drove each suggestion marked.

Each theme on the comment gets a highlight colour; the seed terms it matched
(`codings.evidence`) are found again in the text by `engage.analysis.evidence` — "wait" marks
"waiting" and "waited" — and painted in that colour. Below the text, every theme says whether
it counts, who decided, and why it was suggested, with accept / reject links; the current
theme (the one A, R and Delete act on) is marked ▶. Below, the comment's kind in a combo box
(``ui.kind_setter``): choosing one emits `kind_chosen(kind)`, which the workbench's actions
take the way they take Shift+P/C/S/Q/M/X/U.
"""

from __future__ import annotations

import html

from PySide6.QtCore import QEvent, QUrl, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from engage.analysis import workbench_store
from engage.analysis.evidence import evidence_spans
from engage.browse import comment_detail
from engage.errors import NotFoundError
from engage.project import Project
from ui.detail_pane import kind_text
from ui.kind_setter import KindSetter
from ui.workbench.chips import HIGHLIGHT_COLOURS
from ui.workbench.coding_model import SENTIMENT_LEVELS, sentiment_of

KEYS_HELP = ("A accept · R reject · Shift+A accept all · Del remove · ←/→ choose theme · "
             "Ctrl+T add theme · Alt+1…9 recent themes · 1–5 sentiment · 0 model's sentiment · "
             "K key quote · Shift+P/C/S/Q/M/X kind: praise, complaint, suggestion, question, "
             "mixed, none · Shift+U model's kind · J/↓ next · N next to review · Ctrl+Z undo")


def ordered_codings(info: dict, order: list[int] | None = None) -> list[dict]:
    """Themes as the pane lists them: standing ones first (strongest first), rejected last —
    or, given the `order` (theme ids) already on screen, in that order with any new theme
    after, so a decision never moves a row under the officer's cursor."""
    codings = info.get("codings", [])
    if order is not None:
        rank = {theme_id: i for i, theme_id in enumerate(order)}
        return sorted(codings, key=lambda c: rank.get(c["theme_id"], len(rank)))
    return ([c for c in codings if c["decision"] != "rejected"]
            + [c for c in codings if c["decision"] == "rejected"])


def highlighted_html(text: str, codings: list[dict]) -> str:
    """The comment as HTML, each theme's evidence terms marked in that theme's colour."""
    terms: list[str] = []
    colour_of_term: list[str] = []
    for i, coding in enumerate(codings):
        if coding["decision"] == "rejected":
            continue
        for term in coding["evidence"]:
            terms.append(term)
            colour_of_term.append(HIGHLIGHT_COLOURS[i % len(HIGHLIGHT_COLOURS)])
    out, last = [], 0
    for span in evidence_spans(text, terms):
        out.append(html.escape(text[last:span.start]))
        out.append(f"<span style='background-color:{colour_of_term[span.term]}; color:#000'>"
                   f"{html.escape(text[span.start:span.end])}</span>")
        last = span.end
    out.append(html.escape(text[last:]))
    return "".join(out)


def coding_state(coding: dict) -> str:
    who = f" by {coding['decided_by']}" if coding.get("decided_by") else ""
    if coding["decision"] == "accepted":
        return f"accepted{who}" + (" (added by an officer)" if coding["source"] == "officer"
                                   else f", model {coding['confidence']:.0%}")
    if coding["decision"] == "rejected":
        return f"rejected{who}"
    sure = f"{coding['confidence']:.0%}" if coding["confidence"] is not None else "?"
    return (f"counted — model {sure} sure, not checked" if coding["active"]
            else f"suggested — model {sure} sure, not counted until accepted")


class CodingDetail(QWidget):
    """Shows one comment for coding; emits `link_activated(verb, theme_id)` for its links."""

    link_activated = Signal(str, int)
    kind_chosen = Signal(object)  # a kind, or None: hand it back to the model

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self._comment_id: int | None = None
        self._current_theme: int | None = None
        self._pick_theme = False
        self._message = ""
        self._order: list[int] | None = None   # theme rows as first shown for this comment
        self.info: dict = {}
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.setAccessibleName("Comment being coded")
        self.browser.anchorClicked.connect(self._on_anchor)
        self.kind_setter = KindSetter(self)
        self.kind_setter.kind_chosen.connect(self.kind_chosen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.kind_setter)
        self._render()

    def set_project(self, project: Project | None) -> None:
        self._project = project
        self.show_comment(None)

    def comment_id(self) -> int | None:
        return self._comment_id

    def show_comment(self, comment_id: int | None, current_theme: int | None = None) -> None:
        """Show a comment; without `current_theme`, the first theme still waiting for a
        decision (else the first) becomes current."""
        self._comment_id, self._current_theme, self._message = comment_id, current_theme, ""
        self._pick_theme = current_theme is None
        self._order = None  # a new comment: its themes in their natural order
        self._render()

    def ordered(self) -> list[dict]:
        """The current comment's themes in the order on screen."""
        return ordered_codings(self.info, self._order)

    def theme_after(self, theme_id: int) -> int | None:
        """Where the cursor goes after a decision on `theme_id`: the next theme below it that
        still waits for a decision, else the next one below, else `theme_id` itself."""
        ids = [c["theme_id"] for c in self.ordered()]
        if theme_id not in ids:
            return ids[0] if ids else None
        below = self.ordered()[ids.index(theme_id) + 1:]
        waiting = [c["theme_id"] for c in below if c["decision"] is None]
        return (waiting or [c["theme_id"] for c in below] or [theme_id])[0]

    def current_theme(self) -> int | None:
        return self._current_theme

    def show_message(self, message: str) -> None:
        self._comment_id, self._message = None, message
        self._render()

    def refresh(self, current_theme: int | None = None) -> None:
        self._current_theme = current_theme
        self._render()

    def plain_text(self) -> str:
        return self.browser.toPlainText()

    def html(self) -> str:
        return self.browser.toHtml()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.PaletteChange:
            self._render()
        super().changeEvent(event)

    # ----- rendering ---------------------------------------------------------------------
    def _render(self) -> None:
        detail = None
        if self._project is not None and self._comment_id is not None:
            try:
                detail = comment_detail(self._project, self._comment_id)
            except NotFoundError:
                self._comment_id = None
        if detail is None:
            self.info = {}
            message = self._message or ("Select a comment to code it." if self._project
                                        else "No project is open.")
            self.browser.setHtml(f"<p><i>{html.escape(message)}</i></p>")
            self.kind_setter.show_kind(None, enabled=False)
            return
        self.kind_setter.show_kind(detail.get("kind"), detail.get("kind_source"),
                                   detail.get("kind_confidence"))
        self.info = workbench_store.workbench_rows(self._project, [detail["id"]])[detail["id"]]
        codings = ordered_codings(self.info, self._order)
        self._order = [c["theme_id"] for c in codings]
        if self._pick_theme:
            self._pick_theme = False
            waiting = [c["theme_id"] for c in codings if c["decision"] is None]
            self._current_theme = (waiting or [c["theme_id"] for c in codings] or [None])[0]
        scroll = self.browser.verticalScrollBar().value()
        self.browser.setHtml(self._html(detail, self.info))
        self.browser.verticalScrollBar().setValue(scroll)

    def _link_colour(self) -> str:
        """Links light on a dark background (rich text keeps the default dark blue)."""
        palette = self.palette()
        if palette.color(QPalette.ColorRole.Base).lightness() < 128:
            return "#8ab4f8"
        return palette.color(QPalette.ColorRole.Link).name()

    def _html(self, d: dict, info: dict) -> str:
        codings = ordered_codings(info, self._order)
        muted = self.palette().color(QPalette.ColorRole.PlaceholderText).name()
        meta = " · ".join(html.escape(str(v)) for v in (
            d.get("question_label"), d.get("place") or d.get("place_raw") or "no place given",
            d.get("date"), f"respondent {d.get('external_id')}") if v)
        parts = [f"<h3 style='margin-bottom:2px'>Comment {d['id']}</h3>",
                 f"<p style='color:{muted}; margin-top:0'>{meta}</p>",
                 "<p style='white-space:pre-wrap; font-size:large'>"
                 f"{highlighted_html(d['text'], codings)}</p>",
                 "<h4 style='margin-bottom:2px'>Themes</h4>", self._themes_table(codings, muted),
                 self._facts(info, muted, d),
                 f"<p style='color:{muted}; font-size:small'>{html.escape(KEYS_HELP)}</p>"]
        return "".join(parts)

    def _themes_table(self, codings: list[dict], muted: str) -> str:
        link = f"style='color:{self._link_colour()}'"
        if not codings:
            return (f"<p style='color:{muted}'>No theme yet. Add one with Ctrl+T "
                    f"(or <a href='pick:0' {link}>choose a theme</a>).</p>")
        rows = []
        for i, c in enumerate(codings):
            current = c["theme_id"] == self._current_theme
            swatch = HIGHLIGHT_COLOURS[i % len(HIGHLIGHT_COLOURS)] \
                if c["decision"] != "rejected" else "transparent"
            name = html.escape(c["theme"])
            name = f"<b>{name}</b>" if current else name
            if c["decision"] == "rejected":
                name = f"<s>{name}</s>"
            why = (("because of: " + ", ".join(html.escape(t) for t in c["evidence"]))
                   if c["evidence"] else ("added by an officer" if c["source"] == "officer"
                                          else "from the trained model (no seed term matched)"))
            links = [f"<a href='accept:{c['theme_id']}' {link}>accept</a>"] \
                if c["decision"] != "accepted" else []
            if c["decision"] != "rejected":
                links.append(f"<a href='reject:{c['theme_id']}' {link}>remove</a>")
            else:
                links.append(f"<a href='clear:{c['theme_id']}' {link}>undecide</a>")
            rows.append(
                f"<tr><td width='14'>{'▶' if current else ''}</td>"
                f"<td width='22'><span style='background-color:{swatch}'>&nbsp;&nbsp;&nbsp;"
                f"&nbsp;</span></td>"
                f"<td><a href='current:{c['theme_id']}' style='text-decoration:none; "
                f"color:{self._link_colour()}'>{name}</a>"
                f"<br/><span style='color:{muted}; font-size:small'>{html.escape(coding_state(c))}"
                f" · {why}</span></td>"
                f"<td style='white-space:nowrap'>{' · '.join(links)}</td></tr>")
        return ("<table cellspacing='0' cellpadding='3' width='100%'>" + "".join(rows)
                + "</table>")

    @staticmethod
    def _facts(info: dict, muted: str, detail: dict | None = None) -> str:
        level, officer = sentiment_of(info)
        if level is None:
            sentiment = "not estimated"
        else:
            sentiment = f"{level} {SENTIMENT_LEVELS[level]} " + \
                ("(set by an officer)" if officer else "(the model's estimate)")
        facts = [f"<b>Sentiment:</b> {html.escape(sentiment)}"]
        if detail is not None:
            facts.append(f"<b>Kind:</b> {html.escape(kind_text(detail))}")
        if info.get("key_quote"):
            facts.append("<b>★ Key quote</b>")
        if info.get("reviewed"):
            facts.append("<b>✓ Reviewed</b>")
        if info.get("copies", 1) > 1:
            facts.append(f"<b>×{info['copies']} identical</b> in this consultation: theme "
                         "decisions apply to every copy while “Code identical texts "
                         "together” is on")
        outcome = {"coded": "coded with confidence", "uncertain": "uncertain — in the review "
                   "queue until reviewed", "no_theme": "no theme found"}.get(
            info.get("outcome") or "", "not analysed yet")
        if info.get("outcome") == "uncertain" and info.get("reviewed"):
            outcome = "uncertain — reviewed, so out of the review queue"
        facts.append(f"<span style='color:{muted}'>Model: {html.escape(outcome)}</span>")
        return "<p>" + " &nbsp;·&nbsp; ".join(facts) + "</p>"

    def _on_anchor(self, url: QUrl) -> None:
        verb, _, value = url.toString().partition(":")
        if value.isdigit():
            self.link_activated.emit(verb, int(value))
