"""Order files received as bytes (API and web uploads) read as the CLI reads files, with the
tenant's Shopify settings in place of ``--catalog`` and ``--shipper`` and the tenant's exchange
rates in place of ``--rates``; stored (``store_order_file``) or only screened
(``screen_order_file``)."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import hashlib
import io
import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from ace321.app.errors import AppError, InvalidInput, problem
from ace321.app.settings import ShopifySettings, get_shopify_settings, tenant_rates
from ace321.intake import UnusableInput, read_orders
from ace321.rules import RuleSet
from ace321.storage import Database

if TYPE_CHECKING:
    from ace321.app.ingest import IngestedBatch
    from ace321.app.risk_jobs import RiskJobs
    from ace321.screening.result import ScreeningResult

SHOPIFY_SETTINGS_MISSING = (
    "this is a Shopify order export: it needs the tenant's Shopify settings, the product "
    "catalog (sku,hts_code,country_of_origin) and the shipper; set them with "
    "PUT /v1/settings/shopify or on the Admin page")


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


# --- One order file, whichever door it comes in by (POST /v1/batches, POST /v1/screen with a
# file, the web upload): read by kind with the tenant's Shopify settings, screened with the
# tenant's exchange rates. The delivery layers only take the bytes out of their request.

JsonReader = Callable[[bytes, str, dt.date | None], tuple[pl.DataFrame, dt.date | None]]
"""Reads a JSON order file: ``(data, source, as_of) -> (frame, as_of)``. The API gives its
schema-checked reader (field paths in its problems); the default is the CLI's."""


@dataclass(frozen=True)
class OrderFile:
    """An uploaded order file: its bytes, the name to record, the arrival date of rows without
    one, and its kind (``csv`` or ``json``; by default from the name, as the CLI decides)."""

    data: bytes
    name: str
    as_of: dt.date | None = None
    kind: str = ""

    def __post_init__(self) -> None:
        if not self.kind:
            object.__setattr__(self, "kind", kind_of(self.name))

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def kind_of(name: str) -> str:
    return "json" if name.lower().endswith(".json") else "csv"


def _cli_json(data: bytes, source: str, as_of: dt.date | None
              ) -> tuple[pl.DataFrame, dt.date | None]:
    from ace321.intake.json_orders import frame_from_shipments
    from ace321.intake.json_text import parse_json_bytes

    try:
        return frame_from_shipments(parse_json_bytes(data, source), source), as_of
    except UnusableInput as error:
        raise _unusable(error.source, error.cause) from None


def _unusable(source: str, cause: str, *, row: int | None = None, field: str | None = None
              ) -> InvalidInput:
    return InvalidInput(f"{source}: {cause}", code="UNUSABLE_INPUT", problems=[{
        "code": "UNUSABLE_INPUT", "severity": "error", "field": field, "row": row,
        "message": cause}])


def csv_frame(data: bytes, source: str, *, shopify: ShopifySettings | None) -> pl.DataFrame:
    """``frame_from_csv_bytes`` with an unusable file as ``InvalidInput`` naming its row (the
    1-based data row where it stops being readable) and the missing column."""
    if not data.strip():
        raise _unusable(source, "empty file (no header row)", row=0)
    try:
        return frame_from_csv_bytes(data, source, shopify=shopify)
    except UnusableInput as error:
        missing = re.search(r"missing required column '([^']+)'", error.cause)
        raise _unusable(error.source, error.cause, row=_bad_row(data),
                        field=missing.group(1) if missing else None) from None


def _bad_row(data: bytes) -> int | None:
    """The 1-based data row where the CSV stops being readable (not UTF-8, wrong field count)."""
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    try:
        text = decoder.decode(data, final=True)
    except UnicodeDecodeError as error:
        return data[:error.start].count(b"\n")  # the header is row 0
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
        for number, row in enumerate(reader, start=1):
            if row and len(row) != len(header):
                return number
    except (csv.Error, StopIteration):
        return max(reader.line_num - 1, 0)
    return None


def read_order_file(db: Database, upload: OrderFile, *, tenant: str,
                    read_json: JsonReader | None = None) -> tuple[pl.DataFrame, dt.date | None]:
    """The canonical frame of ``upload`` and its arrival date (a JSON body may carry one): a
    CSV is canonical lines or a Shopify export read with the tenant's Shopify settings."""
    if upload.kind == "json":
        return (read_json or _cli_json)(upload.data, upload.name, upload.as_of)
    shopify = get_shopify_settings(db, tenant=tenant)
    return csv_frame(upload.data, upload.name, shopify=shopify), upload.as_of


def store_order_file(db: Database, upload: OrderFile, *, rules: RuleSet, tenant: str,
                     actor: str, now: dt.datetime, replace_invalid: bool = False,
                     read_json: JsonReader | None = None, risk_jobs: RiskJobs | None = None
                     ) -> IngestedBatch:
    """Read ``upload``, screen it with the tenant's stored history and exchange rates and store
    it in one transaction. Raises ``AppError``; nothing is stored then. ``risk_jobs``: a
    server's background scorer, for batches with a large risk history (``ingest_batch``)."""
    from ace321.app.ingest import BatchInfo, ingest_batch

    frame, as_of = read_order_file(db, upload, tenant=tenant, read_json=read_json)
    try:
        return ingest_batch(db, frame, rules=rules,
                            source=BatchInfo(upload.name, upload.sha256, frame.height),
                            tenant=tenant, actor=actor, now=now, as_of=as_of,
                            rates=tenant_rates(db, tenant=tenant),
                            replace_invalid=replace_invalid, risk_jobs=risk_jobs)
    except AppError as error:
        raise type(error)(f"{upload.name}: nothing stored: {error.message}", code=error.code,
                          problems=error.problems) from None


def screen_order_file(db: Database, upload: OrderFile, *, rules: RuleSet, tenant: str,
                      read_json: JsonReader | None = None) -> ScreeningResult:
    """Read ``upload`` and screen it with the tenant's exchange rates, storing nothing (stored
    shipments are not taken into account, as for a JSON screen)."""
    from ace321.screening import screen

    frame, as_of = read_order_file(db, upload, tenant=tenant, read_json=read_json)
    return screen(frame, rules=rules, default_arrival=as_of,
                  rates=tenant_rates(db, tenant=tenant))
