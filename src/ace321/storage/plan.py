"""The entry plan of a stored trip: its shipments screened again as of the trip's arrival date,
priced, and planned as one conveyance (``ace321.costs.plan``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ace321.costs import estimate
from ace321.costs.plan import plan_conveyances
from ace321.rules import RuleSet
from ace321.screening import screen
from ace321.storage.history import canonical_rows, merge_rates, tenant_id
from ace321.storage.trip_models import TripShipment
from ace321.storage.trips import _trip


def trip_plan(session: Session, trip_number: str, rules: RuleSet, *, tenant: str = "default",
              entry_fee: Decimal = Decimal(0)) -> dict[str, Any]:
    """Raises ``StorageError`` for an unknown trip."""
    record = _trip(session, tenant_id(session, tenant), trip_number)
    pks = list(session.scalars(select(TripShipment.shipment_pk).where(TripShipment.trip_id == record.id)
                               .order_by(TripShipment.position)))
    frame, stored_rates = canonical_rows(session, pks)
    result = screen(frame, rules=rules, default_arrival=record.arrival_date,
                    rates=merge_rates(None, stored_rates))
    costs = estimate(result, rules=rules)
    trips = {shipment_id: trip_number for shipment_id in result.shipments["shipment_id"].to_list()}
    return plan_conveyances(result, costs, rules, trips=trips, entry_fee=entry_fee)
