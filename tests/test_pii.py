"""Masking personal data in comments: what is masked, what is left, and masking's invariants."""

from __future__ import annotations

import re

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from engage.importing.pii import (
    MASK_KINDS,
    REPLACEMENTS,
    MaskedItem,
    mask_personal_data,
    nhs_number_is_valid,
    phone_number_is_valid,
    postcode_district,
)


def masked(text: str) -> str:
    return mask_personal_data(text)[0]


def kinds(text: str) -> list[str]:
    return [item.kind for item in mask_personal_data(text)[1]]


def nhs_check_digit(nine: str) -> int | None:
    """Modulus 11 written out independently of the code under test: weights 10 down to 2."""
    weights = [10, 9, 8, 7, 6, 5, 4, 3, 2]
    remainder = sum(w * int(d) for w, d in zip(weights, nine, strict=True)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None  # check digit would be 10: no valid number starts with these nine digits
    return 11 - remainder


def valid_nhs(nine: str) -> str:
    check = nhs_check_digit(nine)
    assert check is not None
    return nine + str(check)


# 943 476 591 -> 9*10+4*9+3*8+4*7+7*6+6*5+5*4+9*3+1*2 = 299; 299 % 11 = 2; 11 - 2 = 9.
KNOWN_VALID_NHS = "9434765919"


# --------------------------------------------------------------------------------------------
# Each kind


@pytest.mark.parametrize("text", [
    "write to sam.jones+clinic@example.co.uk today",
    "A.B@nhs.net",
    "x_y-z@sub.domain-name.org.",
])
def test_emails_are_masked(text):
    out = masked(text)
    assert "[email]" in out
    assert "@" not in out


def test_email_keeps_sentence_punctuation():
    assert masked("Mail me (kim@example.org).") == "Mail me ([email])."


@pytest.mark.parametrize("number", [
    "07700 900123", "07700900123", "07700-900-123", "+44 7700 900123", "+447700900123",
    "0044 7700 900123", "01305 251150", "(01305) 251150", "01202 123 456", "020 7946 0123",
    "0207 946 0123", "+44 (0)1202 123456", "+44 20 7946 0123", "0300 123 4567", "0800 123456",
    "016977 4123",
])
def test_uk_phone_numbers_are_masked(number):
    assert masked(f"Ring me on {number} after six") == "Ring me on [phone] after six"


@pytest.mark.parametrize("text", [
    "Waited 45 minutes", "in 2019 and 2020", "ward 12", "about 1234567 people", "0770090012",
    "the year 01305",
])
def test_numbers_that_are_not_phones_are_left(text):
    assert masked(text) == text


def test_nhs_numbers_are_masked_plain_or_spaced():
    spaced = f"{KNOWN_VALID_NHS[:3]} {KNOWN_VALID_NHS[3:6]} {KNOWN_VALID_NHS[6:]}"
    dashed = spaced.replace(" ", "-")
    for form in (KNOWN_VALID_NHS, spaced, dashed):
        assert mask_personal_data(f"My number is {form}.") == (
            "My number is [NHS number].",
            [MaskedItem("nhs_number", 13, 25, "[NHS number]")],
        )


def test_ten_digits_with_a_bad_check_digit_are_not_an_nhs_number():
    wrong = KNOWN_VALID_NHS[:9] + str((int(KNOWN_VALID_NHS[9]) + 1) % 10)
    assert not nhs_number_is_valid(wrong)
    assert masked(f"ref {wrong} noted") == f"ref {wrong} noted"


def test_a_phone_that_fails_the_nhs_check_is_still_a_phone():
    number = "0130525115"  # ten-digit 01 number
    assert nhs_check_digit(number[:9]) != int(number[9])
    assert masked(f"call {number}") == "call [phone]"


def test_nhs_number_is_checked_before_phone():
    nine = "017000000"
    number = valid_nhs(nine) if nhs_check_digit(nine) is not None else valid_nhs("017000001")
    assert number.startswith("01")  # would also pass as a ten-digit landline
    assert kinds(f"it is {number}") == ["nhs_number"]


def test_email_is_masked_before_phone():
    assert mask_personal_data("07700900123@example.com")[0] == "[email]"
    assert kinds("sam07700900123@example.com or 07700 900123") == ["email", "phone"]


@pytest.mark.parametrize("code", ["DT1 2JY", "bh15 2ab", "DT12JY", "SW1A 1AA", "M1 1AE", "BH23  1HX",
                                  "GIR 0AA"])
def test_full_postcodes_are_masked(code):
    assert masked(f"I live in {code}, near the sea") == "I live in [postcode], near the sea"


@pytest.mark.parametrize("text", [
    "Everyone in DT1 knows", "BH23 is far", "the A35 road", "on the A1 5th time", "room B2 3pm",
    "DT1 2JYZ", "XDT1 2JY",
])
def test_districts_and_lookalikes_are_left(text):
    assert masked(text) == text


@pytest.mark.parametrize("phrase", [
    "Dr Patel", "Dr. A Smith", "Nurse Jane", "Mr Jones", "Mrs O'Brien", "Sister Mary",
    "Doctor Khan", "Professor Lee", "Matron Smith", "Dr Sarah Jones-Whyte", "Ms McDonald",
    "Prof. K. L. Mensah", "Miss Zoë", "Midwife Dee",
])
def test_titled_names_are_masked_whole(phrase):
    out = masked(f"I saw {phrase} yesterday and it went well")
    assert out == "I saw [name] yesterday and it went well"


@pytest.mark.parametrize("text", [
    "the Dr was late", "Dr", "I asked to see a Dr.", "the nurse was kind", "a doctor called",
    "Nurse Practitioner clinics help", "Mr and Mrs", "Dr Monday",
])
def test_bare_titles_and_lowercase_roles_are_left(text):
    assert masked(text) == text


def test_second_capitalised_word_that_is_not_a_name_is_kept():
    assert masked("Dr Khan Monday morning") == "[name] Monday morning"


def test_items_point_at_replacements_in_order():
    text = "Dr Lee (lee@example.org, 07700 900123) at DT1 2JY, NHS no. " + KNOWN_VALID_NHS
    out, items = mask_personal_data(text)
    assert out == "[name] ([email], [phone]) at [postcode], NHS no. [NHS number]"
    assert [i.kind for i in items] == ["name", "email", "phone", "postcode", "nhs_number"]
    for item in items:
        assert out[item.start:item.end] == item.replacement == REPLACEMENTS[item.kind]


def test_masked_item_is_frozen():
    item = MaskedItem("email", 0, 7, "[email]")
    with pytest.raises(AttributeError):
        item.start = 3  # type: ignore[misc]


def test_mask_kinds_have_labels_and_replacements():
    assert set(MASK_KINDS) == set(REPLACEMENTS)
    assert all(MASK_KINDS[k] for k in MASK_KINDS)


def test_empty_text():
    assert mask_personal_data("") == ("", [])


@pytest.mark.parametrize(("value", "district"), [
    ("DT1 2JY", "DT1"), ("dt12jy", "DT1"), ("BH23", "BH23"), (" bh15 2ab ", "BH15"),
    ("SW1A 1AA", "SW1A"), ("DT1 2", "DT1"), ("M1", "M1"), ("GIR 0AA", "GIR"),
    ("junk", None), ("", None), ("12345", None), ("DT1 2JY Dorchester", None), (None, None),
    ("n/a", None), ("BH", None),
])
def test_postcode_district(value, district):
    assert postcode_district(value) == district


def test_phone_validity_helper():
    assert phone_number_is_valid("+44 (0)7700 900123")
    assert not phone_number_is_valid("07700 90012")  # mobile numbers have eleven digits
    assert not phone_number_is_valid("06700 900123")


# --------------------------------------------------------------------------------------------
# Properties

_EMAIL_TEST_RE = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
_POSTCODE_TEST_RE = re.compile(
    r"(?<![A-Za-z0-9])[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][ABD-HJLNP-UW-Z]{2}(?![A-Za-z0-9])"
)
_TEN_DIGITS_RE = re.compile(r"(?<![0-9])(?=([0-9]{10}|[0-9]{3} [0-9]{3} [0-9]{4})(?![0-9]))")

emails = st.builds(
    "{}@{}.{}".format,
    st.text("abcxyz019._%+-", min_size=1, max_size=8),
    st.text("abc019-", min_size=1, max_size=6),
    st.sampled_from(["org", "co.uk", "nhs.net", "x-y"]),
)
postcodes = st.builds(
    "{}{}{}{}{}".format,
    st.text("ABDHMSTW", min_size=1, max_size=2),
    st.integers(0, 9),
    st.sampled_from(["", "0", "5", "A", "W"]),
    st.sampled_from(["", " "]),
    st.builds("{}{}".format, st.integers(0, 9), st.text("ABDEFGHJLNPQRSTUWXYZ", min_size=2, max_size=2)),
)
nhs_numbers = (
    st.text("0123456789", min_size=9, max_size=9)
    .filter(lambda nine: nhs_check_digit(nine) is not None)
    .map(valid_nhs)
    .flatmap(lambda n: st.sampled_from([n, f"{n[:3]} {n[3:6]} {n[6:]}"]))
)
names = st.builds("{} {}".format, st.sampled_from(["Dr", "Nurse", "Mrs", "Doctor", "Mr."]),
                  st.sampled_from(["Patel", "Okafor", "O'Neill", "Smith-Jones"]))
noise = st.text(st.characters(codec="utf-8", blacklist_categories=("Cs",)), max_size=12)
glue = st.text(" ,.;:()@-\n0123456789ABdt", max_size=3)


@st.composite
def comments(draw):
    parts = draw(st.lists(st.one_of(noise, emails, postcodes, nhs_numbers, names, glue), max_size=8))
    seps = draw(st.lists(glue, min_size=len(parts), max_size=len(parts)))
    return "".join(p + s for p, s in zip(parts, seps, strict=True))


PROPERTY = settings(max_examples=300, deadline=None)


@PROPERTY
@given(comments())
def test_no_valid_email_survives(text):
    assert not _EMAIL_TEST_RE.search(masked(text))


@PROPERTY
@given(comments())
def test_no_full_postcode_survives(text):
    assert not _POSTCODE_TEST_RE.search(masked(text))


@PROPERTY
@given(comments())
def test_no_valid_nhs_number_survives(text):
    out = masked(text)
    assert not [m.group(1) for m in _TEN_DIGITS_RE.finditer(out)
                if nhs_check_digit(m.group(1).replace(" ", "")[:9]) == int(m.group(1)[-1])]


@PROPERTY
@given(comments())
def test_masking_is_idempotent(text):
    once = masked(text)
    assert mask_personal_data(once) == (once, [])


@PROPERTY
@given(comments())
def test_items_point_at_their_replacements_and_the_rest_is_the_original(text):
    out, items = mask_personal_data(text)
    position = 0
    kept = []
    for item in items:
        assert item.start >= position
        assert out[item.start:item.end] == item.replacement == REPLACEMENTS[item.kind]
        kept.append(out[position:item.start])
        position = item.end
    kept.append(out[position:])
    # The unmasked stretches appear in the original, in order.
    cursor = 0
    for stretch in kept:
        found = text.find(stretch, cursor)
        assert found >= 0
        cursor = found + len(stretch)


_PLAIN = st.text(st.characters(codec="utf-8", blacklist_categories=("Cs", "Lu", "Lt", "Nd", "No")),
                 max_size=80)


@PROPERTY
@given(_PLAIN)
def test_text_without_personal_data_is_unchanged(text):
    assume("@" not in text)
    assert mask_personal_data(text) == (text, [])


@PROPERTY
@given(st.lists(st.sampled_from([
    "the", "nurse", "was", "kind", "and", "Dr", "said", "wait", "DT1", "BH23", "ward", "12",
    "I", "A&E", "NHS", "111", "2024", "GP", "appointment", "took", "weeks", ".", ",",
    "Monday", "Mr", "practice", "Nurse", "Practitioner", "x-ray",
]), max_size=25))
def test_ordinary_sentences_are_unchanged(words):
    text = " ".join(words)
    assert mask_personal_data(text) == (text, [])


# --------------------------------------------------------------------------------------------
# Titles mask a name only when a plausible name follows; the labelled set keeps the figure.


@pytest.mark.parametrize("text", [
    "fantastic Doctor Would never", "Dr He", "Nurse Very kind", "Dr If you can",
    "the Doctor Was lovely", "The Doctor Told me to rest", "Nurse Always smiling",
    "Miss the old walk-in centre", "The MR scan was late", "Mr NHS", "Dear Sir or Madam",
])
def test_a_title_before_an_ordinary_word_is_left(text):
    assert masked(text) == text


@pytest.mark.parametrize(("text", "expected"), [
    ("dr smith said so", "[name] said so"),
    ("DR JONES WAS RUDE", "[name] WAS RUDE"),
    ("DR PATEL SHOUTED", "[name] SHOUTED"),
    ("Rev. Jones visited", "[name] visited"),
    ("Dr van der Berg helped", "[name] helped"),
    ("Dr de Souza", "[name]"),
    ("call 07700.900.123 now", "call [phone] now"),
    ("mail J.O'Brien+test@nhs.net please", "mail [email] please"),
    ("NHS number 123 456 7890", "NHS number [NHS number]"),
    ("my name is Ellen Marsh and", "my name is [name] and"),
])
def test_names_and_numbers_in_every_case_are_masked(text, expected):
    assert masked(text) == expected


def test_dates_with_dots_are_not_phone_numbers():
    assert masked("The letter of 01.12.2023 10.30 came late") == (
        "The letter of 01.12.2023 10.30 came late")


def test_masker_precision_and_recall_on_the_labelled_set():
    from benchmarks.bench_pii_masking import read_labelled, score

    assert len(read_labelled()) >= 100
    result = score()
    assert result.labelled >= 60
    assert result.recall >= 0.95, result.errors
    assert result.precision >= 0.95, result.errors
    assert result.clean_lines_changed <= 0.05 * result.clean_lines, result.errors


def test_the_cheap_title_cue_never_hides_a_title():
    from engage.importing import pii

    for title in pii._TITLE_WORDS + [t.upper() for t in pii._TITLE_WORDS]:
        assert masked(f"({title} Okafor)") == "([name])", title
