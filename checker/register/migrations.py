"""The register's schema, as numbered migrations: ``PRAGMA user_version`` says how many have run.

A migration is never edited once released; a change to the schema is a new migration at the end of
``MIGRATIONS``. Every table refuses DELETE (the register supersedes, it never deletes), the history refuses
UPDATE too, and a determination's evidence snapshot can never be rewritten.
"""

from __future__ import annotations

import sqlite3

APPLICATION_ID = 0x53434B52
"""``PRAGMA application_id`` of a register ("SCKR"): tells a register from any other SQLite file."""


def _never_delete(table: str) -> str:
    return (f"CREATE TRIGGER {table}_never_deleted BEFORE DELETE ON {table} BEGIN "
            f"SELECT RAISE(ABORT, 'the register never deletes: supersede the record instead'); END;")


V1 = """
CREATE TABLE history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,            -- when the change was recorded (UTC, ISO 8601)
    by TEXT NOT NULL,            -- who recorded it
    why TEXT NOT NULL,           -- why
    kind TEXT NOT NULL,          -- the table changed
    record TEXT,                 -- the record's id (or key)
    action TEXT NOT NULL,        -- created, notified, decided, superseded, ...
    data TEXT NOT NULL           -- the record after the change, as JSON
);
CREATE TRIGGER history_never_updated BEFORE UPDATE ON history BEGIN
    SELECT RAISE(ABORT, 'the register history is append-only'); END;

CREATE TABLE holidays (
    day TEXT PRIMARY KEY,        -- YYYY-MM-DD: a day the city is closed, beyond federal and California holidays
    name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'observed' CHECK (status IN ('observed', 'withdrawn'))
);

CREATE TABLE determinations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    vendor TEXT NOT NULL,
    rule_set TEXT NOT NULL,
    determined_on TEXT NOT NULL,
    outcome TEXT NOT NULL,       -- the rule set's outcome in the finding determined on
    entity_id TEXT,
    entity_name TEXT,
    family_id TEXT,
    family_name TEXT,
    snapshot TEXT NOT NULL,      -- the evidence as it stood: JSON, frozen
    status TEXT NOT NULL DEFAULT 'open'
        CHECK (status IN ('open', 'upheld', 'reversed', 'superseded', 'withdrawn')),
    superseded_by INTEGER REFERENCES determinations(id)
);
CREATE TRIGGER determinations_snapshot_frozen BEFORE UPDATE OF vendor, rule_set, determined_on, outcome, entity_id,
    snapshot ON determinations
    WHEN NEW.vendor IS NOT OLD.vendor OR NEW.rule_set IS NOT OLD.rule_set
      OR NEW.determined_on IS NOT OLD.determined_on OR NEW.outcome IS NOT OLD.outcome
      OR NEW.entity_id IS NOT OLD.entity_id OR NEW.snapshot IS NOT OLD.snapshot
BEGIN SELECT RAISE(ABORT, 'a determination''s evidence snapshot is never rewritten: supersede it'); END;

CREATE TABLE notices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    determination_id INTEGER NOT NULL REFERENCES determinations(id),
    notified_on TEXT NOT NULL,
    method TEXT,
    deadline TEXT,               -- the appeal deadline the notice states
    documents TEXT NOT NULL DEFAULT '[]',
    superseded_by INTEGER REFERENCES notices(id)
);

CREATE TABLE appeals (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    determination_id INTEGER NOT NULL REFERENCES determinations(id),
    filed_on TEXT NOT NULL,
    late INTEGER NOT NULL DEFAULT 0,
    heard_on TEXT,
    decided_on TEXT,
    decided_by TEXT,
    outcome TEXT CHECK (outcome IN ('upheld', 'reversed')),
    ground TEXT CHECK (ground IN ('identity', 'services')),
    note TEXT
);
""" + "\n".join(_never_delete(t) for t in ("history", "holidays", "determinations", "notices", "appeals"))


V2 = """
ALTER TABLE determinations ADD COLUMN contract_id TEXT;
ALTER TABLE determinations ADD COLUMN contract_end TEXT;
ALTER TABLE notices ADD COLUMN agenda_on TEXT;
ALTER TABLE notices ADD COLUMN agenda_deadline TEXT;
ALTER TABLE notices ADD COLUMN extra_holidays TEXT NOT NULL DEFAULT '[]';
ALTER TABLE notices ADD COLUMN appeal_days INTEGER;

CREATE TABLE declarations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    vendor TEXT NOT NULL,
    entity_id TEXT,
    rule_set TEXT,
    declared_on TEXT NOT NULL,
    signer TEXT NOT NULL,
    statement_version TEXT NOT NULL,
    document_name TEXT NOT NULL,
    document_sha256 TEXT NOT NULL,
    determination_id INTEGER REFERENCES determinations(id),
    evidence TEXT NOT NULL DEFAULT '[]',   -- the registry's evidence for the vendor when the declaration was recorded
    superseded_by INTEGER REFERENCES declarations(id)
);

CREATE TABLE waivers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    rule_set TEXT NOT NULL,
    vendor TEXT,
    entity_id TEXT,
    entity_name TEXT,
    family_id TEXT,
    family INTEGER NOT NULL DEFAULT 0,     -- the waiver reaches the entity's whole family
    contracts TEXT NOT NULL DEFAULT '[]',
    actions TEXT NOT NULL DEFAULT '[]',
    through TEXT,
    determination_id INTEGER REFERENCES determinations(id),
    requested_on TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    intent TEXT NOT NULL,
    alternatives TEXT NOT NULL,
    extra_cost TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'requested' CHECK (status IN ('requested', 'granted', 'denied', 'withdrawn')),
    council_on TEXT,
    resolution TEXT,
    superseded_by INTEGER REFERENCES waivers(id),
    CHECK (vendor IS NOT NULL OR entity_id IS NOT NULL)
);

CREATE TABLE solicitations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    reference TEXT NOT NULL,
    title TEXT,
    rule_set TEXT NOT NULL,
    issued_on TEXT NOT NULL,
    notice_sha256 TEXT NOT NULL,           -- the notice text that `solicitation-text` gives, as included
    document_name TEXT,
    document_sha256 TEXT,
    notice_found INTEGER                   -- 1 / 0: the notice text was found in the document; NULL: not checked
);

CREATE TABLE complaints (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    received_on TEXT NOT NULL,
    complainant TEXT,
    about TEXT NOT NULL,
    summary TEXT NOT NULL,
    determination_id INTEGER REFERENCES determinations(id),
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    outcome TEXT CHECK (outcome IN ('substantiated', 'unsubstantiated', 'withdrawn', 'referred')),
    cure TEXT,
    closed_on TEXT
);

CREATE TABLE complaint_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    noted_on TEXT NOT NULL,
    text TEXT NOT NULL
);

CREATE INDEX notices_by_determination ON notices(determination_id);
CREATE INDEX appeals_by_determination ON appeals(determination_id);
""" + "\n".join(_never_delete(t) for t in ("declarations", "waivers", "solicitations", "complaints",
                                           "complaint_notes"))


V3 = """
CREATE TABLE open_days (
    day TEXT PRIMARY KEY,        -- YYYY-MM-DD: a federal or California holiday on which the city is open
    name TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'withdrawn'))
);
""" + _never_delete("open_days")


MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("determinations, notices, appeals, holidays and the history", V1),
    ("declarations, waivers, solicitations, complaints; contract dates and Council agenda deadlines", V2),
    ("days the city is open on a federal or California holiday", V3),
)
"""Each migration's description and SQL, in order: migration N brings a register to ``user_version`` N."""

LATEST = len(MIGRATIONS)

TABLES = ("holidays", "open_days", "determinations", "notices", "appeals", "declarations", "waivers", "solicitations",
          "complaints", "complaint_notes", "history")
"""Every table of the latest schema, in an order that inserts referenced records first."""


def version(conn: sqlite3.Connection) -> int:
    """The number of migrations a register has run."""
    return conn.execute("PRAGMA user_version").fetchone()[0]


def migrate(conn: sqlite3.Connection, target: int = LATEST) -> list[tuple[int, str]]:
    """Run the migrations from the register's version up to ``target`` inside the caller's transaction; the
    migrations run (number and description)."""
    done: list[tuple[int, str]] = []
    current = version(conn)
    for number in range(current + 1, target + 1):
        description, sql = MIGRATIONS[number - 1]
        for statement in _statements(sql):
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {number}")
        done.append((number, description))
    if current == 0 and done:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    return done


def _statements(sql: str) -> list[str]:
    """The statements of a migration script (``executescript`` would commit the caller's transaction)."""
    out: list[str] = []
    pending = ""
    for line in sql.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            out.append(pending.strip())
            pending = ""
    if pending.strip():
        out.append(pending.strip())
    return [s for s in out if s]
