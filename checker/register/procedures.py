"""The ordinance's procedures per rule set (appeal period, solicitation notice, declaration, annual report), from
``data/procedures.yaml``: the parts of an ordinance the rule sets do not hold yet."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from checker.knowledge.rulesets import RuleSet

DATA = Path(__file__).resolve().parent / "data" / "procedures.yaml"


@dataclass(frozen=True)
class Clause:
    """A provision: its citation and verbatim text."""

    citation: str
    text: str


@dataclass(frozen=True)
class Procedure:
    """What the ordinance of a rule set says about notices, appeals, declarations, solicitations and reports."""

    rule_set: str
    known: bool
    """False when no procedure is recorded for the rule set (its text was not verified)."""
    city: str
    official: str
    source_url: str | None = None
    appeal: Clause | None = None
    appeal_to: str | None = None
    appeal_days: int | None = None
    agenda_days: int | None = None
    appeal_note: str | None = None
    determination: Clause | None = None
    declaration: Clause | None = None
    solicitation: Clause | None = None
    complaints: Clause | None = None
    annual_report: Clause | None = None
    report_due: tuple[int, int] | None = None
    """Month and day the annual report is due."""


@cache
def _recorded() -> dict[str, Any]:
    from checker.knowledge.yamlsafe import load_yaml_file

    return load_yaml_file(DATA).data


def _clause(raw: dict[str, Any] | None) -> Clause | None:
    return None if raw is None else Clause(raw["citation"], " ".join(raw["text"].split()))


def procedure_for(rule_set: str, jurisdiction: str = "", extends: str | None = None) -> Procedure:
    """The recorded procedure of a rule set (its parent's, for one that ``extends`` another and has none), or an
    unknown one that says so."""
    raw = _recorded().get(rule_set) or _recorded().get(extends or "")
    if raw is None:
        return Procedure(rule_set, known=False, city=jurisdiction or rule_set, official="City Manager")
    appeal = raw.get("appeal", {})
    due = raw.get("annual_report", {}).get("due")
    return Procedure(
        rule_set, known=True, city=raw["city"], official=raw["official"], source_url=raw["source"]["url"],
        appeal=_clause(raw.get("appeal")), appeal_to=appeal.get("to"), appeal_days=appeal.get("business_days"),
        agenda_days=appeal.get("agenda_business_days"),
        appeal_note=" ".join(appeal["note"].split()) if appeal.get("note") else None,
        determination=_clause(raw.get("determination")), declaration=_clause(raw.get("declaration")),
        solicitation=_clause(raw.get("solicitation")), complaints=_clause(raw.get("complaints")),
        annual_report=_clause(raw.get("annual_report")), report_due=(due["month"], due["day"]) if due else None)


def procedure_of(rs: RuleSet) -> Procedure:
    """The procedure of a loaded rule set."""
    return procedure_for(rs.id, rs.jurisdiction, rs.raw.get("extends"))


def procedure_of_snapshot(snapshot: dict[str, Any]) -> Procedure:
    """The procedure of the rule set a determination's snapshot names."""
    rs = snapshot.get("rule_set", {})
    return procedure_for(rs.get("id", ""), rs.get("jurisdiction", ""), rs.get("extends"))
