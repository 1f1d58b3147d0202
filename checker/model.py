"""What flows through the pipeline: records in, judgements and findings out, a running summary.

Plain data with no behaviour beyond counting; it imports nothing of the tool's own, so every stage can
use it. The values a judgement is made of are named tuples: immutable, compared by value, and made
several times faster than frozen dataclasses (an audit makes one for every distinct fact it judges).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

VERDICTS = ("prohibited", "potential_violation", "possible_match", "waived", "grandfathered", "not_covered", "clear")
"""Verdicts, most severe first. A row's verdict is the most severe of its rule-set outcomes."""
SEVERITY = {v: len(VERDICTS) - i for i, v in enumerate(VERDICTS)}
FLAGGED = frozenset({"prohibited", "potential_violation", "possible_match"})
ACTIONS = ("new", "amended", "extended", "renewed", "purchase_order", "existing", "payment")
"""Contract actions a rule set gives a meaning to (``rules show``). A row may carry any other value: it is kept
as written and judged "action not recognised" (a city maps its own terms with ``--map-action``)."""
CHANGE_ACTIONS = frozenset({"new", "amended", "extended", "renewed", "purchase_order"})
"""Actions that make, change or continue a contract (``existing`` and ``payment`` do neither)."""
NOT_COVERED_CAUSES = {
    "before_effective": "before the effective date",
    "service_not_covered": "service not covered",
    "agency_not_covered": "agency not covered",
    "relationship_ended": "relationship ended",
    "relationship_not_started": "relationship not yet begun",
    "affiliate_not_reached": "affiliate not reached",
    "action_not_covered": "contract action not covered",
    "investing_not_covered": "investing not covered",
    "no_rule": "no rule for this",
}
"""Why a registry vendor is ``not_covered``, and how summaries name the cause."""


def most_severe(verdicts: list[str]) -> str:
    """The most severe verdict of a list (``clear`` for an empty one)."""
    return max(verdicts, key=SEVERITY.__getitem__, default="clear")


@dataclass(frozen=True)
class Security:
    """A holding's identifiers and values, as given in a holdings report."""

    cusip: str | None = None
    isin: str | None = None
    ticker: str | None = None
    par: str | None = None
    market_value: str | None = None
    maturity: str | None = None


@dataclass(slots=True)
class Record:
    """One vendor occurrence to judge: a screened name or a data row of a file."""

    row: int
    vendor: str
    action: str | None = None
    date: date | None = None
    contract_start: date | None = None
    contract_end: date | None = None
    amount: str | None = None
    department: str | None = None
    fiscal_year: str | None = None
    description: str | None = None
    contract_id: str | None = None
    security: Security | None = None
    ragged: int | None = None  # the row's cell count, when it differs from the header's
    identifiers: tuple[tuple[str, str], ...] = ()  # the payee's EIN, DUNS, UEI or CAGE, as (type, value)


@dataclass(frozen=True)
class Skipped:
    """A data row that is not a record (blank, a total), with the reason."""

    row: int
    reason: str


class Match(NamedTuple):
    """A scored hit on a registry name."""

    entity_id: str
    family_id: str
    matched_name: str
    kind: str
    score: float
    band: str
    explanation: str
    same_form: bool = False
    """The vendor's legal form equals this registry name's ("TRANS UNION LLC" is Trans Union LLC, not TransUnion)."""


class Outcome(NamedTuple):
    """What the matcher concluded for one vendor string: a match, or none with a reason."""

    match: Match | None
    note: str | None = None
    decision: str | None = None
    person: bool = False


class RuleOutcome(NamedTuple):
    """What one rule set says about one record, and why."""

    rule_set: str
    rule: str
    citation: str
    outcome: str
    reason: str
    evidence: tuple[str, ...] = ()
    text_verified: bool = True
    waiver: str | None = None
    sources: tuple[str, ...] = ()  # where the evidence comes from: URLs, award ids, datasets
    clause_url: str | None = None  # where the clause's text was read
    cause: str | None = None  # for not_covered: a key of NOT_COVERED_CAUSES
    binding: bool = True  # False for a model, a proposal or a failed bill: what the text *would* do


class Judgement(NamedTuple):
    """Everything decided about a row except the row itself: rows with the same facts share one."""

    verdict: str
    match: Match | None
    note: str | None
    rules: tuple[RuleOutcome, ...]
    entity_name: str | None = None
    family_id: str | None = None
    family_name: str | None = None
    relation: str | None = None
    person: bool = False
    product: str | None = None
    decision: str | None = None
    identifier: str | None = None
    hypothetical: bool = False
    """The verdict comes from rule sets that bind no one (a model, a proposal, a failed bill): it says what
    their text would do. When any binding rule set is applied, the verdict is theirs alone."""

    @property
    def deciding(self) -> RuleOutcome | None:
        """The rule-set outcome the verdict is taken from (the first with the verdict, binding ones first)."""
        return next((r for r in self.rules if r.outcome == self.verdict and r.binding != self.hypothetical), None)

    @property
    def cause(self) -> str | None:
        """Why a ``not_covered`` verdict (a key of ``NOT_COVERED_CAUSES``); None for any other verdict."""
        if self.verdict != "not_covered":
            return None
        deciding = self.deciding
        return deciding.cause if deciding is not None else None

    @property
    def flagged(self) -> bool:
        """True for verdicts a person must act on."""
        return self.verdict in FLAGGED

    @property
    def matched(self) -> bool:
        """True when the vendor is judged as a registry entity (a match, not a possible one)."""
        return self.match is not None and self.match.band == "match"


class Finding:
    """A judged record: the record, and its judgement's fields readable directly (``f.verdict``)."""

    __slots__ = ("record", "judgement")

    def __init__(self, record: Record, judgement: Judgement) -> None:
        self.record = record
        self.judgement = judgement

    def __repr__(self) -> str:
        return f"Finding(row={self.record.row}, vendor={self.record.vendor!r}, verdict={self.judgement.verdict!r})"

    verdict = property(lambda self: self.judgement.verdict)
    match = property(lambda self: self.judgement.match)
    note = property(lambda self: self.judgement.note)
    rules = property(lambda self: self.judgement.rules)
    entity_name = property(lambda self: self.judgement.entity_name)
    family_id = property(lambda self: self.judgement.family_id)
    family_name = property(lambda self: self.judgement.family_name)
    relation = property(lambda self: self.judgement.relation)
    person = property(lambda self: self.judgement.person)
    product = property(lambda self: self.judgement.product)
    decision = property(lambda self: self.judgement.decision)
    identifier = property(lambda self: self.judgement.identifier)
    hypothetical = property(lambda self: self.judgement.hypothetical)
    deciding = property(lambda self: self.judgement.deciding)
    cause = property(lambda self: self.judgement.cause)
    flagged = property(lambda self: self.judgement.verdict in FLAGGED)


PERSONS_LABEL = "(individual payees)"
RAGGED_ROWS_KEPT = 100
"""Row numbers of ragged rows listed in a summary (all are counted)."""
SKIPPED_KEPT = 1_000
"""Skipped rows listed in a summary, with their reasons (all are counted, by reason): a file of a million blank
lines is not a million objects."""


@dataclass
class Dollars:
    """Payment amounts by verdict, registry family, department, fiscal year and vendor."""

    total: float = 0.0
    rows: int = 0
    unreadable: int = 0
    by_verdict: Counter[str] = field(default_factory=Counter)
    by_family: Counter[str] = field(default_factory=Counter)
    flagged_by_department: Counter[str] = field(default_factory=Counter)
    flagged_by_fiscal_year: Counter[str] = field(default_factory=Counter)
    flagged_by_vendor: Counter[str] = field(default_factory=Counter)
    not_covered_by_cause: Counter[str] = field(default_factory=Counter)

    def add(self, finding: Finding, amount: float | None) -> None:
        """Add one row's amount (None: the cell could not be read as an amount, counted apart)."""
        if amount is None:
            self.unreadable += 1
            return
        self.rows += 1
        self.total += amount
        j = finding.judgement
        self.by_verdict[j.verdict] += amount
        if j.matched:
            self.by_family[j.family_name or j.match.family_id] += amount  # type: ignore[union-attr]
        if j.verdict == "not_covered":
            self.not_covered_by_cause[j.cause or "unknown"] += amount
        if j.flagged:
            r = finding.record
            self.flagged_by_department[r.department or "(no department)"] += amount
            self.flagged_by_fiscal_year[r.fiscal_year or "(no fiscal year)"] += amount
            self.flagged_by_vendor[PERSONS_LABEL if j.person else r.vendor] += amount

    def merge(self, other: Dollars) -> None:
        """Add the totals of other rows."""
        self.total += other.total
        self.rows += other.rows
        self.unreadable += other.unreadable
        for name in ("by_verdict", "by_family", "flagged_by_department", "flagged_by_fiscal_year",
                     "flagged_by_vendor", "not_covered_by_cause"):
            getattr(self, name).update(getattr(other, name))

    def add_unlisted(self, verdict: str, amounts: int, total: float, unreadable: int, cause: str | None = None) -> None:
        """Add the amounts of many rows whose judgement is neither flagged nor a registry match (so they count
        only by verdict, and a ``not_covered`` one by its cause)."""
        self.rows += amounts
        self.unreadable += unreadable
        if amounts:
            self.total += total
            self.by_verdict[verdict] += total
            if verdict == "not_covered":
                self.not_covered_by_cause[cause or "unknown"] += total


@dataclass
class Summary:
    """Counts kept while findings stream past."""

    rows: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    """The first ``SKIPPED_KEPT`` skipped rows (``skipped_count`` counts them all)."""
    skipped_count: int = 0
    skipped_by_reason: Counter[str] = field(default_factory=Counter)
    by_verdict: Counter[str] = field(default_factory=Counter)
    persons: int = 0
    value_total: float = 0.0
    value_flagged: float = 0.0
    value_by_family: Counter[str] = field(default_factory=Counter)
    dollars: Dollars = field(default_factory=Dollars)
    decimal_comma: bool = False
    ragged: int = 0
    ragged_rows: list[int] = field(default_factory=list)
    not_covered_by_cause: Counter[str] = field(default_factory=Counter)
    unrecognised_actions: Counter[str] = field(default_factory=Counter)
    """Contract-action values no rule set gives a meaning to, with how many rows carry each."""

    def add(self, finding: Finding) -> None:
        """Count one finding (its amount is added apart, by ``dollars.add``)."""
        self.rows += 1
        j = finding.judgement
        self.by_verdict[j.verdict] += 1
        self.persons += j.person
        if j.verdict == "not_covered":
            self.not_covered_by_cause[j.cause or "unknown"] += 1
        if finding.record.ragged is not None:
            self.ragged += 1
            if len(self.ragged_rows) < RAGGED_ROWS_KEPT:
                self.ragged_rows.append(finding.record.row)

    def add_unlisted(self, judgement: Judgement, rows: int) -> None:
        """Count many full-width rows that share a judgement that is neither flagged nor a registry match."""
        self.rows += rows
        self.by_verdict[judgement.verdict] += rows
        self.persons += rows * judgement.person
        if judgement.verdict == "not_covered":
            self.not_covered_by_cause[judgement.cause or "unknown"] += rows

    def merge(self, other: Summary) -> None:
        """Add the counts of a summary of later rows (judged elsewhere, e.g. in another process)."""
        self.rows += other.rows
        self.skipped.extend(other.skipped[:max(0, SKIPPED_KEPT - len(self.skipped))])
        self.skipped_count += other.skipped_count
        self.skipped_by_reason.update(other.skipped_by_reason)
        self.by_verdict.update(other.by_verdict)
        self.not_covered_by_cause.update(other.not_covered_by_cause)
        self.unrecognised_actions.update(other.unrecognised_actions)
        self.persons += other.persons
        self.ragged += other.ragged
        self.ragged_rows.extend(other.ragged_rows[:max(0, RAGGED_ROWS_KEPT - len(self.ragged_rows))])
        self.dollars.merge(other.dollars)

    def skip(self, skipped: Skipped) -> None:
        """Count one skipped row (it still counts as a row read)."""
        self.rows += 1
        self.skipped_count += 1
        self.skipped_by_reason[skipped.reason] += 1
        if len(self.skipped) < SKIPPED_KEPT:
            self.skipped.append(skipped)

    def verdict_counts(self) -> dict[str, int]:
        """Every verdict with its count, most severe first (zeros included)."""
        return {v: self.by_verdict.get(v, 0) for v in VERDICTS}
