"""Read an Excel workbook sheet as the same rows a CSV would give, with every part of the workbook measured.

An .xlsx file is a zip archive of XML parts. Nothing in it is trusted before it is measured:

* the archive's directory is bounded before zipfile reads it (``MAX_ZIP_DIRECTORY``);
* every part is decompressed through ``_Part``, which counts the bytes as they come out (``MAX_WORKBOOK_BYTES``
  for the whole workbook, ``MAX_PART_BYTES`` for a part held in memory, ``MAX_COMPRESSION_RATIO``) and bounds
  the longest stretch between two tags (``MAX_XML_RUN``);
* every XML part is parsed by expat with a document type declaration refused, so that no entity is ever
  declared, expanded or fetched, whichever XML parser openpyxl would use (defusedxml or not);
* openpyxl reads the workbook's structure (its list of sheets, number formats, calendar) from parts checked whole
  first (``MAX_PART_ELEMENTS``); the shared-string table and the sheet are read here, one string and one row at a
  time (``MAX_SHARED_STRINGS``, ``MAX_ITEM_ELEMENTS``, ``MAX_ROW_CELLS``), each cell by openpyxl's
  ``WorkSheetParser.parse_cell`` from a tree of that cell alone;
* the ``<dimension>`` a sheet declares is ignored: each row is numbered by its place, a row the file skips is a
  blank row (as Excel shows it), a row is as wide as the header or its last value (empty cells past both are
  dropped, however far right they are styled), and a row wider than ``MAX_COLUMNS`` is refused.

Whatever is malformed is one InputError naming the file, and the sheet and row when it is a row's problem.
"""

from __future__ import annotations

import math
import os
import warnings
import zipfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO, Any, NoReturn
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

from checker.errors import InputError
from checker.sources.csv_source import MAX_COLUMNS, MAX_FIELD
from checker.sources.rows import text
from checker.sources.stream import MAX_LINE, Fingerprint, open_bytes

MAX_ZIP_DIRECTORY = 1 << 20
"""Largest zip directory read, in bytes (a workbook's lists a few dozen parts in a few KB): zipfile holds the
directory in memory, several times its size, before any part is read."""
MAX_WORKBOOK_BYTES = 1 << 30
"""Most bytes decompressed from a workbook, all parts read together (1 GiB: some two million rows of a payments
export)."""
MAX_PART_BYTES = 128 << 20
"""Largest part held in memory, decompressed, in bytes: the shared strings, and the parts openpyxl parses whole
(the list of sheets, the styles, relationships)."""
MAX_COMPRESSION_RATIO = 100
"""Most a part may expand, decompressed bytes over compressed bytes: real sheets compress 5 to 20 times, a zip
bomb a thousand."""
RATIO_MEASURED_FROM = 4 << 20
"""Decompressed bytes of a part from which ``MAX_COMPRESSION_RATIO`` applies (a small part may compress more)."""
MAX_XML_RUN = 4 << 20
"""Longest stretch of a part between two ``<``, in bytes (a tag, or the text between two tags): an XML parser
holds such a stretch whole, and a cell holds at most 32,767 characters."""
MAX_PART_ELEMENTS = 500_000
"""Most XML elements in a part openpyxl parses whole (the list of sheets, styles, relationships): it holds a tree
of them, a few hundred bytes each."""
MAX_SHARED_STRINGS = 1_000_000
"""Most strings in the shared-string table, counted as they are read (they are all held in memory, some 100 bytes
each; the table's own ``count`` is not trusted): a larger export reads in flat memory as CSV."""
MAX_ITEM_ELEMENTS = 100_000
"""Most XML elements in one cell or one shared string (rich-text runs and their formatting)."""
MAX_ROW_CELLS = 16_384
"""Most cells in one row of a sheet, empty ones included (Excel's last column, XFD, is the 16,384th)."""
EXCEL_MAX_ROWS = 1_048_576
"""Highest row number of a sheet (Excel's last row): a row numbered beyond it is refused, not padded to."""
BLOCK = 64 << 10
"""Bytes decompressed and parsed at a time: less than ``MAX_XML_RUN``; and zipfile reads as many compressed bytes
ahead, so that a part's expansion is measured within this many compressed bytes."""

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
SHARED_STRINGS_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_ROW, _CELL, _STRING, _TEXT, _RUN = (f"{MAIN_NS}}}{local}" for local in ("row", "c", "si", "t", "r"))
"""Element names as expat gives them (``namespace}local``)."""

_NOT_A_WORKBOOK = {
    b"\xd0\xcf\x11\xe0": "is an old Excel (.xls) workbook, or a password-protected one: save it as .xlsx "
                         "(without a password) or as CSV",
    b"PAR1": "is a Parquet file, not an Excel workbook: name it .parquet",
    b"%PDF": "is a PDF document, not an Excel workbook",
    b"\x1f\x8b": "is a gzip file, not an Excel workbook",
}
"""The first bytes of files that are not workbooks, and what to tell the user."""


@dataclass
class XlsxSource:
    """One sheet of a workbook: its first row as the header, every cell as text."""

    path: str
    header: list[str]
    _rows: Iterator[list[str]]
    fingerprint: Fingerprint
    cells_from_bytes: bool = False
    text_cells: bool = False
    _close: Callable[[], None] | None = field(default=None, repr=False)

    def chunks(self, size: int) -> Iterator[list[list[str]]]:
        """The data rows in lists of up to ``size``; a malformed sheet is one InputError naming the row.

        openpyxl's warnings (a date out of range) stay quiet: the cell's text says it (``#VALUE!``)."""
        try:
            while True:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    block = list(islice(self._rows, size))
                if not block:
                    return
                yield block
        finally:
            self.close()

    def close(self) -> None:
        """Close the workbook (reading every chunk closes it too)."""
        if self._close is not None:
            self._close()
            self._close = None

    def sha256(self) -> str:
        """The workbook's SHA-256 (an InputError if it changed while it was read)."""
        return self.fingerprint.unchanged()

    def nul_seen(self) -> bool:
        """Cells are not checked for NUL characters as they are read."""
        return True


def open_xlsx(path: Path | str, sheet: str | None = None) -> XlsxSource:
    """Open a sheet of a workbook (default: the first) and read its header row."""
    p = Path(path)
    name = str(p)
    raw, regular = open_bytes(p, "an Excel workbook")
    raw.close()
    if not regular:
        raise InputError(name, "a workbook must be a file (a pipe cannot be read as a workbook)")
    fingerprint = Fingerprint(p)
    with ExitStack() as opened:
        fh = opened.enter_context(open(p, "rb"))
        archive = _open_archive(name, fh)
        opened.callback(archive.close)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            title, part, cells = _read_structure(archive, fh, sheet)
            rows = _SheetReader(title, archive.stream(part), cells).rows()
            opened.callback(rows.close)
            header = next(rows, None)
        if header is None:
            raise InputError(name, f"sheet {title!r} is empty")
        return XlsxSource(name, header, rows, fingerprint, _close=opened.pop_all().close)


# -- the archive ------------------------------------------------------------------------------------------------
def _open_archive(name: str, fh: IO[bytes]) -> _Archive:
    """The workbook's zip archive, once its first bytes and the size of its directory show it is one."""
    head = fh.read(4096)
    fh.seek(0)
    if not head:
        raise InputError(name, "file is empty")
    if not head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        for magic, what in _NOT_A_WORKBOOK.items():
            if head.startswith(magic):
                raise InputError(name, what)
        if _is_text(head):
            raise InputError(name, "is text, not an Excel workbook (a CSV file named .xlsx? name it .csv)")
        raise InputError(name, "is not an Excel workbook (an .xlsx file is a zip archive, and this is not one)")
    try:
        end = zipfile._EndRecData(fh)  # the archive's end record: where its directory is, and how long it is
        if end is None:
            raise zipfile.BadZipFile("no end of central directory")
        if end[zipfile._ECD_SIZE] > MAX_ZIP_DIRECTORY:
            raise InputError(name, f"the workbook's zip directory is {end[zipfile._ECD_SIZE]:,} bytes; at most "
                                   f"{MAX_ZIP_DIRECTORY:,} are read (a workbook lists a few dozen parts)")
        fh.seek(0)
        counted = _CountedFile(fh)
        return _Archive(name, zipfile.ZipFile(counted), counted)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(name, f"is not a readable .xlsx workbook: the zip archive is truncated or damaged "
                               f"({_reason(exc)})") from None


def _is_text(head: bytes) -> bool:
    """Whether a file's first bytes are text (UTF-8, no NUL byte)."""
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 3:  # not just a character cut at the end of the sample
            return False
    return b"\x00" not in head


class _CountedFile:
    """The workbook's file as zipfile reads it, counting the bytes read (a part's compressed bytes, as they are
    decompressed)."""

    def __init__(self, fh: IO[bytes]) -> None:
        self.fh = fh
        self.bytes_read = 0

    def read(self, size: int = -1) -> bytes:
        data = self.fh.read(size)
        self.bytes_read += len(data)
        return data

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        return self.fh.seek(offset, whence)

    def tell(self) -> int:
        return self.fh.tell()

    def seekable(self) -> bool:
        return True


class _Archive:
    """The workbook's zip archive, read one part at a time through ``_Part``, the bytes of all parts counted
    together. openpyxl reads the parts it parses whole through ``read`` (and sees ``namelist``)."""

    def __init__(self, name: str, archive: zipfile.ZipFile, file: _CountedFile) -> None:
        self.name = name
        self.zip = archive
        self.file = file
        self.decompressed = 0
        """Bytes decompressed so far, all parts together."""

    def namelist(self) -> list[str]:
        return self.zip.namelist()

    def read(self, part: str) -> bytes:
        """A part parsed whole: at most ``MAX_PART_BYTES``, well-formed, at most ``MAX_PART_ELEMENTS`` elements."""
        with self._open(part, MAX_PART_BYTES) as stream:
            check = _WholePartCheck(stream)
            blocks = []
            while block := stream.read(BLOCK):
                check.feed(block)
                blocks.append(block)
            check.feed(b"")
            return b"".join(blocks)

    def stream(self, part: str, limit: int | None = None) -> _Part:
        """A part to be parsed as it is read (by ``_SheetReader`` or ``_SharedStrings``), of at most ``limit``
        bytes (None: ``MAX_WORKBOOK_BYTES`` alone)."""
        return self._open(part, limit)

    def close(self) -> None:
        self.zip.close()

    def refuse(self, message: str) -> NoReturn:
        raise InputError(self.name, message)

    def _open(self, part: str, limit: int | None) -> _Part:
        info = self.zip.getinfo(part)  # a KeyError for a missing part, as openpyxl expects
        try:
            raw = self.zip.open(info)
        except Exception as exc:  # noqa: BLE001 - a bad local header, an encrypted part, an unknown compression
            self.refuse(f"part {part} cannot be read: the workbook is damaged ({type(exc).__name__}: "
                        f"{_reason(exc)})")
        return _Part(self, info, raw, limit)


class _Part:
    """One part of the workbook, decompressed in blocks and measured as they come out."""

    def __init__(self, archive: _Archive, info: zipfile.ZipInfo, raw: IO[bytes], limit: int | None) -> None:
        self.archive = archive
        self.name = info.filename
        self.raw = raw
        self.limit = limit
        self.size = 0
        self.read_from = archive.file.bytes_read  # parts are read one at a time: the file's bytes read since are
        self._run = 0  # bytes since the last "<"                 # this part's compressed bytes

    def read(self, size: int = BLOCK) -> bytes:
        """Up to ``size`` (at most ``BLOCK``) more bytes; an InputError when the part goes past a bound."""
        try:
            block = self.raw.read(min(size, BLOCK))
        except Exception as exc:  # noqa: BLE001 - BadZipFile (a bad CRC), zlib.error, EOFError: a damaged archive
            self.refuse(f"cannot be decompressed: the workbook is damaged ({type(exc).__name__}: {_reason(exc)})")
        n = len(block)
        self.size += n
        self.archive.decompressed += n
        if self.archive.decompressed > MAX_WORKBOOK_BYTES:
            self.archive.refuse(f"the workbook decompresses to more than {MAX_WORKBOOK_BYTES:,} bytes; at most that "
                                "much is read (save the sheet as CSV)")
        if self.limit is not None and self.size > self.limit:
            self.refuse(f"decompresses to more than {self.limit:,} bytes; at most that much is read")
        compressed = self.archive.file.bytes_read - self.read_from
        if self.size > RATIO_MEASURED_FROM and self.size > MAX_COMPRESSION_RATIO * max(1, compressed):
            self.refuse(f"expands more than {MAX_COMPRESSION_RATIO}-fold when decompressed (a zip bomb?)")
        first = block.find(b"<")  # a block is shorter than MAX_XML_RUN: only a stretch across blocks can be longer
        if first < 0:
            self._run += n
        else:
            self._run += first
            if self._run <= MAX_XML_RUN:
                self._run = n - block.rfind(b"<") - 1
        if self._run > MAX_XML_RUN:
            self.refuse(f"has more than {MAX_XML_RUN:,} bytes without a tag: not the XML of a workbook")
        return block

    def refuse(self, message: str) -> NoReturn:
        self.archive.refuse(f"part {self.name} {message}")

    def close(self) -> None:
        self.raw.close()

    def __enter__(self) -> _Part:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _expat(part: _Part) -> Any:
    """An expat parser for a part: namespaced names (``namespace}local``), no document type declaration."""

    def refuse(*_: object) -> NoReturn:
        part.refuse("declares a document type or entities (a workbook never does; refused so that no entity is "
                    "expanded or fetched)")

    parser = expat.ParserCreate(namespace_separator="}")
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = refuse
    return parser


def _parse(part: _Part, parser: Any, block: bytes, where: str = "") -> None:
    """Feed expat a block of a part (an empty block ends the part); malformed XML is an InputError."""
    try:
        parser.Parse(block, not block)
    except expat.ExpatError as exc:
        part.refuse(f"is not well-formed XML ({expat.ErrorString(exc.code)} at line {exc.lineno}, column "
                    f"{exc.offset + 1}{where})")


class _WholePartCheck:
    """expat over a part openpyxl parses whole, before it does: well-formed, no document type declaration, at most
    ``MAX_PART_ELEMENTS`` elements."""

    def __init__(self, part: _Part) -> None:
        self.part = part
        self.parser = _expat(part)
        self.parser.StartElementHandler = self._start
        self.elements = 0

    def feed(self, block: bytes) -> None:
        _parse(self.part, self.parser, block)

    def _start(self, name: str, attributes: object) -> None:
        self.elements += 1
        if self.elements > MAX_PART_ELEMENTS:
            self.part.refuse(f"holds more than {MAX_PART_ELEMENTS:,} XML elements; at most that many are read")


# -- the workbook's structure ----------------------------------------------------------------------------------
def _read_structure(archive: _Archive, fh: IO[bytes], sheet: str | None) -> tuple[str, str, Any]:
    """The chosen sheet's title and part, and openpyxl's reader of one cell (with the workbook's shared strings,
    number formats and calendar). openpyxl reads the structure through the measured archive, never a sheet."""
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.styles.stylesheet import apply_stylesheet
    from openpyxl.worksheet._reader import WorkSheetParser

    try:
        reader = ExcelReader(fh, read_only=True, data_only=True, keep_links=False)
        reader.archive.close()  # the archive openpyxl opened itself: it reads through the measured one instead
        reader.archive, reader.valid_files = archive, archive.namelist()
        reader.read_manifest()
        strings = reader.package.find(SHARED_STRINGS_TYPE)
        reader.read_workbook()
        apply_stylesheet(archive, reader.wb)
        sheets = [(s.name, rel) for s, rel in reader.parser.find_sheets()]
    except InputError:
        raise
    except KeyError as exc:
        archive.refuse(f"is not a readable .xlsx workbook: a part or a reference is missing ({_reason(exc)})")
    except Exception as exc:  # noqa: BLE001 - whatever openpyxl finds wrong in the structure: a damaged workbook
        archive.refuse(f"is not a readable .xlsx workbook ({type(exc).__name__}: {_reason(exc)})")
    names = [title for title, _ in sheets]
    if sheet is not None and sheet not in names:
        archive.refuse(f"no sheet {sheet!r}; sheets are: {', '.join(repr(n) for n in names)}")
    tables = [(title, rel) for title, rel in sheets if "chartsheet" not in rel.Type and sheet in (None, title)]
    if not tables:
        archive.refuse(f"sheet {sheet!r} is a chart, not a table" if sheet else "the workbook has no worksheets")
    title, rel = tables[0]
    if rel.target not in reader.valid_files:
        archive.refuse(f"sheet {title!r} is missing from the workbook (no part {rel.target}): the file is damaged")
    shared: list[str] = []
    if strings is not None:
        if strings.PartName[1:] not in reader.valid_files:
            archive.refuse(f"the shared strings are missing from the workbook (no part {strings.PartName[1:]}): the "
                           "file is damaged")
        shared = _SharedStrings(archive.stream(strings.PartName[1:], MAX_PART_BYTES)).read()
    wb = reader.wb
    cells = WorkSheetParser(None, shared, data_only=True, epoch=wb.epoch, date_formats=wb._date_formats,
                            timedelta_formats=wb._timedelta_formats)
    return title, rel.target, cells


class _SharedStrings:
    """The shared-string table, one string at a time: each the text of its ``<t>`` and of its rich-text runs'
    (phonetic guides left out), as openpyxl reads it; counted as read, at most ``MAX_SHARED_STRINGS``."""

    def __init__(self, part: _Part) -> None:
        self.part = part
        self.parser = _expat(part)
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.strings: list[str] = []
        self.path: list[str] | None = None  # the elements open inside the current string, None outside one
        self.elements = 0
        self.plain: str | None = None
        self.runs: list[str] = []
        self.buffer: list[str] | None = None  # the text of a <t> being read
        self.chars = 0

    def read(self) -> list[str]:
        with self.part:
            while block := self.part.read(BLOCK):
                _parse(self.part, self.parser, block, f", after string {len(self.strings):,}")
            _parse(self.part, self.parser, b"")
        return self.strings

    def _start(self, name: str, attributes: object) -> None:
        if self.path is not None:
            self.elements += 1
            if self.elements > MAX_ITEM_ELEMENTS:
                self.part.refuse(f"string {len(self.strings) + 1:,} holds more than {MAX_ITEM_ELEMENTS:,} XML "
                                 "elements")
            if name == _TEXT and self.path in ([_STRING], [_STRING, _RUN]):
                self.buffer = []
            self.path.append(name)
        elif name == _STRING:
            if len(self.strings) == MAX_SHARED_STRINGS:
                self.part.refuse(f"holds more than {MAX_SHARED_STRINGS:,} shared strings; at most that many are "
                                 "read from a workbook: save the sheet as CSV, which is read in flat memory")
            self.path, self.elements, self.plain, self.runs, self.chars = [_STRING], 1, None, [], 0

    def _end(self, name: str) -> None:
        if self.path is None:
            return
        self.path.pop()
        if self.buffer is not None and name == _TEXT:
            content = "".join(self.buffer)
            if self.path == [_STRING]:
                self.plain = content  # as openpyxl: the last plain text of a string wins
            else:
                self.runs.append(content)
            self.buffer = None
        elif not self.path:
            self.strings.append(((self.plain or "") + "".join(self.runs)).replace("x005F_", ""))
            self.path = None

    def _text(self, data: str) -> None:
        if self.buffer is not None:
            self.chars += len(data)
            if self.chars > MAX_FIELD:
                self.part.refuse(f"string {len(self.strings) + 1:,} is longer than {MAX_FIELD:,} characters")
            self.buffer.append(data)


# -- the sheet ---------------------------------------------------------------------------------------------------
class _SheetReader:
    """A sheet's rows, one at a time, each numbered by its place from row 1 (a row the file skips is a blank row);
    a row's cells by column, as wide as the header or as its last value, whichever is wider. Each cell is read by
    openpyxl's ``parse_cell`` from a tree of that cell alone, so that nothing but one row is held."""

    def __init__(self, title: str, part: _Part, cells: Any) -> None:
        self.title = title
        self.part = part
        self.cells = cells  # openpyxl's WorkSheetParser, for parse_cell
        self.parser = _expat(part)
        self.parser.buffer_text = True
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.ready: list[list[str]] = []  # rows read from the last block
        self.row = 0  # the row number (1 is the header)
        self.width = 0  # the header's, to which a shorter row is padded
        self.values: dict[int, Any] | None = None  # the current row's values by column, None outside a row
        self.cell_count = 0
        self.row_chars = 0
        self.tree: TreeBuilder | None = None  # the cell being read, None outside one
        self.cell_depth = 0
        self.cell_elements = 0
        self.cell_chars = 0

    def rows(self) -> Iterator[list[str]]:
        """Every row of the sheet, header first."""
        with self.part:
            while True:
                block = self.part.read(BLOCK)
                where = f", in row {self.row - 1:,}" if self.values is not None and self.row > 1 else ""
                _parse(self.part, self.parser, block, where)
                yield from self.ready
                self.ready.clear()
                if not block:
                    return

    # expat's callbacks
    def _start(self, name: str, attributes: dict[str, str]) -> None:
        if self.tree is not None:
            self.cell_depth += 1
            self.cell_elements += 1
            if self.cell_elements > MAX_ITEM_ELEMENTS:
                self._refuse_row(f"a cell holds more than {MAX_ITEM_ELEMENTS:,} XML elements")
            self.tree.start(_tag(name), _attributes(attributes))
        elif name == _CELL and self.values is not None:
            self.cell_count += 1
            if self.cell_count > MAX_ROW_CELLS:
                self._refuse_row(f"more than {MAX_ROW_CELLS:,} cells (Excel's last column is XFD)")
            self.tree = TreeBuilder()
            self.tree.start(_tag(name), _attributes(attributes))
            self.cell_depth, self.cell_elements, self.cell_chars = 1, 1, 0
        elif name == _ROW:
            if self.values is not None:
                self._refuse_row("a row inside a row")
            self._start_row(attributes.get("r"))

    def _end(self, name: str) -> None:
        if self.tree is not None:
            self.tree.end(_tag(name))
            self.cell_depth -= 1
            if not self.cell_depth:
                cell, self.tree = self.tree.close(), None
                self._add_cell(cell)
        elif name == _ROW and self.values is not None:
            self._end_row()

    def _text(self, data: str) -> None:
        if self.tree is not None:
            self.cell_chars += len(data)
            self.row_chars += len(data)
            if self.cell_chars > MAX_FIELD:
                self._refuse_row(f"a cell is longer than {MAX_FIELD:,} characters")
            if self.row_chars > MAX_LINE:
                self._refuse_row(f"the row holds more than {MAX_LINE:,} characters")
            self.tree.data(data)

    # rows and cells
    def _start_row(self, number: str | None) -> None:
        row = self.row + 1
        if number is not None:
            try:
                row = int(number)
            except ValueError:
                self._refuse(f"has a row numbered {number[:20]!r} after row {self.row:,}: not a row number")
        if row <= self.row:
            self._refuse(f"has row {row:,} after row {self.row:,}: rows out of order (the file is damaged)")
        if row > EXCEL_MAX_ROWS:
            self._refuse(f"has a row numbered {row:,}, past Excel's last row ({EXCEL_MAX_ROWS:,})")
        while self.row + 1 < row:  # a row the file leaves out is blank
            self.row += 1
            self.ready.append([])
        self.row = row
        self.values, self.cell_count, self.row_chars = {}, 0, 0
        self.cells.row_counter, self.cells.col_counter = row, 0

    def _add_cell(self, cell: Element) -> None:
        assert self.values is not None
        try:
            parsed = self.cells.parse_cell(cell)
        except Exception as exc:  # noqa: BLE001 - a value openpyxl cannot read: a damaged cell, named
            self._refuse_row(f"cell {cell.get('r') or _column_name(self.cells.col_counter)} cannot be read "
                             f"({type(exc).__name__}: {_reason(exc)})")
        column, value = parsed["column"], parsed["value"]
        if column in self.values:
            self._refuse_row(f"two cells in column {_column_name(column)}")
        if isinstance(value, float) and not math.isfinite(value):
            self._refuse_row(f"cell {_column_name(column)}{self.row} holds {value}, not a number Excel can hold")
        if value is not None:
            self.values[column] = value

    def _end_row(self) -> None:
        assert self.values is not None
        cells = {column: text(value) for column, value in self.values.items()}
        width = max((column for column, cell in cells.items() if cell), default=0)  # the last value's column
        if self.row == 1:
            self.width = width
        width = max(width, self.width)
        if width > MAX_COLUMNS:
            self._refuse_row(f"a value in column {_column_name(width)} ({width:,}); rows wider than "
                             f"{MAX_COLUMNS:,} columns are not read")
        if any(len(cell) > MAX_FIELD for cell in cells.values()):
            self._refuse_row(f"a cell is longer than {MAX_FIELD:,} characters")
        self.ready.append([cells.get(column, "") for column in range(1, width + 1)])
        self.values = None

    # errors
    def _refuse_row(self, message: str) -> NoReturn:
        where = "the header row" if self.row == 1 else f"row {self.row - 1:,}"
        self.part.archive.refuse(f"sheet {self.title!r}, {where}: {message}")

    def _refuse(self, message: str) -> NoReturn:
        self.part.archive.refuse(f"sheet {self.title!r} {message}")


def _tag(name: str) -> str:
    """An element's or attribute's name as ElementTree writes it (``{namespace}local``) from expat's
    (``namespace}local``)."""
    return "{" + name if "}" in name else name


def _attributes(attributes: dict[str, str]) -> dict[str, str]:
    """An element's attributes with ElementTree's names (``xml:space`` as ``{namespace}space``)."""
    for key in attributes:
        if "}" in key:
            return {_tag(key): value for key, value in attributes.items()}
    return attributes


def _column_name(column: int) -> str:
    """A column's letters (``XFD``), or its number when it has none."""
    from openpyxl.utils import get_column_letter

    try:
        return get_column_letter(column)
    except ValueError:
        return str(column)


def _reason(exc: BaseException) -> str:
    """The first line of an exception's message, shortened."""
    lines = str(exc).strip().splitlines()
    reason = lines[0] if lines else type(exc).__name__
    return reason if len(reason) <= 200 else reason[:200] + "..."
