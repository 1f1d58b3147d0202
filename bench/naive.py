"""The naive matcher: ``rapidfuzz.process.extractOne(WRatio)`` against every registry name, once per row.

Reads the vendor names of a payment CSV, takes a random sample of rows and times ``extractOne`` for each
(reading and sampling are not timed). Prints ``{"rows", "choices", "seconds", "per_row"}`` as JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections.abc import Iterable
from pathlib import Path

import yaml
from rapidfuzz import fuzz, process, utils

DEFAULT_VENDORS = Path(__file__).resolve().parent.parent / "vendors"


def registry_choices(vendor_dir: Path) -> list[str]:
    """Every entity name and alias in the registry YAML files."""
    names: list[str] = []
    for path in sorted(vendor_dir.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entity in doc.get("entities") or []:
            names.append(str(entity["name"]))
            names.extend(str(a) for a in entity.get("aliases") or [])
    return names


def sample_vendors(path: Path, column: str, size: int, seed: int) -> list[str]:
    """A random sample of ``size`` rows' vendor names (all rows if the file is smaller)."""
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        index = next(reader).index(column)
        names = [row[index] for row in reader if len(row) > index]
    return random.Random(seed).sample(names, min(size, len(names)))


def time_extract(names: list[str], choices: list[str]) -> float:
    """Seconds spent matching every name with ``extractOne`` (WRatio, default_process)."""
    started = time.perf_counter()
    for name in names:
        process.extractOne(name, choices, scorer=fuzz.WRatio, processor=utils.default_process)
    return time.perf_counter() - started


def main(argv: Iterable[str] | None = None) -> int:
    """Time the naive matcher on a sample of FILE and print the result as JSON."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", type=Path)
    ap.add_argument("--sample", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--column", default="Vendor Name")
    ap.add_argument("--vendors", type=Path, default=DEFAULT_VENDORS)
    args = ap.parse_args(sys.argv[1:] if argv is None else list(argv))
    choices = registry_choices(args.vendors)
    names = sample_vendors(args.file, args.column, args.sample, args.seed)
    seconds = time_extract(names, choices)
    per_row = seconds / len(names) if names else 0.0
    print(json.dumps({"rows": len(names), "choices": len(choices), "seconds": seconds, "per_row": per_row}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
