"""The new-trip form and the saved profiles (trucks, trailers, drivers) it offers.

The form builds the trip mapping of the trip file (``examples/trip.yaml``) from the profiles
and fields; "Validate" runs the core's trip validation (``parse_trip``, ``validate_trip``) and
lists every problem; "File trip" calls ``app.trips.file_stored_trip`` like the API.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from ace321.app import trips as trip_service
from ace321.app.errors import AppError
from ace321.manifest.trip_file import parse_trip
from ace321.manifest.validation import validate_trip
from ace321.reference.ports import Port, load_ports
from ace321.storage import StorageError
from ace321.storage.models import Batch, Shipment
from ace321.storage.profiles import list_profiles, save_profile
from ace321.web import readiness
from ace321.web.security import Clerk, Reader
from ace321.web.templating import render

router = APIRouter()


def truck_ports() -> list[Port]:
    return sorted((p for p in load_ports().values() if p.truck_traffic), key=lambda p: p.code)


def find_port(text: str) -> tuple[Port | None, str | None]:
    """The port a code (``0901``) or a city (``Buffalo``) names; else why not."""
    text = text.strip()
    if not text:
        return None, "choose the port of arrival (its 4-digit code or its city)"
    code = text[:4]
    ports = load_ports()
    if code.isdigit() and code in ports:
        return ports[code], None
    matches = [p for p in truck_ports() if text.lower() in p.name.lower()]
    if len(matches) == 1:
        return matches[0], None
    if not matches:
        return None, f"no land port with trucks matches {text!r}"
    names = ", ".join(f"{p.code} {p.name}" for p in matches[:6])
    return None, f"{text!r} matches several ports ({names}): choose one"


def _profiles(request: Request, user: Reader) -> dict[str, list[dict[str, Any]]]:
    with request.app.state.db.reading() as session:
        found = list_profiles(session, user.tenant_id)
    for kind, items in found.items():
        for item in items:
            item["problems"] = readiness.problems(kind, item["data"])
            item["ready"] = not any(p["severity"] == "error" for p in item["problems"])
    return found


def _batches(request: Request, user: Reader) -> list[dict[str, Any]]:
    with request.app.state.db.reading() as session:
        return [{"id": str(b.id), "name": b.name, "imported_at": b.imported_at,
                 "shipments": b.shipment_count}
                for b in session.scalars(select(Batch).where(Batch.tenant_id == user.tenant_id)
                                         .order_by(Batch.imported_at.desc()).limit(50))]


async def _form_page(request: Request, user: Reader, form: dict[str, str] | None = None,
                     status: int = 200, **context: Any) -> Response:
    profiles = await run_in_threadpool(_profiles, request, user)
    batches = await run_in_threadpool(_batches, request, user)
    return render(request, "trip_new.html", {
        "profiles": profiles, "batches": batches, "ports": truck_ports(), "form": form or {},
        **context}, status=status)


@router.get("/trips/new")
async def new_trip_form(request: Request, user: Reader) -> Response:
    return await _form_page(request, user)


def _selected_ids(request: Request, user: Reader, form: dict[str, str]) -> list[str] | None:
    """Shipment ids picked by filter (SCREENED, not INVALID); None when picked by batch."""
    if form.get("pick") != "filter":
        return None
    query = select(Shipment.shipment_id).where(Shipment.tenant_id == user.tenant_id,
                                               Shipment.status == "SCREENED",
                                               Shipment.decision != "INVALID")
    if form.get("decision"):
        query = query.where(Shipment.decision == form["decision"].upper())
    if form.get("arrival_date"):
        try:
            query = query.where(Shipment.arrival_date == dt.date.fromisoformat(
                form["arrival_date"]))
        except ValueError:
            return []
    with request.app.state.db.reading() as session:
        return list(session.scalars(query.order_by(Shipment.shipment_id).limit(9999)))


def build_trip(form: dict[str, str], profiles: dict[str, list[dict[str, Any]]]
               ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The trip mapping of the form, and the problems of the form itself."""
    problems: list[dict[str, Any]] = []

    def problem(field: str, message: str, code: str = "MISSING_FIELD") -> None:
        problems.append({"code": code, "severity": "error", "field": field, "row": None,
                         "message": message})

    by_name = {kind: {p["name"]: p["data"] for p in items} for kind, items in profiles.items()}
    trip: dict[str, Any] = {"carrier_scac": form.get("carrier_scac", "").strip().upper()}
    if form.get("trip_number", "").strip():
        trip["trip_number"] = form["trip_number"].strip().upper()
    port, why = find_port(form.get("port", ""))
    if port is None:
        problem("port_of_arrival", why or "unknown port", "UNKNOWN_PORT")
    else:
        trip["port_of_arrival"] = port.code
    eta = form.get("eta", "").strip()
    if not eta:
        problem("estimated_arrival", "give the estimated arrival (the port's local time)")
    elif port is not None:
        try:
            local = dt.datetime.fromisoformat(eta)
            trip["estimated_arrival"] = local.replace(tzinfo=ZoneInfo(port.time_zone)).isoformat()
        except ValueError:
            problem("estimated_arrival", f"{eta!r} is not a date and time", "INVALID_DATE")
    truck = by_name["truck"].get(form.get("truck", ""))
    if truck is None:
        problem("truck", "choose a saved truck (add one under Profiles)")
    trip["truck"] = truck or {}
    trailer = form.get("trailer", "")
    trip["trailers"] = [by_name["trailer"][trailer]] if trailer in by_name["trailer"] else []
    driver = by_name["driver"].get(form.get("driver", ""))
    if driver is None:
        problem("drivers", "choose a saved driver (add one under Profiles)")
    trip["drivers"] = [driver] if driver else []
    return trip, problems


def _check(request: Request, user: Reader, form: dict[str, str]) -> dict[str, Any]:
    profiles = _profiles(request, user)
    trip, problems = build_trip(form, profiles)
    ids = _selected_ids(request, user, form)
    batch_id = form.get("batch") if ids is None else None
    if ids is not None and not ids:
        problems.append({"code": "NO_SHIPMENTS", "severity": "error", "field": "shipments",
                         "row": None, "message": "no screened, valid shipment matches the "
                                                 "filter"})
    if ids is None and not batch_id:
        problems.append({"code": "MISSING_FIELD", "severity": "error", "field": "batch",
                         "row": None, "message": "choose a batch, or pick shipments by filter"})
    if not problems:
        parsed, issues = parse_trip(trip, "trip")
        problems += [i.as_dict() for i in issues]
        if parsed is not None:
            count = len(ids) if ids is not None else 1
            problems += [i.as_dict() for i in validate_trip(
                parsed, filed_at=request.app.state.web_clock(), shipment_count=count,
                ports=load_ports())]
    return {"trip": trip, "problems": problems, "ids": ids, "batch_id": batch_id}


@router.post("/trips/new")
async def new_trip_submit(request: Request, user: Clerk) -> Response:
    raw = await request.form(max_fields=30, max_files=0)
    form = {k: v for k, v in raw.items() if isinstance(v, str) and k != "csrf_token"}
    checked = await run_in_threadpool(_check, request, user, form)
    errors = [p for p in checked["problems"] if p.get("severity") == "error"]
    if form.get("action") != "file" or errors:
        return await _form_page(request, user, form, status=422 if errors else 200,
                                problems=checked["problems"], validated=not errors)
    try:
        filed = await run_in_threadpool(lambda: trip_service.file_stored_trip(
            request.app.state.db, request.app.state.rules, tenant=user.tenant, actor=user.actor,
            now=request.app.state.web_clock(), trip=checked["trip"],
            shipment_ids=checked["ids"], batch_id=checked["batch_id"],
            skip_invalid=checked["ids"] is None))
    except AppError as error:
        return await _form_page(request, user, form, status=422,
                                problems=error.problems or [{
                                    "code": error.code, "severity": "error", "field": "trip",
                                    "row": None, "message": error.message}],
                                error=error.message)
    number = filed.report.trip_number
    return RedirectResponse(f"/trips/{number}?done=filed", status_code=303)


@router.get("/trips/profiles")
async def profiles_page(request: Request, user: Reader) -> Response:
    profiles = await run_in_threadpool(_profiles, request, user)
    return render(request, "profiles.html", {"profiles": profiles,
                                             "done": request.query_params.get("done")})


def profile_data(kind: str, form: dict[str, str]) -> dict[str, Any]:
    """The trip-file mapping of a profile from its form fields (empty fields left out)."""
    def clean(name: str) -> str:
        return form.get(name, "").strip()

    plate = ({"number": clean("plate"), "state_province": clean("plate_state").upper(),
              "country": clean("plate_country").upper() or None}
             if clean("plate") else None)
    if kind == "truck":
        data: dict[str, Any] = {"number": clean("number"), "type": clean("type").upper() or "TR",
                                "vin": clean("vin").upper()}
        if clean("dot_number"):
            data["dot_number"] = clean("dot_number")
    elif kind == "trailer":
        data = {"number": clean("number"), "type": clean("type").upper() or "TL"}
    else:
        data = {"first_name": clean("first_name"), "last_name": clean("last_name")}
        for name in ("gender", "date_of_birth", "citizenship_country", "fast_card_number"):
            if clean(name):
                data[name] = clean(name).upper() if name != "date_of_birth" else clean(name)
        if clean("cdl_number"):
            data["travel_documents"] = [{"type": "5K", "number": clean("cdl_number"),
                                         "country": clean("cdl_country").upper() or None,
                                         "state_province": clean("cdl_state").upper() or None}]
    if plate and kind != "driver":
        data["license_plates"] = [plate]
    return data


@router.post("/trips/profiles")
async def profiles_save(request: Request, user: Clerk) -> Response:
    raw = await request.form(max_fields=30, max_files=0)
    form = {k: v for k, v in raw.items() if isinstance(v, str)}
    kind = form.get("kind", "")
    try:
        await run_in_threadpool(lambda: save_profile(
            request.app.state.db, tenant_id=user.tenant_id, kind=kind,
            name=form.get("name", ""), data=profile_data(kind, form), actor=user.actor,
            now=request.app.state.web_clock()))
    except StorageError as error:
        profiles = await run_in_threadpool(_profiles, request, user)
        return render(request, "profiles.html", {"profiles": profiles, "error": str(error)},
                      status=422)
    return RedirectResponse(f"/trips/profiles?done={kind}", status_code=303)
