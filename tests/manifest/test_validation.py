"""Trip validation: each rule has a case that trips it and one that does not."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest

from ace321.identifiers import exceptions
from ace321.manifest import validation
from ace321.manifest.model import Trip
from ace321.manifest.validation import Issue, generate_trip_number, trips_needed, validate_trip
from ace321.reference.ports import load_ports

PORTS = load_ports()
EST = dt.timezone(dt.timedelta(hours=-5))
ARRIVAL = dt.datetime(2026, 11, 23, 14, 30, tzinfo=EST)
EARLY = ARRIVAL - dt.timedelta(hours=2)

FAST_DRIVER: dict[str, Any] = {
    "first_name": "Ana", "last_name": "Silva", "gender": "F", "date_of_birth": "1985-04-12",
    "citizenship_country": "CA", "fast_card_number": "42705555555501",
}
CDL_DRIVER: dict[str, Any] = {
    "first_name": "Bo", "last_name": "Tran", "gender": "M", "date_of_birth": "1979-02-01",
    "citizenship_country": "CA",
    "travel_documents": [{"type": "5K", "number": "T1234-56789-01234", "country": "CA",
                          "state_province": "ON"}],
}
PASSENGER: dict[str, Any] = {
    "first_name": "Cy", "last_name": "Ng", "gender": "M", "date_of_birth": "1990-06-30",
    "citizenship_country": "US", "travel_documents": [{"type": "ACW", "number": "P1234567"}],
}
INSURANCE: dict[str, Any] = {"insurer": "Acme Mutual", "policy_number": "HZ-77", "year": 2025,
                             "amount": "5000000"}
BASE: dict[str, Any] = {
    "carrier_scac": "MAPL",
    "trip_number": "MAPL20261123A",
    "port_of_arrival": "0901",
    "estimated_arrival": ARRIVAL.isoformat(),
    "province_of_loading": "ON",
    "truck": {"number": "T12", "type": "TR", "vin": "1FUJGLDR3CLBP8834", "dot_number": "1234567",
              "license_plates": [{"number": "AB12345", "state_province": "ON", "country": "CA"}],
              "seals": ["S123"]},
    "trailers": [{"number": "TR9", "type": "TL",
                  "license_plates": [{"number": "P1234X", "state_province": "ON", "country": "CA"}]}],
    "drivers": [FAST_DRIVER],
}


def make(change: Callable[[dict[str, Any]], object] | None = None) -> Trip:
    data = copy.deepcopy(BASE)
    if change is not None:
        change(data)
    return Trip.model_validate(data)


def check(trip: Trip, *, filed_at: dt.datetime = EARLY, shipment_count: int = 3,
          hazmat: bool = False) -> list[Issue]:
    return validate_trip(trip, filed_at=filed_at, shipment_count=shipment_count, ports=PORTS,
                         hazmat=hazmat)


def codes_of(issues: list[Issue]) -> set[tuple[str, str]]:
    return {(issue.code, issue.field) for issue in issues}


def test_the_base_trip_is_clean() -> None:
    assert check(make()) == []


def test_the_documented_example_is_clean() -> None:
    from pathlib import Path

    from ace321.manifest.trip_file import load_trip

    trip, issues = load_trip(Path(__file__).resolve().parents[2] / "examples" / "trip.yaml")
    assert issues == [] and trip is not None
    assert check(trip) == []


def _set(path: str, value: object) -> Callable[[dict[str, Any]], None]:
    """A change that sets a dotted path with [i] indexes, e.g. ``truck.license_plates[0].number``."""

    def change(data: dict[str, Any]) -> None:
        parts = path.replace("[", ".").replace("]", "").split(".")
        target: Any = data
        for part in parts[:-1]:
            target = target[int(part)] if part.isdigit() else target[part]
        last = parts[-1]
        if last.isdigit():
            target[int(last)] = value
        else:
            target[last] = value

    return change


FIELD_CASES = [
    # path, bad value, expected code, good value (when None, the base value is the good case)
    ("carrier_scac", "MAP1", "INVALID_SCAC", None),
    ("carrier_scac", "mapl", "INVALID_SCAC", None),
    ("trip_number", "MAPL1", "INVALID_TRIP_NUMBER", None),
    ("trip_number", "MAPL2026/11/23", "INVALID_TRIP_NUMBER", None),
    ("trip_number", "ABCD20261123A", "TRIP_NUMBER_PREFIX", None),
    ("trip_number", "1234567890", "TRIP_NUMBER_PREFIX", None),
    ("port_of_arrival", "901", "INVALID_PORT_CODE", None),
    ("port_of_arrival", "9999", "UNKNOWN_PORT", "3801"),
    ("port_of_arrival", "0101", "PORT_NO_TRUCKS", "0106"),
    ("province_of_loading", "ONTARIO", "INVALID_LENGTH", "80107"),
    ("province_of_loading", "o-n", "INVALID_FORMAT", None),
    ("truck.number", "", "MISSING_FIELD", "1" * 17),
    ("truck.number", "1" * 18, "INVALID_LENGTH", None),
    ("truck.type", "TRA", "INVALID_LENGTH", None),
    ("truck.type", "ZZ", "UNKNOWN_CONVEYANCE_TYPE", "ST"),
    ("truck.vin", "1FUJGLDR4CLBP8834", "INVALID_VIN", None),
    ("truck.vin", "1FUJGLDR3CLBP883", "INVALID_VIN", None),
    ("truck.vin", "1fujgldr3clbp8834", "INVALID_VIN", None),
    ("truck.vin", "", "MISSING_FIELD", None),
    ("truck.dot_number", "123456789", "INVALID_LENGTH", "1"),
    ("truck.dot_number", "12A4", "INVALID_FORMAT", None),
    ("truck.license_plates", [], "NO_LICENSE_PLATE", None),
    ("truck.license_plates[0].number", "ABCDEFGHIJK", "INVALID_LENGTH", "ABCDEFGHIJ"),
    ("truck.license_plates[0].number", " ", "MISSING_FIELD", None),
    ("truck.license_plates[0].state_province", "ONTARIO", "INVALID_LENGTH", "NLE"),
    ("truck.license_plates[0].state_province", "on", "INVALID_FORMAT", None),
    ("truck.license_plates[0].country", "CAN", "INVALID_COUNTRY", "MX"),
    ("truck.license_plates[0].country", "XX", "INVALID_COUNTRY", None),
    ("truck.seals[0]", "S" * 16, "INVALID_LENGTH", "S" * 15),
    ("truck.seals[0]", "", "MISSING_FIELD", None),
    ("trailers[0].number", "T" * 18, "INVALID_LENGTH", "T" * 17),
    ("trailers[0].type", "XX", "UNKNOWN_CODE", "RT"),
    ("trailers[0].type", "T", "INVALID_LENGTH", None),
    ("trailers[0].license_plates", [], "NO_LICENSE_PLATE", None),
    ("trailers[0].license_plates[0].number", "", "MISSING_FIELD", None),
    ("drivers[0].first_name", "A" * 31, "INVALID_LENGTH", "A" * 30),
    ("drivers[0].last_name", "", "MISSING_FIELD", None),
    ("drivers[0].citizenship_country", "Canada", "INVALID_COUNTRY", None),
    ("drivers[0].fast_card_number", "12345678901234", "FAST_CARD_UNUSUAL", "42705555555502"),
]


@pytest.mark.parametrize(("path", "bad", "code", "good"), FIELD_CASES,
                         ids=[f"{c[0]}={c[1]!r}" for c in FIELD_CASES])
def test_field_contract(path: str, bad: object, code: str, good: object) -> None:
    issues = check(make(_set(path, bad)))
    assert (code, path) in codes_of(issues), issues
    assert len(issues) == 1, issues
    issue = issues[0]
    assert issue.severity == validation.severity(code).value
    assert issue.row is None
    assert path.split("[")[0].split(".")[0] in issue.message
    if good is not None:
        assert check(make(_set(path, good))) == []


def test_trip_number_is_optional() -> None:
    assert check(make(_set("trip_number", None))) == []


def test_trip_number_prefix_skipped_when_scac_invalid() -> None:
    issues = check(make(_set("carrier_scac", "MA")))
    assert codes_of(issues) == {("INVALID_SCAC", "carrier_scac")}


# -- crew ---------------------------------------------------------------------------------


def test_no_driver() -> None:
    assert codes_of(check(make(_set("drivers", [])))) == {("NO_DRIVER", "drivers")}


def test_driver_without_fast_card_needs_a_travel_document() -> None:
    bare = {k: v for k, v in FAST_DRIVER.items() if k != "fast_card_number"}
    issues = check(make(_set("drivers", [bare])), filed_at=ARRIVAL - dt.timedelta(hours=2))
    assert codes_of(issues) == {("NO_TRAVEL_DOCUMENT", "drivers[0].travel_documents")}
    assert check(make(_set("drivers", [CDL_DRIVER]))) == []


@pytest.mark.parametrize("number", ["123", "4270555555550", "4270 5555 5555 01"])
def test_driver_with_an_invalid_fast_card_also_needs_a_document(number: str) -> None:
    issues = check(make(_set("drivers[0].fast_card_number", number)))
    assert codes_of(issues) == {
        ("INVALID_FAST_CARD", "drivers[0].fast_card_number"),
        ("NO_TRAVEL_DOCUMENT", "drivers[0].travel_documents"),
    }


def test_fast_driver_needs_no_travel_document() -> None:
    assert check(make()) == []  # FAST_DRIVER has no travel documents


def test_passenger_always_needs_a_travel_document() -> None:
    no_doc = {**PASSENGER, "travel_documents": [], "fast_card_number": "42705555555501"}
    issues = check(make(_set("passengers", [no_doc])))
    assert codes_of(issues) == {("NO_TRAVEL_DOCUMENT", "passengers[0].travel_documents")}
    assert check(make(_set("passengers", [PASSENGER]))) == []


def test_passenger_needs_gender_birth_date_and_citizenship() -> None:
    partial = {k: v for k, v in PASSENGER.items() if k in ("first_name", "last_name", "travel_documents")}
    issues = check(make(_set("passengers", [partial])))
    assert codes_of(issues) == {
        ("MISSING_FIELD", "passengers[0].gender"),
        ("MISSING_FIELD", "passengers[0].date_of_birth"),
        ("MISSING_FIELD", "passengers[0].citizenship_country"),
    }


def test_driver_without_fast_and_without_cdl_is_warned() -> None:
    passport_only = {**CDL_DRIVER, "travel_documents": [{"type": "ACW", "number": "P1"}]}
    issues = check(make(_set("drivers", [passport_only])))
    assert codes_of(issues) == {("NO_CDL", "drivers[0].travel_documents")}
    assert issues[0].severity == "warning"


@pytest.mark.parametrize(
    ("doc", "code", "field"),
    [
        ({"type": "XYZ", "number": "1"}, "UNKNOWN_CODE", "type"),
        ({"type": "ACWX", "number": "1"}, "INVALID_LENGTH", "type"),
        ({"type": "ACW", "number": "1" * 31}, "INVALID_LENGTH", "number"),
        ({"type": "ACW", "number": ""}, "MISSING_FIELD", "number"),
        ({"type": "ACW", "number": "1", "country": "ZZ"}, "INVALID_COUNTRY", "country"),
        ({"type": "5K", "number": "1"}, "MISSING_FIELD", "state_province"),
        ({"type": "ACW", "number": "1", "state_province": "ONTARIO"}, "INVALID_LENGTH", "state_province"),
    ],
)
def test_travel_document_contract(doc: dict[str, str], code: str, field: str) -> None:
    driver = {**CDL_DRIVER, "travel_documents": [*CDL_DRIVER["travel_documents"], doc]}
    issues = check(make(_set("drivers", [driver])))
    assert codes_of(issues) == {(code, f"drivers[0].travel_documents[1].{field}")}


def test_duplicate_trailer_numbers() -> None:
    trailer = BASE["trailers"][0]
    issues = check(make(_set("trailers", [trailer, trailer])))
    assert codes_of(issues) == {("DUPLICATE_EQUIPMENT", "trailers[1].number")}
    other = {**trailer, "number": "TR10"}
    assert check(make(_set("trailers", [trailer, other]))) == []


def test_no_trailer_is_fine() -> None:
    assert check(make(_set("trailers", []))) == []


# -- hazmat -------------------------------------------------------------------------------


def _hd_driver() -> dict[str, Any]:
    return {**FAST_DRIVER, "travel_documents": [{"type": "HD", "number": "H1", "state_province": "ON"}]}


def test_hazmat_needs_insurance_and_endorsement() -> None:
    issues = check(make(), hazmat=True)
    assert codes_of(issues) == {("HAZMAT_NO_INSURANCE", "hazmat_insurance"),
                                ("HAZMAT_NO_ENDORSEMENT", "drivers")}


def test_hazmat_with_insurance_and_endorsement_is_clean() -> None:
    def change(data: dict[str, Any]) -> None:
        data["hazmat_insurance"] = INSURANCE
        data["drivers"] = [_hd_driver()]

    assert check(make(change), hazmat=True) == []


def test_hazmat_endorsement_on_a_second_driver_counts() -> None:
    def change(data: dict[str, Any]) -> None:
        data["hazmat_insurance"] = INSURANCE
        data["drivers"] = [FAST_DRIVER, _hd_driver()]

    assert check(make(change), hazmat=True) == []


def test_no_hazmat_needs_nothing() -> None:
    assert check(make(), hazmat=False) == []


def test_implausible_insurance() -> None:
    bad = {**INSURANCE, "year": 2027, "amount": "0"}
    issues = check(make(_set("hazmat_insurance", bad)))
    assert codes_of(issues) == {("INVALID_INSURANCE", "hazmat_insurance.year"),
                                ("INVALID_INSURANCE", "hazmat_insurance.amount")}


# -- timing -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("drivers", "minutes", "late"),
    [
        ([CDL_DRIVER], 59, True),
        ([CDL_DRIVER], 60, False),
        ([FAST_DRIVER], 29, True),
        ([FAST_DRIVER], 30, False),
        ([FAST_DRIVER, CDL_DRIVER], 59, True),  # not every driver is FAST
        ([FAST_DRIVER, CDL_DRIVER], 60, False),
        ([FAST_DRIVER, {**FAST_DRIVER, "first_name": "Di"}], 30, False),
    ],
)
def test_late_filing(drivers: list[dict[str, Any]], minutes: int, late: bool) -> None:
    filed_at = ARRIVAL - dt.timedelta(minutes=minutes)
    issues = check(make(_set("drivers", drivers)), filed_at=filed_at)
    assert (("LATE_FILING", "estimated_arrival") in codes_of(issues)) is late
    if late:
        assert f"only {minutes} minutes" in issues[0].message


def test_late_filing_compares_instants_across_offsets() -> None:
    filed_utc = dt.datetime(2026, 11, 23, 19, 1, tzinfo=dt.UTC)  # 14:01 EST: 29 minutes ahead
    issues = check(make(), filed_at=filed_utc)
    assert codes_of(issues) == {("LATE_FILING", "estimated_arrival")}
    assert check(make(), filed_at=filed_utc - dt.timedelta(minutes=1)) == []


def test_arrival_before_filing_is_late() -> None:
    issues = check(make(), filed_at=ARRIVAL + dt.timedelta(minutes=5))
    assert codes_of(issues) == {("LATE_FILING", "estimated_arrival")}
    assert "before filing" in issues[0].message


def test_naive_arrival_is_read_as_port_local_time() -> None:
    naive = make(_set("estimated_arrival", "2026-11-23T14:30:00"))
    assert check(naive, filed_at=ARRIVAL - dt.timedelta(minutes=30)) == []
    assert codes_of(check(naive, filed_at=ARRIVAL - dt.timedelta(minutes=29))) == {
        ("LATE_FILING", "estimated_arrival")}


def test_naive_arrival_at_unknown_port_has_no_time_zone() -> None:
    def change(data: dict[str, Any]) -> None:
        data["estimated_arrival"] = "2026-11-23T14:30:00"
        data["port_of_arrival"] = "9999"

    assert codes_of(check(make(change))) == {("UNKNOWN_PORT", "port_of_arrival"),
                                            ("ARRIVAL_NO_TIME_ZONE", "estimated_arrival")}


def test_arrival_offset_not_the_ports_is_warned() -> None:
    central = make(_set("estimated_arrival", "2026-11-23T13:30:00-06:00"))  # same instant
    issues = check(central)
    assert codes_of(issues) == {("ARRIVAL_OFFSET_MISMATCH", "estimated_arrival")}
    assert issues[0].severity == "warning"
    assert "America/New_York" in issues[0].message


def test_naive_filed_at_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        check(make(), filed_at=dt.datetime(2026, 11, 23, 12, 0))


# -- shipments ----------------------------------------------------------------------------


def test_too_many_shipments() -> None:
    assert check(make(), shipment_count=9_999) == []
    [issue] = check(make(), shipment_count=10_000)
    assert (issue.code, issue.field) == ("TOO_MANY_SHIPMENTS", "shipments")
    assert "10,000" in issue.message and "2 trips" in issue.message
    [issue] = check(make(), shipment_count=20_000)
    assert "3 trips" in issue.message


def test_trips_needed() -> None:
    assert [trips_needed(n) for n in (0, 1, 9_999, 10_000, 19_998, 19_999)] == [1, 1, 1, 2, 2, 3]


def test_empty_trip_is_allowed() -> None:
    assert check(make(), shipment_count=0) == []


# -- all at once, and the code table ------------------------------------------------------


def test_every_problem_is_reported_at_once() -> None:
    def change(data: dict[str, Any]) -> None:
        data["trip_number"] = "ABCD2026"
        data["port_of_arrival"] = "0101"
        data["truck"]["vin"] = "1FUJGLDR4CLBP8834"
        data["trailers"][0]["type"] = "ZZ"
        data["drivers"] = []

    issues = check(make(change), filed_at=ARRIVAL, shipment_count=10_000, hazmat=True)
    assert {issue.code for issue in issues} == {
        "TRIP_NUMBER_PREFIX", "PORT_NO_TRUCKS", "INVALID_VIN", "UNKNOWN_CODE", "NO_DRIVER",
        "LATE_FILING", "TOO_MANY_SHIPMENTS", "HAZMAT_NO_INSURANCE", "HAZMAT_NO_ENDORSEMENT",
    }


def test_every_code_is_documented_in_the_module() -> None:
    doc = validation.__doc__ or ""
    for code in [*validation.ERRORS, *validation.WARNINGS]:
        assert f"``{code}``" in doc, code
    assert not set(validation.ERRORS) & set(validation.WARNINGS)


def test_unknown_code_is_refused() -> None:
    with pytest.raises(KeyError):
        Issue.of("NOT_A_CODE", "x", "y")


# -- trip numbers -------------------------------------------------------------------------


def test_generate_trip_number() -> None:
    assert generate_trip_number("MAPL", dt.date(2026, 11, 23), "A") == "MAPL20261123A"
    assert generate_trip_number("mapl", dt.date(2026, 11, 23), "b7") == "MAPL20261123B7"
    assert generate_trip_number("MAPL", dt.date(2026, 11, 23), 42) == "MAPL2026112342"
    longest = generate_trip_number("MAPL", dt.date(2026, 11, 23), "X" * 13)
    assert len(longest) == 25


@pytest.mark.parametrize(
    ("scac", "sequence", "error"),
    [
        ("MAPL", "X" * 14, exceptions.InvalidLength),
        ("MAPL", "", exceptions.InvalidLength),
        ("MAPL", "A/1", exceptions.InvalidFormat),
        ("MAP", "A", exceptions.InvalidLength),
        ("MAPL", -1, ValueError),
    ],
)
def test_generate_trip_number_refuses(scac: str, sequence: str | int, error: type[Exception]) -> None:
    with pytest.raises(error):
        generate_trip_number(scac, dt.date(2026, 11, 23), sequence)


def test_generated_number_passes_validation() -> None:
    number = generate_trip_number("MAPL", dt.date(2026, 11, 23), "Z9")
    assert check(make(_set("trip_number", number))) == []
