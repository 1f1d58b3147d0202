"""Vendor declarations under penalty of perjury (BMC 13.105.030(C)(2)): date, signer, statement version and the
SHA-256 of the signed document. A declaration never silently outweighs registry evidence: where the registry holds
evidence that runs on or after the declaration's date, the register lists a conflict for review."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from checker.errors import open_input
from checker.register import registry_names, texts
from checker.register.determinations import reversed_on_identity, snapshot_of, standing_for
from checker.register.snapshot import evidence_periods
from checker.register.store import Change, Register

READ_BLOCK = 1 << 20


def file_sha256(path: str) -> str:
    """SHA-256 of a file's bytes (a signed declaration, a solicitation), read in blocks."""
    digest = hashlib.sha256()
    with open_input(path, "a document", "rb") as fh:
        while block := fh.read(READ_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def registry_evidence(vendor: str, on: date, rules: str | None, registry_dir: str | None = None
                      ) -> tuple[str | None, list[dict[str, Any]]]:
    """The registry entity a vendor name matches today and its evidence periods (none for no match)."""
    from checker.api import Checker

    checker = Checker([rules] if rules else None, as_of=on, registry_dir=registry_dir)
    found = next(iter(checker.screen([vendor]).findings))
    if found.match is None or found.match.band != "match":
        return None, []
    lines = list(dict.fromkeys(e for r in found.rules for e in r.evidence))
    return found.match.entity_id, evidence_periods(lines)


def declare(reg: Register, change: Change, *, vendor: str, on: date, signer: str, statement_version: str,
            document: str, entity: str | None = None, rules: str | None = None, determination: int | None = None,
            registry_dir: str | None = None) -> int:
    """Record a declaration, with the registry's evidence for the vendor as it stands on ``on``; its id."""
    vendor = texts.short(vendor, "VENDOR") or ""
    if determination is not None:
        reg.get("determinations", determination, "determination")
    if entity is not None:
        registry_names.entity(entity, registry_dir)
    digest = file_sha256(document)
    matched, periods = registry_evidence(vendor, on, rules, registry_dir)
    wrong = reversed_on_identity(reg)
    if any(d["id"] in wrong and d["entity_id"] == matched for d in standing_for(reg, vendor, None)):
        matched, periods = None, []  # an appeal found the vendor is not that entity: its evidence is not theirs
    values = {"vendor": vendor, "entity_id": entity or matched, "rule_set": rules, "declared_on": on.isoformat(),
              "signer": texts.short(signer, "--signer"), "statement_version": texts.short(statement_version,
                                                                                        "--statement-version"),
              "document_name": Path(document).name, "document_sha256": digest, "determination_id": determination,
              "evidence": json.dumps(periods, ensure_ascii=False)}
    with reg.change(change) as w:
        return w.insert("declarations", values, "declared")


@dataclass(frozen=True)
class Weighed:
    """A declaration weighed against the registry's evidence."""

    declaration: sqlite3.Row
    current: tuple[dict[str, Any], ...]
    """Evidence periods running on or after the declaration's date."""
    past: tuple[dict[str, Any], ...]

    @property
    def conflict(self) -> bool:
        return bool(self.current)

    def text(self) -> str:
        """``declared no services on D; the registry holds evidence dated …: a conflict for review``."""
        d = self.declaration
        head = (f"{d['vendor']} declared no services on {d['declared_on']} (declaration {d['id']}, signed by "
                f"{d['signer']}, statement {d['statement_version']})")
        if self.current:
            return (f"{head}; the registry holds evidence dated {_dates(self.current)}: a conflict for review, "
                    "not resolved by the declaration")
        if self.past:
            return f"{head}; the registry's evidence ({_dates(self.past)}) ended before that date"
        return f"{head}; the registry holds no evidence for this vendor"


def _dates(periods: tuple[dict[str, Any], ...]) -> str:
    return ", ".join(f"{p['start']}–{p['end'] or 'open'} ({p.get('agency', '?')}: {_short(p.get('what') or '')})"
                     for p in periods)


def _short(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[:limit - 1] + "…"


def weigh(reg: Register, declaration: sqlite3.Row) -> Weighed:
    """A declaration against its own recorded evidence and the snapshots of the vendor's determinations."""
    periods: list[dict[str, Any]] = list(json.loads(declaration["evidence"] or "[]"))
    wrong = reversed_on_identity(reg)
    for det in standing_for(reg, declaration["vendor"], declaration["entity_id"]):
        if det["id"] in wrong:
            continue  # another company's evidence
        periods.extend(snapshot_of(det).get("evidence_periods", []))
    unique = list({(p["start"], p.get("end"), p.get("what")): p for p in periods}.values())
    unique.sort(key=lambda p: p["start"])
    day = declaration["declared_on"]
    current = tuple(p for p in unique if p.get("end") is None or p["end"] >= day)
    past = tuple(p for p in unique if p.get("end") is not None and p["end"] < day)
    return Weighed(declaration, current, past)


def weighed_declarations(reg: Register) -> list[Weighed]:
    """Every declaration that is not superseded, weighed."""
    return [weigh(reg, d) for d in reg.rows("SELECT * FROM declarations WHERE superseded_by IS NULL ORDER BY id")]

