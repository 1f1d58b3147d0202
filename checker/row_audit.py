"""Audit the rows of a file as a stream: read in chunks, judged, counted; one process or two.

``RowAudit.rows`` is the hot path of a large audit. Rows whose vendor cell has a shared judgement with no
registry match are tallied without a record (in bulk by ``PlainChunks`` when only flagged rows are
listed); every other row is converted and judged. Imported only when a file is audited, so that
screening a name does not load the readers.
"""

from __future__ import annotations

import contextlib
import gc
import mmap
import os
import shutil
import struct
import tempfile
import weakref
from collections.abc import Callable, Iterator
from typing import TextIO

from checker import prematch, split_audit
from checker.errors import InputError
from checker.judge import Judge
from checker.matcher import Matcher, Outcome
from checker.models import Finding, Skipped, Summary
from checker.plain_chunk import PlainChunks, PlainTally
from checker.service import file_digest
from checker.sources.columns import ColumnMap
from checker.sources.csv_source import MAX_NAME, CsvRows, RowConverter, open_csv_part
from checker.sources.records import CHUNK_ROWS, ReadOptions, is_csv, open_chunks, open_csv_mapped
from checker.worker import ForkedWorker

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


def _remember(plain: dict[str, PlainTally], found: dict[str, PlainTally]) -> None:
    """Keep vendor cells' tallies (the memo is emptied first when they would overfill it: it only saves time)."""
    if len(plain) + len(found) > PLAIN_LIMIT:
        plain.clear()
    plain.update(found)


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


class RowAudit:
    """Judges the rows of one file with a loaded matcher and judge."""

    def __init__(self, matcher: Matcher, judge: Judge) -> None:
        self.matcher = matcher
        self.judge = judge

    def audit(self, path: str, options: ReadOptions | None, max_rows: int | None, only_flagged: bool,
              progress: Callable[[int], None] | None, write_rows: Callable[[Iterator[Finding], TextIO], int] | None,
              spool_dir: str | None = None) -> tuple[Iterator[Finding], Summary, str, split_audit.SpooledRows | None]:
        """The findings stream, its live summary, the file's SHA-256 and the text of rows rendered by a second
        process (see ``Checker.audit``)."""
        options = options or ReadOptions()
        summary = Summary(decimal_comma=options.decimal_comma)
        csv_file = is_csv(path, options)
        rendered = write_rows is not None and not only_flagged
        if split_audit.wanted(str(path), only_flagged, max_rows, csv_file, rendered):
            columns, opened = open_csv_mapped(path, options)  # first: a missing or unreadable file is named
            sha256, nul_free = file_digest(path)
            cut = split_audit.cut(str(path), opened.encoding, opened.dialect.quotechar,
                                  split_audit.FIRST_SHARE_RENDERED if rendered else split_audit.FIRST_SHARE)
            if cut is not None:
                opened.fh.close()  # each process opens its own part
                two = _InTwo(self, str(path), options, columns, opened, cut, summary, progress, nul_free,
                             write_rows if rendered else None, spool_dir)
                return two.head(), summary, sha256, two.tail() if rendered else None
            chunks = opened.chunks(CHUNK_ROWS)
        else:
            columns, chunks = open_chunks(path, options)
            sha256, nul_free = file_digest(path)
        nul_free = nul_free and csv_file  # JSON Lines can write a NUL as "\u0000"
        findings = self.rows(path, columns, _limited(chunks, max_rows, path), summary, only_flagged,
                             progress=progress, nul_free=nul_free)
        return findings, summary, sha256, None

    def rows(self, path: str, columns: ColumnMap, chunks: Iterator[list[list[str]]], summary: Summary,
             only_flagged: bool, first_row: int = 0, match_ahead: bool = True,
             progress: Callable[[int], None] | None = None, nul_free: bool = False) -> Iterator[Finding]:
        """Judge rows as a stream.

        A row with no registry match that is not flagged, and whose description names no product, has a
        judgement that depends only on its vendor cell. Such rows share it and are tallied without making a
        record: this is the hot path of a large audit, written out inline. When only flagged rows are
        listed, whole chunks of them are tallied at once (``PlainChunks``). ``nul_free`` (the file has no NUL
        byte) spares the check for one in every row. A vendor cell not seen before whose name matches nothing
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
        bulk = PlainChunks(columns, convert, plain, no_product, decimal_comma, _learner(plain, unmatched, match)) \
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
                        if (not nul_free and "\x00" in "".join(cells)) or \
                                (action is not None and cells[action] not in known_actions):
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
                        tally = tallies.setdefault(id(j), PlainTally(j))
                        _remember(plain, {key: tally})  # key: the row is full-width
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
        makes).
        """
        tally = _unmatched_tally(cells[convert.columns.vendor], unmatched, match)
        if tally is not None:
            convert.valid(row, cells)
            _remember(plain, {key: tally})
        return tally


def _unmatched_tally(cell: str, unmatched: dict[Outcome, PlainTally],
                     match: Callable[[str], Outcome]) -> PlainTally | None:
    """The tally of the earlier names whose outcome a vendor cell's name shares, if it matches nothing.

    None for a cell the full path could skip or reject (no vendor name, one too long): it is left to it.
    """
    if not unmatched:
        return None
    name = cell.strip()
    if not name or len(name) > MAX_NAME:
        return None
    return unmatched.get(match(" ".join(name.split())))


def _learner(plain: dict[str, PlainTally], unmatched: dict[Outcome, PlainTally],
             match: Callable[[str], Outcome]) -> Callable[[list[str]], None]:
    """For ``PlainChunks``: adds to ``plain`` the tallies of a chunk's new vendor cells that match nothing,
    as some earlier name did (their rows' cells are then checked in bulk, as every plain row's are)."""
    def learn(cells: list[str]) -> None:
        _remember(plain, {cell: tally for cell in cells
                          if (tally := _unmatched_tally(cell, unmatched, match)) is not None})

    return learn


class _InTwo:
    """A large CSV file judged in two processes (see ``checker.split_audit``): rows before ``cut`` here, the
    rest in a forked process that spools its flagged findings, or (with ``write_rows``) writes every row
    as text for ``tail``. When the rows before the cut are not one per line, the forked process is dropped
    and this one reads on from where it stopped."""

    def __init__(self, audit: RowAudit, path: str, options: ReadOptions, columns: ColumnMap, opened: CsvRows,
                 cut: tuple[int, int], summary: Summary, progress: Callable[[int], None] | None, nul_free: bool,
                 write_rows: Callable[[Iterator[Finding], TextIO], int] | None, spool_dir: str | None) -> None:
        self.audit, self.path, self.options, self.columns = audit, path, options, columns
        self.offset, self.lines = cut
        self.first = self.lines - 1  # data rows before the cut when each line is one row (after the header)
        self.summary, self.progress, self.nul_free, self.write_rows = summary, progress, nul_free, write_rows
        self.only_flagged = write_rows is None
        self.opened = opened
        self.spool_dir = spool_dir
        self.folder: str | None = None  # the spool folder, made when the rows are first read
        self.worker: ForkedWorker | None = None
        self.spooled: str | None = None  # the second process's findings or text, once received
        self.tail_read = mmap.mmap(-1, 8)  # rows read by the second process, shared with it for progress

    def _second(self, opened: CsvRows) -> tuple[str, Summary]:
        """In the forked process: judge the rows from the cut; spool findings or write text."""
        assert self.folder is not None
        summary = Summary(decimal_comma=self.options.decimal_comma)
        part = open_csv_part(opened, self.offset, None, self.lines)
        found = self.audit.rows(self.path, self.columns, part.chunks(CHUNK_ROWS), summary,
                                only_flagged=self.only_flagged, first_row=self.first, match_ahead=False,
                                progress=lambda done: struct.pack_into("q", self.tail_read, 0, done - self.first),
                                nul_free=self.nul_free)
        if self.write_rows is None:
            return split_audit.spool(found, self.folder), summary
        text = os.path.join(self.folder, "rows.txt")
        with open(text, "w", encoding="utf-8", newline="") as fh:
            self.write_rows(found, fh)
        return text, summary

    def head(self) -> Iterator[Finding]:
        """The findings of the rows before the cut (then, when only flagged rows are listed, the others')."""
        self.folder = tempfile.mkdtemp(prefix="sanctuary-check-", dir=self.spool_dir)
        weakref.finalize(self, shutil.rmtree, self.folder, True)  # removed whatever happens, at the latest on exit
        read = 0
        ended_in_a_cell = False

        def chunks() -> Iterator[list[list[str]]]:
            nonlocal read, ended_in_a_cell
            try:
                for chunk in open_csv_part(self.opened, 0, self.offset, 0).chunks(CHUNK_ROWS):
                    read += len(chunk)
                    yield chunk
            except InputError:  # the cut fell inside a quoted cell, or the file is malformed there
                ended_in_a_cell = True

        def both(done: int) -> None:  # this process's rows and the second's
            assert self.progress is not None
            self.progress(done + struct.unpack_from("q", self.tail_read)[0])

        done = False
        try:
            self.worker = split_audit.start_tail(lambda: self._second(self.opened))
            yield from self.audit.rows(self.path, self.columns, chunks(), self.summary, self.only_flagged,
                                       match_ahead=False, progress=None if self.progress is None else both,
                                       nul_free=self.nul_free)
            if ended_in_a_cell or read != self.first:  # rows and lines disagree: read on here, from the start
                self.worker.close()
                struct.pack_into("q", self.tail_read, 0, 0)
                _, again = open_chunks(self.path, self.options)
                yield from self.audit.rows(self.path, self.columns, split_audit.skip_rows(again, read),
                                           self.summary, self.only_flagged, first_row=read, match_ahead=False,
                                           progress=self.progress, nul_free=self.nul_free)
            else:
                self.spooled, tail_summary = self.worker.receive(None if self.progress is None else lambda: both(read))
                if self.progress is not None:
                    both(read)  # every row now
                self.summary.merge(tail_summary)
                if self.only_flagged:
                    yield from split_audit.unspool(self.spooled)
            done = True
        finally:
            if not done or self.only_flagged:
                self.close()

    def tail(self) -> split_audit.SpooledRows:
        """The second process's rows as text (none when this process read on itself), for after ``head``."""
        return split_audit.SpooledRows(lambda: self.spooled, self.close)

    def close(self) -> None:
        """Stop the second process and remove the spool folder (again: harmless)."""
        if self.worker is not None:
            self.worker.close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
