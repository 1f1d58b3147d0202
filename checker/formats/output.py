"""Write outputs atomically (to a temporary file beside the target, renamed into place when complete), and write
many findings' rows as bytes in large blocks (``write_judged_rows``)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from checker.errors import InputError, printable
from checker.files import TEMP_MARK, remove_leftovers, temp_prefix

if TYPE_CHECKING:
    from checker.model import Finding, Judgement

_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
"""How a temporary output file is made: new (never an existing file or link), closed in child processes."""

BLOCK_CHARS = 1 << 20
"""Characters of rows gathered before one write, when rows are written as bytes."""


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@contextlib.contextmanager
def open_output(path: str | None, *, binary: bool = False, inputs: Iterable[str] = ()) -> Iterator[TextIO]:
    """Yield a stream for ``path`` (stdout when None), under one contract for every output:

    - a regular file (or a new one) is written to a temporary file beside it and renamed into place when
      complete: a failed or interrupted run leaves the previous file as it was, and no temporary file;
    - a symbolic link is followed: the file it points to is replaced that way;
    - a device or a named pipe (``/dev/null``, a FIFO) is written into, never replaced;
    - one of the run's ``inputs`` is never written over; a folder, or a file name the system refuses, is one
      clear error.
    Temporary files that killed runs of this tool left beside the output are removed first.
    """
    if path is None:
        yield sys.stdout
        sys.stdout.flush()
        return
    try:
        target = Path(os.path.realpath(path))  # a symbolic link is followed
        for source in inputs:
            if source != "-" and _same_file(target, source):
                raise InputError(path, f"is the input file {source}: choose another --output")
        if target.is_dir():
            raise InputError(path, "is a directory: --output needs a file name")
        special = target.exists() and not target.is_file()
    except OSError as exc:  # a name too long, a file where a folder should be…
        raise InputError(path, f"cannot write the output: {exc.strerror or exc}") from None
    if special:
        yield from _into_special(path, target, binary)
        return
    yield from _atomically(path, target, binary)


def _same_file(target: Path, source: str) -> bool:
    try:
        return target.exists() and os.path.samefile(target, source)
    except OSError:
        return False


def _into_special(path: str, target: Path, binary: bool) -> Iterator[TextIO]:
    """Write straight into a device or a named pipe (it is never replaced)."""
    import stat

    if stat.S_ISSOCK(target.stat().st_mode):
        raise InputError(path, "is a socket: --output needs a file, a device or a named pipe")
    try:
        fh = open(target, "wb") if binary else open(target, "w", encoding="utf-8", newline="")  # noqa: SIM115
    except OSError as exc:
        raise InputError(path, f"cannot write the output: {exc.strerror or exc}") from None
    try:
        with fh:
            yield fh  # type: ignore[misc]
    except OSError as exc:
        raise InputError(path, f"cannot write the output: {exc.strerror or exc}") from None


def _atomically(path: str, target: Path, binary: bool) -> Iterator[TextIO]:
    """Write a temporary file beside the target and rename it into place when complete."""
    import secrets  # here: a screen or a report to standard output never needs it

    folder = target.parent
    remove_leftovers(folder, f".{target.name[:80]}.{TEMP_MARK}-")
    # The name is chosen before the file is made, so an interrupt at any moment after os.open can remove it.
    tmp = str(folder / f"{temp_prefix(f'.{target.name[:80]}.')}{secrets.token_hex(6)}.tmp")
    try:
        fd = os.open(tmp, _NEW_FILE, 0o600)
        with (os.fdopen(fd, "wb") if binary else os.fdopen(fd, "w", encoding="utf-8", newline="")) as fh:
            yield fh
        os.chmod(tmp, 0o666 & ~_umask())  # a new file is owner-only until complete; a report gets the usual mode
        os.replace(tmp, target)
    except FileExistsError:  # only os.open raises it (os.replace overwrites): the file is not ours to remove
        raise InputError(path, "cannot write the output: a temporary file of that name exists") from None
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, FileNotFoundError) and not folder.is_dir():
            raise InputError(path, "the output folder does not exist") from None
        if isinstance(exc, PermissionError) and not os.access(folder, os.W_OK):
            raise InputError(path, "the output folder is not writable") from None
        raise InputError(path, f"cannot write the output: {exc.strerror or exc}") from None
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


class Printable:
    """A text stream that writes control characters as visible escapes (line breaks and tabs kept), so that text
    from a file (a vendor name) can never drive the terminal that shows it."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, text: str) -> int:
        return self.out.write(printable(text))

    def flush(self) -> None:
        self.out.flush()
