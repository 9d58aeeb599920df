"""Numbers issued when a trip is filed: SCNs, the X12 control number, generated trip numbers.

SCNs come from the PostgreSQL sequence ``scn_seq`` (or the SQLite ``counters`` row ``scn``),
the ISA13 control number from ``x12_control_seq`` (or the counter ``x12_control``), trip
numbers from a counter per carrier and day. Counters change inside the caller's transaction and
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
from ace321.storage.trip_models import Counter, TripRecord

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


def registered_scns(session: Session, tenant_pk: int, scns: Iterable[str]) -> dict[str, Any]:
    """SCN -> its registry row (issued_at, trip_id, shipment_pk), for those already issued."""
    found: dict[str, Any] = {}
    values = sorted(set(scns))
    for start in range(0, len(values), _CHUNK):
        for row in session.execute(select(ScnRegistry.scn, ScnRegistry.issued_at,
                                          ScnRegistry.trip_id, ScnRegistry.shipment_pk).where(
                ScnRegistry.tenant_id == tenant_pk,
                ScnRegistry.scn.in_(values[start:start + _CHUNK]))):
            found[row.scn] = row
    return found


def allocate_scns(session: Session, tenant_pk: int, scac: str, count: int) -> list[str]:
    """``count`` new SCNs: SCAC + 12 digits from the database sequence, never registered."""
    out: list[str] = []
    while len(out) < count:
        need = count - len(out)
        if _postgres(session):
            numbers = list(session.execute(text(
                "SELECT nextval('scn_seq') FROM generate_series(1, :n)"), {"n": need}).scalars())
        else:
            last = _bump(session, tenant_pk, "scn", need)
            numbers = list(range(last - need + 1, last + 1))
        candidates = [f"{scac}{n:0{SCN_DIGITS}d}" for n in numbers]
        taken = registered_scns(session, tenant_pk, candidates)
        out.extend(c for c in candidates if c not in taken)
    return out


def allocate_control_number(session: Session, tenant_pk: int) -> int:
    """The next ISA13 interchange control number (1 to 999,999,999, then round again)."""
    if _postgres(session):
        return int(session.execute(text("SELECT nextval('x12_control_seq')")).scalar_one())
    return (_bump(session, tenant_pk, "x12_control") - 1) % CONTROL_MAX + 1


def _trip_counter(scac: str, day: dt.date) -> str:
    return f"trip:{scac}:{day:%Y%m%d}"


def trip_by_number(session: Session, tenant_pk: int, number: str) -> TripRecord | None:
    return session.scalars(select(TripRecord).where(
        TripRecord.tenant_id == tenant_pk, TripRecord.trip_number == number)).one_or_none()


def next_trip_number(session: Session, tenant_pk: int, scac: str, day: dt.date, *,
                     consume: bool) -> str:
    """The next free generated trip number of ``scac`` on ``day``; ``consume=False`` only
    looks (the dry run before any number is used)."""
    name = _trip_counter(scac, day)
    sequence = _peek(session, tenant_pk, name)
    while True:
        sequence = _bump(session, tenant_pk, name) if consume else sequence + 1
        number = generate_trip_number(scac, day, sequence)
        if trip_by_number(session, tenant_pk, number) is None:
            return number
