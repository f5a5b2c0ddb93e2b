"""Which comments a report quotes for each theme: varied voices, the officer's key quotes first.

Kept apart from the figures (`summary`) because it is a choice, not a count: no number in the
report depends on it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

QUOTES_PER_THEME = 3


@dataclass(frozen=True)
class Quote:
    comment_id: int
    theme_id: int
    text: str
    place: str
    sentiment: int | None
    key_quote: bool
    confidence: float



def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z']{3,}", text.lower()))


def _too_similar(text: str, chosen: list[Quote]) -> bool:
    words = _words(text)
    for quote in chosen:
        other = _words(quote.text)
        if words and other and len(words & other) / min(len(words), len(other)) > 0.6:
            return True
    return False


def choose_quotes(candidates: list[dict], per_theme: int = QUOTES_PER_THEME) -> dict[int, list[Quote]]:
    """Up to `per_theme` quotes per theme: the officer's key quotes first, then varied ones.

    Candidates arrive best first (key quotes, readable length, officer-accepted, confident).
    After the key quotes, each pick prefers a place and a feeling not yet shown, and never a
    text too like one already chosen or already quoted for another theme, so three quotes are
    not one voice three times and the same comment does not fill every theme.
    """
    by_theme: dict[int, list[dict]] = {}
    for c in candidates:
        by_theme.setdefault(c["theme_id"], []).append(c)
    used: set[int] = set()  # a comment illustrates one theme only, unless it is a key quote
    out = {}
    for theme_id, rows in by_theme.items():
        out[theme_id] = _quotes_for_theme(theme_id, rows, per_theme, used)
        used.update(quote.comment_id for quote in out[theme_id])
    return out


def _quotes_for_theme(theme_id: int, rows: list[dict], per_theme: int,
                      used: set[int]) -> list[Quote]:
    chosen: list[Quote] = []
    groups: set[int] = set()

    def take(row: dict) -> None:
        chosen.append(Quote(row["comment_id"], theme_id, row["text"], row["place"] or "",
                            row["sentiment"], bool(row["key_quote"]), row["confidence"]))
        if row["ndg"] is not None:
            groups.add(row["ndg"])

    for row in rows:
        if row["key_quote"] and len(chosen) < per_theme:
            take(row)
    taken = {quote.comment_id for quote in chosen} | used
    readable = [r for r in rows if r["comment_id"] not in taken and 40 <= len(r["text"]) <= 600]
    while len(chosen) < per_theme and readable:
        places = {quote.place for quote in chosen}
        feelings = {_feeling(quote.sentiment) for quote in chosen}
        best = max(enumerate(readable), key=lambda item: (
            item[1]["place"] not in places, _feeling(item[1]["sentiment"]) not in feelings,
            -item[0]))[1]
        readable.remove(best)
        if (best["ndg"] is not None and best["ndg"] in groups) or _too_similar(best["text"],
                                                                              chosen):
            continue
        take(best)
    return chosen


def _feeling(sentiment: int | None) -> str:
    if sentiment is None:
        return "unknown"
    return "positive" if sentiment <= 2 else "neutral" if sentiment == 3 else "negative"
