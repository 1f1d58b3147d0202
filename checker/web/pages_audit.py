"""The Audit page: upload a CSV, XLSX or JSON Lines file, follow its progress, read the HTML report and download
the others; recent audits listed."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from checker.errors import InputError
from checker.formats.html_format import CSP as REPORT_CSP
from checker.web import security
from checker.web.audits import DOWNLOADS, LISTED, Job
from checker.web.knowledge import as_of_day, chosen_rules, rule_choices
from checker.web.render import page
from checker.web.upload import receive_upload

SUFFIXES = (".csv", ".txt", ".tsv", ".xlsx", ".xlsm", ".jsonl", ".ndjson")
"""What the page accepts (Parquet needs an optional extra: use the command line)."""


async def audit_page(request: Request) -> Response:
    """The upload form and the recent audits."""
    config = request.app.state.config
    choices = rule_choices(config.rules)
    return page(request, "audit.html", "audit", choices=choices, ticked={c.id for c in choices if c.default},
                recent=request.app.state.audits.recent(), limit_mb=f"{config.max_upload / 1024 / 1024:g}",
                accept=",".join(SUFFIXES))


async def start_audit(request: Request) -> Response:
    """Receive the upload (streamed, size-limited), check the token, start the audit and go to its page."""
    config = request.app.state.config
    upload = await receive_upload(request, config.max_upload, config.upload_dir)
    try:
        security.check(request, upload.fields.get(security.FIELD))
        name = (upload.filename or "").lower()
        if not name.endswith(SUFFIXES):
            raise InputError(upload.filename or "the file", "is not a CSV, .xlsx or .jsonl file (Parquet: use the "
                                                              "command line, `sanctuary-check audit`)")
        ticked = upload.lists.get("rules", [])
        rules = chosen_rules(ticked, config.rules)
        as_of = as_of_day(upload.fields.get("as_of"))
    except Exception:
        upload.remove()
        raise
    job = request.app.state.audits.start(upload, rules, as_of, config)
    return RedirectResponse(f"/audit/{job.id}", status_code=303)


def _job(request: Request) -> Job:
    job = request.app.state.audits.get(request.path_params["ident"])
    if job is None:
        raise HTTPException(404)
    return job


async def audit_result(request: Request) -> Response:
    """A running audit's progress, a failed one's message, or the report with its downloads."""
    job = _job(request)
    return page(request, "audit_result.html", "audit", job=job, downloads=list(DOWNLOADS), listed=LISTED,
                status=200 if job.state != "failed" else 422)


async def audit_status(request: Request) -> Response:
    """The progress of an audit, for the page's poll."""
    return JSONResponse(_job(request).as_dict())


async def audit_file(request: Request) -> Response:
    """A report of a finished audit: the HTML one shown (in its own strict policy), the others downloaded."""
    job = _job(request)
    name = request.path_params["name"]
    path = request.app.state.audits.file(job.id, name)
    if path is None:
        raise HTTPException(404)
    stem = "".join(c if c.isalnum() or c in "-_" else "_" for c in job.filename.rsplit(".", 1)[0])[:60] or "audit"
    if name == "report.html" and "download" not in request.query_params:
        return FileResponse(path, media_type=DOWNLOADS[name], headers={
            "content-security-policy": f"{REPORT_CSP}; frame-ancestors 'self'", "x-frame-options": "SAMEORIGIN"})
    return FileResponse(path, media_type=DOWNLOADS[name], filename=f"{stem}-audit.{name.rsplit('.', 1)[1]}")


routes = [Route("/audit", audit_page, methods=["GET"]), Route("/audit", start_audit, methods=["POST"]),
          Route("/audit/{ident}", audit_result), Route("/audit/{ident}/status", audit_status),
          Route("/audit/{ident}/{name}", audit_file)]
