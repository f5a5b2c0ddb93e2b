"""Topic discovery: planted subjects are found, described, placed in portfolios and flagged."""

import random

import numpy as np
import pytest

from engage.errors import EngageError
from engage.nlp.taxonomy import load_default
from engage.nlp.text import to_token_string, tokenize
from engage.nlp.topics import TopicModel, topic_to_theme, uncovered_topics
from engage.progress import Cancelled

# Four subjects written for this test; "optical" is one the Dorset taxonomy has no theme for.
SUBJECTS = {
    "parking": "parking car_park space ticket barrier pay_and_display fee multi_storey disabled_bay",
    "staffing": "nurse shortage agency rota vacancy recruit shift overtime workforce locum",
    "optical": "optician glasses spectacles lens optometrist frame eyesight contact_lens squint "
               "varifocal",
    "food": "meal sandwich menu tray cold_food breakfast soup canteen vegetarian portion",
}
FILLER = "hospital visit week time morning".split()


def planted_corpus(per_subject=60, seed=1):
    rng = random.Random(seed)
    docs, truth = [], []
    for subject, words in SUBJECTS.items():
        vocabulary = words.split()
        for _ in range(per_subject):
            tokens = rng.sample(vocabulary, rng.randint(4, 6)) + rng.sample(FILLER, 1)
            rng.shuffle(tokens)
            docs.append(to_token_string(tokens))
            truth.append(subject)
    order = list(range(len(docs)))
    rng.shuffle(order)
    return [docs[i] for i in order], [truth[i] for i in order]


@pytest.fixture(scope="module")
def fitted():
    docs, truth = planted_corpus()
    model = TopicModel(k_range=(2, 8), taxonomy=load_default(), min_df=2, random_state=0)
    return model.fit(docs), docs, truth


def test_number_of_topics_is_chosen_by_stability(fitted):
    model, _, _ = fitted
    assert model.k_ == len(SUBJECTS)
    assert set(model.stability_) <= set(range(2, 9))
    assert model.stability_[model.k_] == pytest.approx(max(model.stability_.values()), abs=0.011)


def test_each_topic_is_one_subject(fitted):
    model, _, truth = fitted
    found = set()
    for topic in model.topics_:
        subjects = {truth[i] for i in topic.representative}
        assert len(subjects) == 1
        subject = subjects.pop()
        found.add(subject)
        assert set(topic.terms[:3]) <= set(SUBJECTS[subject].split())
    assert found == set(SUBJECTS)


def test_phrases_listed_separately_and_sizes_add_up(fitted):
    model, docs, _ = fitted
    for topic in model.topics_:
        assert all("_" in p for p in topic.top_phrases)
        assert all("_" not in t for t in topic.top_terms)
        assert topic.label
    assert sum(t.size for t in model.topics_) == len(docs)
    assert model.labels_.shape == (len(docs),)
    assert model.doc_topic_.shape == (len(docs), model.k_)


def test_suggested_portfolio_and_uncovered_topic(fitted):
    model, _, truth = fitted
    by_subject = {truth[t.representative[0]]: t for t in model.topics_}
    assert by_subject["parking"].nearest_theme == "Travel to services"
    assert by_subject["parking"].portfolio == "One acute network"
    assert by_subject["staffing"].portfolio == "Leading and working differently"
    uncovered = {truth[t.representative[0]] for t in uncovered_topics(model)}
    assert "optical" in uncovered
    assert "parking" not in uncovered and "staffing" not in uncovered


def test_topic_becomes_a_theme_in_one_step(fitted):
    model, _, truth = fitted
    optical = next(t for t in model.topics_ if truth[t.representative[0]] == "optical")
    theme = topic_to_theme(optical, portfolio="Integrated community and primary care services")
    taxonomy = load_default()
    taxonomy.add_theme(theme)
    assert "optician" in theme.seed_terms
    with pytest.raises(EngageError):
        topic_to_theme(optical.__class__(**{**optical.__dict__, "portfolio": None}))


def test_transform_new_comments(fitted):
    model, _, _ = fitted
    weights = model.transform(["optician glasses lens", "meal soup menu"])
    assert weights.shape == (2, model.k_)
    assert weights[0].argmax() != weights[1].argmax()


def test_accepts_token_lists_and_is_reproducible():
    docs, _ = planted_corpus(per_subject=30, seed=3)
    lists = [d.split() for d in docs]
    a = TopicModel(k_range=(2, 6), min_df=2).fit(docs)
    b = TopicModel(k_range=(2, 6), min_df=2).fit(lists)
    assert a.k_ == b.k_
    np.testing.assert_allclose(a.components_, b.components_, rtol=1e-4, atol=1e-6)
    assert all(t.portfolio is None for t in a.topics_)


def test_progress_and_cancel():
    docs, _ = planted_corpus(per_subject=20)
    seen = []
    TopicModel(k_range=(2, 4), min_df=2).fit(docs, progress=lambda f, m: seen.append(f))
    assert seen[0] == 0.0 and seen[-1] == 1.0
    assert all(b >= a - 1e-9 for a, b in zip(seen, seen[1:], strict=False))
    with pytest.raises(Cancelled):
        TopicModel(k_range=(2, 4)).fit(docs, cancelled=lambda: True)


def test_too_few_comments_is_a_clear_error():
    with pytest.raises(EngageError, match="need at least"):
        TopicModel().fit(["dentist filling", "meal soup", "nurse rota"])
    with pytest.raises(EngageError):
        TopicModel().fit([])


def test_works_on_real_token_strings():
    texts = [
        "Parking at the hospital costs a fortune and there are never any spaces",
        "The car park barrier was broken and the parking ticket machine too",
        "Could not find a dentist taking NHS patients anywhere in the county",
        "My dentist retired and no dental practice will register us",
    ] * 10
    tokens = [to_token_string(t) for t in tokenize(texts)]
    model = TopicModel(k_range=(2, 3), min_df=1).fit(tokens)
    assert model.k_ >= 2
    assert any("dentist" in t.terms for t in model.topics_)


def test_seed_context_words_are_not_a_themes_vocabulary():
    """'cut off (not near: phone, line)' says what Loneliness is *not* about."""
    from engage.nlp.taxonomy import Portfolio, Taxonomy, Theme

    taxonomy = Taxonomy([Portfolio("P")], [
        Theme("Lonely", "P", "", ["lonely", "cut off (not near: phone, switchboard, queue)"]),
        Theme("Phones", "P", "", ["receptionist", "engaged"])])
    model = TopicModel(taxonomy=taxonomy)
    names, texts = model._theme_documents()
    lonely = texts[names.index("Lonely")]
    assert "cut off" in lonely and "switchboard" not in lonely and "not near" not in lonely
    _names, portfolio_texts = model._portfolio_documents()
    assert "switchboard" not in portfolio_texts[0]
