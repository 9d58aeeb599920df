"""Properties of the export connectors over random valid manifests: names with accents and
X12 separators, control characters, long descriptions, 1 to 30 shipments.

- the X12 309 re-reads with a sound envelope, segment for segment what was written, and no
  data element holds a separator, a control character or a non-ASCII character;
- the ACE_TRIP JSON meets the BorderConnect contract;
- the CSV has one row per commodity, descriptions at most 45 characters.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import string
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ace321.exports import codes as bc_codes
from ace321.exports.borderconnect_csv import shipments_csv
from ace321.exports.borderconnect_json import trip_document
from ace321.exports.schema import validate_trip_document
from ace321.exports.x12 import codes as x12_codes
from ace321.exports.x12 import interchange_segments, manifest_309, parse_interchange
from ace321.exports.x12.syntax import DEFAULT_SEPARATORS
from ace321.manifest.model import (
    Address,
    Broker,
    Commodity,
    HazmatInsurance,
    LicensePlate,
    LoadedOn,
    Manifest,
    ManifestShipment,
    Party,
    Person,
    Trailer,
    TravelDocument,
    Trip,
    Truck,
)

SETTINGS = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

UPPER = string.ascii_uppercase
ALNUM = string.ascii_uppercase + string.digits
# Free text: letters with accents, ligatures, the X12 separators, control characters.
WILD = (
    string.ascii_letters
    + string.digits
    + " .,'-&/#"
    + "éèàçñöüÉÅÇßøŁœ’–"
    + "*~>^"
    + "\t\n\r\x00\x7f"
)


def _text(min_size: int, max_size: int) -> st.SearchStrategy[str]:
    """Free text that starts with an ASCII letter (so that something is left to file)."""
    return st.builds(
        lambda head, tail: head + tail,
        st.sampled_from(string.ascii_letters),
        st.text(WILD, min_size=min_size - 1, max_size=max_size - 1),
    )


def _code(alphabet: str, min_size: int, max_size: int | None = None) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=min_size, max_size=max_size or min_size)


iso2 = st.sampled_from(["CA", "US", "MX", "CN", "DE", "FR", "VN", "IN"])
state = st.sampled_from(["ON", "QC", "BC", "AB", "NY", "MI", "WA", "TX"])
plate = st.builds(
    LicensePlate, number=_code(ALNUM, 1, 10), state_province=state, country=st.none() | iso2
)
seal = _code(ALNUM, 1, 15)


@st.composite
def trips(draw: st.DrawFn) -> Trip:
    scac = draw(_code(UPPER, 4))
    trailer_numbers = draw(st.lists(_code(ALNUM, 1, 12), max_size=3, unique=True))
    offset = dt.timezone(dt.timedelta(hours=draw(st.integers(-8, -4))))
    eta = draw(st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2030, 12, 31))).replace(
        microsecond=0, tzinfo=offset
    )

    def person(passenger: bool) -> Person:
        documents = draw(
            st.lists(
                st.builds(
                    TravelDocument,
                    type=st.sampled_from(bc_codes.TRAVEL_DOCUMENT_TYPES),
                    number=_code(ALNUM, 1, 30),
                    country=st.none() | iso2,
                    state_province=st.none() | state,
                ),
                min_size=1 if passenger else 0,
                max_size=2,
            )
        )
        return Person(
            first_name=draw(_text(1, 30)),
            last_name=draw(_text(1, 30)),
            gender=draw(
                st.sampled_from(["M", "F"])
                if passenger
                else st.none() | st.sampled_from(["M", "F"])
            ),
            date_of_birth=draw(
                st.dates(dt.date(1940, 1, 1), dt.date(2008, 1, 1))
                if passenger
                else st.none() | st.dates(dt.date(1940, 1, 1), dt.date(2008, 1, 1))
            ),
            citizenship_country=draw(iso2 if passenger else st.none() | iso2),
            fast_card_number=None if passenger else draw(st.none() | _code(string.digits, 14)),
            travel_documents=documents,
        )

    return Trip(
        carrier_scac=scac,
        trip_number=scac + draw(_code(ALNUM, 4, 21)),
        port_of_arrival=draw(_code(string.digits, 4)),
        estimated_arrival=eta,
        truck=Truck(
            number=draw(_code(ALNUM, 1, 17).filter(lambda n: n not in trailer_numbers)),
            type=draw(st.sampled_from(["TR", "PU", "BT"])),
            vin=draw(_code("ABCDEFGHJKLMNPRSTUVWXYZ0123456789", 17)),
            dot_number=draw(st.none() | _code(string.digits, 1, 8)),
            license_plates=[draw(plate)],
            seals=draw(st.lists(seal, max_size=4)),
        ),
        trailers=[
            Trailer(
                number=number,
                type=draw(st.sampled_from(bc_codes.TRAILER_TYPES)),
                license_plates=[draw(plate)],
                seals=draw(st.lists(seal, max_size=6)),
            )
            for number in trailer_numbers
        ],
        drivers=[person(False) for _ in range(draw(st.integers(1, 2)))],
        passengers=[person(True) for _ in range(draw(st.integers(0, 2)))],
        hazmat_insurance=draw(
            st.none()
            | st.builds(
                HazmatInsurance,
                insurer=_text(1, 60),
                policy_number=_code(ALNUM, 1, 30),
                year=st.integers(2000, 2030),
                amount=st.decimals(1, 10_000_000, places=2),
            )
        ),
        broker=draw(
            st.none() | st.builds(Broker, filer_code=_code(ALNUM, 3), name=st.none() | _text(1, 60))
        ),
    )


def party() -> st.SearchStrategy[Party]:
    return st.builds(
        Party,
        name=_text(1, 60),
        address=st.builds(
            Address,
            line=_text(1, 110),
            city=_text(2, 30).filter(lambda c: len(c.strip()) >= 2),
            state_province=st.none() | state,
            postal_code=_code(ALNUM, 1, 10),
            country=iso2,
        ),
    )


@st.composite
def manifests(draw: st.DrawFn) -> Manifest:
    trip = draw(trips())
    units = [LoadedOn(type="TRUCK", number=trip.truck.number)] + [
        LoadedOn(type="TRAILER", number=t.number) for t in trip.trailers
    ]
    provinces = [p for p in x12_codes.SCHEDULE_K_BY_PROVINCE] + ["80107", "09000"]
    hazmat = st.none() | st.tuples(_code(string.digits, 4), _text(1, 30), _code(string.digits, 10))

    def commodity() -> Commodity:
        un = draw(hazmat)
        return Commodity(
            description=draw(_text(1, 120)),
            quantity=draw(st.integers(1, 99_999_999)),
            packaging_unit=draw(st.sampled_from(bc_codes.PACKAGING_UNITS)),
            weight=draw(st.integers(1, 9_999_999)),
            weight_unit=draw(st.sampled_from(["L", "K"])),
            value_usd=draw(st.decimals(Decimal("0.01"), Decimal("999999.99"), places=2)),
            country_of_origin=draw(iso2),
            hts=draw(_code(string.digits, 6, 10)),
            loaded_on=draw(st.sampled_from(units)),
            hazmat_un=un[0] if un else None,
            hazmat_contact_name=un[1] if un else None,
            hazmat_contact_phone=un[2] if un else None,
            marks=draw(st.lists(_text(1, 45).filter(lambda m: m.strip()), max_size=2)),
        )

    parties = draw(st.lists(party(), min_size=2, max_size=4))  # a pool: generation stays quick
    shipments = [
        ManifestShipment(
            shipment_id=f"S{index}",
            scn=f"{trip.carrier_scac}{index:012d}",
            type=draw(st.sampled_from(["PAPS", "SECTION 321"])),
            decision="SECTION_321",
            province_of_loading=draw(st.sampled_from(provinces)),
            shipper=draw(st.sampled_from(parties)),
            consignee=draw(st.sampled_from(parties)),
            commodities=[commodity() for _ in range(draw(st.integers(1, 3)))],
        )
        for index in range(1, draw(st.integers(1, 30)) + 1)
    ]
    return Manifest(
        trip=trip, trip_number=trip.trip_number or "", shipments=shipments, rules_version="test"
    )


CREATED = dt.datetime(2026, 11, 22, 9, 30)


@SETTINGS
@given(manifest=manifests(), control_number=st.integers(1, 999_999_999), production=st.booleans())
def test_exports_of_a_random_manifest(
    manifest: Manifest, control_number: int, production: bool
) -> None:
    _check_x12(manifest, control_number, production)
    _check_json(manifest)
    _check_csv(manifest)


def _check_x12(manifest: Manifest, control_number: int, production: bool) -> None:
    """The 309 re-reads with a sound envelope, as written, and no element holds a separator."""
    options = {"control_number": control_number, "created": CREATED, "production": production}
    written = interchange_segments(manifest, **options)
    interchange = parse_interchange(manifest_309(manifest, **options))

    assert interchange.problems == []
    trim = [tuple(s.serialize().rstrip("~").split("*")) for s in written]
    assert [(s.tag, *s.elements) for s in interchange.segments] == trim
    (ts,) = interchange.transaction_sets
    assert ts.segments[-1].element(1) == str(len(ts.segments))
    assert sum(s.tag == "LX" for s in ts.segments) == len(manifest.shipments)
    assert sum(s.tag == "N10" for s in ts.segments) == sum(
        len(s.commodities) for s in manifest.shipments
    )

    reserved = DEFAULT_SEPARATORS.reserved()
    for segment in written:
        for position, value in enumerate(segment.elements, start=1):
            if segment.tag == "ISA" and position in (11, 16):
                continue  # the repetition and sub-element separators themselves
            assert not reserved & set(value), (segment.tag, position, value)
            assert all(32 <= ord(ch) < 127 for ch in value), (segment.tag, position, value)
            assert value == value.upper(), (segment.tag, position, value)


def _check_json(manifest: Manifest) -> None:
    assert validate_trip_document(trip_document(manifest, company_key="c-1", send_id="1")) == []


def _check_csv(manifest: Manifest) -> None:
    rows = list(csv.DictReader(io.StringIO(shipments_csv(manifest), newline="")))
    assert len(rows) == sum(len(s.commodities) for s in manifest.shipments)
    assert all(len(r["Commodity Description"]) <= 45 for r in rows)
    assert all("$" not in r["Commodity Value"] and r["Commodity Weight"].isdigit() for r in rows)
