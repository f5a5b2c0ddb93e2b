"""The team-coding tables: work files shared out, decisions merged back, open disagreements,
and each officer's own coding of the comments they were given (for officer-vs-officer
agreement, which must not change when the lead resolves a conflict).

A work file is a normal project, so it has these tables too (empty); what makes it a work
file is the ``team.work_file`` setting written at share-out.
"""

from __future__ import annotations

import sqlite_utils

SCHEMA = """
CREATE TABLE team_shares (
    work_id TEXT PRIMARY KEY,
    officer TEXT NOT NULL,
    consultation_id INTEGER NOT NULL,
    codebook_version TEXT NOT NULL,
    split TEXT NOT NULL,
    comments INTEGER NOT NULL,
    overlap_comments INTEGER NOT NULL DEFAULT 0,
    file_name TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE TABLE team_decisions (
    id INTEGER PRIMARY KEY,
    work_id TEXT NOT NULL,
    comment_id INTEGER NOT NULL,
    field TEXT NOT NULL,
    value TEXT,
    officer TEXT NOT NULL,
    decided_at TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('applied', 'same', 'conflict')),
    merged_at TEXT NOT NULL
);
CREATE UNIQUE INDEX team_decisions_once ON team_decisions (work_id, comment_id, field, value);
CREATE TABLE team_conflicts (
    id INTEGER PRIMARY KEY,
    comment_id INTEGER NOT NULL REFERENCES comments(id),
    field TEXT NOT NULL,
    mine TEXT,
    mine_by TEXT,
    theirs TEXT,
    theirs_by TEXT NOT NULL,
    theirs_at TEXT,
    work_id TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'mine', 'theirs', 'both')),
    resolved_by TEXT,
    resolved_at TEXT
);
CREATE INDEX team_conflicts_status ON team_conflicts (status, comment_id);
CREATE TABLE team_codings (
    work_id TEXT NOT NULL,
    officer TEXT NOT NULL,
    comment_id INTEGER NOT NULL,
    themes TEXT NOT NULL,
    sentiment INTEGER,
    PRIMARY KEY (work_id, comment_id)
);
CREATE INDEX team_codings_comment ON team_codings (comment_id);
"""


def apply(db: sqlite_utils.Database) -> None:
    # One statement at a time: executescript would commit the migration's transaction.
    for statement in SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
