"""Statuses, transitions, overrides, and the shipments commands."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select


def test_full_lifecycle_is_recorded_with_time_actor_and_cause(db, kit):
    from ace321.storage.lifecycle import transition
    from ace321.storage.models import StatusChange

    kit.ingest(db, [kit.shipment("S1")])
    path = ["MANIFESTED", "TRANSMITTED", "ACCEPTED", "ARRIVED", "HOLD", "RELEASED"]
    for status in path:
        transition(db, "S1", status, actor="ops", cause=f"to {status}", now=kit.NOW)
    assert kit.stored(db, "S1").status == "RELEASED"
    with db.transaction() as session:
        changes = session.scalars(select(StatusChange).order_by(StatusChange.id)).all()
        assert [(c.from_status, c.to_status) for c in changes] == list(
            zip([None, "SCREENED", *path[:-1]], ["SCREENED", *path], strict=True))
        assert all(c.actor == "ops" for c in changes[1:])
        assert changes[1].cause == "to MANIFESTED"
    assert kit.count(db, "audit_events") == 2 + len(path)
    assert kit.verify(db).ok


@pytest.mark.parametrize(("steps", "illegal"), [
    ([], "ACCEPTED"),
    (["MANIFESTED", "TRANSMITTED"], "CANCELLED"),
    (["CANCELLED"], "MANIFESTED"),
    (["MANIFESTED", "TRANSMITTED", "REJECTED"], "ARRIVED"),
])
def test_illegal_transitions_are_refused(db, kit, steps, illegal):
    from ace321.storage.lifecycle import TransitionError, transition

    kit.ingest(db, [kit.shipment("S1")])
    for status in steps:
        transition(db, "S1", status, actor="ops", cause="step", now=kit.NOW)
    before = kit.count(db, "audit_events")
    with pytest.raises(TransitionError, match=f"-> {illegal} is not allowed"):
        transition(db, "S1", illegal, actor="ops", cause="bad", now=kit.NOW)
    assert kit.count(db, "audit_events") == before


def test_invalid_shipment_cannot_be_manifested(db, kit):
    from ace321.storage.lifecycle import TransitionError, transition

    kit.ingest(db, [kit.shipment("BAD", lines=[{"hts_code": "x"}])])
    with pytest.raises(TransitionError, match="INVALID"):
        transition(db, "BAD", "MANIFESTED", actor="ops", cause="try", now=kit.NOW)


def test_override_only_to_a_stricter_path_with_a_reason(db, kit):
    from ace321.storage.lifecycle import TransitionError, override

    kit.ingest(db, [kit.shipment("O1"), kit.shipment("O2", person="Bo Diaz",
                                                     phone="+1 716-634-0102",
                                                     lines=[{"unit_price": "900.00"}])])
    args = {"actor": "broker", "now": kit.NOW, "rules_version": kit.rules.version}
    with pytest.raises(TransitionError, match="reason"):
        override(db, "O1", "INFORMAL_ENTRY", reason=" ", **args)
    with pytest.raises(TransitionError, match="stricter"):
        override(db, "O2", "SECTION_321", reason="customer asks", **args)
    with pytest.raises(TransitionError, match="stricter"):
        override(db, "O2", "GIFT", reason="customer asks", **args)
    with pytest.raises(TransitionError, match="not stricter"):
        override(db, "O2", "INFORMAL_ENTRY", reason="same", **args)
    assert override(db, "O1", "FORMAL_ENTRY", reason="valuation doubt", **args) == (
        "SECTION_321", "FORMAL_ENTRY")
    o1 = kit.stored(db, "O1")
    assert (o1.decision, o1.rules_decision, o1.override_decision) == (
        "FORMAL_ENTRY", "SECTION_321", "FORMAL_ENTRY")
    with pytest.raises(TransitionError, match="not stricter"):
        override(db, "O1", "INFORMAL_ENTRY", reason="relax", **args)
    assert kit.verify(db).ok


def test_rescreening_never_relaxes_an_override(db, kit):
    from ace321.storage.lifecycle import override

    kit.ingest(db, [kit.shipment("V1", lines=[{"unit_price": "500.00"}])])
    override(db, "V1", "FORMAL_ENTRY", reason="audit", actor="b", now=kit.NOW,
             rules_version=kit.rules.version)
    kit.ingest(db, [kit.shipment("V2", lines=[{"unit_price": "400.00"}])])
    v1 = kit.stored(db, "V1")
    assert (v1.decision, v1.rules_decision) == ("FORMAL_ENTRY", "INFORMAL_ENTRY")


def test_shipments_commands(db, kit, db_url):
    kit.ingest(db, [kit.shipment("A1"), kit.shipment("A2", person="Bo Diaz",
                                                     phone="+1 716-634-0102",
                                                     lines=[{"unit_price": "900.00"}])])
    listed = kit.cli("shipments", "list", "--db", db_url, "--format", "json")
    assert listed.exit_code == 0, listed.output
    assert [r["shipment_id"] for r in json.loads(listed.stdout)] == ["A1", "A2"]
    only = kit.cli("shipments", "list", "--db", db_url, "-f", "json", "--decision", "INFORMAL_ENTRY")
    assert [r["shipment_id"] for r in json.loads(only.stdout)] == ["A2"]
    by_person = kit.cli("shipments", "list", "--db", db_url, "-f", "json", "--consignee", "bodiaz",
                        "--arrival-date", "2024-06-03", "--status", "screened")
    assert [r["shipment_id"] for r in json.loads(by_person.stdout)] == ["A2"]
    assert kit.cli("shipments", "list", "--db", db_url).exit_code == 0
    # The deprecated --json still works, with a warning.
    old = kit.cli("shipments", "list", "--db", db_url, "--json")
    assert [r["shipment_id"] for r in json.loads(old.stdout)] == ["A1", "A2"]
    assert "--json is deprecated" in old.stderr
    # A bad value is a usage error naming the valid ones, never an empty list.
    bogus = kit.cli("shipments", "list", "--db", db_url, "--status", "bogus")
    assert bogus.exit_code == 2
    assert "SCREENED" in bogus.stderr and "MANIFESTED" in bogus.stderr
    assert kit.cli("shipments", "list", "--db", db_url, "--decision", "nope").exit_code == 2

    moved = kit.cli("shipments", "status", "A1", "--to", "manifested", "--reason", "trip 7",
                    "--actor", "ops", "--db", db_url)
    assert moved.exit_code == 0, moved.output
    refused = kit.cli("shipments", "status", "A1", "--to", "RELEASED", "--reason", "x",
                      "--db", db_url)
    assert refused.exit_code == 1
    assert "MANIFESTED -> RELEASED is not allowed" in refused.stderr
    assert kit.cli("shipments", "status", "A1", "--to", "GONE", "--reason", "x",
                   "--db", db_url).exit_code == 2
    no_reason = kit.cli("shipments", "status", "A1", "--to", "CANCELLED", "--db", db_url)
    assert no_reason.exit_code == 2 and "--reason" in no_reason.stderr

    overridden = kit.cli("shipments", "override", "A1", "--decision", "informal_entry",
                         "--reason", "valuation doubt", "--db", db_url)
    assert overridden.exit_code == 0, overridden.output
    denied = kit.cli("shipments", "override", "A2", "--decision", "SECTION_321",
                     "--reason", "please", "--db", db_url)
    assert denied.exit_code == 2
    assert "INFORMAL_ENTRY" in denied.stderr and "FORMAL_ENTRY" in denied.stderr
    looser = kit.cli("shipments", "override", "A1", "--decision", "FORMAL_ENTRY",
                     "--reason", "x", "--db", db_url)
    assert looser.exit_code == 0
    back = kit.cli("shipments", "override", "A1", "--decision", "INFORMAL_ENTRY",
                   "--reason", "x", "--db", db_url)
    assert back.exit_code == 1  # not stricter: refused by the rule, not by the vocabulary

    shown = json.loads(kit.cli("shipments", "show", "A1", "--db", db_url).stdout)
    assert shown["status"] == "MANIFESTED"
    assert shown["decision"] == "FORMAL_ENTRY"
    assert [d["cause"] for d in shown["decisions"]] == ["IMPORT", "OVERRIDE", "OVERRIDE"]
    assert shown["decisions"][1]["note"] == "valuation doubt"
    assert [s["to"] for s in shown["status_history"]] == ["SCREENED", "MANIFESTED"]
    assert shown["parties"]["consignee"]["name"] == "Ann Lee"
    assert shown["lines"][0]["hts_code"] == "6109.10.0012"
    missing = kit.cli("shipments", "show", "NOPE", "--db", db_url)
    assert missing.exit_code == 1
