"""What the officer controls (sections, edited summary) and what a comment can never do."""

from __future__ import annotations

import re

import docx
import pytest
from lxml import html as lxml_html
from pypdf import PdfReader

from engage.errors import EngageError
from engage.reports.document import Bullets, Paragraph, text_blocks
from engage.reports.draft import draft_summary_text
from engage.reports.layout import NO_ACTIONS, NO_ACTIVITIES, build_document
from engage.reports.report import render, write_report
from engage.reports.summary import SECTIONS, build_summary

SCRIPT_COMMENT = "<script>alert('x')</script> the wait in A&E was awful"


@pytest.fixture(scope="module")
def summary(shared_project):
    return build_summary(shared_project)


def test_comment_markup_is_escaped_in_html(summary):
    page = render(build_document(summary, ["quotes"]), "html").decode()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; the wait in A&amp;E" in page
    assert "<script" not in page.lower()
    assert "script-src" not in page and "default-src 'none'" in page
    tree = lxml_html.fromstring(page)
    assert not tree.xpath("//script")
    assert not [el for el in tree.iter() if any(a.startswith("on") for a in el.attrib)]
    quotes = [b.text_content() for b in tree.xpath("//blockquote/p")]
    assert SCRIPT_COMMENT in quotes  # shown exactly as the respondent typed it


def test_officer_text_is_escaped_too(summary):
    page = render(build_document(summary, ["summary"], summary_text='<img src=x onerror="1">'),
                  "html").decode()
    assert "<img src=x" not in page
    assert "&lt;img src=x onerror=&quot;1&quot;&gt;" in page


def test_comment_markup_survives_pdf_and_docx(summary, tmp_path):
    doc = build_document(summary, ["quotes"])
    pdf = tmp_path / "q.pdf"
    pdf.write_bytes(render(doc, "pdf"))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(pdf).pages))
    assert SCRIPT_COMMENT in text
    word = tmp_path / "q.docx"
    word.write_bytes(render(doc, "docx"))
    assert SCRIPT_COMMENT in [p.text for p in docx.Document(str(word)).paragraphs]


def test_sections_choose_what_is_printed(summary):
    doc = build_document(summary, ["themes", "codebook"])
    headings = [b.text for b in doc.blocks if getattr(b, "level", None) == 1]
    assert headings == [SECTIONS["themes"], SECTIONS["codebook"]]
    with pytest.raises(EngageError, match="unknown report section"):
        build_document(summary, ["themes", "gossip"])


def test_edited_summary_replaces_the_draft(summary):
    edited = "Our own words.\n\n- first point\n- second point\n\nClosing line."
    doc = build_document(summary, ["summary"], summary_text=edited)
    texts = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert texts == ["Our own words.", "Closing line."]
    assert [b.items for b in doc.blocks if isinstance(b, Bullets)] == [
        ["first point", "second point"]]
    drafted = build_document(summary, ["summary"], summary_text="   ")
    assert any(draft_summary_text(summary).startswith(b.text) for b in drafted.blocks
               if isinstance(b, Paragraph))


def test_text_blocks_split_paragraphs_and_bullets():
    blocks = text_blocks("One\nline\n\n- a\n- b\nafter\n\n\n")
    assert blocks == [Paragraph("One line"), Bullets(["a", "b"]), Paragraph("after")]


def test_drafted_summary_says_the_figures(summary):
    text = draft_summary_text(summary)
    c = summary.counts
    assert text.startswith(f"{c.respondents:,} people responded to {summary.title} between "
                           "3 January 2024 and 10 January 2024")
    top = summary.top_themes(1)[0]
    assert f"{top.comments:,} comments" in text
    # R09 wrote R01's words: two people, two voices, so Waiting times has 3
    assert "- One acute network: Hospital parking (3), Waiting times (3)" in text
    assert f"Officers reviewed {c.reviewed:,} comments" in text


def test_empty_coproduction_says_so(summary):
    doc = build_document(summary, ["coproduction", "actions"])
    texts = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert texts == [NO_ACTIVITIES, NO_ACTIONS]


def test_activities_and_actions_appear_when_recorded(project):
    from engage.coproduction import actions, store
    from tests.reports.conftest import comment_id

    place = next(p["id"] for p in project.places() if p["name"] == "Weymouth & Portland")
    activity_id, _ = store.add_activity(project, store.Activity(
        title="Carers' coffee morning", type="workshop", level="co-design",
        start_date="2024-02-01", participants=18, place_ids=[place], consultation_ids=[1]))
    actions.add_action(project, actions.Action(
        title="Carers asked for more respite", decision="Two extra respite days a month",
        owner="Carers' lead", status="in progress", themes=["Carer support"],
        support_comment_ids=[comment_id(project, "As a carer")], activity_ids=[activity_id]))
    summary = build_summary(project)
    assert summary.coproduction.level_counts["co-design"] == 1
    assert summary.coproduction.participants == 18
    page = render(build_document(summary, ["coproduction", "actions", "summary"]),
                  "html").decode()
    tree = lxml_html.fromstring(page)
    activity = [td.text_content() for td in tree.xpath('//table[@data-key="activities"]//td')]
    assert activity == ["Carers' coffee morning", "workshop", "1 Feb 2024",
                        "Weymouth & Portland", "co-design", "18"]
    said = [td.text_content() for td in tree.xpath('//table[@data-key="actions"]//td')]
    assert said == ["Carers asked for more respite (Carer support; 1 supporting comment)",
                    "Two extra respite days a month", "Carers' lead", "in progress"]
    assert "1 action has been recorded (1 in progress)" in page
    other = project.db.execute("INSERT INTO consultations (name) VALUES ('Other')").lastrowid
    scoped = build_summary(project, _scope(consultation_id=other))
    assert scoped.coproduction.activities == [] and scoped.coproduction.actions == []


def _scope(**kwargs):
    from engage.reports.queries import ReportScope

    return ReportScope(**kwargs)


def test_write_report_refuses_bad_destinations(project, tmp_path):
    with pytest.raises(EngageError, match="does not exist"):
        write_report(project, tmp_path / "missing" / "r.pdf")
    with pytest.raises(EngageError, match="cannot tell the report format"):
        write_report(project, tmp_path / "r.txt")
    assert list(tmp_path.glob(".engage-*")) == []


def test_cancelling_leaves_no_file(project, tmp_path):
    from engage.progress import Cancelled

    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 3

    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(Cancelled):
        write_report(project, out / "r.html", cancelled=cancelled)
    assert list(out.iterdir()) == []
