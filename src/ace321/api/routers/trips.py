"""Trips (manifests): ``POST /v1/trips``, ``GET /v1/trips/{n}``, its files, cancelling."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from ace321.api.deps import (
    DbDep,
    NowDep,
    Operator,
    RateCacheDep,
    RulesDep,
    SettingsDep,
    Viewer,
)
from ace321.api.problems import ApiProblem, app_problem
from ace321.api.responses import problems
from ace321.api.schemas.trips import (
    TripCancelCreate,
    TripCreate,
    TripPagePublic,
    TripPublic,
)
from ace321.app import trips
from ace321.app.filing import ManifestRefused

router = APIRouter(tags=["trips"])


MEDIA_TYPES = {
    "ace_trip.json": "application/json", "ace_shipments.csv": "text/csv; charset=utf-8",
    "manifest.x12": "application/edi-x12", "cover_sheet.pdf": "application/pdf",
    "summary.json": "application/json",
}


class TripFile(StrEnum):
    ace_trip_json = "ace_trip.json"
    ace_shipments_csv = "ace_shipments.csv"
    manifest_x12 = "manifest.x12"
    cover_sheet_pdf = "cover_sheet.pdf"
    summary_json = "summary.json"


@router.post("/trips", status_code=201, response_model=TripPublic,
             responses=problems(401, 403, 404, 409, 413, 422), summary="File a trip manifest")
async def create_trip(body: TripCreate, caller: Operator, db: DbDep, rules: RulesDep,
                      now: NowDep, rate_cache: RateCacheDep) -> JSONResponse:
    """Screen the stored shipments again (as of the trip's arrival date at the port, with the
    stored history), build the manifest (ACE trip JSON, shipments CSV, X12 309, cover sheet),
    issue SCNs and store the trip: all or nothing. Every problem is listed at once (422);
    unknown shipment ids are 404. Operators and admins only."""
    rates = await rate_cache.get(db, caller.tenant)

    def create() -> dict[str, Any]:
        try:
            filed = trips.file_stored_trip(
                db, rules, tenant=caller.tenant, actor=caller.actor, now=now, trip=body.trip,
                shipment_ids=body.shipment_ids, batch_id=body.batch_id, filed_at=body.filed_at,
                production=body.production, group_commodities=body.group_commodities,
                skip_invalid=body.skip_invalid, rates=rates)
        except ManifestRefused as refused:
            raise app_problem(refused, prefix="manifest refused, nothing stored: ") from None
        return {**filed.trip, "warnings": filed.report.warnings,
                "skipped_invalid": filed.report.skipped}

    document = await run_in_threadpool(create)
    return JSONResponse(document, status_code=201,
                        headers={"Location": f"/v1/trips/{document['trip_number']}"})


class TripStatus(StrEnum):
    OPEN = "OPEN"
    TRANSMITTED = "TRANSMITTED"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    ARRIVED = "ARRIVED"
    RELEASED = "RELEASED"
    CANCELLED = "CANCELLED"


@router.get("/trips", response_model=TripPagePublic, responses=problems(401, 422),
            summary="List trips")
def list_trips(
    caller: Viewer, db: DbDep, settings: SettingsDep,
    status: Annotated[TripStatus | None, Query(description="Only this status.")] = None,
    arrival_date: Annotated[dt.date | None, Query(
        description="Only trips arriving this day (port local date).")] = None,
    arrival_from: Annotated[dt.date | None, Query(
        description="Only trips arriving this day or later.")] = None,
    arrival_to: Annotated[dt.date | None, Query(
        description="Only trips arriving this day or earlier.")] = None,
    cursor: Annotated[str | None, Query(
        max_length=2000, description="`next_cursor` of the previous page.")] = None,
    limit: Annotated[int | None, Query(ge=1, le=1000, description="Page size (default 100).")
                     ] = None,
) -> JSONResponse:
    """The tenant's trips ordered by arrival date then trip number, one page at a time."""
    page = trips.list_trips(
        db, tenant=caller.tenant, status=None if status is None else status.value,
        arrival_from=arrival_date or arrival_from, arrival_to=arrival_date or arrival_to,
        cursor=cursor, limit=min(limit or settings.page_size, settings.max_page_size))
    return JSONResponse({"items": page.items, "next_cursor": page.next_cursor})


@router.get("/trips/{trip_number}", response_model=TripPublic, responses=problems(401, 404),
            summary="A trip")
def get_trip(trip_number: str, caller: Viewer, db: DbDep) -> JSONResponse:
    """The trip with its shipments (SCNs), files and CBP responses."""
    return JSONResponse(trips.show_trip(db, tenant=caller.tenant, trip_number=trip_number))


@router.get("/trips/{trip_number}/files/{name}", responses={
    200: {"description": "The file, byte for byte as filed.", "content": {
        "application/json": {}, "text/csv": {}, "application/edi-x12": {},
        "application/pdf": {}}}, **problems(401, 404, 422)}, summary="A file of a trip")
def get_trip_file(trip_number: str, name: TripFile, caller: Viewer, db: DbDep) -> Response:
    """ace_trip.json, ace_shipments.csv, manifest.x12, cover_sheet.pdf or summary.json, byte
    for byte as filed (SHA-256 checked)."""
    files = trips.trip_files(db, tenant=caller.tenant, trip_number=trip_number)
    if name.value not in files:
        raise ApiProblem(404, f"trip {trip_number!r} has no file {name.value!r}",
                         code="NOT_FOUND")
    return Response(files[name.value], media_type=MEDIA_TYPES[name.value], headers={
        "Content-Disposition": f'attachment; filename="{name.value}"'})


@router.post("/trips/{trip_number}/cancel", response_model=TripPublic,
             responses=problems(401, 403, 404, 409, 413, 422), summary="Cancel a trip")
async def cancel_trip(trip_number: str, body: TripCancelCreate, caller: Operator, db: DbDep,
                      now: NowDep) -> JSONResponse:
    """Cancel a trip not yet transmitted (or rejected): its shipments go back to SCREENED; its
    SCNs are never issued again."""
    def cancel() -> dict[str, Any]:
        trips.show_trip(db, tenant=caller.tenant, trip_number=trip_number)  # 404 first
        trips.cancel_trip(db, tenant=caller.tenant, actor=caller.actor, now=now,
                          trip_number=trip_number, reason=body.reason)
        return trips.show_trip(db, tenant=caller.tenant, trip_number=trip_number)

    return JSONResponse(await run_in_threadpool(cancel))
