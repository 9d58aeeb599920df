"""Filed trips: list (paged), read, re-emit their files, cancel; file stored shipments as a
trip from a request (the trip as a mapping, as the API and the web receive it)."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from ace321.app.errors import InvalidInput, NotFound, Refused, problem
from ace321.app.filing import ManifestOptions, ManifestRefused, ManifestReport, manifest_stored
from ace321.app.paging import decode_cursor, encode_cursor
from ace321.rules import RuleSet
from ace321.storage import Database, StorageError
from ace321.storage import trips as store

TRIP_STATUSES = ("OPEN", "TRANSMITTED", "ACCEPTED", "REJECTED", "ARRIVED", "RELEASED",
                 "CANCELLED")


@dataclass
class TripPage:
    items: list[dict[str, Any]]
    next_cursor: str | None


def list_trips(db: Database, *, tenant: str, status: str | None = None,
               arrival_from: dt.date | None = None, arrival_to: dt.date | None = None,
               cursor: str | None = None, limit: int | None = None) -> TripPage:
    """The tenant's trips by arrival date then trip number; every trip when ``limit`` is None,
    else one page (``next_cursor`` fetches the next)."""
    if status is not None and status.upper() not in TRIP_STATUSES:
        raise InvalidInput(f"status: {status!r} is not a trip status ({', '.join(TRIP_STATUSES)})",
                           problems=[problem("INVALID_REQUEST", "status",
                                             f"{status!r} is not one of {', '.join(TRIP_STATUSES)}")])
    after = None
    if cursor:
        day, number = decode_cursor(cursor, 2)
        try:
            after = (dt.date.fromisoformat(day), number)
        except ValueError:
            decode_cursor("", 2)  # raises: not one of ours
    with db.reading() as session:
        rows = store.list_trips(session, tenant=tenant, status=status, arrival_from=arrival_from,
                                arrival_to=arrival_to, after=after,
                                limit=None if limit is None else limit + 1)
    more = limit is not None and len(rows) > limit
    rows = rows[:limit] if limit is not None else rows
    next_cursor = (encode_cursor([rows[-1]["arrival_date"], rows[-1]["trip_number"]])
                   if more and rows else None)
    return TripPage(rows, next_cursor)


def show_trip(db: Database, *, tenant: str, trip_number: str) -> dict[str, Any]:
    """The trip with its shipments (SCNs), files (names, sizes, SHA-256) and CBP responses."""
    with db.reading() as session:
        try:
            return store.show_trip(session, trip_number, tenant=tenant)
        except StorageError:
            raise NotFound(f"no trip {trip_number!r}") from None


def trip_files(db: Database, *, tenant: str, trip_number: str) -> dict[str, bytes]:
    """The trip's files byte for byte as filed (SHA-256 checked)."""
    with db.reading() as session:
        try:
            return store.trip_files(session, trip_number, tenant=tenant)
        except StorageError as error:
            if "does not match" in str(error):
                raise
            raise NotFound(f"no trip {trip_number!r}") from None


@dataclass
class CancelledTrip:
    trip_number: str
    before: str
    status: str
    freed: list[str]


def cancel_trip(db: Database, *, tenant: str, actor: str, now: dt.datetime, trip_number: str,
                reason: str) -> CancelledTrip:
    """Cancel a trip not yet transmitted (or rejected): its MANIFESTED shipments go back to
    SCREENED; its SCNs are never issued again."""
    if not reason.strip():
        raise InvalidInput("cancelling a trip needs a reason", problems=[
            problem("MISSING_FIELD", "reason", "cancelling a trip needs a reason")])
    try:
        done = store.cancel_trip(db, trip_number, actor=actor, now=now, reason=reason,
                                 tenant=tenant)
    except StorageError as error:
        if str(error).startswith("no trip"):
            raise NotFound(str(error)) from None
        raise Refused(str(error), code="CANCEL_REFUSED") from None
    return CancelledTrip(done["trip_number"], done["before"], done["status"], done["freed"])


@dataclass
class FiledTrip:
    report: ManifestReport
    trip: dict[str, Any] = field(default_factory=dict)
    """``show_trip`` of the trip just filed."""


def file_stored_trip(db: Database, rules: RuleSet, *, tenant: str, actor: str, now: dt.datetime,
                     trip: dict[str, Any], shipment_ids: list[str] | None = None,
                     batch_id: str | None = None, filed_at: dt.datetime | None = None,
                     production: bool = False, group_commodities: bool = False,
                     skip_invalid: bool = False, rates: pl.DataFrame | None = None
                     ) -> FiledTrip:
    """File stored shipments (by id, or a batch) as a trip; the files are kept in the database
    only (``trip_files``). Raises ``InvalidInput`` (the request), ``ManifestRefused`` (every
    problem of the manifest) or ``Refused`` (the stored state changed meanwhile)."""
    from ace321.intake import UnusableInput
    from ace321.manifest.trip_file import parse_trip

    if (shipment_ids is None) == (batch_id is None):
        raise InvalidInput("give exactly one of shipment_ids or batch_id", problems=[problem(
            "INVALID_REQUEST", "shipment_ids", "give exactly one of shipment_ids or batch_id")])
    try:
        parsed, trip_issues = parse_trip(trip, "trip")
    except UnusableInput as error:
        raise InvalidInput(f"trip: {error.cause}", code="INVALID_TRIP", problems=[problem(
            "INVALID_TRIP", "trip", error.cause)]) from None
    if parsed is None:
        raise InvalidInput("the trip cannot be used", code="INVALID_TRIP", problems=[
            {**i.as_dict(), "field": f"trip.{i.field}"} for i in trip_issues])
    filed_at = filed_at or now
    if filed_at.utcoffset() is None:
        raise InvalidInput("filed_at: give the UTC offset", problems=[
            problem("INVALID_REQUEST", "filed_at", "give the UTC offset")])
    out = Path(tempfile.mkdtemp(prefix="ace321-trip-"))
    try:
        options = ManifestOptions(
            trip=parsed, out=out / "files", filed_at=filed_at, actor=actor, now=now,
            production=production, group_commodities=group_commodities,
            skip_invalid=skip_invalid, tenant=tenant)
        try:
            report = manifest_stored(db, options, rules=rules, shipment_ids=shipment_ids,
                                     batch_id=batch_id, rates=rates)
        except ManifestRefused:
            raise
        except StorageError as error:
            raise Refused(f"nothing stored: {error}", code="CONFLICT") from None
    finally:
        shutil.rmtree(out, ignore_errors=True)
    return FiledTrip(report, show_trip(db, tenant=tenant, trip_number=report.trip_number))
