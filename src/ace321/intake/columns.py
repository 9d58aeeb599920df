"""The canonical order-line columns every input format is turned into.

Every intake reader returns a Polars frame of these columns, all of them strings exactly as read
(nulls for empty cells), plus ``_row``: the 1-based data row of the input (the first line after
the header is row 1; for JSON, the 1-based position of the line among all lines) and
``_line``: the 0-based index of the line within its shipment, used in field paths
(``lines[2].hts_code``). Validation and screening never see the original format.
"""

from __future__ import annotations

SHIPMENT = ("order_id", "shipment_id", "arrival_date")
SHIPPER = (
    "shipper_name",
    "shipper_address",
    "shipper_city",
    "shipper_state",
    "shipper_postal_code",
    "shipper_country",
)
CONSIGNEE = (
    "consignee_name",
    "consignee_address",
    "consignee_address2",
    "consignee_city",
    "consignee_state",
    "consignee_postal_code",
    "consignee_country",
    "consignee_phone",
    "consignee_email",
)
LINE = (
    "sku",
    "description",
    "quantity",
    "unit_price",
    "currency",
    "country_of_origin",
    "hts_code",
    "weight",
    "weight_unit",
)
OPTIONAL = (
    "is_gift", "adcvd_case", "hazmat_un", "hazmat_contact_name", "hazmat_contact_phone", "marks",
    "packaging_unit", "scn", "spi", "hts_quantity",
)

ALL = SHIPMENT + SHIPPER + CONSIGNEE + LINE + OPTIONAL

# Columns an order file must have; the others may be absent (shipment_id defaults to order_id,
# arrival_date to the default arrival date, the optional ones to empty).
REQUIRED_COLUMNS = (
    "order_id",
    *SHIPPER,
    *(c for c in CONSIGNEE if c not in ("consignee_address2", "consignee_email")),
    *(c for c in LINE if c != "sku"),
)

# Fields that must hold a value on every line, with the path they are reported under.
REQUIRED_VALUES = {
    "order_id": "order_id",
    "arrival_date": "arrival_date",
    "shipper_name": "shipper.name",
    "shipper_address": "shipper.address",
    "shipper_city": "shipper.city",
    "shipper_country": "shipper.country",
    "consignee_name": "consignee.name",
    "consignee_address": "consignee.address",
    "consignee_city": "consignee.city",
    "consignee_postal_code": "consignee.postal_code",
    "consignee_country": "consignee.country",
    "consignee_phone": "consignee.phone",
    "description": "lines[].description",
    "quantity": "lines[].quantity",
    "unit_price": "lines[].unit_price",
    "currency": "lines[].currency",
    "country_of_origin": "lines[].country_of_origin",
    "hts_code": "lines[].hts_code",
    "weight": "lines[].weight",
    "weight_unit": "lines[].weight_unit",
}

ROW = "_row"
LINE_INDEX = "_line"


def field_path(column: str) -> str:
    """The path template of a column: ``lines[].x`` for line fields, ``consignee.x`` for parties.

    >>> field_path("hts_code"), field_path("consignee_phone"), field_path("order_id")
    ('lines[].hts_code', 'consignee.phone', 'order_id')
    """
    if column in LINE or (column in OPTIONAL and column not in ("is_gift", "scn")):
        return f"lines[].{column}"
    for party in ("shipper", "consignee"):
        if column.startswith(party + "_"):
            return f"{party}.{column.removeprefix(party + '_')}"
    return column
