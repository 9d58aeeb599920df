"""Entry plans: ``POST /v1/plan`` and ``GET /v1/trips/{number}/plan`` (see ``ace321.costs``)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from ace321.api.deps import DbDep, Operator, RulesDep, Viewer
from ace321.api.problems import ApiProblem, issue
from ace321.api.responses import problems
from ace321.api.schemas.screening import ScreenCreate, ShipmentList
from ace321.api.services.shipment_request import (
    SHIPMENTS_PROBLEMS,
    ShipmentsRequest,
    TenantRates,
    body_examples,
)
from ace321.rules import RuleSet

router = APIRouter(tags=["plans"])

PlanBody = Annotated[ShipmentList | ScreenCreate, Body(openapi_examples=body_examples("2026-11-23"))]
EntryFee = Annotated[str, Query(alias="entry_fee", description="Brokerage fee per entry in USD (e.g. 25.00).")]


class PlanPublic(BaseModel):
    """The entries and strategies of every conveyance (as `ace321 plan --format json`)."""

    conveyances: list[dict[str, Any]] = Field(description=(
        "One per arrival date (or trip): arrival_date, trip_number, entries [{entry_type, "
        "consignee_key, shipment_ids, value_usd, duty_usd, mpf_usd, reasons}], strategies [{name, "
        "entries, duty_usd, mpf_usd, fees_usd, total_usd, conditions}], recommended."))
    hts_revision: str = Field(description="The HTS revision the duty was computed with.")
    not_planned: dict[str, int] = Field(description=(
        "How many shipments need no entry (SECTION_321, GIFT) or cannot be filed (INVALID)."))


def entry_fee_amount(text: str) -> Decimal:
    try:
        amount = Decimal(text)
    except InvalidOperation:
        amount = Decimal(-1)
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise ApiProblem(422, f"entry_fee {text!r}: give dollars and cents, at least 0", code="INVALID_ENTRY_FEE",
                         issues=[issue("INVALID_ENTRY_FEE", "dollars and cents, at least 0", field="entry_fee")])
    return amount


def _plan(rules: RuleSet, request: ShipmentsRequest, fee: Decimal) -> dict[str, Any]:
    from ace321.app.plan import plan_orders

    return plan_orders(request.frame(), rules, as_of=request.as_of, rates=request.rates,
                       entry_fee=fee)


@router.post("/plan", response_model=PlanPublic, responses=SHIPMENTS_PROBLEMS,
             summary="Plan the entries of shipments (nothing stored)")
async def plan_shipments(_caller: Operator, rules: RulesDep, rates: TenantRates, body: PlanBody,
                         entry_fee: EntryFee = "0") -> JSONResponse:
    """The entries a broker files for each conveyance (the shipments of one arrival date): one
    per consignee (19 CFR 141.51), type 11 or 01 by the consignee's total; the per-consignee and
    broker-consolidated (19 CFR 142.17a) strategies with duty, MPF and `entry_fee` per entry;
    `recommended` is the cheapest compliant one. The same document as `ace321 plan --format json`
    (with the tenant's exchange rates, `PUT /v1/rates`, as its `--rates`)."""
    fee = entry_fee_amount(entry_fee)
    request = ShipmentsRequest.of(body, rates)
    return JSONResponse(await run_in_threadpool(_plan, rules, request, fee))


@router.get("/trips/{trip_number}/plan", response_model=PlanPublic, responses=problems(401, 404, 422),
            summary="The entry plan of a trip")
def trip_plan(trip_number: str, caller: Viewer, db: DbDep, rules: RulesDep,
              entry_fee: EntryFee = "0") -> JSONResponse:
    """The trip's shipments screened again as of its arrival date and planned as one conveyance."""
    from ace321.app.plan import plan_trip

    fee = entry_fee_amount(entry_fee)
    return JSONResponse(plan_trip(db, tenant=caller.tenant, trip_number=trip_number, rules=rules,
                                  entry_fee=fee))
