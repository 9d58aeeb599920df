"""BorderConnect ACE eManifest JSON: one ``ACE_TRIP`` with its ``ACE_SHIPMENT``\\ s nested.

Field names follow the BorderConnect ACE JSON reference manual 1.0.7 (``ace_emanifest.md``
§4.1.1 example and §4.1.2 field contract). The function is pure: it returns the document as a
``dict`` and checks nothing; ``exports.schema.validate_trip_document`` checks the result
against the manual's contract. Absent optional data is omitted (never ``null``).

Text is passed through as the manifest holds it: limits (name 60, description 45...) are
enforced by ``manifest.validation`` and reported by the schema, not cut here.
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from ace321.manifest.model import (
    Commodity,
    LicensePlate,
    Manifest,
    ManifestShipment,
    Party,
    Person,
    Trailer,
    TravelDocument,
    Truck,
)

Document = dict[str, Any]

_CENT = Decimal("0.01")


def trip_document(
    manifest: Manifest, *, company_key: str | None = None, send_id: str | None = None
) -> Document:
    """The ``ACE_TRIP`` document for ``manifest``, operation ``CREATE``, ``autoSend`` false.

    ``company_key`` is mandatory for service providers (BorderConnect §1.2); ``send_id`` is
    echoed back in BorderConnect's responses. Both are repeated on every nested shipment, as
    in the manual's example.
    """
    trip = manifest.trip
    doc: Document = {"data": "ACE_TRIP"}
    doc.update(_envelope(company_key, send_id))
    doc["tripNumber"] = manifest.trip_number
    doc["usPortOfArrival"] = trip.port_of_arrival
    doc["estimatedArrivalDateTime"] = arrival_date_time(trip.estimated_arrival)
    doc["truck"] = _truck(trip.truck, manifest)
    if trip.trailers:
        doc["trailers"] = [_trailer(trailer) for trailer in trip.trailers]
    doc["drivers"] = [_person(driver) for driver in trip.drivers]
    if trip.passengers:
        doc["passengers"] = [_person(passenger) for passenger in trip.passengers]
    doc["shipments"] = [
        _shipment(shipment, company_key, send_id) for shipment in manifest.shipments
    ]
    doc["autoSend"] = False
    return doc


def arrival_date_time(moment: dt.datetime) -> str:
    """``YYYY-MM-DD HH:MM:SS`` in the port's local time, that is the offset ``moment`` carries.

    >>> import datetime as dt
    >>> eastern = dt.timezone(dt.timedelta(hours=-5))
    >>> arrival_date_time(dt.datetime(2026, 11, 23, 14, 30, tzinfo=eastern))
    '2026-11-23 14:30:00'
    """
    return moment.strftime("%Y-%m-%d %H:%M:%S")


def money(value: Decimal) -> str:
    """A value as BorderConnect wants it: digits and a point, no ``$``, cents kept.

    >>> money(Decimal("1250"))
    '1250.00'
    >>> money(Decimal("19.999"))
    '20.00'
    """
    return str(value.quantize(_CENT, rounding=ROUND_HALF_UP))


def _envelope(company_key: str | None, send_id: str | None) -> Document:
    out: Document = {}
    if send_id is not None:
        out["sendId"] = send_id
    if company_key is not None:
        out["companyKey"] = company_key
    out["operation"] = "CREATE"
    return out


def _plates(plates: list[LicensePlate]) -> list[Document]:
    return [{"number": p.number, "stateProvince": p.state_province} for p in plates]


def _truck(truck: Truck, manifest: Manifest) -> Document:
    out: Document = {"number": truck.number, "type": truck.type, "vinNumber": truck.vin}
    if truck.dot_number:
        out["dotNumber"] = truck.dot_number
    out["licensePlates"] = _plates(truck.license_plates)
    if truck.seals:
        out["sealNumbers"] = list(truck.seals)
    insurance = manifest.trip.hazmat_insurance
    if insurance is not None:
        # [I] Hazmat insurance of the conveyance: the 1.0.7 field matrix does not cover it;
        # names chosen by analogy with the manual's style. Check against the manual PDF.
        out["insurancePolicy"] = {
            "insuranceCompanyName": insurance.insurer,
            "policyNumber": insurance.policy_number,
            "issuedYear": insurance.year,
            "policyAmount": money(insurance.amount),
        }
    return out


def _trailer(trailer: Trailer) -> Document:
    out: Document = {"number": trailer.number, "type": trailer.type}
    out["licensePlates"] = _plates(trailer.license_plates)
    if trailer.seals:
        out["sealNumbers"] = list(trailer.seals)
    return out


def _travel_document(document: TravelDocument) -> Document:
    out: Document = {"type": document.type, "number": document.number}
    if document.country:
        out["country"] = document.country
    if document.state_province:
        out["stateProvince"] = document.state_province
    return out


def _person(person: Person) -> Document:
    out: Document = {"firstName": person.first_name, "lastName": person.last_name}
    if person.gender:
        out["gender"] = person.gender
    if person.date_of_birth:
        out["dateOfBirth"] = person.date_of_birth.isoformat()
    if person.citizenship_country:
        out["citizenshipCountry"] = person.citizenship_country
    if person.fast_card_number:
        out["fastCardNumber"] = person.fast_card_number
    if person.travel_documents:
        out["travelDocuments"] = [_travel_document(d) for d in person.travel_documents]
    return out


def _party(party: Party) -> Document:
    address: Document = {"addressLine": party.address.line, "city": party.address.city}
    if party.address.state_province:
        address["stateProvince"] = party.address.state_province
    address["postalCode"] = party.address.postal_code
    address["country"] = party.address.country
    return {"name": party.name, "address": address}


def _commodity(commodity: Commodity) -> Document:
    out: Document = {
        "loadedOn": {"type": commodity.loaded_on.type, "number": commodity.loaded_on.number},
        "description": commodity.description,
        "quantity": commodity.quantity,
        "packagingUnit": commodity.packaging_unit,
        "weight": commodity.weight,
        "weightUnit": commodity.weight_unit,
    }
    if commodity.marks:
        out["marksAndNumbers"] = list(commodity.marks)
    out["harmonizedCode"] = commodity.hts
    out["value"] = money(commodity.value_usd)
    out["countryOfOrigin"] = commodity.country_of_origin
    if commodity.hazmat_un:
        # [I] Hazmat detail: the 1.0.7 field matrix does not cover it (reference §4.1.2).
        # ``hazmatDetails.unCode`` and ``emergencyContact{name, phoneNumber}`` are assumed
        # names; take the real ones from the manual PDF.
        hazmat: Document = {"unCode": commodity.hazmat_un}
        contact: Document = {}
        if commodity.hazmat_contact_name:
            contact["name"] = commodity.hazmat_contact_name
        if commodity.hazmat_contact_phone:
            contact["phoneNumber"] = commodity.hazmat_contact_phone
        if contact:
            hazmat["emergencyContact"] = contact
        out["hazmatDetails"] = hazmat
    return out


def _shipment(shipment: ManifestShipment, company_key: str | None, send_id: str | None) -> Document:
    out: Document = {"data": "ACE_SHIPMENT"}
    out.update(_envelope(company_key, send_id))
    out["type"] = shipment.type
    out["shipmentControlNumber"] = shipment.scn
    out["provinceOfLoading"] = shipment.province_of_loading
    out["shipper"] = _party(shipment.shipper)
    out["consignee"] = _party(shipment.consignee)
    out["commodities"] = [_commodity(c) for c in shipment.commodities]
    return out
