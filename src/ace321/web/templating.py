"""The Jinja2 templates and the filters they share (labels, amounts, times)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from ace321 import __version__

TEMPLATES = Path(__file__).parent / "templates"

DECISION_LABELS = {
    "SECTION_321": "Section 321", "GIFT": "Gift", "INFORMAL_ENTRY": "Informal entry",
    "FORMAL_ENTRY": "Formal entry", "INVALID": "Invalid",
}
STATUS_LABELS = {
    "SCREENED": "Screened", "MANIFESTED": "Manifested", "TRANSMITTED": "Transmitted",
    "ACCEPTED": "Accepted", "REJECTED": "Rejected", "ARRIVED": "Arrived",
    "RELEASED": "Released", "HOLD": "Hold", "CANCELLED": "Cancelled",
    "OPEN": "Filed", "DRAFT": "Draft", "FILED": "Filed",
}
# A symbol beside the colour, so the status never rests on colour alone.
STATUS_SYMBOLS = {
    "draft": "○", "open": "◐", "filed": "◐", "transmitted": "◐", "manifested": "◐",
    "accepted": "✓", "released": "✓", "arrived": "➜", "rejected": "✗", "hold": "!",
    "cancelled": "–", "screened": "○", "invalid": "✗",
}


def decision_label(code: str | None) -> str:
    return DECISION_LABELS.get(code or "", code or "—")


def status_label(code: str | None) -> str:
    return STATUS_LABELS.get((code or "").upper(), (code or "—").title())


def status_symbol(code: str | None) -> str:
    return STATUS_SYMBOLS.get((code or "").lower(), "•")


def money(value: Any) -> str:
    """An amount in USD with two decimals and thousands separators (exact: Decimal text)."""
    if value is None or value == "":
        return "—"
    from decimal import ROUND_HALF_UP, Decimal

    amount = Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"${amount:,.2f}"


def amount(value: Any) -> str:
    """A plain amount with two decimals and thousands separators (the currency is in the
    column's header): exact, from Decimal or its text."""
    if value is None or value == "":
        return "—"
    from decimal import ROUND_HALF_UP, Decimal

    return f"{Decimal(str(value)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def when(value: Any) -> str:
    """An ISO time as ``YYYY-MM-DD HH:MM ±HH:MM`` (its own offset kept)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, str):
        try:
            value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if isinstance(value, dt.datetime):
        if value.utcoffset() is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.isoformat(sep=" ", timespec="minutes")
    return str(value)


templates = Jinja2Templates(directory=str(TEMPLATES))
templates.env.filters.update(decision=decision_label, status=status_label, symbol=status_symbol,
                             money=money, amount=amount, when=when)
templates.env.globals.update(version=__version__, DECISION_LABELS=DECISION_LABELS)


def render(request: Request, name: str, context: dict[str, Any] | None = None, *,
           status: int = 200, headers: dict[str, str] | None = None) -> HTMLResponse:
    """The page ``name`` with the signed-in user and their CSRF token in its context."""
    user = getattr(request.state, "user", None)
    full = {"user": user, "csrf_token": user.csrf_token if user else "",
            "path": request.url.path, **(context or {})}
    return templates.TemplateResponse(request, name, full, status_code=status, headers=headers)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"
