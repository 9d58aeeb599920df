"""API commands: ``serve`` (the REST API under uvicorn) and ``apikey create|revoke|list``.

The clock is read here (``now()``), never in ``ace321.storage``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from ace321.cli import console as ui
from ace321.cli.options import DEFAULT_TENANT, Access, FormatOption, TableOrJson, TenantOption
from ace321.cli.storage_commands import DbOption, _actor, _fail, _open

err = ui.console(stderr=True)
apikey_app = typer.Typer(help="API keys: create (printed once), revoke, list.",
                         no_args_is_help=True)


class Role(StrEnum):
    viewer = "viewer"
    operator = "operator"
    admin = "admin"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8321,
    db: DbOption = None,
    workers: Annotated[int, typer.Option(min=1, help="Worker processes (use PostgreSQL for "
                                                     "more than one in production).")] = 1,
    access_log: Annotated[bool, typer.Option(help="Log every request.")] = True,
    max_body_mb: Annotated[float | None, typer.Option(
        help="Largest request body in MB (default 50, or ACE321_API_MAX_BODY_BYTES).")] = None,
) -> None:
    """Run the REST API (FastAPI under uvicorn) over the database."""
    import uvicorn

    from ace321.storage.database import resolve_url

    url = resolve_url(db)
    _open(url, None, Access.CREATE).close()  # create or migrate once, before the workers start
    os.environ["ACE321_DATABASE_URL"] = url
    if max_body_mb is not None:
        os.environ["ACE321_API_MAX_BODY_BYTES"] = str(int(max_body_mb * 1024 * 1024))
    err.print(f"ace321 API on http://{host}:{port}/v1 (docs /v1/docs), {workers} worker(s)",
              soft_wrap=True)
    # "auto" is uvloop and httptools (installed with uvicorn[standard]): on 2 cores they
    # served about twice the screens per second of asyncio and h11 (benchmarks/api_load.py).
    uvicorn.run("ace321.api.app:app_from_env", factory=True, host=host, port=port,
                workers=workers, access_log=access_log, log_level="info",
                loop="auto", http="auto", timeout_graceful_shutdown=10)


@apikey_app.command("create")
def apikey_create(
    tenant: TenantOption = DEFAULT_TENANT,
    role: Annotated[Role, typer.Option(help="viewer (read), operator (read, screen, upload) "
                                            "or admin (also overrides).")] = Role.operator,
    name: Annotated[str | None, typer.Option(help="A label for the key.")] = None,
    actor: Annotated[str | None, typer.Option(help="Who creates it (audit trail).")] = None,
    db: DbOption = None,
) -> None:
    """Create an API key and print it once (only its SHA-256 hash is stored)."""
    from ace321.storage import StorageError
    from ace321.storage.api_keys import create_key

    database = _open(db, None, Access.CREATE)
    try:
        created = create_key(database, tenant=tenant, role=role.value, name=name,
                             actor=_actor(actor), now=now())
    except StorageError as error:
        raise _fail(str(error)) from None
    finally:
        database.close()
    err.print(f"API key {created.prefix} ({created.role}) for tenant {created.tenant}; it is "
              "shown only now:", soft_wrap=True)
    sys.stdout.write(created.key + "\n")


@apikey_app.command("revoke")
def apikey_revoke(
    prefix: Annotated[str, typer.Argument(help="The key's prefix (the part after `ace321_`).")],
    actor: Annotated[str | None, typer.Option(help="Who revokes it (audit trail).")] = None,
    db: DbOption = None,
) -> None:
    """Revoke an API key: requests with it answer 401 within a second (running servers trust a
    verified key for ACE321_API_KEY_CACHE_SECONDS, default 1)."""
    from ace321.storage import StorageError
    from ace321.storage.api_keys import revoke_key

    database = _open(db, None, Access.CHANGE)
    try:
        revoked = revoke_key(database, prefix, actor=_actor(actor), now=now())
    except StorageError as error:
        raise _fail(str(error), 1) from None
    finally:
        database.close()
    ui.say(f"API key {revoked.prefix} of tenant {revoked.tenant} revoked")


@apikey_app.command("list")
def apikey_list(
    tenant: Annotated[str | None, typer.Option(
        help="Only this tenant's keys (default: every tenant's).")] = None,
    format: FormatOption = TableOrJson.table,
    db: DbOption = None,
) -> None:
    """List API keys (prefix, tenant, role, dates; never the keys)."""
    from ace321.storage.api_keys import list_keys

    database = _open(db, tenant, Access.READ)
    try:
        with database.reading() as session:
            rows: list[dict[str, Any]] = [row for row in list_keys(session)
                                          if tenant is None or row["tenant"] == tenant]
    finally:
        database.close()
    if format is TableOrJson.json:
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
        return
    table = ui.OutputTable(f"{len(rows)} API key(s)", [
        "prefix", "tenant", "role", ui.Col("name", text=True), "created", "revoked"])
    for row in rows:
        table.add_row(row["prefix"], row["tenant"], row["role"], row["name"] or "",
                      row["created_at"], row["revoked_at"] or "",
                      style="dim" if row["revoked_at"] else None)
    ui.console().print(table)


def register(app: typer.Typer) -> None:
    """Add the API commands to the ``ace321`` command."""
    app.command("serve")(serve)
    app.add_typer(apikey_app, name="apikey")
