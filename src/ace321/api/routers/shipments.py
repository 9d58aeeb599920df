"""Stored shipments: ``GET /v1/shipments``, ``GET /v1/shipments/{id}``, overrides."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from ace321.api.deps import DbDep, NowDep, RulesDep, SettingsDep, Viewer, require
from ace321.api.responses import problems
from ace321.api.schemas.shipments import (
    DecisionCode,
    OverrideCreate,
    RiskBand,
    ShipmentPagePublic,
    ShipmentPublic,
    Status,
)
from ace321.app import permissions, shipments
from ace321.storage.api_keys import Principal
from ace321.validation.dates import StrictDate

router = APIRouter(tags=["shipments"])
# The application layer's rule (an override only makes a path stricter: operators and admins).
Overrider = Annotated[Principal, Depends(require(permissions.needed_role(permissions.OVERRIDE,
                                                                         "api")))]


@router.get("/shipments", response_model=ShipmentPagePublic, responses=problems(401, 422),
            summary="List stored shipments")
def list_shipments(
    caller: Viewer, db: DbDep, settings: SettingsDep,
    status: Annotated[Status | None, Query(description="Only this status.")] = None,
    decision: Annotated[DecisionCode | None, Query(description="Only this decision.")] = None,
    arrival_date: Annotated[StrictDate | None, Query(description="Only this arrival date.")
                            ] = None,
    consignee: Annotated[str | None, Query(
        max_length=500, description="Consignee key or name (substring) or E.164 phone.")] = None,
    risk_band: Annotated[RiskBand | None, Query(
        description="Only this risk band (scores are stored at ingest).")] = None,
    cursor: Annotated[str | None, Query(
        max_length=2000, description="`next_cursor` of the previous page.")] = None,
    limit: Annotated[int | None, Query(ge=1, le=1000, description="Page size (default 100).")
                     ] = None,
) -> JSONResponse:
    """The tenant's stored shipments, ordered by shipment id, one page at a time."""
    page = shipments.shipment_page(
        db, tenant_pk=caller.tenant_id, status=status, decision=decision,
        arrival_date=arrival_date, consignee=consignee, cursor=cursor, risk_band=risk_band,
        limit=min(limit or settings.page_size, settings.max_page_size))
    return JSONResponse({"items": page.items, "next_cursor": page.next_cursor})


@router.get("/shipments/{shipment_id}", response_model=ShipmentPublic,
            responses=problems(401, 404), summary="A stored shipment")
def get_shipment(shipment_id: str, caller: Viewer, db: DbDep) -> JSONResponse:
    """Lines, parties, the decision in effect with reasons and legal references, every decision,
    the status history and the audit events of the shipment."""
    return JSONResponse(shipments.shipment_detail(db, tenant=caller.tenant,
                                                  shipment_id=shipment_id))


@router.post("/shipments/{shipment_id}/override", response_model=ShipmentPublic,
             responses=problems(401, 403, 404, 409, 413, 422),
             summary="Override a decision (operators and admins)")
async def override_shipment(shipment_id: str, body: OverrideCreate, caller: Overrider, db: DbDep,
                            rules: RulesDep, now: NowDep) -> JSONResponse:
    """Set a stricter entry path by hand: INFORMAL_ENTRY or FORMAL_ENTRY, stricter than the
    decision, with a reason, before transmission. Never grants de minimis or a gift the rules
    deny. Operators and admins (the same rule as the web's clerks and admins)."""
    def override() -> dict[str, object]:
        shipments.override_decision(db, rules, tenant=caller.tenant, actor=caller.actor,
                                    role=caller.role, now=now, shipment_id=shipment_id,
                                    decision=body.decision, reason=body.reason)
        return shipments.shipment_detail(db, tenant=caller.tenant, shipment_id=shipment_id)

    return JSONResponse(await run_in_threadpool(override))
