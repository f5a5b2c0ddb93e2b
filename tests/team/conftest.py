"""A small lead project for team-coding tests: one consultation, two questions, 40 comments
from respondents in four places, three themes and the model's suggestions."""

from __future__ import annotations

import pytest

from engage.analysis import store
from engage.project import Project

TAXONOMY = [
    {"name": "One acute network", "themes": [{"name": "Waiting times"},
                                             {"name": "Travel to services"}]},
    {"name": "Digital", "themes": [{"name": "Online access"}]},
]
# Written for these tests.
PHRASES = ["the wait for a first appointment", "two buses to reach the clinic",
           "booking online kept failing", "staff were kind on the ward",
           "parking costs too much", "the app lost my referral"]


def theme_ids(project) -> dict[str, int]:
    return {t["name"]: t["id"] for t in store.themes(project)}


def build_lead(path, comments: int = 40) -> Project:
    p = Project.create(path, user="Lead Officer")
    places = [r[0] for r in p.db.execute(
        "SELECT id FROM places WHERE kind = 'locality' ORDER BY id LIMIT 4")]
    with p.transaction("seed"):
        cid = p.db["consultations"].insert({"name": "Big Ask test", "created_at": "x"}).last_pk
        q1 = p.db["questions"].insert({"consultation_id": cid, "label": "What matters / why?",
                                       "text": "What matters to you, and why?"}).last_pk
        q2 = p.db["questions"].insert({"consultation_id": cid, "label": "Q2"}).last_pk
        for i in range(1, comments + 1):
            p.db["respondents"].insert({"id": i, "consultation_id": cid, "external_id": f"R{i}",
                                        "place_id": places[i % 4]})
            p.db["comments"].insert({"id": i, "consultation_id": cid,
                                     "question_id": q1 if i % 3 else q2, "respondent_id": i,
                                     "text": f"Comment {i}: {PHRASES[i % len(PHRASES)]}."})
    store.install_taxonomy(p, TAXONOMY)
    t = theme_ids(p)
    run = store.start_run(p, "test", {})
    store.save_results(p, run, [
        store.CommentResult(i, "coded" if i % 2 else "uncertain", 3, 0.7, 0.5,
                            [(t["Waiting times"] if i % 3 else t["Online access"], 0.7, [])])
        for i in range(1, comments + 1)])
    return p


@pytest.fixture
def lead(tmp_path):
    p = build_lead(tmp_path / "lead.engage")
    yield p
    p.close()
