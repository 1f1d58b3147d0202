"""Reversed determinations as match decisions (the ``decisions:`` YAML of ``checker/knowledge/decisions.py``) that
later audits apply with ``--decisions FILE``: "VENDOR is not ENTITY", with who, when and why.

Only reversals on the ground of ``identity`` become decisions. A reversal because the entity does not provide the
services is not a statement about a name: it is listed for the registry's maintainers instead.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from checker.register import texts
from checker.register.store import Register


@dataclass(frozen=True)
class Exported:
    """The decisions file's text, and the reversals it leaves out with the reason."""

    yaml_text: str
    decisions: int
    left_out: list[str]


def _recorded(reg: Register, appeal: int) -> sqlite3.Row | None:
    return reg.row("SELECT at, by, why FROM history WHERE kind = 'appeals' AND record = ? AND action = 'decided' "
                   "ORDER BY id DESC", (str(appeal),))


def export_decisions(reg: Register) -> Exported:
    """Every reversal on the ground of identity as a ``different`` decision."""
    import yaml

    rows = reg.rows("SELECT a.id AS appeal, a.decided_on, a.decided_by, a.ground, a.note, d.id AS determination, "
                    "d.vendor, d.entity_id, d.entity_name, d.rule_set FROM appeals a JOIN determinations d ON "
                    "d.id = a.determination_id WHERE a.outcome = 'reversed' ORDER BY a.id")
    standing = reg.rows("SELECT id, vendor, entity_id FROM determinations WHERE status IN ('open', 'upheld')")
    items: list[dict[str, str]] = []
    left_out: list[str] = []
    for r in rows:
        later = next((s["id"] for s in standing if s["entity_id"] == r["entity_id"]
                      and texts.same_vendor(s["vendor"], r["vendor"])), None)
        if r["ground"] != "identity":
            left_out.append(f"appeal {r['appeal']} reversed determination {r['determination']} ({r['vendor']}) "
                            f"because {r['entity_name']} does not provide the services: not a match decision; "
                            "ask the registry's maintainers to review its evidence")
            continue
        if later is not None:
            left_out.append(f"appeal {r['appeal']} reversed determination {r['determination']}, but determination "
                            f"{later} now stands for {r['vendor']}")
            continue
        rec = _recorded(reg, r["appeal"])
        recorded = f"; recorded {rec['at']} by {rec['by']}" if rec else ""
        note = f": {' '.join(r['note'].split())}" if r["note"] else ""
        items.append({"vendor": r["vendor"], "entity": r["entity_id"], "decision": "different",
                      "who": f"{r['decided_by'] or 'City Manager'} (appeal {r['appeal']})",
                      "when": r["decided_on"],
                      "why": f"appeal {r['appeal']} reversed determination {r['determination']} under {r['rule_set']}: "
                             f"the vendor is not {r['entity_name']}{note}{recorded}"})
    head = "# Match decisions from the compliance register's reversed determinations (sanctuary-check register).\n"
    return Exported(head + yaml.safe_dump({"decisions": items}, sort_keys=False, allow_unicode=True, width=100),
                    len(items), left_out)
