"""Trips (ACE eManifests) and CBP responses."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from ace321.api.schemas.common import PlainText
from ace321.validation.dates import StrictDateTime

EXAMPLE_TRIP = {
    "carrier_scac": "MAPL", "port_of_arrival": "0901",
    "estimated_arrival": "2026-11-23T14:30:00-05:00", "province_of_loading": "ON",
    "truck": {"number": "T12", "type": "TR", "vin": "1FUJGLDR3CLBP8834",
              "dot_number": "1234567",
              "license_plates": [{"number": "AB12345", "state_province": "ON",
                                  "country": "CA"}], "seals": []},
    "trailers": [{"number": "TR9", "type": "TL", "license_plates": [
        {"number": "P1234X", "state_province": "ON", "country": "CA"}]}],
    "drivers": [{"first_name": "Ana", "last_name": "Silva", "gender": "F",
                 "date_of_birth": "1985-04-12", "citizenship_country": "CA",
                 "fast_card_number": "42705555555501"}],
}


class TripCreate(BaseModel):
    """A trip (the fields of the trip file) and the stored shipments it carries."""

    model_config = ConfigDict(json_schema_extra={"examples": [
        {"trip": EXAMPLE_TRIP, "shipment_ids": ["MF-100101-01", "MF-100102-01"]}]})

    trip: dict[str, Any] = Field(description="The trip as in the trip file (examples/trip.yaml):"
                                             " carrier_scac, port_of_arrival, estimated_arrival,"
                                             " truck, trailers, drivers, ...")
    shipment_ids: list[PlainText] | None = Field(None, min_length=1, description="Stored shipments "
                                           "to carry (or give `batch_id`).")
    batch_id: PlainText | None = Field(None, description="Carry every shipment of this stored batch.")
    filed_at: StrictDateTime | None = Field(None, description="When the manifest is filed (ISO "
                                         "8601 with UTC offset); default now.")
    skip_invalid: bool = Field(False, description="Leave INVALID shipments out instead of "
                                                  "refusing the trip.")
    production: bool = Field(False, description="X12 for CBP production (ISA15 P), not test.")
    group_commodities: bool = Field(False, description="One commodity per HTS code and origin "
                                                       "in each shipment.")


class TripCancelCreate(BaseModel):
    """Why the trip is cancelled."""

    reason: PlainText = Field(min_length=1, max_length=2000, pattern=r"\S",
                        description="Why (mandatory; kept in the audit trail).")


class TripShipmentPublic(BaseModel):
    """A shipment on the trip."""

    position: int = Field(description="Order on the manifest.")
    scn: str = Field(description="Shipment control number.")
    shipment_id: str = Field(description="The stored shipment.")
    type: str = Field(description="ACE shipment type: SECTION 321 or PAPS.")
    decision: str = Field(description="Decision when filed.")
    status: str = Field(description="The shipment's status now.")


class TripFilePublic(BaseModel):
    """A file of the trip, stored byte for byte."""

    name: str = Field(description="ace_trip.json, ace_shipments.csv, manifest.x12 or "
                                  "cover_sheet.pdf.")
    sha256: str = Field(description="SHA-256 of the file.")
    size: int = Field(description="Size in bytes.")


class _FiledTrip(BaseModel):
    # The fields of a filed trip in both its list entry and its detail (in this order: the
    # OpenAPI document lists them so); not a schema of its own.
    trip_number: str = Field(description="Trip number (SCAC + ...).")
    carrier_scac: str = Field(description="Carrier SCAC.")
    port_of_arrival: str = Field(description="Schedule D port code.")
    estimated_arrival: str = Field(description="Estimated arrival (port local time).")
    arrival_date: str = Field(description="Arrival date at the port (local).")
    status: str = Field(description="OPEN, TRANSMITTED, ACCEPTED, REJECTED, CANCELLED, ...")
    control_number: int = Field(description="X12 interchange control number (ISA13).")
    production: bool = Field(description="Filed for CBP production.")
    filed_at: str = Field(description="When filed (UTC).")
    created_at: str = Field(description="When stored (UTC).")
    actor: str = Field(description="Who filed it.")
    rules_version: str = Field(description="Rules used to screen its shipments.")


class TripSummaryPublic(_FiledTrip):
    """A filed trip in a list."""

    shipments: int = Field(description="Shipments on the trip.")
    scns: int = Field(description="ACE shipments (SCNs) on the trip.")


class TripPagePublic(BaseModel):
    """One page of trips, by arrival date then trip number."""

    items: list[TripSummaryPublic] = Field(description="The trips of this page.")
    next_cursor: str | None = Field(description="Pass as `cursor` for the next page; null on "
                                                "the last page.")


class TripPublic(_FiledTrip):
    """A filed trip with its shipments, files and CBP responses."""

    trip: dict[str, Any] = Field(description="The trip as filed.")
    shipments: list[TripShipmentPublic] = Field(description="Shipments on the trip.")
    files: list[TripFilePublic] = Field(description="Files of the trip.")
    responses: list[dict[str, Any]] = Field(description="CBP responses received.")
    warnings: list[dict[str, Any]] = Field(default_factory=list,
                                           description="Warnings when filed (POST only).")
    skipped_invalid: list[dict[str, Any]] = Field(
        default_factory=list, description="INVALID shipments left out (POST only).")


class ResponseMessagePublic(BaseModel):
    """One CBP message and what it did."""

    message_type: str = Field(description="355, 350 or ACE_RESPONSE.")
    trip_number: str | None = Field(description="The trip it is about.")
    scn: str | None = Field(description="The shipment control number it is about, if any.")
    code: str | None = Field(description="CBP's code.")
    text: str = Field(description="CBP's text.")
    known: bool = Field(description="Whether the code is known.")
    meaning: str | None = Field(description="What the code means.")
    effect: str | None = Field(description="Its effect on trips and shipments.")
    outcome: str = Field(description="What was done.")
    error: bool = Field(description="True when it could not be applied.")


class ResponseImportPublic(BaseModel):
    """The messages of a response document and what each did."""

    source_file: str = Field(description="Name recorded for the document.")
    messages: list[ResponseMessagePublic] = Field(description="Every message.")
    errors: int = Field(description="Messages that could not be applied.")
    unknown_codes: int = Field(description="Messages with a code not known (stored only).")
    already_imported: int = Field(0, description="Messages of the same content imported "
                                                 "before: skipped, not stored again (a document "
                                                 "imported twice changes nothing).")
