"""The stored tables (SQLAlchemy 2 typed mappings). The schema itself is made by the migrations.

Money is ``Money`` (NUMERIC on PostgreSQL, exact decimal text on SQLite), never a float.
Canonical line fields are kept as the text that was screened, so a stored shipment can be turned
back into canonical rows (``ace321.storage.history.canonical_rows``) and screened again.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ace321.storage.types import Money, UtcDateTime

# SQLite only auto-numbers an INTEGER PRIMARY KEY.
BigId = BigInteger().with_variant(Integer(), "sqlite")
Stamp = UtcDateTime()


class Base(DeclarativeBase):
    pass


class Tenant(Base):
    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(Stamp)


class Batch(Base):
    """One imported file."""

    __tablename__ = "batches"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64))
    row_count: Mapped[int] = mapped_column(Integer)
    shipment_count: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[dt.datetime] = mapped_column(Stamp)
    actor: Mapped[str] = mapped_column(String(200))
    rules_version: Mapped[str] = mapped_column(String(100))


class Shipment(Base):
    __tablename__ = "shipments"
    __table_args__ = (
        UniqueConstraint("tenant_id", "shipment_id", name="uq_shipments_tenant_shipment_id"),
        Index("ix_shipments_day_name", "tenant_id", "arrival_date", "name_key"),
        Index("ix_shipments_day_phone", "tenant_id", "arrival_date", "phone_e164"),
        Index("ix_shipments_order", "tenant_id", "order_id"),
        Index("ix_shipments_batch", "batch_id"),
        Index("ix_shipments_risk_band", "tenant_id", "risk_band"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    batch_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("batches.id"))
    shipment_id: Mapped[str] = mapped_column(String(200))
    order_id: Mapped[str | None] = mapped_column(String(200))
    arrival_text: Mapped[str | None] = mapped_column(String(50))
    arrival_date: Mapped[dt.date | None] = mapped_column(Date)
    is_gift_text: Mapped[str | None] = mapped_column(String(20))
    scn: Mapped[str | None] = mapped_column(String(50))
    consignee_name: Mapped[str | None] = mapped_column(String(500))
    name_key: Mapped[str | None] = mapped_column(String(600))
    phone_e164: Mapped[str | None] = mapped_column(String(20))
    consignee_key: Mapped[str | None] = mapped_column(String(600))
    line_count: Mapped[int] = mapped_column(Integer)
    value_usd: Mapped[Decimal | None] = mapped_column(Money(38, 12))
    rules_decision: Mapped[str] = mapped_column(String(20))
    override_decision: Mapped[str | None] = mapped_column(String(20))
    decision: Mapped[str] = mapped_column(String(20))
    ace_shipment_type: Mapped[str | None] = mapped_column(String(20))  # NULL: INVALID
    status: Mapped[str] = mapped_column(String(20))
    rules_version: Mapped[str] = mapped_column(String(100))
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(Stamp)
    updated_at: Mapped[dt.datetime] = mapped_column(Stamp)
    # Risk (ace321.risk): advice, never part of the decision; signals as JSON.
    risk_score: Mapped[int | None] = mapped_column(Integer, nullable=True)
    risk_band: Mapped[str | None] = mapped_column(String(10), nullable=True)
    risk_signals: Mapped[str | None] = mapped_column(Text, nullable=True)
    risk_version: Mapped[str | None] = mapped_column(String(200), nullable=True)


class Party(Base):
    """Shipper and consignee of a shipment, as given on its first line."""

    __tablename__ = "parties"
    __table_args__ = (UniqueConstraint("shipment_pk", "role", name="uq_parties_shipment_role"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shipment_pk: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"))
    role: Mapped[str] = mapped_column(String(20))
    name: Mapped[str | None] = mapped_column(String(500))
    address: Mapped[str | None] = mapped_column(String(500))
    address2: Mapped[str | None] = mapped_column(String(500))
    city: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(50))
    country: Mapped[str | None] = mapped_column(String(50))
    phone: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(300))


class ShipmentLine(Base):
    __tablename__ = "shipment_lines"
    __table_args__ = (Index("ix_shipment_lines_shipment", "shipment_pk", "line_no"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shipment_pk: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"))
    line_no: Mapped[int] = mapped_column(Integer)
    source_row: Mapped[int | None] = mapped_column(Integer)
    sku: Mapped[str | None] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    quantity: Mapped[str | None] = mapped_column(String(50))
    unit_price_text: Mapped[str | None] = mapped_column(String(60))
    unit_price: Mapped[Decimal | None] = mapped_column(Money(18, 4))
    currency: Mapped[str | None] = mapped_column(String(10))
    usd_rate: Mapped[Decimal | None] = mapped_column(Money(38, 12))
    country_of_origin: Mapped[str | None] = mapped_column(String(10))
    hts_code: Mapped[str | None] = mapped_column(String(30))
    weight: Mapped[str | None] = mapped_column(String(50))
    weight_unit: Mapped[str | None] = mapped_column(String(10))
    adcvd_case: Mapped[str | None] = mapped_column(String(100))
    hazmat_un: Mapped[str | None] = mapped_column(String(20))
    hazmat_contact_name: Mapped[str | None] = mapped_column(String(200))
    hazmat_contact_phone: Mapped[str | None] = mapped_column(String(100))
    marks: Mapped[str | None] = mapped_column(Text)
    packaging_unit: Mapped[str | None] = mapped_column(String(50))
    spi: Mapped[str | None] = mapped_column(String(10))
    hts_quantity: Mapped[str | None] = mapped_column(String(50))
    # Shipment-level fields this line gives differently from the shipment's first line (JSON).
    differing: Mapped[str | None] = mapped_column(Text)


class Decision(Base):
    """Every decision a shipment has had: import, re-screening, override."""

    __tablename__ = "decisions"
    __table_args__ = (UniqueConstraint("shipment_pk", "seq", name="uq_decisions_shipment_seq"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    shipment_pk: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"))
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, ... per shipment
    cause: Mapped[str] = mapped_column(String(20))  # IMPORT, RESCREEN, OVERRIDE
    decision: Mapped[str] = mapped_column(String(20))
    rules_decision: Mapped[str] = mapped_column(String(20))
    ace_shipment_type: Mapped[str | None] = mapped_column(String(20))  # NULL: INVALID
    value_usd: Mapped[Decimal | None] = mapped_column(Money(38, 12))
    consignee_key: Mapped[str | None] = mapped_column(String(600))
    rules_version: Mapped[str] = mapped_column(String(100))
    caused_by: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    issues: Mapped[str] = mapped_column(Text)  # JSON list
    actor: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[dt.datetime] = mapped_column(Stamp)


class DecisionReason(Base):
    __tablename__ = "decision_reasons"
    __table_args__ = (Index("ix_decision_reasons_decision", "decision_id", "position"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    decision_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("decisions.id"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(50))
    message: Mapped[str] = mapped_column(Text)
    reference: Mapped[str | None] = mapped_column(Text)


class StatusChange(Base):
    __tablename__ = "status_history"
    __table_args__ = (Index("ix_status_history_shipment", "shipment_pk", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    shipment_pk: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    changed_at: Mapped[dt.datetime] = mapped_column(Stamp)
    actor: Mapped[str] = mapped_column(String(200))
    cause: Mapped[str] = mapped_column(Text)


class AuditEvent(Base):
    """Append-only, hash-chained. ``at`` is kept as the exact ISO text that was hashed."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_at", "at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    tenant_id: Mapped[int] = mapped_column(Integer)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(50))
    entity_type: Mapped[str] = mapped_column(String(50))
    entity_id: Mapped[str] = mapped_column(String(200))
    before: Mapped[str | None] = mapped_column(Text)
    after: Mapped[str | None] = mapped_column(Text)
    rules_version: Mapped[str | None] = mapped_column(String(100))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The last event of the chain (one row, keyed), so that deleting the newest events is
    detected."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_id: Mapped[int] = mapped_column(BigInteger)
    last_hash: Mapped[str] = mapped_column(String(64))
    # Added by migration 0005 (``storage.audit``): the key's public id, the last event hashed
    # with plain SHA-256 before the chain was keyed (0: none), and the head's own MAC.
    key_id: Mapped[str | None] = mapped_column(String(16))
    legacy_last_id: Mapped[int | None] = mapped_column(BigInteger)
    mac: Mapped[str | None] = mapped_column(String(64))


class ScnRegistry(Base):
    """Shipment control numbers issued (a stub for the manifest work)."""

    __tablename__ = "scn_registry"
    # An SCN is issued once across every tenant, never again (migration 0006); SCNs issued twice
    # before that are kept, marked ``legacy_duplicate``.
    __table_args__ = (Index("uq_scn_registry_scn", "scn", unique=True,
                            sqlite_where=text("NOT legacy_duplicate"),
                            postgresql_where=text("NOT legacy_duplicate")),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    scn: Mapped[str] = mapped_column(String(50))
    shipment_pk: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("shipments.id"))
    issued_at: Mapped[dt.datetime] = mapped_column(Stamp)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Added by migration 0002 (nullable: rows of 0001 have none).
    actor: Mapped[str | None] = mapped_column(String(200))
    rules_version: Mapped[str | None] = mapped_column(String(100))
    trip_id: Mapped[int | None] = mapped_column(ForeignKey("trips.id"))
    legacy_duplicate: Mapped[bool] = mapped_column(Boolean, default=False,
                                                   server_default=false())


from ace321.storage import api_models as _api_models  # noqa: E402, F401  (REST API tables)
from ace321.storage import cost_models as _cost_models  # noqa: E402, F401  (entry costs)
from ace321.storage import profile_models as _profile_models  # noqa: E402, F401  (saved trucks, drivers)
from ace321.storage import settings_models as _settings_models  # noqa: E402, F401  (tenant settings)
from ace321.storage import trip_models as _trip_models  # noqa: E402, F401  (manifest tables)
from ace321.storage import user_models as _user_models  # noqa: E402, F401  (web users, sessions)
