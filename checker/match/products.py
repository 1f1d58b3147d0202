"""Find registry products named in a row's description or memo (a city may buy CLEAR through a reseller).

Distinctive product names (ACCURINT, WESTLAW, LOCATE X, SOCIALNET …) count as whole phrases. Short or
generic ones (CLEAR, TLO: the registry's weak aliases) count only with vendor context: a word of the same
family in the description ("THOMSON REUTERS CLEAR"), or a vendor that is a known reseller.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from checker.knowledge.registry import Registry
from checker.match.normalize import fold


@dataclass(frozen=True)
class ProductHit:
    """A product phrase found in a description, and whose product it is."""

    phrase: str
    entity_id: str
    family_id: str
    context: str


class ProductScanner:
    """Scans free text for registry product names."""

    def __init__(self, registry: Registry, family_tokens: dict[str, frozenset[str]]) -> None:
        self.registry = registry
        self.family_tokens = family_tokens
        self._strong: list[tuple[re.Pattern[str], str, str]] = []
        self._weak: list[tuple[re.Pattern[str], str, str]] = []
        for ent in registry.entities.values():
            for product in ent.products:
                self._strong.append((_phrase(product), ent.id, product))
            for weak in ent.weak_aliases:
                self._weak.append((_phrase(weak), ent.id, weak))

    def scan(self, text: str | None, *, vendor_is_reseller: bool = False) -> ProductHit | None:
        """The first product named in ``text`` (distinctive names first), or None."""
        if not text:
            return None
        folded = f" {fold(text)} "
        for pattern, entity_id, name in self._strong:
            if pattern.search(folded):
                ent = self.registry.entities[entity_id]
                return ProductHit(name, entity_id, ent.family_id, "named in the description")
        words = set(folded.split())
        for pattern, entity_id, name in self._weak:
            if not pattern.search(folded):
                continue
            ent = self.registry.entities[entity_id]
            name_words = set(fold(name).split())
            context = (words - name_words) & self.family_tokens.get(ent.family_id, frozenset())
            if context:
                return ProductHit(name, entity_id, ent.family_id, f"with {sorted(context)[0]} in the description")
            if vendor_is_reseller:
                return ProductHit(name, entity_id, ent.family_id, "bought from a known reseller")
        return None


def _phrase(name: str) -> re.Pattern[str]:
    return re.compile(r" " + re.escape(fold(name)) + r" ")
