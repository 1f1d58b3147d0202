"""Hostile and broken input: every corpus file is refused with one clear line and exit 2, never a traceback."""

from __future__ import annotations

import os
import time

import pytest

from conftest import ROOT, corpus_command, signal_when_stopped

HANG = 20.0
"""Seconds after which a refusal counts as a hang: a guard, not a speed target (the machine is shared and noisy)."""
CORPUS = sorted((ROOT / "tests" / "adversarial").iterdir())


@pytest.mark.parametrize("path", CORPUS, ids=[p.name for p in CORPUS])
def test_corpus_file_is_refused_with_one_line(cli, path, tmp_path):
    start = time.perf_counter()
    result = cli(*corpus_command(path, tmp_path))
    assert result.code == 2, (result.out[-300:], result.err)
    lines = result.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("sanctuary-check: error: ")
    assert path.name in lines[0]
    assert "Traceback" not in result.err
    assert time.perf_counter() - start < HANG  # refused without working through the file's contents


def test_formula_cells_are_neutralised_in_csv(cli, tmp_path):
    src = tmp_path / "v.csv"
    src.write_text('Vendor Name,Amount\n"=HYPERLINK(""http://x"",""pay"")",1\n"+SUM(A1)",2\n@cmd,3\n-2+3,4\n')
    out = tmp_path / "out.csv"
    assert cli("audit", str(src), "--format", "csv", "--output", str(out)).code == 0
    body = out.read_text()
    for cell in ("'=HYPERLINK", "'+SUM(A1)", "'@cmd", "'-2+3"):
        assert cell in body
    assert "\n=" not in body and ",=" not in body


def test_same_inputs_give_byte_identical_json_and_csv(cli, tmp_path):
    example = str(ROOT / "examples" / "city-payments.csv")
    outputs = []
    for i in range(2):
        for fmt in ("json", "csv"):
            target = tmp_path / f"{i}.{fmt}"
            cli("audit", example, "--format", fmt, "--as-of", "2026-11-23", "--output", str(target))
            outputs.append(target.read_bytes())
    assert outputs[0] == outputs[2] and outputs[1] == outputs[3]


def test_max_rows_refuses_larger_files(cli, tmp_path):
    result = cli("audit", str(ROOT / "examples" / "city-payments.csv"), "--max-rows", "5",
                 "--output", str(tmp_path / "o.json"), "--format", "json")
    assert result.code == 2 and "more than --max-rows 5" in result.err
    assert not list(tmp_path.iterdir()), "no partial output may be left"


def test_ctrl_c_exits_130_and_leaves_no_output(tmp_path):
    import signal
    import subprocess
    import sys

    big = tmp_path / "big.csv"
    with big.open("w") as fh:
        fh.write("Vendor Name,Amount\n")
        for i in range(300_000):
            fh.write(f"VENDOR NUMBER {i} LLC,{i}\n")
    out = tmp_path / "out.json"
    # A test run started in the background by a shell ignores SIGINT, and a child would inherit that: reset it.
    proc = subprocess.Popen([sys.executable, "-m", "checker", "audit", str(big), "--format", "json", "--output",
                             str(out)], stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while not list(tmp_path.glob(".out.json.*.tmp")) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)  # interrupt only once the run is writing its output
    signal_when_stopped(proc, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("the run finished before the interrupt")
    assert proc.returncode == 130, err
    assert "interrupted" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.csv"]


@pytest.mark.parametrize("fmt", ["table", "json", "csv"])
def test_a_reader_that_stops_reading_ends_the_run_quietly_with_141(tmp_path, fmt):
    """``sanctuary-check audit FILE | head``: no traceback or message, and an exit code that says the pipe closed
    (1 would say findings reached --fail-on, 0 that the whole report was written)."""
    import subprocess
    import sys

    src = tmp_path / "v.csv"
    src.write_text("Vendor Name,Amount\n" + "".join(f"VENDOR NUMBER {i} LLC,{i}\n" for i in range(20_000)))
    proc = subprocess.Popen([sys.executable, "-m", "checker", "audit", str(src), "--format", fmt],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT)
    assert proc.stdout.read(100)
    proc.stdout.close()  # the report is far larger than a pipe holds: the run must notice
    err = proc.stderr.read()
    assert proc.wait(timeout=60) == 141 and err == b""


def test_formula_cells_are_values_in_xlsx(cli, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    src = tmp_path / "v.csv"
    src.write_text('Vendor Name,Amount\n"=HYPERLINK(""http://x"",""pay"")",1\n+SUM(A1),2\n')
    out = tmp_path / "out.xlsx"
    assert cli("audit", str(src), "--format", "xlsx", "--output", str(out)).code == 0
    ws = openpyxl.load_workbook(out)["Findings"]
    cells = [c for row in ws.iter_rows() for c in row]
    assert all(c.data_type != "f" for c in cells)
    assert ws["B2"].value.startswith("'=HYPERLINK") and ws["B3"].value == "'+SUM(A1)"


def test_mixed_encoding_and_truncated_utf16_are_one_line(cli, tmp_path):
    mixed = tmp_path / "mixed.csv"
    rows = "".join(f"VENDOR {i} LLC,{i}\n" for i in range(6000)).encode()  # more than the 64 KB sniffed
    mixed.write_bytes(b"Vendor Name,Amount\n" + rows + "CAF\u00c9 NO\u00cbL,1\n".encode("cp1252"))
    result = cli("audit", str(mixed), "--format", "json", "--output", str(tmp_path / "o.json"))
    assert result.code == 2 and "not consistently utf-8" in result.err and len(result.err.splitlines()) == 1
    assert not (tmp_path / "o.json").exists()
    truncated = tmp_path / "utf16.csv"
    truncated.write_bytes("Vendor Name,Amount\nACME,1\n".encode("utf-16")[:-1])
    result = cli("audit", str(truncated), "--format", "json")
    assert result.code in (0, 2) and "Traceback" not in result.err


def test_a_worker_process_stops_when_its_parent_is_gone(tmp_path):
    """A parent killed before it could stop its forked worker (a Ctrl-C at the wrong moment) leaves no process
    behind: the worker sees its parent's end of the pipe close and exits."""
    import subprocess
    import sys

    pid_file = tmp_path / "pid"
    script = ("import os\nfrom checker.engine.worker import ForkedWorker\nw = ForkedWorker(lambda request: request)\n"
              f"open({str(pid_file)!r}, 'w').write(str(w._process.pid))\nos._exit(0)  # no clean-up at all\n")
    subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=60, check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    status = f"/proc/{pid_file.read_text()}/status"
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            with open(status) as fh:
                if "\nState:\tZ" in fh.read():
                    return  # exited (not yet reaped)
        except FileNotFoundError:
            return  # exited
        time.sleep(0.05)
    os.kill(int(pid_file.read_text()), 9)
    pytest.fail("the worker outlived its parent")


def test_a_worker_signalled_while_it_starts_ends_quietly():
    """SIGTERM reaching a worker before it has set its own handlers (a Ctrl-C during the fork, then the parent's
    exit terminating its daemon child) ends it as SIGTERM does, without the parent's handler raising a traceback."""
    import signal
    import subprocess
    import sys

    script = ("import os, signal\nfrom checker.cli import _terminate\nfrom checker.engine.worker import ForkedWorker\n"
              "signal.signal(signal.SIGTERM, _terminate)\n"
              "os.register_at_fork(after_in_child=lambda: os.kill(os.getpid(), signal.SIGTERM))\n"
              "w = ForkedWorker(lambda request: request)\nw._process.join(20)\nprint(w._process.exitcode)\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=60, capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == str(-signal.SIGTERM), done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr


def test_a_worker_under_nohup_ignores_a_hangup():
    """A run started under nohup keeps SIGHUP ignored, and so does its worker: a hangup stops neither."""
    import signal
    import subprocess
    import sys

    script = ("import os, signal\nfrom checker.engine.worker import ForkedWorker\n"
              "signal.signal(signal.SIGHUP, signal.SIG_IGN)\nw = ForkedWorker(lambda request: request * 2)\n"
              "w.send(1)\nw.receive()\nos.kill(w._process.pid, signal.SIGHUP)\nw.send(21)\nprint(w.receive())\n"
              "w.close()\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, timeout=60, capture_output=True, text=True,
                          preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_DFL))
    assert done.returncode == 0 and done.stdout.strip() == "42", done.stdout + done.stderr
