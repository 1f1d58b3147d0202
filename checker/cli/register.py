"""register …: the compliance register (determinations, notices, appeals, declarations, waivers, solicitations,
complaints, the annual report, what is due). Each command parses its options, calls ``checker.register`` and
prints what was recorded; every change records who (``--by``), when and why (``--why``)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from checker.errors import InputError, printable
from checker.register import DEFAULT_PATH, texts

if TYPE_CHECKING:
    from checker.register.store import Change, Register

app = typer.Typer(no_args_is_help=True, help="The compliance register: determinations, notices and appeals, "
                                             "declarations, waivers, solicitations, complaints, the annual report.")
appeal_app = typer.Typer(no_args_is_help=True, help="Appeals of determinations: file, hear, decide.")
waiver_app = typer.Typer(no_args_is_help=True, help="Waivers: the City Manager's request, the Council's decision.")
complaint_app = typer.Typer(no_args_is_help=True, help="Complaints of violations: intake, notes, outcome.")
holiday_app = typer.Typer(no_args_is_help=True, help="The city's own closed days (beyond federal and California "
                                                     "holidays), counted in business-day deadlines.")
app.add_typer(appeal_app, name="appeal")
app.add_typer(waiver_app, name="waiver")
app.add_typer(complaint_app, name="complaint")
app.add_typer(holiday_app, name="holiday")

DbOpt = Annotated[str, typer.Option("--db", help="The register file (made by the first command that records).")]
ByOpt = Annotated[Optional[str], typer.Option("--by", help="Who makes the change (default: your user name).")]
WhyOpt = Annotated[str, typer.Option("--why", help="Why: kept in the history with who and when.")]
OnOpt = Annotated[Optional[str], typer.Option("--on", help="The day it happened (YYYY-MM-DD; default: today).")]
RulesOpt = Annotated[str, typer.Option("--rules", "-r", help="Rule set id or path.")]
OutputOpt = Annotated[Optional[str], typer.Option("--output", "-o", help="Write here (atomically).")]
RegistryOpt = Annotated[Optional[str], typer.Option("--registry", help="Registry folder (default: the bundled one).")]


def _say(text: str) -> None:
    typer.echo(printable(text))


def _change(by: str | None, why: str) -> Change:
    from checker.register.store import Change, os_user

    return Change(texts.short(by, "--by", required=False) or os_user(), texts.text(why, "--why") or "")


def _writable(db: str, by: str | None) -> Register:
    from checker.register.store import open_register

    return open_register(db, by=by)


def _readable(db: str) -> Register:
    from checker.register.store import open_register

    return open_register(db, create=False)


def _user(by: str | None) -> str:
    from checker.register.store import os_user

    return texts.short(by, "--by", required=False) or os_user()


def _on(value: str | None, option: str = "--on") -> date:
    return texts.day(value, option, default=date.today())


# -- determinations and notices ------------------------------------------------------------------------------
@app.command()
def determine(
    vendor: Annotated[str, typer.Argument(help="The vendor as the city's records name it.")],
    rules: RulesOpt,
    why: WhyOpt,
    from_audit: Annotated[Optional[str], typer.Option(
        "--from-audit", help="An audit's JSON report (--format json); with --row.")] = None,
    row: Annotated[Optional[int], typer.Option("--row", min=1, help="The report's row number.")] = None,
    from_screen: Annotated[bool, typer.Option(
        "--from-screen", help="Screen the name now as a proposed new contract (the default without --from-audit).")
    ] = False,
    on: OnOpt = None,
    contract_id: Annotated[Optional[str], typer.Option("--contract-id", help="The contract concerned.")] = None,
    contract_end: Annotated[Optional[str], typer.Option(
        "--contract-end", help="When that contract ends (listed by `register due`).")] = None,
    supersedes: Annotated[Optional[int], typer.Option(
        "--supersedes", help="The determination this one replaces.")] = None,
    by: ByOpt = None,
    db: DbOpt = DEFAULT_PATH,
    registry: RegistryOpt = None,
) -> None:
    """Record that VENDOR provides ICE with covered services, freezing the evidence as it stands."""
    from checker.register.determinations import determine as record

    if from_screen and from_audit:
        raise InputError("--from-screen", "give either --from-audit REPORT --row N or --from-screen")
    change = _change(by, why)
    with _writable(db, by) as reg:
        ident = record(reg, change, vendor=vendor, rules=rules, on=_on(on), audit=from_audit, row=row,
                       contract_id=texts.short(contract_id, "--contract-id", required=False),
                       contract_end=texts.optional_day(contract_end, "--contract-end"), supersedes=supersedes,
                       registry_dir=registry)
        det = reg.get("determinations", ident)
    from checker.register.determinations import snapshot_of

    snap = snapshot_of(det)
    family = f" ({det['family_name']} family)" if det["family_name"] and det["family_id"] != det["entity_id"] else ""
    src = snap["source"]
    where = f"{src['report']} row {src['row']}" if src["kind"] == "audit" else f"a screening as of {src['as_of']}"
    _say(f"Determination {ident}: {det['vendor']} → {det['entity_name']}{family} under {det['rule_set']}, "
         f"{snap['clause'].get('citation')}: {det['outcome']}.\n"
         f"Evidence frozen from {where} (registry {snap['registry']['version']}): {len(snap['evidence'])} "
         f"evidence line(s), {len(snap['sources'])} source(s).\nNext: sanctuary-check register notify {ident}")


@app.command()
def withdraw(
    determination: Annotated[int, typer.Argument(help="Determination id.")],
    why: WhyOpt,
    by: ByOpt = None,
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """Withdraw a determination made in error (it stays in the register, marked withdrawn)."""
    from checker.register.determinations import withdraw as record

    with _writable(db, by) as reg:
        record(reg, _change(by, why), determination)
    _say(f"Determination {determination} withdrawn.")


@app.command()
def notify(
    determination: Annotated[int, typer.Argument(help="Determination id.")],
    why: WhyOpt,
    on: Annotated[Optional[str], typer.Option("--on", help="Date of notification (default: today).")] = None,
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", help="The notice's DOCX (or HTML) path; its twin is written beside it. Default: "
                               "notice-ID.docx and notice-ID.html.")] = None,
    method: Annotated[Optional[str], typer.Option("--method", help="How it is sent (mail, email…).")] = None,
    agenda_date: Annotated[Optional[str], typer.Option(
        "--agenda-date", help="The Council agenda date of the determination, if any (its own appeal period).")] = None,
    holiday: Annotated[Optional[list[str]], typer.Option(
        "--holiday", help="An extra closed day (YYYY-MM-DD), beyond federal, California and recorded ones; "
                          "repeatable.")] = None,
    appeal_days: Annotated[Optional[int], typer.Option(
        "--appeal-days", help="Business days to appeal, for a rule set with no recorded appeal period.")] = None,
    city: Annotated[Optional[str], typer.Option("--city", help="The city's name on the notice.")] = None,
    by: ByOpt = None,
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """Write the vendor notice (DOCX and print-ready HTML) and record the notification and appeal deadline."""
    from checker.register.notices import notify as record

    extra = [texts.day(h, "--holiday") for h in holiday or []]
    with _writable(db, by) as reg:
        done = record(reg, _change(by, why), determination, on=_on(on), output=output or f"notice-{determination}.docx",
                      method=method, agenda_on=texts.optional_day(agenda_date, "--agenda-date"), holidays=extra,
                      appeal_days=appeal_days, city=city)
    lines = [f"Notice {done.notice_id} of determination {determination}: {done.window.text()}."]
    if done.window.deadline is not None:
        lines.append(f"Counted: {done.window.deadline.explain()}.")
    lines.append("Wrote " + ", ".join(w["path"] for w in done.written) + ".")
    _say("\n".join(lines))


# -- appeals -------------------------------------------------------------------------------------------------
@appeal_app.command("file")
def appeal_file(
    determination: Annotated[int, typer.Argument(help="Determination id.")],
    why: WhyOpt,
    on: Annotated[Optional[str], typer.Option("--on", help="The day the appeal was filed.")] = None,
    by: ByOpt = None,
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """Record an appeal of a determination (on time or late, by its notice's deadline)."""
    from checker.register.appeals import file_appeal

    with _writable(db, by) as reg:
        ident, late = file_appeal(reg, _change(by, why), determination, _on(on))
    _say(f"Appeal {ident} of determination {determination} filed" + (" LATE (after the notice's deadline)."
                                                                        if late else " on time."))


@appeal_app.command("hear")
def appeal_hear(
    appeal: Annotated[int, typer.Argument(help="Appeal id.")],
    why: WhyOpt,
    on: Annotated[Optional[str], typer.Option("--on", help="The day of the hearing.")] = None,
    by: ByOpt = None,
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """Record the hearing of an appeal."""
    from checker.register.appeals import hear

    with _writable(db, by) as reg:
        hear(reg, _change(by, why), appeal, _on(on))
    _say(f"Appeal {appeal} heard.")


@appeal_app.command("decide")
def appeal_decide(
    appeal: Annotated[int, typer.Argument(help="Appeal id.")],
    outcome: Annotated[str, typer.Option("--outcome", help="upheld or reversed.")],
    why: WhyOpt,
    ground: Annotated[Optional[str], typer.Option(
        "--ground", help="For a reversal: identity (the vendor is not the registry entity: exported as a match "
                         "decision) or services (the entity does not provide the services).")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="The decision's reasons, briefly.")] = None,
    decided_by: Annotated[Optional[str], typer.Option("--decided-by", help="Default: City Manager.")] = None,
    on: Annotated[Optional[str], typer.Option("--on", help="The day of the decision.")] = None,
    by: ByOpt = None,
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """Record the decision on an appeal: the determination is upheld or reversed."""
    from checker.register.appeals import decide

    with _writable(db, by) as reg:
        decide(reg, _change(by, why), appeal, _on(on), outcome, ground=ground, note=note, decided_by=decided_by)
    follow = " Export it for later audits: sanctuary-check register export-decisions." if ground == "identity" else ""
    _say(f"Appeal {appeal} decided: determination {outcome}.{follow}")


# -- declarations --------------------------------------------------------------------------------------------
@app.command()
def declare(
    vendor: Annotated[str, typer.Argument(help="The vendor that declared.")],
    signer: Annotated[str, typer.Option("--signer", help="Who signed it.")],
    statement_version: Annotated[str, typer.Option("--statement-version", help="The statement text's version.")],
    document: Annotated[str, typer.Option("--document", help="The signed document (its SHA-256 is recorded).")],
    why: WhyOpt,
    signed: Annotated[Optional[str], typer.Option("--signed", help="The day it was signed (default: today).")] = None,
    entity: Annotated[Optional[str], typer.Option("--entity", help="The registry entity it concerns.")] = None,
    rules: Annotated[Optional[str], typer.Option("--rules", "-r", help="Rule set (default: enacted ones).")] = None,
    determination: Annotated[Optional[int], typer.Option("--determination", help="The determination it answers.")
                             ] = None,
    by: ByOpt = None,
    db: DbOpt = DEFAULT_PATH,
    registry: RegistryOpt = None,
) -> None:
    """Record a vendor's declaration under penalty of perjury; it is weighed against registry evidence, never
    instead of it."""
    from checker.register.declarations import declare as record
    from checker.register.declarations import weigh

    with _writable(db, by) as reg:
        ident = record(reg, _change(by, why), vendor=vendor, on=_on(signed, "--signed"), signer=signer,
                       statement_version=statement_version, document=document, entity=entity, rules=rules,
                       determination=determination, registry_dir=registry)
        row = reg.get("declarations", ident)
        weighed = weigh(reg, row)
    _say(f"Declaration {ident} recorded (document {row['document_name']}, sha256 {row['document_sha256'][:16]}…).\n"
         f"{'CONFLICT: ' if weighed.conflict else ''}{weighed.text()}.")


# -- waivers -------------------------------------------------------------------------------------------------
@waiver_app.command("request")
def waiver_request(
    intent: Annotated[str, typer.Option("--intent", help="Finding 1: the intent and purpose of the ordinance.")],
    alternatives: Annotated[str, typer.Option(
        "--alternatives", help="Finding 2: the availability of alternative services, goods and equipment.")],
    extra_cost: Annotated[str, typer.Option(
        "--extra-cost", help="Finding 3: quantifiable additional costs of the available alternatives.")],
    why: WhyOpt,
    determination: Annotated[Optional[int], typer.Option(
        "--determination", help="The determination it concerns (gives vendor, entity, rule set).")] = None,
    rules: Annotated[Optional[str], typer.Option("--rules", "-r", help="Rule set.")] = None,
    vendor: Annotated[Optional[str], typer.Option("--vendor", help="The vendor string.")] = None,
    entity: Annotated[Optional[str], typer.Option("--entity", help="Registry entity id.")] = None,
    family: Annotated[bool, typer.Option("--family", help="The waiver reaches the entity's whole family.")] = False,
    contract: Annotated[Optional[list[str]], typer.Option("--contract", help="A contract id it covers; repeatable.")
                        ] = None,
    action: Annotated[Optional[list[str]], typer.Option(
        "--action", help="A contract action it covers (new, amended, extended, renewed…); repeatable.")] = None,
    through: Annotated[Optional[str], typer.Option("--through", help="The last day it covers.")] = None,
    requested_by: Annotated[Optional[str], typer.Option("--requested-by", help="Default: the rule set's (City "
                                                                                 "Manager).")] = None,
    on: Annotated[Optional[str], typer.Option("--on", help="The day of the request.")] = None,
    by: ByOpt = None,
    db: DbOpt = DEFAULT_PATH,
    registry: RegistryOpt = None,
) -> None:
    """Record the City Manager's waiver request with the three "no reasonable alternative" findings and its scope."""
    from checker.register.waivers import request, scope_text

    with _writable(db, by) as reg:
        ident = request(reg, _change(by, why), rules=rules, on=_on(on), intent=intent, alternatives=alternatives,
                        extra_cost=extra_cost, determination=determination, vendor=vendor, entity=entity,
                        family=family, contracts=contract or (), actions=action or (),
                        through=texts.optional_day(through, "--through"), requested_by=requested_by,
                        registry_dir=registry)
        row = reg.get("waivers", ident)
    _say(f"Waiver {ident} requested under {row['rule_set']}: {scope_text(row)}.\n"
         f"Next, after the Council decides: sanctuary-check register waiver decide {ident} --granted --resolution NO")


@waiver_app.command("decide")
def waiver_decide(
    waiver: Annotated[int, typer.Argument(help="Waiver id.")],
    why: WhyOpt,
    granted: Annotated[bool, typer.Option("--granted/--denied", help="The Council's decision.")] = True,
    resolution: Annotated[Optional[str], typer.Option("--resolution", help="Resolution number.")] = None,
    on: Annotated[Optional[str], typer.Option("--on", help="The Council meeting's date.")] = None,
    by: ByOpt = None,
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """Record the Council's decision on a waiver request."""
    from checker.register.waivers import decide

    with _writable(db, by) as reg:
        decide(reg, _change(by, why), waiver, granted=granted, on=_on(on), resolution=resolution)
    _say(f"Waiver {waiver} {'granted' if granted else 'denied'}"
         + (f" (resolution {resolution})." if resolution else "."))


# -- solicitations and complaints ----------------------------------------------------------------------------
@app.command("solicitation-text")
def solicitation_text(rules: RulesOpt, output: OutputOpt = None) -> None:
    """Print the notice of the prohibition that every solicitation must include (BMC 13.105.030(B))."""
    from checker.api import rule_sets
    from checker.formats.output import open_output
    from checker.register.solicitations import solicitation_text as notice

    text = notice(rule_sets([rules])[0])
    with open_output(output) as out:
        out.write(text)


@app.command()
def solicitation(
    logged: Annotated[str, typer.Option("--logged", help="The solicitation's reference (RFP-2026-014).")],
    rules: RulesOpt,
    why: WhyOpt,
    issued: Annotated[Optional[str], typer.Option("--issued", help="The day it was issued.")] = None,
    title: Annotated[Optional[str], typer.Option("--title", help="Its title.")] = None,
    document: Annotated[Optional[str], typer.Option(
        "--document", help="The solicitation as issued (DOCX, HTML or text is checked for the notice).")] = None,
    by: ByOpt = None,
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """Record that a solicitation included the notice of the prohibition."""
    from checker.api import rule_sets
    from checker.register.solicitations import log

    with _writable(db, by) as reg:
        ident, found = log(reg, _change(by, why), reference=logged, rs=rule_sets([rules])[0],
                           issued_on=_on(issued, "--issued"), title=title, document=document)
    checked = {True: " The notice's text was found in the document.",
               False: " WARNING: the prohibition's text was NOT found in the document.", None: ""}[found]
    _say(f"Solicitation {ident} ({logged}) logged.{checked}")


@complaint_app.command("add")
def complaint_add(
    about: Annotated[str, typer.Option("--about", help="The vendor or contract complained about.")],
    summary: Annotated[str, typer.Option("--summary", help="What the complaint says.")],
    why: WhyOpt,
    complainant: Annotated[Optional[str], typer.Option("--from", help="Who complained.")] = None,
    determination: Annotated[Optional[int], typer.Option("--determination", help="A related determination.")
                             ] = None,
    on: Annotated[Optional[str], typer.Option("--on", help="The day it was received.")] = None,
    by: ByOpt = None,
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """Record a complaint of a violation."""
    from checker.register.complaints import receive

    with _writable(db, by) as reg:
        ident = receive(reg, _change(by, why), about=about, summary=summary, on=_on(on), complainant=complainant,
                        determination=determination)
    _say(f"Complaint {ident} recorded.")


@complaint_app.command("note")
def complaint_note(
    complaint: Annotated[int, typer.Argument(help="Complaint id.")],
    text: Annotated[str, typer.Option("--text", help="The investigation note.")],
    why: WhyOpt,
    on: OnOpt = None,
    by: ByOpt = None,
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """Add an investigation note to an open complaint."""
    from checker.register.complaints import add_note

    with _writable(db, by) as reg:
        ident = add_note(reg, _change(by, why), complaint, text=text, on=_on(on))
    _say(f"Note {ident} added to complaint {complaint}.")


@complaint_app.command("close")
def complaint_close(
    complaint: Annotated[int, typer.Argument(help="Complaint id.")],
    outcome: Annotated[str, typer.Option("--outcome", help="substantiated, unsubstantiated, withdrawn or referred.")],
    why: WhyOpt,
    cure: Annotated[Optional[str], typer.Option("--cure", help="How a violation was cured (needed when "
                                                               "substantiated).")] = None,
    on: OnOpt = None,
    by: ByOpt = None,
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """Close a complaint with its outcome and the cure."""
    from checker.register.complaints import close

    with _writable(db, by) as reg:
        close(reg, _change(by, why), complaint, outcome=outcome, on=_on(on), cure=cure)
    _say(f"Complaint {complaint} closed: {outcome}.")


# -- holidays ------------------------------------------------------------------------------------------------
@holiday_app.command("add")
def holiday_add(
    day: Annotated[str, typer.Argument(help="YYYY-MM-DD")],
    name: Annotated[str, typer.Option("--name", help="What the day is.")],
    why: WhyOpt,
    by: ByOpt = None,
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """Record a day the city is closed."""
    from checker.register.city_days import add_holiday

    with _writable(db, by) as reg:
        add_holiday(reg, _change(by, why), texts.day(day, "DAY"), name)
    _say(f"Holiday {day} recorded: {name}.")


@holiday_app.command("withdraw")
def holiday_withdraw(
    day: Annotated[str, typer.Argument(help="YYYY-MM-DD")],
    why: WhyOpt,
    by: ByOpt = None,
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """Withdraw a recorded holiday (it stays in the register, marked withdrawn)."""
    from checker.register.city_days import withdraw_holiday

    with _writable(db, by) as reg:
        withdraw_holiday(reg, _change(by, why), texts.day(day, "DAY"))
    _say(f"Holiday {day} withdrawn.")


@holiday_app.command("open")
def holiday_open(
    day: Annotated[str, typer.Argument(help="YYYY-MM-DD: a federal or California holiday")],
    why: WhyOpt,
    name: Annotated[Optional[str], typer.Option("--name", help="What the day is (default: the holiday's name).")]
    = None,
    by: ByOpt = None,
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """Record that the city is open on a federal or California holiday: deadlines count it as a business day."""
    from checker.register.city_days import open_on_holiday

    with _writable(db, by) as reg:
        open_on_holiday(reg, _change(by, why), texts.day(day, "DAY"), name or "")
    _say(f"{day} recorded as a business day: the city is open.")


@holiday_app.command("reclose")
def holiday_reclose(
    day: Annotated[str, typer.Argument(help="YYYY-MM-DD")],
    why: WhyOpt,
    by: ByOpt = None,
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """Withdraw a recorded open day: the holiday counts as closed again (it stays in the register)."""
    from checker.register.city_days import withdraw_open_day

    with _writable(db, by) as reg:
        withdraw_open_day(reg, _change(by, why), texts.day(day, "DAY"))
    _say(f"{day} is a holiday again.")


@holiday_app.command("list")
def holiday_list(
    year: Annotated[int, typer.Option("--year", help="The year to list.")],
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """List the closed days of a year: federal, California and the city's own."""
    from checker.register.city_days import city_calendar

    with _readable(db) as reg:
        calendar = city_calendar(reg)
    days = calendar.holidays_between(date(year, 1, 1), date(year, 12, 31))
    _say("\n".join(f"{d.isoformat()} {d:%a}  {name}" for d, name in days))


# -- views ---------------------------------------------------------------------------------------------------
@app.command()
def show(
    determination: Annotated[Optional[int], typer.Argument(help="A determination id (default: everything).")] = None,
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """Show the register, or one determination in full (evidence, notices, deadline, appeals, conflicts)."""
    from checker.register import views

    with _readable(db) as reg:
        _say(views.overview(reg) if determination is None else views.determination(reg, determination))


@app.command()
def history(
    kind: Annotated[Optional[str], typer.Option("--kind", help="Only this table (determinations, waivers…).")] = None,
    record: Annotated[Optional[str], typer.Option("--record", help="Only this record's id (with --kind).")] = None,
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """Every change: who, when, what and why."""
    from checker.register import views

    with _readable(db) as reg:
        _say(views.history(reg, kind, record))


@app.command()
def due(
    as_of: Annotated[Optional[str], typer.Option("--as-of", help="From this day (default: today).")] = None,
    within: Annotated[Optional[int], typer.Option("--within", min=0, help="Only the next N days.")] = None,
    ics: Annotated[Optional[str], typer.Option("--ics", help="Also write an iCalendar file.")] = None,
    rules: Annotated[Optional[list[str]], typer.Option(
        "--rules", "-r", help="Also the annual report date of this rule set.")] = None,
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """Upcoming deadlines: appeals, waiver ends, contract ends, the annual report."""
    from checker.register import views
    from checker.register.deadlines import upcoming

    with _readable(db) as reg:
        items = upcoming(reg, texts.day(as_of, "--as-of", default=date.today()), within=within, rules=rules or ())
    _say(views.due_table(items))
    if ics:
        from checker.formats.output import open_output
        from checker.register.ics import calendar_bytes

        with open_output(ics, binary=True) as out:
            out.write(calendar_bytes(items))  # type: ignore[arg-type]
        _say(f"Wrote {ics} ({len(items)} event(s)).")


@app.command()
def report(
    year: Annotated[int, typer.Option("--year", help="The report due on November 1 of this year.")],
    rules: RulesOpt,
    output: Annotated[str, typer.Option("--output", "-o", help="The DOCX (or HTML) path; both are written.")],
    audit: Annotated[Optional[list[str]], typer.Option(
        "--audit", help="An audit's JSON report of the year; repeatable.")] = None,
    city: Annotated[Optional[str], typer.Option("--city", help="The city's name.")] = None,
    by: ByOpt = None,
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """Write the annual compliance report (DOCX and HTML) from the register and the year's audits."""
    from checker.api import rule_sets
    from checker.register.annual_report import annual_report
    from checker.register.publish import write_document

    if not 2000 <= year <= 2200:
        raise InputError("--year", f"{year} is not a plausible year")
    with _readable(db) as reg:
        doc = annual_report(reg, rule_sets([rules])[0], year, list(audit or []), city=city,
                            prepared_by=_user(by))
    written = write_document(doc, output, inputs=list(audit or []))
    _say("Wrote " + ", ".join(w["path"] for w in written) + ".")


# -- export and import ---------------------------------------------------------------------------------------
@app.command()
def export(
    fmt: Annotated[str, typer.Option("--format", "-f", help="json (one file) or csv (a folder, one file a table).")
                   ] = "json",
    output: Annotated[Optional[str], typer.Option(
        "--output", "-o", help="The JSON file, or the folder for CSV (needed).")] = None,
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """Export every record and the whole history."""
    from checker.register.transfer import write_csv, write_json

    texts.choice(fmt, "--format", ("json", "csv"))
    with _readable(db) as reg:
        if fmt == "json":
            write_json(reg, output)
            return
        if output is None:
            raise InputError("--format csv", "a CSV export is a folder of one file per table: give --output FOLDER")
        written = write_csv(reg, output)
    _say(f"Wrote {len(written)} files to {output}.")


@app.command("import")
def import_(
    source: Annotated[str, typer.Argument(help="An export: the JSON file or the CSV folder.")],
    why: WhyOpt,
    by: ByOpt = None,
    db: DbOpt = DEFAULT_PATH,
) -> None:
    """Import an export into a new register file (--db)."""
    from checker.register.transfer import import_export

    counts = import_export(source, db, _change(by, why))
    _say(f"Imported into {db}: " + ", ".join(f"{n} {t}" for t, n in counts.items() if n) + ".")


@app.command("export-decisions")
def export_decisions(output: OutputOpt = None, db: DbOpt = DEFAULT_PATH) -> None:
    """Reversed determinations (ground: identity) as a decisions YAML that audits read (--decisions FILE)."""
    from checker.formats.output import open_output
    from checker.register.decisions_export import export_decisions as export_them

    with _readable(db) as reg:
        exported = export_them(reg)
    with open_output(output) as out:
        out.write(exported.yaml_text)
    for note in exported.left_out:
        typer.echo(printable(f"Left out: {note}."), err=True)
    if output:
        _say(f"Wrote {output} ({exported.decisions} decision(s)).")


@app.command("export-waivers")
def export_waivers(output: OutputOpt = None, db: DbOpt = DEFAULT_PATH) -> None:
    """Granted waivers as a waivers file that audits read (--waivers FILE)."""
    from checker.formats.output import open_output
    from checker.register.waivers import waivers_file_text

    text = waivers_file_text(db)
    with open_output(output) as out:
        out.write(text)
    if output:
        _say(f"Wrote {output}.")
