"""Rule sets: one ordinance per ``rules/*.yaml``, validated against the rule-set JSON Schema."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from checker.errors import InputError
from checker.knowledge.cache import cached
from checker.knowledge.dates import parse_iso
from checker.knowledge.resources import bundled_dir
from checker.model import ACTIONS, CHANGE_ACTIONS

if TYPE_CHECKING:
    from checker.knowledge.yamlsafe import LoadedYaml


class Rule(NamedTuple):
    """One operative clause: what it applies to, its citation and how its text is known."""

    id: str
    applies_to: str
    clause: str
    message: str
    severity: str
    kind: str
    source_url: str
    text: str | None = None


class ActionMeaning(NamedTuple):
    """What one contract action means under a rule set, and what that rests on."""

    treated_as: str  # covered | review | not_covered | until_changed (existing) | check_contract (payment)
    clause: str
    basis: str  # text | report | inference
    note: str
    given: bool = True  # False: not in the rule set's table, derived from coverage.actions


class Investing(NamedTuple):
    """What a rule set says of the city's investments (``known`` False: no available text says either way)."""

    known: bool
    new_purchase: str  # prohibited | review | not_covered
    existing_holding: str
    clause: str | None
    basis: str | None
    note: str


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
    window: tuple[date, date] | None = None
    """For an effective date that is not verified: the first and last day it may be (None: the date is certain)."""
    action_table: dict[str, ActionMeaning] = field(default_factory=dict)
    investing: Investing | None = None

    @property
    def binding(self) -> bool:
        """True for an enacted ordinance; a model, a proposal or a failed bill binds no one."""
        return self.status == "enacted"

    @property
    def may_apply_from(self) -> date:
        """The first day the rule set may be in force (the window's first day when the date is uncertain)."""
        return self.window[0] if self.window else self.effective

    @property
    def in_force_from(self) -> date:
        """The first day the rule set is certainly in force."""
        return self.window[1] + timedelta(days=1) if self.window else self.effective

    def meaning(self, action: str) -> ActionMeaning | None:
        """What a contract action means here (None for a value that is not one of ``ACTIONS``)."""
        return self.action_table.get(action)

    def rule_for(self, applies_to: str) -> Rule | None:
        """The rule that governs contracting or investing, if the rule set has one."""
        return next((r for r in self.rules if r.applies_to == applies_to), None)

    @property
    def citation(self) -> str:
        """Ordinance and code citation for headers."""
        c = self.raw["citation"]
        return f"{c['ordinance']}; {c['code']}"


MERGED_MAPS = frozenset({"citation", "adopted", "effective", "text_status", "coverage", "affiliates", "waiver",
                         "actions", "investing"})
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
    table = _action_table(d, doc)
    covered = sorted(a for a, m in table.items() if m.treated_as == "covered")
    rules = tuple(Rule(id=r["id"], applies_to=r["applies_to"], clause=r["clause"],
                       message=" ".join(r["message"].split()), severity=r["severity"], kind=r["kind"],
                       source_url=r["source"]["url"], text=r.get("text"))
                  for r in d["rules"])
    return RuleSet(
        id=d["id"], title=d["title"], jurisdiction=d["jurisdiction"], status=d["status"],
        effective=parse_iso(d["effective"]["date"]), agencies=frozenset(cov["agencies"]),
        services=frozenset(cov["services"]), actions=frozenset(covered), investments=cov["investments"],
        affiliates={k: v for k, v in d["affiliates"].items() if k != "note"},
        text_verified=d["text_status"]["verified"], text_note=" ".join(d["text_status"]["note"].split()),
        rules=rules, path=str(path), sha256=doc.sha256, raw=d, origin=origin,  # the bytes read, once
        window=_window(d, doc), action_table=table, investing=_investing(d),
    )


def _window(d: dict[str, Any], doc: LoadedYaml) -> tuple[date, date] | None:
    """The effective date's window, checked: it holds the date, and a verified date has none."""
    eff = d["effective"]
    w = eff.get("window")
    if w is None:
        return None
    line = doc.line_of(("effective", "window"))
    if eff["confidence"] == "verified":
        raise InputError(doc.path, f"line {line}: field effective.window: a verified effective date has no window")
    first, last, day = parse_iso(w["from"]), parse_iso(w["to"]), parse_iso(eff["date"])
    if not first <= day <= last:
        raise InputError(doc.path, f"line {line}: field effective.window: {first} to {last} must hold the "
                                   f"effective date {day}")
    return first, last


def _action_table(d: dict[str, Any], doc: LoadedYaml) -> dict[str, ActionMeaning]:
    """Every action's meaning: the rule set's table where it gives one, else derived from ``coverage.actions``."""
    given = d.get("actions") or {}
    listed = d["coverage"].get("actions")
    if listed is None and not given:
        raise InputError(doc.path, f"line {doc.line_of(('coverage',))}: field coverage: give coverage.actions or "
                                   "an actions table")
    table_covered = {a for a, m in given.items() if m["treated_as"] == "covered"}
    if listed is not None:
        differ = sorted(a for a in given if a in CHANGE_ACTIONS and (a in listed) != (a in table_covered))
        if differ:
            raise InputError(doc.path, f"line {doc.line_of(('coverage', 'actions'))}: field coverage.actions: "
                                       f"{sorted(listed)} disagrees with the actions table on {', '.join(differ)}; "
                                       "give one of them")
    covered = set(listed or ()) | table_covered
    clause = next((r["clause"] for r in d["rules"] if r["applies_to"] == "contracting"), d["citation"]["ordinance"])
    table: dict[str, ActionMeaning] = {}
    for action in ACTIONS:
        if action in given:
            m = given[action]
            table[action] = ActionMeaning(m["treated_as"], m.get("clause", clause), m["basis"],
                                          " ".join(m["note"].split()))
        elif action == "existing":
            table[action] = ActionMeaning("until_changed", clause, "inference", "A contract made before the rule "
                                          "set took effect is reached when it is next changed.", given=False)
        elif action == "payment":
            table[action] = ActionMeaning("check_contract", clause, "inference", "A payment shows no contract "
                                          "action: the contract behind it must be checked.", given=False)
        elif action in covered:
            table[action] = ActionMeaning("covered", clause, "text", "Named by coverage.actions.", given=False)
        else:
            table[action] = ActionMeaning("review", clause, "inference", "Not named by the text (coverage.actions): "
                                          "whether it counts is for a person to decide.", given=False)
    return table


def _investing(d: dict[str, Any]) -> Investing:
    """The investing provision; without an ``investing`` section, ``coverage.investments`` says it all."""
    inv = d.get("investing")
    if inv is None:
        policy = "prohibited" if d["coverage"]["investments"] else "not_covered"
        return Investing(True, policy, policy, None, None, "")
    default = "prohibited" if d["coverage"]["investments"] and inv["known"] else "not_covered"
    return Investing(inv["known"], inv.get("new_purchase", default), inv.get("existing_holding", default),
                     inv.get("clause"), inv.get("basis"), " ".join(inv["note"].split()))


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
