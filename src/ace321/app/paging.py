"""Opaque cursors for paged lists: the sort key of the last item of a page, base64url JSON."""

from __future__ import annotations

import base64
import json

from ace321.app.errors import InvalidInput, problem


def encode_cursor(key: list[str]) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> list[str]:
    """The key of ``size`` texts a cursor holds; ``InvalidInput`` naming ``cursor`` otherwise."""
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if (isinstance(value, list) and len(value) == size
                and all(isinstance(v, str) for v in value)):
            return value
    except (ValueError, UnicodeDecodeError):
        pass
    raise InvalidInput("cursor: not a cursor this API returned", problems=[
        problem("INVALID_REQUEST", "cursor", "not a cursor this API returned")])
