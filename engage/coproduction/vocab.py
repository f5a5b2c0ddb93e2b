"""The words the co-production register is kept in: types, the participation ladder, statuses.

They are fixed vocabularies rather than free text because the dashboard compares places by them
("the highest level reached"), and a register where one officer writes "co-designed" and
another "codesign" cannot be compared. Input is matched forgivingly (case, spaces, hyphens,
apostrophes, plurals) but never guessed: an unknown word is an error that names the choices.
"""

from __future__ import annotations

import re

ACTIVITY_TYPES: tuple[str, ...] = (
    "survey", "public meeting", "workshop", "focus group", "co-design group", "citizens' panel",
    "outreach", "online",
)

#: The participation ladder, lowest rung first; a level's rank is its position + 1.
LEVELS: tuple[str, ...] = ("inform", "consult", "involve", "co-design", "co-produce")

LEVEL_MEANINGS: dict[str, str] = {
    "inform": "people were told about plans or decisions",
    "consult": "people were asked for views on options already drawn up",
    "involve": "people worked with staff throughout and their views shaped the options",
    "co-design": "people designed the service or change together with staff",
    "co-produce": "people share power and responsibility for delivering it",
}

ACTION_STATUSES: tuple[str, ...] = ("planned", "in progress", "done", "not taken forward")
OPEN_STATUSES: tuple[str, ...] = ("planned", "in progress")

PARTNER_KINDS: tuple[str, ...] = ("VCSE", "Healthwatch", "council", "trust", "other")

#: Groups an activity can reach, by category. Core20PLUS5 is NHS England's approach to
#: health inequalities: the most deprived 20% nationally plus locally chosen groups.
GROUP_CATEGORIES: dict[str, tuple[str, ...]] = {
    "Core20PLUS5": (
        "most deprived 20%", "ethnic minority communities", "coastal communities",
        "rural communities", "people experiencing homelessness",
        "Gypsy, Roma and Traveller communities", "people with a learning disability",
        "autistic people", "carers", "armed forces veterans", "migrants and refugees",
        "people who use drugs or alcohol",
    ),
    "age group": (
        "children and young people", "working-age adults", "older people", "people over 80",
    ),
    "protected characteristic": (
        "age", "disability", "gender reassignment", "marriage and civil partnership",
        "pregnancy and maternity", "race", "religion or belief", "sex", "sexual orientation",
    ),
}

#: The five Dorset ICS portfolios; used when the project has no taxonomy of its own yet.
DEFAULT_PORTFOLIOS: tuple[str, ...] = (
    "Prevention at scale", "Integrated community and primary care services",
    "One acute network", "Digital", "Leading and working differently",
)

NO_PORTFOLIO = "(no portfolio)"
NO_PLACE = "(no place)"


def word_key(text: str) -> str:
    """A comparison key that ignores case, apostrophes, hyphens and spacing."""
    text = text.casefold().replace("’", "'").replace("'", "")
    text = re.sub(r"[^a-z0-9&%+]+", " ", text)
    return " ".join(text.split())


def _match(value: str, choices: tuple[str, ...]) -> str | None:
    key = word_key(value)
    if not key:
        return None
    compact = {word_key(choice).replace(" ", ""): choice for choice in choices}
    squeezed = key.replace(" ", "")
    if squeezed in compact:
        return compact[squeezed]
    if squeezed.endswith("s") and squeezed[:-1] in compact:  # "workshops", "focus groups"
        return compact[squeezed[:-1]]
    return None


def _expected(choices: tuple[str, ...]) -> str:
    return ", ".join(choices)


def normalise_type(value: str) -> str:
    found = _match(value, ACTIVITY_TYPES)
    if found is None:
        raise ValueError(f"unknown activity type {value.strip()!r} — expected one of: "
                         f"{_expected(ACTIVITY_TYPES)}")
    return found


def normalise_level(value: str) -> str:
    found = _match(value, LEVELS)
    if found is None:
        raise ValueError(f"unknown participation level {value.strip()!r} — expected one of: "
                         f"{_expected(LEVELS)}")
    return found


def normalise_status(value: str) -> str:
    found = _match(value, ACTION_STATUSES)
    if found is None:
        raise ValueError(f"unknown action status {value.strip()!r} — expected one of: "
                         f"{_expected(ACTION_STATUSES)}")
    return found


def normalise_partner_kind(value: str) -> str:
    found = _match(value, PARTNER_KINDS)
    if found is None:
        raise ValueError(f"unknown partner kind {value.strip()!r} — expected one of: "
                         f"{_expected(PARTNER_KINDS)}")
    return found


def level_rank(level: str | None) -> int:
    """1 (inform) … 5 (co-produce); 0 for none, so max() over an empty place is 0."""
    return LEVELS.index(level) + 1 if level in LEVELS else 0


def group_category(name: str) -> str:
    """The category a reached group belongs to; 'other' for groups the officer adds."""
    key = word_key(name)
    for category, names in GROUP_CATEGORIES.items():
        if any(word_key(known) == key for known in names):
            return category
    return "other"


def canonical_group(name: str) -> str:
    """The vocabulary spelling of a group if it is one, else the name as written (trimmed)."""
    key = word_key(name)
    for names in GROUP_CATEGORIES.values():
        for known in names:
            if word_key(known) == key:
                return known
    return " ".join(name.split())


def guess_partner_kind(name: str) -> str:
    """A first guess at a new partner's kind from its name; the officer can change it."""
    key = word_key(name)
    if "healthwatch" in key:
        return "Healthwatch"
    if re.search(r"\b(council|borough|parish|local authority|bcp)\b", key):
        return "council"
    if re.search(r"\b(nhs|hospitals?|healthcare|ambulance|icb|ccg|foundation trust)\b", key):
        return "trust"
    if re.search(r"\b(cvs|charity|trust|voluntary|community|age uk|mind|society|"
                 r"association|forum|group|network|club|cic|carers|centre)\b", key):
        return "VCSE"
    return "other"
