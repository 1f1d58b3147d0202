"""The records that flow through the pipeline: input rows in, findings out, a running summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from checker.matcher import Match
from checker.sources.values import parse_amount

VERDICTS = ("prohibited", "potential_violation", "possible_match", "waived", "grandfathered", "not_covered", "clear")
"""Verdicts, most severe first. A row's verdict is the most severe of its rule-set outcomes."""
SEVERITY = {v: len(VERDICTS) - i for i, v in enumerate(VERDICTS)}
FLAGGED = frozenset({"prohibited", "potential_violation", "possible_match"})
ACTIONS = ("new", "amended", "extended", "renewed", "existing", "payment")


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


@dataclass(frozen=True)
class RuleOutcome:
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


@dataclass(frozen=True)
class Judgement:
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
    rendered: dict[str, object] = field(default_factory=dict, init=False, compare=False, hash=False, repr=False)
    """Renderings of this judgement by output formats (text, encoded bytes, or a mark that a report has
    already used it), made once and reused for every row sharing it."""

    @property
    def flagged(self) -> bool:
        """True for verdicts a person must act on."""
        return self.verdict in FLAGGED

    def rendering(self, key: str, make: Callable[[Judgement], Any]) -> Any:
        """``make(self)``, made the first time ``key`` is asked for and kept in ``rendered`` for the other rows."""
        found = self.rendered.get(key)
        if found is None:
            found = self.rendered[key] = make(self)
        return found


class Finding:
    """A judged record: the record, and its judgement's fields readable directly (``f.verdict``).

    A finding made by ``Finding.deferred`` builds its record only when a format reads it, so rows that
    a report does not list cost no record at all.
    """

    __slots__ = ("_record", "judgement", "_row", "_cells", "_convert")

    def __init__(self, record: Record, judgement: Judgement) -> None:
        self._record: Record | None = record
        self.judgement = judgement

    @classmethod
    def deferred(cls, row: int, cells: list[str], convert: Callable[[int, list[str]], Record],
                 judgement: Judgement) -> Finding:
        """A finding whose record is made from ``cells`` when first read."""
        f = cls.__new__(cls)
        f._record = None
        f.judgement = judgement
        f._row, f._cells, f._convert = row, cells, convert
        return f

    @property
    def record(self) -> Record:
        """The row's record."""
        if self._record is None:
            self._record = self._convert(self._row, self._cells)
        return self._record

    def brief(self) -> tuple[int, str, str | None, str | None, str | None, date | None]:
        """Row, vendor, action, amount, department and date: the fields a listing shows, read straight from
        the cells when the record is deferred (a full JSON listing of a large file makes no record)."""
        if self._record is None:
            return self._convert.brief(self._row, self._cells)  # type: ignore[attr-defined]
        r = self._record
        return r.row, r.vendor, r.action, r.amount, r.department, r.date

    @property
    def security(self) -> Security | None:
        """The holding's security (payments have none; a deferred finding is always a payment)."""
        return None if self._record is None else self._record.security

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
    flagged = property(lambda self: self.judgement.verdict in FLAGGED)


PERSONS_LABEL = "(individual payees)"
RAGGED_ROWS_KEPT = 100
"""Row numbers of ragged rows listed in a summary (all are counted)."""


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

    def merge(self, other: Dollars) -> None:
        """Add the totals of other rows."""
        self.total += other.total
        self.rows += other.rows
        self.unreadable += other.unreadable
        for name in ("by_verdict", "by_family", "flagged_by_department", "flagged_by_fiscal_year",
                     "flagged_by_vendor"):
            getattr(self, name).update(getattr(other, name))

    def add(self, finding: Finding, amount: float | None) -> None:
        """Add one row's amount (None: the cell could not be read as an amount, counted apart)."""
        if amount is None:
            self.unreadable += 1
            return
        self.rows += 1
        self.total += amount
        self.by_verdict[finding.verdict] += amount
        if finding.match is not None and finding.match.band == "match":
            self.by_family[finding.family_name or finding.match.family_id] += amount
        if finding.flagged:
            self.flagged_by_department[finding.record.department or "(no department)"] += amount
            self.flagged_by_fiscal_year[finding.record.fiscal_year or "(no fiscal year)"] += amount
            self.flagged_by_vendor[PERSONS_LABEL if finding.person else finding.record.vendor] += amount


@dataclass
class Summary:
    """Counts kept while findings stream past."""

    rows: int = 0
    skipped: list[Skipped] = field(default_factory=list)
    by_verdict: Counter[str] = field(default_factory=Counter)
    persons: int = 0
    value_total: float = 0.0
    value_flagged: float = 0.0
    value_by_family: Counter[str] = field(default_factory=Counter)
    dollars: Dollars = field(default_factory=Dollars)
    decimal_comma: bool = False
    ragged: int = 0
    ragged_rows: list[int] = field(default_factory=list)

    def add(self, finding: Finding) -> None:
        """Count one finding, and its payment amount when the file has an amount column."""
        self.rows += 1
        self.by_verdict[finding.verdict] += 1
        self.persons += finding.person
        if finding.record.ragged is not None:
            self.ragged += 1
            if len(self.ragged_rows) < RAGGED_ROWS_KEPT:
                self.ragged_rows.append(finding.record.row)
        if finding.record.security is None and finding.record.amount is not None:
            self.dollars.add(finding, parse_amount(finding.record.amount, self.decimal_comma))

    def merge(self, other: Summary) -> None:
        """Add the counts of a summary of later rows (judged elsewhere, e.g. in another process)."""
        self.rows += other.rows
        self.skipped.extend(other.skipped)
        self.by_verdict.update(other.by_verdict)
        self.persons += other.persons
        self.ragged += other.ragged
        self.ragged_rows.extend(other.ragged_rows[:max(0, RAGGED_ROWS_KEPT - len(self.ragged_rows))])
        self.dollars.merge(other.dollars)

    def skip(self, skipped: Skipped) -> None:
        """Count one skipped row (it still counts as a row read)."""
        self.rows += 1
        self.skipped.append(skipped)

    def verdict_counts(self) -> dict[str, int]:
        """Every verdict with its count, most severe first (zeros included)."""
        return {v: self.by_verdict.get(v, 0) for v in VERDICTS}
