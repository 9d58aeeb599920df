"""Per-tenant settings: named documents (the Shopify catalog and shipper) and dated exchange
rates. The schema is made by migration ``0011``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ace321.storage.models import Base, Stamp
from ace321.storage.types import Money


class TenantSetting(Base):
    """One named settings document of a tenant (JSON text), replaced as a whole."""

    __tablename__ = "tenant_settings"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    document: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(Stamp)
    updated_by: Mapped[str] = mapped_column(String(200))


class ExchangeRate(Base):
    """US dollars per unit of a currency from a date on (the latest on or before an arrival
    date applies, as with ``--rates``)."""

    __tablename__ = "exchange_rates"

    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"), primary_key=True)
    rate_date: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    usd_per_unit: Mapped[Decimal] = mapped_column(Money(38, 12))
    updated_at: Mapped[dt.datetime] = mapped_column(Stamp)
    updated_by: Mapped[str] = mapped_column(String(200))
