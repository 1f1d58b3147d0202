"""Identifiers: check digits (python-stdnum) and lookup of CUSIPs, ISINs, tickers, EINs, DUNS, UEIs and CAGEs."""

from __future__ import annotations

import re
from dataclasses import dataclass

from checker.knowledge.registry import Registry
from checker.model import Security


@dataclass(frozen=True)
class IdentifierHit:
    """Which registry entity an identifier points to, and how."""

    entity_id: str
    how: str


class IdentifierIndex:
    """Registry identifiers by kind: CUSIP issuer prefixes (6), full CUSIPs, ISINs and tickers."""

    def __init__(self, registry: Registry) -> None:
        self.by_prefix: dict[str, str] = {}
        self.by_isin: dict[str, str] = {}
        self.by_ticker: dict[str, str] = {}
        self.by_vendor_id: dict[tuple[str, str], str] = {}
        for ent in registry.entities.values():
            for ident in ent.identifiers:
                if ident.type in VENDOR_ID_TYPES:
                    self.by_vendor_id.setdefault((ident.type, _compact(ident.type, ident.value)), ent.id)
                    continue
                value = ident.value.upper().replace(" ", "")
                if ident.type in ("cusip_issuer", "cusip"):
                    self.by_prefix.setdefault(value[:6], ent.id)
                elif ident.type == "isin":
                    self.by_isin.setdefault(value, ent.id)
                elif ident.type == "ticker":
                    self.by_ticker.setdefault(value, ent.id)

    def lookup_vendor(self, ids: tuple[tuple[str, str], ...]) -> tuple[IdentifierHit | None, list[str]]:
        """The first of a payee's identifiers (EIN, DUNS, UEI, CAGE) that the registry lists, and invalid ones."""
        problems: list[str] = []
        for kind, raw in ids:
            value = _compact(kind, raw)
            label = VENDOR_ID_TYPES[kind]
            if not _VALID[kind](value):
                problems.append(f"{label} {raw!r} is not a valid {label}; not used")
                continue
            entity = self.by_vendor_id.get((kind, value))
            if entity is not None:
                return IdentifierHit(entity, f"{label} {raw} is listed for this registry entity"), problems
        return None, problems

    def lookup(self, sec: Security) -> tuple[IdentifierHit | None, list[str]]:
        """The first identifier that points to a registry entity, and any invalid identifiers found on the way."""
        problems: list[str] = []
        cusip = (sec.cusip or "").upper().replace(" ", "")
        if cusip:
            if not _cusip_valid(cusip):
                problems.append(f"CUSIP {cusip} is not valid (length or check digit); not used")
            elif cusip[:6] in self.by_prefix:
                return IdentifierHit(self.by_prefix[cusip[:6]], f"CUSIP {cusip} (issuer prefix {cusip[:6]})"), problems
        isin = (sec.isin or "").upper().replace(" ", "")
        if isin:
            if not _isin_valid(isin):
                problems.append(f"ISIN {isin} is not valid (check digit); not used")
            elif isin in self.by_isin:
                return IdentifierHit(self.by_isin[isin], f"ISIN {isin}"), problems
            elif isin[:2] in ("US", "CA") and isin[2:8] in self.by_prefix:
                return IdentifierHit(self.by_prefix[isin[2:8]], f"ISIN {isin} (CUSIP issuer prefix {isin[2:8]})"), \
                    problems
        ticker = (sec.ticker or "").upper().strip()
        if ticker and ticker in self.by_ticker:
            return IdentifierHit(self.by_ticker[ticker], f"ticker {ticker}"), problems
        return None, problems


# python-stdnum is imported on first use: it costs about 10 ms, and screening a name never needs it.
def _cusip_valid(value: str) -> bool:
    from stdnum import cusip
    return cusip.is_valid(value)


def _isin_valid(value: str) -> bool:
    from stdnum import isin
    return isin.is_valid(value)


def _ein_valid(value: str) -> bool:
    from stdnum.us import ein
    return ein.is_valid(value)


VENDOR_ID_TYPES = {"ein": "EIN", "duns": "DUNS", "uei": "UEI", "cage": "CAGE"}
"""Identifiers a payment or vendor file may carry for its payee, by registry type, with their names."""

_VALID = {
    "ein": _ein_valid,
    "duns": lambda v: bool(re.fullmatch(r"[0-9]{9}", v)),
    "uei": lambda v: bool(re.fullmatch(r"[A-Z0-9]{12}", v)),
    "cage": lambda v: bool(re.fullmatch(r"[A-Z0-9]{5}", v)),
}


def _compact(kind: str, value: str) -> str:
    """An identifier without spaces, dashes or dots, upper-cased (``36-3286391`` → ``363286391``)."""
    return re.sub(r"[\s.\-]", "", value).upper()
