"""A small analysed project for the coding, agreement and topics view tests.

Built straight through the core (no NLP run), so every suggestion, evidence term and topic is
known to the test. The comment texts are written for these tests.
"""

from __future__ import annotations

from pathlib import Path

from engage.analysis import store
from engage.project import Project

OFFICER = "Robin Tester"
TAXONOMY = [
    {"name": "One acute network", "themes": [
        {"name": "Waiting times", "seed_terms": ["wait", "waiting list"]},
        {"name": "Travel to services", "seed_terms": ["bus", "parking"]}]},
    {"name": "Digital", "themes": [
        {"name": "Online access", "seed_terms": ["app", "online"]},
        {"name": "Digital exclusion", "seed_terms": ["no internet"]}]},
]
TEXTS = [
    "We waited eleven weeks and the waiting lists keep growing.",
    "The bus from our village stops before the clinic finishes.",
    "Booking through the app was quick once I got used to it.",
    "Parking near outpatients is impossible on a weekday morning.",
    "My mother has no internet so every letter has to be posted.",
    "Waiting on the phone for forty minutes just to book a blood test.",
    "The online form kept crashing and nobody answered the helpline.",
    "Two buses each way to see the consultant for ten minutes.",
    "The receptionist was kind and sorted my repeat prescription quickly.",
    "I had to wait in the car park because the waiting room was full.",
    "Could the surgery text reminders instead of sending letters?",
    "Volunteer drivers are the only way my neighbour gets to hospital.",
]
# (comment index, outcome, [(theme, probability, evidence)]) — 'coded' suggestions count.
SUGGESTIONS = [
    (0, "coded", [("Waiting times", 0.92, ["wait", "waiting list"])]),
    (1, "coded", [("Travel to services", 0.81, ["bus"])]),
    (2, "coded", [("Online access", 0.77, ["app"])]),
    (3, "coded", [("Travel to services", 0.66, ["parking"])]),
    (4, "uncertain", [("Digital exclusion", 0.44, ["no internet"])]),
    (5, "uncertain", [("Waiting times", 0.41, ["wait"]), ("Online access", 0.3, [])]),
    (6, "coded", [("Online access", 0.7, ["online"])]),
    (7, "uncertain", [("Travel to services", 0.38, ["bus"])]),
    (8, "no_theme", []),
    (9, "coded", [("Waiting times", 0.6, ["wait"]), ("Travel to services", 0.55, ["parking"])]),
    (10, "uncertain", [("Online access", 0.35, [])]),
    (11, "uncertain", [("Travel to services", 0.29, [])]),
]
TOPICS = [
    {"label": "letter / post / text", "top_terms": ["letter", "post", "text"],
     "top_phrases": ["repeat_prescription"], "representative_ids": [5, 11], "size": 2,
     "covered": 0},
    {"label": "bus / hospital / drive", "top_terms": ["bus", "hospital", "drive"],
     "top_phrases": [], "representative_ids": [2, 8, 12], "size": 3, "covered": 1},
]


def build(path: Path) -> Path:
    """Write the project to `path`; comment ids are 1..12 in TEXTS order."""
    with Project.create(path, overwrite=True, user=OFFICER) as p:
        with p.transaction("seed"):
            cid = p.db["consultations"].insert({"name": "Workbench test",
                                                "created_at": "2013-01-01"}).last_pk
            qid = p.db["questions"].insert({"consultation_id": cid, "label": "Q1",
                                            "text": "What matters to you?"}).last_pk
            for i, text in enumerate(TEXTS, start=1):
                p.db["respondents"].insert({"id": i, "consultation_id": cid,
                                            "external_id": f"W{i:03d}"})
                p.db["comments"].insert({"id": i, "consultation_id": cid, "question_id": qid,
                                         "respondent_id": i, "text": text, "substantive": 1})
        store.install_taxonomy(p, TAXONOMY)
        ids = {t["name"]: t["id"] for t in store.themes(p)}
        portfolios = {x["name"]: x["id"] for x in store.portfolios(p)}
        topics = [dict(TOPICS[0], suggested_portfolio_id=portfolios["Digital"]),
                  dict(TOPICS[1], suggested_portfolio_id=portfolios["One acute network"])]
        results = [store.CommentResult(
            i + 1, outcome, 4 if i % 3 else 2, 0.7, 1.0 - i / 20,
            [(ids[name], prob, evidence) for name, prob, evidence in suggestions],
            tokens="a b", topic_id=0 if i in (4, 10) else 1)
            for i, outcome, suggestions in SUGGESTIONS]
        run = store.start_run(p, "test", {})
        store.save_results(p, run, results, topics=topics)
    return path


def theme_ids(project: Project) -> dict[str, int]:
    return {t["name"]: t["id"] for t in store.themes(project)}


def state(project: Project, comment_ids) -> dict:
    """Everything an officer action can change on these comments."""
    return {cid: (store.comment_codings(project, cid), store.comment_analysis(project, cid))
            for cid in comment_ids}
