"""Registry entity ids a user names (``--entity``), checked against the registry (the one audits match with)."""

from __future__ import annotations

from checker.errors import InputError
from checker.knowledge.registry import Entity, Registry


def loaded_registry(registry_dir: str | None = None) -> Registry:
    """The registry, from the same on-disk cache entry as the matcher's (built once for both)."""
    from checker.match.matcher import compiled_matcher

    return compiled_matcher(registry_dir).registry


def entity(ident: str, registry_dir: str | None = None) -> Entity:
    """The registry entity ``ident``; an unknown id is one error."""
    found = loaded_registry(registry_dir).entities.get(ident)
    if found is None:
        raise InputError("--entity", f"no registry entity {ident!r}; try `sanctuary-check registry search NAME`")
    return found
