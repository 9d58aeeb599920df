"""Numbers issued when a trip is filed: SCNs, the X12 control number, generated trip numbers.

Trip numbers and SCNs are unique per carrier SCAC across every tenant (migration 0006): SCNs
come from the PostgreSQL sequence ``scn_seq`` (or the SQLite ``counters`` row ``scn`` of
``SCAC_WIDE``), trip numbers from a ``SCAC_WIDE`` counter per carrier and day, both shared by
every tenant; the ISA13 control number from ``x12_control_seq`` (or the tenant's counter
``x12_control``). Counters change inside the caller's transaction and
roll back with it; PostgreSQL sequence values do not: a failed filing leaves a gap, never a
reuse. Generated SCNs already in the registry (an SCN once supplied by hand) are skipped.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ace321.manifest.validation import generate_trip_number
from ace321.storage.models import ScnRegistry
from ace321.storage.trip_models import SCAC_WIDE, Counter, TripRecord

SCN_DIGITS = 12
CONTROL_MAX = 999_999_999
_CHUNK = 500


def _bump(session: Session, tenant_pk: int, name: str, count: int = 1) -> int:
    """Add ``count`` to a counter (created at 0); returns the new value. Rolled back with
    the transaction."""
    result = session.execute(text(
        "INSERT INTO counters (tenant_id, name, value) VALUES (:t, :n, :k) "
        "ON CONFLICT (tenant_id, name) DO UPDATE SET value = counters.value + :k "
        "RETURNING value"), {"t": tenant_pk, "n": name, "k": count})
    return int(result.scalar_one())


def _peek(session: Session, tenant_pk: int, name: str) -> int:
    value = session.execute(select(Counter.value).where(
        Counter.tenant_id == tenant_pk, Counter.name == name)).scalar_one_or_none()
    return int(value or 0)


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def registered_scns(session: Session, scns: Iterable[str]) -> dict[str, Any]:
    """SCN -> its registry row (issued_at, trip_id, shipment_pk, tenant_id), for those already
    issued by any tenant: an SCN is unique for its SCAC across the database, for ever."""
    found: dict[str, Any] = {}
    values = sorted(set(scns))
    for start in range(0, len(values), _CHUNK):
        for row in session.execute(select(ScnRegistry.scn, ScnRegistry.issued_at,
                                          ScnRegistry.trip_id, ScnRegistry.shipment_pk,
                                          ScnRegistry.tenant_id).where(
                ScnRegistry.scn.in_(values[start:start + _CHUNK]))):
            found[row.scn] = row
    return found


def allocate_scns(session: Session, tenant_pk: int, scac: str, count: int) -> list[str]:
    """``count`` new SCNs: SCAC + 12 digits from the database sequence shared by every tenant,
    never registered by any (``tenant_pk`` is kept for callers; the sequence is not theirs)."""
    out: list[str] = []
    while len(out) < count:
        need = count - len(out)
        if _postgres(session):
            numbers = list(session.execute(text(
                "SELECT nextval('scn_seq') FROM generate_series(1, :n)"), {"n": need}).scalars())
        else:
            last = _bump(session, SCAC_WIDE, "scn", need)
            numbers = list(range(last - need + 1, last + 1))
        candidates = [f"{scac}{n:0{SCN_DIGITS}d}" for n in numbers]
        taken = registered_scns(session, candidates)
        out.extend(c for c in candidates if c not in taken)
    return out


def allocate_control_number(session: Session, tenant_pk: int) -> int:
    """The next ISA13 interchange control number (1 to 999,999,999, then round again)."""
    if _postgres(session):
        return int(session.execute(text("SELECT nextval('x12_control_seq')")).scalar_one())
    return (_bump(session, tenant_pk, "x12_control") - 1) % CONTROL_MAX + 1


def _trip_counter(scac: str, day: dt.date) -> str:
    return f"trip:{scac}:{day:%Y%m%d}"


def trip_by_number(session: Session, scac: str, number: str) -> TripRecord | None:
    """A trip of any tenant with this number for carrier ``scac`` (the oldest): a trip number
    is unique for its SCAC across the database."""
    return session.scalars(select(TripRecord).where(
        TripRecord.carrier_scac == scac, TripRecord.trip_number == number)
        .order_by(TripRecord.id).limit(1)).first()


def next_trip_number(session: Session, scac: str, day: dt.date, *, consume: bool) -> str:
    """The next free generated trip number of ``scac`` on ``day``, from the SCAC's sequence
    shared by every tenant; ``consume=False`` only looks (the dry run before any number is
    used)."""
    name = _trip_counter(scac, day)
    sequence = _peek(session, SCAC_WIDE, name)
    while True:
        sequence = _bump(session, SCAC_WIDE, name) if consume else sequence + 1
        number = generate_trip_number(scac, day, sequence)
        if trip_by_number(session, scac, number) is None:
            return number
