"""The facts a judgement depends on: the one declaration.

A judgement is a pure function of a record's ``Facts`` (and of the loaded knowledge): ``Judge`` reads
nothing else. Two records with equal facts therefore get the same judgement, and the engine judges each
distinct ``Facts`` once. What goes into the facts is declared here and nowhere else:

* always: the matcher's outcome for the vendor name, or the registry entity a payee identifier (EIN,
  DUNS, UEI, CAGE) points to (``VendorFacts``); and a registry product named in the description, when
  it can apply to this vendor;
* only when the vendor is a registry match (``reads_the_row``): the contract action, the date, the
  contract's start and end, and whether the record is a screening;
* only when the vendor is a registry match and a waiver register is loaded: the vendor string, the
  contract id and the amount, which waivers are scoped by.

A rule that needs another field of the record adds it to ``Facts`` and to ``facts`` (and names it in
``ROW_FIELDS`` or ``WAIVER_FIELDS``); the engine follows without a change.
"""

from __future__ import annotations

from datetime import date
from functools import cached_property
from typing import NamedTuple

from checker.knowledge.registry import Registry
from checker.match.identifiers import IdentifierIndex
from checker.match.matcher import Matcher
from checker.match.normalize import issuer_name
from checker.match.products import ProductHit, ProductScanner
from checker.model import Match, Outcome, Record

VENDOR_FIELDS = ("vendor", "identifiers", "description")
"""Record fields every judgement reads (through the matcher, the identifier index and the product scan)."""
ROW_FIELDS = ("action", "date", "contract_start", "contract_end")
"""Record fields a judgement reads when the vendor is a registry match."""
WAIVER_FIELDS = ("vendor", "contract_id", "amount")
"""Record fields a judgement reads when the vendor is a registry match and waivers are loaded."""


class VendorFacts(NamedTuple):
    """Who the payee is: the matcher's outcome (or an identifier's), and which identifier decided or was invalid."""

    outcome: Outcome
    identifier: str | None = None


class Facts(NamedTuple):
    """Everything a judgement of a payment, contract or screened name may read."""

    vendor: VendorFacts
    product: ProductHit | None = None
    screening: bool = False
    action: str | None = None
    day: date | None = None
    contract_start: date | None = None
    contract_end: date | None = None
    name: str | None = None
    contract_id: str | None = None
    amount: str | None = None


class HoldingFacts(NamedTuple):
    """Everything a judgement of an investment holding may read: the issuer's match and identifier notes, and
    the transaction (purchase, sale, or None for a position held) with its trade date."""

    match: Match | None
    note: str | None
    identifier: str | None
    transaction: str | None = None
    day: date | None = None


def reads_the_row(vendor: VendorFacts) -> bool:
    """Whether a judgement reads ``ROW_FIELDS`` (and, with waivers, ``WAIVER_FIELDS``): only for a registry match.

    Without one, no rule set's outcome can depend on the contract action or a date: a name that matches
    nothing is clear, whatever the row says, unless its description names a registry product.
    """
    return vendor.outcome.match is not None


def facts(record: Record, vendor: VendorFacts, product: ProductHit | None, *, waivers: bool,
          screening: bool = False) -> Facts:
    """The facts of a record, given its vendor's facts and the product its description names: only the fields
    a judgement reads are kept."""
    if not reads_the_row(vendor):
        return Facts(vendor, product, screening)
    if not waivers:
        return Facts(vendor, product, screening, record.action, record.date, record.contract_start,
                     record.contract_end)
    return Facts(vendor, product, screening, record.action, record.date, record.contract_start,
                 record.contract_end, record.vendor, record.contract_id, record.amount)


def vendor_only(vendor: VendorFacts) -> Facts | None:
    """The facts of every audited record of this vendor whose description names no product, when a judgement
    reads nothing else of the row; None when it does (``reads_the_row``)."""
    return None if reads_the_row(vendor) else Facts(vendor)


class FactFinder:
    """Works out a record's facts: matches the vendor, looks up identifiers, scans the description."""

    def __init__(self, matcher: Matcher, registry: Registry, waivers: bool = False) -> None:
        self.matcher = matcher
        self.registry = registry
        self.waivers = waivers

    @cached_property
    def products(self) -> ProductScanner:
        """The scanner of descriptions (made when first needed: a screen reads none)."""
        return ProductScanner(self.registry, self.matcher.family_tokens)

    @cached_property
    def identifiers(self) -> IdentifierIndex:
        """The registry's payee and issuer identifiers (made when first needed)."""
        return IdentifierIndex(self.registry)

    def vendor(self, name: str, identifiers: tuple[tuple[str, str], ...] = ()) -> VendorFacts:
        """The payee's facts: by an identifier the registry lists (EIN, DUNS, UEI, CAGE), else by name."""
        if not identifiers:
            return VendorFacts(self.matcher.match(name))
        hit, problems = self.identifiers.lookup_vendor(identifiers)
        if hit is None:
            return VendorFacts(self.matcher.match(name), "; ".join(problems) or None)
        ent = self.registry.entities[hit.entity_id]
        m = Match(ent.id, ent.family_id, ent.name, "identifier", 1.0, "match", hit.how)
        return VendorFacts(Outcome(m), "; ".join([*problems, hit.how]))

    def names_no_product(self, description: str | None) -> bool:
        """True when a description names no registry product, whoever the vendor is."""
        # The reseller scan finds everything the other finds, and more: one scan answers for every vendor.
        return not description or self.products.scan(description.strip(), vendor_is_reseller=True) is None

    def product(self, description: str | None, vendor: VendorFacts) -> ProductHit | None:
        """A registry product named in the description, when the vendor is not already that family.

        A person's payment names no product; a matched vendor's description counts only when the vendor
        is a known reseller (it may sell another family's product).
        """
        if not description or vendor.outcome.person:
            return None
        m = vendor.outcome.match
        reseller = m is not None and m.band == "match" and "reseller" in self.registry.entities[m.entity_id].categories
        if m is not None and m.band == "match" and not reseller:
            return None
        hit = self.products.scan(description, vendor_is_reseller=reseller)
        if hit is None or (m is not None and m.band == "match" and hit.family_id == m.family_id):
            return None
        return hit

    def of(self, record: Record, *, screening: bool = False) -> Facts:
        """A record's facts: its vendor matched, its description scanned."""
        vendor = self.vendor(record.vendor, record.identifiers)
        return facts(record, vendor, self.product(record.description, vendor), waivers=self.waivers,
                     screening=screening)

    def holding(self, record: Record) -> HoldingFacts:
        """A holding's facts: identifiers first (CUSIP issuer prefix, ISIN, ticker), then the issuer's name."""
        sec = record.security
        hit, problems = self.identifiers.lookup(sec) if sec is not None else (None, [])
        identifier = "; ".join(problems + ([hit.how] if hit else [])) or None
        trade = (record.action, record.date)
        if hit is not None:
            ent = self.registry.entities[hit.entity_id]
            m = Match(ent.id, ent.family_id, ent.name, "identifier", 1.0, "match",
                      f"identifier {hit.how} belongs to {ent.name}")
            return HoldingFacts(m, None, identifier, *trade)
        if not record.vendor:
            return HoldingFacts(None, "no issuer name and no known identifier", identifier, *trade)
        outcome = self.matcher.match(issuer_name(record.vendor))
        return HoldingFacts(outcome.match, outcome.note, identifier, *trade)
