"""Text processing: lemmas, stop words, phrases, negations, storage form, offline loading."""

import socket

import pytest

from engage.nlp import text
from engage.nlp.text import (
    STOP_WORDS,
    apply_collocations,
    from_token_string,
    is_phrase,
    learn_collocations,
    to_token_string,
    tokenize,
)
from engage.progress import Cancelled


def test_lowercases_before_lemmatising():
    upper, lower = tokenize(["NURSES WERE WAITING", "nurses were waiting"])
    assert upper == lower
    assert "nurse" in lower and "wait" in lower


@pytest.mark.parametrize(
    "spelling",
    ["A&E", "a & e", "A and E", "accident and emergency", "Accident & Emergency", "a+e"],
)
def test_accident_and_emergency_spellings_meet(spelling):
    [tokens] = tokenize([f"We spent six hours in {spelling} last winter"])
    assert "a_and_e" in tokens


@pytest.mark.parametrize(
    ("sentence", "phrase"),
    [
        ("Getting GP appointments is hopeless", "gp_appointment"),
        ("Mental health support for teenagers", "mental_health"),
        ("the waiting lists keep growing", "waiting_list"),
        ("Waiting times at the clinic", "waiting_time"),
        ("I used the walk-in centre instead", "walk_in_centre"),
        ("the Minor Injuries Unit in Swanage", "minor_injuries_unit"),
        ("she moved into a care home", "care_home"),
        ("rang NHS 111 at night", "111"),
        ("out-of-hours doctors were slow", "out_of_hours"),
        ("our health visitor was lovely", "health_visitor"),
        ("district nurses visit daily", "district_nurse"),
        ("public transport to the hospital is poor", "public_transport"),
        ("booked it on the NHS app", "nhs_app"),
        ("social care funding", "social_care"),
    ],
)
def test_domain_phrases_become_one_token(sentence, phrase):
    [tokens] = tokenize([sentence])
    assert phrase in tokens
    parts = phrase.split("_")
    if len(parts) > 1:
        assert not any(tokens[i : i + len(parts)] == parts for i in range(len(tokens)))


def test_stop_words_fillers_punctuation_numbers_and_short_tokens_dropped():
    [tokens] = tokenize(["I really just think, 2 or 3 times, it would be x!!! ... 42"])
    assert tokens == ["time"]
    for filler in ("really", "just", "think", "feel", "would", "also", "get", "thing", "lot"):
        assert filler in STOP_WORDS


def test_negations_kept_by_default_and_droppable():
    sentence = "The nurse didn't listen and never called back; no help at all"
    [kept] = tokenize([sentence])
    [dropped] = tokenize([sentence], keep_negations=False)
    assert {"not", "never", "no"} <= set(kept)
    assert not {"not", "never", "no"} & set(dropped)
    assert "listen" in dropped


def test_comparatives_survive_for_sentiment():
    [tokens] = tokenize(["Care was better last year, now it is worse"])
    assert "better" in tokens and "worse" in tokens


def test_blank_and_missing_texts_give_empty_lists_in_order():
    result = tokenize(["", None, "   ", "pharmacy was closed"])
    assert result[:3] == [[], [], []]
    assert "pharmacy" in result[3]


def test_accepts_a_generator_and_keeps_order():
    sentences = [f"ward {word}" for word in ("clean", "noisy", "cold")]
    result = tokenize(s for s in sentences)
    assert [tokens[-1] for tokens in result] == ["clean", "noisy", "cold"]


def test_token_string_round_trip_keeps_phrases_whole():
    [tokens] = tokenize(["Mental health waiting lists in Poole"])
    stored = to_token_string(tokens)
    assert from_token_string(stored) == tokens
    assert [t for t in from_token_string(stored) if is_phrase(t)] == [
        "mental_health",
        "waiting_list",
    ]
    assert from_token_string("") == [] and from_token_string(None) == []


def test_progress_reported_and_cancel_honoured():
    calls = []
    tokenize(["ward was clean"] * 50, batch_size=10, progress=lambda f, m: calls.append(f))
    assert calls[0] == 0.0 and calls[-1] == 1.0
    with pytest.raises(Cancelled):
        tokenize(["ward was clean"] * 50, batch_size=10, cancelled=lambda: True)


def test_learned_collocations_join_frequent_pairs_only():
    corpus = [["hospice", "garden", "lovely"]] * 15 + [["garden", "party"], ["lovely", "staff"]]
    corpus += [["parking", "cost"], ["cost", "parking"], ["staff", "parking"]] * 5
    pairs = learn_collocations(corpus, min_count=10, min_npmi=0.3)
    assert pairs[("hospice", "garden")] == "hospice_garden"
    assert ("staff", "parking") not in pairs  # seen too rarely
    joined = apply_collocations([["hospice", "garden", "lovely"], ["garden", "party"]], pairs)
    assert joined[0][0] == "hospice_garden"
    assert joined[1] == ["garden", "party"]


def test_collocations_can_be_applied_while_tokenising():
    pairs = {("bus", "pass"): "bus_pass"}
    [tokens] = tokenize(["My bus pass was refused"], collocations=pairs)
    assert "bus_pass" in tokens


def test_loading_and_tokenising_open_no_network_socket(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("network access attempted")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    text.get_nlp.cache_clear()
    text._phrase_index.cache_clear()
    tokens = tokenize(["The district nurse came to my care home after A&E"])
    assert "district_nurse" in tokens[0]
