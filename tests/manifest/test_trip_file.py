"""Reading trip files: the documented example, YAML pitfalls, and errors as issues."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from ace321.intake.errors import UnusableInput
from ace321.manifest.model import LicensePlate, Person, Trailer, Trip, Truck
from ace321.manifest.trip_file import load_trip

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "trip.yaml"

EXPECTED = Trip(
    carrier_scac="MAPL",
    trip_number="MAPL20261123A",
    port_of_arrival="0901",
    estimated_arrival=dt.datetime(2026, 11, 23, 14, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
    province_of_loading="ON",
    truck=Truck(
        number="T12",
        type="TR",
        vin="1FUJGLDR3CLBP8834",
        dot_number="1234567",
        license_plates=[LicensePlate(number="AB12345", state_province="ON", country="CA")],
        seals=[],
    ),
    trailers=[
        Trailer(
            number="TR9",
            type="TL",
            license_plates=[LicensePlate(number="P1234X", state_province="ON", country="CA")],
        )
    ],
    drivers=[
        Person(
            first_name="Ana",
            last_name="Silva",
            gender="F",
            date_of_birth=dt.date(1985, 4, 12),
            citizenship_country="CA",
            fast_card_number="42705555555501",
        )
    ],
)

MINIMAL = {
    "carrier_scac": "MAPL",
    "port_of_arrival": "0901",
    "estimated_arrival": "2026-11-23T14:30:00-05:00",
    "truck": {"number": "T12", "type": "TR", "vin": "1FUJGLDR3CLBP8834"},
}


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _fields(issues: list) -> dict[str, str]:
    return {issue.field: issue.code for issue in issues}


def test_documented_example_loads_exactly() -> None:
    trip, issues = load_trip(EXAMPLE)
    assert issues == []
    assert trip == EXPECTED


def test_json_trip(tmp_path: Path) -> None:
    trip, issues = load_trip(_write(tmp_path, "trip.json", json.dumps(MINIMAL)))
    assert issues == []
    assert trip is not None and trip.port_of_arrival == "0901" and trip.drivers == []


def test_yaml_keeps_plain_scalars_as_strings(tmp_path: Path) -> None:
    # YAML 1.1 would read ON as true, 0101 as the octal 65 and NO (Norway) as false.
    text = """
carrier_scac: MAPL
port_of_arrival: 0101
estimated_arrival: 2026-11-23T14:30:00-05:00
province_of_loading: ON
truck: {number: 12, type: TR, vin: 1FUJGLDR3CLBP8834, dot_number: 1234567,
        license_plates: [{number: 1234, state_province: ON, country: NO}]}
drivers:
  - {first_name: Ana, last_name: Silva, fast_card_number: 42705555555501, citizenship_country: NO}
hazmat_insurance: {insurer: Acme, policy_number: 77, year: 2025, amount: 1000000.00}
"""
    trip, issues = load_trip(_write(tmp_path, "trip.yaml", text))
    assert issues == []
    assert trip is not None
    assert trip.port_of_arrival == "0101"
    assert trip.province_of_loading == "ON"
    assert trip.truck.number == "12" and trip.truck.dot_number == "1234567"
    assert trip.truck.license_plates[0].country == "NO"
    assert trip.drivers[0].fast_card_number == "42705555555501"
    assert trip.hazmat_insurance is not None and trip.hazmat_insurance.year == 2025
    assert str(trip.hazmat_insurance.amount) == "1000000.00"


def test_errors_become_issues_with_paths(tmp_path: Path) -> None:
    text = """
carrier_scac: MAPL
estimated_arrival: next tuesday
truck: {number: T12, type: TR, vin: 1FUJGLDR3CLBP8834}
trailers:
  - {number: TR9, type: TL, license_plates: [{state_province: ON}], color: red}
drivers:
  - {first_name: Ana, last_name: Silva, gender: X, date_of_birth: 1985-13-40}
"""
    trip, issues = load_trip(_write(tmp_path, "trip.yaml", text))
    assert trip is None
    assert _fields(issues) == {
        "port_of_arrival": "MISSING_FIELD",
        "estimated_arrival": "INVALID_TRIP_FIELD",
        "trailers[0].license_plates[0].number": "MISSING_FIELD",
        "trailers[0].color": "INVALID_TRIP_FIELD",
        "drivers[0].gender": "INVALID_TRIP_FIELD",
        "drivers[0].date_of_birth": "INVALID_TRIP_FIELD",
    }
    for issue in issues:
        assert issue.row is None
        assert issue.severity == "error"
        assert issue.message.startswith(issue.field)
        assert set(issue.as_dict()) == {"code", "severity", "field", "row", "message"}


def test_empty_value_is_a_missing_field(tmp_path: Path) -> None:
    text = "carrier_scac:\nport_of_arrival: '0901'\nestimated_arrival: 2026-11-23T14:30:00-05:00\n" \
           "truck: {number: T12, type: TR, vin: 1FUJGLDR3CLBP8834}\n"
    trip, issues = load_trip(_write(tmp_path, "trip.yml", text))
    assert trip is None
    assert _fields(issues) == {"carrier_scac": "MISSING_FIELD"}


def test_json_number_for_a_string_says_to_quote_it(tmp_path: Path) -> None:
    data = {**MINIMAL, "port_of_arrival": 901}
    trip, issues = load_trip(_write(tmp_path, "trip.json", json.dumps(data)))
    assert trip is None
    [issue] = issues
    assert (issue.code, issue.field) == ("INVALID_TRIP_FIELD", "port_of_arrival")
    assert "901" in issue.message and "quoted string" in issue.message


@pytest.mark.parametrize(
    ("name", "text", "cause"),
    [
        ("trip.yaml", "truck: [unclosed\n", "not valid YAML"),
        ("trip.json", "{\"carrier_scac\": ", "not valid JSON"),
        ("trip.yaml", "", "empty file"),
        ("trip.yaml", "- a\n- b\n", "got a list"),
        ("trip.yaml", "carrier_scac: MAPL\ncarrier_scac: ABCD\n", "appears twice"),
        ("trip.json", '{"carrier_scac": "MAPL", "carrier_scac": "ABCD"}', "appears twice"),
    ],
)
def test_unusable_files_raise(tmp_path: Path, name: str, text: str, cause: str) -> None:
    with pytest.raises(UnusableInput) as caught:
        load_trip(_write(tmp_path, name, text))
    assert cause in caught.value.cause


def test_missing_file_is_unusable(tmp_path: Path) -> None:
    with pytest.raises(UnusableInput) as caught:
        load_trip(tmp_path / "nope.yaml")
    assert caught.value.source.endswith("nope.yaml")


def test_binary_file_is_unusable(tmp_path: Path) -> None:
    path = tmp_path / "trip.yaml"
    path.write_bytes(b"\xff\xfe\x00\x81garbage")
    with pytest.raises(UnusableInput):
        load_trip(path)
