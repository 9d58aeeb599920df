"""Writers of ``check --costs``: the screening's outputs with each shipment's duty, MPF and total."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import polars as pl
from rich.console import Console

from ace321.cli import output as out
from ace321.cli.console import Clipped, Col, OutputTable
from ace321.costs import Costs
from ace321.costs.document import screening_document as document
from ace321.costs.document import shipment_documents, totals
from ace321.costs.duty import cents_text
from ace321.exports import spreadsheet
from ace321.screening import ScreeningResult

COST_COLUMNS = ("entry_type", "duty_usd", "mpf_usd", "total_usd", "fiscal_year", "hts_revision")


def flat_costs(costs: Costs) -> pl.DataFrame:
    frame = costs.shipments
    return frame.select(
        "shipment_id",
        "entry_type",
        *(pl.when(pl.col(c).is_not_null()).then(cents_text(pl.col(c))).alias(c.replace("_cents", "_usd"))
          for c in ("duty_cents", "mpf_cents", "total_cents")),
        "fiscal_year",
        pl.lit(costs.revision).alias("hts_revision"),
    )


def write_result_file(result: ScreeningResult, costs: Costs, path: Path) -> None:
    suffix = path.suffix.lower()
    if suffix == ".json":
        path.write_text(json.dumps(document(result, costs), ensure_ascii=False, indent=1), encoding="utf-8")
        return
    flat = out.flat_frame(result) if suffix == ".csv" else result.shipments.drop("value").with_columns(
        pl.lit(result.rules_version).alias("rules_version"))
    joined = flat.join(flat_costs(costs), on="shipment_id", how="left", maintain_order="left")
    if suffix == ".csv":
        spreadsheet.write_csv(joined, path)
    else:
        joined.write_parquet(path)


def print_json(result: ScreeningResult, costs: Costs) -> None:
    sys.stdout.write(json.dumps(document(result, costs), ensure_ascii=False, indent=1))
    sys.stdout.write("\n")


def print_csv(result: ScreeningResult, costs: Costs) -> None:
    sys.stdout.write(spreadsheet.csv_text(out.flat_frame(result).join(
        flat_costs(costs), on="shipment_id", how="left", maintain_order="left")))


def print_summary(result: ScreeningResult, costs: Costs, console: Console) -> None:
    out.print_summary(result, console)
    console.print(_totals_line(costs), soft_wrap=True)


def _totals_line(costs: Costs) -> str:
    figures = totals(costs)
    kinds = figures["by_entry_type"]
    return (f"Costs ({figures['hts_revision']}): duty ${figures['duty_usd']}, MPF ${figures['mpf_usd']}, "
            f"total ${figures['total_usd']} over {kinds['11']} informal (type 11) and {kinds['01']} formal "
            "(type 01) entries, each shipment entered on its own")


def print_table(result: ScreeningResult, costs: Costs, console: Console) -> None:
    table = OutputTable(f"Screening and costs (rules {result.rules_version}; {costs.revision})", [
        "shipment", Col("consignee", text=True), Col("value USD", right=True), "decision",
        Col("duty USD", right=True), Col("MPF USD", right=True), Col("total USD", right=True),
        Col("not estimated", text=True)],
        caption="Reasons, rates and measures: --format json, or shipments explain after ingest.")
    documents = shipment_documents(costs)
    for row in result.shipments.iter_rows(named=True):
        figures = documents[row["shipment_id"]]
        table.add_row(
            str(row["shipment_id"]), str(row["consignee_name"] or ""), row["value_usd"] or "",
            row["decision"], figures["duty_usd"] or "-", figures["mpf_usd"] or "-",
            figures["total_usd"] or "-",
            Clipped(", ".join(item["code"] for item in figures["not_estimated"])),
            style=out.DECISION_STYLE.get(row["decision"], ""),
        )
    console.print(table)
    out.print_problems_and_totals(console, result)
    console.print(_totals_line(costs), soft_wrap=True)
    console.print(result.disclaimer, style="dim")
