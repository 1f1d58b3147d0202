"""Hostile input, round two (issue #22): workbooks, JSON Lines and Parquet files built to break their readers.

Each attack here failed on d9a5c34 (a traceback or exit 3, rows silently lost, seconds and gigabytes spent) and is
now refused with one line naming the file (and the row), exit 2, or read whole; in bounded time and memory. The
builders at the top also write the corpus in tests/adversarial (``corpus()``; see make_binary_corpus.py there).
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import struct
import subprocess
import sys
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import ROOT, one_line_error

ADVERSARIAL = ROOT / "tests" / "adversarial"
EXAMPLE = ROOT / "examples" / "city-payments.csv"
MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
OFFICE_RELS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELS = "http://schemas.openxmlformats.org/package/2006/relationships"
XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
BILLION_LAUGHS = '<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
    f'<!ENTITY lol{level} "{references}">' for level, references in
    ((n, (f"&lol{n - 1};" if n > 1 else "&lol;") * 10) for n in range(1, 10))) + "]>"
"""A document type declaring entities that expand to 10^9 "lol" (``&lol9;``)."""


# -- building files ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Deflated:
    """A zip member already compressed (raw deflate), with the CRC and size of what it decompresses to."""

    data: bytes
    crc: int
    size: int


def deflate(body: bytes | str) -> Deflated:
    raw = body.encode() if isinstance(body, str) else body
    packer = zlib.compressobj(6, zlib.DEFLATED, -15)
    return Deflated(packer.compress(raw) + packer.flush(), zlib.crc32(raw), len(raw))


def repeated(head: str, block: bytes, times: int, tail: str) -> Deflated:
    """``head``, ``block`` ``times`` times, ``tail``, deflated without compressing the block more than once (a zip
    bomb of gigabytes in a few MB, built in a second)."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = packer.compress(head.encode()) + packer.flush(zlib.Z_FULL_FLUSH)
    middle = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)  # the same bytes each time after a full flush
    end = packer.compress(tail.encode()) + packer.flush()
    crc = zlib.crc32(head.encode())
    for _ in range(times):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail.encode(), crc)
    return Deflated(start + middle * times + end, crc, len(head) + len(block) * times + len(tail))


def zip_archive(members: dict[str, bytes | str | Deflated]) -> bytes:
    """A zip archive of deflated members, byte for byte the same each time (no time stamps)."""
    out = io.BytesIO()
    directory = []
    for name, body in members.items():
        part = body if isinstance(body, Deflated) else deflate(body)
        encoded, offset = name.encode(), out.tell()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, part.crc, len(part.data), part.size,
                              len(encoded), 0) + encoded + part.data)
        directory.append(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, part.crc, len(part.data),
                                     part.size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
    listing = b"".join(directory)
    out.write(listing + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(members), len(members), len(listing),
                                    out.tell(), 0))
    return out.getvalue()


class Num(str):
    """A cell's number as written in the sheet's XML (``Num("1e999")``)."""


def row(number: int | None, *values: str | int | float | Num | None) -> str:
    """A row of cells from column A: text as inline strings, numbers as numbers, None as no cell."""
    from openpyxl.utils import get_column_letter

    cells = []
    for column, value in enumerate(values, start=1):
        ref = f' r="{get_column_letter(column)}{number}"' if number is not None else ""
        if value is None:
            continue
        if isinstance(value, Num) or not isinstance(value, str):
            cells.append(f"<c{ref}><v>{value}</v></c>")
        else:
            cells.append(f'<c{ref} t="inlineStr"><is><t>{value}</t></is></c>')
    return (f'<row r="{number}">' if number is not None else "<row>") + "".join(cells) + "</row>"


def sheet(*rows: str, dimension: str | None = None, doctype: str = "") -> str:
    return (XML_HEAD + doctype + f'<worksheet xmlns="{MAIN}">' + (f'<dimension ref="{dimension}"/>' if dimension
            else "") + "<sheetData>" + "".join(rows) + "</sheetData></worksheet>")


def shared_strings(strings: list[str], doctype: str = "") -> str:
    return (XML_HEAD + doctype + f'<sst xmlns="{MAIN}" count="{len(strings)}" uniqueCount="{len(strings)}">'
            + "".join(f"<si><t>{s}</t></si>" for s in strings) + "</sst>")


def workbook(sheet_part: str | bytes | Deflated, *, strings: str | bytes | Deflated | None = None,
             parts: dict[str, str | bytes | Deflated] | None = None, without: tuple[str, ...] = ()) -> bytes:
    """An .xlsx file of one sheet, "Payments" (its part), with a shared-string table, more parts or parts left out."""
    overrides = [("/xl/workbook.xml", "sheet.main"), ("/xl/worksheets/sheet1.xml", "worksheet")]
    if strings is not None:
        overrides.append(("/xl/sharedStrings.xml", "sharedStrings"))
    members: dict[str, str | bytes | Deflated] = {
        "[Content_Types].xml": XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-'
        'types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>' + "".join(
            f'<Override PartName="{name}" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
            f'{kind}+xml"/>' for name, kind in overrides) + "</Types>",
        "_rels/.rels": XML_HEAD + f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" Type="'
        f'{OFFICE_RELS}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": XML_HEAD + f'<workbook xmlns="{MAIN}" xmlns:r="{OFFICE_RELS}"><sheets><sheet name="Payments"'
        ' sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": XML_HEAD + f'<Relationships xmlns="{PACKAGE_RELS}"><Relationship Id="rId1" '
        f'Type="{OFFICE_RELS}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/worksheets/sheet1.xml": sheet_part,
    }
    if strings is not None:
        members["xl/sharedStrings.xml"] = strings
    members.update(parts or {})
    for name in without:
        del members[name]
    return zip_archive(members)


SHARED_VENDOR = '<row r="2"><c r="A2" t="s"><v>0</v></c></row>'
"""A row whose vendor is the first shared string."""
PAYMENTS = [row(1, "Vendor Name", "Amount"), row(2, "Acme Paving", 10), row(3, "PALANTIR USG INC", 30)]
"""A sheet's rows: the header and two payments, one to a prohibited vendor."""


def payments_workbook() -> bytes:
    return workbook(sheet(*PAYMENTS))


def parquet_file() -> bytes:
    """A small valid Parquet file of payments (written by pyarrow)."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    out = io.BytesIO()
    pq.write_table(pa.table({"Vendor Name": ["Acme Paving", "PALANTIR USG INC"], "Amount": [10.0, 30.0]}), out)
    return out.getvalue()


def corpus() -> dict[str, bytes]:
    """The hostile files of tests/adversarial whose names start with xlsx-, jsonl- or parquet- (each under 100 KB;
    each refused with one line naming it, exit 2)."""
    rng = random.Random(22)
    valid = payments_workbook()
    flipped = bytearray(valid)
    sheet_at = valid.index(b"xl/worksheets/sheet1.xml") + len("xl/worksheets/sheet1.xml")
    flipped[sheet_at + 40] ^= 0xFF  # inside the sheet's deflated bytes
    laughs = workbook(sheet(row(1, "Vendor Name"), SHARED_VENDOR),
                      strings=shared_strings(["&lol9;"], doctype=BILLION_LAUGHS))
    entity = workbook(sheet(row(1, "Vendor Name"), row(2, "&xxe;"),
                            doctype='<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'))
    files = {
        "xlsx-empty.xlsx": b"",
        "xlsx-truncated.xlsx": valid[: len(valid) // 2],
        "xlsx-random-bytes.xlsx": rng.randbytes(4096),
        "xlsx-csv-renamed.xlsx": EXAMPLE.read_bytes(),
        "xlsx-old-excel-or-encrypted.xlsx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + rng.randbytes(2048),
        "xlsx-bit-flipped.xlsx": bytes(flipped),
        "xlsx-missing-sheet-part.xlsx": workbook(sheet(*PAYMENTS), without=("xl/worksheets/sheet1.xml",)),
        "xlsx-malformed-xml.xlsx": workbook(sheet(*PAYMENTS).replace("</sheetData>", "</sheetdata>")),
        "xlsx-billion-laughs.xlsx": laughs,
        "xlsx-external-entity.xlsx": entity,
        "xlsx-nan-cell.xlsx": workbook(sheet(PAYMENTS[0], row(2, "PALANTIR USG INC", Num("nan")))),
        "xlsx-infinite-cell.xlsx": workbook(sheet(PAYMENTS[0], row(2, "PALANTIR USG INC", Num("1e999")))),
        "xlsx-huge-number.xlsx": workbook(sheet(PAYMENTS[0], row(2, "PALANTIR USG INC", Num("9" * 5000)))),
        "xlsx-far-right-cell.xlsx": workbook(sheet(PAYMENTS[0], '<row r="2"><c r="XFD2"><v>1</v></c></row>')),
        "xlsx-rows-out-of-order.xlsx": workbook(sheet(PAYMENTS[0], row(3, "Acme Paving", 1), row(2, "PALANTIR", 2))),
        "xlsx-two-cells-one-column.xlsx": workbook(sheet(
            PAYMENTS[0], '<row r="2"><c r="A2" t="inlineStr"><is><t>Acme</t></is></c>'
                         '<c r="A2" t="inlineStr"><is><t>PALANTIR USG INC</t></is></c></row>')),
        "xlsx-row-past-excel.xlsx": workbook(sheet(*PAYMENTS, row(2_000_000_000, "Acme Paving", 1))),
        "xlsx-whitespace-bomb.xlsx": workbook(repeated(sheet(*PAYMENTS).split("</sheetData>")[0], b" " * (1 << 20),
                                                       64, "</sheetData></worksheet>")),
        "xlsx-zip-bomb.xlsx": workbook(repeated(sheet(*PAYMENTS).split("</sheetData>")[0], b"<x/>" * (1 << 18), 64,
                                                "</sheetData></worksheet>")),
        "jsonl-deep-nesting.jsonl": b'{"Vendor Name": "Acme Paving"}\n{"Vendor Name": ' + b"[" * 40_000
                                    + b"]" * 40_000 + b"}\n",
        "jsonl-huge-number.jsonl": b'{"Vendor Name": "Acme Paving", "Amount": 1}\n'
                                  b'{"Vendor Name": "PALANTIR USG INC", "Amount": ' + b"9" * 5000 + b"}\n",
        "jsonl-lone-surrogate.jsonl": b'{"Vendor Name": "Acme Paving"}\n{"Vendor Name": "PALANTIR \\ud800 USG INC"}\n',
        "jsonl-repeated-key.jsonl": b'{"Vendor Name": "Acme Paving"}\n'
                                    b'{"Vendor Name": "Acme Paving", "Vendor Name": "PALANTIR USG INC"}\n',
        "jsonl-not-utf8.jsonl": b'{"Vendor Name": "Acme Paving"}\n{"Vendor Name": "Caf\xe9"}\n',
        "jsonl-nan.jsonl": b'{"Vendor Name": "PALANTIR USG INC", "Amount": NaN}\n',
    }
    seed = parquet_file()
    files.update({
        "parquet-empty.parquet": b"",
        "parquet-truncated.parquet": seed[: len(seed) // 2],
        "parquet-random-bytes.parquet": rng.randbytes(4096),
        "parquet-csv-renamed.parquet": EXAMPLE.read_bytes(),
        "parquet-bad-footer.parquet": b"PAR1" + rng.randbytes(2048) + struct.pack("<L", 1 << 30) + b"PAR1",
        "parquet-bit-flipped-footer.parquet": seed[:-40] + bytes(b ^ 0x5A for b in seed[-40:-8]) + seed[-8:],
    })
    return files


# -- running the tool ---------------------------------------------------------------------------------------------
@dataclass
class Measured:
    code: int
    err: str
    seconds: float
    peak_mb: float | None
    """The process's peak resident memory (VmHWM; None where /proc is not there)."""


_PEAK = """
import atexit, os, sys
def peak():
    try:
        with open('/proc/self/status') as fh:
            kb = next(line.split()[1] for line in fh if line.startswith('VmHWM:'))
    except OSError:
        return
    with open(os.environ['PEAK_FILE'], 'w') as out:
        out.write(kb)
atexit.register(peak)
sys.argv = ['sanctuary-check', *sys.argv[1:]]
from checker.cli import main
main()
"""


def run_measured(tmp_path: Path, *args: str, timeout: float = 120) -> Measured:
    """Run the tool in a process of its own (at most 3 GiB of address space); its time and peak memory."""
    peak = tmp_path / "peak"
    peak.unlink(missing_ok=True)

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30))

    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", _PEAK, *args], capture_output=True, text=True, timeout=timeout,
                          cwd=ROOT, env={**os.environ, "PEAK_FILE": str(peak)}, preexec_fn=limit)
    seconds = time.perf_counter() - start
    return Measured(done.returncode, done.stderr, seconds, int(peak.read_text()) / 1024 if peak.exists() else None)


def _refused(measured: Measured, *words: str) -> None:
    lines = measured.err.strip().splitlines()
    assert measured.code == 2, (measured.code, measured.err[-800:])
    assert len(lines) == 1 and "Traceback" not in measured.err, measured.err[-800:]
    for word in words:
        assert word in lines[0], (word, lines[0])


# -- the corpus ---------------------------------------------------------------------------------------------------
CORPUS_WORDS = {
    "xlsx-empty.xlsx": "file is empty",
    "xlsx-truncated.xlsx": "the zip archive is truncated or damaged",
    "xlsx-random-bytes.xlsx": "is not an Excel workbook",
    "xlsx-csv-renamed.xlsx": "is text, not an Excel workbook",
    "xlsx-old-excel-or-encrypted.xlsx": "password-protected",
    "xlsx-bit-flipped.xlsx": "part xl/worksheets/sheet1.xml cannot be decompressed: the workbook is damaged",
    "xlsx-missing-sheet-part.xlsx": "sheet 'Payments' is missing from the workbook",
    "xlsx-malformed-xml.xlsx": "part xl/worksheets/sheet1.xml is not well-formed XML (mismatched tag at line 2",
    "xlsx-billion-laughs.xlsx": "part xl/sharedStrings.xml declares a document type",
    "xlsx-external-entity.xlsx": "part xl/worksheets/sheet1.xml declares a document type",
    "xlsx-nan-cell.xlsx": "sheet 'Payments', row 1: cell B2 cannot be read",
    "xlsx-infinite-cell.xlsx": "sheet 'Payments', row 1: cell B2 holds inf",
    "xlsx-huge-number.xlsx": "sheet 'Payments', row 1: cell B2 cannot be read",
    "xlsx-far-right-cell.xlsx": "row 1: a value in column XFD (16,384)",
    "xlsx-rows-out-of-order.xlsx": "has row 2 after row 3: rows out of order",
    "xlsx-two-cells-one-column.xlsx": "row 1: two cells in column A",
    "xlsx-row-past-excel.xlsx": "past Excel's last row",
    "xlsx-whitespace-bomb.xlsx": "bytes without a tag",
    "xlsx-zip-bomb.xlsx": "expands more than 100-fold",
    "jsonl-deep-nesting.jsonl": "line 2: nested more than 64 levels deep",
    "jsonl-huge-number.jsonl": "line 2: a number of 5,000 digits",
    "jsonl-lone-surrogate.jsonl": "line 2: a string holds half of a surrogate pair",
    "jsonl-repeated-key.jsonl": "line 2: the key 'Vendor Name' is given twice",
    "jsonl-not-utf8.jsonl": "line 2: not UTF-8 text",
    "jsonl-nan.jsonl": "line 1: NaN is not a JSON number",
    "parquet-empty.parquet": "not a readable Parquet file",
    "parquet-truncated.parquet": "not a readable Parquet file",
    "parquet-random-bytes.parquet": "not a readable Parquet file",
    "parquet-csv-renamed.parquet": "not a readable Parquet file",
    "parquet-bad-footer.parquet": "not a readable Parquet file",
    "parquet-bit-flipped-footer.parquet": "not a readable Parquet file",
}


@pytest.mark.parametrize("name", sorted(CORPUS_WORDS))
def test_each_corpus_file_is_refused_saying_why(cli, name):
    if name.startswith("parquet-"):
        pytest.importorskip("pyarrow")
    path = ADVERSARIAL / name
    one_line_error(cli("audit", str(path), "--format", "json"), str(path), CORPUS_WORDS[name])


def test_the_corpus_is_what_its_generator_writes():
    """tests/adversarial/make_binary_corpus.py writes ``corpus()``; the files must not drift from it (the Parquet
    files hold pyarrow's version, so only their presence is checked)."""
    files = corpus()
    assert sorted(files) == sorted(CORPUS_WORDS)
    for name, body in files.items():
        assert len(body) < 100_000, name
        if not name.startswith("parquet-"):
            assert (ADVERSARIAL / name).read_bytes() == body, f"{name}: run tests/adversarial/make_binary_corpus.py"
        assert (ADVERSARIAL / name).exists(), name


# -- XLSX: every row, whatever the sheet declares -------------------------------------------------------------------
def test_a_dimension_that_understates_the_sheet_loses_no_row(cli, tmp_path):
    """d9a5c34 trusted <dimension ref="A1:B2"> and read one data row of four: "1 rows ... 1 clear"."""
    path = tmp_path / "understated.xlsx"
    path.write_bytes(workbook(sheet(row(1, "Vendor Name", "Amount"), row(2, "Acme Paving", 10),
                                    row(3, "Acme Paving", 20), row(4, "Acme Paving", 25),
                                    row(5, "PALANTIR USG INC", 30), dimension="A1:B2")))
    result = cli("audit", str(path), "-f", "json", "--as-of", "2024-06-30")
    assert result.code == 0, result.err
    report = result.json()
    assert report["summary"]["rows"] == 4
    flagged = [(f["row"], f["vendor"]) for f in report["findings"] if f["verdict"] != "clear"]
    assert flagged == [(4, "PALANTIR USG INC")]


def test_rows_the_file_leaves_out_are_blank_rows_numbered_as_excel_shows_them(cli, tmp_path):
    path = tmp_path / "gaps.xlsx"
    path.write_bytes(workbook(sheet(row(1, "Vendor Name", "Amount"), row(3, "Acme Paving", 10), row(None, "B", 1),
                                    row(7, "PALANTIR USG INC", 30))))
    report = cli("audit", str(path), "-f", "json", "--as-of", "2024-06-30").json()
    assert report["summary"]["rows"] == 6
    assert [s["row"] for s in report["summary"]["skipped"]] == [1, 4, 5]
    assert [(f["row"], f["vendor"]) for f in report["findings"]] == [(2, "Acme Paving"), (3, "B"),
                                                                      (6, "PALANTIR USG INC")]


def test_a_workbook_copy_of_a_csv_file_gives_its_report(cli, tmp_path):
    """Empty trailing cells (absent from the sheet's XML) make a row as wide as the header, not a ragged row."""
    openpyxl = pytest.importorskip("openpyxl")
    import csv

    book = openpyxl.Workbook()
    with EXAMPLE.open(newline="") as fh:
        for values in csv.reader(fh):
            book.active.append(values)
    book.save(tmp_path / "copy.xlsx")
    from_csv = cli("audit", str(EXAMPLE), "-f", "json", "--as-of", "2026-11-23").json()
    from_xlsx = cli("audit", str(tmp_path / "copy.xlsx"), "-f", "json", "--as-of", "2026-11-23").json()
    assert from_xlsx["findings"] == from_csv["findings"]
    assert {k: v for k, v in from_xlsx["summary"].items() if k != "input"} == \
        {k: v for k, v in from_csv["summary"].items() if k != "input"}


@pytest.mark.filterwarnings("ignore::UserWarning")  # openpyxl's own reading warns of the missing default style
def test_cells_read_here_are_the_values_openpyxl_reads(tmp_path):
    """Shared strings (rich text, phonetic guides, ``_x005F_``), dates, booleans, errors and formulas' cached values:
    the reader's cells are openpyxl's own values, written as text."""
    openpyxl = pytest.importorskip("openpyxl")
    from checker.sources.rows import text
    from checker.sources.xlsx_source import open_xlsx

    strings = (XML_HEAD + f'<sst xmlns="{MAIN}"><si><t>Vendor Name</t></si><si><t>Date</t></si>'
               '<si><r><rPr><b/></rPr><t>PALANTIR </t></r><r><t xml:space="preserve">USG INC </t></r>'
               '<rPh sb="0" eb="1"><t>PHONETIC</t></rPh></si><si><t>a_x005F_x000D_b</t></si></sst>')
    styles = (XML_HEAD + f'<styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" '
              'applyNumberFormat="1"/></cellXfs></styleSheet>')
    rows = ['<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="inlineStr"><is><t>'
            'Flag</t></is></c><c r="D1" t="inlineStr"><is><r><t>Am</t></r><r><t>ount</t></r></is></c></row>',
            '<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" s="1"><v>45300</v></c><c r="C2" t="b"><v>1</v></c>'
            '<c r="D2"><f>1+1</f><v>2.5</v></c></row>',
            '<row r="3"><c r="A3" t="s"><v>3</v></c><c r="B3" t="e"><v>#N/A</v></c><c r="C3" t="str"><v>x</v></c>'
            '<c r="D3"><v>1E+3</v></c></row>']
    path = tmp_path / "values.xlsx"
    path.write_bytes(workbook(sheet(*rows), strings=strings, parts={"xl/styles.xml": styles}))
    source = open_xlsx(path)
    ours = [source.header] + [r for chunk in source.chunks(10) for r in chunk]
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    theirs = [[text(v) for v in values] for values in book.worksheets[0].iter_rows(values_only=True)]
    book.close()
    assert ours == theirs
    assert ours[1][:2] == ["PALANTIR USG INC ", "2024-01-09"]


def test_a_missing_shared_string_table_is_one_line(cli, tmp_path):
    path = tmp_path / "strings.xlsx"
    path.write_bytes(workbook(sheet(row(1, "Vendor Name"), SHARED_VENDOR), strings=shared_strings(["Acme"]),
                              without=("xl/sharedStrings.xml",)))
    one_line_error(cli("audit", str(path)), "strings.xlsx: the shared strings are missing from the workbook")
    path.write_bytes(workbook(sheet(row(1, "Vendor Name"), '<row r="2"><c r="A2" t="s"><v>7</v></c></row>'),
                              strings=shared_strings(["Acme"])))
    one_line_error(cli("audit", str(path)), "strings.xlsx: sheet 'Payments', row 1: cell A2 cannot be read "
                                             "(IndexError")


def test_rows_out_of_order_are_refused_not_dropped(cli, tmp_path):
    """d9a5c34 dropped a row numbered below the one before it, silently."""
    path = tmp_path / "order.xlsx"
    path.write_bytes(workbook(sheet(row(1, "Vendor Name"), row(3, "Acme Paving"), row(2, "PALANTIR USG INC"))))
    one_line_error(cli("audit", str(path)), "order.xlsx: sheet 'Payments' has row 2 after row 3")


# -- XLSX: damaged archives and XML ---------------------------------------------------------------------------------
@pytest.mark.parametrize("part", ["xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/workbook.xml",
                                  "[Content_Types].xml", "xl/_rels/workbook.xml.rels", "xl/styles.xml"])
@pytest.mark.parametrize("attack", ["billion-laughs", "external-entity"])
def test_entities_are_never_expanded_or_fetched(cli, tmp_path, part, attack):
    """A document type declaration is refused in every part, before openpyxl's parser (defusedxml or not) or this
    reader's sees an entity: nothing is expanded, nothing read from the file system."""
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER-7431")
    external = f'<!DOCTYPE x [<!ENTITY xxe SYSTEM "{secret.as_uri()}">]>'
    doctype = BILLION_LAUGHS if attack == "billion-laughs" else external
    reference = "&lol9;" if attack == "billion-laughs" else "&xxe;"
    built = workbook(sheet(row(1, "Vendor Name"), SHARED_VENDOR, row(3, "ENTITY-HERE")),
                     strings=shared_strings(["ENTITY-HERE"]), parts={
                         "xl/styles.xml": XML_HEAD + f'<styleSheet xmlns="{MAIN}"><cellXfs count="1"><xf numFmtId="0"/>'
                                                     "</cellXfs></styleSheet>"})
    import zipfile

    with zipfile.ZipFile(io.BytesIO(built)) as original:
        contents = {info.filename: original.read(info) for info in original.infolist()}
    contents[part] = contents[part].replace(XML_HEAD.encode(), (XML_HEAD + doctype).encode(), 1).replace(
        b"ENTITY-HERE", reference.encode())
    path = tmp_path / "entity.xlsx"
    path.write_bytes(zip_archive(contents))
    result = cli("audit", str(path), "-f", "json")
    one_line_error(result, f"part {part} declares a document type")
    assert "SECRET-MARKER" not in result.out + result.err and "lollol" not in result.out + result.err


@pytest.mark.parametrize(("literal", "words"), [
    ("nan", "cell B2 cannot be read (ValueError"), ("NaN", "cell B2 cannot be read (ValueError"),
    ("1e999", "cell B2 holds inf, not a number Excel can hold"),
    ("-1E+999", "cell B2 holds -inf, not a number Excel can hold"),
    ("9" * 5000, "cell B2 cannot be read (ValueError: Exceeds the limit (4300 digits)"),
])
def test_a_number_that_is_not_one_is_refused_naming_its_cell(cli, tmp_path, literal, words):
    """d9a5c34: "nan" was an internal error (exit 3), 1e999 read as "inf"."""
    path = tmp_path / "numbers.xlsx"
    path.write_bytes(workbook(sheet(row(1, "Vendor Name", "Amount"), row(2, "PALANTIR USG INC", Num(literal)))))
    one_line_error(cli("audit", str(path), "-f", "json"), "numbers.xlsx: sheet 'Payments', row 1: " + words)


def test_a_zip_directory_of_thousands_of_parts_is_refused_before_it_is_read(cli, tmp_path):
    members: dict[str, bytes | str | Deflated] = {f"xl/media/padding-{i:05}.bin": b"" for i in range(20_000)}
    path = tmp_path / "parts.xlsx"
    path.write_bytes(workbook(sheet(*PAYMENTS), parts=members))
    one_line_error(cli("audit", str(path)), "the workbook's zip directory is", "at most 1,048,576 are read")


# -- XLSX: bounded time and memory -------------------------------------------------------------------------------
def test_a_huge_dimension_and_empty_rows_are_read_fast_in_flat_memory(tmp_path):
    """10,000 rows declared A1:XFD10000, each with an empty styled cell in column XFD: d9a5c34 took 12.5 s and
    1.4 GB (every row padded to 16,384 cells). Trailing empty cells are dropped; every row is counted."""
    rows = [row(1, "Vendor Name", "Amount")]
    rows += [f'<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>Acme Paving</t></is></c><c r="XFD{n}" s="0"/></row>'
             for n in range(2, 10_001)]
    rows.append(row(10_001, "PALANTIR USG INC", 30))
    path = tmp_path / "wide.xlsx"
    path.write_bytes(workbook(sheet(*rows, dimension="A1:XFD10001")))
    out = tmp_path / "out.json"
    measured = run_measured(tmp_path, "audit", str(path), "-f", "json", "-o", str(out), "--as-of", "2024-06-30")
    assert measured.code == 0, measured.err
    report = json.loads(out.read_text())
    assert report["summary"]["rows"] == 10_000 and report["findings"][-1]["vendor"] == "PALANTIR USG INC"
    assert measured.seconds < 10
    assert measured.peak_mb is None or measured.peak_mb < 250, measured.peak_mb


def test_2_gib_of_whitespace_is_refused_in_flat_memory(tmp_path):
    """A 2 MB workbook whose sheet holds 2 GiB of spaces between two rows: d9a5c34 grew to 2.1 GB."""
    head = sheet(*PAYMENTS).split("</sheetData>")[0]
    path = tmp_path / "spaces.xlsx"
    path.write_bytes(workbook(repeated(head, b" " * (16 << 20), 128, "</sheetData></worksheet>")))
    assert path.stat().st_size < 3_000_000
    measured = run_measured(tmp_path, "audit", str(path), "-f", "json")
    _refused(measured, "spaces.xlsx: part xl/worksheets/sheet1.xml has more than 4,194,304 bytes without a tag")
    assert measured.seconds < 10
    assert measured.peak_mb is None or measured.peak_mb < 200, measured.peak_mb


def test_2_gib_of_tiny_elements_are_refused_by_their_compression_ratio(tmp_path):
    head = sheet(*PAYMENTS).split("</sheetData>")[0]
    path = tmp_path / "elements.xlsx"
    path.write_bytes(workbook(repeated(head, b"<x/>" * (4 << 20), 128, "</sheetData></worksheet>")))
    measured = run_measured(tmp_path, "audit", str(path), "-f", "json")
    _refused(measured, "part xl/worksheets/sheet1.xml expands more than 100-fold when decompressed")
    assert measured.seconds < 10
    assert measured.peak_mb is None or measured.peak_mb < 200, measured.peak_mb


def test_too_many_shared_strings_are_refused_quickly_in_bounded_memory(tmp_path):
    """d9a5c34 read them all (5 million: 38 s, 820 MB) whatever the table's count said; they are counted as read.
    1.2 million, just past the bound, are enough to show it."""
    body = (XML_HEAD + f'<sst xmlns="{MAIN}" count="1" uniqueCount="1">').encode() + b"".join(
        b"<si><t>VENDOR %d</t></si>" % i for i in range(1_200_000)) + b"</sst>"
    packer = zlib.compressobj(1, zlib.DEFLATED, -15)
    strings = Deflated(packer.compress(body) + packer.flush(), zlib.crc32(body), len(body))
    path = tmp_path / "strings.xlsx"
    path.write_bytes(workbook(sheet(row(1, "Vendor Name"), SHARED_VENDOR),
                              strings=strings))
    del body
    measured = run_measured(tmp_path, "audit", str(path), "-f", "json")
    _refused(measured, "part xl/sharedStrings.xml holds more than 1,000,000 shared strings", "save the sheet as CSV")
    assert measured.seconds < 15
    assert measured.peak_mb is None or measured.peak_mb < 400, measured.peak_mb


BOUNDS = {  # constant, value for the test, the workbook, words of the refusal
    "MAX_WORKBOOK_BYTES": (1_000, "payments", "the workbook decompresses to more than 1,000 bytes"),
    "MAX_PART_BYTES": (300, "payments", "part [Content_Types].xml decompresses to more than 300 bytes"),
    "MAX_PART_ELEMENTS": (3, "payments", "part [Content_Types].xml holds more than 3 XML elements"),
    "MAX_SHARED_STRINGS": (2, "strings", "part xl/sharedStrings.xml holds more than 2 shared strings"),
    "MAX_ITEM_ELEMENTS": (2, "payments", "the header row: a cell holds more than 2 XML elements"),
    "MAX_ROW_CELLS": (1, "payments", "the header row: more than 1 cells"),
    "MAX_ZIP_DIRECTORY": (100, "payments", "the workbook's zip directory is"),
    "EXCEL_MAX_ROWS": (2, "payments", "has a row numbered 3, past Excel's last row (2)"),
}


@pytest.mark.parametrize("bound", sorted(BOUNDS))
def test_each_declared_bound_is_measured_and_refuses_with_one_line(cli, tmp_path, monkeypatch, bound):
    from checker.sources import xlsx_source

    value, kind, words = BOUNDS[bound]
    monkeypatch.setattr(xlsx_source, bound, value)
    path = tmp_path / "bounded.xlsx"
    if kind == "strings":
        path.write_bytes(workbook(sheet(row(1, "Vendor Name"), SHARED_VENDOR),
                                  strings=shared_strings(["a", "b", "c"])))
    else:
        path.write_bytes(payments_workbook())
    one_line_error(cli("audit", str(path), "-f", "json"), "bounded.xlsx: ", words)


def test_the_ratio_and_tagless_bounds_apply_past_their_thresholds(cli, tmp_path, monkeypatch):
    from checker.sources import xlsx_source

    monkeypatch.setattr(xlsx_source, "RATIO_MEASURED_FROM", 100)
    path = tmp_path / "ratio.xlsx"
    path.write_bytes(workbook(sheet(*PAYMENTS, *[row(None, "Acme Paving", 1) for _ in range(2000)])))
    one_line_error(cli("audit", str(path)), "ratio.xlsx: part xl/worksheets/sheet1.xml expands more than 100-fold")
    monkeypatch.setattr(xlsx_source, "RATIO_MEASURED_FROM", 4 << 20)
    monkeypatch.setattr(xlsx_source, "MAX_XML_RUN", 20)
    monkeypatch.setattr(xlsx_source, "BLOCK", 8)
    one_line_error(cli("audit", str(path)), "ratio.xlsx: part [Content_Types].xml has more than 20 bytes without a "
                                             "tag")


# -- JSON Lines ------------------------------------------------------------------------------------------------------
def _jsonl(tmp_path: Path, body: bytes | str, name: str = "pay.jsonl") -> Path:
    path = tmp_path / name
    path.write_bytes(body.encode() if isinstance(body, str) else body)
    return path


@pytest.mark.parametrize(("line", "words"), [
    ('{"Vendor Name": ' + "[" * 100_000 + "]" * 100_000 + "}", "line 3: nested more than 64 levels deep"),
    ('{"Vendor Name": "B", "Tags": ' + "[" * 70 + "]" * 70 + "}", "line 3: nested more than 64 levels deep"),
    ('{"Vendor Name": "B", "Amount": ' + "7" * 5000 + "}", "line 3: a number of 5,000 digits"),
    ('{"Vendor Name": "B", "Amount": 1.' + "5" * 200 + "}", "line 3: a number of 202 characters"),
    ('{"Vendor Name": "PALANTIR \\ud800 USG INC"}', "line 3: a string holds half of a surrogate pair"),
    ('{"Vendor Name": "PALANTIR \\udc00\\ud800 USG INC"}', "line 3: a string holds half of a surrogate pair"),
    ('{"Vendor Name": "Acme", "Vendor Name": "PALANTIR USG INC"}',
     "line 3: the key 'Vendor Name' is given twice in one object"),
    ('{"Vendor Name": "B", "Detail": {"a": 1, "a": 2}}', "line 3: the key 'a' is given twice"),
    ('{"Vendor Name": "B", "Amount": NaN}', "line 3: NaN is not a JSON number"),
    ('{"Vendor Name": "B", "Amount": -Infinity}', "line 3: -Infinity is not a JSON number"),
    ('{"Vendor Name": "B", "Amount": 1e999}', "line 3: the number 1e999 is too large to be one"),
    ("[1, 2]", "line 3: expected a JSON object, found list"),
])
def test_a_json_line_a_table_cannot_hold_is_refused_naming_it(cli, tmp_path, line, words):
    """d9a5c34: deep nesting, a long number and a lone surrogate were internal errors (exit 3); a repeated key kept
    its last value silently, and NaN, Infinity and 1e999 were read as amounts."""
    path = _jsonl(tmp_path, '{"Vendor Name": "Acme Paving", "Amount": 1}\n\n' + line + "\n")
    one_line_error(cli("audit", str(path), "-f", "json"), "pay.jsonl: " + words)


def test_json_values_a_table_can_hold_are_read(cli, tmp_path):
    path = _jsonl(tmp_path, '{"Vendor Name": "Acme Paving", "Amount": 1, "Tags": null}\n'
                            '{"Vendor Name": "PALANTIR \\ud83d\\ude00 USG INC", "Amount": 2.50, "Tags": '
                            + "[" * 10 + "]" * 10 + "}\n")
    result = cli("audit", str(path), "-f", "json", "--as-of", "2024-06-30")
    assert result.code == 0, result.err
    assert [f["vendor"] for f in result.json()["findings"]] == ["Acme Paving", "PALANTIR \U0001f600 USG INC"]


def test_a_codec_error_names_the_line_of_the_bad_byte(cli, tmp_path):
    """Lines are decoded one by one: d9a5c34 decoded 8 KB at a time and named the line after the last one read."""
    lines = ["", '{"Vendor Name": "Acme Paving", "Amount": 1}'] + [f'{{"Vendor Name": "V{i}"}}' for i in range(5000)]
    body = "\n".join(lines).encode() + b'\n{"Vendor Name": "Caf\xe9"}\n' + b'{"Vendor Name": "Z"}\n' * 100
    one_line_error(cli("audit", str(_jsonl(tmp_path, body)), "-f", "json"), "pay.jsonl: line 5003: not UTF-8 text")


def test_a_long_line_and_a_wide_object_are_refused(cli, tmp_path):
    from checker.sources.jsonl_source import MAX_JSON_LINE

    long = '{"Vendor Name": "' + "A" * (MAX_JSON_LINE + (2 << 20)) + '"}'
    one_line_error(cli("audit", str(_jsonl(tmp_path, '{"Vendor Name": "B"}\n' + long + "\n"))),
                    "line 2 is longer than 4,194,304 bytes")
    wide = "{" + ", ".join(f'"k{i}": 1' for i in range(10_001)) + "}"
    one_line_error(cli("audit", str(_jsonl(tmp_path, wide + "\n", "wide.jsonl"))),
                    "wide.jsonl: line 1: an object has 10,001 keys; at most 10,000 are read")


def test_json_lines_from_a_named_pipe_are_read(tmp_path):
    fifo = tmp_path / "payments.jsonl"
    os.mkfifo(fifo)
    proc = subprocess.Popen([sys.executable, "-m", "checker", "audit", str(fifo), "-f", "json", "--as-of",
                             "2024-06-30", "-q"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    with open(fifo, "wb") as fh:
        fh.write(b'{"Vendor Name": "Acme Paving", "Amount": 1}\n' * 3000 + b'{"Vendor Name": "PALANTIR USG INC"}\n')
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    report = json.loads(out)
    assert report["summary"]["rows"] == 3001 and report["findings"][-1]["verdict"] != "clear"


# -- Parquet ---------------------------------------------------------------------------------------------------------
def test_a_parquet_file_with_a_name_or_text_that_is_not_utf8_is_one_line(cli, tmp_path):
    seed = parquet_file()
    path = tmp_path / "names.parquet"
    path.write_bytes(seed.replace(b"Vendor Name", b"V\xe5ndor Name"))
    one_line_error(cli("audit", str(path)), "names.parquet: not a readable Parquet file (a column name is not UTF-8")
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    buffer = io.BytesIO()
    pq.write_table(pa.table({"Vendor Name": ["Acme Paving", "PALANTIR USG INC", "Acme Paving"]}), buffer,
                   compression="none", use_dictionary=False)
    path.write_bytes(buffer.getvalue().replace(b"PALANTIR", b"PAL\xe5NTIR"))
    one_line_error(cli("audit", str(path)), "names.parquet: row 2: column 'Vendor Name' holds text that is not UTF-8")


def test_a_parquet_file_of_too_many_columns_is_refused(cli, tmp_path):
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.table({f"c{i}": [1] for i in range(10_001)}), tmp_path / "wide.parquet")
    one_line_error(cli("audit", str(tmp_path / "wide.parquet")), "has 10,001 columns; at most 10,000 are read")


def test_a_batch_too_large_once_decoded_is_refused_before_it_becomes_text(cli, tmp_path, monkeypatch):
    from checker.sources import parquet_source

    monkeypatch.setattr(parquet_source, "MAX_BATCH_BYTES", 1000)
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    pq.write_table(pa.table({"Vendor Name": ["Acme Paving"] * 10 + ["x" * 5000]}), tmp_path / "big.parquet")
    one_line_error(cli("audit", str(tmp_path / "big.parquet")), "rows 1 to 11 take", "at most 1,000 are read")


def test_a_huge_row_group_is_read_a_piece_at_a_time(tmp_path):
    """One row group of 60 MB: pyarrow's default read each column chunk whole (its memory pool peaked at the chunk's
    size); read ``READ_BUFFER`` bytes at a time, the pool stays at a few MB."""
    pa = pytest.importorskip("pyarrow")
    pq = pytest.importorskip("pyarrow.parquet")
    rows = 600_000
    data = os.urandom(50 * rows).hex().encode()
    offsets = pa.array(range(0, len(data) + 1, 100), pa.int32())
    names = pa.StringArray.from_buffers(rows, offsets.buffers()[1], pa.py_buffer(data))
    pq.write_table(pa.table({"Vendor Name": names}), tmp_path / "group.parquet", row_group_size=rows,
                   compression="none", use_dictionary=False)
    assert pq.ParquetFile(tmp_path / "group.parquet").metadata.num_row_groups == 1
    code = ("import sys, pyarrow as pa\nfrom checker.sources.parquet_source import open_parquet\n"
            "source = open_parquet(sys.argv[1])\nrows = sum(len(chunk) for chunk in source.chunks(8192))\n"
            "print(rows, pa.default_memory_pool().max_memory())")
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "group.parquet")], capture_output=True,
                          text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    read, pool_peak = map(int, done.stdout.split())
    assert read == rows
    assert pool_peak < 16 << 20, pool_peak
