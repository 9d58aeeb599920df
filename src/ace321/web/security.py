"""Who a browser request acts as, and the checks every changing request passes.

- The session cookie (``ace321_session``) is HTTP-only, SameSite=Lax, Secure (see
  ``WebSettings.secure_cookies``); it holds a random token whose hash finds the session row.
- Every POST carries a CSRF token (form field ``csrf_token`` or header ``X-CSRF-Token``): the
  session's own token once signed in; before sign-in, the value of the ``ace321_csrf`` cookie
  (double submit). A request whose ``Origin`` names another site is refused as well.
- Roles: viewer reads; clerk changes shipments, batches and trips; admin also manages users.
"""

from __future__ import annotations

import datetime as dt
import hmac
import secrets
from typing import Annotated
from urllib.parse import quote, urlsplit

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from ace321.storage import Database
from ace321.storage.users import WebUser, session_user

SESSION_COOKIE = "ace321_session"
CSRF_COOKIE = "ace321_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"


class WebError(Exception):
    """A page that cannot be shown or an action refused: rendered as an HTML error page."""

    def __init__(self, status: int, message: str, *, title: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.title = title


class SignInRequired(Exception):
    """No valid session: the browser is sent to the sign-in page."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


def now() -> dt.datetime:
    """The clock: read here, in the delivery layer (tests replace it)."""
    return dt.datetime.now(dt.UTC)


def _lookup(db: Database, token: str, at: dt.datetime) -> WebUser | None:
    with db.reading() as session:
        return session_user(session, token, now=at)


async def optional_user(request: Request) -> WebUser | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token or len(token) > 200:
        return None
    clock = request.app.state.web_clock
    return await run_in_threadpool(_lookup, request.app.state.db, token, clock())


def next_path(request: Request) -> str:
    path = request.url.path
    return path + (f"?{request.url.query}" if request.url.query else "")


async def signed_in(request: Request) -> WebUser:
    user = await optional_user(request)
    if user is None:
        raise SignInRequired(next_path(request))
    request.state.user = user
    return user


def same_origin(request: Request) -> bool:
    """False when the request says it comes from another site (Origin or Sec-Fetch-Site)."""
    origin = request.headers.get("origin")
    if origin and origin != "null":
        parts = urlsplit(origin)
        if parts.netloc != request.headers.get("host", ""):
            return False
    return request.headers.get("sec-fetch-site", "same-origin") in ("same-origin", "none")


async def submitted_token(request: Request) -> str:
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()  # Starlette keeps it for the route's own Form fields
        value = form.get(CSRF_FIELD)
        return value if isinstance(value, str) else ""
    return ""


def csrf_refused() -> WebError:
    return WebError(403, "This form could not be accepted: it has expired or did not come from "
                         "this site. Go back, reload the page and try again.",
                    title="Form refused")


async def checked_user(request: Request, user: Annotated[WebUser, Depends(signed_in)]
                       ) -> WebUser:
    """The signed-in user of a changing request whose CSRF token and origin are right."""
    token = await submitted_token(request)
    if not same_origin(request) or not token or not hmac.compare_digest(
            token.encode(), user.csrf_token.encode()):
        raise csrf_refused()
    return user


def role_check(role: str):  # type: ignore[no-untyped-def]
    """A dependency: a checked user (CSRF, origin) who has at least ``role``."""

    async def check(user: Annotated[WebUser, Depends(checked_user)]) -> WebUser:
        if not user.can(role):
            raise WebError(403, f"Your role ({user.role}) cannot do this; it needs the {role} "
                                "role. Ask an admin of your tenant.", title="Not allowed")
        return user

    return check


def anonymous_csrf(request: Request) -> str:
    """The double-submit token for the sign-in form (a new one when the browser has none)."""
    token = request.cookies.get(CSRF_COOKIE)
    return token if token and 20 <= len(token) <= 100 else secrets.token_urlsafe(32)


def sign_in_url(path: str) -> str:
    return "/sign-in" + (f"?next={quote(path, safe='/')}" if path and path != "/" else "")


Reader = Annotated[WebUser, Depends(signed_in)]
Checked = Annotated[WebUser, Depends(checked_user)]
Clerk = Annotated[WebUser, Depends(role_check("clerk"))]
Admin = Annotated[WebUser, Depends(role_check("admin"))]
