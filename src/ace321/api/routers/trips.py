"""Trips (manifests): ``POST /v1/trips``, ``GET /v1/trips/{n}``, its files, cancelling."""

from __future__ import annotations

from enum import StrEnum

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse, Response

from ace321.api.deps import DbDep, NowDep, Operator, RulesDep, Viewer
from ace321.api.responses import problems
from ace321.api.schemas.trips import TripCancelCreate, TripCreate, TripPublic
from ace321.api.services import trips

router = APIRouter(tags=["trips"])


class TripFile(StrEnum):
    ace_trip_json = "ace_trip.json"
    ace_shipments_csv = "ace_shipments.csv"
    manifest_x12 = "manifest.x12"
    cover_sheet_pdf = "cover_sheet.pdf"
    summary_json = "summary.json"


@router.post("/trips", status_code=201, response_model=TripPublic,
             responses=problems(401, 403, 404, 409, 413, 422), summary="File a trip manifest")
async def create_trip(body: TripCreate, caller: Operator, db: DbDep, rules: RulesDep,
                      now: NowDep) -> JSONResponse:
    """Screen the stored shipments again (as of the trip's arrival date at the port, with the
    stored history), build the manifest (ACE trip JSON, shipments CSV, X12 309, cover sheet),
    issue SCNs and store the trip: all or nothing. Every problem is listed at once (422);
    unknown shipment ids are 404. Operators and admins only."""
    document = await run_in_threadpool(trips.create, db, rules, caller, body, now)
    return JSONResponse(document, status_code=201,
                        headers={"Location": f"/v1/trips/{document['trip_number']}"})


@router.get("/trips/{trip_number}", response_model=TripPublic, responses=problems(401, 404),
            summary="A trip")
def get_trip(trip_number: str, caller: Viewer, db: DbDep) -> JSONResponse:
    """The trip with its shipments (SCNs), files and CBP responses."""
    return JSONResponse(trips.read(db, caller, trip_number))


@router.get("/trips/{trip_number}/files/{name}", responses={
    200: {"description": "The file, byte for byte as filed.", "content": {
        "application/json": {}, "text/csv": {}, "application/edi-x12": {},
        "application/pdf": {}}}, **problems(401, 404, 422)}, summary="A file of a trip")
def get_trip_file(trip_number: str, name: TripFile, caller: Viewer, db: DbDep) -> Response:
    """ace_trip.json, ace_shipments.csv, manifest.x12, cover_sheet.pdf or summary.json, byte
    for byte as filed (SHA-256 checked)."""
    data, media_type = trips.file(db, caller, trip_number, name.value)
    return Response(data, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{name.value}"'})


@router.post("/trips/{trip_number}/cancel", response_model=TripPublic,
             responses=problems(401, 403, 404, 409, 413, 422), summary="Cancel a trip")
async def cancel_trip(trip_number: str, body: TripCancelCreate, caller: Operator, db: DbDep,
                      now: NowDep) -> JSONResponse:
    """Cancel a trip not yet transmitted (or rejected): its shipments go back to SCREENED; its
    SCNs are never issued again."""
    return JSONResponse(await run_in_threadpool(trips.cancel, db, caller, trip_number,
                                                body.reason, now))
