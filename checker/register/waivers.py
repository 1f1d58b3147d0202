"""Waivers: the City Manager's request with the three "no reasonable alternative" findings (intent and purpose,
alternatives, quantifiable added cost), the Council's decision (date, resolution number) and the scope (entity,
its family or not, contract ids, contract actions, a through-date). Granted waivers are a waiver source for audits.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from datetime import date
from typing import Any

from checker.errors import InputError
from checker.knowledge.waivers import DEFAULT_ACTIONS, Waiver
from checker.model import ACTIONS
from checker.register import registry_names, texts
from checker.register.store import Change, Register, open_register


def request(reg: Register, change: Change, *, rules: str | None, on: date, intent: str, alternatives: str,
            extra_cost: str, determination: int | None = None, vendor: str | None = None,
            entity: str | None = None, family: bool = False, contracts: Iterable[str] = (),
            actions: Iterable[str] = (), through: date | None = None, requested_by: str | None = None,
            registry_dir: str | None = None) -> int:
    """Record a waiver request; its id. Vendor, entity and rule set come from ``determination`` when given."""
    from checker.api import rule_sets

    if determination is not None:
        det = reg.get("determinations", determination, "determination")
        if rules is not None and rules != det["rule_set"]:
            raise InputError("--rules", f"determination {determination} is under {det['rule_set']}, not {rules}")
        rules, vendor, entity = det["rule_set"], vendor or det["vendor"], entity or det["entity_id"]
    if rules is None:
        raise InputError("--rules", "name the rule set the waiver is under (or give --determination ID)")
    if vendor is None and entity is None:
        raise InputError("--entity", "name the registry entity (or the vendor, or a determination) the waiver is for")
    rs = rule_sets([rules])[0]
    process = rs.raw.get("waiver", {})
    if process.get("available", True) is False:
        raise InputError("--rules", f"{rs.id} has no waiver provision")
    found = registry_names.entity(entity, registry_dir) if entity else None
    if family and found is None:
        raise InputError("--family", "a waiver reaching a family names its entity (--entity)")
    action_list = sorted(set(actions))
    for action in action_list:
        texts.choice(action, "--action", ACTIONS)
    contract_list = list(dict.fromkeys(texts.short(c, "--contract") or "" for c in contracts))
    values = {
        "rule_set": rs.id, "vendor": texts.short(vendor, "--vendor", required=False),
        "entity_id": found.id if found else None, "entity_name": found.name if found else None,
        "family_id": found.family_id if found else None, "family": int(family),
        "contracts": json.dumps(contract_list), "actions": json.dumps(action_list),
        "through": through.isoformat() if through else None, "determination_id": determination,
        "requested_on": on.isoformat(),
        "requested_by": texts.short(requested_by, "--requested-by", required=False)
        or process.get("requested_by", "City Manager"),
        "intent": texts.text(intent, "--intent"), "alternatives": texts.text(alternatives, "--alternatives"),
        "extra_cost": texts.text(extra_cost, "--extra-cost"),
    }
    with reg.change(change) as w:
        return w.insert("waivers", values, "requested")


def decide(reg: Register, change: Change, waiver: int, *, granted: bool, on: date,
           resolution: str | None) -> None:
    """Record the Council's decision on a waiver request."""
    resolution = texts.short(resolution, "--resolution", required=granted)
    with reg.change(change) as w:
        row = w.get("waivers", waiver)
        if row["status"] != "requested":
            raise InputError(reg.path, f"waiver {waiver} is already {row['status']}")
        if on.isoformat() < row["requested_on"]:
            raise InputError("--on", f"{on.isoformat()} is before the request ({row['requested_on']})")
        w.update("waivers", waiver, {"status": "granted" if granted else "denied", "council_on": on.isoformat(),
                                     "resolution": resolution}, "granted" if granted else "denied")


def scope_text(row: sqlite3.Row) -> str:
    """``West Publishing Corporation and its family; contracts C-1; actions extended; through 2027-06-30``."""
    who = row["entity_name"] or row["entity_id"] or row["vendor"] or "?"
    parts = [f"{who} and its family" if row["family"] else who]
    contracts = json.loads(row["contracts"] or "[]")
    actions = json.loads(row["actions"] or "[]")
    parts.append(f"contracts {', '.join(contracts)}" if contracts else "any contract")
    parts.append(f"actions {', '.join(actions)}" if actions else "a new contract (and payments under it)")
    parts.append(f"through {row['through']}" if row["through"] else "no end date")
    return "; ".join(parts)


# -- the register as a waiver source for audits --------------------------------------------------------------
def as_waiver(row: sqlite3.Row) -> Waiver:
    """A granted waiver as the ``Waiver`` audits apply, with its whole scope: the entity (its subsidiaries only when
    the Council extended it to the family), the contracts and the actions it was granted for (none recorded: a new
    contract, ``DEFAULT_ACTIONS``), and its through-date as the day it expires."""
    contracts = tuple(json.loads(row["contracts"] or "[]"))
    actions = tuple(json.loads(row["actions"] or "[]")) or DEFAULT_ACTIONS
    through = date.fromisoformat(row["through"]) if row["through"] else None
    return Waiver(rule_set=row["rule_set"], resolution=row["resolution"], decided=date.fromisoformat(row["council_on"]),
                  vendor=row["vendor"] if row["entity_id"] is None else None, entity=row["entity_id"],
                  expires=through, intent=row["intent"], alternatives=row["alternatives"],
                  extra_cost=row["extra_cost"], family=bool(row["family"]), contracts=contracts, actions=actions)


def granted(reg: Register) -> list[sqlite3.Row]:
    """Granted waivers that are not superseded, in order."""
    return reg.rows("SELECT * FROM waivers WHERE status = 'granted' AND superseded_by IS NULL ORDER BY id")


def waivers_for_audit(db_path: str) -> list[Waiver]:
    """The register's granted waivers as ``checker.knowledge.waivers.Waiver`` objects, for ``Checker(waivers=…)``."""
    with open_register(db_path, create=False) as reg:
        return [as_waiver(row) for row in granted(reg)]


def waivers_file_text(db_path: str) -> str:
    """The register's granted waivers as a waivers file (YAML) that ``--waivers FILE`` reads."""
    with open_register(db_path, create=False) as reg:
        return waivers_yaml(as_waiver(row) for row in granted(reg))


def waivers_yaml(waivers: Iterable[Waiver]) -> str:
    """Waivers in the YAML that ``--waivers FILE`` (``load_waivers``) reads, scope included."""
    import yaml

    items: list[dict[str, Any]] = []
    for w in waivers:
        item: dict[str, Any] = {"rule_set": w.rule_set, "resolution": w.resolution, "decided": w.decided.isoformat()}
        if w.vendor:
            item["vendor"] = w.vendor
        if w.entity:
            item["entity"] = w.entity
        if w.family:
            item["family"] = True
        if w.expires:
            item["expires"] = w.expires.isoformat()
        scope: dict[str, Any] = {}
        if w.contracts:
            scope["contracts"] = list(w.contracts)
        if tuple(w.actions) != DEFAULT_ACTIONS:
            scope["actions"] = list(w.actions)
        if w.max_amount is not None:
            scope["max_amount"] = w.max_amount
        if scope:
            item["scope"] = scope
        found = {k: v for k, v in (("intent", w.intent), ("alternatives", w.alternatives),
                                   ("extra_cost", w.extra_cost)) if v}
        if found:
            item["findings"] = found
        items.append(item)
    return yaml.safe_dump({"waivers": items}, sort_keys=False, allow_unicode=True, width=100)
