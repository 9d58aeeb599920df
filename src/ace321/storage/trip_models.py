"""Tables of the manifest layer: trips with their files and shipments, counters, CBP responses.

They live on the same ``Base`` as ``storage.models`` (imported at the end of that module, so
the migrations see every table). The schema is made by migration ``0002``.

- ``trips``: one manifest as filed (trip number unique per carrier SCAC across tenants, status
  OPEN -> TRANSMITTED
  -> ACCEPTED | REJECTED -> ARRIVED -> RELEASED, or CANCELLED), with the X12 control number,
  the trip file as JSON and the rules version used.
- ``trip_files``: the files of the manifest, byte for byte, with their SHA-256, so that
  ``ace321 trips show --files DIR`` re-emits exactly what was written.
- ``trip_shipments``: which stored shipment travels on which trip under which SCN and ACE type
  (several shipments of one consignee drop share an SCN).
- ``counters``: named counters incremented inside the write transaction: per tenant (SQLite's
  control-number sequence) or shared by every tenant (``SCAC_WIDE``: SQLite's SCN sequence,
  the trip-number sequences of each SCAC and day on every database).
- ``cbp_responses``: every message CBP (or BorderConnect) sent back, known code or not.
"""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from ace321.storage.models import Base, BigId, Stamp
from ace321.vocabulary import TripStatus

TRIP_STATUSES = TripStatus.values()
OPEN_TRIP_STATUSES = ("OPEN", "TRANSMITTED", "ACCEPTED", "ARRIVED")
"""A shipment on a trip in one of these statuses cannot go on another trip."""


SCAC_WIDE = 0
"""``counters.tenant_id`` of the sequences every tenant filing under a SCAC shares."""
NOT_LEGACY = text("NOT legacy_duplicate")


class TripRecord(Base):
    __tablename__ = "trips"
    __table_args__ = (
        # A trip number is unique for its carrier SCAC across every tenant (migration 0006);
        # trips filed twice before that are kept, marked ``legacy_duplicate``.
        Index("uq_trips_scac_trip_number", "carrier_scac", "trip_number", unique=True,
              sqlite_where=NOT_LEGACY, postgresql_where=NOT_LEGACY),
        Index("ix_trips_trip_number", "trip_number"),
        Index("ix_trips_tenant_status", "tenant_id", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    trip_number: Mapped[str] = mapped_column(String(25))
    carrier_scac: Mapped[str] = mapped_column(String(4))
    port_of_arrival: Mapped[str] = mapped_column(String(4))
    estimated_arrival: Mapped[dt.datetime] = mapped_column(Stamp)
    arrival_date: Mapped[dt.date] = mapped_column(Date)  # port-local date of arrival
    status: Mapped[str] = mapped_column(String(20))
    control_number: Mapped[int] = mapped_column(BigInteger)
    production: Mapped[bool] = mapped_column(Boolean)
    filed_at: Mapped[dt.datetime] = mapped_column(Stamp)
    rules_version: Mapped[str] = mapped_column(String(100))
    trip_json: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(Stamp)
    updated_at: Mapped[dt.datetime] = mapped_column(Stamp)
    legacy_duplicate: Mapped[bool] = mapped_column(Boolean, default=False,
                                                   server_default=false())


class TripFile(Base):
    __tablename__ = "trip_files"
    __table_args__ = (UniqueConstraint("trip_id", "name", name="uq_trip_files_trip_name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trips.id"))
    name: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)


class TripShipment(Base):
    __tablename__ = "trip_shipments"
    __table_args__ = (
        UniqueConstraint("trip_id", "shipment_pk", name="uq_trip_shipments_trip_shipment"),
        Index("ix_trip_shipments_shipment", "shipment_pk"),
        Index("ix_trip_shipments_scn", "scn"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    trip_id: Mapped[int] = mapped_column(ForeignKey("trips.id"))
    shipment_pk: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"))
    scn: Mapped[str] = mapped_column(String(16))
    ace_type: Mapped[str] = mapped_column(String(20))
    decision: Mapped[str] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer)  # 1-based ACE shipment (LX) number


class Counter(Base):
    __tablename__ = "counters"

    tenant_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[int] = mapped_column(BigInteger)


class CbpResponse(Base):
    """One code CBP (or BorderConnect) returned, with what ace321 did with it."""

    __tablename__ = "cbp_responses"
    __table_args__ = (
        Index("ix_cbp_responses_trip", "trip_id"),
        Index("ix_cbp_responses_scn", "tenant_id", "scn"),
        Index("ix_cbp_responses_source", "source_sha256"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    trip_id: Mapped[int | None] = mapped_column(ForeignKey("trips.id"))
    trip_number: Mapped[str | None] = mapped_column(String(50))
    scn: Mapped[str | None] = mapped_column(String(50))
    message_type: Mapped[str] = mapped_column(String(20))  # 355, 350, ACE_RESPONSE
    code: Mapped[str | None] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text)
    known: Mapped[bool] = mapped_column(Boolean)
    outcome: Mapped[str] = mapped_column(Text)  # what was applied, or why nothing was
    error: Mapped[bool] = mapped_column(Boolean)
    received_at: Mapped[dt.datetime] = mapped_column(Stamp)
    source_file: Mapped[str] = mapped_column(String(500))
    source_sha256: Mapped[str] = mapped_column(String(64))
    raw: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    # The message's 0-based place in its file (migration 0006): a file imported again is
    # matched message by message (``storage.responses``).
    position: Mapped[int | None] = mapped_column(Integer)
