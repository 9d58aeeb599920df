"""Stored instants are UTC and come back aware; every timestamp printed has an offset and every
amount two decimals (issue 14 item 6), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from ace321.screening.money import amount

EASTERN = dt.timezone(dt.timedelta(hours=-5))
# 04:30 in New York is 09:30 UTC: a wall time stored without its offset would read 04:30.
LOCAL_NOW = dt.datetime(2026, 11, 22, 4, 30, tzinfo=EASTERN)
UTC_TEXT = "2026-11-22T09:30:00+00:00"
INSTANT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)$")
EXAMPLES = Path(__file__).parents[2] / "examples"


def timestamps_and_amounts(document: Any, path: str = "") -> tuple[list[str], list[str]]:
    """Every text that starts like a date and time, and every ``value_usd``, with its path."""
    times: list[str] = []
    amounts: list[str] = []
    if isinstance(document, dict):
        for key, value in document.items():
            if key == "value_usd" and value is not None:
                amounts.append(f"{path}.{key}={value}")
            t, a = timestamps_and_amounts(value, f"{path}.{key}")
            times += t
            amounts += a
    elif isinstance(document, list):
        for index, value in enumerate(document):
            t, a = timestamps_and_amounts(value, f"{path}[{index}]")
            times += t
            amounts += a
    elif isinstance(document, str) and re.match(r"^\d{4}-\d{2}-\d{2}[T ]\d", document):
        times.append(f"{path}={document}")
    return times, amounts


def assert_offsets_and_two_decimals(document: Any) -> None:
    times, amounts = timestamps_and_amounts(document)
    assert times, "the document has timestamps"
    bad_times = [t for t in times if not INSTANT.match(t.split("=", 1)[1])]
    assert bad_times == []
    bad_amounts = [a for a in amounts
                   if not re.match(r"^-?\d+\.\d\d(\d*[1-9])?$", a.split("=", 1)[1])]
    assert bad_amounts == []


def test_amount_text_has_two_decimals_and_keeps_every_digit() -> None:
    assert amount(Decimal("450.000000000000")) == "450.00"
    assert amount(Decimal("450")) == "450.00"
    assert amount(Decimal("0.5")) == "0.50"
    assert amount(Decimal("12.3450")) == "12.345"
    assert amount(Decimal("-3.10")) == "-3.10"


def test_an_instant_with_any_offset_is_stored_as_utc(kit: Any, db: Any) -> None:
    from ace321.storage.lifecycle import override, transition
    from ace321.storage.queries import show

    kit.ingest(db, [kit.shipment("T1")], now=LOCAL_NOW)
    later = dt.datetime(2026, 11, 22, 12, 0, tzinfo=dt.timezone(dt.timedelta(hours=9)))
    override(db, "T1", "FORMAL_ENTRY", reason="broker asked", actor="t", now=later,
             rules_version=kit.rules.version)
    transition(db, "T1", "MANIFESTED", actor="t", cause="test", now=later)
    with db.reading() as session:
        shown = show(session, "T1")
    assert shown["batch"]["imported_at"] == UTC_TEXT
    assert shown["decisions"][0]["decided_at"] == UTC_TEXT
    assert shown["decisions"][-1]["decided_at"] == "2026-11-22T03:00:00+00:00"
    assert shown["status_history"][0]["at"] == UTC_TEXT
    assert [d["value_usd"] for d in shown["decisions"]] == ["10.00", "10.00"]
    assert_offsets_and_two_decimals(shown)


def test_a_naive_instant_is_refused(db: Any) -> None:
    from ace321.storage.types import StorageValueError, UtcDateTime

    with pytest.raises(StorageValueError, match="no UTC offset"):
        UtcDateTime().process_bind_param(dt.datetime(2026, 11, 22, 9, 30), db.engine.dialect)


def test_cli_json_of_stored_data_has_offsets_and_two_decimals(kit: Any, db_url: str,
                                                              tmp_path: Path) -> None:
    ingested = kit.cli("ingest", str(EXAMPLES / "orders.csv"), "--arrival", "2026-11-23",
                       "--rates", str(EXAMPLES / "rates.csv"), "--db", db_url, "-f", "json")
    batch = json.loads(ingested.stdout)["batch_id"]
    overridden = kit.cli("shipments", "override", "MF-100112-01", "--decision", "FORMAL_ENTRY",
                         "--reason", "test", "--db", db_url)
    assert overridden.exit_code == 0, overridden.output
    shown = json.loads(kit.cli("shipments", "show", "MF-100112-01", "--db", db_url).stdout)
    assert [d["value_usd"] for d in shown["decisions"]] == ["450.00", "450.00"]
    assert_offsets_and_two_decimals(shown)
    filed = kit.cli("manifest", "--batch", batch, "--skip-invalid", "--trip",
                    str(EXAMPLES / "trip.yaml"), "--out", str(tmp_path / "out"),
                    "--filed-at", "2026-11-23T12:00:00-05:00", "--db", db_url, "-f", "json")
    assert filed.exit_code == 0, filed.output
    trips = json.loads(kit.cli("trips", "list", "--json", "--db", db_url).stdout)
    assert trips[0]["filed_at"] == "2026-11-23T17:00:00+00:00"
    assert_offsets_and_two_decimals(trips)
    trip = json.loads(kit.cli("trips", "show", trips[0]["trip_number"], "--json", "--db",
                              db_url).stdout)
    assert_offsets_and_two_decimals(trip)


def test_duplicate_trip_number_names_when_the_trip_was_filed(kit: Any, db_url: str,
                                                             tmp_path: Path) -> None:
    def file(out: str) -> Any:
        return kit.cli("manifest", "--shipments", "MF-100101-01", "--trip",
                       str(EXAMPLES / "trip.yaml"), "--out", str(tmp_path / out),
                       "--filed-at", "2026-11-23T12:00:00-05:00", "--db", db_url, "-f", "json")

    kit.cli("ingest", str(EXAMPLES / "orders.csv"), "--arrival", "2026-11-23", "--rates",
            str(EXAMPLES / "rates.csv"), "--db", db_url, "-f", "summary")
    assert file("one").exit_code == 0
    kit.cli("trips", "cancel", "MAPL20261123A", "--reason", "again", "--db", db_url)
    refused = json.loads(file("two").stdout)
    [duplicate] = [p for p in refused["problems"] if p["code"] == "DUPLICATE_TRIP_NUMBER"]
    # filed 12:00 in New York, stored at the test's real clock: the filing time is named
    assert "filed 2026-11-23T17:00:00+00:00" in duplicate["message"]
