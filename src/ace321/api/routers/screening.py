"""``POST /v1/screen``: decisions for shipments, nothing stored."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.routing import Match
from starlette.types import Scope

from ace321.api.deps import CoalescerDep, DbDep, MetricsDep, Operator, RulesDep
from ace321.api.problems import app_problem
from ace321.api.responses import problems
from ace321.api.schemas.screening import ScreenCreate, ScreeningPublic, ShipmentList
from ace321.api.services.orders import frame_from_json_bytes, order_upload
from ace321.api.services.shipment_request import (
    ShipmentsRequest,
    TenantRates,
    body_examples,
    result_document,
    screening_document,
)
from ace321.app.errors import AppError
from ace321.app.uploads import OrderFile, screen_order_file
from ace321.validation.dates import StrictDate

router = APIRouter(tags=["screening"])

ScreenBody = Annotated[ShipmentList | ScreenCreate, Body(openapi_examples=body_examples("2025-06-02"))]
_COSTS = Query(description="Add each shipment's `costs` (duty, MPF, total as an entry of its "
                           "own) and the summary's totals, as `ace321 check --costs`.")
_RISK = Query(description="Also score each shipment's risk (`risk`: score, band, signals; "
                          "advice, never part of the decision).")
# The multipart form of the body, merged into the generated JSON one (the route that takes it,
# below, is hidden: FastAPI documents one route per path and method).
_FILE_BODY = {"requestBody": {
    "description": "The JSON order input, or (`multipart/form-data`) an order file in field "
                   "`file`: canonical CSV, Shopify \"Export orders\" CSV (read with the "
                   "tenant's Shopify settings, `PUT /v1/settings/shopify`) or `.json`, with "
                   "`as_of` for rows without an arrival date. A CSV sent as `text/csv` is 415 "
                   "(to store it, `POST /v1/batches`).",
    "content": {"multipart/form-data": {"schema": {
        "type": "object", "required": ["file"],
        "properties": {
            "file": {"type": "string", "format": "binary",
                     "description": "The order file: CSV (canonical or Shopify export) or "
                                    ".json."},
            "as_of": {"type": "string", "format": "date",
                      "description": "Arrival date (YYYY-MM-DD) of rows without one."}}}}}}}


def _is_multipart(scope: Scope) -> bool:
    for name, value in scope.get("headers", ()):
        if name == b"content-type":
            return bool(value.split(b";")[0].strip().lower() == b"multipart/form-data")
    return False


class MultipartRoute(APIRoute):
    """A route that matches only a ``multipart/form-data`` body: the JSON route of the same
    path and method keeps FastAPI's own body validation (and the coalesced hot path)."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is not Match.NONE and not _is_multipart(scope):
            return Match.NONE, {}
        return match, child


async def screen_file(request: Request, caller: Operator, db: DbDep, rules: RulesDep,
                      metrics: MetricsDep,
                      as_of: Annotated[StrictDate | None, Query()] = None,
                      costs: Annotated[bool, _COSTS] = False,
                      risk: Annotated[bool, _RISK] = False) -> JSONResponse:
    """``POST /v1/screen`` with an order file: read and screened as ``POST /v1/batches``
    reads it (``ace321.app.uploads``), with the tenant's Shopify settings and rates; nothing
    is stored."""
    kind, data, filename, as_of = await order_upload(request, None, as_of)

    def build() -> dict[str, Any]:
        result = screen_order_file(db, OrderFile(data, filename, as_of, kind), rules=rules,
                                   tenant=caller.tenant, read_json=frame_from_json_bytes)
        return result_document(result, rules, costs=costs, risk=risk)

    try:
        document = await run_in_threadpool(build)
    except AppError as error:
        raise app_problem(error) from None
    metrics.count_decisions("screen", document["summary"]["by_decision"])
    return JSONResponse(document)


# Registered before the JSON route: a multipart body matches it first.
router.add_api_route("/screen", screen_file, methods=["POST"], include_in_schema=False,
                     route_class_override=MultipartRoute)


@router.post("/screen", response_model=ScreeningPublic, responses=problems(401, 403, 413, 415, 422),
             summary="Screen shipments or an order file (nothing stored)",
             openapi_extra=_FILE_BODY)
async def screen_shipments(_caller: Operator, coalescer: CoalescerDep, metrics: MetricsDep,
                           rules: RulesDep, rates: TenantRates, body: ScreenBody,
                           costs: Annotated[bool, _COSTS] = False,
                           risk: Annotated[bool, _RISK] = False,
                           ) -> JSONResponse:
    """Validate and decide every shipment: the same document as `ace321 check --format json`.

    The body is the JSON order input: a list of shipments with nested `lines`, or
    `{"shipments": [...], "as_of": "YYYY-MM-DD"}` where `as_of` is the arrival date of the
    shipments that give none. Stored shipments are not taken into account; the tenant's
    exchange rates (`PUT /v1/rates`) are.

    Or `multipart/form-data` with an order file in `file` (canonical CSV, Shopify export read
    with the tenant's Shopify settings, or `.json`) and `as_of`: screened as `POST /v1/batches`
    reads it, the same response, nothing stored.
    """
    request = ShipmentsRequest.of(body, rates)
    if costs or risk:
        document = await run_in_threadpool(screening_document, rules, request, costs=costs,
                                           risk=risk)
    else:
        # Concurrent requests are screened together in one engine call, each getting exactly
        # its own result (see ace321.api.services.coalescer); awaited, so no pool thread waits.
        document = await coalescer.decisions_async(request.shipments, request.as_of,
                                                   request.rates)
    metrics.count_decisions("screen", document["summary"]["by_decision"])
    return JSONResponse(document)
