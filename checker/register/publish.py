"""Write a document as its DOCX and print-ready HTML twins, atomically, and say what was written."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path

from checker.errors import InputError
from checker.formats.output import open_output
from checker.register.document import Document
from checker.register.docx_writer import docx_bytes
from checker.register.html_writer import html_text


def twin_paths(output: str) -> tuple[str, str]:
    """The DOCX and HTML paths of ``--output`` (either may be named; the other sits beside it)."""
    p = Path(output)
    suffix = p.suffix.lower()
    if suffix == ".docx":
        return output, str(p.with_suffix(".html"))
    if suffix in (".html", ".htm"):
        return str(p.with_suffix(".docx")), output
    raise InputError(output, "--output must end in .docx or .html (both are written, side by side)")


def write_document(doc: Document, output: str, inputs: Iterable[str] = ()) -> list[dict[str, str]]:
    """Write ``doc`` as DOCX and HTML at ``output`` and its twin; each file's path, format and SHA-256."""
    docx_path, html_path = twin_paths(output)
    written: list[dict[str, str]] = []
    for path, fmt, data in ((docx_path, "docx", docx_bytes(doc)), (html_path, "html",
                                                                     html_text(doc).encode("utf-8"))):
        with open_output(path, binary=True, inputs=list(inputs)) as out:
            out.write(data)  # type: ignore[arg-type]
        written.append({"path": path, "format": fmt, "sha256": hashlib.sha256(data).hexdigest()})
    return written
