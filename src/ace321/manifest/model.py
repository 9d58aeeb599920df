"""The manifest as the product understands it: a trip and its shipments, ready to export.

Field limits follow BorderConnect's ACE JSON manual 1.0.7 (``ace_emanifest.md`` §4.1); checking
them is the job of ``manifest.validation``, not of these types, so that every problem of a trip
can be reported at once with its path instead of stopping at the first.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ace321.validation.dates import StrictDate, StrictDateTime


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LicensePlate(_Model):
    number: str
    state_province: str
    country: str | None = None


class Truck(_Model):
    number: str
    type: str = Field(description="2-letter conveyance type, e.g. TR (tractor)")
    vin: str
    dot_number: str | None = None
    license_plates: list[LicensePlate] = Field(default_factory=list)
    seals: list[str] = Field(default_factory=list)


class Trailer(_Model):
    number: str
    type: str = Field(description="2-letter equipment type from the ACE list, e.g. TL")
    license_plates: list[LicensePlate] = Field(default_factory=list)
    seals: list[str] = Field(default_factory=list)


class TravelDocument(_Model):
    type: str = Field(description="ACE travel document code, e.g. 5K (CDL), HD (hazmat), ACW (passport)")
    number: str
    country: str | None = None
    state_province: str | None = None


class Person(_Model):
    first_name: str
    last_name: str
    gender: Literal["M", "F"] | None = None
    date_of_birth: StrictDate | None = None
    citizenship_country: str | None = None
    fast_card_number: str | None = None
    travel_documents: list[TravelDocument] = Field(default_factory=list)


class HazmatInsurance(_Model):
    insurer: str
    policy_number: str
    year: int
    amount: Decimal


class Broker(_Model):
    filer_code: str
    name: str | None = None


class Trip(_Model):
    """The trip file (YAML or JSON) as the user writes it; see ``examples/trip.yaml``."""

    carrier_scac: str
    trip_number: str | None = None
    port_of_arrival: str
    estimated_arrival: StrictDateTime = Field(description="ISO 8601 with the port's UTC offset")
    province_of_loading: str | None = None
    truck: Truck
    trailers: list[Trailer] = Field(default_factory=list)
    drivers: list[Person] = Field(default_factory=list)
    passengers: list[Person] = Field(default_factory=list)
    hazmat_insurance: HazmatInsurance | None = None
    broker: Broker | None = None


class Address(_Model):
    line: str
    city: str
    state_province: str | None
    postal_code: str
    country: str


class Party(_Model):
    name: str
    address: Address


class LoadedOn(_Model):
    type: Literal["TRAILER", "TRUCK"]
    number: str


class Commodity(_Model):
    description: str = Field(description="upper-case ASCII, at most 45 characters")
    quantity: int
    packaging_unit: str = Field(description="3-letter ACE packaging unit, e.g. PKG, BOX, CTN")
    weight: int = Field(description="whole units, rounded up")
    weight_unit: Literal["L", "K"]
    exact_weight: Decimal | None = Field(
        None, description="the lines' weights summed exactly, in weight_unit (weight is this "
                          "rounded up for ACE); sums for people start from it")
    value_usd: Decimal
    country_of_origin: str
    hts: str = Field(description="6 to 10 digits")
    loaded_on: LoadedOn
    hazmat_un: str | None = None
    hazmat_contact_name: str | None = None
    hazmat_contact_phone: str | None = None
    marks: list[str] = Field(default_factory=list)


class Reason(_Model):
    code: str
    message: str
    reference: str


class ManifestShipment(_Model):
    shipment_id: str
    scn: str
    type: str = Field(description="'SECTION 321' or 'PAPS' (BorderConnect shipment type)")
    decision: str
    province_of_loading: str
    shipper: Party
    consignee: Party
    commodities: list[Commodity]
    reasons: list[Reason] = Field(default_factory=list)
    notes: list[str] = Field(default_factory=list)


class Manifest(_Model):
    """A complete manifest: the trip with its trip number settled and every shipment with its SCN."""

    trip: Trip
    trip_number: str
    shipments: list[ManifestShipment]
    rules_version: str
