"""Importing CBP's responses: store every message, move trips and shipments accordingly.

One transaction per file. Every ``CbpMessage`` becomes a ``cbp_responses`` row (trip, SCN,
code, text, the raw segment or JSON, the source file and its SHA-256, when, who) with the
outcome: what was changed, or why nothing was. Nothing is dropped:

- an unknown code is stored and reported (``known`` false) and changes no status;
- a message is matched to the one trip it names (its trip number, else its SCN) across every
  tenant: trip numbers and SCNs are unique per carrier SCAC (migration 0006), so the trip also
  tells the tenant. With ``tenant`` given (the API: the key's tenant) only that tenant's trips
  are looked at. A trip number or SCN that several trips share (numbers issued twice before
  0006) is ambiguous: stored as an error naming the trips, applied to none;
- a message about an unknown trip or SCN is stored as an error naming it; the other messages
  of the file are still applied (the caller exits 1);
- importing a file again is idempotent by content (its SHA-256): a message already stored and
  applied is skipped, never stored twice; one stored as an error (say, its trip was filed
  since) is tried again and its row updated. A file whose every message was applied before is
  reported ``already_imported`` and changes nothing;
- the first response about a trip implies it was transmitted: an OPEN trip becomes
  TRANSMITTED, and its MANIFESTED shipments TRANSMITTED;
- a status several steps ahead implies the steps between (a release of a TRANSMITTED shipment
  passes through ACCEPTED and ARRIVED), each step in the status history with its cause;
  a move that the lifecycle forbids (a RELEASED shipment held again) is reported as an error.

What each known code does: ``exports.cbp_responses.CODES`` (``Effect``).
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from ace321.exports.cbp_responses import CbpMessage, Effect
from ace321.storage import audit
from ace321.storage.database import Database, lock_names
from ace321.storage.history import tenant_id
from ace321.storage.lifecycle import TRANSITIONS
from ace321.storage.models import Shipment, StatusChange
from ace321.storage.trip_models import CbpResponse, TripRecord, TripShipment

TRIP_TRANSITIONS: dict[str, frozenset[str]] = {
    "OPEN": frozenset({"TRANSMITTED", "CANCELLED"}),
    "TRANSMITTED": frozenset({"ACCEPTED", "REJECTED"}),
    "ACCEPTED": frozenset({"ARRIVED"}),
    "REJECTED": frozenset({"ACCEPTED"}),
    "ARRIVED": frozenset({"RELEASED"}),
    "RELEASED": frozenset(),
    "CANCELLED": frozenset(),
}
IMPLIED = frozenset({"TRANSMITTED", "ACCEPTED", "ARRIVED"})
"""Statuses a response may pass through without naming them."""

_SHIPMENT_TARGET = {
    Effect.SHIPMENT_ACCEPTED: "ACCEPTED", Effect.SHIPMENT_REJECTED: "REJECTED",
    Effect.SHIPMENT_RELEASED: "RELEASED", Effect.SHIPMENT_HOLD: "HOLD",
    # a trip-level code given under one bill concerns that bill
    Effect.TRIP_ACCEPTED: "ACCEPTED", Effect.TRIP_REJECTED: "REJECTED",
}
_TRIP_TARGET = {
    Effect.TRIP_ACCEPTED: "ACCEPTED", Effect.TRIP_REJECTED: "REJECTED",
    Effect.TRIP_ARRIVED: "ARRIVED", Effect.TRIP_RELEASED: "RELEASED",
}
# Which shipments of the trip follow a trip-level status, from which statuses.
_FOLLOWERS = {
    "ACCEPTED": ("MANIFESTED", "TRANSMITTED"),
    "REJECTED": ("MANIFESTED", "TRANSMITTED"),
    "ARRIVED": ("ACCEPTED",),
}


def path(current: str, target: str, transitions: dict[str, frozenset[str]]) -> list[str] | None:
    """The statuses from ``current`` to ``target`` (excluded/included), through implied
    statuses only; ``[]`` when already there, None when not reachable.

    >>> path("MANIFESTED", "RELEASED", TRANSITIONS)
    ['TRANSMITTED', 'ACCEPTED', 'ARRIVED', 'RELEASED']
    >>> path("RELEASED", "HOLD", TRANSITIONS) is None
    True
    """
    if current == target:
        return []
    queue: deque[tuple[str, list[str]]] = deque([(current, [])])
    seen = {current}
    while queue:
        status, steps = queue.popleft()
        for following in sorted(transitions.get(status, ())):
            if following == target:
                return [*steps, following]
            if following in IMPLIED and following not in seen:
                seen.add(following)
                queue.append((following, [*steps, following]))
    return None


@dataclass
class Applied:
    message: CbpMessage
    outcome: str
    error: bool = False
    trip_number: str | None = None

    def as_dict(self) -> dict[str, Any]:
        info = self.message.info
        return {
            "message_type": self.message.message_type,
            "trip_number": self.trip_number or self.message.trip_number,
            "scn": self.message.scn, "code": self.message.code, "text": self.message.text,
            "known": info is not None, "meaning": info.meaning if info else None,
            "effect": str(info.effect) if info else None, "outcome": self.outcome,
            "error": self.error,
        }


@dataclass
class ImportReport:
    source_file: str
    applied: list[Applied] = field(default_factory=list)
    skipped: int = 0
    """Messages already imported from this content before (not applied again)."""
    first_imported_at: dt.datetime | None = None

    @property
    def already_imported(self) -> bool:
        return self.skipped > 0 and not self.applied

    @property
    def errors(self) -> list[Applied]:
        return [a for a in self.applied if a.error]

    @property
    def unknown(self) -> list[Applied]:
        return [a for a in self.applied if not a.message.known]


class _Importer:
    def __init__(self, session: Session, scope: int | None, actor: str, now: dt.datetime) -> None:
        self.session = session
        self.scope = scope
        self.actor = actor
        self.now = now
        self.trips: dict[str, TripRecord | None] = {}
        self.by_id: dict[int, TripRecord] = {}
        self.entries: list[tuple[int, audit.Entry]] = []
        self.history: list[dict[str, Any]] = []

    def _scoped(self, query: Any) -> Any:
        return query if self.scope is None else query.where(TripRecord.tenant_id == self.scope)

    def _keep(self, records: list[TripRecord]) -> list[TripRecord]:
        return [self.by_id.setdefault(r.id, r) for r in records]

    def trip(self, number: str) -> list[TripRecord]:
        """The trips with this number (one, unless numbers were issued twice before 0006)."""
        records = self._keep(list(self.session.scalars(self._scoped(select(TripRecord).where(
            TripRecord.trip_number == number)).order_by(TripRecord.id).with_for_update())))
        if len(records) == 1:
            self.trips[number] = records[0]
        return records

    def trip_of_scn(self, scn: str) -> list[TripRecord]:
        """The trips an SCN is on, newest first (one, unless it was issued twice)."""
        ids = list(self.session.execute(self._scoped(
            select(TripShipment.trip_id).join(TripRecord, TripRecord.id == TripShipment.trip_id)
            .where(TripShipment.scn == scn)).distinct()).scalars())
        records = [self.session.get(TripRecord, i) for i in sorted(ids, reverse=True)]
        return self._keep([r for r in records if r is not None])

    def locate(self, message: CbpMessage) -> tuple[TripRecord | None, str | None]:
        """The one trip the message is about, or why there is none."""
        if message.trip_number:
            what, found = f"trip {message.trip_number}", self.trip(message.trip_number)
        elif message.scn:
            what, found = f"SCN {message.scn}", self.trip_of_scn(message.scn)
            if len({r.tenant_id for r in found}) == 1:
                found = found[:1]  # one tenant's shipment re-filed: its latest trip
        else:
            return None, "names neither a trip nor an SCN: not applied"
        if not found:
            return None, f"unknown {what}: not applied"
        if len(found) > 1:
            trips = ", ".join(f"{r.trip_number} (tenant {r.tenant_id})" for r in found)
            return None, (f"ambiguous: {what} matches {len(found)} trips ({trips}), numbers "
                          "issued twice before they were unique per SCAC: not applied to any")
        self.trips.setdefault(found[0].trip_number, found[0])
        return found[0], None

    def shipments(self, record: TripRecord, scn: str | None = None) -> list[Shipment]:
        query = select(Shipment).join(TripShipment, TripShipment.shipment_pk == Shipment.id).where(
            TripShipment.trip_id == record.id)
        if scn is not None:
            query = query.where(TripShipment.scn == scn)
        return list(self.session.scalars(query.order_by(Shipment.shipment_id).with_for_update()))

    # -- moves --------------------------------------------------------------------------

    def move_trip(self, record: TripRecord, target: str, cause: str) -> str | None:
        steps = path(record.status, target, TRIP_TRANSITIONS)
        if steps is None:
            return None
        if not steps:
            return f"trip already {target}"
        before = record.status
        self.session.execute(update(TripRecord).where(TripRecord.id == record.id).values(
            status=target, updated_at=self.now).execution_options(synchronize_session=False))
        record.status = target
        self.entries.append((record.tenant_id, audit.Entry(
            "status", "trip", record.trip_number, before={"status": before},
            after={"status": target, "via": steps[:-1], "cause": cause})))
        return f"trip {' -> '.join([before, *steps])}"

    def move_shipment(self, shipment: Shipment, target: str, cause: str) -> str | None:
        steps = path(shipment.status, target, TRANSITIONS)
        if steps is None:
            return None
        if not steps:
            return f"{shipment.shipment_id} already {target}"
        before = shipment.status
        self.session.execute(update(Shipment).where(Shipment.id == shipment.id).values(
            status=target, updated_at=self.now).execution_options(synchronize_session=False))
        previous = before
        for step in steps:
            implied = step != target
            self.history.append({
                "shipment_pk": shipment.id, "from_status": previous, "to_status": step,
                "changed_at": self.now, "actor": self.actor,
                "cause": f"implied by {cause}" if implied else cause})
            previous = step
        shipment.status = target
        self.entries.append((shipment.tenant_id, audit.Entry(
            "status", "shipment", shipment.shipment_id, before={"status": before},
            after={"status": target, "via": steps[:-1], "cause": cause})))
        return f"{shipment.shipment_id} {' -> '.join([before, *steps])}"

    def transmitted(self, record: TripRecord, cause: str) -> list[str]:
        """The first response about an OPEN trip: it and its MANIFESTED shipments were sent."""
        if record.status != "OPEN":
            return []
        done = [self.move_trip(record, "TRANSMITTED", f"implied by {cause}") or ""]
        for shipment in self.shipments(record):
            if shipment.status == "MANIFESTED":
                done.append(self.move_shipment(shipment, "TRANSMITTED",
                                               f"trip {record.trip_number} transmitted") or "")
        return [d for d in done if d]

    # -- one message --------------------------------------------------------------------

    def apply(self, message: CbpMessage, rejected: set[str]) -> Applied:
        record, why = self.locate(message)
        if record is None:
            return Applied(message, why or "not applied", error=True)
        number = record.trip_number
        targets: list[Shipment] = []
        if message.scn:
            targets = self.shipments(record, message.scn)
            if not targets:
                return Applied(message, f"unknown SCN {message.scn} (not on trip {number}): "
                               "not applied", error=True, trip_number=number)
        cause = f"CBP {message.message_type} {message.code or '(no code)'}" + (
            f" {message.text}" if message.text else "")
        done = self.transmitted(record, cause)
        info = message.info
        if info is None:
            done.append(f"unknown code {message.code or '(none)'}: stored, no status change")
            return Applied(message, "; ".join(done), trip_number=number)
        effect = info.effect
        if message.scn and effect in _SHIPMENT_TARGET:
            target = _SHIPMENT_TARGET[effect]
            for shipment in targets:
                moved = self.move_shipment(shipment, target, cause)
                if moved is None:
                    done.append(f"{shipment.shipment_id} is {shipment.status}: cannot become "
                                f"{target}")
                    return Applied(message, "; ".join(done), error=True, trip_number=number)
                done.append(moved)
        elif effect in _TRIP_TARGET:
            target = _TRIP_TARGET[effect]
            moved = self.move_trip(record, target, cause)
            if moved is None:
                done.append(f"trip is {record.status}: cannot become {target}")
                return Applied(message, "; ".join(done), error=True, trip_number=number)
            done.append(moved)
            followers = _FOLLOWERS.get(target, ())
            count = 0
            for shipment in self.shipments(record):
                if shipment.status not in followers:
                    continue
                if target == "ACCEPTED" and self._scn_of(record, shipment) in rejected:
                    continue
                if self.move_shipment(shipment, target, f"trip {number}: {cause}"):
                    count += 1
            if count:
                done.append(f"{count} shipment(s) {target}")
        elif effect in _SHIPMENT_TARGET:
            done.append(f"code {message.code} concerns a shipment but no SCN is given: "
                        "no status change")
            return Applied(message, "; ".join(done), error=True, trip_number=number)
        else:
            done.append(f"{info.meaning}: recorded, no status change")
        return Applied(message, "; ".join(done), trip_number=number)

    def _scn_of(self, record: TripRecord, shipment: Shipment) -> str:
        return self.session.execute(select(TripShipment.scn).where(
            TripShipment.trip_id == record.id, TripShipment.shipment_pk == shipment.id)
        ).scalar_one()


def import_responses(db: Database, messages: list[CbpMessage], *, source_file: str,
                     sha256: str, actor: str, now: dt.datetime, tenant: str | None = "default"
                     ) -> ImportReport:
    """Store and apply every message of one file, in one transaction (see the module doc).

    ``tenant`` None matches every tenant's trips (the CLI's operator); a name limits the
    matching to that tenant's trips (the API)."""
    report = ImportReport(source_file)
    with db.transaction() as session:
        scope = None if tenant is None else tenant_id(session, tenant)
        home = scope if scope is not None else tenant_id(session, "default")
        lock_names(session, {f"responses|{sha256}"} | {
            f"trip-number|{m.trip_number}" for m in messages if m.trip_number})
        before = _stored_before(session, sha256, scope)
        importer = _Importer(session, scope, actor, now)
        # Shipments rejected anywhere in the file do not follow their trip's acceptance.
        rejected = {m.scn for m in messages if m.scn and m.info is not None
                    and _SHIPMENT_TARGET.get(m.info.effect) == "REJECTED"}
        rows, retried = [], []
        for position, message in enumerate(messages):
            earlier = before.get(position)
            if earlier is not None and not earlier.error:
                report.skipped += 1
                continue
            applied = importer.apply(message, rejected)
            report.applied.append(applied)
            record = importer.trips.get(applied.trip_number) if applied.trip_number else None
            row = {
                "tenant_id": record.tenant_id if record else home,
                "trip_id": record.id if record else None,
                "trip_number": message.trip_number or applied.trip_number, "scn": message.scn,
                "message_type": message.message_type, "code": message.code,
                "text": message.text, "known": message.known, "outcome": applied.outcome,
                "error": applied.error, "received_at": now, "source_file": source_file,
                "source_sha256": sha256, "raw": message.raw, "actor": actor,
                "position": position}
            if earlier is not None:
                retried.append((earlier.id, row))
            else:
                rows.append(row)
        if before:
            first = min(r.received_at for r in before.values())
            # SQLite gives stored times back naive: they were stored in UTC.
            report.first_imported_at = (first.replace(tzinfo=dt.UTC) if first.utcoffset() is None
                                        else first)
        if not report.applied:
            return report  # already imported: nothing changes, not even the audit trail
        if rows:
            session.execute(insert(CbpResponse), rows)
        for row_id, row in retried:
            session.execute(update(CbpResponse).where(CbpResponse.id == row_id).values(**row))
        if importer.history:
            session.execute(insert(StatusChange), importer.history)
        _audit(session, importer, report, messages, home, source_file=source_file,
               sha256=sha256, actor=actor, now=now)
    return report


def _stored_before(session: Session, sha256: str, scope: int | None
                   ) -> dict[int, CbpResponse]:
    """The rows an earlier import of the same content left, by message position (the last)."""
    query = select(CbpResponse).where(CbpResponse.source_sha256 == sha256,
                                      CbpResponse.position.is_not(None))
    if scope is not None:
        query = query.where(CbpResponse.tenant_id == scope)
    out: dict[int, CbpResponse] = {}
    for row in session.scalars(query.order_by(CbpResponse.id)):
        assert row.position is not None
        out[row.position] = row
    return out


def _audit(session: Session, importer: _Importer, report: ImportReport,
           messages: list[CbpMessage], home: int, *, source_file: str, sha256: str, actor: str,
           now: dt.datetime) -> None:
    """The file's event and the status events, in each tenant whose trips it touched."""
    by_tenant: dict[int, list[audit.Entry]] = {}
    for tenant_pk, entry in importer.entries:
        by_tenant.setdefault(tenant_pk, []).append(entry)
    tenants = list(by_tenant) or [home]
    for tenant_pk in tenants:
        header = audit.Entry("responses", "file", source_file, after={
            "sha256": sha256, "messages": len(messages), "applied": len(report.applied),
            "already_imported": report.skipped, "errors": len(report.errors),
            "unknown_codes": len(report.unknown),
            "codes": [a.message.code for a in report.applied]})
        audit.append(session, tenant_id=tenant_pk, actor=actor, at=now,
                     entries=[header, *by_tenant.get(tenant_pk, [])])
