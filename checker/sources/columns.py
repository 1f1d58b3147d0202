"""Find the vendor, date, amount and contract columns of a file by their headers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from checker.errors import InputError

# Header synonyms, compared after lower-casing and removing everything but letters and digits.
# Vendor-name synonyms are in priority groups: one header in the first non-empty group wins.
VENDOR_GROUPS: tuple[tuple[str, ...], ...] = (
    ("vendorname", "vendorlegalname", "payeename", "suppliername", "contractorname", "recipientname",
     "vendornamepayee", "remittoname"),
    ("vendor", "payee", "supplier", "contractor", "company", "companyname", "recipient", "vendordescription"),
)
SYNONYMS: dict[str, tuple[str, ...]] = {
    "action": ("contractaction", "action", "actiontype", "contractactiontype", "transactiontype"),
    "action_date": ("actiondate", "contractactiondate", "signeddate", "awarddate", "executiondate"),
    "date": ("date", "paymentdate", "checkpaymentdate", "checkdate", "invoicedate", "transactiondate",
             "postingdate", "paiddate", "warrantdate"),
    "contract_start": ("contractstart", "contractstartdate", "startdate", "termstart", "effectivedate"),
    "contract_end": ("contractend", "contractenddate", "enddate", "termend", "expirationdate", "expirydate"),
    "amount": ("amount", "paymentamount", "invoicenetamt", "invoiceamount", "netamount", "amountpaid",
               "paidamount", "checkamount", "total", "totalamount", "contractamount", "value"),
    "description": ("description", "memo", "linedescription", "itemdescription", "purpose", "invoicedescription",
                    "paymentdescription", "lineitemdescription", "contractdescription", "contracttitle"),
    "contract_id": ("contractid", "contractnumber", "contractno", "contract", "ponumber", "purchaseorder",
                    "purchaseordernumber", "agreementnumber"),
    "fiscal_year": ("fiscalyear", "fy", "fiscalyr", "budgetyear"),
    "ein": ("ein", "tin", "fein", "taxid", "taxidnumber", "federaltaxid", "vendortin", "vendorein", "payeetin",
            "employeridentificationnumber", "tinein", "eintin"),
    "duns": ("duns", "dunsnumber", "dunsno", "vendorduns", "recipientduns"),
    "uei": ("uei", "samuei", "uniqueentityid", "uniqueentityidentifier", "vendoruei", "recipientuei"),
    "cage": ("cage", "cagecode"),
    "department": ("department", "dept", "deptdescrptn", "deptdescription", "departmentname", "agency",
                   "centername", "division"),
}


def header_key(header: str) -> str:
    """``"Check/Payment Date"`` → ``checkpaymentdate``."""
    return re.sub(r"[^a-z0-9]", "", header.lower())


@dataclass(frozen=True)
class ColumnMap:
    """Column indexes for the fields we use (None when the file has no such column)."""

    header: tuple[str, ...]
    vendor: int
    action: int | None = None
    action_date: int | None = None
    date: int | None = None
    contract_start: int | None = None
    contract_end: int | None = None
    amount: int | None = None
    department: int | None = None
    fiscal_year: int | None = None
    description: int | None = None
    contract_id: int | None = None
    ein: int | None = None
    duns: int | None = None
    uei: int | None = None
    cage: int | None = None

    @property
    def identifier_columns(self) -> tuple[tuple[str, int], ...]:
        """The payee-identifier columns present: (registry type, column index)."""
        return tuple((kind, i) for kind in ("ein", "duns", "uei", "cage")
                     if (i := getattr(self, kind)) is not None)


def cell_names(header: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """A file's column names as the keys of a row's own cells (``Record.cells``): a name given twice is kept
    apart as ``NAME#2`` (as ``--map`` names it), a blank one is ``(column N)``."""
    names: list[str] = []
    seen: dict[str, int] = {}
    for i, h in enumerate(header):
        name = h or f"(column {i + 1})"
        seen[name] = seen.get(name, 0) + 1
        names.append(name if seen[name] == 1 else f"{name}#{seen[name]}")
    return tuple(names)


def choose_columns(wanted: str | list[str], names: tuple[str, ...] | list[str], source: str) -> tuple[str, ...]:
    """``--columns "Vendor Name,Amount"``: the input columns a listing repeats, as the file names them (matched
    exactly, else without case and punctuation); a name the file lacks is one error naming it and the file."""
    asked = [c.strip() for c in (wanted.split(",") if isinstance(wanted, str) else wanted) if c.strip()]
    if not asked:
        raise InputError("--columns", "name at least one column (e.g. --columns 'Vendor Name,Amount')")
    keys = [header_key(n) for n in names]
    chosen = []
    for name in asked:
        key = header_key(name)
        hits = [n for n in names if n == name] or [n for n, k in zip(names, keys, strict=True) if k and k == key]
        if not hits:
            raise InputError(source, f"--columns: {name!r} is not a column; the columns are: "
                                     f"{shown_headers(list(names))}")
        chosen.append(hits[0])
    return tuple(dict.fromkeys(chosen))


FIELDS: tuple[str, ...] = ("vendor", *SYNONYMS)
"""Fields a column can be mapped to with ``--map FIELD=COLUMN``."""


def parse_mapping(pairs: list[str] | None) -> dict[str, str]:
    """``["vendor=Payee", "amount=Net"]`` → ``{"vendor": "Payee", "amount": "Net"}``; bad pairs are an error."""
    mapping: dict[str, str] = {}
    for pair in pairs or ():
        field, sep, column = pair.partition("=")
        field = field.strip().lower().replace("-", "_")
        if not sep or not column.strip():
            raise InputError("--map", f"{pair!r} is not FIELD=COLUMN (e.g. vendor='Payee Name')")
        if field not in FIELDS:
            raise InputError("--map", f"{field!r} is not a field; fields are: {', '.join(FIELDS)}")
        if field in mapping:
            raise InputError("--map", f"{field!r} is mapped twice")
        mapping[field] = column.strip()
    return mapping


SHOWN_HEADERS = 20
"""Headers listed in an error message (a file may have thousands)."""


def shown_headers(header: list[str]) -> str:
    """The headers for an error message: the first ``SHOWN_HEADERS``, and how many there are in all."""
    shown = ", ".join(repr(h[:60]) for h in header[:SHOWN_HEADERS])
    return shown + (f", … ({len(header):,} in all)" if len(header) > SHOWN_HEADERS else "")


def _find(header: list[str], keys: list[str], wanted: str, label: str, source: str) -> int:
    """The index of the header the user named: exactly, or after lower-casing and removing punctuation, or as
    ``NAME#N`` (the N-th column of that name, from 1) when several columns have it."""
    name, sep, nth = wanted.rpartition("#")
    if sep and nth.isdigit() and name:
        hits = _hits(header, keys, name)
        if not 1 <= int(nth) <= len(hits):
            raise InputError(source, f"{label}: there are {len(hits)} columns named {name!r}")
        return hits[int(nth) - 1]
    hits = _hits(header, keys, wanted)
    if not hits:
        raise InputError(source, f"{label} is not a header; headers are: {shown_headers(header)}")
    if len(hits) > 1:
        where = ", ".join(str(i + 1) for i in hits)
        raise InputError(source, f"{label} names {len(hits)} columns (numbers {where}); choose one as "
                                 f"'{wanted}#1' to '{wanted}#{len(hits)}'")
    return hits[0]


def _hits(header: list[str], keys: list[str], wanted: str) -> list[int]:
    return [i for i, h in enumerate(header) if h == wanted] or \
        [i for i, k in enumerate(keys) if k == header_key(wanted)]


def map_columns(header: list[str], source: str, name_column: str | None = None,
                mapping: dict[str, str] | None = None) -> ColumnMap:
    """Map headers to fields: ``mapping`` (from ``--map``) first, then header synonyms.

    The vendor column must be found unambiguously or named by the user.
    """
    header = [h.lstrip("\ufeff").strip() for h in header]
    keys = [header_key(h) for h in header]
    mapping = dict(mapping or {})
    if name_column is not None:
        if "vendor" in mapping:
            raise InputError(source, "give the vendor column once: --name-column or --map vendor=COLUMN")
        mapping["vendor"] = name_column
    chosen = {field: _find(header, keys, column, f"--name-column {column!r}" if field == "vendor" and name_column
                           else f"--map {field}={column!r}", source) for field, column in mapping.items()}
    if "vendor" in chosen:
        vendor = chosen["vendor"]
    else:
        vendor = None
        for group in VENDOR_GROUPS:
            hits = [i for i, k in enumerate(keys) if k in group]
            if len(hits) > 1:
                names = ", ".join(repr(header[i]) for i in hits)
                raise InputError(source, f"more than one vendor-name column ({names}); "
                                         "choose one with --name-column or --map vendor=COLUMN")
            if hits:
                vendor = hits[0]
                break
        if vendor is None:
            raise InputError(source, f"no vendor-name column found; headers are: {shown_headers(header)}; "
                                     "name the column with --name-column or --map vendor=COLUMN")
    found: dict[str, int | None] = {}
    taken = set(chosen.values())
    for field, names in SYNONYMS.items():
        found[field] = chosen[field] if field in chosen else \
            next((i for name in names for i, k in enumerate(keys) if k == name and i not in taken | {vendor}), None)
        index = found[field]
        if field not in chosen and index is not None and keys.count(keys[index]) > 1:
            twins = ", ".join(str(i + 1) for i, k in enumerate(keys) if k == keys[index])
            raise InputError(source, f"{len(twins.split(', '))} columns are named {header[index]!r} (numbers "
                                     f"{twins}): choose the {field} column with --map {field}='{header[index]}#N'")
    return ColumnMap(header=tuple(header), vendor=vendor, **found)
