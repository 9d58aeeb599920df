"""Per-tenant settings the API and the web keep for their uploads, as the CLI takes options:

- Shopify (``--catalog`` and ``--shipper``): the product catalog CSV
  (``sku,hts_code,country_of_origin[,weight,weight_unit]``) and the shipper fields (``name``,
  ``address``, ``city``, ``state``, ``postal_code``, ``country``, as ``examples/shipper.yaml``);
- exchange rates (``--rates``): dated ``usd_per_unit`` per currency; a line uses the latest
  rate dated on or before its arrival date.

Each is replaced as a whole (with an audit event) and checked first with the CLI's readers,
so what is stored is exactly what the CLI would accept.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from ace321.app.errors import InvalidInput, problem
from ace321.intake import UnusableInput, columns
from ace321.storage import Database
from ace321.storage import tenant_settings as store

SHOPIFY = "shopify"
SHIPPER_FIELDS = tuple(name.removeprefix("shipper_") for name in columns.SHIPPER)


@dataclass
class ShopifySettings:
    catalog: str | None
    """The catalog CSV, as given."""
    shipper: dict[str, str] | None
    updated_at: dt.datetime | None = None
    updated_by: str | None = None
    products: int = 0

    def document(self) -> dict[str, Any]:
        return {"catalog": self.catalog, "products": self.products, "shipper": self.shipper,
                "updated_at": _stamp(self.updated_at), "updated_by": self.updated_by}


def _stamp(value: dt.datetime | None) -> str | None:
    if value is None:
        return None
    aware = value.replace(tzinfo=dt.UTC) if value.utcoffset() is None else value
    return aware.isoformat()


def shipper_fields(value: Any, field: str = "shipper") -> dict[str, str]:
    """The shipper mapping checked: known fields (``name`` or ``shipper_name``, ...), text."""
    if not isinstance(value, Mapping) or not value:
        raise InvalidInput(f"{field}: a mapping of shipper fields ({', '.join(SHIPPER_FIELDS)})",
                           problems=[problem("INVALID_REQUEST", field,
                                             "a mapping of shipper fields")])
    out: dict[str, str] = {}
    for key, text in value.items():
        name = str(key).removeprefix("shipper_")
        where = f"{field}.{key}"
        if name not in SHIPPER_FIELDS:
            message = f"unknown shipper field (known: {', '.join(SHIPPER_FIELDS)})"
            raise InvalidInput(f"{where}: {message}", problems=[
                problem("INVALID_REQUEST", where, message)])
        if not isinstance(text, str | int) or isinstance(text, bool):
            message = "must be text (quote it in YAML, e.g. state: \"ON\")"
            raise InvalidInput(f"{where}: {message}", problems=[
                problem("INVALID_REQUEST", where, message)])
        out[name] = _text(str(text), where)
    return out


def _text(value: str, field: str) -> str:
    """``value`` if it is storable text: UTF-8, without NUL (which PostgreSQL refuses)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        message = "not UTF-8 text"
    else:
        if "\x00" not in value:
            return value
        message = "contains a NUL character"
    raise InvalidInput(f"{field}: {message}", problems=[problem("INVALID_REQUEST", field,
                                                                 message)])


def _catalog_products(text: str) -> int:
    from ace321.intake.shopify import read_catalog

    _text(text, "catalog")
    with tempfile.TemporaryDirectory(prefix="ace321-catalog-") as folder:
        path = Path(folder) / "catalog.csv"
        path.write_text(text, encoding="utf-8")
        try:
            return read_catalog(path).height
        except UnusableInput as error:
            raise InvalidInput(f"catalog: {error.cause}", problems=[
                problem("INVALID_CATALOG", "catalog", error.cause)]) from None


def put_shopify_settings(db: Database, *, tenant: str, actor: str, now: dt.datetime,
                         catalog: str, shipper: Any) -> ShopifySettings:
    """Replace the tenant's Shopify settings (checked as the CLI checks ``--catalog`` and
    ``--shipper``)."""
    fields = shipper_fields(shipper)
    products = _catalog_products(catalog)
    store.save_document(db, tenant, SHOPIFY, {"catalog": catalog, "shipper": fields},
                        summary={"products": products, "shipper": fields}, actor=actor, now=now)
    return get_shopify_settings(db, tenant=tenant)


def get_shopify_settings(db: Database, *, tenant: str) -> ShopifySettings:
    found = store.load_document(db, tenant, SHOPIFY)
    if found is None:
        return ShopifySettings(None, None)
    document, at, by = found
    catalog = document.get("catalog")
    products = _catalog_products(catalog) if catalog else 0
    return ShopifySettings(catalog, document.get("shipper"), at, by, products)


@dataclass
class RateTable:
    rates: pl.DataFrame
    """``rate_date``, ``currency``, ``usd_per_unit`` (as ``intake.rates.read_rates``)."""
    updated_at: dt.datetime | None = None
    updated_by: str | None = None

    @property
    def count(self) -> int:
        return int(self.rates.height)

    def currencies(self) -> list[str]:
        return sorted(set(self.rates["currency"].to_list())) if self.rates.height else []

    def document(self) -> dict[str, Any]:
        return {"rates": [{"date": day.isoformat(), "currency": currency,
                           "usd_per_unit": _decimal_text(rate)}
                          for day, currency, rate in self.rates.iter_rows()],
                "updated_at": _stamp(self.updated_at), "updated_by": self.updated_by}


def _decimal_text(value: Any) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def rates_from_csv(data: bytes, source: str = "rates") -> pl.DataFrame:
    """A rates CSV (``date,currency,usd_per_unit``, the ``--rates`` format), checked."""
    from ace321.intake.rates import read_rates

    with tempfile.TemporaryDirectory(prefix="ace321-rates-") as folder:
        path = Path(folder) / "rates.csv"
        path.write_bytes(data)
        try:
            return read_rates(path)
        except UnusableInput as error:
            raise InvalidInput(f"{source}: {error.cause}", problems=[
                problem("INVALID_RATES", source, error.cause)]) from None


def rates_from_rows(rows: list[Mapping[str, Any]]) -> pl.DataFrame:
    """Rates given as ``[{"date", "currency", "usd_per_unit"}]``, checked as a rates CSV."""
    import csv
    import io

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["date", "currency", "usd_per_unit"])
    for row in rows:
        writer.writerow([row.get("date"), row.get("currency"), row.get("usd_per_unit")])
    return rates_from_csv(_text(out.getvalue(), "rates").encode(), "rates")


def put_rates(db: Database, *, tenant: str, actor: str, now: dt.datetime,
              rates: pl.DataFrame) -> RateTable:
    """Replace every exchange rate of the tenant."""
    store.save_rates(db, tenant, rates, actor=actor, now=now)
    return get_rates(db, tenant=tenant)


def get_rates(db: Database, *, tenant: str) -> RateTable:
    frame, at, by = store.load_rates(db, tenant)
    return RateTable(frame, at, by)


def tenant_rates(db: Database, *, tenant: str) -> pl.DataFrame | None:
    """The tenant's rates for screening; None when it has none."""
    frame, _, _ = store.load_rates(db, tenant)
    return frame if frame.height else None
