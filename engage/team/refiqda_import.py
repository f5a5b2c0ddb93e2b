"""File → Import REFI-QDA Project…: codings made in NVivo, ATLAS.ti, MAXQDA or QualCoder on an
Engage export come back onto the same comments, through the same merge and Conflicts view.

Comments are found by source and position: each question's source text holds every comment
after a header line naming its respondent and comment id (see `engage.reports.refiqda`), and
the text there must still be the comment's text; a selection belongs to the comment whose
text it overlaps most. Codes map to themes by GUID (an Engage export's) or by name; a code the
other tool added becomes a new theme. Each coder in the file (taken from the selection, else
the coding) becomes one officer: their codes are accepted themes in their name and at the
time the file gives; a theme on in Engage that no coder kept on a comment in the file comes
back as rejected. Codings by the Engage model user are not decisions.

The file is only read: nothing in it runs, sources are read from inside the archive only (a
path pointing elsewhere on disk is ignored), and sizes are capped before anything is unpacked.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lxml import etree

from engage.analysis.store import ACTIVE_CODING, chunks
from engage.errors import EngageError
from engage.progress import CancelFn, ProgressFn, Reporter
from engage.project import Project
from engage.reports.refiqda import COMMENT_HEADER, PROJECT_NS, _Ids, _xml_safe
from engage.team.merge import Decision, Incoming, MergeResult, merge_incoming

MAX_MEMBERS = 20_000
MAX_PROJECT_BYTES = 512 * 1024 * 1024
MAX_TOTAL_BYTES = 2 * 1024 * 1024 * 1024
MODEL_USER = "Engage model"
NS = {"p": PROJECT_NS}
SENTIMENT_NAME = re.compile(r"^([1-5])\b")


class RefiQdaError(EngageError):
    """The .qdpx file cannot be read or holds nothing that matches this project."""


@dataclass
class _Code:
    guid: str
    name: str
    parent: str | None
    codable: bool
    description: str = ""


@dataclass
class _Coder:
    """What one coder in the file did: comment → themes (lead ids, or negative for new
    themes) with times, and sentiment."""

    themes: dict[int, dict[int, str | None]] = field(default_factory=dict)
    sentiment: dict[int, tuple[int, str | None]] = field(default_factory=dict)


def import_qdpx(project: Project, path: str | Path, progress: ProgressFn | None = None,
                cancelled: CancelFn | None = None) -> MergeResult:
    """Read the file, then merge every coder's decisions in one transaction."""
    report = Reporter(progress, cancelled)
    report(0.0, f"Reading {Path(path).name}")
    incoming = read_qdpx(project, path)
    return merge_incoming(project, incoming, report.span(0.5, 1.0))


def read_qdpx(project: Project, path: str | Path) -> list[Incoming]:
    path = Path(path)
    document, sources, digest = _open(path)
    users = {u.get("guid"): u.get("name") or "unnamed coder"
             for u in document.iterfind("p:Users/p:User", NS)}
    codes = _codes(document)
    mapping, sentiment_codes, new_themes = _map_codes(project, codes)
    comments = _lead_comments(project)
    coders: dict[str, _Coder] = {}
    present: set[int] = set()
    unmatched = 0
    for source in document.iterfind("p:Sources/p:TextSource", NS):
        text = _source_text(source, sources)
        if text is None:
            continue
        spans = _comment_spans(text, comments)
        present.update(cid for _s, _e, cid in spans)
        starts = [s for s, _e, _c in spans]
        for selection in source.iterfind("p:PlainTextSelection", NS):
            cid = _comment_at(selection, spans, starts)
            if cid is None:
                unmatched += 1
                continue
            _read_selection(selection, cid, users, mapping, sentiment_codes, coders)
    if not present:
        raise RefiQdaError(f"{path.name}: none of its sources holds this project's comments "
                           "(it was not exported from this project by Engage)")
    notes = [f"{unmatched} selections matched no comment and were left out"] if unmatched else []
    return _incoming(project, path.name, digest, coders, present, new_themes, notes)


def _open(path: Path) -> tuple[etree._Element, dict[str, bytes], str]:
    if not path.is_file():
        raise RefiQdaError(f"{path}: no such file")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_TOTAL_BYTES:
                raise RefiQdaError(f"{path.name}: too large to import safely")
            qde = next((m for m in members if m.filename.lower().endswith(".qde")
                        and "/" not in m.filename.strip("/")), None)
            if qde is None:
                raise RefiQdaError(f"{path.name}: not a REFI-QDA project (no project.qde "
                                   "inside)")
            if qde.file_size > MAX_PROJECT_BYTES:
                raise RefiQdaError(f"{path.name}: its project.qde is too large to import")
            data = archive.read(qde)
            sources = {m.filename: archive.read(m) for m in members
                       if m.filename.lower().startswith("sources/")
                       and m.filename.lower().endswith(".txt")}
    except (zipfile.BadZipFile, OSError) as exc:
        raise RefiQdaError(f"{path.name}: not a REFI-QDA project file (.qdpx): {exc}") from exc
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=True)
    try:
        document = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise RefiQdaError(f"{path.name}: its project.qde is not readable XML ({exc})") from exc
    if etree.QName(document).namespace != PROJECT_NS:
        raise RefiQdaError(f"{path.name}: not a REFI-QDA 1.0 project")
    return document, sources, hashlib.sha256(data).hexdigest()[:16]


def _codes(document) -> dict[str, _Code]:
    out: dict[str, _Code] = {}

    def walk(element, parent: str | None) -> None:
        for code in element.iterfind("p:Code", NS):
            guid = code.get("guid")
            description = code.findtext("p:Description", default="", namespaces=NS) or ""
            out[guid] = _Code(guid, code.get("name") or "", parent,
                              code.get("isCodable", "true") == "true", description)
            walk(code, guid)

    codebook = document.find("p:CodeBook/p:Codes", NS)
    if codebook is not None:
        walk(codebook, None)
    return out


def _map_codes(project: Project, codes: dict[str, _Code]):
    """Code GUID → lead theme id (negative: a new theme), sentiment level by GUID, new themes."""
    ids = _Ids.for_project(project)
    themes = project.db.execute("SELECT id, name FROM themes").fetchall()
    by_guid = {ids("theme", tid): tid for tid, _name in themes}
    by_name = {name.casefold(): tid for tid, name in themes}
    sentiment_guids = {ids("sentiment", level): level for level in range(1, 6)}
    mapping: dict[str, int] = {}
    sentiment: dict[str, int] = {}
    new_themes: list[dict] = []
    for code in codes.values():
        parent = codes.get(code.parent) if code.parent else None
        if code.guid in sentiment_guids:
            sentiment[code.guid] = sentiment_guids[code.guid]
        elif parent is not None and parent.name == "Sentiment" and SENTIMENT_NAME.match(
                code.name):
            sentiment[code.guid] = int(SENTIMENT_NAME.match(code.name).group(1))
        elif code.guid in by_guid:
            mapping[code.guid] = by_guid[code.guid]
        elif code.name.casefold() in by_name:
            mapping[code.guid] = by_name[code.name.casefold()]
        elif code.codable and code.name.strip() and code.name != "Sentiment":
            key = -(len(new_themes) + 1)
            mapping[code.guid] = key
            by_name[code.name.casefold()] = key
            new_themes.append({"id": key, "name": code.name.strip(),
                               "portfolio": parent.name if parent else "Imported codes",
                               "description": code.description, "officer": "", "at": None})
    return mapping, sentiment, new_themes


def _lead_comments(project: Project) -> dict[int, str]:
    return {cid: _xml_safe(text) for cid, text in project.db.execute(
        "SELECT id, text FROM comments")}


def _source_text(source, sources: dict[str, bytes]) -> str | None:
    path = source.get("plainTextPath") or ""
    if path.startswith("internal://"):
        data = sources.get("Sources/" + path[len("internal://"):])
        return None if data is None else data.decode("utf-8", errors="replace")
    content = source.findtext("p:PlainTextContent", namespaces=NS)
    return content  # a path outside the archive is never read


def _comment_spans(text: str, comments: dict[int, str]) -> list[tuple[int, int, int]]:
    """(start, end, comment id) of each comment whose header and text are still in place."""
    spans = []
    for match in COMMENT_HEADER.finditer(text):
        cid = int(match.group("comment"))
        body = comments.get(cid)
        start = match.end()
        if body is not None and text[start:start + len(body)] == body:
            spans.append((start, start + len(body), cid))
    return spans


def _comment_at(selection, spans, starts) -> int | None:
    try:
        begin, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
    except (TypeError, ValueError):
        return None
    best, best_overlap = None, 0
    i = max(bisect.bisect_right(starts, begin) - 1, 0)
    while i < len(spans) and spans[i][0] < max(end, begin + 1):
        start, stop, cid = spans[i]
        overlap = min(end, stop) - max(begin, start)
        if overlap > best_overlap:
            best, best_overlap = cid, overlap
        i += 1
    return best


def _read_selection(selection, cid: int, users: dict, mapping: dict, sentiment_codes: dict,
                    coders: dict[str, _Coder]) -> None:
    selection_user = users.get(selection.get("creatingUser") or selection.get("modifyingUser"))
    selection_time = selection.get("creationDateTime") or selection.get("modifiedDateTime")
    for coding in selection.iterfind("p:Coding", NS):
        ref = coding.find("p:CodeRef", NS)
        if ref is None:
            continue
        target = ref.get("targetGUID")
        coder = selection_user or users.get(coding.get("creatingUser")) or "unnamed coder"
        when = _iso(coding.get("creationDateTime") or selection_time)
        record = coders.setdefault(coder, _Coder())
        if target in mapping:
            record.themes.setdefault(cid, {})[mapping[target]] = when
        elif target in sentiment_codes:
            record.sentiment[cid] = (sentiment_codes[target], when)


def _iso(value: str | None) -> str | None:
    """xsd:dateTime as Engage writes times (ISO, UTC offset)."""
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.timezone.utc)
    return moment.astimezone(dt.timezone.utc).isoformat(timespec="seconds")


def _active_themes(project: Project, cids: Sequence[int]) -> dict[int, set[int]]:
    out: dict[int, set[int]] = {}
    for chunk in chunks(sorted(cids), 900):
        marks = ",".join("?" * len(chunk))
        for cid, tid in project.db.execute(
                f"""SELECT c.comment_id, c.theme_id FROM codings c
                    LEFT JOIN comment_analysis a ON a.comment_id = c.comment_id
                    WHERE c.comment_id IN ({marks}) AND {ACTIVE_CODING}""", chunk):
            out.setdefault(cid, set()).add(tid)
    return out


def _incoming(project: Project, label: str, digest: str, coders: dict[str, _Coder],
              present: set[int], new_themes: list[dict], notes: list[str]) -> list[Incoming]:
    officers = {name: record for name, record in coders.items() if name != MODEL_USER}
    kept: dict[int, set[int]] = {}  # themes any coder (the model included) has on a comment
    for record in coders.values():
        for cid, themes in record.themes.items():
            kept.setdefault(cid, set()).update(themes)
    active = _active_themes(project, present)
    identity = {tid: tid for (tid,) in project.db.execute("SELECT id FROM themes")}
    out: list[Incoming] = []
    for name, record in sorted(officers.items()):
        decisions = [Decision(cid, f"theme:{tid}", "accepted", None, name, when)
                     for cid, themes in record.themes.items() for tid, when in themes.items()]
        decisions += [Decision(cid, "sentiment", level, None, name, when)
                      for cid, (level, when) in record.sentiment.items()]
        coded = set(record.themes) | set(record.sentiment)
        codings = {cid: (sorted(record.themes.get(cid, {})), record.sentiment.get(cid, (None,))[0])
                   for cid in coded}
        mine = [dict(t, officer=name, at=_first_time(record, t["id"])) for t in new_themes
                if any(t["id"] in themes for themes in record.themes.values())]
        out.append(Incoming(f"qdpx:{digest}:{name}", f"{label} ({name})", name, decisions,
                            identity, mine, codings, list(notes)))
        notes = []
    # REFI-QDA has no "rejected": a code taken off leaves no trace of who took it off.
    rejections = [Decision(cid, f"theme:{tid}", "rejected", None, "REFI-QDA import", None)
                  for cid in sorted(present)
                  for tid in sorted(active.get(cid, set()) - kept.get(cid, set()))]
    if rejections:
        out.append(Incoming(f"qdpx:{digest}:removed", f"{label} (codes removed)",
                            "REFI-QDA import", rejections, identity, notes=notes))
    return out


def _first_time(record: _Coder, theme_key: int) -> str | None:
    times = sorted(t[theme_key] for t in record.themes.values() if t.get(theme_key))
    return times[0] if times else None
