"""Requests refused before any route sees them, each with a problem naming the cause (never a 500).

- A control character (NUL above all: PostgreSQL refuses it in text) in the path (404: no id
  has one) or in a query parameter (422): no id, filter or cursor the API hands out holds one.
- A JSON body with a lone surrogate escape (``"\\ud800"``): Python decodes it into a string no
  encoder can write back, so the answer (or the database) would fail later.

Bodies nested too deeply and numbers too long to read are caught where each body is parsed
(``ace321.intake.json_text``, and ``problems`` for the bodies FastAPI parses).
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ace321.api.problems import issue, problem_response
from ace321.intake.json_text import lone_surrogate

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_JSON_MEDIA = re.compile(r"^application/(?:[\w.+-]+\+)?json\b", re.IGNORECASE)
_MAYBE_SURROGATE = re.compile(rb"\\u[dD][89a-fA-F]")


def _control(text: str) -> str | None:
    found = _CONTROL.search(text)
    return None if found is None else f"U+{ord(found.group()):04X}"


def request_problem(scope: Scope) -> tuple[int, str, str, str] | None:
    """(status, field, message, code) when the path or the query holds a control character:
    404 for the path (no id has one), 422 for a query parameter."""
    path = scope.get("path", "")
    bad = _control(path)
    if bad is not None:
        return 404, "path", f"the path holds a control character ({bad}): no id has one", \
            "NOT_FOUND"
    query = scope.get("query_string", b"").decode("latin-1")
    if "%" in query or _CONTROL.search(query):
        for name, value in parse_qsl(query, keep_blank_values=True, errors="replace"):
            bad = _control(name) or _control(value)
            if bad is not None:
                return (422, name if _control(name) is None else "query",
                        f"query parameter {name!r} holds a control character ({bad})",
                        "INVALID_REQUEST")
    return None


class RequestGuardMiddleware:
    """Refuse control characters in the path and query, and lone surrogates in JSON bodies."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        refused = request_problem(scope)
        if refused is not None:
            status, field, message, code = refused
            await self._refuse(scope, receive, send, status, message, code, field)
            return
        media = _header(scope, b"content-type")
        if scope["method"] in ("POST", "PUT", "PATCH") and _JSON_MEDIA.match(media):
            body, tail = await _read_body(receive)
            if _MAYBE_SURROGATE.search(body):
                found = lone_surrogate(body.decode("utf-8", errors="replace"))
                if found is not None:
                    message = (f"body: not valid JSON (lone surrogate {found[1]} at character "
                               f"{found[0]} is not a Unicode character)")
                    await self._refuse(scope, receive, send, 422, message, "INVALID_JSON",
                                       "body")
                    return
            receive = _replay(body, tail, receive)
        await self.app(scope, receive, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, status: int, message: str,
                      code: str, field: str) -> None:
        response = problem_response(Request(scope), status, message, code=code,
                                    issues=[issue(code, message, field=field)])
        await response(scope, receive, send)


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key == name:
            return str(value.decode("latin-1"))
    return ""


async def _read_body(receive: Receive) -> tuple[bytes, list[Message]]:
    """The whole body, and any message received after it (a disconnect) to hand on."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), [message]
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), []


def _replay(body: bytes, tail: list[Message], receive: Receive) -> Receive:
    pending: list[Any] = [{"type": "http.request", "body": body, "more_body": False}, *tail]

    async def replay() -> Message:
        if pending:
            return pending.pop(0)  # type: ignore[no-any-return]
        return await receive()

    return replay
