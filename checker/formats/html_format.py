"""A self-contained HTML audit report: summary, dollar totals, the per-vendor roll-up, the evidence once per registry
family, a sortable and filterable findings table (rows refer to the evidence by anchor), method.

The findings table lists the input row's own columns beside the tool's; long cells wrap, so the page fits a laptop's
screen (1,366 pixels) without scrolling sideways, and it prints roll-up and evidence first, rows after. The filter
searches a row's vendor, entity, family and verdict only (never the evidence text). The page loads nothing: styles
and script are inline and a Content-Security-Policy forbids every fetch. Every value from the input or the knowledge
files is escaped with ``html.escape``; links go only to http(s) URLs.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from typing import NamedTuple, TextIO

from checker.api import Run
from checker.formats import View
from checker.formats.common import (
    DISCLAIMER,
    TOP_VENDORS,
    display_vendor,
    dollars_dict,
    main_reason,
    provenance_line,
    summary_paragraph,
    verdict_words,
)
from checker.formats.listing import (
    FILE_HEADERS,
    ROLLUP_HEADERS,
    EvidencePacket,
    column_names,
    file_rows,
    input_columns,
    rollup_row,
    row_cells,
    row_label,
    shown_lines,
    stated_lines,
)
from checker.formats.method import METHOD
from checker.formats.rendered import PerJudgement
from checker.match.score import MATCH_THRESHOLD, PROFILE, REVIEW_THRESHOLD
from checker.model import VERDICTS, Finding, Judgement
from checker.sources.values import parse_amount, parse_date

LARGE_TABLE = 20_000
"""Above this many findings (and without ``--only-flagged``) the table lists only the rows that are not clear."""

PAGE_ROWS = 2_000
"""Rows laid out at once; the rest wait in a template until a filter narrows them or "Show all" is clicked."""
CHUNK = 2_000
"""Table rows written to the stream at once."""

CSP = ("default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; "
       "base-uri 'none'; form-action 'none'")

_URL = re.compile(r"https?://[^\s<>\"')\]]+")

HOW_TO_READ = ("Each table row is one row of the input file (Row is its data-row number). Match names the registry "
               "company the vendor name matched and, in brackets, its corporate family; Score is the name score "
               "(0-100). Reason explains the most severe outcome; Clause gives the ordinance clauses behind it "
               "(linked to where their text was read); Evidence lists the federal awards or published sources "
               "relied on, with links where a source has one. Click a column header to sort; type in the filter "
               "box or choose a verdict to narrow the rows.")

STYLE = """
*,*::before,*::after{box-sizing:border-box}
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem;color:#1a1a1a;background:#fff;
overflow-wrap:break-word}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:1.75rem 0 .5rem;border-bottom:1px solid #ccc}
h3{font-size:1rem;margin:1rem 0 .25rem}
.subtitle{color:#555;margin:0 0 1rem}.disclaimer{font-weight:600}
.notice{border:2px solid #b45309;background:#fffbeb;padding:.6rem .9rem;font-weight:600;margin:1rem 0}
table{border-collapse:collapse;max-width:100%}
th,td{border:1px solid #ddd;padding:.3rem .45rem;text-align:left;vertical-align:top;overflow-wrap:break-word}
thead th{background:#f3f4f6;position:sticky;top:0;z-index:1}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.small{display:inline-table;margin:0 1.5rem 1rem 0}.small caption{text-align:left;font-weight:600;padding:.2rem 0}
#findings,#vendor-rollup{width:100%;font-size:13px}#findings td{overflow-wrap:anywhere}
#findings td.clause div+div{margin-top:.3rem}#findings td.clause,#findings td.reason{font-size:12px}
col.c-date{min-width:5.6rem}col.c-amount{min-width:5.6rem}col.c-vendor{width:12%}
#findings td.verdict{min-width:8.8rem;overflow-wrap:normal}#findings td.date{min-width:5.6rem}
#findings td.vendor{min-width:8rem}#findings td.cell{min-width:5rem}
col.c-match{width:11%}col.c-reason{width:24%}col.c-clause{width:10%}
#evidence ul{margin:.2rem 0 .4rem;padding-left:1.1rem}#evidence ul.sources{color:#444;font-size:12px}
#evidence article{margin-bottom:.6rem}a.ref{white-space:nowrap}
th button{all:unset;cursor:pointer;display:block;width:100%}th button:focus-visible{outline:2px solid #2563eb}
th[data-key] button::after{content:" \\2195";color:#999}
th[aria-sort=ascending] button::after{content:" \\25B2";color:#111}
th[aria-sort=descending] button::after{content:" \\25BC";color:#111}
.verdict{font-weight:600}.v-prohibited{color:#b91c1c}.v-potential_violation{color:#c2410c}
.v-possible_match{color:#a16207}.v-clear{color:#15803d}.muted{color:#666}
#controls{display:flex;gap:1rem;align-items:center;flex-wrap:wrap;margin:.5rem 0}
#filter{min-width:18rem;padding:.25rem .4rem}
dl.method dt{font-weight:600;margin-top:.5rem}dl.method dd{margin-left:1rem}
@media print{
@page{size:A4 landscape;margin:10mm}
body{margin:0;font-size:10px}#controls{display:none}thead th{position:static}
th[data-key] button::after{content:""}#findings,#vendor-rollup{font-size:9px}
#findings td.reason,#findings td.clause{font-size:inherit}#findings td.verdict{min-width:6rem}
#findings th,#findings td,#vendor-rollup td{padding:2px 3px}col.c-reason{width:34%}
#findings th[data-key=clause],#findings td.clause{display:none}
tr,article{break-inside:avoid}h2,h3{break-after:avoid}a{color:inherit;text-decoration:none}
#findings-section{break-before:page}
}
"""

SCRIPT = """
(function () {
  "use strict";
  var table = document.getElementById("findings");
  if (!table) { return; }
  var body = table.tBodies[0];
  var more = document.getElementById("more-rows");  /* rows past the first page: parsed, never laid out */
  var rows = Array.prototype.slice.call(body.rows);
  if (more) { rows = rows.concat(Array.prototype.slice.call(more.content.querySelectorAll("tr"))); }
  var origin = new Map(rows.map(function (r, n) { return [r, n]; }));
  var heads = Array.prototype.slice.call(table.tHead.querySelectorAll("th[data-key]"));
  var filter = document.getElementById("filter");
  var verdict = document.getElementById("verdict");
  var count = document.getElementById("shown-count");
  var showAll = document.getElementById("show-all");
  var collator = new Intl.Collator(undefined, {numeric: true, sensitivity: "base"});
  var limit = Number(table.dataset.page) || Infinity;
  var texts = null;
  var timer = 0;

  function fmt(n) { return n.toLocaleString("en-US"); }

  function key(row, i, num) {
    var cell = row.cells[i];
    if (num) { return cell.dataset.v ? Number(cell.dataset.v) : NaN; }
    return cell.textContent.trim();
  }

  /* Show the rows that pass the filter and the verdict, in the current order, at most `limit` of them. */
  function render() {
    if (texts === null) {  /* vendor, entity, family and verdict: never the evidence */
      texts = new Map(rows.map(function (r) { return [r, (r.dataset.search || "").toLowerCase()]; }));
    }
    var words = filter.value.toLowerCase().split(/\\s+/).filter(Boolean);
    var v = verdict.value;
    var match = rows.filter(function (r) {
      var text = texts.get(r);
      return (v === "all" || r.dataset.verdict === v) && words.every(function (w) { return text.indexOf(w) >= 0; });
    });
    var shown = match.slice(0, limit);
    var frag = document.createDocumentFragment();
    shown.forEach(function (r) { frag.appendChild(r); });
    body.replaceChildren(frag);
    var text = fmt(shown.length) + " of " + fmt(rows.length) + " rows shown";
    if (match.length > shown.length && match.length < rows.length) {
      text += " (the first " + fmt(shown.length) + " of " + fmt(match.length) + " that match)";
    }
    count.textContent = text;
    if (showAll) {
      showAll.hidden = match.length <= shown.length;
      showAll.textContent = "Show all " + fmt(match.length) + " (may be slow)";
    }
  }

  function sortBy(th) {
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    var i = th.cellIndex, num = th.dataset.type === "num";
    heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var keyed = rows.map(function (r) { return {r: r, k: key(r, i, num)}; });
    keyed.sort(function (a, b) {
      var ea = num ? isNaN(a.k) : a.k === "", eb = num ? isNaN(b.k) : b.k === "";
      var c = ea || eb ? (ea === eb ? 0 : (ea ? 1 : -1))  /* empty cells last either way */
        : dir * (num ? a.k - b.k : collator.compare(a.k, b.k));
      return c || origin.get(a.r) - origin.get(b.r);
    });
    rows = keyed.map(function (x) { return x.r; });
    render();
  }

  table.tHead.addEventListener("click", function (e) {
    var th = e.target.closest("th[data-key]");
    if (th) { sortBy(th); }
  });
  filter.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(render, 120); });
  verdict.addEventListener("change", render);
  if (showAll) { showAll.addEventListener("click", function () { limit = Infinity; render(); }); }
  document.getElementById("controls").hidden = false;
  if (filter.value || verdict.value !== "all") { render(); }
}());
"""


def _e(value: object) -> str:
    """Escaped text (quotes too, so the result is safe in an attribute)."""
    return html.escape("" if value is None else str(value), quote=True)


def _money(value: float) -> str:
    return f"-${-value:,.2f}" if value < 0 else f"${value:,.2f}"


def _source_html(source: str) -> str:
    """A source as text, linked to its http(s) URL when it names one (award ids and datasets stay plain text)."""
    m = _URL.search(source)
    if m is None:
        return _e(source)
    url = m.group(0).rstrip(".,;:")
    return f'<a href="{_e(url)}" rel="noopener noreferrer">{_e(source)}</a>'


def _link(text: str, url: str | None) -> str:
    if url and _URL.fullmatch(url):
        return f'<a href="{_e(url)}" rel="noopener noreferrer">{_e(text)}</a>'
    return _e(text)


def _match_cells(f: Judgement) -> str:
    m = f.match
    if m is None:
        return '<td class="muted">-</td><td class="num" data-v=""></td>'
    label = f.entity_name or m.entity_id
    if f.family_id != m.entity_id:
        label += f" ({f.family_name} family)"
    if m.band != "match":
        label += ", possible match"
    score = m.score * 100
    return (f'<td title="{_e(m.explanation)}">{_e(label)}</td>'
            f'<td class="num" data-v="{score:.1f}">{score:.0f}</td>')


def _reason_cell(f: Judgement) -> str:
    parts = [_e(main_reason(f))]
    if f.product:
        parts.append(f'<div class="muted">Product named in the description: {_e(f.product)}</div>')
    if f.decision:
        parts.append(f'<div class="muted">Decision applied: {_e(f.decision)}</div>')
    return f'<td class="reason">{"".join(parts)}</td>'


def _clause_cell(f: Judgement) -> str:
    clauses = dict.fromkeys((r.citation, r.clause_url) for r in f.rules if r.outcome != "clear")
    return '<td class="clause">' + "".join(f"<div>{_link(c, u)}</div>" for c, u in clauses) + "</td>"


def _refs_html(refs: list[int]) -> str:
    """Links to the evidence a row or a vendor refers to (``E1``)."""
    return " ".join(f'<a class="ref" href="#evidence-{n}">E{n}</a>' for n in refs)


def _judgement_cells(f: Judgement, packet: EvidencePacket) -> str:
    """The cells that depend only on the judgement (shared by many rows): verdict to the evidence reference."""
    v = f.verdict
    return (f'<td class="verdict v-{_e(v)}">{_e(verdict_words(f))}</td>' + _match_cells(f) + _reason_cell(f)
            + _clause_cell(f) + f'<td class="evidence">{_refs_html(packet.refs(f))}</td>')


def _search_text(f: Finding, show_individuals: bool) -> str:
    """What the filter searches: the vendor as shown, the entity, the family and the verdict (never evidence)."""
    j = f.judgement
    return " ".join(t for t in (display_vendor(f, show_individuals), j.entity_name, j.family_name,
                                verdict_words(j)) if t)


def _collect(run: Run, view: View) -> tuple[list[Finding], int, int]:
    """The findings to list, how many the stream held, and how many clear ones a large table leaves out."""
    listed: list[Finding] = []
    seen = omitted = 0
    trimmed = False
    only_flagged = view.filtered
    for f in run.findings:
        if not view.listed(f):
            continue
        seen += 1
        if trimmed and f.verdict == "clear":
            omitted += 1
            continue
        listed.append(f)
        if not only_flagged and not trimmed and seen > LARGE_TABLE:
            trimmed = True
            kept = [g for g in listed if g.verdict != "clear"]
            omitted += len(listed) - len(kept)
            listed = kept
    return listed, seen, omitted


def render_html(run: Run, out: TextIO, view: View) -> None:
    """Write the report as one HTML page; findings are collected first, as the summary completes with the stream."""
    listed, seen, omitted = _collect(run, view)
    only_flagged = view.filtered
    prov = run.provenance()
    name = prov["input"]["path"] if prov["input"] else ", ".join(i["path"] for i in prov.get("inputs", ())) or "input"
    subject = f"Audit of {name}"
    w = out.write
    w('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
      f'<meta http-equiv="Content-Security-Policy" content="{_e(CSP)}">\n'
      '<meta name="referrer" content="no-referrer">\n'
      '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
      '<link rel="icon" href="data:,">\n'
      f"<title>sanctuary-check: {_e(subject)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n")
    w(f'<header>\n<h1>sanctuary-check audit</h1>\n<p class="subtitle">{_e(name)} · as of {_e(run.as_of.isoformat())}'
      f" · sanctuary-check {_e(run.tool['version'])}</p>\n"
      f'<p id="summary">{_e(summary_paragraph(run, subject).removesuffix(" " + DISCLAIMER))}</p>\n'
      f'<p class="disclaimer">{_e(DISCLAIMER)}</p>\n</header>\n')
    if omitted:
        w(f'<p class="notice" id="omitted">This file has {seen:,} rows to list, too many for one page: the table '
          f"below lists only the {len(listed):,} rows that are not clear. {omitted:,} clear rows are not listed; "
          "they are counted in the summary and the verdict counts.</p>\n")
    packet = EvidencePacket(every_row=True)
    for f in listed:
        packet.add(f)
    _rollup(run, view, packet, w)
    _verdicts(run, listed, only_flagged, omitted, w)
    _dollars(run, w)
    _totals(run, w)
    _evidence(packet, w)
    _table(run, view, listed, packet, w)
    _method(run, prov, w)
    w(f"<script>{SCRIPT}</script>\n</body>\n</html>\n")


def _verdicts(run: Run, listed: list[Finding], only_flagged: bool, omitted: int, w) -> None:
    s = run.summary
    shown = Counter(f.verdict for f in listed)
    counts = s.verdict_counts()
    judged = s.rows - s.skipped_count
    w('<section id="counts">\n<h2>Verdict counts</h2>\n<table class="small" id="verdict-counts">\n'
      '<thead><tr><th>Verdict</th><th class="num">Rows</th><th class="num">Listed in the table</th></tr></thead>\n'
      "<tbody>\n")
    for v in VERDICTS:
        w(f'<tr data-verdict="{v}"><td class="verdict v-{v}">{v}</td><td class="num">{counts[v]:,}</td>'
          f'<td class="num">{shown[v]:,}</td></tr>\n')
    w(f'<tr><td>skipped (not a record)</td><td class="num">{s.skipped_count:,}</td><td class="num">0</td></tr>\n'
      f'</tbody>\n<tfoot><tr><th>Rows read</th><th class="num" id="rows-read">{s.rows:,}</th>'
      f'<th class="num" id="rows-listed">{len(listed):,}</th></tr></tfoot>\n</table>\n')
    missing = judged - len(listed)
    why = []
    if only_flagged:
        why.append("only flagged rows (and, with --only-matched, registry matches) were asked for, with "
                   "--only-flagged or --only-matched")
    if omitted:
        why.append(f"{omitted:,} clear rows are left out of a table this large")
    if run.shareable and s.persons:
        why.append("individual payees are counted but never listed in a shareable report")
    text = f"{s.rows:,} rows read: {judged:,} judged, {s.skipped_count:,} skipped; {len(listed):,} listed below"
    if missing:
        text += f", {missing:,} counted above but not listed" + (f" ({'; '.join(why)})" if why else "")
    w(f'<p id="accounting">{_e(text)}.</p>\n</section>\n')


DOLLAR_TITLES = {"by_verdict": "By verdict", "by_family": "Paid to registry family",
                 "flagged_by_department": "Flagged, by department", "flagged_by_fiscal_year": "Flagged, by fiscal year",
                 "top_flagged_vendors": f"Top {TOP_VENDORS} flagged vendors"}


def _dollars(run: Run, w) -> None:
    d = run.summary.dollars
    if not d.rows:
        return
    data = dollars_dict(d)
    unreadable = f" ({d.unreadable:,} amounts could not be read)" if d.unreadable else ""
    w(f'<section id="dollars">\n<h2>Payments</h2>\n<p>{_e(_money(d.total))} over {d.rows:,} rows with an amount'
      f"{_e(unreadable)}.</p>\n")
    for key, title in DOLLAR_TITLES.items():
        table: dict[str, float] = data[key]
        if not table or (key.startswith("flagged_by") and len(table) == 1 and next(iter(table)).startswith("(")):
            continue
        w(f'<table class="small" id="dollars-{key.replace("_", "-")}"><caption>{_e(title)}</caption>\n'
          '<thead><tr><th scope="col">' + ("Verdict" if key == "by_verdict" else "Name") + '</th>'
          '<th scope="col" class="num">Amount</th></tr></thead>\n<tbody>\n')
        for name, amount in table.items():
            w(f'<tr><td>{_e(name)}</td><td class="num">{_e(_money(amount))}</td></tr>\n')
        w("</tbody></table>\n")
    w("</section>\n")


class Column(NamedTuple):
    """A findings-table column of the row's own: its sort key, heading, kind (``num`` or ``text``) and the input
    column it shows (None: the tool's reading of the row)."""

    key: str
    label: str
    kind: str
    source: str | None = None


def _columns(run: Run, view: View, listed: list[Finding]) -> list[Column]:
    """The row's own columns: the input's (the vendor's, amount's and date's recognised by their cells, to show
    them as the tool read them), or without them the tool's reading of the date, vendor, department and amount."""
    with_cells = [f for f in listed if f.record.cells is not None]
    names = input_columns(run, view)
    if not with_cells or not names:
        has = {k: any(getattr(f.record, k) is not None for f in listed) for k in ("date", "department", "amount")}
        return [Column("date", "Date", "text")] * has["date"] + [Column("vendor", "Vendor", "text")] \
            + [Column("department", "Department", "text")] * has["department"] \
            + [Column("amount", "Amount", "num")] * has["amount"]
    decimal_comma = run.summary.decimal_comma
    columns, found = [], set()
    for n, (name, label) in enumerate(zip(names, column_names(["Row", "Verdict", "Match", "Score", "Reason",
                                                               "Clause", "Evidence"], names), strict=True)):
        cells = [((f.record.cells or {}).get(name) or "").strip() for f in with_cells]
        key = f"in-{n}"
        if "vendor" not in found and all(c == f.record.vendor.strip() for c, f in zip(cells, with_cells,
                                                                                      strict=True)):
            key = "vendor"
        elif "amount" not in found and any(cells) and all(
                c == (f.record.amount or "").strip() for c, f in zip(cells, with_cells, strict=True)):
            key = "amount"
        elif "date" not in found and any(cells) and all(
                _same_day(c, f.record.date) for c, f in zip(cells, with_cells, strict=True)):
            key = "date"
        found.add(key)
        numeric = key == "amount" or (any(cells) and all(
            not c or parse_amount(c, decimal_comma) is not None for c in cells))
        columns.append(Column(key, label, "num" if numeric else "text", name))
    if "vendor" not in found:
        columns.insert(0, Column("vendor", "Vendor", "text"))
    return columns


def _same_day(text: str, day: object) -> bool:
    """Whether a cell is the row's date as the tool read it (a cell that is no date is not)."""
    try:
        return parse_date(text) == day
    except ValueError:
        return False


def _table(run: Run, view: View, listed: list[Finding], packet: EvidencePacket, w) -> None:
    show_individuals, only_flagged = view.show_individuals, view.filtered
    own = _columns(run, view, listed)
    tool = [Column("verdict", "Verdict", "text"), Column("match", "Match", "text"), Column("score", "Score", "num"),
            Column("reason", "Reason", "text"), Column("clause", "Clause", "text")]
    w('<section id="findings-section">\n<h2>Findings</h2>\n')
    if not listed:
        asked = " (only flagged rows or registry matches were asked for)." if only_flagged else "."
        w("<p>No findings to list" + asked + "</p>\n"
          "</section>\n")
        return
    n, page = len(listed), min(len(listed), PAGE_ROWS)
    present = Counter(f.verdict for f in listed)
    options = "".join(f'<option value="{v}">{v} ({present[v]:,})</option>' for v in VERDICTS)
    w('<div id="controls" hidden>\n<label>Filter <input type="search" id="filter" '
      'placeholder="vendor, entity, family or verdict" autocomplete="off"></label>\n'
      f'<label>Verdict <select id="verdict"><option value="all">all ({n:,})</option>{options}</select></label>\n'
      f'<span id="shown-count" aria-live="polite">{page:,} of {n:,} rows shown</span>\n'
      f'<button type="button" id="show-all"{"" if n > page else " hidden"}>Show all {n:,} (may be slow)</button>\n'
      "</div>\n")
    if n > page:
        w(f"<noscript><p>Only the first {page:,} of {n:,} rows are shown without scripts; the CSV and XLSX formats "
          "list every row.</p></noscript>\n")
    w(f'<table id="findings" data-page="{PAGE_ROWS}">\n<colgroup>')
    for c in [Column("row", "Row", "num"), *own, *tool, Column("evidence", "Evidence", "text")]:
        w(f'<col class="c-{_e(c.key)}">')
    w("</colgroup>\n<thead><tr>")
    for c in [Column("row", "Row", "num"), *own, *tool]:
        sort = ' aria-sort="ascending"' if c.key == "row" else ""
        w(f'<th scope="col" data-key="{_e(c.key)}" data-type="{c.kind}"{sort}><button type="button">{_e(c.label)}'
          "</button></th>")
    w('<th scope="col" data-col="evidence">Evidence</th></tr></thead>\n<tbody>\n')
    decimal_comma = run.summary.decimal_comma
    judged_cells = PerJudgement(lambda j: _judgement_cells(j, packet))  # once per judgement, for many rows
    names = [c.source for c in own if c.source is not None]

    def row_html(f: Finding) -> str:
        r = f.record
        cells = [f'<td class="num" data-v="{r.row}">{_e(row_label(f))}</td>']
        values = dict(zip(names, row_cells(f, names, show_individuals), strict=True))
        for c in own:
            if c.key == "vendor":
                cells.append(f'<td class="vendor">{_e(display_vendor(f, show_individuals))}</td>')
            elif c.key == "date" and c.source is None:
                cells.append(f'<td class="date">{_e(r.date.isoformat()) if r.date else ""}</td>')
            elif c.key == "department":
                cells.append(f"<td>{_e(r.department)}</td>")
            elif c.kind == "num":
                text = values.get(c.source, "") if c.source else (r.amount or "")
                value = parse_amount(text, decimal_comma) if text else None
                shown = _e(text) if value is None else f"{value:,.2f}"
                cells.append(f'<td class="num" data-v="{"" if value is None else repr(value)}">{shown}</td>')
            else:
                cells.append(f'<td class="{"date" if c.key == "date" else "cell"}">{_e(values.get(c.source, ""))}'
                             "</td>")
        search = _e(_search_text(f, show_individuals))
        return (f'<tr data-verdict="{_e(f.verdict)}" data-search="{search}">{"".join(cells)}'
                f"{judged_cells(f.judgement)}</tr>\n")

    def write_rows(items: list[Finding]) -> None:
        for i in range(0, len(items), CHUNK):
            w("".join(row_html(f) for f in items[i:i + CHUNK]))

    write_rows(listed[:page])
    w("</tbody>\n</table>\n")
    if n > page:  # the rest is parsed into an inert template (never laid out) until the script shows it
        w('<template id="more-rows">\n')
        write_rows(listed[page:])
        w("</template>\n")
    w("</section>\n")


def _totals(run: Run, w) -> None:
    """The file's own total rows reconciled, and the totals per file of a run over several."""
    stated, files = stated_lines(run.summary), file_rows(run.summary)
    if not stated and not files:
        return
    w('<section id="totals">\n<h2>Totals</h2>\n')
    if stated:
        w("<p>The file's own totals, checked against its rows:</p>\n<ul id=\"stated-totals\">\n")
        for t, line in zip(run.summary.stated_totals, stated, strict=True):
            w(f'<li class="{"differs" if t.difference else "agrees"}">{_e(line)}</li>\n')
        w("</ul>\n")
    if files:
        w('<table class="small" id="file-totals"><thead><tr>'
          + "".join(f'<th scope="col">{_e(h)}</th>' for h in FILE_HEADERS) + "</tr></thead>\n<tbody>\n")
        for row in files:
            w("<tr>" + f"<td>{_e(row[0])}</td>" + "".join(f'<td class="num">{_e(c)}</td>' for c in row[1:])
              + "</tr>\n")
        w("</tbody></table>\n")
    w("</section>\n")


def _rollup(run: Run, view: View, packet: EvidencePacket, w) -> None:
    """One line per vendor cell and verdict: rows, amount, dates, departments, and where its evidence is."""
    lines = shown_lines(run.summary, view)
    if not lines:
        return
    w(f'<section id="vendors">\n<h2>Vendors ({len(lines):,}): flagged or matched to the registry, one line each'
      '</h2>\n<table id="vendor-rollup">\n<thead><tr>'
      + "".join(f'<th scope="col"{" class=" + chr(34) + "num" + chr(34) if h in ("Rows", "Amount") else ""}>'
                f"{_e(h)}</th>" for h in ROLLUP_HEADERS) + '<th scope="col">Evidence</th></tr></thead>\n<tbody>\n')
    for v in lines:
        cells = rollup_row(v)
        refs = [packet.numbers[v.family]] if v.family in packet.numbers and packet.families[v.family] else []
        w(f'<tr data-verdict="{_e(v.verdict)}"><td>{_e(cells[0])}</td>'
          f'<td class="verdict v-{_e(v.verdict)}">{_e(cells[1])}</td><td>{_e(cells[2])}</td>'
          f'<td class="num">{_e(cells[3])}</td><td class="num">{_e(cells[4])}</td><td>{_e(cells[5])}</td>'
          f"<td>{_e(cells[6])}</td><td>{_refs_html(refs)}</td></tr>\n")
    w("</tbody></table>\n</section>\n")


def _evidence(packet: EvidencePacket, w) -> None:
    """The evidence once per registry family (rows link to it), then the clauses cited."""
    if not packet:
        return
    w('<section id="evidence">\n<h2>Evidence</h2>\n')
    for n, family, lines in packet.items():
        evidence = [x for x in lines if not x.startswith("source: ")]
        sources = [x.removeprefix("source: ") for x in lines if x.startswith("source: ")]
        w(f'<article id="evidence-{n}"><h3>E{n} · {_e(family)}</h3>\n')
        if evidence:
            w("<ul>" + "".join(f"<li>{_e(x)}</li>" for x in evidence) + "</ul>\n")
        if sources:
            w('<ul class="sources">' + "".join(f"<li>{_source_html(x)}</li>" for x in sources) + "</ul>\n")
        w("</article>\n")
    if packet.clauses:
        w('<h3>Clauses cited</h3>\n<ul id="clauses">'
          + "".join(f"<li>{_link(c, u)}</li>" for c, u in packet.clauses.items()) + "</ul>\n")
    w("</section>\n")


def _method(run: Run, prov: dict, w) -> None:
    items = [(k, v.replace("sheet 'Review'", "verdict possible_match in the table")) for k, v in METHOD
             if k != "How to read a row"]
    items.append(("How to read a row", HOW_TO_READ))
    w('<section id="method">\n<h2>Method and provenance</h2>\n<dl class="method">\n')
    for key, value in items:
        w(f"<dt>{_e(key)}</dt><dd>{_e(value)}</dd>\n")
    w("</dl>\n<table class=\"small\" id=\"provenance\"><tbody>\n")
    rows = [("Registry version", prov["registry_version"]), ("Registry sha256", prov["registry_sha256"])]
    titles = {rs.id: rs.title for rs in run.rulesets}
    rows += [(f"Rule set {r['id']}", f"{titles.get(r['id'], '')} ({r['status']}); sha256 {r['sha256']}; "
                                     f"text verified: {'yes' if r['text_verified'] else 'no'}") for r in prov["rules"]]
    rows += [("Matcher", f"{PROFILE}: match ≥ {MATCH_THRESHOLD * 100:.0f}, possible match ≥ "
                         f"{REVIEW_THRESHOLD * 100:.0f}"), ("As of", prov["as_of"])]
    for key in ("input", "decisions", "waivers"):
        if prov[key]:
            rows.append((key.capitalize(), f"{prov[key]['path']} (sha256 {prov[key]['sha256']})"))
    rows += [("Input file", f"{i['path']} (sha256 {i['sha256']})") for i in prov.get("inputs", ())]
    for key, value in rows:
        w(f'<tr><th scope="row">{_e(key)}</th><td>{_e(value)}</td></tr>\n')
    w(f'</tbody></table>\n<p id="provenance-line">{_e(provenance_line(run))}</p>\n</section>\n')


class HtmlFormat:
    """One self-contained HTML page."""

    name = "html"
    binary = False
    needs_file = False

    def write(self, run: Run, out: TextIO, view: View) -> None:
        """Write the report page."""
        render_html(run, out, view)


HTML = HtmlFormat()
