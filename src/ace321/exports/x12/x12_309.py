"""X12 309 Customs Manifest, complete manifest (M1009 ``W``): trip, conveyance, equipment,
crew and every shipment in one interchange (``ace_emanifest.md`` §1.2, §2).

The envelope follows the X12 rules [C]; the layout inside ST-SE is partly inferred, and every
inferred choice is a named constant of ``assumptions.py``. Every data element goes through
``syntax.clean``: no separator can reach the data.

The writer is pure: control numbers and the creation time are arguments.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal

from ace321.exports.x12 import assumptions as a
from ace321.exports.x12 import codes
from ace321.exports.x12.syntax import DEFAULT_SEPARATORS, Segment, Separators, clean
from ace321.manifest.model import (
    Commodity,
    LicensePlate,
    Manifest,
    ManifestShipment,
    Party,
    Person,
    Trailer,
    Truck,
)

MANIFEST_TYPE_COMPLETE = "W"


def manifest_309(
    manifest: Manifest,
    *,
    control_number: int,
    created: dt.datetime,
    production: bool = False,
    group_control_number: int | None = None,
    transaction_set_control_number: str | None = None,
    sender_id: str | None = None,
    line_breaks: bool = False,
) -> str:
    """The interchange (ISA...IEA) holding one complete-manifest 309, as text.

    ``control_number`` is ISA13/IEA02 (1 to 999,999,999, written 9 digits zero-padded); the
    group (GS06/GE02) and transaction set (ST02/SE02, 4 digits at least) reuse it unless given.
    ``created`` fills ISA09/ISA10 and GS04/GS05. ``production`` switches the receiver from
    ``CBP-ACE-TEST`` to ``CBP-ACE`` and ISA15 from ``T`` to ``P``. ``line_breaks`` puts a
    newline after each segment terminator, for people reading the file.
    """
    segments = interchange_segments(
        manifest,
        control_number=control_number,
        created=created,
        production=production,
        group_control_number=group_control_number,
        transaction_set_control_number=transaction_set_control_number,
        sender_id=sender_id,
    )
    joiner = "\n" if line_breaks else ""
    text = joiner.join(_serialize(segment) for segment in segments)
    return text + joiner


def interchange_segments(
    manifest: Manifest,
    *,
    control_number: int,
    created: dt.datetime,
    production: bool = False,
    group_control_number: int | None = None,
    transaction_set_control_number: str | None = None,
    sender_id: str | None = None,
) -> list[Segment]:
    """``manifest_309`` as segments, ISA to IEA."""
    if not 1 <= control_number <= 999_999_999:
        raise ValueError(f"control number {control_number} is not in 1..999999999")
    group = control_number if group_control_number is None else group_control_number
    if not 1 <= group <= 999_999_999:
        raise ValueError(f"group control number {group} is not in 1..999999999")
    st02 = transaction_set_control_number or f"{control_number:04d}"
    if not (4 <= len(st02) <= 9 and st02.isalnum()):
        raise ValueError(f"transaction set control number {st02!r} is not 4-9 alphanumerics")

    sender = clean(sender_id or manifest.trip.carrier_scac, 15)
    if not sender:
        raise ValueError("no sender ID: give sender_id or a carrier SCAC")
    receiver = codes.RECEIVER_PRODUCTION if production else codes.RECEIVER_TEST
    body = transaction_set(manifest, control_number=st02)
    isa = Segment(
        "ISA",
        (
            "00",
            " " * 10,
            "00",
            " " * 10,
            a.ISA_SENDER_QUALIFIER,
            sender.ljust(15),
            a.ISA_RECEIVER_QUALIFIER,
            receiver.ljust(15),
            created.strftime("%y%m%d"),
            created.strftime("%H%M"),
            DEFAULT_SEPARATORS.repetition or "U",
            a.ISA_VERSION,
            f"{control_number:09d}",
            a.ISA_ACK_REQUESTED,
            "P" if production else "T",
            DEFAULT_SEPARATORS.sub_element,
        ),
    )
    gs = Segment(
        "GS",
        (
            codes.FUNCTIONAL_IDENTIFIERS["309"],
            sender,
            receiver,
            created.strftime("%Y%m%d"),
            created.strftime("%H%M"),
            str(group),
            a.GS_AGENCY,
            a.GS_VERSION,
        ),
    )
    ge = Segment("GE", ("1", str(group)))
    iea = Segment("IEA", ("1", f"{control_number:09d}"))
    return [isa, gs, *body, ge, iea]


def transaction_set(manifest: Manifest, *, control_number: str = "0001") -> list[Segment]:
    """The 309 transaction set, ST to SE inclusive, SE01 counting both."""
    trip = manifest.trip
    units = _Units(trip.truck, trip.trailers)
    body: list[Segment] = [Segment("ST", ("309", control_number))]
    body.append(_m10(manifest))
    if trip.truck.dot_number:
        body.append(_seg("N9", a.DOT_NUMBER_QUALIFIER, _must(trip.truck.dot_number, 30, "DOT")))
    body.append(
        _veh(1, trip.truck.number, trip.truck.type, trip.truck.license_plates, vin=trip.truck.vin)
    )
    for sequence, trailer in enumerate(trip.trailers, start=2):
        body.append(_veh(sequence, trailer.number, trailer.type, trailer.license_plates))
    if trip.truck.seals:
        if len(trip.truck.seals) > a.TRUCK_SEALS_MAX:
            raise ValueError(
                f"truck {trip.truck.number}: {len(trip.truck.seals)} seals, the 309 layout "
                f"carries {a.TRUCK_SEALS_MAX}"
            )
        body.append(_seg("M7", *(_must(seal, 15, "seal") for seal in trip.truck.seals)))
    if trip.hazmat_insurance is not None:
        insurance = trip.hazmat_insurance
        body.append(
            _seg(
                "CII",
                _must(insurance.insurer, 60, "insurer"),
                _must(insurance.policy_number, 30, "policy number"),
                str(insurance.year),
                a.INSURANCE_CURRENCY,
                _decimal(insurance.amount),
            )
        )
    for index, driver in enumerate(trip.drivers):
        entity = codes.ENTITY_DRIVER if index == 0 else codes.ENTITY_CREW
        body.extend(_person(entity, driver))
    for passenger in trip.passengers:
        body.extend(_person(codes.ENTITY_PASSENGER, passenger))
    if trip.broker is not None:
        body.append(
            _seg(
                "NM1",
                a.BROKER_ENTITY,
                a.ORGANISATION_ENTITY_TYPE,
                clean(trip.broker.name or trip.broker.filer_code, a.PARTY_NAME_MAX),
                "",
                "",
                "",
                "",
                a.BROKER_ID_QUALIFIER,
                _must(trip.broker.filer_code, 80, "broker filer code"),
            )
        )
    arrival = trip.estimated_arrival
    body.append(
        _seg(
            "P4",
            _must(trip.port_of_arrival, 4, "port of arrival"),
            arrival.strftime("%Y%m%d"),
            str(len(manifest.shipments)),
            "",
            arrival.strftime("%H%M"),
        )
    )
    for number, shipment in enumerate(manifest.shipments, start=1):
        body.extend(_shipment(number, shipment, units, trip.carrier_scac))
    body.append(Segment("SE", (str(len(body) + 1), control_number)))
    return body


# --- helpers -----------------------------------------------------------------------------------


def _serialize(segment: Segment, separators: Separators = DEFAULT_SEPARATORS) -> str:
    return segment.serialize(separators)


def _seg(tag: str, *elements: str) -> Segment:
    return Segment(tag, tuple(elements))


def _must(value: object, max_length: int, what: str) -> str:
    text = clean(value, max_length)
    if not text:
        raise ValueError(f"{what} {value!r} has no character X12 can carry")
    return text


def _opt(value: object | None, max_length: int) -> str:
    return "" if value is None else clean(value, max_length)


def _decimal(value: Decimal) -> str:
    """An X12 decimal (R): cents at most, no trailing zeros."""
    text = str(value.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    return text.rstrip("0").rstrip(".") if "." in text else text


def _positional(tag: str, values: dict[int, str]) -> Segment:
    length = max(values) if values else 0
    return Segment(tag, tuple(values.get(i, "") for i in range(1, length + 1)))


def _plate_country(plate: LicensePlate) -> str:
    if plate.country:
        return plate.country
    return "CA" if plate.state_province.upper() in codes.CANADIAN_PROVINCES else "US"


def _m10(manifest: Manifest) -> Segment:
    trip = manifest.trip
    plates = trip.truck.license_plates
    country = _plate_country(plates[0]) if plates else "US"
    return _positional(
        "M10",
        {
            1: _must(trip.carrier_scac, 4, "carrier SCAC"),
            2: a.TRANSPORTATION_METHOD,
            3: clean(country, 3),
            a.M10_TRIP_NUMBER_POSITION: _must(
                manifest.trip_number, a.TRIP_NUMBER_MAX, "trip number"
            ),
            9: MANIFEST_TYPE_COMPLETE,
        },
    )


def _veh(
    sequence: int,
    number: str,
    type_code: str,
    plates: Sequence[LicensePlate],
    vin: str | None = None,
) -> Segment:
    if len(plates) > a.VEH_MAX_PLATES:
        raise ValueError(
            f"unit {number}: {len(plates)} licence plates, the 309 layout carries "
            f"{a.VEH_MAX_PLATES}"
        )
    values = {
        a.VEH_SEQUENCE: str(sequence),
        a.VEH_TYPE: _must(type_code, 2, f"unit {number} type"),
        a.VEH_UNIT_NUMBER: _must(number, 17, "unit number"),
    }
    if vin:
        values[a.VEH_VIN] = _must(vin, 30, "VIN")
    if plates:
        plate = plates[0]
        values[a.VEH_PLATE_NUMBER] = _must(plate.number, 10, "licence plate")
        values[a.VEH_PLATE_STATE] = _must(plate.state_province, 3, "plate state/province")
        values[a.VEH_PLATE_COUNTRY] = clean(_plate_country(plate), 3)
    return _positional("VEH", values)


def _person(entity: str, person: Person) -> list[Segment]:
    out = [
        _seg(
            "NM1",
            entity,
            a.PERSON_ENTITY_TYPE,
            _must(person.last_name, a.NAME_MAX, "last name"),
            _must(person.first_name, a.NAME_MAX, "first name"),
        )
    ]
    if person.date_of_birth or person.gender or person.citizenship_country:
        out.append(
            _positional(
                "DMG",
                {
                    1: a.DATE_QUALIFIER if person.date_of_birth else "",
                    2: person.date_of_birth.strftime("%Y%m%d") if person.date_of_birth else "",
                    3: _opt(person.gender, 1),
                    7: _opt(person.citizenship_country, 3),
                },
            )
        )
    if person.fast_card_number:
        out.append(
            _seg(
                "REF",
                a.FAST_CARD_QUALIFIER,
                _must(person.fast_card_number, a.TRAVEL_DOCUMENT_NUMBER_MAX, "FAST card"),
                a.FAST_CARD_DESCRIPTION,
            )
        )
    for document in person.travel_documents:
        out.append(
            _seg(
                "REF",
                _must(document.type, 3, "travel document type"),
                _must(document.number, a.TRAVEL_DOCUMENT_NUMBER_MAX, "travel document number"),
                _opt(document.state_province or document.country, 80),
            )
        )
    return out


class _Units:
    """The trip's units by number, to describe the equipment a commodity is loaded on."""

    def __init__(self, truck: Truck, trailers: Iterable[Trailer]) -> None:
        self.truck = truck
        self.trailers = {trailer.number: trailer for trailer in trailers}

    def describe(self, kind: str, number: str) -> tuple[str, list[str]]:
        if kind == "TRUCK" and number == self.truck.number:
            return self.truck.type, list(self.truck.seals)
        if kind == "TRAILER" and number in self.trailers:
            trailer = self.trailers[number]
            return trailer.type, list(trailer.seals)
        raise ValueError(f"commodity loaded on {kind} {number}, which is not on the trip")


def _port_of_lading(shipment: ManifestShipment) -> str:
    code = shipment.province_of_loading.strip().upper()
    if len(code) == 5 and code.isdigit():
        return code
    if code in codes.SCHEDULE_K_BY_PROVINCE:
        return codes.SCHEDULE_K_BY_PROVINCE[code]
    raise ValueError(
        f"shipment {shipment.scn}: no Schedule K port of lading known for province of "
        f"loading {shipment.province_of_loading!r}"
    )


def _total_weight(commodities: Sequence[Commodity]) -> tuple[int, str]:
    unit = commodities[0].weight_unit
    per_kg = Decimal(a.POUNDS_PER_KILOGRAM)
    total = Decimal(0)
    for commodity in commodities:
        weight = Decimal(commodity.weight)
        if commodity.weight_unit != unit:
            weight = weight * per_kg if unit == "L" else weight / per_kg
        total += weight
    return math.ceil(total), unit


def _m11(shipment: ManifestShipment) -> Segment:
    scn = _must(shipment.scn, 16, "SCN")
    if len(scn) < 5:
        raise ValueError(f"SCN {shipment.scn!r} is too short to split into SCAC and bill")
    bill_type = a.BILL_TYPE_BY_SHIPMENT_TYPE.get(shipment.type)
    if bill_type is None:
        raise ValueError(
            f"shipment {shipment.scn}: type {shipment.type!r} has no 309 bill type in this "
            f"layout (known: {', '.join(a.BILL_TYPE_BY_SHIPMENT_TYPE)})"
        )
    commodities = shipment.commodities
    units = {c.packaging_unit for c in commodities}
    weight, weight_unit = _total_weight(commodities)
    return _positional(
        "M11",
        {
            1: scn[4:][: a.BILL_NUMBER_MAX],
            2: _port_of_lading(shipment),
            3: str(sum(c.quantity for c in commodities)),
            4: clean(units.pop() if len(units) == 1 else a.MIXED_PACKAGING_UNIT, 3),
            5: str(weight),
            6: weight_unit,
            9: bill_type,
            12: scn[:4],
        },
    )


def _party(entity: str, party: Party) -> list[Segment]:
    address = party.address
    return [
        _seg("N1", entity, _must(party.name, a.PARTY_NAME_MAX, "party name")),
        _seg("N3", _must(address.line, a.ADDRESS_LINE_MAX, "address line")),
        _seg(
            "N4",
            _must(address.city, a.CITY_MAX, "city"),
            _opt(address.state_province, 3),
            _opt(address.postal_code, a.POSTAL_CODE_MAX),
            _opt(address.country, 3),
        ),
    ]


def _whole_dollars(value: Decimal) -> str:
    dollars = int(value.to_integral_value(rounding=ROUND_CEILING))
    return str(dollars).zfill(a.VALUE_MIN_DIGITS)


def _n10(commodity: Commodity) -> list[Segment]:
    marks = " ".join(commodity.marks)
    out = [
        _positional(
            "N10",
            {
                1: str(commodity.quantity),
                2: _must(commodity.description, a.DESCRIPTION_MAX, "description"),
                3: clean(marks, a.MARKS_MAX),
                4: a.HTS_QUALIFIER,
                5: _must(commodity.hts, 10, "HTS"),
                6: _whole_dollars(commodity.value_usd),
                7: commodity.weight_unit,
                8: str(commodity.weight),
                10: _must(commodity.packaging_unit, 3, "packaging unit"),
                11: _must(commodity.country_of_origin, 3, "country of origin"),
            },
        )
    ]
    if commodity.hazmat_un:
        out.append(
            _positional(
                "H1",
                {
                    1: _must(commodity.hazmat_un, 10, "UN number"),
                    2: a.HAZMAT_QUALIFIER,
                    5: _opt(commodity.hazmat_contact_name, a.HAZMAT_CONTACT_MAX),
                },
            )
        )
        if commodity.hazmat_contact_phone:
            out.append(
                _seg("H2", _must(commodity.hazmat_contact_phone, a.HAZMAT_PHONE_MAX, "phone"))
            )
    return out


def _shipment(number: int, shipment: ManifestShipment, units: _Units, scac: str) -> list[Segment]:
    out = [_seg("LX", str(number)), _m11(shipment)]
    out.extend(_party(a.SHIPPER_ENTITY, shipment.shipper))
    out.extend(_party(a.CONSIGNEE_ENTITY, shipment.consignee))
    groups: dict[tuple[str, str], list[Commodity]] = {}
    for commodity in shipment.commodities:
        key = (commodity.loaded_on.type, commodity.loaded_on.number)
        groups.setdefault(key, []).append(commodity)
    for (kind, unit_number), commodities in groups.items():
        type_code, seals = units.describe(kind, unit_number)
        limit = a.VID_SEALS + a.VID_M7_SEALS
        if len(seals) > limit:
            raise ValueError(
                f"{kind} {unit_number}: {len(seals)} seals, the 309 layout carries {limit}"
            )
        cleaned = [_must(seal, 15, "seal") for seal in seals]
        out.append(
            _seg(
                "VID",
                _must(type_code, 2, f"{kind} {unit_number} type"),
                _must(scac, 4, "carrier SCAC"),
                _must(unit_number, 17, "unit number"),
                *cleaned[: a.VID_SEALS],
            )
        )
        if len(cleaned) > a.VID_SEALS:
            out.append(_seg("M7", *cleaned[a.VID_SEALS :]))
        for commodity in commodities:
            out.extend(_n10(commodity))
    return out
