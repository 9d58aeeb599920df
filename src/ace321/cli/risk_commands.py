"""``ace321 risk``: the risk score of every shipment of an order file, with its signals."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.text import Text

from ace321.cli.console import Col, OutputTable, console, say
from ace321.cli.options import (
    DEFAULT_TENANT,
    Access,
    ArrivalOption,
    CatalogOption,
    DbOption,
    RatesOption,
    ShipperOption,
    TenantOption,
    opened,
    read_inputs,
    rules_or_exit,
    unusable,
)
from ace321.exports import spreadsheet
from ace321.intake import UnusableInput

BAND_STYLE = {"low": "green", "medium": "yellow", "high": "bold red"}


class RiskFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


def flat_frame(result: Any) -> pl.DataFrame:
    """One row per shipment, the signals flattened to text (CSV)."""
    signals = pl.col("signals")
    return result.shipments.select(
        "shipment_id", "score", "band",
        signals.list.eval(pl.element().struct.field("code")).list.join(";").alias("signal_codes"),
        signals.list.eval(pl.format("{} (+{}): {}", pl.element().struct.field("code"),
                                    pl.element().struct.field("weight"),
                                    pl.element().struct.field("message"))
                          ).list.join(" | ").alias("messages"),
        pl.lit(result.rules_version).alias("rules_version"),
    )


def band_counts(result: Any) -> str:
    return f"{result.shipments.height} shipments: " + ", ".join(
        f"{band} {n}" for band, n in result.by_band().items())


def print_table(result: Any) -> None:
    """Highest scores first; every signal with its weight and message."""
    table = OutputTable(f"Risk (rules {result.rules_version})", [
        "shipment", Col("score", right=True), "band", Col("signals", text=True)])
    for row in result.shipments.iter_rows(named=True):
        text = "\n".join(f"{s['code']} +{s['weight']}: {s['message']}" for s in row["signals"])
        table.add_row(row["shipment_id"], row["score"],
                      Text(row["band"], style=BAND_STYLE[row["band"]]), text or "-")
    console().print(table)
    say(band_counts(result))


def risk_command(
    orders: Annotated[Path, typer.Argument(help="Order file: canonical CSV, Shopify export CSV or JSON.")],
    arrival: ArrivalOption = None,
    rates: RatesOption = None,
    catalog: CatalogOption = None,
    shipper: ShipperOption = None,
    db: Annotated[str | None, typer.Option("--db", help="Read the tenant's stored shipments as history (read only; it must exist).")] = None,
    tenant: TenantOption = DEFAULT_TENANT,
    format: Annotated[RiskFormat, typer.Option("--format", "-f", help="Console output.")] = RiskFormat.table,
    output: Annotated[Path | None, typer.Option(help="Write the result to .json, .csv or .parquet; the console shows the counts by band.")] = None,
) -> None:
    """Score every shipment of ORDERS for risk: named signals, weights, a 0-100 score and a band.

    A score is advice on what CBP's targeting may question; it never changes a decision."""
    from ace321.cli.app import _date, _fail, _rules
    from ace321.risk import load_model, score_result
    from ace321.rules import RuleError

    default_arrival = _date(arrival, "--arrival")
    rules = _rules()
    try:
        model = load_model()
    except RuleError as error:
        raise _fail(f"risk model: {error}") from None
    if output is not None and output.suffix.lower() not in (".json", ".csv", ".parquet"):
        raise _fail(f"{output}: --output must end in .json, .csv or .parquet")
    inputs = read_inputs(orders, catalog=catalog, shipper=shipper, rates=rates, hts=None,
                         stored=False)
    frame, rate_table = inputs.frame, inputs.rates
    try:
        if db is None:
            from ace321.screening import screen

            result = screen(frame, rules=rules, default_arrival=default_arrival, rates=rate_table)
            risk = score_result(result, model=model, rules=rules)
        else:
            risk = _with_history(db, tenant, frame, rules, model, default_arrival, rate_table)
    except UnusableInput as error:
        raise unusable(error) from None
    if output is not None:
        if output.suffix.lower() == ".json":
            output.write_text(json.dumps(risk.to_document(), ensure_ascii=False, indent=1),
                              encoding="utf-8")
        elif output.suffix.lower() == ".parquet":
            risk.shipments.with_columns(pl.lit(risk.rules_version).alias("rules_version")) \
                .write_parquet(output)
        else:
            spreadsheet.write_csv(flat_frame(risk), output)
    if format is RiskFormat.json:
        sys.stdout.write(json.dumps(risk.to_document(), ensure_ascii=False) + "\n")
    elif format is RiskFormat.csv:
        sys.stdout.write(spreadsheet.csv_text(flat_frame(risk)))
    elif output is not None:
        say(f"{band_counts(risk)}; written to {output}")
    else:
        print_table(risk)


def _with_history(db: str, tenant: str, frame: Any, rules: Any, model: Any,
                  default_arrival: Any, rates: Any) -> Any:
    from ace321.app.risk import score_with_history

    with opened(db, tenant=tenant, access=Access.READ) as database:
        return score_with_history(database, frame, rules=rules, model=model, tenant=tenant,
                                  as_of=default_arrival, rates=rates)


def shipments_score(db: DbOption = None, tenant: TenantOption = DEFAULT_TENANT) -> None:
    """Score the stored shipments that have no risk score yet (a server stopped before its
    background scoring stored them), and re-score the same persons' stored shipments."""
    from ace321.app.risk import score_unscored

    rules = rules_or_exit()
    with opened(db, tenant=tenant, access=Access.CHANGE) as database:
        scored = score_unscored(database, tenant=tenant, rules=rules)
    say(f"scored {len(scored)} stored shipment(s) that had no risk score"
        + (f": {', '.join(scored[:20])}{' ...' if len(scored) > 20 else ''}" if scored else ""))


def register(app: typer.Typer) -> None:
    from ace321.cli.storage_commands import shipments_app

    app.command("risk")(risk_command)
    shipments_app.command("score")(shipments_score)
