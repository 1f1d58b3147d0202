"""The one error type users see: bad input, named by file and place, exit code 2."""

from __future__ import annotations


class InputError(Exception):
    """A problem with a file or argument the user gave us; rendered as one line on stderr."""

    def __init__(self, source: str, message: str) -> None:
        super().__init__(f"{source}: {message}")
        self.source = source
        self.message = message

    def __reduce__(self) -> tuple:
        """Picklable, so that an error found in a worker process reaches the user unchanged."""
        return (InputError, (self.source, self.message))
