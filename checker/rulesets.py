"""Rule sets: one ordinance per ``rules/*.yaml``, validated against the rule-set JSON Schema."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from checker.dates import parse_iso
from checker.errors import InputError
from checker.resources import bundled_dir
from checker.validation import validate
from checker.yamlsafe import load_yaml_file


@dataclass(frozen=True)
class Rule:
    """One operative clause: what it applies to, its citation and how its text is known."""

    id: str
    applies_to: str
    clause: str
    message: str
    severity: str
    kind: str
    source_url: str
    text: str | None = None


@dataclass(frozen=True)
class RuleSet:
    """A loaded rule set; ``raw`` keeps the validated document for display."""

    id: str
    title: str
    jurisdiction: str
    status: str
    effective: date
    agencies: frozenset[str]
    services: frozenset[str]
    actions: frozenset[str]
    investments: bool
    affiliates: dict[str, str]
    text_verified: bool
    text_note: str
    rules: tuple[Rule, ...]
    path: str
    sha256: str
    raw: dict[str, Any]

    def rule_for(self, applies_to: str) -> Rule | None:
        """The rule that governs contracting or investing, if the rule set has one."""
        return next((r for r in self.rules if r.applies_to == applies_to), None)

    @property
    def citation(self) -> str:
        """Ordinance and code citation for headers."""
        c = self.raw["citation"]
        return f"{c['ordinance']}; {c['code']}"


def load_ruleset(path: Path | str) -> RuleSet:
    """Load and validate one rule-set file."""
    doc = load_yaml_file(path)
    validate(doc, "ruleset")
    d = doc.data
    stem = Path(path).stem
    if d["id"] != stem:
        raise InputError(doc.path, f"line {doc.line_of(('id',))}: field id: {d['id']!r} must match "
                                   f"the file name {stem!r}")
    cov = d["coverage"]
    rules = tuple(Rule(id=r["id"], applies_to=r["applies_to"], clause=r["clause"],
                       message=" ".join(r["message"].split()), severity=r["severity"], kind=r["kind"],
                       source_url=r["source"]["url"], text=r.get("text"))
                  for r in d["rules"])
    return RuleSet(
        id=d["id"], title=d["title"], jurisdiction=d["jurisdiction"], status=d["status"],
        effective=parse_iso(d["effective"]["date"]), agencies=frozenset(cov["agencies"]),
        services=frozenset(cov["services"]), actions=frozenset(cov["actions"]), investments=cov["investments"],
        affiliates={k: v for k, v in d["affiliates"].items() if k != "note"},
        text_verified=d["text_status"]["verified"], text_note=" ".join(d["text_status"]["note"].split()),
        rules=rules, path=str(path), sha256=hashlib.sha256(Path(path).read_bytes()).hexdigest(), raw=d,
    )


def available_rulesets(directory: Path | str | None = None) -> dict[str, RuleSet]:
    """Every rule set in ``directory`` (default: the bundled ``rules/``), by id."""
    folder = Path(directory) if directory is not None else bundled_dir("rules")
    out: dict[str, RuleSet] = {}
    for file in sorted(folder.glob("*.yaml")):
        rs = load_ruleset(file)
        out[rs.id] = rs
    return out


def select_rulesets(ids: list[str] | None, directory: Path | str | None = None) -> tuple[list[RuleSet], bool]:
    """The rule sets named by ``ids`` (ids or paths), or every enacted one; the flag says defaults were used."""
    if ids:
        chosen: list[RuleSet] = []
        bundled: dict[str, RuleSet] | None = None
        for ident in ids:
            if ident.endswith((".yaml", ".yml")) or "/" in ident:
                chosen.append(load_ruleset(ident))
                continue
            bundled = bundled if bundled is not None else available_rulesets(directory)
            if ident not in bundled:
                raise InputError("--rules", f"unknown rule set {ident!r}; available: {', '.join(sorted(bundled))}")
            chosen.append(bundled[ident])
        return chosen, False
    enacted = [rs for rs in available_rulesets(directory).values() if rs.status == "enacted"]
    return enacted, True
