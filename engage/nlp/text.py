"""Text processing shared by every NLP feature: comment text in, lemmatised tokens out.

Why this shape:
- spaCy ``blank("en")`` with the *lookup* lemmatizer built from spacy-lookups-data needs no
  model download and runs at hundreds of thousands of words a second on one core. It is loaded
  once per process (``get_nlp``) because building the lookup tables costs a quarter second.
- Text is lowercased *before* lemmatising: the lookup table is keyed by the word as written,
  and survey answers are often typed in capitals.
- Multi-word phrases ("a and e", "gp appointment") become one token joined by "_", so themes,
  topics and the officer's highlights see "mental_health" rather than "mental" and "health".
  Symbol spellings ("a&e", "walk-in") are normalised on the raw text first; phrases are then
  matched on lemmas, so "waiting lists" and "waiting list" meet as ``waiting_list``.
- Token lists are stored in the project as space-joined strings (``to_token_string``) so a
  re-analysis does not tokenise again.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache

from spacy.attrs import LEMMA, ORTH
from spacy.lang.en.stop_words import STOP_WORDS as _SPACY_STOP_WORDS

from engage.progress import CancelFn, ProgressFn, Reporter

#: Bump whenever tokenize's output for the same text changes (stop words, phrases, overrides),
#: so stored token strings made by an older version can be recognised and rebuilt.
TOKENIZER_VERSION = 1

#: Words that flip meaning. They are spaCy stop words, but sentiment needs them.
NEGATIONS: frozenset[str] = frozenset(
    {"not", "no", "never", "nothing", "nobody", "none", "noone", "nor", "cannot", "without"}
)

#: Words people write in survey answers that say nothing about the subject.
SURVEY_FILLERS: frozenset[str] = frozenset(
    """
    really just think thought feel felt would also get got gets getting thing things lot lots like
    know knew want wanted say said says go going goes went gone come came way bit quite very much
    many etc eg ie yes yeah okay ok maybe sure actually absolutely definitely basically certainly
    probably especially particularly example sort totally generally usually perhaps anyway
    overall currently always sometimes often seem lot thank thanks dear hello mr mrs ms dr let
    lets able try saw seen took gave look looking looked
    """.split()
)

#: spaCy stop words that carry meaning in health and care comments and are kept as content.
_DOMAIN_CONTENT_WORDS = frozenset({"call", "alone", "empty", "full", "serious", "move", "front"})

#: The stop words applied by ``tokenize``: spaCy's English list, minus domain content words,
#: plus survey fillers. Negations are in it; ``tokenize(keep_negations=True)`` lets them through.
STOP_WORDS: frozenset[str] = frozenset(
    (set(_SPACY_STOP_WORDS) - _DOMAIN_CONTENT_WORDS) | SURVEY_FILLERS | {"nt", "ca", "wo"}
)

#: Numbers that name services rather than quantities.
PROTECTED_NUMBERS: frozenset[str] = frozenset({"111", "999"})

#: Lemmas the lookup table gets wrong for our purpose (e.g. "better" -> "well", a stop word,
#: which would erase a sentiment cue; "gps" is not known as a plural).
_LEMMA_OVERRIDES: dict[str, str] = {
    "better": "better",
    "best": "best",
    "worse": "worse",
    "worst": "worst",
    "gps": "gp",
    "gp's": "gp",
    "a&e": "a_and_e",
    "data": "data",
    "media": "media",
    "nt": "not",
    "n't": "not",
    "ok": "okay",
    "carers": "carer",
    "staffing": "staffing",
    "hospitals": "hospital",
    # content words the table maps onto stop words
    "evening": "evening",
    "evenings": "evening",
    "willing": "willing",
    # -ing nouns that name a different thing from their verb ("parking" is not "park")
    "parking": "parking",
    "housing": "housing",
    "training": "training",
    "screening": "screening",
}

#: Curated domain phrases: canonical token -> the ways people write it (after the symbol
#: normalisation below). Matching is on lemmas, so plurals and tenses need no extra entries.
DOMAIN_PHRASES: dict[str, tuple[str, ...]] = {
    "a_and_e": ("a and e", "accident and emergency", "emergency department", "a and e department"),
    "gp_appointment": ("gp appointment", "doctor appointment", "doctors appointment"),
    "gp_surgery": ("gp surgery", "gp practice", "doctors surgery", "doctor surgery"),
    "mental_health": ("mental health", "mental illness", "mental wellbeing"),
    "social_care": ("social care", "adult social care"),
    "social_worker": ("social worker",),
    "social_services": ("social services",),
    "walk_in_centre": ("walk in centre", "walk in center", "walk in clinic"),
    "minor_injuries_unit": ("minor injuries unit", "minor injury unit", "minor injuries", "miu"),
    "care_home": ("care home", "nursing home", "residential home"),
    "home_care": ("home care", "care at home", "domiciliary care"),
    "waiting_list": ("waiting list",),
    "waiting_time": ("waiting time", "wait time", "waiting times"),
    "nhs_app": ("nhs app",),
    "111": ("nhs 111", "one one one"),
    "out_of_hours": ("out of hours", "ooh service"),
    "health_visitor": ("health visitor",),
    "district_nurse": ("district nurse", "community nurse"),
    "public_transport": ("public transport",),
    "bus_service": ("bus service", "bus route"),
    "car_park": ("car park", "car parking"),
    "community_hospital": ("community hospital",),
    "learning_disability": ("learning disability", "learning difficulty"),
    "long_term_condition": ("long term condition", "chronic condition"),
    "end_of_life": ("end of life",),
    "palliative_care": ("palliative care",),
    "blood_test": ("blood test",),
    "test_result": ("test result",),
    "repeat_prescription": ("repeat prescription",),
    "face_to_face": ("face to face",),
    "video_consultation": ("video consultation", "video call", "video appointment"),
    "online_booking": ("online booking", "book online"),
    "care_record": ("care record", "shared care record", "medical record", "patient record"),
    "phone_line": ("phone line", "telephone line"),
    "on_hold": ("on hold",),
    "delayed_discharge": ("delayed discharge", "bed blocking"),
    "physical_activity": ("physical activity",),
    "healthy_eating": ("healthy eating", "healthy diet"),
    "weight_loss": ("weight loss", "lose weight"),
    "day_centre": ("day centre", "day center"),
    "young_people": ("young people", "young person"),
    "older_people": ("older people", "elderly people", "old people", "older person"),
    "front_line": ("front line", "frontline"),
    "same_day": ("same day",),
    "same_doctor": ("same doctor", "same gp", "same nurse", "same person"),
    "different_doctor": ("different doctor", "different gp", "different nurse", "different person"),
    "named_gp": ("named gp", "named doctor", "named nurse", "named worker"),
    "joined_up": ("joined up", "join up"),
    "work_together": ("work together", "working together", "work in partnership"),
    "talk_to_each_other": ("talk to each other", "speak to each other", "talk to one another"),
    "cut_off": ("cut off",),
    "left_behind": ("left behind",),
    "out_of_stock": ("out of stock",),
    "cost_of_living": ("cost of living",),
}

# Spelling variants normalised on the lowercased raw text before tokenising: symbols, hyphens and
# squashed forms that the tokenizer would otherwise split or misread. Each rule has cheap
# substring triggers and only runs when one is present: running every regex over every comment
# costs more than spaCy's tokenizer. Rules run in order, so specific ones precede the generic
# hyphen rule.
_DIGITS = tuple("0123456789")
_SURFACE_RULES: tuple[tuple[tuple[str, ...], re.Pattern[str], str], ...] = tuple(
    (triggers, re.compile(pattern), replacement)
    for triggers, pattern, replacement in (
        (("&", "+"), r"\ba\s*(?:&amp;|&|\+)\s*e\b", " a_and_e "),
        (("a and e",), r"\ba\s+and\s+e\b", " a_and_e "),
        (("accident",), r"\baccident\s*(?:&|\+)\s*emergency\b", " a_and_e "),
        (("x-ray",), r"\bx-rays?\b", "xray"),
        (("co-",), r"\bco-(?=[a-z])", "co"),
        (("consult",), r"\be-?consult(?:ation)?s?\b", "econsult"),
        (("being",), r"\bwell[\s-]+being\b", "wellbeing"),
        (("line",), r"\bon[\s-]?line\b", "online"),
        (("f2f",), r"\bf2f\b", "face to face"),
        (("gp",), r"\bgp'?s\b", "gp"),
        (("dr",), r"\bdr'?s\b", "doctors"),
        (("doctor'",), r"\bdoctor'?s'?(?!\w)", "doctors"),
        (_DIGITS, r"\b(\d+)(?:st|nd|rd|th)\b", r"\1"),
        (("-",), r"(?<=[a-z])-(?=[a-z])", " "),
        (("__",), r"_{2,}", " "),
    )
)
_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u02bc": "'", "`": "'"})

_PHRASE_SEPARATOR = "_"
_ATTRS = [ORTH, LEMMA]


@lru_cache(maxsize=1)
def get_nlp():
    """The shared spaCy pipeline: blank English plus the offline lookup lemmatizer.

    Built from spacy-lookups-data, which is an installed package, so nothing is downloaded.
    Cached so each process pays the set-up once.
    """
    import spacy

    nlp = spacy.blank("en")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def normalise_surface(text: str) -> str:
    """Lowercase and rewrite symbol/abbreviation spellings so the tokenizer sees one form."""
    text = text.lower().translate(_QUOTES)
    for triggers, pattern, replacement in _SURFACE_RULES:
        if any(trigger in text for trigger in triggers):
            text = pattern.sub(replacement, text)
    return text


def _lemma(text: str, lemma: str) -> str:
    return _LEMMA_OVERRIDES.get(text) or _LEMMA_OVERRIDES.get(lemma) or lemma


@lru_cache(maxsize=1)
def _phrase_index() -> dict[str, list[tuple[tuple[str, ...], str]]]:
    """First lemma -> [(lemma sequence, canonical token)], longest first.

    The variants are lemmatised by the same pipeline as the comments, so they always match the
    way the comments are lemmatised, whatever the lookup table says.
    """
    nlp = get_nlp()
    index: dict[str, list[tuple[tuple[str, ...], str]]] = {}
    for canonical, variants in DOMAIN_PHRASES.items():
        for variant in (*variants, canonical.replace(_PHRASE_SEPARATOR, " ")):
            doc = nlp(normalise_surface(variant))
            lemmas = tuple(_lemma(t.text, t.lemma_) for t in doc)
            if len(lemmas) < 2:
                # Single-token variants (e.g. "miu") are handled as lemma overrides.
                if lemmas and lemmas[0] != canonical:
                    _LEMMA_OVERRIDES.setdefault(lemmas[0], canonical)
                continue
            entries = index.setdefault(lemmas[0], [])
            if (lemmas, canonical) not in entries:
                entries.append((lemmas, canonical))
    for entries in index.values():
        entries.sort(key=lambda entry: -len(entry[0]))
    return index


class _TokenFilter:
    """Decides, once per distinct word, whether and how it is kept (memoised: vocabularies are
    small). In lookup mode the lemma depends only on the word, so the word is the cache key."""

    def __init__(self, keep_negations: bool) -> None:
        self.keep_negations = keep_negations
        self._cache: dict[str, str | None] = {}

    def __call__(self, text: str, lemma: str) -> str | None:
        try:
            return self._cache[text]
        except KeyError:
            kept = self._decide(text, lemma)
            self._cache[text] = kept
            return kept

    def _decide(self, text: str, lemma: str) -> str | None:
        if _PHRASE_SEPARATOR in lemma and lemma.strip(_PHRASE_SEPARATOR):
            return lemma.strip(_PHRASE_SEPARATOR)
        if lemma in PROTECTED_NUMBERS:
            return lemma
        if lemma in NEGATIONS or text in NEGATIONS:
            return (lemma if lemma in NEGATIONS else text) if self.keep_negations else None
        # Both forms are checked: "well" lemmatises to "good" but is a stop word as written;
        # "having" is not in the list but its lemma "have" is.
        if text in STOP_WORDS or lemma in STOP_WORDS:
            return None
        word = lemma
        if len(word) < 2 or not any(ch.isalpha() for ch in word):
            return None  # punctuation, numbers, dates, symbols
        if "@" in word or "://" in word or word.startswith("www."):
            return None
        cleaned = word.strip("'-.")
        if len(cleaned) < 2 or cleaned in STOP_WORDS:
            return None
        return cleaned


class _WordCache:
    """Per-run memo: spaCy word id -> (lemma used for phrase matching, token kept or None).

    Reading ids with ``Doc.to_array`` and resolving each distinct word once avoids creating a
    Python ``Token`` per word, which otherwise costs more than tokenising.
    """

    def __init__(self, strings, keep: _TokenFilter) -> None:
        self._strings = strings
        self._keep = keep
        self._cache: dict[int, tuple[str, str | None]] = {}

    def resolve(self, orth: int, lemma_id: int) -> tuple[str, str | None]:
        entry = self._cache.get(orth)
        if entry is None:
            text = self._strings[orth]
            lemma = _lemma(text, self._strings[lemma_id])
            entry = (lemma, self._keep(text, lemma))
            self._cache[orth] = entry
        return entry


def _doc_tokens(doc, index, words: _WordCache) -> list[str]:
    entries = [words.resolve(orth, lemma) for orth, lemma in doc.to_array(_ATTRS).tolist()]
    lemmas = [entry[0] for entry in entries]
    if index.keys().isdisjoint(lemmas):  # most comments: no phrase can start anywhere
        return [entry[1] for entry in entries if entry[1] is not None]
    out: list[str] = []
    i, n = 0, len(lemmas)
    while i < n:
        matched = False
        for sequence, canonical in index.get(lemmas[i], ()):
            end = i + len(sequence)
            if end <= n and tuple(lemmas[i:end]) == sequence:
                out.append(canonical)
                i = end
                matched = True
                break
        if not matched:
            kept = entries[i][1]
            if kept is not None:
                out.append(kept)
            i += 1
    return out


def tokenize(
    texts: Iterable[str | None],
    batch_size: int = 1000,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
    keep_negations: bool = True,
    collocations: dict[tuple[str, str], str] | None = None,
) -> list[list[str]]:
    """Lemmatised content tokens for each text, in order (an empty list for blank or missing).

    ``keep_negations`` keeps "not", "no", "never" ... (sentiment needs them; topic discovery
    drops them at vectorising time). ``collocations`` (from ``learn_collocations``) joins
    data-driven word pairs after the curated phrases.
    """
    texts = texts if isinstance(texts, Sequence) else list(texts)
    total = len(texts)
    report = Reporter(progress, cancelled)
    report(0.0, "Tokenising comments")
    nlp = get_nlp()
    index = _phrase_index()
    words = _WordCache(nlp.vocab.strings, _TokenFilter(keep_negations))
    cleaned = (normalise_surface(text) if isinstance(text, str) else "" for text in texts)
    result: list[list[str]] = []
    for doc in nlp.pipe(cleaned, batch_size=batch_size):
        result.append(_doc_tokens(doc, index, words) if len(doc) else [])
        if len(result) % batch_size == 0:
            report(len(result) / max(total, 1), f"Tokenised {len(result):,} of {total:,}")
    if collocations:
        result = apply_collocations(result, collocations)
    report(1.0, f"Tokenised {total:,} comments")
    return result


def to_token_string(tokens: Iterable[str]) -> str:
    """Space-joined tokens for storage; phrases keep their "_" so they stay one token."""
    return " ".join(tokens)


def from_token_string(token_string: str | None) -> list[str]:
    """Inverse of ``to_token_string``."""
    return token_string.split() if token_string else []


def is_phrase(token: str) -> bool:
    """True for multi-word tokens such as "mental_health"."""
    return _PHRASE_SEPARATOR in token.strip(_PHRASE_SEPARATOR)


def learn_collocations(
    token_lists: Iterable[Sequence[str]],
    min_count: int = 10,
    min_npmi: float = 0.5,
    max_phrases: int = 300,
    ignore: Iterable[str] = NEGATIONS,
) -> dict[tuple[str, str], str]:
    """Adjacent token pairs that occur together far more than chance, as {pair: "a_b"}.

    Scored by normalised pointwise mutual information (−1..1; 1 = the words only ever occur
    together), so the threshold means the same on a small and a large corpus. Pairs seen fewer
    than ``min_count`` times are ignored: on small counts PMI rewards typos.
    """
    ignored = set(ignore)
    unigrams: Counter[str] = Counter()
    bigrams: Counter[tuple[str, str]] = Counter()
    for tokens in token_lists:
        unigrams.update(tokens)
        bigrams.update(zip(tokens, tokens[1:], strict=False))
    total = sum(unigrams.values())
    if total == 0:
        return {}
    scored: list[tuple[float, int, tuple[str, str]]] = []
    for (a, b), count in bigrams.items():
        if count < min_count or a == b or a in ignored or b in ignored:
            continue
        if a in PROTECTED_NUMBERS or b in PROTECTED_NUMBERS:
            continue
        p_ab = count / total
        pmi = math.log(p_ab / ((unigrams[a] / total) * (unigrams[b] / total)))
        npmi = pmi / -math.log(p_ab)
        if npmi >= min_npmi:
            scored.append((npmi, count, (a, b)))
    scored.sort(reverse=True)
    return {pair: _PHRASE_SEPARATOR.join(pair) for _, _, pair in scored[:max_phrases]}


def apply_collocations(
    token_lists: Iterable[Sequence[str]], collocations: dict[tuple[str, str], str]
) -> list[list[str]]:
    """Join each learned pair into one token, left to right without overlaps."""
    out: list[list[str]] = []
    for tokens in token_lists:
        joined: list[str] = []
        i, n = 0, len(tokens)
        while i < n:
            if i + 1 < n and (tokens[i], tokens[i + 1]) in collocations:
                joined.append(collocations[(tokens[i], tokens[i + 1])])
                i += 2
            else:
                joined.append(tokens[i])
                i += 1
        out.append(joined)
    return out
