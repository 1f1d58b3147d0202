"""The one error type users see: bad input, named by file and place, exit code 2."""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any


class InputError(Exception):
    """A problem with a file or argument the user gave us; rendered as one line on stderr."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message

    def __reduce__(self) -> tuple:
        """Picklable, so that an error found in a worker process reaches the user unchanged."""
        return (InputError, (self.source, self.message))


def open_input(path: Path | str, what: str, mode: str = "r", **kwargs: Any) -> IO[Any]:
    """Open a file the user named; a missing file, a folder or no permission is one InputError.

    ``what`` names the expected kind in the message ("a CSV file").
    """
    p = Path(path)
    try:
        return p.open(mode, **kwargs)
    except FileNotFoundError:
        raise InputError(str(p), "no such file") from None
    except IsADirectoryError:
        raise InputError(str(p), f"is a directory, not {what}") from None
    except PermissionError:
        raise InputError(str(p), "cannot be read (permission denied)") from None
