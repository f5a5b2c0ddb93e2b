"""A small analysed project built through the core, for the report and export tests.

The comments are written for these tests. They include the awkward cases a report must
survive: a script tag, cells a spreadsheet would run as formulas, placeholders, an exact
duplicate, a near-duplicate campaign group, personal data to mask and a place nobody knows.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from engage.analysis import store
from engage.importing.importer import import_file
from engage.importing.mapping import ColumnMapping
from engage.project import Project

CONSULTATION = "Winter listening exercise"
Q1 = "What matters most to you about local health services?"
Q2 = "Anything else you would like to tell us?"
COLUMNS = ("Response ID", "Submitted", "Locality", "Age group", "Gender", "Ethnic group",
           "Disability", "Unpaid carer", "Ward", Q1, Q2)
MAPPING = ColumnMapping(roles={
    "Response ID": "respondent_id", "Submitted": "date", "Locality": "place",
    "Age group": "age_band", "Gender": "sex", "Ethnic group": "ethnicity",
    "Disability": "disability", "Unpaid carer": "carer", "Ward": "attribute",
    Q1: "comment", Q2: "comment"})

TAXONOMY = [
    {"name": "One acute network", "description": "Hospital services across the county.",
     "themes": [
         {"name": "Waiting times", "description": "How long people wait to be seen."},
         {"name": "Hospital parking", "description": "Parking at and around hospitals."}]},
    {"name": "Digital", "description": "Online and phone access to care.",
     "themes": [{"name": "Online booking", "description": "Booking and ordering online."}]},
    {"name": "Prevention at scale", "description": "Helping people stay well.",
     "themes": [{"name": "Carer support", "description": "Respite and help for carers."},
                {"name": "Healthy living", "description": "Exercise, food and wellbeing."}]},
]

# keyword -> theme: the 'model' of these tests, so expectations follow from the texts.
KEYWORDS = {"wait": "Waiting times", "parking": "Hospital parking", "park ": "Hospital parking",
            "online": "Online booking", " app ": "Online booking", "carer": "Carer support",
            "respite": "Carer support", "walk": "Healthy living", "exercise": "Healthy living"}
NEGATIVE = ("too long", "never", "cost", "awful", "not happy", "worse", "<script>")
POSITIVE = ("thank", "brilliant", "works well", "kind", "helpful")

CAMPAIGN = "Save our community hospital beds: we need them and we need them close to home"

# id, date, locality, age, sex, ethnicity, disability, carer, ward, Q1, Q2
ROWS = [
    ("R01", "03/01/2024", "Weymouth", "65-74", "Female", "White British", "No", "Yes", "Rodwell",
     "Waiting six weeks for a GP appointment is far too long for someone my age",
     "As a carer I never get any respite, even one afternoon a month would help"),
    ("R02", "03/01/2024", "Poole", "35-44", "Male", "White British", "No", "No", "Hamworthy",
     "Booking online through the app works well and saves me a phone call", "n/a"),
    ("R03", "04/01/2024", "Weymouth & Portland", "75+", "Female", "White Other", "Yes", "No", "",
     "Parking at the hospital costs a fortune and there are never spaces near outpatients",
     "The nurses on the ward were kind and brilliant with my husband"),
    ("R04", "04/01/2024", "Purbeck", "45-54", "", "Asian British", "No", "Yes", "Swanage",
     "<script>alert('x')</script> the wait in A&E was awful", ""),
    ("R05", "05/01/2024", "Christchurch", "18-24", "Female", "Mixed", "No", "No", "",
     "=HYPERLINK(\"http://example.org\") online forms are confusing", "no comment"),
    ("R06", "05/01/2024", "Mars", "55-64", "Male", "White British", "Prefer not to say", "No", "",
     "+ more walking groups and exercise classes for older people please",
     "@everyone should be able to park for free when visiting a relative"),
    ("R07", "06/01/2024", "Poole Bay", "65-74", "Female", "White British", "No", "Yes", "",
     "-not happy that respite for carers was cut last year", "Thank you to the district nurses"),
    ("R08", "06/01/2024", "Weymouth", "35-44", "Male", "Black British", "No", "No", "",
     "Please email me at jo.bloggs@example.org about the waiting list for my knee", ""),
    ("R09", "07/01/2024", "Purbeck", "25-34", "Female", "White British", "No", "No", "",
     "Waiting six weeks for a GP appointment is far too long for someone my age", ""),
    ("R10", "07/01/2024", "Central Bournemouth", "45-54", "Male", "White British", "No", "No",
     "", CAMPAIGN, ""),
    ("R11", "08/01/2024", "Central Bournemouth", "55-64", "Female", "White British", "Yes", "No",
     "", CAMPAIGN + "!", ""),
    ("R12", "08/01/2024", "Poole", "65-74", "Male", "White British", "No", "Yes", "",
     "Please save our community hospital beds, we need them close to home", ""),
    ("R13", "09/01/2024", "Christchurch", "75+", "Female", "White British", "Yes", "No", "",
     "The app for repeat prescriptions is brilliant and the pharmacy is helpful", ""),
    ("R14", "09/01/2024", "", "", "", "", "", "", "",
     "Walking routes by the sea and free exercise in the park keep me well", "n/a"),
    ("R15", "10/01/2024", "Christchurch", "35-44", "Male", "White British", "No", "No", "",
     "I am not sure whether booking online would suit my mother", ""),
]

NEAR_DUP_GROUP = 900  # R10-R12: one campaign counted once


def write_export(path: Path, rows=ROWS) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return path


def model_themes(text: str) -> list[str]:
    low = text.lower()
    return sorted({theme for word, theme in KEYWORDS.items() if word in low})


def model_sentiment(text: str) -> int:
    low = text.lower()
    if any(w in low for w in NEGATIVE):
        return 5 if "awful" in low or "never" in low else 4
    if any(w in low for w in POSITIVE):
        return 1 if "brilliant" in low else 2
    return 3


def analyse(project: Project) -> dict[str, int]:
    """Write 'model' results for every substantive comment; return theme name → id."""
    ids = {t["name"]: t["id"] for t in store.themes(project)}
    run = store.start_run(project, "test-model 1.0", {"seed": 1})
    results = []
    for cid, text in store.comments_to_analyse(project):
        themes = model_themes(text)
        unsure = "confusing" in text or "not sure" in text
        outcome = "coded" if themes and not unsure else ("uncertain" if themes else "no_theme")
        group = NEAR_DUP_GROUP if "community hospital beds" in text else None
        results.append(store.CommentResult(
            cid, outcome, model_sentiment(text), 0.8, 0.5,
            [(ids[t], 0.9 if outcome == "coded" else 0.45, [t.split()[0].lower()])
             for t in themes],
            tokens=" ".join(w.strip(".,!?:'").lower() for w in text.split() if len(w) > 3),
            near_dup_group=group))
    store.save_results(project, run, results)
    return ids


def comment_id(project: Project, starts_with: str, respondent: str | None = None) -> int:
    sql = ("SELECT m.id FROM comments m JOIN respondents r ON r.id = m.respondent_id "
           "WHERE m.text LIKE ?")
    params = [starts_with + "%"]
    if respondent:
        sql += " AND r.external_id = ?"
        params.append(respondent)
    row = project.db.execute(sql + " ORDER BY m.id", params).fetchone()
    assert row, starts_with
    return row[0]


def build(tmp_path: Path) -> Project:
    project = Project.create(tmp_path / "winter.engage", user="sam")
    import_file(project, write_export(tmp_path / "winter_export.csv"), CONSULTATION,
                mapping=MAPPING)
    store.install_taxonomy(project, TAXONOMY)
    ids = analyse(project)
    # The officer's review: one rejection, one addition, an accepted uncertain suggestion,
    # a corrected sentiment and a key quote.
    store.set_coding_decision(project, [comment_id(project, "Please email")],
                              ids["Waiting times"], "rejected")
    store.set_coding_decision(project, [comment_id(project, "Please email")],
                              ids["Online booking"], "accepted")
    store.set_coding_decision(project, [comment_id(project, "=HYPERLINK")],
                              ids["Online booking"], "accepted")
    store.set_coding_decision(project, [comment_id(project, "Waiting six weeks", "R01")],
                              ids["Waiting times"], "accepted")
    store.set_officer_sentiment(project, [comment_id(project, "Booking online")], 1)
    store.set_key_quote(project, [comment_id(project, "As a carer")], True)
    return project


@pytest.fixture
def project(tmp_path):
    p = build(tmp_path)
    yield p
    p.close()


@pytest.fixture(scope="module")
def shared_project(tmp_path_factory):
    """One built project for read-only tests (building takes a moment)."""
    p = build(tmp_path_factory.mktemp("shared"))
    yield p
    p.close()
