"""Admin: the users and API keys of the admin's own tenant; create and disable users."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from ace321.storage import StorageError
from ace321.storage.users import create_user, disable_user
from ace321.web import views
from ace321.web.security import Admin, Reader, WebError
from ace321.web.templating import render

router = APIRouter()


async def _page(request: Request, user: Reader, status: int = 200, **context: object
                ) -> Response:
    if not user.can("admin"):
        raise WebError(403, f"Your role ({user.role}) cannot see this page; it needs the admin "
                            "role.", title="Not allowed")
    people, keys = await run_in_threadpool(views.tenant_people_and_keys, request.app.state.db,
                                           user)
    return render(request, "admin.html", {"people": people, "keys": keys, **context},
                  status=status)


@router.get("/admin")
async def admin_page(request: Request, user: Reader) -> Response:
    return await _page(request, user, done=request.query_params.get("done"))


@router.post("/admin/users")
async def admin_create_user(request: Request, user: Admin,
                            email: Annotated[str, Form(max_length=320)] = "",
                            role: Annotated[str, Form(max_length=20)] = "clerk",
                            password: Annotated[str, Form(max_length=1024)] = "") -> Response:
    try:
        await run_in_threadpool(lambda: create_user(
            request.app.state.db, email=email, tenant=user.tenant, role=role, password=password,
            actor=user.actor, now=request.app.state.web_clock()))
    except StorageError as error:
        return await _page(request, user, 422, error=str(error), email=email)
    return RedirectResponse("/admin?done=created", status_code=303)


@router.post("/admin/users/disable")
async def admin_disable_user(request: Request, user: Admin,
                             email: Annotated[str, Form(max_length=320)] = "") -> Response:
    try:
        await run_in_threadpool(lambda: disable_user(
            request.app.state.db, email, actor=user.actor, now=request.app.state.web_clock(),
            tenant_id=user.tenant_id))
    except StorageError as error:
        return await _page(request, user, 422, error=str(error))
    return RedirectResponse("/admin?done=disabled", status_code=303)
