"""Rule tests beside the rules (Semgrep-style): records with the verdict each rule set must give."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from checker.errors import InputError
from checker.judge.facts import FactFinder
from checker.judge.judge import Judge
from checker.knowledge.registry import Registry
from checker.knowledge.rulesets import RuleSet
from checker.knowledge.validation import validate
from checker.knowledge.waivers import load_waivers
from checker.knowledge.yamlsafe import load_yaml_file
from checker.match.matcher import Matcher
from checker.model import Record
from checker.sources.holdings_source import read_transaction
from checker.sources.rows import read_action


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one case: pass, fail, todo (a known gap still open) or fixed (a todo that now passes)."""

    rule_set: str
    name: str
    status: str
    expected: str
    got: str
    reason: str


def tests_file(rs: RuleSet) -> Path:
    """Where a rule set's cases live: ``tests/<id>.yaml`` beside the rule-set file."""
    return Path(rs.path).parent / "tests" / f"{rs.id}.yaml"


def _waivers(raw: list[dict], rule_set: str, registry: Registry) -> dict:
    entries = [{"rule_set": rule_set, **w} for w in raw]
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False, encoding="utf-8") as fh:
        yaml.safe_dump({"waivers": entries}, fh)
    try:
        return load_waivers(fh.name, registry, rule_sets=[rule_set])
    finally:
        Path(fh.name).unlink()


def run_cases(rs: RuleSet, registry: Registry, matcher: Matcher) -> list[CaseResult]:
    """Run a rule set's cases; a missing cases file is an error (every rule set must be tested)."""
    path = tests_file(rs)
    if not path.exists():
        raise InputError(str(path), f"no test cases for rule set {rs.id}")
    doc = load_yaml_file(path)
    validate(doc, "ruletests")
    if doc.data["rule_set"] != rs.id:
        raise InputError(doc.path, f"line {doc.line_of(('rule_set',))}: field rule_set: {doc.data['rule_set']!r} "
                                   f"does not match the file name {rs.id!r}")
    results: list[CaseResult] = []
    for i, case in enumerate(doc.data["cases"]):
        def day(key: str, _case: dict = case) -> date | None:
            return date.fromisoformat(_case[key]) if key in _case else None

        as_of = day("as_of") or day("date") or date(2026, 1, 15)
        waivers = _waivers(case.get("waivers", []), rs.id, registry) if case.get("waivers") else None
        judge = Judge(registry, [rs], as_of, waivers)
        finder = FactFinder(matcher, registry, waivers=bool(waivers))
        if case.get("holding"):
            record = Record(row=i + 1, vendor=case["vendor"], date=day("date"),
                            action=read_transaction(case.get("transaction")))
            outcome = judge.holding(finder.holding(record)).rules[0]
        else:
            record = Record(row=i + 1, vendor=case["vendor"], action=read_action(case.get("action", "")),
                            date=day("date"), contract_start=day("contract_start"), contract_end=day("contract_end"),
                            amount=case.get("amount"), description=case.get("description"),
                            contract_id=case.get("contract_id"))
            outcome = judge.judge(finder.of(record, screening=case.get("screen", False))).rules[0]
        ok = outcome.outcome == case["expect"] and case.get("reason_contains", "") in outcome.reason and \
            case.get("cause", outcome.cause) == outcome.cause
        status = ("fixed" if ok else "todo") if case.get("todo") else ("pass" if ok else "fail")
        expected = case["expect"] + (f" [{case['cause']}]" if case.get("cause") else "")
        got = outcome.outcome + (f" [{outcome.cause}]" if outcome.cause else "")
        results.append(CaseResult(rs.id, case["name"], status, expected, got, outcome.reason))
    return results
