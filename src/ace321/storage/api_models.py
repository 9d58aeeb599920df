"""Tables of the REST API: API keys (hashed) and idempotency records of write requests."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ace321.storage.models import Base, BigId, Stamp

ROLES = ("viewer", "operator", "admin")


class ApiKey(Base):
    """A bearer key of one tenant. Only the SHA-256 of the whole key is kept, never the key."""

    __tablename__ = "api_keys"
    __table_args__ = (Index("ix_api_keys_tenant", "tenant_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(32), unique=True)
    key_sha256: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(10))  # viewer, operator, admin
    created_at: Mapped[dt.datetime] = mapped_column(Stamp)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(Stamp)


class IdempotencyRecord(Base):
    """The first response to a write request sent with an ``Idempotency-Key``.

    The row is inserted (``status_code`` NULL: pending) before the work starts, so a second
    identical request arriving meanwhile finds it instead of doing the work again.
    """

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("tenant_id", "key", name="uq_idempotency_keys_tenant_key"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    key: Mapped[str] = mapped_column(String(255))
    request_sha256: Mapped[str] = mapped_column(String(64))
    status_code: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(Stamp)
