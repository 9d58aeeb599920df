"""Input that cannot be screened at all (as opposed to rows with problems, which are issues)."""

from __future__ import annotations


class UnusableInput(Exception):
    """A file that cannot be read as orders: the CLI prints ``file: cause`` and exits 2."""

    def __init__(self, source: str, cause: str) -> None:
        super().__init__(f"{source}: {cause}")
        self.source = source
        self.cause = cause
