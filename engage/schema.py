"""The project file's schema: one ordered list of migrations, each recorded in the file.

A project made by an older Engage is brought forward on open; one made by a newer Engage is
refused with a clear message rather than half-understood. Never edit a landed migration:
append a new one.
"""

from __future__ import annotations

import datetime as _dt
import sqlite3
from collections.abc import Callable
from pathlib import Path

import sqlite_utils

from engage.coproduction import migration as coproduction_migration
from engage.errors import ProjectError
from engage.places import default_alias_rows, default_place_rows
from engage.team import migration as team_migration

Migration = tuple[int, str, Callable[[sqlite_utils.Database], None]]


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def _foundation(db: sqlite_utils.Database) -> None:
    """Consultations, questions, respondents, comments, places, imports, audit, search."""
    db["settings"].create({"key": str, "value": str}, pk="key")
    db["places"].create(
        {"id": int, "name": str, "kind": str, "parent_id": int, "partnership_id": int,
         "population": int, "population_is_estimate": int, "code": str},
        pk="id", not_null={"name", "kind"}, defaults={"population_is_estimate": 0},
        foreign_keys=[("parent_id", "places", "id"), ("partnership_id", "places", "id")],
    )
    db["place_aliases"].create({"alias": str, "place_id": int}, pk="alias",
                               foreign_keys=[("place_id", "places", "id")])
    db["postcode_districts"].create({"district": str, "place_id": int}, pk="district",
                                    foreign_keys=[("place_id", "places", "id")])
    db["consultations"].create(
        {"id": int, "name": str, "description": str, "created_at": str},
        pk="id", not_null={"name"}, defaults={"description": ""},
    )
    db["consultations"].create_index(["name"], unique=True)
    db["questions"].create(
        {"id": int, "consultation_id": int, "label": str, "text": str, "position": int},
        pk="id", not_null={"consultation_id", "label"},
        foreign_keys=[("consultation_id", "consultations", "id")],
    )
    db["questions"].create_index(["consultation_id", "label"], unique=True)
    db["imports"].create(
        {"id": int, "consultation_id": int, "file_name": str, "file_format": str, "sheet": str,
         "sha256": str, "imported_at": str, "imported_by": str, "rows_read": int,
         "respondents_created": int, "respondents_matched": int, "comments_created": int,
         "report": str, "mapping": str},
        pk="id", foreign_keys=[("consultation_id", "consultations", "id")],
    )
    db["respondents"].create(
        {"id": int, "consultation_id": int, "external_id": str, "place_id": int,
         "place_raw": str, "postcode_district": str, "date": str, "age_band": str, "sex": str,
         "ethnicity": str, "disability": str, "carer": str, "attributes": str,
         "import_id": int, "source_row": int},
        pk="id", not_null={"consultation_id", "external_id"}, defaults={"attributes": "{}"},
        foreign_keys=[("consultation_id", "consultations", "id"), ("place_id", "places", "id"),
                      ("import_id", "imports", "id")],
    )
    db["respondents"].create_index(["consultation_id", "external_id"], unique=True)
    db["respondents"].create_index(["place_id"])
    db["comments"].create(
        {"id": int, "consultation_id": int, "question_id": int, "respondent_id": int,
         "text": str, "original_text": str, "date": str, "import_id": int, "source_row": int,
         "substantive": int, "duplicate_of": int, "dup_key": str, "masked": str},
        pk="id", not_null={"consultation_id", "question_id", "respondent_id", "text"},
        defaults={"substantive": 1},
        foreign_keys=[("consultation_id", "consultations", "id"),
                      ("question_id", "questions", "id"),
                      ("respondent_id", "respondents", "id"), ("import_id", "imports", "id"),
                      ("duplicate_of", "comments", "id")],
    )
    db["comments"].create_index(["question_id", "respondent_id"], unique=True)
    db["comments"].create_index(["respondent_id"])
    db["comments"].create_index(["consultation_id", "dup_key"])
    db["saved_mappings"].create({"signature": str, "name": str, "mapping": str, "saved_at": str},
                                pk="signature")
    db["audit"].create(
        {"id": int, "at": str, "user": str, "action": str, "entity": str, "entity_id": int,
         "before": str, "after": str},
        pk="id", not_null={"at", "action"},
    )
    # Full-text search over comments; the triggers keep it in step with every write.
    db.execute(
        "CREATE VIRTUAL TABLE comments_fts USING fts5(text, content='comments', "
        "content_rowid='id', tokenize='unicode61 remove_diacritics 2')"
    )
    db.execute(
        "CREATE TRIGGER comments_ai AFTER INSERT ON comments BEGIN "
        "INSERT INTO comments_fts(rowid, text) VALUES (new.id, new.text); END"
    )
    db.execute(
        "CREATE TRIGGER comments_ad AFTER DELETE ON comments BEGIN "
        "INSERT INTO comments_fts(comments_fts, rowid, text) VALUES ('delete', old.id, old.text); END"
    )
    db.execute(
        "CREATE TRIGGER comments_au AFTER UPDATE OF text ON comments BEGIN "
        "INSERT INTO comments_fts(comments_fts, rowid, text) VALUES ('delete', old.id, old.text); "
        "INSERT INTO comments_fts(rowid, text) VALUES (new.id, new.text); END"
    )
    places = default_place_rows()
    db["places"].insert_all(places)
    db["place_aliases"].insert_all(default_alias_rows(places))


def _analysis(db: sqlite_utils.Database) -> None:
    """Taxonomy (portfolios → themes), codings, per-comment analysis, topics, analysis runs.

    Model suggestions and officer decisions live in the same `codings` row so the officer's
    word is never overwritten by a re-run: the model only rewrites rows with no decision.
    """
    db["portfolios"].create(
        {"id": int, "name": str, "description": str, "position": int},
        pk="id", not_null={"name"}, defaults={"description": ""},
    )
    db["portfolios"].create_index(["name"], unique=True)
    db["themes"].create(
        {"id": int, "portfolio_id": int, "name": str, "description": str, "seed_terms": str,
         "examples": str, "position": int, "origin": str, "created_at": str},
        pk="id", not_null={"portfolio_id", "name"},
        defaults={"description": "", "seed_terms": "[]", "examples": "[]", "origin": "default"},
        foreign_keys=[("portfolio_id", "portfolios", "id")],
    )
    db["themes"].create_index(["name"], unique=True)
    db["themes"].create_index(["portfolio_id"])
    db["codings"].create(
        {"comment_id": int, "theme_id": int, "source": str, "confidence": float,
         "evidence": str, "decision": str, "decided_by": str, "decided_at": str},
        pk=("comment_id", "theme_id"), not_null={"source"},
        foreign_keys=[("comment_id", "comments", "id"), ("theme_id", "themes", "id")],
    )
    db["codings"].create_index(["theme_id", "decision"])
    db["comment_analysis"].create(
        {"comment_id": int, "tokens": str, "outcome": str, "sentiment": int,
         "sentiment_confidence": float, "sentiment_officer": int, "review_priority": float,
         "near_dup_group": int, "topic_id": int, "key_quote": int, "reviewed": int,
         "reviewed_by": str, "reviewed_at": str, "run_id": int},
        pk="comment_id", defaults={"key_quote": 0, "reviewed": 0},
        foreign_keys=[("comment_id", "comments", "id")],
    )
    db["comment_analysis"].create_index(["outcome", "review_priority"])
    db["comment_analysis"].create_index(["sentiment"])
    db["comment_analysis"].create_index(["near_dup_group"])
    db["analysis_runs"].create(
        {"id": int, "started_at": str, "finished_at": str, "model_version": str,
         "params": str, "metrics": str, "comments": int, "status": str},
        pk="id",
    )
    db["topics"].create(
        {"id": int, "run_id": int, "label": str, "top_terms": str, "top_phrases": str,
         "representative_ids": str, "size": int, "suggested_portfolio_id": int,
         "covered": int, "promoted_theme_id": int},
        pk="id", foreign_keys=[("run_id", "analysis_runs", "id"),
                               ("suggested_portfolio_id", "portfolios", "id"),
                               ("promoted_theme_id", "themes", "id")],
    )


def _answers_per_respondent(db: sqlite_utils.Database) -> None:
    """A respondent may give several answers to one question (long exports, repeated rows), so
    (question, respondent) is an index for lookups, no longer a uniqueness rule."""
    db.execute("DROP INDEX IF EXISTS idx_comments_question_id_respondent_id")
    db["comments"].create_index(["question_id", "respondent_id"],
                                index_name="idx_comments_question_respondent")


def _kind_of_comment(db: sqlite_utils.Database) -> None:
    """Each comment's kind (praise, complaint, suggestion, question, mixed, none), kept apart
    from its sentiment: in a consultation a wish is not a complaint. ``kind_source`` is
    'model' or 'officer'; an officer's kind is never overwritten by a re-run."""
    db["comments"].add_column("kind", str)
    db["comments"].add_column("kind_source", str)
    db["comments"].add_column("kind_confidence", float)
    db["comments"].create_index(["kind"], index_name="idx_comments_kind")


def _sentence_vectors(db: sqlite_utils.Database) -> None:
    """The accurate pass's encoder vectors, once per comment (float16 bytes, tagged with the
    encoder that made them, so a new encoder re-encodes and an interrupted pass resumes), and
    which model coded each comment's current results ('fast' or 'accurate')."""
    db["comment_vectors"].create(
        {"comment_id": int, "encoder": str, "vector": bytes},
        pk="comment_id", not_null={"encoder", "vector"},
        foreign_keys=[("comment_id", "comments", "id")],
    )
    db["comment_analysis"].add_column("coded_by", str)


MIGRATIONS: list[Migration] = [
    (1, "foundation", _foundation),
    (2, "analysis", _analysis),
    (3, "coproduction", coproduction_migration.apply),
    (4, "answers per respondent", _answers_per_respondent),
    (5, "team coding", team_migration.apply),
    (6, "kind of comment", _kind_of_comment),
    (7, "sentence vectors", _sentence_vectors),
]

LATEST_VERSION = max(version for version, _name, _apply in MIGRATIONS)


def applied_versions(db: sqlite_utils.Database) -> set[int]:
    if "migrations" not in db.table_names():
        return set()
    return {row[0] for row in db.execute("SELECT version FROM migrations")}


def migrate(db: sqlite_utils.Database) -> list[int]:
    """Apply every migration the file lacks, each in its own transaction; return those applied.

    Versions are tracked as a set, not a high-water mark, so a migration appended by one
    feature is still applied to a file that already has a later one. An existing file is
    copied to a backup beside it before the first change (see `backup_before_upgrade`).
    """
    if "migrations" not in db.table_names():
        with db.atomic():
            db["migrations"].create({"version": int, "name": str, "applied_at": str},
                                    pk="version")
    applied = applied_versions(db)
    if applied and max(applied) > LATEST_VERSION:
        file_name = db.conn.execute("PRAGMA database_list").fetchone()[2]
        raise ProjectError(
            f"{file_name}: this project was saved by a newer version of Engage (schema "
            f"{max(applied)}; this version knows up to {LATEST_VERSION}). "
            "Please update Engage to open it."
        )
    pending = [version for version, _name, _apply in MIGRATIONS if version not in applied]
    if applied and pending:
        backup_before_upgrade(db, max(applied))
    done = []
    for version, name, apply in MIGRATIONS:
        if version in applied:
            continue
        with db.atomic():
            apply(db)
            db["migrations"].insert({"version": version, "name": name, "applied_at": _now()})
        done.append(version)
    return done


def backup_path(project_path: Path, old_version: int) -> Path:
    """``<name>.backup-v<old>.engage`` beside the project; never one that already exists."""
    stem, suffix = project_path.stem, project_path.suffix or ".engage"
    candidate = project_path.with_name(f"{stem}.backup-v{old_version}{suffix}")
    n = 2
    while candidate.exists():
        candidate = project_path.with_name(f"{stem}.backup-v{old_version}-{n}{suffix}")
        n += 1
    return candidate


def backup_before_upgrade(db: sqlite_utils.Database, old_version: int) -> Path | None:
    """Copy the whole file (SQLite's backup API, so a consistent copy) before migrating it.

    An upgrade that goes wrong, or a newer app the officer wants to step back from, then
    leaves the file as the old version had it. No backup, no upgrade: if the copy cannot be
    written the project is not opened.
    """
    file_name = db.conn.execute("PRAGMA database_list").fetchone()[2]
    if not file_name:  # an in-memory database has nothing to protect
        return None
    source = Path(file_name)
    target = backup_path(source, old_version)
    try:
        copy = sqlite3.connect(str(target))
        try:
            db.conn.backup(copy)
        finally:
            copy.close()
    except (sqlite3.Error, OSError) as exc:
        Path(target).unlink(missing_ok=True)
        raise ProjectError(
            f"{source}: made by an older Engage and needs upgrading, but the backup copy "
            f"{target.name} could not be written ({exc}); free some space or move the project "
            "to a folder you can write to") from exc
    return target
