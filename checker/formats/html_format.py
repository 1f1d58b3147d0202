"""A self-contained HTML audit report: summary, dollar totals, a sortable and filterable findings table, method.

The page loads nothing: styles and script are inline and a Content-Security-Policy forbids every fetch. Every
value from the input or the knowledge files is escaped with ``html.escape``; links go only to http(s) URLs.
"""

from __future__ import annotations

import html
import re
from collections import Counter
from typing import TextIO

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
from checker.formats.method import METHOD
from checker.formats.rendered import PerJudgement
from checker.match.score import MATCH_THRESHOLD, PROFILE, REVIEW_THRESHOLD
from checker.model import VERDICTS, Finding, Judgement
from checker.sources.values import parse_amount

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
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem;color:#1a1a1a;background:#fff}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:1.75rem 0 .5rem;border-bottom:1px solid #ccc}
.subtitle{color:#555;margin:0 0 1rem}.disclaimer{font-weight:600}
.notice{border:2px solid #b45309;background:#fffbeb;padding:.6rem .9rem;font-weight:600;margin:1rem 0}
table{border-collapse:collapse}th,td{border:1px solid #ddd;padding:.3rem .45rem;text-align:left;vertical-align:top}
thead th{background:#f3f4f6;position:sticky;top:0;z-index:1;white-space:nowrap}
.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.small{display:inline-table;margin:0 1.5rem 1rem 0}.small caption{text-align:left;font-weight:600;padding:.2rem 0}
#findings{width:100%;font-size:13px}#findings td.reason{min-width:18rem}#findings td.evidence{min-width:22rem}
#findings td.date{white-space:nowrap}#findings td.clause{min-width:9rem}#findings td.clause div+div{margin-top:.3rem}
#findings ul{margin:0;padding-left:1.1rem}#findings ul.sources{color:#444;font-size:12px}
th button{all:unset;cursor:pointer;display:block;width:100%}th button:focus-visible{outline:2px solid #2563eb}
th[data-key] button::after{content:" \\2195";color:#999}
th[aria-sort=ascending] button::after{content:" \\25B2";color:#111}
th[aria-sort=descending] button::after{content:" \\25BC";color:#111}
.verdict{font-weight:600;white-space:nowrap}.v-prohibited{color:#b91c1c}.v-potential_violation{color:#c2410c}
.v-possible_match{color:#a16207}.v-clear{color:#15803d}.muted{color:#666}
#controls{display:flex;gap:1rem;align-items:center;flex-wrap:wrap;margin:.5rem 0}
#filter{min-width:18rem;padding:.25rem .4rem}
dl.method dt{font-weight:600;margin-top:.5rem}dl.method dd{margin-left:1rem}
@media print{#controls{display:none}thead th{position:static}th[data-key] button::after{content:""}}
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
    if (texts === null) { texts = new Map(rows.map(function (r) { return [r, r.textContent.toLowerCase()]; })); }
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


def _evidence_cell(f: Judgement) -> str:
    evidence = list(dict.fromkeys(e for r in f.rules for e in r.evidence))
    sources = list(dict.fromkeys(s for r in f.rules for s in r.sources))
    parts = []
    if evidence:
        parts.append("<ul>" + "".join(f"<li>{_e(e)}</li>" for e in evidence) + "</ul>")
    if sources:
        parts.append('<ul class="sources">' + "".join(f"<li>{_source_html(s)}</li>" for s in sources) + "</ul>")
    return f'<td class="evidence">{"".join(parts)}</td>'


def _judgement_cells(f: Judgement) -> str:
    """The cells that depend only on the judgement (shared by many rows): verdict to evidence."""
    v = f.verdict
    return (f'<td class="verdict v-{_e(v)}">{_e(verdict_words(f))}</td>' + _match_cells(f) + _reason_cell(f)
            + _clause_cell(f) + _evidence_cell(f))


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
    only_flagged, show_individuals = view.filtered, view.show_individuals
    prov = run.provenance()
    name = prov["input"]["path"] if prov["input"] else "input"
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
    _verdicts(run, listed, only_flagged, omitted, w)
    _dollars(run, w)
    _table(run, listed, show_individuals, only_flagged, w)
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


def _table(run: Run, listed: list[Finding], show_individuals: bool, only_flagged: bool, w) -> None:
    has_date = any(f.record.date is not None for f in listed)
    has_dept = any(f.record.department is not None for f in listed)
    has_amount = any(f.record.amount is not None for f in listed)
    columns = [("row", "Row", "num"), *([("date", "Date", "text")] if has_date else []),
               ("vendor", "Vendor", "text"), *([("department", "Department", "text")] if has_dept else []),
               *([("amount", "Amount", "num")] if has_amount else []), ("verdict", "Verdict", "text"),
               ("match", "Match", "text"), ("score", "Score", "num"), ("reason", "Reason", "text"),
               ("clause", "Clause", "text")]
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
      'placeholder="any text: vendor, department, clause…" autocomplete="off"></label>\n'
      f'<label>Verdict <select id="verdict"><option value="all">all ({n:,})</option>{options}</select></label>\n'
      f'<span id="shown-count" aria-live="polite">{page:,} of {n:,} rows shown</span>\n'
      f'<button type="button" id="show-all"{"" if n > page else " hidden"}>Show all {n:,} (may be slow)</button>\n'
      "</div>\n")
    if n > page:
        w(f"<noscript><p>Only the first {page:,} of {n:,} rows are shown without scripts; the CSV and XLSX formats "
          "list every row.</p></noscript>\n")
    w(f'<table id="findings" data-page="{PAGE_ROWS}">\n<thead><tr>')
    for key, label, kind in columns:
        sort = ' aria-sort="ascending"' if key == "row" else ""
        w(f'<th scope="col" data-key="{key}" data-type="{kind}"{sort}><button type="button">{label}</button></th>')
    w('<th scope="col" data-col="evidence">Evidence and sources</th></tr></thead>\n<tbody>\n')
    decimal_comma = run.summary.decimal_comma
    judged_cells = PerJudgement(_judgement_cells)  # once per judgement, for many rows

    def row_html(f: Finding) -> str:
        r = f.record
        cells = [f'<td class="num" data-v="{r.row}">{r.row}</td>']
        if has_date:
            cells.append(f'<td class="date">{_e(r.date.isoformat()) if r.date else ""}</td>')
        cells.append(f'<td class="vendor">{_e(display_vendor(f, show_individuals))}</td>')
        if has_dept:
            cells.append(f"<td>{_e(r.department)}</td>")
        if has_amount:
            value = parse_amount(r.amount, decimal_comma) if r.amount is not None else None
            text = _e(r.amount) if value is None else f"{value:,.2f}"
            cells.append(f'<td class="num" data-v="{"" if value is None else repr(value)}">{text}</td>')
        return f'<tr data-verdict="{_e(f.verdict)}">{"".join(cells)}{judged_cells(f.judgement)}</tr>\n'

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
