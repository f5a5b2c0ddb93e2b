"""Mask personal data in free-text comments before anyone reads or reports them.

Comments in a public engagement often name staff ("Dr Patel was wonderful"), give an NHS
number or a phone number for a call-back, or an address. Reports and exports must not carry
them, so each comment is masked on import: the personal part is replaced by a bracketed label
and the masked spans are recorded so the GUI can highlight them.

Kinds are masked one after another (e-mail, NHS number, phone, postcode, name). The order
matters: an e-mail address can contain digits that look like a phone number, and a valid NHS
number is ten digits that the phone pattern could also take. Text already masked is never
looked at again, so masking is idempotent.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

#: Display labels for each kind of masked item, in the order they are masked.
MASK_KINDS: dict[str, str] = {
    "email": "E-mail address",
    "nhs_number": "NHS number",
    "phone": "Phone number",
    "postcode": "Postcode",
    "name": "Name",
}

REPLACEMENTS: dict[str, str] = {
    "email": "[email]",
    "nhs_number": "[NHS number]",
    "phone": "[phone]",
    "postcode": "[postcode]",
    "name": "[name]",
}


@dataclass(frozen=True)
class MaskedItem:
    """One masked span: `start`/`end` index the *masked* text and cover `replacement`."""

    kind: str
    start: int
    end: int
    replacement: str


Span = tuple[int, int]

# --------------------------------------------------------------------------------------------
# E-mail: generous on purpose; masking a little too much is better than leaking an address.

_EMAIL_RE = re.compile(r"[\w.!#$%&'’*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)+")


def _find_emails(text: str) -> list[Span]:
    return [m.span() for m in _EMAIL_RE.finditer(text)]


# --------------------------------------------------------------------------------------------
# NHS numbers: ten digits, optionally 3-3-4 with spaces or dashes, with a modulus-11 check.

_NHS_RE = re.compile(r"(?<![0-9])(?=([0-9]{3}([ -]?)[0-9]{3}\2[0-9]{4})(?![0-9]))")


def nhs_number_is_valid(value: str) -> bool:
    """True when `value` (separators allowed) is ten digits with a valid modulus-11 check digit."""
    digits = re.sub(r"[ -]", "", value)
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(d) * weight for d, weight in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


# Ten digits straight after "NHS number" / "NHS no" are one, even with a mistyped check digit.
_NHS_CONTEXT_RE = re.compile(
    r"\bnhs\s*(?:no\b\.?|number|num\b|#)?\s*(?:is|:|-)?\s*"
    r"((?<![0-9])[0-9]{3}[ -]?[0-9]{3}[ -]?[0-9]{4}(?![0-9]))", re.IGNORECASE)


def _find_nhs_numbers(text: str) -> list[Span]:
    candidates = [
        (m.start(), m.start() + len(m.group(1)))
        for m in _NHS_RE.finditer(text)
        if nhs_number_is_valid(m.group(1))
    ]
    candidates += [m.span(1) for m in _NHS_CONTEXT_RE.finditer(text)]
    return _left_to_right(candidates)


# --------------------------------------------------------------------------------------------
# UK phone numbers: 01/02/03/07/08 national numbers and +44 / 0044 international forms, with
# spaces, dashes and brackets between the digits.

_PHONE_RE = re.compile(
    r"(?<![\w+])(?=("
    r"(?:(?:\+|00)44[ \t.-]?(?:\(0\)[ \t.-]?)?\(?|\(?0)"
    r"[0-9](?:[ \t.-]?\)?[ \t.-]?[0-9]){8,10}"
    r")(?![0-9]|[.-][0-9]))"
)


def phone_number_is_valid(value: str) -> bool:
    """True for a plausible UK number: right prefix and length once +44 is turned into 0."""
    digits = re.sub(r"[^0-9]", "", value)
    compact = re.sub(r"[ \t()-]", "", value)
    if compact.startswith("+44"):
        digits = digits[2:]
    elif compact.startswith("0044"):
        digits = digits[4:]
    else:
        return _national_is_valid(digits)
    return _national_is_valid("0" + digits.removeprefix("0"))


def _national_is_valid(digits: str) -> bool:
    if len(digits) < 10 or digits[0] != "0":
        return False
    if digits[1] in "18":
        return len(digits) in (10, 11)
    return digits[1] in "237" and len(digits) == 11


def _find_phones(text: str) -> list[Span]:
    candidates = (
        (m.start(), m.start() + len(m.group(1)))
        for m in _PHONE_RE.finditer(text)
        if phone_number_is_valid(m.group(1))
    )
    return _left_to_right(candidates)


# --------------------------------------------------------------------------------------------
# Postcodes: full UK postcodes only (outward + inward code). A district alone ("DT1") says
# where someone lives only roughly and is what place analysis needs, so it stays.

_INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # C, I, K, M, O and V are never used in the inward code
_POSTCODE_RE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?:[A-Za-z]{1,2}[0-9][A-Za-z0-9]?[ \t\u00a0]{0,2}[0-9]"
    rf"[{_INWARD_LETTERS}{_INWARD_LETTERS.lower()}]{{2}}"
    r"|[Gg][Ii][Rr] ?0[Aa][Aa])"
    r"(?![A-Za-z0-9])"
)
_ORDINAL_RE = re.compile(r"[0-9](?:st|nd|rd|th)")


def _find_postcodes(text: str) -> list[Span]:
    spans = []
    for m in _POSTCODE_RE.finditer(text):
        if _ORDINAL_RE.fullmatch(m.group()[-3:]):
            continue  # "the A1 5th time": a lowercase ordinal, not an inward code
        spans.append(m.span())
    return spans


_DISTRICT = r"[A-Z]{1,2}[0-9][A-Z0-9]?"
_FULL_POSTCODE_RE = re.compile(rf"({_DISTRICT}) ?[0-9][A-Z]{{2}}")
_SECTOR_RE = re.compile(rf"({_DISTRICT}) [0-9]")
_DISTRICT_RE = re.compile(_DISTRICT)


def postcode_district(value: object) -> str | None:
    """The postcode district (outward code) of a full postcode, sector or district, else None.

    "DT1 2JY" -> "DT1", "dt12jy" -> "DT1", "BH23" -> "BH23", "DT1 2" -> "DT1", "n/a" -> None.
    """
    if not isinstance(value, str):
        return None
    text = " ".join(value.split()).upper()
    if text in ("GIR 0AA", "GIR0AA"):
        return "GIR"
    for pattern in (_FULL_POSTCODE_RE, _SECTOR_RE):
        match = pattern.fullmatch(text)
        if match:
            return match.group(1)
    if _DISTRICT_RE.fullmatch(text):
        return text
    return None


# --------------------------------------------------------------------------------------------
# Names after a title: "Dr Patel", "Dr. A Smith", "Nurse Jane", "Mrs O'Brien", "dr smith",
# "DR JONES", "Rev. Jones", "Dr van der Berg". A title masks the word after it only when that
# word could be a name: praise such as "fantastic Doctor Would never", "the Doctor Was lovely"
# or "Nurse Very kind" puts an ordinary English word there, and those stay.

_TITLES = (
    "Doctor", "Dr", "Professor", "Prof", "Mrs", "Mr", "Ms", "Miss", "Mx", "Nurse", "Sister",
    "Matron", "Midwife", "Rev", "Revd", "Reverend", "Father", "Pastor", "Rabbi", "Imam",
    "Cllr", "Councillor", "Sir", "Dame", "Lady", "Lord", "Dr.", "Mr.", "Mrs.", "Ms.",
)
#: Titles that mark a name even in lower case ("dr smith"); whole words such as "nurse" or
#: "doctor" in lower case are far more often the job ("the nurse helped me").
_SHORT_TITLES = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof", "rev", "revd", "cllr"})
_PARTICLES = frozenset({"van", "von", "der", "den", "de", "du", "da", "di", "del", "della",
                        "le", "la", "ter", "ten", "bin", "al", "el", "st"})

#: Ordinary words that follow a title in comments and are not names. Written for this
#: purpose: function words, common verbs, adverbs and adjectives of praise and complaint, and
#: the nouns of health services. Surnames that are also words (Smith, Young, Brown, Green,
#: White, Wood, Hill) are deliberately absent.
COMMON_WORDS = frozenset("""
a about above after again against all almost along already also although always am among an
and another any anybody anyone anything anyway anywhere are around as at away be because been
before being below beside besides between beyond both but by can cannot could did do does doing
done down during each either else enough even ever every everyone everything except few for
from further had has have having he her here hers herself him himself his how however i if in
indeed instead into is it its itself just least less let like many me might mine more most much
must my myself neither never next no nobody none nor not nothing now of off often on once one
only onto or other others otherwise our ours ourselves out over own perhaps please quite rather
really same several shall she should since so some somebody someone something sometimes soon
still such than that the their theirs them themselves then there therefore these they this
those though through throughout thus till to together too toward towards under until up upon
us very via was we were what whatever when whenever where whether which while who whoever whole
whom whose why with within without would yet you your yours yourself yourselves ok okay yes
thank thanks thankyou cheers sorry hello hi dear
accept advised agreed answered arranged arrived asked assessed booked called came cared changed
checked come comes could decided diagnosed did discharged examined explained felt find found gave
get gets give given gives go goes going gone got great had has helped helps informed kept knew
know knows left listened listens look looked looks made make makes managed met missed moved
needed never noticed offered ordered phoned prescribed put ran rang reassured referred refused
replied rushed said saw says see seems seen sees sent showed shows spoke spent started stayed
suggested take takes talked told took treated tried understood visited waited walked wanted was
went were will would wrote
amazing attentive awesome awful bad best better brilliant busy calm careful caring clear
competent considerate courteous dismissive efficient empathetic excellent exceptional
extremely fab fabulous fantastic fine friendly gentle genuinely good great happy helpful honest
horrible kind kindly knowledgeable late lovely nice outstanding patient pleasant polite poor
positive professional prompt quick quickly reassuring respectful rude sensitive so special
splendid sterling super superb supportive sympathetic terrible thorough understanding unhelpful
upset warm wonderful
absolutely actually again also definitely especially finally fully honestly immediately later
luckily maybe obviously personally properly quickly really recently seriously simply soon
straight thankfully truly unfortunately usually well
appointment appointments assistant assistants associate associates care centre center clinic
clinics consultant consultants department doctor doctors gp gps hospital led manager managers
nurse nurses office practice practices practitioner practitioners reception receptionist
receptionists service services specialist specialists staff station surgery surgeries team
teams today tomorrow tonight visit visits ward wards yesterday who
monday tuesday wednesday thursday friday saturday sunday january february march april june
july august september october november december
doctor dr professor prof mrs mr ms miss mx nurse sister matron midwife rev revd reverend
nhs gp ae ent mri icu opd
""".split())

_LOWER = "a-zß-öø-ÿ"
_UPPER = "A-ZÀ-ÖØ-Þ"
_WORD = rf"[{_UPPER}{_LOWER}]+(?:['’][{_UPPER}{_LOWER}]+)?(?:-[{_UPPER}{_LOWER}]+)*"
_TITLE_RE = re.compile(  # not straight after a mask's "]", so masking twice changes nothing
    rf"(?<![\w'’\]])(?P<title>{'|'.join(sorted({t.rstrip('.') for t in _TITLES}, key=len, reverse=True))})"
    r"(?P<dot>\.)?(?=[ \t])", re.IGNORECASE)
_TOKEN_RE = re.compile(rf"[ \t]+(?P<token>(?:[{_UPPER}{_LOWER}]\.)+(?=[ \t]*[{_UPPER}])|{_WORD})")
_TITLE_WORDS = sorted({t.rstrip(".") for t in _TITLES}, key=len, reverse=True)


def _trie_pattern(words: list[str]) -> str:
    """One regex alternation as a prefix tree ("D(?:r|octor)"): Python's engine tries the
    branches of a flat alternation one by one at every position, which is slow on long text."""
    tree: dict = {}
    for word in words:
        node = tree
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        optional = "" in node
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 and not optional else f"(?:{'|'.join(branches)})"
        return f"{body}?" if optional and len(branches) == 1 else (
            f"(?:{'|'.join(branches)})?" if optional else body)

    return build(tree)


# Titles as a name would follow them: "Dr", "DR" or (short ones) "dr"; case-sensitive so that
# the cheap first test does not send every comment mentioning a father or a sister through.
_TITLE_HINT_RE = re.compile(
    r"(?<![\w'’])" + _trie_pattern(_TITLE_WORDS + [t.upper() for t in _TITLE_WORDS]
                                  + sorted(_SHORT_TITLES)) + r"\.?[ \t]"
    r"|[Mm]y name|[Ss]igned|[Rr]egards|MY NAME|SIGNED|REGARDS")
_INTRODUCED_RE = re.compile(
    r"(?<![\w'’])(?:my name is|my name's|i am called|i'm called|signed|kind regards|regards)"
    r",?(?=[ \t])", re.IGNORECASE)


def _title_style(title: str) -> str | None:
    """"cap" (Dr), "upper" (DR) or "lower" (dr) -- or None for a title not written as one."""
    if title.isupper() and len(title) > 1:
        return "upper"
    if title[0].isupper() and title[1:].islower() or len(title) == 1:
        return "cap"
    if title.islower() and title in _SHORT_TITLES:
        return "lower"
    return None


def _could_be_name(token: str, style: str) -> bool:
    bare = token.replace("’", "'")
    key = bare.casefold()
    if key in COMMON_WORDS or len(key) < 2 or not any(c.isalpha() for c in key):
        return False
    if style != "lower" and bare.isupper() and len(bare) <= 3:
        return False  # an abbreviation: "Mr NHS", "Dr GP", "DR ENT"
    if style == "upper":
        return bare.isupper() or bare[0].isupper()
    if style == "cap":
        return bare[0].isupper() and not (bare.isupper() and len(bare) > 3 and key in COMMON_WORDS)
    return True  # "dr smith": the title already says a name follows


def _name_after(text: str, position: int, style: str) -> int | None:
    """End of the name that starts after `position` (initials, particles, one or two names)."""
    end, names = position, 0
    while names < 2:
        m = _TOKEN_RE.match(text, end)
        if not m:
            break
        token = m.group("token")
        if "." in token and token.replace(".", "").isalpha() and len(token.replace(".", "")) <= 3:
            end = m.end()  # initials "A." or "A.J." before the surname
            continue
        if token.casefold() in _PARTICLES and names == 0 and style != "lower":
            follow = _TOKEN_RE.match(text, m.end())
            rest = m.end()
            while follow and follow.group("token").casefold() in _PARTICLES:
                rest = follow.end()
                follow = _TOKEN_RE.match(text, rest)
            if follow and follow.group("token")[0].isupper() and _could_be_name(
                    follow.group("token"), "cap"):
                end, names = follow.end(), names + 1
                continue
            break
        if len(token) == 1 and token.isupper() and names == 0:
            follow = _TOKEN_RE.match(text, m.end())
            if follow and _could_be_name(follow.group("token"), style):
                end = m.end()  # a bare initial "Dr A Smith"
                continue
            break
        if not _could_be_name(token, style if names == 0 else _second_style(style)):
            break
        if names and style == "upper" and token.upper().endswith(("ED", "ING", "LY")):
            break  # "DR PATEL SHOUTED": in capitals the sentence goes on
        end, names = m.end(), names + 1
    return end if names else None


def _second_style(style: str) -> str:
    # After "dr smith", a second lower-case word is more often the sentence going on.
    return "cap" if style == "lower" else style


def _find_names(text: str) -> list[Span]:
    candidates = []
    for m in _TITLE_RE.finditer(text):
        style = _title_style(m.group("title"))
        if style is None:
            continue
        end = _name_after(text, m.end(), style)
        if end is not None:
            candidates.append((m.start(), end))
    for m in _INTRODUCED_RE.finditer(text):
        end = _name_after(text, m.end(), "cap")
        if end is not None:
            first = _TOKEN_RE.match(text, m.end())
            candidates.append((first.start("token"), end))
    return _left_to_right(candidates)


# --------------------------------------------------------------------------------------------


def _left_to_right(candidates: Iterable[Span]) -> list[Span]:
    """Keep candidate spans that do not overlap one already kept, scanning left to right."""
    kept: list[Span] = []
    for start, end in sorted(candidates, key=lambda s: (s[0], -s[1])):
        if not kept or start >= kept[-1][1]:
            kept.append((start, end))
    return kept


_FINDERS: tuple[tuple[str, Callable[[str], list[Span]]], ...] = (
    ("email", _find_emails),
    ("nhs_number", _find_nhs_numbers),
    ("phone", _find_phones),
    ("postcode", _find_postcodes),
    ("name", _find_names),
)


_DIGIT_RE = re.compile(r"[0-9]")
_TEN_DIGITS_RE = re.compile(r"(?:[0-9][^0-9]{0,4}){9}[0-9]")


#: Every title and cue contains one of these (lower case); plain substring tests are far
#: cheaper than the title regex, which then runs only on the few comments that pass.
_TITLE_CUES = ("dr", "doctor", "mr", "ms", "mx", "miss", "prof", "rev", "nurse", "sister",
               "matron", "midwife", "father", "pastor", "rabbi", "imam", "cllr", "councillor",
               "sir", "dame", "lady", "lord", "my name", "signed", "regards")


_TITLE_CUE_RE = re.compile("|".join(map(re.escape, _TITLE_CUES)))


def _has_title_cue(text: str) -> bool:
    # One alternation over the lower-cased text: the same test as a substring check per cue,
    # at a third of the cost on a 29,000-comment import.
    return bool(_TITLE_CUE_RE.search(text.lower())) and bool(_TITLE_HINT_RE.search(text))


def might_hold_personal_data(text: str) -> bool:
    """A cheap test that lets most comments (no digit, no @, no title) skip every regex."""
    return "@" in text or bool(_DIGIT_RE.search(text)) or _has_title_cue(text)


def personal_data_spans(text: str) -> list[tuple[str, int, int]]:
    """(kind, start, end) of each piece of personal data in `text`, in text order.

    Kinds are looked for one after another (e-mail, NHS number, phone, postcode, name); a
    span found by one kind is not looked at again by the next.
    """
    if not text:
        return []
    digits = bool(_DIGIT_RE.search(text))
    at = "@" in text
    titled = _has_title_cue(text)
    if not (digits or at or titled):  # most comments: no regex below runs
        return []
    pieces: list[tuple[int, int, str | None]] = [(0, len(text), None)]
    ten = digits and bool(_TEN_DIGITS_RE.search(text))  # NHS and phone numbers need ten
    wanted = {"email": at, "nhs_number": ten, "phone": ten, "postcode": digits, "name": titled}
    for kind, find in _FINDERS:
        if not wanted[kind]:
            continue
        scanned: list[tuple[int, int, str | None]] = []
        for start, end, done in pieces:
            if done is not None:
                scanned.append((start, end, done))
                continue
            position = 0
            for s, e in find(text[start:end]):
                if s > position:
                    scanned.append((start + position, start + s, None))
                scanned.append((start + s, start + e, kind))
                position = e
            if start + position < end:
                scanned.append((start + position, end, None))
        pieces = scanned
    return [(kind, start, end) for start, end, kind in pieces if kind is not None]


def mask_personal_data(text: str) -> tuple[str, list[MaskedItem]]:
    """Replace e-mail addresses, NHS numbers, phone numbers, full postcodes and titled names.

    Returns the masked text and one `MaskedItem` per replacement, positioned in the masked
    text, in text order.
    """
    spans = personal_data_spans(text)
    if not spans:
        return text, []
    out: list[str] = []
    items: list[MaskedItem] = []
    offset = position = 0
    for kind, start, end in spans:
        plain = text[position:start]
        out.append(plain)
        offset += len(plain)
        replacement = REPLACEMENTS[kind]
        items.append(MaskedItem(kind, offset, offset + len(replacement), replacement))
        out.append(replacement)
        offset += len(replacement)
        position = end
    out.append(text[position:])
    return "".join(out), items


__all__ = [
    "MASK_KINDS",
    "REPLACEMENTS",
    "MaskedItem",
    "mask_personal_data",
    "might_hold_personal_data",
    "personal_data_spans",
    "nhs_number_is_valid",
    "phone_number_is_valid",
    "postcode_district",
]
