"""A first draft of the executive summary, written from the figures and nothing else.

The officer edits it before export (the report functions take the edited text instead). Every
number in it comes from the summary, formatted by `fmt`, so the draft cannot contradict the
tables below it. Paragraphs are separated by a blank line; lines starting with "- " are bullets.
"""

from __future__ import annotations

from engage.analysis.agreement import KAPPA_NAME
from engage.reports import fmt
from engage.reports.summary import MIN_SENTIMENT_BASE, ConsultationSummary


def draft_summary_text(summary: ConsultationSummary) -> str:
    paragraphs = [_response(summary), _themes(summary), _sentiment(summary), _kinds(summary),
                  _places(summary), _review(summary), _what_changed(summary)]
    return "\n\n".join(p for p in paragraphs if p)


def _response(s: ConsultationSummary) -> str:
    c = s.counts
    first, last = s.first_date, s.last_date
    if first and last and first[:10] != last[:10]:
        when = f" between {fmt.long_date(first)} and {fmt.long_date(last)}"
    else:
        when = f" on {fmt.long_date(first)}" if first else ""
    text = (f"{fmt.counted(c.respondents, 'person', 'people')} responded to {s.title}{when}, "
            f"making {fmt.counted(c.comments, 'comment')}.")
    if c.excluded:
        reasons = [f"{fmt.count(n)} {why}" for n, why in (
            (c.no_content, "had no content"),
            (c.repeats, "repeated the same respondent's earlier answer"),
            (c.campaign, "were further copies of a campaign text, which counts once")) if n]
        text += (f" {fmt.count(c.excluded)} {'was' if c.excluded == 1 else 'were'} not counted "
                 f"({_join(reasons)}), leaving {fmt.counted(c.counted, 'counted comment')} from "
                 f"{fmt.counted(c.respondents_counted, 'respondent')}; the same words from "
                 "different people count for each of them.")
    if c.counted:
        text += (f" {fmt.count(c.coded)} of the counted comments "
                 f"({fmt.pct(c.coded / c.counted)}) were matched to at least one theme.")
    return text


def _themes(s: ConsultationSummary) -> str:
    top = s.top_themes(3)
    if not top:
        return "No comment has been matched to a theme yet."
    listed = [f"{t.name.lower() if _plain(t.name) else t.name} "
              f"({fmt.counted(t.comments, 'comment')}, {fmt.pct(t.share_of_respondents)})"
              for t in top]
    lines = ["The themes raised most often were " + _join(listed) + ": percentages are of the "
             f"{fmt.counted(s.counts.respondents_counted, 'respondent')} with a counted "
             "comment."]
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
    text = (f"Of the {fmt.counted(total.rated, 'counted comment')} with a sentiment, "
            f"{fmt.pct(total.share(total.positive))} were "
            f"positive, {fmt.pct(total.share(total.neutral))} neutral or mixed and "
            f"{fmt.pct(total.share(total.negative))} negative.")
    rated = [t for t in s.themes if t.sentiment.rated >= MIN_SENTIMENT_BASE]
    if rated:
        worst = max(rated, key=lambda t: (t.sentiment.share(t.sentiment.negative), t.comments))
        best = max(rated, key=lambda t: (t.sentiment.share(t.sentiment.positive), t.comments))
        text += (f" Among themes with at least {MIN_SENTIMENT_BASE} comments with a sentiment, "
                 f"feeling was most negative about {worst.name} "
                 f"({fmt.pct(worst.sentiment.share(worst.sentiment.negative))} of "
                 f"{fmt.count(worst.sentiment.rated)} negative)")
        if best.theme_id != worst.theme_id and best.sentiment.positive:
            text += (f" and most positive about {best.name} "
                     f"({fmt.pct(best.sentiment.share(best.sentiment.positive))} of "
                     f"{fmt.count(best.sentiment.rated)} positive)")
        text += "."
    return text


def _kinds(s: ConsultationSummary) -> str:
    """What people asked for, praised and complained about most (engage.nlp.kind): a wish is
    not a complaint, so the board reads the two apart."""
    parts = []
    for kind, verb in (("suggestion", "asked for"), ("praise", "praised"),
                       ("complaint", "complained about")):
        ranked = sorted((t for t in s.themes if t.kinds.get(kind)),
                        key=lambda t: (-t.kinds[kind], t.name))[:3]
        if ranked:
            named = ", ".join(f"{t.name} ({fmt.count(t.kinds[kind])})" for t in ranked)
            parts.append(f"{verb} {named}")
    if not parts:
        return ""
    return "By kind of comment, people most often " + "; ".join(parts) + "."


def _places(s: ConsultationSummary) -> str:
    localities = [p for p in s.places if p.locality]
    placed = [p for p in s.places if p.place_id is not None]
    if not placed:
        return ""
    if localities:
        heard = [p for p in localities if p.respondents]
        listed = [f"{p.name} {fmt.count(p.respondents)}" + (" (under-heard)" if p.under_heard
                                                            else "") for p in localities]
        text = (f"Responses came from {fmt.count(len(heard))} of the "
                f"{fmt.counted(len(localities), 'locality', 'localities')}. Respondents by "
                f"locality: {_join(listed)}.")
        silent = [p.name for p in localities if not p.respondents]
        if silent:
            text += " Nobody responded from " + _join(silent) + "."
        others = [p for p in placed if not p.locality and p.respondents]
        if others:
            text += (" Placed only at a wider level: " + _join(
                [f"{p.name} {fmt.count(p.respondents)}" for p in others]) + ".")
    else:
        most = max(placed, key=lambda p: p.respondents)
        text = (f"Responses came from {fmt.counted(len(placed), 'place')}; the most from "
                f"{most.name} ({fmt.counted(most.respondents, 'respondent')}).")
    if s.overall_rate_per_1000:
        low = [p.name for p in localities if p.under_heard and p.respondents]
        text += (f" Across localities with a known population, "
                 f"{fmt.rate(s.overall_rate_per_1000)} people per 1,000 responded.")
        if low:
            text += (" Fewer than two-thirds of that rate responded in " + _join(low)
                     + ", so their voices are under-represented.")
    unplaced = next((p for p in s.places if p.place_id is None), None)
    if unplaced:
        text += (f" {fmt.counted(unplaced.respondents, 'respondent')} gave no place we could "
                 f"recognise; they are counted in every total.")
    return text


def _review(s: ConsultationSummary) -> str:
    c = s.counts
    if not c.reviewed:
        return ("No officer has yet reviewed the model's coding; the theme counts are the "
                "model's suggestions.") if c.analysed else ""
    kappa = s.agreement.themes.kappa
    text = f"Officers reviewed {fmt.counted(c.reviewed, 'comment')} by hand."
    if kappa is not None:
        text += (f" On those, the model's themes agreed with the officers' with a {KAPPA_NAME} "
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
