"""What every command shares: option names, reading order inputs, opening the database.

One definition per option, so that a name means the same in every command (``--tenant``,
``--db``, ``--actor``, ``--reason``, ``--format``, ``--arrival``, ``--rates``, ``--hts``,
``--catalog``, ``--shipper``); decisions and statuses are ``ace321.vocabulary`` enums, so that a
bad value is a usage error naming the valid ones. ``fail`` prints one line on stderr and returns
the ``typer.Exit`` to raise (2: unusable input or options).

The clock is read here (``now()``), never in ``ace321.storage``.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from enum import Enum, StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ace321.cli import console as ui

if TYPE_CHECKING:
    import polars as pl

    from ace321.intake import UnusableInput
    from ace321.rules import RuleSet
    from ace321.storage import BatchInfo, Database

err = ui.console(stderr=True)
TENANT_ENV = "ACE321_TENANT"
DEFAULT_TENANT = "default"

DbOption = Annotated[str | None, typer.Option(
    "--db", help="Database URL (default: ACE321_DATABASE_URL, else sqlite file ./ace321.db).")]
TenantOption = Annotated[str, typer.Option(
    "--tenant", envvar=TENANT_ENV, show_envvar=False,
    help="Tenant whose data is read or written (default: ACE321_TENANT, else 'default'). An API "
         "key sees only its own tenant's data.")]
ActorOption = Annotated[str | None, typer.Option(
    help="Who does this (default: ACE321_ACTOR, else the login name).")]
ReasonOption = Annotated[str, typer.Option("--reason", help="Why (mandatory; kept in the audit trail).")]
ArrivalOption = Annotated[str | None, typer.Option(
    help="Arrival date (YYYY-MM-DD) of rows without one (the API's `as_of`).")]
RatesOption = Annotated[Path | None, typer.Option(
    help="Exchange rates CSV: date,currency,usd_per_unit.")]
HtsOption = Annotated[Path | None, typer.Option(
    help="USITC HTS CSV export; codes are checked against it.")]
CatalogOption = Annotated[Path | None, typer.Option(
    help="Product catalog for Shopify exports: sku,hts_code,country_of_origin[,weight,weight_unit].")]
ShipperOption = Annotated[Path | None, typer.Option(
    help="YAML or JSON mapping of the shipper's fields for Shopify exports (name, address, city, "
         "state, postal_code, country), e.g. examples/shipper.yaml.")]


def vocabulary(kind: type[Any], help: str, *names: str, required: bool = False) -> Any:
    """A ``typer.Option`` taking a value of an ``ace321.vocabulary`` enum: parsed in any case
    by ``vocabulary.parse`` (as the API does), a bad value being a usage error (exit 2) that
    names the valid ones in upper case."""
    from ace321.vocabulary import UnknownValue, parse

    def convert(value: str | None) -> Any:
        if value is None:
            return None
        try:
            return parse(kind, value)
        except UnknownValue as error:
            raise typer.BadParameter(str(error)) from None

    metavar = {"RiskBand": "BAND"}.get(kind.__name__) or (
        "STATUS" if kind.__name__.endswith("Status") else "DECISION")
    return typer.Option(*names, callback=convert, metavar=metavar,
                        help=f"{help} ({', '.join(kind.values())}; any case)",
                        show_default=not required)


class TableOrJson(StrEnum):
    table = "table"
    json = "json"


FormatOption = Annotated[TableOrJson, typer.Option("--format", "-f", help="Console output.")]
JsonAlias = Annotated[bool, typer.Option("--json", hidden=True, help="Deprecated: --format json.")]


def output_format(chosen: TableOrJson, json_alias: bool) -> TableOrJson:
    """``--format``, or ``json`` when the deprecated ``--json`` is given."""
    if json_alias:
        ui.say("warning: --json is deprecated; use --format json", stderr=True)
        return TableOrJson.json
    return chosen


def fail(message: str, code: int = 2) -> typer.Exit:
    """``error: MESSAGE`` on stderr; returns the exit to raise."""
    ui.error(message)
    return typer.Exit(code)


def rules_or_exit() -> RuleSet:
    """The bundled rules; a broken rule file ends the command (exit 2) naming file and key."""
    from ace321.rules import RuleError, load_rules

    try:
        return load_rules()
    except RuleError as error:
        raise fail(f"rules: {error}") from None


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def actor_name(actor: str | None) -> str:
    if actor:
        return actor
    if os.environ.get("ACE321_ACTOR"):
        return os.environ["ACE321_ACTOR"]
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def parse_date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    from ace321.validation.dates import parse_date as strict_date

    try:
        return strict_date(text)
    except ValueError:
        raise fail(f"{option} {text!r}: not a date in YYYY-MM-DD form") from None


# How to give what an input file needs, in the CLI's words (``UnusableInput.needs``).
_NEEDS = {
    "catalog": "give --catalog products.csv (sku,hts_code,country_of_origin)",
    "shipper": "give --shipper shipper.yaml (see examples/shipper.yaml)",
}


def unusable(error: UnusableInput) -> typer.Exit:
    """``fail`` for unusable input, saying which option supplies what the file needs."""
    hint = _NEEDS.get(error.needs or "")
    return fail(f"{error}: {hint}" if hint else str(error))


def read_shipper(path: Path | None) -> dict[str, str] | None:
    """The shipper's fields from a YAML or JSON mapping (``examples/shipper.yaml``)."""
    if path is None:
        return None
    import yaml

    from ace321.intake import UnusableInput

    try:
        fields = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
        raise UnusableInput(str(path), f"cannot read shipper file ({error})") from None
    if not isinstance(fields, dict) or not fields:
        raise UnusableInput(str(path), "shipper file must be a mapping of shipper fields "
                            "(name, address, city, state, postal_code, country)")
    return {str(key): "" if value is None else str(value) for key, value in fields.items()}


@dataclass
class OrderInputs:
    """An order file read with its settings: the canonical frame, rates, HTS codes, batch."""

    frame: pl.DataFrame
    rates: pl.DataFrame | None
    hts: pl.Series | None
    batch: BatchInfo | None
    """The file's name, SHA-256 and line count, for storing it (None when not asked for)."""


def read_settings(*, rates: Path | None, hts: Path | None) -> tuple[Any, Any]:
    """(rate table, known HTS codes) from ``--rates`` and ``--hts`` (either may be None)."""
    rate_table = hts_codes = None
    if rates is not None:
        from ace321.intake.rates import read_rates

        rate_table = read_rates(rates)
    if hts is not None:
        from ace321.intake.hts_table import known_codes, read_hts_table

        hts_codes = known_codes(read_hts_table(hts))
    return rate_table, hts_codes


def read_inputs(orders: Path, *, catalog: Path | None, shipper: Path | None,
                rates: Path | None, hts: Path | None, stored: bool = True) -> OrderInputs:
    """Read ORDERS as ``check``, ``ingest`` and ``manifest`` all do (unusable input: exit 2);
    ``stored``: also hash the file for its batch record."""
    from ace321.intake import UnusableInput, read_orders
    from ace321.storage import BatchInfo

    try:
        frame = read_orders(orders, catalog=catalog, shipper=read_shipper(shipper))
        rate_table, hts_codes = read_settings(rates=rates, hts=hts)
        batch = None
        if stored:
            digest = hashlib.sha256(orders.read_bytes()).hexdigest()
            batch = BatchInfo(orders.name, digest, frame.height)
    except UnusableInput as error:
        raise unusable(error) from None
    except OSError as error:
        raise fail(f"{orders}: cannot read: {error}") from None
    return OrderInputs(frame, rate_table, hts_codes, batch)


class Access(Enum):
    """What a command does with the database."""

    READ = "read"
    """Reads only: the database and the tenant must exist (nothing is created)."""
    CHANGE = "change"
    """Changes what is stored: the database and the tenant must exist."""
    CREATE = "create"
    """Stores new data: the database is created and migrated, and the tenant created, if needed."""


def open_database(db: str | None, *, tenant: str | None, access: Access) -> Database:
    """The database for a command in ``tenant`` (None: a command over every tenant); exit 2
    when it or the tenant does not exist and the command would not create them."""
    from ace321.storage import Database, StorageError
    from ace321.storage import tenants as tenant_store

    try:
        name = None if tenant is None else tenant_store.check_name(tenant)
        database = Database.open(db, create=access is Access.CREATE)
    except StorageError as error:
        raise fail(str(error)) from None
    except Exception as error:  # unreachable server, bad URL, ...
        raise fail(f"database: {type(error).__name__}: {error}") from None
    try:
        if name is None:
            pass
        elif access is Access.CREATE:
            tenant_store.ensure(database, name, now())
        else:
            with database.reading() as session:
                tenant_store.require(session, name)
    except StorageError as error:
        database.close()
        raise fail(f"{error}; choose one with --tenant or {TENANT_ENV}") from None
    except BaseException:
        database.close()
        raise
    return database


@contextmanager
def opened(db: str | None, *, tenant: str | None, access: Access) -> Iterator[Database]:
    """``open_database``, closed on exit; a refusal inside (``AppError``, ``StorageError``) is
    exit 1 with its message."""
    from ace321.app.errors import AppError
    from ace321.storage import StorageError

    database = open_database(db, tenant=tenant, access=access)
    try:
        yield database
    except AppError as error:
        raise fail(error.message, 1) from None
    except StorageError as error:
        raise fail(str(error), 1) from None
    finally:
        database.close()
