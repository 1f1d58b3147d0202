"""The project file sanctuary-check.toml: init, finding it, line-precise errors, and defaults that flags override."""

from __future__ import annotations

import subprocess
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import pytest
import typer

from checker.cli.project import apply_project, config_defaults, current_project, init
from checker.cli.run import audit
from checker.errors import InputError
from checker.project import (
    FILE_NAME,
    KEYS,
    Project,
    city_rule_set,
    default_rules_hint,
    find_project,
    key_lines,
    known_cities,
    output_path,
    project_line,
    project_text,
    read_project,
)

from conftest import ROOT

EXAMPLE = ROOT / "examples" / "city-payments.csv"


class Fmt(str, Enum):
    table = "table"
    html = "html"


def tiny_app(seen: list) -> typer.Typer:
    """A root ``--config`` option wired as the tool will wire it, a command with the real option kinds (a
    repeatable ``--rules``, path options, a ``--format`` choice), a register-like group whose ``--rules`` takes
    one id, ``init`` and the real ``audit``."""
    app = typer.Typer(add_completion=False)
    register = typer.Typer()
    app.add_typer(register, name="register")

    @app.callback()
    def root(ctx: typer.Context, config: Annotated[Optional[str], typer.Option("--config")] = None) -> None:
        apply_project(ctx, config)

    @app.command()
    def check(ctx: typer.Context,
              rules: Annotated[Optional[list[str]], typer.Option("--rules")] = None,
              waivers: Annotated[Optional[str], typer.Option("--waivers")] = None,
              decisions: Annotated[Optional[str], typer.Option("--decisions")] = None,
              fmt: Annotated[Fmt, typer.Option("--format")] = Fmt.table) -> None:
        seen.append({"rules": rules, "waivers": waivers, "decisions": decisions, "fmt": fmt.value,
                     "project": current_project(ctx)})

    @register.command()
    def determine(rules: Annotated[str, typer.Option("--rules")] = "none",
                  db: Annotated[str, typer.Option("--db")] = "sanctuary-register.sqlite") -> None:
        seen.append({"rules": rules, "db": db})

    app.command()(init)
    app.command()(audit)
    return app


@pytest.fixture
def run(cli, monkeypatch):
    """``sanctuary-check ARGS`` through the real entry point, with the tiny app; returns (result, what ran)."""
    import checker.cli

    seen: list = []
    monkeypatch.setattr(checker.cli, "app", tiny_app(seen))

    def call(*args: str):
        seen.clear()
        result = cli(*args)
        return result, (seen[0] if seen else None)

    return call


def write(folder: Path, text: str) -> Path:
    path = folder / FILE_NAME
    path.write_text(text, encoding="utf-8")
    return path


def test_flags_override_the_file_and_the_file_overrides_built_in_defaults(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result, seen = run("check")
    assert result.code == 0, result.err
    assert seen == {"rules": None, "waivers": None, "decisions": None, "fmt": "table", "project": None}
    write(tmp_path, 'rules = ["berkeley-ca"]\nwaivers = "w/waivers.yaml"\n[output]\nformat = "html"\n')
    result, seen = run("check")
    assert seen["rules"] == ["berkeley-ca"] and seen["fmt"] == "html"
    assert seen["waivers"] == str(tmp_path / "w" / "waivers.yaml") and seen["decisions"] is None
    assert seen["project"].path == tmp_path / FILE_NAME
    result, seen = run("check", "--rules", "oakland-ca", "--rules", "richmond-ca", "--format", "table",
                       "--waivers", "mine.yaml")
    assert seen == {"rules": ["oakland-ca", "richmond-ca"], "waivers": "mine.yaml", "decisions": None,
                    "fmt": "table", "project": seen["project"]}
    # A group's command gets the keys its own options take: one rule set for a --rules that takes one.
    write(tmp_path, 'rules = ["berkeley-ca"]\nregister = "db/register.sqlite"\n')
    result, seen = run("register", "determine")
    assert seen == {"rules": "berkeley-ca", "db": str(tmp_path / "db" / "register.sqlite")}
    write(tmp_path, 'rules = ["berkeley-ca", "oakland-ca"]\n')
    result, seen = run("register", "determine")
    assert seen["rules"] == "none"  # two rule sets cannot default a --rules that takes one


def test_config_names_a_file_elsewhere_and_paths_are_read_from_its_folder(run, tmp_path, monkeypatch):
    elsewhere = tmp_path / "city"
    elsewhere.mkdir()
    write(elsewhere, 'decisions = "decisions.yaml"\nrules = ["../custom/rules.yaml"]\n')
    work = tmp_path / "work"
    work.mkdir()
    write(work, 'rules = ["oakland-ca"]\n')  # the working directory's file is not read when --config is given
    monkeypatch.chdir(work)
    result, seen = run("--config", str(elsewhere / FILE_NAME), "check")
    assert result.code == 0, result.err
    assert seen["decisions"] == str(elsewhere / "decisions.yaml")
    assert seen["rules"] == [str(tmp_path / "custom" / "rules.yaml")]
    result, _ = run("--config", str(tmp_path / "none.toml"), "check")
    assert result.code == 2
    assert result.err == f"sanctuary-check: error: --config {tmp_path / 'none.toml'}: no such file\n"


def test_the_real_audit_takes_its_rule_sets_and_format_from_the_file(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, 'rules = ["berkeley-ca"]\n[output]\nformat = "json"\n')
    result, _ = run("audit", str(EXAMPLE), "--as-of", "2026-11-23", "--quiet")
    assert result.code == 0, result.err
    doc = result.json()
    assert doc["summary"]["rule_sets"] == ["berkeley-ca"] and doc["summary"]["default_rule_sets"] is False
    result, _ = run("audit", str(EXAMPLE), "--as-of", "2026-11-23", "--quiet", "--rules", "oakland-ca")
    assert result.json()["summary"]["rule_sets"] == ["oakland-ca"]


@pytest.mark.parametrize(("text", "message"), [
    ('rules = ["berkeley-ca"]\n\nrule = ["x"]\n', "line 3: unknown key 'rule' (known keys: rules, waivers"),
    ('waivers = "w.yaml"\nrules = "berkeley-ca"\n',
     "line 2: rules must be a list of rule set ids or paths, e.g. [\"berkeley-ca\"], not 'berkeley-ca' (a string)"),
    ('rules = []\n', "line 1: rules must be a list of rule set ids or paths"),
    ('decisions = 3\n', "line 1: decisions must be the path of a YAML file of match decisions, not 3 (a number)"),
    ('rules = [\n  "berkeley-ca",\n  "berkley-ca",\n]\n', "line 1: unknown rule set 'berkley-ca'; available:"),
    ('# comment\n[output]\nformat = "htm"\n', "line 3: output.format 'htm' is not a format; use one of csv, html"),
    ('[output]\nfolder = "r"\ncolour = "red"\n', "line 3: unknown key 'output.colour'"),
    ('output = "reports"\n', "line 1: unknown key 'output'"),
    ('rules = ["berkeley-ca"\nwaivers = "x"\n', "line 2: "),
    ('rules = ["berkeley-ca"]\noutput = {format = "html", size = 3}\n', "line 2: unknown key 'output.size'"),
    ('[output]\nformat = true\n', "line 2: output.format must be a format name, e.g. \"html\", not true (a boolean)"),
])
def test_mistakes_are_named_by_line_and_exit_2(run, tmp_path, monkeypatch, text, message):
    monkeypatch.chdir(tmp_path)
    write(tmp_path, text)
    result, seen = run("check")
    assert result.code == 2 and seen is None
    assert result.err.startswith(f"sanctuary-check: error: {FILE_NAME} {message}"), result.err
    assert result.err.count("\n") == 1


def test_a_syntax_error_names_its_line_and_column(tmp_path):
    path = write(tmp_path, 'rules = ["berkeley-ca"]\nwaivers "w.yaml"\n')
    with pytest.raises(InputError) as caught:
        read_project(path, shown=FILE_NAME)
    assert caught.value.source == f"{FILE_NAME} line 2"
    assert "(column 9): not valid TOML" in caught.value.message


def test_key_lines_follow_tables_dotted_keys_and_multi_line_values():
    text = ('# top\nrules = [\n  "a",  # [x]\n  "b",\n]\nwaivers = """\nx = 1\n"""\n'
            'output.folder = "r"\n[output]\nformat = "html"\n')
    assert key_lines(text) == {"rules": 2, "waivers": 6, "output.folder": 9, "output": 10, "output.format": 11}


def test_init_writes_a_commented_file_and_refuses_to_overwrite(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result, _ = run("init", "--city", "Berkeley")
    assert result.code == 0, result.err
    text = (tmp_path / FILE_NAME).read_text()
    project = read_project(tmp_path / FILE_NAME)
    assert project.rules == ("berkeley-ca",) and project.waivers is None
    for key in KEYS:  # every key is explained, and the optional ones are there to uncomment
        assert f"{key.split('.')[-1]} = " in text
    assert text.count("\n# ") > 15
    result, _ = run("init", "--city", "oakland")
    assert result.code == 2 and "already exists; pass --force to overwrite it" in result.err
    assert read_project(tmp_path / FILE_NAME).rules == ("berkeley-ca",)
    (tmp_path / FILE_NAME).write_text("broken = [")  # init --force replaces even a file that does not read
    result, _ = run("init", "--city", "richmond", "--force")
    assert result.code == 0, result.err
    assert read_project(tmp_path / FILE_NAME).rules == ("richmond-ca",)
    result, _ = run("init", "--city", "fresno")
    assert result.code == 2
    assert result.err == ("sanctuary-check: error: --city: unknown city 'fresno'; known from the bundled rule sets: "
                          "berkeley, oakland, richmond\n")


def test_cities_come_from_the_bundled_enacted_rule_sets():
    assert known_cities() == {"berkeley": "berkeley-ca", "oakland": "oakland-ca", "richmond": "richmond-ca"}
    assert city_rule_set("berkeley-ca") == "berkeley-ca"
    for city, rule_set in known_cities().items():
        text = project_text(city, rule_set)
        assert f'rules = ["{rule_set}"]' in text and f"init --city {city}" in text


def test_find_project(tmp_path):
    assert find_project(tmp_path) is None
    write(tmp_path, "")
    assert find_project(tmp_path) == Project(path=(tmp_path / FILE_NAME).resolve())
    with pytest.raises(InputError, match="is not a file"):
        find_project(tmp_path, str(tmp_path))


def test_provenance_hint_and_output_path(tmp_path):
    project = Project(path=tmp_path / FILE_NAME, output_folder=str(tmp_path / "out" / "reports"))
    assert project_line(project) == f"Project file: {tmp_path / FILE_NAME}"
    assert project_line(project, shareable=True) == f"Project file: {FILE_NAME}"
    hint = default_rules_hint()
    assert hint.startswith("sanctuary-check: no --rules and no sanctuary-check.toml: every enacted rule set applies "
                           "(berkeley-ca, oakland-ca, richmond-ca)")
    assert "`sanctuary-check init --city berkeley` (or oakland, richmond)" in hint
    assert "rules key in" in default_rules_hint(project)
    assert output_path(project, "june", "html") == str(tmp_path / "out" / "reports" / "june.html")
    assert (tmp_path / "out" / "reports").is_dir()
    assert output_path(None, "june", "html") is None
    assert output_path(Project(path=tmp_path / FILE_NAME), "june", "markdown") is None


def test_config_defaults_shape(tmp_path):
    import typer.main

    project = Project(path=tmp_path / FILE_NAME, rules=("berkeley-ca",), waivers="/w.yaml", output_format="html")
    defaults = config_defaults(project, typer.main.get_command(tiny_app([])))
    assert defaults["check"] == {"rules": ["berkeley-ca"], "waivers": "/w.yaml", "fmt": "html"}
    assert defaults["register"] == {"determine": {"rules": "berkeley-ca"}}
    assert defaults["audit"]["fmt"] == "html" and defaults["audit"]["rules"] == ["berkeley-ca"]
    assert "init" not in defaults



def test_python_m_checker_init_end_to_end(tmp_path):
    def tool(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "checker", *args], capture_output=True, text=True, cwd=tmp_path)

    done = tool("init", "--city", "berkeley")
    assert done.returncode == 0, done.stderr
    assert tool("init", "--city", "berkeley").returncode == 2
    done = tool("audit", str(EXAMPLE), "--as-of", "2026-11-23", "--format", "json", "--quiet")
    assert done.returncode == 0, done.stderr
    import json

    report = json.loads(done.stdout)
    assert report["summary"]["rule_sets"] == ["berkeley-ca"]
    assert report["provenance"]["project"] == str(tmp_path / FILE_NAME)  # the report says which file it used
    (tmp_path / FILE_NAME).write_text('rules = ["berkeley-ca"]\nwaiver = "w.yaml"\n')
    done = tool("audit", str(EXAMPLE))
    assert done.returncode == 2 and done.stderr.startswith(f"sanctuary-check: error: {FILE_NAME} line 2: unknown key")
