"""Audit jobs: an uploaded file audited in a background thread, its reports written (HTML, XLSX, CSV, JSON) into
the audits folder, the upload removed after; recent audits listed from that folder."""

from __future__ import annotations

import json
import logging
import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path

from checker.errors import InputError
from checker.model import FLAGGED, Finding
from checker.web.config import WebConfig
from checker.web.knowledge import register_waivers
from checker.web.upload import Upload

log = logging.getLogger("sanctuary-check.web")

REPORTS = (("html", "report.html"), ("json", "report.json"), ("xlsx", "report.xlsx"), ("csv", "report.csv"))
"""The formats written for each audit, in the order they are made, and their file names."""
DOWNLOADS = {"report.html": "text/html; charset=utf-8", "report.json": "application/json",
             "report.csv": "text/csv; charset=utf-8",
             "report.xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
LISTED = 200
"""Flagged rows listed on an audit's page with a button to record a determination (the report lists them all)."""
AUDIT_ID = re.compile(r"\d{8}T\d{6}-[0-9a-f]{8}")
RECENT = 20


@dataclass
class Job:
    """One audit: where it stands (``running``, ``done`` or ``failed``), rows read, and its message."""

    id: str
    filename: str
    rules: list[str] | None
    as_of: date
    state: str = "running"
    stage: str = "reading the file"
    rows: int = 0
    message: str = ""
    summary: str = ""
    note: str = ""
    started: str = field(default_factory=lambda: datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))
    flagged: list[dict] = field(default_factory=list)
    """The first ``LISTED`` flagged rows matched to the registry: row, vendor, verdict, the rule sets flagging it."""

    def as_dict(self) -> dict:
        """What the progress poll and ``meta.json`` carry."""
        return {"id": self.id, "filename": self.filename, "rules": self.rules, "as_of": self.as_of.isoformat(),
                "state": self.state, "stage": self.stage, "rows": self.rows, "message": self.message,
                "summary": self.summary, "note": self.note, "started": self.started,
                "flagged": self.flagged}


class Audits:
    """Runs each audit in a thread of its own, and finds past ones in the audits folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.jobs: dict[str, Job] = {}
        self.lock = threading.Lock()

    def start(self, upload: Upload, rules: list[str] | None, as_of: date, config: WebConfig) -> Job:
        """Start auditing an upload with the server's waivers, decisions and registry; the upload's folder is
        removed when the audit ends, whatever happens."""
        ident = f"{datetime.now(timezone.utc):%Y%m%dT%H%M%S}-{secrets.token_hex(4)}"
        job = Job(ident, Path((upload.filename or "upload").replace("\\", "/")).name, rules, as_of)
        with self.lock:
            self.jobs[ident] = job
        thread = threading.Thread(target=self._run, args=(job, upload, config), name=f"audit-{ident}", daemon=True)
        thread.start()
        return job

    def _run(self, job: Job, upload: Upload, config: WebConfig) -> None:
        out = self.folder / job.id
        try:
            out.mkdir(parents=True, exist_ok=True)
            self._audit(job, upload, out, config)
            job.state, job.stage = "done", "done"
        except InputError as exc:
            job.state = "failed"
            job.message = str(exc).replace(upload.path or "\0", job.filename)
            log.info("audit %s refused: %s", job.id, job.message)
        except Exception:
            job.state = "failed"
            job.message = "The audit stopped on an internal error (details are in the server's log)."
            log.exception("audit %s failed", job.id)
        finally:
            upload.remove()
            if out.is_dir():
                (out / "meta.json").write_text(json.dumps(job.as_dict(), ensure_ascii=False), encoding="utf-8")

    def _audit(self, job: Job, upload: Upload, out: Path, config: WebConfig) -> None:
        from checker.api import Checker
        from checker.formats import View, get
        from checker.formats.common import summary_paragraph
        from checker.formats.output import open_output

        assert upload.path is not None
        waivers = register_waivers(config.db, config.waivers, config.registry)
        job.note = waivers.note or ""
        checker = Checker(job.rules, as_of=job.as_of, waivers=waivers.waivers,  # type: ignore[arg-type]
                          decisions=config.decisions, registry_dir=config.registry)
        subject = f"Audit of {job.filename}"

        def told(rows: int) -> None:
            job.rows = rows

        def tap(findings: Iterator[Finding]) -> Iterator[Finding]:
            for f in findings:
                if f.flagged and f.match is not None and not f.person and len(job.flagged) < LISTED:
                    job.flagged.append({"row": f.record.row, "vendor": f.record.vendor, "verdict": f.verdict,
                                        "rule_sets": [r.rule_set for r in f.rules if r.outcome in FLAGGED]})
                yield f

        for i, (fmt, name) in enumerate(REPORTS):
            job.stage = "reading and judging the file" if i == 0 else f"writing the {fmt.upper()} report"
            run = checker.audit(upload.path, progress=told if i == 0 else None, spool_dir=str(out))
            run = replace(run, input_path=job.filename)  # the report names the file as uploaded
            if i == 0:  # the HTML report reads every finding from the stream
                run = replace(run, findings=tap(run.findings))
            form = get(fmt)
            with open_output(str(out / name), binary=form.binary) as stream:
                form.write(run, stream, View(subject=subject, spool_dir=str(out)))
            if i == 0:
                job.summary = summary_paragraph(run, subject)
                job.rows = run.summary.rows

    def get(self, ident: str) -> Job | None:
        """A job of this server, or a past audit read from its folder."""
        if not AUDIT_ID.fullmatch(ident):
            return None
        with self.lock:
            job = self.jobs.get(ident)
        if job is not None:
            return job
        meta = self.folder / ident / "meta.json"
        try:
            data = json.loads(meta.read_text(encoding="utf-8"))
            return Job(data["id"], data["filename"], data["rules"], date.fromisoformat(data["as_of"]),
                       data["state"], data["stage"], data["rows"], data["message"], data["summary"],
                       data.get("note", ""), data["started"], data.get("flagged", []))
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def recent(self) -> list[Job]:
        """The latest audits, newest first (running ones included)."""
        ids = set()
        if self.folder.is_dir():
            ids = {p.name for p in self.folder.iterdir() if AUDIT_ID.fullmatch(p.name)}
        with self.lock:
            ids |= set(self.jobs)
        jobs = [self.get(i) for i in sorted(ids, reverse=True)[:RECENT]]
        return [j for j in jobs if j is not None]

    def file(self, ident: str, name: str) -> Path | None:
        """A report of a finished audit (one of ``DOWNLOADS``), or None."""
        job = self.get(ident)
        if job is None or job.state != "done" or name not in DOWNLOADS:
            return None
        path = self.folder / ident / name
        return path if path.is_file() else None
