"""A sample project for the co-production views: the sample register and actions, plus a
few respondents placed, placeable by postcode, and unplaceable — built once, copied per test."""

from __future__ import annotations

import shutil

import pytest

from engage.coproduction.sample import add_sample_activities
from engage.project import Project
from tests.coproduction.conftest import add_consultation, add_respondents, place_id


@pytest.fixture(scope="session")
def sample_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("coproduction") / "sample.engage"
    with Project.create(path, user="tester") as project:
        consultation = add_consultation(project, "Listening 2019")
        add_respondents(project, consultation, place_id(project, "Purbeck"), 5)
        add_respondents(project, consultation, None, 3, district="BH20")
        add_respondents(project, consultation, None, 2, place_raw="Atlantis")
        add_sample_activities(project)
    return path


@pytest.fixture
def sample(sample_file, tmp_path):
    """The GUI thread's connection to a fresh copy of the sample."""
    copy = tmp_path / "sample.engage"
    shutil.copy(sample_file, copy)
    with Project.open(copy, user="tester") as project:
        yield project
