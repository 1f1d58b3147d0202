"""Judging: apply rule sets to a matched record and give each rule set's outcome and the row verdict."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from checker.identifiers import IdentifierIndex
from checker.matcher import Match, Matcher, Outcome
from checker.models import Finding, Judgement, Record, RuleOutcome, most_severe
from checker.products import ProductHit, ProductScanner
from checker.registry import Evidence, Registry
from checker.rulesets import RuleSet

if TYPE_CHECKING:
    from checker.waivers import Waiver

SHARED_LIMIT = 4_096
"""Judgements remembered for reuse (the memo is emptied when it reaches this; it only saves time)."""
COVERAGE_LIMIT = 4_096
"""Rule-set coverage answers remembered (per rule set, match and day)."""
RELATION_ORDER = ("self", "subsidiaries", "parents", "family")
POLICY_SEVERITY = {"prohibited": 2, "review": 1, "excluded": 0}
CHANGE_ACTIONS = frozenset({"new", "amended", "extended", "renewed"})
RELATION_WORD = {"self": "vendor", "subsidiaries": "subsidiary", "parents": "parent company",
                 "family": "sister company"}
SERVICE_LABEL = {"data_broker": "data broker", "extreme_vetting": "extreme vetting",
                 "surveillance_tech": "surveillance technology", "cloud_it": "cloud/IT", "contractor": "contractor",
                 "detention": "detention", "reseller": "resale"}


@dataclass(frozen=True)
class Link:
    """An evidence item that ties the matched vendor's family to a covered agency and service."""

    relation: str
    entity_id: str
    evidence: Evidence


def _mentions(judgement: Judgement, day: date) -> bool:
    """True when a judgement's wording names ``day`` (so it cannot be shared with other days)."""
    text = day.isoformat()
    return any(text in r.reason for r in judgement.rules) or text in (judgement.note or "")


class Judge:
    """Applies rule sets to records; holds the matcher and registry it needs."""

    def __init__(self, registry: Registry, matcher: Matcher, rulesets: list[RuleSet], as_of: date,
                 waivers: dict[str, list[Waiver]] | None = None) -> None:
        self.registry = registry
        self.waivers = waivers or {}
        self.matcher = matcher
        self.products = ProductScanner(registry, matcher.family_tokens)
        self.identifiers = IdentifierIndex(registry)
        self.rulesets = rulesets
        self.as_of = as_of
        self._shared: dict[tuple, Judgement] = {}
        self._coverage_memo: dict[tuple, object] = {}
        self._links_memo: dict[tuple, list[Link]] = {}
        self.product_free: dict[str, bool] = {}  # description text -> names no product (see names_no_product)
        points = {rs.effective for rs in rulesets} | {f.last_verified for f in registry.families.values()}
        for ent in registry.entities.values():
            for ev in ent.evidence:
                points |= {ev.start, ev.end, ev.ended.date if ev.ended else None}
        self._breakpoint_set = frozenset(p for p in points if p is not None)
        self._breakpoints = sorted(self._breakpoint_set)
        self._family_points: dict[str, tuple[list[date], frozenset[date]]] = {}
        for fam in registry.families.values():  # the dates a family's coverage compares a day with
            own = {fam.last_verified} | {p for e in fam.entities.values() for ev in e.evidence
                                         for p in (ev.start, ev.end, ev.ended.date if ev.ended else None)}
            own.discard(None)
            self._family_points[fam.id] = (sorted(own), frozenset(own))

    def judge(self, record: Record, *, screening: bool = False) -> Finding:
        """Match the record's vendor and apply every rule set."""
        return Finding(record, self.judgement(record, screening=screening))

    def judgement(self, record: Record, *, screening: bool = False) -> Judgement:
        """The judgement for a record, shared by records whose vendor matched alike and with the same facts.

        Without a registry match only the description can change the outcome (a product named in it);
        with one, the contract action and dates can too. Waivers read amounts and contract ids, so with a
        waiver register nothing is shared.
        """
        outcome, identifier = self._vendor_outcome(record)
        if self.waivers:
            return self._judge(record, outcome, screening, identifier)
        # The vendor's outcome, not its spelling; a description matters only when it names a product.
        description = None if self.names_no_product(record.description) else record.description
        key: tuple = (outcome, description, screening, identifier)
        if outcome.match is not None:
            day = record.date or self.as_of
            end = record.contract_end
            key += (record.action, record.contract_start, end, end is not None and end < day, self._period(day))
            judgement = self._shared.get(key) or self._shared.get(key + (day,))
        else:
            judgement = self._shared.get(key)
        if judgement is None:
            if len(self._shared) >= SHARED_LIMIT:
                self._shared.clear()
            judgement = self._judge(record, outcome, screening, identifier)
            if outcome.match is not None and _mentions(judgement, day):
                key += (day,)  # its wording names the day: share it only with rows of that day
            self._shared[key] = judgement
        return judgement

    def names_no_product(self, description: str | None) -> bool:
        """True when a description names no registry product, for any vendor (remembered per text)."""
        if description is None:
            return True
        found = self.product_free.get(description)
        if found is None:
            if len(self.product_free) >= SHARED_LIMIT:
                self.product_free.clear()
            # The reseller scan finds everything the other finds, and more: one scan answers for both.
            found = self.product_free[description] = \
                self.products.scan(description.strip(), vendor_is_reseller=True) is None
        return found

    def _period(self, day: date) -> tuple[int, bool]:
        """Days in the same period compare alike with every date the judge compares a day with."""
        return bisect_left(self._breakpoints, day), day in self._breakpoint_set

    def _family_period(self, family_id: str, day: date) -> tuple[int, bool]:
        """Days in the same period compare alike with every date of the family's evidence and verification."""
        points, point_set = self._family_points[family_id]
        return bisect_left(points, day), day in point_set

    def _vendor_outcome(self, record: Record) -> tuple[Outcome, str | None]:
        """The payee's outcome: by an identifier the registry lists (EIN, DUNS, UEI, CAGE), else by name.

        The second value says which identifier decided, and names identifiers that are not valid.
        """
        if not record.identifiers:
            return self.matcher.match(record.vendor), None
        hit, problems = self.identifiers.lookup_vendor(record.identifiers)
        if hit is None:
            return self.matcher.match(record.vendor), "; ".join(problems) or None
        ent = self.registry.entities[hit.entity_id]
        m = Match(ent.id, ent.family_id, ent.name, "identifier", 1.0, "match", hit.how)
        return Outcome(m), "; ".join([*problems, hit.how])

    def _judge(self, record: Record, outcome: Outcome, screening: bool, identifier: str | None = None) -> Judgement:
        m = outcome.match
        product = None if outcome.person else self._product(record, m)
        rules = tuple(self._with_waiver(rs, record, m, self._with_product(
            self._apply(rs, record, m, outcome.note, screening), product)) for rs in self.rulesets)
        named = f"{product.phrase} ({self.registry.families[product.family_id].root.name})" if product else None
        return self._judgement(m, outcome.note, rules, person=outcome.person, product=named,
                               decision=outcome.decision, identifier=identifier)

    def _judgement(self, m: Match | None, note: str | None, rules: tuple[RuleOutcome, ...], **extra) -> Judgement:
        verdict = most_severe([r.outcome for r in rules])
        if m is None:
            return Judgement(verdict, None, note, rules, **extra)
        ent = self.registry.entities[m.entity_id]
        fam = self.registry.families[m.family_id]
        relation = ent.relation if ent.parent is None else \
            f"{ent.relation} of {self.registry.entities[ent.parent].name}"
        return Judgement(verdict, m, note, rules, entity_name=ent.name, family_id=fam.id,
                         family_name=fam.root.name, relation=relation, **extra)

    def _product(self, record: Record, m: Match | None) -> ProductHit | None:
        """A registry product named in the description, when the vendor is not already that family."""
        if not record.description:
            return None
        reseller = m is not None and m.band == "match" and "reseller" in self.registry.entities[m.entity_id].categories
        if m is not None and m.band == "match" and not reseller:
            return None
        hit = self.products.scan(record.description, vendor_is_reseller=reseller)
        if hit is None or (m is not None and m.band == "match" and hit.family_id == m.family_id):
            return None
        return hit

    def _with_waiver(self, rs: RuleSet, record: Record, m: Match | None, outcome: RuleOutcome) -> RuleOutcome:
        """A recorded waiver in force turns a violation into ``waived``; one that does not apply is named."""
        if outcome.outcome not in ("prohibited", "potential_violation"):
            return outcome
        day = record.date or self.as_of
        if rs.raw["waiver"].get("available", True) is False:
            if any(w.concerns(record.vendor, m, self.registry) for w in self.waivers.get(rs.id, ())):
                return replace(outcome, reason=f"{outcome.reason}; a waiver is recorded, but {rs.id} has no waiver "
                                               "provision, so it does not apply")
            return outcome
        refusals: list[str] = []
        for w in self.waivers.get(rs.id, ()):
            if not w.concerns(record.vendor, m, self.registry):
                continue
            why_not = w.why_not(record, day)
            if why_not is None:
                return replace(outcome, outcome="waived", reason=f"{outcome.reason}; waived by {w.describe()}",
                               waiver=w.describe())
            refusals.append(why_not)
        if refusals:
            return replace(outcome, reason=f"{outcome.reason}; {'; '.join(refusals)}, so it does not apply")
        if outcome.outcome == "prohibited":
            return replace(outcome, reason=f"{outcome.reason}, and no waiver is recorded")
        return outcome

    def _with_product(self, outcome: RuleOutcome, product: ProductHit | None) -> RuleOutcome:
        if product is None or outcome.outcome not in ("clear", "not_covered"):
            return outcome
        fam = self.registry.families[product.family_id].root.name
        reason = (f"the description names {product.phrase}, a {fam} product ({product.context}); the vendor may be "
                  "reselling it: confirm what was bought and from whom")
        return replace(outcome, outcome="possible_match", reason=reason)

    # -- one rule set -------------------------------------------------------------------------------
    def _apply(self, rs: RuleSet, record: Record, m: Match | None, note: str | None, screening: bool) -> RuleOutcome:
        """Contracting: the outcome of one rule set for one record."""
        rule = rs.rule_for("contracting")
        if rule is None:
            return RuleOutcome(rs.id, "-", rs.citation, "not_covered", f"{rs.id} has no contracting rule",
                               text_verified=rs.text_verified)
        day = record.date or self.as_of
        if m is not None and m.band == "match" and day < rs.effective and \
                (screening or record.action in (None, "payment")):
            return self._not_in_force(rs, rule, day)
        covered = self._coverage(rs, rule, m, note, day)
        if isinstance(covered, RuleOutcome):
            return covered
        relation, policy, provides, out = covered
        outcome, reason = self._by_action(rs, record, day, screening)
        if policy == "review" and outcome == "prohibited":
            outcome = "potential_violation"
            reason += (f"; {rs.id} sends a vendor whose link is held by its {RELATION_WORD[relation]} "
                       "to a person for review")
        return out(outcome, f"{provides}; {reason}")

    def judge_holding(self, record: Record) -> Finding:
        """Investments: identifiers first (CUSIP issuer prefix, ISIN, ticker), then the issuer's name."""
        sec = record.security
        hit, problems = self.identifiers.lookup(sec) if sec is not None else (None, [])
        if hit is not None:
            ent = self.registry.entities[hit.entity_id]
            m: Match | None = Match(ent.id, ent.family_id, ent.name, "identifier", 1.0, "match",
                                    f"identifier {hit.how} belongs to {ent.name}")
            note = None
        else:
            from checker.sources.holdings_source import issuer_name

            outcome = self.matcher.match(issuer_name(record.vendor)) if record.vendor else None
            m, note = (outcome.match, outcome.note) if outcome else (None, "no issuer name and no known identifier")
        identifier = "; ".join(problems + ([hit.how] if hit else [])) or None
        rules = tuple(self._apply_investing(rs, m, note) for rs in self.rulesets)
        return Finding(record, self._judgement(m, note, rules, identifier=identifier))

    def _apply_investing(self, rs: RuleSet, m: Match | None, note: str | None) -> RuleOutcome:
        rule = rs.rule_for("investing")
        if not rs.investments or rule is None:
            if m is None:
                return RuleOutcome(rs.id, "-", rs.citation, "clear", note or "no registry issuer matched",
                                   (), rs.text_verified)
            return RuleOutcome(rs.id, "-", rs.citation, "not_covered", f"{rs.id} covers contracting, not "
                               "investments (no investment provision in the rule set)", (), rs.text_verified)
        day = self.as_of
        if m is not None and m.band == "match" and day < rs.effective:  # as for contracting: no match is clear
            return self._not_in_force(rs, rule, day)
        covered = self._coverage(rs, rule, m, note, day)
        if isinstance(covered, RuleOutcome):
            return covered
        relation, policy, provides, out = covered
        if policy == "review":
            return out("potential_violation", f"{provides}; {rs.id} sends holdings of a company whose link is held "
                                              f"by its {RELATION_WORD[relation]} to a person for review")
        return out("prohibited", f"{provides}; {rs.id} bars holding its stocks, bonds or other securities "
                                 "(a bond may be held to maturity or sold: a council decision)")

    @staticmethod
    def _not_in_force(rs: RuleSet, rule, day: date) -> RuleOutcome:
        return RuleOutcome(rs.id, rule.id, rule.clause, "not_covered", f"{rs.id} was not yet in force on "
                           f"{day.isoformat()} (effective {rs.effective.isoformat()})", (), rs.text_verified)

    def _coverage(self, rs: RuleSet, rule, m: Match | None, note: str | None, day: date):
        """Shared by contracting and investing: an early outcome, or (relation, policy, provides, out).

        Remembered per rule set, rule, matched entity and date period (days that compare alike with every
        date of the family's evidence), or per day when the wording names it: a large audit asks the same
        question many times.
        """
        # what the answer reads of the match: which entity, and the score only below the match band
        seen = None if m is None else (m.entity_id, m.band, None if m.band == "match" else m.score)
        key = (rs.id, rule.id, seen, note, None if m is None else self._family_period(m.family_id, day))
        found = self._coverage_memo.get(key) or self._coverage_memo.get(key + (day,))
        if found is None:
            if len(self._coverage_memo) >= COVERAGE_LIMIT:
                self._coverage_memo.clear()
            found = self._coverage_uncached(rs, rule, m, note, day)
            if isinstance(found, RuleOutcome) and day.isoformat() in found.reason:
                key += (day,)
            self._coverage_memo[key] = found
        return found

    def _coverage_uncached(self, rs: RuleSet, rule, m: Match | None, note: str | None, day: date):
        def out(outcome: str, reason: str, evidence: tuple[str, ...] = (),
                sources: tuple[str, ...] = ()) -> RuleOutcome:
            return RuleOutcome(rs.id, rule.id, rule.clause, outcome, reason, evidence, rs.text_verified,
                               sources=sources, clause_url=rule.source_url)

        if m is None:
            return out("clear", note or "no registry vendor matched this name")
        fam = self.registry.families[m.family_id]
        ent = self.registry.entities[m.entity_id]
        if m.band != "match":
            return out("possible_match", f"name resembles {ent.name} ({fam.root.name} family), but score "
                                         f"{m.score * 100:.0f} is below the match threshold: a person must confirm "
                                         "before this counts")
        links = self._links(rs, m.entity_id, day)
        if not links:
            return out("not_covered", self._why_not_covered(rs, m.family_id, day))
        if fam.status == "unconfirmed":
            return out("possible_match", f"{ent.name} ({fam.root.name} family) has only unconfirmed evidence of "
                                         f"covered services: a person must confirm before this counts")
        relation, policy = self._strongest(rs, links)
        held = [lk for lk in links if lk.relation == relation]
        holder = self.registry.entities[held[0].entity_id]
        evidence = tuple(f"{self.registry.entities[lk.entity_id].name}: {lk.evidence.cite()}" for lk in held[:5])
        sources = tuple(dict.fromkeys(src.cite() for lk in held[:5] for src in lk.evidence.sources))
        services = "/".join(sorted({SERVICE_LABEL[lk.evidence.category] for lk in held}))
        agencies = "/".join(sorted({lk.evidence.agency for lk in held}))
        who = "it" if relation == "self" else f"its {RELATION_WORD[relation]} {holder.name}"
        provides = f"{ent.name}: {who} provides {agencies} with {services} services"
        if policy == "excluded":
            return out("not_covered", f"{provides}, but {rs.id} does not reach a vendor's "
                                      f"{RELATION_WORD[relation]}", evidence, sources)

        def with_evidence(outcome: str, reason: str) -> RuleOutcome:
            return out(outcome, reason, evidence, sources)

        return relation, policy, provides, with_evidence

    @staticmethod
    def _by_action(rs: RuleSet, record: Record, day: date, screening: bool) -> tuple[str, str]:
        """The outcome for a covered vendor, from the record's contract action and dates."""
        action = "new" if screening else record.action
        covered = ", ".join(sorted(rs.actions))
        if action in rs.actions:
            if day < rs.effective:
                return "grandfathered", (f"the contract action ({action}) on {day.isoformat()} predates {rs.id} "
                                         f"(effective {rs.effective.isoformat()})")
            what = "a proposed new contract" if screening else f"the contract action ({action})"
            return "prohibited", f"{what} on {day.isoformat()} is covered ({covered})"
        if action in CHANGE_ACTIONS and day < rs.effective:
            return "grandfathered", (f"the contract action ({action}) on {day.isoformat()} predates {rs.id} "
                                     f"(effective {rs.effective.isoformat()})")
        if action == "existing":
            start, end = record.contract_start, record.contract_end
            if start is not None and start < rs.effective and end is not None and end < day:
                return "potential_violation", (f"the contract began {start.isoformat()}, before {rs.id} took effect, "
                                               f"but ended {end.isoformat()}; a contract still in use after its end "
                                               "was renewed or extended: check when")
            if start is not None and start < rs.effective:
                nxt = f"renewal or expiry on {record.contract_end.isoformat()}" if record.contract_end \
                    else "its next amendment, extension or renewal"
                return "grandfathered", (f"the contract began {start.isoformat()}, before {rs.id} took effect, "
                                         f"and has not been changed since; next decision point: {nxt}")
            return "potential_violation", ("an existing contract whose start date does not show it predates the "
                                           "ordinance: check when it was signed or last changed")
        if action in CHANGE_ACTIONS:
            return "potential_violation", (f"{rs.id} names {covered} contracts, and whether the contract action "
                                           f"({action}) counts is not settled: review")
        return "potential_violation", ("this is a payment or a row without a contract action: check the contract "
                                       f"behind it (a covered action since {rs.effective.isoformat()}?) and any waiver")

    def _links(self, rs: RuleSet, entity_id: str, day: date) -> list[Link]:
        """Covered evidence active on ``day`` anywhere in the family, with its relation to the vendor.

        Remembered per rule set, entity and date period of its family.
        """
        key = (rs.id, entity_id, self._family_period(self.registry.entities[entity_id].family_id, day))
        found = self._links_memo.get(key)
        if found is None:
            if len(self._links_memo) >= COVERAGE_LIMIT:
                self._links_memo.clear()
            found = self._links_memo[key] = self._links_uncached(rs, entity_id, day)
        return found

    def _links_uncached(self, rs: RuleSet, entity_id: str, day: date) -> list[Link]:
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
            for ev in other.evidence:
                covered = ev.agency in rs.agencies and ev.category in rs.services
                if covered and self._provides(ev, fam.last_verified, day):
                    links.append(Link(relation, other.id, ev))
        return links

    @staticmethod
    def _provides(ev: Evidence, last_verified: date, day: date) -> bool:
        """Evidence shows the service on ``day``: the period covers it, or it was open when last verified."""
        if ev.covers(day):
            return True
        return day > last_verified and ev.covers(last_verified)

    def _strongest(self, rs: RuleSet, links: list[Link]) -> tuple[str, str]:
        present = [r for r in RELATION_ORDER if any(lk.relation == r for lk in links)]
        best = max(present, key=lambda r: (POLICY_SEVERITY[rs.affiliates[r]], -RELATION_ORDER.index(r)))
        return best, rs.affiliates[best]

    def _why_not_covered(self, rs: RuleSet, family_id: str, day: date) -> str:
        fam = self.registry.families[family_id]
        evidence = [ev for e in fam.entities.values() for ev in e.evidence]
        covered = [ev for ev in evidence if ev.agency in rs.agencies and ev.category in rs.services]
        ended = [ev for ev in covered if ev.ended is not None and day > ev.ended.date]
        if ended:
            ev = max(ended, key=lambda e: e.ended.date)
            return (f"formerly provided {ev.agency} with {SERVICE_LABEL[ev.category]} services; ended on "
                    f"{ev.ended.date.isoformat()}: {ev.ended.why} ({ev.ended.source.cite()})")
        if covered:
            return f"no evidence of covered services on {day.isoformat()} (evidence starts " \
                   f"{min(ev.start for ev in covered).isoformat()})"
        kinds = sorted({f"{SERVICE_LABEL[ev.category]} to {ev.agency}" for ev in evidence})
        return (f"the registry shows {', '.join(kinds) or 'no services'}, which {rs.id} does not cover "
                f"(it covers {', '.join(sorted(SERVICE_LABEL[s] for s in rs.services))} for "
                f"{', '.join(sorted(rs.agencies))})")


