"""The comparison as a plain-text table (terminal) or Markdown (a memo)."""

from __future__ import annotations

from typing import TextIO

from checker.compare.diff import Comparison
from checker.compare.sections import describe, headline, sections, totals_line

WIDTHS = {"Vendor": 34, "Registry entity (family)": 36, "What changed": 40, "Verdict": 28, "Verdict was": 28,
          "Verdict now": 28, "Family": 30, "In the old report": 16, "In the new report": 16}
"""Column widths of the plain table (cells wrap), so it fits a terminal."""


def write_text(cmp: Comparison, out: TextIO, markdown: bool = False) -> None:
    """Write the heading, the cautions and every non-empty table."""
    from tabulate import tabulate

    shareable = cmp.old.shareable or cmp.new.shareable
    fix = _md if markdown else str
    lines = [("# " if markdown else "") + "sanctuary-check comparison", ""]
    lines += [("- " if markdown else "") + fix(f"{which}: {describe(r, shareable)}")
              for which, r in (("Old", cmp.old), ("New", cmp.new))]
    if cmp.cautions:
        lines.append("")
        lines += [f"Caution: {fix(c)}" for c in cmp.cautions]
    lines += ["", fix(headline(cmp))]
    total = totals_line(cmp)
    if total:
        lines.append(total)
    for s in sections(cmp):
        if not s.rows:
            continue
        lines += ["", ("## " if markdown else "") + s.title + ("" if markdown else ":")]
        if s.note:
            lines.append(s.note)
        lines.append("")
        if markdown:
            rows = [[_md(c) for c in row] for row in s.rows]
            lines.append(tabulate(rows, headers=s.headers, tablefmt="github", disable_numparse=True))
        else:
            widths = [WIDTHS.get(h) for h in s.headers]
            lines.append(tabulate(s.rows, headers=s.headers, tablefmt="simple", disable_numparse=True,
                                  maxcolwidths=widths))
    lines += ["", "Not legal advice: confirm findings against the ordinance text and the contract file.", ""]
    out.write("\n".join(lines))


def _md(text: str) -> str:
    """A cell or line safe in Markdown: one line, pipes and markup characters escaped."""
    text = " ".join(text.split())
    for ch in "\\|*_`[]<>#":
        text = text.replace(ch, "\\" + ch)
    return text
