"""The pipeline, as a library: load knowledge once, then screen names or audit a file."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from checker import __version__
from checker.decisions import load_decisions
from checker.judge import Judge
from checker.matcher import MATCH_THRESHOLD, PROFILE, REVIEW_THRESHOLD, compiled_matcher
from checker.models import Finding, Record, Skipped, Summary
from checker.registry import Registry
from checker.rulesets import RuleSet, select_rulesets

if TYPE_CHECKING:
    from checker.sources.records import ReadOptions
    from checker.split_audit import SpooledRows


@dataclass
class Run:
    """One screening or audit run: its inputs, provenance and the findings stream with a live summary."""

    rulesets: list[RuleSet]
    default_rules: bool
    registry: Registry
    as_of: date
    findings: Iterator[Finding]
    summary: Summary = field(default_factory=Summary)
    input_path: str | None = None
    input_sha256: str | None = None
    decisions_path: str | None = None
    waivers_path: str | None = None
    shareable: bool = False
    rendered_tail: SpooledRows | None = None
    """The rows after ``findings``, written as text by a second process (``Checker.audit(write_rows=...)``):
    copy them with ``write_to`` once ``findings`` is read to the end (the summary is then complete)."""

    def for_publication(self) -> Run:
        """The run as a coalition would publish it (``--shareable``).

        Individual payees are counted in the summary but not listed; the wording of internal match
        decisions (who decided, and why) is withheld; local paths are reduced to file names.
        """
        if self.rendered_tail is not None:
            raise ValueError("rows rendered by a second process cannot be made shareable: audit without write_rows")
        def stream() -> Iterator[Finding]:
            for f in self.findings:
                if f.person:
                    continue
                yield _without_decision(f) if f.decision else f

        return replace(self, findings=stream(), shareable=True)

    def _path(self, path: str) -> str:
        return Path(path).name if self.shareable else path

    def provenance(self) -> dict:
        """Versions and hashes of everything that decided the findings."""
        return {
            "registry_sha256": self.registry.sha256,
            "registry_version": self.registry.version,
            "rules": [{"id": rs.id, "sha256": rs.sha256, "status": rs.status, "text_verified": rs.text_verified}
                      for rs in self.rulesets],
            "input": None if self.input_path is None else
            {"path": self._path(self.input_path), "sha256": self.input_sha256},
            "matcher": {"profile": PROFILE, "match_threshold": MATCH_THRESHOLD, "review_threshold": REVIEW_THRESHOLD},
            "as_of": self.as_of.isoformat(),
            "decisions": None if self.decisions_path is None else
            {"path": self._path(self.decisions_path), "sha256": file_sha256(self.decisions_path)},
            "waivers": None if self.waivers_path is None else
            {"path": self._path(self.waivers_path), "sha256": file_sha256(self.waivers_path)},
        }

    @property
    def tool(self) -> dict:
        """Tool name and version."""
        return {"name": "sanctuary-check", "version": __version__}


class Checker:
    """Loads the registry and rule sets once; screens names and audits files with them."""

    def __init__(self, rules: list[str] | None = None, *, as_of: date | None = None,
                 registry_dir: str | None = None, rules_dir: str | None = None,
                 decisions: str | None = None, waivers: str | None = None) -> None:
        self.matcher = compiled_matcher(registry_dir)
        self.registry = self.matcher.registry
        self.rulesets, self.default_rules = select_rulesets(rules, rules_dir)
        self.decisions_path = decisions
        if decisions:
            self.matcher.decisions = load_decisions(decisions, self.registry)
        self.as_of = as_of or date.today()
        self.waivers_path = waivers
        register = None
        if waivers:
            from checker.waivers import load_waivers

            register = load_waivers(waivers, self.registry)
        self.judge = Judge(self.registry, self.matcher, self.rulesets, self.as_of, register)

    def _run(self, findings: Iterator[Finding], summary: Summary, **kw) -> Run:
        return Run(self.rulesets, self.default_rules, self.registry, self.as_of, findings, summary,
                   decisions_path=self.decisions_path, waivers_path=self.waivers_path, **kw)

    def screen(self, names: list[str]) -> Run:
        """Judge each name as a proposed new contract on the as-of date."""
        summary = Summary()

        def stream() -> Iterator[Finding]:
            for i, name in enumerate(names, start=1):
                finding = self.judge.judge(Record(row=i, vendor=" ".join(name.split()), action="new",
                                                  date=self.as_of), screening=True)
                summary.add(finding)
                yield finding

        return self._run(stream(), summary)

    def holdings(self, path: str) -> Run:
        """Judge every security of a holdings report under the rule sets' investment provisions."""
        from checker.sources.holdings_source import read_holdings

        return self._judge_file(path, read_holdings(path), self.judge.judge_holding, _holdings_totals)

    def audit(self, path: str, *, options: ReadOptions | None = None, max_rows: int | None = None,
              only_flagged: bool = False, progress: Callable[[int], None] | None = None,
              write_rows: Callable[[Iterator[Finding], TextIO], int] | None = None,
              spool_dir: str | None = None) -> Run:
        """Judge every data row of a CSV, .xlsx or JSON Lines file; blank and total rows are counted as skipped.

        With ``only_flagged`` the findings stream holds only flagged rows; every row is still counted.
        ``progress`` is told the number of rows read so far, after every chunk of rows. With ``write_rows``
        (a format's way to write findings as text), a large CSV file's later rows may be judged and written
        by a second process: then ``findings`` holds the first rows, and the caller must write
        ``rendered_tail`` after them. The rows wait in a folder made in ``spool_dir`` (default: the system's
        temporary folder), about half the report's size; the CLI uses the report's own folder.
        """
        from checker.row_audit import RowAudit  # reading files: a screen never needs it

        findings, summary, sha256, tail = RowAudit(self.matcher, self.judge).audit(
            path, options, max_rows, only_flagged, progress, write_rows, spool_dir)
        return self._run(findings, summary, input_path=str(path), input_sha256=sha256, rendered_tail=tail)

    def _judge_file(self, path: str, items: Iterator[Record | Skipped], judge: Callable[[Record], Finding],
                    tally: Callable[[Summary, Finding], None] | None = None) -> Run:
        """Stream judged findings, counting every row as a finding or a skipped row."""
        summary = Summary()

        def stream() -> Iterator[Finding]:
            for item in items:
                if isinstance(item, Skipped):
                    summary.skip(item)
                    continue
                finding = judge(item)
                summary.add(finding)
                if tally is not None:
                    tally(summary, finding)
                yield finding

        return self._run(stream(), summary, input_path=str(path), input_sha256=file_sha256(path))


WITHHELD_DECISION = "a recorded match decision (its wording is withheld in shareable output)"


def _without_decision(f: Finding) -> Finding:
    """A finding with the wording of its match decision replaced by a neutral phrase."""
    def scrub(text: str | None) -> str | None:
        return text.replace(f.decision, WITHHELD_DECISION) if text and f.decision else text

    match = replace(f.match, explanation=scrub(f.match.explanation)) if f.match is not None else None
    rules = tuple(replace(r, reason=scrub(r.reason)) for r in f.rules)
    return Finding(f.record, replace(f.judgement, decision=WITHHELD_DECISION, note=scrub(f.note), match=match,
                                     rules=rules))


def _holdings_totals(summary: Summary, finding: Finding) -> None:
    from checker.sources.values import parse_amount

    value = parse_amount(finding.record.security.market_value) if finding.record.security else None
    if value is None:
        return
    summary.value_total += value
    if finding.flagged:
        summary.value_flagged += value
        summary.value_by_family[finding.family_name or "(possible matches)"] += value


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, read in chunks."""
    return file_digest(path)[0]


def file_digest(path: str | Path) -> tuple[str, bool]:
    """SHA-256 of a file, and whether it is free of NUL bytes (then no cell read from it holds one)."""
    h = hashlib.sha256()
    nul_free = True
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
            nul_free = nul_free and b"\x00" not in chunk
    return h.hexdigest(), nul_free
