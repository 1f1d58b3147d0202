"""JSON Schema validation of YAML documents, with errors that name the file, line and field."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any

from checker.errors import InputError
from checker.knowledge.yamlsafe import LoadedYaml


@cache
def schema(name: str) -> dict[str, Any]:
    """A bundled JSON Schema by file stem, e.g. ``registry`` or ``ruleset``."""
    text = resources.files("checker.knowledge.schemas").joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    return json.loads(text)


if TYPE_CHECKING:
    import jsonschema


@cache
def _validator(name: str) -> jsonschema.protocols.Validator:
    import jsonschema  # imported when first needed: a warm start (compiled cache) never validates

    s = schema(name)
    cls = jsonschema.validators.validator_for(s)
    return cls(s)


def field_name(path: tuple[str | int, ...] | list[str | int]) -> str:
    """``('entities', 2, 'aliases', 0)`` → ``entities[2].aliases[0]``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(document)"


def validate(doc: LoadedYaml, schema_name: str) -> None:
    """Raise InputError for the first (deepest-path) schema error in ``doc``."""
    errors = list(_validator(schema_name).iter_errors(doc.data))
    if not errors:
        return
    err = max(errors, key=lambda e: (len(e.absolute_path), -len(str(e.message))))
    if err.validator in ("anyOf", "oneOf", "allOf") and err.context:
        err = max(err.context, key=lambda e: len(e.absolute_path))
    path = tuple(err.absolute_path)
    message = err.message if len(err.message) < 160 else err.message[:157] + "..."
    raise InputError(doc.path, f"line {doc.line_of(path)}: field {field_name(path)}: {message}")
