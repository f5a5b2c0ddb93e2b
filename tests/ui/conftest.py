"""Fixtures for the Qt tests: small projects built through the core, isolated settings.

Shared by the browser and import-wizard tests; add fixtures by appending below.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from engage.project import Project

CONSULTATION = "Test listening exercise"
COLUMNS = ("Respondent ID", "Date", "Locality", "Age band",
           "What works well in your local health services?",
           "What would make the biggest difference to you?",
           "Is there anything else you would like to tell us?")
QUESTION_COLUMNS = COLUMNS[4:]
LOCALITIES = ("Weymouth & Portland", "Poole Bay", "Purbeck", "Christchurch")
AGE_BANDS = ("18-34", "35-64", "65+")
# Written for these tests; short, plain and varied enough to search.
PHRASES = (
    "Parking at the hospital costs too much and there are never enough spaces",
    "The practice nurse was patient and explained my new medicine clearly",
    "Waiting three weeks for a GP appointment is far too long",
    "Buses to Dorchester do not run early enough for morning clinics",
    "Booking online through the app works well for our family",
    "Carers need more respite so they can keep going",
    "The minor injuries unit saw my son quickly on a Sunday",
)
PLACEHOLDER = "n/a"


@dataclass
class Survey:
    """A survey export written to disk, and the rows behind it for computing expectations."""

    path: Path
    rows: list[dict]

    def cells(self, question: str | None = None) -> list[tuple[dict, str]]:
        """(row, text) for every non-empty answer, in the importer's order (row, then column)."""
        out = []
        for row in self.rows:
            for column in QUESTION_COLUMNS:
                if row[column].strip() and question in (None, column):
                    out.append((row, row[column]))
        return out

    def count(self, predicate=lambda row, text: True, question: str | None = None) -> int:
        return sum(1 for row, text in self.cells(question) if predicate(row, text))

    def count_word(self, word: str) -> int:
        pattern = re.compile(rf"\b{re.escape(word)}\b", re.IGNORECASE)
        return self.count(lambda _row, text: bool(pattern.search(text)))


def survey_rows(respondents: int = 30, start: int = 1) -> list[dict]:
    """A wide export: three open questions, a placeholder now and then, repeated answers."""
    rows = []
    for i in range(start, start + respondents):
        row = {
            "Respondent ID": f"T{i:04d}",
            "Date": f"{(i % 27) + 1:02d}/06/2013",
            "Locality": LOCALITIES[i % len(LOCALITIES)],
            "Age band": AGE_BANDS[i % len(AGE_BANDS)],
            # each first answer is unique; the second repeats a phrase (exact duplicates)
            QUESTION_COLUMNS[0]: f"{PHRASES[i % len(PHRASES)]}, says respondent {i}.",
            QUESTION_COLUMNS[1]: PLACEHOLDER if i % 5 == 0 else PHRASES[(i + 3) % len(PHRASES)],
            QUESTION_COLUMNS[2]: "" if i % 2 else
            f"Also, number {i}: {PHRASES[(i + 5) % len(PHRASES)].lower()}.",
        }
        rows.append(row)
    if start == 1 and respondents >= 4:
        rows[3][QUESTION_COLUMNS[2]] = "Please ring me back on 01305 224466 about the clinic."
    return rows


def write_survey(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(COLUMNS))
        writer.writeheader()
        writer.writerows(rows)
    return path


def import_survey(project: Project, path: Path):
    """Import with an explicit mapping, so these tests do not depend on the guesser."""
    from engage.importing.importer import import_file
    from engage.importing.mapping import ColumnMapping

    roles = {"Respondent ID": "respondent_id", "Date": "date", "Locality": "place",
             "Age band": "age_band", **{column: "comment" for column in QUESTION_COLUMNS}}
    return import_file(project, path, CONSULTATION, mapping=ColumnMapping(roles=roles))


@pytest.fixture(autouse=True)
def isolated_settings(tmp_path_factory, monkeypatch):
    """Keep recent projects and window geometry out of the real user's config."""
    folder = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("ENGAGE_CONFIG_DIR", str(folder))
    return folder


@pytest.fixture
def survey(tmp_path) -> Survey:
    rows = survey_rows()
    return Survey(write_survey(tmp_path / "survey.csv", rows), rows)


@pytest.fixture
def project_path(tmp_path, survey) -> Path:
    """A project file holding the `survey` export."""
    path = tmp_path / "test.engage"
    with Project.create(path) as project:
        import_survey(project, survey.path)
    return path


@pytest.fixture
def project(project_path):
    """The GUI thread's connection to `project_path`."""
    with Project.open(project_path) as opened:
        yield opened


@pytest.fixture(scope="session")
def analysed_sample_path(tmp_path_factory) -> Path:
    """The sample project, imported and analysed once per session (about 15 s). Read it only:
    tests that write take a copy (`copy_project`)."""
    from engage.demo import build_demo_project

    return build_demo_project(tmp_path_factory.mktemp("analysed-sample") / "sample.engage")


def copy_project(source: Path, target: Path) -> Path:
    """A project file with its write-ahead log, for a test that writes."""
    import shutil

    for suffix in ("", "-wal"):
        if Path(str(source) + suffix).exists():
            shutil.copyfile(str(source) + suffix, str(target) + suffix)
    return target


@pytest.fixture(autouse=True)
def officer_dialog(monkeypatch):
    """The officer-name dialog is modal: answer it with `answers` (None = Cancel), record the
    asks; and leave ENGAGE_OFFICER as it was, since the window publishes the name there."""
    import ui.officer

    monkeypatch.setenv("ENGAGE_OFFICER", "")
    monkeypatch.delenv("ENGAGE_OFFICER")
    asked: list[str] = []
    answers: list[str | None] = []

    def ask(_parent, current):
        asked.append(current)
        return answers.pop(0) if answers else None
    monkeypatch.setattr(ui.officer, "ask_officer_name", ask)
    return asked, answers
