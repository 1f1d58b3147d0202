"""Judging: apply rule sets to a record's facts and give each rule set's outcome and the row's verdict.

``Judge.judge`` is a pure function of the loaded knowledge and a ``Facts`` (see ``facts``): it reads no
record, keeps no memory, and two calls with equal facts give equal judgements.

Each rule set answers alone (``RuleOutcome``); the row's verdict is the most severe answer of the rule sets
that bind (enacted ordinances). Rule sets that bind no one (a model, a proposal, a failed bill) still answer,
marked ``binding=False``, and decide the verdict only when no binding rule set is applied: the judgement is
then ``hypothetical`` and every format words it as what the text *would* do.
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
from checker.model import ACTIONS, CHANGE_ACTIONS, Judgement, Match, RuleOutcome, most_severe

if TYPE_CHECKING:
    from collections.abc import Callable

    from checker.knowledge.waivers import Waiver

Covered = tuple[str, str, str, "Callable[..., RuleOutcome]"]
"""A covered vendor: the relation holding the link, the rule set's policy for it, what the vendor provides,
and how to make an outcome with the evidence attached."""
TRANSACTIONS = ("purchase", "sale", "holding")
"""What a holdings row may record: a purchase, a sale, or a position held (no transaction)."""


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
        rules = tuple(self._investing(rs, facts) for rs in self.rulesets)
        return self._judgement(facts.match, facts.note, rules, identifier=facts.identifier)

    def _judgement(self, m: Match | None, note: str | None, rules: tuple[RuleOutcome, ...], **extra) -> Judgement:
        binding = [r.outcome for r in rules if r.binding]
        hypothetical = bool(rules) and not binding
        verdict = most_severe(binding or [r.outcome for r in rules])
        if m is None:
            return Judgement(verdict, None, note, rules, hypothetical=hypothetical, **extra)
        ent = self.registry.entities[m.entity_id]
        fam = self.registry.families[m.family_id]
        relation = ent.relation if ent.parent is None else \
            f"{ent.relation} of {self.registry.entities[ent.parent].name}"
        return Judgement(verdict, m, note, rules, entity_name=ent.name, family_id=fam.id,
                         family_name=fam.root.name, relation=relation, hypothetical=hypothetical, **extra)

    # -- contracting -------------------------------------------------------------------------------
    def _contracting(self, rs: RuleSet, facts: Facts) -> RuleOutcome:
        """Contracting: the outcome of one rule set for one record's facts."""
        rule = rs.rule_for("contracting")
        m = facts.vendor.outcome.match
        if rule is None:
            return _outcome(rs, None, "not_covered", f"{rs.id} has no contracting rule", cause="no_rule")
        day = facts.day or self.as_of
        action = "new" if facts.screening else facts.action
        if m is not None and m.band == "match" and day < rs.may_apply_from and \
                (facts.screening or (action not in CHANGE_ACTIONS and action != "existing")):
            return _not_in_force(rs, rule, day)
        covered = self._coverage(rs, rule, m, facts.vendor.outcome.note, day)
        if isinstance(covered, RuleOutcome):
            return covered
        relation, policy, provides, out = covered
        outcome, reason, cause = _by_action(rs, facts, day)
        if policy == "review" and outcome == "prohibited":
            outcome = "potential_violation"
            reason += (f"; {rs.id} sends a vendor whose link is held by its {RELATION_WORD[relation]} "
                       "to a person for review")
        return out(outcome, f"{provides}; {reason}", cause=cause)

    def _with_product(self, outcome: RuleOutcome, product: ProductHit | None) -> RuleOutcome:
        if product is None or outcome.outcome not in ("clear", "not_covered"):
            return outcome
        fam = self.registry.families[product.family_id].root.name
        reason = (f"the description names {product.phrase}, a {fam} product ({product.context}); the vendor may be "
                  "reselling it: confirm what was bought and from whom")
        return outcome._replace(outcome="possible_match", reason=reason, cause=None)

    def _with_waiver(self, rs: RuleSet, facts: Facts, outcome: RuleOutcome) -> RuleOutcome:
        """A recorded waiver in force turns a violation into ``waived``; one that does not apply is named."""
        if outcome.outcome not in ("prohibited", "potential_violation"):
            return outcome
        day = facts.day or self.as_of
        m = facts.vendor.outcome.match
        near = [w for w in self.waivers.get(rs.id, ()) if self._related(w, facts.name, m)]
        if rs.raw["waiver"].get("available", True) is False:
            if near:
                return outcome._replace(reason=f"{outcome.reason}; a waiver is recorded, but {rs.id} has no waiver "
                                               "provision, so it does not apply")
            return outcome
        refusals: list[str] = []
        for w in near:
            why_not = self._not_for_vendor(w, facts.name, m) or _why_not(w, facts, day)
            if why_not is None:
                return outcome._replace(outcome="waived", reason=f"{outcome.reason}; waived by {w.describe()}",
                                        waiver=w.describe())
            refusals.append(why_not)
        if refusals:
            return outcome._replace(reason=f"{outcome.reason}; {'; '.join(refusals)}, so it does not apply")
        if outcome.outcome == "prohibited":
            return outcome._replace(reason=f"{outcome.reason}, and no waiver is recorded")
        return outcome

    def _related(self, w: Waiver, vendor: str | None, m: Match | None) -> bool:
        """True when the waiver names this vendor string, or an entity of the vendor's family (whether or not its
        scope reaches the vendor: a waiver that does not is named in the reason)."""
        if w.vendor is not None and vendor is not None and normalize(w.vendor).core == normalize(vendor).core:
            return True
        if w.entity is None or m is None:
            return False
        other = self.registry.entities.get(w.entity) or self.registry.families[w.entity].root
        return other.family_id == m.family_id

    def _not_for_vendor(self, w: Waiver, vendor: str | None, m: Match | None) -> str | None:
        """Why a waiver naming another entity of the family does not reach this vendor (None when it does)."""
        if w.vendor is not None and vendor is not None and normalize(w.vendor).core == normalize(vendor).core:
            return None
        if m is None or w.entity is None or w.entity == m.entity_id:
            return None
        named = (self.registry.entities.get(w.entity) or self.registry.families[w.entity].root)
        if w.family and named.id in self.registry.ancestors(m.entity_id):
            return None
        here = self.registry.entities[m.entity_id].name
        if named.id in self.registry.ancestors(m.entity_id):
            return (f"waiver {w.resolution} names {named.name}, not {here} (a waiver reaches subsidiaries only when "
                    "it says so: family: true)")
        return f"waiver {w.resolution} names {named.name}, not {here}"

    # -- investing ---------------------------------------------------------------------------------
    def _investing(self, rs: RuleSet, facts: HoldingFacts) -> RuleOutcome:
        """Investing: the outcome of one rule set for one holding (a position, a purchase or a sale)."""
        m, inv = facts.match, rs.investing
        rule = rs.rule_for("investing")
        day = facts.day or self.as_of
        if inv is None or (inv.known and (not rs.investments or rule is None)):
            if m is None:
                return _outcome(rs, None, "clear", facts.note or "no registry issuer matched")
            return _outcome(rs, None, "not_covered", f"{rs.id} covers contracting, not investments (the text has "
                            "no investment provision)", cause="investing_not_covered")
        basis = rule or rs.rule_for("contracting")
        assert basis is not None, "a rule set has at least one rule"
        if inv.known and m is not None and m.band == "match" and day < rs.may_apply_from and \
                facts.transaction != "purchase":  # a purchase then is grandfathered, once its company is known covered
            return _not_in_force(rs, basis, day)
        covered = self._coverage(rs, basis, m, facts.note, day)
        if isinstance(covered, RuleOutcome):
            return covered
        relation, policy, provides, out = covered
        if not inv.known:
            return out("potential_violation", f"{provides}; whether {rs.id} reaches the city's investments is not "
                       f"known: {inv.note}: review")
        outcome, reason, cause = _by_transaction(rs, facts, day)
        if policy == "review" and outcome == "prohibited":
            outcome = "potential_violation"
            reason += (f"; {rs.id} sends holdings of a company whose link is held by its "
                       f"{RELATION_WORD[relation]} to a person for review")
        return out(outcome, f"{provides}; {reason}", cause=cause)

    # -- shared ------------------------------------------------------------------------------------
    def _coverage(self, rs: RuleSet, rule: Rule, m: Match | None, note: str | None, day: date) -> RuleOutcome | Covered:
        """Shared by contracting and investing: an early outcome, or (relation, policy, provides, out)."""
        def out(outcome: str, reason: str, evidence: tuple[str, ...] = (), sources: tuple[str, ...] = (),
                cause: str | None = None) -> RuleOutcome:
            return _outcome(rs, rule, outcome, reason, evidence=evidence, sources=sources, cause=cause)

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
            reason, cause = self.coverage.why_not_covered(rs, m.entity_id, day)
            return out("not_covered", reason, cause=cause)
        if fam.status == "unconfirmed":
            return out("possible_match", f"{ent.name} ({fam.root.name} family) has only unconfirmed evidence of "
                                         f"covered services: a person must confirm before this counts")
        relation, policy, provides, evidence, sources = covered
        if policy == "excluded":
            return out("not_covered", f"{provides}, but {rs.id} does not reach a vendor's "
                                      f"{RELATION_WORD[relation]}", evidence, sources, cause="affiliate_not_reached")
        return relation, policy, provides, \
            lambda outcome, reason, cause=None: out(outcome, reason, evidence, sources, cause)


def _outcome(rs: RuleSet, rule: Rule | None, outcome: str, reason: str, *, evidence: tuple[str, ...] = (),
             sources: tuple[str, ...] = (), cause: str | None = None) -> RuleOutcome:
    """One rule set's outcome, with what every outcome carries (its clause, whether the text binds)."""
    if rule is None:
        return RuleOutcome(rs.id, "-", rs.citation, outcome, reason, evidence, rs.text_verified, sources=sources,
                           cause=cause if outcome == "not_covered" else None, binding=rs.binding)
    return RuleOutcome(rs.id, rule.id, rule.clause, outcome, reason, evidence, rs.text_verified, sources=sources,
                       clause_url=rule.source_url, cause=cause if outcome == "not_covered" else None,
                       binding=rs.binding)


def _not_in_force(rs: RuleSet, rule: Rule, day: date) -> RuleOutcome:
    return _outcome(rs, rule, "not_covered", f"{rs.id} was not yet in force on {day.isoformat()} "
                    f"({_effective(rs)})", cause="before_effective")


def _effective(rs: RuleSet) -> str:
    """``effective 2019-04-01``, or the window of an effective date that is not verified."""
    if rs.window:
        return f"effective date not verified: between {rs.window[0].isoformat()} and {rs.window[1].isoformat()}"
    return f"effective {rs.effective.isoformat()}"


def _uncertain(rs: RuleSet, day: date) -> bool:
    """True on a day that may be before or after the rule set took effect."""
    return rs.may_apply_from <= day < rs.in_force_from


def _in_window(rs: RuleSet, what: str) -> tuple[str, str, None]:
    assert rs.window is not None
    return "potential_violation", (f"effective date not verified: between {rs.window[0].isoformat()} and "
                                   f"{rs.window[1].isoformat()}; {what} may predate {rs.id}: review"), None


def _by_action(rs: RuleSet, facts: Facts, day: date) -> tuple[str, str, str | None]:
    """The outcome for a covered vendor, from the record's contract action and dates: (outcome, reason, cause).

    The day is written out only by the reasons that name it: where none does, the judgement is the same on every
    day on which its comparisons come out alike."""
    action = "new" if facts.screening else facts.action
    if action is not None and action not in ACTIONS:
        return "potential_violation", (f"action not recognised: {action!r} is none of {', '.join(ACTIONS)} (map it "
                                       "with --map-action VALUE=ACTION): check the contract behind the row"), None
    meaning = rs.meaning(action or "payment")
    assert meaning is not None
    what = "a proposed new contract" if facts.screening else f"the contract action ({(action or '').replace('_', ' ')})"
    if action == "existing":
        return _existing(rs, facts, day, meaning.treated_as)
    if action in CHANGE_ACTIONS:
        if meaning.treated_as == "not_covered":
            return "not_covered", f"{rs.id} does not reach {what}: {meaning.note} ({meaning.clause})", \
                "action_not_covered"
        if day < rs.may_apply_from:
            return "grandfathered", f"{what} on {day.isoformat()} predates {rs.id} ({_effective(rs)})", None
        if _uncertain(rs, day):
            return _in_window(rs, f"{what} on {day.isoformat()}")
        if meaning.treated_as == "covered":
            return "prohibited", (f"{what} on {day.isoformat()} is covered "
                                  f"({meaning.clause}{_basis(meaning.basis)})"), None
        return "potential_violation", (f"whether {what} counts under {rs.id} is not settled: {meaning.note} "
                                       f"({meaning.clause}): review"), None
    if _uncertain(rs, day):
        return _in_window(rs, f"the payment on {day.isoformat()}")
    row = "a payment" if action == "payment" else "a row without a contract action"
    return "potential_violation", (f"this is {row}: check the contract behind it (a covered action since "
                                   f"{rs.in_force_from.isoformat()}?) and any waiver"), None


def _existing(rs: RuleSet, facts: Facts, day: date, treated_as: str) -> tuple[str, str, str | None]:
    """An existing contract: reached when changed after the rule set took effect (``until_changed``)."""
    start, end = facts.contract_start, facts.contract_end
    if treated_as == "review":
        return "potential_violation", f"{rs.id} does not settle how an existing contract is treated: review", None
    if start is not None and start < rs.may_apply_from:
        if end is not None and end < day:
            return "potential_violation", (f"the contract began {start.isoformat()}, before {rs.id} took effect, "
                                           f"but ended {end.isoformat()}; a contract still in use after its end "
                                           "was renewed or extended: check when"), None
        nxt = f"renewal or expiry on {end.isoformat()}" if end else "its next amendment, extension or renewal"
        return "grandfathered", (f"the contract began {start.isoformat()}, before {rs.id} took effect, "
                                 f"and has not been changed since; next decision point: {nxt}"), None
    if start is not None and _uncertain(rs, start):
        return _in_window(rs, f"the contract, begun {start.isoformat()},")
    return "potential_violation", ("an existing contract whose start date does not show it predates the "
                                   "ordinance: check when it was signed or last changed"), None


def _by_transaction(rs: RuleSet, facts: HoldingFacts, day: date) -> tuple[str, str, str | None]:
    """The outcome for a holding of a covered company, from its transaction and trade date."""
    inv = rs.investing
    assert inv is not None
    clause = f" ({inv.clause}{_basis(inv.basis or 'text')})" if inv.clause else ""
    transaction = facts.transaction or "holding"
    if transaction not in TRANSACTIONS:
        return "potential_violation", (f"transaction not recognised: {transaction!r} is none of "
                                       f"{', '.join(TRANSACTIONS)}: review"), None
    if transaction == "sale":
        return "not_covered", f"a sale takes money out of the company; {rs.id} bars putting money in{clause}", \
            "investing_not_covered"
    if transaction == "purchase":
        on_day = f"the purchase on {day.isoformat()}"
        if day < rs.may_apply_from:
            return "grandfathered", f"{on_day} predates {rs.id} ({_effective(rs)})", None
        if _uncertain(rs, day):
            return _in_window(rs, on_day)
        return _investing_policy(rs, inv.new_purchase, f"{rs.id} bars new investment in its stocks, bonds or other "
                                 f"securities{clause}: {on_day}", inv.note)
    return _investing_policy(rs, inv.existing_holding, f"{rs.id} bars holding its stocks, bonds or other securities"
                             f"{clause} (a bond may be held to maturity or sold: a council decision)", inv.note)


def _investing_policy(rs: RuleSet, policy: str, prohibited: str, note: str) -> tuple[str, str, str | None]:
    if policy == "prohibited":
        return "prohibited", prohibited, None
    if policy == "review":
        return "potential_violation", f"{note}: review", None
    return "not_covered", f"{rs.id} does not reach it: {note}", "investing_not_covered"


def _basis(basis: str) -> str:
    """How a clause supports a meaning, for reasons (the text itself needs no word)."""
    return {"text": "", "report": "; as reported, text not seen", "inference": "; inferred from the text"}[basis]


def _why_not(w: Waiver, facts: Facts, day: date) -> str | None:
    """Why the waiver does not cover this record on ``day`` (None when it does)."""
    if day < w.decided:
        return f"waiver {w.resolution} was decided on {w.decided.isoformat()}, after {day.isoformat()}"
    if w.expires is not None and day > w.expires:
        return f"waiver {w.resolution} expired on {w.expires.isoformat()}"
    if w.contracts and facts.contract_id not in w.contracts:
        got = f"contract {facts.contract_id}" if facts.contract_id else "a row with no contract id"
        return f"waiver {w.resolution} covers contract{'s' if len(w.contracts) > 1 else ''} " \
               f"{', '.join(w.contracts)} only, not {got}"
    action = "new" if facts.screening else facts.action
    if action in CHANGE_ACTIONS and action not in w.actions:
        return (f"waiver {w.resolution} was granted for {' or '.join(w.actions)} contract actions; this {action} "
                "contract needs its own waiver (a specific determination for each new, amended or extended "
                "contract)")
    if w.max_amount is not None:
        from checker.sources.values import parse_amount  # a waiver with a ceiling: a screen seldom needs it

        amount = parse_amount(facts.amount)
        if amount is None or abs(amount) > w.max_amount:
            return f"waiver {w.resolution} covers up to ${w.max_amount:,.2f}; this row's amount is " \
                   f"{facts.amount or 'not given'}"
    return None
