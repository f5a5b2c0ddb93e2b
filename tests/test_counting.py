"""One counting rule, the same figure in every view.

For the sample project and for a small project with a campaign, identical short answers from
different people and a respondent who repeats themself, every figure a board could read —
the Overview's core queries, a click through to the comment list, Compare, the place table,
the co-production dashboard, the report in PDF, DOCX and HTML, and the XLSX export — is the
counting rule's (`engage.analysis.counting`), and the rule is checked against a plain reading
of its own words on the raw tables.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from pathlib import Path

import docx
import openpyxl
import pytest
from lxml import html as lxml_html
from pypdf import PdfReader

from engage.analysis import counting, explore
from engage.analysis.pipeline import analyse_project
from engage.browse import CommentFilter, count_comments
from engage.coproduction import dashboard
from engage.importing.importer import import_file
from engage.importing.mapping import ColumnMapping
from engage.project import Project
from engage.reports import fmt
from engage.reports import queries as q
from engage.reports.exports import THEME_COLUMN_PREFIX, write_export
from engage.reports.layout import build_document
from engage.reports.report import render
from engage.reports.summary import build_summary

# ----- a project with a campaign ---------------------------------------------------------------
CAMPAIGN = ("Keep the minor injuries unit in Swanage open seven days a week because the nearest "
            "emergency department is more than an hour away by road")
CAMPAIGN_SENDERS = 14
SHORT = "More GP appointments please"     # many people, same words: not a campaign
SHORT_SENDERS = 7
REPEATED = "The chemist in Wareham shuts at five which is no use to anyone who works"
OWN_WORDS = [
    "The receptionist at my surgery was rude when I asked for a call back",
    "Waiting eleven weeks for a physiotherapy appointment after my knee operation",
    "Parking at the hospital costs far too much for people visiting every day",
    "My mother was discharged late at night with no transport home",
    "The mental health team were brilliant when my son was struggling last winter",
    "Online repeat prescriptions work well and save me a trip",
    "There is no dentist taking NHS patients anywhere near Gillingham",
    "Carers need a break now and then, even one afternoon a fortnight",
    "The bus to Dorchester hospital stopped running so I miss appointments",
    "District nurses are kind but clearly stretched and always rushing",
]
COLUMNS = ("Response ID", "Locality", "Postcode", "Q1 What matters most?", "Q2 Anything else?")
MAPPING = ColumnMapping(roles={"Response ID": "respondent_id", "Locality": "place",
                               "Postcode": "postcode", "Q1 What matters most?": "comment",
                               "Q2 Anything else?": "comment"})
PLACES = [("Poole", "BH17 1AA"), ("Poole", ""), ("Bournemouth", "BH8 8DL"), ("Purbeck", ""),
          ("Weymouth", "DT4 7TB"), ("Christchurch", "BH23 1AB"), ("", "")]


def campaign_rows() -> list[tuple[str, ...]]:
    rows, n = [], 0

    def add(q1: str, q2: str = "") -> None:
        nonlocal n
        n += 1
        locality, postcode = PLACES[n % len(PLACES)]
        rows.append((f"C{n:03d}", locality, postcode, q1, q2))

    for i in range(CAMPAIGN_SENDERS):  # word for word, with case, punctuation or one word changed
        text = CAMPAIGN if i % 3 else CAMPAIGN.upper() + "!"
        add(text + " please" if i == 5 else text, "n/a" if i % 4 == 0 else "")
    for i in range(SHORT_SENDERS):
        add(SHORT, OWN_WORDS[i])
    add(REPEATED, REPEATED)  # one person, one answer pasted into both questions
    for text in OWN_WORDS:
        add(text, "no comment")
    return rows


@pytest.fixture(scope="module")
def campaign_project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("campaign")
    export = folder / "clinic_review.csv"
    with open(export, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        writer.writerows(campaign_rows())
    path = folder / "campaign.engage"
    with Project.create(path, user="sam") as project:
        import_file(project, export, "Clinic review", mapping=MAPPING)
    analyse_project(path)
    project = Project.open(path)
    yield project
    project.close()


PCN = "Isle of Purbeck PCN"


@pytest.fixture(scope="module")
def pcn_project(tmp_path_factory):
    """The campaign export with a PCN under Purbeck that some respondents name instead."""
    from engage.coproduction.placeadmin import add_place, find_place

    folder = tmp_path_factory.mktemp("pcn")
    export = folder / "clinic_review.csv"
    rows = [(r[0], PCN, *r[2:]) if r[1] == "Purbeck" and i % 2 else r
            for i, r in enumerate(campaign_rows())]
    assert sum(r[1] == PCN for r in rows) and sum(r[1] == "Purbeck" for r in rows)
    with open(export, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    path = folder / "pcn.engage"
    with Project.create(path, user="sam") as project:
        add_place(project, find_place(project, "Purbeck"), PCN)
        import_file(project, export, "Clinic review", mapping=MAPPING)
    analyse_project(path)
    project = Project.open(path)
    yield project
    project.close()


@pytest.fixture(scope="module")
def sample_project(tmp_path_factory):
    from engage.demo import build_demo_project

    path = build_demo_project(tmp_path_factory.mktemp("sample") / "sample.engage")
    project = Project.open(path)
    yield project
    project.close()


# ----- the rule in plain Python ----------------------------------------------------------------
def rule_by_hand(project) -> dict[int, str | None]:
    """Comment id → why it is not counted (None: counted), read from the rule's own words."""
    comments = [dict(r) for r in project._rows("SELECT * FROM comments ORDER BY id")]
    group = dict(project.db.execute(
        "SELECT comment_id, near_dup_group FROM comment_analysis").fetchall())
    members = defaultdict(list)
    for c in comments:
        if c["substantive"] and group.get(c["id"]) is not None:
            members[(group[c["id"]], c["consultation_id"])].append(c)
    first_of_campaign = {
        key: min(c["id"] for c in found) for key, found in members.items()
        if len({c["respondent_id"] for c in found}) >= counting.CAMPAIGN_MIN_RESPONDENTS
        and min(len(c["text"].split()) for c in found) >= counting.CAMPAIGN_MIN_WORDS}
    seen, out = set(), {}
    for c in comments:
        key = (group.get(c["id"]), c["consultation_id"])
        if not c["substantive"]:
            out[c["id"]] = counting.NO_CONTENT
        elif c["dup_key"] and (c["respondent_id"], c["dup_key"]) in seen:
            out[c["id"]] = counting.REPEAT
        elif key in first_of_campaign and first_of_campaign[key] != c["id"]:
            out[c["id"]] = counting.CAMPAIGN
        else:
            out[c["id"]] = None
        if c["substantive"] and c["dup_key"]:
            seen.add((c["respondent_id"], c["dup_key"]))
    return out


def test_the_campaign_project_tells_the_story(campaign_project):
    rule = counting.counts(campaign_project)
    campaigns = counting.campaigns(campaign_project)
    # the campaign was found and counts once; the short answer is no campaign
    assert [c.respondents for c in campaigns] == [CAMPAIGN_SENDERS]
    assert rule.campaign == CAMPAIGN_SENDERS - 1 and rule.repeats == 1
    statuses = dict(campaign_project.db.execute(
        f"SELECT m.text, {counting.status_sql('m')} FROM comments m "
        "WHERE m.text = ?", [SHORT]).fetchall())
    assert statuses == {SHORT: None}
    assert count_comments(campaign_project, CommentFilter(search=f'"{SHORT}"',
                                                          counted_only=True)) == SHORT_SENDERS


# ----- every view ------------------------------------------------------------------------------
@pytest.fixture(scope="module", params=["sample", "campaign", "pcn"])
def project(request):
    return request.getfixturevalue(f"{request.param}_project")


def test_the_rule_is_what_it_says(project):
    by_hand = rule_by_hand(project)
    statuses = dict(project.db.execute(
        f"SELECT m.id, {counting.status_sql('m')} FROM comments m").fetchall())
    assert statuses == by_hand
    rule = counting.counts(project)
    assert rule.counted == sum(1 for v in by_hand.values() if v is None)
    assert rule.not_counted == rule.comments - rule.counted


def overview_figures(project):
    """The Overview's figures: its base and, per theme, (comments, respondents, share)."""
    overview = explore.overview(project)
    base = overview.base
    themes = {t["theme_id"]: (t["comments"], t["respondents"],
                              explore.share(t["respondents"], base.respondents))
              for t in overview.themes}
    return overview, themes


def test_overview_report_figures_and_clicks_agree(project):
    rule = counting.counts(project)
    overview, themes = overview_figures(project)
    assert (overview.base.respondents, overview.base.comments) == (rule.respondents_counted,
                                                                   rule.counted)
    headline = q.headline_counts(project, q.ReportScope())
    assert (headline["respondents"], headline["respondents_counted"], headline["comments"],
            headline["counted"], headline["no_content"], headline["repeats"],
            headline["campaign"]) == (rule.respondents, rule.respondents_counted,
                                      rule.comments, rule.counted, rule.no_content,
                                      rule.repeats, rule.campaign)
    summary = build_summary(project)
    for t in summary.themes:
        comments, respondents, share = themes[t.theme_id]
        assert (t.comments, t.respondents) == (comments, respondents), t.name
        assert t.share_of_respondents == pytest.approx(share), t.name
        # a click on the number shows that many comments
        assert count_comments(project, CommentFilter(theme_id=t.theme_id,
                                                     counted_only=True)) == comments, t.name
    portfolios = {p["portfolio_id"]: (p["comments"], p["respondents"])
                  for p in overview.portfolios}
    assert {p.portfolio_id: (p.comments, p.respondents) for p in summary.portfolios} == portfolios


def test_compare_and_the_place_table_use_the_same_base(project):
    _overview, themes = overview_figures(project)
    rule = counting.counts(project)
    locality = project.places("locality")[0]["id"]
    comparison = explore.compare_groups(project, CommentFilter(),
                                        CommentFilter(place_id=locality))
    assert comparison.a_respondents == rule.respondents_counted
    for row in comparison.rows:
        assert (row.a_count, row.a_share) == (themes[row.theme_id][1],
                                              pytest.approx(themes[row.theme_id][2]))
    table = explore.place_portfolio_table(project)
    totals = [r for r in table.rows if r.within is None]  # not a PCN's "of which" row
    assert sum(r.comments for r in totals) == rule.counted
    assert sum(r.respondents for r in totals) == rule.respondents_counted


def test_report_places_and_dashboard_list_the_same_localities(project):
    summary = build_summary(project)
    rates = dashboard.response_rates(project)
    localities = [p for p in summary.places if p.locality]
    assert [(p.name, p.respondents, p.under_heard) for p in localities] == [
        (r.name, r.respondents, r.under_heard) for r in rates.rows]
    assert len(localities) == len(project.places("locality")) == 13
    assert sum(p.respondents for p in summary.places) == counting.counts(project).respondents


def squeeze(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def expected_theme_rows(project) -> dict[str, list[list[str]]]:
    """Each portfolio's theme table as the Overview's figures would print it."""
    overview, themes = overview_figures(project)
    portfolio_names = {p["portfolio_id"]: p["portfolio"] for p in overview.portfolios}
    out: dict[str, list[list[str]]] = defaultdict(list)
    for t in overview.themes:
        comments, respondents, share = themes[t["theme_id"]]
        out[f"themes:{portfolio_names[t['portfolio_id']]}"].append(
            [t["theme"], fmt.count(comments), fmt.count(respondents), fmt.pct(share)])
    return out


def test_every_report_format_prints_the_overview_figures(project, tmp_path):
    rule = counting.counts(project)
    document = build_document(build_summary(project), ["summary", "themes", "methodology"])
    expected = expected_theme_rows(project)
    paths = {}
    for kind in ("pdf", "docx", "html"):
        paths[kind] = tmp_path / f"report.{kind}"
        paths[kind].write_bytes(render(document, kind))
    tree = lxml_html.fromstring(paths["html"].read_text(encoding="utf-8"))
    for key, rows in expected.items():
        printed = [[td.text_content() for td in tr.xpath("./td")][:4]
                   for tr in tree.xpath(f'//table[@data-key="{key}"]')[0].xpath("./tbody/tr")]
        assert printed == rows, key
    word = docx.Document(str(paths["docx"]))
    docx_rows = {squeeze(" ".join(cell.text for cell in row.cells[:4]))
                 for table in word.tables for row in table.rows}
    pdf_text = squeeze(" ".join(page.extract_text() for page in PdfReader(paths["pdf"]).pages))
    for rows in expected.values():
        for row in rows:
            assert squeeze(" ".join(row)) in docx_rows, row
            assert squeeze(" ".join(row)) in pdf_text, row
    for text in (pdf_text, squeeze(" ".join(tree.itertext()))):
        assert f"{fmt.count(rule.counted)} comments counted" in text
        assert f"of the {fmt.count(rule.respondents_counted)} respondents with a counted" in text
        assert counting.RULE_NAME in text


def test_the_report_prints_what_people_asked_for_praised_and_complained_as_the_overview(
        project, tmp_path):
    from engage.analysis.kinds import kinds_by_theme

    expected = [[r["theme"], fmt.count(r["comments"]), fmt.count(r["suggestion"]),
                 fmt.count(r["praise"]), fmt.count(r["complaint"])]
                for r in kinds_by_theme(project) if r["comments"]]
    assert any(row[2:] != ["0", "0", "0"] for row in expected)  # the project has kinds
    document = build_document(build_summary(project), ["sentiment", "methodology"])
    html = lxml_html.fromstring(render(document, "html").decode("utf-8"))
    printed = [[td.text_content() for td in tr.xpath("./td")]
               for tr in html.xpath('//table[@data-key="kinds"]')[0].xpath("./tbody/tr")]
    assert printed == expected
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(render(document, "pdf"))
    pdf_text = squeeze(" ".join(page.extract_text() for page in PdfReader(pdf).pages))
    for row in expected:
        assert squeeze(" ".join(row)) in pdf_text, row
    assert "Suggestion: a wish, a priority or an idea" in squeeze(" ".join(html.itertext()))


def test_the_report_prints_each_places_kinds_and_they_add_up_to_the_project(project):
    from engage.analysis.kinds import HEADLINE_KINDS, kind_counts

    summary = build_summary(project)
    totals = kind_counts(project)
    for kind in HEADLINE_KINDS:  # every counted comment sits in exactly one place row
        assert sum(p.kinds[kind] for p in summary.places) == totals[kind], kind
    html = lxml_html.fromstring(render(build_document(summary, ["places"]), "html")
                                .decode("utf-8"))
    printed = [[td.text_content() for td in tr.xpath("./td")]
               for tr in html.xpath('//table[@data-key="place_kinds"]')[0].xpath("./tbody/tr")]
    assert [row[1:] for row in printed] == [
        [fmt.count(p.comments), *(fmt.count(p.kinds[k]) for k in HEADLINE_KINDS)]
        for p in summary.places]


def test_the_overview_places_are_the_reports(project):
    """A locality carries one figure in the Overview's two place tables and the report (a PCN
    or ward counted in it); the PCN's own "of which" row never adds to a total."""
    from engage.analysis.kinds import HEADLINE_KINDS, kinds_by_place

    summary = build_summary(project)
    table = explore.place_portfolio_table(project)
    kinds = kinds_by_place(project)
    report = {p.place_id: (p.comments, *(p.kinds[k] for k in HEADLINE_KINDS))
              for p in summary.places}
    overview = {r["place_id"]: (r["comments"], *(r[k] for k in HEADLINE_KINDS))
                for r in kinds if r["within"] is None}
    assert overview == report
    assert {r.place_id: r.comments for r in table.rows if r.within is None} == \
        {pid: figures[0] for pid, figures in report.items()}
    for row in table.rows:
        assert len(explore.place_comment_ids(project, row.place_id)) == row.comments


def test_a_pcn_is_counted_in_its_locality_and_listed_beneath_it(pcn_project):
    from engage.coproduction.placeadmin import find_place

    purbeck, pcn = find_place(pcn_project, "Purbeck"), find_place(pcn_project, PCN)
    rows = explore.place_portfolio_table(pcn_project).rows
    names = [r.name for r in rows]
    at = names.index("Purbeck")
    assert names[at + 1] == PCN and rows[at + 1].within == purbeck
    own = len(explore.place_comment_ids(pcn_project, pcn))
    assert 0 < own == rows[at + 1].comments < rows[at].comments
    assert rows[at].comments == count_comments(
        pcn_project, CommentFilter(place_id=purbeck, counted_only=True))
    assert sum(r.comments for r in rows if r.within is None) == counting.counts(pcn_project).counted


def test_the_xlsx_export_adds_up_to_the_same_figures(project, tmp_path):
    rule = counting.counts(project)
    _overview, themes = overview_figures(project)
    path = write_export(project, tmp_path / "coded.xlsx")
    sheet = openpyxl.load_workbook(path, read_only=True)["Comments"]
    rows = sheet.iter_rows(values_only=True)
    headers = list(next(rows))
    index = {name: i for i, name in enumerate(headers)}
    theme_ids = {t["theme"]: t["theme_id"] for t in explore.theme_counts(project)}
    comments: dict[int, int] = defaultdict(int)
    respondents: dict[int, set] = defaultdict(set)
    counted, who, feelings = 0, set(), defaultdict(int)
    for row in rows:
        if str(row[index["counted"]]) != "1":
            continue
        counted += 1
        who.add(row[index["respondent"]])
        feelings[row[index["charted_feeling"]]] += 1
        for name, tid in theme_ids.items():
            if str(row[index[THEME_COLUMN_PREFIX + name]]) == "1":
                comments[tid] += 1
                respondents[tid].add(row[index["respondent"]])
    assert (counted, len(who)) == (rule.counted, rule.respondents_counted)
    sentiment = build_summary(project).sentiment
    assert [feelings[name] for name in ("positive", "neutral", "negative")] == [
        sentiment.positive, sentiment.neutral, sentiment.negative]
    for tid, (n, people, _share) in themes.items():
        assert (comments[tid], len(respondents[tid])) == (n, people), tid


def test_export_columns_are_the_documented_ones(campaign_project, tmp_path):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z_]+)` \|", readme, flags=re.M))
    path = write_export(campaign_project, tmp_path / "coded.csv")
    with open(path, encoding="utf-8-sig", newline="") as fh:
        headers = next(csv.reader(fh))
    fixed = [h for h in headers if not h.startswith(THEME_COLUMN_PREFIX)]
    assert {"text", "themes", "sentiment", "counted", "not_counted_reason"} <= set(fixed)
    assert set(fixed) <= documented, sorted(set(fixed) - documented)


def test_the_reports_masked_personal_data_is_what_the_import_masked(sample_project):
    """Each kind of personal data masked, as the methodology prints it, is the sum of the
    comments' own masking records — not grouped by some other column that happens to share
    the name 'kind'."""
    import json
    from collections import Counter

    recorded: Counter = Counter()
    for (masked,) in sample_project.db.execute(
            "SELECT masked FROM comments WHERE masked IS NOT NULL"):
        for item in json.loads(masked):
            recorded[item["kind"]] += item["count"]
    assert len(recorded) >= 3, "the sample data should mask several kinds of personal data"
    assert q.masked_kinds(sample_project, q.ReportScope()) == dict(recorded)
    summary = build_summary(sample_project, q.ReportScope(), sections=["summary"])
    imported: Counter = Counter()
    for record in summary.files:
        imported.update(record["masked"])
    assert summary.masked_kinds == dict(imported) == dict(recorded)


def test_a_click_on_a_feeling_lists_what_the_charts_count(project):
    """Positive, neutral and negative in the report and the Overview's theme bars are the
    comments the word cloud's Feeling picker and the comment list find for that feeling."""
    def listed(levels, **where):
        return count_comments(project, CommentFilter(sentiment=levels, counted_only=True,
                                                     **where))

    feelings = {"positive": (1, 2), "neutral": (3,), "negative": (4, 5)}
    summary = build_summary(project)
    for name, levels in feelings.items():
        assert listed(levels) == getattr(summary.sentiment, name), name
    for row in explore.overview(project).themes:
        for name, levels in feelings.items():
            charted = sum(row[f"s{level}"] or 0 for level in levels)
            assert listed(levels, theme_id=row["theme_id"]) == charted, (row["theme"], name)
