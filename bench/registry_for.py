"""Write this registry in the form an older build reads, so that both builds are benchmarked on the same knowledge.

An older build reads its own bundled registry, which knows fewer families: on the bench file (whose names
include this registry's) it matches and flags fewer rows, so a build-to-build ratio would mix the code's speed
with the registry's growth. This script copies each family file of a registry folder, keeping only the fields
the older build's registry schema allows (``additionalProperties: false``); a source with neither a URL, an award
nor a dataset (an unverified report, allowed since) is given ``https://example.invalid/`` so that the older
schema accepts it. Files that are not families (no ``family`` key, e.g. ``datasets.yaml``) are left out. Every
written file is validated against the older schema; exit 2 if one is not accepted.

    python bench/registry_for.py OLD_SCHEMA.json vendors/ OUT_DIR/
    python bench/bench.py --baseline OLD/bin/sanctuary-check --baseline-registry OUT_DIR/

``OLD_SCHEMA.json`` is the older build's ``checker/schemas/registry.schema.json`` (in its installed package).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import jsonschema
import yaml

PLACEHOLDER_URL = "https://example.invalid/"
SOURCE_KEYS = ("url", "award", "dataset")


def pruned(value: Any, schema: dict, defs: dict) -> Any:
    """``value`` with every key the schema does not allow removed, recursively (``$ref`` followed)."""
    while "$ref" in schema:
        schema = defs[schema["$ref"].rsplit("/", 1)[-1]]
    if isinstance(value, dict) and "properties" in schema:
        props = schema["properties"]
        if schema.get("additionalProperties") is False:
            value = {k: v for k, v in value.items() if k in props}
        if "anyOf" in schema and "title" in props and not any(k in value for k in SOURCE_KEYS):
            value["url"] = PLACEHOLDER_URL  # a source of the newer kind: unverified, without a link
        return {k: pruned(v, props[k], defs) if k in props else v for k, v in value.items()}
    if isinstance(value, list) and isinstance(schema.get("items"), dict):
        return [pruned(v, schema["items"], defs) for v in value]
    return value


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("schema", type=Path, help="the older build's registry.schema.json")
    ap.add_argument("registry", type=Path, help="this registry's folder (vendors/)")
    ap.add_argument("out", type=Path, help="folder to write the older form into")
    args = ap.parse_args(argv)
    schema = json.loads(args.schema.read_text(encoding="utf-8"))
    defs = schema.get("$defs", schema.get("definitions", {}))
    validator = jsonschema.Draft202012Validator(schema)
    args.out.mkdir(parents=True, exist_ok=True)
    written, refused = 0, 0
    for path in sorted(args.registry.glob("*.yaml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if not isinstance(doc, dict) or "family" not in doc:
            continue
        doc = pruned(doc, schema, defs)
        errors = list(validator.iter_errors(doc))
        for error in errors[:3]:
            where = "/".join(map(str, error.absolute_path)) or "(top)"
            print(f"{path}: {where}: {error.message[:200]}", file=sys.stderr)
        refused += bool(errors)
        (args.out / path.name).write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True), encoding="utf-8")
        written += 1
    print(f"{written} families written to {args.out}" + (f"; {refused} not accepted by the schema" if refused else ""))
    return 2 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
