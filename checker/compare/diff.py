"""The comparison of two audit reports, per vendor and per registry family: a pure function of the two reports.

Rows are paired by vendor (the vendor cell normalised as the matcher reads it: case, punctuation and legal form do
not count), never by row number, which moves between exports. A vendor's *finding* in a report is its rows with a
verdict other than ``clear``; its verdict there is the most severe of them. A finding is **new** when the vendor
had none in the old report, **resolved** when it has none in the new one, **changed** when its verdict or its
registry entity or family changed, and **unchanged** otherwise. When either report lists only flagged rows, both
are compared on flagged rows alone (a matched row the other does not list is not a change).

Individual payees are never named unless ``show_individuals`` is given and neither report is shareable: a vendor
is withheld when any of its rows was marked an individual payee, or when the person detector says its name is a
person's; withheld vendors are counted by kind of change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from checker.compare.report import Report, Row
from checker.match.normalize import is_person, normalize
from checker.model import FLAGGED, SEVERITY

KINDS = ("new", "resolved", "changed", "unchanged")


@lru_cache(maxsize=65536)
def vendor_key(cell: str) -> str:
    """The vendor cell as rows are paired: ``Motorola Solutions, Inc.`` and ``MOTOROLA SOLUTIONS INC`` are one."""
    return " ".join(normalize(cell).tokens) or " ".join(cell.upper().split())


@dataclass(frozen=True)
class VendorState:
    """One vendor's finding in one report."""

    vendor: str
    """The vendor cell as most of its rows spell it."""
    verdict: str
    by_verdict: dict[str, int]
    entities: tuple[str, ...]
    families: tuple[str, ...]
    rows: int
    dollars: float
    flagged_dollars: float
    first_date: str | None
    last_date: str | None

    @property
    def flagged(self) -> bool:
        return self.verdict in FLAGGED


@dataclass(frozen=True)
class VendorChange:
    """A vendor's finding in the old and the new report."""

    kind: str
    old: VendorState | None
    new: VendorState | None
    before: str = ""
    """For a new finding, the vendor in the old report (for a resolved one, in the new): ``not listed`` or
    ``listed, clear``."""
    changes: tuple[str, ...] = ()
    """For a changed finding, what changed, in words."""

    @property
    def vendor(self) -> str:
        return (self.new or self.old).vendor  # type: ignore[union-attr]

    @property
    def dollar_change(self) -> float:
        return (self.new.dollars if self.new else 0.0) - (self.old.dollars if self.old else 0.0)


@dataclass(frozen=True)
class FamilyChange:
    """Payments to one registry family in each report: all of them and the flagged ones."""

    family: str
    old_rows: int
    new_rows: int
    old_dollars: float
    new_dollars: float
    old_flagged: float
    new_flagged: float

    @property
    def change(self) -> float:
        return self.new_dollars - self.old_dollars

    @property
    def flagged_change(self) -> float:
        return self.new_flagged - self.old_flagged


@dataclass(frozen=True)
class Totals:
    """One report's payments: in all (as its summary counted them), to registry families, and flagged."""

    paid: float | None
    matched: float
    flagged: float


@dataclass(frozen=True)
class Comparison:
    """What changed between two audit reports."""

    old: Report
    new: Report
    vendors: tuple[VendorChange, ...]
    families: tuple[FamilyChange, ...]
    cautions: tuple[str, ...]
    withheld: dict[str, int] = field(default_factory=dict)
    """Individual payees counted, not named, by kind of change."""
    flagged_only: bool = False
    """Both reports were compared on flagged rows alone."""

    def of_kind(self, kind: str) -> list[VendorChange]:
        return [v for v in self.vendors if v.kind == kind]

    def counts(self) -> dict[str, int]:
        """Vendors by kind of change (withheld individuals included)."""
        named = Counter(v.kind for v in self.vendors)
        return {k: named[k] + self.withheld.get(k, 0) for k in KINDS}

    @property
    def old_totals(self) -> Totals:
        return _totals(self.old, self.flagged_only)

    @property
    def new_totals(self) -> Totals:
        return _totals(self.new, self.flagged_only)


def compare_reports(old: Report, new: Report, show_individuals: bool = False) -> Comparison:
    """New, resolved, changed and unchanged findings per vendor, and payments per registry family."""
    flagged_only = "flagged" in (old.listed, new.listed)
    counted = FLAGGED if flagged_only else frozenset(SEVERITY) - {"clear"}
    name_people = show_individuals and not (old.shareable or new.shareable)
    old_rows, new_rows = _by_vendor(old.rows, counted), _by_vendor(new.rows, counted)
    private = set() if name_people else _people(old.rows) | _people(new.rows) | {
        k for rows in (old_rows, new_rows) for k, listed in rows.items() if any(is_person(r.vendor) for r in listed)}
    old_seen, new_seen = _listed_keys(old.rows), _listed_keys(new.rows)
    vendors: list[VendorChange] = []
    withheld: Counter[str] = Counter()
    for key in sorted(old_rows.keys() | new_rows.keys()):
        a = _state(old_rows[key]) if key in old_rows else None
        b = _state(new_rows[key]) if key in new_rows else None
        change = _change(a, b, key in old_seen, key in new_seen, old, new)
        if key in private:
            withheld[change.kind] += 1
        else:
            vendors.append(change)
    vendors.sort(key=lambda v: (KINDS.index(v.kind), -SEVERITY[(v.new or v.old).verdict],  # type: ignore[union-attr]
                                -abs(v.dollar_change), v.vendor))
    return Comparison(old=old, new=new, vendors=tuple(vendors), families=_families(old, new, counted),
                      cautions=tuple(_cautions(old, new, flagged_only)), withheld=dict(withheld),
                      flagged_only=flagged_only)


def _by_vendor(rows: Iterable[Row], counted: frozenset[str]) -> dict[str, list[Row]]:
    out: dict[str, list[Row]] = {}
    for r in rows:
        if r.verdict in counted:
            out.setdefault(vendor_key(r.vendor), []).append(r)
    return out


def _people(rows: Iterable[Row]) -> set[str]:
    """Vendor keys of rows marked as individual payees."""
    return {vendor_key(r.vendor) for r in rows if r.individual}


def _listed_keys(rows: Iterable[Row]) -> set[str]:
    return {vendor_key(r.vendor) for r in rows}


def _state(rows: list[Row]) -> VendorState:
    verdicts = Counter(r.verdict for r in rows)
    dates = sorted(r.date for r in rows if r.date)
    return VendorState(
        vendor=Counter(r.vendor for r in rows).most_common(1)[0][0],
        verdict=max(verdicts, key=SEVERITY.__getitem__),
        by_verdict=dict(sorted(verdicts.items(), key=lambda kv: -SEVERITY[kv[0]])),
        entities=tuple(sorted({r.entity for r in rows if r.entity})),
        families=tuple(sorted({r.family for r in rows if r.family})),
        rows=len(rows), dollars=round(sum(r.amount or 0.0 for r in rows), 2),
        flagged_dollars=round(sum(r.amount or 0.0 for r in rows if r.verdict in FLAGGED), 2),
        first_date=dates[0] if dates else None, last_date=dates[-1] if dates else None)


def _change(a: VendorState | None, b: VendorState | None, in_old: bool, in_new: bool,
            old: Report, new: Report) -> VendorChange:
    if a is None:
        return VendorChange("new", None, b, before=_presence(in_old, old))
    if b is None:
        return VendorChange("resolved", a, None, before=_presence(in_new, new))
    changes = []
    if a.verdict != b.verdict:
        changes.append(f"verdict {a.verdict} → {b.verdict}")
    if a.entities != b.entities:
        changes.append(f"entity {_names(a.entities)} → {_names(b.entities)}")
    if a.families != b.families:
        changes.append(f"family {_names(a.families)} → {_names(b.families)}")
    return VendorChange("changed" if changes else "unchanged", a, b, changes=tuple(changes))


def _presence(listed: bool, report: Report) -> str:
    """Where a vendor without a finding stands in the other report."""
    if listed:
        return "listed, clear" if report.listed == "all" else "listed, not flagged"
    return "not in the file" if report.listed == "all" else "not listed"


def _names(names: tuple[str, ...]) -> str:
    return ", ".join(names) or "(none)"


def _families(old: Report, new: Report, counted: frozenset[str]) -> tuple[FamilyChange, ...]:
    """Rows and payments per registry family in each report: rows whose verdict is compared and whose registry
    match is confirmed (a possible match is not counted as paid to the family, as in the audit's own summary)."""
    def tally(report: Report) -> tuple[Counter[str], Counter[str], Counter[str]]:
        rows: Counter[str] = Counter()
        paid: Counter[str] = Counter()
        flagged: Counter[str] = Counter()
        for r in report.rows:
            if r.family and r.confirmed and r.verdict in counted:
                rows[r.family] += 1
                paid[r.family] += r.amount or 0.0
                if r.verdict in FLAGGED:
                    flagged[r.family] += r.amount or 0.0
        return rows, paid, flagged

    (ra, pa, fa), (rb, pb, fb) = tally(old), tally(new)
    out = [FamilyChange(f, ra[f], rb[f], round(pa[f], 2), round(pb[f], 2), round(fa[f], 2), round(fb[f], 2))
           for f in ra.keys() | rb.keys()]
    return tuple(sorted(out, key=lambda f: (-abs(f.change), -abs(f.flagged_change), f.family)))


def _totals(report: Report, flagged_only: bool) -> Totals:
    counted = FLAGGED if flagged_only else frozenset(SEVERITY) - {"clear"}
    matched = sum(r.amount or 0.0 for r in report.rows if r.family and r.confirmed and r.verdict in counted)
    flagged = sum(r.amount or 0.0 for r in report.rows if r.verdict in FLAGGED)
    return Totals(report.total_paid, round(matched, 2), round(flagged, 2))


def _cautions(old: Report, new: Report, flagged_only: bool) -> list[str]:
    """What makes "new" and "resolved" mean more than a change in payments."""
    out = []
    if old.rule_sets != new.rule_sets:
        if old.rule_ids != new.rule_ids:
            out.append(f"The reports apply different rule sets (old: {', '.join(old.rule_ids)}; new: "
                       f"{', '.join(new.rule_ids)}): a finding may be new or resolved because of the rules, not the "
                       "payments.")
        else:
            edited = [a for (a, x), (_, y) in zip(old.rule_sets, new.rule_sets, strict=True) if x != y]
            out.append(f"Rule set text differs between the reports ({', '.join(edited)} edited): a finding may "
                       "change because of the rules, not the payments.")
    if old.registry_sha256 != new.registry_sha256:
        out.append(f"The reports use different registry versions (old: {old.registry}; new: {new.registry}): a "
                   "vendor may be new or resolved because the registry changed, not the payments.")
    if old.matcher != new.matcher:
        out.append(f"The reports use different matchers (old: {old.matcher}; new: {new.matcher}).")
    if old.as_of != new.as_of:
        out.append(f"The reports were judged as of different dates (old: {old.as_of}; new: {new.as_of}).")
    if flagged_only:
        which = " and ".join(n for n, r in (("old", old), ("new", new)) if r.listed == "flagged")
        out.append(f"The {which} report lists only flagged rows: both are compared on flagged rows alone.")
    return out
