"""The comparison as people read it: a heading paragraph, then titled tables of plain text (for table, Markdown
and HTML alike). Individual payees are already withheld by the diff; nothing here adds a name."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from checker.compare.diff import Comparison, Totals, VendorChange, VendorState
from checker.compare.report import Report


@dataclass(frozen=True)
class Section:
    """One titled table; ``note`` is printed under the title (empty ``rows``: only the note)."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    note: str = ""


def money(value: float | None) -> str:
    return "—" if value is None else f"${value:,.2f}"


def signed(value: float) -> str:
    """A dollar change: ``+$1,200.00``, ``-$35.50``, ``$0.00``."""
    value = round(value, 2)
    return ("+" if value > 0 else "-" if value < 0 else "") + f"${abs(value):,.2f}"


def report_name(report: Report, shareable: bool) -> str:
    """A report's path as printed: its file name when either report is shareable."""
    return Path(report.path).name if shareable else report.path


def describe(report: Report, shareable: bool) -> str:
    """``june.json: audit of june.csv, 54,992 rows, as of 2026-11-23; rules …; registry …``."""
    source = Path(report.input_name).name if (shareable and report.input_name) else report.input_name
    listed = {"all": "", "flagged": ", flagged rows listed", "matched": ", flagged and matched rows listed"}
    return (f"{report_name(report, shareable)}: audit of {source or '(no input named)'}, {report.rows_read:,} rows"
            f"{listed[report.listed]}, as of {report.as_of}; rules {', '.join(report.rule_ids) or '(none)'}; "
            f"registry {report.registry}" + ("; shareable" if report.shareable else ""))


def headline(cmp: Comparison) -> str:
    """One paragraph: how many vendors' findings are new, resolved, changed and unchanged, and the money."""
    n = cmp.counts()
    o, w = cmp.old_totals, cmp.new_totals
    text = (f"Findings by vendor: {n['new']} new, {n['resolved']} resolved, {n['changed']} changed, "
            f"{n['unchanged']} unchanged. Paid to registry families: {money(o.matched)} → {money(w.matched)} "
            f"({signed(w.matched - o.matched)}); flagged: {money(o.flagged)} → {money(w.flagged)} "
            f"({signed(w.flagged - o.flagged)}).")
    if cmp.withheld:
        kinds = ", ".join(f"{v} {k}" for k, v in cmp.withheld.items())
        people = "individual payee is" if sum(cmp.withheld.values()) == 1 else "individual payees are"
        text += f" {sum(cmp.withheld.values())} {people} counted, not named ({kinds})."
    return text


def sections(cmp: Comparison) -> list[Section]:
    """The tables, in the order a reader needs them."""
    out = [
        Section("New findings", ("Vendor", "Verdict", "Registry entity (family)", "Rows", "Paid", "Dates",
                                 "In the old report"),
                tuple(_one(v.new, v.before) for v in cmp.of_kind("new")),
                "Vendors with a finding now and none before."),
        Section("Resolved findings", ("Vendor", "Verdict was", "Registry entity (family)", "Rows", "Paid", "Dates",
                                      "In the new report"),
                tuple(_one(v.old, v.before) for v in cmp.of_kind("resolved")),
                "Vendors with a finding before and none now."),
        Section("Changed findings", ("Vendor", "What changed", "Verdict now", "Rows", "Paid"),
                tuple(_changed(v) for v in cmp.of_kind("changed")),
                "Vendors whose verdict, registry entity or family changed."),
        Section("Unchanged findings", ("Vendor", "Verdict", "Registry entity (family)", "Rows", "Paid"),
                tuple(_unchanged(v) for v in cmp.of_kind("unchanged"))),
        Section("Payments to registry families", ("Family", "Rows", "Paid before", "Paid now", "Change",
                                                  "Flagged before", "Flagged now"),
                tuple((f.family, f"{f.old_rows:,} → {f.new_rows:,}", money(f.old_dollars), money(f.new_dollars),
                       signed(f.change), money(f.old_flagged), money(f.new_flagged)) for f in cmp.families)
                + (_total_row(cmp.old_totals, cmp.new_totals),)),
    ]
    return out


def _verdict(s: VendorState) -> str:
    if len(s.by_verdict) == 1:
        return s.verdict
    return ", ".join(f"{v} ({n:,})" for v, n in s.by_verdict.items())


def _entity(s: VendorState) -> str:
    entities = ", ".join(s.entities) or "(no registry match)"
    return f"{entities} ({', '.join(s.families)})" if s.families and s.families != s.entities else entities


def _dates(s: VendorState) -> str:
    if not s.first_date:
        return ""
    return s.first_date if s.first_date == s.last_date else f"{s.first_date} – {s.last_date}"


def _one(s: VendorState | None, before: str) -> tuple[str, ...]:
    assert s is not None
    return (s.vendor, _verdict(s), _entity(s), f"{s.rows:,}", money(s.dollars), _dates(s), before)


def _changed(v: VendorChange) -> tuple[str, ...]:
    a, b = v.old, v.new
    assert a is not None and b is not None
    return (b.vendor, "; ".join(v.changes), _verdict(b), f"{a.rows:,} → {b.rows:,}",
            f"{money(a.dollars)} → {money(b.dollars)}")


def _unchanged(v: VendorChange) -> tuple[str, ...]:
    a, b = v.old, v.new
    assert a is not None and b is not None
    return (b.vendor, _verdict(b), _entity(b), f"{a.rows:,} → {b.rows:,}", f"{money(a.dollars)} → {money(b.dollars)}")


def _total_row(o: Totals, w: Totals) -> tuple[str, ...]:
    return ("All registry families", "", money(o.matched), money(w.matched), signed(w.matched - o.matched),
            money(o.flagged), money(w.flagged))


def totals_line(cmp: Comparison) -> str:
    """All payments of each audited file, as their summaries counted them."""
    o, w = cmp.old_totals.paid, cmp.new_totals.paid
    if o is None or w is None:
        return ""
    return f"All payments in the audited files: {money(o)} → {money(w)} ({signed(w - o)})."
