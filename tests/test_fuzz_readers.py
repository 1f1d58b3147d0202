"""Property test of every reader: random bytes, and valid small files cut short or with bytes flipped or overwritten,
give rows or one InputError, never another exception, a hang or unbounded memory.

The readers (CSV, Excel, JSON Lines, Parquet, holdings) read every chunk in a child process started by the test,
under an address-space limit, with an alarm on each example and a timeout on the whole; the test asserts the
child's peak resident memory. hypothesis is derandomized (the same examples each run), so that CI never flakes.
"""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import ROOT

ADDRESS_SPACE = 5 << 29
"""The child's address-space limit (2.5 GiB): pyarrow alone reserves some 1.5 GB of address space it never uses."""
PEAK_RESIDENT = 1 << 30
"""Most resident memory the child may reach, all examples together (it needs some 150 MB)."""
EXAMPLE_SECONDS = 10
"""Seconds after which one example counts as a hang."""
TIMEOUT = 120
"""Seconds for the whole run (it takes some 10)."""
EXAMPLES = {"random": 60, "damaged": 250}
"""Examples per reader: random bytes, and damaged copies of a valid file."""
KINDS = ("csv", "holdings", "xlsx", "jsonl", "parquet")


def test_every_reader_gives_rows_or_one_input_error(tmp_path):
    pytest.importorskip("hypothesis")
    pytest.importorskip("pyarrow")

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))

    done = subprocess.run([sys.executable, __file__, str(tmp_path)], capture_output=True, text=True, cwd=ROOT,
                          timeout=TIMEOUT, preexec_fn=limit, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-4000:])
    peak = int(done.stdout.split("peak resident kB:")[1].split()[0]) * 1024
    assert peak < PEAK_RESIDENT, peak


# -- in the child process -------------------------------------------------------------------------------------------
def _seeds() -> dict[str, bytes]:
    """A small valid file of each kind."""
    from test_hostile_readers import MAIN, XML_HEAD, Num, parquet_file, row, sheet, workbook

    header = ('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Amount</t></is></c>'
              '<c r="C1" t="inlineStr"><is><t>Payment Date</t></is></c></row>')

    strings = (XML_HEAD + f'<sst xmlns="{MAIN}"><si><t>Vendor Name</t></si><si><r><t>PALANTIR </t></r><r><t>USG INC'
               "</t></r></si></sst>")
    styles = (XML_HEAD + f'<styleSheet xmlns="{MAIN}"><cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14" '
              'applyNumberFormat="1"/></cellXfs></styleSheet>')
    payment = '<row r="2"><c r="A2" t="s"><v>1</v></c><c r="B2"><v>12.5</v></c><c r="C2" s="1"><v>45300</v></c></row>'
    xlsx = workbook(sheet(header, payment, row(3, "Acme Paving", Num("7"))),
                    strings=strings, parts={"xl/styles.xml": styles})
    jsonl = (b'{"Vendor Name": "Acme Paving", "Amount": 12.5, "Tags": ["a", {"b": null}]}\n\n'
             b'{"Vendor Name": "PALANTIR USG INC", "Amount": 3, "Extra": true}\n')
    return {"csv": (ROOT / "examples" / "city-payments.csv").read_bytes(), "xlsx": xlsx, "jsonl": jsonl,
            "parquet": parquet_file(), "holdings": (ROOT / "examples" / "holdings.csv").read_bytes()}


def _read_all(kind: str, path: Path, valid: bool = False) -> None:
    """Read a file to its end as the tool does; only an InputError may come out (none from a ``valid`` file)."""
    from checker.errors import InputError
    from checker.sources.base import ReadOptions
    from checker.sources.holdings_source import read_holdings
    from checker.sources.readers import open_source

    try:
        if kind == "holdings":
            source, items = read_holdings(path)
            for _ in items:
                pass
        else:
            source = open_source(path, ReadOptions())
            for _ in source.chunks(7):
                pass
        source.sha256()
    except InputError as exc:
        assert not valid, str(exc)
        assert str(exc).startswith(str(path)) and "\n" not in str(exc), str(exc)


def _hung(signum: int, frame: object) -> None:
    raise TimeoutError(f"one example took more than {EXAMPLE_SECONDS} s")


def _fuzz_reader(kind: str, seed: bytes, try_reading: Callable[..., None], quiet: dict[str, Any]) -> None:
    """Random bytes, then damaged copies of ``seed`` (cut short, bytes flipped or overwritten), then the seed."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    edits = st.lists(st.tuples(st.integers(0, len(seed) - 1), st.binary(min_size=1, max_size=8)), max_size=6)

    @settings(max_examples=EXAMPLES["random"], **quiet)
    @given(st.binary(max_size=4096))
    def random_bytes(body: bytes) -> None:
        try_reading(kind, body)

    @settings(max_examples=EXAMPLES["damaged"], **quiet)
    @given(st.one_of(st.none(), st.integers(0, len(seed) - 1)), edits, st.booleans())
    def damaged(cut: int | None, overwrites: list[tuple[int, bytes]], flip: bool) -> None:
        body = bytearray(seed if cut is None else seed[:cut])
        for at, data in overwrites:
            if flip:
                body[at:at + len(data)] = bytes(b ^ d for b, d in zip(body[at:at + len(data)], data, strict=False))
            else:
                body[at:at + len(data)] = data
        try_reading(kind, bytes(body))

    random_bytes()
    damaged()
    try_reading(kind, seed, valid=True)


def _fuzz(folder: Path) -> None:
    from hypothesis import HealthCheck

    seeds = _seeds()
    signal.signal(signal.SIGALRM, _hung)
    quiet = {"derandomize": True, "deadline": None, "database": None, "print_blob": False,
             "suppress_health_check": list(HealthCheck)}

    def try_reading(kind: str, body: bytes, valid: bool = False) -> None:
        path = folder / f"fuzz.{'csv' if kind == 'holdings' else kind}"
        path.write_bytes(body)
        signal.alarm(EXAMPLE_SECONDS)
        try:
            _read_all(kind, path, valid)
        finally:
            signal.alarm(0)

    for kind in KINDS:
        _fuzz_reader(kind, seeds[kind], try_reading, quiet)
    with open("/proc/self/status") as fh:
        print("peak resident kB:", next(line.split()[1] for line in fh if line.startswith("VmHWM:")))


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    _fuzz(Path(sys.argv[1]))
