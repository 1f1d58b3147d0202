"""The comparison's formats, by name: each writes a ``Comparison`` to a text stream."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from checker.compare.diff import Comparison


def _table(cmp: Comparison, out: TextIO) -> None:
    from checker.compare.text import write_text

    write_text(cmp, out)


def _markdown(cmp: Comparison, out: TextIO) -> None:
    from checker.compare.text import write_text

    write_text(cmp, out, markdown=True)


def _html(cmp: Comparison, out: TextIO) -> None:
    from checker.compare.html_page import write_html

    write_html(cmp, out)


def _json(cmp: Comparison, out: TextIO) -> None:
    from checker.compare.json_doc import write_json

    write_json(cmp, out)


FORMATS: dict[str, Callable[[Comparison, TextIO], None]] = {  # names in the order --help lists them
    "table": _table, "markdown": _markdown, "html": _html, "json": _json}


def write(cmp: Comparison, fmt: str, out: TextIO) -> None:
    """Write ``cmp`` in the format named ``fmt`` (one of ``FORMATS``)."""
    FORMATS[fmt](cmp, out)
