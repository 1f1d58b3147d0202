"""What the listings share: the input row's own columns beside the tool's, the per-vendor roll-up, a file's own
totals reconciled, and the evidence packet numbered once per registry family.

A listing repeats the input's columns (``Record.cells``) as they were read: all of them by default, or those a
reader chose (``View.columns``). A name that clashes with one of the tool's columns is prefixed ``input: ``.
An individual payee's cells that name them are withheld unless individuals are shown.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

from checker.model import FLAGGED, Finding, Judgement, Summary, VendorLine

INPUT_PREFIX = "input: "
"""Put before an input column's name that clashes with a tool column's (``input: Amount``)."""
WITHHELD = "(withheld: names an individual)"
"""An input cell of an individual payee's row that names them."""

_WORD = re.compile(r"[^\W_]{2,}")


def input_columns(run: Any, view: Any) -> list[str]:
    """The input columns to list: those asked for (``view.columns``), else every column of the input, in order."""
    if view.columns is not None:
        return list(view.columns)
    return list(getattr(run, "input_columns", None) or ())


def column_names(tool: Sequence[str], inputs: Sequence[str]) -> list[str]:
    """The input columns' names as a listing heads them: prefixed ``input: `` when one would read as a tool column
    (compared without case or surrounding spaces), and kept apart from each other."""
    taken = {t.strip().casefold() for t in tool}
    names = []
    for name in inputs:
        shown = name if name.strip().casefold() not in taken else INPUT_PREFIX + name
        n = 2
        while shown.strip().casefold() in taken:
            shown = f"{INPUT_PREFIX}{name} ({n})"
            n += 1
        taken.add(shown.strip().casefold())
        names.append(shown)
    return names


def names_person(cell: str, vendor: str) -> bool:
    """Whether a cell names the payee ``vendor`` (every word of the name is in it, in any order)."""
    words = _name_words(vendor)
    if not words:
        return bool(vendor.strip()) and vendor.strip() in cell
    folded = cell.casefold()  # casefolding is letter by letter: a word of the cell is a part of it, folded
    return all(w in folded for w in words) and words <= {w.casefold() for w in _WORD.findall(cell)}


@lru_cache(maxsize=1024)
def _name_words(vendor: str) -> frozenset[str]:
    """The words of a payee's name, casefolded (remembered: each of a person's rows asks for every cell)."""
    return frozenset(w.casefold() for w in _WORD.findall(vendor))


def row_cells(f: Finding, columns: Sequence[str], show_individuals: bool) -> list[str]:
    """The row's own cells for ``columns`` (empty text where it has none); an individual's name withheld."""
    cells = getattr(f.record, "cells", None) or {}
    values = [cells.get(c) or "" for c in columns]
    if f.person and not show_individuals:
        vendor = f.record.vendor
        values = [WITHHELD if v and names_person(v, vendor) else v for v in values]
    return values


_BRACKETS = re.compile(r"\[([^\[\]]+)\]")
_AWARD = re.compile(r"(?=[A-Z0-9-]*\d)[A-Z0-9][A-Z0-9-]{7,}")


def evidence_ids(j: Judgement) -> str:
    """The federal award ids the evidence cites (``70CMSD22FR0000187``, in brackets), one per ``|``."""
    ids = (t for r in j.rules for e in r.evidence for group in _BRACKETS.findall(e)
           for t in group.split(", ") if _AWARD.fullmatch(t))
    return " | ".join(dict.fromkeys(ids))


def row_label(f: Finding) -> str:
    """The row as reports name it: its number, or ``file:row`` when a run reads several files."""
    source = getattr(f.record, "source", None)
    return f"{source}:{f.record.row}" if source else str(f.record.row)


def shown_lines(summary: Summary, view: Any) -> list[VendorLine]:
    """The roll-up lines a view lists: flagged vendors, and with every row or ``--only-matched`` the registry
    matches of other verdicts too."""
    lines = summary.vendor_lines()
    if view.only_flagged and not view.only_matched:
        return [v for v in lines if v.verdict in FLAGGED]
    return lines


def vendor_dict(v: VendorLine) -> dict[str, Any]:
    """One roll-up line in the JSON contract."""
    return {"vendor": v.vendor, "entity": v.entity, "family": v.family, "verdict": v.verdict, "rows": v.rows,
            "dollars": round(v.dollars, 2), "unreadable_amounts": v.unreadable,
            "first_date": v.first_date.isoformat() if v.first_date else None,
            "last_date": v.last_date.isoformat() if v.last_date else None,
            "departments": dict(v.departments.most_common())}


def dates_text(v: VendorLine) -> str:
    """``2018-11-01 – 2018-11-30``, one date, or empty."""
    if v.first_date is None:
        return ""
    if v.last_date in (None, v.first_date):
        return v.first_date.isoformat()
    return f"{v.first_date.isoformat()} – {v.last_date.isoformat()}"  # type: ignore[union-attr]


def departments_text(v: VendorLine, top: int = 3) -> str:
    """``Police (40), Fire (12) and 2 more``."""
    named = ", ".join(f"{d} ({n:,})" for d, n in v.departments.most_common(top))
    more = len(v.departments) - top
    return named + (f" and {more:,} more" if more > 0 else "")


ROLLUP_HEADERS = ["Vendor", "Verdict", "Entity (family)", "Rows", "Amount", "Dates", "Departments"]


def rollup_row(v: VendorLine) -> list[str]:
    """One roll-up line as text cells (``ROLLUP_HEADERS``)."""
    entity = v.entity or ""
    if v.family and v.family != v.entity:
        entity += f" ({v.family})"
    amount = f"${v.dollars:,.2f}" + (f" ({v.unreadable:,} unreadable)" if v.unreadable else "")
    return [v.vendor, v.verdict, entity, f"{v.rows:,}", amount, dates_text(v), departments_text(v)]


def stated_dicts(summary: Summary) -> list[dict[str, Any]]:
    """The file's own total rows, reconciled, in the JSON contract."""
    out = []
    for t in getattr(summary, "stated_totals", ()):
        item = {"row": t.row, "label": t.label, "kind": getattr(t, "kind", "total"),
                "first_row": getattr(t, "first_row", 1), "stated": round(t.stated, 2),
                "computed": round(t.computed, 2), "difference": t.difference}
        if getattr(t, "source", None):
            item["source"] = t.source
        out.append(item)
    return out


def _total_name(t: Any) -> str:
    """``row 19 (Grand Total: the total of rows 1-18)``."""
    place = getattr(t, "place", str(t.row))
    kind = getattr(t, "kind", "total")
    first = getattr(t, "first_row", 1)
    covers = f"rows {first}-{t.row - 1}" if t.row - 1 > first else f"row {first}"
    return f"row {place} (" + (f"{t.label}: " if t.label else "") + f"the {kind} of {covers})"


def files_dicts(summary: Summary) -> list[dict[str, Any]]:
    """Per input file of a run over several, in the JSON contract."""
    out = []
    for t in getattr(summary, "files", ()):
        item = {"path": t.path, "rows": t.rows, "dollars": round(t.dollars, 2), "flagged_rows": t.flagged_rows,
                "flagged_dollars": round(t.flagged_dollars, 2)}
        if t.sha256:
            item["sha256"] = t.sha256
        out.append(item)
    return out


def stated_lines(summary: Summary) -> list[str]:
    """Each of the file's own total rows in words: whether it agrees with the sum of the rows it covers."""
    lines = []
    for t in getattr(summary, "stated_totals", ()):
        if t.difference:
            lines.append(f"{_total_name(t)} states ${t.stated:,.2f}; those rows sum to ${t.computed:,.2f}: a "
                         f"difference of ${t.difference:,.2f}")
        else:
            lines.append(f"{_total_name(t)} states ${t.stated:,.2f}, which agrees with the sum of those rows")
    return lines


def differences_sentence(summary: Summary) -> str:
    """A sentence for the summary paragraph naming each total row that disagrees with its rows (empty if none)."""
    wrong = [t for t in getattr(summary, "stated_totals", ()) if t.difference]
    if not wrong:
        return ""
    listed = "; ".join(f"{_total_name(t)} states ${t.stated:,.2f}, those rows sum to ${t.computed:,.2f} "
                       f"(difference ${t.difference:,.2f})" for t in wrong)
    return f"The file's own totals do not agree with its rows: {listed}."


FILE_HEADERS = ["File", "Rows", "Amount", "Flagged rows", "Flagged amount"]


def file_rows(summary: Summary) -> list[list[str]]:
    """Totals per file and overall, as text cells (``FILE_HEADERS``); empty for a run over one file."""
    files = list(getattr(summary, "files", ()))
    if not files:
        return []
    rows = [[t.path, f"{t.rows:,}", f"${t.dollars:,.2f}", f"{t.flagged_rows:,}", f"${t.flagged_dollars:,.2f}"]
            for t in files]
    rows.append(["All files", f"{sum(t.rows for t in files):,}", f"${sum(t.dollars for t in files):,.2f}",
                 f"{sum(t.flagged_rows for t in files):,}", f"${sum(t.flagged_dollars for t in files):,.2f}"])
    return rows


class EvidencePacket:
    """The evidence and clauses behind listed rows, once per registry family (numbered E1, E2… in order of first
    appearance, so rows refer to it) and clause."""

    SEEN_LIMIT = 4_096
    """Judgements remembered as taken in (forgotten all at once when full)."""

    def __init__(self, every_row: bool = False) -> None:
        self.every_row = every_row  # take in every row with evidence, not only flagged ones
        self.families: dict[str, dict[str, None]] = {}  # family name -> evidence and source lines, in order
        self.numbers: dict[str, int] = {}  # family name -> its number (E1…)
        self.clauses: dict[str, str | None] = {}  # citation -> where its text was read
        self._seen: dict[int, Judgement] = {}

    def __bool__(self) -> bool:
        return any(self.families.values()) or bool(self.clauses)

    def add(self, f: Finding) -> None:
        """Keep the evidence of a finding (only a flagged one unless ``every_row``)."""
        j = f.judgement
        if not (f.flagged or self.every_row) or id(j) in self._seen:
            return
        if len(self._seen) >= self.SEEN_LIMIT:
            self._seen.clear()
        self._seen[id(j)] = j
        if j.product:  # a reseller, or a vendor with no registry match, selling a registry product
            self._lines(j.product.rsplit(" (", 1)[-1].rstrip(")"))[
                f"a description names {j.product}; the vendor may be reselling it"] = None
        if j.family_name:
            lines = self._lines(j.family_name) if any(r.evidence or r.sources for r in j.rules) else None
            for r in j.rules:
                if lines is not None:
                    lines.update(dict.fromkeys(r.evidence))
                    lines.update(dict.fromkeys(f"source: {src}" for src in r.sources))
        for r in j.rules:
            if r.outcome == j.verdict and r.outcome != "clear":
                self.clauses.setdefault(r.citation, r.clause_url)

    def _lines(self, family: str) -> dict[str, None]:
        if family not in self.families:
            self.families[family] = {}
            self.numbers[family] = len(self.numbers) + 1
        return self.families[family]

    def refs(self, j: Judgement) -> list[int]:
        """The numbers of the evidence a judgement's row refers to (its family's, its product's)."""
        names = [j.family_name] if j.family_name else []
        if j.product:
            names.append(j.product.rsplit(" (", 1)[-1].rstrip(")"))
        return list(dict.fromkeys(self.numbers[n] for n in names if n in self.numbers and self.families[n]))

    def items(self) -> Iterable[tuple[int, str, list[str]]]:
        """(number, family, lines) for each family with evidence, in number order."""
        for family, lines in self.families.items():
            if lines:
                yield self.numbers[family], family, list(lines)
