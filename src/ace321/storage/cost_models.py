"""The entry costs estimated for a stored shipment when it was ingested (``ace321.costs``)."""

from __future__ import annotations

import uuid
from decimal import Decimal

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ace321.storage.models import Base
from ace321.storage.types import Money


class ShipmentCost(Base):
    __tablename__ = "shipment_costs"

    shipment_pk: Mapped[uuid.UUID] = mapped_column(ForeignKey("shipments.id"), primary_key=True)
    hts_revision: Mapped[str] = mapped_column(String(100))
    rules_version: Mapped[str] = mapped_column(String(100))
    entry_type: Mapped[str | None] = mapped_column(String(2))
    duty_usd: Mapped[Decimal | None] = mapped_column(Money(18, 2))
    mpf_usd: Mapped[Decimal | None] = mapped_column(Money(18, 2))
    total_usd: Mapped[Decimal | None] = mapped_column(Money(18, 2))
    # The shipment's ``costs`` object as JSON (lines, measures, not estimated, warnings).
    document: Mapped[str] = mapped_column(Text)
