"""Where in a comment the terms that drove a suggested theme appear.

A coding's evidence is the list of seed terms the scorer matched, as the taxonomy spells them
("wait", "waiting list", "a and e"). The scorer matched them on lemmas, so the comment may say
"waited", "waiting lists" or "A&E". This finds those places again in the original text, so the
officer sees *why* a theme was suggested.

Deliberately light: a small suffix stemmer and a handful of irregular forms instead of the
spaCy lemmatizer, because the workbench calls this on the GUI thread for every comment shown
and importing spaCy costs two seconds. Both sides (term and text) go through the same
normalisation, so the stemmer need not be linguistically right, only consistent.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

# "A&E", "a & e": the symbol reads as the word "and", so the phrase "a and e" finds it.
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*|[&+]")
MAX_GAP = 2  # words allowed between two words of a phrase ("nobody I can talk to")

#: Irregular forms the suffix rules cannot reach: form -> base.
_IRREGULAR = {
    "told": "tell", "said": "say", "saw": "see", "seen": "see", "went": "go", "gone": "go",
    "paid": "pay", "left": "leave", "felt": "feel", "kept": "keep", "made": "make",
    "took": "take", "taken": "take", "gave": "give", "given": "give", "got": "get",
    "spent": "spend", "sent": "send", "met": "meet", "lost": "lose", "found": "find",
    "thought": "think", "brought": "bring", "bought": "buy", "children": "child",
    "women": "woman", "men": "man", "fell": "fall", "fallen": "fall", "ran": "run",
    "heard": "hear", "understood": "understand", "drove": "drive", "driven": "drive",
}
#: Short function words a phrase may skip in the text, and that never make a match alone.
_LIGHT = frozenset(
    "a an the to of in on at for and or but my our your their his her its me us them i we you "
    "he she they it is are was were be been being with by from as that this there so can could "
    "would will do does did have has had not no".split())
#: Other spellings of a few phrases (the scorer folds these together too).
_ALIASES = {"a and e": ("accident and emergency", "emergency department")}



@dataclass(frozen=True)
class Span:
    """Characters [start, end) of the text matched evidence term `term` (index into terms)."""

    start: int
    end: int
    term: int


def stem(word: str) -> str:
    """A consistent, crude base form: waiting, waited, waits -> wait; surgeries -> surgery."""
    w = word.lower().replace("’", "'")
    if w.endswith("'s"):
        w = w[:-2]
    w = _IRREGULAR.get(w, w)
    restore_e = False
    if len(w) > 4 and w.endswith(("ies", "ied")):
        w = w[:-3] + "y"
    elif len(w) >= 6 and w.endswith("ing"):
        w, restore_e = w[:-3], True
    elif len(w) >= 5 and w.endswith("ed"):
        w, restore_e = w[:-2], True
    elif len(w) >= 5 and w.endswith(("ses", "xes", "zes", "ches", "shes")):
        w = w[:-2]  # buses, boxes, churches
    elif len(w) >= 4 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    if len(w) > 4 and w.endswith("e"):
        w = w[:-1]  # close, closing, closed -> clos
    elif restore_e and len(w) == 3 and w[-1] not in "aeiouwy" and w[-2] in "aeiou":
        w += "e"  # caring, cared -> care (not "car")
    return w


def _keys(word: str) -> frozenset[str]:
    """The forms a word may take: its stem, and the stem with a doubled consonant undone
    (travelling -> travel, stopped -> stop)."""
    if word in "&+":
        return frozenset({"and"})
    base = stem(word)
    if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "aeiou":
        return frozenset({base, base[:-1]})
    return frozenset({base})


@lru_cache(maxsize=1)
def _light_stems() -> frozenset[str]:
    return frozenset(_LIGHT | {stem(word) for word in _LIGHT})


@lru_cache(maxsize=4096)
def _variants(term: str) -> tuple[tuple[tuple[frozenset[str], ...], int], ...]:
    """Each spelling of a term as (word keys, gap allowed between required words)."""
    spelled = term.replace("_", " ").strip().lower()
    out = []
    for variant in (spelled, *_ALIASES.get(spelled, ())):
        words = tuple(_keys(w) for w in _WORD.findall(variant))
        if not words:
            continue
        # Phrases of single letters ("a and e") must match word for word.
        strict = any(len(w) == 1 and w not in "&+" for w in _WORD.findall(variant))
        out.append((words, 0 if strict else MAX_GAP))
    return tuple(out)


def evidence_spans(text: str, terms: Sequence[str]) -> list[Span]:
    """Non-overlapping spans of `text` matching each term, in text order.

    A longer match wins over a shorter one starting at the same place; where two terms
    overlap, the earlier-starting span is kept.
    """
    words = [(m.start(), m.end(), _keys(m.group(0))) for m in _WORD.finditer(text)]
    keys = [w[2] for w in words]
    found: list[Span] = []
    for index, term in enumerate(terms):
        for phrase, gap in _variants(term):
            found += [Span(words[a][0], words[b][1], index)
                      for a, b in _find(keys, phrase, gap)]
    found.sort(key=lambda s: (s.start, -(s.end - s.start)))
    spans: list[Span] = []
    for span in found:
        if not spans or span.start >= spans[-1].end:
            spans.append(span)
    return spans


def _find(keys: list[frozenset[str]], phrase: tuple[frozenset[str], ...],
          gap: int) -> list[tuple[int, int]]:
    """(first word, last word) of each match of `phrase` in `keys`."""
    required = [w for w in phrase if not (w & _light_stems())] if gap else list(phrase)
    if not required:
        required = list(phrase)
    matches = []
    for start, key in enumerate(keys):
        if not key & required[0]:
            continue
        position, ok = start, True
        for word in required[1:]:
            window = keys[position + 1:position + 2 + gap]
            step = next((i for i, k in enumerate(window) if k & word), None)
            if step is None:
                ok = False
                break
            position += 1 + step
        if ok:
            matches.append((start, position))
    return matches
