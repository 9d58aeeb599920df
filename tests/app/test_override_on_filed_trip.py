"""Issue 14 item 3: an override of a shipment on a filed, not cancelled trip is refused (one
rule in ``ace321.app.shipments``, the same for the CLI and the API), naming the way out."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest


def cli(*args: str) -> Any:
    from typer.testing import CliRunner

    from ace321.cli.app import app

    return CliRunner().invoke(app, list(args), catch_exceptions=False)


def test_cli_override_refused_until_the_trip_is_cancelled(kit, db_url, tmp_path):
    orders = tmp_path / "orders.json"
    orders.write_text(json.dumps([kit.shipment("O1", n=1), kit.shipment("O2", n=2)]))
    filed = cli("manifest", str(orders), "--trip", str(kit.EXAMPLES / "trip.yaml"), "--out",
                str(tmp_path / "out"), "--filed-at", "2026-11-23T12:00:00-05:00", "--db", db_url)
    assert filed.exit_code == 0, filed.output
    refused = cli("shipments", "override", "O1", "--decision", "FORMAL_ENTRY", "--reason", "x",
                  "--db", db_url)
    assert refused.exit_code == 1
    message = " ".join(refused.stderr.split())
    assert "MAPL20261123A" in message and "trips cancel MAPL20261123A" in message
    shown = json.loads(cli("shipments", "show", "O1", "--db", db_url).stdout)
    assert shown["decision"] == "INFORMAL_ENTRY"
    assert cli("trips", "cancel", "MAPL20261123A", "--reason", "redo", "--db", db_url
               ).exit_code == 0
    done = cli("shipments", "override", "O1", "--decision", "FORMAL_ENTRY", "--reason", "x",
               "--db", db_url)
    assert done.exit_code == 0, done.output
    assert "INFORMAL_ENTRY -> FORMAL_ENTRY" in done.stdout


def test_a_shipment_rejected_by_cbp_may_be_overridden_before_it_is_filed_again(kit, db):
    from ace321.app.errors import Refused
    from ace321.app.shipments import change_status, override_decision
    from ace321.app.trips import file_stored_trip

    kit.ingest(db, [kit.shipment("R1")])
    file_stored_trip(db, kit.rules, tenant="default", actor="t", now=kit.NOW, trip=kit.trip(),
                     shipment_ids=["R1"],
                     filed_at=dt.datetime.fromisoformat("2026-11-23T12:00:00-05:00"))
    with pytest.raises(Refused) as refused:
        override_decision(db, kit.rules, tenant="default", actor="t", role="clerk", now=kit.NOW,
                          shipment_id="R1", decision="FORMAL_ENTRY", reason="x")
    assert refused.value.code == "SHIPMENT_ON_FILED_TRIP"
    for status in ("TRANSMITTED", "REJECTED"):
        change_status(db, tenant="default", actor="t", now=kit.NOW, shipment_id="R1",
                      to=status, cause="CBP")
    change = override_decision(db, kit.rules, tenant="default", actor="t", role="clerk", now=kit.NOW,
                               shipment_id="R1", decision="FORMAL_ENTRY", reason="x")
    assert (change.before, change.after) == ("INFORMAL_ENTRY", "FORMAL_ENTRY")
