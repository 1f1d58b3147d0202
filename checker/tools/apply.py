"""``registry apply``: write the accepted items of a reviewed refresh file into the registry's family files.

Family files are edited with ruamel.yaml's round-trip mode, which keeps their comments, key order, quoting and
flow style (``{title: …, dataset: D1}``); every bundled file reads back byte for byte unchanged when nothing is
edited (a test checks it). What an item adds is checked against the registry schema first, so that an error
names the review's line; then every family file is written to a scratch copy of the registry, loaded and linted
there, and only when it loads with no lint error that was not there before are the files replaced (each
atomically). Otherwise nothing is written and one line says why.

An item applied before (its award, identifier or value already in the registry) is skipped and said so, so a
review may be applied again. A value the registry no longer has (the ``from`` of a change) refuses the review:
run ``registry refresh`` again.
"""

from __future__ import annotations

import difflib
import io
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from checker.errors import InputError
from checker.knowledge.dates import parse_partial
from checker.knowledge.registry import Registry, build_registry, registry_files
from checker.knowledge.resources import bundled_dir
from checker.knowledge.yamlsafe import LoadedYaml, load_yaml_file

DATE_FIELDS = frozenset({"start", "end", "last_action", "date", "last_verified"})
QUOTED_FIELDS = DATE_FIELDS | {"what", "title", "amount", "summary", "why", "category_why", "recipient", "via"}
"""Fields whose new values are written in double quotes, as the registry's files write them."""
FLOW_MAPPINGS = frozenset({"period", "source"})
"""Mappings written inline (``period: {start: "2021", last_action: "2024"}``); a list of sources holds inline
mappings too."""
FLOW_LISTS = frozenset({"awards", "categories", "agencies", "weak_aliases"})
PLACED_BEFORE = {"amount": "period", "end": "last_action"}
"""A field a change adds goes before this one, in the registry's field order."""
HEADER = """\
Added by `sanctuary-check registry apply` from the refresh review {review} (item {item}) on {day}.
Every field comes from federal award data ({datasets}) and the reviewer's entries: check them against the
sources before relying on the family, and set status: confirmed only when they are.
"""


@dataclass
class Applied:
    """What an apply did (or, with ``dry_run``, would do)."""

    done: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    diff: str = ""
    accepted: int = 0


@cache
def _review_validator() -> Any:
    import jsonschema

    text = resources.files("checker.tools").joinpath("data", "review.schema.json").read_text(encoding="utf-8")
    return jsonschema.Draft202012Validator(json.loads(text))


@cache
def _registry_validator(definition: str) -> Any:
    """A validator for one ``$defs`` entry of the bundled registry schema (``evidence``, ``identifier``…), or
    for the whole family file (``""``)."""
    import jsonschema

    from checker.knowledge.validation import schema

    whole = schema("registry")
    target = whole if not definition else {"$ref": f"#/$defs/{definition}", "$defs": whole.get("$defs", {})}
    return jsonschema.Draft202012Validator(target, format_checker=jsonschema.FormatChecker())


def _schema_error(validator: Any, value: Any) -> tuple[tuple, str] | None:
    """The deepest schema error in ``value`` as (path, message), or None; an empty required text asks to be
    filled in, with what the schema says it is for."""
    errors = list(validator.iter_errors(value))
    if not errors:
        return None
    err = max(errors, key=lambda e: (len(e.absolute_path), -len(str(e.message))))
    if err.validator in ("anyOf", "oneOf", "allOf") and err.context:
        err = max(err.context, key=lambda e: len(e.absolute_path))
    path = tuple(err.absolute_path)
    if err.validator == "minLength" and err.instance == "":
        why = err.schema.get("description") if isinstance(err.schema, dict) else None
        return path, "is empty: fill it in" + (f" ({why})" if why else "")
    message = err.message if len(err.message) < 160 else err.message[:157] + "..."
    return path, message


def _field(path: tuple) -> str:
    from checker.knowledge.validation import field_name

    return field_name(path)


# -- the family files, round trip ------------------------------------------------------------------------------
def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long line: the files keep theirs as written
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


class FamilyFiles:
    """The registry's family files as ruamel documents, loaded when first edited."""

    def __init__(self, registry: Registry, folder: Path) -> None:
        self.registry = registry
        self.folder = folder
        self.yaml = _yaml()
        self.docs: dict[Path, Any] = {}
        self.texts: dict[Path, str] = {}
        self.new: dict[Path, Any] = {}

    def entity(self, entity_id: str) -> tuple[Path, Any]:
        """The file and the ruamel mapping of a registry entity."""
        path = self.folder / Path(self.registry.family_of(entity_id).path).name  # this folder's file, whatever
        doc = self._doc(path)
        for ent in doc.get("entities", ()):
            if ent.get("id") == entity_id:
                return path, ent
        raise InputError(str(path), f"entity {entity_id!r} is not in this file any more; run registry refresh again")

    def _doc(self, path: Path) -> Any:
        if path not in self.docs:
            try:
                text = path.read_text(encoding="utf-8")
                self.texts[path] = text
                self.docs[path] = self.yaml.load(text)
            except (OSError, UnicodeDecodeError, ValueError) as exc:  # ruamel's errors are ValueErrors or YAMLErrors
                raise InputError(str(path), f"cannot be edited: {exc}") from None
            except Exception as exc:  # noqa: BLE001 - a YAML error ruamel raises, named in one line
                raise InputError(str(path), f"cannot be edited: {type(exc).__name__}: {exc}") from None
        return self.docs[path]

    def dump(self, data: Any) -> str:
        out = io.StringIO()
        self.yaml.dump(data, out)
        return out.getvalue()

    def rendered(self) -> dict[Path, str]:
        """The text of every edited or new file."""
        out = {path: self.dump(doc) for path, doc in self.docs.items()}
        out.update({path: self.dump(doc) for path, doc in self.new.items()})
        return {p: t for p, t in out.items() if t != self.texts.get(p)}

    def layout_notes(self) -> list[str]:
        """Files whose layout the round trip would change beyond the edits (not in the registry's usual style)."""
        notes = []
        for path, text in self.texts.items():
            if self.dump(self.yaml.load(text)) != text.rstrip("\n") + "\n":
                notes.append(f"{path.name}: its layout is not the registry's usual one; some lines other than the "
                             "edited ones are rewritten")
        return notes


def _node(value: Any, key: str = "") -> Any:
    """Plain review data as ruamel nodes in the registry's style: sources and periods inline, dates and free text
    in double quotes."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq
    from ruamel.yaml.scalarstring import DoubleQuotedScalarString

    if isinstance(value, dict):
        node = CommentedMap((k, _node(v, k)) for k, v in value.items())
        if key in FLOW_MAPPINGS or key == "sources[]" or key == "identifiers[]":
            node.fa.set_flow_style()
        return node
    if isinstance(value, list):
        seq = CommentedSeq(_node(v, f"{key}[]") for v in value)
        if key in FLOW_LISTS:
            seq.fa.set_flow_style()
        return seq
    if isinstance(value, str) and (key in QUOTED_FIELDS or (key == "value" and value.isdigit())):
        return DoubleQuotedScalarString(value)
    return value


def _same(field_name: str, a: Any, b: Any) -> bool:
    """Whether two values of a field say the same (dates compared as the days they mean)."""
    if a is None or b is None:
        return a is None and b is None
    if field_name in DATE_FIELDS:
        try:
            return parse_partial(str(a), end=True) == parse_partial(str(b), end=True)
        except ValueError:
            return str(a) == str(b)
    return " ".join(str(a).split()) == " ".join(str(b).split())


# -- applying the review ---------------------------------------------------------------------------------------
class Review:
    """A loaded, checked review file with the line of every value."""

    def __init__(self, path: str) -> None:
        self.doc: LoadedYaml = load_yaml_file(path)
        self.path = self.doc.path
        if not isinstance(self.doc.data, dict) or "review" not in self.doc.data:
            raise InputError(self.path, "not a review written by `sanctuary-check registry refresh` (no `review:` "
                                        "field)")
        found = _schema_error(_review_validator(), self.doc.data)
        if found is not None:
            where, message = found
            raise InputError(self.path, f"line {self.doc.line_of(where)}: field {_field(where)}: {message}")

    def fail(self, where: tuple, item: dict, message: str) -> InputError:
        return InputError(self.path, f"line {self.doc.line_of(where)}: item {item.get('id')}: {message}")


def apply_review(review_path: str, registry_dir: str | None = None, *, dry_run: bool = False,
                 today: date | None = None) -> Applied:
    """Write the accepted items of a review into the registry (``registry_dir``, default the bundled one).

    Refuses (an ``InputError``, nothing written) when an item cannot be applied or the registry would not load
    or would gain a lint error.
    """
    from checker.knowledge.registry import load_registry
    from checker.tools.lint import lint_registry

    review = Review(review_path)
    folder = Path(registry_dir) if registry_dir is not None else bundled_dir("vendors")
    registry = load_registry(folder)
    files = FamilyFiles(registry, folder)
    result = Applied()
    day = today or date.today()
    incomplete: list[str] = []
    for section in ("evidence", "ended", "candidates"):
        for i, item in enumerate(review.doc.data.get(section) or ()):
            if item.get("accept") is not True:
                continue
            result.accepted += 1
            where = (section, i)
            if section == "candidates":
                missing = _candidate(review, where, item, files, result, day)
                if missing:
                    incomplete.append(missing)
            elif item["action"] == "add_evidence":
                _add_evidence(review, where, item, files, result)
            elif item["action"] == "update_evidence":
                _update_evidence(review, where, item, files, result)
            else:
                _add_identifier(review, where, item, files, result)
    if incomplete:
        raise InputError(review.path, "accepted candidates need more before they can become families: "
                                      + "; ".join(incomplete))
    texts = files.rendered()
    result.notes = files.layout_notes()
    _check(texts, folder, registry, lint_registry)
    result.files = [str(p) for p in sorted(texts)]
    result.diff = "".join(
        "".join(difflib.unified_diff(files.texts.get(p, "").splitlines(keepends=True), t.splitlines(keepends=True),
                                     str(p) if p in files.texts else "/dev/null", str(p)))
        for p, t in sorted(texts.items()))
    if not dry_run:
        for path, text in sorted(texts.items()):
            try:
                _write_atomically(path, text)
            except OSError as exc:
                written = [Path(p).name for p in result.files if Path(p) < path]
                raise InputError(str(path), f"cannot be written ({exc.strerror or exc}); written before it: "
                                            f"{', '.join(written) or 'none'}") from None
    return result


def _check(texts: dict[Path, str], folder: Path, before: Registry, lint: Any) -> None:
    """Load and lint the registry as it would be, in a scratch copy; an InputError when it would not load or
    would gain a lint error."""
    if not texts:
        return
    scratch = Path(tempfile.mkdtemp(prefix="sanctuary-check-apply-"))
    try:
        for src in folder.glob("*.yaml"):
            shutil.copyfile(src, scratch / src.name)
        for path, text in texts.items():
            (scratch / path.name).write_text(text, encoding="utf-8")

        def real(text: str) -> str:
            return text.replace(str(scratch), str(folder))

        try:
            after = build_registry(registry_files(scratch))
        except InputError as exc:
            raise InputError(real(exc.source), "the registry would not load after applying the review, so nothing "
                                               f"was written: {real(exc.message)}") from None
        known = {_problem_key(p) for p in lint(before)}
        new = [p for p in lint(after) if p.level == "error" and _problem_key(p) not in known]
        if new:
            first = new[0]
            more = f" (and {len(new) - 1} more)" if len(new) > 1 else ""
            raise InputError(str(folder), f"the registry would fail `registry lint` after applying the review, so "
                                          f"nothing was written: {real(first.where)}: {first.message}{more}")
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def _problem_key(problem: Any) -> tuple[str, str, str]:
    """A lint problem without the folder of the file it names (the scratch copy and the registry compare)."""
    path, _, rest = problem.where.partition(":")
    return problem.level, Path(path).name + rest, problem.message


def _write_atomically(path: Path, text: str) -> None:
    from checker.files import temp_prefix

    fd, tmp = tempfile.mkstemp(prefix=temp_prefix("." + path.stem + "-"), suffix=".yaml", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        if path.exists():
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _entity(review: Review, where: tuple, item: dict, files: FamilyFiles) -> tuple[Path, Any]:
    entity_id = item["entity"]
    if entity_id not in files.registry.entities:
        raise review.fail(where + ("entity",), item, f"entity {entity_id!r} is not in the registry")
    return files.entity(entity_id)


def _valid(review: Review, where: tuple, item: dict, definition: str, value: Any) -> None:
    found = _schema_error(_registry_validator(definition), value)
    if found is not None:
        path, message = found
        raise review.fail(where + path, item, f"{_field(where[2:] + path)} {message}"
                          if message.startswith("is empty") else f"field {_field(where[2:] + path)}: {message}")


def _add_evidence(review: Review, where: tuple, item: dict, files: FamilyFiles, result: Applied) -> None:
    evidence = item["evidence"]
    _valid(review, where + ("evidence",), item, "evidence", evidence)
    path, ent = _entity(review, where, item, files)
    listed = {a for ev in ent.get("evidence") or () for a in ev.get("awards") or ()}
    already = [a for a in evidence.get("awards", ()) if a in listed]
    if already and len(already) == len(evidence.get("awards", ())):
        result.skipped.append(f"{item['id']}: {item['entity']} already lists {', '.join(already)}")
        return
    if already:
        raise review.fail(where + ("evidence", "awards"), item, f"{', '.join(already)} already listed for "
                                                                f"{item['entity']}: remove them from this item")
    _list(ent, "evidence", before=("notes",)).append(_node(evidence))
    result.done.append(f"{item['id']}: added evidence to {item['entity']} ({path.name})")


def _update_evidence(review: Review, where: tuple, item: dict, files: FamilyFiles, result: Applied) -> None:
    path, ent = _entity(review, where, item, files)
    award = item["award"]
    found = [ev for ev in ent.get("evidence") or () if award in (ev.get("awards") or ())]
    if len(found) > 1:
        found = [ev for ev in found if _same("what", ev.get("what"), item.get("what"))] or found[:0]
    if len(found) != 1:
        raise review.fail(where + ("award",), item, f"no single evidence item of {item['entity']} lists {award}"
                                                    f"{' with this what' if item.get('what') else ''}; the registry "
                                                    "changed since the review: run registry refresh again")
    ev = found[0]
    _valid(review, where + ("source",), item, "source", item["source"])
    applied = []
    for name, change in item["changes"].items():
        holder = ev if name == "amount" else ev.get("period")
        current = holder.get(name) if holder is not None else None
        if _same(name, current, change["to"]):
            continue
        if not _same(name, current, change["from"]):
            raise review.fail(where + ("changes", name, "from"), item,
                              f"the registry's {name} is now {current!r}, not {change['from']!r}: run registry "
                              "refresh again")
        if change["to"] is None:
            holder.pop(name, None)
        elif name not in holder and PLACED_BEFORE.get(name) in holder:
            holder.insert(list(holder.keys()).index(PLACED_BEFORE[name]), name, _node(change["to"], name))
        else:
            holder[name] = _node(change["to"], name)
        applied.append(name)
    if not applied:
        result.skipped.append(f"{item['id']}: {item['entity']} ({award}) already says this")
        return
    _add_source(ev, item["source"])
    result.done.append(f"{item['id']}: updated {', '.join(applied)} of {item['entity']} ({award}, {path.name})")


def _add_source(ev: Any, source: dict) -> None:
    """The source of a change, unless one of the same dataset and award is there (whose date is then moved on)."""
    sources = _list(ev, "sources")
    for existing in sources:
        if existing.get("award") == source.get("award") and existing.get("dataset") == source.get("dataset") and \
                existing.get("url", source.get("url")) == source.get("url"):
            if source.get("date") and existing.get("date") and \
                    parse_partial(str(existing["date"])) < parse_partial(source["date"]):
                existing["date"] = _node(source["date"], "date")  # the same record, read later
            return
    sources.append(_node(source, "sources[]"))


def _add_identifier(review: Review, where: tuple, item: dict, files: FamilyFiles, result: Applied) -> None:
    ident = item["identifier"]
    _valid(review, where + ("identifier",), item, "identifier", ident)
    path, ent = _entity(review, where, item, files)
    for existing in ent.get("identifiers") or ():
        if existing.get("type") == ident["type"] and str(existing.get("value")) == str(ident["value"]):
            result.skipped.append(f"{item['id']}: {item['entity']} already has {ident['type']} {ident['value']}")
            return
    _list(ent, "identifiers", before=("sources", "evidence", "notes")).append(_node(ident, "identifiers[]"))
    result.done.append(f"{item['id']}: added {ident['type']} {ident['value']} to {item['entity']} ({path.name})")


def _list(mapping: Any, key: str, before: tuple[str, ...] = ()) -> Any:
    """The list under ``key`` of a ruamel mapping, made (placed before the first of ``before`` present) if absent."""
    from ruamel.yaml.comments import CommentedSeq

    if mapping.get(key) is None:
        keys = list(mapping.keys())
        at = next((keys.index(k) for k in before if k in keys), len(keys))
        if key in keys:
            mapping[key] = CommentedSeq()
        else:
            mapping.insert(at, key, CommentedSeq())
    return mapping[key]


SLUG = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


def _candidate(review: Review, where: tuple, item: dict, files: FamilyFiles, result: Applied, day: date) -> str:
    """Make an accepted candidate a new family file; what is missing, if the reviewer has not filled it in."""
    fam = item["new_family"]
    needed = ("family", "summary", "category") + (("category_why",) if "category_why" in _evidence_fields() else ())
    missing = [name for name in needed if not str(fam.get(name) or "").strip()]
    if missing:
        return (f"item {item['id']} ({item['vendor']}, line {review.doc.line_of(where + ('new_family',))}): fill in "
                + ", ".join(f"new_family.{m}" for m in missing))
    family = fam["family"].strip()
    if not SLUG.fullmatch(family):
        raise review.fail(where + ("new_family", "family"), item, f"new_family.family {family!r} is not a slug "
                                                                  "(lowercase words joined by -, e.g. geo-group)")
    path = files.folder / f"{family}.yaml"
    if family in files.registry.families or path.exists() or path in files.new:
        raise review.fail(where + ("new_family", "family"), item, f"family {family!r} exists already ({path.name})")
    wanted = fam.get("evidence_awards") or [a["award"] for a in item["awards"]]
    by_id = {a["award"]: a for a in item["awards"]}
    unknown = [a for a in wanted if a not in by_id]
    if unknown:
        raise review.fail(where + ("new_family", "evidence_awards"), item, f"{', '.join(unknown)} not among the "
                                                                           "item's awards")
    data = _family_data(item, fam, family, [by_id[a] for a in wanted], day)
    found = _schema_error(_registry_validator(""), data)
    if found is not None:
        path_in, message = found
        raise review.fail(where + ("new_family",), item, f"the new family would not be valid: field "
                                                         f"{_field(path_in)}: {message}")
    node = _node(data)
    datasets = sorted({d for a in by_id.values() for d in a.get("datasets", ())})
    node.yaml_set_start_comment(HEADER.format(review=Path(review.path).name, item=item["id"], day=day.isoformat(),
                                              datasets=", ".join(datasets) or "award data"))
    files.new[path] = node
    result.done.append(f"{item['id']}: new family {family} ({path.name}) with {len(wanted)} evidence items")
    return ""


def _family_data(item: dict, fam: dict, family: str, awards: list[dict], day: date) -> dict:
    """A family file's data from a candidate: one root entity, its names, identifiers, sources and evidence."""
    category = fam["category"].strip()
    why = " ".join(str(fam["category_why"]).split())
    name = fam.get("name") or item["vendor"]
    aliases = [a for a in dict.fromkeys(fam.get("aliases") or ()) if a]
    cited = [a["source"] for a in awards if isinstance(a.get("source"), dict)]
    first_source = cited[0] if cited else {"title": f"federal award {awards[0]['award']}", "award": awards[0]["award"]}
    identifiers = []
    for kind, values in (item.get("identifiers") or {}).items():
        for value in values:
            column = {"uei": "recipient_uei", "duns": "recipient_duns", "cage": "cage_code"}.get(kind, kind)
            src = {k: v for k, v in first_source.items() if k in ("dataset", "award", "url")}
            identifiers.append({"type": kind, "value": str(value),
                                "source": {"title": f"award rows ({column})", **src}})
    entity: dict[str, Any] = {"id": family, "name": name, "relation": "parent"}
    if aliases:
        entity["aliases"] = aliases
    entity["categories"] = [category]
    entity["agencies"] = sorted({a["agency"] for a in awards})
    if identifiers:
        entity["identifiers"] = identifiers
    entity["sources"] = [dict(first_source)]
    entity["evidence"] = [_candidate_evidence(a, category, why, item["vendor"]) for a in awards]
    return {"schema_version": 1, "family": family, "status": fam.get("status") or "unconfirmed",
            "last_verified": day.isoformat(), "summary": " ".join(str(fam["summary"]).split()), "entities": [entity]}


def _candidate_evidence(award: dict, category: str, why: str, vendor: str) -> dict:
    source = dict(award["source"]) if isinstance(award.get("source"), dict) else \
        {"title": f"federal award {award['award']}", "award": award["award"]}
    datasets = "/".join(award.get("datasets") or ())
    out: dict[str, Any] = {
        "what": award["what"], "agency": award["agency"], "category": category, "category_why": why,
        "awards": [award["award"]],
        "award_keys": {award["award"]: award["award_key"]} if award.get("award_key") else None,
        "recipient": vendor,
        "amount": f"obligated {award['obligated']} ({datasets}, {award['first_action']} to {award['last_action']})",
        "period": {"start": award["first_action"], "last_action": award["last_action"]},
        "confidence": "high", "sources": [source]}
    fields = _evidence_fields()
    return {k: v for k, v in out.items() if v is not None and (k in fields or not fields)}


def _evidence_fields() -> frozenset[str]:
    """The fields an evidence item may have, as the registry schema says today."""
    from checker.knowledge.validation import schema

    return frozenset(schema("registry").get("$defs", {}).get("evidence", {}).get("properties", {}))
