"""Trips in the database: record a filed trip, read trips and their files, cancel a trip.

Persistence only: ``ace321.app.filing`` decides what is filed (screening, checks, the build of
the manifest, its files) and calls ``record_trip`` inside its transaction. The numbers issued
on filing are in ``storage.trip_numbers``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from ace321.manifest.model import Manifest, Trip
from ace321.reference.ports import load_ports
from ace321.storage import audit
from ace321.storage.database import Database, StorageError, lock_names
from ace321.storage.history import tenant_id
from ace321.storage.models import Batch, ScnRegistry, Shipment, StatusChange
from ace321.storage.trip_models import (
    OPEN_TRIP_STATUSES,
    TripFile,
    TripRecord,
    TripShipment,
)

CANCELLABLE = ("OPEN", "REJECTED")
_CHUNK = 500


# -- what a filing reads ------------------------------------------------------------------


def shipments_by_id(session: Session, tenant_pk: int, ids: Sequence[str]) -> dict[str, Shipment]:
    """The stored shipments among ``ids`` (shipment id -> row)."""
    wanted = list(dict.fromkeys(ids))
    found: dict[str, Shipment] = {}
    for start in range(0, len(wanted), _CHUNK):
        for row in session.scalars(select(Shipment).where(
                Shipment.tenant_id == tenant_pk,
                Shipment.shipment_id.in_(wanted[start:start + _CHUNK]))):
            found[row.shipment_id] = row
    return found


def batch_shipments(session: Session, tenant_pk: int, batch_id: uuid.UUID
                    ) -> list[Shipment] | None:
    """Every stored shipment of a batch of the tenant, oldest first; None: no such batch."""
    batch = session.get(Batch, batch_id)
    if batch is None or batch.tenant_id != tenant_pk:
        return None
    return list(session.scalars(select(Shipment).where(
        Shipment.tenant_id == tenant_pk, Shipment.batch_id == batch_id)
        .order_by(Shipment.created_at, Shipment.shipment_id)))


def open_trips_of(session: Session, pks: Sequence[uuid.UUID]) -> dict[uuid.UUID, tuple[str, str]]:
    """Shipment pk -> (trip number, trip status) of the filed trips, not cancelled (nor
    released), that carry these shipments."""
    out: dict[uuid.UUID, tuple[str, str]] = {}
    for start in range(0, len(pks), _CHUNK):
        for pk, number, status in session.execute(
                select(TripShipment.shipment_pk, TripRecord.trip_number, TripRecord.status)
                .join(TripRecord, TripRecord.id == TripShipment.trip_id)
                .where(TripShipment.shipment_pk.in_(pks[start:start + _CHUNK]),
                       TripRecord.status.in_(OPEN_TRIP_STATUSES))):
            out[pk] = (number, status)
    return out


def trip_numbers_of(session: Session, trip_ids: set[int]) -> dict[int, str]:
    if not trip_ids:
        return {}
    return {trip_id: number for trip_id, number in session.execute(
        select(TripRecord.id, TripRecord.trip_number).where(TripRecord.id.in_(trip_ids)))}


# -- recording a filed trip -----------------------------------------------------------------


@dataclass(frozen=True)
class FiledDrop:
    """One ACE shipment (consignee drop) of a filed trip and the stored shipments it carries."""

    scn: str
    ace_type: str
    decision: str
    shipments: list[Shipment]


def record_trip(session: Session, tenant_pk: int, *, trip: Trip, trip_number: str,
                manifest: Manifest, drops: list[FiledDrop], files: dict[str, bytes],
                control_number: int, estimated_arrival: dt.datetime, arrival_date: dt.date,
                production: bool, filed_at: dt.datetime, skipped: list[str], actor: str,
                now: dt.datetime) -> dict[str, str]:
    """Insert the trip, its files, its shipments and SCNs; move the shipments to MANIFESTED
    with status history and audit events. Returns the files' SHA-256 digests."""
    record = TripRecord(
        tenant_id=tenant_pk, trip_number=trip_number, carrier_scac=trip.carrier_scac,
        port_of_arrival=trip.port_of_arrival, estimated_arrival=utc(estimated_arrival),
        arrival_date=arrival_date, status="OPEN", control_number=control_number,
        production=production, filed_at=utc(filed_at), rules_version=manifest.rules_version,
        trip_json=trip.model_dump_json(), actor=actor, created_at=now, updated_at=now)
    session.add(record)
    session.flush()
    digests = {name: hashlib.sha256(content).hexdigest() for name, content in files.items()}
    session.execute(insert(TripFile), [
        {"trip_id": record.id, "name": name, "sha256": digests[name], "size": len(content),
         "content": content} for name, content in files.items()])
    links, registry, moves = [], [], []
    for position, drop in enumerate(drops, start=1):
        registry.append({"tenant_id": tenant_pk, "scn": drop.scn,
                         "shipment_pk": drop.shipments[0].id, "issued_at": now,
                         "active": True, "actor": actor,
                         "rules_version": manifest.rules_version, "trip_id": record.id})
        for row in drop.shipments:
            links.append({"trip_id": record.id, "shipment_pk": row.id, "scn": drop.scn,
                          "ace_type": drop.ace_type, "decision": drop.decision,
                          "position": position})
            moves.append((row, drop.scn, drop.ace_type))
    session.execute(insert(TripShipment), links)
    session.execute(insert(ScnRegistry), registry)
    entries = [audit.Entry(
        "manifest", "trip", trip_number,
        after={"port": trip.port_of_arrival, "arrival": record.estimated_arrival.isoformat(),
               "control_number": control_number, "scns": [d.scn for d in drops],
               "shipments": [s.shipment_id for d in drops for s in d.shipments],
               "skipped": skipped, "files": digests},
        rules_version=manifest.rules_version)]
    history = []
    for row, scn, ace_type in moves:
        before = row.status
        changed = session.execute(update(Shipment).where(
            Shipment.id == row.id, Shipment.status == before).values(
            status="MANIFESTED", ace_shipment_type=ace_type, updated_at=now)
            .execution_options(synchronize_session=False))
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            raise StorageError(f"shipment {row.shipment_id} changed status meanwhile: "
                               "nothing was filed, try again")
        cause = f"manifested on trip {trip_number} as {ace_type}, SCN {scn}"
        history.append({"shipment_pk": row.id, "from_status": before,
                        "to_status": "MANIFESTED", "changed_at": now, "actor": actor,
                        "cause": cause})
        entries.append(audit.Entry("status", "shipment", row.shipment_id,
                                   before={"status": before},
                                   after={"status": "MANIFESTED", "cause": cause,
                                          "trip": trip_number, "scn": scn}))
    session.execute(insert(StatusChange), history)
    audit.append(session, tenant_id=tenant_pk, actor=actor, at=now, entries=entries)
    session.flush()
    return digests


# -- trips: list, show, files, cancel -----------------------------------------------------


def _trip(session: Session, tenant_pk: int, trip_number: str, *, for_update: bool = False
          ) -> TripRecord:
    query = select(TripRecord).where(TripRecord.tenant_id == tenant_pk,
                                     TripRecord.trip_number == trip_number)
    if for_update:
        query = query.with_for_update()
    record = session.scalars(query).one_or_none()
    if record is None:
        raise StorageError(f"no trip {trip_number!r}")
    return record


def list_trips(session: Session, *, tenant: str = "default", status: str | None = None,
               arrival_from: dt.date | None = None, arrival_to: dt.date | None = None,
               after: tuple[dt.date, str] | None = None, limit: int | None = None
               ) -> list[dict[str, Any]]:
    """The tenant's trips ordered by arrival date (port local) then trip number; ``after`` is
    the (arrival date, trip number) of the last trip of the previous page."""
    tenant_pk = tenant_id(session, tenant)
    counts = (select(TripShipment.trip_id, func.count().label("shipments"),
                     func.count(func.distinct(TripShipment.scn)).label("scns"))
              .group_by(TripShipment.trip_id).subquery())
    query = (select(TripRecord, counts.c.shipments, counts.c.scns)
             .outerjoin(counts, counts.c.trip_id == TripRecord.id)
             .where(TripRecord.tenant_id == tenant_pk))
    if status:
        query = query.where(TripRecord.status == status.upper())
    if arrival_from is not None:
        query = query.where(TripRecord.arrival_date >= arrival_from)
    if arrival_to is not None:
        query = query.where(TripRecord.arrival_date <= arrival_to)
    if after is not None:
        day, number = after
        query = query.where((TripRecord.arrival_date > day) | (
            (TripRecord.arrival_date == day) & (TripRecord.trip_number > number)))
    query = query.order_by(TripRecord.arrival_date, TripRecord.trip_number)
    if limit is not None:
        query = query.limit(limit)
    return [{**_trip_summary(record), "shipments": shipments or 0, "scns": scns or 0}
            for record, shipments, scns in session.execute(query)]


def utc(value: dt.datetime) -> dt.datetime:
    """Aware UTC (SQLite gives back naive datetimes: they were stored in UTC)."""
    return value.replace(tzinfo=dt.UTC) if value.utcoffset() is None else value.astimezone(dt.UTC)


def _trip_summary(record: TripRecord) -> dict[str, Any]:
    port = load_ports().get(record.port_of_arrival)
    arrival = utc(record.estimated_arrival)
    return {
        "trip_number": record.trip_number, "carrier_scac": record.carrier_scac,
        "port_of_arrival": record.port_of_arrival,
        "estimated_arrival": (arrival.astimezone(port.zone) if port else arrival).isoformat(),
        "arrival_date": record.arrival_date.isoformat(), "status": record.status,
        "control_number": record.control_number, "production": record.production,
        "filed_at": utc(record.filed_at).isoformat(),
        "created_at": utc(record.created_at).isoformat(),
        "actor": record.actor, "rules_version": record.rules_version,
    }


def show_trip(session: Session, trip_number: str, *, tenant: str = "default") -> dict[str, Any]:
    from ace321.storage.trip_models import CbpResponse

    record = _trip(session, tenant_id(session, tenant), trip_number)
    shipments = [
        {"position": link.position, "scn": link.scn, "shipment_id": shipment.shipment_id,
         "type": link.ace_type, "decision": link.decision, "status": shipment.status}
        for link, shipment in session.execute(
            select(TripShipment, Shipment).join(Shipment, Shipment.id == TripShipment.shipment_pk)
            .where(TripShipment.trip_id == record.id)
            .order_by(TripShipment.position, Shipment.shipment_id))]
    files = [{"name": f.name, "sha256": f.sha256, "size": f.size} for f in session.execute(
        select(TripFile.name, TripFile.sha256, TripFile.size)
        .where(TripFile.trip_id == record.id).order_by(TripFile.id))]
    responses = [
        {"received_at": utc(r.received_at).isoformat(), "message_type": r.message_type,
         "scn": r.scn, "code": r.code, "text": r.text, "known": r.known, "outcome": r.outcome,
         "source_file": r.source_file}
        for r in session.scalars(select(CbpResponse).where(CbpResponse.trip_id == record.id)
                                 .order_by(CbpResponse.id))]
    return {**_trip_summary(record), "trip": json.loads(record.trip_json),
            "shipments": shipments, "files": files, "responses": responses}


def trip_files(session: Session, trip_number: str, *, tenant: str = "default"
               ) -> dict[str, bytes]:
    """The stored files of a trip, byte for byte (their SHA-256 is checked)."""
    record = _trip(session, tenant_id(session, tenant), trip_number)
    out = {}
    for name, digest, content in session.execute(select(
            TripFile.name, TripFile.sha256, TripFile.content).where(
            TripFile.trip_id == record.id).order_by(TripFile.id)):
        data = bytes(content)
        if hashlib.sha256(data).hexdigest() != digest:
            raise StorageError(f"trip {trip_number}: stored file {name} does not match its "
                               "SHA-256")
        out[name] = data
    return out


def cancel_trip(db: Database, trip_number: str, *, actor: str, now: dt.datetime,
                reason: str, tenant: str = "default") -> dict[str, Any]:
    """Cancel a trip not yet transmitted (or rejected): its MANIFESTED shipments go back to
    SCREENED, free for another trip. Its SCNs stay in the registry, never to be issued again."""
    if not reason.strip():
        raise StorageError("cancelling a trip needs a reason")
    with db.transaction() as session:
        tenant_pk = tenant_id(session, tenant)
        record = _trip(session, tenant_pk, trip_number, for_update=True)
        if record.status not in CANCELLABLE:
            raise StorageError(
                f"trip {trip_number} is {record.status}: only {' or '.join(CANCELLABLE)} trips "
                "can be cancelled (once CBP has it, amend or delete it with CBP)")
        rows = list(session.scalars(select(Shipment).join(
            TripShipment, TripShipment.shipment_pk == Shipment.id).where(
            TripShipment.trip_id == record.id).order_by(Shipment.shipment_id)
            .with_for_update()))
        lock_names(session, {f"s|{tenant_pk}|{r.shipment_id}" for r in rows})
        cause = f"trip {trip_number} cancelled: {reason}"
        freed, history = [], []
        entries = [audit.Entry("cancel", "trip", trip_number, before={"status": record.status},
                               after={"status": "CANCELLED", "reason": reason})]
        for row in rows:
            if row.status != "MANIFESTED":
                continue
            session.execute(update(Shipment).where(Shipment.id == row.id).values(
                status="SCREENED", updated_at=now))
            history.append({"shipment_pk": row.id, "from_status": "MANIFESTED",
                            "to_status": "SCREENED", "changed_at": now, "actor": actor,
                            "cause": cause})
            entries.append(audit.Entry("status", "shipment", row.shipment_id,
                                       before={"status": "MANIFESTED"},
                                       after={"status": "SCREENED", "cause": cause}))
            freed.append(row.shipment_id)
        if history:
            session.execute(insert(StatusChange), history)
        before = record.status
        session.execute(update(TripRecord).where(TripRecord.id == record.id).values(
            status="CANCELLED", updated_at=now))
        audit.append(session, tenant_id=tenant_pk, actor=actor, at=now, entries=entries)
        return {"trip_number": trip_number, "before": before, "status": "CANCELLED",
                "freed": freed}
