"""REFI-QDA both ways: the export names its coders and dates where other tools read them and
names sources safely; the import brings codings back onto the same comments through the
merge (round trip loses no coding, officer or date), refuses files of other projects, and
turns another tool's edits into decisions or conflicts."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from engage.analysis import store
from engage.reports.exports import write_export
from engage.team import conflicts
from engage.team.refiqda_import import RefiQdaError, import_qdpx
from tests.team.conftest import build_lead, theme_ids

SCHEMAS = Path(__file__).resolve().parents[1] / "data" / "refi_qda"
NS = {"p": "urn:QDA-XML:project:1.0"}


def coded_lead(path):
    """A lead project with decisions by three officers (each under their own name)."""
    p = build_lead(path)
    t = theme_ids(p)
    for user, action in (("Alice", lambda: store.set_coding_decision(
            p, [1, 2, 3, 4, 5], t["Travel to services"], "accepted")),
                         ("Bob", lambda: store.set_coding_decision(
                             p, [1, 7], t["Waiting times"], "rejected")),
                         ("Carol", lambda: store.set_officer_sentiment(p, [2, 3, 8], 5))):
        p.user = user
        action()
    p.user = "Lead Officer"
    return p


@pytest.fixture
def exported(tmp_path):
    p = coded_lead(tmp_path / "lead.engage")
    path = write_export(p, tmp_path / "coded.qdpx")
    yield p, path
    p.close()


def read_qde(path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde"))


def rewrite_qde(path, out, change) -> Path:
    """Copy the .qdpx with its project.qde changed, as another tool would save it."""
    document = read_qde(path)
    change(document)
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for item in src.infolist():
            data = src.read(item)
            if item.filename == "project.qde":
                data = etree.tostring(document, xml_declaration=True, encoding="utf-8")
            dst.writestr(item, data)
    return out


# ----- export ----------------------------------------------------------------------------------
def test_export_names_the_coder_and_date_on_each_selection(exported):
    project, path = exported
    document = read_qde(path)
    validator = etree.XMLSchema(etree.parse(str(SCHEMAS / "Project-mrt2019.xsd")))
    assert validator.validate(document), validator.error_log
    users = {u.get("guid"): u.get("name") for u in document.iterfind(".//p:User", NS)}
    codes = {c.get("guid"): c.get("name") for c in document.iterfind(".//p:Code", NS)}
    by_coder: dict[tuple[int, str], set[str]] = {}
    for selection in document.iterfind(".//p:PlainTextSelection", NS):
        cid = int(selection.get("name").rsplit(" · ", 1)[1])
        coder = users[selection.get("creatingUser")]
        assert selection.get("creationDateTime", "").endswith("Z")
        codings = selection.findall("p:Coding", NS)
        assert codings, "no empty annotations"
        for coding in codings:
            assert coding.get("creatingUser") == selection.get("creatingUser")
            assert coding.get("creationDateTime")
            by_coder.setdefault((cid, coder), set()).add(
                codes[coding.find("p:CodeRef", NS).get("targetGUID")])
    assert by_coder[(1, "Alice")] == {"Travel to services"}
    assert by_coder[(2, "Carol")] == {"5 Very negative"}
    assert "Waiting times" not in by_coder.get((1, "Engage model"), set())  # Bob rejected it
    stamp = store.coding_state(project, 1, theme_ids(project)["Travel to services"])
    alice = next(s for s in document.iterfind(".//p:PlainTextSelection", NS)
                 if users[s.get("creatingUser")] == "Alice")
    assert alice.get("creationDateTime") == stamp["decided_at"].replace("+00:00", "Z")


def test_comments_with_no_code_have_no_selection(exported, tmp_path):
    project, _path = exported
    with project.transaction("clear"):
        project.db.execute("DELETE FROM codings WHERE comment_id = 10")
        project.db.execute("UPDATE comment_analysis SET sentiment = NULL WHERE comment_id = 10")
    document = read_qde(write_export(project, tmp_path / "again.qdpx"))
    names = [s.get("name") for s in document.iterfind(".//p:PlainTextSelection", NS)]
    assert not any(n.endswith(" · 10") for n in names)


def test_source_names_are_short_and_safe_with_the_question_as_description(exported):
    _project, path = exported
    sources = read_qde(path).findall(".//p:TextSource", NS)
    names = [s.get("name") for s in sources]
    assert "What matters why" in names  # from "What matters / why?"
    for name in names:
        assert not set(name) & set('/\\:?*<>|"') and len(name) <= 60
    described = [s.findtext("p:Description", namespaces=NS) for s in sources]
    assert "Big Ask test: What matters to you, and why?" in described


# ----- import ----------------------------------------------------------------------------------
def officer_work(project):
    codings = {(r["comment_id"], r["theme_id"]): (r["decision"], r["decided_by"], r["decided_at"])
               for r in project._rows("SELECT * FROM codings WHERE decision = 'accepted'")}
    sentiment = {r["comment_id"]: r["sentiment_officer"] for r in project._rows(
        "SELECT * FROM comment_analysis WHERE sentiment_officer IS NOT NULL")}
    who = {r["entity_id"]: (r["user"], r["at"]) for r in project._rows(
        "SELECT * FROM audit WHERE entity = 'sentiment' ORDER BY id")}
    rejected = {(r["comment_id"], r["theme_id"]) for r in project._rows(
        "SELECT * FROM codings WHERE decision = 'rejected'")}
    return codings, sentiment, who, rejected


def test_round_trip_engage_qdpx_engage_loses_no_coding_officer_or_date(exported, tmp_path):
    original, path = exported
    fresh = build_lead(tmp_path / "fresh.engage")  # the same comments, nobody's decisions yet
    try:
        result = import_qdpx(fresh, path)
        assert result.conflicts == 0
        codings, sentiment, who, rejected = officer_work(original)
        got_codings, got_sentiment, got_who, got_rejected = officer_work(fresh)
        assert got_codings == codings          # theme, officer and time
        assert got_sentiment == sentiment
        assert got_who == who                   # sentiment's officer and time, in the audit
        assert got_rejected == rejected         # codes taken off come back as rejections
        again = import_qdpx(fresh, path)        # importing the same file again: nothing
        assert again.applied == 0 and again.conflicts == 0
    finally:
        fresh.close()


def test_another_tools_codes_come_back_as_that_coders_decisions(exported, tmp_path):
    project, path = exported

    def add_nia(document):
        users = document.find("p:Users", NS)
        etree.SubElement(users, f"{{{NS['p']}}}User", guid="N1", name="Nia (QualCoder)")
        digital = next(c for c in document.iterfind(".//p:Code", NS) if c.get("name") == "Digital")
        etree.SubElement(digital, f"{{{NS['p']}}}Code", guid="NEW1", name="Phone lines",
                         isCodable="true")
        source = document.find(".//p:TextSource", NS)
        target = next(s for s in source.iterfind("p:PlainTextSelection", NS)
                      if s.get("name").endswith(" · 4"))
        mine = etree.SubElement(source, f"{{{NS['p']}}}PlainTextSelection", guid="S1",
                                name="", startPosition=str(int(target.get("startPosition")) + 2),
                                endPosition=target.get("endPosition"), creatingUser="N1",
                                creationDateTime="2026-03-04T05:06:07Z")
        for guid in ("NEW1", next(c.get("guid") for c in document.iterfind(".//p:Code", NS)
                                  if c.get("name") == "Online access")):
            coding = etree.SubElement(mine, f"{{{NS['p']}}}Coding", guid="C" + guid)
            etree.SubElement(coding, f"{{{NS['p']}}}CodeRef", targetGUID=guid)

    changed = rewrite_qde(path, tmp_path / "nia.qdpx", add_nia)
    result = import_qdpx(project, changed)
    t = theme_ids(project)
    assert "Phone lines" in t and sum(f.new_themes for f in result.files) == 1
    assert store.portfolios(project)[1]["id"] == project.db.execute(
        "SELECT portfolio_id FROM themes WHERE name = 'Phone lines'").fetchone()[0]
    for theme in ("Phone lines", "Online access"):
        coding = store.coding_state(project, 4, t[theme])
        assert (coding["decision"], coding["decided_by"], coding["decided_at"]) == (
            "accepted", "Nia (QualCoder)", "2026-03-04T05:06:07+00:00")


def test_a_code_taken_off_an_officers_coding_is_a_conflict(exported, tmp_path):
    project, path = exported

    def remove_alice_on_2(document):
        names = {c.get("guid"): c.get("name") for c in document.iterfind(".//p:Code", NS)}
        for selection in list(document.iterfind(".//p:PlainTextSelection", NS)):
            if not selection.get("name").endswith(" · 2"):
                continue
            for coding in selection.findall("p:Coding", NS):
                if names[coding.find("p:CodeRef", NS).get("targetGUID")] == "Travel to services":
                    selection.remove(coding)
            if not selection.findall("p:Coding", NS):
                selection.getparent().remove(selection)

    changed = rewrite_qde(path, tmp_path / "removed.qdpx", remove_alice_on_2)
    result = import_qdpx(project, changed)
    assert result.conflicts == 1
    (row,) = conflicts.list_conflicts(project)
    assert (row["comment_id"], row["what"], row["mine_text"], row["mine_by"],
            row["theirs_text"]) == (2, "theme: Travel to services", "on (accepted)", "Alice",
                                    "off (rejected)")


def test_files_that_do_not_fit_are_refused_clearly(exported, tmp_path):
    project, _path = exported
    other = build_lead(tmp_path / "other.engage", comments=12)
    with other.transaction("other text"):
        other.db.execute("UPDATE comments SET text = 'something else entirely ' || id")
    foreign = write_export(other, tmp_path / "other.qdpx")
    other.close()
    with pytest.raises(RefiQdaError, match="none of its sources"):
        import_qdpx(project, foreign)
    junk = tmp_path / "junk.qdpx"
    junk.write_bytes(b"not a zip")
    with pytest.raises(RefiQdaError, match="not a REFI-QDA project"):
        import_qdpx(project, junk)
    empty = tmp_path / "empty.qdpx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "x")
    empty.write_bytes(buffer.getvalue())
    with pytest.raises(RefiQdaError, match="no project.qde"):
        import_qdpx(project, empty)
