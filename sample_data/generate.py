"""A made-up but believable export of a Dorset "Big Ask"-style consultation (early 2013).

Why generate rather than ship real data: Engage needs a sample that anyone may open, that
exercises every awkward thing a real export does (blank and placeholder answers, personal data
to mask, an organised campaign, misspelt place names, curly quotes), and that is big enough to
show themes by place. The text is composed from sentences in `sample_data.fragments`; the same
seed always gives byte-identical CSV, so the committed files can be checked against the code.

    python -m sample_data.generate [--respondents N] [--seed S] [--out-dir DIR]
                                   [--formats csv,xlsx,wave2]

Respondent ids follow submission order. `iter_rows` streams, so a million-comment file can be
written without holding it in memory.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import random
import re
import time
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import accumulate, islice
from pathlib import Path

from sample_data import fragments as text

DEFAULT_RESPONDENTS = 3300
DEFAULT_SEED = 2013
WAVE2_OVERLAP = 150
WAVE2_NEW = 250
HERE = Path(__file__).resolve().parent
MAIN_CSV = "big_ask_2013.csv"
MAIN_XLSX = "big_ask_2013.xlsx"
WAVE2_CSV = "big_ask_2013_wave2.csv"

QUESTIONS = (
    "Q1 What matters most to you about health and care in Dorset?",
    "Q2 What would make the biggest difference to you and your family?",
    "Q3 Is there anything else you would like to tell us?",
)
HEADER = ("Respondent ID", "Date submitted", "Postcode", "Locality", "Age band", "Sex",
          "Ethnicity", "Disability", "Carer") + QUESTIONS
QUESTION_KEYS = ("Q1", "Q2", "Q3")
ANSWER_RATE = {"Q1": 0.83, "Q2": 0.75, "Q3": 0.37}
CAMPAIGN_ANSWER_RATE = {"Q1": 0.55, "Q3": 0.15}
PLACEHOLDER_RATE = 0.02
PII_RATE = 0.01

FIRST_DAY = dt.date(2013, 1, 1)
WAVE1_LAST_DAY = dt.date(2013, 3, 24)   # the first export was taken on 25 March
LAST_DAY = dt.date(2013, 3, 31)         # the survey closed at the end of March
CAMPAIGN_DAYS = (dt.date(2013, 2, 11), dt.date(2013, 2, 15))


@dataclass(frozen=True)
class Locality:
    name: str
    weight: float                    # roughly its population, in thousands
    districts: tuple[tuple[str, str], ...]   # (postcode district, sector digits)
    towns: tuple[str, ...]
    hospitals: tuple[str, ...]       # acute hospitals people from here use
    community_hospitals: tuple[str, ...]
    miles: tuple[int, int]           # typical distance to the acute hospital
    rural: bool
    east: bool                       # served by Poole or Royal Bournemouth


DCH, POOLE, RBH = "Dorset County Hospital", "Poole Hospital", "the Royal Bournemouth Hospital"
LOCALITIES = (
    Locality("Weymouth & Portland", 65, (("DT3", "456"), ("DT4", "0789"), ("DT5", "12")),
             ("Weymouth", "Portland", "Chickerell", "Preston", "Littlemoor"), (DCH,),
             ("Weymouth Community Hospital", "Portland Community Hospital"), (8, 12), False, False),
    Locality("Dorset West", 52, (("DT6", "3456"), ("DT7", "3"), ("DT8", "3")),
             ("Bridport", "Lyme Regis", "Beaminster", "Charmouth", "Burton Bradstock"), (DCH,),
             ("Bridport Community Hospital",), (15, 28), True, False),
    Locality("Mid Dorset", 48, (("DT1", "123"), ("DT2", "06789")),
             ("Dorchester", "Puddletown", "Crossways", "Maiden Newton", "Cerne Abbas"), (DCH,),
             ("Weymouth Community Hospital",), (3, 14), True, False),
    Locality("North Dorset", 66, (("SP7", "089"), ("SP8", "45"), ("DT10", "12"), ("DT11", "0789")),
             ("Shaftesbury", "Gillingham", "Blandford", "Sturminster Newton", "Stalbridge"),
             (DCH, "Salisbury District Hospital", "Yeovil District Hospital"),
             ("Westminster Memorial Hospital", "Blandford Community Hospital"), (18, 32), True, False),
    Locality("Purbeck", 45, (("BH19", "123"), ("BH20", "4567")),
             ("Wareham", "Swanage", "Corfe Castle", "Wool", "Bere Regis"), (POOLE, DCH),
             ("Swanage Community Hospital", "Wareham Community Hospital"), (12, 22), True, True),
    Locality("East Dorset", 88, (("BH21", "1234567"), ("BH22", "089"), ("BH31", "67")),
             ("Wimborne", "Ferndown", "Verwood", "West Moors", "Corfe Mullen"), (POOLE, RBH),
             ("Victoria Hospital in Wimborne", "St Leonards Community Hospital"), (6, 14), False, True),
    Locality("Christchurch", 48, (("BH23", "1234578"),),
             ("Christchurch", "Highcliffe", "Mudeford", "Burton"), (RBH,),
             ("Christchurch Hospital",), (3, 8), False, True),
    Locality("Bournemouth North", 58, (("BH9", "123"), ("BH10", "4567"), ("BH11", "89")),
             ("Kinson", "Northbourne", "Moordown", "Ensbury Park", "Redhill"), (RBH, POOLE),
             ("Christchurch Hospital",), (3, 6), False, True),
    Locality("Bournemouth East", 56, (("BH5", "12"), ("BH6", "345"), ("BH7", "67")),
             ("Boscombe", "Southbourne", "Pokesdown", "Littledown", "Tuckton"), (RBH,),
             ("Christchurch Hospital",), (2, 5), False, True),
    Locality("Central Bournemouth", 74, (("BH1", "1234"), ("BH2", "56"), ("BH3", "7"), ("BH4", "89"),
                                         ("BH8", "089")),
             ("Bournemouth", "Westbourne", "Winton", "Springbourne", "Charminster"), (RBH, POOLE),
             ("Christchurch Hospital",), (2, 5), False, True),
    Locality("Poole North", 54, (("BH17", "0789"), ("BH18", "89"), ("BH12", "45")),
             ("Broadstone", "Canford Heath", "Creekmoor", "Oakdale", "Merley"), (POOLE,),
             ("Victoria Hospital in Wimborne",), (2, 5), False, True),
    Locality("Poole Central", 50, (("BH15", "1234"), ("BH12", "123"), ("BH14", "0")),
             ("Poole", "Parkstone", "Hamworthy", "Upper Parkstone"), (POOLE,),
             ("the community hospital in Wimborne",), (1, 3), False, True),
    Locality("Poole Bay", 44, (("BH13", "67"), ("BH14", "89")),
             ("Canford Cliffs", "Sandbanks", "Lilliput", "Branksome", "Penn Hill"), (POOLE, RBH),
             ("the community hospital in Wimborne",), (2, 4), False, True),
)
LOCALITY_NAMES = tuple(loc.name for loc in LOCALITIES)
# How people actually type their locality when it is a free-text box.
LOCALITY_VARIANTS = {
    "Weymouth & Portland": ("Weymouth and Portland", "weymouth & portland", "Weymouth & Portland "),
    "Dorset West": ("West Dorset", "dorset west"),
    "Mid Dorset": ("Mid-Dorset", "mid dorset"),
    "North Dorset": ("N Dorset", "north dorset", "North Dorset "),
    "Purbeck": ("purbeck", "PURBECK"),
    "East Dorset": ("east dorset", "East Dorset "),
    "Christchurch": ("christchurch", "Christchurch "),
    "Bournemouth North": ("bournemouth north", "Bournemouth north"),
    "Bournemouth East": ("Bournemouth east", "bournemouth east"),
    "Central Bournemouth": ("Bournemouth Central", "central bournemouth"),
    "Poole North": ("Poole north", "poole north"),
    "Poole Central": ("Poole central", "Poole Centre"),
    "Poole Bay": ("poole bay", "Poole bay"),
}
CAMPAIGN_LOCALITIES = ("Mid Dorset", "Weymouth & Portland", "Dorset West", "North Dorset")

# Consultations hear most from older people and from women; Dorset is mostly White British.
AGE_BANDS = (("Under 18", 1.5), ("18-24", 3), ("25-34", 8), ("35-44", 12), ("45-54", 16),
             ("55-64", 20), ("65-74", 21), ("75+", 13), ("Prefer not to say", 3.5), ("", 2))
SEXES = (("Female", 57), ("Male", 38.5), ("Prefer not to say", 2.5), ("", 2))
ETHNICITIES = (("White British", 89.5), ("White Irish", 0.7), ("White Other", 3.2),
               ("Mixed / multiple ethnic groups", 0.9), ("Asian / Asian British", 1.3),
               ("Black / Black British", 0.4), ("Other ethnic group", 0.4),
               ("Prefer not to say", 2.3), ("", 1.3))
DISABILITY = {False: (("Yes", 16), ("No", 75), ("Prefer not to say", 5), ("", 4)),
              True: (("Yes", 33), ("No", 58), ("Prefer not to say", 5), ("", 4))}
CARERS = (("Yes", 17), ("No", 79), ("", 4))
OLDER_BANDS = frozenset({"65-74", "75+"})
YOUNG_BANDS = frozenset({"Under 18", "18-24", "25-34"})

SENTIMENTS = ("neg", "mixed", "sug", "pos")
SENTIMENT_WEIGHTS = {"Q1": (35, 21, 29, 15), "Q2": (26, 15, 49, 10), "Q3": (40, 25, 14, 21)}
PORTFOLIO_EMPHASIS = {
    "Q1": {"prevention": 0.8, "community": 1.3, "acute": 1.2, "digital": 0.6, "workforce": 0.8},
    "Q2": {"prevention": 1.2, "community": 1.1, "acute": 0.9, "digital": 1.2, "workforce": 0.8},
    "Q3": {"prevention": 0.7, "community": 0.8, "acute": 1.0, "digital": 0.8, "workforce": 1.6},
}
THEMES_PER_COMMENT = ((1, 2, 3), (52, 35, 13))
MAX_WORDS = 80
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # letters allowed in a postcode's last two places
PROPER_STARTS = frozenset(
    {"I", "Dorset", "Poole", "Bournemouth", "Southampton", "Macmillan", "Skype"}
    | {word for loc in LOCALITIES for name in loc.towns + loc.hospitals + loc.community_hospitals
       for word in name.split()[:1] if word != "the"})


def _cumulative(pairs) -> tuple[tuple, list[float]]:
    values, weights = zip(*pairs, strict=True)
    return values, list(accumulate(weights))


_AGE = _cumulative(AGE_BANDS)
_SEX = _cumulative(SEXES)
_ETHNICITY = _cumulative(ETHNICITIES)
_DISABILITY = {older: _cumulative(pairs) for older, pairs in DISABILITY.items()}
_CARER = _cumulative(CARERS)
# How readily each locality answers, relative to its population. Real consultations hear
# less from some places (here Boscombe's Bournemouth East and Weymouth & Portland) and more
# from older, settled ones, which is what the dashboard's "under-heard" flag is for.
RESPONSE_PROPENSITY = {"Bournemouth East": 0.5, "Weymouth & Portland": 0.5, "Poole North": 0.8,
                       "Purbeck": 1.2, "Christchurch": 1.2, "Dorset West": 1.15,
                       "Poole Bay": 1.1}
_LOCALITY = _cumulative((loc, loc.weight * RESPONSE_PROPENSITY.get(loc.name, 1.0))
                        for loc in LOCALITIES)
_CAMPAIGN_LOCALITY = _cumulative(
    (loc, loc.weight) for loc in LOCALITIES if loc.name in CAMPAIGN_LOCALITIES)


def _pick(rng: random.Random, table) -> object:
    values, cum = table
    return values[bisect_right(cum, rng.random() * cum[-1])]


# ---- Dates: ids follow submission order, so the date is a function of the position -------

def _day_weight(day: dt.date) -> float:
    """More responses after the launch, at the mid-February roadshows and near the deadline."""
    n = (day - FIRST_DAY).days
    weight = 1.0 + max(0.0, 1.2 - abs(n - 10) * 0.12) + max(0.0, 0.7 - abs(n - 43) * 0.12)
    weight += max(0.0, (n - 70) * 0.12)
    if day.weekday() >= 5:
        weight *= 0.6
    return 0.3 if n == 0 else weight


class _Schedule:
    """Spreads `count` respondents over a run of days in proportion to the day weights."""

    def __init__(self, first: dt.date, last: dt.date, count: int):
        self.days = [first + dt.timedelta(days=k) for k in range((last - first).days + 1)]
        cum = list(accumulate(_day_weight(day) for day in self.days))
        self.cum = [c / cum[-1] for c in cum]
        self.count = max(count, 1)

    def day(self, position: int) -> dt.date:
        fraction = (position + 0.5) / self.count
        return self.days[min(bisect_right(self.cum, fraction), len(self.days) - 1)]

    def positions_between(self, first: dt.date, last: dt.date) -> range:
        lo = self.days.index(first)
        hi = self.days.index(last)
        start = self.cum[lo - 1] if lo else 0.0
        return range(int(start * self.count), int(self.cum[hi] * self.count))


def _campaign_plan(n: int, seed: int, schedule: _Schedule) -> dict[int, str]:
    """Who sends the campaign text: ~40 word for word and ~30 a variant, per 3,300 replies."""
    identical = round(40 * n / DEFAULT_RESPONDENTS)
    variant = round(30 * n / DEFAULT_RESPONDENTS)
    window = schedule.positions_between(*CAMPAIGN_DAYS)
    if len(window) < identical + variant:
        window = range(n)
    chosen = random.Random(f"{seed}/campaign").sample(window, min(identical + variant, len(window)))
    return {position: (text.CAMPAIGN_TEXT if k < identical else text.CAMPAIGN_VARIANT)
            for k, position in enumerate(chosen)}


# ---- Respondent context and slot filling --------------------------------------------------

class _Slots(dict):
    """Values for the {slots} in fragments, drawn lazily and kept for the whole respondent."""

    def __init__(self, rng: random.Random, locality: Locality):
        super().__init__()
        self.rng = rng
        self.locality = locality

    def __missing__(self, key: str) -> str:
        rng, loc = self.rng, self.locality
        if key in ("rel", "Rel", "rel_subj", "rel_poss"):
            rel, subj, poss = rng.choice(text.RELATIVES)
            self.update(rel=rel, Rel=rel[0].upper() + rel[1:], rel_subj=subj, rel_poss=poss)
            return self[key]
        makers = {
            "town": lambda: rng.choice(loc.towns),
            "hospital": lambda: rng.choice(loc.hospitals),
            "community_hospital": lambda: rng.choice(loc.community_hospitals),
            "miles": lambda: str(rng.randint(*loc.miles)),
            "minutes": lambda: str(rng.choice((20, 25, 30, 40, 45, 50))),
            "hours": lambda: rng.choice(("three", "four", "five", "six", "seven", "eight")),
            "weeks": lambda: str(rng.choice((2, 3, 4, 5, 6, 8, 10))),
            "months": lambda: str(rng.choice((3, 4, 6, 8, 9, 12, 14, 18))),
            "fee": lambda: rng.choice(("£2.50", "£3", "£3.60", "£4", "£5.20", "£8 a day")),
        }
        value = makers[key]()
        self[key] = value
        return value


@dataclass(frozen=True)
class _Profile:
    older: bool
    young: bool
    carer: bool
    disabled: bool
    rural: bool
    east: bool


_THEME_TABLES: dict[tuple, tuple] = {}


def _theme_table(question: str, profile: _Profile) -> tuple:
    """Cumulative theme weights for this question and kind of respondent (cached)."""
    key = (question, profile)
    if key not in _THEME_TABLES:
        traits = {name for name, on in vars(profile).items() if on}
        pairs = []
        for theme in text.THEMES:
            weight = theme.weight * PORTFOLIO_EMPHASIS[question][theme.portfolio]
            for trait, factor in theme.boost.items():
                if trait in traits:
                    weight *= factor
            pairs.append((theme, weight))
        _THEME_TABLES[key] = _cumulative(pairs)
    return _THEME_TABLES[key]


def _capital(s: str) -> str:
    if s.startswith("“"):
        return "“" + _capital(s[1:])
    return s[:1].upper() + s[1:]


def _decap(s: str) -> str:
    """Lower-case a sentence's first letter when it is joined on, unless it starts a name."""
    first = s.split(" ", 1)[0]
    plain = first.replace("-", "").replace("'", "")
    if first in PROPER_STARTS or first.startswith("I'") or not plain.isalpha() or not plain[1:].islower():
        return s
    return s[:1].lower() + s[1:]


_SYNONYM_PATTERN = re.compile(
    r"\b(?:" + "|".join(re.escape(k) for k in sorted(text.SYNONYMS, key=len, reverse=True)) + r")\b")


def _paraphrase(rng: random.Random, sentence: str) -> str:
    """Swap some words for everyday alternatives (contractions, synonyms, 'casualty')."""
    def swap(match: re.Match) -> str:
        word = match.group(0)
        return rng.choice(text.SYNONYMS[word]) if rng.random() < 0.5 else word

    return _SYNONYM_PATTERN.sub(swap, sentence)


def _fill(template: str, slots: _Slots) -> str:
    return template.format_map(slots) if "{" in template else template


def _sentence(rng: random.Random, theme: text.Theme, kind: str, slots: _Slots,
              used: set[str], framed: bool = True) -> str:
    """One sentence of the given kind not yet used in this comment, sometimes reworded and
    framed so that few comments come out identical."""
    options = getattr(theme, kind)
    if not options:
        kind, options = "sug", theme.sug
    fresh = [o for o in options if o not in used] or options
    template = rng.choice(fresh)
    used.add(template)
    sentence = _fill(template, slots)
    if rng.random() < 0.75:
        sentence = _paraphrase(rng, sentence)
    if framed and rng.random() < 0.28:
        sentence = rng.choice(text.HEDGES[kind]) + _decap(sentence)
    if kind in text.TAILS and sentence.endswith(".") and rng.random() < 0.12:
        sentence = sentence[:-1] + rng.choice(text.TAILS[kind]) + "."
    return sentence


def _themes(rng: random.Random, question: str, profile: _Profile, count: int) -> list:
    table = _theme_table(question, profile)
    chosen: list = []
    for _ in range(count * 4):
        theme = _pick(rng, table)
        if theme not in chosen:
            chosen.append(theme)
            if len(chosen) == count:
                break
    return chosen


def _body(rng: random.Random, themes: list, sentiment: str, slots: _Slots) -> list[str]:
    """The sentences that carry the comment's themes and feeling."""
    used: set[str] = set()
    if sentiment == "mixed":
        good = _sentence(rng, themes[0], "pos", slots, used)
        bad = [_sentence(rng, t, "neg", slots, used, framed=k > 0)
               for k, t in enumerate(themes[1:] or themes)]
        return [good + rng.choice(text.MIXED_JOINS).rstrip(" ") + " " + _decap(bad[0]), *bad[1:]]
    parts = [_sentence(rng, t, sentiment, slots, used) for t in themes]
    if len(themes) == 1 and rng.random() < 0.3:
        parts.append(_sentence(rng, themes[0], sentiment, slots, used))
    if sentiment == "neg" and rng.random() < 0.3:
        lead = rng.choice(text.NEG_THEN_SUGGEST).strip()
        suggestion = _sentence(rng, themes[-1], "sug", slots, used, framed=not lead)
        parts.append(f"{lead} {_decap(suggestion)}" if lead else suggestion)
    return parts


def _short_answer(rng: random.Random, question: str, profile: _Profile, slots: _Slots) -> str:
    """Terse answers: a noun phrase, or a list of two or three."""
    themes = _themes(rng, question, profile, rng.choice((1, 1, 1, 2, 3)))
    nouns = [_fill(rng.choice(t.nouns), slots) for t in themes]
    listed = nouns[0] if len(nouns) == 1 else ", ".join(nouns[:-1]) + " and " + nouns[-1]
    return _capital(listed) + ("." if rng.random() < 0.4 else "")


def _full_answer(rng: random.Random, question: str, profile: _Profile, slots: _Slots) -> str:
    count = rng.choices(*THEMES_PER_COMMENT)[0]
    themes = _themes(rng, question, profile, count)
    sentiment = rng.choices(SENTIMENTS, SENTIMENT_WEIGHTS[question])[0]
    body = _body(rng, themes, sentiment, slots)
    before, after = [], []
    if rng.random() < 0.12:
        before.append(_about_me(rng, profile, slots))
    if rng.random() < 0.25:
        noun = _fill(rng.choice(themes[0].nouns), slots)
        if rng.random() < 0.15:
            noun = f"“{noun}”"
        opener = rng.choice(text.OPENERS[question])
        before.append(opener.replace("{noun}", noun).replace("{Noun}", _capital(noun)))
    if rng.random() < 0.18:
        closers = text.SUGGESTION_CLOSERS if sentiment == "sug" else text.CLOSERS[question]
        after.append(rng.choice(closers))
    parts = before + body + after
    while len(parts) > 1 and sum(len(p.split()) for p in parts) > MAX_WORDS:
        parts.remove(before.pop() if before else after.pop() if after else body.pop())
    joiner = "\n" if rng.random() < 0.03 else " "
    return joiner.join(parts)


def _about_me(rng: random.Random, profile: _Profile, slots: _Slots) -> str:
    traits = ("older", "young", "carer", "disabled", "rural")
    kinds = [k for k in traits if getattr(profile, k)] + ["any"]
    return _fill(rng.choice(text.ABOUT_ME[rng.choice(kinds)]), slots)


def _answer(rng: random.Random, question: str, profile: _Profile, slots: _Slots) -> str:
    if rng.random() < PLACEHOLDER_RATE:
        return rng.choice(text.PLACEHOLDERS)
    if rng.random() < 0.2:
        answer = _short_answer(rng, question, profile, slots)
    else:
        answer = _full_answer(rng, question, profile, slots)
    if rng.random() < PII_RATE:
        answer = _with_personal_data(rng, answer, slots)
    return _roughen(rng, answer)


def _roughen(rng: random.Random, answer: str) -> str:
    """The ways real people type: no capitals, curly apostrophes, typos, shouting."""
    r = rng.random()
    if r < 0.03:
        answer = answer.lower()
    elif r < 0.034 and len(answer) < 60:
        answer = answer.upper() + "!!"
    if rng.random() < 0.06:
        answer = answer.replace("'", "’")
    if "—" in answer and rng.random() < 0.7:
        answer = answer.replace(" — ", " - ")
    if rng.random() < 0.02:
        for right, wrong in rng.sample(text.TYPOS, len(text.TYPOS)):
            if right in answer:
                answer = answer.replace(right, wrong, 1)
                break
    if answer.endswith("."):
        r = rng.random()
        if r < 0.06:
            answer = answer[:-1]
        elif r < 0.1:
            answer = answer[:-1] + rng.choice(("!", "!!", "...", " :("))
    if rng.random() < 0.01:
        answer += " "
    return answer


# ---- Personal data the importer must mask -------------------------------------------------

def nhs_check_digit(nine_digits: str) -> int | None:
    """The modulus-11 check digit of an NHS number, or None when no valid one exists."""
    total = sum(int(d) * (10 - k) for k, d in enumerate(nine_digits))
    check = 11 - total % 11
    return None if check == 10 else check % 11


def _nhs_number(rng: random.Random) -> str:
    """A valid-looking NHS number from the 999 range, which is never issued to patients."""
    while True:
        stem = "999" + "".join(rng.choice("0123456789") for _ in range(6))
        check = nhs_check_digit(stem)
        if check is not None:
            number = f"{stem}{check}"
            return f"{number[:3]} {number[3:6]} {number[6:]}" if rng.random() < 0.6 else number


def _phone(rng: random.Random) -> str:
    """Numbers from Ofcom's ranges set aside for drama, so none can ring a real person."""
    nnn = f"{rng.randrange(1000):03d}"
    return rng.choice((f"01632 960{nnn}", f"07700 900{nnn}", f"(01632) 960 {nnn}",
                       f"+44 7700 900{nnn}", f"07700900{nnn}", f"0117 496 0{nnn}"))


def _postcode(rng: random.Random, locality: Locality) -> str:
    district, sectors = rng.choice(locality.districts)
    unit = rng.choice(UNIT_LETTERS) + rng.choice(UNIT_LETTERS)
    return f"{district} {rng.choice(sectors)}{unit}"


def _with_personal_data(rng: random.Random, answer: str, slots: _Slots) -> str:
    kind = rng.choice(("email", "phone", "name", "postcode", "nhs"))
    if kind == "email":
        value = f"{rng.choice(text.EMAIL_NAMES)}@{rng.choice(text.EMAIL_DOMAINS)}"
        sentence = rng.choice(text.PII_EMAIL_SENTENCES).replace("{email}", value)
    elif kind == "phone":
        sentence = rng.choice(text.PII_PHONE_SENTENCES).replace("{phone}", _phone(rng))
    elif kind == "name":
        template = rng.choice(text.PII_NAME_SENTENCES).replace("{name}", rng.choice(text.PII_NAMES))
        sentence = _fill(template, slots)
    elif kind == "postcode":
        value = _postcode(rng, slots.locality)
        sentence = rng.choice(text.PII_POSTCODE_SENTENCES).replace("{postcode}", value)
    else:
        sentence = rng.choice(text.PII_NHS_SENTENCES).replace("{nhs}", _nhs_number(rng))
    return f"{answer} {sentence}" if rng.random() < 0.7 else f"{sentence} {answer}"


# ---- Rows ---------------------------------------------------------------------------------

def _postcode_cell(rng: random.Random, locality: Locality) -> str:
    r = rng.random()
    if r < 0.06:
        return ""
    postcode = _postcode(rng, locality)
    if r < 0.075:
        return postcode.lower()
    if r < 0.085:
        return postcode.replace(" ", "")
    return postcode


def _locality_cell(rng: random.Random, locality: Locality) -> str:
    r = rng.random()
    if r < 0.03:
        return ""
    if r < 0.05:
        return rng.choice(LOCALITY_VARIANTS[locality.name])
    return locality.name


def _respondent(rng: random.Random, number: int, day: dt.date, campaign: str | None) -> list[str]:
    locality = _pick(rng, _CAMPAIGN_LOCALITY if campaign and rng.random() < 0.85 else _LOCALITY)
    age = _pick(rng, _AGE)
    older = age in OLDER_BANDS
    sex = _pick(rng, _SEX)
    ethnicity = _pick(rng, _ETHNICITY)
    disability = _pick(rng, _DISABILITY[older])
    carer = _pick(rng, _CARER)
    profile = _Profile(older, age in YOUNG_BANDS, carer == "Yes", disability == "Yes",
                       locality.rural, locality.east)
    row = [f"BA-{number:06d}", day.isoformat(), _postcode_cell(rng, locality),
           _locality_cell(rng, locality), age, sex, ethnicity, disability, carer]
    slots = _Slots(rng, locality)
    for question in QUESTION_KEYS:
        if campaign and question == "Q2":
            row.append(campaign)
            continue
        rate = CAMPAIGN_ANSWER_RATE[question] if campaign else ANSWER_RATE[question]
        row.append(_answer(rng, question, profile, slots) if rng.random() < rate else "")
    return row


def _rows(n_respondents: int, seed: int, n_late: int = 0) -> Iterator[list[str]]:
    """The first export's respondents, then `n_late` who replied after it was taken."""
    rng = random.Random(seed)
    schedule = _Schedule(FIRST_DAY, WAVE1_LAST_DAY, n_respondents)
    late = _Schedule(WAVE1_LAST_DAY + dt.timedelta(days=1), LAST_DAY, n_late)
    campaign = _campaign_plan(n_respondents, seed, schedule)
    for position in range(n_respondents):
        yield _respondent(rng, position + 1, schedule.day(position), campaign.get(position))
    for position in range(n_late):
        yield _respondent(rng, n_respondents + position + 1, late.day(position), None)


def iter_rows(n_respondents: int = DEFAULT_RESPONDENTS, seed: int = DEFAULT_SEED
              ) -> Iterator[list[str]]:
    """Stream the rows (no header), one respondent at a time."""
    return _rows(n_respondents, seed)


def generate_rows(n_respondents: int = DEFAULT_RESPONDENTS, seed: int = DEFAULT_SEED
                  ) -> tuple[list[str], list[list[str]]]:
    """(header, rows) of the main export."""
    return list(HEADER), list(iter_rows(n_respondents, seed))


def generate_wave2_rows(n_respondents: int = DEFAULT_RESPONDENTS, seed: int = DEFAULT_SEED,
                        overlap: int = WAVE2_OVERLAP, new: int = WAVE2_NEW
                        ) -> tuple[list[str], list[list[str]]]:
    """A later export: the last `overlap` respondents of the main file, unchanged, then `new`
    ones who replied after it was taken — so appending must not duplicate anyone."""
    overlap = min(overlap, n_respondents)
    rows = list(islice(_rows(n_respondents, seed, new), n_respondents - overlap, None))
    return list(HEADER), rows


# ---- Writing ------------------------------------------------------------------------------

def _rows_or_generated(rows, n_respondents: int, seed: int) -> Iterable[list[str]]:
    return iter_rows(n_respondents, seed) if rows is None else rows


def write_csv(path: str | Path, n_respondents: int = DEFAULT_RESPONDENTS,
              seed: int = DEFAULT_SEED, *, rows: Iterable[list[str]] | None = None) -> int:
    """Write UTF-8 with a byte-order mark and CRLF endings, as Excel does; return rows written."""
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for row in _rows_or_generated(rows, n_respondents, seed):
            writer.writerow(row)
            count += 1
    return count


ABOUT_LINES = (
    "Big Ask 2013 — sample export (made-up data for trying Engage)",
    "A county-wide conversation about health and care in Dorset, open January to March 2013.",
    "Three open questions, asked online and on paper forms typed in by volunteers.",
    "One row per respondent. Blank cells are questions the respondent skipped.",
    "Every comment was generated by a program: no real person wrote or can be identified by them.",
    "Telephone numbers, e-mail addresses and NHS numbers are from ranges reserved for fiction.",
)


def write_xlsx(path: str | Path, n_respondents: int = DEFAULT_RESPONDENTS,
               seed: int = DEFAULT_SEED, *, rows: Iterable[list[str]] | None = None) -> int:
    """Write a "Responses" sheet (dates as real dates) and an "About" sheet; return rows."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    workbook.properties.creator = "Engage sample data"
    workbook.properties.created = dt.datetime(2013, 4, 2, 9, 0)
    sheet = workbook.create_sheet("Responses")
    for letter, width in zip("ABCDEFGHIJKL", (11, 12, 10, 20, 12, 10, 18, 10, 7, 60, 60, 60), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.append(HEADER)
    count = 0
    for row in _rows_or_generated(rows, n_respondents, seed):
        sheet.append([dt.date.fromisoformat(row[1]) if k == 1 else value
                      for k, value in enumerate(row)])
        count += 1
    about = workbook.create_sheet("About")
    about.column_dimensions["A"].width = 100
    for line in ABOUT_LINES:
        about.append([line])
    workbook.save(path)
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sample_data.generate",
                                     description="Write the Big Ask 2013 sample exports.")
    parser.add_argument("--respondents", type=int, default=DEFAULT_RESPONDENTS)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out-dir", type=Path, default=HERE)
    parser.add_argument("--formats", default="csv,xlsx,wave2",
                        help="comma-separated: csv, xlsx, wave2 (default: all three)")
    args = parser.parse_args(argv)
    formats = {f.strip() for f in args.formats.split(",") if f.strip()}
    unknown = formats - {"csv", "xlsx", "wave2"}
    if unknown or args.respondents < 1:
        parser.error(f"unknown format(s): {', '.join(sorted(unknown))}" if unknown
                     else "--respondents must be at least 1")
    args.out_dir.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    rows = None
    if formats & {"csv", "xlsx"}:
        rows = list(iter_rows(args.respondents, args.seed))
    writers = (("csv", MAIN_CSV, write_csv), ("xlsx", MAIN_XLSX, write_xlsx))
    for name, filename, writer in writers:
        if name in formats:
            writer(args.out_dir / filename, rows=rows)
            _report(args.out_dir / filename, rows)
    if "wave2" in formats:
        _, wave2 = generate_wave2_rows(args.respondents, args.seed)
        write_csv(args.out_dir / WAVE2_CSV, rows=wave2)
        _report(args.out_dir / WAVE2_CSV, wave2)
    print(f"done in {time.perf_counter() - start:.1f} s")
    return 0


def _report(path: Path, rows: list[list[str]]) -> None:
    comments = sum(1 for row in rows for cell in row[len(HEADER) - 3:] if cell.strip())
    print(f"{path}: {len(rows):,} respondents, {comments:,} non-empty answers")


if __name__ == "__main__":
    raise SystemExit(main())
