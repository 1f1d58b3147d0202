"""A ``Document`` as DOCX (python-docx). Text goes in as text nodes, which python-docx escapes; characters XML
cannot hold (control characters) are written as visible escapes first."""

from __future__ import annotations

import io
from typing import Any

from checker.errors import printable
from checker.register.document import Bullets, Document, Heading, Inline, Link, Paragraph, Styled

QUOTE_INDENT_CM = 1.0


def xml_safe(text: str) -> str:
    """``text`` with characters XML 1.0 cannot hold written as visible escapes (``\\x1b``); tabs and line
    breaks kept."""
    text = printable(text)
    return "".join(c if c not in "\ufffe\uffff" and not 0xD800 <= ord(c) <= 0xDFFF else f"\\u{ord(c):04x}"
                   for c in text)


def docx_bytes(doc: Document) -> bytes:
    """The document as the bytes of a DOCX file."""
    from docx import Document as new_docx
    from docx.shared import Cm, Pt

    out = new_docx()
    props = out.core_properties
    props.title = xml_safe(doc.title)[:255]
    props.author = xml_safe(doc.author)[:255]
    props.subject = xml_safe(doc.subject)[:255]
    props.comments = "Written by sanctuary-check. Not legal advice."
    out.styles["Normal"].font.name = "Georgia"
    out.styles["Normal"].font.size = Pt(11)
    out.add_heading(xml_safe(doc.title), level=0)
    for block in doc.blocks:
        if isinstance(block, Heading):
            out.add_heading(xml_safe(block.text), level=min(max(block.level, 1), 4))
        elif isinstance(block, Paragraph):
            para = out.add_paragraph(style="Quote" if block.kind == "quote" else None)
            if block.kind == "quote":
                para.paragraph_format.left_indent = Cm(QUOTE_INDENT_CM)
            _runs(para, block.parts, small=block.kind == "note", bold=block.kind == "emphasis")
        elif isinstance(block, Bullets):
            for item in block.items:
                _runs(out.add_paragraph(style="List Bullet"), item)
        elif not block.rows:
            _runs(out.add_paragraph(), (Styled(block.empty, italic=True),))
        else:
            _table(out, block.header, block.rows)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()


def _runs(para: Any, parts: tuple[Inline, ...], small: bool = False, bold: bool = False) -> None:
    from docx.shared import Pt

    for part in parts:
        if isinstance(part, Link):
            run = para.add_run(xml_safe(part.text))
            para.add_run(xml_safe(f" ({part.url})")).font.size = Pt(9)
        elif isinstance(part, Styled):
            run = para.add_run(xml_safe(part.text))
            run.bold = part.bold or bold or None
            run.italic = part.italic or None
        else:
            run = para.add_run(xml_safe(part))
            run.bold = bold or None
        if small:
            run.font.size = Pt(9)


def _table(out: Any, header: tuple[str, ...], rows: tuple[tuple[str, ...], ...]) -> None:
    from docx.shared import Pt

    table = out.add_table(rows=1 + len(rows), cols=len(header))
    table.style = "Table Grid"
    for r, values in enumerate((header, *rows)):
        cells = table.rows[r].cells
        for c, value in enumerate(values):
            cells[c].text = ""
            run = cells[c].paragraphs[0].add_run(xml_safe(value))
            run.font.size = Pt(9)
            run.bold = r == 0 or None
