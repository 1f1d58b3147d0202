"""A document as plain blocks (headings, paragraphs, quotations, lists, tables), written as DOCX or HTML by
``docx_writer`` and ``html_writer``. Blocks hold text only: markup is the writers' business, so no text a user
typed can ever become markup."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Union


@dataclass(frozen=True)
class Styled:
    """Text in bold or italics."""

    text: str
    bold: bool = False
    italic: bool = False


@dataclass(frozen=True)
class Link:
    """Text with the address it comes from (only ``http(s)`` addresses become links)."""

    text: str
    url: str


Inline = Union[str, Styled, Link]


@dataclass(frozen=True)
class Heading:
    """A section heading."""

    text: str
    level: int = 1


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of inline parts."""

    parts: tuple[Inline, ...]
    kind: str = "body"
    """``body``, ``quote`` (a verbatim provision), ``note`` (small print) or ``emphasis`` (a box that stands out)."""


@dataclass(frozen=True)
class Bullets:
    """A bulleted list."""

    items: tuple[tuple[Inline, ...], ...]


@dataclass(frozen=True)
class Table:
    """A table with a header row."""

    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = "None."
    """What is written instead of a table without rows."""


Block = Union[Heading, Paragraph, Bullets, Table]


@dataclass
class Document:
    """A titled sequence of blocks, with the metadata both formats carry."""

    title: str
    author: str = ""
    subject: str = ""
    blocks: list[Block] = field(default_factory=list)

    def heading(self, text: str, level: int = 1) -> None:
        """Add a heading (level 1 is a section)."""
        self.blocks.append(Heading(text, level))

    def para(self, *parts: Inline, kind: str = "body") -> None:
        """Add a paragraph of inline parts."""
        self.blocks.append(Paragraph(tuple(parts), kind))

    def quote(self, text: str) -> None:
        """Add a verbatim provision."""
        self.blocks.append(Paragraph((text,), "quote"))

    def bullets(self, items: list[tuple[Inline, ...] | str]) -> None:
        """Add a bulleted list."""
        self.blocks.append(Bullets(tuple(i if isinstance(i, tuple) else (i,) for i in items)))

    def table(self, header: list[str], rows: list[list[str]], empty: str = "None.") -> None:
        """Add a table (``empty`` is written when it has no rows)."""
        self.blocks.append(Table(tuple(header), tuple(tuple(r) for r in rows), empty))

    def text(self) -> str:
        """Every text of the document, in order (what a reader sees, without formatting)."""
        out = [self.title]
        for block in self.blocks:
            if isinstance(block, Heading):
                out.append(block.text)
            elif isinstance(block, Paragraph):
                out.append(plain(block.parts))
            elif isinstance(block, Bullets):
                out.extend(plain(item) for item in block.items)
            else:
                out.extend(" | ".join(row) for row in (block.header, *block.rows))
        return "\n".join(out)


def plain(parts: tuple[Inline, ...]) -> str:
    """The text of inline parts (a link as its text and address)."""
    return "".join(p if isinstance(p, str) else p.text if isinstance(p, Styled) else f"{p.text} ({p.url})"
                   for p in parts)
