"""The JSON shipments of ``POST /v1/screen`` and ``POST /v1/plan``, read once for both.

Both take the same body (a list of shipments, or ``{"shipments": [...], "as_of": ...}``), the
caller's tenant rates (``PUT /v1/rates``) and give the same problem responses; the routers only
say what they make of the shipments.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

import polars as pl
from fastapi import Depends

from ace321.api.deps import DbDep, Operator, RateCacheDep
from ace321.api.responses import problems
from ace321.api.schemas.screening import (
    EXAMPLE_SHIPMENT,
    ScreenCreate,
    ShipmentCreate,
    shipment_dicts,
)
from ace321.api.services.orders import frame_from_json
from ace321.rules import RuleSet
from ace321.screening.result import ScreeningResult

# The problems every route taking shipments may give: no key, wrong role, too large, malformed.
SHIPMENTS_PROBLEMS = problems(401, 403, 413, 422)


def body_examples(as_of: str) -> dict[str, Any]:
    """``openapi_examples`` of the two body forms, the second with ``as_of``."""
    return {
        "list": {"summary": "A list of shipments", "value": [EXAMPLE_SHIPMENT]},
        "with_as_of": {"summary": "Shipments with a default arrival date",
                       "value": {"shipments": [EXAMPLE_SHIPMENT], "as_of": as_of}},
    }


async def _tenant_rates(caller: Operator, db: DbDep, rate_cache: RateCacheDep) -> pl.DataFrame | None:
    return await rate_cache.get(db, caller.tenant)


# The caller's exchange rates, as the CLI's --rates: dated, per currency.
TenantRates = Annotated[pl.DataFrame | None, Depends(_tenant_rates)]


@dataclass(frozen=True)
class ShipmentsRequest:
    """The shipments as the JSON order reader takes them, their default arrival date, and the
    rates to convert their values with."""

    shipments: list[dict[str, object]]
    as_of: dt.date | None
    rates: pl.DataFrame | None

    @classmethod
    def of(cls, body: list[ShipmentCreate] | ScreenCreate, rates: pl.DataFrame | None
           ) -> ShipmentsRequest:
        if isinstance(body, ScreenCreate):
            return cls(shipment_dicts(body.shipments), body.as_of, rates)
        return cls(shipment_dicts(body), None, rates)

    def frame(self) -> pl.DataFrame:
        """The canonical frame; unusable shipments are a 422 problem naming the field."""
        return frame_from_json(self.shipments)


def screening_document(rules: RuleSet, request: ShipmentsRequest, *, costs: bool, risk: bool
                       ) -> dict[str, Any]:
    """The screening document with each shipment's ``costs`` and the summary's totals (as
    ``ace321 check --costs``) and/or each shipment's ``risk`` with ``risk_summary``. Screened on
    its own, not coalesced with other requests: risk statistics read the whole request."""
    from ace321.screening import screen

    result = screen(request.frame(), rules=rules, default_arrival=request.as_of,
                    rates=request.rates)
    return result_document(result, rules, costs=costs, risk=risk)


def result_document(result: ScreeningResult, rules: RuleSet, *, costs: bool, risk: bool
                    ) -> dict[str, Any]:
    """The document of a screening result, with costs and/or risk as asked (the JSON body's
    and the order file's screen share it)."""
    from ace321.costs import estimate
    from ace321.costs.document import screening_document as with_costs
    from ace321.risk import load_model, score_result

    document = with_costs(result, estimate(result, rules=rules)) if costs else result.to_document()
    if risk:
        scored = score_result(result, model=load_model(), rules=rules)
        by_id = {r["shipment_id"]: {"score": r["score"], "band": r["band"], "signals": r["signals"]}
                 for r in scored.records()}
        for shipment in document["shipments"]:
            shipment["risk"] = by_id.get(shipment["shipment_id"])
        document["risk_summary"] = {"rules_version": scored.rules_version,
                                    "by_band": scored.by_band()}
    return document
