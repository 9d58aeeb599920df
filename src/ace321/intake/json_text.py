"""JSON read from outside (order files, request bodies, CBP responses, trip files), refused with
a cause instead of crashing the reader.

Python's ``json`` accepts or fails badly on three things this rejects as unusable input:
a lone surrogate escape (``"\\ud800"``), which becomes a string no encoder can write back;
nesting deeper than the interpreter's recursion limit (``RecursionError``); and an integer of
more than 4,300 digits (``ValueError`` from the int conversion guard).
"""

from __future__ import annotations

import json
import re
from typing import Any

from ace321.intake.errors import UnusableInput

# An escaped backslash, a well-formed surrogate pair, or a lone surrogate escape (group 1):
# scanning from the left with the first two consumed, a match of the third is really alone.
_ESCAPES = re.compile(r"\\\\|\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}"
                      r"|(\\u[dD][89a-fA-F][0-9a-fA-F]{2})")
_MAYBE_SURROGATE = re.compile(r"\\u[dD][89a-fA-F]")
# Surrogates in text already decoded (a Python str from elsewhere).
SURROGATES = re.compile("[\ud800-\udfff]")


def lone_surrogate(text: str) -> tuple[int, str] | None:
    """(offset, escape) of the first lone surrogate escape in JSON ``text``, or None."""
    if _MAYBE_SURROGATE.search(text) is None:
        return None
    for found in _ESCAPES.finditer(text):
        if found.group(1) is not None:
            return found.start(1), found.group(1)
    return None


def _line_column(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def json_problem(text: str) -> str | None:
    """Why ``text`` is not JSON this product reads (``not valid JSON (...)``), or None."""
    try:
        parse_json_text(text, "")
    except UnusableInput as error:
        return error.cause
    return None


def parse_json_text(text: str, source: str) -> Any:
    """``json.loads`` with every failure an ``UnusableInput`` naming ``source`` and the cause."""
    found = lone_surrogate(text)
    if found is not None:
        line, column = _line_column(text, found[0])
        raise UnusableInput(source, f"not valid JSON (line {line}, column {column}: lone "
                                    f"surrogate {found[1]} is not a Unicode character)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UnusableInput(source, f"not valid JSON (line {error.lineno}, column {error.colno}: "
                                    f"{error.msg})") from None
    except RecursionError:
        raise UnusableInput(source, "not valid JSON: nested too deeply (arrays or objects "
                                    "inside each other hundreds of levels deep)") from None
    except ValueError as error:
        # The interpreter's guard against quadratic int conversion (4,300 digits by default).
        raise UnusableInput(source, f"not valid JSON: a number too long to read ({error})"
                            .split(";")[0] + ")") from None


def parse_json_bytes(data: bytes, source: str) -> Any:
    """UTF-8 bytes (a byte-order mark tolerated) parsed as by ``parse_json_text``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnusableInput(source, f"not UTF-8 text (byte 0x{data[error.start]:02x} at offset "
                                    f"{error.start})") from None
    return parse_json_text(text, source)
