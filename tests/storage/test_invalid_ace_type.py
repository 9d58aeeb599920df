"""An INVALID shipment has no ACE shipment type: null in every output (issue 14 item 20)."""

from __future__ import annotations

import json
from typing import Any

from ace321.screening.result import ace_shipment_type


def test_the_type_of_each_decision() -> None:
    assert ace_shipment_type("SECTION_321") == "SECTION 321"
    for decision in ("GIFT", "INFORMAL_ENTRY", "FORMAL_ENTRY"):
        assert ace_shipment_type(decision) == "PAPS"
    assert ace_shipment_type("INVALID") is None


def test_invalid_is_shown_without_a_type(kit: Any, db: Any) -> None:
    from ace321.storage.queries import list_shipments, show

    kit.ingest(db, [kit.shipment("OK1"), kit.shipment("BAD1", person="Bo Day",
                                                       lines=[{"hts_code": "12"}])])
    with db.reading() as session:
        assert show(session, "BAD1")["ace_shipment_type"] is None
        assert show(session, "OK1")["ace_shipment_type"] == "SECTION 321"
        listed = {r["shipment_id"]: r["ace_shipment_type"] for r in list_shipments(session)}
    assert listed == {"OK1": "SECTION 321", "BAD1": None}


def test_check_json_and_csv_say_null(kit: Any, tmp_path: Any) -> None:
    import polars as pl

    from ace321.intake import frame_from_shipments

    frame = frame_from_shipments([kit.shipment("BAD1", lines=[{"hts_code": "12"}])])
    path = tmp_path / "orders.csv"
    frame.select([c for c in frame.columns if not c.startswith("_")]).write_csv(path)
    document = kit.cli("check", str(path), "--format", "json")
    assert json.loads(document.stdout)["shipments"][0]["ace_shipment_type"] is None
    table = kit.cli("check", str(path), "--format", "csv")
    assert pl.read_csv(table.stdout.encode())["ace_shipment_type"].to_list() == [None]
