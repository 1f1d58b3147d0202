"""The waiver register: "no reasonable alternative" waivers a council granted, with dates and scope."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from checker.errors import InputError, open_input
from checker.knowledge.registry import Registry
from checker.knowledge.validation import validate
from checker.knowledge.yamlsafe import LoadedYaml, load_yaml_file
from checker.sources.values import parse_amount

CSV_FIELDS = ("vendor", "entity", "rule_set", "resolution", "decided", "expires", "contract_id", "max_amount",
              "intent", "alternatives", "extra_cost")


@dataclass(frozen=True)
class Waiver:
    """One granted waiver."""

    rule_set: str
    resolution: str
    decided: date
    vendor: str | None = None
    entity: str | None = None
    expires: date | None = None
    contract_id: str | None = None
    max_amount: float | None = None
    intent: str | None = None
    alternatives: str | None = None
    extra_cost: str | None = None

    def describe(self) -> str:
        """How findings cite the waiver."""
        until = f", expires {self.expires.isoformat()}" if self.expires else ", no expiry"
        scope = f"; contract {self.contract_id}" if self.contract_id else ""
        scope += f"; up to ${self.max_amount:,.2f}" if self.max_amount is not None else ""
        found = "; ".join(f"{k}: {v}" for k, v in (("intent", self.intent), ("alternatives", self.alternatives),
                                                  ("extra cost", self.extra_cost)) if v)
        return (f"waiver {self.resolution} (decided {self.decided.isoformat()}{until}{scope})"
                + (f" — no reasonable alternative: {found}" if found else ""))


def _from_csv(path: Path) -> LoadedYaml:
    with open_input(path, "a CSV file", newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        unknown = set(reader.fieldnames or ()) - set(CSV_FIELDS)
        if unknown:
            raise InputError(str(path), f"line 1: unknown columns {', '.join(sorted(unknown))}; "
                                        f"expected some of {', '.join(CSV_FIELDS)}")
        items, lines = [], {}
        for i, row in enumerate(reader):
            item: dict = {k: v.strip() for k, v in row.items() if k and v and v.strip()}
            scope = {k: item.pop(k) for k in ("contract_id", "max_amount") if k in item}
            if "max_amount" in scope:
                amount = parse_amount(scope["max_amount"])
                if amount is None:
                    raise InputError(str(path), f"line {i + 2}: max_amount {scope['max_amount']!r} is not an amount")
                scope["max_amount"] = amount
            found = {k: item.pop(k) for k in ("intent", "alternatives", "extra_cost") if k in item}
            if scope:
                item["scope"] = scope
            if found:
                item["findings"] = found
            items.append(item)
            lines[("waivers", i)] = i + 2
    return LoadedYaml(data={"waivers": items}, lines=lines, path=str(path))


def load_waivers(path: Path | str, registry: Registry) -> dict[str, list[Waiver]]:
    """Waivers from YAML or CSV, by rule set id; unknown entity ids are refused."""
    p = Path(path)
    doc = _from_csv(p) if p.suffix.lower() == ".csv" else load_yaml_file(p)
    validate(doc, "waivers")
    out: dict[str, list[Waiver]] = {}
    for i, raw in enumerate(doc.data["waivers"]):
        entity = registry.require_entity(doc, ("waivers", i, "entity"))
        scope, found = raw.get("scope", {}), raw.get("findings", {})
        w = Waiver(rule_set=raw["rule_set"], resolution=raw["resolution"], decided=date.fromisoformat(raw["decided"]),
                   vendor=raw.get("vendor"), entity=entity,
                   expires=date.fromisoformat(raw["expires"]) if raw.get("expires") else None,
                   contract_id=scope.get("contract_id"), max_amount=scope.get("max_amount"),
                   intent=found.get("intent"), alternatives=found.get("alternatives"),
                   extra_cost=found.get("extra_cost"))
        out.setdefault(w.rule_set, []).append(w)
    return out
