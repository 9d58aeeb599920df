"""``POST /v1/screen``: decisions for shipments, nothing stored."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Body, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from ace321.api.deps import CoalescerDep, MetricsDep, Operator, RulesDep
from ace321.api.schemas.screening import ScreenCreate, ScreeningPublic, ShipmentList
from ace321.api.services.shipment_request import (
    SHIPMENTS_PROBLEMS,
    ShipmentsRequest,
    TenantRates,
    body_examples,
    screening_document,
)

router = APIRouter(tags=["screening"])

ScreenBody = Annotated[ShipmentList | ScreenCreate, Body(openapi_examples=body_examples("2025-06-02"))]


@router.post("/screen", response_model=ScreeningPublic, responses=SHIPMENTS_PROBLEMS,
             summary="Screen shipments (nothing stored)")
async def screen_shipments(_caller: Operator, coalescer: CoalescerDep, metrics: MetricsDep,
                           rules: RulesDep, rates: TenantRates, body: ScreenBody,
                           costs: Annotated[bool, Query(description=(
                               "Add each shipment's `costs` (duty, MPF, total as an entry of its own) "
                               "and the summary's totals, as `ace321 check --costs`."))] = False,
                           risk: Annotated[bool, Query(description=(
                               "Also score each shipment's risk (`risk`: score, band, signals; "
                               "advice, never part of the decision)."))] = False,
                           ) -> JSONResponse:
    """Validate and decide every shipment: the same document as `ace321 check --format json`.

    The body is the JSON order input: a list of shipments with nested `lines`, or
    `{"shipments": [...], "as_of": "YYYY-MM-DD"}` where `as_of` is the arrival date of the
    shipments that give none. Stored shipments are not taken into account; the tenant's
    exchange rates (`PUT /v1/rates`) are.
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
