"""What each speed device of the engine buys: `audit --only-flagged` (the table, written to /dev/null) in one process
with each device switched off in turn.

Each variant runs in a fresh process (the tool's own code, patched before the audit starts), the variants in
turn for ROUNDS rounds; prints each variant's median time and its ratio to the run with every device on.

    python bench/devices.py FILE [ROUNDS]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys

VARIANTS = {
    "all devices": "",
    "no bulk counts": "A.RowAudit.__init__ = wrap(lambda self: setattr(self, 'bulk', False))",
    "no judgement memo": "A.RowAudit.__init__ = wrap(lambda self: setattr(self, 'judgements', self._judged))",
    "no shared judgements": "A.RowAudit._judged = lambda self, facts: self.judge.judge(facts)",
    "no day stretches": "A.ByStretch = lambda judge, limit: judge",
    "no gc freeze": "A._fewer_collections = contextlib.nullcontext",
    "no date/action memo": "A.RowAudit.__init__ = wrap(lambda self: (setattr(self.convert, 'read_date', R.read_date),"
                           " setattr(self.convert, 'read_action', R.read_action)))",
}
CODE = """
import contextlib, sys, time
import checker.engine.audit as A, checker.sources.rows as R
from checker.api import Checker
from checker.formats import View, get
original = A.RowAudit.__init__
def wrap(after):
    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        after(self)
    return init
{patch}
checker = Checker()
started = time.perf_counter()
run = checker.audit(sys.argv[1], only_flagged=True)
with open("/dev/null", "w") as out:
    get("table").write(run, out, View(only_flagged=True))
print(time.perf_counter() - started)
"""


def main() -> int:
    """Time every variant; print medians and ratios."""
    path, rounds = sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else 3
    env = {**os.environ, "SANCTUARY_CHECK_WORKERS": "0"}
    times: dict[str, list[float]] = {name: [] for name in VARIANTS}
    for _ in range(rounds):
        for name, patch in VARIANTS.items():
            done = subprocess.run([sys.executable, "-c", CODE.format(patch=patch), path], capture_output=True,
                                  text=True, env=env)
            if done.returncode:
                print(done.stderr, file=sys.stderr)
                return 2
            times[name].append(float(done.stdout))
    base = statistics.median(times["all devices"])
    for name, runs in times.items():
        median = statistics.median(runs)
        print(f"{name:22} {median:6.2f} s  ({median / base:4.2f}x)  runs {', '.join(f'{t:.2f}' for t in runs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
