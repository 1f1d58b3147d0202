"""Determinations: "this vendor provides ICE with data broker or extreme vetting services", with the evidence as
it stood, frozen. A determination is superseded or withdrawn, never edited."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from typing import Any

from checker.errors import InputError
from checker.register import texts
from checker.register.store import Change, Register

ACTIVE = ("open", "upheld")
"""Statuses of a determination that stands."""


def determine(reg: Register, change: Change, *, vendor: str, rules: str, on: date, audit: str | None = None,
              row: int | None = None, contract_id: str | None = None, contract_end: date | None = None,
              supersedes: int | None = None, registry_dir: str | None = None) -> int:
    """Record a determination from a row of an audit's JSON report, or from screening the vendor now; its id.

    An open determination for the same vendor and rule set is refused unless this one ``supersedes`` it.
    """
    from checker.api import rule_sets
    from checker.register.snapshot import from_audit, from_screen

    vendor = texts.short(vendor, "VENDOR") or ""
    if (audit is None) != (row is None):
        raise InputError("--from-audit", "give the report and --row N together")
    if audit is not None and row is not None:
        snap = from_audit(audit, row, rule_sets([rules])[0], vendor)
    else:
        snap = from_screen(vendor, rules, on, registry_dir)
    match = snap["match"]
    family = match.get("family") or {}
    values = {"vendor": vendor, "rule_set": snap["rule_set"]["id"], "determined_on": on.isoformat(),
              "outcome": snap["outcome"], "entity_id": match["entity"]["id"], "entity_name": match["entity"]["name"],
              "family_id": family.get("id"), "family_name": family.get("name"),
              "snapshot": json.dumps(snap, ensure_ascii=False, sort_keys=True), "contract_id": contract_id,
              "contract_end": contract_end.isoformat() if contract_end else None}
    with reg.change(change) as w:
        earlier = w.conn.execute("SELECT id, vendor FROM determinations WHERE rule_set = ? AND status IN "
                                 "('open', 'upheld') ORDER BY id", (values["rule_set"],)).fetchall()
        standing = [r["id"] for r in earlier if texts.same_vendor(r["vendor"], vendor) and r["id"] != supersedes]
        if standing:
            raise InputError(reg.path, f"determination {standing[0]} already stands for {vendor!r} under "
                                       f"{values['rule_set']}: give --supersedes {standing[0]} to replace it")
        old = _supersedable(w.conn, reg.path, supersedes) if supersedes is not None else None
        ident = w.insert("determinations", values)
        if old is not None:
            w.update("determinations", old, {"status": "superseded", "superseded_by": ident}, "superseded")
    return ident


def _supersedable(conn: sqlite3.Connection, path: str, ident: int) -> int:
    row = conn.execute("SELECT status FROM determinations WHERE id = ?", (ident,)).fetchone()
    if row is None:
        raise InputError(path, f"no determination {ident} in this register")
    if row["status"] == "superseded":
        raise InputError(path, f"determination {ident} is already superseded")
    return ident


def withdraw(reg: Register, change: Change, ident: int) -> None:
    """Withdraw a determination made in error (it stays in the register, marked withdrawn)."""
    with reg.change(change) as w:
        row = w.get("determinations", ident)
        if row["status"] not in ACTIVE:
            raise InputError(reg.path, f"determination {ident} is {row['status']}: only a standing one is withdrawn")
        w.update("determinations", ident, {"status": "withdrawn"}, "withdrawn")


def snapshot_of(row: sqlite3.Row) -> dict[str, Any]:
    """A determination's evidence snapshot."""
    return json.loads(row["snapshot"])


def reversed_on_identity(reg: Register) -> set[int]:
    """Determinations an appeal reversed because the vendor is not the registry entity (their evidence is another
    company's)."""
    return {r["determination_id"] for r in reg.rows("SELECT determination_id FROM appeals WHERE outcome = 'reversed' "
                                                    "AND ground = 'identity'")}


def standing_for(reg: Register, vendor: str | None, entity_id: str | None) -> list[sqlite3.Row]:
    """Standing and past determinations naming the vendor (case aside) or the registry entity, oldest first; one
    reversed on identity counts for its vendor only."""
    wrong = reversed_on_identity(reg)
    return [r for r in reg.rows("SELECT * FROM determinations ORDER BY id")
            if (vendor and texts.same_vendor(r["vendor"], vendor))
            or (entity_id and r["entity_id"] == entity_id and r["id"] not in wrong)]
