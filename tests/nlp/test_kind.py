"""Kind of comment: the estimator's contract, pickle-free storage, weak labels, the shipped
model on consultation wishes, and officers' corrections."""

import json

import numpy as np
import pytest

from engage.nlp import kind as kind_mod
from engage.nlp.kind import (
    CUES,
    DERIVED_CUES,
    KINDS,
    KindClassifier,
    KindError,
    check_kind,
    cue_matrix,
    is_fragment,
    is_nothing,
    load_examples,
    load_model,
    predict_kinds,
    weak_kind,
)

# Written for these tests (not in the shipped examples, not from any data file).
WISHES = [
    "A bigger car park at the community hospital.",
    "Evening clinics so working parents can come.",
    "I would love to see a dentist in every market town.",
    "There should be a minor injuries unit open at weekends in Blandford.",
    "Keeping the maternity unit where it is matters a lot to our family.",
    "More community nurses visiting people at home.",
]
COMPLAINTS = [
    "I waited four hours for an ambulance after my father collapsed.",
    "The surgery cancelled my appointment twice and nobody rang to tell me.",
    "My mother was discharged at midnight with no transport home.",
]
PRAISE = [
    "The staff at the hospice were kind and gentle with all of us.",
    "Superb care from the diabetes nurse, thank you.",
]
QUESTIONS = [
    "When will the new health centre in Gillingham open?",
    "Who decides which community hospitals keep their beds?",
]
# Issue 13: answers to "what matters to you?" that name a priority and report nothing. The
# model shipped before it called most of these praise or a complaint.
PRIORITIES = [
    "Having a health visitor who knows our family.",
    "Keeping the birth centre in Blandford.",
    "Being able to see a nurse without a long drive.",
    "Getting help for my son's anxiety before it becomes a crisis.",
    "Access to a pharmacist at weekends.",
    "Enough beds for people to recover near their families.",
    "Local physiotherapy for older people.",
    "Seeing the same midwife all the way through.",
    "Quick results after a scan.",
    "Not having to drive to Bournemouth for every test.",
]
# ... and what happened or is the case, in the same short form, stays praise or complaint.
REPORTED = [
    ("The midwife was lovely.", "praise"),
    ("The staff on the ward were brilliant.", "praise"),
    ("Our GP is fantastic.", "praise"),
    ("Fantastic care from the district nurses.", "praise"),
    ("The wait in A&E was awful.", "complaint"),
    ("The receptionist was rude to my mother.", "complaint"),
    ("I've waited eight months for a hearing test.", "complaint"),
    ("Rude receptionists.", "complaint"),
    ("Long waits for an ambulance.", "complaint"),
    # "too …" blames, whatever the verb (these read as praise before the cue covered them)
    ("Parking at the clinic costs far too much.", "complaint"),
    ("Trains to the hospital are too infrequent to be any use.", "complaint"),
]


@pytest.fixture(scope="module")
def shipped():
    return load_model()


def small_training():
    examples = load_examples()
    return [e.text for e in examples], [e.kind for e in examples]


def test_fit_follows_the_estimator_contract_and_predicts_known_kinds():
    texts, kinds = small_training()
    model = KindClassifier()
    assert model.fit(texts, kinds) is model
    assert set(model.classes_) <= set(KINDS)
    proba = model.predict_proba(WISHES)
    assert proba.shape == (len(WISHES), len(model.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(model.predict(WISHES)) <= set(model.classes_)


def test_unknown_kind_is_refused_with_the_choices():
    with pytest.raises(KindError, match="praise, complaint"):
        check_kind("rant")
    with pytest.raises(KindError):
        KindClassifier().fit(["a", "b"], ["praise", "rant"])


def test_model_round_trips_through_plain_json_with_the_same_probabilities(tmp_path):
    texts, kinds = small_training()
    model = KindClassifier().fit(texts, kinds)
    path = kind_mod.save_model(model, tmp_path / "kind.json", {"note": "test"})
    raw = json.loads(path.read_text())  # plain JSON: nothing to unpickle
    assert raw["format"] == "engage-kind" and raw["card"] == {"note": "test"}
    again = load_model(path)
    np.testing.assert_allclose(again.predict_proba(WISHES + COMPLAINTS),
                               model.predict_proba(WISHES + COMPLAINTS), atol=1e-3)


def test_damaged_or_foreign_model_file_is_one_clear_error(tmp_path):
    texts, kinds = small_training()
    data = KindClassifier().fit(texts, kinds).to_dict()
    data["coef"] = [row[:-3] for row in data["coef"]]
    (tmp_path / "short.json").write_text(json.dumps(data))
    with pytest.raises(KindError, match="do not match"):
        load_model(tmp_path / "short.json")
    (tmp_path / "other.json").write_text(json.dumps({"format": "something else"}))
    with pytest.raises(KindError, match="Not an Engage kind model"):
        load_model(tmp_path / "other.json")
    with pytest.raises(KindError, match="No kind model"):
        load_model(tmp_path / "missing.json")


def test_cues_fire_on_what_they_name():
    X = cue_matrix([kind_mod.normalise(t) for t in
                    ["Why is it closing?", "We would like more buses", "I waited six hours"]])
    names = [n for n, _p in CUES]
    assert X[0, names.index("ends_question")] and X[0, names.index("why")]
    assert X[1, names.index("modal_wish")] and X[1, names.index("more_of")]
    assert X[2, names.index("waited_for")] and not X[2, names.index("modal_wish")]


def test_priority_and_report_cues_fire_on_what_they_name():
    names = [n for n, _p in CUES] + list(DERIVED_CUES)
    X = cue_matrix([kind_mod.normalise(t) for t in [
        "Being able to see the same GP", "Care close to home", "Quick appointments",
        "Staff were lovely", "The receptionist is rude", "Very quick appointments"]]).toarray()
    on = [{names[j] for j in row.nonzero()[0]} for row in X]
    assert {"gerund_start", "access_to", "priority_form", "no_report"} <= on[0]
    assert {"near_home", "priority_form", "plain_fragment"} <= on[1]
    assert "plain_fragment" in on[2] and "priority_form" not in on[2]
    assert "past_report" in on[3] and "no_report" not in on[3] and "fragment" not in on[3]
    assert "state_verdict" in on[4] and "priority_form" not in on[4]
    assert "verdict" in on[5] and "plain_fragment" not in on[5]


def test_weak_labels_on_verbless_phrases_weigh_less():
    texts = ["Friendly staff", "Very friendly staff", "The staff were friendly",
             "Parking", "n/a", "More parking"]
    kinds = ["praise", "praise", "praise", "complaint", "none", "suggestion"]
    assert [is_fragment(t) for t in texts] == [True, False, False, True, False, True]
    weights = kind_mod.weak_weights(texts, kinds, pf_weight=0.5, fragment_weight=0.1,
                                    none_weight=0.0)
    np.testing.assert_allclose(weights, [0.05, 0.5, 0.5, 0.05, 0.0, 0.5])


def test_nothing_answers_are_none():
    for text in ["n/a", "N/A", "No comment.", "nothing to add", "Don't know", "-", ""]:
        assert is_nothing(text), text
    for text in ["No dentist anywhere", "Nothing was done about my complaint"]:
        assert not is_nothing(text), text


def test_weak_labels_read_the_question_and_the_sentiment():
    improve, good, why = "How could we improve?", "What was good?", "FFT Why?"
    assert weak_kind("You should have more staff on at night", improve, 3) == "suggestion"
    assert weak_kind("I waited three hours and nobody came", improve, 5) == "complaint"
    assert weak_kind("More parking please", improve, 4) == "suggestion"
    assert weak_kind("Everything was excellent", improve, 1) == "praise"
    assert weak_kind("Friendly staff", good, 1) == "praise"
    assert weak_kind("Rude driver", why, 5) == "complaint"
    assert weak_kind("n/a", why, 3) == "none"
    assert weak_kind("Fine", improve, float("nan")) is None


def test_shipped_model_reads_consultation_wishes_as_suggestions(shipped):
    predicted = list(shipped.predict(WISHES))
    assert predicted.count("suggestion") >= len(WISHES) - 1, predicted


def test_shipped_model_reads_priorities_as_suggestions(shipped):
    predicted = list(shipped.predict(PRIORITIES))
    assert predicted.count("suggestion") >= len(PRIORITIES) - 1, predicted


def test_shipped_model_keeps_reported_experiences_praise_or_complaint(shipped):
    predicted = list(shipped.predict([t for t, _k in REPORTED]))
    assert predicted == [k for _t, k in REPORTED]


def test_shipped_model_tells_complaints_praise_and_questions_apart(shipped):
    assert list(shipped.predict(COMPLAINTS)).count("complaint") >= len(COMPLAINTS) - 1
    assert list(shipped.predict(PRAISE)) == ["praise"] * len(PRAISE)
    assert list(shipped.predict(QUESTIONS)) == ["question"] * len(QUESTIONS)
    assert shipped.predict(["n/a"])[0] == "none"


#: A shortage stated in a few words is a complaint about how things are, not an empty answer:
#: "Not enough …" read as "none" like "Not sure" or "Not really" before the written examples
#: gave the model shortages.
SHORTAGES = ["Not enough district nurses", "Not enough buses", "Too few midwives",
             "Lack of speech therapists", "Not enough appointments at my surgery"]


def test_shipped_model_reads_a_short_shortage_as_a_complaint(shipped):
    assert list(shipped.predict(SHORTAGES)) == ["complaint"] * len(SHORTAGES)
    assert list(shipped.predict(["Not sure", "Not really"])) == ["none", "none"]


def test_officer_kinds_teach_the_model(shipped):
    text = "Fewer meetings about strategy."
    before, _ = predict_kinds([text], model=shipped)
    target = "complaint" if before[0] != "complaint" else "praise"
    officer = [(f"Fewer meetings about item {i}.", target) for i in range(40)] + \
              [(t, "suggestion") for t in WISHES] + [(t, "praise") for t in PRAISE]
    after, confidence = predict_kinds([text], officer=officer, model=shipped)
    assert after == [target] and 0 < confidence[0] <= 1


def test_a_few_officer_kinds_do_not_yet_change_the_model(shipped):
    text = "Fewer meetings about strategy."
    before, p_before = predict_kinds([text], model=shipped)
    few = [(f"Fewer meetings about item {i}.", "question") for i in range(5)]
    after, p_after = predict_kinds([text], officer=few, model=shipped)
    assert after == before and p_after[0] == pytest.approx(p_before[0])
