"""Read-side queries: list, show and explain stored shipments."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from ace321.rules import RuleSet
from ace321.screening import screen
from ace321.screening.money import amount
from ace321.screening.result import ace_shipment_type
from ace321.storage.costs import stored_costs
from ace321.storage.history import canonical_rows, merge_rates, related, stored_frame, tenant_id
from ace321.storage.lifecycle import find, history
from ace321.storage.models import Batch, Decision, DecisionReason, Party, Shipment
from ace321.storage.risk_store import stored_risk
from ace321.vocabulary import Decision as DecisionValue
from ace321.vocabulary import RiskBand, ShipmentStatus, parse_optional


def list_shipments(session: Session, *, tenant: str = "default", status: str | None = None,
                   decision: str | None = None, arrival_date: dt.date | None = None,
                   consignee: str | None = None, limit: int | None = None,
                   risk_band: str | None = None, after: str | None = None
                   ) -> list[dict[str, Any]]:
    """The matching shipments by shipment id (the API's page order); ``after``: only those
    whose id sorts after it (the next page), ``limit``: at most that many."""
    query = filtered(select(Shipment).where(Shipment.tenant_id == tenant_id(session, tenant)),
                     status=status, decision=decision, arrival_date=arrival_date,
                     consignee=consignee, risk_band=risk_band)
    if after is not None:
        query = query.where(Shipment.shipment_id > after)
    query = query.order_by(Shipment.shipment_id)
    if limit:
        query = query.limit(limit)
    return [summary(s) for s in session.scalars(query)]


def filtered(query: Any, *, status: str | None, decision: str | None,
             arrival_date: dt.date | None, consignee: str | None,
             risk_band: str | None = None) -> Any:
    """``query`` over shipments narrowed by the list filters every delivery layer offers.

    ``status`` and ``decision`` are parsed with ``ace321.vocabulary`` (case-insensitive); an
    unknown value raises ``UnknownValue`` naming the valid ones instead of matching nothing."""
    wanted_band = parse_optional(RiskBand, risk_band)
    if wanted_band is not None:
        query = query.where(Shipment.risk_band == wanted_band.value)
    wanted_status = parse_optional(ShipmentStatus, status)
    wanted_decision = parse_optional(DecisionValue, decision)
    if wanted_status is not None:
        query = query.where(Shipment.status == wanted_status.value)
    if wanted_decision is not None:
        query = query.where(Shipment.decision == wanted_decision.value)
    if arrival_date:
        query = query.where(Shipment.arrival_date == arrival_date)
    if consignee:
        pattern = f"%{consignee.lower()}%"
        query = query.where(Shipment.consignee_key.like(pattern)
                            | Shipment.consignee_name.ilike(pattern)
                            | (Shipment.phone_e164 == consignee))
    return query


def summary(s: Shipment) -> dict[str, Any]:
    return {
        "shipment_id": s.shipment_id, "order_id": s.order_id,
        "arrival_date": None if s.arrival_date is None else s.arrival_date.isoformat(),
        "consignee_key": s.consignee_key, "consignee_name": s.consignee_name,
        "value_usd": None if s.value_usd is None else amount(s.value_usd),
        "decision": s.decision, "rules_decision": s.rules_decision,
        "override_decision": s.override_decision, "ace_shipment_type": ace_shipment_type(s.decision),
        "status": s.status, "rules_version": s.rules_version,
        "risk_score": s.risk_score, "risk_band": s.risk_band,
    }


def show(session: Session, shipment_id: str, tenant: str = "default") -> dict[str, Any]:
    s = find(session, shipment_id, tenant)
    batch = session.get(Batch, s.batch_id)
    parties = {p.role: {"name": p.name, "address": p.address, "address2": p.address2,
                        "city": p.city, "state": p.state, "postal_code": p.postal_code,
                        "country": p.country, "phone": p.phone, "email": p.email}
               for p in session.scalars(select(Party).where(Party.shipment_pk == s.id))}
    lines, _ = canonical_rows(session, [s.id])
    return {
        **summary(s),
        "batch": {"id": str(s.batch_id), "name": batch.name if batch else None,
                  "imported_at": batch.imported_at.isoformat() if batch else None},
        "parties": parties,
        "lines": lines.select("sku", "description", "quantity", "unit_price", "currency",
                              "country_of_origin", "hts_code", "weight", "weight_unit", "spi",
                              "hts_quantity").to_dicts(),
        "risk": stored_risk(s),
        **history(session, s),
        "costs": stored_costs(session, s.id),
    }


@dataclass
class Explanation:
    shipment_id: str
    stored_decision: str
    stored_codes: list[str]
    stored_rules_version: str
    current_decision: str
    current_codes: list[str]
    current_rules_version: str
    reasons: list[dict[str, Any]]
    context: list[str]
    issues: list[dict[str, Any]] = field(default_factory=list)
    """The problems screening finds in the stored shipment (why it is INVALID), by row."""
    costs: dict[str, Any] | None = None
    """The current estimate with the fee rule used (``mpf_rule``), as an entry of its own."""
    risk: dict[str, Any] | None = None

    @property
    def same(self) -> bool:
        return (self.stored_decision == self.current_decision
                and self.stored_codes == self.current_codes)

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "same": self.same}


def explain(session: Session, shipment_id: str, rules: RuleSet, *, tenant: str = "default",
            rates: pl.DataFrame | None = None, hts: pl.Series | None = None) -> Explanation:
    """Screen the stored shipment again (with the stored shipments of its person-day and order)
    and compare with its stored rules decision and reason codes."""
    s = find(session, shipment_id, tenant)
    own = stored_frame([_row_of(s)])
    context = related(session, s.tenant_id, own)
    pks = [s.id, *[pk for pk in context if pk != s.id]]
    frame, stored_rates = canonical_rows(session, pks)
    result = screen(frame, rules=rules, rates=merge_rates(rates, stored_rates), hts=hts)
    row = result.shipments.filter(pl.col("shipment_id") == shipment_id).row(0, named=True)
    last = session.scalars(select(Decision).where(Decision.shipment_pk == s.id,
                                                  Decision.cause != "OVERRIDE")
                           .order_by(Decision.seq.desc())).first()
    codes = [] if last is None else list(session.scalars(
        select(DecisionReason.code).where(DecisionReason.decision_id == last.id)
        .order_by(DecisionReason.position)))
    return Explanation(
        shipment_id=shipment_id, stored_decision=s.rules_decision, stored_codes=codes,
        stored_rules_version=s.rules_version, current_decision=row["decision"],
        current_codes=[r["code"] for r in row["reasons"]], current_rules_version=rules.version,
        reasons=list(row["reasons"]), issues=list(row["issues"]),
        context=[sid for sid in result.shipments["shipment_id"].to_list() if sid != shipment_id],
        costs=_current_costs(result, rules, shipment_id),
        risk=stored_risk(s),
    )


def _current_costs(result: Any, rules: RuleSet, shipment_id: str) -> dict[str, Any] | None:
    from ace321.costs import estimate
    from ace321.costs.document import shipment_documents

    return shipment_documents(estimate(result, rules=rules), with_rule=True).get(shipment_id)


def _row_of(s: Shipment) -> Any:
    from types import SimpleNamespace

    return SimpleNamespace(id=s.id, shipment_id=s.shipment_id, order_id=s.order_id,
                           arrival_date=s.arrival_date, name_key=s.name_key,
                           phone_e164=s.phone_e164, status=s.status, decision=s.decision,
                           rules_decision=s.rules_decision,
                           override_decision=s.override_decision, value_usd=s.value_usd,
                           consignee_key=s.consignee_key, content_hash=s.content_hash,
                           batch_id=s.batch_id, rules_version=s.rules_version)
