"""Entry plans: of order lines (a file or a request body), and of a stored trip.

The planning itself is pure (``ace321.costs.plan``); this workflow screens, prices and, for a
trip, loads the stored shipments and screens them again as of the trip's arrival date.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import select

from ace321.app.errors import NotFound
from ace321.costs import estimate
from ace321.costs.plan import plan_conveyances
from ace321.rules import RuleSet
from ace321.screening import ScreeningResult, screen
from ace321.storage import Database, StorageError
from ace321.storage.history import canonical_rows, merge_rates, tenant_id
from ace321.storage.trip_models import TripShipment
from ace321.storage.trips import _trip
from ace321.tariff.schedule import Schedule


def not_planned(result: ScreeningResult) -> dict[str, int]:
    """Shipments that need no entry (de minimis, gifts) or cannot be filed (invalid)."""
    counts = result.by_decision()
    return {decision: counts[decision] for decision in ("SECTION_321", "GIFT", "INVALID") if counts[decision]}


def plan_result(result: ScreeningResult, rules: RuleSet, *, schedule: Schedule | None = None,
                entry_fee: Decimal = Decimal(0), trips: dict[str, str] | None = None) -> dict[str, Any]:
    costs = estimate(result, rules=rules, schedule=schedule)
    document = plan_conveyances(result, costs, rules, trips=trips, entry_fee=entry_fee)
    return {**document, "hts_revision": costs.revision, "not_planned": not_planned(result)}


def plan_orders(frame: pl.DataFrame, rules: RuleSet, *, as_of: dt.date | None = None,
                rates: pl.DataFrame | None = None, schedule: Schedule | None = None,
                entry_fee: Decimal = Decimal(0)) -> dict[str, Any]:
    """One conveyance per arrival date of the order lines (nothing stored)."""
    result = screen(frame, rules=rules, default_arrival=as_of, rates=rates)
    return plan_result(result, rules, schedule=schedule, entry_fee=entry_fee)


def plan_trip(db: Database, *, tenant: str, trip_number: str, rules: RuleSet,
              entry_fee: Decimal = Decimal(0)) -> dict[str, Any]:
    """The stored trip's shipments as one conveyance; ``NotFound`` for an unknown trip."""
    with db.reading() as session:
        try:
            record = _trip(session, tenant_id(session, tenant), trip_number)
        except StorageError:
            raise NotFound(f"no trip {trip_number!r}") from None
        pks = list(session.scalars(select(TripShipment.shipment_pk)
                                   .where(TripShipment.trip_id == record.id)
                                   .order_by(TripShipment.position)))
        frame, stored_rates = canonical_rows(session, pks)
        day = record.arrival_date
    result = screen(frame, rules=rules, default_arrival=day, rates=merge_rates(None, stored_rates))
    trips = {shipment_id: trip_number for shipment_id in result.shipments["shipment_id"].to_list()}
    return plan_result(result, rules, entry_fee=entry_fee, trips=trips)
