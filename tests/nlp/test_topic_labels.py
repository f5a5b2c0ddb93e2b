"""Topic labels name the subject (phrases first, generic words out), and a topic about a
subject an existing theme covers is not flagged as a new one."""

import random

import pytest

from engage.nlp.taxonomy import load_default
from engage.nlp.text import to_token_string
from engage.nlp.topics import GENERIC_WORDS, TopicModel, label_terms, topic_to_theme

# Written for this test. A GP-access subject whose comments also wander over many other
# words (as real answers do), beside two other subjects; generic words everywhere.
GP = "gp appointment receptionist gp_appointment phone surgery".split()
WANDER = ("bus letter garden daughter winter parking shop pension road village dog church "
          "school neighbour radio kitchen train market beach holiday").split()
DENTAL = "dentist tooth filling denture hygienist extraction".split()
WILDLIFE = "badger heron squirrel otter kestrel hedgehog".split()
GENERIC = "week need care service people time".split()


def corpus(seed=3):
    rng = random.Random(seed)
    docs, truth = [], []
    for subject, words, wander in (("gp", GP, 5), ("dental", DENTAL, 1),
                                   ("wildlife", WILDLIFE, 1)):
        for _ in range(70):
            tokens = (rng.sample(words, 3) + rng.sample(WANDER, wander)
                      + rng.sample(GENERIC, 2))
            rng.shuffle(tokens)
            docs.append(to_token_string(tokens))
            truth.append(subject)
    return docs, truth


@pytest.fixture(scope="module")
def fitted():
    docs, truth = corpus()
    model = TopicModel(k_range=(2, 6), taxonomy=load_default(), min_df=2, random_state=0)
    return model.fit(docs), truth


def test_labels_leave_generic_words_out(fitted):
    model, _truth = fitted
    for topic in model.topics_:
        words = {part for term in topic.label_terms for part in term.split("_")}
        assert topic.label and not words & GENERIC_WORDS, topic.label


def test_coverage_is_judged_on_telling_words(fitted):
    """Generic words shared with every theme neither hide a covered subject nor cover a new
    one (by the whole-vector rule alone the wildlife topic "resembled" a care theme)."""
    model, truth = fitted
    gp = next(t for t in model.topics_ if truth[t.representative[0]] == "gp")
    assert gp.nearest_theme == "GP access"
    assert gp.covered, f"{gp.label}: similarity {gp.theme_similarity:.2f}"
    wildlife = next(t for t in model.topics_ if truth[t.representative[0]] == "wildlife")
    assert not wildlife.covered, "a subject no theme names is still flagged"


def test_a_phrase_takes_the_place_of_its_words():
    terms = ["appointment", "online", "book", "work", "gp", "gp_appointment", "online_booking"]
    weights = [1.5, 1.0, 0.6, 0.46, 0.42, 0.39, 0.16]
    assert label_terms(terms, weights) == ["gp_appointment", "online_booking"]
    assert label_terms(["week", "need", "care", "ward"], [1, 0.9, 0.8, 0.5]) == ["ward"]


def test_a_theme_from_a_topic_keeps_acronyms():
    from engage.nlp.topics import Topic

    topic = Topic(0, ["appointment"], ["gp_appointment"], [0], 1, 1.0,
                  portfolio="Integrated community and primary care services",
                  label_terms=["gp_appointment", "phone"])
    assert topic.label == "GP appointment / phone"
    assert topic_to_theme(topic).name == "GP appointment / phone"
