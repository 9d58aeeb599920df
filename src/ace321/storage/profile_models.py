"""Saved equipment and crew of a tenant: trucks, trailers and drivers for new trips."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ace321.storage.models import Base, BigId, Shipment, Stamp

PROFILE_KINDS = ("truck", "trailer", "driver")


class EquipmentProfile(Base):
    """One truck, trailer or driver as the trip file writes it (``data``: its JSON mapping)."""

    __tablename__ = "equipment_profiles"
    __table_args__ = (UniqueConstraint("tenant_id", "kind", "name",
                                       name="uq_equipment_profiles_tenant_kind_name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id"))
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100))
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(Stamp)
    actor: Mapped[str] = mapped_column(String(200))


# The web workspace's shipment tables count and page by decision or status (migration 0010).
Index("ix_shipments_tenant_decision", Shipment.tenant_id, Shipment.decision, Shipment.shipment_id)
Index("ix_shipments_tenant_status", Shipment.tenant_id, Shipment.status, Shipment.shipment_id)
