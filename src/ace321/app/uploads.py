"""Order files received as bytes (API and web uploads) read as the CLI reads files, with the
tenant's Shopify settings in place of ``--catalog`` and ``--shipper``."""

from __future__ import annotations

import tempfile
from pathlib import Path

import polars as pl

from ace321.app.errors import InvalidInput, problem
from ace321.app.settings import ShopifySettings
from ace321.intake import UnusableInput, read_orders

SHOPIFY_SETTINGS_MISSING = (
    "this is a Shopify order export: it needs the tenant's Shopify settings, the product "
    "catalog (sku,hts_code,country_of_origin) and the shipper; set them with "
    "PUT /v1/settings/shopify")


def frame_from_csv_bytes(data: bytes, source: str, *, shopify: ShopifySettings | None
                         ) -> pl.DataFrame:
    """The canonical frame of a CSV upload: canonical order lines, or a Shopify export read
    with the tenant's catalog and shipper. Raises ``UnusableInput`` naming ``source`` (as the
    CLI would), or ``InvalidInput`` (``SHOPIFY_SETTINGS_MISSING``) for a Shopify export when
    the tenant has no Shopify settings."""
    with tempfile.TemporaryDirectory(prefix="ace321-upload-") as folder:
        path = Path(folder) / "orders.csv"
        path.write_bytes(data)
        catalog = None
        if shopify is not None and shopify.catalog:
            catalog = Path(folder) / "catalog.csv"
            catalog.write_text(shopify.catalog, encoding="utf-8")
        try:
            return read_orders(path, catalog=catalog,
                               shipper=shopify.shipper if shopify is not None else None)
        except UnusableInput as error:
            if catalog is None and _is_shopify(path):
                raise InvalidInput(f"{source}: {SHOPIFY_SETTINGS_MISSING}",
                                   code="SHOPIFY_SETTINGS_MISSING", problems=[problem(
                                       "SHOPIFY_SETTINGS_MISSING", "settings.shopify",
                                       SHOPIFY_SETTINGS_MISSING)]) from None
            where = "settings.shopify.catalog" if error.source == str(catalog) else source
            raise UnusableInput(where, error.cause) from None


def _is_shopify(path: Path) -> bool:
    from ace321.intake.csv_orders import read_raw_csv
    from ace321.intake.shopify import is_shopify_header

    try:
        return is_shopify_header(read_raw_csv(path).columns)
    except UnusableInput:
        return False
