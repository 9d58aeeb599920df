"""The CBP QR payload, checked against strings written by hand from the 2020 layout.

Layout (``ace_emanifest.md`` §3.8): version (3) | trip ID (25) | arrival yyyymmdd (8) |
plate 1 (12 = country 2 + admin unit 3 + number 7) | plate 2 (12). Delimiter "|" and space fill
are ace321's assumptions (see ``ace321.exports.cbp_qr``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ace321.exports.cbp_qr import qr_payload
from ace321.manifest.model import (
    Address,
    Commodity,
    LicensePlate,
    LoadedOn,
    Manifest,
    ManifestShipment,
    Party,
    Person,
    Trip,
    Truck,
)

EST = dt.timezone(dt.timedelta(hours=-5))
PST = dt.timezone(dt.timedelta(hours=-8))


def _manifest(
    *,
    trip_number: str = "MAPL20261123A",
    plates: list[LicensePlate] | None = None,
    arrival: dt.datetime | None = None,
) -> Manifest:
    if plates is None:
        plates = [LicensePlate(number="AB12345", state_province="ON", country="CA")]
    party = Party(
        name="Acme Imports LLC",
        address=Address(
            line="1 Main St", city="Buffalo", state_province="NY", postal_code="14202", country="US"
        ),
    )
    return Manifest(
        trip=Trip(
            carrier_scac="MAPL",
            port_of_arrival="0901",
            estimated_arrival=arrival or dt.datetime(2026, 11, 23, 14, 30, tzinfo=EST),
            truck=Truck(number="T12", type="TR", vin="1FUJGLDR3CLBP8834", license_plates=plates),
            drivers=[
                Person(first_name="Ana", last_name="Silva", fast_card_number="42705555555501")
            ],
        ),
        trip_number=trip_number,
        shipments=[
            ManifestShipment(
                shipment_id="s1",
                scn="MAPL000000000001",
                type="PAPS",
                decision="PAPS",
                province_of_loading="ON",
                shipper=party,
                consignee=party,
                commodities=[
                    Commodity(
                        description="BOOKS",
                        quantity=1,
                        packaging_unit="BOX",
                        weight=10,
                        weight_unit="L",
                        value_usd=Decimal("50"),
                        country_of_origin="CA",
                        hts="490199",
                        loaded_on=LoadedOn(type="TRUCK", number="T12"),
                    )
                ],
            )
        ],
        rules_version="test",
    )


def test_one_plate_payload_is_the_2020_layout_with_a_blank_second_plate() -> None:
    expected = (
        "001"
        + "|"
        + "MAPL20261123A"
        + " " * 12  # trip ID, 13 characters + 12 fill = 25
        + "|"
        + "20261123"
        + "|"
        + "CA"
        + "ON "
        + "AB12345"
        + "|"
        + " " * 12  # no second tractor plate
    )
    payload = qr_payload(_manifest())
    assert payload == expected
    assert len(payload) == 64
    assert "+" not in payload


def test_two_plates_full_width_trip_and_three_letter_admin_unit() -> None:
    manifest = _manifest(
        trip_number="MAPL123456789012345678901",  # 25 characters: the whole field
        plates=[
            LicensePlate(number="7ABC123", state_province="CA", country="US"),
            LicensePlate(number="ABC-12", state_province="NLE", country="MX"),
        ],
        # Late evening on the US west coast: the date is the port's local date, not UTC's.
        arrival=dt.datetime(2026, 11, 23, 23, 30, tzinfo=PST),
    )
    assert (
        qr_payload(manifest) == "001|MAPL123456789012345678901|20261123|USCA 7ABC123|MXNLEABC12  "
    )


def test_country_is_inferred_for_us_states_and_canadian_provinces_only() -> None:
    manifest = _manifest(
        plates=[
            LicensePlate(number="AB12345", state_province="ON"),
            LicensePlate(number="XY987", state_province="MI"),
        ]
    )
    assert qr_payload(manifest).endswith("|CAON AB12345|USMI XY987  ")

    with pytest.raises(ValueError, match="NLE"):
        qr_payload(_manifest(plates=[LicensePlate(number="ABC12", state_province="NLE")]))


def test_a_plate_number_too_long_is_an_error_naming_the_plate() -> None:
    plates = [
        LicensePlate(number="AB12345", state_province="ON", country="CA"),
        LicensePlate(number="ABCD12345", state_province="QC", country="CA"),
    ]
    with pytest.raises(ValueError, match=r"ABCD12345.*(not truncated|truncated)"):
        qr_payload(_manifest(plates=plates))


def test_an_administrative_unit_longer_than_three_is_an_error() -> None:
    with pytest.raises(ValueError, match="AB123"):
        qr_payload(
            _manifest(plates=[LicensePlate(number="AB123", state_province="ONTA", country="CA")])
        )


def test_trip_number_longer_than_25_is_an_error() -> None:
    with pytest.raises(ValueError, match="MAPL1234567890123456789012"):
        qr_payload(_manifest(trip_number="MAPL1234567890123456789012"))


@pytest.mark.parametrize("trip_number", ["MAPL+2026", "mapl2026", "MAPL 2026", "MAPL|2026"])
def test_trip_number_must_be_upper_case_alphanumeric(trip_number: str) -> None:
    with pytest.raises(ValueError, match="trip number"):
        qr_payload(_manifest(trip_number=trip_number))


@pytest.mark.parametrize("number", ["AB+123", "AB|123", "ÀB123"])
def test_plate_number_with_other_characters_is_an_error(number: str) -> None:
    with pytest.raises(ValueError, match="licence plate"):
        qr_payload(
            _manifest(plates=[LicensePlate(number=number, state_province="ON", country="CA")])
        )


def test_unknown_country_code_is_an_error() -> None:
    with pytest.raises(ValueError, match="ISO 3166"):
        qr_payload(
            _manifest(plates=[LicensePlate(number="AB123", state_province="ON", country="CAN")])
        )


def test_a_truck_without_plates_is_an_error() -> None:
    with pytest.raises(ValueError, match="T12"):
        qr_payload(_manifest(plates=[]))
