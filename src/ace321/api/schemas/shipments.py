"""Stored shipments: summaries, details with history, overrides."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from ace321.api.schemas.common import IssuePublic, PlainText, ReasonPublic
from ace321.vocabulary import Decision, OverrideDecision, RiskBand, ShipmentStatus

# One vocabulary for every layer (matched case-insensitively, as in the CLI).
Status = ShipmentStatus
DecisionCode = Decision
__all__ = ["DecisionCode", "RiskBand", "Status"]


class RiskSignalPublic(BaseModel):
    code: str = Field(description="Signal code, e.g. UNDERVALUED.")
    weight: int = Field(description="Points the signal adds to the score.")
    message: str = Field(description="What was found, with the figures.")
    reference: str = Field(description="Why it matters to CBP: the source.")


class RiskPublic(BaseModel):
    """Risk scored at ingest (advice; never part of the decision)."""

    score: int = Field(description="0-100: the signals' weights summed, capped.")
    band: str = Field(description="low, medium or high (limits in the risk model).")
    signals: list[RiskSignalPublic] = Field(description="Every signal, highest weight first.")
    rules_version: str | None = Field(description="Risk model and rules versions.")


class ShipmentSummaryPublic(BaseModel):
    """A stored shipment in a list."""

    shipment_id: str = Field(description="Shipment number.")
    order_id: str | None = Field(description="Order number.")
    arrival_date: str | None = Field(description="Arrival date (YYYY-MM-DD).")
    consignee_key: str | None = Field(description="The person (folded name|postal code).")
    consignee_name: str | None = Field(description="Consignee name as given.")
    value_usd: str | None = Field(description="Value in USD (exact decimal text).")
    decision: str = Field(description="Decision in effect (the stricter of rules and override).")
    rules_decision: str = Field(description="Decision of the rules.")
    override_decision: str | None = Field(description="Decision set by hand, if any.")
    ace_shipment_type: str | None = Field(description="`SECTION 321` or `PAPS`; null for INVALID.")
    status: str = Field(description="Lifecycle status, e.g. SCREENED, MANIFESTED.")
    rules_version: str = Field(description="Rules version of the decision.")
    risk_score: int | None = Field(None, description="Risk score stored at ingest (0-100).")
    risk_band: str | None = Field(None, description="Risk band: low, medium or high.")


class ShipmentPagePublic(BaseModel):
    """One page of stored shipments, ordered by shipment id."""

    items: list[ShipmentSummaryPublic] = Field(description="The shipments of this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on "
                                                "the last page.")


class DecisionPublic(BaseModel):
    """One decision in a shipment's history."""

    seq: int = Field(description="1 for the import, then one more per change.")
    cause: str = Field(description="IMPORT, RESCREEN or OVERRIDE.")
    decision: str = Field(description="Decision in effect after it.")
    rules_decision: str = Field(description="Decision of the rules.")
    value_usd: str | None = Field(description="Value in USD.")
    rules_version: str = Field(description="Rules version.")
    caused_by: str | None = Field(description="Shipments that caused a re-screening.")
    note: str | None = Field(description="Batch name, override reason, ...")
    actor: str = Field(description="Who made it.")
    decided_at: str = Field(description="When (ISO 8601).")
    reasons: list[ReasonPublic] = Field(description="Reasons with references, decisive first.")
    issues: list[IssuePublic] = Field(description="Data problems found.")


class StatusChangePublic(BaseModel):
    """One status change."""

    from_: str | None = Field(alias="from", description="Status before (null at import).")
    to: str = Field(description="Status after.")
    at: str = Field(description="When (ISO 8601).")
    actor: str = Field(description="Who.")
    cause: str = Field(description="Why.")

    model_config = {"populate_by_name": True}


class AuditEventPublic(BaseModel):
    """An event of the hash-chained audit trail about this shipment."""

    id: int = Field(description="Event number in the chain.")
    at: str = Field(description="When (UTC).")
    actor: str = Field(description="Who.")
    action: str = Field(description="decision, rescreen, override, status, ...")
    before: Any = Field(description="State before (JSON), if any.")
    after: Any = Field(description="State after (JSON), if any.")
    rules_version: str | None = Field(description="Rules version, where one applies.")
    hash: str = Field(description="SHA-256 of the event, chained to the previous one.")


class PartyPublic(BaseModel):
    """Shipper or consignee as stored."""

    name: str | None = Field(description="Name.")
    address: str | None = Field(description="Street address.")
    address2: str | None = Field(description="Second address line.")
    city: str | None = Field(description="City.")
    state: str | None = Field(description="State or province.")
    postal_code: str | None = Field(description="Postal code.")
    country: str | None = Field(description="Country code.")
    phone: str | None = Field(description="Phone.")
    email: str | None = Field(description="E-mail.")


class LinePublic(BaseModel):
    """An order line as stored (the text that was screened)."""

    sku: str | None = Field(description="SKU.")
    description: str | None = Field(description="Description.")
    quantity: str | None = Field(description="Quantity.")
    unit_price: str | None = Field(description="Unit price.")
    currency: str | None = Field(description="Currency.")
    country_of_origin: str | None = Field(description="Country of origin.")
    hts_code: str | None = Field(description="HTS code.")
    weight: str | None = Field(description="Weight.")
    weight_unit: str | None = Field(description="kg or lb.")


class BatchRefPublic(BaseModel):
    """The batch that stored the shipment."""

    id: str = Field(description="Batch id.")
    name: str | None = Field(description="File name.")
    imported_at: str | None = Field(description="When.")


class ShipmentPublic(ShipmentSummaryPublic):
    """A stored shipment with lines, decision, reasons, status history and audit events."""

    batch: BatchRefPublic = Field(description="The batch that stored it.")
    parties: dict[str, PartyPublic] = Field(description="`shipper` and `consignee`.")
    lines: list[LinePublic] = Field(description="Order lines.")
    reasons: list[ReasonPublic] = Field(description="Reasons of the decision in effect, with "
                                                    "legal references, decisive first.")
    issues: list[IssuePublic] = Field(description="Data problems of the decision in effect.")
    decisions: list[DecisionPublic] = Field(description="Every decision, oldest first.")
    status_history: list[StatusChangePublic] = Field(description="Status changes, oldest first.")
    audit_events: list[AuditEventPublic] = Field(description="Audit events, oldest first.")
    risk: RiskPublic | None = Field(None, description="Risk scored at ingest (null: not scored).")


class OverrideCreate(BaseModel):
    """A stricter entry path set by hand (admins only; never grants de minimis)."""

    model_config = {"json_schema_extra": {"examples": [
        {"decision": "FORMAL_ENTRY", "reason": "broker requests formal entry for this consignee"}]}}

    decision: OverrideDecision = Field(
        description="INFORMAL_ENTRY or FORMAL_ENTRY; must be stricter than the decision.")
    reason: PlainText = Field(min_length=1, max_length=2000, pattern=r"\S",
                        description="Why (mandatory; kept in the audit trail).")
