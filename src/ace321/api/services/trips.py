"""Trips over HTTP: file stored shipments as a trip, read it and its files, cancel it; import
CBP responses. The storage does the work (``ace321.storage.trips`` / ``responses``)."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import tempfile
from pathlib import Path
from typing import Any

from ace321.api.problems import ApiProblem, issue
from ace321.api.schemas.trips import TripCreate
from ace321.rules import RuleSet
from ace321.storage import Database, StorageError
from ace321.storage.api_keys import Principal

MEDIA_TYPES = {
    "ace_trip.json": "application/json", "ace_shipments.csv": "text/csv; charset=utf-8",
    "manifest.x12": "application/edi-x12", "cover_sheet.pdf": "application/pdf",
    "summary.json": "application/json",
}


def _problems(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [issue(p["code"], p["message"], field=p.get("field"), row=p.get("row"),
                  severity=p.get("severity", "error")) for p in items]


def create(db: Database, rules: RuleSet, principal: Principal, body: TripCreate,
           now: dt.datetime) -> dict[str, Any]:
    from ace321.intake import UnusableInput
    from ace321.manifest.trip_file import parse_trip
    from ace321.storage.trips import ManifestOptions, ManifestRefused, manifest_stored, show_trip

    if (body.shipment_ids is None) == (body.batch_id is None):
        raise ApiProblem(422, "give exactly one of shipment_ids or batch_id",
                         code="INVALID_REQUEST", issues=[issue(
                             "INVALID_REQUEST", "give exactly one of shipment_ids or batch_id",
                             field="shipment_ids")])
    try:
        trip, trip_issues = parse_trip(body.trip, "trip")
    except UnusableInput as error:
        raise ApiProblem(422, f"trip: {error.cause}", code="INVALID_TRIP", issues=[issue(
            "INVALID_TRIP", error.cause, field="trip")]) from None
    if trip is None:
        issues = [{**i.as_dict(), "field": f"trip.{i.field}"} for i in trip_issues]
        raise ApiProblem(422, "the trip cannot be used", code="INVALID_TRIP",
                         issues=_problems(issues))
    filed_at = body.filed_at or now
    if filed_at.utcoffset() is None:
        raise ApiProblem(422, "filed_at: give the UTC offset", code="INVALID_REQUEST", issues=[
            issue("INVALID_REQUEST", "give the UTC offset", field="filed_at")])
    out = Path(tempfile.mkdtemp(prefix="ace321-trip-"))
    try:
        options = ManifestOptions(
            trip=trip, out=out / "files", filed_at=filed_at, actor=principal.actor, now=now,
            production=body.production, group_commodities=body.group_commodities,
            skip_invalid=body.skip_invalid, tenant=principal.tenant)
        try:
            report = manifest_stored(db, options, rules=rules, shipment_ids=body.shipment_ids,
                                     batch_id=body.batch_id)
        except ManifestRefused as refused:
            problems = _problems(refused.problems)
            unknown = all(p["code"] in ("UNKNOWN_SHIPMENT", "UNKNOWN_BATCH") for p in problems
                          if p["severity"] == "error")
            raise ApiProblem(404 if unknown and problems else 422,
                             f"manifest refused, nothing stored: {refused}",
                             code="MANIFEST_REFUSED", issues=problems) from None
        except StorageError as error:
            raise ApiProblem(409, f"nothing stored: {error}", code="CONFLICT") from None
    finally:
        shutil.rmtree(out, ignore_errors=True)
    with db.reading() as session:
        shown = show_trip(session, report.trip_number, tenant=principal.tenant)
    return {**shown, "warnings": report.warnings, "skipped_invalid": report.skipped}


def not_found(trip_number: str) -> ApiProblem:
    return ApiProblem(404, f"no trip {trip_number!r}", code="NOT_FOUND")


def read(db: Database, principal: Principal, trip_number: str) -> dict[str, Any]:
    from ace321.storage.trips import show_trip

    with db.reading() as session:
        try:
            return show_trip(session, trip_number, tenant=principal.tenant)
        except StorageError:
            raise not_found(trip_number) from None


def file(db: Database, principal: Principal, trip_number: str, name: str) -> tuple[bytes, str]:
    from ace321.storage.trips import trip_files

    with db.reading() as session:
        try:
            files = trip_files(session, trip_number, tenant=principal.tenant)
        except StorageError as error:
            if "does not match" in str(error):
                raise
            raise not_found(trip_number) from None
    if name not in files:
        raise ApiProblem(404, f"trip {trip_number!r} has no file {name!r}", code="NOT_FOUND")
    return files[name], MEDIA_TYPES.get(name, "application/octet-stream")


def cancel(db: Database, principal: Principal, trip_number: str, reason: str,
           now: dt.datetime) -> dict[str, Any]:
    from ace321.storage.trips import cancel_trip

    read(db, principal, trip_number)  # 404 first, exactly as for a missing trip
    try:
        cancel_trip(db, trip_number, actor=principal.actor, now=now, reason=reason,
                    tenant=principal.tenant)
    except StorageError as error:
        if str(error).startswith("no trip"):
            raise not_found(trip_number) from None
        raise ApiProblem(409, str(error), code="CANCEL_REFUSED") from None
    return read(db, principal, trip_number)


def import_responses(db: Database, principal: Principal, data: bytes, name: str,
                     now: dt.datetime) -> dict[str, Any]:
    from ace321.exports.cbp_responses import ResponseFormatError, parse_response_file
    from ace321.storage.responses import import_responses as store

    try:
        messages = parse_response_file(data.decode("utf-8-sig"))
    except UnicodeDecodeError as error:
        raise ApiProblem(422, f"{name}: not UTF-8 text (offset {error.start})",
                         code="UNUSABLE_INPUT", issues=[issue(
                             "UNUSABLE_INPUT", "not UTF-8 text", field="body")]) from None
    except ResponseFormatError as error:
        raise ApiProblem(422, f"{name}: {error}", code="UNUSABLE_INPUT", issues=[issue(
            "UNUSABLE_INPUT", str(error), field="body")]) from None
    try:
        report = store(db, messages, source_file=name, sha256=hashlib.sha256(data).hexdigest(),
                       actor=principal.actor, now=now, tenant=principal.tenant)
    except StorageError as error:
        raise ApiProblem(409, f"{name}: nothing stored: {error}", code="CONFLICT") from None
    return {"source_file": name, "messages": [a.as_dict() for a in report.applied],
            "errors": len(report.errors), "unknown_codes": len(report.unknown)}
