"""Where the bundled rule sets and registry live, installed or in a source checkout."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent.parent
"""The ``checker`` package folder."""


def bundled_dir(kind: str) -> Path:
    """The bundled ``rules`` or ``vendors`` folder (inside the installed package, else the repo root)."""
    for candidate in (_PACKAGE / kind, _PACKAGE.parent / kind):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled {kind}/ folder not found next to {_PACKAGE}")
