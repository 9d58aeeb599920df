"""The ``ace321`` command."""

from __future__ import annotations

import datetime as dt
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from ace321.cli import console as ui
from ace321.intake import UnusableInput, read_orders
from ace321.rules import RuleError, RuleSet, load_rules

app = typer.Typer(
    help="Screen US-bound truck shipments for Section 321 de minimis and entry paths.",
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


def _fail(message: str, code: int = 2) -> typer.Exit:
    ui.error(message)
    return typer.Exit(code)


def _rules() -> RuleSet:
    try:
        return load_rules()
    except RuleError as error:
        raise _fail(f"rules: {error}") from None


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _fail(f"{option} {text!r}: not a date in YYYY-MM-DD form") from None


@app.command()
def check(
    orders: Annotated[Path, typer.Argument(help="Order file: canonical CSV, Shopify export CSV or JSON.")],
    arrival: Annotated[str | None, typer.Option(help="Arrival date (YYYY-MM-DD) for rows without one.")] = None,
    rates: Annotated[Path | None, typer.Option(help="Exchange rates CSV: date,currency,usd_per_unit.")] = None,
    hts: Annotated[Path | None, typer.Option(help="USITC HTS CSV export; codes are checked against it.")] = None,
    catalog: Annotated[Path | None, typer.Option(help="Product catalog for Shopify exports: sku,hts_code,country_of_origin[,weight,weight_unit].")] = None,
    shipper: Annotated[Path | None, typer.Option(help="YAML or JSON mapping of shipper fields (name, address, city, state, postal_code, country) for Shopify exports.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="Console output.")] = Format.table,
    output: Annotated[Path | None, typer.Option(help="Write the full result to .json, .csv or .parquet; the console shows the summary.")] = None,
    db: Annotated[str | None, typer.Option("--db", help="Also screen against the shipments stored in this database (read only).")] = None,
    costs: Annotated[bool, typer.Option("--costs", help="Estimate each shipment's duty, MPF and total as an entry of its own.")] = False,
) -> None:
    """Screen ORDERS without storing anything: validation, then one decision per shipment."""
    from ace321.cli import output as out
    from ace321.screening import screen

    default_arrival = _date(arrival, "--arrival")
    rules = _rules()
    if output is not None and output.suffix.lower() not in (".json", ".csv", ".parquet"):
        raise _fail(f"{output}: --output must end in .json, .csv or .parquet")
    show_progress = err.is_terminal and orders.is_file() and orders.stat().st_size > LARGE_FILE_BYTES
    progress = _Stages(show_progress)
    try:
        with progress:
            progress.step("reading")
            frame = read_orders(orders, catalog=catalog, shipper=_shipper(shipper))
            rate_table = hts_codes = None
            if rates is not None:
                from ace321.intake.rates import read_rates

                rate_table = read_rates(rates)
            if hts is not None:
                from ace321.intake.hts_table import known_codes, read_hts_table

                hts_codes = known_codes(read_hts_table(hts))
            progress.step("screening")
            if db is None:
                result = screen(frame, rules=rules, default_arrival=default_arrival,
                                rates=rate_table, hts=hts_codes)
            else:
                result = _screen_with_history(db, frame, rules, default_arrival=default_arrival,
                                              rates=rate_table, hts=hts_codes)
            estimate = _estimate(result, rules, hts) if costs else None
            if output is not None:
                progress.step("writing")
                if estimate is not None:
                    from ace321.cli import costs_output

                    costs_output.write_result_file(result, estimate, output)
                else:
                    out.write_result_file(result, output)
    except UnusableInput as error:
        raise _fail(str(error)) from None
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


def _screen_with_history(db: str, frame: Any, rules: RuleSet, **options: Any) -> Any:
    from ace321.storage import Database, StorageError, screen_with_history

    try:
        database = Database.open(db)
    except (StorageError, OSError) as error:
        raise _fail(f"database: {error}") from None
    except Exception as error:  # unreachable server, bad URL
        raise _fail(f"database: {type(error).__name__}: {error}") from None
    try:
        return screen_with_history(frame, database, rules, **options).result
    finally:
        database.close()


def _shipper(path: Path | None) -> dict[str, str] | None:
    if path is None:
        return None
    import yaml

    try:
        fields = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        raise UnusableInput(str(path), f"cannot read shipper file ({error})") from None
    if not isinstance(fields, dict):
        raise UnusableInput(str(path), "shipper file must be a mapping of shipper fields")
    return {str(key): str(value) for key, value in fields.items()}


@app.command("rules")
def rules_command(
    on: Annotated[str | None, typer.Option(help="Print the regime in force on this date (YYYY-MM-DD).")] = None,
    timeline: Annotated[bool, typer.Option(help="List every dated change with its reference.")] = False,
) -> None:
    """Show the dated rules: the regime on a date, or the timeline of changes."""
    rules = _rules()
    console = ui.console()
    if timeline or on is None:
        table = ui.OutputTable(f"Rule changes (rules {rules.version})", [
            "from", "parameter", ui.Col("value", text=True), ui.Col("reference", text=True)])
        for start, name, step in rules.timeline():
            table.add_row(start.isoformat(), name, _show(step.value), step.reference)
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


def _show(value: object) -> str:
    if value is None:
        return "none (ended)"
    if isinstance(value, list):
        return ", ".join(value) if value else "(none)"
    return str(value)


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
