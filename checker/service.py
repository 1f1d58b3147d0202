"""The pipeline, as a library: load knowledge once, then screen names or audit a file."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import shutil
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from checker import __version__, prematch, split_audit
from checker.decisions import load_decisions
from checker.errors import InputError
from checker.judge import Judge
from checker.matcher import MATCH_THRESHOLD, PROFILE, REVIEW_THRESHOLD, Matcher, Outcome
from checker.models import Finding, Record, Skipped, Summary
from checker.plain_chunk import PlainChunks, PlainTally
from checker.registry import Registry, load_registry
from checker.rulesets import RuleSet, select_rulesets
from checker.sources.columns import ColumnMap
from checker.sources.csv_source import MAX_NAME, RowConverter
from checker.sources.holdings_source import read_holdings
from checker.sources.records import ReadOptions, is_csv, open_chunks
from checker.sources.values import parse_amount
from checker.waivers import load_waivers


@dataclass
class Run:
    """One screening or audit run: its inputs, provenance and the findings stream with a live summary."""

    rulesets: list[RuleSet]
    default_rules: bool
    registry: Registry
    as_of: date
    findings: Iterator[Finding]
    summary: Summary = field(default_factory=Summary)
    input_path: str | None = None
    input_sha256: str | None = None
    decisions_path: str | None = None
    waivers_path: str | None = None
    shareable: bool = False

    def for_publication(self) -> Run:
        """The run as a coalition would publish it (``--shareable``).

        Individual payees are counted in the summary but not listed; the wording of internal match
        decisions (who decided, and why) is withheld; local paths are reduced to file names.
        """
        def stream() -> Iterator[Finding]:
            for f in self.findings:
                if f.person:
                    continue
                yield _without_decision(f) if f.decision else f

        return replace(self, findings=stream(), shareable=True)

    def _path(self, path: str) -> str:
        return Path(path).name if self.shareable else path

    def provenance(self) -> dict:
        """Versions and hashes of everything that decided the findings."""
        return {
            "registry_sha256": self.registry.sha256,
            "registry_version": self.registry.version,
            "rules": [{"id": rs.id, "sha256": rs.sha256, "status": rs.status, "text_verified": rs.text_verified}
                      for rs in self.rulesets],
            "input": None if self.input_path is None else
            {"path": self._path(self.input_path), "sha256": self.input_sha256},
            "matcher": {"profile": PROFILE, "match_threshold": MATCH_THRESHOLD, "review_threshold": REVIEW_THRESHOLD},
            "as_of": self.as_of.isoformat(),
            "decisions": None if self.decisions_path is None else
            {"path": self._path(self.decisions_path), "sha256": file_sha256(self.decisions_path)},
            "waivers": None if self.waivers_path is None else
            {"path": self._path(self.waivers_path), "sha256": file_sha256(self.waivers_path)},
        }

    @property
    def tool(self) -> dict:
        """Tool name and version."""
        return {"name": "sanctuary-check", "version": __version__}


class Checker:
    """Loads the registry and rule sets once; screens names and audits files with them."""

    def __init__(self, rules: list[str] | None = None, *, as_of: date | None = None,
                 registry_dir: str | None = None, rules_dir: str | None = None,
                 decisions: str | None = None, waivers: str | None = None) -> None:
        self.registry = load_registry(registry_dir)
        self.rulesets, self.default_rules = select_rulesets(rules, rules_dir)
        self.decisions_path = decisions
        self.matcher = Matcher(self.registry, load_decisions(decisions, self.registry) if decisions else None)
        self.as_of = as_of or date.today()
        self.waivers_path = waivers
        self.judge = Judge(self.registry, self.matcher, self.rulesets, self.as_of,
                           load_waivers(waivers, self.registry) if waivers else None)

    def _run(self, findings: Iterator[Finding], summary: Summary, **kw) -> Run:
        return Run(self.rulesets, self.default_rules, self.registry, self.as_of, findings, summary,
                   decisions_path=self.decisions_path, waivers_path=self.waivers_path, **kw)

    def screen(self, names: list[str]) -> Run:
        """Judge each name as a proposed new contract on the as-of date."""
        summary = Summary()

        def stream() -> Iterator[Finding]:
            for i, name in enumerate(names, start=1):
                finding = self.judge.judge(Record(row=i, vendor=" ".join(name.split()), action="new",
                                                  date=self.as_of), screening=True)
                summary.add(finding)
                yield finding

        return self._run(stream(), summary)

    def holdings(self, path: str) -> Run:
        """Judge every security of a holdings report under the rule sets' investment provisions."""
        return self._judge_file(path, read_holdings(path), self.judge.judge_holding, _holdings_totals)

    def audit(self, path: str, *, options: ReadOptions | None = None, max_rows: int | None = None,
              only_flagged: bool = False, progress: Callable[[int], None] | None = None) -> Run:
        """Judge every data row of a CSV, .xlsx or JSON Lines file; blank and total rows are counted as skipped.

        With ``only_flagged`` the findings stream holds only flagged rows; every row is still counted.
        ``progress`` is told the number of rows read so far, after every chunk of rows.
        """
        options = options or ReadOptions()
        columns, chunks = open_chunks(path, options)
        summary = Summary(decimal_comma=options.decimal_comma)
        sha256, nul_free = file_digest(path)
        csv_file = is_csv(path, options)
        nul_free = nul_free and csv_file  # JSON Lines can write a NUL as "\u0000"
        if split_audit.wanted(str(path), only_flagged, max_rows, csv_file):
            findings = self._audit_in_two(str(path), options, columns, chunks, summary, progress, nul_free)
        else:
            findings = self._audit_rows(path, columns, _limited(chunks, max_rows, path), summary, only_flagged,
                                        progress=progress, nul_free=nul_free)
        return self._run(findings, summary, input_path=str(path), input_sha256=sha256)

    def _audit_in_two(self, path: str, options: ReadOptions, columns: ColumnMap,
                      chunks: Iterator[list[list[str]]], summary: Summary,
                      progress: Callable[[int], None] | None, nul_free: bool) -> Iterator[Finding]:
        """Flagged findings of a large file, its first rows judged here and the rest in a forked process."""
        first = split_audit.first_rows(path)
        folder = tempfile.mkdtemp(prefix="sanctuary-check-")  # removed at the end, whatever happens

        def tail() -> tuple[str, Summary]:
            _, rest = open_chunks(path, options)
            tail_summary = Summary(decimal_comma=options.decimal_comma)
            found = self._audit_rows(path, columns, split_audit.skip_rows(rest, first), tail_summary,
                                     only_flagged=True, first_row=first, match_ahead=False, nul_free=nul_free)
            return split_audit.spool(found, folder), tail_summary

        worker = split_audit.start_tail(tail)
        try:
            yield from self._audit_rows(path, columns, split_audit.take_rows(chunks, first), summary,
                                        only_flagged=True, match_ahead=False, progress=progress, nul_free=nul_free)
            spooled, tail_summary = worker.receive()
            summary.merge(tail_summary)
            yield from split_audit.unspool(spooled)
        finally:
            worker.close()
            shutil.rmtree(folder, ignore_errors=True)

    def _audit_rows(self, path: str, columns: ColumnMap, chunks: Iterator[list[list[str]]],
                    summary: Summary, only_flagged: bool, first_row: int = 0, match_ahead: bool = True,
                    progress: Callable[[int], None] | None = None, nul_free: bool = False) -> Iterator[Finding]:
        """Judge rows as a stream.

        A row with no registry match that is not flagged, and whose description names no product, has a
        judgement that depends only on its vendor cell. Such rows share it and are tallied without making a
        record: this is the hot path of a large audit, written out inline. When only flagged rows are
        listed, whole chunks of them are tallied at once (``PlainChunks``), and ``nul_free`` (the file has
        no NUL byte) spares the check for one. A vendor cell not seen before whose name matches nothing
        joins the tallies once its cells are checked. Every other row takes the full path.
        """
        convert = RowConverter(path, columns)
        judgement = self.judge.judgement
        no_product = self.judge.names_no_product
        product_free = self.judge.product_free.get  # description cell -> bool, once scanned
        match = self.matcher.match
        plain: dict[str, PlainTally] = {}  # by vendor cell: its judgement when the description names no product
        tallies: dict[int, PlainTally] = {}  # by id() of the shared judgement, which each tally keeps alive
        unmatched: dict[Outcome, PlainTally] = {}  # by the matcher's outcome, for names that match nothing
        vendor, description, amount, action = columns.vendor, columns.description, columns.amount, columns.action
        width = len(columns.header)
        date_columns, known_dates, known_actions = convert.date_columns, convert.dates, convert.actions
        id_columns = [i for _, i in columns.identifier_columns]
        decimal_comma = summary.decimal_comma
        bulk = PlainChunks(columns, convert, plain, no_product, decimal_comma) \
            if only_flagged and nul_free and not id_columns else None
        if match_ahead and prematch.wanted(path):
            chunks = prematch.prematched(chunks, vendor, self.matcher, lambda cell: cell not in plain)
        done = first_row
        with _fewer_collections():
            for chunk in chunks:
                left = None if bulk is None else bulk.tally(chunk)
                for row, cells in (enumerate(chunk, done + 1) if left is None else
                                   ((done + 1 + i, chunk[i]) for i in left)):
                    if len(cells) != width:
                        key = tally = None
                    else:  # a payee identifier can decide the match, so it is part of the key
                        key = "\x1f".join([cells[vendor], *[cells[i] for i in id_columns]]) if id_columns \
                            else cells[vendor]
                        tally = plain.get(key)
                        if tally is None and not id_columns:
                            tally = self._new_plain(row, cells, key, plain, unmatched, convert, match)
                    if tally is not None and (description is None or product_free(cells[description])
                                              or no_product(cells[description])):
                        if "\x00" in "".join(cells) or (action is not None and cells[action] not in known_actions):
                            convert.valid(row, cells)
                        for i in date_columns:
                            if cells[i] not in known_dates:
                                convert.valid(row, cells)
                        tally.rows += 1
                        if amount is not None and cells[amount]:
                            tally.add_amount(cells[amount], decimal_comma)
                        if not only_flagged:
                            yield Finding.deferred(row, cells, convert, tally.judgement)
                        continue
                    item = convert(row, cells)
                    if isinstance(item, Skipped):
                        summary.skip(item)
                        continue
                    j = judgement(item)
                    if j.match is None and not j.flagged and item.ragged is None and no_product(item.description):
                        if len(plain) >= PLAIN_LIMIT:
                            plain.clear()
                        plain[key] = tally = tallies.setdefault(id(j), PlainTally(j))  # key: row is full-width
                        if not item.identifiers:
                            unmatched[match(item.vendor)] = tally
                        convert.valid(row, cells)  # so that its date and action cells are known
                    finding = Finding(item, j)
                    summary.add(finding)
                    if j.flagged or not only_flagged:
                        yield finding
                done += len(chunk)
                if progress is not None:
                    progress(done)
        for tally in tallies.values():
            tally.fold_into(summary)

    @staticmethod
    def _new_plain(row: int, cells: list[str], key: str, plain: dict[str, PlainTally],
                   unmatched: dict[Outcome, PlainTally], convert: RowConverter,
                   match: Callable[[str], Outcome]) -> PlainTally | None:
        """The tally for a vendor cell not seen before whose name matches nothing, as some earlier name did.

        Its row joins the tally without a record once its cells are checked (the same checks reading it
        makes); a row the full path could skip or reject (no vendor name, one too long) is left to it.
        """
        if not unmatched:
            return None
        name = cells[convert.columns.vendor].strip()
        if not name or len(name) > MAX_NAME:
            return None
        tally = unmatched.get(match(" ".join(name.split())))
        if tally is not None:
            convert.valid(row, cells)
            if len(plain) >= PLAIN_LIMIT:
                plain.clear()
            plain[key] = tally
        return tally

    def _judge_file(self, path: str, items: Iterator[Record | Skipped], judge: Callable[[Record], Finding],
                    tally: Callable[[Summary, Finding], None] | None = None) -> Run:
        """Stream judged findings, counting every row as a finding or a skipped row."""
        summary = Summary()

        def stream() -> Iterator[Finding]:
            for item in items:
                if isinstance(item, Skipped):
                    summary.skip(item)
                    continue
                finding = judge(item)
                summary.add(finding)
                if tally is not None:
                    tally(summary, finding)
                yield finding

        return self._run(stream(), summary, input_path=str(path), input_sha256=file_sha256(path))


WITHHELD_DECISION = "a recorded match decision (its wording is withheld in shareable output)"


def _without_decision(f: Finding) -> Finding:
    """A finding with the wording of its match decision replaced by a neutral phrase."""
    def scrub(text: str | None) -> str | None:
        return text.replace(f.decision, WITHHELD_DECISION) if text and f.decision else text

    match = replace(f.match, explanation=scrub(f.match.explanation)) if f.match is not None else None
    rules = tuple(replace(r, reason=scrub(r.reason)) for r in f.rules)
    return Finding(f.record, replace(f.judgement, decision=WITHHELD_DECISION, note=scrub(f.note), match=match,
                                     rules=rules))


PLAIN_LIMIT = 32_768
"""Vendor and description cells whose shared judgement is remembered while auditing (it only saves time)."""


def _limited(chunks: Iterator[list[list[str]]], max_rows: int | None, path: str) -> Iterator[list[list[str]]]:
    """Stop with a clear error past ``max_rows`` data rows (before any partial output is kept)."""
    if max_rows is None:
        return chunks
    return _at_most(chunks, max_rows, path)


def _at_most(chunks: Iterator[list[list[str]]], max_rows: int, path: str) -> Iterator[list[list[str]]]:
    count = 0
    for chunk in chunks:
        count += len(chunk)
        if count > max_rows:
            raise InputError(path, f"row {max_rows + 1}: the file has more than --max-rows {max_rows:,} data rows")
        yield chunk


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collect garbage less often while a file streams past: its rows are short-lived and form no cycles,
    and the loaded knowledge (frozen out of collection) need not be traversed again and again."""
    gc.freeze()
    before = gc.get_threshold()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def _holdings_totals(summary: Summary, finding: Finding) -> None:
    value = parse_amount(finding.record.security.market_value) if finding.record.security else None
    if value is None:
        return
    summary.value_total += value
    if finding.flagged:
        summary.value_flagged += value
        summary.value_by_family[finding.family_name or "(possible matches)"] += value


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, read in chunks."""
    return file_digest(path)[0]


def file_digest(path: str | Path) -> tuple[str, bool]:
    """SHA-256 of a file, and whether it is free of NUL bytes (then no cell read from it holds one)."""
    h = hashlib.sha256()
    nul_free = True
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            nul_free = nul_free and b"\x00" not in chunk
    return h.hexdigest(), nul_free
