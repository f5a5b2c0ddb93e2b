"""A first draft of the executive summary, written from the figures and nothing else.

The officer edits it before export (the report functions take the edited text instead). Every
number in it comes from the summary, formatted by `fmt`, so the draft cannot contradict the
tables below it. Paragraphs are separated by a blank line; lines starting with "- " are bullets.
"""

from __future__ import annotations

from engage.reports import fmt
from engage.reports.summary import ConsultationSummary


def draft_summary_text(summary: ConsultationSummary) -> str:
    paragraphs = [_response(summary), _themes(summary), _sentiment(summary), _places(summary),
                  _review(summary), _what_changed(summary)]
    return "\n\n".join(p for p in paragraphs if p)


def _response(s: ConsultationSummary) -> str:
    c = s.counts
    first, last = s.first_date, s.last_date
    if first and last and first[:10] != last[:10]:
        when = f" between {fmt.long_date(first)} and {fmt.long_date(last)}"
    else:
        when = f" on {fmt.long_date(first)}" if first else ""
    text = (f"{fmt.count(c.respondents)} people responded to {s.title}{when}, making "
            f"{fmt.count(c.comments)} comments.")
    if c.excluded:
        text += (f" {fmt.count(c.excluded)} were set aside as answers with no content or as "
                 f"repeats of the same text (each campaign text is counted once), leaving "
                 f"{fmt.count(c.counted)} comments in the analysis.")
    if c.counted:
        text += (f" {fmt.count(c.coded)} of them ({fmt.pct(c.coded / c.counted)}) were matched "
                 f"to at least one theme.")
    return text


def _themes(s: ConsultationSummary) -> str:
    top = s.top_themes(3)
    if not top:
        return "No comment has been matched to a theme yet."
    listed = [f"{t.name.lower() if _plain(t.name) else t.name} ({fmt.count(t.comments)} "
              f"comments, {fmt.pct(t.share_of_respondents)} of respondents who commented)"
              for t in top]
    lines = ["The themes raised most often were " + _join(listed) + "."]
    bullets = []
    for p in s.portfolios:
        themes = sorted((t for t in p.themes if t.comments), key=lambda t: (-t.comments, t.name))
        if not themes:
            continue
        named = ", ".join(f"{t.name} ({fmt.count(t.comments)})" for t in themes[:3])
        bullets.append(f"- {p.name}: {named}")
    if bullets:
        lines.append("By portfolio, the leading themes were:\n" + "\n".join(bullets))
    return "\n\n".join(lines)


def _sentiment(s: ConsultationSummary) -> str:
    total = s.sentiment
    if not total.rated:
        return ""
    text = (f"Of the comments with a sentiment, {fmt.pct(total.share(total.positive))} were "
            f"positive, {fmt.pct(total.share(total.neutral))} neutral or mixed and "
            f"{fmt.pct(total.share(total.negative))} negative.")
    rated = [t for t in s.themes if t.sentiment.rated >= 5]
    if rated:
        worst = max(rated, key=lambda t: (t.sentiment.share(t.sentiment.negative), t.comments))
        best = max(rated, key=lambda t: (t.sentiment.share(t.sentiment.positive), t.comments))
        text += (f" Feeling was most negative about {worst.name} "
                 f"({fmt.pct(worst.sentiment.share(worst.sentiment.negative))} negative)")
        if best.theme_id != worst.theme_id and best.sentiment.positive:
            text += (f" and most positive about {best.name} "
                     f"({fmt.pct(best.sentiment.share(best.sentiment.positive))} positive)")
        text += "."
    return text


def _places(s: ConsultationSummary) -> str:
    placed = [p for p in s.places if p.place_id is not None]
    if not placed:
        return ""
    most = placed[0]
    text = (f"Responses came from {fmt.count(len(placed))} places; the most from {most.name} "
            f"({fmt.count(most.respondents)} respondents).")
    rated = [p for p in placed if p.rate_per_1000 is not None]
    if rated and s.overall_rate_per_1000:
        low = [p.name for p in rated if p.under_heard]
        text += (f" Across places with a known population, {fmt.rate(s.overall_rate_per_1000)} "
                 f"people per 1,000 responded.")
        if low:
            text += (" Fewer than two-thirds of that rate responded in " + _join(low)
                     + ", so their voices are under-represented.")
    unplaced = next((p for p in s.places if p.place_id is None), None)
    if unplaced:
        text += (f" {fmt.count(unplaced.respondents)} respondents gave no place we could "
                 f"recognise; they are counted in every total.")
    return text


def _review(s: ConsultationSummary) -> str:
    c = s.counts
    if not c.reviewed:
        return ("No officer has yet reviewed the model's coding; the theme counts are the "
                "model's suggestions.") if c.analysed else ""
    kappa = s.agreement.themes.pooled.kappa
    text = f"Officers reviewed {fmt.count(c.reviewed)} comments by hand."
    if kappa is not None:
        text += (f" On those, the model's themes agreed with the officers' with a Cohen's kappa "
                 f"of {fmt.ratio(kappa)}.")
    return text


def _what_changed(s: ConsultationSummary) -> str:
    co = s.coproduction
    if not co.available:
        return ""
    parts = []
    if co.activities:
        reached = [level for level, n in co.level_counts.items() if n]
        n = len(co.activities)
        what = fmt.counted(n, "engagement and co-production activity",
                           "engagement and co-production activities")
        parts.append(f"{what} {'is' if n == 1 else 'are'} linked to this work"
                     + (f", reaching up to '{reached[-1]}' on the participation ladder"
                        if reached else "") + ".")
    if co.actions:
        statuses = [f"{fmt.count(n)} {status}" for status, n in co.action_status_counts.items()
                    if n]
        have = "has" if len(co.actions) == 1 else "have"
        parts.append(f"In response, {fmt.counted(len(co.actions), 'action')} {have} been recorded ("
                     + ", ".join(statuses) + ").")
    else:
        parts.append("No \"you said, we did\" actions have been recorded yet.")
    return " ".join(parts)


def _join(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _plain(name: str) -> bool:
    """Lower-case a theme name mid-sentence unless it holds an acronym (GP, A&E, NHS)."""
    return not any(word.isupper() and len(word) > 1 for word in name.replace("&", " ").split())
