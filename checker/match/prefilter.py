"""A conservative prefilter: which registry names a query could score against, and an upper bound on that score.

The scorer gives 0 to a registry name with distinctive words when none of them pairs with a query word
(by the rules of ``pairing``). ``HitIndex`` answers, per query word, the registry names such a pairing
is *possible* for, so the scorer can skip the rest without changing any score; it over-approximates on
purpose (it ignores word order and which words are already paired). ``ceiling`` bounds a score from the
words that could pair at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from checker.match.pairing import MIN_TRUNCATION, TargetWords, close_words, typo_word
from checker.match.score import EXTRA_QUERY_PENALTY
from checker.match.words import distinctive, token_weight


class HitIndex:
    """For each query word, the registry names whose distinctive words it could pair with."""

    def __init__(self, targets: Iterable[tuple[int, tuple[str, ...]]]) -> None:
        self.exact: dict[str, set[int]] = defaultdict(set)     # a distinctive word, or two words joined
        self.prefix: dict[str, set[int]] = defaultdict(set)    # a prefix of a distinctive word (truncation)
        typo: dict[tuple[str, int], list[str]] = defaultdict(list)  # typo words by first letter and length
        self.always: set[int] = set()                          # names with no distinctive word: always scored
        for idx, tokens in targets:
            words = [t for t in tokens if distinctive(t)]
            if not words:
                self.always.add(idx)
                continue
            for tok in words:
                self.exact[tok].add(idx)
                for size in range(MIN_TRUNCATION, len(tok) + 1):
                    self.prefix[tok[:size]].add(idx)
                if typo_word(tok) and tok not in typo[tok[0], len(tok)]:
                    typo[tok[0], len(tok)].append(tok)
            for a, b in zip(tokens, tokens[1:], strict=False):
                if distinctive(a + b):
                    self.exact[a + b].add(idx)
        self.typo: dict[str, list[tuple[int, list[str]]]] = defaultdict(list)  # by first letter: (length, words)
        for (initial, length), words_of in sorted(typo.items()):
            self.typo[initial].append((length, words_of))

    def possible(self, tokens: tuple[str, ...]) -> set[int]:
        """Registry names (by index) that could get a distinctive pairing from these query tokens.

        Only the last query token can be an ERP truncation, so only it is looked up as a prefix.
        """
        found: set[int] = set(self.always)
        last = len(tokens) - 1
        exact, prefix = self.exact, self.prefix
        for i, tok in enumerate(tokens):
            hit = exact.get(tok)
            if hit:
                found |= hit
            if typo_word(tok):
                reach = max(1, len(tok) // 5)  # no word of a length further off is close
                for length, words in self.typo.get(tok[0], ()):
                    if length > len(tok) + reach:
                        break
                    if length >= len(tok) - reach:
                        for word in close_words(tok, words, length):
                            found |= exact[word]
            if i < last:
                hit = exact.get(tok + tokens[i + 1])
                if hit:
                    found |= hit
            elif len(tok) >= MIN_TRUNCATION:
                hit = prefix.get(tok)
                if hit:
                    found |= hit
        return found


def ceiling(q: tuple[str, ...], target: TargetWords, family_tokens: frozenset[str]) -> float:
    """An upper bound on ``score.score`` (when the compact forms differ), cheap enough to skip hopeless targets.

    Each query word pairs at most once and earns at most 1; a query word that can pair with nothing
    costs at least ``EXTRA_QUERY_PENALTY`` of its weight. The one score that can rise, a registry name
    followed by a division's words, is never bounded.
    """
    t = target.tokens
    n = len(t)
    if len(q) > n and q[:n] == t:
        return 1.0
    pairable = 0
    extra = 0.0
    for i, tok in enumerate(q):
        if target.may_pair(q, i, family_tokens):
            pairable += 1
        else:
            extra += token_weight(tok)
    if not pairable:
        return 0.0
    return pairable / (pairable + EXTRA_QUERY_PENALTY * extra)
