"""Ingest: screen a file with its history and store it, atomically per batch.

One transaction per batch: the batch, its shipments, parties, lines, decisions with reasons,
status history, the re-screenings of earlier SCREENED shipments and every audit event are
committed together or not at all.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import polars as pl
from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from ace321.intake import columns
from ace321.rules import RuleSet
from ace321.screening.result import ace_shipment_type_expr
from ace321.storage import audit
from ace321.storage.database import Database, StorageError, UnstorableBatch, lock_names
from ace321.storage.history import (
    HEADER_FIELDS,
    LINE_FIELDS,
    PARTY_FIELDS,
    Change,
    HistoryScreening,
    Timings,
    canonical_rows,
    lock_names_for,
    prepare,
    records,
    screen_with_history,
    tenant_id,
)
from ace321.storage.models import (
    Batch,
    Decision,
    DecisionReason,
    Party,
    Shipment,
    ShipmentLine,
    Stamp,
    StatusChange,
)
from ace321.storage.types import StorageValueError, stored_type
from ace321.validation.cells import unstorable
from ace321.validation.dates import date_expr

_PRICE = re.compile(r"^\d+(\.\d{1,4})?$")
_INSERT_CHUNK = 5000
MAX_ATTEMPTS = 8
ANALYZE_FROM = 10_000  # lines stored in one batch
COPY_FROM = 2000  # rows; PostgreSQL bulk loads use COPY from this size up
ESCALATE_AFTER = 3
SQLITE_CACHE_KIB = 256 * 1024


@dataclass
class BatchInfo:
    name: str
    sha256: str
    row_count: int


@dataclass
class IngestReport:
    batch_id: uuid.UUID | None
    screening: HistoryScreening
    stored: list[str] = field(default_factory=list)
    rescreened: list[Change] = field(default_factory=list)
    timings: Timings = field(default_factory=Timings)
    """Seconds per stage (prepare, locks, history, screening, compare, rows, insert, rescreen,
    audit, analyze, commit), for benchmarks."""
    risk_pending: bool = False
    """The ``within`` step left the risk scores to be computed after the commit."""

    @property
    def result(self) -> Any:
        return self.screening.result

    @property
    def already_stored(self) -> list[str]:
        return self.screening.already_stored

    @property
    def duplicates(self) -> dict[str, str]:
        return self.screening.duplicates

    @property
    def replaceable(self) -> list[str]:
        """Duplicates of stored INVALID, still SCREENED shipments (``replace_invalid`` would
        have replaced them)."""
        return list(self.screening.replaceable)

    @property
    def replaced(self) -> list[str]:
        """Stored INVALID shipments replaced by the file's version (also in ``stored``)."""
        return list(self.screening.replaced)


class _Relock(Exception):
    def __init__(self, names: set[str]) -> None:
        self.names = names


class _Retry(Exception):
    """A stored shipment changed under us (another writer moved its status): start again."""


def _insert(session: Session, model: Any, rows: pl.DataFrame | list[dict[str, Any]]) -> None:
    """Bulk insert: one Core executemany per chunk (COPY on PostgreSQL for large sets).

    A frame holds database values already (``bulk.write_frame``); dicts hold Python values.
    """
    if len(rows) == 0:
        return
    if isinstance(rows, pl.DataFrame):
        from ace321.storage.bulk import write_frame

        write_frame(session, model.__table__, rows, copy_from=COPY_FROM)
        return
    if session.get_bind().dialect.name == "postgresql" and len(rows) >= COPY_FROM:
        from ace321.storage.bulk import copy_rows

        copy_rows(session, model.__table__, rows)
        return
    from ace321.storage.bulk import insert_rows

    insert_rows(session, model.__table__, rows, chunk=_INSERT_CHUNK)


def ingest(
    db: Database,
    frame: pl.DataFrame,
    *,
    rules: RuleSet,
    batch: BatchInfo,
    actor: str,
    now: dt.datetime,
    default_arrival: dt.date | None = None,
    rates: pl.DataFrame | None = None,
    hts: pl.Series | None = None,
    tenant: str = "default",
    within: Callable[[Session, IngestReport], None] | None = None,
    replace_invalid: bool = False,
) -> IngestReport:
    """Screen ``frame`` against the stored history and store it in one transaction.

    ``within``, if given, is called with the session and the report before the commit: its
    writes join the batch's transaction, and an exception it raises rolls everything back.

    ``replace_invalid``: a shipment stored with other content is normally
    ``DUPLICATE_SHIPMENT``; with this it replaces the stored one when that one's decision is
    INVALID and it is still SCREENED (never manifested). The stored shipment keeps its id and
    its decision and status history; its lines and parties are replaced, it gets a new
    decision, and the audit event ``replace`` (entity ``shipment``) records the content before and after.
    """
    timings = Timings()
    with timings.stage("prepare"):
        prepared = prepare(frame, default_arrival)
    own_locks: dict[int, set[str]] = {}
    locks: set[str] = set()
    last_error: Exception | None = None
    for attempt in range(MAX_ATTEMPTS):
        if attempt >= ESCALATE_AFTER:
            locks.add("*")  # keep losing the race: lock everything for this batch
        try:
            with db.transaction() as session:
                with timings.stage("locks"):
                    tenant_pk = tenant_id(session, tenant)
                    if tenant_pk not in own_locks:
                        own_locks[tenant_pk] = lock_names_for(tenant_pk, prepared.shipments)
                    locks = lock_names(session, locks | own_locks[tenant_pk])
                screening = screen_with_history(
                    prepared.frame, session, rules, default_arrival=default_arrival,
                    rates=rates, hts=hts, tenant=tenant, prepared=prepared, timings=timings,
                    own_locks=own_locks[tenant_pk], replace_invalid=replace_invalid)
                refused = unstorable(screening.result.issues)
                if refused.height:
                    raise UnstorableBatch(refused.to_dicts())
                if "*" not in locks and not screening.lock_names <= locks:
                    raise _Relock(screening.lock_names - locks)
                report = _store(session, tenant_pk, screening, rules=rules, batch=batch,
                                actor=actor, now=now, rates=rates, timings=timings)
                if within is not None:
                    within(session, report)
                committing = time.perf_counter()
            timings["commit"] = time.perf_counter() - committing
            return report
        except _Relock as relock:
            locks |= relock.names
        except _Retry as retry:
            last_error = retry
        except IntegrityError as error:
            # Another writer stored one of these shipments first: screen again with it.
            last_error = error
        except StorageValueError as error:
            raise StorageError(f"cannot store the batch: {error}") from error
        except StatementError as error:
            # A value the database cannot hold (e.g. numeric overflow): nothing was stored.
            cause = error.orig if error.orig is not None else error
            raise StorageError(f"cannot store the batch: {cause}".splitlines()[0]) from error
    raise StorageError(f"could not store the batch after {MAX_ATTEMPTS} attempts: {last_error}")


def _uuids(count: int) -> pl.Series:
    """``count`` random version-4 UUIDs as 32 hex digits (how a ``Uuid`` column stores them on
    SQLite; PostgreSQL reads the form too), in ascending order.

    Sorted so that one batch's keys go into the primary-key and foreign-key indexes in order:
    random keys in file order touch a different index page with every row, which is what made
    large batches slow down more than linearly.
    """
    digits = os.urandom(16 * count).hex()
    raw = pl.Series([digits[start:start + 32] for start in range(0, 32 * count, 32)],
                    dtype=pl.String)
    variant = {f"{n:x}": "89ab"[n & 3] for n in range(16)}
    return pl.DataFrame({"u": raw}).select(pl.concat_str(
        pl.col("u").str.slice(0, 12), pl.lit("4"), pl.col("u").str.slice(13, 3),
        pl.col("u").str.slice(16, 1).replace_strict(variant), pl.col("u").str.slice(17, 15),
    ).sort())["u"]


def _money(values: pl.Series, column: Any, dialect: Any) -> pl.Series:
    """Decimal text for a ``Money`` column, as its bind processor gives it (and refused, with
    ``StorageValueError``, where it would refuse).

    A Polars decimal that fits the column is cast (its text is what the processor writes);
    anything else goes through the processor once per distinct value.
    """
    money = column.type
    dtype = values.dtype
    if (isinstance(dtype, pl.Decimal) and dtype.scale is not None and dtype.precision is not None
            and dtype.scale <= money.scale
            and dtype.precision - dtype.scale <= money.precision - money.scale):
        return values.cast(pl.String)
    mapping: dict[Any, str | None] = {}
    for value in values.drop_nulls().unique().to_list():
        processed = money.process_bind_param(value, dialect)
        mapping[value] = processed if isinstance(processed, str) or processed is None else format(
            processed, "f")
    return values.replace_strict(mapping, default=None, return_dtype=pl.String)


def _prices(values: pl.Series, column: Any, dialect: Any) -> pl.Series:
    """``unit_price`` as a decimal where the text is a plain price, else NULL."""
    money = column.type
    mapping: dict[str, str | None] = {}
    for text_value in values.drop_nulls().unique().to_list():
        if not _PRICE.match(text_value):
            mapping[text_value] = None
            continue
        processed = money.process_bind_param(Decimal(text_value), dialect)
        mapping[text_value] = processed if isinstance(processed, str) else format(processed, "f")
    return values.replace_strict(mapping, default=None, return_dtype=pl.String)


def _line_rates(lines: pl.DataFrame, rates: pl.DataFrame | None) -> pl.Series:
    """The USD rate each line used (null for USD lines and where no rate applies)."""
    if rates is None or rates.is_empty():
        return pl.Series("usd_rate", [None] * lines.height, dtype=pl.String)
    from ace321.intake.rates import rate_lookup

    pairs = lines.select(
        pl.col("currency").str.to_uppercase().alias("currency"),
        date_expr(pl.col("arrival_date")).alias("arrival_date"),
    )
    found = rate_lookup(rates, pairs)
    return found.select(pl.when(pl.col("currency") == "USD").then(None).otherwise(
        pl.col("usd_per_unit")).alias("usd_rate"))["usd_rate"]


@dataclass
class _Rows:
    """The new shipments' rows per table, every value as the database stores it."""

    shipments: pl.DataFrame
    parties: pl.DataFrame
    lines: pl.DataFrame
    decisions: pl.DataFrame
    reasons: pl.DataFrame
    statuses: pl.DataFrame
    audit: list[audit.Serialized]


def _new_rows(session: Session, tenant_pk: int, screening: HistoryScreening, *,
              rules: RuleSet, batch: BatchInfo, batch_id: uuid.UUID, actor: str,
              now: dt.datetime, rates: pl.DataFrame | None) -> _Rows:
    """Every row of the new (and replacing) shipments, built column by column with Polars."""
    seqs = {shipment_id: next_seq(session, row.id)
            for shipment_id, row in screening.replaced.items()}
    dialect = session.get_bind().dialect
    stamp = Stamp._cached_bind_processor(dialect)(now) if dialect.name == "sqlite" else (
        now.isoformat())
    new_ids = pl.Series("shipment_id", screening.new_ids, dtype=pl.String)
    lines = screening.prepared.frame.filter(pl.col("shipment_id").is_in(new_ids.implode()))
    heads = lines.group_by("shipment_id", maintain_order=True).agg(
        *(pl.col(name).first() for name in HEADER_FIELDS if name != "shipment_id"),
        pl.len().cast(pl.Int64).alias("line_count"),
    )
    heads = heads.with_columns(_uuids(heads.height).alias("pk"))
    if screening.replaced:
        # A replaced shipment keeps its stored id (its decision and status history hang on it).
        heads = heads.with_columns(pl.col("shipment_id").replace_strict(
            {shipment_id: row.id.hex for shipment_id, row in screening.replaced.items()},
            default=pl.col("pk"), return_dtype=pl.String).alias("pk"))
    result = screening.result.shipments.select(
        "shipment_id", "consignee_key", "value", "value_usd", "decision", "ace_shipment_type",
        "reasons", "issues", pl.col("arrival_date").cast(pl.String).alias("_arrival"),
    )
    ship = heads.join(
        screening.prepared.shipments.select("shipment_id", "arrival", "name_key", "phone_e164",
                                            "content_hash"),
        on="shipment_id", how="left", maintain_order="left",
    ).join(result, on="shipment_id", how="left", maintain_order="left")
    ship = ship.with_columns(
        _money(ship["value"], Shipment.__table__.c.value_usd, dialect).alias("_value"),
        _uuids(ship.height).alias("_decision"),
    )
    count = ship.height
    shipments = ship.select(
        pl.col("pk").alias("id"), pl.lit(tenant_pk, pl.Int64).alias("tenant_id"),
        pl.lit(batch_id.hex).alias("batch_id"), "shipment_id", "order_id",
        pl.col("arrival_date").alias("arrival_text"),
        pl.col("arrival").cast(pl.String).alias("arrival_date"),
        pl.col("is_gift").alias("is_gift_text"), "scn", "consignee_name", "name_key",
        "phone_e164", "consignee_key", "line_count", pl.col("_value").alias("value_usd"),
        pl.col("decision").alias("rules_decision"),
        pl.lit(None, pl.String).alias("override_decision"), "decision",
        "ace_shipment_type",
        pl.lit("SCREENED").alias("status"), pl.lit(rules.version).alias("rules_version"),
        "content_hash", pl.lit(stamp).alias("created_at"), pl.lit(stamp).alias("updated_at"),
    )
    parties = pl.concat([
        ship.select(
            pl.col("pk").alias("shipment_pk"), pl.lit(role).alias("role"),
            *((pl.col(f"{role}_{name}") if f"{role}_{name}" in HEADER_FIELDS else
               pl.lit(None, pl.String)).alias(name) for name in PARTY_FIELDS),
            pl.int_range(pl.len()).alias("_shipment"), pl.lit(position).alias("_role"),
        ) for position, role in enumerate(("shipper", "consignee"))
    ]).sort("_shipment", "_role").drop("_shipment", "_role")
    lines = _line_rows(dialect, lines, heads, rates)
    issues = pl.Series("issues", ["[]"] * count, dtype=pl.String)
    with_issues = ship.with_row_index("_index").filter(pl.col("issues").list.len() > 0)
    if not with_issues.is_empty():
        issues = issues.scatter(with_issues["_index"].to_list(), [
            json.dumps(value, sort_keys=True) for value in with_issues["issues"].to_list()])
    decisions = ship.select(
        pl.col("_decision").alias("id"), pl.col("pk").alias("shipment_pk"),
        pl.col("shipment_id").replace_strict(seqs, default=1, return_dtype=pl.Int64)
        .alias("seq"), pl.lit("IMPORT").alias("cause"), "decision",
        pl.col("decision").alias("rules_decision"),
        ace_shipment_type_expr(pl.col("decision")).alias("ace_shipment_type"),
        pl.col("_value").alias("value_usd"), "consignee_key",
        pl.lit(rules.version).alias("rules_version"), pl.lit(None, pl.String).alias("caused_by"),
        pl.lit(f"batch {batch.name}").alias("note"), pl.lit(issues).alias("issues"),
        pl.lit(actor).alias("actor"), pl.lit(stamp).alias("decided_at"),
    )
    reasons = ship.select(pl.col("_decision").alias("decision_id"), "reasons").explode(
        "reasons").drop_nulls("reasons").with_columns(
        pl.int_range(pl.len()).over("decision_id").cast(pl.Int64).alias("position"),
    ).unnest("reasons").select("decision_id", "position", "code", "message", "reference")
    replacing = pl.col("shipment_id").is_in(list(screening.replaced))
    statuses = ship.select(
        pl.col("pk").alias("shipment_pk"),
        pl.when(replacing).then(pl.lit("SCREENED")).otherwise(pl.lit(None, pl.String))
        .alias("from_status"),
        pl.lit("SCREENED").alias("to_status"), pl.lit(stamp).alias("changed_at"),
        pl.lit(actor).alias("actor"),
        pl.when(replacing).then(pl.lit(f"replaced by its version in batch {batch.name}"))
        .otherwise(pl.lit(f"imported in batch {batch.name}")).alias("cause"),
    )
    events: list[audit.Serialized] = [(
        "import", "batch", str(batch_id), None, audit.canonical_json(audit.normalized({
            "name": batch.name, "sha256": batch.sha256, "rows": batch.row_count,
            "stored": sorted(screening.new_ids), "already_stored": screening.already_stored,
            "duplicates": sorted(screening.duplicates),
            **({"replaced": sorted(screening.replaced)} if screening.replaced else {})})),
        rules.version)]
    views = ship.select(
        "shipment_id", "decision", "value_usd", "consignee_key", "_arrival",
        pl.col("reasons").list.eval(pl.element().struct.field("code")).alias("_reasons"),
        pl.col("issues").list.eval(pl.element().struct.field("code")).alias("_issues"),
    )
    batch_text = str(batch_id)
    written = audit.decision_json
    version = rules.version
    # Only str, None and lists of str: the canonical text is already its normalised text.
    for shipment_id, decision, value_usd, consignee_key, arrival, reason_codes, issue_codes in (
            zip(*(views[name].to_list() for name in views.columns), strict=True)):
        events.append(("decision", "shipment", shipment_id, None, written(
            decision=decision, status="SCREENED", value_usd=value_usd,
            consignee_key=consignee_key, arrival_date=arrival, reasons=reason_codes or [],
            issues=issue_codes or [], batch=batch_text), version))
    return _Rows(shipments, parties, lines, decisions, reasons, statuses, events)


def _line_rows(dialect: Any, lines: pl.DataFrame, heads: pl.DataFrame,
               rates: pl.DataFrame | None) -> pl.DataFrame:
    table = ShipmentLine.__table__
    first = {name: pl.col(name).first().over("shipment_id") for name in HEADER_FIELDS}
    lines = lines.join(heads.select("shipment_id", "pk"), on="shipment_id", how="left",
                       maintain_order="left").with_columns(
        pl.int_range(pl.len()).over("shipment_id").cast(pl.Int64).alias("line_no"),
        pl.any_horizontal(pl.col(name).ne_missing(first[name]) for name in HEADER_FIELDS)
        .alias("_differs"),
    )
    rate = _line_rates(lines, rates)
    differing = pl.Series("differing", [None] * lines.height, dtype=pl.String)
    odd = lines.with_row_index("_index").filter(pl.col("_differs"))
    if not odd.is_empty():
        # Lines that disagree with their shipment's first line are rare: plain Python is fine.
        head_values = {row["shipment_id"]: row for row in records(heads, HEADER_FIELDS)}
        texts = []
        for row in records(odd, ["_index", *HEADER_FIELDS]):
            head = head_values[row["shipment_id"]]
            texts.append(json.dumps({name: row[name] for name in HEADER_FIELDS
                                     if row[name] != head[name]}, sort_keys=True))
        differing = differing.scatter(odd["_index"].to_list(), texts)
    return lines.select(
        pl.col("pk").alias("shipment_pk"), "line_no", pl.col(columns.ROW).alias("source_row"),
        *(name for name in LINE_FIELDS if name != "unit_price"),
        pl.col("unit_price").alias("unit_price_text"),
        _prices(lines["unit_price"], table.c.unit_price, dialect).alias("unit_price"),
        _money(rate, table.c.usd_rate, dialect).alias("usd_rate"),
        differing,
    )


def _store(session: Session, tenant_pk: int, screening: HistoryScreening, *, rules: RuleSet,
           batch: BatchInfo, actor: str, now: dt.datetime, rates: pl.DataFrame | None,
           timings: Timings) -> IngestReport:
    batch_id = uuid.uuid4()
    session.execute(insert(Batch), [{
        "id": batch_id, "tenant_id": tenant_pk, "name": batch.name, "sha256": batch.sha256,
        "row_count": batch.row_count, "shipment_count": len(screening.new_ids),
        "imported_at": now, "actor": actor, "rules_version": rules.version,
    }])
    with timings.stage("rows"):
        rows = _new_rows(session, tenant_pk, screening, rules=rules, batch=batch,
                         batch_id=batch_id, actor=actor, now=now, rates=rates)
    if session.get_bind().dialect.name == "sqlite" and rows.lines.height >= ANALYZE_FROM:
        # SQLite's default page cache (2 MB) is far smaller than the person-day indexes a large
        # batch writes into at random places; a larger cache for this transaction only.
        session.execute(text(f"PRAGMA cache_size=-{SQLITE_CACHE_KIB}"))
    shipments = rows.shipments
    if screening.replaced:
        with timings.stage("replace"):
            shipments = _replace(session, screening, rows, batch_id=batch_id, rules=rules)
    for model, frame in ((Shipment, shipments), (Party, rows.parties),
                         (ShipmentLine, rows.lines)):
        with timings.stage(f"insert {model.__tablename__}"):
            _insert(session, model, frame)
    decisions: list[dict[str, Any]] = []
    reasons: list[dict[str, Any]] = []
    entries: list[audit.Entry] = []
    with timings.stage("rescreen"):
        _rescreen(session, screening.changes, rules, actor, now, decisions, reasons, entries)
    for model, frame, extra in ((Decision, rows.decisions, decisions),
                                (DecisionReason, rows.reasons, reasons),
                                (StatusChange, rows.statuses, [])):
        with timings.stage(f"insert {model.__tablename__}"):
            _insert(session, model, frame)
            _insert(session, model, extra)
    with timings.stage("costs"):
        from ace321.storage.costs import store_costs

        # A stored shipment made stricter by this file is re-estimated with it, as it is re-decided.
        rescreened = pl.DataFrame(
            {"shipment_id": [c.shipment_id for c in screening.changes],
             "id": [c.pk.hex for c in screening.changes]},
            schema={"shipment_id": pl.String, "id": pl.String})
        store_costs(session, rows.shipments.select("shipment_id", "id"), screening.result, rules)
        store_costs(session, rescreened, screening.combined, rules)
    with timings.stage("audit"):
        audit.append_serialized(session, tenant_id=tenant_pk, actor=actor, at=now, events=[
            *rows.audit, *audit.serialized(entries)])
    if (session.get_bind().dialect.name == "postgresql"
            and rows.lines.height >= ANALYZE_FROM):
        with timings.stage("analyze"):
            # Fresh planner statistics: without them the next history look-ups of a table that
            # just grew by a bulk load get nested-loop plans that are orders of magnitude slower.
            session.execute(text("ANALYZE shipments, shipment_lines, parties, decisions"))
    return IngestReport(batch_id, screening, stored=list(screening.new_ids),
                        rescreened=list(screening.changes), timings=timings)


def _replace(session: Session, screening: HistoryScreening, rows: _Rows, *,
             batch_id: uuid.UUID, rules: RuleSet) -> pl.DataFrame:
    """Turn the stored INVALID shipments the file replaces into the file's version, in place.

    Their lines and parties are deleted (the new ones are inserted with the others), their
    shipment row is updated from the new row, and ``replace`` (entity ``shipment``) records the stored
    content (its canonical lines) and the new one. Returns the shipment rows left to insert.
    """
    replaced = screening.replaced
    pks = [row.id for row in replaced.values()]
    before, _ = canonical_rows(session, pks)
    old_lines: dict[str, list[dict[str, Any]]] = {}
    for line in records(before, columns.ALL):
        old_lines.setdefault(line["shipment_id"], []).append(line)
    session.execute(delete(ShipmentLine).where(ShipmentLine.shipment_pk.in_(pks)))
    session.execute(delete(Party).where(Party.shipment_pk.in_(pks)))
    ids = pl.col("shipment_id").is_in(list(replaced))
    updates = rows.shipments.filter(ids).drop("tenant_id", "created_at")
    connection = session.connection()
    marker = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    names = [name for name in updates.columns if name not in ("id", "shipment_id")]
    sql = (f"UPDATE shipments SET {', '.join(f'{name} = {marker}' for name in names)} "
           f"WHERE id = {marker} AND status = 'SCREENED' AND decision = 'INVALID'")
    after = {row["shipment_id"]: row for row in records(
        screening.result.shipments.filter(ids), ["shipment_id", "decision", "reasons", "issues"])}
    for row in updates.iter_rows(named=True):
        changed = connection.exec_driver_sql(sql, tuple([*(row[n] for n in names), row["id"]]))
        if changed.rowcount != 1:
            raise _Retry(f"shipment {row['shipment_id']} changed meanwhile")
        stored, new = replaced[row["shipment_id"]], after[row["shipment_id"]]
        rows.audit.append(("replace", "shipment", row["shipment_id"], audit.canonical_json(
            audit.normalized({
                "batch": str(stored.batch_id), "content_hash": stored.content_hash,
                "decision": stored.decision, "status": stored.status,
                "lines": old_lines.get(row["shipment_id"], [])})),
            audit.canonical_json(audit.normalized({
                "batch": str(batch_id), "content_hash": row["content_hash"],
                "decision": new["decision"], "status": "SCREENED",
                "reasons": [reason["code"] for reason in new["reasons"] or []],
                "issues": [issue["code"] for issue in new["issues"] or []]})),
            rules.version))
    return rows.shipments.filter(~ids)


def _rescreen(session: Session, changes: list[Change], rules: RuleSet, actor: str,
              now: dt.datetime, decisions: list[dict[str, Any]], reasons: list[dict[str, Any]],
              entries: list[audit.Entry]) -> None:
    for change in changes:
        row = change.row
        changed = session.execute(update(Shipment).where(
            Shipment.id == change.pk, Shipment.status == "SCREENED").values(
            rules_decision=change.rules_decision, decision=change.after,
            ace_shipment_type=stored_type(change.after),
            consignee_key=row["consignee_key"], value_usd=row["value"],
            rules_version=rules.version, updated_at=now))
        if changed.rowcount != 1:  # type: ignore[attr-defined]
            raise _Retry(f"shipment {change.shipment_id} changed status meanwhile")
        decision_id = uuid.uuid4()
        cause = ", ".join(change.caused_by) or None
        decisions.append(_decision(decision_id, change.pk, "RESCREEN", row, change.after, rules,
                                   actor, now, caused_by=cause, seq=next_seq(session, change.pk),
                                   note=f"re-screened with shipment(s) {cause}" if cause else
                                   "re-screened"))
        reasons.extend(_reasons(decision_id, row))
        entries.append(audit.Entry(
            "rescreen", "shipment", change.shipment_id,
            before={"decision": change.before, "status": change.status},
            after={**_decision_view(row, change.after, change.status),
                   "caused_by": change.caused_by},
            rules_version=rules.version))


def next_seq(session: Session, pk: uuid.UUID) -> int:
    """The next decision number of a stored shipment."""
    last = session.execute(select(func.max(Decision.seq)).where(Decision.shipment_pk == pk))
    return int(last.scalar_one() or 0) + 1


def _decision(decision_id: uuid.UUID, pk: uuid.UUID, cause: str, row: dict[str, Any],
              effective: str, rules: RuleSet, actor: str, now: dt.datetime, *,
              caused_by: str | None, note: str | None, seq: int = 1) -> dict[str, Any]:
    return {
        "id": decision_id, "shipment_pk": pk, "seq": seq, "cause": cause, "decision": effective,
        "rules_decision": row["decision"],
        "ace_shipment_type": stored_type(effective),
        "value_usd": row["value"], "consignee_key": row["consignee_key"],
        "rules_version": rules.version, "caused_by": caused_by, "note": note,
        "issues": json.dumps(row["issues"] or [], sort_keys=True), "actor": actor,
        "decided_at": now,
    }


def _reasons(decision_id: uuid.UUID, row: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"decision_id": decision_id, "position": index, "code": reason["code"],
             "message": reason["message"], "reference": reason["reference"]}
            for index, reason in enumerate(row["reasons"] or [])]


def _decision_view(row: dict[str, Any], effective: str, status: str, **extra: Any
                   ) -> dict[str, Any]:
    return {
        "decision": effective, "rules_decision": row["decision"], "status": status,
        "value_usd": row["value_usd"], "consignee_key": row["consignee_key"],
        "arrival_date": None if row["arrival_date"] is None else str(row["arrival_date"]),
        "reasons": [reason["code"] for reason in row["reasons"] or []],
        "issues": [issue["code"] for issue in row["issues"] or []],
        **extra,
    }
