"""Trips: the list (colour and text for the status), one trip with its files and cover sheet,
cancel with a reason, and the new-trip form (saved profiles, port by code or city, ETA in the
port's time zone, shipments by batch or filter, validate, file)."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from ace321.app import trips as trip_service
from ace321.app.errors import AppError, NotFound
from ace321.web.security import Clerk, Reader, WebError
from ace321.web.templating import render

router = APIRouter()
FILE_TYPES = {"ace_trip.json": "application/json", "ace_shipments.csv": "text/csv",
              "manifest.x12": "application/edi-x12", "cover_sheet.pdf": "application/pdf",
              "summary.json": "application/json"}


@router.get("/trips")
async def trip_list(request: Request, user: Reader) -> Response:
    status = (request.query_params.get("status") or "").upper() or None
    error = None
    try:
        page = await run_in_threadpool(lambda: trip_service.list_trips(
            request.app.state.db, tenant=user.tenant, status=status, limit=500))
        trips = page.items
    except AppError as failure:
        trips, error = [], failure.message
    return render(request, "trips.html", {"trips": trips, "status": status, "error": error,
                                          "statuses": trip_service.TRIP_STATUSES})


def _trip(request: Request, user: Reader, trip_number: str) -> dict[str, object]:
    try:
        return trip_service.show_trip(request.app.state.db, tenant=user.tenant,
                                      trip_number=trip_number)
    except NotFound:
        raise WebError(404, f"No trip {trip_number!r} in your tenant.", title="Not found") from None


@router.get("/trips/{trip_number}")
async def trip_page(request: Request, trip_number: str, user: Reader) -> Response:
    trip = await run_in_threadpool(_trip, request, user, trip_number)
    return render(request, "trip.html", {"t": trip, "done": request.query_params.get("done")})


@router.get("/trips/{trip_number}/files/{name}")
async def trip_file(request: Request, trip_number: str, name: str, user: Reader) -> Response:
    if name not in FILE_TYPES:
        raise WebError(404, f"A trip has no file {name!r}.", title="Not found")
    try:
        files = await run_in_threadpool(lambda: trip_service.trip_files(
            request.app.state.db, tenant=user.tenant, trip_number=trip_number))
    except NotFound:
        raise WebError(404, f"No trip {trip_number!r} in your tenant.", title="Not found") from None
    if name not in files:
        raise WebError(404, f"Trip {trip_number} has no file {name}.", title="Not found")
    # The PDF opens in the browser to view and print; the others download.
    disposition = "inline" if name.endswith(".pdf") else "attachment"
    return Response(files[name], media_type=FILE_TYPES[name], headers={
        "Content-Disposition": f'{disposition}; filename="{trip_number}-{name}"'})


@router.post("/trips/{trip_number}/cancel")
async def trip_cancel(request: Request, trip_number: str, user: Clerk,
                      reason: Annotated[str, Form(max_length=2000)] = "") -> Response:
    try:
        await run_in_threadpool(lambda: trip_service.cancel_trip(
            request.app.state.db, tenant=user.tenant, actor=user.actor,
            now=request.app.state.web_clock(), trip_number=trip_number, reason=reason))
    except NotFound:
        raise WebError(404, f"No trip {trip_number!r} in your tenant.", title="Not found") from None
    except AppError as error:
        trip = await run_in_threadpool(_trip, request, user, trip_number)
        return render(request, "trip.html", {"t": trip, "cancel_error": error.message},
                      status=409)
    return RedirectResponse(f"/trips/{quote(trip_number, safe='')}?done=cancelled",
                            status_code=303)
