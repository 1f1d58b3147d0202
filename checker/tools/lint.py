"""Registry quality checks beyond the schema: clashes, weak-alias sense, sources, staleness, check digits."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit

from stdnum import cusip, isin
from stdnum.us import ein

from checker.knowledge.registry import Entity, Registry, Source, award_url, load_datasets
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


def bare_home_page(url: str) -> bool:
    """True for a URL that names a site but no page on it (``https://www.wired.com/``): not a citation."""
    parts = urlsplit(url)
    return parts.path.strip("/") == "" and not parts.query


def overclaimed(confidence: str, awards: tuple[str, ...], sources: tuple[Source, ...]) -> str | None:
    """Why ``high`` confidence is more than an evidence item shows (None when it is not): high needs a federal
    award id and at least one verified source; anything less is capped at moderate."""
    if confidence != "high":
        return None
    if not awards and not any(s.award for s in sources):
        return "confidence high without an award id (cap it at moderate)"
    if all(not s.verified for s in sources):
        return "confidence high while every source is unverified (cap it at moderate)"
    return None


def _entity_sources(ent: Entity) -> Iterator[tuple[str, Source]]:
    """Every source of an entity, with where it is cited."""
    for s in ent.sources:
        yield "source", s
    for ident in ent.identifiers:
        yield f"identifier {ident.type} {ident.value}", ident.source
    if ent.acquired_source is not None:
        yield "acquired_source", ent.acquired_source
    if ent.divested_source is not None:
        yield "divested_source", ent.divested_source
    for ev in ent.evidence:
        for s in ev.sources:
            yield f"evidence {ev.what[:40]!r}", s
        if ev.ended is not None:
            yield f"evidence {ev.what[:40]!r} (ended)", ev.ended.source


def _source_problems(where: str, what: str, src: Source, datasets: set[str]) -> list[Problem]:
    problems = []
    if src.url and bare_home_page(src.url):
        problems.append(Problem("error", where, f"{what}: {src.title[:60]!r} cites a bare home page {src.url!r}; "
                                                "cite the article or record (or drop the URL and mark it "
                                                "verified: false)"))
    if src.award and not src.url and src.award_page is None:
        problems.append(Problem("warning", where, f"{what}: award {src.award} has no USAspending page (add its key "
                                                  "to the evidence's award_keys, or cite one of its orders)"))
    if src.dataset and src.dataset not in datasets and src.verified:
        problems.append(Problem("error", where, f"{what}: dataset {src.dataset!r} is not defined in "
                                                "vendors/datasets.yaml (define it, or mark the source verified: "
                                                "false)"))
    return problems


def lint_registry(reg: Registry, today: date | None = None) -> list[Problem]:
    """Every problem found in a loaded registry (schema errors stop loading before this)."""
    today = today or date.today()
    problems: list[Problem] = []
    owner: dict[str, tuple[str, str]] = {}
    datasets = set(load_datasets())
    for fam in reg.families.values():
        for decoy in fam.decoys:
            if decoy.source is not None:
                problems += _source_problems(fam.path, f"decoy {decoy.name!r}", decoy.source, datasets)
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
            for what, src in _entity_sources(ent):
                problems += _source_problems(where, what, src, datasets)
            for field, day, src in (("acquired", ent.acquired, ent.acquired_source),
                                    ("divested", ent.divested, ent.divested_source)):
                if day and src is None:
                    problems.append(Problem("warning", where, f"{field} {day} has no {field}_source"))
            for ev in ent.evidence:
                if not ev.awards and not any(s.link or s.award for s in ev.sources):
                    problems.append(Problem("error", where, f"evidence {ev.what[:50]!r} has no source URL or award id"))
                if not ev.category_why:
                    problems.append(Problem("error", where, f"evidence {ev.what[:50]!r} has no category_why "
                                                            "(why it meets data broker, extreme vetting, detention "
                                                            "or none)"))
                why = overclaimed(ev.confidence, ev.awards, ev.sources)
                if why:
                    problems.append(Problem("error", where, f"evidence {ev.what[:50]!r}: {why}"))
                keys = dict(ev.award_keys)
                for piid in keys.keys() - set(ev.awards):
                    problems.append(Problem("error", where, f"evidence {ev.what[:50]!r}: award_keys names {piid}, "
                                                            "which is not among its awards"))
                unlinked = [piid for piid in ev.awards if award_url(piid, keys.get(piid)) is None]
                if unlinked:
                    problems.append(Problem("warning", where, f"evidence {ev.what[:50]!r}: no USAspending page "
                                                              f"for {', '.join(unlinked)} (add award_keys)"))
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
