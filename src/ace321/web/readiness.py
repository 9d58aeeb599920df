"""Whether a saved truck, trailer or driver is ready for ACE: the trip validation of the core
(``manifest.validation.validate_trip``, e.g. the VIN check digit, a FAST card or a CDL) run on
a trip that holds the profile, keeping the problems of that profile only."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ace321.manifest.trip_file import parse_trip
from ace321.manifest.validation import validate_trip
from ace321.reference.ports import load_ports

# A complete, valid trip around the profile being checked (its own fields are replaced).
_FRAME: dict[str, Any] = {
    "carrier_scac": "MAPL", "port_of_arrival": "0901",
    "estimated_arrival": "2100-01-01T12:00:00-05:00",
    "truck": {"number": "T1", "type": "TR", "vin": "1FUJGLDR3CLBP8834",
              "license_plates": [{"number": "AB12345", "state_province": "ON", "country": "CA"}]},
    "trailers": [], "drivers": [{"first_name": "Ana", "last_name": "Silva",
                                 "fast_card_number": "42705555555501"}],
}
_PATHS = {"truck": "truck", "trailer": "trailers[0]", "driver": "drivers[0]"}


def problems(kind: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The profile's problems (``code``, ``field``, ``message``, ``severity``); none: ready."""
    trip = dict(_FRAME)
    if kind == "truck":
        trip["truck"] = data
    elif kind == "trailer":
        trip["trailers"] = [data]
    else:
        trip["drivers"] = [data]
    prefix = _PATHS[kind]
    parsed, issues = parse_trip(trip, "profile")
    if parsed is None:
        found = [i.as_dict() for i in issues]
    else:
        found = [i.as_dict() for i in validate_trip(
            parsed, filed_at=dt.datetime(2099, 12, 31, tzinfo=dt.UTC), shipment_count=1,
            ports=load_ports())]
    return [{**item, "field": item["field"].removeprefix(prefix).lstrip(".") or kind}
            for item in found if str(item.get("field", "")).startswith(prefix)]


def ready(kind: str, data: dict[str, Any]) -> bool:
    return not any(p.get("severity") == "error" for p in problems(kind, data))
