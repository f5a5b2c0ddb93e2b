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

_EMAIL_RE = re.compile(r"[\w.!#$%&*+/=?^~-]+@[\w-]+(?:\.[\w-]+)+")


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


def _find_nhs_numbers(text: str) -> list[Span]:
    candidates = (
        (m.start(), m.start() + len(m.group(1)))
        for m in _NHS_RE.finditer(text)
        if nhs_number_is_valid(m.group(1))
    )
    return _left_to_right(candidates)


# --------------------------------------------------------------------------------------------
# UK phone numbers: 01/02/03/07/08 national numbers and +44 / 0044 international forms, with
# spaces, dashes and brackets between the digits.

_PHONE_RE = re.compile(
    r"(?<![\w+])(?=("
    r"(?:(?:\+|00)44[ \t-]?(?:\(0\)[ \t-]?)?\(?|\(?0)"
    r"[0-9](?:[ \t-]?\)?[ \t-]?[0-9]){8,10}"
    r")(?![0-9]))"
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
# Names after a title: "Dr Patel", "Dr. A Smith", "Nurse Jane", "Mrs O'Brien". Only a
# capitalised word straight after a capitalised title counts, so "the nurse was kind" and a
# bare "Dr" are left alone.

_TITLES = (
    "Doctor", "Dr", "Professor", "Prof", "Mrs", "Mr", "Ms", "Miss", "Mx",
    "Nurse", "Sister", "Matron", "Midwife",
)
_LOWER = "a-zß-öø-ÿ"
_UPPER = "A-ZÀ-ÖØ-Þ"
_NAME = rf"(?:Mc|Mac|O['’]|D['’])?[{_UPPER}][{_LOWER}]+(?:[-'’][{_UPPER}][{_LOWER}]+)*"
_NAME_RE = re.compile(
    r"(?<![\w'’])(?=("
    rf"(?:{'|'.join(_TITLES)})\.?[ \t]+"
    rf"(?:[{_UPPER}]\.?[ \t]*(?=[{_UPPER}]))*"
    rf"(?P<first>{_NAME})(?!\w)(?:[ \t]+(?P<second>{_NAME})(?!\w))?"
    r"))"
)
_TITLE_HINT_RE = re.compile(rf"(?<![\w'’])(?:{'|'.join(_TITLES)})\b")
_NOT_NAMES = frozenset(
    """
    Doctor Dr Professor Prof Mrs Mr Ms Miss Mx Nurse Sister Matron Midwife
    The A An And Or But Who What When Where Which Was Is Are Were Has Had Have
    Practitioner Practitioners Specialist Specialists Associate Associates Assistant Assistants
    Led Surgery Surgeries Practice Practices Centre Center Clinic Clinics Appointment
    Appointments Ward Wards Team Teams Service Services Manager Managers Station Visit Visits
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday Today Yesterday Tomorrow
    January February March April May June July August September October November December
    """.split()
)


def _find_names(text: str) -> list[Span]:
    candidates = []
    for m in _NAME_RE.finditer(text):
        if m.group("first") in _NOT_NAMES:
            continue
        end = m.end("first")
        second = m.group("second")
        if second and second not in _NOT_NAMES:
            end = m.end("second")
        candidates.append((m.start(), end))
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


def _might_hold_personal_data(text: str) -> bool:
    """A cheap test that lets most comments (no digit, no @, no title) skip every regex."""
    return "@" in text or bool(_DIGIT_RE.search(text)) or bool(_TITLE_HINT_RE.search(text))


def mask_personal_data(text: str) -> tuple[str, list[MaskedItem]]:
    """Replace e-mail addresses, NHS numbers, phone numbers, full postcodes and titled names.

    Returns the masked text and one `MaskedItem` per replacement, positioned in the masked
    text, in text order.
    """
    if not text or not _might_hold_personal_data(text):
        return text, []
    # The text as a list of pieces: (raw text, None) still to scan, (label, kind) done.
    pieces: list[tuple[str, str | None]] = [(text, None)]
    for kind, find in _FINDERS:
        replacement = REPLACEMENTS[kind]
        scanned: list[tuple[str, str | None]] = []
        for piece, done in pieces:
            if done is not None:
                scanned.append((piece, done))
                continue
            position = 0
            for start, end in find(piece):
                if start > position:
                    scanned.append((piece[position:start], None))
                scanned.append((replacement, kind))
                position = end
            if position < len(piece):
                scanned.append((piece[position:], None))
        pieces = scanned
    out: list[str] = []
    items: list[MaskedItem] = []
    offset = 0
    for piece, done in pieces:
        if done is not None:
            items.append(MaskedItem(done, offset, offset + len(piece), piece))
        out.append(piece)
        offset += len(piece)
    return "".join(out), items


__all__ = [
    "MASK_KINDS",
    "REPLACEMENTS",
    "MaskedItem",
    "mask_personal_data",
    "nhs_number_is_valid",
    "phone_number_is_valid",
    "postcode_district",
]
