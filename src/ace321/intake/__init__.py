"""Readers that turn order files (canonical CSV, Shopify export, JSON) into the canonical frame."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from ace321.intake.canonical import canonical_frame
from ace321.intake.csv_orders import read_raw_csv
from ace321.intake.errors import UnusableInput
from ace321.intake.json_orders import frame_from_shipments, read_json_orders

__all__ = ["UnusableInput", "frame_from_shipments", "read_orders"]


def read_orders(
    path: Path | str,
    *,
    catalog: Path | str | None = None,
    shipper: dict[str, str] | None = None,
) -> pl.DataFrame:
    """Read an order file of any supported format, chosen by extension and header.

    A Shopify export needs ``catalog`` (a product catalog CSV) and ``shipper`` (the shipper's
    fields, ``name`` or ``shipper_name``, ...); an unknown shipper field is unusable input.
    """
    path = Path(path)
    if path.suffix.lower() == ".json":
        return read_json_orders(path)
    # The raw frame is held in a list and popped into the call: this frame keeps no reference,
    # so the raw cells are released while they are trimmed (see ``canonical_frame``).
    raw = [read_raw_csv(path)]
    from ace321.intake import shopify

    if shopify.is_shopify_header(raw[0].columns):
        # Shopify exports carry neither customs data nor a shipper: without them every
        # shipment would be INVALID, and storing those would make the corrected file a duplicate.
        if catalog is None:
            raise UnusableInput(str(path), "a Shopify order export needs a product catalog "
                                "(sku,hts_code,country_of_origin)", needs="catalog")
        if not shipper:
            raise UnusableInput(str(path), "a Shopify order export needs the shipper's name and "
                                "address (name, address, city, state, postal_code, country)",
                                needs="shipper")
        return shopify.shopify_frame(raw.pop(), str(path), Path(catalog), shipper)
    return canonical_frame(raw.pop(), str(path))
