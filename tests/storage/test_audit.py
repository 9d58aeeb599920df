"""The audit chain: verification against tampering, export, and explain."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text


def _events(db, kit, n=3) -> None:
    from ace321.storage.lifecycle import transition

    kit.ingest(db, [kit.shipment(f"E{i}", person=f"P{i}", phone=f"+1 716-634-{100 + i:04d}")
                    for i in range(n)])
    transition(db, "E0", "MANIFESTED", actor="ops", cause="c",
               now=kit.NOW + dt.timedelta(days=1))
    # events: 1 import, 2..n+1 decisions, n+2 status


def _sql(db, statement: str) -> None:
    with db.engine.begin() as connection:
        connection.execute(text(statement))


def test_intact_chain_verifies(db, kit):
    _events(db, kit)
    result = kit.verify(db)
    assert result.ok and result.events == 5
    cli = kit.cli("audit", "verify", "--db", db.url)
    assert cli.exit_code == 0 and "5 event(s)" in cli.stdout


@pytest.mark.parametrize(("statement", "event_id", "word"), [
    ("UPDATE audit_events SET actor = 'mallory' WHERE id = 3", 3, "changed"),
    ("UPDATE audit_events SET after = '{\"decision\":\"FORMAL_ENTRY\"}' WHERE id = 2", 2,
     "changed"),
    ("DELETE FROM audit_events WHERE id = 3", 3, "deleted"),
    ("DELETE FROM audit_events WHERE id = 5", 5, "deleted"),
    ("UPDATE audit_events SET id = id + 100 WHERE id = 2", 2, "deleted"),
])
def test_tampering_is_found_and_names_the_event(db, kit, statement, event_id, word):
    _events(db, kit)
    _sql(db, statement)
    result = kit.verify(db)
    assert not result.ok
    assert result.event_id == event_id
    assert word in result.problem
    cli = kit.cli("audit", "verify", "--db", db.url)
    assert cli.exit_code == 1
    assert f"event {event_id}" in cli.stderr


def test_reordered_events_are_found(db, kit):
    _events(db, kit)
    _sql(db, "UPDATE audit_events SET id = -1 WHERE id = 2")
    _sql(db, "UPDATE audit_events SET id = 2 WHERE id = 3")
    _sql(db, "UPDATE audit_events SET id = 3 WHERE id = -1")
    result = kit.verify(db)
    assert not result.ok and result.event_id == 2


def test_rehashed_change_is_found_at_the_next_event(db, kit):
    """Even with the audit key, rehashing one changed event breaks the link to the next."""
    from ace321.storage.audit import event_hash
    from ace321.storage.audit_key import load_key

    _events(db, kit)
    with db.engine.begin() as connection:
        row = connection.execute(text("SELECT * FROM audit_events WHERE id = 2")).mappings().one()
        event = {k: row[k] for k in ("id", "tenant_id", "at", "actor", "action", "entity_type",
                                     "entity_id", "rules_version", "prev_hash")}
        event["actor"] = "mallory"
        event["before"] = None
        event["after"] = json.loads(row["after"])
        connection.execute(text("UPDATE audit_events SET actor = 'mallory', hash = :h "
                                "WHERE id = 2"), {"h": event_hash(event, load_key(create=False))})
    result = kit.verify(db)
    assert not result.ok and result.event_id == 3


def test_export_writes_json_lines_by_day(db, kit, tmp_path):
    _events(db, kit)
    out = tmp_path / "audit.jsonl"
    day = kit.NOW.date().isoformat()
    cli = kit.cli("audit", "export", "--from", day, "--to", day, "--output", str(out),
                  "--db", db.url)
    assert cli.exit_code == 0, cli.output
    events = [json.loads(line) for line in out.read_text().splitlines()]
    assert [e["action"] for e in events] == ["import", "decision", "decision", "decision"]
    assert all(len(e["hash"]) == 64 for e in events)
    later = kit.cli("audit", "export", "--from",
                    (kit.NOW.date() + dt.timedelta(days=1)).isoformat(), "--db", db.url)
    assert [json.loads(line)["action"] for line in later.stdout.splitlines()] == ["status"]


def test_no_application_path_updates_or_deletes_audit_events():
    from pathlib import Path

    import ace321.storage as storage

    root = Path(storage.__file__).parent
    for path in root.rglob("*.py"):
        source = path.read_text()
        assert "update(AuditEvent" not in source and "delete(AuditEvent" not in source, path


def test_explain_reproduces_the_stored_decision(db, kit):
    from ace321.storage.queries import explain

    kit.ingest(db, [kit.shipment("X1", lines=[{"unit_price": "500.00"}])])
    kit.ingest(db, [kit.shipment("X2", lines=[{"unit_price": "400.00"}])])
    with db.transaction() as session:
        result = explain(session, "X1", kit.rules)
        assert result.same
        assert result.current_decision == "INFORMAL_ENTRY"
        assert "DAILY_AGGREGATE_EXCEEDED" in result.current_codes
        assert result.context == ["X2"]
        other_rules = replace(kit.rules, version="test+other")
        assert explain(session, "X1", other_rules).current_rules_version == "test+other"
    cli = kit.cli("shipments", "explain", "X2", "--db", db.url, "--format", "json")
    assert cli.exit_code == 0, cli.output
    document = json.loads(cli.stdout)
    assert document["same"] is True
    assert document["stored_rules_version"] == kit.rules.version


def test_explain_reports_a_difference(db, kit):
    from ace321.storage.lifecycle import transition

    kit.ingest(db, [kit.shipment("Y1", lines=[{"unit_price": "500.00"}])])
    transition(db, "Y1", "MANIFESTED", actor="ops", cause="c", now=kit.NOW)
    kit.ingest(db, [kit.shipment("Y2", lines=[{"unit_price": "400.00"}])])
    cli = kit.cli("shipments", "explain", "Y1", "--db", db.url)
    assert cli.exit_code == 1
    assert "DIFFERENT" in cli.stdout


def test_pre_serialised_events_hash_exactly_like_event_hash(db, kit):
    """The ingest's fast path assembles each event's canonical JSON from parts; it must be the
    text ``event_hash`` hashes, also for quotes, backslashes, control and non-ASCII characters,
    Decimals and empty values."""
    from decimal import Decimal

    from sqlalchemy import select

    from ace321.storage import audit
    from ace321.storage.models import AuditEvent

    odd = 'Zoé "O\'Brien" \\ back\tslash\n\u2028 ✓ \x01'
    entries = [
        audit.Entry("decision", "shipment", odd, after={"value_usd": Decimal("10.50"),
                                                          "reasons": [odd], "n": 3},
                    rules_version=odd),
        audit.Entry("import", "batch", "b", before={"z": None, "a": [1, 2.5]}, after=None),
        audit.Entry("status", "shipment", "", before={}, after=[], rules_version=None),
    ]
    with db.transaction() as session:
        audit.append(session, tenant_id=1, actor=odd, at=kit.NOW, entries=entries)
    from ace321.storage.audit_key import load_key

    key = load_key(create=False)
    with db.transaction() as session:
        rows = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [row.hash for row in rows] == [
            audit.event_hash(audit._event_dict(row), key) for row in rows]
        assert rows[0].entity_id == odd and json.loads(rows[0].after)["value_usd"] == "10.50"
    assert kit.verify(db).ok


_TEXT = st.text(max_size=10)
_OPTIONAL = st.none() | _TEXT


@settings(max_examples=200, deadline=None)
@given(arrival=_OPTIONAL, batch=_TEXT, key=_OPTIONAL, decision=_TEXT, status=_TEXT,
       value=_OPTIONAL, reasons=st.lists(_TEXT, max_size=3), issues=st.lists(_TEXT, max_size=3))
def test_decision_template_is_the_canonical_json(arrival, batch, key, decision, status, value,
                                                 reasons, issues):
    from ace321.storage.audit import canonical_json, decision_json

    view = {"arrival_date": arrival, "batch": batch, "consignee_key": key, "decision": decision,
            "issues": issues, "reasons": reasons, "rules_decision": decision, "status": status,
            "value_usd": value}
    assert decision_json(arrival_date=arrival, batch=batch, consignee_key=key,
                         decision=decision, issues=issues, reasons=reasons, status=status,
                         value_usd=value) == canonical_json(view)
