"""Shopify "Export orders" CSV + product catalog -> canonical frame."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from ace321.intake import read_orders
from ace321.intake.csv_orders import read_raw_csv
from ace321.intake.errors import UnusableInput
from ace321.intake.shopify import is_shopify_header, read_catalog, shopify_frame

# The header of a real Shopify orders export (Admin > Orders > Export, "Plain CSV file").
HEADER_LINE = (
    "Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,"
    "Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,"
    "Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,"
    "Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,"
    "Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,"
    "Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,"
    "Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,"
    "Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,"
    "Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,"
    "Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,"
    "Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,Payment ID,"
    "Payment Terms Name,Next Payment Due At,Payment References"
)
HEADER = HEADER_LINE.split(",")

FIRST_OF_1001 = {
    "Name": "#1001",
    "Email": "jane@example.com",
    "Financial Status": "paid",
    "Currency": "CAD",
    "Created at": "2026-03-01 09:59:00 -0500",
    "Lineitem quantity": "2",
    "Lineitem name": "Maple syrup 500 ml",
    "Lineitem price": "12.50",
    "Lineitem sku": "MAPLE-500",
    "Billing Name": "Jane Roe",
    "Shipping Name": "Jane Roe",
    "Shipping Street": "1 Main St, Apt 4",
    "Shipping Address1": "1 Main St",
    "Shipping Address2": "Apt 4",
    "Shipping City": "Glen Ridge",
    "Shipping Zip": "'07028",
    "Shipping Province": "NJ",
    "Shipping Country": "US",
    "Shipping Phone": "+1 973 555 0100",
    "Shipping Province Name": "New Jersey",
}
# Shopify leaves the order-level columns blank on an order's later rows (Email is repeated).
SECOND_OF_1001 = {
    "Name": "#1001",
    "Email": "jane@example.com",
    "Created at": "2026-03-01 09:59:00 -0500",
    "Lineitem quantity": "3",
    "Lineitem name": "Wool toque",
    "Lineitem price": "11.67",
    "Lineitem sku": "TOQUE-1",
}
ONLY_OF_1002 = {
    "Name": "#1002",
    "Email": "sam@example.com",
    "Currency": "USD",
    "Lineitem quantity": "1",
    "Lineitem name": "Mystery box",
    "Lineitem price": "45.00",
    "Lineitem sku": "NOT-IN-CATALOG",
    "Shipping Name": "Sam Poe",
    "Shipping Address1": "9 Elm Rd",
    "Shipping City": "Buffalo",
    "Shipping Zip": "14201",
    "Shipping Province": "NY",
    "Shipping Country": "US",
    "Phone": "+17165550199",
}
CATALOG = [
    ["sku", "hts_code", "country_of_origin", "weight", "weight_unit"],
    ["MAPLE-500", "1702.20.40.00", "CA", "0.650", "kg"],
    ["TOQUE-1", "6505.00.90.60", "CN", "0.1", "kg"],
]


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def write_orders(path: Path, records: list[dict[str, str]], header: list[str] = HEADER) -> Path:
    return write_csv(
        path, [header, *([record.get(name, "") for name in header] for record in records)]
    )


@pytest.fixture
def orders(tmp_path: Path) -> Path:
    return write_orders(
        tmp_path / "orders_export.csv", [FIRST_OF_1001, SECOND_OF_1001, ONLY_OF_1002]
    )


@pytest.fixture
def catalog(tmp_path: Path) -> Path:
    return write_csv(tmp_path / "products.csv", CATALOG)


def frame_of(orders: Path, catalog: Path, **kwargs):
    return shopify_frame(read_raw_csv(orders), str(orders), catalog, **kwargs)


def test_detects_the_shopify_header() -> None:
    assert is_shopify_header(HEADER)
    assert is_shopify_header(
        ["\ufeffname ", "LINEITEM QUANTITY", "Lineitem  name", " Lineitem price"]
    )
    assert not is_shopify_header(["order_id", "description", "quantity", "unit_price"])
    # A products export (Handle, Title, Variant SKU...) is not an orders export.
    assert not is_shopify_header(["Handle", "Title", "Variant SKU", "Variant Price"])


def test_order_level_columns_are_carried_down_the_order(orders: Path, catalog: Path) -> None:
    frame = frame_of(orders, catalog)
    assert frame["order_id"].to_list() == ["#1001", "#1001", "#1002"]
    assert frame["shipment_id"].to_list() == ["#1001", "#1001", "#1002"]
    second = frame.row(1, named=True)
    assert second["consignee_name"] == "Jane Roe"
    assert second["consignee_address"] == "1 Main St"
    assert second["consignee_address2"] == "Apt 4"
    assert second["consignee_city"] == "Glen Ridge"
    assert second["consignee_state"] == "NJ"
    assert second["consignee_postal_code"] == "07028"  # Shopify's leading apostrophe removed
    assert second["consignee_country"] == "US"
    assert second["consignee_phone"] == "+1 973 555 0100"
    assert second["currency"] == "CAD"
    # ... but never across orders: #1002 has its own (no Address2, phone from "Phone").
    third = frame.row(2, named=True)
    assert third["consignee_name"] == "Sam Poe"
    assert third["consignee_address2"] is None
    assert third["consignee_phone"] == "+17165550199"
    assert third["currency"] == "USD"


def test_line_items_and_row_numbers(orders: Path, catalog: Path) -> None:
    frame = frame_of(orders, catalog)
    assert frame["_row"].to_list() == [1, 2, 3]
    assert frame["_line"].to_list() == [0, 1, 0]
    assert frame["description"].to_list() == ["Maple syrup 500 ml", "Wool toque", "Mystery box"]
    assert frame["quantity"].to_list() == ["2", "3", "1"]
    assert frame["unit_price"].to_list() == ["12.50", "11.67", "45.00"]
    assert frame["sku"].to_list() == ["MAPLE-500", "TOQUE-1", "NOT-IN-CATALOG"]


def test_catalog_supplies_customs_data_and_unknown_skus_keep_nulls(
    orders: Path, catalog: Path
) -> None:
    frame = frame_of(orders, catalog)
    assert frame.height == 3  # the unknown sku is not dropped
    assert frame["hts_code"].to_list() == ["1702.20.40.00", "6505.00.90.60", None]
    assert frame["country_of_origin"].to_list() == ["CA", "CN", None]
    assert frame["weight_unit"].to_list() == ["kg", "kg", None]
    # weight is the line's: unit weight x quantity, exact (0.1 x 3 is 0.3, not 0.30000000000000004).
    assert frame["weight"].to_list() == ["1.3", "0.3", None]
    assert Decimal(frame["weight"][0]) == Decimal("0.650") * 2


def test_weight_stays_per_unit_when_quantity_is_not_whole(tmp_path: Path, catalog: Path) -> None:
    orders = write_orders(
        tmp_path / "o.csv",
        [
            {**FIRST_OF_1001, "Lineitem quantity": "two"},
            {**SECOND_OF_1001, "Lineitem quantity": "1.5"},
        ],
    )
    frame = frame_of(orders, catalog)
    assert frame["weight"].to_list() == ["0.650", "0.1"]
    assert frame["quantity"].to_list() == ["two", "1.5"]


def test_shipper_comes_from_defaults_or_stays_empty(orders: Path, catalog: Path) -> None:
    assert frame_of(orders, catalog)["shipper_name"].null_count() == 3
    frame = frame_of(
        orders, catalog, shipper={"name": "Érable Inc.", "shipper_country": "CA", "city": "Québec"}
    )
    assert set(frame["shipper_name"]) == {"Érable Inc."}
    assert set(frame["shipper_country"]) == {"CA"}
    assert set(frame["shipper_city"]) == {"Québec"}
    assert frame["shipper_address"].null_count() == 3
    with pytest.raises(UnusableInput, match="unknown shipper field"):
        frame_of(orders, catalog, shipper={"vat": "x"})


def test_read_orders_dispatches_to_shopify(orders: Path, catalog: Path) -> None:
    shipper = {"name": "Érable Inc.", "country": "CA"}
    assert read_orders(orders, catalog=catalog, shipper=shipper)["hts_code"].to_list()[:2] == [
        "1702.20.40.00",
        "6505.00.90.60",
    ]
    with pytest.raises(UnusableInput, match="product catalog") as no_catalog:
        read_orders(orders)
    assert no_catalog.value.needs == "catalog"
    assert "--" not in str(no_catalog.value)  # no CLI option in a message the API shows too
    with pytest.raises(UnusableInput, match="shipper") as no_shipper:
        read_orders(orders, catalog=catalog)
    assert no_shipper.value.needs == "shipper"


def test_export_without_sku_column_is_unusable(tmp_path: Path, catalog: Path) -> None:
    header = [name for name in HEADER if name != "Lineitem sku"]
    orders = write_orders(tmp_path / "o.csv", [FIRST_OF_1001], header)
    with pytest.raises(UnusableInput, match="'lineitem sku'") as error:
        frame_of(orders, catalog)
    assert error.value.source == str(orders)


def test_missing_catalog_is_unusable(orders: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    with pytest.raises(UnusableInput) as error:
        frame_of(orders, missing)
    assert error.value.source == str(missing)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([["sku", "hts_code"], ["A", "0101.21.00.10"]], "no 'country_of_origin' column"),
        (
            [["sku", "hts_code", "country_of_origin", "weight"], ["A", "1", "CA", "1"]],
            "weight_unit",
        ),
        (
            [["sku", "hts_code", "country_of_origin"], ["A", "1", "CA"], ["", "2", "CA"]],
            "row 2, field sku",
        ),
        (
            [
                ["sku", "hts_code", "country_of_origin"],
                ["A", "1", "CA"],
                ["B", "2", "CA"],
                ["A", "1", "MX"],
            ],
            "row 3, field sku: 'A' is also on row 1",
        ),
        (
            [
                ["sku", "hts_code", "country_of_origin", "weight", "weight_unit"],
                ["A", "1", "CA", "1,5", "kg"],
            ],
            "row 1, field weight",
        ),
    ],
)
def test_catalog_problems_name_the_catalog_and_row(
    tmp_path: Path, rows: list[list[str]], message: str
) -> None:
    path = write_csv(tmp_path / "products.csv", rows)
    with pytest.raises(UnusableInput, match=message) as error:
        read_catalog(path)
    assert error.value.source == str(path)


def test_catalog_tolerates_identical_duplicates_and_header_case(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "products.csv",
        [["SKU", " HTS_Code ", "Country_of_Origin"], ["A", "1", "CA"], [" A ", "1", "CA"]],
    )
    assert read_catalog(path).to_dicts() == [
        {"sku": "A", "hts_code": "1", "country_of_origin": "CA"}
    ]
