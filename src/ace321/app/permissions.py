"""Who may do what: one rule for the web's users and the API's keys.

The two kinds of account name the same three levels. A viewer reads; a clerk (web user) or an
operator (API key) does the day's work; an admin also manages the tenant. Each rule here is the
level an action needs; the web and the API only translate it into the role name of their own
accounts (``needed_role``) and word the refusal.
"""

from __future__ import annotations

from typing import Literal

from ace321.app.errors import AppError

Layer = Literal["web", "api"]

LEVELS = {"viewer": 0, "clerk": 1, "operator": 1, "admin": 2}
ROLES_BY_LEVEL: dict[Layer, tuple[str, str, str]] = {
    "web": ("viewer", "clerk", "admin"),
    "api": ("viewer", "operator", "admin"),
}

# An override can only make a shipment's path stricter (never grant de minimis or a gift the
# rules deny), so it is day-to-day work: a clerk's or an operator's, and an admin's; never a
# viewer's.
OVERRIDE = 1


class Forbidden(AppError):
    """The caller's role does not allow the action."""

    code = "FORBIDDEN"


def allowed(role: str, level: int) -> bool:
    """Whether an account with ``role`` may do an action that needs ``level``."""
    return LEVELS.get(role, -1) >= level


def needed_role(level: int, layer: Layer) -> str:
    """The lowest role of ``layer``'s accounts that may do an action needing ``level``."""
    return ROLES_BY_LEVEL[layer][level]


def may_override(role: str) -> bool:
    return allowed(role, OVERRIDE)


def check_override(role: str) -> None:
    """``Forbidden`` unless ``role`` may override a decision."""
    if not may_override(role):
        raise Forbidden(f"overriding a decision needs the clerk (web) or operator (API key) "
                        f"role, or admin; the role here is {role}")
