"""The register's database: schema and migrations (a first-version register with data is upgraded), WAL and
foreign keys, an append-only history, nothing deleted, frozen snapshots, two writers at once, and one clear line
(exit 2) for a locked, damaged or foreign file."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
import time
from datetime import date

import pytest

from checker.errors import InputError
from checker.register import complaints, migrations, store
from checker.register.store import Change, open_register

from conftest import ROOT
from test_register_support import use_harness

CHANGE = Change("tester", "testing")


def test_a_new_register_has_the_latest_schema_wal_and_foreign_keys(tmp_path):
    db = tmp_path / "r.sqlite"
    with open_register(db, by="creator") as reg:
        assert reg.row("PRAGMA journal_mode")[0] == "wal"
        assert reg.row("PRAGMA foreign_keys")[0] == 1
        assert reg.row("PRAGMA user_version")[0] == migrations.LATEST
        assert reg.row("PRAGMA application_id")[0] == migrations.APPLICATION_ID
        created = reg.rows("SELECT by, why, kind, record, action FROM history ORDER BY id")
    assert [tuple(r) for r in created] == [("creator", "register created", "schema", str(n), "migrated")
                                           for n in range(1, migrations.LATEST + 1)]


def _first_version_register(path) -> None:
    """A register as the first version of the tool left it: schema 1, with a determination, a notice, an appeal and
    their history."""
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("BEGIN")
    migrations.migrate(conn, 1)
    snapshot = {"rule_set": {"id": "berkeley-ca", "jurisdiction": "Berkeley, California"},
                "clause": {"citation": "BMC 13.105.030(A)", "text": "No officer…"}, "reason": "it provides ICE…",
                "evidence": ["West Publishing Corporation: CLEAR (ICE, 2022-09-16–open) [70CMSD22FR0000187]"],
                "evidence_periods": [{"what": "CLEAR", "agency": "ICE", "start": "2022-09-16", "end": None}],
                "source": {"kind": "screen", "as_of": "2025-03-03"}, "registry": {"version": "2025-01-01+old"}}
    conn.execute("INSERT INTO determinations (vendor, rule_set, determined_on, outcome, entity_id, entity_name, "
                 "family_id, family_name, snapshot) VALUES ('WEST PUBLISHING CORP', 'berkeley-ca', '2025-03-03', "
                 "'prohibited', 'west-publishing', 'West Publishing Corporation', 'thomson-reuters', "
                 "'Thomson Reuters Corporation', ?)", (json.dumps(snapshot),))
    conn.execute("INSERT INTO notices (determination_id, notified_on, deadline) VALUES (1, '2025-03-03', "
                 "'2025-04-14')")  # as if Cesar Chavez Day (31 March) had been missed
    conn.execute("INSERT INTO appeals (determination_id, filed_on) VALUES (1, '2025-03-20')")
    for kind, action in (("determinations", "created"), ("notices", "notified"), ("appeals", "filed")):
        conn.execute("INSERT INTO history (at, by, why, kind, record, action, data) VALUES "
                     "('2025-03-03T10:00:00Z', 'old clerk', 'v1 work', ?, '1', ?, '{}')", (kind, action))
    conn.execute("COMMIT")
    conn.close()


def test_a_first_version_register_with_data_is_upgraded(tmp_path):
    db = tmp_path / "v1.sqlite"
    _first_version_register(db)
    with open_register(db, by="upgrader") as reg:
        assert reg.row("PRAGMA user_version")[0] == migrations.LATEST
        det = reg.get("determinations", 1)
        assert det["vendor"] == "WEST PUBLISHING CORP" and det["contract_end"] is None
        notice = reg.get("notices", 1)
        assert notice["deadline"] == "2025-04-14" and notice["extra_holidays"] == "[]" and notice["appeal_days"] is None
        assert reg.get("appeals", 1)["filed_on"] == "2025-03-20"
        history = reg.rows("SELECT by, why, kind, action FROM history ORDER BY id")
        assert [tuple(h) for h in history[:3]] == [("old clerk", "v1 work", k, a) for k, a in
                                                   (("determinations", "created"), ("notices", "notified"),
                                                    ("appeals", "filed"))]
        assert tuple(history[3]) == ("upgrader", "schema upgrade from version 1", "schema", "migrated")
        # what version 2 added works on the old records
        from checker.register import views, waivers

        waivers.request(reg, CHANGE, rules=None, determination=1, on=date(2025, 5, 1), intent="i", alternatives="a",
                        extra_cost="c")
        shown = views.determination(reg, 1)
    assert "Appeal window: appeal by 2025-04-15" in shown  # counted now: 30 business days after 2025-03-03
    assert "the notice stated 2025-04-14" in shown  # and the notice's own statement is kept, and flagged
    assert "Waiver 1: requested" in shown
    with open_register(db) as reg:  # opening again changes nothing
        assert reg.row("SELECT count(*) FROM history WHERE kind = 'schema'")[0] == migrations.LATEST - 1


def test_the_history_is_append_only_and_nothing_is_deleted(tmp_path):
    with open_register(tmp_path / "r.sqlite") as reg:
        complaints.receive(reg, CHANGE, about="ACME", summary="s", on=date(2026, 1, 5))
        for sql in ("UPDATE history SET why = 'rewritten'", "DELETE FROM history", "DELETE FROM complaints"):
            with pytest.raises(InputError, match="append-only|never deletes"), reg.change(CHANGE) as w:
                w.conn.execute(sql)
        assert reg.row("SELECT count(*) FROM complaints")[0] == 1
        assert reg.row("SELECT count(*) FROM history WHERE why = 'rewritten'")[0] == 0


def test_a_failed_change_leaves_nothing_behind(tmp_path):
    with open_register(tmp_path / "r.sqlite") as reg:
        before = reg.row("SELECT count(*) FROM history")[0]
        with pytest.raises(InputError):
            complaints.add_note(reg, CHANGE, 99, text="no such complaint", on=date(2026, 1, 5))
        assert reg.row("SELECT count(*) FROM history")[0] == before


WRITER = textwrap.dedent("""
    import os, sys, time
    from datetime import date
    from checker.register import complaints
    from checker.register.store import Change, open_register
    db, who, go = sys.argv[1:4]
    while not os.path.exists(go):
        time.sleep(0.002)
    with open_register(db, by=who) as reg:
        mine = complaints.receive(reg, Change(who, "intake"), about="ACME", summary=who, on=date(2026, 1, 5))
    for i in range(30):
        with open_register(db, by=who) as reg:  # a new connection for every change, as the command line does
            target = 1 if i % 2 else mine
            complaints.add_note(reg, Change(who, f"note {i}"), target, text=f"{who} {i}", on=date(2026, 1, 6))
""")


def test_two_processes_writing_at_once_lose_no_change(tmp_path):
    db, go = tmp_path / "shared.sqlite", tmp_path / "go"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(db), who, str(go)], env=env,
                              stderr=subprocess.PIPE, text=True) for who in ("alice", "bob")]
    time.sleep(0.2)
    go.touch()  # both start together, on a register neither has created yet
    for p in procs:
        _, err = p.communicate(timeout=60)
        assert p.returncode == 0, err
    with open_register(db) as reg:
        notes = [r["text"] for r in reg.rows("SELECT text FROM complaint_notes")]
        assert sorted(notes) == sorted(f"{who} {i}" for who in ("alice", "bob") for i in range(30))
        assert reg.row("SELECT count(*) FROM complaints")[0] == 2
        noted = reg.rows("SELECT by, why FROM history WHERE action = 'noted'")
        assert sorted((r["by"], r["why"]) for r in noted) == sorted((w, f"note {i}") for w in ("alice", "bob")
                                                                     for i in range(30))
        assert reg.row("SELECT count(*) FROM history WHERE kind = 'schema'")[0] == migrations.LATEST


def test_a_decision_made_meanwhile_is_never_overwritten(tmp_path):
    db = tmp_path / "r.sqlite"
    with open_register(db) as a, open_register(db) as b:
        cid = complaints.receive(a, CHANGE, about="ACME", summary="s", on=date(2026, 1, 5))
        complaints.close(a, Change("first", "closing"), cid, outcome="unsubstantiated", on=date(2026, 2, 1))
        with pytest.raises(InputError, match="already closed"):
            complaints.close(b, Change("second", "closing"), cid, outcome="withdrawn", on=date(2026, 2, 2))
        assert a.get("complaints", cid)["outcome"] == "unsubstantiated"


def test_a_locked_register_is_one_line_and_exit_2(tmp_path, cli, monkeypatch):
    use_harness(monkeypatch)
    db = tmp_path / "r.sqlite"
    open_register(db).close()
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another user's change, in progress
    monkeypatch.setattr(store, "BUSY_TIMEOUT_SECONDS", 0.1)
    try:
        result = cli("register", "complaint", "add", "--about", "ACME", "--summary", "s", "--why", "w",
                     "--db", str(db))
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert result.code == 2
    assert result.err.count("\n") == 1 and "locked by another user or process" in result.err
    assert "nothing was changed" in result.err


@pytest.mark.parametrize(("content", "message"), [
    (b"this is not a database at all" * 100, "damaged or not an SQLite database"),
    (None, "not a sanctuary-check register"),
    ("newer", "written by a newer sanctuary-check"),
])
def test_a_damaged_or_foreign_register_is_one_line_and_exit_2(tmp_path, cli, monkeypatch, content, message):
    use_harness(monkeypatch)
    db = tmp_path / "r.sqlite"
    if isinstance(content, bytes):
        db.write_bytes(content)
    elif content is None:
        other = sqlite3.connect(db)
        other.execute("CREATE TABLE accounts (id INTEGER)")
        other.commit()
        other.close()
    else:
        open_register(db).close()
        raw = sqlite3.connect(db)
        raw.execute("PRAGMA user_version = 99")
        raw.close()
    result = cli("register", "show", "--db", str(db))
    assert result.code == 2
    assert result.err.count("\n") == 1 and message in result.err, result.err


def test_a_truncated_register_is_one_line_and_exit_2(tmp_path, cli, monkeypatch):
    use_harness(monkeypatch)
    db = tmp_path / "r.sqlite"
    with open_register(db) as reg:
        for i in range(200):
            complaints.receive(reg, CHANGE, about=f"ACME {i}", summary="x" * 500, on=date(2026, 1, 5))
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])
    result = cli("register", "show", "--db", str(db))
    assert result.code == 2 and result.err.count("\n") == 1
    assert "damaged" in result.err


def test_reading_a_missing_register_says_how_one_is_made(tmp_path, cli, monkeypatch):
    use_harness(monkeypatch)
    result = cli("register", "show", "--db", str(tmp_path / "none.sqlite"))
    assert result.code == 2 and "no register here" in result.err
    assert not (tmp_path / "none.sqlite").exists()
