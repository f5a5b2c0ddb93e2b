"""What a consultation summary says, section by section, as renderer-neutral blocks.

Every number is taken from the `ConsultationSummary` and written with `fmt`; nothing is
counted here. Tables carry a `key` so tests (and anyone checking a report) can find them.
"""

from __future__ import annotations

from collections.abc import Collection

from engage import __version__
from engage.analysis import counting
from engage.analysis.agreement import KAPPA_NAME
from engage.analysis.kinds import HEADLINE_KINDS
from engage.reports import charts, fmt
from engage.reports.document import (
    Document,
    Figure,
    Heading,
    KeyFigures,
    Paragraph,
    QuoteBlock,
    Table,
    text_blocks,
)
from engage.reports.draft import draft_summary_text
from engage.reports.summary import SECTIONS, SENTIMENT_LABELS, ConsultationSummary

ESTIMATE_NOTE = "* Population is an estimate, not a census count."
NO_ACTIVITIES = "No activities recorded."
NO_ACTIONS = "No actions recorded."


def build_document(summary: ConsultationSummary, sections: Collection[str] | None = None,
                   summary_text: str | None = None) -> Document:
    """The report's blocks for the chosen sections (all by default), in reading order."""
    chosen = [key for key in SECTIONS if sections is None or key in sections]
    unknown = set(sections or ()) - set(SECTIONS)
    if unknown:
        from engage.errors import EngageError

        raise EngageError(f"unknown report section {', '.join(sorted(unknown))}; sections are "
                          + ", ".join(SECTIONS))
    doc = Document(
        title=summary.title, subtitle="Consultation summary", scope_line=summary.scope_label,
        dates_line=_dates_line(summary),
        produced_line=f"Produced {fmt.long_date(summary.generated_at)} with Engage {__version__}",
        cover_figures=_cover_figures(summary))
    for key in chosen:
        builder = _BUILDERS[key]
        blocks = builder(summary, summary_text) if key == "summary" else builder(summary)
        if blocks:
            doc.add(Heading(SECTIONS[key], 1), *blocks)
    return doc


def _cover_figures(s: ConsultationSummary) -> list[tuple[str, str]]:
    return [(fmt.count(s.counts.respondents), "respondents"),
            (fmt.count(s.counts.counted), "comments counted"),
            (fmt.count(sum(1 for t in s.themes if t.comments)), "themes raised"),
            _localities_figure(s)]


def _localities_figure(s: ConsultationSummary) -> tuple[str, str]:
    """'11 of 13' localities heard from (or places, for a project without localities)."""
    localities = [p for p in s.places if p.locality]
    if localities:
        heard = sum(1 for p in localities if p.respondents)
        return f"{fmt.count(heard)} of {fmt.count(len(localities))}", "localities heard from"
    return fmt.count(len([p for p in s.places if p.place_id is not None])), "places"


def _dates_line(s: ConsultationSummary) -> str:
    when = fmt.date_range(s.first_date, s.last_date)
    return f"Responses received {when}" if when else ""


# ----- executive summary ----------------------------------------------------------------------
def _summary(s: ConsultationSummary, text: str | None) -> list:
    c = s.counts
    themes_raised = sum(1 for t in s.themes if t.comments)
    figures = KeyFigures([
        (fmt.count(c.respondents), "respondents"),
        (fmt.count(c.counted), "comments counted"),
        (fmt.count(themes_raised), "themes raised"),
        _localities_figure(s),
        (fmt.count(c.reviewed), "comments reviewed by officers"),
    ])
    body = text if text is not None and text.strip() else draft_summary_text(s)
    return [figures, *text_blocks(body)]


# ----- themes and sentiment -------------------------------------------------------------------
def _themes(s: ConsultationSummary) -> list:
    blocks: list = [Paragraph(
        f"Each comment can raise several themes; each theme belongs to one portfolio. Counts "
        f"are of the {fmt.count(s.counts.counted)} counted comments (see \"How figures are "
        f"counted\" in the methodology). \"% of respondents\" is a share of the "
        f"{fmt.counted(s.counts.respondents_counted, 'respondent')} with a counted comment.",
        "lead")]
    chart = charts.themes_chart(s)
    if chart:
        blocks.append(Figure(chart[0], "Comments per theme, by portfolio", 1.0, chart[1]))
    blocks.append(Table(
        ["Portfolio", "Comments", "Respondents", "% of respondents"],
        [[p.name, fmt.count(p.comments), fmt.count(p.respondents),
          fmt.pct(p.share_of_respondents)] for p in s.portfolios],
        widths=[4, 1.2, 1.2, 1.4], key="portfolios",
        note="A comment with themes in two portfolios counts once in each."))
    for p in s.portfolios:
        blocks.append(Heading(p.name, 2))
        if p.description:
            blocks.append(Paragraph(p.description, "note"))
        blocks.append(Table(
            ["Theme", "Comments", "Respondents", "% of respondents", "Positive", "Neutral",
             "Negative"],
            [[t.name, fmt.count(t.comments), fmt.count(t.respondents),
              fmt.pct(t.share_of_respondents), fmt.count(t.sentiment.positive),
              fmt.count(t.sentiment.neutral), fmt.count(t.sentiment.negative)]
             for t in p.themes],
            widths=[3.4, 1.1, 1.2, 1.3, 1, 1, 1], key=f"themes:{p.name}"))
    return blocks


def _sentiment(s: ConsultationSummary) -> list:
    total = s.sentiment
    rows = [[f"{level} {SENTIMENT_LABELS[level]}", fmt.count(total.levels.get(level, 0)),
             fmt.pct(total.share(total.levels.get(level, 0)))] for level in range(1, 6)]
    rows += [["Positive (1–2)", fmt.count(total.positive), fmt.pct(total.share(total.positive))],
             ["Neutral or mixed (3)", fmt.count(total.neutral),
              fmt.pct(total.share(total.neutral))],
             ["Negative (4–5)", fmt.count(total.negative), fmt.pct(total.share(total.negative))]]
    blocks: list = [
        Paragraph("Sentiment follows the NHS patient-experience scale from 1 (very positive) to "
                  "5 (very negative), where 3 means neutral or mixed; charts roll it up to three "
                  "levels. An officer's judgement replaces the model's wherever one was given.",
                  "lead"),
        Table(["Sentiment", "Comments", "Share"], rows, widths=[3, 1.2, 1.2], key="sentiment",
              note=f"Shares are of the {fmt.counted(total.rated, 'counted comment')} with a "
                   "sentiment." + (f" {fmt.counted(total.unknown, 'counted comment')} "
                                   f"{'has' if total.unknown == 1 else 'have'} no sentiment."
                                   if total.unknown else ""))]
    chart = charts.sentiment_chart(s)
    if chart:
        blocks.append(Figure(chart[0], "Sentiment by theme (share of comments)", 1.0, chart[1]))
    return blocks + _kinds(s)


KIND_HEADERS = ["Comments", "Asked for", "Praised", "Complained about"]


def _has_kinds(s: ConsultationSummary) -> bool:
    """Kinds are shown once any counted comment has one (older projects have none)."""
    return any(sum(t.kinds.values()) for t in s.themes)


def _kind_cells(comments: int, kinds: dict[str, int]) -> list[str]:
    return [fmt.count(comments), *(fmt.count(kinds.get(k, 0)) for k in HEADLINE_KINDS)]


def _kinds(s: ConsultationSummary) -> list:
    """Asked for beside praised and complained about, theme by theme: a wish read as a
    complaint misinforms a board, so the report shows the three apart (as the Overview does)."""
    if not _has_kinds(s):
        return []
    return [Heading("What people asked for, praised and complained about", 2), Table(
        ["Theme", *KIND_HEADERS],
        [[t.name, *_kind_cells(t.comments, t.kinds)] for t in s.themes if t.comments],
        widths=[3.6, 1.1, 1.1, 1.1, 1.4], key="kinds",
        note="Counted comments on each theme by kind (see \"Kind of comment\" in the "
             "methodology); questions, mixed comments and those with nothing to classify make "
             "up the rest.")]


def _kind_definition() -> str:
    """The kinds as the model card defines them, then where they come from and what they do."""
    from engage.nlp.kind import KIND_DEFINITIONS, KIND_WORDS

    kinds = " ".join(f"{KIND_WORDS[k]}: {meaning}." for k, meaning in KIND_DEFINITIONS.items())
    return (f"Each comment also has a kind, saying what it does. {kinds} The kind comes from "
            "a model trained on consultation comments written and labelled for Engage and on "
            "NHS patient feedback, labelled by the question each answer gave (\"What was "
            "good?\" or \"How could we improve?\"); an officer's kind replaces the model's. "
            "Sentiment charts count a suggestion as neutral, since a wish is not a complaint, "
            "unless an officer set its sentiment.")


def _quotes(s: ConsultationSummary) -> list:
    blocks: list = [Paragraph(
        "Quotes an officer marked as key come first; the others were chosen for being clear, "
        "confidently coded and different from each other in place and feeling. Personal details "
        "were masked when the comments were imported.", "lead")]
    any_quote = False
    for t in s.themes:
        quotes = s.quotes.get(t.theme_id, [])
        if not quotes:
            continue
        any_quote = True
        blocks.append(Heading(f"{t.name} ({t.portfolio})", 2))
        for quote in quotes:
            who = f"Respondent from {quote.place}" if quote.place else "Respondent"
            feeling = SENTIMENT_LABELS.get(quote.sentiment or 0)
            attribution = who + (f", {feeling.lower()}" if feeling else "") + (
                " · key quote chosen by an officer" if quote.key_quote else "")
            blocks.append(QuoteBlock(quote.text, attribution))
    if not any_quote:
        blocks.append(Paragraph("No comment has been matched to a theme yet."))
    return blocks


def _wordclouds(s: ConsultationSummary) -> list:
    blocks: list = [Paragraph(
        "The larger the word, the more often it was used. Words are counted after removing "
        "common words, so \"waiting lists\" and \"waiting list\" count together.", "lead")]
    drawn = 0
    overall = charts.word_cloud(s.word_frequencies.get(None, {}))
    if overall:
        blocks.append(Figure(overall[0], "All counted comments", 0.9, overall[1]))
        drawn += 1
    for i, p in enumerate(s.portfolios):
        cloud = charts.word_cloud(s.word_frequencies.get(p.portfolio_id, {}),
                                  charts.PORTFOLIO_COLOURS[i % len(charts.PORTFOLIO_COLOURS)])
        if cloud:
            blocks.append(Figure(cloud[0], p.name, 0.75, cloud[1]))
            drawn += 1
    return blocks if drawn else []


# ----- places and people ----------------------------------------------------------------------
def _places(s: ConsultationSummary) -> list:
    blocks: list = [Paragraph(
        "Respondents are placed by the locality they named, else by their postcode district, "
        "else by the town they named: a postcode outranks a town name. Every locality is "
        "listed, including those nobody "
        "responded from, and counts the respondents of its PCNs and wards; a council or "
        "partnership row holds only respondents placed no more precisely than that. "
        "A town that spans several localities named without a postcode is "
        "shown as \"(locality unknown)\"; respondents with no recognisable place are shown "
        "as \"(no place)\". All are counted in every total.", "lead")]
    chart = charts.places_chart(s)
    if chart:
        blocks.append(Figure(chart[0], "Respondents, and responses per 1,000 people where the "
                                       "population is known (red: under two-thirds of the rate "
                                       "across all localities)", 1.0, chart[1]))
    blocks.append(Table(
        ["Place", "Respondents", "Comments", "Positive", "Neutral", "Negative", "Top themes"],
        [[_place_name(p), fmt.count(p.respondents), fmt.count(p.comments),
          fmt.count(p.sentiment.positive), fmt.count(p.sentiment.neutral),
          fmt.count(p.sentiment.negative),
          "; ".join(f"{name} ({fmt.count(n)})" for name, n in p.top_themes)]
         for p in s.places],
        align="lrrrrrl", widths=[2.4, 1.2, 1.1, 1, 1, 1, 3.6], key="places",
        note=UNDER_HEARD_NOTE + " Comments: counted comments."))
    if _has_kinds(s):
        blocks.append(Table(
            ["Place", *KIND_HEADERS],
            [[_place_name(p), *_kind_cells(p.comments, p.kinds)] for p in s.places],
            widths=[3.2, 1.1, 1.1, 1.1, 1.4], key="place_kinds",
            note="What each place's people asked for, praised and complained about: counted "
                 "comments by kind (see \"Kind of comment\" in the methodology)."))
    return blocks


UNDER_HEARD_NOTE = ("(under-heard): nobody responded, or fewer than two-thirds of the rate per "
                    "1,000 people across all localities did.")


def _place_name(p) -> str:
    return p.name + (" (under-heard)" if p.under_heard else "")


def _profile(s: ConsultationSummary) -> list:
    blocks: list = [Paragraph(
        "Who responded, as they described themselves. Shares are of all "
        f"{fmt.counted(s.counts.respondents, 'respondent')}; \"Not stated\" includes blank "
        "answers.",
        "lead")]
    with_population = [p for p in s.places if p.population]
    rated = [p for p in s.places if p.population or p.locality]
    if with_population:
        blocks.append(Heading("Place against population", 2))
        blocks.append(Table(
            ["Place", "Respondents", "% of respondents", "Population", "% of population",
             "Per 1,000"],
            [[p.name, fmt.count(p.respondents), fmt.pct(p.share_of_respondents),
              fmt.population(p.population, p.population_is_estimate),
              fmt.pct(p.share_of_population),
              fmt.rate(p.rate_per_1000) + (" (low)" if p.under_heard else "")]
             for p in rated],
            widths=[2.6, 1.2, 1.3, 1.3, 1.3, 1.2], key="representation",
            note=(ESTIMATE_NOTE if any(p.population_is_estimate for p in with_population)
                  else "") + (" (low): under two-thirds of the rate across all places "
                              f"({fmt.rate(s.overall_rate_per_1000)} per 1,000).")))
    for table in s.profile:
        if all(value == "Not stated" for value, _n, _share in table.rows):
            continue
        blocks.append(Heading(table.label, 2))
        blocks.append(Table([table.label, "Respondents", "Share"],
                            [[value, fmt.count(n), fmt.pct(share)]
                             for value, n, share in table.rows],
                            widths=[3, 1.2, 1.2], key=f"profile:{table.attribute}"))
    return blocks


# ----- co-production -------------------------------------------------------------------------
def _coproduction(s: ConsultationSummary) -> list:
    co = s.coproduction
    if not co.activities:
        return [Paragraph(NO_ACTIVITIES)]
    from engage.coproduction.vocab import LEVEL_MEANINGS

    blocks: list = [
        Paragraph(f"{fmt.counted(len(co.activities), 'activity', 'activities')} with "
                  f"{fmt.counted(co.participants, 'participant')} in all. The participation "
                  "ladder runs from informing people to sharing power with them.", "lead"),
        Table(["Participation level", "Activities", "What it means"],
              [[level.capitalize(), fmt.count(n), LEVEL_MEANINGS.get(level, "")]
               for level, n in co.level_counts.items()],
              align="lrl", widths=[1.6, 1, 4.4], key="levels"),
        Table(["Activity", "Type", "Dates", "Places", "Level", "Participants"],
              [[a["title"], a["type"], fmt.date_range(a["start_date"], a["end_date"], short=True),
                a["places"] or "", a["level"], fmt.count(a["participants"])]
               for a in co.activities],
              align="lllllr", widths=[2.6, 1.2, 1.6, 1.6, 1, 1.1], key="activities")]
    return blocks


def _actions(s: ConsultationSummary) -> list:
    co = s.coproduction
    if not co.actions:
        return [Paragraph(NO_ACTIONS)]
    rows = []
    for a in co.actions:
        said = a["title"]
        backing = [a["themes"] or a["portfolio"] or ""]
        if a["supporting_comments"]:
            backing.append(fmt.counted(a["supporting_comments"], "supporting comment"))
        if any(backing):
            said += " (" + "; ".join(b for b in backing if b) + ")"
        did = a["decision"] or ""
        if a["reason"]:
            did += ("\n" if did else "") + f"Why not: {a['reason']}"
        rows.append([said, did, a["owner"], a["status"]])
    statuses = ", ".join(f"{fmt.count(n)} {status}" for status, n in
                         co.action_status_counts.items() if n)
    return [Paragraph(f"{fmt.counted(len(co.actions), 'action')}: {statuses}.", "lead"),
            Table(["You said", "We did", "Owner", "Status"], rows, align="llll",
                  widths=[2.6, 3.6, 1.3, 1.1], key="actions")]


# ----- methodology and appendix --------------------------------------------------------------
def _methodology(s: ConsultationSummary) -> list:
    c = s.counts
    blocks: list = [
        Paragraph("This section says where the figures come from, so each can be checked.",
                  "lead"),
        Heading("How figures are counted", 2),
        Paragraph(f"{counting.RULE_NAME}: {counting.RULE_SUMMARY} The app\u2019s views and "
                  "exports count the same way, so they show these figures for the same "
                  "selection."),
        Table(["Step", "Comments"], [
            ["Comments read", fmt.count(c.comments)],
            ["Not counted: no content (e.g. \"n/a\", \"no comment\")",
             fmt.count(c.no_content)],
            ["Not counted: repeats of the same respondent\u2019s earlier answer",
             fmt.count(c.repeats)],
            ["Not counted: campaign responses after each campaign\u2019s first",
             fmt.count(c.campaign)],
            ["Comments counted", fmt.count(c.counted)],
            ["Counted comments matched to at least one theme", fmt.count(c.coded)],
        ], widths=[5, 1.4], key="exclusions",
            note=f"{fmt.counted(c.respondents, 'respondent')}; "
                 f"{fmt.count(c.respondents_commenting)} wrote at least one answer with content "
                 f"and {fmt.count(c.respondents_counted)} have a counted comment (the base of "
                 "every \"% of respondents\")."),
    ]
    if s.campaigns:
        blocks.append(Table(
            ["Campaign text (first response, counted)", "Responses", "Not counted"],
            [[_excerpt(k.text), fmt.count(k.responses), fmt.count(k.not_counted)]
             for k in s.campaigns],
            align="lrr", widths=[5, 1.1, 1.1], key="campaigns",
            note=f"A campaign: near-identical texts of at least {counting.CAMPAIGN_MIN_WORDS} "
                 f"words from {counting.CAMPAIGN_MIN_RESPONDENTS} or more respondents."))
    if s.files:
        blocks += [Heading("Files imported", 2), Table(
            ["File", "Imported", "Rows", "Comments", "Personal data masked"],
            [[f["file_name"], fmt.long_date(f["imported_at"]), fmt.count(f["rows_read"]),
              fmt.count(f["comments_created"]), fmt.masked(f["masked"]) or "none"]
             for f in s.files],
            align="llrrl", widths=[2.6, 1.5, 0.9, 1.1, 2.2], key="files")]
    masked_total = sum(s.masked_kinds.values())
    blocks += [Heading("Personal data", 2), Paragraph(
        "Names, e-mail addresses, phone numbers, NHS numbers and postcodes written in comments "
        "were replaced by placeholders such as [email] when the file was imported; the original "
        "text is not shown in this report. "
        + (f"{fmt.counted(c.masked_comments, 'comment')} in this report had personal data "
           f"masked ({fmt.masked(s.masked_kinds)})."
           if masked_total else "No comment in this report contained personal data to mask."))]
    blocks += _model_blocks(s)
    if _has_kinds(s):
        blocks += [Heading("Kind of comment", 2), Paragraph(_kind_definition())]
    return blocks


def _model_blocks(s: ConsultationSummary) -> list:
    c = s.counts
    blocks: list = [Heading("How themes and sentiment were found", 2), Paragraph(
        "A model trained on NHS patient feedback and on this project's own officer decisions "
        "suggested themes and a sentiment for each comment. A suggestion counts when the model "
        "was confident or an officer accepted it; an officer's decision always replaces the "
        "model's.")]
    used = [r for r in s.runs if r["comments_in_report"]]
    if used:
        superseded = len(s.runs) - len(used)
        blocks.append(Table(
            ["Model", "Mode", "Run", "Comments analysed", "Used in this report"],
            [[fmt.model_version(r["model_version"]), r["mode"],
              fmt.long_date(r["finished_at"] or r["started_at"]), fmt.count(r["comments"]),
              fmt.count(r["comments_in_report"])] for r in used],
            align="lllrr", widths=[2, 1.6, 1.8, 1.4, 1.4], key="runs",
            note="Cold start: themes from the codebook's seed terms and a model trained on NHS "
                 "patient feedback. Warm start: also learnt from this project's officer "
                 "decisions." + (f" {fmt.counted(superseded, 'earlier run')} whose results "
                                 "were all replaced by a later one "
                                 f"{'is' if superseded == 1 else 'are'} not listed."
                                 if superseded else "")))
    else:
        blocks.append(Paragraph("The comments in this report have not been analysed yet."))
    if any("accurate pass" in (r["mode"] or "") for r in used):
        from engage.nlp.encoder import methodology_sentence

        sentence = methodology_sentence()
        if sentence:
            blocks.append(Paragraph(sentence))
    a = s.agreement
    if c.reviewed or c.officer_sentiment:
        review = (f"Officers reviewed {fmt.counted(c.reviewed, 'comment')} and set the "
                  f"sentiment of {fmt.count(c.officer_sentiment)}.")
    else:
        review = ("No officer has reviewed these comments yet, so every theme and sentiment "
                  "in this report is the model's, and there is no agreement to measure.")
    pooled = a.themes.pooled
    if a.reviewed and pooled.items:
        review += (f" On the reviewed comments the model's themes agreed with the officers' "
                   f"with a {KAPPA_NAME} of {fmt.ratio(a.themes.kappa)} (precision "
                   f"{fmt.ratio(pooled.precision)}, recall {fmt.ratio(pooled.recall)}; 1 is "
                   f"perfect agreement, 0 no better than chance).")
    if a.sentiment.comments:
        review += (f" For sentiment, on {fmt.counted(a.sentiment.comments, 'comment')}, kappa was "
                   f"{fmt.ratio(a.sentiment.kappa5)} on five levels and "
                   f"{fmt.ratio(a.sentiment.kappa3)} on three.")
    if s.officer_agreement:  # officer against officer, on a shared-out overlap sample
        review += " " + s.officer_agreement
    blocks += [Heading("Officer review and agreement", 2), Paragraph(review)]
    if a.rows:
        blocks.append(Table(
            ["Theme", "Officer", "Model", "Both", "Kappa", "Precision", "Recall"],
            [[r.theme, fmt.count(r.officer_yes), fmt.count(r.model_yes), fmt.count(r.both),
              fmt.ratio(r.kappa), fmt.ratio(r.precision), fmt.ratio(r.recall)]
             for r in a.rows],
            widths=[3, 1, 1, 1, 1, 1.1, 1], key="agreement",
            note="Officer / Model: reviewed comments each gave the theme. Precision: share of "
                 "the model's themes the officer kept. Recall: share of the officer's themes "
                 "the model had found."))
    return blocks


def _excerpt(text: str, words: int = 24) -> str:
    parts = text.split()
    return " ".join(parts[:words]) + (" …" if len(parts) > words else "")


def _codebook(s: ConsultationSummary) -> list:
    blocks: list = [Paragraph("The portfolios and themes comments were coded into.", "lead")]
    for entry in s.codebook:
        blocks.append(Heading(entry.portfolio, 2))
        if entry.portfolio_description:
            blocks.append(Paragraph(entry.portfolio_description, "note"))
        if entry.themes:
            blocks.append(Table(["Theme", "Description"],
                                [[name, description] for name, description in entry.themes],
                                align="ll", widths=[2, 5], key=f"codebook:{entry.portfolio}"))
    return blocks if s.codebook else [Paragraph("No codebook yet.")]


_BUILDERS = {
    "summary": _summary, "themes": _themes, "sentiment": _sentiment, "quotes": _quotes,
    "wordclouds": _wordclouds, "places": _places, "profile": _profile,
    "coproduction": _coproduction, "actions": _actions, "methodology": _methodology,
    "codebook": _codebook,
}
