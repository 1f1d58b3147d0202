"""JSON Schema validation of YAML documents, with errors that name the file, line and field.

Besides their form, dates are checked to exist: a schema's ``"format": "date"`` (YYYY-MM-DD) and
``"format": "partial-date"`` (YYYY, YYYY-MM or YYYY-MM-DD) refuse ``2019-02-30``, ``0000-00-00`` or ``2021-13``.
"""

from __future__ import annotations

import json
import re
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
    return cls(s, format_checker=_date_formats())


DATE_FORMATS = {"date": "YYYY-MM-DD", "partial-date": "YYYY, YYYY-MM or YYYY-MM-DD"}
"""The formats the schemas may give a date field, and the forms they allow (for messages)."""
_FULL_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_PARTIAL_DATE = re.compile(r"[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?")


def _date_formats() -> jsonschema.FormatChecker:
    """A format checker that knows only our date formats: a date must exist, not just look like one.

    A value not in the date's form passes here: the schema's ``pattern`` names that problem more clearly.
    """
    import jsonschema

    from checker.knowledge.dates import parse_iso, parse_partial

    checker = jsonschema.FormatChecker(formats=())

    @checker.checks("date", raises=ValueError)
    def full_date(value: object) -> bool:
        return not (isinstance(value, str) and _FULL_DATE.fullmatch(value)) or parse_iso(value) is not None

    @checker.checks("partial-date", raises=ValueError)
    def partial_date(value: object) -> bool:
        if not (isinstance(value, str) and _PARTIAL_DATE.fullmatch(value)):
            return True
        return parse_partial(value) <= parse_partial(value, end=True)

    return checker


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
    if err.validator == "format" and err.validator_value in DATE_FORMATS:
        message = f"{err.instance!r} is not a date that exists ({DATE_FORMATS[err.validator_value]})"
    else:
        message = err.message if len(err.message) < 160 else err.message[:157] + "..."
    raise InputError(doc.path, f"line {doc.line_of(path)}: field {field_name(path)}: {message}")
