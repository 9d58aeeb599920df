"""The example trip the export golden files are made from (loaded by the export tests by path:
test modules run with ``--import-mode=importlib`` and cannot import each other by name).

Carrier MAPL crosses at Buffalo-Niagara Falls (0901) on 2026-11-23 at 14:30 EST with tractor
T12 and trailer TR9, driver Ana Silva (FAST). Three shipments from Maple Fulfilment Inc. in
Mississauga: one Section 321 parcel and two PAPS shipments. HTS numbers are real 2026 lines.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ace321.manifest.model import (
    Address,
    Commodity,
    LicensePlate,
    LoadedOn,
    Manifest,
    ManifestShipment,
    Party,
    Person,
    Trailer,
    Trip,
    Truck,
)

EASTERN = dt.timezone(dt.timedelta(hours=-5))
CREATED = dt.datetime(2026, 11, 22, 9, 30)  # when the X12 interchange is written
CONTROL_NUMBER = 1

TRAILER = LoadedOn(type="TRAILER", number="TR9")
TRUCK = LoadedOn(type="TRUCK", number="T12")

SHIPPER = Party(
    name="Maple Fulfilment Inc.",
    address=Address(
        line="2500 Dixie Rd", city="Mississauga", state_province="ON", postal_code="L4Y 2A1",
        country="CA",
    ),
)

TRIP = Trip(
    carrier_scac="MAPL",
    trip_number="MAPL20261123A",
    port_of_arrival="0901",
    estimated_arrival=dt.datetime(2026, 11, 23, 14, 30, tzinfo=EASTERN),
    province_of_loading="ON",
    truck=Truck(
        number="T12",
        type="TR",
        vin="1FUJGLDR3CLBP8834",
        dot_number="1234567",
        license_plates=[LicensePlate(number="AB12345", state_province="ON", country="CA")],
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

SHIPMENTS = [
    ManifestShipment(
        shipment_id="ORD-10021",
        scn="MAPL000000000001",
        type="SECTION 321",
        decision="SECTION_321",
        province_of_loading="ON",
        shipper=SHIPPER,
        consignee=Party(
            name="Jordan Miller",
            address=Address(
                line="145 Elmwood Ave", city="Buffalo", state_province="NY",
                postal_code="14201", country="US",
            ),
        ),
        commodities=[
            Commodity(
                description="MENS COTTON T-SHIRTS",
                quantity=3,
                packaging_unit="PCS",
                weight=2,
                weight_unit="L",
                value_usd=Decimal("54.00"),
                country_of_origin="CA",
                hts="6109100012",
                loaded_on=TRAILER,
                marks=["ORDER 10021"],
            )
        ],
    ),
    ManifestShipment(
        shipment_id="ORD-10022",
        scn="MAPL000000000002",
        type="PAPS",
        decision="FORMAL_ENTRY",
        province_of_loading="ON",
        shipper=SHIPPER,
        consignee=Party(
            name="Lakeshore Books LLC",
            address=Address(
                line="2100 Delaware Ave", city="Buffalo", state_province="NY",
                postal_code="14216", country="US",
            ),
        ),
        commodities=[
            Commodity(
                description="PRINTED BOOKS 49 PAGES OR MORE",
                quantity=12,
                packaging_unit="BOX",
                weight=240,
                weight_unit="L",
                value_usd=Decimal("1850.00"),
                country_of_origin="CA",
                hts="4901990093",
                loaded_on=TRAILER,
            ),
            Commodity(
                description="COTTON SWEATERS",
                quantity=4,
                packaging_unit="CTN",
                weight=60,
                weight_unit="L",
                value_usd=Decimal("2200.50"),
                country_of_origin="CA",
                hts="6110202079",
                loaded_on=TRAILER,
            ),
        ],
    ),
    ManifestShipment(
        shipment_id="ORD-10023",
        scn="MAPL000000000003",
        type="PAPS",
        decision="INFORMAL_ENTRY",
        province_of_loading="ON",
        shipper=SHIPPER,
        consignee=Party(
            name="Great Lakes Toys Inc.",
            address=Address(
                line="88 Main St", city="Rochester", state_province="NY",
                postal_code="14604", country="US",
            ),
        ),
        commodities=[
            Commodity(
                description="TOY BUILDING SETS AGE 3 TO 12",
                quantity=20,
                packaging_unit="CTN",
                weight=150,
                weight_unit="K",
                value_usd=Decimal("2400.00"),
                country_of_origin="CA",
                hts="9503000073",
                loaded_on=TRAILER,
            ),
            Commodity(
                description="SKIN CARE PREPARATIONS",
                quantity=5,
                packaging_unit="BOX",
                weight=40,
                weight_unit="L",
                value_usd=Decimal("650.00"),
                country_of_origin="CA",
                hts="3304995000",
                loaded_on=TRUCK,
            ),
        ],
    ),
]

MANIFEST = Manifest(
    trip=TRIP, trip_number="MAPL20261123A", shipments=SHIPMENTS, rules_version="2026.11"
)
