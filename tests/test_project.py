"""The project file: creation, migrations, transactions and audit, refusals."""

import sqlite3

import pytest

from engage import schema
from engage.errors import ProjectError
from engage.project import Project


@pytest.fixture
def project(tmp_path):
    with Project.create(tmp_path / "p.engage", user="tester") as p:
        yield p


def test_new_project_has_schema_dorset_places_and_settings(project):
    versions = {row[0] for row in project.db.execute("SELECT version FROM migrations")}
    assert versions == {v for v, _n, _f in schema.MIGRATIONS}
    localities = project.places("locality")
    assert len(localities) == 13
    assert {p["name"] for p in localities} >= {"Poole Bay", "Purbeck", "Weymouth & Portland"}
    assert all(p["population_is_estimate"] == 1 for p in localities)
    assert project.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert project.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_transaction_commits_with_audit(project):
    with project.transaction("add consultation") as tx:
        cid = project.db["consultations"].insert({"name": "Survey", "created_at": "x"}).last_pk
        tx.audit("consultation", cid, None, {"name": "Survey"})
    log = project.audit_log()
    assert log[0]["action"] == "add consultation"
    assert log[0]["user"] == "tester"
    assert log[0]["entity_id"] == cid


def test_failed_transaction_keeps_nothing_not_even_audit(project):
    with pytest.raises(RuntimeError), project.transaction("doomed") as tx:
        project.db["consultations"].insert({"name": "Half", "created_at": "x"})
        tx.audit("consultation", 1, None, {})
        raise RuntimeError("boom")
    assert project.consultations() == []
    assert project.audit_log() == []


def test_reopen_keeps_data_and_does_not_reapply_migrations(tmp_path):
    path = tmp_path / "p.engage"
    with Project.create(path) as p:
        p.set_setting("title", "Dorset")
    with Project.open(path) as p:
        assert p.get_setting("title") == "Dorset"
        assert len(p.places("locality")) == 13


def test_create_refuses_to_overwrite_unless_asked(tmp_path):
    path = tmp_path / "p.engage"
    Project.create(path).close()
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(path)
    Project.create(path, overwrite=True).close()


@pytest.mark.parametrize("content", [b"hello, this is a text file", b"PK\x03\x04zipzip"])
def test_open_rejects_non_projects_clearly(tmp_path, content):
    path = tmp_path / "not.engage"
    path.write_bytes(content)
    with pytest.raises(ProjectError, match="not an Engage project"):
        Project.open(path)


def test_open_missing_file(tmp_path):
    with pytest.raises(ProjectError, match="no such project file"):
        Project.open(tmp_path / "nope.engage")


def test_newer_schema_is_refused_with_clear_message(tmp_path):
    path = tmp_path / "p.engage"
    Project.create(path).close()
    conn = sqlite3.connect(path)
    conn.execute("INSERT INTO migrations VALUES (999, 'future', 'x')")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError, match="newer version of Engage"):
        Project.open(path)


def test_missing_middle_migration_is_applied(tmp_path, monkeypatch):
    """A migration appended out of order by another feature still reaches existing files."""
    path = tmp_path / "p.engage"
    Project.create(path).close()
    applied = []
    monkeypatch.setattr(schema, "MIGRATIONS", schema.MIGRATIONS + [
        (500, "late", lambda db: applied.append(500))])
    monkeypatch.setattr(schema, "LATEST_VERSION", 500)
    Project.open(path).close()
    assert applied == [500]
