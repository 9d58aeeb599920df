"""Storage commands: ``db upgrade``, ``ingest``, ``shipments ...`` and ``audit ...``.

The clock is read here (``now()``), never in ``ace321.storage``.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ace321.cli import console as ui
from ace321.cli.console import Col, OutputTable

err = ui.console(stderr=True)
TENANT = "default"
"""The tenant the CLI reads and writes."""
DbOption = Annotated[str | None, typer.Option(
    "--db", help="Database URL (default: ACE321_DATABASE_URL, else sqlite file ./ace321.db).")]
ActorOption = Annotated[str | None, typer.Option(
    help="Who does this (default: ACE321_ACTOR, else the login name).")]

db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
shipments_app = typer.Typer(help="Stored shipments: list, show, explain, override, status.",
                            no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail: verify the keyed chain, anchor it, export events.",
                        no_args_is_help=True)


class IngestFormat(StrEnum):
    table = "table"
    json = "json"
    summary = "summary"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _fail(message: str, code: int = 2) -> typer.Exit:
    ui.error(message)
    return typer.Exit(code)


def _actor(actor: str | None) -> str:
    if actor:
        return actor
    if os.environ.get("ACE321_ACTOR"):
        return os.environ["ACE321_ACTOR"]
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _fail(f"{option} {text!r}: not a date in YYYY-MM-DD form") from None


def _open(db: str | None) -> Any:
    from ace321.storage import Database, StorageError

    try:
        return Database.open(db)
    except StorageError as error:
        raise _fail(str(error)) from None
    except Exception as error:  # unreachable server, bad URL, ...
        raise _fail(f"database: {type(error).__name__}: {error}") from None


def _rules() -> Any:
    from ace321.rules import RuleError, load_rules

    try:
        return load_rules()
    except RuleError as error:
        raise _fail(f"rules: {error}") from None


def _print_json(document: Any) -> None:
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, default=str) + "\n")


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None,
               revision: Annotated[str, typer.Option(help="Target revision.")] = "head") -> None:
    """Create or migrate the database schema to the newest revision."""
    from ace321.storage.database import create_db_engine, resolve_url, upgrade

    url = resolve_url(db)
    engine = create_db_engine(url)
    try:
        reached = upgrade(engine, revision)
    except Exception as error:
        raise _fail(f"database: {type(error).__name__}: {error}") from None
    finally:
        engine.dispose()
    ui.say(f"database {engine.url.render_as_string(hide_password=True)} is at revision {reached}")


def ingest_command(
    orders: Annotated[Path, typer.Argument(help="Order file: canonical CSV, Shopify export CSV or JSON.")],
    arrival: Annotated[str | None, typer.Option(help="Arrival date (YYYY-MM-DD) for rows without one.")] = None,
    rates: Annotated[Path | None, typer.Option(help="Exchange rates CSV: date,currency,usd_per_unit.")] = None,
    hts: Annotated[Path | None, typer.Option(help="USITC HTS CSV export; codes are checked against it.")] = None,
    catalog: Annotated[Path | None, typer.Option(help="Product catalog for Shopify exports.")] = None,
    db: DbOption = None,
    actor: ActorOption = None,
    format: Annotated[IngestFormat, typer.Option("--format", "-f", help="Console output.")] = IngestFormat.table,
    replace_invalid: Annotated[bool, typer.Option(
        "--replace-invalid",
        help="Replace a stored shipment with the file's corrected version when the stored one "
             "is INVALID and still SCREENED (never manifested), instead of reporting "
             "DUPLICATE_SHIPMENT.")] = False,
) -> None:
    """Screen ORDERS against the stored history and store them (one transaction per file)."""
    from ace321.app.errors import AppError
    from ace321.app.ingest import BatchInfo, ingest_batch
    from ace321.intake import UnusableInput, read_orders

    default_arrival = _date(arrival, "--arrival")
    rules = _rules()
    try:
        frame = read_orders(orders, catalog=catalog)
        rate_table = hts_codes = None
        if rates is not None:
            from ace321.intake.rates import read_rates

            rate_table = read_rates(rates)
        if hts is not None:
            from ace321.intake.hts_table import known_codes, read_hts_table

            hts_codes = known_codes(read_hts_table(hts))
        digest = hashlib.sha256(orders.read_bytes()).hexdigest()
    except UnusableInput as error:
        raise _fail(str(error)) from None
    database = _open(db)
    try:
        batch = ingest_batch(database, frame, rules=rules,
                             source=BatchInfo(orders.name, digest, frame.height),
                             tenant=TENANT, actor=_actor(actor), now=now(),
                             as_of=default_arrival, rates=rate_table, hts=hts_codes,
                             replace_invalid=replace_invalid)
    except AppError as error:
        raise _fail(f"{orders}: nothing stored: {error.message}") from None
    except Exception as error:
        raise _fail(f"{orders}: nothing stored: {type(error).__name__}: {error}") from None
    finally:
        database.close()
    rescreened = batch.rescreened()
    failed = batch.invalid or bool(batch.report.duplicates)
    if format is IngestFormat.summary:
        # Counts only: a table of a million-line file's shipments takes minutes to print.
        from ace321.cli import output as out

        console = ui.console()
        out.print_summary(batch.report.result, console)
        _print_storage_counts(console, batch.report, rescreened)
        raise typer.Exit(1 if failed else 0)
    records = batch.records()
    if format is IngestFormat.json:
        _print_json({"batch_id": batch.batch_id, "rules_version": batch.rules_version,
                     "summary": batch.counts(), "shipments": records,
                     "rescreened": rescreened})
    else:
        console = ui.console()
        table = OutputTable(f"Batch {orders.name} (rules {batch.rules_version})", [
            "shipment", "arrival", Col("value USD", right=True), "decision", "storage",
            Col("notes", text=True)])
        for record in records:
            notes = "; ".join(f"{i['code']}: {i['message']}" for i in record["issues"]
                              if i["code"] in ("EARLIER_SHIPMENT_AT_RISK", "DUPLICATE_SHIPMENT"))
            table.add_row(record["shipment_id"], str(record["arrival_date"]),
                          record["value_usd"] or "", record["decision"], record["storage"] or "",
                          notes)
        console.print(table)
        _print_storage_counts(console, batch.report, rescreened)
    raise typer.Exit(1 if failed else 0)


def _print_storage_counts(console: Console, report: Any, rescreened: list[dict[str, Any]]) -> None:
    for change in rescreened:
        console.print(f"re-screened {change['shipment_id']}: {change['before']} -> "
                      f"{change['after']} (caused by {', '.join(change['caused_by']) or '-'})",
                      soft_wrap=True)
    replaced = f" ({len(report.replaced)} replacing INVALID ones)" if report.replaced else ""
    console.print(f"{len(report.stored)} stored{replaced}, {len(report.already_stored)} "
                  f"already stored, {len(report.duplicates)} duplicate(s), "
                  f"{len(rescreened)} re-screened", soft_wrap=True)


@shipments_app.command("list")
def shipments_list(
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    decision: Annotated[str | None, typer.Option(help="Only this decision.")] = None,
    arrival_date: Annotated[str | None, typer.Option(help="Only this arrival date (YYYY-MM-DD).")] = None,
    consignee: Annotated[str | None, typer.Option(help="Consignee key or name (substring) or E.164 phone.")] = None,
    risk: Annotated[str | None, typer.Option("--risk", help="Only this risk band: low, medium or high.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """List stored shipments."""
    from ace321.app.shipments import list_shipments

    day = _date(arrival_date, "--arrival-date")
    if risk is not None and risk.lower() not in ("low", "medium", "high"):
        raise _fail(f"--risk {risk!r}: not a band (low, medium or high)")
    rows = _storage_call(db, lambda database: list_shipments(
        database, tenant=TENANT, status=status, decision=decision, arrival_date=day,
        consignee=consignee, risk_band=risk))
    if as_json:
        _print_json(rows)
        return
    table = OutputTable(f"{len(rows)} shipment(s)", [
        "shipment", "order", "arrival", Col("consignee", text=True), Col("value USD", right=True),
        "decision", "status", Col("risk", right=True)])
    for r in rows:
        risk_text = "" if r["risk_score"] is None else f"{r['risk_score']} {r['risk_band']}"
        table.add_row(r["shipment_id"], r["order_id"] or "", r["arrival_date"] or "",
                      r["consignee_key"] or "", r["value_usd"] or "", r["decision"], r["status"],
                      risk_text)
    ui.console().print(table)


def _storage_call(db: str | None, action: Any) -> Any:
    """``action(database)``; a refusal (``AppError``, ``StorageError``) exits 1 with its message."""
    from ace321.app.errors import AppError
    from ace321.storage import StorageError

    database = _open(db)
    try:
        return action(database)
    except AppError as error:
        raise _fail(error.message, 1) from None
    except StorageError as error:
        raise _fail(str(error), 1) from None
    finally:
        database.close()


@shipments_app.command("show")
def shipments_show(shipment_id: str, db: DbOption = None) -> None:
    """Show a stored shipment (JSON): parties, lines, decisions with reasons, status history."""
    from ace321.app.shipments import show_shipment

    _print_json(_storage_call(db, lambda database: show_shipment(
        database, tenant=TENANT, shipment_id=shipment_id)))


@shipments_app.command("override")
def shipments_override(
    shipment_id: str,
    decision: Annotated[str, typer.Option(help="INFORMAL_ENTRY or FORMAL_ENTRY (stricter only).")],
    reason: Annotated[str, typer.Option(help="Why (mandatory).")],
    actor: ActorOption = None,
    db: DbOption = None,
) -> None:
    """Set a stricter entry path by hand (never grants de minimis the rules deny)."""
    from ace321.app.shipments import override_decision

    rules = _rules()
    change = _storage_call(db, lambda database: override_decision(
        database, rules, tenant=TENANT, actor=_actor(actor), now=now(), shipment_id=shipment_id,
        decision=decision, reason=reason))
    ui.say(f"{shipment_id}: {change.before} -> {change.after}")


@shipments_app.command("status")
def shipments_status(
    shipment_id: str,
    to: Annotated[str, typer.Option("--to", help="New status.")],
    cause: Annotated[str, typer.Option(help="Why (mandatory).")],
    actor: ActorOption = None,
    db: DbOption = None,
) -> None:
    """Move a shipment to another status (only along the allowed transitions)."""
    from ace321.app.shipments import change_status

    change = _storage_call(db, lambda database: change_status(
        database, tenant=TENANT, actor=_actor(actor), now=now(), shipment_id=shipment_id,
        to=to, cause=cause))
    ui.say(f"{shipment_id}: {change.before} -> {change.after}")


@shipments_app.command("explain")
def shipments_explain(
    shipment_id: str,
    rates: Annotated[Path | None, typer.Option(help="Exchange rates CSV (stored rates are used otherwise).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    db: DbOption = None,
) -> None:
    """Screen a stored shipment again and compare with its stored decision (exit 1 if it differs)."""
    from ace321.app.shipments import explain_shipment

    rules = _rules()
    rate_table = None
    if rates is not None:
        from ace321.intake import UnusableInput
        from ace321.intake.rates import read_rates

        try:
            rate_table = read_rates(rates)
        except UnusableInput as error:
            raise _fail(str(error)) from None

    result = _storage_call(db, lambda database: explain_shipment(
        database, rules, tenant=TENANT, shipment_id=shipment_id, rates=rate_table))
    if as_json:
        _print_json(result.to_dict())
    else:
        console = ui.console()
        console.print(f"shipment {shipment_id}", soft_wrap=True)
        console.print(f"  stored:  {result.stored_decision} {' '.join(result.stored_codes)} "
                      f"(rules {result.stored_rules_version})", soft_wrap=True)
        console.print(f"  current: {result.current_decision} {' '.join(result.current_codes)} "
                      f"(rules {result.current_rules_version})", soft_wrap=True)
        if result.context:
            console.print(f"  screened with: {', '.join(result.context)}", soft_wrap=True)
        for reason in result.reasons:
            console.print(f"  {reason['code']}: {reason['message']} [{reason['reference']}]",
                          soft_wrap=True)
        if result.risk is not None:
            console.print(f"  risk: {result.risk['score']} {result.risk['band']} (advice; "
                          f"model {result.risk['rules_version']})", soft_wrap=True)
            for signal in result.risk["signals"]:
                console.print(f"    {signal['code']} +{signal['weight']}: {signal['message']} "
                              f"[{signal['reference']}]", soft_wrap=True)
        console.print("  same result" if result.same else "  DIFFERENT result", soft_wrap=True)
        _print_costs(console, result.costs)
    raise typer.Exit(0 if result.same else 1)


def _print_costs(console: Console, costs: dict[str, Any] | None) -> None:
    """The current cost estimate: each line's rate line, column and measures, the fee rule."""
    if costs is None:
        return
    console.print(f"  costs ({costs['hts_revision']}, {costs['fiscal_year']}): entry type "
                  f"{costs['entry_type'] or '-'}, duty {costs['duty_usd'] or '-'}, MPF "
                  f"{costs['mpf_usd'] or '-'}, total {costs['total_usd'] or '-'} USD", soft_wrap=True)
    for line in costs["lines"]:
        console.print(f"    row {line['row']} {line['hts_code']}: rate line {line['rate_line']}, "
                      f"{line['column']} {line['rate_text']!r}, duty {line['duty_usd'] or 'not estimated'}",
                      soft_wrap=True)
        for measure in line["measures"]:
            console.print(f"      {measure['code']} {measure['heading']} +{measure['rate']}: "
                          f"{measure['amount_usd']} [{measure['reference']}]", soft_wrap=True)
        for item in line["not_estimated"]:
            console.print(f"      not estimated {item['code']}: {item['message']}", soft_wrap=True)
    rule = costs.get("mpf_rule")
    if rule:
        console.print(f"    MPF: {rule['rule']} [{rule['reference']}]", soft_wrap=True)
    for warning in costs["warnings"]:
        console.print(f"    {warning['code']}: {warning['message']}", soft_wrap=True)


@audit_app.command("verify")
def audit_verify(
    anchor: Annotated[list[Path] | None, typer.Option(
        "--anchor", help="An anchor file written by `audit anchor --to`: also detect truncation "
                         "and rollback since each anchor in it (repeatable).")] = None,
    db: DbOption = None,
) -> None:
    """Check the keyed hash chain, its head, every shipment's decision and status against its
    audit events, and anchors; name the first bad event (exit 1)."""
    from ace321.storage.audit_verify import read_anchors, verify

    anchors: list[dict[str, Any]] = []
    for path in anchor or []:
        try:
            anchors.extend(read_anchors(path.read_text(encoding="utf-8"), str(path)))
        except (OSError, UnicodeDecodeError) as error:
            raise _fail(f"{path}: cannot read: {error}") from None
        except ValueError as error:
            raise _fail(str(error)) from None

    def action(database: Any) -> Any:
        with database.reading() as session:
            return verify(session, anchors=anchors)

    result = _storage_call(db, action)
    if result.ok:
        checked = f"{result.events} event(s), {result.shipments} shipment(s)"
        if result.anchors:
            checked += f", {result.anchors} anchor(s)"
        legacy = (f"; events 1-{result.legacy_events} predate the key (SHA-256, sealed by "
                  f"event {result.legacy_events + 1})" if result.legacy_events else "")
        ui.say(f"audit chain intact: {checked} (key id {result.key_id}){legacy}")
        return
    for detail in result.details[1:20]:
        ui.say(f"  {detail}", stderr=True)
    raise _fail(f"audit chain broken: {result.problem}", 1)


@audit_app.command("anchor")
def audit_anchor(
    to: Annotated[Path, typer.Option("--to", help="The anchor file to append to (keep it "
                                                  "away from the database).")],
    db: DbOption = None,
) -> None:
    """Verify the chain, then append its head (event count, hash, time, signed with the audit
    key) to an anchor file."""
    from ace321.storage.audit_verify import anchor

    def action(database: Any) -> Any:
        with database.reading() as session:
            return anchor(session, now())

    result, line = _storage_call(db, action)
    if line is None:
        raise _fail(f"audit chain broken, nothing anchored: {result.problem}", 1)
    try:
        with to.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(line, sort_keys=True) + "\n")
    except OSError as error:
        raise _fail(f"{to}: cannot write: {error}") from None
    ui.say(f"anchored {line['events']} event(s), head {line['hash'][:16]}..., at {line['at']} "
           f"to {to}")


@audit_app.command("export")
def audit_export(
    from_: Annotated[str | None, typer.Option("--from", help="First day (YYYY-MM-DD, UTC).")] = None,
    to: Annotated[str | None, typer.Option("--to", help="Last day (YYYY-MM-DD, UTC).")] = None,
    output: Annotated[Path | None, typer.Option(help="Write to this file instead of stdout.")] = None,
    db: DbOption = None,
) -> None:
    """Write audit events as JSON Lines."""
    from ace321.storage import audit

    start, end = _date(from_, "--from"), _date(to, "--to")

    def action(database: Any) -> int:
        with database.reading() as session:
            if output is None:
                return audit.export(session, sys.stdout, start=start, end=end)
            with output.open("w", encoding="utf-8") as handle:
                return audit.export(session, handle, start=start, end=end)

    count = _storage_call(db, action)
    if output is not None:
        ui.say(f"{count} event(s) written to {output}", stderr=True)


def register(app: typer.Typer) -> None:
    """Add the storage commands to the ``ace321`` command."""
    app.add_typer(db_app, name="db")
    app.command("ingest")(ingest_command)
    app.add_typer(shipments_app, name="shipments")
    app.add_typer(audit_app, name="audit")
