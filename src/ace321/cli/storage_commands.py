"""Storage commands: ``db upgrade``, ``ingest``, ``shipments ...`` and ``audit ...``.

Every command that reads or writes stored data works in one tenant (``--tenant``,
``ACE321_TENANT``, default ``default``). Commands that only read, or change what is stored,
refuse a database or tenant that does not exist (exit 2); ``ingest`` creates them.
The clock is read in ``cli.options.now()``, never in ``ace321.storage`` or ``ace321.app``.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from ace321.cli import console as ui
from ace321.cli.console import Col, OutputTable
from ace321.cli.options import (
    DEFAULT_TENANT,
    Access,
    ActorOption,
    ArrivalOption,
    CatalogOption,
    DbOption,
    FormatOption,
    HtsOption,
    JsonAlias,
    RatesOption,
    ShipperOption,
    TableOrJson,
    TenantOption,
    actor_name,
    err,
    fail,
    now,
    open_database,
    opened,
    output_format,
    parse_date,
    read_inputs,
    rules_or_exit,
    vocabulary,
)
from ace321.vocabulary import Decision, OverrideDecision, RiskBand, ShipmentStatus

__all__ = ["ActorOption", "DbOption", "TenantOption", "err", "now"]
_fail = fail
_actor = actor_name
_date = parse_date

db_app = typer.Typer(help="The database: migrations.", no_args_is_help=True)
shipments_app = typer.Typer(help="Stored shipments: list, show, explain, override, status.",
                            no_args_is_help=True)
audit_app = typer.Typer(help="The audit trail (every tenant's events, one keyed chain): verify "
                             "it, anchor it, export events.", no_args_is_help=True)


class IngestFormat(StrEnum):
    table = "table"
    json = "json"
    summary = "summary"


def _open(db: str | None, tenant: str | None = DEFAULT_TENANT, access: Access = Access.READ
          ) -> Any:
    """The database for a command (see ``options.open_database``)."""
    return open_database(db, tenant=tenant, access=access)


_rules = rules_or_exit


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
    arrival: ArrivalOption = None,
    rates: RatesOption = None,
    hts: HtsOption = None,
    catalog: CatalogOption = None,
    shipper: ShipperOption = None,
    db: DbOption = None,
    tenant: TenantOption = DEFAULT_TENANT,
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
    from ace321.app.ingest import ingest_batch

    default_arrival = _date(arrival, "--arrival")
    rules = _rules()
    inputs = read_inputs(orders, catalog=catalog, shipper=shipper, rates=rates, hts=hts)
    assert inputs.batch is not None
    database = _open(db, tenant, Access.CREATE)
    try:
        batch = ingest_batch(database, inputs.frame, rules=rules, source=inputs.batch,
                             tenant=tenant, actor=_actor(actor), now=now(),
                             as_of=default_arrival, rates=inputs.rates, hts=inputs.hts,
                             replace_invalid=replace_invalid)
    except AppError as error:
        raise _fail(f"{orders}: nothing stored: {error.message}") from None
    except Exception as error:
        raise _fail(f"{orders}: nothing stored: {type(error).__name__}: {error}") from None
    finally:
        database.close()
    report = batch.report
    rescreened = batch.rescreened()
    failed = batch.invalid or bool(report.duplicates)
    if format is IngestFormat.summary:
        # Counts only: a table of a million-line file's shipments takes minutes to print.
        from ace321.cli import output as out

        console = ui.console()
        out.print_summary(report.result, console)
        _print_storage_counts(console, report, rescreened, batch.batch_id)
        _print_hints(report, arrival_given=default_arrival is not None)
        raise typer.Exit(1 if failed else 0)
    records = batch.records()
    if format is IngestFormat.json:
        _print_json({"batch_id": batch.batch_id, "tenant": tenant,
                     "rules_version": batch.rules_version, "summary": batch.counts(),
                     "shipments": records, "rescreened": rescreened})
        raise typer.Exit(1 if failed else 0)
    console = ui.console()
    table = OutputTable(f"Batch {orders.name}, id {batch.batch_id or '-'} "
                        f"(tenant {tenant}, rules {batch.rules_version})", [
        "shipment", "arrival", Col("value USD", right=True), "decision", "storage",
        Col("notes", text=True)])
    for record in records:
        table.add_row(record["shipment_id"], str(record["arrival_date"] or ""),
                      record["value_usd"] or "", record["decision"], record["storage"] or "",
                      _notes(record))
    console.print(table)
    _print_storage_counts(console, report, rescreened, batch.batch_id)
    _print_hints(report, arrival_given=default_arrival is not None)
    raise typer.Exit(1 if failed else 0)


# Warnings worth a note in the ingest table beside a decision that is not INVALID.
_NOTED_WARNINGS = ("EARLIER_SHIPMENT_AT_RISK",)


def _notes(record: dict[str, Any]) -> str:
    """What a row of the ingest table needs explained: every error of an INVALID shipment (a
    duplicate included), and the warnings that concern stored shipments."""
    shown = [i for i in record["issues"]
             if i["severity"] == "error" or i["code"] in _NOTED_WARNINGS]
    return "; ".join(f"{i['code']} {i['field']}: {i['message']}" for i in shown)


def _print_storage_counts(console: Console, report: Any, rescreened: list[dict[str, Any]],
                          batch_id: str | None) -> None:
    for change in rescreened:
        console.print(f"re-screened {change['shipment_id']}: {change['before']} -> "
                      f"{change['after']} (caused by {', '.join(change['caused_by']) or '-'})",
                      soft_wrap=True)
    replaced = f" ({len(report.replaced)} replacing INVALID ones)" if report.replaced else ""
    console.print(f"{len(report.stored)} stored{replaced}, {len(report.already_stored)} "
                  f"already stored, {len(report.duplicates)} duplicate(s), "
                  f"{len(rescreened)} re-screened", soft_wrap=True)
    if batch_id is not None and report.stored:
        console.print(f"batch id {batch_id} (file its shipments with `ace321 manifest --batch "
                      f"{batch_id} --trip TRIP --out DIR`)", soft_wrap=True)


def _print_hints(report: Any, *, arrival_given: bool) -> None:
    """How to recover from the usual mistakes, on stderr: a file without arrival dates, and
    its corrected version refused as duplicates of the INVALID shipments stored from it."""
    if report.replaceable:
        ui.say(f"hint: {len(report.replaceable)} duplicate(s) are stored INVALID shipments "
               "not yet manifested: run the same command again with --replace-invalid to "
               "store this file's version in their place", stderr=True)
    undated = _missing_arrival(report.result)
    if undated and not arrival_given:
        stored_invalid = [s for s in undated if s in set(report.stored)]
        again = (" and --replace-invalid (they were stored as INVALID)" if stored_invalid
                 else "")
        ui.say(f"hint: {len(undated)} shipment(s) have no arrival date: give it in the file "
               f"or with --arrival YYYY-MM-DD{again}", stderr=True)


def _missing_arrival(result: Any) -> list[str]:
    import polars as pl

    issues = result.issues
    if not issues.height:
        return []
    missing = issues.filter((pl.col("code") == "MISSING_FIELD")
                            & (pl.col("field") == "arrival_date"))
    return missing["shipment_id"].unique(maintain_order=True).to_list()


@shipments_app.command("list")
def shipments_list(
    status: Annotated[str | None, vocabulary(ShipmentStatus, "Only this status.")] = None,
    decision: Annotated[str | None, vocabulary(Decision, "Only this decision.")] = None,
    arrival_date: Annotated[str | None, typer.Option(help="Only this arrival date (YYYY-MM-DD).")] = None,
    consignee: Annotated[str | None, typer.Option(help="Consignee key or name (substring) or E.164 phone.")] = None,
    risk: Annotated[str | None, vocabulary(RiskBand, "Only this risk band.", "--risk")] = None,
    limit: Annotated[int | None, typer.Option(
        min=1, help="At most this many shipments (a page); the next page starts --after the "
                    "last one shown.")] = None,
    after: Annotated[str | None, typer.Option(
        "--after", help="Only shipments whose id sorts after this one (the next page).")] = None,
    format: FormatOption = TableOrJson.table,
    as_json: JsonAlias = False,
    db: DbOption = None,
    tenant: TenantOption = DEFAULT_TENANT,
) -> None:
    """List stored shipments by shipment id (JSON: a list; the next page is named on stderr)."""
    from ace321.app.shipments import list_shipments

    fmt = output_format(format, as_json)
    day = _date(arrival_date, "--arrival-date")
    if risk is not None and risk.lower() not in ("low", "medium", "high"):
        raise _fail(f"--risk {risk!r}: not a band (low, medium or high)")
    rows = _storage_call(db, lambda database: list_shipments(
        database, tenant=tenant, status=status, decision=decision, arrival_date=day,
        consignee=consignee, risk_band=risk, limit=None if limit is None else limit + 1,
        after=after), tenant)
    more = limit is not None and len(rows) > limit
    rows = rows[:limit] if limit is not None else rows
    following = (f"more shipments follow: --after {rows[-1]['shipment_id']}"
                 if more and rows else None)
    if fmt is TableOrJson.json:
        _print_json(rows)
        if following:
            ui.say(following, stderr=True)
        return
    table = OutputTable(f"{len(rows)} shipment(s) of tenant {tenant}", [
        "shipment", "order", "arrival", Col("consignee", text=True), Col("value USD", right=True),
        "decision", "status", Col("risk", right=True)])
    for r in rows:
        risk_text = "" if r["risk_score"] is None else f"{r['risk_score']} {r['risk_band']}"
        table.add_row(r["shipment_id"], r["order_id"] or "", r["arrival_date"] or "",
                      r["consignee_key"] or "", r["value_usd"] or "", r["decision"], r["status"],
                      risk_text)
    console = ui.console()
    console.print(table)
    if following:
        console.print(following, soft_wrap=True)


def _storage_call(db: str | None, action: Any, tenant: str | None = DEFAULT_TENANT,
                  access: Access = Access.READ) -> Any:
    """``action(database)``; a refusal (``AppError``, ``StorageError``) exits 1 with its
    message (see ``options.opened``)."""
    with opened(db, tenant=tenant, access=access) as database:
        return action(database)


@shipments_app.command("show")
def shipments_show(shipment_id: str, db: DbOption = None,
                   tenant: TenantOption = DEFAULT_TENANT) -> None:
    """Show a stored shipment (JSON): parties, lines, decisions with reasons, status history."""
    from ace321.app.shipments import show_shipment

    _print_json(_storage_call(db, lambda database: show_shipment(
        database, tenant=tenant, shipment_id=shipment_id), tenant))


@shipments_app.command("override")
def shipments_override(
    shipment_id: str,
    decision: Annotated[str, vocabulary(OverrideDecision, "The stricter path (never grants "
                                                          "de minimis).", required=True)],
    reason: Annotated[str, typer.Option(help="Why (mandatory; kept in the audit trail).")],
    actor: ActorOption = None,
    db: DbOption = None,
    tenant: TenantOption = DEFAULT_TENANT,
) -> None:
    """Set a stricter entry path by hand (never grants de minimis the rules deny)."""
    from ace321.app.shipments import override_decision

    rules = _rules()
    change = _storage_call(db, lambda database: override_decision(
        database, rules, tenant=tenant, actor=_actor(actor), now=now(), shipment_id=shipment_id,
        # The CLI works on the database itself: whoever may open it is its administrator.
        role="admin", decision=decision, reason=reason), tenant, Access.CHANGE)
    ui.say(f"{shipment_id}: {change.before} -> {change.after}")


@shipments_app.command("status")
def shipments_status(
    shipment_id: str,
    to: Annotated[str, vocabulary(ShipmentStatus, "New status.", "--to", required=True)],
    reason: Annotated[str | None, typer.Option(
        help="Why (mandatory; kept in the audit trail).")] = None,
    cause: Annotated[str | None, typer.Option(
        "--cause", hidden=True, help="Deprecated: --reason.")] = None,
    actor: ActorOption = None,
    db: DbOption = None,
    tenant: TenantOption = DEFAULT_TENANT,
) -> None:
    """Move a shipment to another status (only along the allowed transitions)."""
    from ace321.app.shipments import change_status

    if cause is not None:
        ui.say("warning: --cause is deprecated; use --reason", stderr=True)
    why = reason if reason is not None else cause
    if why is None:
        raise _fail("missing option --reason (why the status changes)")
    change = _storage_call(db, lambda database: change_status(
        database, tenant=tenant, actor=_actor(actor), now=now(), shipment_id=shipment_id,
        to=to, cause=why), tenant, Access.CHANGE)
    ui.say(f"{shipment_id}: {change.before} -> {change.after}")


@shipments_app.command("explain")
def shipments_explain(
    shipment_id: str,
    rates: Annotated[Path | None, typer.Option(help="Exchange rates CSV (stored rates are used otherwise).")] = None,
    format: FormatOption = TableOrJson.table,
    as_json: JsonAlias = False,
    db: DbOption = None,
    tenant: TenantOption = DEFAULT_TENANT,
) -> None:
    """Screen a stored shipment again and compare with its stored decision (exit 1 if it
    differs); the reasons and the issues (why an INVALID shipment is invalid) are shown."""
    from ace321.app.shipments import explain_shipment
    from ace321.cli.options import read_settings, unusable
    from ace321.intake import UnusableInput

    fmt = output_format(format, as_json)
    rules = _rules()
    try:
        rate_table, _ = read_settings(rates=rates, hts=None)
    except UnusableInput as error:
        raise unusable(error) from None

    result = _storage_call(db, lambda database: explain_shipment(
        database, rules, tenant=tenant, shipment_id=shipment_id, rates=rate_table), tenant)
    if fmt is TableOrJson.json:
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
        for issue in result.issues:
            console.print(f"  {issue['severity']} {issue['code']} {issue['field']}: "
                          f"{issue['message']}", soft_wrap=True)
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

    result = _storage_call(db, action, None)
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

    count = _storage_call(db, action, None)
    if output is not None:
        ui.say(f"{count} event(s) written to {output}", stderr=True)


def register(app: typer.Typer) -> None:
    """Add the storage commands to the ``ace321`` command."""
    app.add_typer(db_app, name="db")
    app.command("ingest")(ingest_command)
    app.add_typer(shipments_app, name="shipments")
    app.add_typer(audit_app, name="audit")
