"""History-aware screening: a new frame screened together with the stored shipments it touches.

The stored shipments of the same arrival dates that share a consignee (folded name|postal key or
E.164 phone) or an order_id with the new frame are loaded (transitively), turned back into
canonical rows and screened with the new rows by the one engine. A person-day or order total then
includes what is already stored. Stored shipments whose decision becomes stricter are reported:
``changes`` when still SCREENED (re-screened on ingest), ``at_risk`` when already MANIFESTED or
later (they cannot change; the new shipments get the warning ``EARLIER_SHIPMENT_AT_RISK``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, NamedTuple

import polars as pl
from sqlalchemy import Column, MetaData, String, Table, select, text
from sqlalchemy.orm import Session

from ace321.intake import columns
from ace321.rules import RuleSet
from ace321.screening import ScreeningResult, screen
from ace321.screening.persons import folded_name, postal_key
from ace321.storage.models import Batch, Party, Shipment, ShipmentLine, Tenant
from ace321.validation.dates import date_expr
from ace321.validation.phones import e164_column

HEADER_FIELDS = (*columns.SHIPMENT, *columns.SHIPPER, *columns.CONSIGNEE, "is_gift", "scn")
LINE_FIELDS = (*columns.LINE, "adcvd_case", "hazmat_un", "hazmat_contact_name",
               "hazmat_contact_phone", "marks", "packaging_unit", "spi", "hts_quantity")
# Columns added after shipments were first stored: an empty cell adds nothing to the content
# hash (so a shipment stored before they existed hashes as it did), a value adds ``*<length>:``
# and the text (``*`` never starts another cell's part).
LATER_COLUMNS = ("spi", "hts_quantity")
PARTY_FIELDS = ("name", "address", "address2", "city", "state", "postal_code", "country", "phone",
                "email")
DUTY_FREE = ("SECTION_321", "GIFT")
STRICTNESS = {"SECTION_321": 0, "GIFT": 0, "INFORMAL_ENTRY": 1, "FORMAL_ENTRY": 2, "INVALID": 3}
LATER_STATUSES = ("MANIFESTED", "TRANSMITTED", "ACCEPTED", "REJECTED", "ARRIVED", "RELEASED",
                  "HOLD")
_CHUNK = 500

ISSUE_DTYPE = pl.Struct({"code": pl.String, "severity": pl.String, "field": pl.String,
                         "row": pl.Int64, "message": pl.String})


class Timings(dict[str, float]):
    """Seconds spent per stage of an ingest or a history screening (summed over retries)."""

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self[name] = self.get(name, 0.0) + time.perf_counter() - started


def stricter(new: str, old: str) -> bool:
    """True when ``new`` takes away something ``old`` gave (a gift or de minimis) or is stricter."""
    if new == old:
        return False
    return STRICTNESS[new] > STRICTNESS[old] or (old == "GIFT" and new == "SECTION_321")


def strictest(*decisions: str | None) -> str:
    present = [d for d in decisions if d is not None]
    return max(present, key=lambda d: STRICTNESS[d])


def records(frame: pl.DataFrame, names: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """Rows as dicts, converted column by column (much faster than ``iter_rows`` on wide rows)."""
    data = frame.select(list(names) if names is not None else frame.columns).to_dict(
        as_series=False)
    keys = list(data)
    return [dict(zip(keys, values, strict=True)) for values in zip(*data.values(), strict=True)]


@dataclass
class Prepared:
    """The new frame (arrival dates filled in) and one row of keys per shipment."""

    frame: pl.DataFrame
    shipments: pl.DataFrame  # shipment_id, order_id, arrival, name_key, phone_e164, content_hash


def prepare(frame: pl.DataFrame, default_arrival: dt.date | None) -> Prepared:
    frame = frame.with_columns(
        pl.col("shipment_id").fill_null(pl.format("<row {}>", pl.col(columns.ROW))),
        pl.col("arrival_date").fill_null(
            pl.lit(default_arrival.isoformat() if default_arrival else None, dtype=pl.String)
        ),
    )
    heads = frame.group_by("shipment_id", maintain_order=True).first()
    heads = heads.with_columns(pl.col("consignee_country").str.to_uppercase().alias("_cc"))
    name_key = folded_name(pl.col("consignee_name")) + "|" + postal_key(
        pl.col("consignee_postal_code"), pl.col("_cc"))
    phone = e164_column(pl.col("consignee_phone"), pl.col("_cc"), heads)
    hashes = content_hashes(frame)
    keys = heads.select(
        "shipment_id", "order_id",
        date_expr(pl.col("arrival_date")).alias("arrival"),
        name_key.alias("name_key"),
        pl.Series("phone_e164", phone, dtype=pl.String),
    ).with_columns(pl.col("shipment_id").replace_strict(hashes, return_dtype=pl.String)
                   .alias("content_hash"))
    return Prepared(frame, keys)


_SLICE = 50_000  # lines per slice of the content hashes' text, at least


def content_hashes(frame: pl.DataFrame) -> dict[str, str]:
    """SHA-256 of each shipment's canonical lines (every canonical field, in line order).

    Each cell is written self-delimiting (``-`` for empty, ``+<length in characters>:<text>``
    otherwise), the cells of a line in ``columns.ALL`` order, the lines of a shipment one after
    the other.
    """
    # One expression over a whole column runs on one core: slices of the lines are written in
    # parallel (2.8 s to 1.7 s on a million lines, in four slices).
    parts = _cell_parts(frame)
    step = max(_SLICE, -(-frame.height // 4))
    lines = pl.concat(pl.collect_all(
        [frame.lazy().slice(start, step).select("shipment_id", pl.concat_str(parts).alias("_line"))
         for start in range(0, max(frame.height, 1), step)], engine="in-memory"))
    texts = lines.group_by("shipment_id", maintain_order=True).agg(pl.col("_line").str.join(""))
    return {
        shipment_id: hashlib.sha256(text.encode()).hexdigest()
        for shipment_id, text in zip(texts["shipment_id"].to_list(), texts["_line"].to_list(),
                                     strict=True)
    }


def _cell_parts(frame: pl.DataFrame) -> list[pl.Expr]:
    """The pieces of a line's text: each cell's marker (``-`` or ``+<length>:``) and its text,
    joined once per line rather than formatted cell by cell (3.1 s to 2.5 s on a million lines);
    a column empty on every line is one constant."""
    nulls = frame.null_count().row(0, named=True)
    parts: list[pl.Expr] = []
    for name in columns.ALL:
        cell = pl.col(name)
        if name in LATER_COLUMNS:
            if nulls[name] < frame.height:
                parts.append(pl.when(cell.is_null()).then(pl.lit("")).otherwise(pl.concat_str(
                    [pl.lit("*"), cell.str.len_chars().cast(pl.String), pl.lit(":"), cell])))
            continue
        if nulls[name] == frame.height:
            parts.append(pl.lit("-"))
            continue
        marker = pl.concat_str([pl.lit("+"), cell.str.len_chars().cast(pl.String), pl.lit(":")])
        if nulls[name]:
            parts += [pl.when(cell.is_null()).then(pl.lit("-")).otherwise(marker), cell.fill_null("")]
        else:
            parts += [marker, cell]
    return parts


def lock_names_for(tenant_id: int, keys: pl.DataFrame, *, stored: bool = False) -> set[str]:
    """Advisory lock names: for new shipments, every person-day key (by name key and by phone),
    the order and the shipment id; for stored ones (``stored``), one person-day key each.

    Two writers whose screenings share a stored shipment both lock that shipment's key, and
    writers whose new shipments share a name, phone, order or id lock that key: so writers that
    could change each other's totals always run one after the other.
    """
    if keys.is_empty():
        return set()
    prefix = str(tenant_id)
    day = pl.col("arrival").cast(pl.String)
    name = pl.concat_str(pl.lit(f"n|{prefix}|"), day, pl.lit("|"), pl.col("name_key"))
    phone = pl.concat_str(pl.lit(f"p|{prefix}|"), day, pl.lit("|"), pl.col("phone_e164"))
    shipment = pl.concat_str(pl.lit(f"s|{prefix}|"), pl.col("shipment_id"))
    if stored:
        # concat_str is null when a part is null: name first, else phone, else the shipment.
        names = keys.select(pl.coalesce(name, phone, shipment).alias("lock"))["lock"]
        return set(names.unique().to_list())
    order = pl.concat_str(pl.lit(f"o|{prefix}|"), pl.col("order_id"))
    columns = keys.select(shipment.alias("s"), order.alias("o"), name.alias("n"),
                          phone.alias("p"))
    return set(pl.concat([columns[column] for column in columns.columns]).drop_nulls()
               .unique().to_list())


def tenant_id(session: Session, name: str) -> int:
    found = session.execute(select(Tenant.id).where(Tenant.name == name)).scalar_one_or_none()
    if found is None:
        from ace321.storage.database import StorageError

        raise StorageError(f"tenant {name!r} does not exist")
    return found


_STORED_COLUMNS = (
    Shipment.id, Shipment.shipment_id, Shipment.order_id, Shipment.arrival_date,
    Shipment.name_key, Shipment.phone_e164, Shipment.status, Shipment.decision,
    Shipment.rules_decision, Shipment.override_decision, Shipment.value_usd,
    Shipment.consignee_key, Shipment.content_hash, Shipment.batch_id, Shipment.rules_version,
)
STORED_SCHEMA = {
    "pk": pl.Object, "shipment_id": pl.String, "order_id": pl.String, "arrival": pl.Date,
    "name_key": pl.String, "phone_e164": pl.String, "status": pl.String, "decision": pl.String,
    "rules_decision": pl.String, "override_decision": pl.String, "value_usd": pl.Object,
    "consignee_key": pl.String, "content_hash": pl.String, "batch_id": pl.Object,
    "rules_version": pl.String,
}


def _chunks(values: Iterable[Any]) -> Iterable[list[Any]]:
    items = sorted(values, key=str)
    for start in range(0, len(items), _CHUNK):
        yield items[start:start + _CHUNK]


# From this many keys a look-up goes through a temporary key table joined to the shipments
# (one statement per kind of key) instead of IN lists of _CHUNK keys (one statement per chunk).
JOIN_FROM = 2000
_KEYS = Table("_ace321_keys", MetaData(), Column("kind", String), Column("day", String),
              Column("key", String), prefixes=["TEMPORARY"])
_COLUMNS_SQL = ", ".join(f"s.{column.key}" for column in _STORED_COLUMNS)
_KEY_COLUMNS_SQL = "s.id, s.shipment_id, s.order_id, s.arrival_date, s.name_key, s.phone_e164"


def _joined(session: Session, tenant: int, keys: list[tuple[str, Any, str]], *,
            columns: str = _COLUMNS_SQL) -> list[Any]:
    """Stored shipments matching any ``(kind, day, key)``, through a temporary key table.

    ``kind``: ``id`` (shipment_id, any status; not mixed with the others), ``name`` / ``phone``
    (person-day keys, live shipments), ``order`` (order_id, live shipments); ``day`` is None
    for ``id`` and ``order``. Each shipment comes back once (as raw driver values), however
    many of its keys match: a large re-import matches every stored shipment by name, by phone
    and by order, and fetching and converting those rows three times was most of its time.
    """
    from ace321.storage.bulk import write_frame

    dialect = session.get_bind().dialect.name
    session.execute(text(
        "CREATE TEMPORARY TABLE IF NOT EXISTS _ace321_keys (kind TEXT, day TEXT, key TEXT)"
        + (" ON COMMIT DROP" if dialect == "postgresql" else "")))
    session.execute(text("DELETE FROM _ace321_keys"))
    write_frame(session, _KEYS, pl.DataFrame(
        {"kind": [kind for kind, _, _ in keys],
         "day": [None if day is None else str(day) for _, day, _ in keys],
         "key": [key for _, _, key in keys]},
        schema={"kind": pl.String, "day": pl.String, "key": pl.String}))
    if dialect == "postgresql":
        session.execute(text("ANALYZE _ace321_keys"))  # else the planner guesses its size
    day = "k.day" if dialect == "sqlite" else "CAST(k.day AS DATE)"  # ISO text on SQLite
    match = {
        "id": "s.shipment_id = k.key",
        "name": f"s.arrival_date = {day} AND s.name_key = k.key",
        "phone": f"s.arrival_date = {day} AND s.phone_e164 = k.key",
        "order": "s.order_id = k.key",
    }
    kinds = sorted({kind for kind, _, _ in keys})
    # CROSS JOIN keeps the key table the outer loop on SQLite (each key an index look-up).
    matching = " UNION ALL ".join(
        f"SELECT s.id FROM _ace321_keys AS k CROSS JOIN shipments AS s WHERE k.kind = "
        f"'{kind}' AND s.tenant_id = :tenant AND {match[kind]}" for kind in kinds)
    live = "" if kinds == ["id"] else (" AND s.status <> 'CANCELLED' AND s.rules_decision <> "
                                       "'INVALID'")
    rows = session.execute(text(
        f"SELECT {columns} FROM shipments AS s WHERE s.id IN ({matching}){live}"),
        {"tenant": tenant}).all()
    session.execute(text("DROP TABLE _ace321_keys"))
    return rows


class StoredRow(NamedTuple):
    """A stored shipment's ``_STORED_COLUMNS``, typed as the ORM types them."""

    id: uuid.UUID
    shipment_id: str
    order_id: str | None
    arrival_date: dt.date | None
    name_key: str | None
    phone_e164: str | None
    status: str
    decision: str
    rules_decision: str
    override_decision: str | None
    value_usd: Decimal | None
    consignee_key: str | None
    content_hash: str
    batch_id: uuid.UUID
    rules_version: str


def _typed(raw: Any, batches: dict[Any, uuid.UUID]) -> StoredRow:
    """A raw row of ``_joined`` (SQLite: hex UUIDs, ISO dates, decimal text) typed; ``batches``
    caches the batch ids (few, and repeated on every row)."""
    (pk, shipment_id, order_id, arrival, name_key, phone, status, decision, rules_decision,
     override, value, consignee_key, content_hash, batch_id, rules_version) = raw
    return StoredRow(
        pk if isinstance(pk, uuid.UUID) else uuid.UUID(pk), shipment_id, order_id,
        dt.date.fromisoformat(arrival) if isinstance(arrival, str) else arrival, name_key, phone,
        status, decision, rules_decision, override,
        None if value is None or isinstance(value, Decimal) else Decimal(str(value)),
        consignee_key, content_hash,
        batches.get(batch_id) or batches.setdefault(
            batch_id, batch_id if isinstance(batch_id, uuid.UUID) else uuid.UUID(batch_id)),
        rules_version)


def stored_by_ids(session: Session, tenant: int, ids: Iterable[str]) -> dict[str, Any]:
    """Stored shipments by shipment_id (any status)."""
    wanted = set(ids)
    found = {}
    if len(wanted) >= JOIN_FROM:
        batches: dict[Any, uuid.UUID] = {}
        for raw in _joined(session, tenant, [("id", None, i) for i in wanted]):
            found[raw[1]] = _typed(raw, batches)
        return found
    for chunk in _chunks(wanted):
        for row in session.execute(select(*_STORED_COLUMNS).where(
                Shipment.tenant_id == tenant, Shipment.shipment_id.in_(chunk))):
            found[row.shipment_id] = row
    return found


def related(session: Session, tenant: int, keys: pl.DataFrame, *,
            leave_out: set[str] | None = None) -> dict[uuid.UUID, Any]:
    """Stored shipments sharing a person-day or an order with ``keys``, transitively.

    CANCELLED and INVALID shipments take no part in aggregates and are left out. Shipments
    whose shipment_id is in ``leave_out`` still link others (their keys are followed) but are
    not returned.
    """
    by_day_name: dict[dt.date, set[str]] = {}
    by_day_phone: dict[dt.date, set[str]] = {}
    orders: set[str] = set()
    found: dict[uuid.UUID, Any] = {}

    def add(order_id: str | None, arrival: dt.date | None, name_key: str | None,
            phone: str | None) -> bool:
        grew = False
        if order_id is not None and order_id not in orders:
            orders.add(order_id)
            grew = True
        if arrival is not None:
            if name_key is not None and name_key not in by_day_name.setdefault(arrival, set()):
                by_day_name[arrival].add(name_key)
                grew = True
            if phone is not None and phone not in by_day_phone.setdefault(arrival, set()):
                by_day_phone[arrival].add(phone)
                grew = True
        return grew

    for order_id, arrival, name_key, phone in keys.select(
            "order_id", "arrival", "name_key", "phone_e164").iter_rows():
        add(order_id, arrival, name_key, phone)
    pending_names = {day: set(names) for day, names in by_day_name.items()}
    pending_phones = {day: set(phones) for day, phones in by_day_phone.items()}
    pending_orders = set(orders)
    live = (Shipment.tenant_id == tenant, Shipment.status != "CANCELLED",
            Shipment.rules_decision != "INVALID")
    seen_raw: set[Any] = set()
    for _ in range(100):
        results: list[Iterable[Any]] = []
        raw_rows: list[Iterable[Any]] = []
        pairs = [(kind, day, key) for kind, pending in (("name", pending_names),
                                                         ("phone", pending_phones))
                 for day, values in pending.items() for key in values]
        pairs += [("order", None, order) for order in pending_orders]
        if len(pairs) >= JOIN_FROM:
            # Keys only: most rows of a large re-import are the file's own shipments (left
            # out); the others are fetched whole afterwards.
            raw_rows.append(_joined(session, tenant, pairs, columns=_KEY_COLUMNS_SQL))
        else:
            for column, pending in ((Shipment.name_key, pending_names),
                                    (Shipment.phone_e164, pending_phones)):
                for day, values in pending.items():
                    for chunk in _chunks(values):
                        results.append(session.execute(select(*_STORED_COLUMNS).where(
                            *live, Shipment.arrival_date == day, column.in_(chunk))).all())
            for chunk in _chunks(pending_orders):
                results.append(session.execute(select(*_STORED_COLUMNS).where(
                    *live, Shipment.order_id.in_(chunk))).all())
        for rows in raw_rows:
            wanted = []
            for raw in rows:
                if raw[0] in seen_raw:
                    continue
                seen_raw.add(raw[0])
                if leave_out and raw[1] in leave_out:
                    arrival = raw[3]
                    add(raw[2], dt.date.fromisoformat(arrival) if isinstance(arrival, str)
                        else arrival, raw[4], raw[5])
                    continue
                wanted.append(raw[1])
            results.append(list(stored_by_ids(session, tenant, wanted).values()))
        if not any(results):
            break
        before_names = {day: set(v) for day, v in by_day_name.items()}
        before_phones = {day: set(v) for day, v in by_day_phone.items()}
        before_orders = set(orders)
        for rows in results:
            for row in rows:
                if row.id not in found:
                    add(row.order_id, row.arrival_date, row.name_key, row.phone_e164)
                    if not (leave_out and row.shipment_id in leave_out):
                        found[row.id] = row
        pending_names = {day: names - before_names.get(day, set())
                         for day, names in by_day_name.items()}
        pending_names = {day: names for day, names in pending_names.items() if names}
        pending_phones = {day: phones - before_phones.get(day, set())
                          for day, phones in by_day_phone.items()}
        pending_phones = {day: phones for day, phones in pending_phones.items() if phones}
        pending_orders = orders - before_orders
    return found


def stored_frame(rows: Iterable[Any]) -> pl.DataFrame:
    rows = list(rows)
    names = ("id", "shipment_id", "order_id", "arrival_date", "name_key", "phone_e164", "status",
             "decision", "rules_decision", "override_decision", "value_usd", "consignee_key",
             "content_hash", "batch_id", "rules_version")
    # Column by column: building a frame from one dict per row is several times slower.
    data = {name: [getattr(row, attribute) for row in rows]
            for name, attribute in zip(STORED_SCHEMA, names, strict=True)}
    return pl.DataFrame(data, schema=STORED_SCHEMA)


def canonical_rows(session: Session, pks: Iterable[uuid.UUID], *, first_row: int = 1
                   ) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Stored shipments turned back into canonical rows, and the exchange rates their lines used.

    Rows are numbered from ``first_row`` (``_row``); rates are (rate_date, currency, usd_per_unit)
    dated on each shipment's arrival date.
    """
    pks = list(pks)
    # Core rows (not ORM objects): loading many stored shipments stays cheap.
    shipments: dict[uuid.UUID, Any] = {}
    parties: dict[tuple[uuid.UUID, str], Any] = {}
    lines: list[Any] = []
    shipment_t, party_t, line_t = Shipment.__table__, Party.__table__, ShipmentLine.__table__
    for chunk in _chunks(pks):
        shipments.update({s.id: s for s in session.execute(
            select(*shipment_t.c).where(shipment_t.c.id.in_(chunk)))})
        parties.update({(p.shipment_pk, p.role): p for p in session.execute(
            select(*party_t.c).where(party_t.c.shipment_pk.in_(chunk)))})
        lines.extend(session.execute(select(*line_t.c).where(
            line_t.c.shipment_pk.in_(chunk))))
    order = {pk: index for index, pk in enumerate(pks)}
    lines.sort(key=lambda line: (order[line.shipment_pk], line.line_no))
    data: dict[str, list[Any]] = {name: [] for name in (*columns.ALL, columns.ROW,
                                                        columns.LINE_INDEX)}
    rates: list[tuple[dt.date, str, Decimal]] = []
    for offset, line in enumerate(lines):
        shipment = shipments[line.shipment_pk]
        head: dict[str, Any] = {
            "order_id": shipment.order_id, "shipment_id": shipment.shipment_id,
            "arrival_date": shipment.arrival_text, "is_gift": shipment.is_gift_text,
            "scn": shipment.scn,
        }
        for role in ("shipper", "consignee"):
            party = parties.get((shipment.id, role))
            for name in PARTY_FIELDS:
                column = f"{role}_{name}"
                if column in HEADER_FIELDS:
                    head[column] = getattr(party, name) if party is not None else None
        if line.differing:
            head.update(json.loads(line.differing))
        values = {**head, **{name: getattr(line, name if name != "unit_price" else
                                           "unit_price_text") for name in LINE_FIELDS}}
        for name in columns.ALL:
            data[name].append(values.get(name))
        data[columns.ROW].append(first_row + offset)
        data[columns.LINE_INDEX].append(line.line_no)
        if (line.usd_rate is not None and line.currency and shipment.arrival_date is not None):
            rates.append((shipment.arrival_date, line.currency.upper(), line.usd_rate))
    schema: dict[str, Any] = {name: pl.String for name in columns.ALL}
    schema[columns.ROW] = pl.Int64
    schema[columns.LINE_INDEX] = pl.Int64
    frame = pl.DataFrame(data, schema=schema)
    rate_frame = pl.DataFrame(
        {"rate_date": [r[0] for r in rates], "currency": [r[1] for r in rates],
         "usd_per_unit": [r[2] for r in rates]},
        schema={"rate_date": pl.Date, "currency": pl.String, "usd_per_unit": pl.Decimal(38, 12)},
    ).unique(subset=["rate_date", "currency"], keep="first")
    return frame, rate_frame


def merge_rates(given: pl.DataFrame | None, stored: pl.DataFrame) -> pl.DataFrame | None:
    """The rates given, plus the rates stored lines used (the given ones win on the same day)."""
    if stored.is_empty():
        return given
    if given is None:
        return stored.sort("currency", "rate_date")
    given = given.select("rate_date", "currency",
                         pl.col("usd_per_unit").cast(pl.Decimal(38, 12)))
    return pl.concat([given, stored]).unique(subset=["rate_date", "currency"], keep="first",
                                             maintain_order=True).sort("currency", "rate_date")


@dataclass
class Change:
    """A stored shipment whose decision becomes stricter when screened with the new shipments."""

    pk: uuid.UUID
    shipment_id: str
    status: str
    before: str
    after: str
    rules_decision: str
    caused_by: list[str]
    row: dict[str, Any]  # the combined screening's row for it


@dataclass
class HistoryScreening:
    result: ScreeningResult
    """The file's shipments (new, already stored and duplicates), with history-aware decisions."""
    combined: ScreeningResult
    prepared: Prepared
    stored: pl.DataFrame
    """Every stored shipment screened along (``STORED_SCHEMA``)."""
    new_ids: list[str]
    already_stored: list[str]
    duplicates: dict[str, str]
    """shipment_id -> message naming the stored batch."""
    replaced: dict[str, Any] = field(default_factory=dict)
    """shipment_id -> the stored INVALID shipment (``StoredRow``) the file's version replaces;
    these are also in ``new_ids``."""
    replaceable: list[str] = field(default_factory=list)
    """Duplicates whose stored shipment is INVALID and still SCREENED: asking to replace
    INVALID shipments (``replace_invalid``) would have stored the file's version."""
    changes: list[Change] = field(default_factory=list)
    at_risk: list[Change] = field(default_factory=list)
    lock_names: set[str] = field(default_factory=set)
    timings: Timings = field(default_factory=Timings)


def screen_with_history(
    frame: pl.DataFrame,
    session: Session | Any,
    rules: RuleSet,
    *,
    default_arrival: dt.date | None = None,
    rates: pl.DataFrame | None = None,
    hts: pl.Series | None = None,
    tenant: str = "default",
    prepared: Prepared | None = None,
    timings: Timings | None = None,
    own_locks: set[str] | None = None,
    replace_invalid: bool = False,
) -> HistoryScreening:
    """Screen ``frame`` together with the stored shipments it touches (reads only).

    With ``replace_invalid``, a shipment stored with other content whose decision is INVALID
    and which is still SCREENED is screened as new (``replaced``) instead of being a
    ``DUPLICATE_SHIPMENT``.

    ``session`` is a SQLAlchemy ``Session``, or a ``Database`` or ``Engine`` (a read-only
    session is opened on it). ``.result`` is the ``ScreeningResult`` of the file's shipments.
    """
    if not isinstance(session, Session):
        from sqlalchemy.engine import Engine

        from ace321.storage.database import Database

        if isinstance(session, Engine):
            session = Database(str(session.url), session)
        if not isinstance(session, Database):
            raise TypeError("screen_with_history needs a Session, a Database or an Engine")
        with session.reading() as reader:
            return screen_with_history(frame, reader, rules, default_arrival=default_arrival,
                                       rates=rates, hts=hts, tenant=tenant, prepared=prepared,
                                       timings=timings, own_locks=own_locks,
                                       replace_invalid=replace_invalid)
    timings = timings if timings is not None else Timings()
    prepared = prepared or prepare(frame, default_arrival)
    tenant_pk = tenant_id(session, tenant)
    keys = prepared.shipments
    with timings.stage("history"):
        existing = stored_by_ids(session, tenant_pk, keys["shipment_id"].to_list())
        already, duplicates, replaced, replaceable = [], {}, {}, []
        for shipment_id, content_hash in keys.select("shipment_id", "content_hash").iter_rows():
            row = existing.get(shipment_id)
            if row is None:
                continue
            if row.content_hash == content_hash:
                already.append(shipment_id)
            elif replace_invalid and row.decision == "INVALID" and row.status == "SCREENED":
                replaced[shipment_id] = row
            else:
                batch = session.get(Batch, row.batch_id)
                message = (
                    f"shipment {shipment_id} is already stored with other content (batch "
                    f"{batch.name if batch else '?'} imported {batch.imported_at:%Y-%m-%d %H:%M} "
                    f"UTC, batch id {row.batch_id}); it was not stored again"
                    if batch else f"shipment {shipment_id} is already stored with other content")
                if row.decision == "INVALID" and row.status == "SCREENED":
                    # The usual way here: a file stored without its arrival date, then fixed.
                    replaceable.append(shipment_id)
                    message += ("; the stored one is INVALID and still SCREENED, so asking to "
                                "replace INVALID shipments stores this version instead")
                duplicates[shipment_id] = message
        live_keys = keys.filter(~pl.col("shipment_id").is_in(list(duplicates)))
        file_ids = set(keys["shipment_id"].to_list())
        history_only = related(session, tenant_pk, live_keys, leave_out=file_ids)
        same = {existing[s].id: existing[s] for s in already}
        stored = stored_frame([*history_only.values(), *same.values()])
        new_frame = prepared.frame.filter(~pl.col("shipment_id").is_in(list(duplicates)))
        start = int(prepared.frame[columns.ROW].max() or 0) + 1
        old_frame, stored_rates = canonical_rows(session, history_only.keys(), first_row=start)
    with timings.stage("screening"):
        combined_frame = pl.concat([new_frame.select(old_frame.columns), old_frame])
        all_rates = merge_rates(rates, stored_rates)
        combined = screen(combined_frame, rules=rules, default_arrival=default_arrival,
                          rates=all_rates, hts=hts)
    skip = set(already) | set(duplicates)
    new_ids = [s for s in keys["shipment_id"].to_list() if s not in skip]
    screening = HistoryScreening(
        result=combined, combined=combined, prepared=prepared, stored=stored, new_ids=new_ids,
        already_stored=already, duplicates=duplicates, replaced=replaced, replaceable=replaceable,
        timings=timings,
    )
    with timings.stage("compare"):
        own = own_locks if own_locks is not None else lock_names_for(tenant_pk, keys)
        screening.lock_names = own | lock_names_for(
            tenant_pk, stored.select("shipment_id", "order_id", "arrival", "name_key",
                                     "phone_e164"), stored=True)
        _compare(screening)
        screening.result = _file_result(screening, frame, rules, default_arrival, rates, hts)
    return screening


def _compare(screening: HistoryScreening) -> None:
    if screening.stored.is_empty():
        return
    shipments = screening.combined.shipments
    stored_ids = screening.stored["shipment_id"]
    strictness = {**STRICTNESS}
    new_decision = pl.col("decision").replace_strict(strictness, return_dtype=pl.Int64)
    old_decision = pl.col("rules_decision").replace_strict(strictness, return_dtype=pl.Int64)
    # ``stricter`` over every stored shipment at once; only the few that change go on in Python.
    candidates = screening.stored.select("shipment_id", "rules_decision").join(
        shipments.select("shipment_id", "decision").filter(
            pl.col("shipment_id").is_in(stored_ids.implode())),
        on="shipment_id", how="inner",
    ).filter((pl.col("decision") != pl.col("rules_decision")) & (
        (new_decision > old_decision) | ((pl.col("rules_decision") == "GIFT")
                                         & (pl.col("decision") == "SECTION_321"))))
    if candidates.is_empty():
        return
    wanted = candidates["shipment_id"].implode()
    rows = {row["shipment_id"]: row for row in records(
        shipments.filter(pl.col("shipment_id").is_in(wanted)))}
    new = set(screening.new_ids)
    by_day: dict[tuple[Any, Any], list[str]] = {}
    by_order: dict[Any, list[str]] = {}
    light = shipments.filter(pl.col("shipment_id").is_in(list(new)))
    for row in records(light, ["shipment_id", "consignee_key", "arrival_date", "order_id"]):
        by_day.setdefault((row["consignee_key"], row["arrival_date"]), []).append(
            row["shipment_id"])
        by_order.setdefault(row["order_id"], []).append(row["shipment_id"])
    for stored in records(screening.stored.filter(pl.col("shipment_id").is_in(wanted))):
        row = rows.get(stored["shipment_id"])
        if row is None or not stricter(row["decision"], stored["rules_decision"]):
            continue
        causes = [*by_day.get((row["consignee_key"], row["arrival_date"]), []),
                  *by_order.get(row["order_id"], [])]
        causes = [c for c in dict.fromkeys(causes) if c in new and c != stored["shipment_id"]]
        change = Change(
            pk=stored["pk"], shipment_id=stored["shipment_id"], status=stored["status"],
            before=stored["decision"],
            after=strictest(row["decision"], stored["override_decision"]),
            rules_decision=row["decision"], caused_by=causes, row=row,
        )
        if stored["status"] == "SCREENED":
            screening.changes.append(change)
        elif stored["status"] in LATER_STATUSES:
            screening.at_risk.append(change)


def _file_result(screening: HistoryScreening, frame: pl.DataFrame, rules: RuleSet,
                 default_arrival: dt.date | None, rates: pl.DataFrame | None,
                 hts: pl.Series | None) -> ScreeningResult:
    combined = screening.combined
    file_ids = screening.prepared.shipments["shipment_id"].to_list()
    keep = [s for s in file_ids if s not in screening.duplicates]
    shipments = combined.shipments.filter(pl.col("shipment_id").is_in(keep))
    issues = combined.issues.filter(pl.col("shipment_id").is_in(keep))
    extra: list[dict[str, Any]] = []
    first_rows = dict(zip(shipments["shipment_id"].to_list(), shipments["first_row"].to_list(),
                          strict=True)) if screening.at_risk else {}
    for risk in screening.at_risk:
        for shipment_id in risk.caused_by:
            codes = ", ".join(reason["code"] for reason in risk.row["reasons"])
            extra.append({
                "shipment_id": shipment_id, "code": "EARLIER_SHIPMENT_AT_RISK",
                "severity": "warning", "field": "shipment_id", "row": first_rows[shipment_id],
                "message": (
                    f"earlier shipment {risk.shipment_id} (same person or order, arrival "
                    f"{risk.row['arrival_date']}) is already {risk.status} as {risk.before} and "
                    f"cannot change; with this shipment it would be {risk.rules_decision} "
                    f"({codes})"),
            })
    if screening.duplicates:
        dup_frame = screening.prepared.frame.filter(
            pl.col("shipment_id").is_in(list(screening.duplicates)))
        alone = screen(dup_frame, rules=rules, default_arrival=default_arrival, rates=rates,
                       hts=hts)
        for row in records(alone.shipments, ["shipment_id", "first_row"]):
            extra.append({
                "shipment_id": row["shipment_id"], "code": "DUPLICATE_SHIPMENT",
                "severity": "error", "field": "shipment_id", "row": row["first_row"],
                "message": screening.duplicates[row["shipment_id"]],
            })
        dup_rows = alone.shipments.with_columns(
            pl.lit("INVALID").alias("decision"),
            pl.lit(None, pl.String).alias("ace_shipment_type"),
            pl.col("reasons").list.slice(0, 0),
        )
        shipments = pl.concat([shipments, dup_rows], how="vertical_relaxed")
        issues = pl.concat([issues, alone.issues], how="vertical_relaxed")
    if extra:
        extra_frame = pl.DataFrame(extra, schema={"shipment_id": pl.String, **{
            name: dtype for name, dtype in ISSUE_DTYPE.to_schema().items()}})
        grouped = extra_frame.group_by("shipment_id", maintain_order=True).agg(
            pl.struct("code", "severity", "field", "row", "message").alias("_extra"))
        shipments = shipments.join(grouped, on="shipment_id", how="left",
                                   maintain_order="left").with_columns(
            pl.concat_list(pl.col("issues"), pl.col("_extra").fill_null(
                pl.lit([], dtype=pl.List(ISSUE_DTYPE)))).alias("issues")
        ).drop("_extra")
        issues = pl.concat([issues, extra_frame.select(issues.columns)], how="vertical_relaxed")
    position = {shipment_id: index for index, shipment_id in enumerate(file_ids)}
    shipments = shipments.with_columns(
        pl.col("shipment_id").replace_strict(position, return_dtype=pl.Int64).alias("_pos")
    ).sort("_pos").drop("_pos")
    return replace(combined, shipments=shipments, issues=issues.sort("row", maintain_order=True))
