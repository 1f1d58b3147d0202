"""How far a registry name's own words identify a company, measured by how common they are in English.

A word's frequency comes from ``words.zipf`` (wordfreq's English list, ``data/english_word_frequencies.tsv``):
nothing here is a hand-made list of brands. A registry name has

* a *brand* when its first word is a brand word (``words.brand_word``: rarer than once per million words of
  English, five letters or more: EQUIFAX, PALANTIR, LEXISNEXIS). A vendor name that begins with it and goes on
  with business words ("EQUIFAX INFORMATION SERVICES LLC", "<brand> <unit> SOLUTIONS INC") is at least a
  possible match;
* an *anchor* when any of its distinctive words is rare (``words.rare``: also BOOZ, G4S);
* a *phrase* when it has two distinctive words or more and none is common (THOMSON REUTERS, PALANTIR USG): the
  whole name followed by a unit's words ("THOMSON REUTERS ELITE") is a match.

It is *ordinary* when it has no anchor and either one word carries it or one of its words is common
(``words.common``: GIANT OAK, FOUR POINTS, PEN LINK, THOMSON, MICROSOFT): anyone's business may be called that,
so a vendor name that adds words of its own ("GIANT OAK TREE SERVICE") or puts them in another order ("OAK
GIANT NURSERY") is not flagged.
"""

from __future__ import annotations

from typing import NamedTuple

from checker.match.words import brand_word, common, distinctive, rare


class Strength(NamedTuple):
    """What a registry name's words are worth (see the module)."""

    brand: str | None = None
    anchored: bool = False
    ordinary: bool = False
    phrase: bool = False


def strength(tokens: tuple[str, ...]) -> Strength:
    """The strength of a registry name's core tokens."""
    words = [t for t in tokens if distinctive(t)]
    if not words:
        return Strength()  # generic words only ("WEST PUBLISHING"): the scorer caps these by itself
    anchored = any(map(rare, words))
    has_common = any(map(common, words))
    brand = tokens[0] if brand_word(tokens[0]) else None
    return Strength(brand=brand, anchored=anchored,
                    ordinary=not anchored and (len(words) == 1 or has_common),
                    phrase=len(words) >= 2 and not has_common)
