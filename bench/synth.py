"""Generate a synthetic city payment CSV with a realistic vendor-name distribution.

The name pool is the unique vendor names of ``../shared/data/real`` (Phoenix and Scottsdale payment files) plus
registry names, variants and decoys from ``vendors/*.yaml``. Rows draw from that pool with a Zipf distribution;
the rest are one-off payees minted the way city checkbooks have them (``LAST, FIRST`` refunds, recombined company
names, store/location suffixes), each used once, so that about ``--unique-share`` of the rows are distinct names.

Run it standalone (``python bench/synth.py --rows 1000000 --out FILE``) or through ``bench/bench.py``. It writes
``FILE`` and ``FILE.json`` (the statistics) atomically and prints the statistics as JSON on stdout.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import itertools
import json
import os
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
DEFAULT_REAL = REPO.parent / "shared" / "data" / "real"
DEFAULT_VENDORS = REPO / "vendors"
GENERATOR_VERSION = 1

REAL_FILES = {
    "phoenix_az_checkbook_2018-06.csv": "Vendor Name",
    "phoenix_az_checkbook_2018-11.csv": "Vendor Name",
    "phoenix_az_checkbook_2018-12.csv": "Vendor Name",
    "scottsdale_az_vendor_payments_fy2018.csv": "VendorName",
}
HEADER = ["Payment Date", "Department", "Vendor Name", "Description", "Amount"]
DEPARTMENTS = [
    "Police", "Fire", "Water Services", "Public Works", "Parks and Recreation", "Aviation", "Housing",
    "Human Services", "Library", "City Clerk", "Information Technology", "Finance", "Street Transportation",
]
DESCRIPTIONS = [
    "Professional Services", "Subscriptions", "Inventories", "Tech Supp Maint/Rep", "Small Tools/ Equip",
    "Refund", "Utilities", "Office Supplies", "Software License", "Vehicle Parts",
]
LEGAL_FORMS = ["INC", "LLC", "CORP", "CO", "LTD", "LP", "PLLC", "CORPORATION", "COMPANY", "INCORPORATED"]
SWAP_FORMS = ["INC", "LLC", "CORP"]
CITIES = ["PHOENIX", "SCOTTSDALE", "TEMPE", "MESA", "CHANDLER", "GLENDALE", "TUCSON", "PEORIA", "GILBERT"]
BUILTIN_SURNAMES = [
    "SMITH", "JOHNSON", "WILLIAMS", "BROWN", "JONES", "GARCIA", "MILLER", "DAVIS", "RODRIGUEZ", "MARTINEZ",
    "HERNANDEZ", "LOPEZ", "GONZALEZ", "WILSON", "ANDERSON", "THOMAS", "TAYLOR", "MOORE", "JACKSON", "MARTIN",
    "LEE", "PEREZ", "THOMPSON", "WHITE", "HARRIS", "SANCHEZ", "CLARK", "RAMIREZ", "LEWIS", "ROBINSON",
    "NGUYEN", "NAVARRO", "BEGAY", "YAZZIE", "CHAVEZ", "KIM", "PATEL", "ALI", "COHEN", "OKAFOR",
]
BUILTIN_FIRSTS = [
    "JAMES", "MARY", "ROBERT", "PATRICIA", "JOHN", "JENNIFER", "MICHAEL", "LINDA", "DAVID", "ELIZABETH",
    "WILLIAM", "BARBARA", "RICHARD", "SUSAN", "JOSEPH", "JESSICA", "MARIA", "JOSE", "LUIS", "ANA",
    "DANIEL", "SARAH", "CARLOS", "KAREN", "ANTHONY", "NANCY", "MARK", "LISA", "STEVEN", "BETTY",
    "ALEXIS", "TORI", "NGOC", "FATIMA", "AHMED", "WEI", "PRIYA", "OMAR", "TIFFANY", "ROSA",
]
BUILTIN_WORDS = [
    "ARIZONA", "DESERT", "SOUTHWEST", "VALLEY", "SERVICES", "SUPPLY", "SOLUTIONS", "CONSTRUCTION", "ELECTRIC",
    "LANDSCAPE", "SYSTEMS", "TECHNOLOGY", "GROUP", "ASSOCIATES", "ENGINEERING", "CONSULTING", "MEDICAL",
]
BUILTIN_COMPANIES = [
    "DESERT LANDSCAPE SUPPLY", "VALLEY OFFICE PRODUCTS CO", "SOUTHWEST UNIFORM & APPAREL", "CANYON ELECTRIC INC",
    "MESA AUTO PARTS LLC", "SUN CITY JANITORIAL SUPPLY", "PINNACLE ENGINEERING GROUP", "SAGUARO CONSTRUCTION CO",
    "METRO FLEET SERVICES", "GRAND AVENUE HARDWARE", "COPPER STATE PLUMBING INC", "SONORAN MEDICAL SUPPLY",
]
PERSON_RE = re.compile(r"^([A-Z]+), ([A-Z]+)\b")
WORD_RE = re.compile(r"^[A-Z][A-Z&'-]{2,}$")
START, END = dt.date(2018, 1, 1), dt.date(2024, 12, 31)


@dataclass
class Sources:
    """Names read from the real payment files and the vendor registry."""

    real: Counter[str]
    registry: list[str]
    decoys: list[str]
    real_dir: str | None


@dataclass
class Stats:
    """What was generated (also written next to the CSV as ``FILE.json``)."""

    rows: int
    seed: int
    distinct: int
    distinct_share: float
    pool: int
    pool_used: int
    minted: int
    real_names: int
    registry_names: int
    real_data: str | None
    zipf: float
    seconds: float
    version: int = GENERATOR_VERSION


def clean(name: str) -> str:
    """Strip and collapse whitespace."""
    return " ".join(name.split())


def decode(raw: bytes) -> str:
    """Text of a payment file: UTF-8 if it decodes, else cp1252."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def read_real_names(real_dir: Path) -> Counter[str] | None:
    """Payment rows per unique vendor name in the real files, or None if the directory is absent."""
    if not real_dir.is_dir():
        return None
    names: Counter[str] = Counter()
    for filename, column in REAL_FILES.items():
        path = real_dir / filename
        if not path.is_file():
            continue
        for row in csv.DictReader(io.StringIO(decode(path.read_bytes()), newline="")):
            name = clean(row.get(column) or "")
            if name:
                names[name] += 1
    return names or None


def load_registry(vendor_dir: Path) -> tuple[list[str], list[str]]:
    """Entity names, aliases and former names; and decoy names, from the registry YAML files."""
    names: list[str] = []
    decoys: list[str] = []
    for path in sorted(vendor_dir.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for entity in doc.get("entities") or []:
            names.append(str(entity["name"]))
            for key in ("aliases", "former_names"):
                names.extend(str(a) for a in entity.get(key) or [])
        decoys.extend(str(d["name"]) for d in doc.get("decoys") or [] if d.get("name"))
    return names, decoys


def strip_form(name: str) -> str:
    """The name without a trailing legal form (``, Inc.``, ``LLC`` ...)."""
    words = name.replace(",", " ").split()
    while len(words) > 1 and words[-1].upper().rstrip(".") in LEGAL_FORMS:
        words.pop()
    return " ".join(words)


def variants(name: str) -> set[str]:
    """Spellings a payment system produces: upper case, with/without legal form, truncated, suffix swaps."""
    upper = clean(name.upper())
    bare = strip_form(upper)
    out = {clean(name), upper, bare, upper[:30].rstrip(), bare[:30].rstrip()}
    out.update(f"{bare} {form}" for form in SWAP_FORMS)
    return {v for v in out if v}


def load_sources(real_dir: Path, vendor_dir: Path) -> Sources:
    """Read the real names (if present) and the registry."""
    registry, decoys = load_registry(vendor_dir)
    real = read_real_names(real_dir)
    return Sources(real or Counter(), registry, decoys, str(real_dir) if real else None)


def build_pool(src: Sources, rng: random.Random) -> list[str]:
    """Pool names in Zipf rank order: real names by real frequency, registry spellings at random ranks.

    Registry spellings go below the top quarter of ranks: in real checkbooks they are rare payees (Thomson
    Reuters is ~50 of 160,000 rows), so they must not become the file's second most frequent vendor.
    """
    ranked = sorted(src.real, key=lambda n: (-src.real[n], rng.random()))
    seen = set(ranked)
    extra = sorted({v for n in src.registry + src.decoys for v in variants(n)} - seen)
    rng.shuffle(extra)
    floor = len(ranked) // 4
    for name in extra:
        ranked.insert(rng.randint(floor, len(ranked)), name)
    return ranked


def zipf_cum_weights(size: int, s: float) -> list[float]:
    """Cumulative Zipf weights 1/rank**s for ranks 1..size."""
    return list(itertools.accumulate(1.0 / (rank**s) for rank in range(1, size + 1)))


def expected_distinct(cum: Sequence[float], draws: int) -> float:
    """Expected number of distinct pool names among ``draws`` Zipf draws."""
    total = cum[-1]
    probs = (b - a for a, b in itertools.pairwise(itertools.chain([0.0], cum)))
    return sum(1.0 - (1.0 - p / total) ** draws for p in probs)


def plan(rows: int, cum: Sequence[float], share: float) -> int:
    """How many minted one-off rows make the distinct-name share about ``share``."""
    target = round(rows * share)
    minted = 0
    for _ in range(8):
        minted = max(0, min(rows, target - round(expected_distinct(cum, rows - minted))))
    return minted


class Minter:
    """Mints realistic one-off payee names that are not in the pool and never repeat."""

    def __init__(self, src: Sources, pool: Sequence[str], rng: random.Random) -> None:
        self.rng = rng
        self.seen = set(pool)
        people = [m for m in (PERSON_RE.match(n) for n in src.real) if m and m.group(2) not in LEGAL_FORMS]
        self.surnames = sorted({m.group(1) for m in people} | set(BUILTIN_SURNAMES))
        self.firsts = sorted({m.group(2) for m in people} | set(BUILTIN_FIRSTS))
        # Without real data, mint from neutral names and decoys, not registry names (those would all match).
        companies = [n for n in src.real if not PERSON_RE.match(n)] or BUILTIN_COMPANIES + src.decoys
        self.words = [w for n in companies for w in n.split() if WORD_RE.match(w) and w not in LEGAL_FORMS]
        self.words += BUILTIN_WORDS
        self.stores = companies
        self.kinds = [self.person, self.company, self.store]

    def person(self) -> str:
        """``LAST, FIRST`` with an optional middle initial or second given name."""
        rng = self.rng
        name = f"{rng.choice(self.surnames)}, {rng.choice(self.firsts)}"
        extra = rng.random()
        if extra < 0.45:
            return f"{name} {chr(65 + rng.randrange(26))}"
        return f"{name} {rng.choice(self.firsts)}" if extra < 0.65 else name

    def company(self) -> str:
        """Two to four words from real company names plus an optional legal form."""
        rng = self.rng
        words = rng.choices(self.words, k=rng.choice((2, 2, 3, 3, 4)))
        if rng.random() < 0.6:
            words.append(rng.choice(LEGAL_FORMS[:6]))
        return " ".join(words)[:45]

    def store(self) -> str:
        """A real company name with a store number or location suffix."""
        rng = self.rng
        base = rng.choice(self.stores)[:35]
        pick = rng.random()
        if pick < 0.5:
            return f"{base} #{rng.randint(1, 9999)}"
        city = rng.choice(CITIES)
        return f"{base} - {city}" if pick < 0.75 else f"{base} #{rng.randint(1, 999)} {city}"

    def mint(self, count: int) -> list[str]:
        """``count`` new unique names: about 50 % people, 35 % companies, 15 % stores."""
        out: list[str] = []
        while len(out) < count:
            name = self.rng.choices(self.kinds, cum_weights=(50, 85, 100))[0]()
            if name not in self.seen:
                self.seen.add(name)
                out.append(name)
        return out


def amounts(rng: random.Random, count: int) -> list[str]:
    """Payment amounts like ``1,234.56`` (log-normal, 3 % credits)."""
    lognorm = rng.lognormvariate
    return [f"{(-1 if rng.random() < 0.03 else 1) * lognorm(5.5, 1.8):,.2f}" for _ in range(count)]


def iso_dates() -> list[str]:
    """Every ISO date from 2018-01-01 to 2024-12-31."""
    return [(START + dt.timedelta(days=d)).isoformat() for d in range((END - START).days + 1)]


def write_rows(path: Path, vendors: list[str], rng: random.Random) -> None:
    """Write the payment CSV (UTF-8, ``\\n``, minimal quoting) for the given vendor column."""
    n = len(vendors)
    cols = zip(
        rng.choices(iso_dates(), k=n),
        rng.choices(DEPARTMENTS, k=n),
        vendors,
        rng.choices(DESCRIPTIONS, k=n),
        amounts(rng, n),
        strict=True,
    )
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(HEADER)
        writer.writerows(cols)


def generate(rows: int, seed: int, out: Path, src: Sources, share: float = 0.10, zipf: float = 1.0) -> Stats:
    """Generate ``out`` (and ``out.json``) atomically; return the statistics."""
    started = time.perf_counter()
    rng = random.Random(seed)
    pool = build_pool(src, rng)
    cum = zipf_cum_weights(len(pool), zipf)
    minted = Minter(src, pool, rng).mint(plan(rows, cum, share))
    vendors = rng.choices(pool, cum_weights=cum, k=rows - len(minted))
    pool_used = len(set(vendors))
    vendors += minted
    rng.shuffle(vendors)
    tmp = out.with_name(out.name + f".{os.getpid()}.tmp")
    write_rows(tmp, vendors, rng)
    distinct = pool_used + len(minted)
    stats = Stats(rows, seed, distinct, distinct / rows if rows else 0.0, len(pool), pool_used, len(minted),
                  len(src.real), len(pool) - len(src.real), src.real_dir, zipf, 0.0)
    stats.seconds = round(time.perf_counter() - started, 2)
    Path(str(tmp) + ".json").write_text(json.dumps(asdict(stats), indent=1), encoding="utf-8")
    os.replace(str(tmp) + ".json", str(out) + ".json")
    os.replace(tmp, out)
    return stats


def parse_args(argv: Iterable[str]) -> argparse.Namespace:
    """Command-line options."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--real-dir", type=Path, default=DEFAULT_REAL)
    ap.add_argument("--vendors", type=Path, default=DEFAULT_VENDORS)
    ap.add_argument("--unique-share", type=float, default=0.10)
    ap.add_argument("--zipf", type=float, default=1.0, help="Zipf exponent s (weight 1/rank**s)")
    return ap.parse_args(list(argv))


def main(argv: Iterable[str] | None = None) -> int:
    """Generate one file and print its statistics as JSON."""
    args = parse_args(sys.argv[1:] if argv is None else argv)
    src = load_sources(args.real_dir, args.vendors)
    stats = generate(args.rows, args.seed, args.out, src, args.unique_share, args.zipf)
    print(json.dumps(asdict(stats)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
