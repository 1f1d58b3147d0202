"""The project file on the command line: ``init`` writes one; the root ``--config`` option reads one into click's
``default_map``, so that its keys become each command's defaults and flags still win.

Typer 0.27 carries its own copy of click (older ones use click): nothing here imports click; commands, options and
contexts are read by their attributes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from checker.errors import InputError
from checker.project import FILE_NAME, Project, city_rule_set, find_project, project_text

META_KEY = "sanctuary-check.project"
"""Where the root context keeps the project file in use (``current_project``)."""


def init(
    city: Annotated[str, typer.Option("--city", help="The city whose rule set applies: berkeley, oakland or "
                                                    "richmond (any city of an enacted bundled rule set).")],
    path: Annotated[str, typer.Option("--file", help="Where to write it.")] = FILE_NAME,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
) -> None:
    """Write a project file (sanctuary-check.toml) for CITY: its rule sets and, commented, the other keys."""
    from checker.formats.output import open_output

    rule_set = city_rule_set(city)
    target = Path(path)
    if target.exists() and not force:
        raise InputError(path, "already exists; pass --force to overwrite it")
    with open_output(path) as out:
        out.write(project_text(city.strip().lower(), rule_set))
    typer.echo(f"Wrote {path}: rule set {rule_set}. Edit it to add waivers, decisions and a default output.",
               err=True)


def format_names() -> set[str]:
    """Every format any command writes (what ``output.format`` may name)."""
    from checker.compare.writers import FORMATS
    from checker.formats import KINDS

    return {name for names in KINDS.values() for name in names} | set(FORMATS)


def config_defaults(project: Project, command: Any) -> dict[str, Any]:
    """The project's keys as click's ``default_map`` for ``command`` (the root command: ``ctx.command``), e.g.
    ``{"audit": {"rules": ["berkeley-ca"], "waivers": "/p/w.yaml", "fmt": "html"}, "register": {...}}``.

    Each command gets a key only when it has an option of that name that can take the value: ``rules`` a list
    for ``--rules`` that repeats, the one id for a ``--rules`` that takes one; ``fmt`` only where the format
    is one of the command's ``--format`` choices. Built from the options themselves, so a new command gets the
    project's defaults without a change here.
    """
    if isinstance(getattr(command, "commands", None), dict):  # a group
        nested = {name: config_defaults(project, sub) for name, sub in command.commands.items()}
        return {name: value for name, value in nested.items() if value}
    values: dict[str, Any] = {}
    for param in command.params:
        if getattr(param, "param_type_name", None) != "option" or param.name is None:
            continue
        value = _value_for(project, param)
        if value is not None:
            values[param.name] = value
    return values


def _value_for(project: Project, param: Any) -> Any:
    """The project's value for one option, in the form the option takes (None: the project has none for it)."""
    simple = {"waivers": project.waivers, "decisions": project.decisions, "registry": project.registry,
              "db": project.register}
    if param.name in simple:
        return simple[param.name]
    if param.name == "rules" and project.rules:
        if param.multiple:
            return list(project.rules)
        return project.rules[0] if len(project.rules) == 1 else None
    if param.name == "fmt" and project.output_format:
        choices = getattr(param.type, "choices", None)
        return project.output_format if choices is not None and project.output_format in choices else None
    return None


def apply_project(ctx: typer.Context, explicit: str | None) -> Project | None:
    """In the root callback: find the project file (``--config`` or the working directory's), keep it for
    ``current_project`` and make its keys the defaults of every command. ``init`` reads none (it may be
    replacing a broken one)."""
    if ctx.invoked_subcommand == "init":
        return None
    project = find_project(Path.cwd(), explicit, format_names)
    ctx.meta[META_KEY] = project
    if project is not None:
        ctx.default_map = config_defaults(project, ctx.command)
    return project


def current_project(ctx: typer.Context | None) -> Project | None:
    """The project file the command of ``ctx`` uses (None: none, or no context)."""
    return ctx.find_root().meta.get(META_KEY) if ctx is not None else None
