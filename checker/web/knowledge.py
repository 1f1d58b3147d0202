"""What the pages read of the knowledge and the register: rule sets to choose from, and the register's granted
waivers for screens and audits."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from checker.errors import InputError


@dataclass(frozen=True)
class RuleChoice:
    """A rule set as a checkbox: its id, title, status, whether it applies by default, and how the library names
    it (its id, or the path of a rule-set file the project names)."""

    id: str
    title: str
    status: str
    default: bool
    spec: str


def rule_choices(configured: tuple[str, ...] | None = None) -> list[RuleChoice]:
    """Every bundled rule set and those the project names; the project's are ticked by default, else the
    enacted ones (as the command line applies them without ``--rules``)."""
    from checker.api import rule_sets

    named = rule_sets(list(configured)) if configured else []
    specs = dict(zip((rs.id for rs in named), configured or (), strict=False))
    found = {rs.id: rs for rs in rule_sets()} | {rs.id: rs for rs in named}
    return [RuleChoice(rs.id, rs.raw["title"], rs.status,
                       rs.id in specs if configured else rs.status == "enacted", specs.get(rs.id, rs.id))
            for rs in sorted(found.values(), key=lambda r: r.id)]


def chosen_rules(values: list[str], configured: tuple[str, ...] | None = None) -> list[str] | None:
    """The rule sets ticked, as the library names them; none ticked: the project's, else None (the defaults)."""
    choices = {c.id: c.spec for c in rule_choices(configured)}
    unknown = [v for v in values if v not in choices]
    if unknown:
        raise InputError("rule sets", f"no rule set {unknown[0][:60]!r} here")
    if not values:
        return list(configured) if configured else None
    return [choices[v] for v in values]


def as_of_day(value: str | None) -> date:
    """The form's as-of date (YYYY-MM-DD), today when empty."""
    if not value or not value.strip():
        return date.today()
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise InputError("as of", f"{value.strip()[:40]!r} is not a date in YYYY-MM-DD form") from None


@dataclass(frozen=True)
class RegisterWaivers:
    """The register's granted waivers as a screen or audit reads them, and what to tell the user about them."""

    waivers: object | None
    note: str | None


def register_waivers(db: str, waivers_file: str | None = None, registry_dir: str | None = None) -> RegisterWaivers:
    """Granted waivers of the register (none when there is no register yet), with those of the project's waivers
    file. A register waiver the audit cannot express is not silently dropped: the note says so."""
    granted = []
    note = None
    if Path(db).is_file():
        from checker.register import waivers_for_audit

        try:
            granted = waivers_for_audit(db)
        except InputError as exc:
            note = f"The register's waivers could not be applied ({exc}); these results do not account for them."
    if not granted:
        return RegisterWaivers(waivers_file, note)
    from checker.knowledge.waivers import WaiverRegister

    digest = hashlib.sha256(repr(granted).encode("utf-8"))
    where = f"the register {Path(db).name}"
    if waivers_file:
        from checker.api import registry
        from checker.knowledge.rulesets import available_rulesets
        from checker.knowledge.waivers import load_waivers

        loaded = load_waivers(waivers_file, registry(registry_dir), rule_sets=set(available_rulesets()) | {
            w.rule_set for w in granted})
        granted = [w for ws in loaded.values() for w in ws] + granted
        digest.update(loaded.sha256.encode("ascii"))
        where = f"{waivers_file} and {where}"
    merged = WaiverRegister.of(granted, sha256=digest.hexdigest())
    merged.path = where  # type: ignore[attr-defined]
    return RegisterWaivers(merged, f"{len(granted)} waiver(s) applied, from {where}.")
