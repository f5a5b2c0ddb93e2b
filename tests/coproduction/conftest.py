"""Fixtures for the co-production tests: fresh projects and small hand-built ones.

Respondents and comments are written straight into the tables here, so each test states
exactly who lives where and can work out the expected figures itself.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from engage.project import Project


@pytest.fixture
def project(tmp_path) -> Project:
    with Project.create(tmp_path / "test.engage", user="tester") as opened:
        yield opened


def place_id(project: Project, name: str) -> int:
    row = project.db.execute("SELECT id FROM places WHERE name = ?", [name]).fetchone()
    assert row, f"no place {name}"
    return row[0]


def add_consultation(project: Project, name: str = "Listening 2019") -> int:
    return project.db["consultations"].insert({"name": name, "created_at": "2019-01-01"}).last_pk


def add_respondents(project: Project, consultation_id: int, place: int | None, count: int,
                    district: str | None = None, place_raw: str = "") -> list[int]:
    """`count` respondents in `place` (None: no place), each with one comment."""
    question = project.db.execute("SELECT id FROM questions WHERE consultation_id = ?",
                                  [consultation_id]).fetchone()
    question_id = question[0] if question else project.db["questions"].insert(
        {"consultation_id": consultation_id, "label": "Q1", "text": "Q1", "position": 1}).last_pk
    start = project.db.execute("SELECT count(*) FROM respondents").fetchone()[0]
    ids = []
    with project.db.atomic():
        for i in range(count):
            rid = project.db["respondents"].insert({
                "consultation_id": consultation_id, "external_id": f"R{start + i + 1}",
                "place_id": place, "postcode_district": district, "place_raw": place_raw,
            }).last_pk
            ids.append(rid)
            project.db["comments"].insert({
                "consultation_id": consultation_id, "question_id": question_id,
                "respondent_id": rid, "text": f"a comment from respondent {rid}"})
    return ids


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def audit_count(project: Project) -> int:
    return project.db.execute("SELECT count(*) FROM audit").fetchone()[0]


def table_counts(project: Project) -> dict[str, int]:
    """Row counts of every co-production and place table: equal before and after = untouched."""
    tables = ("activities", "activity_places", "activity_partners", "activity_groups",
              "activity_portfolios", "activity_themes", "activity_evidence", "partners",
              "actions", "postcode_districts", "places", "place_aliases", "audit")
    return {t: project.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}
