"""The command line: one module per command group, each only wiring (parse, call ``checker.api``, write a format).

Exit codes: 0 done; 1 findings reached ``--fail-on`` (or ``rules test`` / ``registry lint`` failed); 2 bad
input, one line on stderr; 3 internal error; 130 interrupted; 141 the reader of standard output went away.
"""

from __future__ import annotations

import errno
import os
import sys
from typing import Annotated, Any, Optional

import typer

from checker import __version__
from checker.cli import project
from checker.errors import InputError

HELP = "Screen vendors and audit payment files against sanctuary-contracting ordinances. Not legal advice."
COMMANDS = {"screen": "run:screen", "audit": "run:audit", "holdings": "run:holdings", "eval": "evaluate:eval_command",
            "compare": "compare:compare", "init": "project:init", "serve": "web:serve"}
"""The top-level commands (module of ``checker.cli``: function), in the order help lists them (then the groups)."""
GROUPS = {
    "rules": ("List, show and validate rule sets (one per ordinance).",
              {"list": "rules:rules_list", "show": "rules:rules_show", "diff": "rules:rules_diff",
               "test": "rules:rules_test", "validate": "rules:rules_validate"}),
    "registry": ("Browse the vendor registry and test names against it.",
                 {"list": "registry:registry_list", "show": "registry:registry_show", "lint": "registry:registry_lint",
                  "search": "registry:registry_search", "refresh": "registry:registry_refresh",
                  "apply": "registry:registry_apply"}),
    "register": (None, "register:app"),
}
"""The command groups: their help and commands, or the module's own typer app."""


def _load(where: str) -> Any:
    """``"module:name"`` of ``checker.cli``, imported when a command is built (a start imports only its own)."""
    import importlib

    module, _, name = where.partition(":")
    return getattr(importlib.import_module(f"checker.cli.{module}"), name)


def _group(help_text: str | None, commands: dict[str, str] | str) -> typer.Typer:
    if isinstance(commands, str):
        return _load(commands)
    group = typer.Typer(no_args_is_help=True, help=help_text)
    for name, where in commands.items():
        group.command(name)(_load(where))
    return group


def build_app(only: str | None = None) -> typer.Typer:
    """The command line; with ``only``, just that command or group (typer turns every command's signature into
    options when it runs: building the 45 commands for one of them cost a start 0.17 s)."""
    built = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False, help=HELP)
    for name, (help_text, commands) in GROUPS.items():
        if only in (None, name):
            built.add_typer(_group(help_text, commands), name=name)
    for name, where in COMMANDS.items():
        if only in (None, name):
            built.command(name)(_load(where))
    built.callback(invoke_without_command=True)(_root)
    return built


def _invoked(argv: list[str]) -> str | None:
    """The command or group ``argv`` names, skipping the root's options (None: none known, or help asked)."""
    words = iter(argv)
    for word in words:
        if word == "--config":
            next(words, None)
        elif word in COMMANDS or word in GROUPS:
            return word
        elif not word.startswith("-"):
            return None
    return None


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


def __getattr__(name: str) -> Any:
    """``checker.cli.app``: every command (tests and embedding use it; ``main`` builds only the one invoked), made
    on first use."""
    if name == "app":
        globals()["app"] = built = build_app()
        return built
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


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
        # exit codes come back as values; Ctrl-C comes back as 130. The whole app when one was made (or given),
        # else only the command invoked.
        command_line = globals().get("app") or build_app(_invoked(sys.argv[1:]))
        code = command_line(standalone_mode=False)
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
