"""The compliance register: the ordinance's paperwork in one SQLite file.

Determinations with their evidence frozen, notices and appeal deadlines counted in business days, appeals and
their decisions, vendor declarations weighed against registry evidence, waivers with the Council's findings and
scope, solicitations that included the notice, complaints, the annual report and a calendar of what is due.
Every change is a row of an append-only history saying who, when and why; nothing is deleted, only superseded.

This package sits above ``checker.formats`` and ``checker.api`` and below ``checker.cli``; nothing below it
imports it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from checker.knowledge.waivers import Waiver

DEFAULT_PATH = "sanctuary-register.sqlite"
"""The register a command uses without ``--db``, in the current folder."""


def waivers_for_audit(db_path: str) -> list[Waiver]:
    """The register's granted waivers as ``checker.knowledge.waivers.Waiver`` objects, for ``Checker(waivers=…)``."""
    from checker.register.waivers import waivers_for_audit as granted_waivers

    return granted_waivers(db_path)


__all__ = ["DEFAULT_PATH", "waivers_for_audit"]
