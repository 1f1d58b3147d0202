"""Rule sets: one ordinance per ``rules/*.yaml``, validated against the rule-set JSON Schema."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from checker.errors import InputError
from checker.knowledge.cache import cached
from checker.knowledge.dates import parse_iso
from checker.knowledge.resources import bundled_dir

if TYPE_CHECKING:
    from checker.knowledge.yamlsafe import LoadedYaml


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
    origin: dict[str, str] = field(default_factory=dict)

    def rule_for(self, applies_to: str) -> Rule | None:
        """The rule that governs contracting or investing, if the rule set has one."""
        return next((r for r in self.rules if r.applies_to == applies_to), None)

    @property
    def citation(self) -> str:
        """Ordinance and code citation for headers."""
        c = self.raw["citation"]
        return f"{c['ordinance']}; {c['code']}"


MERGED_MAPS = frozenset({"citation", "adopted", "effective", "text_status", "coverage", "affiliates", "waiver"})
"""Mapping fields a child rule set may override key by key; any other field it gives replaces the parent's."""


def _resolve(path: Path, chain: tuple[str, ...] = ()) -> tuple[dict[str, Any], dict[str, str], LoadedYaml]:
    """A rule set's document with ``extends:`` applied, and which rule set each field came from."""
    from checker.knowledge.yamlsafe import load_yaml_file

    doc = load_yaml_file(path)
    data = doc.data
    if not isinstance(data, dict):
        raise InputError(doc.path, "line 1: a rule set must be a YAML mapping")
    own = str(data.get("id", path.stem))
    parent_id = data.get("extends")
    if parent_id is None:
        merged: dict[str, Any] = {}
        origin: dict[str, str] = {}
    else:
        line = doc.line_of(("extends",))
        if parent_id in chain or parent_id == own:
            raise InputError(doc.path, f"line {line}: field extends: {parent_id!r} extends itself (cycle)")
        parent_path = path.parent / f"{parent_id}.yaml"
        if not parent_path.exists():
            parent_path = bundled_dir("rules") / f"{parent_id}.yaml"
        if not parent_path.exists():
            raise InputError(doc.path, f"line {line}: field extends: no rule set {parent_id!r} next to this file "
                                       "or among the bundled ones")
        parent = load_ruleset(parent_path, chain + (own,))
        merged = copy.deepcopy({k: v for k, v in parent.raw.items() if k != "extends"})
        origin = dict(parent.origin)
    for key, value in data.items():
        if key in MERGED_MAPS and isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = {**merged[key], **value}
            origin.update({f"{key}.{sub}": own for sub in value})
        else:
            merged[key] = value
            for stale in [k for k in origin if k == key or k.startswith(key + ".")]:
                del origin[stale]
            if key in MERGED_MAPS and isinstance(value, dict):
                origin.update({f"{key}.{sub}": own for sub in value})
            else:
                origin[key] = own
    return merged, origin, doc


def load_ruleset(path: Path | str, chain: tuple[str, ...] = ()) -> RuleSet:
    """Load a rule-set file, apply ``extends:``, and validate the result against the schema."""
    from checker.knowledge.validation import validate  # YAML and schemas: only when the compiled cache has no entry
    from checker.knowledge.yamlsafe import LoadedYaml

    path = Path(path)
    d, origin, doc = _resolve(path, chain)
    validate(LoadedYaml(data=d, lines=doc.lines, path=doc.path), "ruleset")
    if d["id"] != path.stem:
        raise InputError(doc.path, f"line {doc.line_of(('id',))}: field id: {d['id']!r} must match "
                                   f"the file name {path.stem!r}")
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
        rules=rules, path=str(path), sha256=doc.sha256, raw=d, origin=origin,  # the bytes read, once
    )


def available_rulesets(directory: Path | str | None = None) -> dict[str, RuleSet]:
    """Every rule set in ``directory`` (default: the bundled ``rules/``), by id (through the on-disk cache)."""
    folder = Path(directory) if directory is not None else bundled_dir("rules")
    files = sorted(folder.glob("*.yaml"))
    return cached("rulesets", files, lambda: {rs.id: rs for rs in map(load_ruleset, files)}, expected=dict)


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
