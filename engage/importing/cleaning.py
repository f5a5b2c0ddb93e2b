"""Tidy comment text, spot non-answers and exact duplicates.

Nothing here throws a comment away: placeholders ("n/a", "nothing to add") and duplicates
are kept and marked, because counts of who answered and how are evidence too, but they are
left out of theme discovery and quotes.
"""

from __future__ import annotations

import re
import unicodedata

_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_HORIZONTAL_SPACE_RE = re.compile(r"[^\S\n]+")
_BLANK_LINES_RE = re.compile(r"\n{3,}")
# C0/C1 controls except newline, bidirectional marks, and lone surrogates from bad decoding.
_CONTROL_RE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def normalise_text(text: object) -> str:
    """Comment text as stored: NFC, no control characters but newlines, tidy whitespace.

    Curly quotes and dashes are kept as typed (they are what the respondent wrote); runs of
    spaces and tabs become one space, lines are trimmed, and at most one blank line is kept
    between paragraphs.
    """
    if text is None:
        return ""
    s = str(text)
    if s.isascii() and s.isprintable() and "  " not in s:
        return s.strip()  # the common case: one plain line, nothing to tidy
    s = unicodedata.normalize("NFC", s)
    s = s.replace("\r\n", "\n").replace("\r", "\n").translate(_ZERO_WIDTH)
    s = _CONTROL_RE.sub(" ", s)
    s = _HORIZONTAL_SPACE_RE.sub(" ", s)
    s = "\n".join(line.strip() for line in s.split("\n"))
    return _BLANK_LINES_RE.sub("\n\n", s).strip()


_PUNCTUATION_RE = re.compile(r"[^\w\s]|_", re.UNICODE)
_SPACE_RE = re.compile(r"\s+")

_PLACEHOLDERS = frozenset(
    """
    n/a | na | n a | none | nothing | no | nope | nil | x | xx | xxx | no comment | no comments
    | no further comment | no further comments | no other comments | nothing to add
    | nothing further to add | nothing more to add | nothing else | nothing else to add
    | nothing to say | nothing further | nothing at all | none at all | none really
    | did not answer | not answered | no answer | no response | no thanks | no thank you
    | not applicable | blank | not sure | dont know | don t know | no idea | no opinion
    | see above | as above | same as above
    """.replace("\n", " ").split("|")
)


def _placeholder_key(text: str) -> str:
    s = normalise_text(text).casefold().replace("’", "").replace("'", "")
    return _SPACE_RE.sub(" ", _PUNCTUATION_RE.sub(" ", s)).strip()


_SEVEN_WORDS_RE = re.compile(r"[^\W_]+(?:[\W_]+[^\W_]+){6}")
_PLACEHOLDER_KEYS = frozenset(_placeholder_key(p) for p in _PLACEHOLDERS) | {""}


def is_placeholder(text: object) -> bool:
    """True for an answer that says nothing: "n/a", "None.", "-", "no comment", "?"...

    The whole answer must be the placeholder: "No GP appointments for weeks" is a comment.
    """
    text = "" if text is None else str(text)
    if _SEVEN_WORDS_RE.search(text):  # no placeholder is that long; skip the normalising
        return False
    return _placeholder_key(text) in _PLACEHOLDER_KEYS


def duplicate_key(text: object) -> str:
    """A key equal for comments that differ only in case, spacing or punctuation."""
    s = unicodedata.normalize("NFKC", "" if text is None else str(text)).casefold()
    s = s.replace("’", "").replace("'", "")
    return _SPACE_RE.sub(" ", _PUNCTUATION_RE.sub(" ", s)).strip()


__all__ = ["duplicate_key", "is_placeholder", "normalise_text"]
