"""``install(app)``: the web workspace at ``/`` beside the API at ``/v1``.

Same process, same database (``app.state.db``), same rules; every page is scoped to the signed-in
user's tenant. Assets are served from the package (``/assets``): no CDN, no external fonts.
"""

from __future__ import annotations

from http import HTTPStatus
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ace321.web import security
from ace321.web.security import SignInRequired, WebError
from ace321.web.settings import WebSettings
from ace321.web.templating import is_htmx, render

STATIC = Path(__file__).parent / "static"
API_PREFIXES = ("/v1", "/healthz", "/openapi.json", "/docs")
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")


def is_web_path(path: str) -> bool:
    return not path.startswith(API_PREFIXES)


class SecurityHeaders:
    """Headers of every web response: no framing, a strict content policy, no sniffing."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_web_path(scope["path"]):
            await self.app(scope, receive, send)
            return

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {name.lower() for name, _ in headers}
                extra = {b"content-security-policy": CSP.encode(),
                         b"x-content-type-options": b"nosniff",
                         b"x-frame-options": b"DENY",
                         b"referrer-policy": b"same-origin"}
                if not scope["path"].startswith("/assets/"):
                    extra[b"cache-control"] = b"no-store"
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, sending)


def install(app: FastAPI, settings: WebSettings | None = None) -> None:
    """Add the pages, the assets and the HTML error pages to ``app``."""
    from ace321.web.routes import ROUTERS

    app.state.web_settings = settings or WebSettings()
    if not hasattr(app.state, "web_clock"):
        app.state.web_clock = security.now
    app.mount("/assets", StaticFiles(directory=str(STATIC)), name="assets")
    for router in ROUTERS:
        app.include_router(router, include_in_schema=False)
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(SignInRequired)
    async def _sign_in(request: Request, error: SignInRequired) -> Response:
        target = security.sign_in_url(error.next_path)
        if is_htmx(request):
            return Response(status_code=204, headers={"HX-Redirect": target})
        return RedirectResponse(target, status_code=303)

    @app.exception_handler(WebError)
    async def _web_error(request: Request, error: WebError) -> Response:
        return error_page(request, error.status, error.message, error.title)

    api_http = app.exception_handlers.get(StarletteHTTPException)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, error: StarletteHTTPException) -> Any:
        if api_http is not None and not is_web_path(request.url.path):
            return await api_http(request, error)
        message = {404: "There is no such page here, or it belongs to another tenant.",
                   405: "This page cannot be used that way."}.get(
            error.status_code, error.detail if isinstance(error.detail, str) else "")
        return error_page(request, error.status_code, message)


def error_page(request: Request, status: int, message: str, title: str | None = None
               ) -> Response:
    return render(request, "error.html", {
        "status": status, "title": title or HTTPStatus(status).phrase, "message": message,
    }, status=status)
