"""Per-tenant settings: Shopify catalog and shipper, exchange rates."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ShopifySettingsCreate(BaseModel):
    """The catalog and shipper for Shopify order exports (replacing those stored)."""

    catalog: str = Field(min_length=1, max_length=20_000_000, description=(
        "The product catalog CSV, as for `--catalog`: `sku,hts_code,country_of_origin` and "
        "optionally `weight,weight_unit` (of one unit)."),
        examples=["sku,hts_code,country_of_origin,weight,weight_unit\n"
                  "TSHIRT-M,6109.10.0012,CA,0.2,kg\n"])
    shipper: dict[str, str | int] = Field(description=(
        "The shipper fields, as for `--shipper` (examples/shipper.yaml): name, address, city, "
        "state, postal_code, country."),
        examples=[{"name": "Maple Fulfilment Inc.", "address": "2500 Dixie Rd",
                   "city": "Mississauga", "state": "ON", "postal_code": "L4Y 2A1",
                   "country": "CA"}])


class ShopifySettingsPublic(BaseModel):
    """The tenant's Shopify settings (nulls when never set)."""

    catalog: str | None = Field(description="The catalog CSV as given.")
    products: int = Field(description="Products (skus) in the catalog.")
    shipper: dict[str, str] | None = Field(description="The shipper fields.")
    updated_at: str | None = Field(description="When they were set (ISO 8601 with offset).")
    updated_by: str | None = Field(description="Who set them.")


class RatePublic(BaseModel):
    date: str = Field(description="From this day on (YYYY-MM-DD).")
    currency: str = Field(description="ISO 4217 code.")
    usd_per_unit: str = Field(description="US dollars per unit of the currency (exact).")


class RatesPublic(BaseModel):
    """The tenant's exchange rates, by currency then date."""

    rates: list[RatePublic] = Field(description="Every rate.")
    updated_at: str | None = Field(description="When they were set (ISO 8601 with offset).")
    updated_by: str | None = Field(description="Who set them.")
