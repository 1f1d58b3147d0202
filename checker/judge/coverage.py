"""Whether a rule set covers a registry entity on a day: the evidence that ties its family to a covered agency
and service, and how each piece relates to the entity (itself, a subsidiary, a parent, a sister company).

What the registry says about an entity changes only on the days a piece of evidence starts or stops
showing a service. ``Coverage`` works out, the first time a rule set asks about an entity, that entity's
timeline: the answer for each stretch of days between such dates (``covered_on`` for one day of the
stretch). It depends on the registry and the rule set alone, never on a record.
"""

from __future__ import annotations

from bisect import bisect_right
from datetime import date, timedelta
from typing import NamedTuple

from checker.knowledge.dates import parse_partial
from checker.knowledge.registry import Evidence, Registry
from checker.knowledge.rulesets import RuleSet

RELATION_ORDER = ("self", "subsidiaries", "parents", "family")
POLICY_SEVERITY = {"prohibited": 2, "review": 1, "excluded": 0}
RELATION_WORD = {"self": "vendor", "subsidiaries": "subsidiary", "parents": "parent company",
                 "family": "sister company"}
JOINED_WORD = {"subsidiaries": "a subsidiary", "parents": "its parent", "family": "in the family"}
SERVICE_LABEL = {"data_broker": "data broker", "extreme_vetting": "extreme vetting",
                 "surveillance_tech": "surveillance technology", "cloud_it": "cloud/IT", "contractor": "contractor",
                 "detention": "detention", "reseller": "resale"}


class Link(NamedTuple):
    """An evidence item that ties the matched vendor's family to a covered agency and service, with the days it
    shows the service (``window``) and how reports cite it."""

    relation: str
    entity_id: str
    evidence: Evidence
    since: date
    until: date
    line: str  # "<entity name>: <what the evidence says>"
    sources: tuple[str, ...]
    joined: date = date.min  # the day the two companies came into one family (date.min: always were)


class Covered(NamedTuple):
    """A rule set covers the entity: through which relation, the rule set's policy for it, what the vendor
    provides (the reason's first words), and the evidence and sources cited."""

    relation: str
    policy: str
    provides: str
    evidence: tuple[str, ...]
    sources: tuple[str, ...]


class Coverage:
    """Answers whether a rule set covers a registry entity on a day, from the registry's evidence."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self._timelines: dict[tuple[str, str], tuple[list[date], list[Covered | None]]] = {}

    def covered(self, rs: RuleSet, entity_id: str, day: date) -> Covered | None:
        """What covers the entity on ``day`` (None: no covered evidence is active then)."""
        timeline = self._timelines.get((rs.id, entity_id))
        if timeline is None:
            timeline = self._timelines[rs.id, entity_id] = self._timeline(rs, entity_id)
        starts, answers = timeline
        return answers[bisect_right(starts, day)]

    def _timeline(self, rs: RuleSet, entity_id: str) -> tuple[list[date], list[Covered | None]]:
        """The dates on which the answer may change, and the answer before the first and from each one on."""
        links = self.links(rs, entity_id)
        starts = sorted({lk.since for lk in links} | {lk.until + timedelta(days=1) for lk in links
                                                      if lk.until < date.max})
        days = [starts[0] - timedelta(days=1)] + starts if starts else [date.min]
        return starts, [self.covered_on(rs, entity_id, day, links) for day in days]

    def links(self, rs: RuleSet, entity_id: str) -> list[Link]:
        """The family's evidence of services the rule set covers, with its relation to the entity (in the
        registry's order), each counting only while the evidence shows the service and the two companies were in
        one family (``joined``)."""
        fam = self.registry.family_of(entity_id)
        ancestors = self.registry.ancestors(entity_id)
        links: list[Link] = []
        for other in fam.entities.values():
            if other.id == entity_id:
                relation = "self"
            elif entity_id in self.registry.ancestors(other.id):
                relation = "subsidiaries"
            elif other.id in ancestors:
                relation = "parents"
            else:
                relation = "family"
            first, last = self.joined(entity_id, other.id)
            for ev in other.evidence:
                if ev.agency in rs.agencies and ev.category in rs.services:
                    since, until = window(ev, fam.last_verified)
                    since, until = max(since, first), min(until, last)
                    if since <= until:
                        links.append(Link(relation, other.id, ev, since, until, f"{other.name}: {ev.cite()}",
                                          tuple(src.cite() for src in ev.sources), first))
        return links

    def joined(self, entity_id: str, other_id: str) -> tuple[date, date]:
        """The first and last day two entities of a family were in it together: every company between them in
        the family tree (below the one both descend from) acquired by then and not yet divested. A partial date
        counts from the last day it can mean for an acquisition, to the day before the first for a divestiture:
        a link that may not have held yet, or any more, is never counted."""
        first, last, _, _ = self.membership(entity_id, other_id)
        return first, last

    def membership(self, entity_id: str, other_id: str) -> tuple[date, date, str | None, str | None]:
        """``joined``'s two days, and the companies whose acquisition and divestiture set them (None: none did)."""
        if entity_id == other_id:
            return date.min, date.max, None, None
        line_a = [entity_id, *self.registry.ancestors(entity_id)]
        line_b = [other_id, *self.registry.ancestors(other_id)]
        common = next((x for x in line_a if x in line_b), None)
        path = line_a[:line_a.index(common)] + line_b[:line_b.index(common)] if common else line_a + line_b
        first, last, joiner, leaver = date.min, date.max, None, None
        for member in path:
            ent = self.registry.entities[member]
            if ent.acquired and parse_partial(ent.acquired, end=True) > first:
                first, joiner = parse_partial(ent.acquired, end=True), member
            if ent.divested and parse_partial(ent.divested) - timedelta(days=1) < last:
                last, leaver = parse_partial(ent.divested) - timedelta(days=1), member
        return first, last, joiner, leaver

    def covered_on(self, rs: RuleSet, entity_id: str, day: date, links: list[Link]) -> Covered | None:
        """What covers the entity on ``day``, from its family's covered ``links``: the definition the timeline
        is made of."""
        active = [lk for lk in links if lk.since <= day <= lk.until]
        if not active:
            return None
        relation, policy = strongest(rs, active)
        held = [lk for lk in active if lk.relation == relation]
        holder = self.registry.entities[held[0].entity_id]
        evidence = tuple(lk.line for lk in held[:5])
        sources = tuple(dict.fromkeys(src for lk in held[:5] for src in lk.sources))
        services = "/".join(sorted({SERVICE_LABEL[lk.evidence.category] for lk in held}))
        agencies = "/".join(sorted({lk.evidence.agency for lk in held}))
        who = "it" if relation == "self" else f"its {RELATION_WORD[relation]} {holder.name}"
        if relation != "self" and held[0].joined > date.min:
            joiner = self.membership(entity_id, held[0].entity_id)[2]
            text = self.registry.entities[joiner].acquired if joiner else None
            since = text if text and len(text) < 10 else held[0].joined.isoformat()
            who += f" ({JOINED_WORD[relation]} since {since})"
        provides = f"{self.registry.entities[entity_id].name}: {who} provides {agencies} with {services} services"
        return Covered(relation, policy, provides, evidence, sources)

    def why_not_covered(self, rs: RuleSet, entity_id: str, day: date) -> tuple[str, str]:
        """Why a registry entity is outside a rule set on ``day``, and the cause (a key of ``NOT_COVERED_CAUSES``):
        a link that joined the family later or left it, an ended relationship, dates, services or agencies."""
        fam = self.registry.family_of(entity_id)
        members = list(fam.entities.values())
        covered = [(e, ev) for e in members for ev in e.evidence
                   if ev.agency in rs.agencies and ev.category in rs.services]
        for other, ev in covered:  # active that day, but the two companies were not one family then
            since, until = window(ev, fam.last_verified)
            first, last, joiner, leaver = self.membership(entity_id, other.id)
            if since <= day <= until and not first <= day <= last:
                what = f"{other.name} provides {ev.agency} with {SERVICE_LABEL[ev.category]} services"
                if day < first:
                    moved = self.registry.entities[joiner]  # type: ignore[index]
                    return (f"{what}, but {moved.name} joined the {fam.root.name} family only "
                            f"{_when(moved.acquired, first)}, after {day.isoformat()}", "relationship_not_started")
                moved = self.registry.entities[leaver]  # type: ignore[index]
                return (f"{what}, but {moved.name} left the {fam.root.name} family "
                        f"{_when(moved.divested, last + timedelta(days=1))}, "
                        f"before {day.isoformat()}", "relationship_ended")
        ended = [ev for _, ev in covered if ev.ended is not None and day > ev.ended.date]
        if ended:
            ev = max(ended, key=lambda e: e.ended.date)  # type: ignore[union-attr]
            return (f"formerly provided {ev.agency} with {SERVICE_LABEL[ev.category]} services; ended on "
                    f"{ev.ended.date.isoformat()}: {ev.ended.why} ({ev.ended.source.cite()})",  # type: ignore[union-attr]
                    "relationship_ended")
        if covered:
            starts = [ev.start for _, ev in covered]
            if day < min(starts):
                return (f"no evidence of covered services on {day.isoformat()} (evidence starts "
                        f"{min(starts).isoformat()})", "relationship_not_started")
            return f"no evidence of covered services on {day.isoformat()}", "relationship_ended"
        evidence = [ev for e in members for ev in e.evidence]
        kinds = sorted({f"{SERVICE_LABEL[ev.category]} to {ev.agency}" for ev in evidence})
        cause = "agency_not_covered" if any(ev.category in rs.services for ev in evidence) else "service_not_covered"
        return (f"the registry shows {', '.join(kinds) or 'no services'}, which {rs.id} does not cover "
                f"(it covers {', '.join(sorted(SERVICE_LABEL[s] for s in rs.services))} for "
                f"{', '.join(sorted(rs.agencies))})", cause)


def _when(text: str | None, counted: date) -> str:
    """``on 2019-01-07``, or for a partial date ``in 2019 (counted from 2019-12-31)``."""
    if text is not None and len(text) < 10:
        return f"in {text} (counted from {counted.isoformat()}: the registry gives no exact day)"
    return f"on {text}"


def window(ev: Evidence, last_verified: date) -> tuple[date, date]:
    """The first and last day evidence shows the service: its period, to its end or documented ending; a period
    still open when the family was last verified runs on."""
    stop = min(ev.end or date.max, ev.ended.date if ev.ended else date.max)
    if ev.start <= last_verified <= stop:
        stop = date.max
    return ev.start, stop


def strongest(rs: RuleSet, links: list[Link]) -> tuple[str, str]:
    """The relation whose links weigh most under the rule set's affiliate policy (the closest, of equal weight),
    and that policy."""
    present = {lk.relation for lk in links}
    best = max(present, key=lambda r: (POLICY_SEVERITY[rs.affiliates[r]], -RELATION_ORDER.index(r)))
    return best, rs.affiliates[best]
