"""Shipments: the filtered, paged table (htmx swaps just the table), CSV, one shipment, and
the override to a stricter path."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from ace321.app import shipments as shipment_service
from ace321.app.errors import AppError, NotFound
from ace321.app.permissions import OVERRIDE, may_override, needed_role
from ace321.app.shipment_costs import costs_section
from ace321.screening.result import DECISION_ORDER
from ace321.storage.lifecycle import STATUSES
from ace321.storage.users import WebUser
from ace321.web import listing
from ace321.web.security import Reader, WebError, role_check
from ace321.web.templating import is_htmx, render

router = APIRouter()


def table_context(request: Request, filters: listing.Filters, data: dict[str, object],
                  base: str) -> dict[str, object]:
    return {"filters": filters, "data": data, "base": base,
            "decisions": DECISION_ORDER, "statuses": STATUSES, "risk_bands": listing.RISK_BANDS,
            "has_risk": listing._risk_column() is not None,
            "query": filters.query()}


def page_number(request: Request) -> int:
    try:
        return int(request.query_params.get("page", "1"))
    except ValueError:
        return 1


@router.get("/shipments")
async def shipment_list(request: Request, user: Reader) -> Response:
    filters = listing.Filters.parse(request.query_params)
    size = request.app.state.web_settings.page_size
    data = await run_in_threadpool(listing.page, request.app.state.db, user, filters,
                                   page_number(request), size)
    context = table_context(request, filters, data, "/shipments")
    if is_htmx(request):
        return render(request, "_shipment_table.html", context)
    return render(request, "shipments.html", context)


@router.get("/shipments.csv")
async def shipment_csv(request: Request, user: Reader) -> Response:
    filters = listing.Filters.parse(request.query_params)
    text = await run_in_threadpool(listing.csv_text, request.app.state.db, user, filters)
    return Response(text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="shipments.csv"'})


def _detail(request: Request, user: Reader, shipment_id: str) -> dict[str, object]:
    """The shipment page's data: the detail, its costs section and what an override may do."""
    db = request.app.state.db
    try:
        shipment = shipment_service.shipment_detail(db, tenant=user.tenant,
                                                    shipment_id=shipment_id)
        options = shipment_service.override_options(db, tenant=user.tenant,
                                                    shipment_id=shipment_id)
    except NotFound:
        raise WebError(404, f"No shipment {shipment_id!r} in your tenant.",
                       title="Not found") from None
    return {"s": shipment, "options": options, "may_override": may_override(user.role),
            "costs": costs_section(shipment.get("costs"), shipment["lines"],
                                   shipment.get("arrival_date"))}


@router.get("/shipments/{shipment_id}")
async def shipment_page(request: Request, shipment_id: str, user: Reader) -> Response:
    context = await run_in_threadpool(_detail, request, user, shipment_id)
    return render(request, "shipment.html", {**context,
                                             "message": request.query_params.get("done")})


# The application layer's rule (an override only makes a path stricter: clerks and admins).
Overrider = Annotated[WebUser, Depends(role_check(needed_role(OVERRIDE, "web")))]


@router.post("/shipments/{shipment_id}/override")
async def shipment_override(
    request: Request, shipment_id: str, user: Overrider,
    decision: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    db, rules = request.app.state.db, request.app.state.rules
    try:
        await run_in_threadpool(lambda: shipment_service.override_decision(
            db, rules, tenant=user.tenant, actor=user.actor, role=user.role,
            now=request.app.state.web_clock(), shipment_id=shipment_id, decision=decision,
            reason=reason))
    except NotFound:
        raise WebError(404, f"No shipment {shipment_id!r} in your tenant.",
                       title="Not found") from None
    except AppError as error:
        context = await run_in_threadpool(_detail, request, user, shipment_id)
        return render(request, "shipment.html", {
            **context, "error": error.message, "error_code": error.code, "reason": reason,
            "chosen": decision}, status=409)
    return RedirectResponse(f"/shipments/{quote(shipment_id, safe='')}?done=override",
                            status_code=303)
