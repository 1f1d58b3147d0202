"""The Register pages: determinations (with notices, appeals, waivers and declarations, each with its history),
the deadline list, complaints, and the annual report; every form records through ``checker.register`` with who
and why, as the ``register`` commands do."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import FileResponse, RedirectResponse, Response
from starlette.routing import Route

from checker.errors import InputError
from checker.register import texts
from checker.web.knowledge import rule_choices
from checker.web.render import message, page, posted, posted_list

DONE = {"determined": "The determination was recorded, its evidence frozen.",
        "notified": "The notice was written and the notification recorded.", "appeal": "The appeal was recorded.",
        "heard": "The hearing was recorded.", "decided": "The decision on the appeal was recorded.",
        "withdrawn": "The determination was withdrawn (it stays in the register).",
        "waiver": "The waiver request was recorded.", "waiver-decided": "The Council's decision was recorded.",
        "complaint": "The complaint was recorded.", "declared": "The declaration was recorded and weighed against "
        "the registry's evidence (its document was hashed, not kept).", "note": "The note was added.",
        "closed": "The complaint was closed.", "report": "The annual report was written."}
"""What a page says after a change (fixed texts: nothing a user typed is reflected from the address)."""
DOCUMENT = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.(docx|html)")
T = TypeVar("T")
MEDIA = {"docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
         "html": "text/html; charset=utf-8"}


def _db(request: Request) -> str:
    return request.app.state.config.db


def _change(form: dict[str, str]) -> Any:
    from checker.register.store import Change

    return Change(texts.short(form.get("by"), "By (your name)") or "", texts.text(form.get("why"), "Why") or "")


def _on(form: dict[str, str], key: str = "on", label: str = "Date") -> date:
    return texts.day(form.get(key) or None, label, default=date.today())


def _optional(form: dict[str, str], key: str) -> str | None:
    value = form.get(key, "").strip()
    return value or None


def _id(request: Request, key: str = "ident") -> int:
    try:
        return int(request.path_params[key])
    except ValueError:
        raise HTTPException(404) from None


def _done(path: str, what: str) -> RedirectResponse:
    return RedirectResponse(f"{path}?done={what}", status_code=303)


def _readable(request: Request) -> Any:
    from checker.register.store import open_register

    return open_register(_db(request), create=False)


def _writable(request: Request, form: dict[str, str]) -> Any:
    from checker.register.store import open_register

    return open_register(_db(request), by=form.get("by") or None)


async def _write(request: Request, form: dict[str, str], action: Callable[[Any], T]) -> T:
    """``action(register)`` on the register opened for writing, in a worker thread (SQLite blocks)."""
    def work() -> T:
        with _writable(request, form) as reg:
            return action(reg)

    return await run_in_threadpool(work)


# -- the overview --------------------------------------------------------------------------------------------
def _overview(db: str, as_of: date, documents: Path) -> dict[str, Any]:
    from checker.register.deadlines import upcoming
    from checker.register.declarations import weighed_declarations
    from checker.register.notices import window_of
    from checker.register.store import open_register
    from checker.register.waivers import scope_text

    with open_register(db, create=False) as reg:
        dets = []
        for d in reg.rows("SELECT * FROM determinations ORDER BY id DESC"):
            found = window_of(reg, d)
            dets.append({"row": d, "deadline": found[1].last_day.isoformat() if found and found[1].last_day else
                         ("not notified" if found is None else "no period recorded")})
        complaints = [{"row": c, "notes": reg.rows("SELECT * FROM complaint_notes WHERE complaint_id = ? ORDER BY id",
                                                   (c["id"],))}
                      for c in reg.rows("SELECT * FROM complaints ORDER BY id DESC")]
        return {"determinations": dets, "due": upcoming(reg, as_of),
                "waivers": [{"row": w, "scope": scope_text(w)}
                            for w in reg.rows("SELECT * FROM waivers ORDER BY id DESC")],
                "declarations": weighed_declarations(reg), "complaints": complaints,
                "solicitations": reg.rows("SELECT * FROM solicitations ORDER BY id DESC"),
                "changes": reg.row("SELECT count(*) AS n FROM history")["n"],
                "documents": sorted((p.name for p in documents.glob("annual-report-*.docx")), reverse=True)
                if documents.is_dir() else []}


async def register_page(request: Request) -> Response:
    """Everything in the register, soonest deadlines first; forms for a complaint and the annual report."""
    from checker.api import rule_sets

    config = request.app.state.config
    as_of = texts.day(request.query_params.get("as_of") or None, "as of", default=date.today())
    data = None
    if Path(config.db).is_file():
        data = await run_in_threadpool(_overview, config.db, as_of, config.documents)
    audits = [j for j in request.app.state.audits.recent() if j.state == "done"]
    return page(request, "register.html", "register", data=data, db=config.db, as_of=as_of.isoformat(),
                done=DONE.get(request.query_params.get("done", "")), rule_sets=[rs.id for rs in rule_sets()],
                audits=audits, year=date.today().year if date.today().month < 11 else date.today().year + 1,
                report=request.query_params.get("file") if DOCUMENT.fullmatch(request.query_params.get("file", ""))
                else None)


# -- determinations ------------------------------------------------------------------------------------------
async def determine_form(request: Request) -> Response:
    """The form to record a determination, filled from a screen or an audit row."""
    q = request.query_params
    return page(request, "determine.html", "register", vendor=q.get("vendor", ""), rules=q.get("rules", ""),
                on=q.get("on", ""), audit=q.get("audit", ""), row=q.get("row", ""),
                rule_sets=[c.id for c in rule_choices(request.app.state.config.rules)])


async def determine(request: Request) -> Response:
    """Record a determination from a screening now, or from a row of an audit of this server."""
    from checker.register.determinations import determine as record

    form = await posted(request)
    audit_path = None
    row = None
    if form.get("audit"):
        found = request.app.state.audits.file(form["audit"], "report.json")
        if found is None:
            raise InputError("audit", "that audit's report is not available here")
        audit_path = str(found)
        try:
            row = int(form.get("row", ""))
        except ValueError:
            raise InputError("row", "give the audit's row number") from None
    change = _change(form)
    contract_end = texts.optional_day(_optional(form, "contract_end"), "Contract ends")

    ident = await _write(request, form, lambda reg: record(
        reg, change, vendor=form.get("vendor", ""), rules=form.get("rules", ""), on=_on(form), audit=audit_path,
        row=row, contract_id=texts.short(_optional(form, "contract_id"), "Contract", required=False),
        contract_end=contract_end, supersedes=int(form["supersedes"]) if form.get("supersedes", "").isdigit() else None,
        registry_dir=request.app.state.config.registry))
    return _done(f"/register/determinations/{ident}", "determined")


def _determination(db: str, ident: int) -> dict[str, Any]:
    from checker.register.appeal_window import stated_differs
    from checker.register.declarations import weigh
    from checker.register.determinations import snapshot_of
    from checker.register.notices import window_of
    from checker.register.store import open_register
    from checker.register.waivers import scope_text

    with open_register(db, create=False) as reg:
        det = reg.get("determinations", ident, "determination")
        snap = snapshot_of(det)
        notices = [{"row": n, "documents": json.loads(n["documents"] or "[]")}
                   for n in reg.rows("SELECT * FROM notices WHERE determination_id = ? ORDER BY id", (ident,))]
        found = window_of(reg, det)
        window = None
        if found is not None:
            notice, win = found
            window = {"text": win.text(), "last_day": win.last_day.isoformat() if win.last_day else None,
                      "explain": win.deadline.explain() if win.deadline else None,
                      "differs": stated_differs(notice, win)}
        appeals = reg.rows("SELECT * FROM appeals WHERE determination_id = ? ORDER BY id", (ident,))
        waivers = [{"row": w, "scope": scope_text(w)} for w in reg.rows(
            "SELECT * FROM waivers WHERE determination_id = ? OR (entity_id = ? AND rule_set = ?) ORDER BY id",
            (ident, det["entity_id"], det["rule_set"]))]
        declarations = [weigh(reg, d) for d in reg.rows("SELECT * FROM declarations WHERE superseded_by IS NULL "
                                                        "ORDER BY id")
                        if d["determination_id"] == ident or d["entity_id"] == det["entity_id"]
                        or texts.same_vendor(d["vendor"], det["vendor"])]
        keys = [("determinations", str(ident))] + [("notices", str(n["row"]["id"])) for n in notices] + \
               [("appeals", str(a["id"])) for a in appeals] + [("waivers", str(w["row"]["id"])) for w in waivers]
        history = [h for h in reg.rows("SELECT * FROM history ORDER BY id") if (h["kind"], h["record"]) in keys]
    return {"det": det, "snap": snap, "notices": notices, "window": window, "appeals": appeals,
            "waivers": waivers, "declarations": declarations, "history": history}


async def determination_page(request: Request) -> Response:
    """One determination in full, with the forms for its next steps."""
    data = await run_in_threadpool(_determination, _db(request), _id(request))
    return page(request, "determination.html", "register", done=DONE.get(request.query_params.get("done", "")),
                today=date.today().isoformat(), **data)


async def notify(request: Request) -> Response:
    """Write the notice (DOCX and HTML) and record the notification and its appeal deadline."""
    from checker.register.notices import notify as record
    from checker.register.store import now_utc

    ident = _id(request)
    form = await posted(request)
    change = _change(form)
    documents = request.app.state.config.documents
    agenda = texts.optional_day(_optional(form, "agenda_date"), "Council agenda date")
    days = _optional(form, "appeal_days")
    if days is not None and not days.isdigit():
        raise InputError("Appeal days", "give a whole number of business days")

    def work() -> None:
        documents.mkdir(parents=True, exist_ok=True)
        stamp = now_utc().replace(":", "").replace("-", "")
        with _writable(request, form) as reg:
            record(reg, change, ident, on=_on(form), output=str(documents / f"notice-{ident}-{stamp}.docx"),
                   method=texts.short(_optional(form, "method"), "Method", required=False), agenda_on=agenda,
                   appeal_days=int(days) if days else None,
                   city=texts.short(_optional(form, "city"), "City", required=False))

    await run_in_threadpool(work)
    return _done(f"/register/determinations/{ident}", "notified")


async def notice_file(request: Request) -> Response:
    """A notice's DOCX or HTML, as recorded with it."""
    ident = _id(request)
    fmt = request.path_params["fmt"]
    if fmt not in MEDIA:
        raise HTTPException(404)
    with _readable(request) as reg:
        notice = reg.get("notices", ident, "notice")
    for doc in json.loads(notice["documents"] or "[]"):
        if doc.get("format") == fmt and Path(doc["path"]).is_file():
            return FileResponse(doc["path"], media_type=MEDIA[fmt], filename=f"notice-{ident}.{fmt}")
    raise HTTPException(404)


async def withdraw(request: Request) -> Response:
    from checker.register.determinations import withdraw as record

    ident = _id(request)
    form = await posted(request)
    change = _change(form)

    await _write(request, form, lambda reg: record(reg, change, ident))
    return _done(f"/register/determinations/{ident}", "withdrawn")


# -- appeals -------------------------------------------------------------------------------------------------
async def appeal_file(request: Request) -> Response:
    from checker.register.appeals import file_appeal

    ident = _id(request)
    form = await posted(request)
    change = _change(form)

    await _write(request, form, lambda reg: file_appeal(reg, change, ident, _on(form)))
    return _done(f"/register/determinations/{ident}", "appeal")


async def appeal_step(request: Request) -> Response:
    """Hear or decide an appeal."""
    from checker.register.appeals import decide, hear

    ident = _id(request)
    step = request.path_params["step"]
    form = await posted(request)
    change = _change(form)

    def action(reg: Any) -> int:
        appeal = reg.get("appeals", ident, "appeal")
        if step == "hear":
            hear(reg, change, ident, _on(form))
        else:
            decide(reg, change, ident, _on(form), form.get("outcome", ""), ground=_optional(form, "ground"),
                   note=_optional(form, "note"), decided_by=_optional(form, "decided_by"))
        return appeal["determination_id"]

    if step not in ("hear", "decide"):
        raise HTTPException(404)
    det = await _write(request, form, action)
    return _done(f"/register/determinations/{det}", "heard" if step == "hear" else "decided")


# -- waivers -------------------------------------------------------------------------------------------------
async def waiver_request(request: Request) -> Response:
    from checker.register.waivers import request as record

    form = await posted(request)
    change = _change(form)
    det = int(form["determination"]) if form.get("determination", "").isdigit() else None
    contracts = [c.strip() for c in form.get("contracts", "").splitlines() if c.strip()]
    through = texts.optional_day(_optional(form, "through"), "Through")

    await _write(request, form, lambda reg: record(
        reg, change, rules=None, on=_on(form), intent=form.get("intent", ""),
        alternatives=form.get("alternatives", ""), extra_cost=form.get("extra_cost", ""), determination=det,
        vendor=None, entity=None, family=form.get("family") == "yes", contracts=contracts,
        actions=posted_list(request, "action"), through=through, requested_by=None))
    return _done(f"/register/determinations/{det}" if det else "/register", "waiver")


async def waiver_decide(request: Request) -> Response:
    from checker.register.waivers import decide

    ident = _id(request)
    form = await posted(request)
    change = _change(form)
    granted = texts.choice(form.get("decision"), "Decision", ("granted", "denied")) == "granted"

    await _write(request, form, lambda reg: decide(reg, change, ident, granted=granted, on=_on(form),
                                                   resolution=_optional(form, "resolution")))
    back = form.get("back", "")
    return _done(back if re.fullmatch(r"/register(/determinations/\d+)?", back) else "/register", "waiver-decided")


# -- declarations --------------------------------------------------------------------------------------------
async def declaration(request: Request) -> Response:
    """Record a vendor's declaration with its signed document (uploaded, hashed, then removed: the register keeps
    the SHA-256 and the name, not the file); it is weighed against the registry's evidence."""
    from checker.register.declarations import declare
    from checker.web import security
    from checker.web.upload import receive_upload

    config = request.app.state.config
    upload = await receive_upload(request, config.max_upload, config.upload_dir)
    try:
        security.check(request, upload.fields.get(security.FIELD))
        form = upload.fields
        change = _change(form)
        det = int(form["determination"]) if form.get("determination", "").isdigit() else None
        rules = _optional(form, "rules")

        await _write(request, form, lambda reg: declare(
            reg, change, vendor=form.get("vendor", ""), on=_on(form, "on", "Signed on"),
            signer=form.get("signer", ""), statement_version=form.get("statement_version", ""),
            document=str(upload.path), rules=rules, determination=det, registry_dir=config.registry))
    finally:
        upload.remove()
    return _done(f"/register/determinations/{det}" if det else "/register", "declared")


# -- complaints ----------------------------------------------------------------------------------------------
async def complaint(request: Request) -> Response:
    """Add a complaint, add a note to one, or close one."""
    from checker.register import complaints

    form = await posted(request)
    change = _change(form)
    step = request.path_params.get("step", "add")
    ident = _id(request) if "ident" in request.path_params else None

    def action(reg: Any) -> None:
        if step == "add":
            complaints.receive(reg, change, about=form.get("about", ""), summary=form.get("summary", ""),
                               on=_on(form), complainant=_optional(form, "complainant"))
        elif step == "note" and ident is not None:
            complaints.add_note(reg, change, ident, text=form.get("text", ""), on=_on(form))
        elif step == "close" and ident is not None:
            complaints.close(reg, change, ident, outcome=form.get("outcome", ""), on=_on(form),
                             cure=_optional(form, "cure"))
        else:
            raise HTTPException(404)

    await _write(request, form, action)
    return _done("/register", {"add": "complaint", "note": "note", "close": "closed"}[step])


# -- history, the annual report, documents -------------------------------------------------------------------
async def history_page(request: Request) -> Response:
    """Every change (or one record's): who, when, what and why."""
    kind = request.query_params.get("kind") or None
    record = request.query_params.get("record") or None
    sql, params = "SELECT * FROM history", []
    if kind:
        sql += " WHERE kind = ?"
        params.append(kind)
        if record:
            sql += " AND record = ?"
            params.append(record)
    if not Path(_db(request)).is_file():
        return message(request, "No register yet", "Nothing has been recorded yet.", 404, back="/register")
    with _readable(request) as reg:
        rows = reg.rows(sql + " ORDER BY id", tuple(params))
    return page(request, "history.html", "register", rows=rows, kind=kind, record=record)


async def annual_report(request: Request) -> Response:
    """Write the annual compliance report (DOCX and HTML) from the register and audits of this server."""
    from checker.api import rule_sets
    from checker.register.annual_report import annual_report as build
    from checker.register.publish import write_document

    form = await posted(request)
    by = texts.short(form.get("by"), "Prepared by") or ""
    try:
        year = int(form.get("year", ""))
    except ValueError:
        raise InputError("Year", "give the year the report is due (e.g. 2027)") from None
    if not 2000 <= year <= 2200:
        raise InputError("Year", f"{year} is not a plausible year")
    rs = rule_sets([texts.short(form.get("rules"), "Rule set") or ""])[0]
    audits = []
    for ident in posted_list(request, "audit"):
        found = request.app.state.audits.file(ident, "report.json")
        if found is None:
            raise InputError("audits", f"audit {ident} has no JSON report here")
        audits.append(str(found))
    documents = request.app.state.config.documents
    name = f"annual-report-{year}-{rs.id}.docx"

    def work() -> None:
        documents.mkdir(parents=True, exist_ok=True)
        with _readable(request) as reg:
            doc = build(reg, rs, year, audits, city=texts.short(_optional(form, "city"), "City", required=False),
                        prepared_by=by)
        write_document(doc, str(documents / name), inputs=audits)

    await run_in_threadpool(work)
    return RedirectResponse(f"/register?done=report&file={name}", status_code=303)


async def document_file(request: Request) -> Response:
    """A document written from the register (an annual report) in the documents folder."""
    name = request.path_params["name"]
    if not DOCUMENT.fullmatch(name):
        raise HTTPException(404)
    path = request.app.state.config.documents / name
    if not path.is_file():
        raise HTTPException(404)
    return FileResponse(path, media_type=MEDIA[name.rsplit(".", 1)[1]], filename=name)


routes = [
    Route("/register", register_page),
    Route("/register/determine", determine_form, methods=["GET"]),
    Route("/register/determine", determine, methods=["POST"]),
    Route("/register/determinations/{ident}", determination_page),
    Route("/register/determinations/{ident}/notify", notify, methods=["POST"]),
    Route("/register/determinations/{ident}/withdraw", withdraw, methods=["POST"]),
    Route("/register/determinations/{ident}/appeal", appeal_file, methods=["POST"]),
    Route("/register/notices/{ident}.{fmt:str}", notice_file),
    Route("/register/appeals/{ident}/{step}", appeal_step, methods=["POST"]),
    Route("/register/waivers", waiver_request, methods=["POST"]),
    Route("/register/waivers/{ident}/decide", waiver_decide, methods=["POST"]),
    Route("/register/declarations", declaration, methods=["POST"]),
    Route("/register/complaints", complaint, methods=["POST"]),
    Route("/register/complaints/{ident}/{step}", complaint, methods=["POST"]),
    Route("/register/history", history_page),
    Route("/register/report", annual_report, methods=["POST"]),
    Route("/register/documents/{name}", document_file),
]
