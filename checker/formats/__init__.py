"""Output formats: each renders a ``Run`` (a screen, an audit or a holdings screen) to a stream.

A format is an object with a ``name``, the ``kinds`` of run it renders, whether it writes ``binary``
output, and ``write(run, out, view)``. Formats are found by name (``get``) and imported only when used.
To add one: a module with the object, and a line in ``FORMATS``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from checker.api import Run
    from checker.model import Finding

FORMATS = {
    "table": "checker.formats.table:TABLE",
    "markdown": "checker.formats.table:MARKDOWN",
    "csv": "checker.formats.csv_format:CSV",
    "json": "checker.formats.json_format:JSON",
    "xlsx": "checker.formats.xlsx_format:XLSX",
    "html": "checker.formats.html_format:HTML",
}
"""Every format by name: where its object is (module:attribute)."""

KINDS = {
    "screen": ("table", "json", "markdown"),
    "audit": ("table", "markdown", "csv", "json", "xlsx", "html"),
    "holdings": ("table", "markdown", "json"),
}
"""The formats each kind of run can be written in, in the order help lists them."""


@dataclass(frozen=True)
class View:
    """What a reader asked to see: only flagged rows (or those and every registry match), individuals named, and
    what the report is about."""

    only_flagged: bool = False
    show_individuals: bool = False
    subject: str = "Audit"
    spool_dir: str | None = None  # where a format may keep temporary files (the output's own folder)
    only_matched: bool = False
    columns: tuple[str, ...] | None = None
    """The input's own columns a listing repeats beside the tool's (None: all of them, in the file's order)."""

    @property
    def filtered(self) -> bool:
        """True when some rows are left out of the listing (they are still counted)."""
        return self.only_flagged or self.only_matched

    def listed(self, f: Finding) -> bool:
        """Whether a finding is listed: every one, or only flagged ones, or those and every registry match."""
        if self.only_matched:
            return f.flagged or f.judgement.matched
        return f.flagged or not self.only_flagged


class Format(Protocol):
    """One output format."""

    name: str
    binary: bool
    needs_file: bool  # it cannot be written to a terminal (a workbook)

    def write(self, run: Run, out: Any, view: View) -> None:
        """Render the run to ``out`` (a text stream, or a binary one when ``binary``)."""
        ...  # pragma: no cover


def get(name: str) -> Format:
    """The format called ``name``."""
    module, _, attribute = FORMATS[name].partition(":")
    return getattr(importlib.import_module(module), attribute)
