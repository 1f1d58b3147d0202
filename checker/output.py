"""Write outputs atomically: to a temporary file beside the target, renamed into place when complete."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from checker.errors import InputError


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def open_output(path: str | None, *, binary: bool = False) -> Iterator[TextIO]:
    """Yield a stream for ``path`` (stdout when None); a failed or interrupted run leaves no file."""
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    import tempfile  # only when writing a file

    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    except FileNotFoundError:
        raise InputError(str(target), "the output folder does not exist") from None
    except PermissionError:
        raise InputError(str(target), "the output folder is not writable") from None
    try:
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")) as fh:
            yield fh
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes owner-only files; a report gets the usual mode
        os.replace(tmp, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise InputError(str(target), f"cannot write the output: {exc.strerror or exc}") from None
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def writes_utf8(out: TextIO) -> bool:
    """True when text written to ``out`` is encoded as UTF-8 (so UTF-8 bytes may be written below it)."""
    return (getattr(out, "encoding", None) or "").lower().replace("-", "").replace("_", "") == "utf8"
