"""The command line: one module per command group, each only wiring (parse, call ``checker.api``, write a format).

Exit codes: 0 done; 1 findings reached ``--fail-on`` (or ``rules test`` / ``registry lint`` failed); 2 bad
input, one line on stderr; 3 internal error; 130 interrupted; 141 the reader of standard output went away.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import Annotated, Optional

import typer

from checker import __version__
from checker.cli import compare, evaluate, project, register, registry, rules, run, web
from checker.errors import InputError

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Screen vendors and audit payment files against sanctuary-contracting ordinances. "
                       "Not legal advice.")
rules_app = typer.Typer(no_args_is_help=True, help="List, show and validate rule sets (one per ordinance).")
registry_app = typer.Typer(no_args_is_help=True, help="Browse the vendor registry and test names against it.")
app.add_typer(rules_app, name="rules")
app.add_typer(registry_app, name="registry")
app.add_typer(register.app, name="register")

app.command()(run.screen)
app.command()(run.audit)
app.command()(run.holdings)
app.command("eval")(evaluate.eval_command)
app.command()(compare.compare)
app.command()(project.init)
app.command()(web.serve)
rules_app.command("list")(rules.rules_list)
rules_app.command("show")(rules.rules_show)
rules_app.command("diff")(rules.rules_diff)
rules_app.command("test")(rules.rules_test)
rules_app.command("validate")(rules.rules_validate)
registry_app.command("list")(registry.registry_list)
registry_app.command("show")(registry.registry_show)
registry_app.command("lint")(registry.registry_lint)
registry_app.command("search")(registry.registry_search)
registry_app.command("refresh")(registry.registry_refresh)
registry_app.command("apply")(registry.registry_apply)


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
    config: Annotated[Optional[str], typer.Option(
        "--config", help="Project file (default: ./sanctuary-check.toml): rule sets, waivers, decisions, register "
                         "and output that commands take as their defaults; flags override it.")] = None,
) -> None:
    if version:
        typer.echo(f"sanctuary-check {__version__}")
        raise typer.Exit(0)
    project.apply_project(ctx, config)


READER_GONE = 141
"""Exit code when standard output's reader stops reading (``| head``): 128 + SIGPIPE, as a shell reports a
command that a closed pipe stopped."""


def _reader_gone() -> None:
    """Exit silently with ``READER_GONE``; what is left unwritten goes nowhere (nothing to flush at exit)."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())
    except (AttributeError, OSError, ValueError):
        pass
    sys.exit(READER_GONE)


def _pipe_closed(exc: BaseException) -> bool:
    """True for the exit typer makes when writing to a closed pipe (an EPIPE error becomes exit code 1)."""
    cause = exc.__context__
    return isinstance(cause, OSError) and cause.errno == errno.EPIPE


class Terminated(BaseException):
    """SIGTERM or SIGHUP: unwinds like Ctrl-C, so that temporary files and worker processes are cleaned up."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _terminate(signum: int, _frame: object) -> None:
    raise Terminated(signum)


def main() -> None:
    """Entry point: one clear line and exit 2 for bad input; 130 on Ctrl-C, 143 on SIGTERM, 129 on SIGHUP (each
    leaving no temporary file); 141 when the reader of standard output stops reading; never a traceback."""
    import signal

    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signal.getsignal(signum) is not signal.SIG_IGN:  # nohup keeps SIGHUP ignored
            signal.signal(signum, _terminate)
    try:
        code = app(standalone_mode=False)  # exit codes come back as values; Ctrl-C comes back as 130
        if code == 130:
            typer.echo("sanctuary-check: interrupted; no output file was left half-written", err=True)
        if isinstance(code, int) and code:
            sys.exit(code)
    except InputError as exc:
        typer.echo(f"sanctuary-check: error: {exc}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        typer.echo("sanctuary-check: interrupted; no output file was left half-written", err=True)
        sys.exit(130)
    except Terminated as exc:
        typer.echo(f"sanctuary-check: stopped by signal {exc.signum}; no output file was left half-written", err=True)
        sys.exit(128 + exc.signum)
    except BrokenPipeError:
        _reader_gone()
    except SystemExit as exc:
        if _pipe_closed(exc):
            _reader_gone()
        raise
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        typer.echo("sanctuary-check: interrupted; no output file was left half-written", err=True)
        sys.exit(130)
    except Exception as exc:  # usage errors from typer's click layer, and anything unforeseen
        usage = next(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
        if isinstance(exc, usage):
            exc.show()
            sys.exit(2)
        typer.echo(f"sanctuary-check: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(3)
