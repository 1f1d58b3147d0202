"""Which words of a vendor name may pair with which words of a registry name: the one definition.

A query word pairs with a registry word when it is the same word, when two neighbouring words of one
side spell one word of the other (``LEXIS NEXIS`` and ``LEXISNEXIS``), when the query's last word is a
truncation of a registry word (an ERP system cut ``APPLICATIONS`` to ``APPLICATI``), or when the two are
a likely typo of each other (``close``). The scorer (``score.align``) pairs words by these rules; the
prefilter (``prefilter``) uses the same rules, ignoring order and which words are already paired, to
skip registry names that cannot score.
"""

from __future__ import annotations

from typing import NamedTuple

from rapidfuzz.distance import OSA

TRUNCATION_MIN_CHARS = 20
"""A query at least this long (its words joined by spaces) may end in a word of three letters cut short."""
MIN_TRUNCATION = 3
"""The fewest letters a truncated last word can have (four in a query shorter than ``TRUNCATION_MIN_CHARS``)."""


def shortest_truncation(query: tuple[str, ...]) -> int:
    """The fewest letters the query's last word may have to pair as a truncation."""
    return MIN_TRUNCATION if len(" ".join(query)) >= TRUNCATION_MIN_CHARS else MIN_TRUNCATION + 1


def truncates(word: str, target: str, shortest: int) -> bool:
    """True when ``word`` (a query's last word) is ``target`` cut short, with at least ``shortest`` letters."""
    return len(word) >= shortest and target.startswith(word)


def typo_word(word: str) -> bool:
    """Whether ``close`` may pair the word with another: five letters or more, not all digits."""
    return len(word) >= 5 and not word.isdigit()


def typo_allowance(a: str, b: str) -> int:
    """Edits (or swaps) allowed between two words: one per five letters of the shorter, at least one."""
    return max(1, min(len(a), len(b)) // 5)


def close(a: str, b: str) -> bool:
    """A likely typo: same first letter, both ``typo_word``, within ``typo_allowance`` edits."""
    if a[0] != b[0] or not (typo_word(a) and typo_word(b)):
        return False
    allowed = typo_allowance(a, b)
    return OSA.distance(a, b, score_cutoff=allowed) <= allowed


class TargetWords(NamedTuple):
    """A registry name's words, arranged for asking whether a query word could pair with any of them."""

    tokens: tuple[str, ...]
    words: frozenset[str]
    pairs: frozenset[str]  # two neighbouring words joined
    typo_words: dict[str, tuple[str, ...]]  # by first letter: the words ``close`` may pair with
    brand: str | None = None  # the name's first word when rare (``brands.Strength.brand``)

    @classmethod
    def of(cls, t: tuple[str, ...], brand: str | None = None) -> TargetWords:
        """The words of one registry name (and its brand word, if any)."""
        typo: dict[str, list[str]] = {}
        for w in filter(typo_word, t):
            typo.setdefault(w[0], []).append(w)
        return cls(t, frozenset(t), frozenset(a + b for a, b in zip(t, t[1:], strict=False)),
                   {k: tuple(v) for k, v in typo.items()}, brand)

    def begins(self, q: tuple[str, ...]) -> bool:
        """Whether the query begins with this name's brand word (``LEXIS NEXIS`` joined counts)."""
        brand = self.brand
        return brand is not None and len(q) >= 2 and (q[0] == brand or q[0] + q[1] == brand)

    def may_pair(self, q: tuple[str, ...], i: int, family_tokens: frozenset[str]) -> bool:
        """Whether the query's ``i``-th word could pair by some rule (or is one of the family's own words)."""
        tok = q[i]
        last = len(q) - 1
        words = self.words
        return (tok in words or tok in family_tokens
                or (i < last and tok + q[i + 1] in words) or (i > 0 and q[i - 1] + tok in words)
                or tok in self.pairs
                or (i == last and any(truncates(tok, w, MIN_TRUNCATION) for w in self.tokens))
                or any(close(tok, w) for w in self.typo_words.get(tok[0], ())))
