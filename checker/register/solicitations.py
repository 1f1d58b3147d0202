"""Solicitation notice (BMC 13.105.030(B)): the text an RFP, bid or RFI includes, and the log of solicitations
that included it (with a check of the document itself, when it is DOCX, HTML or plain text)."""

from __future__ import annotations

import hashlib
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from checker.errors import InputError, open_input
from checker.knowledge.rulesets import RuleSet
from checker.register import texts
from checker.register.declarations import file_sha256
from checker.register.procedures import procedure_of
from checker.register.store import Change, Register

MAX_DOCUMENT_BYTES = 50 * 1024 * 1024
"""Largest solicitation document whose text is checked for the notice."""


def prohibition(rs: RuleSet) -> tuple[str, str, str, str]:
    """The contracting prohibition's citation, text, kind of text (verified quotation, paraphrase…) and URL."""
    rule = rs.rule_for("contracting")
    if rule is None:
        raise InputError("--rules", f"{rs.id} has no contracting prohibition")
    text = " ".join((rule.text or rule.message).split())
    return rule.clause, text, rule.kind if rule.text else "paraphrase", rule.source_url


def solicitation_text(rs: RuleSet) -> str:
    """The notice to include in a solicitation: the prohibition's text, the waiver factors and how vendors are
    identified, each with its citation."""
    proc = procedure_of(rs)
    citation, text, kind, url = prohibition(rs)
    c = rs.raw["citation"]
    required = proc.solicitation.citation if proc.solicitation else None
    lines = [f"NOTICE OF PROHIBITION: {rs.title.upper()}",
             f"({c['code']}; {c['ordinance']}."
             + (f" This notice is given as {required} requires.)" if required else ")"), ""]
    quoted = kind == "verified_quotation"
    lines.append(f"{citation}: " + (f"\u201c{text}\u201d" if quoted else f"(paraphrase) {text}"))
    waiver = rs.raw.get("waiver", {})
    if waiver.get("factors") and waiver.get("kind") == "verified_quotation" and waiver.get("available", True):
        factors = "; ".join(f"({i}) {f}" for i, f in enumerate(waiver["factors"], start=1))
        lines += ["", f"A waiver takes into consideration: {factors}. "
                      f"The {waiver.get('requested_by', 'City Manager')} files a waiver request; the "
                      f"{waiver.get('decided_by', 'City Council')} decides."]
    if proc.determination is not None:
        lines += ["", f"The City identifies a Person or Entity that provides ICE with these services from federal "
                      f"contracting data and a declaration under penalty of perjury ({proc.determination.citation})."]
    if proc.appeal is not None:
        lines.append(f"A Person or Entity so identified is notified and may appeal to the {proc.appeal_to} within "
                     f"{proc.appeal_days} business days of notification ({proc.appeal.citation}).")
    if not proc.known or not rs.text_verified:
        lines += ["", f"Caution: {rs.id}: {rs.text_note or 'the notice requirement was not verified'} Confirm this "
                      "notice against the adopted ordinance."]
    lines += ["", f"Text of the ordinance: {url}"]
    return "\n".join(lines) + "\n"


def _normal(text: str) -> str:
    text = text.replace("\u201c", '"').replace("\u201d", '"').replace("\u2019", "'")
    return " ".join(re.sub(r"\s+", " ", text).split()).casefold()


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def document_text(path: str) -> str | None:
    """The text of a DOCX, HTML or plain-text document (None for other kinds: not checked)."""
    suffix = Path(path).suffix.lower()
    if suffix not in (".docx", ".html", ".htm", ".txt", ".md"):
        return None
    with open_input(path, "a document", "rb") as fh:
        raw = fh.read(MAX_DOCUMENT_BYTES + 1)
    if len(raw) > MAX_DOCUMENT_BYTES:
        return None
    if suffix == ".docx":
        import io
        import zipfile

        from docx import Document as read_docx

        try:
            doc = read_docx(io.BytesIO(raw))
        except (zipfile.BadZipFile, KeyError, ValueError):
            raise InputError(path, "is not a readable DOCX file") from None
        cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
        return "\n".join([p.text for p in doc.paragraphs] + cells)
    text = raw.decode("utf-8", errors="replace")
    if suffix in (".html", ".htm"):
        parser = _Text()
        parser.feed(text)
        return " ".join(parser.parts)
    return text


def log(reg: Register, change: Change, *, reference: str, rs: RuleSet, issued_on: date, title: str | None = None,
        document: str | None = None) -> tuple[int, bool | None]:
    """Record that a solicitation included the notice; its id and whether the notice was found in the document
    (None: no document, or one whose text is not read)."""
    notice = solicitation_text(rs)
    found: bool | None = None
    if document is not None:
        body = document_text(document)
        if body is not None:
            found = _normal(prohibition(rs)[1]) in _normal(body)
    values = {"reference": texts.short(reference, "--logged"), "title": texts.short(title, "--title", required=False),
              "rule_set": rs.id, "issued_on": issued_on.isoformat(),
              "notice_sha256": hashlib.sha256(notice.encode("utf-8")).hexdigest(),
              "document_name": Path(document).name if document else None,
              "document_sha256": file_sha256(document) if document else None,
              "notice_found": None if found is None else int(found)}
    with reg.change(change) as w:
        return w.insert("solicitations", values, "logged"), found
