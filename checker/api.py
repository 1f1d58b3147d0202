"""The library: load knowledge once, then screen names, audit a file or screen holdings; each gives a ``Run``.

    checker = Checker(["berkeley-ca"], as_of=date(2026, 1, 15))
    run = checker.audit("payments.csv", only_flagged=True)
    for finding in run.findings:      # a stream; run.summary counts every row as it passes
        print(finding.record.row, finding.verdict)

A ``Run`` knows nothing of formats; ``checker.formats`` renders one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from checker import __version__
from checker.judge.facts import FactFinder
from checker.judge.judge import Judge
from checker.knowledge.decisions import load_decisions
from checker.knowledge.registry import Registry
from checker.knowledge.rulesets import RuleSet, select_rulesets
from checker.match.matcher import compiled_matcher
from checker.match.score import MATCH_THRESHOLD, PROFILE, REVIEW_THRESHOLD
from checker.model import FLAGGED, MAX_NAME, FileTotals, Finding, Match, Outcome, Record, Skipped, Summary

if TYPE_CHECKING:
    from checker.engine.split import RowWriter
    from checker.knowledge.waivers import WaiverRegister
    from checker.sources.actions import ActionReader
    from checker.sources.base import ReadOptions


@dataclass
class Run:
    """One screening, audit or holdings run: its inputs, provenance and the findings stream with a live summary."""

    kind: str  # "screen", "audit" or "holdings"
    rulesets: list[RuleSet]
    default_rules: bool
    registry: Registry
    as_of: date
    findings: Iterator[Finding]
    summary: Summary = field(default_factory=Summary)
    input_path: str | None = None
    input_sha256: Callable[[], str] | None = field(default=None, repr=False)
    """The SHA-256 of the input's bytes as judged, known once the findings are read."""
    decisions_path: str | None = None
    waivers_path: str | None = None
    shareable: bool = False
    knowledge_sha256: dict[str, str] = field(default_factory=dict)
    """SHA-256 of the decisions and waivers files, as read."""
    rows_writer: Callable[[RowWriter, TextIO], int] | None = field(default=None, repr=False)
    """How the engine may write every row itself (a large file, in two processes), for ``write_rows``."""
    action_map: dict[str, str] = field(default_factory=dict)
    """The city's own contract-action words, as mapped (``--map-action``)."""
    input_columns: tuple[str, ...] = ()
    """The input's own columns, in file order (the keys of ``Record.cells``); for several files, every file's, in
    order of appearance."""
    project_path: str | None = None
    """The project file (sanctuary-check.toml) whose defaults the run used, if any."""
    inputs: list[tuple[str, Callable[[], str]]] = field(default_factory=list, repr=False)
    """Each input file of a run over several, with the SHA-256 of its bytes as judged (known once it is read)."""

    def chosen_columns(self, wanted: str | list[str]) -> tuple[str, ...]:
        """The input columns a listing should repeat (``--columns "Vendor Name,Amount"``), as the files name them;
        a column no input file has is one ``InputError`` naming it and the file."""
        from checker.sources.columns import choose_columns

        where = self.input_path or ", ".join(path for path, _ in self.inputs) or "input"
        return choose_columns(wanted, self.input_columns, where)

    def write_rows(self, writer: RowWriter, out: TextIO) -> int:
        """Write every finding of the stream with a format's row writer (how many rows, or at least whether any).

        An audit of a large file may have a second process write its later rows; other runs write the stream.
        """
        if self.rows_writer is not None:
            return self.rows_writer(writer, out)
        return writer.write(self.findings, out, writer.opening)

    def for_publication(self) -> Run:
        """The run as a coalition would publish it (``--shareable``).

        Individual payees are counted in the summary but not listed; the wording of internal match
        decisions (who decided, and why) is withheld; local paths are reduced to file names.
        """
        def stream() -> Iterator[Finding]:
            for f in self.findings:
                if f.person:
                    continue
                yield _without_decision(f) if f.decision else f

        return replace(self, findings=stream(), shareable=True, rows_writer=None)

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
            {"path": self._path(self.input_path), "sha256": self.input_sha256() if self.input_sha256 else None},
            **({"inputs": [{"path": self._path(path), "sha256": digest()} for path, digest in self.inputs]}
               if self.inputs else {}),
            "matcher": {"profile": PROFILE, "match_threshold": MATCH_THRESHOLD, "review_threshold": REVIEW_THRESHOLD},
            "as_of": self.as_of.isoformat(),
            "decisions": None if self.decisions_path is None else
            {"path": self._path(self.decisions_path), "sha256": self.knowledge_sha256.get("decisions")},
            "waivers": None if self.waivers_path is None else
            {"path": self._path(self.waivers_path), "sha256": self.knowledge_sha256.get("waivers")},
            **({"action_map": self.action_map} if self.action_map else {}),
            **({"project": self._path(self.project_path)} if self.project_path else {}),
        }

    @property
    def tool(self) -> dict:
        """Tool name and version."""
        return {"name": "sanctuary-check", "version": __version__}


class Checker:
    """Loads the registry and rule sets once; screens names and audits files with them."""

    def __init__(self, rules: list[str] | None = None, *, as_of: date | None = None,
                 registry_dir: str | None = None, rules_dir: str | None = None,
                 decisions: str | None = None, waivers: str | WaiverRegister | None = None,
                 action_map: dict[str, str] | None = None) -> None:
        """``waivers``: a waivers file (YAML or CSV), or waivers already loaded (``WaiverRegister.of``, with a
        ``path`` attribute for the provenance). ``action_map``: a city's own contract-action words, each mapped to
        one of ``model.ACTIONS``."""
        self.action_map: dict[str, str] = {}
        if action_map:
            from checker.sources.actions import checked_action

            self.action_map = {value: checked_action(action, "--map-action", value)
                               for value, action in action_map.items()}
        matcher = compiled_matcher(registry_dir)
        self.registry = matcher.registry
        self.rulesets, self.default_rules = select_rulesets(rules, rules_dir)
        self.decisions_path = decisions
        self.knowledge_sha256: dict[str, str] = {}
        if decisions:
            loaded = load_decisions(decisions, self.registry)
            matcher = matcher.with_decisions(loaded)
            self.knowledge_sha256["decisions"] = loaded.sha256  # the bytes read once: a pipe is not read again
        self.matcher = matcher
        self.as_of = as_of or date.today()
        register = None
        if isinstance(waivers, dict):  # a WaiverRegister: e.g. the compliance register's granted waivers
            register, self.waivers_path = waivers, getattr(waivers, "path", "(waivers given)")
            self.knowledge_sha256["waivers"] = register.sha256
        elif waivers:
            from checker.knowledge.rulesets import available_rulesets
            from checker.knowledge.waivers import load_waivers

            known = {*available_rulesets(), *(rs.id for rs in self.rulesets)}
            if rules_dir:
                known |= set(available_rulesets(rules_dir))
            register = load_waivers(waivers, self.registry, rule_sets=known)
            self.waivers_path = waivers
            self.knowledge_sha256["waivers"] = register.sha256
        else:
            self.waivers_path = None
        self.finder = FactFinder(matcher, self.registry, waivers=bool(register))
        self.judge = Judge(self.registry, self.rulesets, self.as_of, register)

    def _run(self, kind: str, findings: Iterator[Finding], summary: Summary, **kw) -> Run:
        return Run(kind, self.rulesets, self.default_rules, self.registry, self.as_of, findings, summary,
                   decisions_path=self.decisions_path, waivers_path=self.waivers_path,
                   knowledge_sha256=self.knowledge_sha256, action_map=self.action_map, **kw)

    @cached_property
    def read_action(self) -> ActionReader:
        """How an audit reads a contract-action cell: the built-in words, then the city's own (``action_map``)."""
        from checker.sources.actions import ActionReader

        return ActionReader(self.action_map)

    def screen(self, names: list[str]) -> Run:
        """Judge each name as a proposed new contract on the as-of date; an empty name, one with a NUL byte or
        one longer than ``MAX_NAME`` characters is refused."""
        from checker.errors import InputError

        for i, name in enumerate(names, start=1):
            if not name.strip():
                raise InputError("screen", f"name {i} is empty: give a vendor's name")
            if "\x00" in name or len(name) > MAX_NAME:
                raise InputError("screen", f"name {i} is not a vendor's name (a NUL byte, or over {MAX_NAME:,} "
                                           "characters)")
        summary = Summary()

        def stream() -> Iterator[Finding]:
            for i, name in enumerate(names, start=1):
                record = Record(row=i, vendor=" ".join(name.split()), action="new", date=self.as_of)
                finding = Finding(record, self.judge.judge(self.finder.of(record, screening=True)))
                summary.add(finding)
                yield finding

        return self._run("screen", stream(), summary)

    def audit(self, path: str | Path | Sequence[str | Path], *, options: ReadOptions | None = None,
              max_rows: int | None = None, only_flagged: bool = False, only_matched: bool = False,
              progress: Callable[[int], None] | None = None, spool_dir: str | None = None) -> Run:
        """Judge every data row of a CSV, .xlsx, JSON Lines or Parquet file, or of several (a list of paths: one
        run, ``files_to_audit`` expands folders and globs); blank and total rows are counted as skipped, and a
        file's own total rows are reconciled with the rows they cover (``Summary.stated_totals``).

        With ``only_flagged`` the findings stream holds only flagged rows, with ``only_matched`` those and every
        registry match (waived, grandfathered, not covered); every row is still counted.
        ``progress`` is told the number of rows read so far, after every chunk of rows. A large file may be
        read in two processes; the second keeps what it found in a folder made in ``spool_dir`` (default: the
        system's temporary folder) until this one has written its own.
        """
        paths = [path] if isinstance(path, (str, Path)) else list(path)
        if len(paths) != 1:
            return self._audit_files([str(p) for p in paths], options or _read_options(), max_rows, only_flagged,
                                     only_matched, progress)
        path = str(paths[0])
        from checker.engine import prematch, split  # reading files: a screen never needs the engine
        from checker.engine.audit import CHUNK_ROWS, RowAudit, limited
        from checker.sources.columns import cell_names, map_columns
        from checker.sources.readers import open_source

        options = options or _read_options()
        source = open_source(path, options)  # first: a missing or unreadable file is named
        columns = map_columns(source.header, source.path, options.name_column, options.mapping)
        summary = Summary(decimal_comma=options.decimal_comma)

        def judged(chunks, first_row: int = 0, told: Callable[[int], None] | None = progress,
                   into: Summary | None = None, ahead: bool = False, nul_seen: Callable[[], bool] = source.nul_seen):
            audit = RowAudit(self.finder, self.judge, source.path, columns, into or summary, only_flagged=only_flagged,
                             only_matched=only_matched, nul_seen=nul_seen, read_action=self.read_action,
                             text_cells=source.text_cells)
            return audit.findings(chunks, told, match_ahead=ahead, first_row=first_row)

        findings = judged(limited(source.chunks(CHUNK_ROWS), max_rows, source.path), ahead=prematch.wanted(str(path)))
        digest = source.sha256
        rows_writer = None
        if split.wanted(str(path), source, max_rows):
            two = split.TwoProcesses(source, judged, summary, CHUNK_ROWS, progress, spool_dir,
                                     lambda: open_source(path, options))
            digest = two.sha256
            if only_flagged or only_matched:
                findings = two.findings()
            else:
                rows_writer = two.write_rows
        return self._run("audit", findings, summary, input_path=str(path), input_sha256=digest,
                         rows_writer=rows_writer, input_columns=cell_names(columns.header))

    def _audit_files(self, paths: list[str], options: ReadOptions, max_rows: int | None, only_flagged: bool,
                     only_matched: bool, progress: Callable[[int], None] | None) -> Run:
        """Several files as one run: each mapped on its own, judged in turn (in this process), rows named
        ``file:row``; the summary counts them all, with totals per file (``Summary.files``)."""
        from checker.engine import prematch
        from checker.engine.audit import CHUNK_ROWS, RowAudit, limited
        from checker.errors import InputError
        from checker.sources.columns import cell_names, map_columns
        from checker.sources.readers import open_source

        if not paths:
            raise InputError("audit", "no input files")
        names = _source_names(paths)
        opened = []
        for path, name in zip(paths, names, strict=True):  # every header first: a bad file stops the run unwritten
            source = open_source(path, options)
            opened.append((source, name, map_columns(source.header, source.path, options.name_column,
                                                     options.mapping)))
        summary = Summary(decimal_comma=options.decimal_comma)
        digests: dict[str, str] = {}

        def stream() -> Iterator[Finding]:
            before = 0
            for source, name, columns in opened:
                part = Summary(decimal_comma=options.decimal_comma)
                told = None if progress is None else (lambda done, before=before: progress(before + done))
                audit = RowAudit(self.finder, self.judge, source.path, columns, part, only_flagged=only_flagged,
                                 only_matched=only_matched, nul_seen=source.nul_seen, read_action=self.read_action,
                                 source=name, text_cells=source.text_cells)
                yield from audit.findings(limited(source.chunks(CHUNK_ROWS), max_rows, source.path), told,
                                          match_ahead=prematch.wanted(source.path))
                digests[source.path] = source.sha256()
                summary.merge(part, same_file=False)
                summary.files.append(_file_totals(name, part, digests[source.path]))
                before += part.rows

        def digest_of(path: str) -> Callable[[], str]:
            return lambda: digests[path]

        header = tuple(dict.fromkeys(n for _, _, columns in opened for n in cell_names(columns.header)))
        return self._run("audit", stream(), summary, input_columns=header,
                         inputs=[(source.path, digest_of(source.path)) for source, _, _ in opened])

    def holdings(self, path: str, max_rows: int | None = None) -> Run:
        """Judge every security of a holdings report under the rule sets' investment provisions."""
        from checker.sources.holdings_source import read_holdings
        from checker.sources.values import parse_amount

        source, items = read_holdings(path, max_rows)
        summary = Summary()

        def stream() -> Iterator[Finding]:
            for item in items:
                if isinstance(item, Skipped):
                    summary.skip(item)
                    continue
                finding = Finding(item, self.judge.holding(self.finder.holding(item)))
                summary.add(finding)
                value = parse_amount(item.security.market_value) if item.security else None
                if value is not None:
                    summary.value_total += value
                    if finding.flagged:
                        summary.value_flagged += value
                        summary.value_by_family[finding.family_name or "(possible matches)"] += value
                yield finding

        return self._run("holdings", stream(), summary, input_path=str(path), input_sha256=source.sha256)


def _read_options() -> ReadOptions:
    from checker.sources.base import ReadOptions

    return ReadOptions()


def _source_names(paths: list[str]) -> list[str]:
    """How rows name their file in a run over several: its file name, or its path when two share a name."""
    names = [Path(p).name for p in paths]
    return [n if names.count(n) == 1 else p for n, p in zip(names, paths, strict=True)]


def _file_totals(name: str, part: Summary, sha256: str) -> FileTotals:
    """One file's rows and dollars, and its flagged rows and dollars."""
    d = part.dollars
    return FileTotals(name, part.rows, d.total, sum(part.by_verdict[v] for v in FLAGGED),
                      sum(d.by_verdict[v] for v in FLAGGED), sha256)


WITHHELD_DECISION = "a recorded match decision (its wording is withheld in shareable output)"


def _without_decision(f: Finding) -> Finding:
    """A finding with the wording of its match decision replaced by a neutral phrase."""
    def scrub(text: str | None) -> str | None:
        return text.replace(f.decision, WITHHELD_DECISION) if text and f.decision else text

    match = f.match._replace(explanation=scrub(f.match.explanation)) if f.match is not None else None
    rules = tuple(r._replace(reason=scrub(r.reason)) for r in f.rules)
    return Finding(f.record, f.judgement._replace(decision=WITHHELD_DECISION, note=scrub(f.note), match=match,
                                     rules=rules))


# -- the knowledge files, for the rules and registry commands ------------------------------------------------
def rule_sets(ids: list[str] | None = None) -> list[RuleSet]:
    """The rule sets named by ``ids`` (ids or paths), or every bundled one."""
    from checker.knowledge.rulesets import available_rulesets

    return select_rulesets(ids)[0] if ids else list(available_rulesets().values())


def validate_rule_sets(paths: list[str] | None = None) -> list[tuple[str, RuleSet]]:
    """Load and check rule-set files (default: the bundled ones); an error names the file, line and field."""
    from checker.knowledge.resources import bundled_dir
    from checker.knowledge.rulesets import load_ruleset

    files = paths or [str(p) for p in sorted(bundled_dir("rules").glob("*.yaml"))]
    return [(path, load_ruleset(path)) for path in files]


def run_rule_tests(ids: list[str] | None = None) -> list:
    """Run each rule set's cases (``rules/tests/ID.yaml``): one ``CaseResult`` per case."""
    from checker.knowledge.registry import load_registry
    from checker.match.matcher import Matcher
    from checker.tools.ruletests import run_cases

    registry = load_registry()
    matcher = Matcher(registry)
    return [result for rs in rule_sets(ids) for result in run_cases(rs, registry, matcher)]


def registry(directory: str | None = None) -> Registry:
    """The registry in ``directory`` (default: the bundled one)."""
    from checker.knowledge.registry import load_registry

    return load_registry(directory)


def lint_registry(directory: str | None = None) -> tuple[Registry, list]:
    """The registry and every problem ``registry lint`` reports in it."""
    from checker.tools.lint import lint_registry as lint

    loaded = registry(directory)
    return loaded, lint(loaded)


def search(name: str, directory: str | None = None) -> tuple[Outcome, list[Match]]:
    """How a name matches the registry: the matcher's outcome, and the best candidates with their scores."""
    from checker.match.matcher import Matcher

    matcher = Matcher(registry(directory))
    return matcher.match(name), matcher.ranked(name)


def evaluate_matcher(path: str, directory: str | None = None) -> str:
    """The matcher measured on a labelled CSV (``vendor,expected_family,tier[,note]``), as text."""
    from checker.match.matcher import Matcher
    from checker.tools.evaluate import evaluate, load_cases, render

    loaded = registry(directory)
    return render(evaluate(Matcher(loaded), load_cases(path)), set(loaded.families))

