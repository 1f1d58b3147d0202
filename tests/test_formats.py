"""Formats render each judgement's shared part once; every row is what rendering it afresh gives."""

from __future__ import annotations

import json
from datetime import date

import pytest

from checker.api import Checker
from checker.formats import View, get
from checker.formats.common import judgement_dict, record_dict
from checker.formats.listing import WITHHELD, row_cells

from conftest import ROOT

EXAMPLE = str(ROOT / "examples" / "city-payments.csv")


def test_json_rows_equal_the_generic_encoding():
    """Each finding in a JSON report is ``json.dumps`` of its record's and its judgement's fields."""
    import io

    out = io.StringIO()
    get("json").write(Checker(as_of=date(2024, 6, 30)).audit(EXAMPLE), out, View())
    found = json.loads(out.getvalue())["findings"]
    run = Checker(as_of=date(2024, 6, 30)).audit(EXAMPLE)
    columns = list(run.input_columns)
    expected = [{**record_dict(f.record), "cells": dict(zip(columns, row_cells(f, columns, False), strict=True)),
                 **judgement_dict(f.judgement)} for f in run.findings]
    assert found == expected and len(found) == 17
    assert found[0]["cells"]["Description"] == "Westlaw subscription renewal"
    assert found[2]["cells"]["Vendor Name"] == WITHHELD  # an individual payee's name is not repeated


def _generic_csv(run, show_individuals: bool) -> str:
    """The CSV report written cell by cell from the shared helpers, every row afresh."""
    import csv
    import io

    from checker.formats.common import (
        citations_text,
        display_vendor,
        evidence_text,
        main_reason,
        neutralise_cell,
        sources_text,
    )
    from checker.formats.csv_format import header
    from checker.formats.listing import evidence_ids, names_person

    out = io.StringIO()

    def writerow(cells: list[str]) -> None:  # lines end in LF; a cell holding a CR or an LF is quoted
        line = io.StringIO()
        csv.writer(line, lineterminator="\r\n").writerow(cells)
        out.write(line.getvalue()[:-2] + "\n")

    ids = [rs.id for rs in run.rulesets]
    columns = list(run.input_columns)
    writerow(header(ids, columns))
    for f in run.findings:
        m, outcomes = f.match, {r.rule_set: r.outcome for r in f.rules}
        reasons = {r.rule_set: r.reason for r in f.rules}
        cells = [str(f.record.row), display_vendor(f, show_individuals), f.verdict, f.entity_name or "",
                 f.family_name or "", f.relation or "", m.matched_name if m else "",
                 f"{m.score * 100:.1f}" if m else "", m.band if m else "", *[outcomes.get(i, "") for i in ids],
                 main_reason(f), citations_text(f), evidence_text(f), sources_text(f), f.product or "",
                 f.decision or "", f.cause or "", f.verdict, *[reasons.get(i, "") for i in ids], evidence_ids(f),
                 *[(f.record.cells or {}).get(c, "") for c in columns]]
        if f.person and not show_individuals:  # the payee's own name is withheld in their row's cells
            cells = [WITHHELD if i >= len(header(ids)) and c and names_person(c, f.record.vendor) else c
                     for i, c in enumerate(cells)]
        writerow([neutralise_cell(c) for c in cells])
    return out.getvalue()


@pytest.mark.parametrize("show_individuals", [False, True])
def test_csv_lines_equal_the_cell_by_cell_encoding(tmp_path, show_individuals):
    """A CSV report encodes each judgement's cells once; every line is what writing its cells afresh gives,
    for vendor cells a spreadsheet or the csv module treats specially."""
    import csv
    import io

    from checker.formats.common import neutralise_cell

    vendors = ['"WEST PUBLISHING CORP"', '"=HYPERLINK(""x"")"', '"Acme, ""Paving"""', '"Line\nbreak Inc"',
               '"DOE, JANE"', "-Minus Co", "@At Co", '"Caf\u00e9 \u00ab Olé \u00bb"', "PALANTIR USG INC", "Plain Co"]
    notes = ["", "+1 555", '"\tTab first"', '"a\rb"', '"say ""hi"""', "-", '"x,y"', "=1", "@home", "plain note",
             '"line\nbreak"', "a-b+c=d@e"]  # each checked where the joined line is checked as a whole
    notes_read = [next(csv.reader([n]))[0] if n else "" for n in notes]  # the cells as the file holds them
    rows = ["Vendor Name,Amount,Payment Date,Notes,More"] + [
        f"{vendors[i % len(vendors)]},{i - 20},2020-01-0{i % 9 + 1},{notes[i % len(notes)]},"
        + (notes[i // 5 % len(notes)] if i % 5 == 0 else "ok") for i in range(240)]
    path = tmp_path / "p.csv"
    path.write_bytes(("\n".join(rows) + "\n").encode("utf-8"))
    checker = Checker(as_of=date(2024, 6, 30))
    out = io.StringIO()
    get("csv").write(checker.audit(str(path)), out, View(show_individuals=show_individuals))
    assert out.getvalue() == _generic_csv(checker.audit(str(path)), show_individuals)
    assert ("DOE" in out.getvalue()) is show_individuals and out.getvalue().count("\n'=HYPERLINK") == 0
    read = list(csv.DictReader(io.StringIO(out.getvalue(), newline="")))  # each row reads back as one row
    assert [r["Notes"] for r in read] == [neutralise_cell(notes_read[i % len(notes)]) for i in range(240)]


def test_the_joined_row_check_knows_every_special_first_character_and_quoted_character():
    """A row's input cells are written as they are only when no cell begins as a formula or holds a character the
    csv module quotes: the check on the joined text covers each of ``FORMULA_FIRST`` and ``_QUOTED``, in the first
    cell and after it, so a character added to either set cannot slip past it."""
    from checker.formats.common import FORMULA_FIRST
    from checker.formats.csv_format import _QUOTED, _as_written

    assert _as_written("2024-01-05,POLICE,ACME INC,12.50", 4)
    for c in FORMULA_FIRST | _QUOTED:
        assert not _as_written(f"{c}x,a", 2) and not _as_written(f"a,{c}x", 2), c
    for c in _QUOTED:
        assert not _as_written(f"a,x{c}y", 2), c


def test_rows_written_as_bytes_equal_rows_written_as_text(tmp_path):
    """A file or stdout gets the rows as UTF-8 bytes in blocks; the text is what a text stream gets."""
    import io

    from checker.formats.json_format import _judged, _row_fields
    from checker.formats.output import write_judged_rows

    def write_rows(findings, out, first):
        return write_judged_rows(findings, out, _row_fields, _judged, first, ",\n  ")

    listed = list(Checker(as_of=date(2024, 6, 30)).audit(EXAMPLE).findings) * 200  # several blocks' worth
    text = io.StringIO()  # no binary buffer: written as text
    assert write_rows(listed, text, "\n  ") == len(listed)
    with open(tmp_path / "rows.json", "w", encoding="utf-8", newline="") as fh:
        fh.write("[")  # held by the text layer: must come first
        assert write_rows(listed, fh, "\n  ") == len(listed)
        fh.write("]")
    assert (tmp_path / "rows.json").read_text(encoding="utf-8") == "[" + text.getvalue() + "]"


@pytest.mark.parametrize("fmt", ["simple", "github"])
def test_streamed_table_is_laid_out_as_tabulate_does(fmt):
    """Plain text and Markdown tables, with the last cells of some rows shared, as tabulate lays them out."""
    import io
    import random

    from tabulate import tabulate

    from checker.formats.text_table import TableSpool

    rnd = random.Random(5)
    words = ["WEST", "PUBLISHING CORP", "x", "potential_violation", "clear", "(individual payee)", " padded ",
             "West Publishing Corporation (Thomson Reuters Corporation family), score 100", "Caf\u00e9 \\| Ol\u00e9"]
    joiner = "\n" if fmt == "simple" else " "  # Markdown cells are single lines
    headers = ["Row", "Vendor", "Verdict", "Registry match", "Why"]
    for _ in range(200):
        shared_ends = [[joiner.join(rnd.choice(words) for _ in range(rnd.randint(1, 3))) for _ in range(3)]
                       for _ in range(3)]
        ends = [rnd.randrange(3) for _ in range(rnd.randint(1, 8))]
        rows = [[rnd.randint(1, 10 ** rnd.randint(1, 7)), joiner.join(rnd.choice(words) for _ in range(2))]
                + shared_ends[k] for k in ends]
        out, spool = io.StringIO(), TableSpool(headers, markdown=fmt == "github")
        shared = [TableSpool.shared(end) for end in shared_ends]
        for row, k in zip(rows, ends, strict=True):
            if rnd.random() < 0.5:
                spool.add(row[:2], shared[k])
            else:
                spool.add(row)
        spool.write(out)
        assert out.getvalue() == tabulate(rows, headers=headers, tablefmt=fmt)


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_audit_tables_equal_tabulate_of_each_row_afresh(tmp_path, fmt):
    """Rows sharing a judgement share its prepared cells; the table is the one tabulate makes of every row's
    cells worked out afresh (names wrapped, pipes escaped, individuals unnamed)."""
    import io

    from tabulate import tabulate

    from checker.formats.common import display_vendor, main_reason, match_text
    from checker.formats.listing import EvidencePacket
    from checker.formats.table import _prepared, evidence_ref, render_audit

    names = ["WEST PUBLISHING CORP", "A|B Paving", "DOE, JANE", "PALANTIR USG INC", "LEXISNEXIS RISK SOLUTIONS",
             "Very Long Vendor Name Incorporated Of The Greater Metropolitan Area Holdings", "Motorola Solutions",
             "B I", "GEO GROUP LLC"]  # a possible match of the GEO family first, its family's evidence after it
    rows = ["Vendor Name,Amount,Payment Date"] + [f'"{names[i % len(names)]}",{i},2024-0{i % 9 + 1}-02'
                                                 for i in range(60)]
    path = tmp_path / "p.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    checker = Checker(as_of=date(2024, 6, 30))
    out, again = io.StringIO(), io.StringIO()
    render_audit(checker.audit(str(path)), out, fmt, View())
    render_audit(checker.audit(str(path)), again, fmt, View())  # the same judgements, prepared by the first table
    assert again.getvalue() == out.getvalue()
    listed = list(checker.audit(str(path)).findings)
    packet = EvidencePacket()  # the evidence, numbered by family as rows first show it: a row refers to what is
    # numbered when it is listed, whichever rows share its judgement
    cells = []
    for f in listed:
        packet.add(f)
        cells.append(_prepared(fmt, [f.record.row, display_vendor(f, False), f.verdict,
                                     match_text(f) + evidence_ref(packet, f.judgement, fmt == "markdown"),
                                     main_reason(f)], (None, 40, None, 40, 70)))
    expected = tabulate(cells, headers=["Row", "Vendor", "Verdict", "Registry match", "Why"],
                        tablefmt="simple" if fmt == "table" else "github")
    assert expected in out.getvalue() and "DOE" not in out.getvalue()


def test_screen_rule_table_is_laid_out_as_tabulate_does():
    import random

    from tabulate import tabulate

    from checker.formats.table import RULE_WIDTHS, _wrap
    from checker.formats.text_table import simple_table

    rnd = random.Random(3)
    headers = ["Rule set", "Outcome", "Clause", "Reason"]
    words = ["berkeley-ca", "prohibited", "x", "", "  padded  ",
             "Richmond Ord. No. 12-18 (contracting provision; section not found) (text unverified)",
             "West Publishing Corporation: it provides ICE with data broker services; a proposed new contract on "
             "2026-11-23 is covered (amended, extended, new), and no waiver is recorded"]
    for _ in range(300):
        rows = [[rnd.choice(words[:3])] + [rnd.choice(words) for _ in range(3)] for _ in range(rnd.randint(1, 5))]
        wrapped = [[c if w is None else _wrap(c, w) for c, w in zip(row, RULE_WIDTHS, strict=True)] for row in rows]
        assert simple_table(headers, wrapped) == tabulate(rows, headers=headers, tablefmt="simple",
                                                          maxcolwidths=list(RULE_WIDTHS))


@pytest.mark.parametrize("fmt", ["table", "markdown"])
def test_rollup_is_laid_out_as_tabulate_does(fmt):
    """The roll-up, laid out without tabulate, is tabulate's table with its column widths and alignments."""
    import random

    from tabulate import tabulate

    from checker.formats.listing import ROLLUP_HEADERS
    from checker.formats.table import ROLLUP_RIGHT, ROLLUP_WIDTHS, _cells, _prepared
    from checker.formats.text_table import simple_table

    rnd = random.Random(7)
    words = ["WEST PUBLISHING CORP", "x", "", " padded ", "12 rows", "$1,234,567.89 (3 unreadable)", "A|B",
             "West Publishing Corporation (Thomson Reuters Corporation family)", "2018-06-01 – 2024-05-30",
             "POLICE; CITY ATTORNEY; INFORMATION TECHNOLOGY; LIBRARY; PUBLIC WORKS; WATER SERVICES"]
    markdown = fmt == "markdown"
    align = ("left", "left", "left", "right", "right", "left", "left")  # rows and amount to the right
    for _ in range(120):
        rows = [[" ".join(rnd.choice(words) for _ in range(rnd.randint(1, 3))) for _ in ROLLUP_HEADERS]
                for _ in range(rnd.randint(1, 6))]
        laid = simple_table(ROLLUP_HEADERS, [_prepared(fmt, row, ROLLUP_WIDTHS) for row in rows], ROLLUP_RIGHT,
                            markdown=markdown)
        assert laid == tabulate([_cells(fmt, row) for row in rows], headers=ROLLUP_HEADERS,
                                tablefmt="github" if markdown else "simple", disable_numparse=True,
                                maxcolwidths=None if markdown else [30, None, 40, None, None, None, 40], colalign=align)
