"""The evidence snapshot a determination keeps: the finding as it stood (registry version, rule set, clause,
reason, evidence, sources, matched entity), so that a later registry or rule-set change never rewrites it.

A snapshot is taken from a row of an audit's JSON report, or from screening the vendor's name now.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date
from typing import Any

from checker import __version__
from checker.errors import InputError
from checker.knowledge.rulesets import RuleSet

DETERMINABLE = ("prohibited", "potential_violation", "waived", "grandfathered")
"""Outcomes that identify the vendor as a registry entity with covered services (whatever the contract action)."""

PERIOD = re.compile(r"\((?P<agency>[^(),]+), (?P<start>\d{4}-\d{2}-\d{2})–(?P<end>open|\d{4}-\d{2}-\d{2})\)")
"""The ``(ICE, 2017-12-01–open)`` part of a registry evidence line."""


def evidence_periods(evidence: list[str]) -> list[dict[str, str | None]]:
    """Agency and dates of each evidence line (what a declaration is weighed against)."""
    out: list[dict[str, str | None]] = []
    for line in evidence:
        found = list(PERIOD.finditer(line))
        if found:
            m = found[-1]
            what = line[:m.start()].strip()
            out.append({"what": what, "agency": m["agency"], "start": m["start"],
                        "end": None if m["end"] == "open" else m["end"]})
    return out


def _clause(rs: RuleSet, rule_id: str | None) -> dict[str, Any]:
    rule = next((r for r in rs.rules if r.id == rule_id), None) or rs.rule_for("contracting")
    if rule is None:
        return {}
    return {"rule": rule.id, "citation": rule.clause, "text": " ".join((rule.text or rule.message).split()),
            "kind": rule.kind if rule.text else "paraphrase", "url": rule.source_url}


def _rule_set(rs: RuleSet) -> dict[str, Any]:
    return {"id": rs.id, "sha256": rs.sha256, "title": rs.title, "citation": rs.citation,
            "code": rs.raw["citation"]["code"],
            "jurisdiction": rs.jurisdiction, "status": rs.status, "text_verified": rs.text_verified,
            "text_note": rs.text_note, "extends": rs.raw.get("extends")}


def _take(finding: dict[str, Any], rs: RuleSet, where: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The finding's outcome under ``rs``; a row that identifies no registry entity is refused."""
    if finding.get("individual"):
        raise InputError(where, "is an individual payee: individuals are never matched to companies")
    outcome = next((r for r in finding.get("rules", []) if r.get("rule_set") == rs.id), None)
    if outcome is None:
        judged = ", ".join(r.get("rule_set", "?") for r in finding.get("rules", [])) or "no rule set"
        raise InputError(where, f"has no outcome under {rs.id} (it was judged under {judged})")
    match = finding.get("match")
    if outcome["outcome"] not in DETERMINABLE or not match or match.get("band") != "match":
        raise InputError(where, f"is {outcome['outcome'].replace('_', ' ')} under {rs.id}, which identifies no "
                                "supplier of covered services: there is nothing to determine")
    return outcome, match


def _snapshot(finding: dict[str, Any], outcome: dict[str, Any], match: dict[str, Any], rs: RuleSet,
              provenance: dict[str, Any], source: dict[str, Any]) -> dict[str, Any]:
    audited = next((r.get("sha256") for r in provenance.get("rules", []) if r.get("id") == rs.id), None)
    rule_set = _rule_set(rs)
    if audited and audited != rs.sha256:
        rule_set["sha256_when_judged"] = audited
    row = {k: finding[k] for k in ("row", "vendor", "action", "amount", "department", "date") if k in finding}
    return {
        "tool": {"name": "sanctuary-check", "version": __version__},
        "source": source,
        "registry": {"version": provenance.get("registry_version"), "sha256": provenance.get("registry_sha256")},
        "rule_set": rule_set,
        "clause": _clause(rs, outcome.get("rule")),
        "finding": {**row, "verdict": finding.get("verdict")},
        "match": match,
        "outcome": outcome["outcome"],
        "reason": outcome.get("reason", ""),
        "evidence": list(outcome.get("evidence", [])),
        "evidence_periods": evidence_periods(list(outcome.get("evidence", []))),
        "sources": list(outcome.get("sources", [])),
        "clause_url": outcome.get("clause_url"),
        "waiver": outcome.get("waiver"),
    }


def read_report(path: str) -> dict[str, Any]:
    """An audit's JSON report (the ``--format json`` contract), with the SHA-256 of its bytes as ``_sha256``;
    anything else is one error naming the file."""
    from checker.compare.report import load_report

    doc, raw = load_report(path)
    if not isinstance(doc, dict) or not isinstance(doc.get("findings"), list) or "provenance" not in doc:
        raise InputError(path, "is not a sanctuary-check JSON report (no findings and provenance)")
    doc["_sha256"] = hashlib.sha256(raw).hexdigest()
    return doc


def from_audit(path: str, row: int, rs: RuleSet, vendor: str) -> dict[str, Any]:
    """The snapshot of row ``row`` of an audit's JSON report, under rule set ``rs``."""
    from checker.register.texts import same_vendor

    doc = read_report(path)
    finding = next((f for f in doc["findings"] if isinstance(f, dict) and f.get("row") == row), None)
    where = f"{path} row {row}"
    if finding is None:
        flagged = " (a report written with --only-flagged lists flagged rows only)" if \
            doc.get("summary", {}).get("only_flagged") else ""
        raise InputError(path, f"has no row {row}{flagged}")
    if not same_vendor(str(finding.get("vendor", "")), vendor):
        raise InputError(where, f"is {finding.get('vendor')!r}, not {vendor!r}")
    outcome, match = _take(finding, rs, where)
    provenance = doc.get("provenance") or {}
    source = {"kind": "audit", "report": path, "report_sha256": doc["_sha256"], "row": row,
              "input": provenance.get("input"), "as_of": provenance.get("as_of")}
    return _snapshot(finding, outcome, match, rs, provenance, source)


def from_screen(vendor: str, rules: str, on: date, registry_dir: str | None = None) -> dict[str, Any]:
    """The snapshot of screening ``vendor`` as a proposed new contract on ``on``, under the rule set ``rules``
    (an id or a path)."""
    from checker.api import Checker
    from checker.formats.common import judgement_dict, record_dict

    checker = Checker([rules], as_of=on, registry_dir=registry_dir)
    rs = checker.rulesets[0]
    run = checker.screen([vendor])
    found = next(iter(run.findings))
    finding = {**record_dict(found.record), **judgement_dict(found.judgement)}
    outcome, match = _take(finding, rs, f"screening {vendor!r}")
    source = {"kind": "screen", "as_of": on.isoformat()}
    return _snapshot(finding, outcome, match, rs, run.provenance(), source)
