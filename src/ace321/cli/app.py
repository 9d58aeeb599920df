"""The ``ace321`` command."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ace321.cli import console as ui
from ace321.cli.guard import GuardedGroup, writable_file
from ace321.cli.options import (
    DEFAULT_TENANT,
    Access,
    ArrivalOption,
    CatalogOption,
    HtsOption,
    RatesOption,
    ShipperOption,
    TableOrJson,
    TenantOption,
    fail,
    opened,
    parse_date,
    read_inputs,
    rules_or_exit,
    unusable,
)
from ace321.intake import UnusableInput
from ace321.rules import RuleSet

app = typer.Typer(
    cls=GuardedGroup,
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = ui.console(stderr=True)
LARGE_FILE_BYTES = 5_000_000


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    summary = "summary"


_fail = fail
_date = parse_date


_rules = rules_or_exit


def _version(value: bool) -> None:
    if value:
        from ace321 import __version__

        rules = _rules()
        typer.echo(f"ace321 {__version__} (rules {rules.version})")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="Print the version and the rules version.")] = False,
) -> None:
    """Screen US-bound truck shipments for Section 321 de minimis and entry paths."""


@app.command()
def check(
    orders: Annotated[Path, typer.Argument(help="Order file: canonical CSV, Shopify export CSV or JSON.")],
    arrival: ArrivalOption = None,
    rates: RatesOption = None,
    hts: HtsOption = None,
    catalog: CatalogOption = None,
    shipper: ShipperOption = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="Console output.")] = Format.table,
    output: Annotated[Path | None, typer.Option(help="Write the full result to .json, .csv or .parquet; the console shows the summary.")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Also screen against the shipments stored in this database (read only; it must exist).")] = None,
    tenant: TenantOption = DEFAULT_TENANT,
    costs: Annotated[bool, typer.Option("--costs", help="Estimate each shipment's duty, MPF and total as an entry of its own.")] = False,
) -> None:
    """Screen ORDERS without storing anything: validation, then one decision per shipment."""
    from ace321.cli import output as out
    from ace321.screening import screen

    default_arrival = _date(arrival, "--arrival")
    rules = _rules()
    if output is not None and output.suffix.lower() not in (".json", ".csv", ".parquet"):
        raise _fail(f"{output}: --output must end in .json, .csv or .parquet")
    if output is not None:
        writable_file(output, "--output")
    show_progress = err.is_terminal and orders.is_file() and orders.stat().st_size > LARGE_FILE_BYTES
    progress = _Stages(show_progress)
    try:
        with progress:
            progress.step("reading")
            inputs = read_inputs(orders, catalog=catalog, shipper=shipper, rates=rates, hts=hts,
                                 stored=False)
            progress.step("screening")
            if db is None:
                result = screen(inputs.frame, rules=rules, default_arrival=default_arrival,
                                rates=inputs.rates, hts=inputs.hts)
            else:
                result = _screen_with_history(db, tenant, inputs.frame, rules,
                                              default_arrival=default_arrival,
                                              rates=inputs.rates, hts=inputs.hts)
            estimate = _estimate(result, rules, hts) if costs else None
            if output is not None:
                progress.step("writing")
                if estimate is not None:
                    from ace321.cli import costs_output

                    costs_output.write_result_file(result, estimate, output)
                else:
                    out.write_result_file(result, output)
    except UnusableInput as error:
        raise unusable(error) from None
    console = ui.console()
    if estimate is not None:
        from ace321.cli import costs_output

        if format is Format.json:
            costs_output.print_json(result, estimate)
        elif format is Format.csv:
            costs_output.print_csv(result, estimate)
        elif format is Format.summary or output is not None:
            costs_output.print_summary(result, estimate, console)
        else:
            costs_output.print_table(result, estimate, console)
        raise typer.Exit(1 if result.invalid_count else 0)
    if format is Format.json:
        out.print_json(result)
    elif format is Format.csv:
        out.print_csv(result)
    elif format is Format.summary or output is not None:
        out.print_summary(result, console)
    else:
        out.print_table(result, console)
    raise typer.Exit(1 if result.invalid_count else 0)


def _estimate(result: Any, rules: RuleSet, hts: Path | None) -> Any:
    """Costs of the screened shipments, with the shipped schedule or ``--hts``'s."""
    from ace321.costs import estimate
    from ace321.tariff.schedule import read_schedule

    schedule = read_schedule(hts) if hts is not None else None
    return estimate(result, rules=rules, schedule=schedule)


def _screen_with_history(db: str, tenant: str, frame: Any, rules: RuleSet, **options: Any
                         ) -> Any:
    from ace321.storage import screen_with_history

    with opened(db, tenant=tenant, access=Access.READ) as database:
        return screen_with_history(frame, database, rules, tenant=tenant, **options).result


@app.command("rules")
def rules_command(
    on: Annotated[str | None, typer.Option(help="Print the regime in force on this date (YYYY-MM-DD).")] = None,
    timeline: Annotated[bool, typer.Option(help="List every dated change with its reference.")] = False,
    format: Annotated[TableOrJson, typer.Option("--format", "-f", help="Console output.")] = TableOrJson.table,
) -> None:
    """Show the dated rules: the regime on a date, or the timeline of changes."""
    rules = _rules()
    if format is TableOrJson.json:
        _rules_json(rules, on=_date(on, "--on"), timeline=timeline or on is None)
        return
    console = ui.console()
    if timeline or on is None:
        from ace321.app.timeline import timeline as changes
        from ace321.costs.measures import load_measures

        measures = load_measures()
        table = ui.OutputTable(
            f"Rule and measure changes (rules {rules.version}, measures {measures.version})", [
                "from", "parameter", ui.Col("value", text=True), ui.Col("reference", text=True)])
        for change in changes(rules, measures):
            table.add_row(change.start.isoformat(), change.parameter,
                          _show(change.value, change.unit), change.reference)
        console.print(table)
        if on is None:
            return
    day = _date(on, "--on")
    assert day is not None
    try:
        regime = rules.at(day)
    except ValueError as error:
        raise _fail(str(error)) from None
    table = ui.OutputTable(f"Regime in force on {day} (rules {rules.version})", [
        "parameter", ui.Col("value", text=True), "since", ui.Col("reference", text=True)])
    for name, step in regime.steps.items():
        table.add_row(name, _show(step.value), step.start.isoformat(), step.reference)
    console.print(table)


def _rules_json(rules: RuleSet, *, on: dt.date | None, timeline: bool) -> None:
    """``{"rules_version", "measures_version", "timeline": [{"from", "parameter", "value",
    "unit", "reference"}], "regime": {"on", "parameters": {name: {"value", "since",
    "reference"}}}}`` (each key only when asked for); values as in the YAML (a list, a number
    as text, null when ended). The timeline holds the measures' changes (``measures.*``) too."""
    import json

    document: dict[str, Any] = {"rules_version": rules.version}
    if timeline:
        from ace321.app.timeline import timeline as changes
        from ace321.costs.measures import load_measures

        measures = load_measures()
        document["measures_version"] = measures.version
        document["timeline"] = [
            {"from": change.start.isoformat(), "parameter": change.parameter,
             "value": _json_value(change.value), "unit": change.unit,
             "reference": change.reference} for change in changes(rules, measures)]
    if on is not None:
        try:
            regime = rules.at(on)
        except ValueError as error:
            raise _fail(str(error)) from None
        document["regime"] = {"on": on.isoformat(), "parameters": {
            name: {"value": _json_value(step.value), "since": step.start.isoformat(),
                   "reference": step.reference} for name, step in regime.steps.items()}}
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")


def _json_value(value: object) -> object:
    if value is None or isinstance(value, bool | int | str | list):
        return value
    return str(value)  # Decimal amounts stay exact as text


def _show(value: object, unit: str = "") -> str:
    if value is None:
        return "none (ended)"
    if isinstance(value, list):
        return ", ".join(value) if value else "(none)"
    return f"{value}%" if unit == "percent" else str(value)


class _Stages:
    """A progress bar on stderr over the stages of a large job, only when stderr is a terminal."""

    STAGES = ("reading", "screening", "writing")

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._progress = None
        self._task = None

    def __enter__(self) -> _Stages:
        if self.enabled:
            from rich.progress import Progress

            self._progress = Progress(console=err, transient=True)
            self._progress.__enter__()
            self._task = self._progress.add_task("starting", total=len(self.STAGES))
        return self

    def step(self, stage: str) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=stage, completed=self.STAGES.index(stage))

    def __exit__(self, *exc: object) -> None:
        if self._progress is not None:
            self._progress.__exit__(None, None, None)


from ace321.cli import storage_commands; storage_commands.register(app)  # noqa: E402, E702, I001
from ace321.cli import manifest_commands; manifest_commands.register(app)  # noqa: E402, E702, I001
from ace321.cli import api_commands; api_commands.register(app)  # noqa: E402, E702, I001
from ace321.cli import plan_commands; plan_commands.register(app)  # noqa: E402, E702, I001
from ace321.cli import risk_commands; risk_commands.register(app)  # noqa: E402, E702, I001
from ace321.cli import user_commands; user_commands.register(app)  # noqa: E402, E702, I001


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
