"""Registry quality checks beyond the schema: clashes, weak-alias sense, sources, staleness, check digits."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from stdnum import cusip, isin
from stdnum.us import ein

from checker.knowledge.registry import Registry
from checker.match.matcher import Matcher
from checker.match.normalize import normalize
from checker.match.words import token_weight

STALE_AFTER = timedelta(days=365)
WEAK_MAX_TOKENS = 2


@dataclass(frozen=True)
class Problem:
    """One lint finding: where, what, and whether it blocks (error) or informs (warning)."""

    level: str
    where: str
    message: str


def _identifier_problem(kind: str, value: str) -> str | None:
    try:
        if kind == "cusip":
            cusip.validate(value)
        elif kind == "isin":
            isin.validate(value)
        elif kind == "ein":
            ein.validate(value)
        elif kind == "cusip_issuer" and (len(value) != 6 or not value.isalnum()):
            return "a CUSIP issuer prefix is 6 letters or digits"
        elif kind in ("duns",) and (len(value) != 9 or not value.isdigit()):
            return "a DUNS number is 9 digits (keep leading zeros)"
    except Exception as exc:  # stdnum raises ValidationError subclasses
        return f"invalid {kind}: {exc}"
    return None


def lint_registry(reg: Registry, today: date | None = None) -> list[Problem]:
    """Every problem found in a loaded registry (schema errors stop loading before this)."""
    today = today or date.today()
    problems: list[Problem] = []
    owner: dict[str, tuple[str, str]] = {}
    for fam in reg.families.values():
        if today - fam.last_verified > STALE_AFTER:
            problems.append(Problem("warning", fam.path, f"last_verified {fam.last_verified} is more than a year old"))
        for ent in fam.entities.values():
            where = f"{fam.path}: {ent.id}"
            for text in (ent.name, *ent.aliases, *ent.former_names, *ent.products):
                core = normalize(text).core
                prior = owner.setdefault(core, (fam.id, ent.id))
                if prior[0] != fam.id:
                    problems.append(Problem("error", where, f"name {text!r} is also claimed by {prior[0]}:{prior[1]}"))
                tokens = normalize(text).tokens
                if text in ent.aliases and len(tokens) == 1 and token_weight(tokens[0]) < 1.0:
                    problems.append(Problem("error", where, f"alias {text!r} is a single generic word; "
                                                            "make it a weak alias"))
            for weak in ent.weak_aliases:
                tokens = normalize(weak).tokens
                if len(tokens) > WEAK_MAX_TOKENS and all(token_weight(t) >= 1.0 for t in tokens):
                    problems.append(Problem("warning", where, f"weak alias {weak!r} is long and distinctive; "
                                                              "it could be a normal alias"))
            if not any(s.link or s.award for s in ent.sources):
                problems.append(Problem("error", where, "entity has no source with a URL or award id"))
            for ev in ent.evidence:
                if not ev.awards and not any(s.link or s.award for s in ev.sources):
                    problems.append(Problem("error", where, f"evidence {ev.what[:50]!r} has no source URL or award id"))
            for ident in ent.identifiers:
                issue = _identifier_problem(ident.type, ident.value)
                if issue:
                    problems.append(Problem("error", where, f"identifier {ident.type} {ident.value}: {issue}"))
    matcher = Matcher(reg)
    for fam in reg.families.values():
        for decoy in fam.decoys:
            outcome = matcher.match(decoy.name)
            if outcome.match is not None:
                problems.append(Problem("error", fam.path, f"decoy {decoy.name!r} matches "
                                                           f"{outcome.match.entity_id} (decoys must never match)"))
    for target in matcher.targets:
        why = matcher.decoy_reason(target.name)
        if why is not None:
            problems.append(Problem("error", reg.families[target.family_id].path,
                                    f"name {target.text!r} of {target.entity_id} is hidden by a decoy: {why}"))
    return problems
