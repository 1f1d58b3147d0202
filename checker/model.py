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


MAX_NAME = 1_000
"""Longest vendor name accepted, in characters; real names are under 100."""


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
    cells: dict[str, str] | None = None
    """The input row's own cells by header name (``Run.input_columns``), for a listed finding of a file; None for
    a screened name or a holding. No judgement reads them (``judge.facts`` names the fields it reads)."""
    source: str | None = None
    """The input file's name, when a run reads several files (None for one)."""

    @property
    def label(self) -> str:
        """How a listing names the row: ``12``, or ``june.csv:12`` in a run over several files."""
        return f"{self.source}:{self.row}" if self.source else str(self.row)


@dataclass(frozen=True)
class Skipped:
    """A data row that is not a record (blank, a total), with the reason."""

    row: int
    reason: str
    total: str | None = None
    """For a total row: its amount cell, as written (reconciled with the rows it covers)."""
    words: str | None = None
    """For a total row: its own words ("Grand Total"), empty when it has none."""
    source: str | None = None
    """The input file's name, when a run reads several files."""

    @property
    def label(self) -> str:
        """How a listing names the row: ``12``, or ``june.csv:12`` in a run over several files."""
        return f"{self.source}:{self.row}" if self.source else str(self.row)


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
class VendorLine:
    """One vendor cell's flagged or matched rows of one verdict, rolled up: how many, how much, when, where."""

    vendor: str
    verdict: str
    entity: str | None = None
    family: str | None = None
    rows: int = 0
    dollars: float = 0.0
    unreadable: int = 0
    """Rows whose amount cell could not be read as an amount."""
    first_date: date | None = None
    last_date: date | None = None
    departments: Counter[str] = field(default_factory=Counter)
    """Rows per department (rows with none are not counted here)."""

    def add(self, record: Record, amount: float | None) -> None:
        """Add one row (its amount when read; None when it had no readable one)."""
        self.rows += 1
        if amount is None:
            self.unreadable += record.amount is not None
        else:
            self.dollars += amount
        if record.date is not None:
            self.first_date = min(record.date, self.first_date or record.date)
            self.last_date = max(record.date, self.last_date or record.date)
        if record.department:
            self.departments[record.department] += 1

    def merge(self, other: VendorLine) -> None:
        """Add the same vendor's later rows."""
        self.rows += other.rows
        self.dollars += other.dollars
        self.unreadable += other.unreadable
        dates = [d for d in (self.first_date, self.last_date, other.first_date, other.last_date) if d is not None]
        self.first_date, self.last_date = (min(dates), max(dates)) if dates else (None, None)
        self.departments.update(other.departments)


@dataclass(frozen=True)
class StatedTotal:
    """A file's own total or subtotal row, checked against the sum of the data rows it covers."""

    row: int
    label: str
    """The row's own words ("Grand Total", "Subtotal Police"); empty when the row has none (an amount alone)."""
    stated: float
    computed: float
    kind: str = "total"
    """``total``: it covers every data row above it; ``subtotal``: the data rows since the previous total row."""
    first_row: int = 1
    """The first row it covers (``first_row`` to ``row - 1``)."""
    source: str | None = None
    """The input file's name, when a run reads several files."""

    @property
    def difference(self) -> float:
        """Stated minus computed, in cents' precision (0.0 when they agree)."""
        return round(self.stated - self.computed, 2)

    @property
    def place(self) -> str:
        """The row as a listing names it: ``12``, or ``june.csv:12`` in a run over several files."""
        return f"{self.source}:{self.row}" if self.source else str(self.row)


class TotalRow(NamedTuple):
    """A total row as one part of a file saw it, before the rows above that part are known (``Running``)."""

    row: int
    words: str
    stated: float
    kind: str | None
    """``total`` or ``subtotal`` when its words say which; None when it has none."""
    above: float
    """The readable amounts of the part's data rows above it."""
    since: float
    """... since the part's previous total row (all of them when ``after_total`` is False)."""
    since_first: int | None
    """The row after the part's previous total row (None: the part's first row, not known in the part)."""
    after_total: bool
    source: str | None = None


def reconciled(t: TotalRow) -> StatedTotal:
    """A total row checked against the rows it covers. Without words, it is a subtotal when a total row came
    before it and it is nearer the sum of the rows since that one than the sum of every row above; else a total."""
    kind = t.kind
    if kind is None:
        kind = "subtotal" if t.after_total and abs(t.stated - t.since) < abs(t.stated - t.above) else "total"
    if kind == "subtotal":
        return StatedTotal(t.row, t.words, t.stated, round(t.since, 2), kind, t.since_first or 1, t.source)
    return StatedTotal(t.row, t.words, t.stated, round(t.above, 2), kind, 1, t.source)


@dataclass
class Running:
    """The readable amounts of a file's data rows read so far, to reconcile the file's own total rows with.

    A file read in two parts (two processes) keeps the second part's total rows open (``TotalRow``) until the
    first part's sums are added (``Summary.merge``)."""

    above: float = 0.0
    since: float = 0.0
    since_first: int | None = 1
    """The row after the previous total row (None: the part starts within the file, not known yet)."""
    after_total: bool = False
    opened: bool = False
    """The part starts within its file: its total rows stay open until the part before is added."""

    @classmethod
    def within(cls) -> Running:
        """The sums of a part that starts within its file (a second process's)."""
        return cls(since_first=None, opened=True)

    def add(self, amount: float) -> None:
        """Add data rows' amounts, read in order."""
        self.above += amount
        self.since += amount

    def total_row(self, row: int, words: str, stated: float, kind: str | None, source: str | None) -> TotalRow:
        """Note a total row (after the data rows above it were added): what it covers, before the part starts."""
        seen = TotalRow(row, words, stated, kind, self.above, self.since, self.since_first, self.after_total, source)
        self.since, self.since_first, self.after_total = 0.0, row + 1, True
        return seen

    def continued(self, t: TotalRow) -> TotalRow:
        """A later part's total row with this part's sums added (this part comes just before it)."""
        if t.after_total:
            return t._replace(above=t.above + self.above)
        return t._replace(above=t.above + self.above, since=t.since + self.since, since_first=self.since_first,
                          after_total=self.after_total)

    def then(self, later: Running) -> None:
        """Add a later part's sums."""
        self.above += later.above
        if later.after_total:
            self.since, self.since_first, self.after_total = later.since, later.since_first, True
        else:
            self.since += later.since


@dataclass
class FileTotals:
    """One input file of a run over several: its rows and dollars, and which rows were flagged."""

    path: str
    rows: int = 0
    dollars: float = 0.0
    flagged_rows: int = 0
    flagged_dollars: float = 0.0
    sha256: str | None = None


def rolled_up(j: Judgement) -> bool:
    """Whether a judgement's rows are rolled up per vendor: flagged or a registry match, never an individual."""
    return (j.flagged or j.matched) and not j.person


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
    stated_totals: list[StatedTotal] = field(default_factory=list)
    """The file's own total rows, each with the sum of the rows it covers (a difference is reported)."""
    files: list[FileTotals] = field(default_factory=list)
    """Per input file, when a run reads several (empty for one file)."""
    vendors: dict[tuple[str, str | None, str], VendorLine] = field(default_factory=dict)
    """Flagged and matched rows rolled up per (vendor cell, entity id, verdict): ``vendor_lines()`` lists them."""
    running: Running = field(default_factory=Running)
    """The data rows' amounts so far, for ``stated_totals`` (the engine adds them in row order)."""
    open_totals: list[TotalRow] = field(default_factory=list)
    """Total rows of a part that starts within its file, until the part before is merged (``merge``)."""

    def add(self, finding: Finding, amount: float | None = None) -> None:
        """Count one finding (its amount is added apart, by ``dollars.add``; given here too, it is rolled up with
        the vendor's other rows)."""
        self.rows += 1
        j = finding.judgement
        if rolled_up(j):
            self._line(finding.record.vendor, j).add(finding.record, amount)
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

    def total_row(self, row: int, words: str, stated: float, kind: str | None, source: str | None = None) -> None:
        """Reconcile a file's own total row with the data rows above it (their amounts added to ``running``)."""
        seen = self.running.total_row(row, words, stated, kind, source)
        if self.running.opened:
            self.open_totals.append(seen)
        else:
            self.stated_totals.append(reconciled(seen))

    def merge(self, other: Summary, same_file: bool = True) -> None:
        """Add the counts of a summary of later rows (judged elsewhere, e.g. in another process).

        ``same_file``: the other rows continue this summary's file (its total rows cover rows of both); False for
        another file of a run over several."""
        if same_file:
            for t in other.open_totals:
                seen = self.running.continued(t)
                if self.running.opened:
                    self.open_totals.append(seen)
                else:
                    self.stated_totals.append(reconciled(seen))
            self.running.then(other.running)
        self.stated_totals.extend(other.stated_totals)
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
        for key, line in other.vendors.items():
            mine = self.vendors.get(key)
            if mine is None:
                self.vendors[key] = line
            else:
                mine.merge(line)

    def _line(self, vendor: str, j: Judgement) -> VendorLine:
        key = (vendor, j.match.entity_id if j.match is not None else None, j.verdict)
        line = self.vendors.get(key)
        if line is None:
            line = self.vendors[key] = VendorLine(vendor, j.verdict, j.entity_name, j.family_name)
        return line

    def vendor_lines(self) -> list[VendorLine]:
        """The roll-up, most severe verdict first, then most dollars, then most rows, then vendor."""
        return sorted(self.vendors.values(),
                      key=lambda v: (-SEVERITY[v.verdict], -v.dollars, -v.rows, v.vendor))

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
