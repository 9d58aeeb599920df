"""``ace321 user create|list|disable``: the people who sign in to the web workspace.

The password is read from a hidden prompt (asked twice) on a terminal, else from the first line
of standard input, so that scripts can pipe it; it never appears in the command line.
"""

from __future__ import annotations

import datetime as dt
import getpass
import json
import sys
from enum import StrEnum
from typing import Annotated, Any

import typer

from ace321.cli import console as ui
from ace321.cli.options import Access
from ace321.cli.storage_commands import DbOption, _actor, _fail, _open

user_app = typer.Typer(help="Users of the web workspace: create, list, disable.",
                       no_args_is_help=True)


class UserRole(StrEnum):
    viewer = "viewer"
    clerk = "clerk"
    admin = "admin"


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _read_password() -> str:
    if sys.stdin.isatty():
        first = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != first:
            raise _fail("the passwords differ")
        return first
    line = sys.stdin.readline()
    if not line:
        raise _fail("no password on standard input")
    return line.rstrip("\r\n")


@user_app.command("create")
def user_create(
    email: Annotated[str, typer.Argument(help="The user's email: the name they sign in with.")],
    tenant: Annotated[str, typer.Option(help="Tenant (created on first use).")] = "default",
    role: Annotated[UserRole, typer.Option(
        help="viewer (reads), clerk (uploads, files trips, imports responses, overrides) or "
             "admin (also manages users and API keys).")] = UserRole.clerk,
    actor: Annotated[str | None, typer.Option(help="Who creates it (audit trail).")] = None,
    db: DbOption = None,
) -> None:
    """Create a user; the password comes from a prompt, or from standard input when piped."""
    from ace321.storage import StorageError
    from ace321.storage.users import create_user

    password = _read_password()
    database = _open(db, None, Access.CREATE)
    try:
        created = create_user(database, email=email, tenant=tenant, role=role.value,
                              password=password, actor=_actor(actor), now=_now())
    except StorageError as error:
        raise _fail(str(error), 1) from None
    finally:
        database.close()
    ui.say(f"user {created['email']} ({created['role']}) of tenant {created['tenant']} created")


@user_app.command("list")
def user_list(
    tenant: Annotated[str | None, typer.Option(help="Only this tenant's users.")] = None,
    db: DbOption = None,
) -> None:
    """List users as JSON (email, tenant, role, dates; never a password hash)."""
    from ace321.storage.users import list_users

    database = _open(db, None, Access.READ)
    try:
        with database.reading() as session:
            rows: list[dict[str, Any]] = list_users(session, tenant)
    finally:
        database.close()
    sys.stdout.write(json.dumps(rows, indent=2) + "\n")


@user_app.command("disable")
def user_disable(
    email: Annotated[str, typer.Argument(help="The user's email.")],
    actor: Annotated[str | None, typer.Option(help="Who disables it (audit trail).")] = None,
    db: DbOption = None,
) -> None:
    """Disable a user: they cannot sign in any more and their open sessions end at once."""
    from ace321.storage import StorageError
    from ace321.storage.users import disable_user

    database = _open(db, None, Access.CHANGE)
    try:
        done = disable_user(database, email, actor=_actor(actor), now=_now())
    except StorageError as error:
        raise _fail(str(error), 1) from None
    finally:
        database.close()
    ui.say(f"user {done['email']} of tenant {done['tenant']} disabled")


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
