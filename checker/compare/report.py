"""Read a JSON audit report (``audit FILE --format json``, ``report.schema.json``) into what a comparison needs.

Every problem is one ``InputError`` naming the file: not JSON or cut short (with the line), not a sanctuary-check
report, another ``schema_version``, or a finding without the fields a comparison reads (with its index and row).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from checker.errors import InputError, open_input
from checker.model import FLAGGED, VERDICTS

SCHEMA_VERSION = 1
"""The report ``schema_version`` this reader understands."""


@dataclass(frozen=True)
class Row:
    """One listed finding, reduced to what a comparison reads."""

    row: int | str
    vendor: str
    verdict: str
    entity: str | None = None
    family: str | None = None
    amount: float | None = None
    date: str | None = None
    individual: bool = False
    confirmed: bool = True
    """The registry match is a match, not a possible one (only a confirmed match counts as paid to a family)."""


@dataclass(frozen=True)
class Report:
    """One audit report: its rows, how they were listed, and what decided them."""

    path: str
    rows: tuple[Row, ...]
    listed: str = "all"
    """``all`` rows, only ``flagged`` rows (``--only-flagged``), or flagged and ``matched`` (``--only-matched``)."""
    shareable: bool = False
    input_name: str | None = None
    as_of: str | None = None
    rule_sets: tuple[tuple[str, str], ...] = ()
    """(id, sha256) of each rule set applied."""
    registry: str | None = None
    """The registry's version (or its SHA-256 when no version is given)."""
    registry_sha256: str | None = None
    matcher: str | None = None
    tool_version: str | None = None
    rows_read: int = 0
    persons: int = 0
    dollars: dict[str, Any] = field(default_factory=dict)
    """The summary's ``dollars`` object (empty when the file had no amounts)."""

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(rs for rs, _ in self.rule_sets)

    @property
    def total_paid(self) -> float | None:
        """All payments of the audited file, as its summary counted them."""
        total = self.dollars.get("total")
        return float(total) if isinstance(total, (int, float)) else None

    @property
    def flagged_paid(self) -> float | None:
        """Payments of flagged rows, as the summary counted them."""
        by_verdict = self.dollars.get("by_verdict")
        if not isinstance(by_verdict, dict):
            return None
        return sum(float(v) for k, v in by_verdict.items() if k in FLAGGED and isinstance(v, (int, float)))


def read_report(path: str) -> Report:
    """Read and check one JSON audit report."""
    return report_from(load_report(path)[0], path)


MAX_REPORT_BYTES = 2 * 1024 ** 3
"""Largest audit report read (a JSON report of every row of a million-row file is about 1 GB)."""


def load_report(path: str) -> tuple[Any, bytes]:
    """The parsed JSON of a report file and its bytes (for a hash), read once and bounded; a file that is too
    large, not text, not JSON or cut short is one ``InputError`` naming it. What the document must hold is the
    reader's to check (``report_from``; the register's snapshots)."""
    with open_input(path, "a JSON report", "rb") as f:
        raw = f.read(MAX_REPORT_BYTES + 1)
    if len(raw) > MAX_REPORT_BYTES:
        raise InputError(path, f"is larger than {MAX_REPORT_BYTES:,} bytes")
    try:
        return json.loads(raw.decode("utf-8-sig")), raw
    except UnicodeDecodeError:
        raise InputError(path, "is not a text file (a JSON report written by `audit --format json`?)") from None
    except json.JSONDecodeError as exc:
        # the scanner stops at the end of the text, or in a string that never closes (no JSON string holds
        # a line break): the file was cut short
        if exc.pos >= len(exc.doc.rstrip()) - 1 or exc.msg.startswith("Unterminated string"):
            lines = exc.doc.count("\n") + 1
            raise InputError(path, f"ends at line {lines} before the report is complete (cut short?)") from None
        raise InputError(path, f"line {exc.lineno}: is not valid JSON ({exc.msg})") from None


def report_from(data: Any, path: str) -> Report:
    """A ``Report`` from a parsed JSON document (``path`` names it in errors)."""
    if not isinstance(data, dict) or "schema_version" not in data or "findings" not in data:
        raise InputError(path, "is not a sanctuary-check JSON report (write one with `audit FILE --format json`)")
    tool = data.get("tool")
    if not isinstance(tool, dict) or tool.get("name") != "sanctuary-check":
        raise InputError(path, "is not a sanctuary-check JSON report (its tool.name is not sanctuary-check)")
    if data["schema_version"] != SCHEMA_VERSION:
        raise InputError(path, f"has schema_version {data['schema_version']!r}; this version of sanctuary-check "
                               f"reads schema_version {SCHEMA_VERSION}")
    _check_head(data, path)
    summary, provenance = data["summary"], data["provenance"]
    rows = tuple(_row(item, i, path) for i, item in enumerate(data["findings"]))
    listed = "flagged" if summary.get("only_flagged") else "matched" if summary.get("only_matched") else "all"
    registry_sha = provenance.get("registry_sha256")
    matcher = provenance.get("matcher") or {}
    source = provenance.get("input") or {}
    return Report(
        path=path, rows=rows, listed=listed, shareable=bool(summary.get("shareable")),
        input_name=source.get("path") if isinstance(source, dict) else None,
        as_of=provenance.get("as_of"),
        rule_sets=tuple((rs["id"], rs["sha256"]) for rs in provenance["rules"]),
        registry=provenance.get("registry_version") or registry_sha, registry_sha256=registry_sha,
        matcher=str(matcher.get("profile")) if isinstance(matcher, dict) and matcher.get("profile") else None,
        tool_version=str(tool.get("version", "")), rows_read=int(summary["rows"]),
        persons=int(summary.get("individual_payees") or 0),
        dollars=summary["dollars"] if isinstance(summary.get("dollars"), dict) else {},
    )


def _check_head(data: dict[str, Any], path: str) -> None:
    """Check everything but the findings against the report schema (the findings are read one by one)."""
    import jsonschema

    from checker.knowledge.validation import field_name, schema

    head = {k: v for k, v in data.items() if k != "findings"} | {"findings": []}
    validator = jsonschema.validators.validator_for(schema("report"))(schema("report"))
    errors = sorted(validator.iter_errors(head), key=lambda e: -len(e.absolute_path))
    if errors:
        where = field_name(list(errors[0].absolute_path)) or "the report"
        raise InputError(path, f"is not a valid sanctuary-check report: {where}: {errors[0].message}")


def _row(item: Any, index: int, path: str) -> Row:
    """One finding as a ``Row``; a finding without the fields a comparison reads is an error naming it."""
    def bad(what: str) -> InputError:
        row = item.get("row") if isinstance(item, dict) else None
        return InputError(path, f"findings[{index}]" + (f" (row {row})" if row is not None else "") + f": {what}")

    if not isinstance(item, dict):
        raise bad("is not an object")
    row, vendor, verdict = item.get("row"), item.get("vendor"), item.get("verdict")
    if not isinstance(row, (int, str)) or isinstance(row, bool):
        raise bad("has no row number")
    if not isinstance(vendor, str):
        raise bad("has no vendor text")
    if verdict not in VERDICTS:
        raise bad(f"verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
    entity = family = None
    match = item.get("match")
    confirmed = False
    if match is not None:
        try:
            entity, family = str(match["entity"]["name"]), str(match["family"]["name"])
        except (TypeError, KeyError):
            raise bad("match has no entity and family names") from None
        band = match.get("band")
        confirmed = band == "match" or (band is None and verdict != "possible_match")
    if verdict == "clear" and match is None:  # what a comparison reads of a clear row: its vendor
        return Row(row=row, vendor=vendor, verdict=verdict, individual=item.get("individual") is True)
    return Row(row=row, vendor=vendor, verdict=verdict, entity=entity, family=family,
               amount=_amount(item.get("amount")), date=item.get("date") if isinstance(item.get("date"), str) else None,
               individual=item.get("individual") is True, confirmed=confirmed)


def _amount(value: Any) -> float | None:
    """The amount cell as the report gives it (text as read from the file, or a number)."""
    if value is None or isinstance(value, bool):
        return None
    from checker.sources.values import parse_amount

    return parse_amount(value) if isinstance(value, (str, int, float)) else None
