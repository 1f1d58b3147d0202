"""The comparison as one self-contained HTML page: loads nothing, escapes everything, prints cleanly."""

from __future__ import annotations

from html import escape
from typing import TextIO

from checker.compare.diff import Comparison
from checker.compare.sections import describe, headline, sections, totals_line

STYLE = """
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em auto;max-width:1300px;padding:0 1em;color:#222}
h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.6em}
table{border-collapse:collapse;width:100%;margin:.4em 0}
th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top;overflow-wrap:break-word}
th{background:#f2f2f2;white-space:nowrap}td.n{text-align:right;white-space:nowrap}
.caution{background:#fff4d6;border-left:4px solid #e0a800;padding:.4em .7em}
@media print{body{max-width:none;margin:0}tr{break-inside:avoid}}
"""
NUMERIC = {"Rows", "Paid", "Paid before", "Paid now", "Change", "Flagged before", "Flagged now"}


def write_html(cmp: Comparison, out: TextIO) -> None:
    """Write the page: heading, cautions, the headline paragraph and every non-empty table."""
    shareable = cmp.old.shareable or cmp.new.shareable
    parts = ['<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">',
             '<meta name="viewport" content="width=device-width, initial-scale=1">',
             "<title>sanctuary-check comparison</title>", f"<style>{STYLE}</style></head><body>",
             "<h1>sanctuary-check comparison</h1><ul>",
             f"<li>Old: {escape(describe(cmp.old, shareable))}</li>",
             f"<li>New: {escape(describe(cmp.new, shareable))}</li></ul>"]
    parts += [f'<p class="caution">Caution: {escape(c)}</p>' for c in cmp.cautions]
    parts.append(f"<p>{escape(headline(cmp))}</p>")
    total = totals_line(cmp)
    if total:
        parts.append(f"<p>{escape(total)}</p>")
    for s in sections(cmp):
        if not s.rows:
            continue
        parts.append(f"<h2>{escape(s.title)}</h2>")
        if s.note:
            parts.append(f"<p>{escape(s.note)}</p>")
        numeric = [h in NUMERIC for h in s.headers]
        parts.append("<table><thead><tr>" + "".join(f"<th>{escape(h)}</th>" for h in s.headers) + "</tr></thead>"
                     "<tbody>")
        for row in s.rows:
            parts.append("<tr>" + "".join(f'<td{" class=n" if n else ""}>{escape(c)}</td>'
                                          for c, n in zip(row, numeric, strict=True)) + "</tr>")
        parts.append("</tbody></table>")
    parts.append("<p>Not legal advice: confirm findings against the ordinance text and the contract file.</p>")
    parts.append("</body></html>\n")
    out.write("\n".join(parts))
