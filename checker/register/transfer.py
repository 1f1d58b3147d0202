"""Export a whole register (every table, the history included) as JSON or as one CSV file per table, and import
such an export into a new register file: the round trip gives the same records, ids and history.

An export made by an older schema version is imported at that version and then migrated, like any register.
In CSV, an empty cell is NULL; a text that is empty, or that begins with ``= + - @``, a tab, a carriage return or
an apostrophe, is written after an apostrophe (so a spreadsheet never runs it as a formula) and read back without it.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from checker.errors import InputError, open_input
from checker.formats.output import open_output
from checker.register import migrations
from checker.register.store import Change, Register, database_error, now_utc, open_register

FORMAT = "sanctuary-check register"
MANIFEST = "_export.csv"
MAX_IMPORT_BYTES = 1024 ** 3
MAX_CSV_FIELD = 64 * 1024 * 1024
"""Longest CSV field read back (an evidence snapshot in the history is a few kilobytes)."""
QUOTED_LEAD = ("=", "+", "-", "@", "\t", "\r", "'")


def columns(conn: sqlite3.Connection, table: str) -> list[tuple[str, str]]:
    """A table's columns and declared types, in order."""
    return [(r[1], (r[2] or "").upper()) for r in conn.execute(f"PRAGMA table_info({table})")]


def tables_at(version: int) -> list[str]:
    """The tables a register of schema ``version`` has, in insertion order."""
    conn = sqlite3.connect(":memory:")
    try:
        migrations.migrate(conn, version)
        present = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    finally:
        conn.close()
    return [t for t in migrations.TABLES if t in present]


def export_data(reg: Register) -> dict[str, Any]:
    """Every record of every table, by table."""
    version = migrations.version(reg.conn)
    return {"format": FORMAT, "schema_version": version, "exported_at": now_utc(),
            "tables": {t: [dict(r) for r in reg.rows(f"SELECT * FROM {t} ORDER BY rowid")]
                       for t in tables_at(version)}}


def write_json(reg: Register, output: str | None) -> None:
    """The export as one JSON document (stdout when ``output`` is None)."""
    with open_output(output) as out:
        out.write(json.dumps(export_data(reg), ensure_ascii=False, indent=1) + "\n")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str) and (value == "" or value.startswith(QUOTED_LEAD)):
        return "'" + value
    return str(value)


def _uncell(cell: str) -> str | None:
    if cell == "":
        return None
    return cell[1:] if cell.startswith("'") else cell


def write_csv(reg: Register, folder: str) -> list[str]:
    """The export as one CSV file per table in ``folder`` (made if missing), with a manifest; the files written."""
    data = export_data(reg)
    target = Path(folder)
    if target.exists() and not target.is_dir():
        raise InputError(folder, "is a file: a CSV export is a folder of one file per table")
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(folder, f"cannot make the folder: {exc.strerror or exc}") from None
    written = []
    manifest = [["key", "value"], ["format", FORMAT], ["schema_version", str(data["schema_version"])],
                ["exported_at", data["exported_at"]]]
    for name, rows in [(MANIFEST, manifest)] + [
            (f"{t}.csv", [[c for c, _ in columns(reg.conn, t)]] + [[_cell(v) for v in r.values()] for r in recs])
            for t, recs in data["tables"].items()]:
        path = str(target / name)
        with open_output(path) as out:
            csv.writer(out, lineterminator="\r\n").writerows(rows)
        written.append(path)
    return written


# -- import --------------------------------------------------------------------------------------------------
def _read_json(path: str) -> dict[str, Any]:
    with open_input(path, "a register export (JSON)", "rb") as fh:
        raw = fh.read(MAX_IMPORT_BYTES + 1)
    if len(raw) > MAX_IMPORT_BYTES:
        raise InputError(path, f"is larger than {MAX_IMPORT_BYTES:,} bytes")
    try:
        doc = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        where = f"line {exc.lineno}: " if isinstance(exc, json.JSONDecodeError) else ""
        raise InputError(path, f"{where}not a JSON register export") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or not isinstance(doc.get("tables"), dict):
        raise InputError(path, f"is not a register export (no \"format\": \"{FORMAT}\" and tables)")
    return doc


@contextmanager
def _field_limit(limit: int) -> Iterator[None]:
    """The csv module's longest field, raised for a while."""
    old = csv.field_size_limit(limit)
    try:
        yield
    finally:
        csv.field_size_limit(old)


def _read_csv_file(path: Path) -> list[list[str]]:
    with open_input(path, "a CSV file", "r", encoding="utf-8", newline="") as fh:
        text = fh.read(MAX_IMPORT_BYTES + 1)
    try:
        with _field_limit(MAX_CSV_FIELD):
            return list(csv.reader(io.StringIO(text, newline=""), strict=True))
    except csv.Error as exc:
        raise InputError(str(path), f"malformed CSV: {exc}") from None


def _read_csv(folder: str) -> dict[str, Any]:
    base = Path(folder)
    manifest = dict(tuple(r[:2]) for r in _read_csv_file(base / MANIFEST)[1:] if len(r) >= 2)
    if manifest.get("format") != FORMAT or not manifest.get("schema_version", "").isdigit():
        raise InputError(str(base / MANIFEST), "is not the manifest of a register export")
    version = int(manifest["schema_version"])
    tables: dict[str, list[dict[str, Any]]] = {}
    for table in tables_at(min(version, migrations.LATEST)):
        path = base / f"{table}.csv"
        if not path.exists():
            raise InputError(str(path), "is missing from the export")
        rows = _read_csv_file(path)
        header = rows[0] if rows else []
        out = []
        for n, cells in enumerate(rows[1:], start=2):
            if len(cells) != len(header):
                raise InputError(str(path), f"line {n}: {len(cells)} cells, but the header names {len(header)}")
            out.append({h: _uncell(c) for h, c in zip(header, cells, strict=True)})
        tables[table] = out
    return {"format": FORMAT, "schema_version": version, "tables": tables}


def _typed(value: Any, kind: str, where: str) -> Any:
    if value is None or kind != "INTEGER" or isinstance(value, int):
        if isinstance(value, (dict, list, float, bool)):
            raise InputError(where, f"holds {type(value).__name__} {value!r}, not a text or whole number")
        return value
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InputError(where, f"{value!r} is not a whole number") from None


def import_export(source: str, db_path: str, change: Change) -> dict[str, int]:
    """Import an export (a JSON file or a CSV folder) into a new register file; the records imported by table."""
    data = _read_csv(source) if Path(source).is_dir() else _read_json(source)
    version = data.get("schema_version")
    if not isinstance(version, int) or not 1 <= version <= migrations.LATEST:
        raise InputError(source, f"schema version {version!r}: this sanctuary-check reads versions 1 to "
                                 f"{migrations.LATEST}")
    target = Path(db_path)
    if target.exists() and target.stat().st_size > 0:
        raise InputError(db_path, "already exists: import into a new register file (--db NEW.sqlite)")
    known = tables_at(version)
    unknown = set(data["tables"]) - set(known)
    if unknown:
        raise InputError(source, f"unknown tables {', '.join(sorted(unknown))} for schema version {version}")
    counts: dict[str, int] = {}
    conn = sqlite3.connect(db_path, isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = ON")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("PRAGMA defer_foreign_keys = ON")  # a record may name one imported after it
        migrations.migrate(conn, version)
        for table in known:
            cols = dict(columns(conn, table))
            rows = data["tables"].get(table, [])
            if not isinstance(rows, list):
                raise InputError(source, f"table {table} is not a list of records")
            for i, rec in enumerate(rows, start=1):
                where = f"{source}: table {table} record {i}"
                if not isinstance(rec, dict) or set(rec) - set(cols):
                    extra = sorted(set(rec) - set(cols)) if isinstance(rec, dict) else []
                    raise InputError(where, f"unknown fields {', '.join(extra)}" if extra else "is not a record")
                names = list(rec)
                conn.execute(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",
                             [_typed(rec[n], cols[n], f"{where} field {n}") for n in names])
            counts[table] = len(rows)
        conn.execute("COMMIT")
    except sqlite3.Error as exc:
        conn.close()
        target.unlink(missing_ok=True)
        raise database_error(f"{source} → {db_path}", exc) from None
    except BaseException:
        conn.close()
        target.unlink(missing_ok=True)
        raise
    conn.close()
    with open_register(db_path, by=change.by) as reg, reg.change(change) as w:
        w.note("register", None, "imported", {"source": Path(source).name, "schema_version": version,
                                               "records": counts})
    return counts
