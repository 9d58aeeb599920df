"""Check a trip against the ACE highway manifest rules, reporting every problem at once.

``validate_trip`` never stops at the first problem: it returns one ``Issue`` per problem, each
with a stable code (below), a severity, the field path in the trip file (e.g.
``truck.license_plates[0].number``) and a message that says what to change. An empty list, or a
list of warnings only, means the trip can be filed.

Field limits are the ACE_TRIP contract of BorderConnect's JSON manual 1.0.7
(``ace_emanifest.md`` §4.1.2); code lists are ``manifest.codes``; the timing rule is 19 CFR
123.92 (§3.1); the 9,999-shipment limit is BorderConnect's default (§4.2).

Error codes (the trip cannot be filed as it is):

==========================  ===================================================================
``MISSING_FIELD``           a required field is empty
``INVALID_TRIP_FIELD``      the trip file holds a value of the wrong type, or an unknown field
``INVALID_LENGTH``          a field is shorter or longer than the ACE limit
``INVALID_FORMAT``          a field does not have the form ACE wants (e.g. a 2-3 letter state)
``UNKNOWN_CODE``            a trailer type or travel-document type not in the ACE code list
``INVALID_SCAC``            the carrier SCAC is not 4 capital letters
``INVALID_TRIP_NUMBER``     the trip number is not 8-25 capital letters and digits
``TRIP_NUMBER_PREFIX``      the trip number does not start with the carrier's SCAC
``INVALID_PORT_CODE``       the port of arrival is not 4 digits
``UNKNOWN_PORT``            the port of arrival is not a US land port (Schedule D)
``PORT_NO_TRUCKS``          trucks do not cross at the port of arrival
``ARRIVAL_NO_TIME_ZONE``    the arrival time has no UTC offset and the port's zone is unknown
``LATE_FILING``             filed less than 60 minutes (30 with FAST drivers) before arrival
``TOO_MANY_SHIPMENTS``      more than 9,999 shipments for one trip
``INVALID_VIN``             the truck's VIN is not 17 valid characters with a matching check digit
``NO_LICENSE_PLATE``        the truck or a trailer has no licence plate
``DUPLICATE_EQUIPMENT``     two trailers share a number (commodities are loaded on by number)
``INVALID_COUNTRY``         not an ISO 3166-1 alpha-2 country code
``NO_DRIVER``               the trip has no driver ("No person in charge")
``INVALID_FAST_CARD``       a FAST card number is not 14 digits ("INV TRAVEL DOC NUMBER")
``NO_TRAVEL_DOCUMENT``      a driver without a FAST card, or a passenger, has no travel document
``HAZMAT_NO_INSURANCE``     hazmat aboard and no conveyance insurance (insurer, policy, year, amount)
``HAZMAT_NO_ENDORSEMENT``   hazmat aboard and no driver with an ``HD`` travel document
``INVALID_INSURANCE``       the hazmat insurance year or amount is not plausible
``FORMULA_TEXT``            a text starts with ``=``, ``+``, ``-``, ``@``, tab or CR (formula
                            injection: ``ace321.validation.formulas``)
``INVALID_DATE_OF_BIRTH``   a driver or passenger born after the trip's arrival
``CONTROL_CHARACTER``       a field holds a NUL or another control character
==========================  ===================================================================

Warning codes (reported, never block):

==============================  ===============================================================
``FAST_CARD_UNUSUAL``           14 digits, but not the ``4270…01/02`` form seen on issued cards
``UNKNOWN_CONVEYANCE_TYPE``     a truck type outside the (partly inferred) conveyance list
``ARRIVAL_OFFSET_MISMATCH``     the arrival's UTC offset is not the port's local offset then
``NO_CDL``                      a driver without a FAST card has no CDL (``5K``) among documents
==============================  ===============================================================

>>> generate_trip_number("MAPL", dt.date(2026, 11, 23), "A")
'MAPL20261123A'
>>> trips_needed(10_000)
2
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from types import ModuleType

import pycountry

from ace321.identifiers import fast_card, port_code, trip_number, vin
from ace321.identifiers import scac as scac_id
from ace321.identifiers.exceptions import (
    InvalidComponent,
    InvalidFormat,
    InvalidLength,
    ValidationError,
)
from ace321.manifest import codes
from ace321.manifest.model import LicensePlate, Person, TravelDocument, Trip
from ace321.reference.ports import Port
from ace321.validation.codes import Severity
from ace321.validation.formulas import formula_like

ERRORS: dict[str, str] = {
    "INVALID_DATE_OF_BIRTH": "a date of birth after the trip's arrival",
    "CONTROL_CHARACTER": "a field holds a NUL or another control character",
    "MISSING_FIELD": "a required field is empty",
    "INVALID_TRIP_FIELD": "the trip file holds a value of the wrong type, or an unknown field",
    "INVALID_LENGTH": "a field is shorter or longer than the ACE limit",
    "INVALID_FORMAT": "a field does not have the form ACE wants",
    "UNKNOWN_CODE": "a trailer type or travel-document type not in the ACE code list",
    "INVALID_SCAC": "the carrier SCAC is not 4 capital letters",
    "INVALID_TRIP_NUMBER": "the trip number is not 8 to 25 capital letters and digits",
    "TRIP_NUMBER_PREFIX": "the trip number does not start with the carrier's SCAC",
    "INVALID_PORT_CODE": "the port of arrival is not 4 digits",
    "UNKNOWN_PORT": "the port of arrival is not a US land port of entry (Schedule D)",
    "PORT_NO_TRUCKS": "trucks do not cross at the port of arrival",
    "ARRIVAL_NO_TIME_ZONE": "the arrival time has no UTC offset and the port's time zone is unknown",
    "LATE_FILING": "filed less than 60 minutes (30 with FAST drivers) before arrival",
    "TOO_MANY_SHIPMENTS": "more than 9,999 shipments for one trip",
    "INVALID_VIN": "the truck's VIN is not 17 valid characters with a matching check digit",
    "NO_LICENSE_PLATE": "the truck or a trailer has no licence plate",
    "DUPLICATE_EQUIPMENT": "two trailers share a number",
    "INVALID_COUNTRY": "not an ISO 3166-1 alpha-2 country code",
    "NO_DRIVER": "the trip has no driver",
    "INVALID_FAST_CARD": "a FAST card number is not 14 digits",
    "NO_TRAVEL_DOCUMENT": "a driver without a FAST card, or a passenger, has no travel document",
    "HAZMAT_NO_INSURANCE": "hazmat aboard and no conveyance insurance",
    "HAZMAT_NO_ENDORSEMENT": "hazmat aboard and no driver with an HD (hazmat endorsement) document",
    "INVALID_INSURANCE": "the hazmat insurance year or amount is not plausible",
    "FORMULA_TEXT": "a text starts with =, +, -, @, tab or CR (a spreadsheet formula)",
}

WARNINGS: dict[str, str] = {
    "FAST_CARD_UNUSUAL": "FAST card number not of the 4270...01/02 form seen on issued cards",
    "UNKNOWN_CONVEYANCE_TYPE": "truck type outside the (partly inferred) conveyance list",
    "ARRIVAL_OFFSET_MISMATCH": "the arrival's UTC offset is not the port's local offset at that time",
    "NO_CDL": "a driver without a FAST card has no CDL (5K) among the travel documents",
}

LEAD_TIME = dt.timedelta(minutes=60)
FAST_LEAD_TIME = dt.timedelta(minutes=30)
MAX_SHIPMENTS_PER_TRIP = 9_999


def severity(code: str) -> Severity:
    if code in ERRORS:
        return Severity.ERROR
    if code in WARNINGS:
        return Severity.WARNING
    raise KeyError(f"unknown trip issue code {code!r}")


@dataclass(frozen=True)
class Issue:
    """One problem of a trip: the same shape as the order issues (``row`` is None for trips)."""

    code: str
    severity: str
    field: str
    row: int | None
    message: str

    @classmethod
    def of(cls, code: str, field: str, message: str, row: int | None = None) -> Issue:
        return cls(code, severity(code).value, field, row, message)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


class _Issues(list[Issue]):
    def add(self, code: str, field: str, message: str) -> None:
        self.append(Issue.of(code, field, message))


# -- field contract helpers ---------------------------------------------------------------


def _text(
    out: _Issues,
    path: str,
    value: str | None,
    low: int,
    high: int,
    *,
    required: bool = True,
    pattern: str | None = None,
    form: str = "",
) -> bool:
    """Check one string field; True when it is present and well-formed."""
    if value is None or not value.strip():
        if required:
            out.add("MISSING_FIELD", path, f"{path} is required")
        return False
    if not low <= len(value) <= high:
        limit = f"{low}" if low == high else f"{low} to {high}"
        out.add("INVALID_LENGTH", path, f"{path} has {len(value)} characters; ACE allows {limit}")
        return False
    if pattern and not re.fullmatch(pattern, value):
        out.add("INVALID_FORMAT", path, f"{path} {value!r} is not {form}")
        return False
    if formula_like(value):
        out.add("FORMULA_TEXT", path, f"{path} {value!r} starts like a spreadsheet formula (=, "
                "+, -, @, tab or line break); CBP's files must not carry it")
        return False
    return True


def _country(out: _Issues, path: str, value: str | None, *, required: bool = False) -> None:
    if value is None or not value.strip():
        if required:
            out.add("MISSING_FIELD", path, f"{path} is required")
        return
    if pycountry.countries.get(alpha_2=value) is None or value != value.upper():
        out.add("INVALID_COUNTRY", path, f"{path} {value!r} is not an ISO 3166-1 alpha-2 country code")


def _identifier(
    out: _Issues,
    module: ModuleType,
    path: str,
    value: str,
    code: str,
    *,
    component_code: str | None = None,
    **kwargs: str,
) -> str | None:
    """Validate with an ``ace321.identifiers`` module; the value must already be in clean form."""
    check: Callable[..., str] = module.validate
    try:
        clean = check(value, **kwargs)
    except ValidationError as error:
        bad = component_code if component_code and isinstance(error, InvalidComponent) else code
        out.add(bad, path, f"{path} {value!r}: {error}")
        return None
    if clean != value:
        out.add(code, path, f"{path} {value!r} must be written {clean!r}")
        return None
    return clean


def _state(out: _Issues, path: str, value: str | None, *, required: bool) -> None:
    _text(out, path, value, 2, 3, required=required, pattern=r"[A-Z]{2,3}",
          form="a 2 or 3 letter state/province code in capitals")


def _plates(out: _Issues, path: str, plates: Sequence[LicensePlate]) -> None:
    if not plates:
        out.add("NO_LICENSE_PLATE", path, f"{path}: at least one licence plate is required")
    for i, plate in enumerate(plates):
        at = f"{path}[{i}]"
        _text(out, f"{at}.number", plate.number, 1, 10)
        _state(out, f"{at}.state_province", plate.state_province, required=True)
        _country(out, f"{at}.country", plate.country)


def _seals(out: _Issues, path: str, seals: Sequence[str]) -> None:
    for i, seal in enumerate(seals):
        _text(out, f"{path}[{i}]", seal, 1, 15)


# -- parts of the trip --------------------------------------------------------------------


def _trip_header(out: _Issues, trip: Trip, ports: Mapping[str, Port]) -> Port | None:
    carrier = _identifier(out, scac_id, "carrier_scac", trip.carrier_scac, "INVALID_SCAC")
    if trip.trip_number is not None:
        extra = {"scac": carrier} if carrier else {}
        _identifier(out, trip_number, "trip_number", trip.trip_number, "INVALID_TRIP_NUMBER",
                    component_code="TRIP_NUMBER_PREFIX", **extra)
    _text(out, "province_of_loading", trip.province_of_loading, 2, 5, required=False,
          pattern=r"[A-Z0-9]{2,5}", form="2 to 5 capital letters or digits")
    if _identifier(out, port_code, "port_of_arrival", trip.port_of_arrival, "INVALID_PORT_CODE") is None:
        return None
    port = ports.get(trip.port_of_arrival)
    if port is None:
        out.add("UNKNOWN_PORT", "port_of_arrival",
                f"port_of_arrival {trip.port_of_arrival!r} is not a US land port of entry")
    elif not port.truck_traffic:
        out.add("PORT_NO_TRUCKS", "port_of_arrival",
                f"port_of_arrival {port.code} ({port.name}, {port.state}) has no truck crossing:"
                " choose the port where the truck crosses")
    return port


def _truck(out: _Issues, trip: Trip) -> None:
    truck = trip.truck
    _text(out, "truck.number", truck.number, 1, 17)
    if _text(out, "truck.type", truck.type, 2, 2) and truck.type not in codes.CONVEYANCE_TYPES:
        out.add("UNKNOWN_CONVEYANCE_TYPE", "truck.type",
                f"truck.type {truck.type!r} is not one of {', '.join(codes.CONVEYANCE_TYPES)}")
    if truck.vin is None or not truck.vin.strip():
        out.add("MISSING_FIELD", "truck.vin", "truck.vin is required")
    else:
        _identifier(out, vin, "truck.vin", truck.vin, "INVALID_VIN")
    _text(out, "truck.dot_number", truck.dot_number, 1, 8, required=False, pattern=r"[0-9]+",
          form="a USDOT number (digits only)")
    _plates(out, "truck.license_plates", truck.license_plates)
    _seals(out, "truck.seals", truck.seals)


def _trailers(out: _Issues, trip: Trip) -> None:
    seen: set[str] = set()
    for i, trailer in enumerate(trip.trailers):
        at = f"trailers[{i}]"
        if _text(out, f"{at}.number", trailer.number, 1, 17):
            if trailer.number in seen:
                out.add("DUPLICATE_EQUIPMENT", f"{at}.number",
                        f"trailer number {trailer.number!r} is used twice in this trip")
            seen.add(trailer.number)
        if _text(out, f"{at}.type", trailer.type, 2, 2) and trailer.type not in codes.TRAILER_TYPES:
            out.add("UNKNOWN_CODE", f"{at}.type",
                    f"{at}.type {trailer.type!r} is not an ACE trailer/equipment type")
        _plates(out, f"{at}.license_plates", trailer.license_plates)
        _seals(out, f"{at}.seals", trailer.seals)


def _documents(out: _Issues, path: str, documents: Sequence[TravelDocument]) -> None:
    for i, doc in enumerate(documents):
        at = f"{path}[{i}]"
        if _text(out, f"{at}.type", doc.type, 2, 3) and doc.type not in codes.TRAVEL_DOCUMENT_TYPES:
            out.add("UNKNOWN_CODE", f"{at}.type", f"{at}.type {doc.type!r} is not an ACE travel-document type")
        _text(out, f"{at}.number", doc.number, 1, 30)
        _country(out, f"{at}.country", doc.country)
        required = doc.type in codes.STATE_REQUIRED_DOCUMENTS
        _state(out, f"{at}.state_province", doc.state_province, required=required)


def _has_fast(person: Person) -> bool:
    number = person.fast_card_number
    return number is not None and fast_card.is_valid(number) and fast_card.compact(number) == number


def _person(out: _Issues, path: str, person: Person, *, passenger: bool) -> None:
    _text(out, f"{path}.first_name", person.first_name, 1, 30)
    _text(out, f"{path}.last_name", person.last_name, 1, 30)
    if passenger:
        for name in ("gender", "date_of_birth"):
            if getattr(person, name) is None:
                out.add("MISSING_FIELD", f"{path}.{name}", f"{path}.{name} is required for a passenger")
    _country(out, f"{path}.citizenship_country", person.citizenship_country, required=passenger)
    if person.fast_card_number is not None:
        at = f"{path}.fast_card_number"
        valid = _identifier(out, fast_card, at, person.fast_card_number, "INVALID_FAST_CARD")
        if valid and not fast_card.looks_genuine(valid):
            out.add("FAST_CARD_UNUSUAL", at,
                    f"{at} {valid!r} is 14 digits but not of the form 4270........01/02"
                    " seen on issued cards: check it")
    _documents(out, f"{path}.travel_documents", person.travel_documents)
    docs = f"{path}.travel_documents"
    if passenger and not person.travel_documents:
        out.add("NO_TRAVEL_DOCUMENT", docs, f"{path}: a passenger needs at least one travel document")
    elif not passenger and not _has_fast(person):
        if not person.travel_documents:
            out.add("NO_TRAVEL_DOCUMENT", docs,
                    f"{path} has no valid FAST card, so needs at least one travel document (a CDL, 5K)")
        elif all(doc.type != codes.CDL for doc in person.travel_documents):
            out.add("NO_CDL", docs, f"{path} has no FAST card and no CDL (5K) with its state")


def _crew(out: _Issues, trip: Trip) -> None:
    if not trip.drivers:
        out.add("NO_DRIVER", "drivers", "the trip needs at least one driver (the person in charge)")
    for i, driver in enumerate(trip.drivers):
        _person(out, f"drivers[{i}]", driver, passenger=False)
    for i, passenger in enumerate(trip.passengers):
        _person(out, f"passengers[{i}]", passenger, passenger=True)
    day = trip.estimated_arrival.date()
    for group, people in (("drivers", trip.drivers), ("passengers", trip.passengers)):
        for i, person in enumerate(people):
            born = person.date_of_birth
            if born is not None and born > day:
                at = f"{group}[{i}].date_of_birth"
                out.add("INVALID_DATE_OF_BIRTH", at,
                        f"{at} {born.isoformat()} is after the trip's arrival ({day.isoformat()})")


def _hazmat(out: _Issues, trip: Trip, *, hazmat: bool, filed_at: dt.datetime) -> None:
    insurance = trip.hazmat_insurance
    if hazmat and insurance is None:
        out.add("HAZMAT_NO_INSURANCE", "hazmat_insurance",
                "hazardous materials aboard: give the conveyance insurance (insurer, policy number,"
                " year issued, amount)")
    if hazmat and not any(
        doc.type == codes.HAZMAT_ENDORSEMENT for driver in trip.drivers for doc in driver.travel_documents
    ):
        out.add("HAZMAT_NO_ENDORSEMENT", "drivers",
                "hazardous materials aboard: a driver needs the hazmat endorsement (travel document HD)")
    if insurance is not None:
        _text(out, "hazmat_insurance.insurer", insurance.insurer, 1, 60)
        _text(out, "hazmat_insurance.policy_number", insurance.policy_number, 1, 30)
        if not 1900 <= insurance.year <= filed_at.year:
            out.add("INVALID_INSURANCE", "hazmat_insurance.year",
                    f"hazmat_insurance.year {insurance.year} is not a year the policy could have been issued")
        if insurance.amount <= 0:
            out.add("INVALID_INSURANCE", "hazmat_insurance.amount",
                    f"hazmat_insurance.amount {insurance.amount} is not above 0")


def arrival_instant(trip: Trip, port: Port | None) -> dt.datetime | None:
    """The estimated arrival as an aware datetime: a time without offset is read as port-local."""
    arrival = trip.estimated_arrival
    if arrival.utcoffset() is not None:
        return arrival
    return None if port is None else arrival.replace(tzinfo=port.zone)


def _timing(out: _Issues, trip: Trip, port: Port | None, filed_at: dt.datetime) -> None:
    arrival = arrival_instant(trip, port)
    if arrival is None:
        out.add("ARRIVAL_NO_TIME_ZONE", "estimated_arrival",
                "estimated_arrival has no UTC offset and the port's time zone is unknown:"
                " write it like 2026-11-23T14:30:00-05:00")
        return
    if port is not None and arrival.utcoffset() != arrival.astimezone(port.zone).utcoffset():
        local = arrival.astimezone(port.zone)
        out.add("ARRIVAL_OFFSET_MISMATCH", "estimated_arrival",
                f"estimated_arrival {arrival.isoformat()} is {local:%H:%M %z} local time at {port.name}"
                f" ({port.time_zone}): check the UTC offset")
    fast = bool(trip.drivers) and all(_has_fast(driver) for driver in trip.drivers)
    needed = FAST_LEAD_TIME if fast else LEAD_TIME
    lead = arrival - filed_at
    if lead < needed:
        when = ("before filing" if lead < dt.timedelta(0)
                else f"only {math.floor(lead.total_seconds() / 60)} minutes after filing")
        rule = "every driver has a FAST card" if fast else "not every driver has a FAST card"
        out.add("LATE_FILING", "estimated_arrival",
                f"estimated arrival {arrival.isoformat()} is {when}; CBP must receive the manifest"
                f" at least {needed.seconds // 60} minutes before arrival ({rule})")


def trips_needed(shipment_count: int) -> int:
    """How many trips carry ``shipment_count`` shipments at 9,999 a trip (at least 1)."""
    return max(1, math.ceil(shipment_count / MAX_SHIPMENTS_PER_TRIP))


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _control_characters(out: _Issues, value: object, path: str) -> None:
    """Every text field of the trip holding a control character (none reaches CBP)."""
    if isinstance(value, str):
        found = _CONTROL.search(value)
        if found is not None:
            out.add("CONTROL_CHARACTER", path or "(trip)",
                    f"{path} holds a control character (U+{ord(found.group()):04X}) at "
                    f"character {found.start() + 1}")
    elif isinstance(value, dict):
        for key, item in value.items():
            _control_characters(out, item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _control_characters(out, item, f"{path}[{index}]")


def validate_trip(
    trip: Trip,
    *,
    filed_at: dt.datetime,
    shipment_count: int,
    ports: Mapping[str, Port],
    hazmat: bool = False,
) -> list[Issue]:
    """Every problem of ``trip``, filed at ``filed_at`` (aware) with ``shipment_count`` shipments.

    ``ports`` is the land-port table (``ace321.reference.ports.load_ports()``); ``hazmat`` is
    True when any commodity of the trip has a UN number.
    """
    if filed_at.utcoffset() is None:
        raise ValueError("filed_at must be timezone-aware")
    if shipment_count < 0:
        raise ValueError("shipment_count must not be negative")
    out = _Issues()
    port = _trip_header(out, trip, ports)
    _timing(out, trip, port, filed_at)
    _truck(out, trip)
    _trailers(out, trip)
    _crew(out, trip)
    _hazmat(out, trip, hazmat=hazmat, filed_at=filed_at)
    _control_characters(out, trip.model_dump(mode="json"), "")
    if shipment_count > MAX_SHIPMENTS_PER_TRIP:
        out.add("TOO_MANY_SHIPMENTS", "shipments",
                f"{shipment_count:,} shipments exceed the {MAX_SHIPMENTS_PER_TRIP:,} one ACE trip can"
                f" carry: split them over {trips_needed(shipment_count)} trips")
    return list(out)


def generate_trip_number(scac: str, arrival_date: dt.date, sequence: str | int) -> str:
    """SCAC + arrival date (YYYYMMDD, the port-local date) + sequence, 8 to 25 characters.

    Raises a ``ValueError`` subclass from ``ace321.identifiers.exceptions`` when the SCAC is not
    valid or the sequence is empty, not letters/digits, or too long (at most 13 characters).

    >>> generate_trip_number("MAPL", dt.date(2026, 11, 23), 7)
    'MAPL202611237'
    >>> generate_trip_number("MAPL", dt.date(2026, 11, 23), "A-1")
    Traceback (most recent call last):
        ...
    ace321.identifiers.exceptions.InvalidFormat: a trip number holds only capital letters and digits
    """
    if isinstance(sequence, int) and sequence < 0:
        raise ValueError("sequence must not be negative")
    suffix = str(sequence).strip().upper()
    if not suffix:
        raise InvalidLength("the trip number sequence must not be empty")
    number = f"{scac_id.validate(scac)}{arrival_date:%Y%m%d}{suffix}"
    if not re.fullmatch(r"[A-Z0-9]+", number):
        raise InvalidFormat("a trip number holds only capital letters and digits")
    return trip_number.validate(number)
