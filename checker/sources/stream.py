"""Open an input the user named and measure the bytes read from it: a file, a named pipe, or standard input (``-``).

``open_bytes`` refuses what cannot be an input (a folder, a device, a terminal) with one clear line, and opens a
file, a pipe or standard input once, as a stream: nothing is read twice, so a pipe works like a file. The stream
it gives (``Measured``) hashes every byte as it is read (the provenance of what was judged), notes whether a
NUL byte went past, and stops a line longer than ``MAX_LINE`` bytes before it can fill memory.

Files whose readers need to seek (workbooks, Parquet) are hashed when opened instead, and ``Fingerprint`` checks
at the end that they did not change while they were read.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
import sys
from pathlib import Path

from checker.errors import InputError

MAX_LINE = 64 * 1024 * 1024
"""Longest line read, in bytes (a row of a CSV export is a few hundred): a longer one is refused, not buffered."""
STDIN = "-"


class Measured(io.RawIOBase):
    """A binary stream that hashes what is read through it, notes NUL bytes and bounds the length of a line."""

    def __init__(self, raw: io.RawIOBase | io.BufferedIOBase, name: str, head: bytes = b"",
                 max_line: int = MAX_LINE) -> None:
        self.raw = raw
        self.name = name
        self.head = head  # bytes already read from ``raw`` (to sniff the file), given back first
        self.max_line = max_line
        self.hasher = hashlib.sha256()
        self.nul_seen = False
        self.read_bytes = 0
        self.lines = 0  # line breaks read so far
        self._run = 0  # bytes since the last line break

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # noqa: ANN001 - a writable buffer
        view = memoryview(buffer)
        if self.head:
            n = min(len(view), len(self.head))
            view[:n] = self.head[:n]
            self.head = self.head[n:]
        else:
            n = self.raw.readinto(view)  # type: ignore[attr-defined]
            if not n:
                return 0
        block = bytes(view[:n])
        self.hasher.update(block)
        self.read_bytes += n
        if not self.nul_seen and b"\x00" in block:
            self.nul_seen = True
        last = max(block.rfind(b"\n"), block.rfind(b"\r"))
        if last < 0:
            self._run += n
        else:
            first = min(i for i in (block.find(b"\n"), block.find(b"\r")) if i >= 0)
            if self._run + first > self.max_line:  # the line that ends in this block
                self._run += first
            else:
                self.lines += block.count(b"\n") or block.count(b"\r")
                self._run = n - last - 1
        if self._run > self.max_line:
            raise InputError(self.name, f"line {self.lines + 1} is longer than {self.max_line:,} bytes: not a "
                                        "table this tool can read (a binary file, or a device?)")
        return n

    def sha256(self) -> str:
        """The SHA-256 of every byte read so far."""
        return self.hasher.hexdigest()

    def close(self) -> None:
        try:
            self.raw.close()
        finally:
            super().close()


def open_bytes(path: str | Path, what: str) -> tuple[io.RawIOBase | io.BufferedIOBase, bool]:
    """A binary stream for an input and whether it is a regular file (which may be read again or in parts).

    ``-`` is standard input. A named pipe is read once; a folder, a device or a terminal is refused.
    """
    name = str(path)
    if name == STDIN:
        if sys.stdin is None or sys.stdin.isatty():
            raise InputError("-", f"standard input is a terminal: pipe {what} into it, or name a file")
        return sys.stdin.buffer, False
    p = Path(path)
    try:
        info = os.stat(p)
    except FileNotFoundError:
        raise InputError(name, "no such file") from None
    except PermissionError:
        raise InputError(name, "cannot be read (permission denied)") from None
    except OSError as exc:
        raise InputError(name, f"cannot be read ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise InputError(name, f"is a directory, not {what}")
    if not (stat.S_ISREG(info.st_mode) or stat.S_ISFIFO(info.st_mode)):
        raise InputError(name, f"is a device, not {what}: name a file, or pipe it into standard input (-)")
    try:
        fh = open(p, "rb", buffering=0)  # noqa: SIM115 - the caller closes it
    except PermissionError:
        raise InputError(name, "cannot be read (permission denied)") from None
    except OSError as exc:
        raise InputError(name, f"cannot be read ({exc.strerror or exc})") from None
    return fh, stat.S_ISREG(info.st_mode)


class Fingerprint:
    """A regular file's SHA-256, read once when opened, and a check that it has not changed since."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self._stat = self._identity()
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                h.update(block)
        self.digest = h.hexdigest()
        if self._identity() != self._stat:
            raise InputError(self.path, "the file changed while it was read: audit it again once it is written")

    def _identity(self) -> tuple[int, int, int, int]:
        info = os.stat(self.path)
        return info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns

    def unchanged(self) -> str:
        """The SHA-256, once the file has been read; an InputError when it changed meanwhile."""
        if self._identity() != self._stat:
            raise InputError(self.path, "the file changed while it was read: audit it again once it is written")
        return self.digest
