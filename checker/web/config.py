"""What a running web application is told: the register file, where reports and documents are kept, limits."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

MAX_UPLOAD_MB = 100
"""The default largest upload, in megabytes (a year of a large city's payments as CSV is a few tens of MB)."""

LOCAL_HOSTS = ("127.0.0.1", "localhost", "::1", "[::1]")


@dataclass(frozen=True)
class WebConfig:
    """The settings of one server."""

    db: str
    """The compliance register (SQLite), made by the first change recorded."""
    files: Path = field(default_factory=lambda: Path("sanctuary-files"))
    """Where audit reports (``audits/``) and register documents (``documents/``) are kept."""
    max_upload: int = MAX_UPLOAD_MB * 1024 * 1024
    """The largest upload accepted, in bytes; a larger one is refused with a page saying so."""
    upload_dir: str | None = None
    """Where an upload is streamed before its audit (default: the system's temporary folder); removed after."""
    rules: tuple[str, ...] | None = None
    """The rule sets ticked by default (ids or paths; the project file's ``rules``); None: every enacted one."""
    waivers: str | None = None
    """A waivers file applied to screens and audits, with the register's granted waivers."""
    decisions: str | None = None
    """A file of recorded match decisions applied to screens and audits."""
    registry: str | None = None
    """A registry folder (default: the bundled registry)."""
    allowed_hosts: tuple[str, ...] = LOCAL_HOSTS
    """Host names a request may be addressed to (a page of another site made to resolve to this computer, DNS
    rebinding, names its own host and is refused); ``("*",)`` when serving the whole network."""

    @property
    def audits(self) -> Path:
        """The folder of audit reports, one sub-folder an audit."""
        return self.files / "audits"

    @property
    def documents(self) -> Path:
        """The folder of notices and annual reports written from the register."""
        return self.files / "documents"
