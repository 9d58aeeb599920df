"""The shipped land-port table agrees with the project's BTS data and has sound time zones."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from ace321.reference import ports

SHARED = Path(__file__).resolve().parents[3] / "shared" / "data" / "us_land_ports.csv"


def _shared_rows() -> list[dict[str, str]]:
    if not SHARED.exists():
        pytest.skip(f"shared BTS data not found at {SHARED}")
    with SHARED.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_every_shared_port_is_shipped_with_the_same_facts() -> None:
    shipped = ports.load_ports()
    rows = _shared_rows()
    assert len(rows) == 114
    for row in rows:
        port = shipped[row["port_code"]]
        assert (port.name, port.state, port.border) == (row["port_name"], row["state"], row["border"])
        assert port.truck_traffic is (row["truck_traffic"] == "yes")
    assert set(shipped) == {row["port_code"] for row in rows}


def test_truck_flags() -> None:
    assert ports.port("0901").truck_traffic is True  # Buffalo-Niagara Falls
    assert ports.port("0101").truck_traffic is False  # Portland ME


def test_unknown_port_is_none() -> None:
    assert ports.port("9999") is None
    assert ports.port("901") is None


def test_load_ports_returns_a_fresh_dict() -> None:
    first = ports.load_ports()
    first.clear()
    assert "0901" in ports.load_ports()


def test_every_zone_is_an_iana_zone() -> None:
    for port in ports.load_ports().values():
        assert isinstance(port.zone, ZoneInfo), port


@pytest.mark.parametrize(
    ("code", "zone"),
    [
        ("0901", "America/New_York"),  # Buffalo
        ("0101", "America/New_York"),  # Maine
        ("0209", "America/New_York"),  # Vermont
        ("4105", "America/New_York"),  # Ohio
        ("3801", "America/Detroit"),
        ("3803", "America/Detroit"),  # Sault Ste. Marie is Eastern
        ("2304", "America/Chicago"),  # Laredo
        ("2403", "America/Chicago"),  # Presidio County is Central
        ("2402", "America/Denver"),  # El Paso
        ("2404", "America/Denver"),  # Tornillo-Fabens, El Paso County
        ("2406", "America/Denver"),  # New Mexico
        ("2506", "America/Los_Angeles"),  # Otay Mesa
        ("2604", "America/Phoenix"),  # Arizona
        ("3004", "America/Los_Angeles"),  # Washington
        ("3302", "America/Los_Angeles"),  # Eastport ID, panhandle
        ("3308", "America/Los_Angeles"),  # Porthill ID, panhandle
        ("3310", "America/Denver"),  # Montana
        ("3401", "America/Chicago"),  # Pembina ND
        ("3403", "America/Chicago"),  # Portal ND
        ("3604", "America/Chicago"),  # Minnesota
        ("3104", "America/Anchorage"),  # Alcan
        ("3106", "America/Juneau"),  # Dalton Cache
    ],
)
def test_time_zones(code: str, zone: str) -> None:
    assert ports.port(code).time_zone == zone


def test_single_zone_states_are_consistent() -> None:
    by_state: dict[str, set[str]] = {}
    for port in ports.load_ports().values():
        by_state.setdefault(port.state, set()).add(port.time_zone)
    two_zone = {"Texas", "Alaska"}
    for state, zones in by_state.items():
        assert len(zones) == (2 if state in two_zone else 1), (state, zones)


def test_arizona_keeps_no_daylight_saving() -> None:
    zone = ports.port("2604").zone
    winter = dt.datetime(2026, 1, 15, 12, tzinfo=zone).utcoffset()
    summer = dt.datetime(2026, 7, 15, 12, tzinfo=zone).utcoffset()
    assert winter == summer == dt.timedelta(hours=-7)
