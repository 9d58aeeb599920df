"""Per-tenant settings: ``GET|PUT /v1/settings/shopify`` (catalog and shipper for Shopify
exports) and ``GET|PUT /v1/rates`` (dated exchange rates)."""

from __future__ import annotations

import functools
import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from ace321.api.deps import Admin, DbDep, NowDep, Viewer
from ace321.api.problems import ApiProblem, issue
from ace321.api.responses import problems
from ace321.api.schemas.settings import (
    RatesPublic,
    ShopifySettingsCreate,
    ShopifySettingsPublic,
)
from ace321.app import settings

router = APIRouter(tags=["settings"])
_EXAMPLE_RATES = "date,currency,usd_per_unit\n2026-11-01,CAD,0.7150\n2026-11-20,CAD,0.7163\n"
_RATES_BODY = {
    "required": True,
    "description": "Every rate of the tenant (replacing those stored): the `--rates` CSV "
                   "(`date,currency,usd_per_unit`) or JSON `{\"rates\": [{\"date\", "
                   "\"currency\", \"usd_per_unit\"}]}` (`usd_per_unit` as text or number).",
    "content": {
        "text/csv": {"schema": {"type": "string"}, "example": _EXAMPLE_RATES},
        "application/json": {"schema": {"type": "object", "required": ["rates"], "properties": {
            "rates": {"type": "array", "items": {"type": "object", "properties": {
                "date": {"type": "string", "format": "date"},
                "currency": {"type": "string"},
                "usd_per_unit": {"type": ["string", "number"]}}}}}},
            "example": {"rates": [{"date": "2026-11-01", "currency": "CAD",
                                   "usd_per_unit": "0.7150"}]}},
    },
}


@router.get("/settings/shopify", response_model=ShopifySettingsPublic,
            responses=problems(401), summary="The tenant's Shopify settings")
def get_shopify(caller: Viewer, db: DbDep) -> JSONResponse:
    """The product catalog and the shipper used for Shopify order exports (nulls when not set)."""
    return JSONResponse(settings.get_shopify_settings(db, tenant=caller.tenant).document())


@router.put("/settings/shopify", response_model=ShopifySettingsPublic,
            responses=problems(401, 403, 413, 422), summary="Set the Shopify settings (admins)")
async def put_shopify(body: ShopifySettingsCreate, caller: Admin, db: DbDep,
                      now: NowDep) -> JSONResponse:
    """Replace the catalog (the CSV of `--catalog`: `sku,hts_code,country_of_origin[,weight,
    weight_unit]`) and the shipper (the fields of `--shipper`, as `examples/shipper.yaml`)
    used when a Shopify "Export orders" CSV is uploaded to `POST /v1/batches`."""
    done = await run_in_threadpool(functools.partial(
        settings.put_shopify_settings, db, tenant=caller.tenant, actor=caller.actor, now=now,
        catalog=body.catalog, shipper=body.shipper))
    return JSONResponse(done.document())


@router.get("/rates", response_model=RatesPublic, responses=problems(401),
            summary="The tenant's exchange rates")
def get_rates(caller: Viewer, db: DbDep) -> JSONResponse:
    """Every stored rate, by currency then date."""
    return JSONResponse(settings.get_rates(db, tenant=caller.tenant).document())


def _rates(media: str, data: bytes) -> Any:
    if media in ("text/csv", "application/csv", "text/plain"):
        return settings.rates_from_csv(data)
    if media == "application/json" or media.endswith("+json"):
        try:
            document = json.loads(data.decode("utf-8-sig"), parse_float=str)
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ApiProblem(422, f"body: not valid JSON ({error})", code="INVALID_JSON",
                             issues=[issue("INVALID_JSON", "not valid JSON", field="body")]
                             ) from None
        rows = document.get("rates") if isinstance(document, dict) else None
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            message = 'a list of {"date", "currency", "usd_per_unit"}'
            raise ApiProblem(422, f"rates: {message}", code="INVALID_REQUEST",
                             issues=[issue("INVALID_REQUEST", message, field="rates")])
        return settings.rates_from_rows(rows)
    raise ApiProblem(415, f"Content-Type {media or '(none)'!r} is not accepted: send text/csv "
                          "or application/json", code="UNSUPPORTED_MEDIA_TYPE")


@router.put("/rates", response_model=RatesPublic, responses=problems(401, 403, 413, 415, 422),
            openapi_extra={"requestBody": _RATES_BODY}, summary="Set the exchange rates (admins)")
async def put_rates(request: Request, caller: Admin, db: DbDep, now: NowDep) -> JSONResponse:
    """Replace every exchange rate of the tenant. A non-USD line then uses the latest rate of its
    currency dated on or before its arrival date (the rule of `--rates`), in `POST /v1/screen`,
    `POST /v1/batches` and `POST /v1/trips`; none is `NO_EXCHANGE_RATE`."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    rates = await run_in_threadpool(_rates, media, await request.body())
    done = await run_in_threadpool(functools.partial(
        settings.put_rates, db, tenant=caller.tenant, actor=caller.actor, now=now, rates=rates))
    request.app.state.rate_cache.forget(caller.tenant)
    return JSONResponse(done.document())
