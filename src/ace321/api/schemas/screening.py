"""Shipments sent for screening (the JSON order input) and the decisions document."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ace321.api.schemas.common import IssuePublic, ReasonPublic
from ace321.validation.dates import StrictDate

# Values as in the JSON order input: text, or numbers and booleans (turned into their text).
Scalar = str | int | float | bool | None

EXAMPLE_SHIPMENT = {
    "order_id": "MF-200201", "shipment_id": "MF-200201-01", "arrival_date": "2024-06-03",
    "shipper_name": "Maple Fulfilment Inc.", "shipper_address": "2500 Dixie Rd",
    "shipper_city": "Mississauga", "shipper_state": "ON", "shipper_postal_code": "L4Y 2A1",
    "shipper_country": "CA", "consignee_name": "Hailey Robinson",
    "consignee_address": "152 Bidwell Pkwy", "consignee_city": "Buffalo",
    "consignee_state": "NY", "consignee_postal_code": "14222", "consignee_country": "US",
    "consignee_phone": "716-886-3190",
    "lines": [{"sku": "MF-TEE-CRW-M", "description": "Men's cotton crew neck T-shirt",
               "quantity": 3, "unit_price": "24.99", "currency": "USD",
               "country_of_origin": "CA", "hts_code": "6109.10.00.12", "weight": "0.60",
               "weight_unit": "kg"}],
}


def _f(description: str) -> Scalar:
    return Field(None, description=description)  # type: ignore[no-any-return]


class PartyCreate(BaseModel):
    """A shipper or consignee given as a nested object (instead of ``shipper_*`` fields)."""

    model_config = ConfigDict(extra="allow")

    name: Scalar = _f("Name.")
    address: Scalar = _f("Street address.")
    address2: Scalar = _f("Second address line (consignee; optional).")
    city: Scalar = _f("City.")
    state: Scalar = _f("State or province code.")
    postal_code: Scalar = _f("Postal code (US ZIP or ZIP+4 for consignees).")
    country: Scalar = _f("ISO 3166-1 alpha-2 country code.")
    phone: Scalar = _f("Phone number (consignee; used to identify a person).")
    email: Scalar = _f("E-mail address (optional).")


class LineCreate(BaseModel):
    """One order line. Shipment-level fields may be repeated here; a value here wins."""

    model_config = ConfigDict(extra="allow")

    sku: Scalar = _f("Stock-keeping unit (optional).")
    description: Scalar = _f("Plain description of the goods (CBP rejects vague ones).")
    quantity: Scalar = _f("Quantity, a positive whole number.")
    unit_price: Scalar = _f("Price of one unit, at most 4 decimals, in `currency`.")
    currency: Scalar = _f("ISO 4217 currency code; non-USD needs an exchange rate.")
    country_of_origin: Scalar = _f("ISO 3166-1 alpha-2 country of origin of the goods.")
    hts_code: Scalar = _f("Harmonized Tariff Schedule code (6 to 10 digits, dots allowed).")
    weight: Scalar = _f("Weight of the whole line.")
    weight_unit: Scalar = _f("`kg` or `lb`.")
    adcvd_case: Scalar = _f("Antidumping/countervailing duty case number (excludes de minimis).")
    hazmat_un: Scalar = _f("UN number of hazardous goods (UN followed by 4 digits).")
    hazmat_contact_name: Scalar = _f("Emergency contact for hazardous goods.")
    hazmat_contact_phone: Scalar = _f("Emergency contact phone for hazardous goods.")
    marks: Scalar = _f("Marks and numbers on the packages.")
    packaging_unit: Scalar = _f("Packaging unit of the line (e.g. CTN, PCS).")
    spi: Scalar = _f("Special program indicator claimed (e.g. `S` or `S+` for USMCA), for duty and MPF.")
    hts_quantity: Scalar = _f("Quantity in the unit of the line's specific rate (e.g. liters), for duty.")


class ShipmentCreate(BaseModel):
    """A shipment as in the JSON order input: shipment and party fields, nested `lines`."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [EXAMPLE_SHIPMENT]})

    order_id: Scalar = _f("Order number (required); shipments of one order form a split lot.")
    shipment_id: Scalar = _f("Shipment number (default: the order_id); unique per tenant.")
    arrival_date: Scalar = _f("Arrival date at the US border, YYYY-MM-DD (default: `as_of`).")
    shipper_name: Scalar = _f("Shipper name.")
    shipper_address: Scalar = _f("Shipper street address.")
    shipper_city: Scalar = _f("Shipper city.")
    shipper_state: Scalar = _f("Shipper state or province code.")
    shipper_postal_code: Scalar = _f("Shipper postal code.")
    shipper_country: Scalar = _f("Shipper country (ISO alpha-2).")
    consignee_name: Scalar = _f("Consignee (the person receiving the goods).")
    consignee_address: Scalar = _f("Consignee street address.")
    consignee_address2: Scalar = _f("Consignee second address line (optional).")
    consignee_city: Scalar = _f("Consignee city.")
    consignee_state: Scalar = _f("Consignee state code.")
    consignee_postal_code: Scalar = _f("Consignee ZIP code (ZIP+4 counts as its ZIP).")
    consignee_country: Scalar = _f("Consignee country (ISO alpha-2).")
    consignee_phone: Scalar = _f("Consignee phone; the same E.164 phone is the same person.")
    consignee_email: Scalar = _f("Consignee e-mail (optional).")
    is_gift: Scalar = _f("true when the whole shipment is a gift.")
    scn: Scalar = _f("Shipment control number, when already assigned.")
    shipper: PartyCreate | None = Field(None, description="Shipper as a nested object.")
    consignee: PartyCreate | None = Field(None, description="Consignee as a nested object.")
    lines: list[LineCreate] = Field(min_length=1, description="The order lines (at least one).")


ShipmentList = Annotated[list[ShipmentCreate], Field(min_length=1)]


class ScreenCreate(BaseModel):
    """Shipments with an optional default arrival date."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"shipments": [EXAMPLE_SHIPMENT], "as_of": "2024-06-03"}]})

    shipments: list[ShipmentCreate] = Field(min_length=1, description="The shipments.")
    as_of: StrictDate | None = Field(
        None, description="Arrival date (YYYY-MM-DD) of shipments that give none.")

    @field_validator("as_of", mode="before")
    @classmethod
    def _date_text(cls, value: object) -> object:
        if value is not None and not isinstance(value, str):
            raise ValueError("must be a date as text, YYYY-MM-DD")
        return value


class SummaryPublic(BaseModel):
    """How many shipments, by decision."""

    shipments: int = Field(description="Number of shipments screened.")
    by_decision: dict[str, int] = Field(
        description="Count per decision: SECTION_321, GIFT, INFORMAL_ENTRY, FORMAL_ENTRY, "
                    "INVALID.")
    costs: dict[str, Any] | None = Field(None, description="With `costs=true`: totals of duty, MPF and total.")


class ShipmentDecisionPublic(BaseModel):
    """The decision for one shipment."""

    shipment_id: str | None = Field(description="Shipment number.")
    order_id: str | None = Field(description="Order number.")
    arrival_date: str | None = Field(description="Arrival date used (YYYY-MM-DD).")
    consignee_key: str | None = Field(
        description="The person: folded name|postal code (shipments of one person-day add up).")
    value_usd: str | None = Field(description="Shipment value in USD (exact decimal text).")
    decision: str = Field(description="SECTION_321, GIFT, INFORMAL_ENTRY, FORMAL_ENTRY or "
                                      "INVALID.")
    ace_shipment_type: str | None = Field(description="ACE shipment type: `SECTION 321` or `PAPS`; null for INVALID.")
    reasons: list[ReasonPublic] = Field(description="Reasons, decisive first.")
    issues: list[IssuePublic] = Field(description="Data problems of this shipment.")
    costs: dict[str, Any] | None = Field(None, description=(
        "With `costs=true`: entry_type, value_usd, duty_usd, mpf_usd, total_usd, fiscal_year, "
        "hts_revision, lines [{row, hts_code, rate_line, column, rate_text, duty_usd, measures, "
        "not_estimated}], not_estimated, warnings."))


class ScreeningPublic(BaseModel):
    """The decisions document (the same as `ace321 check --format json`)."""

    rules_version: str = Field(description="Label and digest of the rules used.")
    summary: SummaryPublic = Field(description="Counts.")
    shipments: list[ShipmentDecisionPublic] = Field(description="One decision per shipment.")


def shipment_dicts(shipments: list[ShipmentCreate]) -> list[dict[str, object]]:
    """The shipments as the JSON order reader takes them (unset fields left out)."""
    return [s.model_dump(exclude_unset=True) for s in shipments]
