"""US land-border ports of entry (CBP Schedule D), shipped as ``data/us_land_ports.csv``.

The table comes from the BTS Border Crossing Entry Data, with an IANA time zone added per port
(``data/README.md`` says how each zone was chosen).

>>> port("0901").name
'Buffalo-Niagara Falls'
>>> port("0901").truck_traffic, port("0101").truck_traffic
(True, False)
>>> port("2304").time_zone
'America/Chicago'
>>> port("9999") is None
True
"""

from __future__ import annotations

import csv
import functools
import io
from dataclasses import dataclass
from importlib import resources
from zoneinfo import ZoneInfo

DATA_FILE = "us_land_ports.csv"


@dataclass(frozen=True)
class Port:
    """One US land port of entry."""

    code: str  # Schedule D, 4 digits
    name: str
    state: str  # full name, e.g. "New York"
    border: str  # "US-Canada Border" or "US-Mexico Border"
    truck_traffic: bool  # trucks cross here (BTS records truck crossings)
    time_zone: str  # IANA zone, e.g. "America/New_York"

    @property
    def zone(self) -> ZoneInfo:
        """The port's time zone, for reading local arrival times."""
        return ZoneInfo(self.time_zone)


def _flag(value: str, code: str) -> bool:
    if value not in ("yes", "no"):
        raise ValueError(f"{DATA_FILE}: port {code}: truck_traffic must be yes or no, got {value!r}")
    return value == "yes"


@functools.cache
def _ports() -> tuple[Port, ...]:
    text = resources.files("ace321.reference").joinpath("data", DATA_FILE).read_text("utf-8")
    return tuple(
        Port(
            code=row["port_code"],
            name=row["port_name"],
            state=row["state"],
            border=row["border"],
            truck_traffic=_flag(row["truck_traffic"], row["port_code"]),
            time_zone=row["time_zone"],
        )
        for row in csv.DictReader(io.StringIO(text))
    )


@functools.cache
def _index() -> dict[str, Port]:
    return {p.code: p for p in _ports()}


def load_ports() -> dict[str, Port]:
    """Every shipped port by its 4-digit code (a new dict each call: the caller may change it)."""
    return dict(_index())


def port(code: str) -> Port | None:
    """The port with this 4-digit code, or ``None`` when it is not a known land port."""
    return _index().get(code)
