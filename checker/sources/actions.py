"""Contract-action cells: a city's words for what a row did to a contract, read as one of ``ACTIONS``.

Cells are compared case-blind, with ``_`` and ``-`` read as spaces. The built-in words are the actions' own
names and their nouns ("renewal", "amendment", "extension", "purchase order"); a city adds its own terms
(``PO``, ``change order``, ``task order``) with a mapping. A value that is none of these is kept as written,
normalised: it is judged "action not recognised", for review, and counted in the summary.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from checker.errors import InputError
from checker.model import ACTIONS

NOUNS = {"renewal": "renewed", "amendment": "amended", "extension": "extended", "purchase order": "purchase_order",
         "new contract": "new", "existing contract": "existing"}
"""Words every city uses for an action, besides the actions' own names."""


def action_key(cell: str) -> str:
    """A cell as compared: lower case, ``_`` and ``-`` as spaces, spaces collapsed (empty for a blank cell)."""
    return " ".join(cell.lower().replace("_", " ").replace("-", " ").split())


class ActionReader:
    """Reads a contract-action cell: one of ``ACTIONS``, the cell's own normalised words when it is none of them,
    or None when it is blank."""

    def __init__(self, mapping: Mapping[str, str] | None = None) -> None:
        self.mapping = dict(mapping or {})
        self.terms = {action_key(a): a for a in ACTIONS} | NOUNS | {action_key(k): v for k, v in self.mapping.items()}

    def __call__(self, cell: str) -> str | None:
        key = action_key(cell)
        return self.terms.get(key, key) if key else None

    def __reduce__(self):  # a worker process gets the same reader
        return ActionReader, (self.mapping,)


def parse_action_pairs(pairs: Iterable[str], source: str = "--map-action") -> dict[str, str]:
    """``VALUE=ACTION`` pairs as a mapping; a pair without ``=``, or an ACTION none of ``ACTIONS``, is refused."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        value, sep, action = pair.rpartition("=")
        if not sep or not action_key(value):
            raise InputError(source, f"{pair!r} is not VALUE=ACTION (e.g. \"PO=purchase_order\")")
        mapping[value.strip()] = checked_action(action, source, value)
    return mapping


def checked_action(action: str, source: str, value: str) -> str:
    """``action`` as one of ``ACTIONS`` (its own words accepted), or a clear error naming ``value``."""
    key = action_key(action)
    canonical = {action_key(a): a for a in ACTIONS} | NOUNS
    if key not in canonical:
        raise InputError(source, f"{value!r} is mapped to {action.strip()!r}, which is none of {', '.join(ACTIONS)}")
    return canonical[key]
