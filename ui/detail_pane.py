"""The right-hand pane: everything known about the selected comment.

Full text with the search words highlighted, where it came from (question, consultation,
file and row), who said it (respondent, place, attributes), and what the import did to it
(personal data masked, non-substantive, duplicate). Colours come from the palette so the pane
reads well in light and dark themes.

Below the text, the comment's kind in a combo box (``ui.kind_setter``): choosing one emits
`kind_chosen(comment_id, kind)`; the window makes the change through the coding session, as
the workbench's Shift+letter keys do (audited, Ctrl+Z undoes it), and the pane shows the new
kind when the change record comes back through `on_changes`.
"""

from __future__ import annotations

import html
import re

from PySide6.QtCore import QEvent, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QTextBrowser, QVBoxLayout, QWidget

from engage.browse import comment_detail
from engage.changes import Changes
from engage.errors import NotFoundError
from engage.project import Project
from ui.filter_bar import attribute_label
from ui.kind_setter import KindSetter

# kind written by the importer's masker → (one, many)
_MASK_NAMES = {
    "email": ("e-mail address", "e-mail addresses"),
    "phone": ("phone number", "phone numbers"),
    "nhs_number": ("NHS number", "NHS numbers"),
    "postcode": ("full postcode", "full postcodes"),
    "name": ("name", "names"),
    "titled_name": ("name", "names"),
}
_FIXED_ATTRIBUTES = ("age_band", "sex", "ethnicity", "disability", "carer", "postcode_district")


def masked_summary(masked: list[dict]) -> str:
    """'1 phone number masked, 2 e-mail addresses masked' from the importer's record."""
    parts = []
    for item in masked:
        kind, count = str(item.get("kind", "item")), int(item.get("count", 1))
        one, many = _MASK_NAMES.get(kind, (kind.replace("_", " "), kind.replace("_", " ") + "s"))
        parts.append(f"{count} {one if count == 1 else many} masked")
    return ", ".join(parts)


def search_terms(search: str) -> list[tuple[str, bool]]:
    """Words of a search as (word, is_prefix), matching what the FTS query looks for."""
    terms = []
    for phrase, word in re.findall(r'"([^"]+)"|(\S+)', search):
        if phrase:
            terms += [(token, False) for token in re.findall(r"\w+", phrase)]
        else:
            prefix = word.endswith("*")
            terms += [(token, prefix) for token in re.findall(r"\w+", word)]
    return terms


def highlight(text: str, search: str, style: str) -> str:
    """HTML of `text` with whole search words (or prefixes) wrapped in a styled span."""
    terms = search_terms(search)
    if not terms:
        return html.escape(text)
    alternatives = sorted({re.escape(t) + (r"\w*" if prefix else "") for t, prefix in terms},
                          key=len, reverse=True)
    pattern = re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[last:match.start()]))
        out.append(f"<span style='{style}'>{html.escape(match.group(0))}</span>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


class DetailPane(QWidget):
    """Shows one comment; call `show_comment(id, search)`, or `show_comment(None)` to clear."""

    kind_chosen = Signal(int, object)  # comment id, kind (None: hand it back to the model)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._project: Project | None = None
        self._comment_id: int | None = None
        self._search = ""
        self._empty_message = ""
        self.browser = QTextBrowser(self)
        self.browser.setOpenLinks(False)
        self.browser.setAccessibleName("Comment details")
        self.kind_setter = KindSetter(self)
        self.kind_setter.kind_chosen.connect(self._kind_chosen)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.browser, 1)
        layout.addWidget(self.kind_setter)
        self.setFocusProxy(self.browser)
        self._render()

    def set_project(self, project: Project | None) -> None:
        self._project = project
        self.show_comment(None)

    def comment_id(self) -> int | None:
        return self._comment_id

    def show_comment(self, comment_id: int | None, search: str = "") -> None:
        self._comment_id, self._search = comment_id, search
        self._empty_message = ""
        self._render()

    def show_message(self, message: str) -> None:
        """No comment to show, and why (nothing imported yet, nothing matches…)."""
        self._comment_id, self._empty_message = None, message
        self._render()

    def on_changes(self, changes: Changes) -> None:
        if changes.comments or changes.respondents or changes.questions:
            self._render()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt's name
        if event.type() == QEvent.Type.PaletteChange:
            self._render()  # the highlight colour follows the theme
        super().changeEvent(event)

    def plain_text(self) -> str:
        return self.browser.toPlainText()

    # ----- rendering -----------------------------------------------------------------------
    def _render(self) -> None:
        detail = None
        if self._project is not None and self._comment_id is not None:
            try:
                detail = comment_detail(self._project, self._comment_id)
            except NotFoundError:
                self._comment_id = None
        if detail is None:
            message = self._empty_message or (
                "Select a comment to see it in full, with who said it and where."
                if self._project is not None else "No project is open.")
            self.browser.setHtml(f"<p><i>{html.escape(message)}</i></p>")
            self.kind_setter.show_kind(None, enabled=False)
            return
        self.browser.setHtml(self._html(detail))
        self.kind_setter.show_kind(detail.get("kind"), detail.get("kind_source"),
                                   detail.get("kind_confidence"))

    def _kind_chosen(self, kind: str | None) -> None:
        if self._comment_id is not None:
            self.kind_chosen.emit(self._comment_id, kind)

    def _html(self, d: dict) -> str:
        palette = self.palette()
        mark = (f"background-color:{palette.color(QPalette.ColorRole.Highlight).name()};"
                f"color:{palette.color(QPalette.ColorRole.HighlightedText).name()}")
        text = highlight(d["text"], self._search, mark)
        rows = [
            ("Question", d.get("question_text") or d.get("question_label")),
            ("Consultation", d.get("consultation")),
            ("Respondent", d.get("external_id")),
            ("Place", _place(d)),
            ("Date", d.get("date")),
        ]
        rows += [(attribute_label(name), d.get(name)) for name in _FIXED_ATTRIBUTES]
        rows += [(attribute_label(k), v) for k, v in d["respondent_attributes"].items()]
        rows += [("Source", _source(d)), ("Personal data", _personal_data(d)),
                 ("Status", _status(d)), ("Kind", kind_text(d)),
                 ("Coded by", self._coded_by(d["id"]))]
        table = "".join(_fact_row(label, value) for label, value in rows
                        if value not in (None, ""))
        return (f"<h3>Comment {d['id']}</h3>"
                f"<p style='white-space:pre-wrap'>{text}</p><hr/>"
                f"<table cellspacing='0'>{table}</table>")

    def _coded_by(self, comment_id: int) -> str | None:
        """Which model's themes and sentiment the comment carries (fast or accurate pass)."""
        from engage.analysis.vectors import coded_by_label

        return coded_by_label(self._project, comment_id)


#: Labels longer than this go on a line of their own above their value. A survey's attribute
#: names can be whole questions ("Are you happy for us to contact you about …?"); kept on one
#: unbreakable line beside the value they left it a column one letter wide.
LONG_LABEL = 24


def _fact_row(label: str, value) -> str:
    label_html, value_html = html.escape(label), html.escape(str(value))
    if len(label) > LONG_LABEL:
        return (f"<tr><td colspan='2' style='padding:4px 0 0 0'><b>{label_html}</b></td></tr>"
                f"<tr><td></td><td style='padding:0 0 2px 0'>{value_html}</td></tr>")
    return (f"<tr><td style='padding:2px 10px 2px 0; white-space:nowrap'><b>{label_html}</b>"
            f"</td><td style='padding:2px 0'>{value_html}</td></tr>")


def kind_text(d: dict) -> str:
    """'Suggestion (set by an officer)' / 'Praise (the model's estimate, 82% sure)': the
    comment's kind (engage.nlp.kind) and who set it."""
    from engage.nlp.kind import KIND_WORDS  # lazily: it brings scikit-learn

    kind = d.get("kind")
    if not kind:
        return "not classified yet (the next analysis fills it in)"
    word = KIND_WORDS.get(kind, kind)
    if d.get("kind_source") == "officer":
        return f"{word} (set by an officer)"
    sure = d.get("kind_confidence")
    return f"{word} (the model's estimate" + (f", {sure:.0%} sure)" if sure is not None else ")")


def _place(d: dict) -> str:
    if d.get("place"):
        return d["place"]
    if d.get("place_raw"):
        return f"{d['place_raw']} (not matched to a known place)"
    return "(not given)"


def _source(d: dict) -> str:
    name = d.get("source_file") or "unknown file"
    row = d.get("source_row")
    return f"{name}, row {row}" if row is not None else name


def _personal_data(d: dict) -> str:
    summary = masked_summary(d.get("masked") or [])
    if not summary:
        return "none found"
    if d.get("original_text"):
        summary += " (original kept, as asked at import)"
    return summary


def _status(d: dict) -> str:
    status = []
    if not d.get("substantive", 1):
        status.append("non-substantive answer (kept, left out of analysis)")
    if d.get("duplicate_of") is not None:
        status.append(f"exact duplicate of comment {d['duplicate_of']}")
    return "; ".join(status) or "substantive, not a duplicate"
