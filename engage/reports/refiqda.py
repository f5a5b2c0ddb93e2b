"""REFI-QDA exchange: the project file (.qdpx) and codebook (.qdc) NVivo, ATLAS.ti, MAXQDA and
QualCoder read.

Each question becomes one plain-text source holding its comments; each comment is a selection
coded with its themes and its sentiment; each respondent is a case with their attributes as
variables. GUIDs are derived from the project and record ids, so exporting twice gives the same
identifiers and a tool can recognise what it already imported.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass
from xml.sax.saxutils import XMLGenerator

from engage import __version__
from engage.progress import Reporter
from engage.project import Project, stored_json
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
class _Span:
    """Where one comment's text sits in its question's source text."""

    comment_id: int
    respondent_id: int
    label: str
    start: int
    end: int


@dataclass
class _Source:
    question_id: int
    name: str
    description: str
    text: str
    spans: list[_Span]


COMMENT_HEADER = re.compile(r"^\[(?P<respondent>[^\]\n]*)\] comment (?P<comment>\d+)\n", re.M)
SOURCE_NAME_LIMIT = 60


def safe_source_name(text: str, limit: int = SOURCE_NAME_LIMIT) -> str:
    """A source name other tools can use as a file name: no / \\ : ? * < > | " or control
    characters, no trailing dot, at most `limit` characters (cut at a word where possible)."""
    cleaned = re.sub(r'[<>:"/\\|?*\x00-\x1f]+', " ", text)
    cleaned = re.sub(r"\s+", " ", cleaned).strip()
    if len(cleaned) > limit:
        cut = cleaned[:limit - 1]
        cleaned = (cut.rsplit(" ", 1)[0] if " " in cut[limit // 2:] else cut).rstrip() + "…"
    return cleaned.strip(" .") or "question"


def source_layout(project: Project, comments: list[dict]) -> dict[int, _Source]:
    """Question id → its source: one plain text per question, each comment after a header
    line naming its respondent and comment id. The importer finds comments by these."""
    questions = {qid: (label, text) for qid, label, text in project.db.execute(
        "SELECT id, label, coalesce(text, '') FROM questions")}
    parts: dict[int, list[str]] = {}
    spans: dict[int, list[_Span]] = {}
    lengths: dict[int, int] = {}
    for c in comments:
        qid = c["question_id"]
        header = f"[{c['external_id']}] comment {c['comment_id']}\n"
        text = _xml_safe(c["text"])
        begin = lengths.get(qid, 0) + len(header)
        spans.setdefault(qid, []).append(_Span(c["comment_id"], c["respondent_id"],
                                               f"{c['external_id']} · {c['comment_id']}",
                                               begin, begin + len(text)))
        parts.setdefault(qid, []).append(header + text + "\n\n")
        lengths[qid] = begin + len(text) + 2
    out: dict[int, _Source] = {}
    used: set[str] = set()
    consultation = {c["question_id"]: c["consultation"] for c in comments}
    for qid in parts:
        label, question_text = questions.get(qid, (str(qid), ""))
        name = base = safe_source_name(label)
        n = 2
        while name.lower() in used:
            name = f"{base[:SOURCE_NAME_LIMIT - 5]} ({n})"
            n += 1
        used.add(name.lower())
        description = f"{consultation[qid]}: {question_text or label}"
        out[qid] = _Source(qid, name, description, "".join(parts[qid]), spans[qid])
    return out


def xml_datetime(value: str | None) -> str | None:
    """An ISO time as xsd:dateTime in UTC with a Z (what the other tools write and read)."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Coders:
    """Who coded what and when, for the file's users, selections and codings."""

    users: dict[str, str]                       # name → user GUID ("model" for the model)
    run_finished: dict[int, str]                # comment id → when the model's run finished
    sentiment_by: dict[int, tuple[str, str]]    # comment id → (officer, time) of sentiment
    exported_at: str

    @classmethod
    def read(cls, project: Project, ids: _Ids, comment_ids: set[int]) -> _Coders:
        sentiment_by: dict[int, tuple[str, str]] = {}
        for cid, user, at, after in project.db.execute(
                "SELECT entity_id, user, at, after FROM audit WHERE entity IN "
                "('sentiment', 'comment_review') AND after LIKE '%sentiment_officer%' "
                "ORDER BY id"):
            if cid in comment_ids and user:
                value = json.loads(after or "{}").get("sentiment_officer")
                if value is None:
                    sentiment_by.pop(cid, None)
                else:
                    sentiment_by[cid] = (user, at)
        run_finished = dict(project.db.execute(
            "SELECT a.comment_id, r.finished_at FROM comment_analysis a "
            "JOIN analysis_runs r ON r.id = a.run_id WHERE r.finished_at IS NOT NULL"))
        names = set(export_queries.officer_names(project)) | {u for u, _at in
                                                            sentiment_by.values()}
        users = {"model": ids("user", "engage-model")}
        users.update({name: ids("user", name) for name in sorted(names)})
        return cls(users, run_finished, sentiment_by, dt.datetime.now(dt.timezone.utc)
                   .strftime("%Y-%m-%dT%H:%M:%SZ"))


def project_qdpx(project: Project, scope: ReportScope, report: Reporter | None = None) -> bytes:
    """A REFI-QDA project exchange file: codebook, sources, coded selections, cases."""
    ids = _Ids.for_project(project)
    comments = list(export_queries.export_comments(project, scope))
    codings = export_queries.active_codings(project, scope)
    sources = source_layout(project, comments)
    coders = _Coders.read(project, ids, {c["comment_id"] for c in comments})
    sentiments = {c["comment_id"]: c["sentiment_officer"] or c["sentiment"] for c in comments}
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for qid, source in sources.items():
            archive.writestr(f"Sources/{ids('source', qid)}.txt", source.text.encode("utf-8"))
        if report:
            report(0.3, "Writing the REFI-QDA project")
        qde = io.BytesIO()  # one compressed write, not two million small ones
        xml = XMLGenerator(qde, encoding="utf-8", short_empty_elements=True)
        _write_project(xml, project, scope, ids, coders, comments, codings, sentiments,
                       sources)
        archive.writestr("project.qde", qde.getvalue())
    return buffer.getvalue()


def _write_project(xml: XMLGenerator, project: Project, scope: ReportScope, ids: _Ids,
                   coders: _Coders, comments: list[dict], codings: dict[int, list[dict]],
                   sentiments: dict[int, int | None], sources: dict[int, _Source]) -> None:
    names = q.scope_names(project, scope)
    xml.startDocument()
    xml.startElement("Project", {"xmlns": PROJECT_NS,
                                 "name": names["consultation"] or project.path.stem,
                                 "origin": ORIGIN, "creatingUserGUID": coders.users["model"],
                                 "creationDateTime": coders.exported_at})
    xml.startElement("Users", {})
    for name, guid in coders.users.items():
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
    # The schema puts cases before sources, so the selections are worked out first.
    selections: dict[int, list[str]] = {}  # respondent → selection GUIDs, for the cases
    pending = []
    for qid, source in sources.items():
        groups = [(span, _coder_groups(span.comment_id, codings.get(span.comment_id, []),
                                       sentiments.get(span.comment_id), coders))
                  for span in source.spans]
        for span, grouped in groups:
            for n, (coder, _items) in enumerate(grouped):
                selections.setdefault(span.respondent_id, []).append(
                    _selection_guid(ids, span.comment_id, coder, n))
        pending.append((qid, source, groups))
    _write_cases(xml, comments, selections, variables, ids)
    if pending:
        xml.startElement("Sources", {})
        for qid, source, groups in pending:
            guid = ids("source", qid)
            xml.startElement("TextSource", {"guid": guid, "name": source.name,
                                            "plainTextPath": f"internal://{guid}.txt",
                                            "creatingUser": coders.users["model"],
                                            "creationDateTime": coders.exported_at})
            _text_element(xml, "Description", source.description)
            for span, grouped in groups:
                for n, (coder, items) in enumerate(grouped):
                    _write_selection(xml, span, coder, n, items, ids, coders)
            xml.endElement("TextSource")
        xml.endElement("Sources")
    _text_element(xml, "Description", f"Coded comments exported from {project.path.name}; "
                                      "one source per question, one selection per comment "
                                      "and coder (comments with no code have none).")
    xml.endElement("Project")
    xml.endDocument()


def _coder_groups(comment_id: int, codings: list[dict], sentiment: int | None,
                  coders: _Coders) -> list[tuple[str, list[tuple[str, object, str]]]]:
    """One comment's codes grouped by who made them: [(coder, [(kind, key, time)])].

    Other tools take the coder from the selection, so each coder gets a selection of their
    own over the same text: the model's suggestions apart from each officer's decisions.
    """
    groups: dict[str, list[tuple[str, object, str]]] = {}
    model_time = coders.run_finished.get(comment_id) or coders.exported_at
    for coding in codings:
        officer = coding["decided_by"] if coding["decision"] == "accepted" else None
        coder = officer if officer in coders.users else "model"
        when = coding["decided_at"] if coder != "model" else model_time
        groups.setdefault(coder, []).append(("theme", coding["theme_id"], when))
    if sentiment in SENTIMENT_LABELS:
        officer, when = coders.sentiment_by.get(comment_id, ("model", model_time))
        coder = officer if officer in coders.users else "model"
        groups.setdefault(coder, []).append(("sentiment", sentiment, when))
    order = sorted(groups, key=lambda name: (name == "model", name))
    return [(coder, groups[coder]) for coder in order]


def _selection_guid(ids: _Ids, comment_id: int, coder: str, n: int) -> str:
    return ids("comment", comment_id) if n == 0 else ids("comment", f"{comment_id}:{coder}")


def _write_selection(xml: XMLGenerator, span: _Span, coder: str, n: int,
                     items: list[tuple[str, object, str]], ids: _Ids, coders: _Coders) -> None:
    user = coders.users[coder]
    times = sorted(t for t in (xml_datetime(when) for _k, _key, when in items) if t)
    attrs = {"guid": _selection_guid(ids, span.comment_id, coder, n), "name": span.label,
             "startPosition": str(span.start), "endPosition": str(span.end),
             "creatingUser": user}
    if times:
        attrs["creationDateTime"] = times[0]
    xml.startElement("PlainTextSelection", attrs)
    for kind, key, when in items:
        guid = (ids("coding", f"{span.comment_id}:{key}") if kind == "theme"
                else ids("sentiment-coding", span.comment_id))
        coding_attrs = {"guid": guid, "creatingUser": user}
        stamp = xml_datetime(when)
        if stamp:
            coding_attrs["creationDateTime"] = stamp
        xml.startElement("Coding", coding_attrs)
        target = ids("theme", key) if kind == "theme" else ids("sentiment", key)
        xml.startElement("CodeRef", {"targetGUID": target})
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


def _write_cases(xml: XMLGenerator, comments: list[dict], selections: dict[int, list[str]],
                 variables: list[tuple[str, str, str]], ids: _Ids) -> None:
    """One case per respondent, holding their attributes and their comments' selections."""
    first: dict[int, dict] = {}
    for c in comments:
        first.setdefault(c["respondent_id"], c)
    if not first:
        return
    xml.startElement("Cases", {})
    for respondent_id, c in first.items():
        attributes = stored_json(c["attributes"])
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
