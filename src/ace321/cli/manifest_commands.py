"""Manifest commands: ``manifest``, ``trips list|show|cancel`` and ``responses import``.

Exit status: 0 done; 1 refused or partly applied (the problems are listed: a table on stderr,
or one JSON document on stdout with ``--format json``); 2 unusable input (a file that cannot
be read, a bad option), one line naming the cause.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Any

import typer

from ace321.cli import console as ui
from ace321.cli.console import Col, OutputTable
from ace321.cli.options import (
    DEFAULT_TENANT,
    Access,
    CatalogOption,
    HtsOption,
    JsonAlias,
    RatesOption,
    ShipperOption,
    TableOrJson,
    TenantOption,
    output_format,
    read_inputs,
    read_settings,
    unusable,
    vocabulary,
)
from ace321.cli.storage_commands import (
    ActorOption,
    DbOption,
    _actor,
    _fail,
    _open,
    _print_json,
    _rules,
    _storage_call,
    err,
    now,
)
from ace321.vocabulary import TripStatus

trips_app = typer.Typer(help="Filed trips: list, show (and re-emit their files), cancel.",
                        no_args_is_help=True)
responses_app = typer.Typer(help="CBP responses (X12 355/350, BorderConnect ACE_RESPONSE).",
                            no_args_is_help=True)


OutputFormat = TableOrJson
FormatOption = Annotated[OutputFormat, typer.Option("--format", "-f", help="Console output.")]


def _filed_at(text: str | None) -> dt.datetime:
    if text is None:
        return now()
    try:
        from ace321.validation.dates import parse_date_time

        value = parse_date_time(text)
    except ValueError:
        raise _fail(f"--filed-at {text!r}: not an ISO 8601 date and time") from None
    if value.utcoffset() is None:
        raise _fail(f"--filed-at {text!r}: give the UTC offset, e.g. 2026-11-23T12:00:00-05:00")
    return value


def _print_problems(problems: list[dict[str, Any]], skipped: list[str], fmt: OutputFormat,
                    title: str) -> None:
    if fmt is OutputFormat.json:
        _print_json({"ok": False, "problems": problems, "skipped_invalid": skipped})
        return
    table = OutputTable(title, ["code", "severity", "field", Col("message", text=True)])
    for p in problems:
        table.add_row(p["code"], p["severity"], p["field"], p["message"])
    ui.console(stderr=True).print(table)


def manifest_command(
    orders: Annotated[Path | None, typer.Argument(help="Order file (canonical CSV, Shopify CSV or JSON); or use --shipments / --batch.")] = None,
    trip: Annotated[Path, typer.Option(help="Trip file (YAML or JSON), see examples/trip.yaml.")] = ...,  # type: ignore[assignment]
    out: Annotated[str, typer.Option(help="Folder for the files (created; files replaced all at once).")] = ...,  # type: ignore[assignment]
    filed_at: Annotated[str | None, typer.Option(help="When the manifest is filed (ISO 8601 with UTC offset); default now.")] = None,
    skip_invalid: Annotated[bool, typer.Option(help="Leave INVALID shipments out (and list them) instead of refusing.")] = False,
    production: Annotated[bool, typer.Option(help="X12 for CBP production (ISA15 P) instead of test.")] = False,
    group_commodities: Annotated[bool, typer.Option(help="One commodity per HTS code and origin in each shipment.")] = False,
    shipments: Annotated[str | None, typer.Option(help="Stored shipments to file instead of ORDERS: ID,ID,...")] = None,
    batch: Annotated[str | None, typer.Option(help="Every shipment of this stored batch (id) instead of ORDERS.")] = None,
    rates: RatesOption = None,
    hts: HtsOption = None,
    catalog: CatalogOption = None,
    shipper: ShipperOption = None,
    format: FormatOption = OutputFormat.table,
    db: DbOption = None,
    tenant: TenantOption = DEFAULT_TENANT,
    actor: ActorOption = None,
) -> None:
    """Build, check and store the manifest of one trip, and write its files.

    Shipments are screened as of the trip's arrival date in the port's local time, with the
    stored history. Every problem is reported at once; then nothing is stored or written.
    """
    from ace321.app.errors import AppError
    from ace321.app.filing import (
        ManifestOptions,
        ManifestRefused,
        manifest_orders,
        manifest_stored,
    )
    from ace321.cli.guard import output_folder
    from ace321.intake import UnusableInput
    from ace321.manifest.trip_file import load_trip
    from ace321.storage import StorageError

    output_folder(out, "--out")
    sources = sum(x is not None for x in (orders, shipments, batch))
    if sources != 1:
        raise _fail("give exactly one of ORDERS, --shipments or --batch")
    when = _filed_at(filed_at)
    rules = _rules()
    try:
        trip_model, trip_issues = load_trip(trip)
        inputs = None
        if orders is not None:
            inputs = read_inputs(orders, catalog=catalog, shipper=shipper, rates=rates, hts=hts)
            rate_table, hts_codes = inputs.rates, inputs.hts
        else:
            rate_table, hts_codes = read_settings(rates=rates, hts=hts)
    except UnusableInput as error:
        raise unusable(error) from None
    if trip_model is None:
        problems = [{"code": i.code, "severity": i.severity, "field": i.field,
                     "message": i.message} for i in trip_issues]
        _print_problems(problems, [], format, f"{trip}: the trip file cannot be used")
        raise typer.Exit(1)
    options = ManifestOptions(trip=trip_model, out=output_folder(out, "--out"), filed_at=when, actor=_actor(actor),
                              now=now(), production=production,
                              group_commodities=group_commodities, skip_invalid=skip_invalid,
                              tenant=tenant)
    # ORDERS are stored (the database and tenant are created if needed); stored shipments
    # must exist.
    database = _open(db, tenant, Access.CREATE if inputs is not None else Access.CHANGE)
    try:
        if inputs is not None:
            assert inputs.batch is not None
            report = manifest_orders(database, inputs.frame, options, rules=rules,
                                     batch=inputs.batch, rates=rate_table, hts=hts_codes)
        else:
            ids = [s.strip() for s in (shipments or "").split(",") if s.strip()]
            report = manifest_stored(database, options, rules=rules,
                                     shipment_ids=ids if shipments is not None else None,
                                     batch_id=batch, rates=rate_table, hts=hts_codes)
    except ManifestRefused as refused:
        _print_problems(refused.problems, refused.skipped, format,
                        "Manifest refused: nothing was stored or written")
        raise typer.Exit(1) from None
    except AppError as error:
        raise _fail(f"nothing stored or written: {error.message}", 1) from None
    except StorageError as error:
        raise _fail(f"nothing stored or written: {error}", 1) from None
    except OSError as error:
        raise _fail(f"nothing stored or written: cannot write {out}: {error}", 1) from None
    finally:
        database.close()
    by_type: dict[str, int] = {}
    for drop in report.drops:
        by_type[drop["type"]] = by_type.get(drop["type"], 0) + 1
    if format is OutputFormat.json:
        _print_json({
            "ok": True, "trip_number": report.trip_number,
            "control_number": report.control_number, "out": str(report.out),
            "rules_version": report.manifest.rules_version, "by_type": by_type,
            "files": report.files, "shipments": report.drops,
            "skipped_invalid": report.skipped, "warnings": report.warnings,
        })
        return
    console = ui.console()
    table = OutputTable(f"Trip {report.trip_number}: {len(report.drops)} ACE shipment(s) "
                        f"(rules {report.manifest.rules_version})",
                        ["SCN", "type", "decision", Col("shipments", text=True)])
    for drop in report.drops:
        table.add_row(drop["scn"], drop["type"], drop["decision"], ", ".join(drop["shipment_ids"]))
    console.print(table)
    for item in report.skipped:
        console.print(f"skipped INVALID {item['shipment_id']}: {', '.join(item['codes'])}",
                      soft_wrap=True)
    for warning in report.warnings:
        console.print(f"warning {warning['code']} {warning['field']}: {warning['message']}",
                      soft_wrap=True)
    console.print(f"trip {report.trip_number} stored (OPEN), X12 control number "
                  f"{report.control_number}; {', '.join(f'{n} {t}' for t, n in by_type.items())};"
                  f" {len(report.skipped)} skipped; files in {report.out}: "
                  f"{', '.join(report.files)}", soft_wrap=True)


@trips_app.command("list")
def trips_list(
    status: Annotated[str | None, vocabulary(TripStatus, "Only this status.")] = None,
    format: FormatOption = OutputFormat.table,
    as_json: JsonAlias = False,
    db: DbOption = None,
    tenant: TenantOption = DEFAULT_TENANT,
) -> None:
    """List trips: number, port, arrival, status, shipments."""
    from ace321.app.trips import list_trips

    rows = _storage_call(db, lambda database: list_trips(
        database, tenant=tenant, status=status).items, tenant)
    if output_format(format, as_json) is OutputFormat.json:
        _print_json(rows)
        return
    table = OutputTable(f"{len(rows)} trip(s)", [
        "trip", "port", "arrival", "status", Col("shipments", right=True),
        Col("SCNs", right=True), "filed"])
    for r in rows:
        table.add_row(r["trip_number"], r["port_of_arrival"], r["estimated_arrival"], r["status"],
                      str(r["shipments"]), str(r["scns"]), r["filed_at"])
    ui.console().print(table)


@trips_app.command("show")
def trips_show(
    trip_number: str,
    files: Annotated[Path | None, typer.Option("--files", help="Write the trip's stored files into this folder.")] = None,
    format: FormatOption = OutputFormat.table,
    as_json: JsonAlias = False,
    db: DbOption = None,
    tenant: TenantOption = DEFAULT_TENANT,
) -> None:
    """Show a trip: its shipments with SCN, type and status, its files and CBP responses."""
    from ace321.app.trips import show_trip, trip_files
    from ace321.manifest.package import write_files

    def action(database: Any) -> Any:
        shown = show_trip(database, tenant=tenant, trip_number=trip_number)
        stored = (trip_files(database, tenant=tenant, trip_number=trip_number)
                  if files is not None else None)
        return shown, stored

    fmt = output_format(format, as_json)
    shown, stored = _storage_call(db, action, tenant)
    if files is not None and stored is not None:
        try:
            write_files(stored, files)
        except OSError as error:
            raise _fail(f"cannot write {files}: {error}", 1) from None
        err.print(f"{len(stored)} file(s) of trip {trip_number} written to {files}",
                  soft_wrap=True)
    if fmt is OutputFormat.json:
        _print_json(shown)
        return
    console = ui.console()
    console.print(f"trip {shown['trip_number']} ({shown['status']}): port "
                  f"{shown['port_of_arrival']}, arrival {shown['estimated_arrival']}, filed "
                  f"{shown['filed_at']} by {shown['actor']}, control number "
                  f"{shown['control_number']}", soft_wrap=True)
    table = OutputTable(f"{len(shown['shipments'])} shipment(s)", [
        Col("#", right=True), "SCN", "shipment", "type", "decision", "status"])
    for s in shown["shipments"]:
        table.add_row(str(s["position"]), s["scn"], s["shipment_id"], s["type"], s["decision"],
                      s["status"])
    console.print(table)
    for f in shown["files"]:
        console.print(f"file {f['name']} {f['size']} bytes sha256 {f['sha256']}", soft_wrap=True)
    for r in shown["responses"]:
        console.print(f"response {r['received_at']} {r['message_type']} {r['code']} "
                      f"{r['scn'] or ''} {r['text']}: {r['outcome']}", soft_wrap=True)


@trips_app.command("cancel")
def trips_cancel(
    trip_number: str,
    reason: Annotated[str, typer.Option(help="Why (mandatory; kept in the audit trail).")],
    actor: ActorOption = None,
    db: DbOption = None,
    tenant: TenantOption = DEFAULT_TENANT,
) -> None:
    """Cancel a trip not yet sent to CBP: its shipments go back to SCREENED; its SCNs are
    never issued again."""
    from ace321.app.trips import cancel_trip

    done = _storage_call(db, lambda database: cancel_trip(
        database, tenant=tenant, actor=_actor(actor), now=now(), trip_number=trip_number,
        reason=reason), tenant, Access.CHANGE)
    ui.say(f"trip {trip_number}: {done.before} -> CANCELLED; "
           f"{len(done.freed)} shipment(s) back to SCREENED")


@responses_app.command("import")
def responses_import(
    file: Annotated[Path, typer.Argument(help="X12 355/350 interchange or BorderConnect ACE_RESPONSE JSON.")],
    format: FormatOption = OutputFormat.table,
    as_json: JsonAlias = False,
    db: DbOption = None,
    actor: ActorOption = None,
) -> None:
    """Store CBP's responses and move trips and shipments (exit 1 if some could not be applied)."""
    from ace321.app.errors import AppError, InvalidInput
    from ace321.app.responses import import_response_file

    try:
        data = file.read_bytes()
    except OSError as error:
        raise _fail(f"{file}: cannot read: {error}") from None
    fmt = output_format(format, as_json)
    database = _open(db, None, Access.CHANGE)
    try:
        # Every tenant's trips: a response goes to the one trip (and tenant) its number names.
        imported = import_response_file(database, data, name=file.name, tenant=None,
                                        actor=_actor(actor), now=now())
    except InvalidInput as error:
        raise _fail(f"{file}: {error.message}") from None
    except AppError as error:
        raise _fail(f"{file}: {error.message}", 1) from None
    finally:
        database.close()
    report = imported.report
    rows = [a.as_dict() for a in report.applied]
    if fmt is OutputFormat.json:
        _print_json(imported.document())
    elif report.already_imported:
        first = report.first_imported_at
        when = f" on {first.isoformat(timespec='seconds')}" if first else ""
        ui.say(f"{file.name}: already imported{when} ({report.skipped} message(s)); nothing "
               "changed")
    else:
        if report.skipped:
            ui.say(f"{report.skipped} message(s) of {file.name} were already imported: skipped",
                   stderr=True)
        table = OutputTable(f"{file.name}: {len(rows)} message(s)", [
            "type", "trip", "SCN", "code", Col("text", text=True), Col("meaning", text=True),
            Col("outcome", text=True)])
        for r in rows:
            meaning = r["meaning"] or "UNKNOWN CODE"
            table.add_row(r["message_type"], r["trip_number"] or "", r["scn"] or "",
                          r["code"] or "", r["text"], meaning, r["outcome"])
        ui.console().print(table)
    for a in report.unknown:
        err.print(f"warning: unknown code {a.message.code!r} ({a.message.text!r}) stored, "
                  "no status change", soft_wrap=True)
    for a in report.errors:
        ui.error(a.outcome)
    raise typer.Exit(1 if report.errors else 0)


def register(app: typer.Typer) -> None:
    """Add the manifest commands to the ``ace321`` command."""
    app.command("manifest")(manifest_command)
    app.add_typer(trips_app, name="trips")
    app.add_typer(responses_app, name="responses")

