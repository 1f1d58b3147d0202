"""Benchmark ``sanctuary-check audit`` against the project's performance targets.

Generates (or reuses) a synthetic payment file of N rows (``bench/synth.py``) and measures, each in its own
subprocess (wall time with ``time.perf_counter``, peak RSS from ``os.wait4``):

  (a) Python's csv module merely parsing the file;
  (b) ``sanctuary-check audit FILE --only-flagged`` (table output of flagged rows, stdout discarded);
  (c) ``sanctuary-check audit FILE --format json --output TMP.json``;
  (d) the naive per-row ``extractOne(WRatio)`` on a 20,000-row sample (``bench/naive.py``);
  (e) not a target: a floor for (b), parsing in two processes and matching each distinct name once with the
      tool's matcher, nothing else (``bench/floor.py``), as a ratio to (a);

then (b) on a file of M rows for peak RSS at M versus N, and ``screen`` start-up versus importing rapidfuzz and
yaml. Prints a table, the ratios with PASS/FAIL lines, and a block to paste into the README. Exits 0 even when
targets fail; exits 2 when a measured command fails.

    python bench/bench.py [--rows N] [--seed S] [--repeat K] [--rss-rows M | --no-rss] [--workdir DIR] [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
REAL_DIR = REPO.parent / "shared" / "data" / "real"
AS_OF = "2024-06-30"
NAIVE_SAMPLE = 20_000
SCREEN_NAME = "WEST PUBLISHING CORP"
SCREEN_RUNS = 5
AUDIT_OK = (0, 1)
PARSE_CODE = (
    "import csv, sys\n"
    "with open(sys.argv[1], newline='', encoding='utf-8') as fh:\n"
    "    print(sum(1 for _ in csv.reader(fh)))\n"
)


class BenchError(Exception):
    """A measured command failed (its stderr is in the message)."""


@dataclass
class Run:
    """One measured subprocess: wall seconds, peak RSS (KiB), exit code and stdout."""

    wall: float
    rss_kib: int
    rc: int = 0
    stdout: str = ""

    @property
    def rss_mib(self) -> float:
        """Peak RSS in MiB."""
        return self.rss_kib / 1024


@dataclass
class Sample:
    """A generated payment file and its statistics."""

    path: Path
    stats: dict
    generated_in: float | None = None


@dataclass
class Check:
    """A ratio against its target."""

    label: str
    value: float
    target: float
    higher_is_better: bool = False
    note: str = ""

    @property
    def ok(self) -> bool:
        """Whether the target is met."""
        return self.value >= self.target if self.higher_is_better else self.value <= self.target

    def line(self) -> str:
        """``PASS  b/a = 2.10  (target <= 3)``."""
        op = ">=" if self.higher_is_better else "<="
        note = f"  {self.note}" if self.note else ""
        return f"{'PASS' if self.ok else 'FAIL'}  {self.label} = {self.value:.2f}  (target {op} {self.target:g}){note}"


@dataclass
class Results:
    """Everything measured in one run."""

    rows: int
    sample: Sample
    table: list[list] = field(default_factory=list)
    checks: list[Check] = field(default_factory=list)


CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""Every step may use and write bytecode caches, as an installed tool does (pip compiles them at install);
with ``PYTHONDONTWRITEBYTECODE`` set, an editable checkout would recompile its modules on every start."""


def run(cmd: Sequence[str | Path], ok: Sequence[int] = (0,), capture: bool = False) -> Run:
    """Run ``cmd``; return wall time and peak RSS from ``os.wait4``. Raise BenchError on a bad exit code."""
    args = [str(a) for a in cmd]
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out if capture else subprocess.DEVNULL,
                                stderr=err, env=CHILD_ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        proc.returncode = rc = os.waitstatus_to_exitcode(status)
        if rc not in ok:
            err.seek(0)
            tail = err.read().decode("utf-8", "replace")[-4000:]
            raise BenchError(f"command failed with exit code {rc}: {' '.join(args)}\n{tail}")
        out.seek(0)
        return Run(wall, usage.ru_maxrss, rc, out.read().decode("utf-8", "replace"))


def best(runs: Sequence[Run]) -> Run:
    """Several runs of one command as one: the minimum wall time and the largest peak RSS."""
    return Run(min(r.wall for r in runs), max(r.rss_kib for r in runs), runs[-1].rc)


def interleaved(steps: Sequence[tuple[str, Sequence[str | Path], Sequence[int]]], repeat: int,
                after: Callable[[str], None] = lambda key: None) -> dict[str, Run]:
    """Run the steps in turn, ``repeat`` rounds of them, so that a change in the machine's load (it is shared)
    reaches every step alike rather than all the runs of one; ``best`` of each step's runs, by key (a key may
    name more than one step of a round). ``after(key)`` follows each run."""
    runs: dict[str, list[Run]] = {}
    for _ in range(max(1, repeat)):
        for key, cmd, ok in steps:
            runs.setdefault(key, []).append(run(cmd, ok))
            after(key)
    return {key: best(found) for key, found in runs.items()}


def sanctuary_check() -> str:
    """The ``sanctuary-check`` next to this Python (the venv's), else the one on PATH."""
    local = Path(sys.executable).parent / "sanctuary-check"
    found = str(local) if local.exists() else shutil.which("sanctuary-check")
    if not found:
        raise BenchError("sanctuary-check not found next to this Python nor on PATH")
    return found


def generator_key() -> str:
    """Checksum of the generator's source, so that a changed generator never reuses a stale file.

    (zlib, not hashlib: this process stays small, see ``report``.)
    """
    return f"{zlib.crc32((HERE / 'synth.py').read_bytes()):08x}"


def ensure_sample(rows: int, seed: int, workdir: Path) -> Sample:
    """The cached file for (rows, seed, generator) if present, else generate it in a subprocess."""
    source = "real" if REAL_DIR.is_dir() else "registry"
    path = workdir / f"payments-n{rows}-s{seed}-{source}-{generator_key()}.csv"
    meta = Path(str(path) + ".json")
    if path.is_file() and meta.is_file():
        return Sample(path, json.loads(meta.read_text(encoding="utf-8")))
    workdir.mkdir(parents=True, exist_ok=True)
    gen = run([sys.executable, HERE / "synth.py", "--rows", str(rows), "--seed", str(seed), "--out", path],
              capture=True)
    return Sample(path, json.loads(gen.stdout), gen.wall)


def describe_sample(sample: Sample) -> str:
    """One line about a generated file: rows, distinct names, where the names came from."""
    s = sample.stats
    how = f"generated in {sample.generated_in:.1f} s" if sample.generated_in is not None else "reused from cache"
    size = sample.path.stat().st_size / 2**20
    source = (f"real names from {s['real_data']}" if s["real_data"]
              else "NO real data found: registry names only (plus minted one-offs)")
    return (f"{sample.path} ({size:.0f} MiB, {how}): {s['rows']:,} rows, {s['distinct']:,} distinct vendor names "
            f"({s['distinct_share']:.1%}); pool {s['pool']:,} ({s['real_names']:,} real + {s['registry_names']:,} "
            f"registry spellings/decoys), {s['pool_used']:,} of them drawn (Zipf s={s['zipf']}), "
            f"{s['minted']:,} minted one-offs; {source}")


def machine() -> list[str]:
    """Lines describing the machine and the tool under test."""
    version = run([sanctuary_check(), "--version"], capture=True).stdout.strip()
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return [
        f"machine: {os.cpu_count()} CPUs, {platform.platform()}, load average {load}",
        f"python: {platform.python_version()} ({sys.executable})",
        f"tool: {version} ({sanctuary_check()}), commit {git_head()}",
    ]


def git_head() -> str:
    """The repository's HEAD commit (short), or ``unknown``; read-only."""
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO, capture_output=True, text=True)
    except OSError:
        return "unknown"
    return out.stdout.strip() or "unknown"


def per_row_us(wall: float, rows: int) -> float:
    """Microseconds per row."""
    return wall / rows * 1e6 if rows else 0.0


def row(label: str, rows: int, r: Run, note: str = "") -> list:
    """One line of the results table."""
    return [label, f"{rows:,}", f"{r.wall:.2f}", f"{r.rss_mib:.0f}", f"{per_row_us(r.wall, rows):.2f}", note]


def measure_file(res: Results, repeat: int, workdir: Path) -> tuple[Run, Run, Run, dict]:
    """Steps (a) to (e) on the N-row file: (a), (b), (c) and (e) in ``repeat`` rounds, (a) twice a round."""
    path, n, sc = res.sample.path, res.rows, sanctuary_check()
    distinct = res.sample.stats["distinct"]
    out = workdir / f"audit-{os.getpid()}.json"
    size = 0.0

    def after(key: str) -> None:
        nonlocal size
        if key == "c":
            size = out.stat().st_size / 2**20 if out.exists() else 0.0
            out.unlink(missing_ok=True)

    parse = [sys.executable, "-c", PARSE_CODE, path]
    try:
        found = interleaved([
            ("a", parse, (0,)),
            ("b", [sc, "audit", path, "--only-flagged", "--as-of", AS_OF], AUDIT_OK),
            ("a", parse, (0,)),
            ("c", [sc, "audit", path, "--format", "json", "--output", out, "--as-of", AS_OF], AUDIT_OK),
            ("e", [sys.executable, HERE / "floor.py", path], (0,)),
        ], repeat, after)
    finally:
        out.unlink(missing_ok=True)
    a, b, c, e = found["a"], found["b"], found["c"], found["e"]
    res.table.append(row("(a) csv.reader parse", n, a))
    res.table.append(row("(b) audit, table --only-flagged", n, b, f"{b.wall / distinct * 1e6:.0f} µs/distinct name"))
    res.table.append(row("(c) audit, --format json --output", n, c, f"JSON {size:.0f} MiB"))
    naive = run([sys.executable, HERE / "naive.py", path, "--sample", str(NAIVE_SAMPLE)], capture=True)
    d = json.loads(naive.stdout)
    d_run = Run(d["seconds"], naive.rss_kib)
    res.table.append(row("(d) naive extractOne(WRatio)", d["rows"], d_run,
                         f"{d['choices']} registry choices; extractOne loop only"))
    res.table.append(row("(e) floor: parse + match only, 2 processes", n, e,
                         f"e/a {e.wall / a.wall:.1f}x of the 3x target for b/a"))
    return a, b, c, d


def measure_rss(res: Results, b: Run, rss_rows: int, seed: int, workdir: Path) -> None:
    """(b) on an M-row file: peak RSS at M rows versus N rows."""
    big = ensure_sample(rss_rows, seed, workdir)
    print(describe_sample(big), flush=True)
    b_big = run([sanctuary_check(), "audit", big.path, "--only-flagged", "--as-of", AS_OF], AUDIT_OK)
    res.table.append(row("(b) audit, table --only-flagged", rss_rows, b_big, "peak-RSS run"))
    label = f"RSS({rss_rows / 1e6:g}M)/RSS({res.rows / 1e6:g}M)"
    res.checks.append(Check(label, b_big.rss_kib / b.rss_kib, 1.2,
                            note=f"[{b_big.rss_mib:.0f} vs {b.rss_mib:.0f} MiB]"))


def measure_screen(res: Results) -> None:
    """``screen NAME`` (warmed once) versus ``python -c "import rapidfuzz, yaml"``: medians of 5, run in turn."""
    screen = [sanctuary_check(), "screen", SCREEN_NAME]
    run(screen, AUDIT_OK)
    walls: dict[str, list[float]] = {"screen": [], "import": []}
    for _ in range(SCREEN_RUNS):
        walls["screen"].append(run(screen, AUDIT_OK).wall)
        walls["import"].append(run([sys.executable, "-c", "import rapidfuzz, yaml"]).wall)
    t_screen, t_import = statistics.median(walls["screen"]), statistics.median(walls["import"])
    res.table.append(["screen (median of 5)", "1", f"{t_screen:.3f}", "", "", f'"{SCREEN_NAME}"'])
    res.table.append(["import rapidfuzz, yaml (median of 5)", "", f"{t_import:.3f}", "", "", "baseline"])
    res.checks.append(Check("screen/import", t_screen / t_import, 3,
                            note=f"[{t_screen * 1e3:.0f} vs {t_import * 1e3:.0f} ms]"))


def ratio_checks(res: Results, a: Run, b: Run, c: Run, d: dict) -> None:
    """b/a, c/a and naive-per-row / audit-per-row against their targets."""
    audit_per_row = b.wall / res.rows
    res.checks[:0] = [
        Check("b/a", b.wall / a.wall, 3, note=f"[{b.wall:.2f} s vs {a.wall:.2f} s]"),
        Check("c/a", c.wall / a.wall, 5, note=f"[{c.wall:.2f} s vs {a.wall:.2f} s]"),
        Check("d/b per row", d["per_row"] / audit_per_row, 50, higher_is_better=True,
              note=f"[{d['per_row'] * 1e6:.1f} vs {audit_per_row * 1e6:.2f} µs/row]"),
    ]


def report(res: Results, header: list[str]) -> None:
    """Print the table, the PASS/FAIL lines and the README block.

    tabulate is imported only here: it pulls in importlib.metadata (~5 MiB), and every child's peak RSS
    includes this process's peak at the time it was started.
    """
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    from tabulate import tabulate

    print()
    print(tabulate(res.table, headers=["step", "rows", "wall s", "peak RSS MiB", "µs/row", "notes"],
                   disable_numparse=True, colalign=("left", "right", "right", "right", "right", "left")))
    print()
    for check in res.checks:
        print(check.line())
    print(f"\nnote: a child's peak RSS includes this process's own peak ({floor:.0f} MiB) because fork/exec "
          "keeps the high-water mark; files are generated in a subprocess to keep that small.")
    stats = res.sample.stats
    passed = sum(c.ok for c in res.checks)
    print("\nratios (paste into README):\n```")
    print(f"rows {res.rows:,}, {stats['distinct']:,} distinct names ({stats['distinct_share']:.1%}), seed "
          f"{stats['seed']}; {time.strftime('%Y-%m-%d')}")
    for line in header:
        print(line)
    for r in res.table:
        if r[3]:
            print(f"{r[0]}: {r[2]} s, {r[3]} MiB, {r[4]} µs/row  ({r[1]} rows)" + (f"; {r[5]}" if r[5] else ""))
        else:
            print(f"{r[0]}: {r[2]} s")
    for check in res.checks:
        print(check.line())
    print(f"{passed}/{len(res.checks)} targets met\n```")


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Command-line options (``--quick``: 100,000 rows, RSS at 400,000)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, help="rows of the measured file (default 1,000,000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=1,
                    help="rounds of (a), (b), (c), (e) in turn, (a) twice a round; the minimum wall time counts")
    rss = ap.add_mutually_exclusive_group()
    rss.add_argument("--rss-rows", type=int, help="rows of the peak-RSS file (default 4,000,000)")
    rss.add_argument("--no-rss", action="store_true", help="skip the peak-RSS run")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "sanctuary-bench",
                    help="cache of generated files, reused when present")
    ap.add_argument("--clean", action="store_true", help="delete the generated files at the end")
    ap.add_argument("--quick", action="store_true", help="smoke run: 100,000 rows, RSS at 400,000")
    args = ap.parse_args(argv)
    args.rows = args.rows or (100_000 if args.quick else 1_000_000)
    args.rss_rows = None if args.no_rss else args.rss_rows or (400_000 if args.quick else 4_000_000)
    return args


def step(label: str, fn: Callable[[], object]) -> object:
    """Run one stage, saying what it is first (the stages take a while)."""
    print(f"... {label}", flush=True)
    return fn()


def bench(args: argparse.Namespace) -> None:
    """All measurements for one invocation."""
    header = machine()
    print("\n".join(header), flush=True)
    sample = step(f"generating/reusing {args.rows:,} rows", lambda: ensure_sample(args.rows, args.seed, args.workdir))
    print(describe_sample(sample), flush=True)
    res = Results(args.rows, sample)
    a, b, c, d = step("measuring (a) parse, (b) audit table, (c) audit json, (d) naive extractOne, (e) floor",
                      lambda: measure_file(res, args.repeat, args.workdir))
    ratio_checks(res, a, b, c, d)
    if args.rss_rows:
        step(f"peak RSS at {args.rss_rows:,} rows", lambda: measure_rss(res, b, args.rss_rows, args.seed, args.workdir))
    step("screen start-up", lambda: measure_screen(res))
    report(res, header)
    if args.clean:
        for path in args.workdir.glob("payments-*.csv*"):
            path.unlink()


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: 0 when everything ran (targets may FAIL), 2 when a command failed."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        bench(args)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
