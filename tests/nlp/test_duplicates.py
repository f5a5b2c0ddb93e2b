"""Campaign and near-duplicate detection."""

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engage.nlp import duplicates
from engage.nlp.duplicates import find_duplicates, normalise_text

CAMPAIGN = (
    "Please keep the stroke unit and the children's ward open at the county hospital because "
    "families in the rural west cannot travel for two hours on winding roads when every "
    "minute counts for recovery"
)


def vary(text: str, position: int, word: str) -> str:
    words = text.split()
    words[position] = word
    return " ".join(words)


def test_exact_copies_ignore_case_punctuation_and_spacing():
    texts = [
        "The minor injuries unit must stay open at weekends",
        "the MINOR injuries unit must stay open at weekends!!",
        "  The minor injuries unit, must stay open at weekends. ",
        "Parking charges for carers should be scrapped entirely",
    ]
    groups = find_duplicates(texts)
    assert groups.n_groups == 1
    assert groups.group_ids.tolist() == [0, 0, 0, -1]
    assert groups.exact.tolist() == [True]
    assert groups.sizes.tolist() == [3]
    assert groups.first.tolist() == [0]


def test_campaign_copies_with_a_word_changed_join_the_group():
    texts = [CAMPAIGN] * 5 + [vary(CAMPAIGN, 12, "north"), vary(CAMPAIGN, 20, "three")]
    texts += ["I would like evening appointments at my practice for working parents"]
    groups = find_duplicates(texts)
    assert groups.n_groups == 1
    assert groups.members(0).tolist() == list(range(7))
    assert groups.exact.tolist() == [False]
    assert groups.group_ids[7] == -1


def test_comments_on_the_same_subject_are_not_duplicates():
    texts = [
        "The stroke unit at the county hospital must stay open for people in the west",
        "Keep the county hospital stroke unit because the west is too far from Poole",
        "Stroke care in the west of the county depends on the county hospital unit",
    ]
    assert find_duplicates(texts).n_groups == 0


def test_short_texts_and_placeholders_are_never_grouped():
    texts = ["No comment", "no comment", "N/A", "n/a", "More nurses please", "more nurses please"]
    texts += ["I have nothing else to add", "I have nothing else to add."]
    groups = find_duplicates(texts)
    assert groups.n_groups == 0
    assert (groups.group_ids == -1).all()
    assert find_duplicates(["More nurses please"] * 3, min_words=3).n_groups == 1


def test_missing_values_are_ignored():
    groups = find_duplicates([None, CAMPAIGN, float("nan"), CAMPAIGN, ""])
    assert groups.group_ids.tolist() == [-1, 0, -1, 0, -1]


def test_chains_of_small_edits_form_one_group():
    a = CAMPAIGN
    b = vary(a, 5, "ward")
    c = vary(b, 25, "hours")
    groups = find_duplicates([a, "Unrelated comment about dentists in Swanage today", c, b])
    assert groups.group_ids.tolist() == [0, -1, 0, 0]


def test_threshold_one_means_exact_only():
    texts = [CAMPAIGN, CAMPAIGN, vary(CAMPAIGN, 3, "cancer")]
    assert find_duplicates(texts, threshold=1.0).sizes.tolist() == [2]
    assert find_duplicates(texts, threshold=0.8).sizes.tolist() == [3]


def test_counted_once_and_campaigns():
    texts = [CAMPAIGN] * 6 + ["We need more district nurses in the villages"] * 3
    texts += ["Unique view on hospital food and drink choices"]
    groups = find_duplicates(texts)
    assert groups.sizes.tolist() == [6, 3]
    assert groups.counted_once().sum() == 3
    assert groups.campaigns(min_size=5, min_words=12) == [0]
    only_campaign = groups.counted_once(groups.campaigns(min_size=5))
    assert groups.campaigns() == []  # six copies are fewer than the counting rule's ten people
    assert only_campaign.sum() == 1 + 3 + 1


def test_recall_at_the_threshold_on_many_pairs():
    rng = random.Random(7)
    vocabulary = [f"w{i}" for i in range(3000)]
    texts = []
    for _ in range(200):
        words = rng.sample(vocabulary, 40)
        edited = list(words)
        edited[rng.randrange(40)] = rng.choice(vocabulary)  # Jaccard about 0.86
        texts += [" ".join(words), " ".join(edited)]
    groups = find_duplicates(texts)
    pairs_found = sum(
        groups.group_ids[2 * i] >= 0 and groups.group_ids[2 * i] == groups.group_ids[2 * i + 1]
        for i in range(200)
    )
    assert pairs_found == 200
    assert groups.n_groups == 200


def campaign_with_variants(n_variants=3000, n_copies=50, seed=3):
    """Variants first, then copies of the template: the template is not the first text seen."""
    rng = random.Random(seed)
    base = CAMPAIGN.split()
    texts = []
    for _ in range(n_variants):
        words = list(base)
        words[rng.randrange(len(words))] = f"v{rng.randrange(10**6)}"
        texts.append(" ".join(words))
    return texts + [CAMPAIGN] * n_copies


def test_candidate_pairs_grow_linearly_not_quadratically():
    texts = campaign_with_variants()
    distinct = [normalise_text(t) for t in texts[:3001]]
    shingles, offsets = duplicates._shingles(distinct, 3)
    signatures = duplicates._minhash(shingles, offsets, 64, 0, 1000, lambda *a: None)
    bands, rows = duplicates._lsh_shape(0.8, 64)
    pairs = duplicates._candidate_pairs(signatures, bands, rows, lambda *a: None)
    assert len(pairs) <= 5 * bands * len(distinct)


def test_variants_join_their_template_even_when_sent_later():
    texts = campaign_with_variants()
    groups = find_duplicates(texts)
    # two variants of the template differ by two words (Jaccard ~0.7, below 0.8): they are
    # grouped through the template, which has many exact copies
    assert groups.sizes.tolist() == [len(texts)]
    assert groups.campaigns() == [0]


def test_lsh_shape_finds_threshold_pairs():
    for threshold in (0.5, 0.7, 0.8, 0.9):
        bands, rows = duplicates._lsh_shape(threshold, 64)
        assert bands * rows == 64
        assert 1 - (1 - threshold**rows) ** bands >= 0.99


words = st.sampled_from("ward nurse bus parking clinic dentist food staff wait hospital".split())


@settings(max_examples=40, deadline=None)
@given(st.lists(st.lists(words, min_size=0, max_size=9).map(" ".join), max_size=40))
def test_group_invariants(texts):
    groups = find_duplicates(texts)
    assert len(groups.group_ids) == len(texts)
    for g in range(groups.n_groups):
        members = groups.members(g)
        assert len(members) == groups.sizes[g] >= 2
        assert groups.first[g] == members.min()
        assert all(len(normalise_text(texts[i]).split()) >= 5 for i in members)
    assert list(groups.sizes) == sorted(groups.sizes, reverse=True)
    identical = {}
    for i, text in enumerate(texts):
        key = normalise_text(text)
        if len(key.split()) >= 5:
            identical.setdefault(key, []).append(i)
    for members in identical.values():
        ids = {int(groups.group_ids[i]) for i in members}
        assert len(ids) == 1 and (len(members) == 1 or ids != {-1})


def test_bad_threshold_rejected():
    with pytest.raises(ValueError):
        find_duplicates(["a b c d e"], threshold=0)
    assert np.array_equal(find_duplicates([]).group_ids, np.empty(0, dtype=np.int32))


def test_long_texts_are_compared_without_overflow():
    rng = random.Random(11)
    words = [f"word{i}" for i in range(400)]
    long_text = " ".join(rng.sample(words, 300))
    edited = vary(long_text, 150, "changed")
    other = " ".join(rng.sample(words, 300))
    groups = find_duplicates([long_text, edited, other])
    assert groups.group_ids.tolist() == [0, 0, -1]
