"""``ace321 plan ORDERS`` and ``ace321 trips plan TRIP_NUMBER``: the entries a broker files for
each conveyance and what each strategy costs (see ``ace321.costs.plan``)."""

from __future__ import annotations

import json
import sys
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ace321.cli import console as ui
from ace321.cli.console import Col, OutputTable
from ace321.cli.options import (
    DEFAULT_TENANT,
    ArrivalOption,
    CatalogOption,
    RatesOption,
    ShipperOption,
    TenantOption,
    read_inputs,
    unusable,
)

LARGE_PLAN = 10_000


class PlanFormat(StrEnum):
    table = "table"
    json = "json"


EntryFee = Annotated[str, typer.Option("--entry-fee", help="Brokerage fee per entry in USD, added to each strategy.")]
FormatOption = Annotated[PlanFormat, typer.Option("--format", "-f", help="Console output.")]
DbOption = Annotated[str | None, typer.Option("--db", help="Database URL (default ./ace321.db or ACE321_DATABASE_URL).")]


def _fail(message: str, code: int = 2) -> typer.Exit:
    ui.error(message)
    return typer.Exit(code)


def entry_fee_amount(text: str) -> Decimal:
    """The --entry-fee: dollars with at most two decimals, not negative."""
    try:
        amount = Decimal(text)
    except InvalidOperation:
        raise _fail(f"--entry-fee {text!r}: not an amount in USD") from None
    if not amount.is_finite() or amount < 0 or amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise _fail(f"--entry-fee {text!r}: give dollars and cents, at least 0 (e.g. 25.00)")
    return amount


def plan_command(
    orders: Annotated[Path, typer.Argument(help="Order file: canonical CSV, Shopify export CSV or JSON.")],
    arrival: ArrivalOption = None,
    rates: RatesOption = None,
    hts: Annotated[Path | None, typer.Option(help="USITC HTS CSV export replacing the shipped schedule.")] = None,
    catalog: CatalogOption = None,
    shipper: ShipperOption = None,
    db: Annotated[str | None, typer.Option("--db", help="Also screen against the shipments stored in this database (read only; it must exist).")] = None,
    tenant: TenantOption = DEFAULT_TENANT,
    entry_fee: EntryFee = "0",
    format: FormatOption = PlanFormat.table,
) -> None:
    """Plan the entries of ORDERS: one conveyance per arrival date, entries per consignee
    (19 CFR 141.51), per-consignee and broker-consolidated strategies, the cheapest recommended."""
    from ace321.app.plan import plan_result
    from ace321.cli.app import _date, _rules, _screen_with_history
    from ace321.intake import UnusableInput
    from ace321.screening import screen
    from ace321.tariff.schedule import read_schedule

    fee = entry_fee_amount(entry_fee)
    default_arrival = _date(arrival, "--arrival")
    rules = _rules()
    inputs = read_inputs(orders, catalog=catalog, shipper=shipper, rates=rates, hts=None,
                         stored=False)
    try:
        if db is None:
            result = screen(inputs.frame, rules=rules, default_arrival=default_arrival,
                            rates=inputs.rates)
        else:
            result = _screen_with_history(db, tenant, inputs.frame, rules,
                                          default_arrival=default_arrival, rates=inputs.rates,
                                          hts=None)
        schedule = read_schedule(hts) if hts is not None else None
    except UnusableInput as error:
        raise unusable(error) from None
    show(plan_result(result, rules, schedule=schedule, entry_fee=fee), format)


def trips_plan(
    trip_number: str,
    db: DbOption = None,
    tenant: TenantOption = DEFAULT_TENANT,
    entry_fee: EntryFee = "0",
    format: FormatOption = PlanFormat.table,
) -> None:
    """Plan the entries of a stored trip's shipments (one conveyance)."""
    from ace321.app.plan import plan_trip
    from ace321.cli.app import _rules
    from ace321.cli.storage_commands import _storage_call

    fee = entry_fee_amount(entry_fee)
    rules = _rules()
    show(_storage_call(db, lambda database: plan_trip(
        database, tenant=tenant, trip_number=trip_number, rules=rules, entry_fee=fee), tenant),
        format)


def show(document: dict[str, Any], format: PlanFormat) -> None:
    if format is PlanFormat.json:
        # A large file's plan (a hundred thousand entries) is written compact: indenting it
        # costs seconds and doubles its size.
        entries = sum(len(c["entries"]) for c in document["conveyances"])
        sys.stdout.write(json.dumps(document, indent=1 if entries <= LARGE_PLAN else None,
                                    ensure_ascii=False) + "\n")
        return
    console = ui.console()
    for conveyance in document["conveyances"]:
        trip = f", trip {conveyance['trip_number']}" if conveyance["trip_number"] else ""
        table = OutputTable(f"Entries for the conveyance of {conveyance['arrival_date']}{trip} "
                            f"({conveyance['fiscal_year']})", [
            "type", Col("consignee", text=True), Col("shipments", right=True), Col("value USD", right=True),
            Col("duty USD", right=True), Col("MPF USD", right=True), Col("why", text=True)])
        rules: dict[str, str] = {}
        for entry in conveyance["entries"]:
            codes = [r["code"] for r in entry["reasons"] if r["code"] not in ("ONE_ENTRY_PER_CONSIGNEE", "MPF")]
            for reason in entry["reasons"]:
                if reason["code"] in ("MPF", "OVER_INFORMAL_LIMIT", "CH99_OVER_250"):
                    rules.setdefault(reason["message"] if reason["code"] == "MPF" else reason["code"],
                                     reason["reference"])
            table.add_row(entry["entry_type"], entry["consignee_key"], str(len(entry["shipment_ids"])),
                          entry["value_usd"], entry["duty_usd"], entry["mpf_usd"] or "-", ", ".join(codes))
        console.print(table)
        strategies = OutputTable("Strategies", [
            "strategy", Col("entries", right=True), Col("duty USD", right=True), Col("MPF USD", right=True),
            Col("fees USD", right=True), Col("total USD", right=True), "compliant"])
        for strategy in conveyance["strategies"]:
            strategies.add_row(strategy["name"], str(strategy["entries"]), strategy["duty_usd"],
                               strategy["mpf_usd"] or "-", strategy["fees_usd"], strategy["total_usd"] or "-",
                               "yes" if strategy["compliant"] else "no",
                               style="bold" if strategy["name"] == conveyance["recommended"] else "")
        console.print(strategies)
        for strategy in conveyance["strategies"]:
            for condition in strategy["conditions"]:
                console.print(f"{strategy['name']}: {condition}", soft_wrap=True)
        for rule, reference in rules.items():
            console.print(f"rule: {rule} ({reference})", soft_wrap=True)
        console.print(f"recommended: {conveyance['recommended']} ({conveyance['decided_by']})", soft_wrap=True)
        for warning in conveyance["warnings"]:
            console.print(f"{warning['code']}: {warning['message']}", style="yellow", soft_wrap=True)
    if document.get("not_planned"):
        counts = ", ".join(f"{k} {v}" for k, v in document["not_planned"].items())
        console.print(f"not planned (no entry, or invalid): {counts}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    from ace321.cli.manifest_commands import trips_app

    app.command("plan")(plan_command)
    trips_app.command("plan")(trips_plan)
