"""What the register's tests share: the command line with ``register`` added (until it is registered in
``checker.cli``), a fresh register, and an audit report written through the library. No tests here."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import typer

from conftest import ROOT

EXAMPLE = ROOT / "examples" / "city-payments.csv"
WHO = "A. Rivera (City Manager's Office)"


def harness_app() -> typer.Typer:
    """The tool's command line as users will have it: screen, audit and the register group."""
    from checker.cli import register, run

    app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False)
    app.command()(run.screen)
    app.command()(run.audit)
    app.add_typer(register.app, name="register")
    return app


def use_harness(monkeypatch) -> None:
    """Make ``checker.cli.main`` run the harness (its error handling and exit codes stay the real ones)."""
    import checker.cli

    monkeypatch.setattr(checker.cli, "app", harness_app())


def audit_report(tmp_path: Path, source: Path = EXAMPLE, as_of: date = date(2026, 11, 23), name: str = "q4.json",
                 waivers: str | None = None) -> Path:
    """An audit written as the JSON report, through the library: ``Checker(...).audit`` and ``formats.get``."""
    from checker.api import Checker
    from checker.formats import View, get

    run = Checker(["berkeley-ca"], as_of=as_of, waivers=waivers).audit(str(source))
    out = tmp_path / name
    with out.open("w", encoding="utf-8") as fh:
        get("json").write(run, fh, View())
    return out


def findings(report: Path) -> dict[int, dict]:
    """A JSON report's findings by row."""
    return {f["row"]: f for f in json.loads(report.read_text(encoding="utf-8"))["findings"]}
