"""A start builds only the command it runs (typer turns every command's signature into options when it runs), and
every command is still reachable and listed."""

from __future__ import annotations

import subprocess
import sys

import pytest

from checker.cli import COMMANDS, GROUPS, _invoked, build_app


@pytest.mark.parametrize(("argv", "expected"), [
    (["screen", "ACME"], "screen"),
    (["--config", "x.toml", "audit", "f.csv"], "audit"),
    (["--config", "screen", "registry", "list"], "registry"),  # the value of --config is not a command
    (["register", "due"], "register"),
    (["--help"], None),
    (["--version"], None),
    (["nosuch"], None),
    ([], None),
])
def test_the_invoked_command_is_found_past_the_root_options(argv, expected):
    assert _invoked(argv) == expected


def test_a_lean_app_has_one_command_and_the_full_app_all():
    import typer.main

    lean = typer.main.get_command(build_app("screen"))
    assert list(lean.commands) == ["screen"]  # type: ignore[attr-defined]
    full = typer.main.get_command(build_app())
    assert set(full.commands) == set(COMMANDS) | set(GROUPS)  # type: ignore[attr-defined]


def test_help_lists_every_command():
    out = subprocess.run([sys.executable, "-m", "checker", "--help"], capture_output=True, text=True).stdout
    assert all(name in out for name in [*COMMANDS, *GROUPS])
