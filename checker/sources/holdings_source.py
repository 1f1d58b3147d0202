"""Read a treasury holdings report: issuer or security description, CUSIP, ISIN, ticker, values, maturity."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from checker.errors import InputError
from checker.model import Record, Security, Skipped
from checker.sources.columns import header_key
from checker.sources.csv_source import CsvSource, open_csv
from checker.sources.rows import MAX_NAME
from checker.sources.values import parse_date

HOLDING_SYNONYMS: dict[str, tuple[str, ...]] = {
    "issuer": ("issuer", "issuername", "securitydescription", "description", "security", "securityname",
               "name", "holding", "securitydesc"),
    "cusip": ("cusip", "cusipnumber", "cusipno"),
    "isin": ("isin", "isincode"),
    "ticker": ("ticker", "symbol", "tickersymbol"),
    "par": ("par", "parvalue", "faceamount", "facevalue", "shares", "quantity"),
    "market_value": ("marketvalue", "mktvalue", "value", "fairvalue", "bookvalue"),
    "maturity": ("maturity", "maturitydate", "matures"),
    "transaction": ("transaction", "transactiontype", "activity", "tradetype", "buysell", "action"),
    "trade_date": ("tradedate", "transactiondate", "settlementdate", "settledate", "purchasedate"),
}
TRANSACTION_WORDS = {"buy": "purchase", "bought": "purchase", "purchase": "purchase", "purchased": "purchase",
                     "b": "purchase", "sell": "sale", "sold": "sale", "sale": "sale", "s": "sale",
                     "redemption": "sale", "redeemed": "sale", "matured": "sale", "maturity": "sale",
                     "hold": None, "holding": None, "held": None, "position": None}
"""A transaction cell's words: a purchase, a sale, or (None) a position held."""


def read_transaction(cell: str | None) -> str | None:
    """A transaction cell: ``purchase``, ``sale``, None for a position held (or a blank cell), or the cell's own
    words, lower case, when they are none of these (judged for review)."""
    key = " ".join((cell or "").lower().split())
    if not key:
        return None
    return TRANSACTION_WORDS.get(key, key)
@dataclass(frozen=True)
class HoldingColumns:
    """Column indexes of a holdings report (None where absent)."""

    header: tuple[str, ...]
    issuer: int | None = None
    cusip: int | None = None
    isin: int | None = None
    ticker: int | None = None
    par: int | None = None
    market_value: int | None = None
    maturity: int | None = None
    transaction: int | None = None
    trade_date: int | None = None


def map_holding_columns(header: list[str], source: str) -> HoldingColumns:
    """Find the holdings columns by header; at least one of issuer, CUSIP, ISIN or ticker is required."""
    keys = [header_key(h) for h in header]
    found = {f: next((i for n in names for i, k in enumerate(keys) if k == n), None)
             for f, names in HOLDING_SYNONYMS.items()}
    if all(found[f] is None for f in ("issuer", "cusip", "isin", "ticker")):
        shown = ", ".join(repr(h) for h in header)
        raise InputError(source, f"no issuer, CUSIP, ISIN or ticker column found; headers are: {shown}")
    return HoldingColumns(header=tuple(h.strip() for h in header), **found)


def read_holdings(path: Path | str, max_rows: int | None = None) -> tuple[CsvSource, Iterator[Record | Skipped]]:
    """A holdings report opened, and its rows as records (vendor = issuer description) and skipped rows; a row with
    a NUL byte or an issuer over ``MAX_NAME`` characters, or more than ``max_rows`` data rows, is refused."""
    opened = open_csv(path)
    return opened, _holdings(opened, map_holding_columns(opened.header, opened.path), max_rows)


def _holdings(opened: CsvSource, cols: HoldingColumns, max_rows: int | None) -> Iterator[Record | Skipped]:
    """The rows of a holdings report."""
    def cell(cells: list[str], i: int | None) -> str | None:
        return cells[i].strip() or None if i is not None and i < len(cells) else None

    for row, cells in opened.rows():
        if max_rows is not None and row > max_rows:
            raise InputError(opened.path, f"row {row}: the file has more than --max-rows {max_rows:,} data rows")
        if "\x00" in "".join(cells):
            raise InputError(opened.path, f"row {row}: contains NUL bytes (a binary or mis-encoded file?)")
        if not any(c.strip() for c in cells):
            yield Skipped(row, "blank row")
            continue
        sec = Security(cusip=cell(cells, cols.cusip), isin=cell(cells, cols.isin), ticker=cell(cells, cols.ticker),
                       par=cell(cells, cols.par), market_value=cell(cells, cols.market_value),
                       maturity=cell(cells, cols.maturity))
        description = cell(cells, cols.issuer)
        if description is not None and len(description) > MAX_NAME:
            raise InputError(opened.path, f"row {row}: the issuer is {len(description):,} characters long; names "
                                          f"are limited to {MAX_NAME:,}")
        if description is None and not (sec.cusip or sec.isin or sec.ticker):
            yield Skipped(row, "total or note row (no issuer and no identifier)")
            continue
        try:
            parse_date(sec.maturity)
        except ValueError as exc:
            raise InputError(opened.path, f"row {row}: maturity {exc}") from None
        try:
            traded = parse_date(cell(cells, cols.trade_date))
        except ValueError as exc:
            raise InputError(opened.path, f"row {row}: column {cols.header[cols.trade_date]!r}: {exc}") from None
        yield Record(row=row, vendor=" ".join((description or "").split()), amount=sec.market_value, security=sec,
                     action=read_transaction(cell(cells, cols.transaction)), date=traded)
