"""A format's render cache: how each judgement is rendered, made once and reused for every row that shares it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

from checker.model import Judgement

V = TypeVar("V")

LIMIT = 4_096
"""Renderings kept at once (all are forgotten when full: a large report has many distinct judgements)."""


class PerJudgement(Generic[V]):
    """``make(judgement)``, made the first time a judgement is asked for (rows share judgements by identity)."""

    __slots__ = ("make", "made")

    def __init__(self, make: Callable[[Judgement], V]) -> None:
        self.make = make
        self.made: dict[int, tuple[Judgement, V]] = {}  # by id(); the judgement is kept, so its id stays its own

    def __call__(self, judgement: Judgement) -> V:
        found = self.made.get(id(judgement))
        if found is None:
            if len(self.made) >= LIMIT:
                self.made.clear()
            found = self.made[id(judgement)] = (judgement, self.make(judgement))
        return found[1]
