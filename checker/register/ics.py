"""Deadlines as an iCalendar file (RFC 5545): one all-day event each, text escaped, long lines folded."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta

from checker.register.deadlines import Due
from checker.register.store import now_utc

PRODID = "-//sanctuary-check//compliance register//EN"
FOLD_OCTETS = 75


def escape_text(text: str) -> str:
    """A TEXT value: backslash, semicolon, comma and line breaks escaped; other control characters dropped."""
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\n")
    text = text.replace("\n", "\\n")
    return "".join(c for c in text if c == "\t" or ord(c) >= 0x20 and ord(c) != 0x7F)


def fold(line: str) -> str:
    """A content line folded at 75 octets (never inside a UTF-8 character), continuation lines led by a space."""
    out: list[str] = []
    current, size = "", 0
    for c in line:
        n = len(c.encode("utf-8"))
        limit = FOLD_OCTETS if not out else FOLD_OCTETS - 1
        if size + n > limit:
            out.append(current)
            current, size = "", 0
        current += c
        size += n
    out.append(current)
    return "\r\n ".join(out)


def calendar_bytes(items: Iterable[Due], domain: str = "sanctuary-check.invalid") -> bytes:
    """The deadlines as an ``.ics`` file's bytes."""
    stamp = now_utc().replace("-", "").replace(":", "")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", f"PRODID:{PRODID}", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
             "X-WR-CALNAME:Sanctuary contracting deadlines"]
    for d in items:
        lines += ["BEGIN:VEVENT", f"UID:{escape_text(d.uid)}@{domain}", f"DTSTAMP:{stamp}",
                  f"DTSTART;VALUE=DATE:{d.day:%Y%m%d}", f"DTEND;VALUE=DATE:{d.day + timedelta(days=1):%Y%m%d}",
                  f"SUMMARY:{escape_text(f'{d.kind}: {d.subject}')}", f"DESCRIPTION:{escape_text(d.detail)}",
                  "TRANSP:TRANSPARENT", "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode("utf-8")
