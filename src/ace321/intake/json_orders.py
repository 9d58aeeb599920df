"""JSON for integrators: a list of shipments, each with shipment fields and nested ``lines``.

Field names are those of the canonical CSV. Shipment-level fields may be given on the shipment
or repeated on each line; a value on the line wins. Parties may also be nested objects
(``"consignee": {"name": ..., "phone": ...}``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl

from ace321.intake import columns
from ace321.intake.canonical import canonical_frame
from ace321.intake.errors import UnusableInput
from ace321.intake.json_text import SURROGATES, parse_json_bytes


def _scalar(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _flatten_parties(record: dict[str, Any]) -> dict[str, Any]:
    flat = dict(record)
    for party in ("shipper", "consignee"):
        nested = flat.pop(party, None)
        if isinstance(nested, dict):
            for key, value in nested.items():
                flat.setdefault(f"{party}_{key}", value)
    return flat


def rows_from_shipments(shipments: Any, source: str) -> list[dict[str, str | None]]:
    if isinstance(shipments, dict) and isinstance(shipments.get("shipments"), list):
        shipments = shipments["shipments"]
    if not isinstance(shipments, list):
        raise UnusableInput(source, "expected a JSON list of shipments (or {\"shipments\": [...]})")
    rows: list[dict[str, str | None]] = []
    for index, shipment in enumerate(shipments):
        if not isinstance(shipment, dict):
            raise UnusableInput(source, f"shipments[{index}] is not an object")
        lines = shipment.get("lines")
        if not isinstance(lines, list) or not lines:
            raise UnusableInput(source, f"shipments[{index}].lines must be a non-empty list")
        head = _flatten_parties({k: v for k, v in shipment.items() if k != "lines"})
        for line_index, line in enumerate(lines):
            if not isinstance(line, dict):
                raise UnusableInput(source, f"shipments[{index}].lines[{line_index}] is not an object")
            merged = {**head, **_flatten_parties(line)}
            row = {name: _scalar(merged.get(name)) for name in columns.ALL if name in merged}
            for name, value in row.items():
                # Parsed JSON may hold a lone surrogate ("\ud800"): no encoder can write it.
                if value is not None and not value.isascii() and SURROGATES.search(value):
                    code = ord(SURROGATES.search(value).group())  # type: ignore[union-attr]
                    raise UnusableInput(source, f"shipments[{index}].lines[{line_index}].{name}: "
                                                f"a lone surrogate (U+{code:04X}) is not a "
                                                "Unicode character")
            rows.append(row)
    return rows


def frame_from_shipments(shipments: Any, source: str = "<json>") -> pl.DataFrame:
    """The canonical frame for shipments given as Python objects (parsed JSON)."""
    rows = rows_from_shipments(shipments, source)
    if not rows:
        raise UnusableInput(source, "no shipments")
    present = [name for name in columns.ALL if any(name in row for row in rows)]
    # Optional shipment fields absent from JSON must not be reported as missing columns:
    # for JSON a missing field is a missing value, reported per shipment.
    present = list(dict.fromkeys([*present, *columns.REQUIRED_COLUMNS]))
    raw = pl.DataFrame(
        {name: [row.get(name) for row in rows] for name in present},
        schema={name: pl.String for name in present},
    )
    return canonical_frame(raw, source)


def read_json_orders(path: Path) -> pl.DataFrame:
    source = str(path)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UnusableInput(source, f"cannot read file ({error.strerror or error})") from None
    return frame_from_shipments(parse_json_bytes(data, source), source)
