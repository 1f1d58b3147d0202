"""Write outputs atomically (to a temporary file beside the target, renamed into place when complete), and write
many findings' rows fast (``write_judged_rows``)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from checker.errors import InputError

if TYPE_CHECKING:
    from checker.models import Finding, Judgement

BLOCK_BYTES = 1 << 20
"""Bytes of rows gathered before one write, when rows are written as bytes."""


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
                      judged: Callable[[Judgement], str], name: str, first: str = "", between: str = "") -> int:
    """Write each finding as ``own(finding)`` followed by ``judged(judgement)``, the part that rows sharing a
    judgement share (``first`` before the first row, ``between`` before each other); how many rows.

    When ``out`` is a UTF-8 text file over a binary buffer (a file or stdout), rows go to the buffer as
    bytes in large blocks, each judgement's part encoded once (kept in ``Judgement.rendered[name]``): the
    same bytes, written faster.
    """
    binary = utf8_buffer(out)
    count = 0
    if binary is None:
        for f in findings:
            out.write((between if count else first) + own(f) + judged(f.judgement))
            count += 1
        return count
    out.flush()  # what the text layer holds goes first
    block = bytearray()
    for f in findings:
        block += ((between if count else first) + own(f)).encode("utf-8")
        j = f.judgement
        encoded = j.rendered.get(name)  # Judgement.rendering, inline: this loop runs once per row of the report
        if encoded is None:
            encoded = j.rendered[name] = judged(j).encode("utf-8")
        block += encoded  # type: ignore[operator]
        count += 1
        if len(block) >= BLOCK_BYTES:
            binary.write(block)
            block = bytearray()
    binary.write(block)
    return count
