"""What is due: appeal deadlines of notices, waiver through-dates, contract end dates recorded with determinations,
and the annual report's date (November 1 for Berkeley)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from checker.register.determinations import snapshot_of
from checker.register.notices import window_of
from checker.register.procedures import procedure_for
from checker.register.store import Register
from checker.register.waivers import granted, scope_text


@dataclass(frozen=True, order=True)
class Due:
    """One dated obligation."""

    day: date
    kind: str
    subject: str
    detail: str
    uid: str


def _appeals(reg: Register) -> list[Due]:
    out: list[Due] = []
    for det in reg.rows("SELECT * FROM determinations WHERE status = 'open' ORDER BY id"):
        if reg.row("SELECT id FROM appeals WHERE determination_id = ?", (det["id"],)) is not None:
            continue  # filed: the deadline has been met (or the appeal was taken anyway)
        found = window_of(reg, det)
        if found is None:
            continue
        notice, win = found
        if win.deadline is not None:
            out.append(Due(win.deadline.due, "appeal deadline", f"determination {det['id']}: {det['vendor']}",
                           f"notice {notice['id']}: {win.text()}", f"appeal-notice-{notice['id']}"))
        if win.agenda is not None:
            out.append(Due(win.agenda.due, "appeal deadline (Council agenda)",
                           f"determination {det['id']}: {det['vendor']}", f"notice {notice['id']}: {win.text()}",
                           f"appeal-agenda-notice-{notice['id']}"))
    return out


def _waivers(reg: Register) -> list[Due]:
    return [Due(date.fromisoformat(w["through"]), "waiver ends", f"waiver {w['id']} ({w['resolution']})",
                scope_text(w), f"waiver-{w['id']}-through")
            for w in granted(reg) if w["through"]]


def _contracts(reg: Register) -> list[Due]:
    out: list[Due] = []
    for det in reg.rows("SELECT * FROM determinations WHERE status IN ('open', 'upheld') AND contract_end IS NOT NULL"):
        contract = f"contract {det['contract_id']}" if det["contract_id"] else "the contract"
        out.append(Due(date.fromisoformat(det["contract_end"]), "contract ends",
                       f"determination {det['id']}: {det['vendor']}",
                       f"{contract} ends; renewing or extending it is a covered action under {det['rule_set']}",
                       f"contract-end-determination-{det['id']}"))
    return out


def rule_sets_in_use(reg: Register) -> list[str]:
    """The rule sets the register's records are under."""
    rows = reg.rows("SELECT rule_set FROM determinations UNION SELECT rule_set FROM waivers UNION "
                    "SELECT rule_set FROM solicitations")
    return sorted({r["rule_set"] for r in rows if r["rule_set"]})


def _reports(reg: Register, as_of: date, extra_rules: Iterable[str]) -> list[Due]:
    out: list[Due] = []
    for rule_set in sorted(set(rule_sets_in_use(reg)) | set(extra_rules)):
        proc = procedure_for(rule_set, *_jurisdiction(reg, rule_set))
        if proc.report_due is None or proc.annual_report is None:
            continue
        month, day = proc.report_due
        due = date(as_of.year, month, day)
        if due < as_of:
            due = date(as_of.year + 1, month, day)
        out.append(Due(due, "annual report", f"{proc.city}: compliance report ({rule_set})",
                       f"{proc.annual_report.citation}: the {proc.official}'s written public report to the Council",
                       f"annual-report-{rule_set}-{due.year}"))
    return out


def _jurisdiction(reg: Register, rule_set: str) -> tuple[str, str | None]:
    det = reg.row("SELECT snapshot FROM determinations WHERE rule_set = ? ORDER BY id LIMIT 1", (rule_set,))
    if det is None:
        return "", None
    rs = snapshot_of(det).get("rule_set", {})
    return rs.get("jurisdiction", ""), rs.get("extends")


def upcoming(reg: Register, as_of: date, *, within: int | None = None, rules: Iterable[str] = ()) -> list[Due]:
    """Everything due on or after ``as_of`` (within ``within`` days, when given), soonest first."""
    items = _appeals(reg) + _waivers(reg) + _contracts(reg) + _reports(reg, as_of, rules)
    return sorted(d for d in items if d.day >= as_of and (within is None or (d.day - as_of).days <= within))
