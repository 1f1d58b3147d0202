"""Rows counted in bulk: per judgement, and their amounts per verdict (and cause), folded into the summary at
the end.

Only rows whose judgement is neither flagged nor a registry match are counted here (``Summary.add_unlisted``
and ``Dollars.add_unlisted`` count such rows by verdict, and a not_covered one by its cause). Rows are grouped
by their vendor cell; a group stands for one judgement.
"""

from __future__ import annotations

from collections import Counter
from itertools import compress, repeat
from operator import is_not

from checker.model import Judgement, Summary
from checker.sources.values import sum_amounts

GROUP_LIMIT = 65_536
"""Vendor cells whose group is remembered (forgotten all at once when full: it only saves time)."""


class Tally:
    """Counts of bulk rows by group, and their amounts by verdict."""

    def __init__(self, summary: Summary) -> None:
        self.summary = summary
        self.groups: dict[str, int] = {}  # vendor cell -> group
        self.not_grouped: set[str] = set()  # vendor cells whose rows are read one by one
        self.judgements: list[Judgement] = []  # by group
        self._by_identity: dict[int, int] = {}  # id() of a judgement (kept alive in ``judgements``) -> group
        self.rows: Counter[int] = Counter()
        self.amounts: dict[tuple[str, str | None], list[float]] = {}  # (verdict, cause) -> [read, total, unreadable]

    def make_room(self, cells: int) -> None:
        """Forget every vendor cell's group when ``cells`` more might pass ``GROUP_LIMIT`` (before a chunk's
        cells are looked up, so that none of them is forgotten while its chunk is counted)."""
        if len(self.groups) + len(self.not_grouped) + cells > GROUP_LIMIT:
            self.groups.clear()
            self.not_grouped.clear()

    def group(self, cell: str, judgement: Judgement | None) -> int | None:
        """Remember a vendor cell's group: its rows share ``judgement`` (None: its rows are read one by one)."""
        if judgement is None:
            self.not_grouped.add(cell)
            return None
        assert not judgement.flagged and not judgement.matched, "bulk rows count by verdict alone"
        group = self._by_identity.get(id(judgement))
        if group is None:
            group = self._by_identity[id(judgement)] = len(self.judgements)
            self.judgements.append(judgement)
        self.groups[cell] = group
        return group

    def add(self, groups: list[int | None], amounts: list[str] | None, decimal_comma: bool) -> float:
        """Count a chunk's rows by group (None: a row read one by one) and add their amount cells; their total."""
        counts = Counter(groups)
        counts.pop(None, None)
        self.rows.update(counts)
        if amounts is None or not counts:
            return 0.0
        chunk_total = 0.0
        kinds = {(self.judgements[g].verdict, self.judgements[g].cause) for g in counts}
        for kind in kinds:
            if len(kinds) == 1:  # the usual case
                cells = list(compress(amounts, map(is_not, groups, repeat(None))))
            else:
                cells = [a for a, g in zip(amounts, groups, strict=True)
                         if g is not None and (self.judgements[g].verdict, self.judgements[g].cause) == kind]
            read, total, unreadable = sum_amounts(cells, decimal_comma)
            chunk_total += total
            kept = self.amounts.setdefault(kind, [0, 0.0, 0])
            kept[0] += read
            kept[1] += total
            kept[2] += unreadable
        return chunk_total

    def close(self) -> None:
        """Add the counted rows and their amounts to the summary (once, at the end)."""
        for group, rows in self.rows.items():
            self.summary.add_unlisted(self.judgements[group], rows)
        for (verdict, cause), (read, total, unreadable) in self.amounts.items():
            self.summary.dollars.add_unlisted(verdict, int(read), total, int(unreadable), cause)
        self.rows.clear()
        self.amounts.clear()
