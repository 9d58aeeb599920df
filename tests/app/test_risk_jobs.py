"""Risk scoring after the commit (a server's upload with a large risk history): the batch is
stored and answered unscored, then ``RiskJobs`` writes exactly the scores the in-transaction
scoring would have written."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest


def _bob(kit: Any, n: int, start: int = 0) -> list[dict[str, Any]]:
    """Shipments of one person over five days: eight of them make CONSIGNEE_VELOCITY."""
    shipments = []
    for i in range(start, start + n):
        shipment = kit.shipment(f"BOB-{i}", n=99, arrival=f"2026-11-{20 + i % 5:02d}")
        shipment["consignee_name"] = "Bob Ray"
        shipments.append(shipment)
    return shipments


def _risk(db: Any, shipment_id: str) -> tuple[int | None, str | None, list[str]]:
    from sqlalchemy import select

    from ace321.storage.models import Shipment

    with db.reading() as session:
        row = session.execute(select(Shipment.risk_score, Shipment.risk_band,
                                     Shipment.risk_signals)
                              .where(Shipment.shipment_id == shipment_id)).one()
    return row[0], row[1], [s["code"] for s in json.loads(row[2] or "[]")]


@pytest.fixture
def jobs() -> Any:
    from ace321.app.risk_jobs import RiskJobs

    runner = RiskJobs()
    yield runner
    runner.close()


def test_a_large_history_is_scored_after_the_commit_with_the_same_scores(
        kit, db, jobs, monkeypatch) -> None:
    import ace321.app.ingest as app_ingest

    kit.ingest(db, _bob(kit, 7), name="first.json")  # no runner: scored in its transaction
    assert _risk(db, "BOB-0") == (0, "low", [])
    monkeypatch.setattr(app_ingest, "INLINE_RISK_HISTORY", 6)  # 7 stored shipments: too many
    done = kit.ingest(db, _bob(kit, 1, start=7), name="second.json", risk_jobs=jobs)
    assert done.batch_id is not None and done.report.stored == ["BOB-7"]
    jobs.wait_all(timeout=60)
    assert not done.risk_pending and not jobs.pending(done.batch_id)
    assert _risk(db, "BOB-7") == (25, "medium", ["CONSIGNEE_VELOCITY"])
    assert _risk(db, "BOB-0") == (25, "medium", ["CONSIGNEE_VELOCITY"])  # re-scored too


def test_a_small_history_is_scored_in_the_transaction(kit, db, jobs) -> None:
    kit.ingest(db, _bob(kit, 7), name="first.json")
    done = kit.ingest(db, _bob(kit, 1, start=7), name="second.json", risk_jobs=jobs)
    assert not done.risk_pending and not jobs.busy("default")
    assert _risk(db, "BOB-7") == (25, "medium", ["CONSIGNEE_VELOCITY"])


def test_a_failed_scoring_leaves_the_batch_unscored_and_is_logged(
        kit, db, jobs, monkeypatch, caplog) -> None:
    import ace321.app.ingest as app_ingest
    import ace321.app.risk as app_risk

    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(app_ingest, "INLINE_RISK_HISTORY", -1)
    monkeypatch.setattr(app_risk, "risk_scores", broken)
    with caplog.at_level(logging.ERROR, logger="ace321.app.risk_jobs"):
        done = kit.ingest(db, _bob(kit, 1), name="first.json", risk_jobs=jobs)
        jobs.wait_all(timeout=60)
    assert _risk(db, "BOB-0") == (None, None, [])
    # The decision is stored either way (de minimis is suspended since 2025-08-29).
    assert kit_decision(db, "BOB-0") == "INFORMAL_ENTRY"
    assert f"risk scoring of batch {done.batch_id} failed" in caplog.text
    assert not jobs.busy("default")


def kit_decision(db: Any, shipment_id: str) -> str:
    from sqlalchemy import select

    from ace321.storage.models import Shipment

    with db.reading() as session:
        return str(session.execute(select(Shipment.decision).where(
            Shipment.shipment_id == shipment_id)).scalar_one())


def test_shipments_left_unscored_get_the_scores_of_an_ingest(kit, db, jobs, monkeypatch) -> None:
    """A server that stopped before its worker stored a batch's scores leaves the batch
    unscored; ``score_unscored`` gives them the scores the ingest would have stored."""
    import ace321.app.ingest as app_ingest
    import ace321.app.risk as app_risk
    from ace321.app.risk import score_unscored

    kit.ingest(db, _bob(kit, 7), name="first.json")
    real = app_risk.risk_scores
    monkeypatch.setattr(app_ingest, "INLINE_RISK_HISTORY", -1)
    monkeypatch.setattr(app_risk, "risk_scores", lambda *a, **k: (_ for _ in ()).throw(
        RuntimeError("server stopped")))
    kit.ingest(db, [*_bob(kit, 1, start=7), kit.shipment("ANN-1", n=5)], name="second.json",
               risk_jobs=jobs)
    jobs.wait_all(timeout=60)
    assert _risk(db, "BOB-7") == (None, None, []) and _risk(db, "ANN-1") == (None, None, [])
    assert _risk(db, "BOB-0") == (0, "low", [])  # scored before the eighth shipment came
    monkeypatch.setattr(app_risk, "risk_scores", real)
    assert score_unscored(db, tenant="default", rules=kit.rules) == ["ANN-1", "BOB-7"]
    assert _risk(db, "BOB-7") == (25, "medium", ["CONSIGNEE_VELOCITY"])
    assert _risk(db, "BOB-0") == (25, "medium", ["CONSIGNEE_VELOCITY"])  # re-scored too
    assert _risk(db, "ANN-1") == (0, "low", [])
    assert score_unscored(db, tenant="default", rules=kit.rules) == []
