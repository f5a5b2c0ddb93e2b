"""The rough edges a first report showed: blank pages, "1 comments", a feeling read from five
comments, rows for runs nothing came from, and places that were never heard left out."""

from __future__ import annotations

import dataclasses
import io
import re

from pypdf import PdfReader

from engage.analysis import workbench_store
from engage.analysis.agreement import KAPPA_NAME, theme_agreement
from engage.analysis.store import themes as store_themes
from engage.reports import document as d
from engage.reports import fmt
from engage.reports.draft import draft_summary_text
from engage.reports.layout import build_document
from engage.reports.render_pdf import render_pdf
from engage.reports.summary import MIN_SENTIMENT_BASE, Sentiment, build_summary


def texts(document) -> str:
    parts = []
    for block in document.blocks:
        if isinstance(block, d.Paragraph):
            parts.append(block.text)
        elif isinstance(block, d.Table):
            parts += [" ".join(row) for row in block.rows] + [block.note]
    return " ".join(parts)


def test_a_table_that_fills_a_page_leaves_no_blank_page_before_the_next_section():
    for rows in range(36, 47):  # one of these lengths ends a table on the last line of a page
        doc = d.Document(title="T", subtitle="s", scope_line="x", dates_line="",
                         produced_line="p", cover_figures=[])
        doc.add(d.Heading("One", 1),
                d.Table(["A", "B"], [[f"row {i}", str(i)] for i in range(rows)], key="t"),
                d.Heading("Two", 1), d.Paragraph("after"))
        pages = PdfReader(io.BytesIO(render_pdf(doc))).pages
        for number, page in enumerate(pages[1:], start=2):
            left = re.sub(r"Page \d+ of \d+|\bT\b", "", page.extract_text()).strip()
            assert left, f"page {number} of {len(pages)} is blank ({rows} rows)"


def test_one_is_singular(shared_project):
    summary = build_summary(shared_project)
    assert summary.agreement.sentiment.comments == 1  # the officer set one sentiment
    text = texts(build_document(summary, ["methodology"]))
    assert "on 1 comments" not in text and "on 1 comment, kappa" in text
    one = dataclasses.replace(summary, coproduction=dataclasses.replace(
        summary.coproduction, actions=[{"status": "done"}],
        action_status_counts={"done": 1}, available=True))
    assert "1 actions" not in draft_summary_text(one)


def test_a_feeling_is_named_only_on_a_sound_base(shared_project):
    summary = build_summary(shared_project)
    themes = summary.portfolios[0].themes
    few = dataclasses.replace(themes[0], comments=5, sentiment=Sentiment({5: 5}))
    many = dataclasses.replace(themes[1], comments=40, sentiment=Sentiment({1: 12, 5: 28}))
    portfolio = dataclasses.replace(summary.portfolios[0], themes=[few, many] + themes[2:])
    summary = dataclasses.replace(summary, portfolios=[portfolio] + summary.portfolios[1:])
    text = draft_summary_text(summary)
    assert f"{few.name} (100.0%" not in text
    assert f"most negative about {many.name} ({fmt.pct(28 / 40)} of 40 negative)" in text
    assert f"at least {MIN_SENTIMENT_BASE} comments" in text


def test_runs_nothing_in_the_report_came_from_are_not_listed(shared_project):
    summary = build_summary(shared_project)
    stale = {**summary.runs[0], "id": 999, "comments_in_report": 0}
    summary = dataclasses.replace(summary, runs=[stale] + summary.runs)
    document = build_document(summary, ["methodology"])
    runs = next(b for b in document.blocks if isinstance(b, d.Table) and b.key == "runs")
    assert all(row[-1] != "0" for row in runs.rows)
    assert len(runs.rows) == len(summary.runs) - 1
    assert "1 earlier run whose results were all replaced by a later one is not listed" in \
        runs.note


def test_every_locality_is_listed_and_the_silent_ones_are_named(shared_project):
    summary = build_summary(shared_project)
    localities = [p for p in summary.places if p.locality]
    assert [p.name for p in localities] == [p["name"] for p in shared_project.places("locality")]
    silent = [p.name for p in localities if p.respondents == 0]
    assert silent  # the test project has nobody from Dorset West, for one
    text = draft_summary_text(summary)
    for p in localities:
        assert f"{p.name} {fmt.count(p.respondents)}" in text
    assert "Nobody responded from " + silent[0] in text
    heard = sum(1 for p in localities if p.respondents)
    assert f"Responses came from {heard} of the {len(localities)} localities" in text
    table = next(b for b in build_document(summary, ["places"]).blocks
                 if isinstance(b, d.Table) and b.key == "places")
    names = [row[0] for row in table.rows]
    for p in localities:
        assert (p.name + " (under-heard)" if p.under_heard else p.name) in names


def test_the_report_and_the_agreement_tab_read_one_kappa(shared_project):
    model, officer = workbench_store.reviewed_labels(shared_project)
    tab = theme_agreement(model, officer, [t["id"] for t in store_themes(shared_project)])
    summary = build_summary(shared_project)
    assert summary.agreement.themes.kappa == tab.kappa == tab.pooled.kappa
    text = texts(build_document(summary, ["methodology"]))
    assert f"{KAPPA_NAME} of {fmt.ratio(tab.kappa)}" in text
