"""An on-disk cache of compiled knowledge (the loaded registry and rule sets), so that commands start fast.

An entry's key is a SHA-256 of the tool's own code and of every input file's name and bytes, so any
edit to a YAML file or to the code makes a new entry; nothing is ever read stale. Entries are written
to a temporary file and renamed into place, so two processes may fill the cache at once. A missing,
unreadable or corrupt entry is rebuilt from the files. ``SANCTUARY_CHECK_CACHE=off`` turns the cache
off; ``SANCTUARY_CHECK_CACHE=DIR`` moves it (default: ``$XDG_CACHE_HOME/sanctuary-check`` or
``~/.cache/sanctuary-check``). Entries are pickles: the cache folder must be writable only by you.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import TypeVar

from checker import __version__

T = TypeVar("T")
ENV = "SANCTUARY_CHECK_CACHE"
_PACKAGE = Path(__file__).resolve().parent.parent


def _code() -> list[Path]:
    """What builds a cached entry: the model, the knowledge loaders, the matcher and its word lists."""
    return [_PACKAGE / "model.py", *sorted((_PACKAGE / "knowledge").glob("*.py")),
            *sorted((_PACKAGE / "match").glob("*.py")), *sorted((_PACKAGE / "match" / "data").glob("*"))]


def cache_dir() -> Path | None:
    """Where entries live, or None when the cache is off."""
    setting = os.environ.get(ENV, "")
    if setting.lower() in ("off", "0", "no", "false"):
        return None
    if setting:
        return Path(setting)
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(base) / "sanctuary-check"


@cache
def _code_digest() -> str:
    """A digest of the code and data that build entries, so a code change never reads an old entry."""
    h = hashlib.sha256(__version__.encode())
    for path in _code():
        h.update(str(path.relative_to(_PACKAGE)).encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def cached(kind: str, files: Iterable[Path], build: Callable[[], T]) -> T:
    """``build()``'s result for these input files, from the cache when present, else built and stored."""
    folder = cache_dir()
    if folder is None:
        return build()
    h = hashlib.sha256(f"{kind}\0{_code_digest()}".encode())
    for file in files:
        try:
            h.update(str(file.resolve()).encode() + b"\0" + file.read_bytes() + b"\0")
        except OSError:
            return build()  # let the loader report the unreadable file
    entry = folder / f"{kind}-{h.hexdigest()[:32]}.pickle"
    try:
        with entry.open("rb") as fh:
            return pickle.load(fh)
    except FileNotFoundError:
        pass
    except Exception:  # noqa: BLE001 - a corrupt or incompatible entry is rebuilt, never trusted
        pass
    value = build()
    _store(entry, value)
    return value


def _store(entry: Path, value: object) -> None:
    """Write atomically (temporary file, then rename); a cache that cannot be written is skipped."""
    try:
        entry.parent.mkdir(parents=True, exist_ok=True)
        import tempfile  # only when an entry is written

        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=entry.name, suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump(value, fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, entry)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass
