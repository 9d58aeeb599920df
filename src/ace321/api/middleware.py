"""ASGI middleware: request body limit (413) and request metrics."""

from __future__ import annotations

import time
from typing import Any

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ace321.api.metrics import Metrics
from ace321.api.problems import problem_response


class _TooLarge(HTTPException):
    """Raised while the body is read; an HTTPException so the framework answers 413 with it."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body is larger than {limit} bytes",
                         headers={"Connection": "close"})


class BodyLimitMiddleware:
    """Refuse bodies over ``limit`` bytes: by Content-Length, and by counting streamed bytes."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > self.limit:
                    await self._refuse(scope, receive, send)
                    return
        received = 0
        started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:
                    raise _TooLarge(self.limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except _TooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        from starlette.requests import Request

        response = problem_response(
            Request(scope), 413, f"the request body is larger than {self.limit} bytes",
            headers={"Connection": "close"})
        await response(scope, receive, send)


class MetricsMiddleware:
    """Count requests and time them by route template (not by raw path, to bound labels)."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            route: Any = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            if template != "unmatched" and not template.startswith("/v1") and str(
                    scope.get("path", "")).startswith("/v1/"):
                template = "/v1" + template  # routes of included routers carry no prefix
            self.metrics.observe_request(scope["method"], template, status,
                                         time.perf_counter() - start)
