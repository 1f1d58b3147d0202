"""Rule sets and registry files: validated at load, errors that name the file, the YAML line and the field."""

from __future__ import annotations

import shutil

import pytest

from checker.errors import InputError
from checker.knowledge.yamlsafe import load_yaml_text

from conftest import ROOT


def test_bundled_rule_sets_validate(cli):
    result = cli("rules", "validate")
    assert result.code == 0, result.err
    assert "ok" in result.out and "berkeley-ca" in result.out and "richmond-ca" in result.out


def test_malformed_rule_set_names_file_line_and_field(cli, tmp_path):
    text = (ROOT / "rules" / "berkeley-ca.yaml").read_text()
    bad = tmp_path / "berkeley-ca.yaml"
    bad.write_text(text.replace("status: enacted", "status: enacted-ish"))
    line = next(i for i, ln in enumerate(bad.read_text().splitlines(), 1) if ln.startswith("status:"))
    result = cli("rules", "validate", str(bad))
    assert result.code == 2
    msg = result.err.strip()
    assert len(msg.splitlines()) == 1
    assert str(bad) in msg and f"line {line}" in msg and "field status" in msg
    assert "Traceback" not in msg


def test_malformed_rule_set_given_to_screen_is_refused(cli, tmp_path):
    text = (ROOT / "rules" / "richmond-ca.yaml").read_text()
    bad = tmp_path / "richmond-ca.yaml"
    bad.write_text(text.replace("  agencies: [ICE]", "  agencies: [ICE, FBI]"))
    result = cli("screen", "X", "--rules", str(bad))
    assert result.code == 2
    assert "field coverage.agencies[1]" in result.err and "'FBI'" in result.err


def test_malformed_registry_names_file_line_and_field(cli, tmp_path):
    reg = tmp_path / "vendors"
    shutil.copytree(ROOT / "vendors", reg)
    f = reg / "palantir.yaml"
    lines = f.read_text().splitlines()
    idx = next(i for i, ln in enumerate(lines) if ln.strip().startswith("category:"))
    lines[idx] = lines[idx].split("category:")[0] + "category: data_brokr"
    f.write_text("\n".join(lines) + "\n")
    result = cli("screen", "Palantir", "--registry", str(reg))
    assert result.code == 2
    msg = result.err.strip()
    assert str(f) in msg and f"line {idx + 1}" in msg and ".category" in msg and "data_brokr" in msg


def test_registry_structure_errors_are_caught(cli, tmp_path):
    reg = tmp_path / "vendors"
    shutil.copytree(ROOT / "vendors", reg)
    f = reg / "palantir.yaml"
    f.write_text(f.read_text().replace("parent: palantir\n", "parent: palantir-inc\n", 1))
    result = cli("registry", "lint", str(reg))
    assert result.code == 2
    assert "unknown entity id 'palantir-inc'" in result.err


def test_bundled_registry_lints_clean(cli):
    result = cli("registry", "lint")
    assert result.code == 0, result.err
    assert "0 errors" in result.out


def test_registry_show_relx_lists_subsidiaries_with_sources(cli):
    out = cli("registry", "show", "relx").out
    assert "Matthew Bender" in out and "LexisNexis Risk Solutions FL Inc." in out
    assert "Evidence:" in out and "70CMSD21C00000001" in out


def test_registry_list_json_exports_every_name(cli):
    data = cli("registry", "list", "--format", "json").json()
    ids = {e["id"] for e in data["entities"]}
    assert {"west-publishing", "palantir-usg", "vigilant-solutions", "appriss-insights"} <= ids
    west = next(e for e in data["entities"] if e["id"] == "west-publishing")
    assert west["family"] == "thomson-reuters" and "WEST PUBLISHING CORPORATION" in west["aliases"]


def test_registry_search_explains_scores(cli):
    out = cli("registry", "search", "CITIES WEST PUBLISHING INC").out
    assert "known decoy" in out


@pytest.mark.parametrize(("text", "fragment"), [
    ("a: !!python/object:os.system x\n", "line 1: YAML tag"),
    ("a: 1\na: 2\n", "line 2: duplicate key 'a'"),
    ("a: [1, 2\n", "not valid YAML"),
    ("base: &b {x: 1}\nother:\n  <<: *b\n", "merge keys"),
])
def test_unsafe_or_broken_yaml_is_refused(text, fragment):
    with pytest.raises(InputError) as exc:
        load_yaml_text(text, "f.yaml")
    assert fragment in str(exc.value)


def test_alias_bomb_is_refused_quickly():
    import time

    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    start = time.perf_counter()
    with pytest.raises(InputError, match="alias bomb"):
        load_yaml_text("\n".join(lines) + "\n", "bomb.yaml")
    assert time.perf_counter() - start < 20  # a guard against expanding it (billions of items), not a speed target


def test_rules_show_marks_unverified_text(cli):
    out = cli("rules", "show", "richmond-ca").out
    assert "NOT verified" in out and "paraphrase" in out
    assert "verified quotation" in cli("rules", "show", "berkeley-ca").out


BROKEN_YAML = ["a: [1, 2", "a: b: c", "- a\nb: 1", "a: 'x", "\tx: 1", "a: 1\n a: 2", "key: \x00", "key: \x07 bell",
               "a: *nope", "{a: 1", "a: !!binary eHg=", "--- a\n--- b", "a: |\n  x\n y", "? [a]\n: 1"]


def _either_parser(text: str, name: str, libyaml: bool):
    """``load_yaml_text`` with its events from libyaml or from PyYAML's own parser: the values and lines, or the
    refusal's line."""
    from checker.knowledge import yamlsafe

    loader = yamlsafe._bounded_loader
    try:
        yamlsafe._bounded_loader = lambda: loader(libyaml)
        doc = load_yaml_text(text, name)
        return doc.data, doc.lines
    except InputError as exc:
        return "refused", str(exc).split(": not valid YAML")[0]
    finally:
        yamlsafe._bounded_loader = loader


def test_libyaml_and_pyyaml_read_every_yaml_file_alike():
    """The loader takes its events from libyaml when PyYAML has it, else from PyYAML's own parser: every YAML file
    of the project (rule sets, their tests, the registry, the hostile corpus) reads the same through both, and
    broken text is refused by both, as one error (a control character too, which PyYAML's parser used to raise
    outside the error handling)."""
    pytest.importorskip("yaml.cyaml", reason="PyYAML was built without libyaml")
    files = [f for folder in ("rules", "rules/tests", "vendors", "checker/register/data", "tests/adversarial")
             for f in sorted((ROOT / folder).glob("*.yaml"))
             if f.name != "rules-yaml-bomb.yaml"]  # a few events, expanded after either parser (0.7 s to refuse)
    assert len(files) > 80
    refused = 0
    for f in files:
        text = f.read_text(encoding="utf-8")
        fast = _either_parser(text, f.name, True)
        assert fast == _either_parser(text, f.name, False), f.name
        refused += fast[0] == "refused"
    assert refused >= 7  # the corpus's nesting, alias and tag attacks
    for text in BROKEN_YAML:
        fast, slow = _either_parser(text, "x.yaml", True), _either_parser(text, "x.yaml", False)
        assert fast[0] == slow[0] == "refused" and fast[1].startswith("x.yaml: line "), (text, fast, slow)
    control = f"a: {'é' * 40}\nb: ok\nkey: \x07 bell\nc: 1\nd: 2\ne: 3\n"  # refused at an offset (libyaml's in bytes)
    assert _either_parser(control, "x.yaml", True) == _either_parser(control, "x.yaml", False) == (
        "refused", "x.yaml: line 3")
