"""The one place where input the commands could not use becomes ``error: FILE: cause``, exit 2.

Every command runs inside ``GuardedGroup.invoke``. A reader that knows the file raises
``UnusableInput``; the few failures Python raises itself on hostile input are caught here too,
so a user never sees a traceback for them:

- an ``OSError`` naming a file (``--output`` into a missing folder or onto a folder, an
  unreadable input);
- ``RecursionError`` (data nested thousands of levels deep);
- ``UnicodeError`` (a lone surrogate that slipped through to an encoder).

Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from ace321.cli import console as ui
from ace321.intake.errors import UnusableInput

EXIT_UNUSABLE = 2


def describe(error: BaseException) -> str | None:
    """The one line for an error that means unusable input, or None for a bug."""
    if isinstance(error, UnusableInput):
        return str(error)
    if isinstance(error, OSError) and error.filename is not None:
        reason = error.strerror or type(error).__name__
        return f"{os.fsdecode(error.filename)}: cannot use this path ({reason})"
    if isinstance(error, RecursionError):
        return "input nested too deeply (arrays or objects inside each other thousands of " \
               "levels deep)"
    if isinstance(error, UnicodeError):
        return f"text that is not valid Unicode ({error})"
    return None


class GuardedGroup(TyperGroup):
    """The ``ace321`` command group: unusable input is one line on stderr and exit 2."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (UnusableInput, OSError, RecursionError, UnicodeError) as error:
            message = describe(error)
            if message is None:
                raise
            ui.error(message)
            raise typer.Exit(EXIT_UNUSABLE) from None


def writable_file(path: Path, option: str) -> None:
    """Refuse, before any work, an output file that cannot be written where it is named."""
    if not str(path).strip():
        raise UnusableInput(repr(str(path)), f"{option} needs a file name")
    if path.is_dir():
        raise UnusableInput(str(path), f"{option} names a folder, not a file")
    parent = path.parent
    if not parent.is_dir():
        raise UnusableInput(str(path), f"{option}: the folder {str(parent)!r} does not exist")


def output_folder(text: str, option: str) -> Path:
    """The folder an option names; an empty name (``--out ''``) is refused, never ``.``."""
    if not text.strip():
        raise UnusableInput(repr(text), f"{option} needs a folder name ('' is none)")
    return Path(text)
