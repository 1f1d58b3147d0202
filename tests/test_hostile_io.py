"""Hostile input and output, round two: CSV inputs from pipes and devices, outputs over special files, signals,
ambiguous columns, amounts, names and terminals. Each case failed on d9a5c34 (a traceback, exit 3, a hang, silent
loss or a wrong result) and is refused with one clear line, or handled, now."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import ROOT, one_line_error, signal_when_stopped

EXAMPLE = ROOT / "examples" / "city-payments.csv"
PY = [sys.executable, "-m", "checker"]


def _run(args: list[str], stdin: bytes | None = None, timeout: float = 60, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*PY, *args], input=stdin, capture_output=True, timeout=timeout, **kw)


# -- inputs: standard input, pipes, devices -----------------------------------------------------------------
def test_standard_input_is_read_as_a_stream():
    done = _run(["audit", "-", "-f", "json", "--as-of", "2024-06-30", "-q"], stdin=EXAMPLE.read_bytes())
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["summary"]["rows"] == 19 and report["provenance"]["input"]["path"] == "-"
    import hashlib

    assert report["provenance"]["input"]["sha256"] == hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()


def test_a_named_pipe_is_read_once(tmp_path):
    fifo = tmp_path / "pay.fifo"
    os.mkfifo(fifo)
    proc = subprocess.Popen([*PY, "audit", str(fifo), "-f", "json", "--as-of", "2024-06-30", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    with open(fifo, "wb") as fh:
        fh.write(EXAMPLE.read_bytes())
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert json.loads(out)["summary"]["rows"] == 19


@pytest.mark.parametrize("option", ["audit", "holdings", "--rules", "--waivers", "--decisions"])
def test_a_device_is_refused_not_read_forever(option):
    args = {"audit": ["audit", "/dev/zero"], "holdings": ["holdings", "/dev/zero"],
            "--rules": ["screen", "ACME", "--rules", "/dev/zero"],
            "--waivers": ["screen", "ACME", "--waivers", "/dev/zero"],
            "--decisions": ["screen", "ACME", "--decisions", "/dev/zero"]}[option]
    done = _run(args, timeout=60)
    assert done.returncode == 2, done.stderr[-500:]
    assert done.stderr.decode().count("\n") == 1 and b"/dev/zero" in done.stderr


def test_a_line_that_never_ends_is_refused_without_filling_memory(tmp_path):
    """A pipe of NUL bytes (no line break) stops at the line bound, in bounded memory."""
    head = b"Vendor Name,Amount\n"
    proc = subprocess.Popen(["/bin/sh", "-c", f"{{ printf 'Vendor Name,Amount\\n'; head -c 200000000 /dev/zero; }}"
                             f" | {sys.executable} -m checker audit - -q"], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 2 and b"line 2 is longer than" in err, err[-400:]
    assert head


@pytest.mark.parametrize(("content", "words"), [
    (b"PK\x03\x04" + b"\x00" * 100, ["Excel workbook"]),
    (b"PAR1" + b"\x00" * 100, ["Parquet"]),
])
def test_a_file_of_another_kind_is_named_as_such(cli, tmp_path, content, words):
    path = tmp_path / "export.csv"
    path.write_bytes(content)
    one_line_error(cli("audit", str(path)), "export.csv", *words)


def test_utf32_is_read(cli, tmp_path):
    path = tmp_path / "u32.csv"
    path.write_bytes("Vendor Name,Amount\nPALANTIR USG INC,5\n".encode("utf-32"))
    result = cli("audit", str(path), "-f", "json", "--as-of", "2024-06-30")
    assert result.code == 0, result.err
    assert result.json()["findings"][0]["match"]["entity"]["id"] == "palantir-usg"


def test_a_codec_error_names_the_data_row_with_the_bad_byte(cli, tmp_path):
    path = tmp_path / "bad.csv"
    rows = ["Vendor Name,Amount"] + [f"Acme Paving {i},{i}" for i in range(10_000)]
    path.write_bytes("\n".join(rows).encode() + b"\nCaf\xe9 Ol\xe9,5\n")  # a cp1252 byte past the sample
    one_line_error(cli("audit", str(path)), "line 10002:")


# -- columns and cells --------------------------------------------------------------------------------------
def test_two_columns_with_the_same_name_are_never_chosen_silently(cli, tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("Vendor Name,Vendor Name,Amount\nAcme Paving,PALANTIR USG INC,5\n", encoding="utf-8")
    one_line_error(cli("audit", str(path), "--name-column", "Vendor Name"), "2 columns", "Vendor Name#2")
    chosen = cli("audit", str(path), "--name-column", "Vendor Name#2", "-f", "json", "--as-of", "2024-06-30")
    assert chosen.code == 0 and chosen.json()["findings"][0]["vendor"] == "PALANTIR USG INC"


def test_two_amount_columns_are_never_chosen_silently(cli, tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("Vendor Name,Amount,Amount\nAcme Paving,5,7\n", encoding="utf-8")
    one_line_error(cli("audit", str(path)), "'Amount'", "numbers 2, 3")
    chosen = cli("audit", str(path), "--map", "amount=Amount#2", "-f", "json", "--as-of", "2024-06-30")
    assert chosen.code == 0 and chosen.json()["findings"][0]["amount"] == "7"


@pytest.mark.parametrize("cell", ["12,345,67", "1,2,3", "1,2345.6"])
def test_misgrouped_thousands_are_not_amounts(cli, tmp_path, cell):
    path = tmp_path / "a.csv"
    path.write_text(f'Vendor Name,Amount\nAcme Paving,"{cell}"\n', encoding="utf-8")
    dollars = cli("audit", str(path), "-f", "json", "--as-of", "2024-06-30").json()["summary"]["dollars"]
    assert dollars["unreadable_amounts"] == 1 and dollars["total"] == 0


def test_a_date_error_names_its_column(cli, tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("Vendor Name,Payment Date,Contract Start\nAcme,2024-01-02,2019-02-30\n", encoding="utf-8")
    one_line_error(cli("audit", str(path)), "row 1:", "column 'Contract Start'", "'2019-02-30'")


def test_an_error_naming_a_file_with_a_line_break_is_one_line(cli, tmp_path):
    path = tmp_path / "two\nlines\x1b[31m.csv"
    path.write_text("Nothing,Here\n1,2\n", encoding="utf-8")
    result = cli("audit", str(path))
    one_line_error(result, "two\\x0alines\\x1b[31m.csv")


@pytest.mark.parametrize("names", [[""], ["   "], ["x" * 100_000], ["ACME\x00"]])
def test_screen_refuses_names_that_are_not_names(cli, names):
    one_line_error(cli("screen", *names), "screen")


def test_holdings_refuse_huge_issuers_and_nul_bytes_and_honour_max_rows(cli, tmp_path):
    path = tmp_path / "h.csv"
    path.write_text("Issuer,CUSIP\n" + "A" * 300_000 + ",\n", encoding="utf-8")
    start = time.perf_counter()
    one_line_error(cli("holdings", str(path)), "row 1:", "1,000")
    assert time.perf_counter() - start < 20  # refused, not matched (a guard against a hang)
    path.write_bytes(b"Issuer,CUSIP\nRELX\x00INC,\n")
    one_line_error(cli("holdings", str(path)), "NUL")
    path.write_text("Issuer,CUSIP\nA,\nB,\nC,\n", encoding="utf-8")
    one_line_error(cli("holdings", str(path), "--max-rows", "2"), "--max-rows")


def test_terminal_escapes_in_vendor_names_are_shown_not_obeyed(cli, tmp_path):
    path = tmp_path / "esc.csv"
    path.write_text('Vendor Name,Amount\n"\x1b]0;pwned\x07\x1b[31mACME",5\n', encoding="utf-8")
    for fmt in ("table", "markdown"):
        out = cli("audit", str(path), "-f", fmt, "--as-of", "2024-06-30").out
        assert "\x1b" not in out and "\x07" not in out and "\\x1b]0;pwned\\x07" in out
    screen = cli("screen", "\x1b[2JACME", "--as-of", "2024-06-30").out
    assert "\x1b" not in screen


def test_the_terminal_text_escapes_every_control_character_it_looks_for():
    """``printable`` looks for a character before it translates: the look-up and the table must agree."""
    from checker.errors import _CONTROLS, printable

    for code in range(0x3000):
        char = chr(code)
        kept = code in (0x09, 0x0A) or code not in _CONTROLS
        assert printable(f"Café {char} – x") == (f"Café {char} – x" if kept else f"Café {_CONTROLS[code]} – x"), code


# -- outputs ------------------------------------------------------------------------------------------------
def test_the_output_never_replaces_the_input(cli, tmp_path):
    path = tmp_path / "pay.csv"
    path.write_bytes(EXAMPLE.read_bytes())
    one_line_error(cli("audit", str(path), "-f", "csv", "-o", str(path)), "input")
    assert path.read_bytes() == EXAMPLE.read_bytes()
    link = tmp_path / "link.csv"
    link.symlink_to(path)
    one_line_error(cli("audit", str(path), "-f", "csv", "-o", str(link)), "input")
    assert path.read_bytes() == EXAMPLE.read_bytes()


def test_a_symlinked_output_is_followed(cli, tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old", encoding="utf-8")
    link = tmp_path / "link.json"
    link.symlink_to(target)
    assert cli("audit", str(EXAMPLE), "-f", "json", "-o", str(link), "-q").code == 0
    assert link.is_symlink() and json.loads(target.read_text(encoding="utf-8"))["summary"]["rows"] == 19


def test_a_device_output_is_written_into_not_replaced(tmp_path):
    if not Path("/dev/null").is_char_device():
        pytest.skip("/dev/null is not a device on this machine (a tool run as root replaced it)")
    done = _run(["audit", str(EXAMPLE), "-f", "json", "-o", "/dev/null", "-q"])
    assert done.returncode == 0, done.stderr
    assert Path("/dev/null").is_char_device()


def test_a_named_pipe_output_is_written_into(tmp_path):
    fifo = tmp_path / "out.fifo"
    os.mkfifo(fifo)
    proc = subprocess.Popen([*PY, "audit", str(EXAMPLE), "-f", "csv", "-o", str(fifo), "-q"],
                            stderr=subprocess.PIPE)
    with open(fifo, encoding="utf-8") as fh:
        text = fh.read()
    assert proc.wait(timeout=60) == 0
    assert text.startswith("row,vendor,verdict") and fifo.exists() and not fifo.is_file()


@pytest.mark.parametrize("fmt", ["json", "xlsx"])
def test_a_full_disk_is_one_line_and_no_traceback(fmt):
    done = _run(["audit", str(EXAMPLE), "-f", fmt, "-o", "/dev/full", "-q"])
    assert done.returncode == 2, done.stderr[-500:]
    err = done.stderr.decode()
    assert err.count("\n") == 1 and "No space left" in err and "Traceback" not in err and "Exception" not in err


@pytest.mark.parametrize("output", ["not-a-folder.csv/x.json", "x" * 300 + ".json"])
def test_an_output_name_the_system_refuses_is_one_line(cli, tmp_path, output):
    (tmp_path / "not-a-folder.csv").write_text("x", encoding="utf-8")
    one_line_error(cli("audit", str(EXAMPLE), "-f", "json", "-o", str(tmp_path / output)))


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_leave_no_temporary_files(tmp_path, signum):
    rows = ["Vendor Name,Amount,Payment Date"] + [f"Acme {i % 5000},{i},2024-01-02" for i in range(300_000)]
    path = tmp_path / "big.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "reports" / "out.json"
    out.parent.mkdir()
    proc = subprocess.Popen([*PY, "audit", str(path), "-f", "json", "-o", str(out), "-q"],
                            stderr=subprocess.PIPE, env={**os.environ, "SANCTUARY_CHECK_WORKERS": "1"},
                            start_new_session=True, preexec_fn=lambda: signal.signal(signum, signal.SIG_DFL))
    # (under nohup the test inherits SIGHUP ignored, and the tool rightly keeps it so: a terminal's is not)
    deadline = time.monotonic() + 60
    while len(list(out.parent.iterdir())) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # until the run has made its temporary files: the report's and the second process's
    signal_when_stopped(proc, signum)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the run finished before the signal")
    assert proc.returncode == 128 + signum, err
    assert list(out.parent.iterdir()) == []
    assert b"Traceback" not in err


def test_leftovers_of_a_killed_run_are_removed_by_the_next(cli, tmp_path):
    dead = 4_194_303  # above the default pid_max of 32768 and 4194304 is the kernel's limit: never a live process
    stale_file = tmp_path / f".out.json.sanctuary-check-{dead}-abc.tmp"
    stale_file.write_text("half a report", encoding="utf-8")
    stale_dir = tmp_path / f"sanctuary-check-{dead}-xyz"
    stale_dir.mkdir()
    alive = tmp_path / f".out.json.sanctuary-check-{os.getpid()}-abc.tmp"  # a live process's: kept
    alive.write_text("in use", encoding="utf-8")
    foreign = tmp_path / ".out.json.other-tool.tmp"
    foreign.write_text("not ours", encoding="utf-8")
    assert cli("audit", str(EXAMPLE), "-f", "json", "-o", str(tmp_path / "out.json"), "-q").code == 0
    assert not stale_file.exists() and alive.exists() and foreign.exists()
    assert cli("audit", str(EXAMPLE), "-f", "xlsx", "-o", str(tmp_path / "out.xlsx"), "-q").code == 0
    assert not stale_dir.exists()


def test_a_file_changed_while_two_processes_read_it_is_refused(tmp_path, monkeypatch):
    """The second process hashes the rows it judged; the first checks the file still holds them before it reports a
    hash, so the provenance is always the bytes judged."""
    from datetime import date

    from checker.api import Checker
    from checker.errors import InputError

    monkeypatch.setenv("SANCTUARY_CHECK_WORKERS", "1")
    rows = ["Vendor Name,Amount,Payment Date"] + [f"Acme {i % 500},{i},2024-01-02" for i in range(40_000)]
    path = tmp_path / "moving.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    def told(rows: int) -> None:
        if rows == 40_000:  # both processes have read their rows: now the file changes
            with open(path, "r+b") as fh:
                fh.seek(-2, os.SEEK_END)
                fh.write(b"9\n")

    run = Checker(as_of=date(2024, 6, 30)).audit(str(path), only_flagged=True, progress=told)
    with pytest.raises(InputError, match="changed while it was read"):
        for _ in run.findings:
            pass
        run.provenance()


def test_provenance_is_the_hash_of_the_bytes_read(tmp_path, monkeypatch):
    import hashlib
    from datetime import date

    from checker.api import Checker

    rows = ["Vendor Name,Amount,Payment Date"] + [f"Acme {i % 500},{i},2024-01-02" for i in range(40_000)]
    path = tmp_path / "pay.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    for workers in ("0", "1"):
        monkeypatch.setenv("SANCTUARY_CHECK_WORKERS", workers)
        for only_flagged in (True, False):
            run = Checker(as_of=date(2024, 6, 30)).audit(str(path), only_flagged=only_flagged)
            for _ in run.findings:
                pass
            assert run.provenance()["input"]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_million_blank_rows_are_counted_not_kept(cli, tmp_path):
    from checker.model import SKIPPED_KEPT

    path = tmp_path / "blank.csv"
    blank = SKIPPED_KEPT * 3
    path.write_text("Vendor,Amount\n" + ",\n" * blank + "PALANTIR TECHNOLOGIES INC,5\n", encoding="utf-8")
    result = cli("audit", str(path), "--format", "json")
    summary = json.loads(result.out)["summary"]
    assert summary["rows"] == blank + 1
    assert len(summary["skipped"]) == SKIPPED_KEPT and summary["skipped_count"] == blank
    assert summary["skipped_by_reason"] == {"blank row": blank}
