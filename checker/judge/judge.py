"""Judging: apply rule sets to a record's facts and give each rule set's outcome and the row's verdict.

``Judge.judge`` is a pure function of the loaded knowledge and a ``Facts`` (see ``facts``): it reads no
record, keeps no memory, and two calls with equal facts give equal judgements.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from checker.judge.coverage import RELATION_WORD, Coverage
from checker.judge.facts import Facts, HoldingFacts
from checker.knowledge.registry import Registry
from checker.knowledge.rulesets import Rule, RuleSet
from checker.match.normalize import normalize
from checker.match.products import ProductHit
from checker.model import Judgement, Match, RuleOutcome, most_severe
from checker.sources.values import parse_amount

if TYPE_CHECKING:
    from collections.abc import Callable

    from checker.knowledge.waivers import Waiver

CHANGE_ACTIONS = frozenset({"new", "amended", "extended", "renewed"})

Covered = tuple[str, str, str, "Callable[[str, str], RuleOutcome]"]
"""A covered vendor: the relation holding the link, the rule set's policy for it, what the vendor provides,
and how to make an outcome with the evidence attached."""


class Judge:
    """Applies rule sets to facts; holds the registry, rule sets, as-of date and waivers it needs."""

    def __init__(self, registry: Registry, rulesets: list[RuleSet], as_of: date,
                 waivers: dict[str, list[Waiver]] | None = None) -> None:
        self.registry = registry
        self.rulesets = rulesets
        self.as_of = as_of
        self.waivers = waivers or {}
        self.coverage = Coverage(registry)

    def judge(self, facts: Facts) -> Judgement:
        """The judgement for a payment, contract or screened name with these facts."""
        outcome = facts.vendor.outcome
        m = outcome.match
        rules = tuple(self._with_waiver(rs, facts, self._with_product(self._contracting(rs, facts), facts.product))
                      for rs in self.rulesets)
        product = facts.product
        named = f"{product.phrase} ({self.registry.families[product.family_id].root.name})" if product else None
        return self._judgement(m, outcome.note, rules, person=outcome.person, product=named,
                               decision=outcome.decision, identifier=facts.vendor.identifier)

    def holding(self, facts: HoldingFacts) -> Judgement:
        """The judgement for an investment holding under the rule sets' investment provisions."""
        rules = tuple(self._investing(rs, facts.match, facts.note) for rs in self.rulesets)
        return self._judgement(facts.match, facts.note, rules, identifier=facts.identifier)

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

    # -- contracting -------------------------------------------------------------------------------
    def _contracting(self, rs: RuleSet, facts: Facts) -> RuleOutcome:
        """Contracting: the outcome of one rule set for one record's facts."""
        rule = rs.rule_for("contracting")
        m = facts.vendor.outcome.match
        if rule is None:
            return RuleOutcome(rs.id, "-", rs.citation, "not_covered", f"{rs.id} has no contracting rule",
                               text_verified=rs.text_verified)
        day = facts.day or self.as_of
        if m is not None and m.band == "match" and day < rs.effective and \
                (facts.screening or facts.action in (None, "payment")):
            return self._not_in_force(rs, rule, day)
        covered = self._coverage(rs, rule, m, facts.vendor.outcome.note, day)
        if isinstance(covered, RuleOutcome):
            return covered
        relation, policy, provides, out = covered
        outcome, reason = _by_action(rs, facts, day)
        if policy == "review" and outcome == "prohibited":
            outcome = "potential_violation"
            reason += (f"; {rs.id} sends a vendor whose link is held by its {RELATION_WORD[relation]} "
                       "to a person for review")
        return out(outcome, f"{provides}; {reason}")

    def _with_product(self, outcome: RuleOutcome, product: ProductHit | None) -> RuleOutcome:
        if product is None or outcome.outcome not in ("clear", "not_covered"):
            return outcome
        fam = self.registry.families[product.family_id].root.name
        reason = (f"the description names {product.phrase}, a {fam} product ({product.context}); the vendor may be "
                  "reselling it: confirm what was bought and from whom")
        return outcome._replace(outcome="possible_match", reason=reason)

    def _with_waiver(self, rs: RuleSet, facts: Facts, outcome: RuleOutcome) -> RuleOutcome:
        """A recorded waiver in force turns a violation into ``waived``; one that does not apply is named."""
        if outcome.outcome not in ("prohibited", "potential_violation"):
            return outcome
        day = facts.day or self.as_of
        m = facts.vendor.outcome.match
        if rs.raw["waiver"].get("available", True) is False:
            if any(self._concerns(w, facts.name, m) for w in self.waivers.get(rs.id, ())):
                return outcome._replace(reason=f"{outcome.reason}; a waiver is recorded, but {rs.id} has no waiver "
                                               "provision, so it does not apply")
            return outcome
        refusals: list[str] = []
        for w in self.waivers.get(rs.id, ()):
            if not self._concerns(w, facts.name, m):
                continue
            why_not = _why_not(w, facts, day)
            if why_not is None:
                return outcome._replace(outcome="waived", reason=f"{outcome.reason}; waived by {w.describe()}",
                               waiver=w.describe())
            refusals.append(why_not)
        if refusals:
            return outcome._replace(reason=f"{outcome.reason}; {'; '.join(refusals)}, so it does not apply")
        if outcome.outcome == "prohibited":
            return outcome._replace(reason=f"{outcome.reason}, and no waiver is recorded")
        return outcome

    def _concerns(self, w: Waiver, vendor: str | None, m: Match | None) -> bool:
        """True when the waiver names this vendor string, its registry entity or its family."""
        if w.vendor is not None and vendor is not None and normalize(w.vendor).core == normalize(vendor).core:
            return True
        if w.entity is None or m is None:
            return False
        return w.entity in (m.entity_id, m.family_id) or w.entity in self.registry.ancestors(m.entity_id)

    # -- investing ---------------------------------------------------------------------------------
    def _investing(self, rs: RuleSet, m: Match | None, note: str | None) -> RuleOutcome:
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

    # -- shared ------------------------------------------------------------------------------------
    @staticmethod
    def _not_in_force(rs: RuleSet, rule: Rule, day: date) -> RuleOutcome:
        return RuleOutcome(rs.id, rule.id, rule.clause, "not_covered", f"{rs.id} was not yet in force on "
                           f"{day.isoformat()} (effective {rs.effective.isoformat()})", (), rs.text_verified)

    def _coverage(self, rs: RuleSet, rule: Rule, m: Match | None, note: str | None, day: date) -> RuleOutcome | Covered:
        """Shared by contracting and investing: an early outcome, or (relation, policy, provides, out)."""
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
        covered = self.coverage.covered(rs, m.entity_id, day)
        if covered is None:
            return out("not_covered", self.coverage.why_not_covered(rs, m.family_id, day))
        if fam.status == "unconfirmed":
            return out("possible_match", f"{ent.name} ({fam.root.name} family) has only unconfirmed evidence of "
                                         f"covered services: a person must confirm before this counts")
        relation, policy, provides, evidence, sources = covered
        if policy == "excluded":
            return out("not_covered", f"{provides}, but {rs.id} does not reach a vendor's "
                                      f"{RELATION_WORD[relation]}", evidence, sources)
        return relation, policy, provides, lambda outcome, reason: out(outcome, reason, evidence, sources)


def _by_action(rs: RuleSet, facts: Facts, day: date) -> tuple[str, str]:
    """The outcome for a covered vendor, from the record's contract action and dates."""
    action = "new" if facts.screening else facts.action
    covered = ", ".join(sorted(rs.actions))
    if action in rs.actions:
        if day < rs.effective:
            return "grandfathered", (f"the contract action ({action}) on {day.isoformat()} predates {rs.id} "
                                     f"(effective {rs.effective.isoformat()})")
        what = "a proposed new contract" if facts.screening else f"the contract action ({action})"
        return "prohibited", f"{what} on {day.isoformat()} is covered ({covered})"
    if action in CHANGE_ACTIONS and day < rs.effective:
        return "grandfathered", (f"the contract action ({action}) on {day.isoformat()} predates {rs.id} "
                                 f"(effective {rs.effective.isoformat()})")
    if action == "existing":
        start, end = facts.contract_start, facts.contract_end
        if start is not None and start < rs.effective and end is not None and end < day:
            return "potential_violation", (f"the contract began {start.isoformat()}, before {rs.id} took effect, "
                                           f"but ended {end.isoformat()}; a contract still in use after its end "
                                           "was renewed or extended: check when")
        if start is not None and start < rs.effective:
            nxt = f"renewal or expiry on {end.isoformat()}" if end else "its next amendment, extension or renewal"
            return "grandfathered", (f"the contract began {start.isoformat()}, before {rs.id} took effect, "
                                     f"and has not been changed since; next decision point: {nxt}")
        return "potential_violation", ("an existing contract whose start date does not show it predates the "
                                       "ordinance: check when it was signed or last changed")
    if action in CHANGE_ACTIONS:
        return "potential_violation", (f"{rs.id} names {covered} contracts, and whether the contract action "
                                       f"({action}) counts is not settled: review")
    return "potential_violation", ("this is a payment or a row without a contract action: check the contract "
                                   f"behind it (a covered action since {rs.effective.isoformat()}?) and any waiver")


def _why_not(w: Waiver, facts: Facts, day: date) -> str | None:
    """Why the waiver does not cover this record on ``day`` (None when it does)."""
    if day < w.decided:
        return f"waiver {w.resolution} was decided on {w.decided.isoformat()}, after {day.isoformat()}"
    if w.expires is not None and day > w.expires:
        return f"waiver {w.resolution} expired on {w.expires.isoformat()}"
    if w.contract_id is not None and facts.contract_id != w.contract_id:
        got = f"contract {facts.contract_id}" if facts.contract_id else "a row with no contract id"
        return f"waiver {w.resolution} covers contract {w.contract_id} only, not {got}"
    if w.max_amount is not None:
        amount = parse_amount(facts.amount)
        if amount is None or abs(amount) > w.max_amount:
            return f"waiver {w.resolution} covers up to ${w.max_amount:,.2f}; this row's amount is " \
                   f"{facts.amount or 'not given'}"
    return None
