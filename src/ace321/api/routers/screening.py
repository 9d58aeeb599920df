"""``POST /v1/screen``: decisions for shipments, nothing stored."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from ace321.api.deps import CoalescerDep, DbDep, MetricsDep, Operator, RateCacheDep, RulesDep
from ace321.api.responses import problems
from ace321.api.schemas.screening import (
    EXAMPLE_SHIPMENT,
    ScreenCreate,
    ScreeningPublic,
    ShipmentList,
    shipment_dicts,
)
from ace321.rules import RuleSet

router = APIRouter(tags=["screening"])

ScreenBody = Annotated[ShipmentList | ScreenCreate, Body(openapi_examples={
    "list": {"summary": "A list of shipments", "value": [EXAMPLE_SHIPMENT]},
    "with_as_of": {"summary": "Shipments with a default arrival date",
                   "value": {"shipments": [EXAMPLE_SHIPMENT], "as_of": "2025-06-02"}},
})]


@router.post("/screen", response_model=ScreeningPublic, responses=problems(401, 403, 413, 422),
             summary="Screen shipments (nothing stored)")
async def screen_shipments(caller: Operator, coalescer: CoalescerDep, metrics: MetricsDep,
                           rules: RulesDep, rate_cache: RateCacheDep, db: DbDep, body: ScreenBody,
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
    if isinstance(body, ScreenCreate):
        shipments, as_of = body.shipments, body.as_of
    else:
        shipments, as_of = body, None
    rates = await rate_cache.get(db, caller.tenant)
    if costs or risk:
        dicts = shipment_dicts(shipments)

        def build() -> dict[str, Any]:
            document = None
            if costs:
                from ace321.api.routers.plan import screen_with_costs

                document = screen_with_costs(rules, dicts, as_of, rates)
            return (screen_with_risk(dicts, as_of, rules, document, rates) if risk
                    else document)
        document = await run_in_threadpool(build)
        metrics.count_decisions("screen", document["summary"]["by_decision"])
        return JSONResponse(document)
    # Concurrent requests are screened together in one engine call, each getting exactly its
    # own result (see ace321.api.services.coalescer); awaited, so no pool thread waits on it.
    document = await coalescer.decisions_async(shipment_dicts(shipments), as_of, rates)
    metrics.count_decisions("screen", document["summary"]["by_decision"])
    return JSONResponse(document)


def screen_with_risk(shipments: list[dict[str, Any]], as_of: dt.date | None,
                     rules: RuleSet, document: dict[str, Any] | None = None,
                     rates: Any = None) -> dict[str, Any]:
    """The screening document (``document``, or the plain one) with each shipment's ``risk``
    and the model's version and counts (``risk_summary``). Screened on its own, not coalesced
    with other requests: risk statistics read the whole request."""
    from ace321.intake import frame_from_shipments
    from ace321.risk import load_model, score_result
    from ace321.screening import screen

    result = screen(frame_from_shipments(shipments), rules=rules, default_arrival=as_of,
                    rates=rates)
    scored = score_result(result, model=load_model(), rules=rules)
    if document is None:
        document = result.to_document()
    by_id = {r["shipment_id"]: {"score": r["score"], "band": r["band"], "signals": r["signals"]}
             for r in scored.records()}
    for shipment in document["shipments"]:
        shipment["risk"] = by_id.get(shipment["shipment_id"])
    document["risk_summary"] = {"rules_version": scored.rules_version, "by_band": scored.by_band()}
    return document
