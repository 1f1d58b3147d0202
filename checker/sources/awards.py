"""Federal award transaction files (USAspending / FPDS contract transactions), recognised by their header names.

Three layouts are read, each a CSV file with a header row:

- ``usaspending-2018``: USAspending's 259-column contract-transaction download of FY2013-18 (the registry's
  dataset D1, Torn Apart's files): ``award_id_piid``, ``recipient_duns``, ``award_description``, dates written
  ``DD/MM/YYYY`` (``DD/MM/YY HH:MM`` for periods of performance), as that dataset has them;
- ``usaspending-current``: today's 297-column download (``recipient_uei``, ``parent_award_id_piid``,
  ``transaction_description``, ``usaspending_permalink``, ISO dates);
- ``d2-extract``: the 10-column extract of USAspending's transaction API (dataset D2: ``Agency``, ``Award ID``,
  ``Recipient Name``, ``Federal Action Obligation``, ``Action Date`` …).

A file is one ``AwardFile``; its rows come one at a time as ``AwardRow``, or ``BadRow`` (with the reason) for a
row that cannot be read, so that one bad row is counted, never fatal. A file in no known layout is one
``InputError``. The agency of a row (ICE, CBP, HHS/ORR, or another) is read here; what to keep is the caller's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from checker.errors import InputError
from checker.sources.values import parse_amount

ICE, CBP, ORR = "ICE", "CBP", "ORR"
SUB_AGENCY_CODES = {"7012": ICE, "7014": CBP}
"""USAspending awarding/funding sub-agency codes: U.S. Immigration and Customs Enforcement, U.S. Customs and
Border Protection."""
ACF_CODES = frozenset({"7590"})
"""HHS's Administration for Children and Families, the home of the Office of Refugee Resettlement."""
ORR_SIGNS = re.compile(r"\b(REFUGEE|UNACCOMPANIED|ORR|UAC)\b")
"""Words in an ACF row's office names or description that make it an ORR row (other ACF rows are not kept)."""


@dataclass(frozen=True)
class Layout:
    """A known layout: the header names that identify it and where each field is read from."""

    id: str
    title: str
    dataset: str
    """The registry dataset label its rows are cited under by default (``D1``, ``D2``, or the source's name)."""
    required: tuple[str, ...]
    absent: tuple[str, ...] = ()
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Field → the header names it may be read from, first present wins (compared case-insensitively)."""
    day_first: bool = False
    """Slash dates are ``DD/MM/YYYY`` (else ``MM/DD/YYYY``); ISO dates are read in every layout."""


_USASPENDING_FIELDS = {
    "piid": ("award_id_piid",),
    "modification": ("modification_number",),
    "parent_piid": ("parent_award_id_piid", "parent_award_id"),
    "parent_agency": ("parent_award_agency_id",),
    "obligation": ("federal_action_obligation",),
    "potential": ("potential_total_value_of_award",),
    "action_date": ("action_date",),
    "start": ("period_of_performance_start_date",),
    "current_end": ("period_of_performance_current_end_date",),
    "sub_agency": ("awarding_sub_agency_code",),
    "funding_sub_agency": ("funding_sub_agency_code",),
    "office": ("awarding_office_name",),
    "funding_office": ("funding_office_name",),
    "uei": ("recipient_uei",),
    "duns": ("recipient_duns",),
    "recipient": ("recipient_name", "recipient_name_raw"),
    "dba": ("recipient_doing_business_as_name",),
    "cage": ("cage_code",),
    "parent_name": ("recipient_parent_name",),
    "parent_uei": ("recipient_parent_uei",),
    "parent_duns": ("recipient_parent_duns",),
    "description": ("transaction_description", "award_description", "prime_award_base_transaction_description"),
    "psc": ("product_or_service_code",),
    "psc_description": ("product_or_service_code_description",),
    "naics_description": ("naics_description",),
    "permalink": ("usaspending_permalink",),
    "award_key": ("contract_award_unique_key",),
}

LAYOUTS = (
    Layout("usaspending-current", "USAspending contract transactions (current download, with recipient_uei)",
           "USAspending",
           required=("award_id_piid", "action_date", "federal_action_obligation", "recipient_name",
                     "recipient_uei", "awarding_sub_agency_code"),
           fields=_USASPENDING_FIELDS),
    Layout("usaspending-2018", "USAspending contract transactions (259-column FY2013-18 download, dataset D1)", "D1",
           required=("award_id_piid", "action_date", "federal_action_obligation", "recipient_name",
                     "recipient_duns", "awarding_sub_agency_code", "award_description"),
           absent=("recipient_uei",), fields=_USASPENDING_FIELDS, day_first=True),
    Layout("d2-extract", "USAspending transaction API extract (10 columns, dataset D2)", "D2",
           required=("agency", "award id", "recipient name", "federal action obligation", "action date",
                     "modification", "product/service description", "transaction description"),
           fields={"agency": ("agency",), "piid": ("award id",), "recipient": ("recipient name",),
                   "obligation": ("federal action obligation",), "action_date": ("action date",),
                   "modification": ("modification",), "psc_description": ("product/service description",),
                   "naics_description": ("naics description",), "description": ("transaction description",),
                   "generated_id": ("generated award id",)}),
)
"""The known layouts, the most specific first."""


@dataclass(frozen=True, slots=True)
class AwardRow:
    """One contract transaction: who, which award, when, how much, what for, and for which agency."""

    row: int
    agency: str | None
    """ICE, CBP or ORR; None for a row of another agency."""
    piid: str
    modification: str
    parent_piid: str
    recipient: str
    action_date: date
    obligation: float
    potential: float | None = None
    start: date | None = None
    current_end: date | None = None
    uei: str = ""
    duns: str = ""
    cage: str = ""
    dba: str = ""
    parent_name: str = ""
    parent_uei: str = ""
    parent_duns: str = ""
    description: str = ""
    psc: str = ""
    psc_description: str = ""
    naics_description: str = ""
    permalink: str = ""
    award_key: str = ""
    """USAspending's award key (``generated_unique_award_id``: ``CONT_AWD_<PIID>_<agency>_…``), when the layout
    has it (the current download, the D2 extract)."""


@dataclass(frozen=True, slots=True)
class BadRow:
    """A row that could not be read, and why (counted and reported, not fatal)."""

    row: int
    reason: str


class AwardFile:
    """An open award file: its layout, then its rows one at a time (the file is read once, as a stream)."""

    def __init__(self, path: str | Path) -> None:
        from checker.sources.csv_source import open_csv

        if str(path).lower().endswith(".zip"):
            raise InputError(str(path), "is a zip archive: unzip the USAspending download and give the CSV files "
                                        "inside it")
        self.source = open_csv(path)
        self.path = self.source.path
        self.header = self.source.header
        self.layout = detect_layout(self.header, self.path)
        names = {h.strip().lower(): i for i, h in reversed(list(enumerate(self.header)))}
        self._at = {f: next((names[c] for c in cols if c in names), None) for f, cols in self.layout.fields.items()}

    def sha256(self) -> str:
        """The SHA-256 of the file's bytes (once every row is read)."""
        return self.source.sha256()

    def rows(self) -> Iterator[AwardRow | BadRow]:
        """Every data row, numbered from 1, as an ``AwardRow`` or a ``BadRow``; a file that cannot be read on
        (bad encoding, an unclosed quote) is an ``InputError`` naming the line."""
        width = len(self.header)
        lowered = [h.strip().lower() for h in self.header]
        read = self._d2 if self.layout.id == "d2-extract" else self._usaspending
        for number, cells in self.source.rows():
            if len(cells) != width:
                if not any(c.strip() for c in cells):
                    continue  # a blank line
                yield BadRow(number, f"{len(cells)} cells where the header has {width}")
                continue
            if cells[0].strip().lower() == lowered[0] and [c.strip().lower() for c in cells] == lowered:
                yield BadRow(number, "a repeated header row")
                continue
            try:
                yield read(number, cells)
            except ValueError as exc:
                yield BadRow(number, str(exc))

    def _cell(self, cells: list[str], name: str) -> str:
        i = self._at.get(name)
        return cells[i].strip() if i is not None else ""

    def _common(self, number: int, cells: list[str]) -> dict:
        cell = self._cell
        piid = cell(cells, "piid").upper()
        if not piid:
            raise ValueError("no award id")
        when = self._date(cell(cells, "action_date"), "action date")
        if when is None:
            raise ValueError("no action date")
        text = cell(cells, "obligation")
        amount = parse_amount(text) if text else 0.0
        if amount is None:
            raise ValueError(f"federal action obligation {text[:40]!r} is not an amount")
        return {"row": number, "piid": piid, "modification": cell(cells, "modification"), "action_date": when,
                "obligation": amount, "recipient": " ".join(cell(cells, "recipient").split()),
                "description": " ".join(cell(cells, "description").split()),
                "psc_description": cell(cells, "psc_description"),
                "naics_description": cell(cells, "naics_description")}

    def _usaspending(self, number: int, cells: list[str]) -> AwardRow:
        cell = self._cell
        common = self._common(number, cells)
        potential_text = cell(cells, "potential")
        potential = parse_amount(potential_text) if potential_text else None
        if potential_text and potential is None:
            raise ValueError(f"potential total value {potential_text[:40]!r} is not an amount")
        agency = _usaspending_agency(cell(cells, "sub_agency"), cell(cells, "funding_sub_agency"),
                                     " ".join((cell(cells, "office"), cell(cells, "funding_office"),
                                               common["description"])).upper())
        return AwardRow(agency=agency, parent_piid=cell(cells, "parent_piid").upper(), potential=potential,
                        start=self._date(cell(cells, "start"), "period of performance start"),
                        current_end=self._date(cell(cells, "current_end"), "period of performance end"),
                        uei=cell(cells, "uei").upper(), duns=_duns(cell(cells, "duns")),
                        cage=cell(cells, "cage").upper(), dba=" ".join(cell(cells, "dba").split()),
                        parent_name=" ".join(cell(cells, "parent_name").split()),
                        parent_uei=cell(cells, "parent_uei").upper(), parent_duns=_duns(cell(cells, "parent_duns")),
                        psc=cell(cells, "psc").upper(), permalink=cell(cells, "permalink"),
                        award_key=cell(cells, "award_key").upper() or _built_award_key(
                            common["piid"], cell(cells, "sub_agency"), cell(cells, "parent_piid").upper(),
                            cell(cells, "parent_agency")), **common)

    def _d2(self, number: int, cells: list[str]) -> AwardRow:
        common = self._common(number, cells)
        label = self._cell(cells, "agency").upper()
        agency = label if label in (ICE, CBP) else None
        generated = self._cell(cells, "generated_id").upper()
        parts = generated.split("_")
        if agency is None and len(parts) >= 4 and parts[3] in SUB_AGENCY_CODES:  # CONT_AWD_<PIID>_<agency>_…
            agency = SUB_AGENCY_CODES[parts[3]]
        parent = parts[4] if len(parts) >= 6 and parts[4] != "-NONE-" else ""
        return AwardRow(agency=agency, parent_piid=parent, award_key=generated, **common)

    def _date(self, text: str, what: str) -> date | None:
        return read_date(text, what, day_first=self.layout.day_first)


def detect_layout(header: list[str], path: str) -> Layout:
    """The layout whose header names the file has; otherwise an ``InputError`` naming the columns missing from
    the closest layout (when it has at least half of them) or what was expected."""
    names = {h.strip().lower() for h in header}
    for layout in LAYOUTS:
        if all(n in names for n in layout.required) and not any(n in names for n in layout.absent):
            return layout
    closest = max(LAYOUTS, key=lambda lay: sum(n in names for n in lay.required))
    missing = [n for n in closest.required if n not in names]
    if len(missing) <= len(closest.required) // 2:
        raise InputError(path, f"looks like {closest.title} but has no column "
                               f"{', '.join(repr(n) for n in missing)} (header names are compared ignoring case)")
    shown = ", ".join(repr(h) for h in header[:4]) + (", …" if len(header) > 4 else "")
    raise InputError(path, f"not an award file in a known layout (a USAspending contract-transaction download "
                           f"with award_id_piid, action_date, recipient_name…, or the 10-column D2 extract with "
                           f"Agency, Award ID, Recipient Name…); its header has {len(header)} columns: {shown}")


def _built_award_key(piid: str, agency: str, parent: str, parent_agency: str) -> str:
    """USAspending's award key for a row of a layout without one (D1): ``CONT_AWD_<PIID>_<awarding sub-agency>_``
    then ``<parent award>_<its agency>`` or ``-NONE-_-NONE-``, the form D2 gives for the same awards; "" when
    the row lacks what it needs."""
    if not agency.isdigit():
        return ""
    if not parent:
        return f"CONT_AWD_{piid}_{agency}_-NONE-_-NONE-"
    return f"CONT_AWD_{piid}_{agency}_{parent}_{parent_agency}" if parent_agency.isdigit() else ""


def _usaspending_agency(awarding: str, funding: str, words: str) -> str | None:
    for code in (awarding, funding):
        if code in SUB_AGENCY_CODES:
            return SUB_AGENCY_CODES[code]
    if (awarding in ACF_CODES or funding in ACF_CODES) and ORR_SIGNS.search(words):
        return ORR
    return None


def _duns(text: str) -> str:
    """A DUNS number with the leading zeros a spreadsheet may have dropped put back (9 digits)."""
    text = text.strip()
    return text.zfill(9) if text.isdigit() and len(text) < 9 else text


_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[T ][\d:.+Z]*)?")
_SLASH = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?")


def read_date(text: str, what: str, *, day_first: bool) -> date | None:
    """``2018-06-22``, ``22/06/2018`` or ``22/06/18 00:00`` (day first in the D1 layout) → a date; None when blank;
    ValueError naming the field otherwise."""
    if not text:
        return None
    m = _ISO.fullmatch(text)
    try:
        if m:
            return date(int(m[1]), int(m[2]), int(m[3]))
        m = _SLASH.fullmatch(text)
        if m:
            day, month = (int(m[1]), int(m[2])) if day_first else (int(m[2]), int(m[1]))
            year = int(m[3])
            if year < 100:
                year += 2000 if year < 70 else 1900
            return date(year, month, day)
    except ValueError:
        pass
    form = "DD/MM/YYYY" if day_first else "YYYY-MM-DD"
    raise ValueError(f"{what} {text[:30]!r} is not a date ({form})")
