"""Sign in and sign out."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from ace321.storage.users import sign_in, sign_out
from ace321.web import security
from ace321.web.security import CSRF_COOKIE, SESSION_COOKIE, Checked, csrf_refused
from ace321.web.templating import render

router = APIRouter()


def _safe_next(target: str | None) -> str:
    # Only a path of this site: never another host (an open redirect).
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _sign_in_page(request: Request, *, email: str = "", error: str | None = None,
                  status: int = 200) -> Response:
    token = security.anonymous_csrf(request)
    response = render(request, "sign_in.html", {
        "anonymous_csrf": token, "email": email, "error": error,
        "next": _safe_next(request.query_params.get("next")),
    }, status=status)
    settings = request.app.state.web_settings
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict",
                        secure=settings.secure_cookies, path="/")
    return response


@router.get("/sign-in")
async def sign_in_form(request: Request) -> Response:
    if await security.optional_user(request) is not None:
        return RedirectResponse(_safe_next(request.query_params.get("next")), status_code=303)
    return _sign_in_page(request)


@router.post("/sign-in")
async def sign_in_submit(
    request: Request,
    email: Annotated[str, Form(max_length=320)] = "",
    password: Annotated[str, Form(max_length=1024)] = "",
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not csrf_token or not security.same_origin(request) or \
            not hmac.compare_digest(cookie.encode(), csrf_token.encode()):
        raise csrf_refused()
    db = request.app.state.db
    settings = request.app.state.web_settings
    done = await run_in_threadpool(sign_in, db, email, password,
                                   now=request.app.state.web_clock(),
                                   hours=settings.session_hours)
    if done is None:
        return _sign_in_page(request, email=email, status=401,
                             error="The email or the password is not right, or the user is "
                                   "disabled.")
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(SESSION_COOKIE, done.token, httponly=True, samesite="lax",
                        secure=settings.secure_cookies, path="/",
                        max_age=int(settings.session_hours * 3600))
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


@router.post("/sign-out")
async def sign_out_submit(request: Request, user: Checked) -> Response:
    token = request.cookies.get(SESSION_COOKIE, "")
    await run_in_threadpool(sign_out, request.app.state.db, token,
                            now=request.app.state.web_clock())
    response = RedirectResponse("/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
