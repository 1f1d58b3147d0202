"""Audit the rows of a file as a stream: read in chunks, judged, counted; one process or two.

``RowAudit.rows`` is the hot path of a large audit. Rows whose vendor cell has a shared judgement with no
registry match are tallied without a record (in bulk by ``PlainChunks`` when only flagged rows are
listed); every other row is converted and judged. Imported only when a file is audited, so that
screening a name does not load the readers.
"""

from __future__ import annotations

import contextlib
import gc
import shutil
import tempfile
from collections.abc import Callable, Iterator

from checker import prematch, split_audit
from checker.errors import InputError
from checker.judge import Judge
from checker.matcher import Matcher, Outcome
from checker.models import Finding, Skipped, Summary
from checker.plain_chunk import PlainChunks, PlainTally
from checker.service import file_digest
from checker.sources.columns import ColumnMap
from checker.sources.csv_source import MAX_NAME, CsvRows, RowConverter, open_csv, open_csv_from
from checker.sources.records import CHUNK_ROWS, ReadOptions, is_csv, open_chunks, open_csv_mapped

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




class RowAudit:
    """Judges the rows of one file with a loaded matcher and judge."""

    def __init__(self, matcher: Matcher, judge: Judge) -> None:
        self.matcher = matcher
        self.judge = judge

    def audit(self, path: str, options: ReadOptions | None, max_rows: int | None, only_flagged: bool,
              progress: Callable[[int], None] | None) -> tuple[Iterator[Finding], Summary, str]:
        """The findings stream, its live summary and the file's SHA-256 (see ``Checker.audit``)."""
        options = options or ReadOptions()
        summary = Summary(decimal_comma=options.decimal_comma)
        csv_file = is_csv(path, options)
        if split_audit.wanted(str(path), only_flagged, max_rows, csv_file):
            columns, opened = open_csv_mapped(path, options)  # first: a missing or unreadable file is named
            sha256, nul_free = file_digest(path)
            cut = split_audit.cut(str(path), opened.encoding, opened.dialect.quotechar)
            if cut is not None:
                opened.fh.close()  # each process opens its own part
                return self._in_two(str(path), options, columns, opened, cut, summary, progress, nul_free), \
                    summary, sha256
            chunks = opened.chunks(CHUNK_ROWS)
        else:
            columns, chunks = open_chunks(path, options)
            sha256, nul_free = file_digest(path)
        nul_free = nul_free and csv_file  # JSON Lines can write a NUL as "\u0000"
        findings = self.rows(path, columns, _limited(chunks, max_rows, path), summary, only_flagged,
                             progress=progress, nul_free=nul_free)
        return findings, summary, sha256

    def _in_two(self, path: str, options: ReadOptions, columns: ColumnMap, opened: CsvRows, cut: tuple[int, int],
                summary: Summary, progress: Callable[[int], None] | None, nul_free: bool) -> Iterator[Finding]:
        """Flagged findings of a large file: the rows before ``cut`` judged here, the rest in a forked process.

        See ``checker.split_audit``: when the rows before the cut are not one per line, the forked process
        is dropped and this one reads on from where it stopped.
        """
        offset, lines = cut
        first = lines - 1  # data rows before the cut when each line is one row (the header is the first)
        folder = tempfile.mkdtemp(prefix="sanctuary-check-")  # removed at the end, whatever happens

        def tail() -> tuple[str, Summary]:
            tail_summary = Summary(decimal_comma=options.decimal_comma)
            part = open_csv_from(opened, offset, lines)
            found = self.rows(path, columns, part.chunks(CHUNK_ROWS), tail_summary, only_flagged=True,
                              first_row=first, match_ahead=False, nul_free=nul_free)
            return split_audit.spool(found, folder), tail_summary

        read = 0
        ended_in_a_cell = False

        def head() -> Iterator[list[list[str]]]:
            nonlocal read, ended_in_a_cell
            try:
                for chunk in open_csv(path, stop=offset).chunks(CHUNK_ROWS):
                    read += len(chunk)
                    yield chunk
            except InputError:  # the cut fell inside a quoted cell, or the file is malformed there
                ended_in_a_cell = True

        worker = split_audit.start_tail(tail)
        try:
            yield from self.rows(path, columns, head(), summary, only_flagged=True, match_ahead=False,
                                 progress=progress, nul_free=nul_free)
            if ended_in_a_cell or read != first:  # rows and lines disagree: read on here, from the start
                worker.close()
                _, again = open_chunks(path, options)
                yield from self.rows(path, columns, split_audit.skip_rows(again, read), summary, only_flagged=True,
                                     first_row=read, match_ahead=False, nul_free=nul_free)
                return
            spooled, tail_summary = worker.receive()
            summary.merge(tail_summary)
            yield from split_audit.unspool(spooled)
        finally:
            worker.close()
            shutil.rmtree(folder, ignore_errors=True)

    def rows(self, path: str, columns: ColumnMap, chunks: Iterator[list[list[str]]],
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

