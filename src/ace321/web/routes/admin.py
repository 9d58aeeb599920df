"""Admin: the users and API keys of the admin's own tenant; create and disable users; the
tenant's Shopify settings and exchange rates (through ``ace321.app.settings``, the functions of
``PUT /v1/settings/shopify`` and ``PUT /v1/rates``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import UploadFile

from ace321.app import settings
from ace321.app.errors import AppError, InvalidInput
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
    db = request.app.state.db
    people, keys = await run_in_threadpool(views.tenant_people_and_keys, db, user)
    shopify, rates = await run_in_threadpool(lambda: (
        settings.get_shopify_settings(db, tenant=user.tenant),
        settings.get_rates(db, tenant=user.tenant)))
    return render(request, "admin.html", {
        "people": people, "keys": keys, "shopify": shopify, "rates": rates.document()["rates"],
        "rates_meta": rates, "shipper_fields": settings.SHIPPER_FIELDS, **context},
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


async def _file(request: Request, field: str) -> tuple[bytes, str] | None:
    """The bytes and name of the form's file ``field``; None when no file was chosen."""
    form = await request.form(max_files=1, max_fields=20)
    upload = form.get(field)
    if not isinstance(upload, UploadFile) or not upload.filename:
        return None
    return await upload.read(), upload.filename[:200]


@router.post("/admin/shopify")
async def admin_shopify(request: Request, user: Admin) -> Response:
    """Save the catalog (a new CSV file, else the one saved) and the shipper: what
    ``PUT /v1/settings/shopify`` does."""
    db = request.app.state.db
    form = await request.form(max_files=1, max_fields=20)
    shipper = {name: text.strip() for name in settings.SHIPPER_FIELDS
               if isinstance(text := form.get(f"shipper_{name}"), str) and text.strip()}
    chosen = await _file(request, "catalog")
    try:
        if chosen is not None:
            try:
                catalog = chosen[0].decode("utf-8-sig")
            except UnicodeDecodeError:
                raise InvalidInput(f"catalog: {chosen[1]} is not UTF-8 text") from None
        else:
            catalog = (await run_in_threadpool(
                settings.get_shopify_settings, db, tenant=user.tenant)).catalog or ""
            if not catalog:
                raise InvalidInput("catalog: choose the product catalog CSV file "
                                            "(sku,hts_code,country_of_origin)")
        await run_in_threadpool(lambda: settings.put_shopify_settings(
            db, tenant=user.tenant, actor=user.actor, now=request.app.state.web_clock(),
            catalog=catalog, shipper=shipper))
    except AppError as error:
        return await _page(request, user, 422, error=error.message, shipper_form=shipper)
    return RedirectResponse("/admin?done=shopify#shopify", status_code=303)


@router.post("/admin/rates")
async def admin_rates(request: Request, user: Admin) -> Response:
    """Replace the tenant's exchange rates with a ``--rates`` file: what ``PUT /v1/rates``
    does."""
    db = request.app.state.db
    chosen = await _file(request, "rates")
    try:
        if chosen is None:
            raise InvalidInput("rates: choose the rates CSV file "
                                        "(date,currency,usd_per_unit)")
        data, name = chosen
        await run_in_threadpool(lambda: settings.put_rates(
            db, tenant=user.tenant, actor=user.actor, now=request.app.state.web_clock(),
            rates=settings.rates_from_csv(data, name)))
    except AppError as error:
        return await _page(request, user, 422, error=error.message)
    # POST /v1/screen keeps rates a short while per process: this process sees them now.
    request.app.state.rate_cache.forget(user.tenant)
    return RedirectResponse("/admin?done=rates#rates", status_code=303)
