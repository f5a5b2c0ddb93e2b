"""Column roles: guessing from names and content, validation, saving and finding again."""

from __future__ import annotations

import csv
import json
import random

import pytest

from engage.errors import MappingError
from engage.importing.mapping import ROLE_LABELS, ROLES, SINGLE_ROLES, ColumnMapping, guess_mapping
from engage.importing.readers import Table, read_table

# Fragments for made-up answers; combined at random they give long, varied free text.
OPENINGS = ["The receptionist", "Getting through on the phone", "The minor injuries unit",
            "My community nurse", "Booking online", "The pharmacy in town", "The bus to hospital",
            "Physio after my operation", "The mental health team", "Our village surgery"]
MIDDLES = ["was quicker than I expected", "took three weeks to sort out", "made a real difference",
           "needs more staff at weekends", "is hard to reach without a car",
           "never returned my calls", "explained everything clearly", "kept changing the date"]
ENDINGS = ["and I would like that fixed.", "which worried my family.", "so thank you.",
           "but parking is still a problem.", "even though they were busy.",
           "and I had to chase it twice.", "which is not good enough for older people."]

SAMPLE_COLUMNS = [
    "Respondent ID", "Date submitted", "Postcode", "Locality", "Age band", "Sex", "Ethnicity",
    "Disability", "Carer", "Q1 What is working well for you?",
    "Q2 What should change in your area?", "Q3 Is there anything else you want to tell us?",
]
LOCALITIES = ["Weymouth & Portland", "Dorset West", "Mid Dorset", "North Dorset", "Purbeck",
              "East Dorset", "Christchurch", "Poole Bay"]
ETHNICITIES = ["White British", "White - any other White background",
               "Asian or Asian British - Indian", "Mixed - White and Black Caribbean",
               "Prefer not to say"]


def answer(rng: random.Random) -> str:
    roll = rng.random()
    if roll < 0.15:
        return ""
    if roll < 0.22:
        return rng.choice(["No", "n/a", "Nothing to add"])
    return f"{rng.choice(OPENINGS)} {rng.choice(MIDDLES)}, {rng.choice(ENDINGS)}"


def sample_export(n: int = 200, seed: int = 11) -> Table:
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        rows.append([
            f"{100000 + i * 7}",
            f"2024-{rng.randint(1, 9):02d}-{rng.randint(10, 28)} {rng.randint(8, 20)}:{rng.randint(10, 59)}",
            rng.choice(["DT1 2AB", "BH15 3QT", "DT4 8UW", "bh23 1hx", "", "BH12"]),
            rng.choice(LOCALITIES),
            rng.choice(["16-24", "25-34", "35-44", "45-54", "55-64", "65-74", "75+"]),
            rng.choice(["Female", "Male", "Prefer not to say"]),
            rng.choice(ETHNICITIES),
            rng.choice(["Yes", "No", "Prefer not to say"]),
            rng.choice(["Yes", "No"]),
            answer(rng), answer(rng), answer(rng),
        ])
    return Table(columns=list(SAMPLE_COLUMNS), rows=rows, source="sample.csv", file_format="csv")


EXPECTED_SAMPLE_ROLES = {
    "Respondent ID": "respondent_id", "Date submitted": "date", "Postcode": "postcode",
    "Locality": "place", "Age band": "age_band", "Sex": "sex", "Ethnicity": "ethnicity",
    "Disability": "disability", "Carer": "carer",
    "Q1 What is working well for you?": "comment",
    "Q2 What should change in your area?": "comment",
    "Q3 Is there anything else you want to tell us?": "comment",
}


def test_sample_export_is_mapped_right():
    mapping = guess_mapping(sample_export())
    assert mapping.roles == EXPECTED_SAMPLE_ROLES
    assert set(mapping.reasons) == set(SAMPLE_COLUMNS)
    assert all(reason.strip() for reason in mapping.reasons.values())


def test_sample_export_read_from_a_file_is_mapped_right(tmp_path):
    table = sample_export(300, seed=5)
    path = tmp_path / "export.csv"
    with path.open("w", newline="", encoding="utf-8-sig") as handle:
        csv.writer(handle).writerows([table.columns, *table.rows])
    assert guess_mapping(read_table(path, limit=120)).roles == EXPECTED_SAMPLE_ROLES


def test_small_preview_is_mapped_right():
    assert guess_mapping(sample_export(12, seed=3)).roles == EXPECTED_SAMPLE_ROLES


def make_table(columns: dict[str, list[str]]) -> Table:
    names = list(columns)
    rows = [list(values) for values in zip(*columns.values(), strict=True)]
    return Table(columns=names, rows=rows, source="made.csv", file_format="csv")


def test_content_decides_when_names_say_nothing():
    rng = random.Random(2)
    n = 60
    table = make_table({
        "A": [f"X{rng.randrange(10**8):08d}" for _ in range(n)],
        "B": [rng.choice(["DT1 1AA", "BH2 5RT", "DT11 9ZZ"]) for _ in range(n)],
        "C": [f"{rng.randint(1, 28)}/0{rng.randint(1, 9)}/2024" for _ in range(n)],
        "D": [rng.choice(["18-24", "25 to 34", "65+"]) for _ in range(n)],
        "E": [answer(rng) or "Fine" for _ in range(n)],
        "F": [rng.choice(["Online", "Paper", "Event"]) for _ in range(n)],
        "G": ["" for _ in range(n)],
        "H": ["Big Ask 2013" for _ in range(n)],
    })
    mapping = guess_mapping(table)
    assert mapping.roles == {
        "A": "respondent_id", "B": "postcode", "C": "date", "D": "age_band", "E": "comment",
        "F": "attribute", "G": "ignore", "H": "ignore",
    }


def test_named_id_wins_over_a_unique_looking_column():
    n = 30
    table = make_table({
        "Ref": [f"R{i}" for i in range(n)],
        "Token": [f"t{i * 13}" for i in range(n)],
        "Comment": [f"{OPENINGS[i % 10]} {MIDDLES[i % 8]} {ENDINGS[i % 7]} {i}" for i in range(n)],
    })
    roles = guess_mapping(table).roles
    assert roles["Ref"] == "respondent_id"
    assert roles["Token"] == "attribute"


def test_only_one_column_gets_each_single_role():
    n = 20
    table = make_table({
        "Collector ID": [f"C{i % 3}x{i}" for i in range(n)],
        "Response ID": [str(5000 + i) for i in range(n)],
        "Gender": ["Female", "Male"] * 10,
        "Is your gender the same as the sex you were registered at birth?": ["Yes"] * 19 + ["No"],
        "Comments": [f"{OPENINGS[i % 10]} {MIDDLES[i % 8]} {ENDINGS[i % 7]}" for i in range(n)],
    })
    mapping = guess_mapping(table)
    assert mapping.roles["Response ID"] == "respondent_id"
    assert mapping.roles["Collector ID"] == "ignore"  # survey metadata
    assert mapping.roles["Gender"] == "sex"
    assert mapping.roles["Is your gender the same as the sex you were registered at birth?"] == "attribute"
    assert "'Gender' fits better" in mapping.reasons[
        "Is your gender the same as the sex you were registered at birth?"]
    mapping.validate(table)


def test_values_veto_a_misleading_name():
    table = make_table({
        "Is your address up to date?": ["Yes", "No", "Yes", "Yes"] * 5,
        "Do you know your postcode?": ["Yes", "No"] * 10,
        "Comment": [f"{OPENINGS[i % 10]} {MIDDLES[i % 8]} {ENDINGS[i % 7]}" for i in range(20)],
    })
    roles = guess_mapping(table).roles
    assert roles["Is your address up to date?"] == "attribute"
    assert roles["Do you know your postcode?"] == "attribute"


def test_personal_contact_columns_are_ignored():
    n = 10
    table = make_table({
        "First name": [f"Person{i}" for i in range(n)],
        "Email address": [f"person{i}@example.org" for i in range(n)],
        "Contact": [f"someone{i}@example.net" for i in range(n)],
        "Home address": [f"{i} Long Street, Somewhere Town, Countyshire" for i in range(n)],
        "Comment": [f"{OPENINGS[i]} {MIDDLES[i % 8]} {ENDINGS[i % 7]}" for i in range(n)],
    })
    roles = guess_mapping(table).roles
    assert roles["First name"] == roles["Email address"] == roles["Contact"] == "ignore"
    assert roles["Home address"] == "ignore"
    assert roles["Comment"] == "comment"


def test_long_but_repeated_option_labels_are_not_comments():
    rng = random.Random(4)
    labels = ["I am responding as a member of the public",
              "I am responding on behalf of an organisation",
              "I work for the NHS or the council in Dorset"]
    table = make_table({
        "Respondent type": [rng.choice(labels) for _ in range(80)],
        "Views": [f"{rng.choice(OPENINGS)} {rng.choice(MIDDLES)} {rng.choice(ENDINGS)}" for _ in range(80)],
    })
    roles = guess_mapping(table).roles
    assert roles["Respondent type"] == "attribute"
    assert roles["Views"] == "comment"


def test_uuid_ids_are_not_free_text():
    rng = random.Random(9)
    ids = ["-".join(f"{rng.randrange(16 ** k):0{k}x}" for k in (8, 4, 4, 4, 12)) for _ in range(40)]
    table = make_table({"Token": ids, "Say": [f"{OPENINGS[i % 10]} {MIDDLES[i % 8]} {i}" for i in range(40)]})
    roles = guess_mapping(table).roles
    assert roles["Token"] == "respondent_id"
    assert roles["Say"] == "comment"


def test_short_comment_column_named_for_comments():
    table = make_table({
        "ID": [str(i) for i in range(12)],
        "Any other comments": ["More buses", "Open later", "Kind staff", "Fix the lift",
                               "Fewer forms", "Quicker results", "Better signs", "More parking",
                               "Faster calls", "Warmer room", "Clean toilets", "Longer hours"],
    })
    assert guess_mapping(table).roles["Any other comments"] == "comment"


# --------------------------------------------------------------------------------------------
# ColumnMapping


def mapping_for_sample() -> ColumnMapping:
    return ColumnMapping(roles=dict(EXPECTED_SAMPLE_ROLES))


def test_helpers():
    mapping = ColumnMapping(roles={"ID": "respondent_id", "Q1": "comment", "Team": "attribute",
                                   "Q2": "comment", "Venue": "attribute", "Junk": "ignore"})
    assert mapping.comment_columns == ["Q1", "Q2"]
    assert mapping.attribute_columns == ["Team", "Venue"]
    assert mapping.column_for("respondent_id") == "ID"
    assert mapping.column_for("date") is None
    assert mapping.role_of("Not there") == "ignore"
    with pytest.raises(ValueError):
        mapping.column_for("favourite colour")


def test_set_role_replaces_guess_and_reason():
    mapping = guess_mapping(sample_export(30))
    mapping.set_role("Carer", "attribute")
    assert mapping.role_of("Carer") == "attribute"
    assert mapping.reasons["Carer"] == "Chosen by you."
    with pytest.raises(ValueError):
        mapping.set_role("Carer", "nonsense")


def test_json_round_trip_through_text_and_dict():
    mapping = guess_mapping(sample_export(40))
    stored = json.dumps(mapping.to_json())
    assert ColumnMapping.from_json(stored) == mapping
    assert ColumnMapping.from_json(json.loads(stored)).roles == mapping.roles
    assert list(ColumnMapping.from_json(stored).roles) == list(mapping.roles)


@pytest.mark.parametrize("bad", ["not json", "[1, 2]", '{"nothing": 1}', '{"roles": [1]}',
                                 '{"roles": {"Q1": "opinion"}}'])
def test_unreadable_saved_mapping(bad):
    with pytest.raises(MappingError):
        ColumnMapping.from_json(bad)


def test_signature_ignores_order_and_notices_changes():
    columns = list(SAMPLE_COLUMNS)
    shuffled = list(reversed(columns))
    assert ColumnMapping.signature(columns) == ColumnMapping.signature(shuffled)
    assert ColumnMapping.signature(columns) != ColumnMapping.signature(columns[:-1])
    assert ColumnMapping.signature(columns) != ColumnMapping.signature([*columns[:-1], "Q3 other"])
    assert ColumnMapping.signature(["a b", "c"]) != ColumnMapping.signature(["a", "b c"])
    assert mapping_for_sample().signature(columns) == ColumnMapping.signature(columns)


def test_validate_accepts_the_sample():
    mapping_for_sample().validate(sample_export(10))


def test_validate_needs_a_comment_column():
    mapping = mapping_for_sample()
    for column in mapping.comment_columns:
        mapping.set_role(column, "attribute")
    with pytest.raises(MappingError, match="No column is mapped as a comment"):
        mapping.validate(sample_export(10))


def test_validate_refuses_two_id_columns():
    mapping = mapping_for_sample()
    mapping.set_role("Postcode", "respondent_id")
    with pytest.raises(MappingError) as caught:
        mapping.validate(sample_export(10))
    assert "'Respondent ID'" in str(caught.value) and "'Postcode'" in str(caught.value)
    assert ROLE_LABELS["respondent_id"] in str(caught.value)


def test_validate_names_a_missing_column():
    mapping = mapping_for_sample()
    mapping.roles["Q4 What about dentists?"] = "comment"
    with pytest.raises(MappingError, match=r"sample\.csv has no column 'Q4 What about dentists\?'"):
        mapping.validate(sample_export(10))


def test_validate_ignores_missing_columns_that_were_ignored_anyway():
    mapping = mapping_for_sample()
    mapping.roles["Old column"] = "ignore"
    mapping.validate(sample_export(10))


def test_validate_refuses_unknown_role():
    mapping = mapping_for_sample()
    mapping.roles["Carer"] = "helper"
    with pytest.raises(MappingError, match="unknown role 'helper'"):
        mapping.validate(sample_export(10))


def test_roles_and_labels_agree():
    assert set(ROLE_LABELS) == set(ROLES)
    assert set(ROLES) > SINGLE_ROLES
    assert "comment" not in SINGLE_ROLES and "attribute" not in SINGLE_ROLES


def test_a_second_open_question_with_many_short_answers_is_a_comment_column():
    """650 rows: a closed question, then "anything else?" answered by a few hundred, some
    with sentences, many with short or repeated replies."""
    rng = random.Random(5)
    short = ["No", "n/a", "Nothing", "No thanks", "All good", "Great service", "Thank you"]
    rows = []
    for i in range(650):
        roll = rng.random()
        if roll < 0.55:
            other = ""
        elif roll < 0.8:
            other = rng.choice(short)
        else:
            other = f"{rng.choice(OPENINGS)} {rng.choice(MIDDLES)} (visit {i})."
        rows.append([str(i), rng.choice(["Very good", "Good", "Poor"]), other])
    table = Table(columns=["ID", "How was your visit?",
                           "Is there anything else you would like to tell us?"],
                  rows=rows, source="smart.csv", file_format="csv")
    mapping = guess_mapping(table)
    assert mapping.roles["Is there anything else you would like to tell us?"] == "comment"
    assert mapping.roles["How was your visit?"] == "attribute"


def test_a_list_of_long_options_stays_an_attribute():
    options = ["I am a patient registered at the practice", "I care for someone who is a patient",
               "I work for the NHS in Dorset", "I am answering for a community group",
               "I am a member of the public"]
    rows = [[str(i), options[i % 5], f"{OPENINGS[i % 10]} {MIDDLES[i % 8]} {ENDINGS[i % 7]}"]
            for i in range(300)]
    table = Table(columns=["ID", "Which best describes you?", "Comments"], rows=rows,
                  source="options.csv", file_format="csv")
    assert guess_mapping(table).roles["Which best describes you?"] == "attribute"


def test_long_layout_is_found_and_can_be_overridden():
    rows = []
    for person in range(30):
        for q in ("What was good?", "What could we do better?"):
            rows.append([f"P{person}", q, f"{OPENINGS[person % 10]} {MIDDLES[person % 8]}."])
    table = Table(columns=["Patient ID", "Question asked", "Reply"], rows=rows,
                  source="long.csv", file_format="csv")
    mapping = guess_mapping(table)
    assert (mapping.layout, mapping.column_for("question")) == ("long", "Question asked")
    assert mapping.column_for("respondent_id") == "Patient ID"
    assert mapping.comment_columns == ["Reply"]
    assert guess_mapping(table, layout="wide").layout == "wide"
    with pytest.raises(MappingError, match="no column 'Nope'"):
        guess_mapping(table, question_column="Nope")
