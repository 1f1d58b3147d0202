"""Write outputs atomically (to a temporary file beside the target, renamed into place when complete), and write
many findings' rows as bytes in large blocks (``write_judged_rows``)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from checker.errors import InputError

if TYPE_CHECKING:
    from checker.model import Finding, Judgement

BLOCK_CHARS = 1 << 20
"""Characters of rows gathered before one write, when rows are written as bytes."""


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


def utf8_buffer(out: TextIO):
    """``out``'s binary buffer when text written to it is UTF-8 with line breaks as they are, else None."""
    if not writes_utf8(out) or os.linesep != "\n" or getattr(out, "errors", "strict") != "strict":
        return None
    return getattr(out, "buffer", None)


def write_judged_rows(findings: Iterable[Finding], out: TextIO, own: Callable[[Finding], str],
                      judged: Callable[[Judgement], str], first: str = "", between: str = "") -> int:
    """Write each finding as ``own(finding)`` followed by ``judged(judgement)``, the part that rows sharing a
    judgement share (``first`` before the first row, ``between`` before each other); how many rows. ``judged``
    should remember its answers (``rendered.PerJudgement``).

    When ``out`` is a UTF-8 text file over a binary buffer (a file or stdout), rows go to the buffer as
    bytes in large blocks: the same bytes, written faster.
    """
    binary = utf8_buffer(out)
    count = 0
    if binary is None:
        for f in findings:
            out.write((between if count else first) + own(f) + judged(f.judgement))
            count += 1
        return count
    out.flush()  # what the text layer holds goes first
    parts: list[str] = []
    size = 0
    for f in findings:
        own_text = (between if count else first) + own(f)
        shared = judged(f.judgement)
        parts.append(own_text)
        parts.append(shared)
        size += len(own_text) + len(shared)
        count += 1
        if size >= BLOCK_CHARS:
            binary.write("".join(parts).encode("utf-8"))
            parts.clear()
            size = 0
    binary.write("".join(parts).encode("utf-8"))
    return count
