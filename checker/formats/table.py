"""Tables for people (plain text or Markdown): a summary paragraph, payments, the per-vendor roll-up, the findings,
the evidence once per family (rows refer to it), a provenance line."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from functools import lru_cache
from typing import TextIO

from checker.api import Run
from checker.formats import View
from checker.formats.common import (
    display_vendor,
    dollars_tables,
    main_reason,
    match_text,
    outcome_words,
    provenance_line,
    sources_text,
    summary_paragraph,
    verdict_words,
)
from checker.formats.listing import (
    FILE_HEADERS,
    ROLLUP_HEADERS,
    EvidencePacket,
    file_rows,
    rollup_row,
    row_label,
    shown_lines,
    stated_lines,
)
from checker.formats.output import Printable
from checker.formats.rendered import PerJudgement
from checker.formats.text_table import SharedCells, TableSpool, simple_table
from checker.model import Finding, Judgement

TABLEFMT = {"table": "simple", "markdown": "github"}


def _widths(fmt: str, widths: list[int]) -> list[int] | None:
    return widths if fmt == "table" else None


@lru_cache(maxsize=8192)
def _wrap(text: str, width: int) -> str:
    """A cell wrapped to ``width`` as tabulate's ``maxcolwidths`` would, remembered (reasons repeat a lot)."""
    return "\n".join(textwrap.wrap(text, width))


AUDIT_WIDTHS = (None, 40, None, 40, 70)
RULE_WIDTHS = (None, None, 30, 70)
ROLLUP_WIDTHS = (30, None, 40, None, None, None, 40)
ROLLUP_RIGHT = (3, 4)
"""The roll-up's right-aligned columns: rows and amount."""


def _cells(fmt: str, row: list) -> list:
    """Markdown cells must not contain a bare pipe or newline."""
    if fmt != "markdown":
        return row
    return [c.replace("|", "\\|").replace("\n", " ") if isinstance(c, str) else c for c in row]


def evidence_ref(packet: EvidencePacket, j: Judgement, markdown: bool) -> str:
    """Where a row's evidence is printed: `` [E1]`` (a Markdown footnote: `` [^e1]``), or empty."""
    refs = packet.refs(j)
    if not refs:
        return ""
    return " " + "".join(f"[^e{n}]" for n in refs) if markdown else " [" + ", ".join(f"E{n}" for n in refs) + "]"


def render_audit(run: Run, out: TextIO, fmt: str, view: View) -> None:
    """Summary paragraph, payments, totals, the per-vendor roll-up, then one table row per finding, the evidence
    (once per family: rows refer to it) and provenance.

    The table keeps its rows in a temporary file until the summary is written, so memory does not grow with
    the number of rows listed. A row's verdict, match and reason depend only on its judgement: they are
    prepared once per judgement and shared by the rows that have it.
    """
    markdown = fmt == "markdown"
    headers = ["Row", "Vendor", "Verdict", "Registry match", "Why"]
    spool = TableSpool(headers, markdown=markdown)
    packet = EvidencePacket()
    shared: PerJudgement[dict[str, SharedCells]] = PerJudgement(lambda j: {})  # a judgement's cells, prepared, by the
    # evidence its row refers to: what the packet holds when the row is listed, not when the judgement was first seen
    for f in run.findings:
        if not view.listed(f):
            continue
        packet.add(f)
        j = f.judgement
        refs = evidence_ref(packet, j, markdown)
        by_refs = shared(j)
        cells = by_refs.get(refs)
        if cells is None:
            cells = by_refs[refs] = spool.shared(_prepared(
                fmt, [verdict_words(j), match_text(j) + refs, main_reason(j)], AUDIT_WIDTHS[2:]))
        own = [row_label(f), display_vendor(f, view.show_individuals)]
        spool.add(_prepared(fmt, own, AUDIT_WIDTHS[:2]), cells)
    heading = "# sanctuary-check audit\n\n" if markdown else ""
    out.write(heading + summary_paragraph(run, view.subject) + "\n\n")
    if run.summary.dollars.rows:
        out.write(dollars_tables(run.summary.dollars, TABLEFMT[fmt]) + "\n\n")
    totals = totals_text(run.summary, fmt)
    if totals:
        out.write(totals + "\n\n")
    lines = shown_lines(run.summary, view)
    if lines:
        out.write(rollup_text(lines, fmt) + "\n\n")
    if spool.rows:
        out.write("## Rows\n\n" if markdown else "")
        spool.write(out)
        out.write("\n\n")
    else:
        out.write("No findings to list" + (f" ({_asked(view)})." if view.filtered else ".") + "\n\n")
    if packet:
        out.write(render_packet(packet, markdown) + "\n")
    out.write(provenance_line(run) + "\n")


def totals_text(summary, fmt: str) -> str:
    """The file's own total rows reconciled, and totals per file when a run read several (empty for neither)."""
    from tabulate import tabulate

    parts = []
    stated = stated_lines(summary)
    if stated:
        title = "The file's own totals, checked against its rows:"
        parts.append(("### " + title.rstrip(":") + "\n\n" if fmt == "markdown" else title + "\n")
                     + "\n".join(f"{'-' if fmt == 'markdown' else ' -'} {line}" for line in stated))
    files = file_rows(summary)
    if files:
        parts.append(tabulate([_cells(fmt, r) for r in files], headers=FILE_HEADERS, tablefmt=TABLEFMT[fmt],
                              disable_numparse=True))
    return "\n\n".join(parts)


def rollup_text(lines, fmt: str) -> str:
    """The per-vendor roll-up: one line per vendor cell and verdict (rows, amount, dates, departments).

    Laid out as tabulate would (with ``maxcolwidths`` and ``colalign``), without it: a large audit's roll-up has
    thousands of lines, which tabulate took ten times as long to lay out."""
    title = f"Vendors flagged or matched to the registry ({len(lines):,}), one line each"
    rows = [_prepared(fmt, rollup_row(v), ROLLUP_WIDTHS) for v in lines]
    table = simple_table(ROLLUP_HEADERS, rows, ROLLUP_RIGHT, markdown=fmt == "markdown")
    return (f"## {title}\n\n" if fmt == "markdown" else f"{title}:\n\n") + table


def render_packet(packet: EvidencePacket, markdown: bool) -> str:
    """The evidence once per family, numbered as rows refer to it (Markdown footnotes), then the clauses cited."""
    parts = ["## Evidence for the flagged rows" if markdown else "Evidence for the flagged rows"]
    for n, family, lines in packet.items():
        if markdown:
            parts.append(f"\n[^e{n}]: **{family}**")
            parts.extend(f"    - {line}" for line in lines)
        else:
            parts.append(f"\n[E{n}] {family}")
            parts.extend(f" - {line}" for line in lines)
    if packet.clauses:
        parts.append(f"\n{'### ' if markdown else ''}Clauses cited")
        bullet = "-" if markdown else " -"
        parts.extend(f"{bullet} {cite}" + (f": {url}" if url else "") for cite, url in packet.clauses.items())
    return "\n".join(parts) + "\n"


def _prepared(fmt: str, cells: list, widths: Sequence[int | None]) -> list:
    """Cells as a table shows them: wrapped to their column's width, or made safe for a Markdown table."""
    if fmt == "markdown":
        return _cells(fmt, cells)
    return [c if w is None else _wrap(c, w) for c, w in zip(cells, widths, strict=True)]


def render_screen(run: Run, out: TextIO, fmt: str) -> None:
    """For each screened name: the verdict, the match, and each rule set's outcome, reason and evidence."""
    findings = list(run.findings)
    md = fmt == "markdown"
    if md:
        out.write("# sanctuary-check screen\n\n")
    for f in findings:
        out.write(_screen_block(f, fmt))
    out.write(summary_paragraph(run, "Screened as proposed new contracts") + "\n\n")
    out.write(provenance_line(run) + "\n")


def _screen_block(f: Finding, fmt: str) -> str:
    md = fmt == "markdown"
    title = f"{f.record.vendor} → {verdict_words(f).upper().replace('_', ' ')}"
    if f.hypothetical:
        title += " (a text that binds no one: what it would do, not what the law requires)"
    lines = [f"## {title}" if md else title]
    if f.match is not None:
        lines.append(f"Match: {match_text(f)} — {f.match.explanation}.")
        if f.relation:
            lines.append(f"Entity: {f.entity_name} ({f.relation}); family: {f.family_name}")
    elif f.note:
        lines.append(f"No registry match: {f.note}.")
    else:
        lines.append("No registry match.")
    if f.decision:
        lines.append(f"Decision applied: {f.decision}.")
    if f.product:
        lines.append(f"Product named in the description: {f.product}.")
    table = [_cells(fmt, [r.rule_set, outcome_words(r), r.citation + ("" if r.text_verified else " (text unverified)"),
                          r.reason]) for r in f.rules]
    lines.append("")
    headers = ["Rule set", "Outcome", "Clause", "Reason"]
    if fmt == "table":
        lines.append(simple_table(headers, [[c if w is None else _wrap(c, w) for c, w in zip(row, RULE_WIDTHS,
                                                                                      strict=True)]
                                            for row in table]))
    else:
        from tabulate import tabulate
        lines.append(tabulate(table, headers=headers, tablefmt=TABLEFMT[fmt]))
    evidence = list(dict.fromkeys(e for r in f.rules for e in r.evidence))
    if evidence:
        lines.append("")
        lines.append("Evidence:")
        lines.extend(f"{'-' if md else ' -'} {e}" for e in evidence)
        lines.append("Sources:")
        lines.extend(f"{'-' if md else ' -'} {s}" for s in sources_text(f).split(" | "))
    return "\n".join(lines) + "\n\n"


def render_holdings(run: Run, out: TextIO, fmt: str, view: View) -> None:
    """Summary, flagged value by family and share of the portfolio, then one row per holding."""
    from tabulate import tabulate

    rows = []
    for f in run.findings:
        if not view.listed(f):
            continue
        sec = f.record.security
        why = main_reason(f)
        if f.identifier:
            why = f"{f.identifier}. {why}"
        rows.append(_cells(fmt, [f.record.row, f.record.vendor or "-", verdict_words(f), match_text(f),
                                 sec.market_value if sec else "", sec.maturity if sec else "", why]))
    s = run.summary
    out.write(("# sanctuary-check holdings\n\n" if fmt == "markdown" else "")
              + summary_paragraph(run, "Holdings screen") + "\n\n")
    if s.value_total:
        share = s.value_flagged / s.value_total * 100
        out.write(f"Market value: ${s.value_total:,.2f} in all; ${s.value_flagged:,.2f} ({share:.1f} %) flagged.\n")
        if s.value_by_family:
            out.write(tabulate([[fam, f"${v:,.2f}", f"{v / s.value_total * 100:.1f} %"]
                                for fam, v in s.value_by_family.most_common()],
                               headers=["Family", "Flagged market value", "Share of portfolio"],
                               tablefmt=TABLEFMT[fmt]) + "\n")
        out.write("\n")
    if rows:
        out.write(tabulate(rows, headers=["Row", "Issuer / security", "Verdict", "Registry match", "Market value",
                                          "Maturity", "Why"], tablefmt=TABLEFMT[fmt], disable_numparse=True,
                           maxcolwidths=_widths(fmt, [None, 30, None, 30, None, None, 60])) + "\n\n")
    out.write(provenance_line(run) + "\n")


class TableFormat:
    """Plain text (``table``) or Markdown: a summary paragraph, the findings, the evidence, a provenance line."""

    binary = False
    needs_file = False

    def __init__(self, name: str) -> None:
        self.name = name

    def write(self, run: Run, out: TextIO, view: View) -> None:
        """Render a screen, an audit or a holdings screen (control characters in any text escaped)."""
        out = Printable(out)  # type: ignore[assignment]
        if run.kind == "screen":
            render_screen(run, out, self.name)
        elif run.kind == "holdings":
            render_holdings(run, out, self.name, view)
        else:
            render_audit(run, out, self.name, view)


def _asked(view: View) -> str:
    """What the reader asked for, when some rows are not listed."""
    if view.only_matched:
        return "only flagged rows and registry matches were asked for"
    return "only flagged rows were asked for"


TABLE = TableFormat("table")
MARKDOWN = TableFormat("markdown")
