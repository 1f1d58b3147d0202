"""The Screen page: names, one a line, judged as proposed new contracts under the chosen rule sets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from checker.errors import InputError
from checker.model import FLAGGED
from checker.web.config import WebConfig
from checker.web.knowledge import as_of_day, chosen_rules, register_waivers, rule_choices
from checker.web.render import page, posted, posted_list

MAX_NAMES = 200
"""The most names screened at once from the page."""


@dataclass(frozen=True)
class Outcome:
    """One rule set's outcome for a name, as the page shows it."""

    rule_set: str
    outcome: str
    flagged: bool
    citation: str
    text_verified: bool
    clause_url: str | None
    reason: str


@dataclass(frozen=True)
class Screened:
    """A name's verdict, match, outcomes, evidence and sources."""

    vendor: str
    verdict: str
    verdict_key: str
    match: str | None
    explanation: str | None
    entity: str | None
    note: str | None
    decision: str | None
    outcomes: list[Outcome]
    evidence: list[str]
    sources: list[str]


def screen_names(names: list[str], rules: list[str] | None, as_of: date, config: WebConfig) -> dict:
    """Screen the names with the library; what the result page shows."""
    from checker.api import Checker
    from checker.formats.common import match_text, outcome_words, provenance_line, sources_text, summary_paragraph
    from checker.formats.common import verdict_words as words

    waivers = register_waivers(config.db, config.waivers, config.registry)
    checker = Checker(rules, as_of=as_of, waivers=waivers.waivers, decisions=config.decisions,  # type: ignore[arg-type]
                      registry_dir=config.registry)
    run = checker.screen(names)
    results = []
    for f in run.findings:
        evidence = list(dict.fromkeys(e for r in f.rules for e in r.evidence))
        results.append(Screened(
            f.record.vendor, words(f).replace("_", " "), f.verdict, match_text(f) if f.match else None,
            f.match.explanation if f.match else None,
            f"{f.entity_name} ({f.relation}); family: {f.family_name}" if f.match and f.relation else None,
            f.note, f.decision,
            [Outcome(r.rule_set, outcome_words(r).replace("_", " "), r.outcome in FLAGGED, r.citation,
                     r.text_verified, r.clause_url, r.reason) for r in f.rules],
            evidence, sources_text(f).split(" | ") if evidence else []))
    return {"results": results, "summary": summary_paragraph(run, "Screened as proposed new contracts"),
            "provenance": provenance_line(run), "waiver_note": waivers.note, "as_of": as_of.isoformat()}


async def screen_page(request: Request) -> Response:
    """The form; on POST, the results below it."""
    config = request.app.state.config
    choices = rule_choices(config.rules)
    if request.method == "GET":
        return page(request, "screen.html", "screen", choices=choices, ticked={c.id for c in choices if c.default},
                    names="", as_of="", result=None)
    form = await posted(request)
    names = [n.strip() for n in form.get("names", "").splitlines() if n.strip()]
    ticked = posted_list(request, "rules")
    if not names:
        raise InputError("names", "give at least one vendor's name, one a line")
    if len(names) > MAX_NAMES:
        raise InputError("names", f"{len(names)} names: screen at most {MAX_NAMES} at once (audit a file for more)")
    rules = chosen_rules(ticked, config.rules)
    as_of = as_of_day(form.get("as_of"))
    result = await run_in_threadpool(screen_names, names, rules, as_of, config)
    return page(request, "screen.html", "screen", choices=choices,
                ticked=set(ticked) if ticked else {c.id for c in choices if c.default},
                names=form.get("names", ""), as_of=form.get("as_of", ""), result=result)


routes = [Route("/", screen_page, methods=["GET", "POST"], name="screen")]
