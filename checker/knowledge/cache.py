"""An on-disk cache of compiled knowledge (the loaded registry and rule sets), so that commands start fast.

An entry's key is a SHA-256 of the tool's own code and of every input file's name and bytes (or its bytes
alone, for a value that does not depend on where the file is: one registry family), so any edit to a YAML file
or to the code makes a new entry; nothing is ever read stale. Entries are written
to a temporary file and renamed into place, so two processes may fill the cache at once. A missing,
unreadable or corrupt entry, or one that holds something other than what its kind should, is rebuilt from
the files. ``SANCTUARY_CHECK_CACHE=off`` turns the cache off; ``SANCTUARY_CHECK_CACHE=DIR`` moves it (default:
``$XDG_CACHE_HOME/sanctuary-check`` or ``~/.cache/sanctuary-check``).

Entries are pickles, and loading a pickle can run code: the cache is used only when its folder, and each entry,
belongs to the user running the tool and no one else may write to it. The folder is made with mode 0o700;
a folder or entry that fails the check is not read (one warning line on stderr, once per run) and the
knowledge is built from the files instead. Input files that are not regular files (a device, a named pipe)
or are larger than ``MAX_BYTES`` are not hashed: they go to the loaders, which refuse them or read them once.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from checker import __version__
from checker.errors import one_line
from checker.knowledge.yamlsafe import MAX_BYTES

T = TypeVar("T")
ENV = "SANCTUARY_CHECK_CACHE"
_PACKAGE = Path(__file__).resolve().parent.parent

ENTRY_FORMAT = "sanctuary-check-cache-entry/1"
"""The first item of every entry, a tuple ``(ENTRY_FORMAT, kind, value)``: anything else is not an entry."""
UNSAFE_WRITE_BITS = stat.S_IWGRP | stat.S_IWOTH
"""Permission bits that let others change the cache: a folder or entry with either is not used."""

_warned = False
_MISSING = object()


def _code() -> list[Path]:
    """What builds a cached entry: the model, the knowledge loaders, the matcher and its word lists (files only:
    an installed package has a ``__pycache__`` folder beside the data's build scripts)."""
    return [_PACKAGE / "model.py", *sorted((_PACKAGE / "knowledge").glob("*.py")),
            *sorted((_PACKAGE / "match").glob("*.py")),
            *sorted(p for p in (_PACKAGE / "match" / "data").iterdir() if p.is_file() and p.suffix != ".pyc")]


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


def warn(message: str) -> None:
    """One warning line on stderr, at most once per run (later ones are dropped)."""
    global _warned
    if _warned:
        return
    _warned = True
    print(f"sanctuary-check: warning: {one_line(message)}", file=sys.stderr)


def _unsafe(info: os.stat_result, what: str) -> str | None:
    """Why a folder or entry with this status must not be trusted, or None when only this user can write it."""
    if _foreign(info):
        return f"{what} belongs to another user (uid {info.st_uid})"
    if info.st_mode & UNSAFE_WRITE_BITS:
        return f"other users may write to {what} (mode {stat.S_IMODE(info.st_mode):o})"
    return None


def _foreign(info: os.stat_result) -> bool:
    """True when the file belongs to a user other than the one running the tool."""
    return hasattr(os, "getuid") and info.st_uid != os.getuid()


def usable_dir() -> Path | None:
    """The cache folder, made with mode 0o700 if missing; None when the cache is off or the folder is unsafe."""
    folder = cache_dir()
    if folder is None:
        return None
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        link, info = os.lstat(folder), os.stat(folder)
    except OSError:
        return None  # a folder we cannot make or read: run without the cache
    problem = _unsafe(info, "it") if stat.S_ISDIR(info.st_mode) else "it is not a folder"
    if problem is None and stat.S_ISLNK(link.st_mode) and _foreign(link):  # a link's own mode is always 777
        problem = f"it is a symbolic link that belongs to another user (uid {link.st_uid})"
    if problem:
        warn(f"the compiled-knowledge cache {folder} is not used: {problem}; use a folder of your own that only "
             f"you may write to (chmod 700), or set {ENV}=off")
        return None
    return folder


def _file_digest(file: Path, named: bool = True) -> bytes | None:
    """A regular input file's path (when ``named``) and bytes for the key; None for anything else (a device, a
    pipe, too large)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0)  # opening a named pipe must not wait for a writer
    try:
        fd = os.open(file, flags)
    except OSError:
        return None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_BYTES:
            return None
        data = _read_all(fd, info.st_size)
    except OSError:
        return None
    finally:
        os.close(fd)
    if len(data) > MAX_BYTES:
        return None
    return hashlib.sha256((os.path.abspath(file).encode() if named else b"") + b"\0" + data).digest()


def _read_all(fd: int, expected: int) -> bytes:
    """Up to ``MAX_BYTES + 1`` bytes of an open file, read in pieces of the size it was said to have (one read, and
    one that finds its end, unless it grew)."""
    parts = []
    size = 0
    while size <= MAX_BYTES and (part := os.read(fd, min(expected, MAX_BYTES) + 1)):
        parts.append(part)
        size += len(part)
    return b"".join(parts)


def _load(entry: Path, kind: str, expected: type | tuple[type, ...] | None) -> Any:
    """The value held by an entry, or ``_MISSING`` when it is absent, unsafe, corrupt or of the wrong kind."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(entry, flags)
    except FileNotFoundError:
        return _MISSING
    except OSError:  # a symbolic link (ELOOP), or no permission
        warn(f"the compiled-knowledge cache entry {entry} is not used: it is a symbolic link or cannot be read; "
             "it is rebuilt")
        return _MISSING
    info = os.fstat(fd)
    problem = (None if stat.S_ISREG(info.st_mode) else "it is not a regular file") or _unsafe(info, "it")
    if problem:
        os.close(fd)
        warn(f"the compiled-knowledge cache entry {entry} is not used: {problem}; it is rebuilt")
        return _MISSING
    with os.fdopen(fd, "rb") as fh:
        try:
            held = pickle.load(fh)
        except Exception:  # noqa: BLE001 - a corrupt or incompatible entry is rebuilt, never trusted
            return _MISSING
    if not (isinstance(held, tuple) and len(held) == 3 and held[0] == ENTRY_FORMAT and held[1] == kind):
        return _MISSING
    if expected is not None and not isinstance(held[2], expected):
        return _MISSING
    return held[2]


def cached(kind: str, files: Iterable[Path], build: Callable[[], T],
           expected: type | tuple[type, ...] | None = None, named: bool = True) -> T:
    """``build()``'s result for these input files, from the cache when present, else built and stored.

    An entry that is not one this function wrote for ``kind``, or does not hold an instance of ``expected``
    (when given), is rebuilt. With ``named=False`` the key holds the files' bytes but not their names: for a
    value that does not depend on where the files are (the caller puts its own path in what it returns).
    """
    folder = usable_dir()
    if folder is None:
        return build()
    h = hashlib.sha256(f"{kind}\0{_code_digest()}".encode())
    for file in files:
        digest = _file_digest(file, named)
        if digest is None:
            return build()  # let the loader read (or refuse) what cannot be hashed
        h.update(digest)
    entry = folder / f"{kind}-{h.hexdigest()[:32]}.pickle"
    value = _load(entry, kind, expected)
    if value is not _MISSING:
        return value
    value = build()
    _store(entry, kind, value)
    return value


def _store(entry: Path, kind: str, value: object) -> None:
    """Write atomically (temporary file, then rename); a cache that cannot be written is skipped."""
    try:
        import tempfile  # only when an entry is written

        fd, tmp = tempfile.mkstemp(dir=entry.parent, prefix=entry.name, suffix=".tmp")  # mode 0o600
        try:
            with os.fdopen(fd, "wb") as fh:
                pickle.dump((ENTRY_FORMAT, kind, value), fh, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, entry)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError:
        pass
