"""Shopify "Export orders" CSV (Shopify admin > Orders > Export), plus a product catalog.

Source format: UTF-8 CSV, one row per line item. The header is Shopify's: ``Name`` (the order,
e.g. ``#1001``), ``Email``, ``Financial Status``, ``Paid at``, ..., ``Currency``, ...,
``Created at``, ``Lineitem quantity``, ``Lineitem name``, ``Lineitem price`` (unit price),
``Lineitem compare at price``, ``Lineitem sku``, ..., ``Billing *``, ``Shipping Name``,
``Shipping Street``, ``Shipping Address1``, ``Shipping Address2``, ``Shipping Company``,
``Shipping City``, ``Shipping Zip``, ``Shipping Province`` (code, e.g. ``ON``),
``Shipping Country`` (ISO code), ``Shipping Phone``, ..., ``Phone``, ...,
``Shipping Province Name``. Order-level columns are filled on an order's first row only and
are carried down to its other rows. Zip codes may carry a leading apostrophe (added so that
spreadsheets keep leading zeros); it is removed.

Shopify has no customs data and no shipper: the catalog CSV ``sku,hts_code,country_of_origin``
(optionally ``weight,weight_unit``, the weight of ONE unit) supplies the former by
``Lineitem sku``; the shipper comes from defaults given on the command line. In the canonical
frame ``weight`` is the weight of the whole line: catalog unit weight x quantity, computed
exactly (left as the unit weight when the quantity is not a whole number, which validation
reports).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ace321.intake import columns
from ace321.intake.canonical import canonical_frame
from ace321.intake.csv_orders import read_raw_csv
from ace321.intake.errors import UnusableInput

# Columns that identify an orders export (compared case- and space-insensitively).
SIGNATURE = ("name", "lineitem quantity", "lineitem name", "lineitem price")

# Shopify column -> canonical column, for columns a usable export must have.
REQUIRED = {
    "name": "order_id",
    "currency": "currency",
    "lineitem quantity": "quantity",
    "lineitem name": "description",
    "lineitem price": "unit_price",
    "lineitem sku": "sku",
    "shipping name": "consignee_name",
    "shipping address1": "consignee_address",
    "shipping city": "consignee_city",
    "shipping zip": "consignee_postal_code",
    "shipping country": "consignee_country",
}
# Order-level columns, filled on an order's first row only (the optional ones may be absent).
ORDER_LEVEL = (
    "currency",
    "email",
    "shipping name",
    "shipping company",
    "shipping address1",
    "shipping address2",
    "shipping city",
    "shipping zip",
    "shipping province",
    "shipping country",
    "shipping phone",
    "phone",
)

CATALOG_REQUIRED = ("sku", "hts_code", "country_of_origin")
CATALOG_OPTIONAL = ("weight", "weight_unit")
# Bounds that keep unit weight x quantity exact in Decimal(38, 12).
_WEIGHT = r"^[0-9]{1,12}(\.[0-9]{1,12})?$"
_QUANTITY = r"^[0-9]{1,12}$"
_EXACT = pl.Decimal(38, 12)


def _key(name: str) -> str:
    return " ".join(name.replace("\ufeff", "").split()).lower()


def is_shopify_header(columns: list[str]) -> bool:
    """Whether a CSV header is that of a Shopify orders export.

    >>> is_shopify_header(["Name", " Lineitem Quantity", "Lineitem  name", "LINEITEM PRICE"])
    True
    >>> is_shopify_header(["order_id", "quantity", "unit_price"])
    False
    """
    header = {_key(name) for name in columns}
    return all(name in header for name in SIGNATURE)


def _cell(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String).str.strip_chars().replace("", None)


def read_catalog(path: Path) -> pl.DataFrame:
    """The catalog: one row per sku, columns ``sku`` and the canonical line columns it gives.

    Anything that makes the catalog ambiguous or unusable raises ``UnusableInput`` naming it.
    """
    source = str(path)
    raw = read_raw_csv(path)
    raw = raw.rename({name: _key(name) for name in raw.columns})
    missing = [name for name in CATALOG_REQUIRED if name not in raw.columns]
    if missing:
        raise UnusableInput(
            source, f"catalog has no {missing[0]!r} column (expected {','.join(CATALOG_REQUIRED)})"
        )
    if ("weight" in raw.columns) != ("weight_unit" in raw.columns):
        raise UnusableInput(source, "catalog columns 'weight' and 'weight_unit' go together")
    wanted = [*CATALOG_REQUIRED, *(c for c in CATALOG_OPTIONAL if c in raw.columns)]
    catalog = raw.select(
        *(_cell(name).alias(name) for name in wanted),
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("_row"),
    )
    empty_sku = catalog.filter(pl.col("sku").is_null())
    if empty_sku.height:
        raise UnusableInput(source, f"row {empty_sku['_row'][0]}, field sku: empty")
    if "weight" in catalog.columns:
        bad = catalog.filter(
            pl.col("weight").is_not_null() & ~pl.col("weight").str.contains(_WEIGHT)
        )
        if bad.height:
            raise UnusableInput(
                source,
                f"row {bad['_row'][0]}, field weight: {bad['weight'][0]!r} is not a weight per unit"
                " (a decimal number like 0.35, at most 12 digits before and after the point)",
            )
    data = [name for name in wanted if name != "sku"]
    catalog = catalog.unique(subset=["sku", *data], keep="first", maintain_order=True)
    clash = catalog.filter(pl.col("sku").is_duplicated())
    if clash.height:
        first, second = clash.filter(pl.col("sku") == clash["sku"][0])["_row"][:2]
        raise UnusableInput(
            source,
            f"row {second}, field sku: {clash['sku'][0]!r} is also on row {first} with other data",
        )
    return catalog.drop("_row")


def _shipper_columns(shipper: dict[str, str] | None) -> list[pl.Expr]:
    given = {}
    for key, value in (shipper or {}).items():
        name = key if key.startswith("shipper_") else f"shipper_{key}"
        if name not in columns.SHIPPER:
            raise UnusableInput("shipper", f"unknown shipper field {key!r} (known: "
                                f"{', '.join(columns.SHIPPER)})", needs="shipper")
        given[name] = value
    return [pl.lit(given.get(name), dtype=pl.String).alias(name) for name in columns.SHIPPER]


def _line_weight() -> pl.Expr:
    """Unit weight x quantity, exact, written back as a plain decimal without trailing zeros."""
    quantity = pl.col("quantity").str.strip_chars()
    whole = quantity.str.contains(_QUANTITY).fill_null(False)
    usable = pl.col("weight").is_not_null() & whole
    # Inputs are masked, not just the result: an out-of-bounds product would raise.
    count = pl.when(whole).then(quantity).cast(pl.Int64).cast(pl.Decimal(38, 0))
    total = (pl.col("weight").cast(_EXACT) * count).cast(pl.String)
    total = total.str.replace(r"(\.[0-9]*?)0+$", "$1").str.replace(r"\.$", "")
    return pl.when(usable).then(total).otherwise(pl.col("weight")).alias("weight")


def shopify_frame(
    raw: pl.DataFrame,
    source: str,
    catalog_path: Path,
    shipper: dict[str, str] | None = None,
) -> pl.DataFrame:
    """The canonical frame of a Shopify orders export (``raw``: every cell a string).

    ``shipper`` gives the shipper fields (``name`` or ``shipper_name``, ``address``, ...) of
    every line; those not given stay empty. Line items whose sku is not in the catalog keep
    empty customs fields, reported by validation.
    """
    by_key: dict[str, str] = {}
    for name in raw.columns:
        if _key(name) in by_key:
            raise UnusableInput(source, f"duplicate column {name!r}")
        by_key[_key(name)] = name
    missing = [name for name in REQUIRED if name not in by_key]
    if missing:
        raise UnusableInput(source, f"Shopify order export without a {missing[0]!r} column")
    catalog = read_catalog(catalog_path)
    shipper_columns = _shipper_columns(shipper)

    present = [key for key in dict.fromkeys([*REQUIRED, *ORDER_LEVEL]) if key in by_key]
    order = pl.col("name")
    cells = raw.select(_cell(by_key[key]).alias(key) for key in present)
    cells = cells.with_columns(
        # Only rows that name their order inherit from it; a row without a Name stays as is.
        pl.when(order.is_not_null())
        .then(pl.col(key).forward_fill().over("name"))
        .otherwise(pl.col(key))
        for key in ORDER_LEVEL
        if key in present
    )

    def column(key: str) -> pl.Expr:
        return pl.col(key) if key in present else pl.lit(None, dtype=pl.String)

    exprs = {name: pl.col(key) for key, name in REQUIRED.items()}
    exprs |= {
        "consignee_name": pl.coalesce(column("shipping name"), column("shipping company")),
        "consignee_postal_code": pl.col("shipping zip")
        .str.strip_chars_start("'")
        .replace("", None),
        "consignee_address2": column("shipping address2"),
        "consignee_state": column("shipping province"),
        "consignee_phone": pl.coalesce(column("shipping phone"), column("phone")),
        "consignee_email": column("email"),
    }
    canonical = cells.select(*(expr.alias(name) for name, expr in exprs.items()), *shipper_columns)
    joined = canonical.join(catalog, on="sku", how="left", maintain_order="left")
    if "weight" not in joined.columns:
        joined = joined.with_columns(
            pl.lit(None, dtype=pl.String).alias("weight"),
            pl.lit(None, dtype=pl.String).alias("weight_unit"),
        )
    joined = joined.with_columns(_line_weight())
    rows = pl.Series(columns.ROW, range(1, raw.height + 1), dtype=pl.Int64)
    return canonical_frame(joined, source, rows=rows)
