"""Writers for screening results: Rich table, JSON document, CSV, summary, and result files."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import polars as pl
from rich.console import Console

from ace321.cli.console import Clipped, Col, OutputTable
from ace321.exports import spreadsheet
from ace321.screening import ScreeningResult
from ace321.screening.result import decisive, decisive_of

DECISION_STYLE = {
    "SECTION_321": "green",
    "GIFT": "cyan",
    "INFORMAL_ENTRY": "yellow",
    "FORMAL_ENTRY": "magenta",
    "INVALID": "bold red",
}


def flat_frame(result: ScreeningResult) -> pl.DataFrame:
    """One row per shipment with reasons and issues flattened to text, for CSV (write it with
    ``exports.spreadsheet``: formula-like cells neutralised)."""
    reasons = pl.col("reasons")
    issues = pl.col("issues")
    return result.shipments.select(
        "shipment_id",
        "order_id",
        pl.col("arrival_date").cast(pl.String),
        "consignee_key",
        "value_usd",
        "decision",
        "ace_shipment_type",
        decisive("code").alias("decisive_reason"),
        decisive("message").alias("decisive_message"),
        reasons.list.eval(pl.element().struct.field("code")).list.join(";").alias("reason_codes"),
        reasons.list.eval(pl.element().struct.field("reference")).list.join(" | ").alias("references"),
        issues.list.eval(
            pl.format("{}:{}@row{}", pl.element().struct.field("code"),
                      pl.element().struct.field("field"), pl.element().struct.field("row"))
        ).list.join(";").alias("issues"),
        pl.lit(result.rules_version).alias("rules_version"),
    )


def write_result_file(result: ScreeningResult, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".json":
        path.write_text(json.dumps(result.to_document(), ensure_ascii=False, indent=1), encoding="utf-8")
    elif suffix == ".csv":
        spreadsheet.write_csv(flat_frame(result), path)
    elif suffix == ".parquet":
        result.shipments.drop("value").with_columns(
            pl.lit(result.rules_version).alias("rules_version")
        ).write_parquet(path)
    else:
        raise ValueError(f"{path}: --output must end in .json, .csv or .parquet")


def print_json(result: ScreeningResult) -> None:
    sys.stdout.write(json.dumps(result.to_document(), ensure_ascii=False, indent=1))
    sys.stdout.write("\n")


def print_csv(result: ScreeningResult) -> None:
    sys.stdout.write(spreadsheet.csv_text(flat_frame(result)))


def _counts_table(title: str, counts: dict[str, Any]) -> OutputTable:
    table = OutputTable(title, ["code", Col("count", right=True)])
    for code, count in counts.items():
        table.add_row(code, str(count), style=DECISION_STYLE.get(code, ""))
    return table


def print_summary(result: ScreeningResult, console: Console) -> None:
    console.print(f"rules version {result.rules_version}; {result.shipments.height} shipments",
                  soft_wrap=True)
    console.print(_counts_table("Decisions", result.by_decision()))
    console.print(_counts_table("Reason and issue codes", result.by_code()))


def print_table(result: ScreeningResult, console: Console) -> None:
    table = OutputTable(f"Screening (rules {result.rules_version})", [
        "shipment", Col("consignee", text=True), "arrival", Col("value USD", right=True),
        "decision", Col("decisive reason", text=True)],
        caption="Reasons are shortened to two lines: --format json or csv has them in full.")
    for row in result.shipments.iter_rows(named=True):
        deciding = decisive_of(row["reasons"], row["issues"])
        decisive_text = f"{deciding['code']}: {deciding['message']}" if deciding else ""
        table.add_row(
            str(row["shipment_id"]), str(row["consignee_name"] or ""), str(row["arrival_date"] or ""),
            row["value_usd"] or "", row["decision"], Clipped(decisive_text),
            style=DECISION_STYLE.get(row["decision"], ""),
        )
    console.print(table)
    print_problems_and_totals(console, result)
    console.print(result.disclaimer, style="dim")


def print_problems_and_totals(console: Console, result: ScreeningResult) -> None:
    """The problems table (when there are problems) and the count by decision, after a result table."""
    if result.issues.height:
        problems = OutputTable("Problems", [Col("row", right=True), "shipment", "severity", "code",
                                            "field", Col("message", text=True)])
        for issue in result.issues.iter_rows(named=True):
            problems.add_row(str(issue["row"]), str(issue["shipment_id"]), issue["severity"],
                             issue["code"], issue["field"], issue["message"],
                             style="red" if issue["severity"] == "error" else "yellow")
        console.print(problems)
    totals = ", ".join(f"{k} {v}" for k, v in result.by_decision().items())
    console.print(f"Totals: {result.shipments.height} shipments: {totals}", soft_wrap=True)
