"""Migration 3: the co-production register, "you said, we did" actions, default postcodes.

Written as plain SQL so the rules that must never be broken — a level on the ladder, a reason
whenever an action is not taken forward — hold even if a future writer forgets to check.
Activity types, partner kinds and portfolios are checked in Python instead, so the officer can
be told which row and which word is wrong.

Portfolios and themes are kept by name *and*, when the project's taxonomy has them, by id:
the name keeps the register meaningful before any analysis has been run, the id follows a
renamed theme. Deleting a theme clears the id and leaves the name.
"""

from __future__ import annotations

import sqlite_utils

from engage.coproduction.postcodes import default_table_text, normalise_district, read_district_rows
from engage.coproduction.vocab import ACTION_STATUSES, LEVELS
from engage.places import place_key


def _quoted(values: tuple[str, ...]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


SCHEMA = f"""
CREATE TABLE partners (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'other',
    notes TEXT NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX partners_name ON partners(name COLLATE NOCASE);

CREATE TABLE activities (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL CHECK (trim(title) != ''),
    type TEXT NOT NULL,
    start_date TEXT,
    end_date TEXT,
    level TEXT NOT NULL CHECK (level IN ({_quoted(LEVELS)})),
    participants INTEGER CHECK (participants IS NULL OR participants >= 0),
    description TEXT NOT NULL DEFAULT '',
    outcomes TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    source_row INTEGER,
    created_by TEXT,
    created_at TEXT,
    updated_at TEXT,
    CHECK (end_date IS NULL OR start_date IS NULL OR end_date >= start_date)
);
CREATE INDEX activities_start ON activities(start_date);

CREATE TABLE activity_places (
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    place_id INTEGER NOT NULL REFERENCES places(id),
    PRIMARY KEY (activity_id, place_id)
);
CREATE INDEX activity_places_place ON activity_places(place_id);

CREATE TABLE activity_partners (
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    partner_id INTEGER NOT NULL REFERENCES partners(id),
    PRIMARY KEY (activity_id, partner_id)
);

CREATE TABLE activity_groups (
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    category TEXT NOT NULL DEFAULT 'other',
    PRIMARY KEY (activity_id, name)
);

CREATE TABLE activity_portfolios (
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    portfolio TEXT NOT NULL,
    portfolio_id INTEGER REFERENCES portfolios(id) ON DELETE SET NULL,
    suggested INTEGER NOT NULL DEFAULT 0,
    score REAL,
    PRIMARY KEY (activity_id, portfolio)
);

CREATE TABLE activity_themes (
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    theme TEXT NOT NULL,
    theme_id INTEGER REFERENCES themes(id) ON DELETE SET NULL,
    PRIMARY KEY (activity_id, theme)
);

CREATE TABLE activity_consultations (
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    consultation_id INTEGER NOT NULL REFERENCES consultations(id) ON DELETE CASCADE,
    PRIMARY KEY (activity_id, consultation_id)
);

CREATE TABLE activity_evidence (
    id INTEGER PRIMARY KEY,
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    file_name TEXT NOT NULL,
    path TEXT NOT NULL DEFAULT '',
    note TEXT NOT NULL DEFAULT '',
    added_by TEXT,
    added_at TEXT
);
CREATE INDEX activity_evidence_activity ON activity_evidence(activity_id);

CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL CHECK (trim(title) != ''),
    decision TEXT NOT NULL DEFAULT '',
    owner TEXT NOT NULL DEFAULT '',
    status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ({_quoted(ACTION_STATUSES)})),
    reason TEXT NOT NULL DEFAULT '',
    portfolio TEXT,
    portfolio_id INTEGER REFERENCES portfolios(id) ON DELETE SET NULL,
    start_date TEXT,
    due_date TEXT,
    done_date TEXT,
    created_by TEXT,
    created_at TEXT,
    updated_at TEXT,
    CHECK (status != 'not taken forward' OR trim(reason) != '')
);

CREATE TABLE action_themes (
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    theme TEXT NOT NULL,
    theme_id INTEGER REFERENCES themes(id) ON DELETE SET NULL,
    PRIMARY KEY (action_id, theme)
);

CREATE TABLE action_comments (
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    comment_id INTEGER NOT NULL REFERENCES comments(id) ON DELETE CASCADE,
    role TEXT NOT NULL CHECK (role IN ('support', 'quote')),
    PRIMARY KEY (action_id, comment_id, role)
);

CREATE TABLE action_activities (
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    activity_id INTEGER NOT NULL REFERENCES activities(id) ON DELETE CASCADE,
    PRIMARY KEY (action_id, activity_id)
);
CREATE INDEX action_activities_activity ON action_activities(activity_id);
"""


def apply(db: sqlite_utils.Database) -> None:
    """Create the co-production tables and fill an empty postcode lookup with the default."""
    for statement in SCHEMA.split(";"):
        if statement.strip():
            db.execute(statement)
    if db.execute("SELECT count(*) FROM postcode_districts").fetchone()[0] == 0:
        db["postcode_districts"].insert_all(default_district_rows(db))


def default_district_rows(db: sqlite_utils.Database) -> list[dict]:
    """The shipped table resolved against this file's places; unknown names are left out."""
    places = {place_key(name): place_id
              for place_id, name in db.execute("SELECT id, name FROM places").fetchall()}
    places.update(db.execute("SELECT alias, place_id FROM place_aliases").fetchall())
    rows, _problems = read_district_rows(default_table_text(), "default postcode table")
    found: dict[str, int] = {}
    for row in rows:
        district = normalise_district(row.district)
        place_id = places.get(place_key(row.place))
        if district and place_id:
            found.setdefault(district, place_id)
    return [{"district": district, "place_id": place_id} for district, place_id in found.items()]
