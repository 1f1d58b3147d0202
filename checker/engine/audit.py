"""The audit engine: a file's rows judged as a stream, each distinct set of facts once.

This is the only part of the tool that knows about speed. The domain gives it three pure functions: a
row's ``Facts`` (``FactFinder``), a judgement of facts (``Judge``), and which facts a judgement reads
(``judge.facts``). The engine remembers their answers (``Memo``) and counts rows in bulk where the facts
say it may:

* a vendor cell is matched once, a description scanned for products once, a date or action cell read once;
* facts are judged once, and facts that differ only in their day once for each stretch of days that gets one
  judgement (``days``); a row whose judgement reads nothing of the row but its vendor (``vendor_only``)
  takes the judgement of its vendor cell without its facts being worked out again;
* the rows of a chunk whose vendor cell has such a judgement, not flagged, whose date and action cells read
  (each new one is read in bulk) and whose description names no product, are counted in bulk (``tally``);
  when only flagged rows are listed they are not even read into a record. Every other row is converted,
  judged and counted one by one, in order, so errors name the same row;
* equal judgements of different facts are one object, so that a format renders each once.
"""

from __future__ import annotations

import contextlib
import gc
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import replace
from itertools import compress, repeat
from operator import is_, itemgetter
from typing import Any

from checker.engine.days import ByStretch
from checker.engine.memo import Memo
from checker.engine.reconcile import Reconciler
from checker.engine.tally import Tally
from checker.errors import InputError
from checker.judge.facts import FactFinder, Facts, VendorFacts, facts, vendor_only
from checker.judge.judge import Judge
from checker.model import ACTIONS, Finding, Judgement, Record, Skipped, Summary
from checker.sources.columns import ColumnMap, cell_names
from checker.sources.rows import MAX_NAME, RowConverter, read_action, read_date, text, total_words
from checker.sources.values import parse_amount

CHUNK_ROWS = 8_192
"""Rows read at a time."""
MEMO_NAMES = 32_768
"""Vendor names, vendor cells and descriptions whose answers are remembered."""
MEMO_JUDGEMENTS = 4_096
"""Judgements remembered by their facts (each holds every rule set's reasons: a few kilobytes)."""


class RowAudit:
    """Judges the rows of one file; ``findings`` streams them while ``summary`` counts every row."""

    def __init__(self, finder: FactFinder, judge: Judge, path: str, columns: ColumnMap, summary: Summary, *,
                 only_flagged: bool = False, only_matched: bool = False, nul_seen: Callable[[], bool] = lambda: True,
                 read_action: Callable[[str], str | None] = read_action, source: str | None = None,
                 text_cells: bool = False) -> None:
        """``nul_seen()``: whether the rows read so far may hold a NUL character (when not, no cell is checked).
        ``text_cells``: every cell is a ``str`` (``Source.text_cells``), listed as it is.
        ``only_flagged`` lists flagged rows only; ``only_matched`` lists those and every registry match.
        ``source``: the file's name, given to every row when a run reads several files."""
        self.finder = finder
        self.judge = judge
        self.columns = columns
        self.summary = summary
        self.only_flagged = only_flagged or only_matched
        self.listed = (lambda j: j.flagged or j.matched) if only_matched else (lambda j: j.flagged)
        self.nul_seen = nul_seen
        self.dates = Memo(read_date, 100_000)
        self.actions = Memo(read_action, 100_000)
        self.action_cells: Counter[str] = Counter()  # every action cell's count, read as actions at the end
        self.convert = RowConverter(path, columns, read_date=self.dates, read_action=self.actions)
        self.vendor_facts = Memo(self._vendor_facts, MEMO_NAMES)
        self.no_product = Memo(finder.names_no_product, MEMO_NAMES)
        self.judgements = Memo(ByStretch(self._judged, MEMO_JUDGEMENTS), MEMO_JUDGEMENTS)  # by facts; facts equal
        # but for the day, once per stretch of days with one answer (``days``)
        self.same: dict[Judgement, Judgement] = {}  # each judgement made, by value: equal ones are one object
        self.by_cell = Memo(self._of_cell, MEMO_NAMES)  # vendor cell -> its facts, and its judgement when that
        # reads nothing else of the row
        self.tally = Tally(summary)
        self.bulk = not columns.identifier_columns
        self.source = source
        self.names = cell_names(columns.header)  # the keys of a listed row's ``Record.cells``
        self.text_cells = text_cells
        self.reconcile = Reconciler(summary, columns.amount, source)
        self.bulk_total = 0.0  # the amounts of the chunk's rows counted in bulk
        self.ahead: dict[str, VendorFacts] = {}  # vendor cells matched by a worker process, not yet asked for

    # -- per row --------------------------------------------------------------------------------
    def _vendor_facts(self, key: tuple[str, tuple[tuple[str, str], ...]]) -> VendorFacts:
        return self.finder.vendor(*key)

    def _judged(self, facts: Facts) -> Judgement:
        """The judgement of facts; one object for equal judgements of different facts (rows on different days
        of one covered vendor), so that a format renders it once (``formats.rendered``)."""
        judgement = self.judge.judge(facts)
        if len(self.same) >= MEMO_JUDGEMENTS:
            self.same.clear()
        return self.same.setdefault(judgement, judgement)

    def _of_cell(self, cell: str) -> tuple[VendorFacts, Judgement | None]:
        vendor = self.ahead.pop(cell, None) or self.finder.vendor(" ".join(cell.split()))
        facts = vendor_only(vendor)
        return vendor, None if facts is None else self.judgements(facts)

    def judgement(self, cells: list[Any], record: Record) -> Judgement:
        """A record's judgement (its cells: to find what is remembered by its vendor cell)."""
        if record.identifiers:
            vendor = self.vendor_facts((record.vendor, record.identifiers))
        else:
            vendor, shared = self.by_cell(cells[self.columns.vendor])
            if shared is not None and (record.description is None or self.no_product(record.description)):
                return shared
        product = None if record.description is None or self.no_product(record.description) \
            else self.finder.product(record.description, vendor)
        return self.judgements(facts(record, vendor, product, waivers=self.finder.waivers))

    def row(self, row: int, cells: list[Any]) -> Finding | None:
        """Convert, judge and count one row (None for a skipped row)."""
        item = self.convert(row, cells)
        if isinstance(item, Skipped):
            if self.source is not None:
                item = replace(item, source=self.source)
            self.summary.skip(item)
            if item.total is not None:
                self.reconcile.total(item)
            return None
        finding = Finding(item, self.judgement(cells, item))
        amount = None if item.amount is None else parse_amount(item.amount, self.summary.decimal_comma)
        self.reconcile.data(amount)
        self.summary.add(finding, amount)
        if item.amount is not None:
            self.summary.dollars.add(finding, amount)
        return finding

    # -- a stream of chunks ---------------------------------------------------------------------
    def findings(self, chunks: Iterator[list[list[Any]]], progress: Callable[[int], None] | None = None,
                 match_ahead: bool = False, first_row: int = 0) -> Iterator[Finding]:
        """Judge every row; yield the findings to list (flagged ones only, with ``only_flagged``).

        Rows are numbered from ``first_row + 1``. With ``match_ahead``, a worker process matches each chunk's
        new vendor cells while the chunk before is judged (``prematch``).
        """
        done = first_row
        only_flagged, listed = self.only_flagged, self.listed
        convert, row, judgements, told = self.convert, self.row, self.tally.judgements, self._told
        reconcile = self.reconcile
        with _fewer_collections():
            for chunk, matched in self._matched(chunks, match_ahead):
                self.ahead.update(matched)
                self._count_actions(chunk)
                self.convert.text_without_nul = clean = not self.nul_seen()
                self.bulk_total = 0.0
                groups = self._bulk(chunk, clean) if self.bulk else None
                reconcile.chunk(chunk, groups, done, self.bulk_total)
                if groups is None:
                    rows: Iterator[tuple[int, int | None]] = zip(range(len(chunk)), repeat(None))
                elif only_flagged:  # rows counted in bulk are not flagged: only the others are read
                    rows = zip(compress(range(len(chunk)), map(is_, groups, repeat(None))), repeat(None))
                else:
                    rows = enumerate(groups)
                for i, group in rows:
                    if group is None:
                        finding = row(done + 1 + i, chunk[i])
                        if finding is not None and (not only_flagged or listed(finding.judgement)):
                            yield told(finding, chunk[i])
                    else:  # counted in bulk; listed with its group's judgement
                        yield told(Finding(convert(done + 1 + i, chunk[i]), judgements[group]),  # type: ignore[arg-type]
                                   chunk[i])
                reconcile.end()
                done += len(chunk)
                if progress is not None:
                    progress(done)
        self.tally.close()
        self._unrecognised_actions()

    def _told(self, finding: Finding, cells: list[Any]) -> Finding:
        """A listed finding with its row's own cells (and its file's name, in a run over several files)."""
        record = finding.record
        values = cells if self.text_cells else map(text, cells)
        record.cells = dict(zip(self.names, values, strict=False))  # a ragged row: the cells it has
        record.source = self.source
        return finding

    def _count_actions(self, chunk: list[list[Any]]) -> None:
        """Count a chunk's contract-action cells (read as actions once, at the end: a file has a few values)."""
        a = self.columns.action
        if a is None:
            return
        try:
            self.action_cells.update(map(itemgetter(a), chunk))
        except IndexError:  # a short row
            self.action_cells.update(cells[a] for cells in chunk if a < len(cells))

    def _unrecognised_actions(self) -> None:
        """Add the action values no rule set knows to the summary, with their row counts."""
        for cell, count in self.action_cells.items():
            action = self.actions(cell)
            if action is not None and action not in ACTIONS:
                self.summary.unrecognised_actions[action] += count
        self.action_cells.clear()

    def _matched(self, chunks: Iterator[list[list[Any]]], match_ahead: bool
                 ) -> Iterator[tuple[list[list[Any]], dict[str, VendorFacts]]]:
        """The chunks, each with its new vendor cells' facts when a worker matched them ahead."""
        if not match_ahead or self.columns.identifier_columns:
            return ((chunk, {}) for chunk in chunks)
        from checker.engine import prematch

        return prematch.ahead(chunks, self._new_vendor_cells, self._vendors_of_cells)

    def _new_vendor_cells(self, chunk: list[list[Any]]) -> list[str]:
        v = self.columns.vendor
        try:
            cells = set(map(itemgetter(v), chunk))
        except IndexError:  # a short row
            cells = {cells[v] for cells in chunk if v < len(cells)}
        newer, older, ahead = self.by_cell.newer, self.by_cell.older, self.ahead
        return [cell for cell in cells if cell not in newer and cell not in older and cell not in ahead
                and cell.strip()]

    def _vendors_of_cells(self, cells: list[str]) -> list[VendorFacts]:
        """In the worker process: the vendor facts of vendor cells."""
        return [self.finder.vendor(" ".join(cell.split())) for cell in cells]

    def _bulk(self, chunk: list[list[Any]], clean: bool) -> list[int | None] | None:
        """Count the chunk's rows whose judgement is their vendor cell's (see the module's docstring): each row's
        tally group, None for a row to be read one by one (None: every row)."""
        c = self.columns
        width = len(c.header)
        n = len(chunk)
        if not n or max(map(len, chunk)) != width or sum(map(len, chunk)) != width * n:
            return None  # a ragged row: the rows are read one by one, which reports it
        if not clean and "\x00" in "".join(map("".join, chunk)):
            return None
        vendors = list(map(itemgetter(c.vendor), chunk))
        tally = self.tally
        distinct = set(vendors)
        tally.make_room(len(distinct))
        for cell in [cell for cell in distinct if cell not in tally.groups and cell not in tally.not_grouped]:
            self._learn(cell)
        groups = list(map(tally.groups.get, vendors))
        if groups.count(None) == n:
            return None
        checks = [(i, self.dates) for i in self.convert.date_columns]
        if c.action is not None:
            checks.append((c.action, self.actions))
        for column, memo in checks:
            cells = list(map(itemgetter(column), chunk))
            unread = {cell for cell in set(cells) if not memo.knows(cell) and not _reads(memo, cell)}
            if unread:
                _leave(groups, map(unread.__contains__, cells))
        if c.description is not None:
            cells = list(map(itemgetter(c.description), chunk))
            named = {text for text in set(cells) if text.strip() and not self.no_product(text.strip())}
            if named:
                _leave(groups, map(named.__contains__, cells))
        self.bulk_total = self.tally.add(groups, None if c.amount is None else list(map(itemgetter(c.amount), chunk)),
                                         self.summary.decimal_comma)
        return groups

    def _learn(self, cell: str) -> None:
        """Put a vendor cell not seen before in its tally group: rows whose judgement is its vendor's, when that
        is not flagged; the others are read one by one."""
        name = cell.strip()
        shared = None
        if name and len(name) <= MAX_NAME and total_words(name) is None:  # others are skipped (a total row) or
            # refused by reading the row
            shared = self.by_cell(cell)[1]
        self.tally.group(cell, None if shared is None or shared.flagged else shared)


def _reads(memo: Memo[str, Any], cell: str) -> bool:
    """Whether a date or action cell reads (and is remembered); one that does not is left to its row to report."""
    try:
        memo(cell)
    except ValueError:
        return False
    return True


def _leave(groups: list[int | None], marks: Iterator[bool]) -> None:
    """Leave the rows marked true to be read one by one."""
    for i in compress(range(len(groups)), marks):
        groups[i] = None


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


def limited(chunks: Iterator[list[list[Any]]], max_rows: int | None, path: str) -> Iterator[list[list[Any]]]:
    """The chunks, stopping with a clear error past ``max_rows`` data rows (before any partial output is kept)."""
    if max_rows is None:
        yield from chunks
        return
    count = 0
    for chunk in chunks:
        count += len(chunk)
        if count > max_rows:
            raise InputError(path, f"row {max_rows + 1}: the file has more than --max-rows {max_rows:,} data rows")
        yield chunk


