"""Comment clean-up: tidy text, non-answers, and keys for exact duplicates."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engage.importing.cleaning import duplicate_key, is_placeholder, normalise_text


@pytest.mark.parametrize(("raw", "clean"), [
    ("  The lift was broken.  ", "The lift was broken."),
    ("Too\t\tlong   a wait", "Too long a wait"),
    ("Line one\r\nLine two\rLine three", "Line one\nLine two\nLine three"),
    ("Para one\n\n\n\n\nPara two", "Para one\n\nPara two"),
    ("  indented line\n   next line   ", "indented line\nnext line"),
    ("bell\x07and\x00nul\x1bescape", "bell and nul escape"),
    ("zero\u200bwidth and soft\u00adhyphen", "zerowidth and softhyphen"),
    ("non\u00a0breaking space", "non breaking space"),
    ("“Curly” quotes and ‘apostrophes’ – kept", "“Curly” quotes and ‘apostrophes’ – kept"),
    ("Cafe\u0301", "Café"),
    ("", ""),
    (None, ""),
])
def test_normalise_text(raw, clean):
    assert normalise_text(raw) == clean


@pytest.mark.parametrize("text", [
    "n/a", "N/A", "na", "N.A.", "none", "None.", "NONE", "nothing", "Nothing!", "no", "No.",
    "no comment", "No comments", "nothing to add", "Nothing further to add.", "did not answer",
    "not answered", "-", "--", ".", "?", "...", "no thanks", "No, thank you", "not applicable",
    "nil", "x", "X", "", "   ", "- n/a -", "Don’t know",
])
def test_placeholders(text):
    assert is_placeholder(text)


@pytest.mark.parametrize("text", [
    "No GP appointments for weeks", "Nothing was done about my complaint",
    "none of the staff listened", "X-ray results were lost", "No.  The bus never comes.",
    "Not applicable to me because I moved to Poole", "Yes", "OK", "Good",
])
def test_real_answers_are_not_placeholders(text):
    assert not is_placeholder(text)


def test_none_is_a_placeholder():
    assert is_placeholder(None)


def test_duplicate_key_ignores_case_spacing_and_punctuation():
    variants = ["Great service, thank you!", "great service thank you", "GREAT   SERVICE - thank you.",
                "Great service; thank-you", " great service, thank you "]
    assert len({duplicate_key(v) for v in variants}) == 1


def test_duplicate_key_apostrophes_do_not_split_words():
    assert duplicate_key("Don’t close the ward") == duplicate_key("dont close the ward")


def test_duplicate_key_keeps_different_words_apart():
    assert duplicate_key("Close the ward") != duplicate_key("Keep the ward")
    assert duplicate_key("ward 1") != duplicate_key("ward 2")


_ANY_TEXT = st.text(st.characters(codec="utf-8", blacklist_categories=("Cs",)), max_size=60) | st.text(
    " \t\n\r.,!?-'’abcABC012\x00\x07\u200b\u00a0", max_size=40
)


@settings(max_examples=300, deadline=None)
@given(_ANY_TEXT)
def test_normalise_text_is_idempotent_and_clean(text):
    clean = normalise_text(text)
    assert normalise_text(clean) == clean
    assert clean == clean.strip()
    assert "\r" not in clean and "\t" not in clean and "  " not in clean and "\n\n\n" not in clean
    assert not any(ord(ch) < 32 and ch != "\n" for ch in clean)


@settings(max_examples=300, deadline=None)
@given(_ANY_TEXT)
def test_placeholder_does_not_depend_on_tidying(text):
    assert is_placeholder(text) == is_placeholder(normalise_text(text))


@settings(max_examples=300, deadline=None)
@given(_ANY_TEXT)
def test_duplicate_key_is_a_fixed_point(text):
    key = duplicate_key(text)
    assert duplicate_key(key) == key
    assert duplicate_key(text.upper()) == duplicate_key(text.lower()) or not text.isascii()
