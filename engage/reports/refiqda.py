"""REFI-QDA exchange: the project file (.qdpx) and codebook (.qdc) NVivo, ATLAS.ti, MAXQDA and
QualCoder read.

Each question becomes one plain-text source holding its comments; each comment is a selection
coded with its themes and its sentiment; each respondent is a case with their attributes as
variables. GUIDs are derived from the project and record ids, so exporting twice gives the same
identifiers and a tool can recognise what it already imported.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import XMLGenerator

from engage import __version__
from engage.progress import Reporter
from engage.project import Project
from engage.reports import export_queries
from engage.reports import queries as q
from engage.reports.queries import ReportScope
from engage.reports.summary import SENTIMENT_LABELS

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
ORIGIN = f"Engage {__version__}"
PORTFOLIO_COLOURS = ("#005EB8", "#00A499", "#ED8B00", "#330072", "#AE2573", "#41B6E6",
                     "#768692", "#7C2855")
SENTIMENT_COLOURS = {1: "#003087", 2: "#41B6E6", 3: "#AEB7BD", 4: "#ED8B00", 5: "#8A1538"}

@dataclass
class _Ids:
    """Deterministic GUIDs for one project's records."""

    namespace: uuid.UUID

    @classmethod
    def for_project(cls, project: Project) -> _Ids:
        return cls(uuid.uuid5(uuid.NAMESPACE_URL, f"engage-project:{project.path.stem}"))

    def __call__(self, kind: str, key: object) -> str:
        return str(uuid.uuid5(self.namespace, f"{kind}:{key}")).upper()


def _codebook_codes(xml: XMLGenerator, project: Project, ids: _Ids, sentiment: bool) -> None:
    themes = q.codebook_themes(project)
    for i, p in enumerate(q.codebook_portfolios(project)):
        colour = PORTFOLIO_COLOURS[i % len(PORTFOLIO_COLOURS)]
        xml.startElement("Code", {"guid": ids("portfolio", p["id"]), "name": p["name"],
                                  "isCodable": "false", "color": colour})
        _text_element(xml, "Description", p["description"] or "")
        for t in themes:
            if t["portfolio_id"] != p["id"]:
                continue
            xml.startElement("Code", {"guid": ids("theme", t["id"]), "name": t["name"],
                                      "isCodable": "true", "color": colour})
            _text_element(xml, "Description", t["description"] or "")
            xml.endElement("Code")
        xml.endElement("Code")
    if sentiment:
        xml.startElement("Code", {"guid": ids("sentiment", "root"), "name": "Sentiment",
                                  "isCodable": "false", "color": "#425563"})
        _text_element(xml, "Description", "1 very positive to 5 very negative; 3 is neutral "
                                          "or mixed (NHS patient-experience scale).")
        for level, label in SENTIMENT_LABELS.items():
            xml.startElement("Code", {"guid": ids("sentiment", level),
                                      "name": f"{level} {label}", "isCodable": "true",
                                      "color": SENTIMENT_COLOURS[level]})
            xml.endElement("Code")
        xml.endElement("Code")


def _text_element(xml: XMLGenerator, name: str, text: str) -> None:
    xml.startElement(name, {})
    if text:
        xml.characters(_xml_safe(text))
    xml.endElement(name)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    """Drop characters XML 1.0 cannot hold (control codes other than tab and newlines)."""
    return _NOT_XML.sub("", text)


def codebook_qdc(project: Project) -> bytes:
    """The codebook alone (.qdc): portfolios holding their themes, plus the sentiment scale."""
    buffer = io.BytesIO()
    xml = XMLGenerator(buffer, encoding="utf-8", short_empty_elements=True)
    xml.startDocument()
    xml.startElement("CodeBook", {"xmlns": CODEBOOK_NS, "origin": ORIGIN})
    xml.startElement("Codes", {})
    _codebook_codes(xml, project, _Ids.for_project(project), sentiment=True)
    xml.endElement("Codes")
    xml.endElement("CodeBook")
    xml.endDocument()
    return buffer.getvalue()


@dataclass
class _Selection:
    guid: str
    comment_id: int
    respondent_id: int
    label: str
    start: int
    end: int
    sentiment: int | None


def _sources(comments: list[dict], ids: _Ids) -> dict[int, tuple[str, str, list[_Selection]]]:
    """Question id → (source name, plain text, selections): one text per question."""
    out: dict[int, tuple[str, list[str], list[_Selection], int]] = {}
    for c in comments:
        name, parts, selections, length = out.get(
            c["question_id"], (f"{c['consultation']} — {c['question']}", [], [], 0))
        header = f"[{c['external_id']}] comment {c['comment_id']}\n"
        text = _xml_safe(c["text"])
        start = length + len(header)
        selections.append(_Selection(ids("comment", c["comment_id"]), c["comment_id"],
                                     c["respondent_id"], f"{c['external_id']} · {c['comment_id']}",
                                     start, start + len(text),
                                     c["sentiment_officer"] or c["sentiment"]))
        parts.append(header + text + "\n\n")
        out[c["question_id"]] = (name, parts, selections, start + len(text) + 2)
    return {qid: (name, "".join(parts), selections)
            for qid, (name, parts, selections, _n) in out.items()}


def project_qdpx(project: Project, scope: ReportScope, report: Reporter | None = None) -> bytes:
    """A REFI-QDA project exchange file: codebook, sources, coded selections, cases."""
    ids = _Ids.for_project(project)
    comments = list(export_queries.export_comments(project, scope))
    codings = export_queries.active_codings(project, scope)
    sources = _sources(comments, ids)
    users = {"model": ids("user", "engage-model")}
    for name in export_queries.officer_names(project):
        users[name] = ids("user", name)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for qid, (_name, text, _selections) in sources.items():
            archive.writestr(f"Sources/{ids('source', qid)}.txt", text.encode("utf-8"))
        if report:
            report(0.3, "Writing the REFI-QDA project")
        qde = io.BytesIO()  # one compressed write, not two million small ones
        xml = XMLGenerator(qde, encoding="utf-8", short_empty_elements=True)
        _write_project(xml, project, scope, ids, users, comments, codings, sources)
        archive.writestr("project.qde", qde.getvalue())
    return buffer.getvalue()


def _write_project(xml: XMLGenerator, project: Project, scope: ReportScope, ids: _Ids,
                   users: dict[str, str], comments: list[dict], codings: dict[int, list[dict]],
                   sources: dict) -> None:
    names = q.scope_names(project, scope)
    xml.startDocument()
    xml.startElement("Project", {"xmlns": PROJECT_NS,
                                 "name": names["consultation"] or project.path.stem,
                                 "origin": ORIGIN, "creatingUserGUID": users["model"]})
    xml.startElement("Users", {})
    for name, guid in users.items():
        xml.startElement("User", {"guid": guid, "name": "Engage model" if name == "model"
                                  else name})
        xml.endElement("User")
    xml.endElement("Users")
    xml.startElement("CodeBook", {})
    xml.startElement("Codes", {})
    _codebook_codes(xml, project, ids, sentiment=True)
    xml.endElement("Codes")
    xml.endElement("CodeBook")
    variables = _write_variables(xml, project, scope, ids)
    _write_cases(xml, comments, sources, variables, ids)
    if sources:
        xml.startElement("Sources", {})
        for qid, (name, _text, selections) in sources.items():
            guid = ids("source", qid)
            xml.startElement("TextSource", {"guid": guid, "name": name,
                                            "plainTextPath": f"internal://{guid}.txt"})
            for selection in selections:
                _write_selection(xml, selection, codings.get(selection.comment_id, []), ids,
                                 users)
            xml.endElement("TextSource")
        xml.endElement("Sources")
    _text_element(xml, "Description", f"Coded comments exported from {project.path.name}; "
                                      "one source per question, one selection per comment.")
    xml.endElement("Project")
    xml.endDocument()


def _write_selection(xml: XMLGenerator, selection: _Selection, codings: list[dict], ids: _Ids,
                     users: dict[str, str]) -> None:
    xml.startElement("PlainTextSelection", {
        "guid": selection.guid, "name": selection.label, "startPosition": str(selection.start),
        "endPosition": str(selection.end)})
    for coding in codings:
        by = coding["decided_by"] if coding["decision"] == "accepted" else "model"
        attrs = {"guid": ids("coding", f"{selection.comment_id}:{coding['theme_id']}"),
                 "creatingUser": users.get(by, users["model"])}
        xml.startElement("Coding", attrs)
        xml.startElement("CodeRef", {"targetGUID": ids("theme", coding["theme_id"])})
        xml.endElement("CodeRef")
        xml.endElement("Coding")
    if selection.sentiment in SENTIMENT_LABELS:
        xml.startElement("Coding", {"guid": ids("sentiment-coding", selection.comment_id),
                                    "creatingUser": users["model"]})
        xml.startElement("CodeRef", {"targetGUID": ids("sentiment", selection.sentiment)})
        xml.endElement("CodeRef")
        xml.endElement("Coding")
    xml.endElement("PlainTextSelection")


_VARIABLES = (("place", "Place"), ("postcode_district", "Postcode district"),
              ("age_band", "Age band"), ("sex", "Sex"), ("ethnicity", "Ethnicity"),
              ("disability", "Disability"), ("carer", "Carer"))


def _write_variables(xml: XMLGenerator, project: Project, scope: ReportScope,
                     ids: _Ids) -> list[tuple[str, str, str]]:
    """Declare the respondent attributes; return (key, label, guid) for the cases."""
    variables = [(key, label, ids("variable", key)) for key, label in _VARIABLES]
    variables += [(f"attr:{name}", name, ids("variable", f"attr:{name}"))
                  for name in export_queries.extra_attribute_names(project, scope)]
    xml.startElement("Variables", {})
    for _key, label, guid in variables:
        xml.startElement("Variable", {"guid": guid, "name": label, "typeOfVariable": "Text"})
        xml.endElement("Variable")
    xml.endElement("Variables")
    return variables


def _write_cases(xml: XMLGenerator, comments: list[dict], sources: dict,
                 variables: list[tuple[str, str, str]], ids: _Ids) -> None:
    """One case per respondent, holding their attributes and their comments' selections."""
    selections: dict[int, list[str]] = {}
    for _name, _text, source_selections in sources.values():
        for s in source_selections:
            selections.setdefault(s.respondent_id, []).append(s.guid)
    first: dict[int, dict] = {}
    for c in comments:
        first.setdefault(c["respondent_id"], c)
    if not first:
        return
    xml.startElement("Cases", {})
    for respondent_id, c in first.items():
        attributes = json.loads(c["attributes"] or "{}")
        xml.startElement("Case", {"guid": ids("respondent", respondent_id),
                                  "name": str(c["external_id"])})
        for key, _label, guid in variables:
            value = attributes.get(key[5:]) if key.startswith("attr:") else c.get(key)
            if value in (None, ""):
                continue
            xml.startElement("VariableValue", {})
            xml.startElement("VariableRef", {"targetGUID": guid})
            xml.endElement("VariableRef")
            _text_element(xml, "TextValue", str(value))
            xml.endElement("VariableValue")
        for guid in selections.get(respondent_id, []):
            xml.startElement("SelectionRef", {"targetGUID": guid})
            xml.endElement("SelectionRef")
        xml.endElement("Case")
    xml.endElement("Cases")
