"""Benchmark ``sanctuary-check audit`` on a large synthetic payment file.

Generates (or reuses) a file of N rows (``bench/synth.py``) and runs each step as a subprocess, the steps in
turn for ``--repeat`` rounds (so a change in the shared machine's load reaches every step alike), wall time
from ``time.perf_counter`` and peak RSS from ``os.wait4``; a step's figure is its median over the rounds:

  (a) Python's csv module merely parsing the file;
  (F) the engine's reader reading it, and the matcher matching each distinct vendor cell once (``floor.py``);
  (b) ``audit FILE --only-flagged`` (table of flagged rows, to /dev/null);
  (c) ``audit FILE --format json --output TMP`` (every row);
  (f) ``audit FILE --format csv --output TMP`` (every row);
  (b1), (c1), (f1): the same in one process (``SANCTUARY_CHECK_WORKERS=0``);
  the analyst's script (``analyst.py``: pandas + rapidfuzz), when pandas is installed;

then (b) on an M-row file for peak RSS at M versus N rows, and ``screen`` start-up versus importing rapidfuzz
and yaml. With ``--baseline EXE`` (another build's ``sanctuary-check``, say the last release), its (b), (c),
(f), (b1), (c1) and (f1) run in the same rounds, and each is compared with this build's, round by round; with
``--baseline-registry DIR`` as well, the baseline reads that registry folder (this registry in its form,
written by ``registry_for.py``), so that both builds do the same work.
Exits 0 when every command ran (whatever the figures), 2 when one failed.

    python bench/bench.py [--rows N] [--repeat K] [--baseline EXE [--baseline-registry DIR]]
                          [--rss-rows M | --no-rss] [--quick]
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
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
REAL_DIR = REPO.parent / "shared" / "data" / "real"
AS_OF = "2024-06-30"
SCREEN_NAME = "WEST PUBLISHING CORP"
SCREEN_RUNS = 5
AUDIT_OK = (0, 1)
PARSE_CODE = (
    "import csv, sys\n"
    "with open(sys.argv[1], newline='', encoding='utf-8') as fh:\n"
    "    print(sum(1 for _ in csv.reader(fh)))\n"
)
CHILD_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
"""Every step may use and write bytecode caches, as an installed tool does (pip compiles them at install)."""
ONE_PROCESS = {**CHILD_ENV, "SANCTUARY_CHECK_WORKERS": "0"}


class BenchError(Exception):
    """A measured command failed (its stderr is in the message)."""


@dataclass
class Run:
    """One measured subprocess: wall seconds, peak RSS (KiB), exit code and stdout."""

    wall: float
    rss_kib: int
    rc: int = 0
    stdout: str = ""


@dataclass
class Step:
    """A command measured in every round."""

    key: str
    label: str
    cmd: list[str]
    env: dict[str, str] = field(default_factory=lambda: CHILD_ENV)
    ok: Sequence[int] = (0,)
    runs: list[Run] = field(default_factory=list)

    @property
    def wall(self) -> float:
        """Median wall seconds."""
        return statistics.median(r.wall for r in self.runs)

    @property
    def rss_mib(self) -> float:
        """Largest peak RSS, MiB."""
        return max(r.rss_kib for r in self.runs) / 1024


def run(cmd: Sequence[str | Path], env: dict[str, str] = CHILD_ENV, ok: Sequence[int] = (0,),
        capture: bool = False) -> Run:
    """Run ``cmd``; return wall time and peak RSS from ``os.wait4``. Raise BenchError on a bad exit code."""
    args = [str(a) for a in cmd]
    with tempfile.TemporaryFile() as err, tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out if capture else subprocess.DEVNULL,
                                stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        rc = os.waitstatus_to_exitcode(status)
        if rc not in ok:
            err.seek(0)
            raise BenchError(f"command failed with exit code {rc}: {' '.join(args)}\n"
                             + err.read().decode("utf-8", "replace")[-4000:])
        out.seek(0)
        return Run(wall, usage.ru_maxrss, rc, out.read().decode("utf-8", "replace"))


def tool() -> str:
    """The ``sanctuary-check`` next to this Python (the venv's), else the one on PATH."""
    local = Path(sys.executable).parent / "sanctuary-check"
    found = str(local) if local.exists() else shutil.which("sanctuary-check")
    if not found:
        raise BenchError("sanctuary-check not found next to this Python nor on PATH")
    return found


def ensure_sample(rows: int, seed: int, workdir: Path) -> tuple[Path, dict]:
    """The cached file for (rows, seed, generator) if present, else generate it in a subprocess."""
    source = "real" if REAL_DIR.is_dir() else "registry"
    key = f"{zlib.crc32((HERE / 'synth.py').read_bytes()):08x}"
    path = workdir / f"payments-n{rows}-s{seed}-{source}-{key}.csv"
    meta = Path(str(path) + ".json")
    if not (path.is_file() and meta.is_file()):
        workdir.mkdir(parents=True, exist_ok=True)
        run([sys.executable, HERE / "synth.py", "--rows", str(rows), "--seed", str(seed), "--out", path], capture=True)
    return path, json.loads(meta.read_text(encoding="utf-8"))


def audit_steps(prefix: str, exe: str, path: Path, out: Path, registry: Path | None = None) -> list[Step]:
    """(b), (c), (f) as shipped and in one process, for one build of the tool (reading ``registry`` if given)."""
    def audit(*options: str) -> list[str]:
        return [exe, "audit", str(path), *options, "--as-of", AS_OF, "-q",
                *(["--registry", str(registry)] if registry else [])]

    steps = []
    for env, mode in ((CHILD_ENV, ""), (ONE_PROCESS, "1")):
        name = f"{prefix}{'' if not prefix else ' '}"
        steps += [
            Step(f"{prefix}b{mode}", f"{name}(b{mode}) audit --only-flagged, table", audit("--only-flagged"), env,
                 AUDIT_OK),
            Step(f"{prefix}c{mode}", f"{name}(c{mode}) audit --format json --output",
                 audit("-f", "json", "-o", str(out.with_suffix(".json"))), env, AUDIT_OK),
            Step(f"{prefix}f{mode}", f"{name}(f{mode}) audit --format csv --output",
                 audit("-f", "csv", "-o", str(out.with_suffix(".csv"))), env, AUDIT_OK),
        ]
    return steps


def has_pandas(python: str) -> bool:
    """Whether that Python can import pandas and rapidfuzz (the analyst's script needs them)."""
    return subprocess.run([python, "-c", "import pandas, rapidfuzz"], capture_output=True).returncode == 0


def measure(args: argparse.Namespace, path: Path) -> dict[str, Step]:
    """Every step on the N-row file, in ``--repeat`` rounds of all of them in turn."""
    out = args.workdir / f"audit-{os.getpid()}"
    steps = [Step("a", "(a) csv.reader parse", [sys.executable, "-c", PARSE_CODE, str(path)]),
             Step("F", "(F) read + match each distinct name once", [sys.executable, str(HERE / "floor.py"), str(path)])]
    steps += audit_steps("", tool(), path, out)
    if args.baseline:
        steps += audit_steps("base", args.baseline, path, out, args.baseline_registry)
    analyst = args.analyst_python or sys.executable
    if has_pandas(analyst):
        steps.append(Step("analyst", "analyst: pandas + rapidfuzz", [analyst, str(HERE / "analyst.py"), str(path)]))
    else:
        print(f"note: {analyst} cannot import pandas and rapidfuzz: the analyst's script is not run", flush=True)
    try:
        for r in range(max(1, args.repeat)):
            print(f"... round {r + 1} of {args.repeat}", flush=True)
            for step in steps:
                step.runs.append(run(step.cmd, step.env, step.ok))
                for suffix in (".json", ".csv"):
                    out.with_suffix(suffix).unlink(missing_ok=True)
    finally:
        for suffix in (".json", ".csv"):
            out.with_suffix(suffix).unlink(missing_ok=True)
    return {s.key: s for s in steps}


def ratio(steps: dict[str, Step], a: str, b: str) -> tuple[float, float, float]:
    """Median, lowest and highest of the round-by-round ratios a/b."""
    ratios = [x.wall / y.wall for x, y in zip(steps[a].runs, steps[b].runs, strict=True)]
    return statistics.median(ratios), min(ratios), max(ratios)


def screen_vs_import() -> tuple[float, float]:
    """``screen NAME`` (warmed once) and ``python -c "import rapidfuzz, yaml"``: medians of 5, run in turn."""
    screen = [tool(), "screen", SCREEN_NAME]
    run(screen, ok=AUDIT_OK)
    walls: dict[str, list[float]] = {"screen": [], "import": []}
    for _ in range(SCREEN_RUNS):
        walls["screen"].append(run(screen, ok=AUDIT_OK).wall)
        walls["import"].append(run([sys.executable, "-c", "import rapidfuzz, yaml"]).wall)
    return statistics.median(walls["screen"]), statistics.median(walls["import"])


def report(args: argparse.Namespace, stats: dict, steps: dict[str, Step], rss: tuple[Step, Step] | None,
           screen: tuple[float, float]) -> list[str]:
    """The result lines: every step's median, then the ratios and checks."""
    n = stats["rows"]
    lines = [f"rows {n:,}, {stats['distinct']:,} distinct names ({stats['distinct_share']:.1%}), seed {stats['seed']}; "
             f"{time.strftime('%Y-%m-%d')}; medians of {args.repeat} rounds",
             f"machine: {os.cpu_count()} CPUs, {platform.platform()}, load average "
             + ", ".join(f"{x:.2f}" for x in os.getloadavg()),
             f"python {platform.python_version()}; tool {tool()}"
             + (f"; baseline {args.baseline}" if args.baseline else "")
             + (f" reading {args.baseline_registry}" if args.baseline_registry else "")]
    for step in steps.values():
        lines.append(f"{step.label}: {step.wall:.2f} s, {step.rss_mib:.0f} MiB, {step.wall / n * 1e6:.2f} µs/row")
    if rss is not None:
        small, big = rss
        lines.append(f"(b) at {args.rss_rows:,} rows: {big.wall:.2f} s, {big.rss_mib:.0f} MiB")
    lines.append(f"screen: {screen[0] * 1e3:.0f} ms; import rapidfuzz, yaml: {screen[1] * 1e3:.0f} ms")
    lines.append("")
    for key in ("b", "c", "f", "b1", "c1", "f1"):
        mid, low, high = ratio(steps, key, "F")
        direction = "  direction: <= 1.5" if key == "b" else ""
        lines.append(f"{key}/F = {mid:.2f} (rounds {low:.2f}-{high:.2f}){direction}")
    if args.baseline:
        for key in ("b", "c", "f", "b1", "c1", "f1"):
            mid, low, high = ratio(steps, key, f"base{key}")
            verdict = "PASS" if mid <= 1.05 else "FAIL"
            lines.append(f"{verdict}  {key} this/baseline = {mid:.2f} (rounds {low:.2f}-{high:.2f}; no slower: "
                         "median <= 1.05)")
    if rss is not None:
        small, big = rss
        value = big.rss_mib / small.rss_mib
        lines.append(f"{'PASS' if value <= 1.2 else 'FAIL'}  RSS({args.rss_rows / 1e6:g}M)/RSS({n / 1e6:g}M) of (b) "
                     f"= {value:.2f} (<= 1.2) [{big.rss_mib:.0f} vs {small.rss_mib:.0f} MiB]")
    value = screen[0] / screen[1]
    lines.append(f"{'PASS' if value <= 3 else 'FAIL'}  screen/import = {value:.2f} (<= 3)")
    if "analyst" in steps:
        mid, low, high = ratio(steps, "analyst", "b")
        memory = steps["analyst"].rss_mib / steps["b"].rss_mib
        lines.append(f"analyst/(b) = {mid:.2f}x the time (rounds {low:.2f}-{high:.2f}), {memory:.1f}x the memory")
    return lines


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """Command-line options (``--quick``: 100,000 rows, RSS at 400,000, one round)."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, help="rows of the measured file (default 1,000,000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3, help="rounds of every step in turn (default 3)")
    ap.add_argument("--baseline", help="another build's sanctuary-check, compared round by round")
    ap.add_argument("--baseline-registry", type=Path,
                    help="registry folder the baseline reads (this registry in its form: registry_for.py)")
    ap.add_argument("--analyst-python", help="a Python with pandas and rapidfuzz for analyst.py (default: this one)")
    rss = ap.add_mutually_exclusive_group()
    rss.add_argument("--rss-rows", type=int, help="rows of the peak-RSS file (default 4,000,000)")
    rss.add_argument("--no-rss", action="store_true", help="skip the peak-RSS run")
    ap.add_argument("--workdir", type=Path, default=Path(tempfile.gettempdir()) / "sanctuary-bench",
                    help="cache of generated files, reused when present")
    ap.add_argument("--quick", action="store_true", help="smoke run: 100,000 rows, RSS at 400,000, one round")
    args = ap.parse_args(argv)
    args.rows = args.rows or (100_000 if args.quick else 1_000_000)
    args.repeat = 1 if args.quick else args.repeat
    args.rss_rows = None if args.no_rss else args.rss_rows or (400_000 if args.quick else 4_000_000)
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: 0 when every command ran, 2 when one failed."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        path, stats = ensure_sample(args.rows, args.seed, args.workdir)
        print(f"file: {path} ({path.stat().st_size / 2**20:.0f} MiB)", flush=True)
        steps = measure(args, path)
        rss = None
        if args.rss_rows:
            print(f"... peak RSS at {args.rss_rows:,} rows", flush=True)
            big, _ = ensure_sample(args.rss_rows, args.seed, args.workdir)
            b_big = Step("B", "(b) big", [tool(), "audit", str(big), "--only-flagged", "--as-of", AS_OF, "-q"],
                         ok=AUDIT_OK)
            b_big.runs.append(run(b_big.cmd, b_big.env, b_big.ok))
            rss = (steps["b"], b_big)
        print("... screen start-up", flush=True)
        screen = screen_vs_import()
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    floor = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print("\n".join(["", *report(args, stats, steps, rss, screen), "",
                     f"note: a child's peak RSS includes this process's own peak ({floor:.0f} MiB): fork/exec keeps "
                     "the high-water mark; files are generated in a subprocess to keep it small."]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
