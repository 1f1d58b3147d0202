"""A conservative prefilter for the matcher: which registry names could share a distinctive word with a query.

The scorer gives 0 to a registry name with distinctive words when none of them pairs with a query token
(exactly, split or joined, as an ERP truncation, or as a typo). This index answers, per query token and
from a memo, the registry names such a pairing is *possible* for, so the scorer can skip the rest
without changing any score. It over-approximates on purpose: it ignores word order and which tokens
are already paired.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

MEMO_LIMIT = 200_000
"""Query tokens remembered; the memo is emptied when it grows past this (it only saves time)."""


class HitIndex:
    """For each query token, the registry names whose distinctive words it could pair with."""

    def __init__(self, targets: Iterable[tuple[int, tuple[str, ...]]], weight: Callable[[str], float],
                 close: Callable[[str, str], bool], typo_word: Callable[[str], bool], min_prefix: int = 3) -> None:
        self._weight = weight
        self._close = close
        self._typo_word = typo_word  # whether ``close`` may pair a word with any other
        self._min_prefix = min_prefix
        self.exact: dict[str, set[int]] = defaultdict(set)     # a distinctive word, or two words joined
        self.prefix: dict[str, set[int]] = defaultdict(set)    # a prefix of a distinctive word (truncation)
        self.by_initial: dict[str, list[str]] = defaultdict(list)  # distinctive words for typo checks
        self.always: set[int] = set()                          # names with no distinctive word: always scored
        for idx, tokens in targets:
            distinctive = [t for t in tokens if weight(t) >= 1.0]
            if not distinctive:
                self.always.add(idx)
                continue
            for tok in distinctive:
                self.exact[tok].add(idx)
                for size in range(min_prefix, len(tok) + 1):
                    self.prefix[tok[:size]].add(idx)
                if typo_word(tok):
                    self.by_initial[tok[0]].append(tok)
            for a, b in zip(tokens, tokens[1:], strict=False):
                joined = a + b
                if weight(joined) >= 1.0:
                    self.exact[joined].add(idx)
        self.by_initial = {k: sorted(set(v)) for k, v in self.by_initial.items()}
        self._memo: dict[str, frozenset[int]] = {}

    def possible(self, tokens: tuple[str, ...]) -> set[int]:
        """Registry names (by index) that could get a distinctive pairing from these query tokens.

        Only the last query token can be an ERP truncation, so only it is looked up as a prefix.
        """
        found: set[int] = set(self.always)
        last = len(tokens) - 1
        for i, tok in enumerate(tokens):
            found |= self._token(tok)
            if i < last:
                found |= self.exact.get(tok + tokens[i + 1], set())
            elif len(tok) >= self._min_prefix:
                found |= self.prefix.get(tok, set())
        return found

    def _token(self, tok: str) -> frozenset[int]:
        hit = self._memo.get(tok)
        if hit is None:
            if len(self._memo) >= MEMO_LIMIT:
                self._memo.clear()
            hit = self._memo[tok] = frozenset(self._compute(tok))
        return hit

    def _compute(self, tok: str) -> set[int]:
        out = set(self.exact.get(tok, ()))
        if self._typo_word(tok):
            for word in self.by_initial.get(tok[0], ()):
                if abs(len(word) - len(tok)) <= max(1, min(len(word), len(tok)) // 5) and self._close(tok, word):
                    out |= self.exact[word]
        return out
