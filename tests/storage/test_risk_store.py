"""Risk at ingest: every stored shipment's score and signals, re-scored when a later file makes
it part of a pattern; listed by band, shown, explained; ``risk --db`` reads history only."""

from __future__ import annotations

import json
from typing import Any

import pytest


def _ingest(kit: Any, db: Any, shipments: list[dict[str, Any]], name: str) -> Any:
    from ace321.app.ingest import BatchInfo, ingest_batch

    frame = kit.frame(shipments)
    return ingest_batch(db, frame, rules=kit.rules, source=BatchInfo(name, "0" * 64, frame.height),
                        tenant="default", actor="tester", now=kit.NOW)


def _bob(kit: Any, n: int, start: int = 0) -> list[dict[str, Any]]:
    return [kit.shipment(f"BOB-{i}", person="Bob Ray", phone="+1 716-634-0199",
                         arrival=f"2024-06-{3 + i % 5:02d}") for i in range(start, start + n)]


def _risk(kit: Any, db: Any, shipment_id: str) -> tuple[int | None, str | None, list[str]]:
    stored = kit.stored(db, shipment_id)
    codes = [s["code"] for s in json.loads(stored.risk_signals or "[]")]
    return stored.risk_score, stored.risk_band, codes


def test_ingest_stores_scores_and_rescores_earlier_shipments(kit, db) -> None:
    _ingest(kit, db, [*_bob(kit, 7), kit.shipment("ANN-1")], "first.json")
    assert _risk(kit, db, "BOB-0") == (0, "low", [])
    assert _risk(kit, db, "ANN-1") == (0, "low", [])
    stored = kit.stored(db, "BOB-0")
    assert stored.risk_version and stored.risk_version.startswith("risk-")
    _ingest(kit, db, _bob(kit, 1, start=7), "second.json")
    assert _risk(kit, db, "BOB-7") == (25, "medium", ["CONSIGNEE_VELOCITY"])
    # The earlier shipments of the person now belong to the pattern too.
    assert _risk(kit, db, "BOB-0") == (25, "medium", ["CONSIGNEE_VELOCITY"])
    assert _risk(kit, db, "ANN-1") == (0, "low", [])
    # Decisions are untouched by risk.
    assert kit.stored(db, "BOB-0").decision == "SECTION_321"


def test_list_by_band_show_and_explain(kit, db) -> None:
    from ace321.app import shipments

    _ingest(kit, db, [*_bob(kit, 8), kit.shipment("ANN-1")], "batch.json")
    with db.reading() as session:
        from ace321.storage import queries

        medium = queries.list_shipments(session, tenant="default")
        banded = [r["shipment_id"] for r in medium if r["risk_band"] == "medium"]
    assert sorted(banded) == [f"BOB-{i}" for i in range(8)]
    page = shipments.shipment_page(db, tenant_pk=1, risk_band="medium")
    assert sorted(r["shipment_id"] for r in page.items) == sorted(banded)
    assert shipments.shipment_page(db, tenant_pk=1, risk_band="high").items == []
    shown = shipments.show_shipment(db, tenant="default", shipment_id="BOB-3")
    assert shown["risk"]["score"] == 25 and shown["risk"]["band"] == "medium"
    assert shown["risk"]["signals"][0]["code"] == "CONSIGNEE_VELOCITY"
    explained = shipments.explain_shipment(db, kit.rules, tenant="default", shipment_id="BOB-3")
    assert explained.to_dict()["risk"]["band"] == "medium"


def test_cli_list_by_risk_and_risk_with_db(kit, db, db_url, tmp_path) -> None:
    _ingest(kit, db, _bob(kit, 7), "batch.json")
    listed = kit.cli("shipments", "list", "--risk", "low", "--format", "json", "--db", db_url)
    assert listed.exit_code == 0, listed.output
    assert len(json.loads(listed.output)) == 7
    orders = tmp_path / "more.json"
    orders.write_text(json.dumps(_bob(kit, 1, start=7)))
    before = kit.count(db, "shipments")
    scored = kit.cli("risk", str(orders), "--db", db_url, "--format", "json")
    assert scored.exit_code == 0, scored.output
    document = json.loads(scored.output)
    assert [s["code"] for s in document["shipments"][0]["signals"]] == ["CONSIGNEE_VELOCITY"]
    assert kit.count(db, "shipments") == before  # read only
    alone = kit.cli("risk", str(orders), "--format", "json")
    assert json.loads(alone.output)["shipments"][0]["signals"] == []


@pytest.mark.parametrize("band", ["urgent"])
def test_cli_refuses_an_unknown_band(kit, db_url, band) -> None:
    listed = kit.cli("shipments", "list", "--risk", band, "--db", db_url)
    assert listed.exit_code != 0


def test_cli_shipments_score_fills_in_missing_scores_only(kit, db, db_url) -> None:
    from sqlalchemy import text

    _ingest(kit, db, _bob(kit, 8), "batch.json")
    assert _risk(kit, db, "BOB-7") == (25, "medium", ["CONSIGNEE_VELOCITY"])
    with db.transaction() as session:  # as a server that stopped before scoring them
        session.execute(text("UPDATE shipments SET risk_score = NULL, risk_band = NULL, "
                             "risk_signals = NULL WHERE shipment_id IN ('BOB-6', 'BOB-7')"))
    scored = kit.cli("shipments", "score", "--db", db_url)
    assert scored.exit_code == 0, scored.output
    assert "scored 2 stored shipment(s) that had no risk score: BOB-6, BOB-7" in scored.output
    assert _risk(kit, db, "BOB-7") == (25, "medium", ["CONSIGNEE_VELOCITY"])
    assert _risk(kit, db, "BOB-6") == (25, "medium", ["CONSIGNEE_VELOCITY"])
    again = kit.cli("shipments", "score", "--db", db_url)
    assert again.exit_code == 0 and "scored 0 stored shipment(s)" in again.output
