"""Bounded memos: remembered answers of pure functions (they only save time)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

_MISSING = object()


class Memo(Generic[K, V]):
    """``compute(key)``, remembered: the keys asked for since the last ``limit`` new ones, at least.

    Two generations: when the newer fills up it becomes the older and the older is forgotten; a key found in
    the older moves to the newer. Keys asked for often stay; one-off keys are forgotten without a cost per use.
    """

    __slots__ = ("newer", "older", "compute", "limit")

    def __init__(self, compute: Callable[[K], V], limit: int = 65_536) -> None:
        self.newer: dict[K, V] = {}
        self.older: dict[K, V] = {}
        self.compute = compute
        self.limit = limit

    def __call__(self, key: K) -> V:
        value = self.newer.get(key, _MISSING)  # not try/except: most keys of a large file are asked for once
        if value is not _MISSING:
            return value  # type: ignore[return-value]
        value = self.older.get(key, _MISSING)
        if value is _MISSING:
            value = self.compute(key)
        if len(self.newer) >= self.limit:
            self.older = self.newer
            self.newer = {}
        self.newer[key] = value  # type: ignore[assignment]
        return value  # type: ignore[return-value]

    def knows(self, key: K) -> bool:
        """True when ``key``'s answer is remembered."""
        return key in self.newer or key in self.older
