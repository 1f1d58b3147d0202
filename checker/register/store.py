"""The register's database: opened in WAL mode with foreign keys on, migrated, written one change at a time.

Every change runs in its own ``BEGIN IMMEDIATE`` transaction (a writer waits for another up to
``BUSY_TIMEOUT_SECONDS``, then gives up with one clear line) and appends a history row saying who, when and why.
Whatever SQLite says about a locked, damaged or foreign file becomes one ``InputError`` naming the file.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import sqlite3
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.register import DEFAULT_PATH, migrations

BUSY_TIMEOUT_SECONDS = 10.0
"""How long a writer waits for another writer before giving up (the other's change is never lost)."""
TOOL = "sanctuary-check"
DAY_KEYED = frozenset({"holidays", "open_days"})
"""Tables whose records are keyed by their day, not an id."""


def key_of(table: str) -> str:
    """The column a table's records are found by: ``day`` or ``id``."""
    return "day" if table in DAY_KEYED else "id"


def _found(path: str, conn: sqlite3.Connection, table: str, ident: int | str, what: str | None) -> sqlite3.Row:
    """The record ``ident`` of ``table``; a missing one is an ``InputError`` naming it."""
    found = conn.execute(f"SELECT * FROM {table} WHERE {key_of(table)} = ?", (ident,)).fetchone()
    if found is None:
        raise InputError(path, f"no {what or table.rstrip('s')} {ident} in this register")
    return found


def os_user() -> str:
    """The operating system's name for the person running the tool (the default of ``--by``)."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (a container) and no LOGNAME/USER
        return os.environ.get("USERNAME") or "unknown user"


@dataclass(frozen=True)
class Change:
    """Who makes a change and why (when is the moment it is written)."""

    by: str
    why: str


def now_utc() -> str:
    """The current moment, UTC, to the second: ``2026-11-23T17:04:05Z``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Register:
    """An open register database."""

    def __init__(self, path: str, conn: sqlite3.Connection) -> None:
        self.path = path
        self.conn = conn

    # -- reading -------------------------------------------------------------------------------------------
    def rows(self, sql: str, params: tuple | Mapping[str, Any] = ()) -> list[sqlite3.Row]:
        """Every row a query gives."""
        with self.errors():
            return self.conn.execute(sql, params).fetchall()

    def row(self, sql: str, params: tuple | Mapping[str, Any] = ()) -> sqlite3.Row | None:
        """The first row a query gives, or None."""
        with self.errors():
            return self.conn.execute(sql, params).fetchone()

    def get(self, table: str, ident: int | str, what: str | None = None) -> sqlite3.Row:
        """The record ``ident`` of ``table``; a missing one is an ``InputError`` naming it."""
        with self.errors():
            return _found(self.path, self.conn, table, ident, what)

    # -- writing -------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def change(self, change: Change) -> Iterator[Writer]:
        """One change: a transaction that takes the write lock first (so a check made inside it still holds
        when it commits) and records history rows; rolled back whole on any error."""
        with self.errors():
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield Writer(self.path, self.conn, change, now_utc())
                self.conn.execute("COMMIT")
            except BaseException:
                if self.conn.in_transaction:  # SQLite may have rolled back already (a full disk)
                    self.conn.execute("ROLLBACK")
                raise

    @contextlib.contextmanager
    def errors(self) -> Iterator[None]:
        """SQLite's errors as one line naming the register."""
        try:
            yield
        except sqlite3.Error as exc:
            raise database_error(self.path, exc) from None

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def __enter__(self) -> Register:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Writer:
    """Inserts and updates records inside one change, appending a history row for each."""

    def __init__(self, path: str, conn: sqlite3.Connection, change: Change, at: str) -> None:
        self.path = path
        self.conn = conn
        self.change = change
        self.at = at

    def get(self, table: str, ident: int | str, what: str | None = None) -> sqlite3.Row:
        """The record ``ident`` of ``table`` as it stands under this change's lock; a missing one is an
        ``InputError`` naming it."""
        return _found(self.path, self.conn, table, ident, what)

    def insert(self, table: str, values: Mapping[str, Any], action: str = "created") -> int:
        """Insert a record and note it in the history; its id."""
        names = list(values)
        cur = self.conn.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES "
                                f"({', '.join('?' for _ in names)})", [values[n] for n in names])
        ident = int(cur.lastrowid or 0)
        self.note(table, values["day"] if table in DAY_KEYED else ident, action)
        return ident

    def update(self, table: str, ident: int | str, values: Mapping[str, Any], action: str) -> None:
        """Change fields of a record and note the record as it now stands in the history."""
        sets = ", ".join(f"{n} = ?" for n in values)
        self.conn.execute(f"UPDATE {table} SET {sets} WHERE {key_of(table)} = ?", [*values.values(), ident])
        self.note(table, ident, action)

    def note(self, table: str, ident: int | str | None, action: str, data: Mapping[str, Any] | None = None) -> None:
        """Append a history row: the record (or ``data``) after the change, with who, when and why."""
        if data is None:
            row = self.conn.execute(f"SELECT * FROM {table} WHERE {key_of(table)} = ?", (ident,)).fetchone()
            data = dict(row) if row is not None else {}
        self.conn.execute("INSERT INTO history (at, by, why, kind, record, action, data) VALUES (?, ?, ?, ?, ?, ?, ?)",
                          (self.at, self.change.by, self.change.why, table, None if ident is None else str(ident),
                           action, json.dumps(data, ensure_ascii=False, sort_keys=True)))


def database_error(path: str, exc: sqlite3.Error) -> InputError:
    """The one line a user sees for an SQLite error."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return InputError(path, f"the register is locked by another user or process (waited "
                                f"{BUSY_TIMEOUT_SECONDS:g} s); nothing was changed: try again")
    if "not a database" in text or "malformed" in text or "corrupt" in text:
        return InputError(path, "is damaged or not an SQLite database; nothing was changed (restore it from a "
                                "copy, or `register import` an export into a new file)")
    if "readonly" in text or "read-only" in text:
        return InputError(path, "cannot be written (read-only file or folder)")
    if "unable to open" in text:
        return InputError(path, "cannot be opened (does its folder exist, and may it be written?)")
    if "never deletes" in text or "append-only" in text or "never rewritten" in text:
        return InputError(path, text)
    if isinstance(exc, sqlite3.IntegrityError):
        return InputError(path, f"refused by the register's rules: {text}")
    return InputError(path, f"database error: {text}")


def open_register(path: str | os.PathLike[str] = DEFAULT_PATH, *, create: bool = True,
                  by: str | None = None) -> Register:
    """Open (and, with ``create``, make) a register, upgrading its schema to the latest version.

    A missing file without ``create``, a file that is not a register, a damaged one or one written by a newer
    version of the tool is one ``InputError``. An upgrade is a change in the history like any other.
    """
    name = os.fspath(path)
    p = Path(name)
    if p.is_dir():
        raise InputError(name, "is a directory: --db needs a register file")
    if not create and not p.exists():
        raise InputError(name, "no register here: a command that records something creates it (or give --db PATH)")
    try:
        conn = sqlite3.connect(name, timeout=BUSY_TIMEOUT_SECONDS, isolation_level=None)
    except sqlite3.Error as exc:
        raise database_error(name, exc) from None
    conn.row_factory = sqlite3.Row
    register = Register(name, conn)
    try:
        _prepare(name, conn)
        _upgrade(register, by)
    except BaseException:
        conn.close()
        raise
    return register


def _prepare(name: str, conn: sqlite3.Connection) -> None:
    """Check the file is a register and set its connection up; retried while another process is creating or
    converting the same file (SQLite answers "locked" there at once, without waiting)."""
    deadline = time.monotonic() + BUSY_TIMEOUT_SECONDS
    while True:
        try:
            conn.execute("PRAGMA foreign_keys = ON")
            _check_identity(name, conn)
            if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            return
        except sqlite3.OperationalError as exc:
            text = str(exc)
            if not ("locked" in text or "busy" in text) or time.monotonic() > deadline:
                raise database_error(name, exc) from None
            time.sleep(0.05)
        except sqlite3.Error as exc:
            raise database_error(name, exc) from None


def _check_identity(name: str, conn: sqlite3.Connection) -> None:
    """Refuse a file that is another program's database, or a register from a newer version of the tool."""
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    tables = conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    if app_id != migrations.APPLICATION_ID and (app_id != 0 or tables):
        raise InputError(name, "is an SQLite database, but not a sanctuary-check register")
    found = migrations.version(conn)
    if found > migrations.LATEST:
        raise InputError(name, f"was written by a newer sanctuary-check (schema version {found}; this one knows "
                               f"versions up to {migrations.LATEST}): upgrade sanctuary-check")


def _upgrade(register: Register, by: str | None) -> None:
    """Run the migrations a register lacks, as one change (another process may have just run them)."""
    found = migrations.version(register.conn)
    if found == migrations.LATEST:
        return
    why = "register created" if found == 0 else f"schema upgrade from version {found}"
    with register.change(Change(by or os_user(), why)) as w:
        before = migrations.version(register.conn)  # under the write lock: what is really there
        for number, description in migrations.migrate(register.conn):
            w.note("schema", number, "migrated", {"from": before, "to": number, "description": description,
                                                  "tool": TOOL})
