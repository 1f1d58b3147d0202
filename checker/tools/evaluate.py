"""Measure the matcher on a labelled set: recall per tier, decoys flagged, confusions, score calibration."""

from __future__ import annotations

import csv
import statistics
from dataclasses import dataclass, field
from pathlib import Path

from checker.errors import InputError, open_input
from checker.match.matcher import Matcher

TIERS = ("strong", "medium", "decoy")
BUNDLED_SET = Path(__file__).resolve().parent / "data" / "eval_names.csv"
"""The labelled set shipped with the tool (package data): registry names, variants and decoys."""


@dataclass(frozen=True)
class Case:
    """One labelled vendor string: expected family (None for a decoy) and tier."""

    line: int
    vendor: str
    expected: str | None
    tier: str
    note: str = ""


@dataclass
class Scored:
    """A case with what the matcher said."""

    case: Case
    family: str | None
    band: str
    score: float
    explanation: str

    @property
    def correct(self) -> bool:
        """Right family found (flagged as match or possible), or a decoy left unflagged."""
        if self.case.expected is None:
            return self.family is None
        return self.family == self.case.expected


@dataclass
class Report:
    """Evaluation results, with the numbers the issue's targets are stated in."""

    results: list[Scored] = field(default_factory=list)

    def tier(self, name: str) -> list[Scored]:
        """Results of one tier."""
        return [r for r in self.results if r.case.tier == name]

    def recall(self, tier: str) -> float:
        """Share of a tier's registry names found with the right family."""
        rows = self.tier(tier)
        return sum(r.correct for r in rows) / len(rows) if rows else 1.0

    def decoy_flag_rate(self) -> float:
        """Share of decoys the matcher flagged (as match or possible)."""
        rows = self.tier("decoy")
        return sum(not r.correct for r in rows) / len(rows) if rows else 0.0

    def errors(self) -> list[Scored]:
        """Every wrong result, misses first."""
        return sorted((r for r in self.results if not r.correct), key=lambda r: (r.case.tier == "decoy", r.case.line))


def load_cases(path: Path | str) -> list[Case]:
    """Read a labelled CSV (``vendor,expected_family,tier[,note]``)."""
    p = Path(path)
    with open_input(p, "a CSV file", newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        missing = {"vendor", "expected_family", "tier"} - set(reader.fieldnames or ())
        if missing:
            raise InputError(str(p), f"missing columns: {', '.join(sorted(missing))}")
        cases = []
        for line, row in enumerate(reader, start=2):
            if row["tier"] not in TIERS:
                raise InputError(str(p), f"line {line}: tier {row['tier']!r} is not one of {', '.join(TIERS)}")
            cases.append(Case(line, row["vendor"], row["expected_family"].strip() or None, row["tier"],
                              row.get("note") or ""))
    return cases


def evaluate(matcher: Matcher, cases: list[Case]) -> Report:
    """Score every case; for calibration, a case's score is its best candidate's, even below the bands."""
    report = Report()
    for case in cases:
        outcome = matcher.match(case.vendor)
        m = outcome.match
        ranked = matcher.ranked(case.vendor, limit=1)
        top = ranked[0].score if ranked else 0.0
        if m is None:
            report.results.append(Scored(case, None, "none", top, outcome.note or ""))
        else:
            report.results.append(Scored(case, m.family_id, m.band, m.score, m.explanation))
    return report


def render(report: Report, known: set[str]) -> str:
    """The evaluation as text: headline numbers, calibration table, confusion list."""
    lines = ["Matcher evaluation", ""]
    for tier in ("strong", "medium"):
        rows = report.tier(tier)
        found = sum(r.correct for r in rows)
        lines.append(f"  {tier:7} recall {report.recall(tier) * 100:6.2f} %  ({found}/{len(rows)})")
    decoys = report.tier("decoy")
    lines.append(f"  decoys  wrongly flagged {report.decoy_flag_rate() * 100:5.2f} %  "
                 f"({sum(not r.correct for r in decoys)}/{len(decoys)})")
    lines += ["", "Score distribution (best candidate score, 0-100) per tier:",
              f"  {'tier':7} {'n':>4} {'mean':>6} {'min':>6} {'p10':>6} {'median':>6} {'max':>6}"]
    for tier in TIERS:
        scores = [r.score * 100 for r in report.tier(tier)]
        if not scores:
            continue
        qs = statistics.quantiles(scores, n=10) if len(scores) > 1 else scores * 9
        lines.append(f"  {tier:7} {len(scores):4} {statistics.mean(scores):6.1f} {min(scores):6.1f} {qs[0]:6.1f} "
                     f"{statistics.median(scores):6.1f} {max(scores):6.1f}")
    unknown = sorted({r.case.expected for r in report.results if r.case.expected and r.case.expected not in known})
    if unknown:
        lines += ["", f"Unknown families in the labels: {', '.join(unknown)}"]
    errors = report.errors()
    lines += ["", f"Confusions ({len(errors)}):" if errors else "Confusions: none"]
    for r in errors:
        got = f"{r.family} ({r.band}, {r.score * 100:.0f})" if r.family else f"nothing (best {r.score * 100:.0f})"
        lines.append(f"  line {r.case.line} [{r.case.tier}] {r.case.vendor.strip()!r}: expected "
                     f"{r.case.expected or 'no flag'}, got {got}" + (f" — {r.case.note}" if r.case.note else ""))
    return "\n".join(lines)
