"""A city's own contract-action words, mapped to the tool's actions (``--action-map FILE``).

The file is YAML: one ``VALUE: ACTION`` per line (``PO: purchase_order``, ``Change Order: amended``), read once and
bounded like every knowledge file; an ACTION that is none of ``model.ACTIONS`` is refused with its line.
"""

from __future__ import annotations

from pathlib import Path

from checker.errors import InputError
from checker.knowledge.yamlsafe import load_yaml_file
from checker.sources.actions import checked_action


def load_action_map(path: Path | str) -> dict[str, str]:
    """The mapping in a YAML file, each value checked."""
    doc = load_yaml_file(path)
    if not isinstance(doc.data, dict) or not doc.data:
        raise InputError(doc.path, "line 1: an action map is a YAML mapping of VALUE: ACTION lines")
    mapping: dict[str, str] = {}
    for value, action in doc.data.items():
        where = f"line {doc.line_of((value,))}"
        if not isinstance(value, (str, int)) or not isinstance(action, str):
            raise InputError(doc.path, f"{where}: {value!r}: {action!r} is not VALUE: ACTION (both text)")
        mapping[str(value)] = checked_action(action, f"{doc.path}: {where}", str(value))
    return mapping
