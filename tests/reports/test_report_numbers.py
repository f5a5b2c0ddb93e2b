"""Every number a report prints equals the query behind it, in PDF, DOCX and HTML alike.

The expected tables are built here straight from `engage.reports.queries` (not from the
layout), then looked for in the files read back: the PDF's text (pypdf), the DOCX's tables
(python-docx) and the HTML's tables (lxml).
"""

from __future__ import annotations

import re

import docx
import pytest
from lxml import html as lxml_html
from pypdf import PdfReader

from engage.analysis.agreement import theme_agreement
from engage.coproduction import dashboard
from engage.reports import fmt
from engage.reports import queries as q
from engage.reports.document import KeyFigures, Table
from engage.reports.layout import build_document
from engage.reports.queries import ReportScope
from engage.reports.report import render
from engage.reports.summary import SENTIMENT_LABELS, build_summary

SCOPE = ReportScope()


@pytest.fixture(scope="module")
def document(shared_project):
    return build_document(build_summary(shared_project))


@pytest.fixture(scope="module")
def built(shared_project, document, tmp_path_factory):
    """The three formats of one report, written to disk and read back by the tests."""
    folder = tmp_path_factory.mktemp("reports")
    paths = {}
    for fmt_ in ("pdf", "docx", "html"):
        paths[fmt_] = folder / f"report.{fmt_}"
        paths[fmt_].write_bytes(render(document, fmt_))
    return shared_project, paths


def expected_tables(project) -> dict[str, list[list[str]]]:
    """The tables a full report must print, straight from the queries."""
    counts = q.headline_counts(project, SCOPE)
    heard = counts["respondents_counted"]
    out: dict[str, list[list[str]]] = {}
    out["portfolios"] = [[p["portfolio"], fmt.count(p["comments"]), fmt.count(p["respondents"]),
                          fmt.pct(p["respondents"] / heard)]
                         for p in q.portfolio_rows(project, SCOPE)]
    for p in q.codebook_portfolios(project):
        out[f"themes:{p['name']}"] = [
            [t["theme"], fmt.count(t["comments"]), fmt.count(t["respondents"]),
             fmt.pct(t["respondents"] / heard), fmt.count(t["s1"] + t["s2"]),
             fmt.count(t["s3"]), fmt.count(t["s4"] + t["s5"])]
            for t in q.theme_rows(project, SCOPE) if t["portfolio_id"] == p["id"]]
    sentiment = q.sentiment_counts(project, SCOPE)
    rated = sum(n for level, n in sentiment.items() if level)
    out["sentiment"] = [[f"{level} {SENTIMENT_LABELS[level]}", fmt.count(sentiment[level]),
                         fmt.pct(sentiment[level] / rated)] for level in range(1, 6)]
    for label, levels in (("Positive (1–2)", (1, 2)), ("Neutral or mixed (3)", (3,)),
                          ("Negative (4–5)", (4, 5))):
        n = sum(sentiment[level] for level in levels)
        out["sentiment"].append([label, fmt.count(n), fmt.pct(n / rated)])
    out["exclusions"] = [
        ["Comments read", fmt.count(counts["comments"])],
        ['Not counted: no content (e.g. "n/a", "no comment")', fmt.count(counts["no_content"])],
        ["Not counted: repeats of the same respondent\u2019s earlier answer",
         fmt.count(counts["repeats"])],
        ["Not counted: campaign responses after each campaign\u2019s first",
         fmt.count(counts["campaign"])],
        ["Comments counted", fmt.count(counts["counted"])],
        ["Counted comments matched to at least one theme", fmt.count(counts["coded"])]]
    names = {t["id"]: t["name"] for t in q.codebook_themes(project)}
    out["places"] = expected_places(project, names)
    respondents = counts["respondents"]
    for attribute, _label in q.PROFILE_ATTRIBUTES:
        out[f"profile:{attribute}"] = [[v, fmt.count(n), fmt.pct(n / respondents)]
                                       for v, n in q.profile_counts(project, SCOPE, attribute)]
    used = q.runs_used(project, SCOPE)
    out["runs"] = [[fmt.model_version(r["model_version"]), r["mode"],
                    fmt.long_date(r["finished_at"]), fmt.count(r["comments"]),
                    fmt.count(used.get(r["id"], 0))] for r in q.analysis_runs(project)
                   if used.get(r["id"])]
    out["files"] = [[f["file_name"], fmt.long_date(f["imported_at"]), fmt.count(f["rows_read"]),
                     fmt.count(f["comments_created"]), fmt.masked(f["masked"])]
                    for f in q.imported_files(project, SCOPE)]
    model, officer = q.reviewed_theme_labels(project, SCOPE)
    agreement = theme_agreement(model, officer, list(names))
    out["agreement"] = [
        [names[t.theme_id], fmt.count(t.table.true_pos + t.table.false_neg),
         fmt.count(t.table.true_pos + t.table.false_pos), fmt.count(t.table.true_pos),
         fmt.ratio(t.table.kappa), fmt.ratio(t.table.precision), fmt.ratio(t.table.recall)]
        for t in agreement.themes if t.table.true_pos + t.table.false_pos + t.table.false_neg]
    return out


def expected_places(project, names) -> list[list[str]]:
    """Every locality (in the places table's order, nobody from it included) with the
    dashboard's respondents and under-heard flag, then the other places respondents were put
    in (most first), then no place."""
    rates = {r.place_id: r for r in dashboard.response_rates(project).rows}
    rows = {r["place_id"]: r for r in q.place_rows(project, SCOPE)}
    per_place = q.place_theme_counts(project, SCOPE)
    empty = dict.fromkeys(("respondents", "comments", "positive", "neutral", "negative"), 0)
    out = []
    localities = project.places("locality")
    others = sorted((r for pid, r in rows.items() if pid is not None
                     and pid not in {p["id"] for p in localities}),
                    key=lambda r: -r["respondents"])
    listed = [(p["name"], rows.get(p["id"], empty), p["id"]) for p in localities]
    listed += [(r["place"], r, r["place_id"]) for r in others]
    listed += [(q.NO_PLACE, rows[None], None)] if None in rows else []
    for name, r, pid in listed:
        if pid in rates:
            assert rates[pid].respondents == r["respondents"], name
            name += " (under-heard)" if rates[pid].under_heard else ""
        out.append([name, fmt.count(r["respondents"]), fmt.count(r["comments"]),
                    fmt.count(r["positive"]), fmt.count(r["neutral"]), fmt.count(r["negative"]),
                    "; ".join(f"{names[t]} ({fmt.count(n)})"
                              for t, n in per_place.get(pid, [])[:3])])
    return out


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def test_layout_tables_equal_the_queries(shared_project, document):
    doc = document
    tables = {t.key: t.rows for t in doc.blocks if isinstance(t, Table) and t.key}
    for key, rows in expected_tables(shared_project).items():
        assert tables[key] == rows, key


def test_pdf_prints_every_row_of_every_table(built):
    project, paths = built
    text = squeeze(" ".join(page.extract_text() for page in PdfReader(paths["pdf"]).pages))
    for key, rows in expected_tables(project).items():
        for row in rows:
            assert squeeze(" ".join(row)) in text, (key, row)


def test_pdf_key_figures_and_drafted_summary_use_the_counts(built):
    project, paths = built
    text = squeeze(" ".join(page.extract_text() for page in PdfReader(paths["pdf"]).pages))
    counts = q.headline_counts(project, SCOPE)
    assert f"{fmt.count(counts['respondents'])} respondents" in text
    assert f"{fmt.count(counts['counted'])} comments counted" in text
    assert (f"{fmt.count(counts['respondents'])} people responded" in text
            and f"making {fmt.count(counts['comments'])} comments" in text
            and f"{fmt.count(counts['excluded'])} were not counted" in text)
    assert re.search(r"Page 2 of (\d+)", text)
    pages = len(PdfReader(paths["pdf"]).pages)
    assert f"Page {pages} of {pages}" in text


def test_docx_tables_equal_the_queries(built, document):
    project, paths = built
    word = docx.Document(str(paths["docx"]))
    printed = [[[cell.text for cell in row.cells] for row in table.rows]
               for table in word.tables]
    cover, printed = printed[0], printed[1:]
    assert [cell.split("\n")[0] for cell in cover[0]] == [v for v, _l in document.cover_figures]
    assert document.cover_figures[0][0] == fmt.count(
        q.headline_counts(project, SCOPE)["respondents"])
    blocks = [b for b in document.blocks if isinstance(b, (Table, KeyFigures))]
    assert len(printed) == len(blocks)
    expected = expected_tables(project)
    by_key = {}
    for block, rows in zip(blocks, printed, strict=True):
        if isinstance(block, Table):
            assert rows[0] == block.headers
            by_key[block.key] = rows[1:]
        else:
            counts = q.headline_counts(project, SCOPE)
            assert rows[0][0].startswith(fmt.count(counts["respondents"]))
    for key, rows in expected.items():
        assert by_key[key] == rows, key
    footer = word.sections[-1].footer._element.xml
    assert "NUMPAGES" in footer and "PAGE" in footer


def test_html_tables_equal_the_queries(built):
    project, paths = built
    tree = lxml_html.fromstring(paths["html"].read_text(encoding="utf-8"))
    for key, rows in expected_tables(project).items():
        tables = tree.xpath(f'//table[@data-key="{key}"]')
        assert len(tables) == 1, key
        printed = [[td.text_content() for td in tr.xpath("./td")]
                   for tr in tables[0].xpath("./tbody/tr")]
        assert printed == rows, key


def test_scoped_report_uses_scoped_figures(shared_project):
    place = next(p["id"] for p in shared_project.places() if p["name"] == "Weymouth & Portland")
    scope = ReportScope(place_id=place)
    summary = build_summary(shared_project, scope)
    counts = q.headline_counts(shared_project, scope)
    assert summary.counts.respondents == counts["respondents"] == 3
    text = render(build_document(summary, ["summary", "themes"]), "html").decode()
    assert "place: Weymouth &amp; Portland" in text
    assert f">{fmt.count(counts['respondents'])}</span>" in text
