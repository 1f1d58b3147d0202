"""A conservative prefilter: which registry names a query could score against, and an upper bound on that score.

The scorer gives 0 to a registry name with distinctive words when none of them pairs with a query word
(by the rules of ``pairing``). ``HitIndex`` answers which of a query's candidate registry names such a
pairing is *possible* for, so the scorer can skip the rest without changing any score; it over-approximates
on purpose (it ignores word order and which words are already paired). ``ceiling`` bounds a score from the
words that could pair at all.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from checker.match.pairing import MIN_TRUNCATION, TargetWords, close, typo_word
from checker.match.score import EXTRA_QUERY_PENALTY
from checker.match.words import distinctive, token_weight


class HitIndex:
    """For each query word, the registry names whose distinctive words it could pair with."""

    def __init__(self, targets: Iterable[tuple[int, tuple[str, ...]]]) -> None:
        self.exact: dict[str, set[int]] = defaultdict(set)     # a distinctive word, or two words joined
        self.prefix: dict[str, set[int]] = defaultdict(set)    # a prefix of a distinctive word (truncation)
        self.typo: dict[int, dict[str, tuple[str, ...]]] = {}  # per name: its distinctive typo words by initial
        self.always: set[int] = set()                          # names with no distinctive word: always scored
        for idx, tokens in targets:
            words = [t for t in tokens if distinctive(t)]
            if not words:
                self.always.add(idx)
                continue
            by_initial: dict[str, list[str]] = {}
            for tok in words:
                self.exact[tok].add(idx)
                for size in range(MIN_TRUNCATION, len(tok) + 1):
                    self.prefix[tok[:size]].add(idx)
                if typo_word(tok):
                    by_initial.setdefault(tok[0], []).append(tok)
            if by_initial:
                self.typo[idx] = {k: tuple(dict.fromkeys(v)) for k, v in by_initial.items()}
            for a, b in zip(tokens, tokens[1:], strict=False):
                if distinctive(a + b):
                    self.exact[a + b].add(idx)

    def plausible(self, tokens: tuple[str, ...], candidates: set[int]) -> set[int]:
        """The candidates (by index) a query could give a distinctive pairing, and those with no distinctive word.

        Only the last query word can be an ERP truncation, so only it is looked up as a prefix; a typo is
        checked against the distinctive words of the candidates no other rule reached.
        """
        keep = candidates & self.always
        last = len(tokens) - 1
        exact, prefix = self.exact, self.prefix
        for i, tok in enumerate(tokens):
            hit = exact.get(tok)
            if hit:
                keep |= candidates & hit
            if i < last:
                hit = exact.get(tok + tokens[i + 1])
            elif len(tok) >= MIN_TRUNCATION:
                hit = prefix.get(tok)
            else:
                hit = None
            if hit:
                keep |= candidates & hit
        rest = candidates - keep
        if rest:
            words = [tok for tok in tokens if typo_word(tok)]
            if words:
                typo = self.typo
                keep.update(idx for idx in rest if idx in typo and any(
                    close(tok, word) for tok in words for word in typo[idx].get(tok[0], ())))
        return keep


def ceiling(q: tuple[str, ...], target: TargetWords, family_tokens: frozenset[str]) -> float:
    """An upper bound on ``score.score`` (when the compact forms differ), cheap enough to skip hopeless targets.

    Each query word pairs at most once and earns at most 1; a query word that can pair with nothing
    costs at least ``EXTRA_QUERY_PENALTY`` of its weight. The scores that can rise, a registry name followed
    by a division's words and a query that begins with the name's brand word, are never bounded.
    """
    t = target.tokens
    n = len(t)
    if (len(q) > n and q[:n] == t) or (target.brand is not None and target.begins(q)):
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
