"""The keyed audit chain (issue 10 item 2): rewrites by SQL without the key, a head rewound
by hand, direct updates of decisions and statuses, anchors against truncation and rollback, the
key file, and the migration of a chain written before the key."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat

import pytest
from sqlalchemy import text


def _events(db, kit, n=3) -> None:
    from ace321.storage.lifecycle import transition

    kit.ingest(db, [kit.shipment(f"E{i}", person=f"P{i}", phone=f"+1 716-634-{100 + i:04d}")
                    for i in range(n)])
    transition(db, "E0", "MANIFESTED", actor="ops", cause="c",
               now=kit.NOW + dt.timedelta(days=1))
    # events: 1 import, 2..n+1 decisions, n+2 status


def _sql(db, statement: str, **params) -> None:
    with db.engine.begin() as connection:
        connection.execute(text(statement), params)


def _rows(db):
    with db.engine.connect() as connection:
        return [dict(r) for r in connection.execute(text(
            "SELECT * FROM audit_events ORDER BY id")).mappings()]


def _sha256_event(row) -> str:
    from ace321.storage.audit import canonical_json

    event = {k: row[k] for k in ("id", "tenant_id", "at", "actor", "action", "entity_type",
                                 "entity_id", "rules_version", "prev_hash")}
    event["before"] = None if row["before"] is None else json.loads(row["before"])
    event["after"] = None if row["after"] is None else json.loads(row["after"])
    return hashlib.sha256(canonical_json(event).encode()).hexdigest()


def _cli_verify(kit, db, *extra):
    result = kit.cli("audit", "verify", "--db", db.url, *extra)
    assert "None" not in result.output
    return result


def test_edit_and_rehash_every_event_with_sha256_is_found_at_the_edit(db, kit):
    """The attack of issue 10: edit event 2, recompute every hash after it with plain SHA-256
    and rewind the head to match. Without the key the HMACs cannot be recomputed."""
    _events(db, kit)
    rows = _rows(db)
    prev = rows[0]["hash"]
    for row in rows[1:]:
        row["prev_hash"] = prev
        if row["id"] == 2:
            row["after"] = row["after"].replace('"SECTION_321"', '"FORMAL_ENTRY"')
        row["hash"] = _sha256_event(row)
        _sql(db, "UPDATE audit_events SET prev_hash = :p, after = :a, hash = :h WHERE id = :i",
             p=row["prev_hash"], a=row["after"], h=row["hash"], i=row["id"])
        prev = row["hash"]
    _sql(db, "UPDATE audit_head SET last_hash = :h", h=prev)
    result = kit.verify(db)
    assert not result.ok and result.event_id == 2
    assert "HMAC" in result.problem
    cli = _cli_verify(kit, db)
    assert cli.exit_code == 1 and "event 2" in cli.stderr


def test_deleting_the_newest_events_and_rewinding_the_head_is_found(db, kit):
    _events(db, kit)
    rows = _rows(db)
    _sql(db, "DELETE FROM audit_events WHERE id >= 4")
    _sql(db, "UPDATE audit_head SET last_id = 3, last_hash = :h", h=rows[2]["hash"])
    result = kit.verify(db, states=False)
    assert not result.ok and result.event_id == 4
    assert "head was rewritten" in result.problem
    cli = _cli_verify(kit, db)
    assert cli.exit_code == 1 and "event 3" in cli.stderr


def test_deleting_every_event_names_event_1(db, kit):
    _events(db, kit)
    _sql(db, "DELETE FROM audit_events")
    result = kit.verify(db)
    assert not result.ok and result.event_id == 1
    assert "events 1-5 deleted" in result.problem
    _sql(db, "UPDATE audit_head SET last_id = 0, last_hash = :h", h="0" * 64)
    rewound = kit.verify(db)
    assert not rewound.ok and rewound.event_id == 1
    cli = _cli_verify(kit, db)
    assert cli.exit_code == 1 and "broken at event None" not in cli.stderr


def test_removing_the_head_or_its_key_record_is_found(db, kit):
    _events(db, kit)
    _sql(db, "UPDATE audit_head SET key_id = NULL, mac = NULL")
    result = kit.verify(db)
    assert not result.ok and "no key record" in result.problem
    _sql(db, "DELETE FROM audit_head")
    result = kit.verify(db)
    assert not result.ok and "missing" in result.problem
    assert "None" not in _cli_verify(kit, db).stderr


@pytest.mark.parametrize(("statement", "word"), [
    ("UPDATE shipments SET decision = 'FORMAL_ENTRY' WHERE shipment_id = 'E1'", "decision"),
    ("UPDATE shipments SET status = 'RELEASED' WHERE shipment_id = 'E2'", "status"),
])
def test_a_direct_update_of_a_shipment_is_found(db, kit, statement, word):
    _events(db, kit, n=3)
    _sql(db, statement)
    result = kit.verify(db)
    assert not result.ok
    assert f"its {word} is" in result.problem and "audit events say" in result.problem
    assert result.event_id is not None
    cli = _cli_verify(kit, db)
    assert cli.exit_code == 1 and f"event {result.event_id}" in cli.stderr


def test_a_shipment_deleted_or_inserted_by_hand_is_found(db, kit):
    from ace321.storage.models import Base

    _events(db, kit)
    pk = "(SELECT id FROM shipments WHERE shipment_id = 'E2')"
    # Every row that refers to the shipment (or to its decisions) goes first, whatever tables
    # later migrations add.
    for table in reversed(Base.metadata.sorted_tables):
        for key in table.foreign_keys:
            if key.column.table.name == "decisions":
                _sql(db, f"DELETE FROM {table.name} WHERE {key.parent.name} IN "
                         f"(SELECT id FROM decisions WHERE shipment_pk = {pk})")
    for table in reversed(Base.metadata.sorted_tables):
        for key in table.foreign_keys:
            if key.column.table.name == "shipments" and table.name != "shipments":
                _sql(db, f"DELETE FROM {table.name} WHERE {key.parent.name} = {pk}")
    _sql(db, "DELETE FROM shipments WHERE shipment_id = 'E2'")
    result = kit.verify(db)
    assert not result.ok and "not in the database" in result.problem


def test_verify_after_ordinary_work_is_intact(db, kit):
    from ace321.storage.lifecycle import override, transition

    _events(db, kit)
    override(db, "E1", "FORMAL_ENTRY", reason="r", actor="ops", now=kit.NOW,
             rules_version=kit.rules.version)
    transition(db, "E0", "CANCELLED", actor="ops", cause="c", now=kit.NOW)
    result = kit.verify(db)
    assert result.ok, result.problem
    assert result.shipments == 3 and result.events == 7
    cli = _cli_verify(kit, db)
    assert cli.exit_code == 0 and "7 event(s), 3 shipment(s)" in cli.stdout


# -- anchors --------------------------------------------------------------------------------


def _anchor(kit, db, path) -> dict:
    result = kit.cli("audit", "anchor", "--to", str(path), "--db", db.url)
    assert result.exit_code == 0, result.output
    return json.loads(path.read_text().splitlines()[-1])


def _truncate_with_the_key(db, keep: int) -> None:
    """What only a holder of the key (or a restored old backup) can do: cut the chain back and
    give the head a valid MAC."""
    from ace321.storage.audit import head_mac
    from ace321.storage.audit_key import load_key

    rows = _rows(db)
    _sql(db, "DELETE FROM audit_events WHERE id > :k", k=keep)
    last_hash = rows[keep - 1]["hash"]
    _sql(db, "UPDATE audit_head SET last_id = :k, last_hash = :h, mac = :m", k=keep, h=last_hash,
         m=head_mac(load_key(create=False), last_id=keep, last_hash=last_hash,
                    legacy_last_id=0))


def test_anchor_detects_truncation_and_rollback(db, kit, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    kit.ingest(db, [kit.shipment("A1")])  # events 1, 2
    first = _anchor(kit, db, anchors)
    assert first["events"] == 2 and len(first["mac"]) == 64
    assert dt.datetime.fromisoformat(first["at"]).utcoffset() is not None
    kit.ingest(db, [kit.shipment("A2", person="Bo Li", phone="+1 716-634-0999")])  # 3, 4
    second = _anchor(kit, db, anchors)
    assert second["events"] == 4
    ok = _cli_verify(kit, db, "--anchor", str(anchors))
    assert ok.exit_code == 0 and "2 anchor(s)" in ok.stdout

    _truncate_with_the_key(db, 2)
    assert kit.verify(db, states=False).ok  # no anchor: a cut by the key holder is invisible
    cut = _cli_verify(kit, db, "--anchor", str(anchors))
    assert cut.exit_code == 1
    assert "cut back" in cut.stderr and "events 3-4 deleted" in cut.stderr

    # Rolled back, then written on: event 4 exists again but is not the anchored one.
    kit.ingest(db, [kit.shipment("A3", person="Cy Wu", phone="+1 716-634-0888")])
    rolled = _cli_verify(kit, db, "--anchor", str(anchors))
    assert rolled.exit_code == 1 and "event 4 is not the event anchored" in rolled.stderr


def test_a_forged_anchor_is_refused_and_a_broken_chain_is_not_anchored(db, kit, tmp_path):
    anchors = tmp_path / "anchors.jsonl"
    kit.ingest(db, [kit.shipment("F1")])
    line = _anchor(kit, db, anchors)
    anchors.write_text(json.dumps({**line, "events": 1}) + "\n")
    forged = _cli_verify(kit, db, "--anchor", str(anchors))
    assert forged.exit_code == 1 and "not signed" in forged.stderr
    anchors.write_text("not json\n")
    assert _cli_verify(kit, db, "--anchor", str(anchors)).exit_code == 2
    _sql(db, "UPDATE audit_events SET actor = 'mallory' WHERE id = 1")
    refused = kit.cli("audit", "anchor", "--to", str(tmp_path / "new.jsonl"), "--db", db.url)
    assert refused.exit_code == 1 and "nothing anchored" in refused.stderr
    assert not (tmp_path / "new.jsonl").exists()


# -- the key ----------------------------------------------------------------------------------


def test_key_file_is_made_on_first_use_with_mode_0600(tmp_path, monkeypatch):
    from ace321.storage.audit_key import AuditKeyError, load_key

    path = tmp_path / "cfg" / "ace321" / "audit.key"
    monkeypatch.setenv("ACE321_AUDIT_KEY_FILE", str(path))
    with pytest.raises(AuditKeyError, match="missing"):
        load_key(create=False)
    key = load_key(create=True)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(path.read_text().strip()) == 64
    assert load_key(create=True).key_id == key.key_id  # never overwritten
    os.chmod(path, 0o644)
    with pytest.raises(AuditKeyError, match="chmod 600"):
        load_key(create=False)
    monkeypatch.setenv("ACE321_AUDIT_KEY", "short")
    with pytest.raises(AuditKeyError, match="at least 32"):
        load_key(create=False)
    monkeypatch.setenv("ACE321_AUDIT_KEY", "x" * 40)
    assert load_key(create=False).source == "ACE321_AUDIT_KEY"


def test_default_key_location_follows_xdg_config_home(tmp_path, monkeypatch):
    from ace321.storage.audit_key import default_key_path

    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert default_key_path() == tmp_path / "ace321" / "audit.key"


def test_another_key_is_refused_for_writing_and_verifying(db, kit, tmp_path, monkeypatch):
    from ace321.storage import StorageError

    kit.ingest(db, [kit.shipment("K1")])
    monkeypatch.setenv("ACE321_AUDIT_KEY_FILE", str(tmp_path / "other.key"))
    with pytest.raises(StorageError, match="missing"):
        kit.ingest(db, [kit.shipment("K2")])
    monkeypatch.setenv("ACE321_AUDIT_KEY", "y" * 64)
    with pytest.raises(StorageError, match="is not the key of this database"):
        kit.ingest(db, [kit.shipment("K2")])
    cli = kit.cli("audit", "verify", "--db", db.url)
    assert cli.exit_code == 1 and "is not the key" in cli.stderr
    assert kit.count(db, "shipments") == 1


# -- chains written before the key ------------------------------------------------------------


def test_a_legacy_chain_is_sealed_on_upgrade_and_stays_checked(fresh_db_url, kit):
    from ace321.storage import Database
    from ace321.storage.audit import GENESIS, canonical_json, timestamp
    from ace321.storage.database import create_db_engine, upgrade

    engine = create_db_engine(fresh_db_url)
    upgrade(engine, "0004")
    prev = GENESIS
    with engine.begin() as connection:
        for n in (1, 2, 3):
            event = {"id": n, "tenant_id": 1, "at": timestamp(kit.NOW), "actor": "old",
                     "action": "note", "entity_type": "test", "entity_id": f"n{n}",
                     "before": None, "after": {"n": n}, "rules_version": None,
                     "prev_hash": prev}
            digest = hashlib.sha256(canonical_json(event).encode()).hexdigest()
            connection.execute(text(
                "INSERT INTO audit_events (id, tenant_id, at, actor, action, entity_type, "
                "entity_id, before, after, rules_version, prev_hash, hash) VALUES (:id, 1, :at, "
                "'old', 'note', 'test', :e, NULL, :a, NULL, :p, :h)"),
                {"id": n, "at": event["at"], "e": f"n{n}", "a": canonical_json({"n": n}),
                 "p": prev, "h": digest})
            prev = digest
        connection.execute(text("UPDATE audit_head SET last_id = 3, last_hash = :h"), {"h": prev})
    engine.dispose()
    database = Database.open(fresh_db_url)
    try:
        result = kit.verify(database)
        assert result.ok, result.problem
        assert result.events == 4 and result.legacy_events == 3
        seal = _rows(database)[3]
        assert seal["action"] == "rekey" and json.loads(seal["after"])["legacy_head"] == prev
        assert json.loads(seal["after"])["legacy_intact"] is True
        kit.ingest(database, [kit.shipment("L1")])
        assert kit.verify(database).ok
        _sql(database, "UPDATE audit_events SET after = :a WHERE id = 2", a='{"n":9}')
        broken = kit.verify(database)
        assert not broken.ok and broken.event_id == 2
    finally:
        database.close()


@pytest.mark.parametrize("secret", ["a" * 32, "b" * 64, "c" * 65, "é" * 100])
def test_the_fast_mac_is_hmac_sha256(secret, monkeypatch):
    import hmac

    from ace321.storage.audit_key import load_key

    monkeypatch.setenv("ACE321_AUDIT_KEY", secret)
    key = load_key(create=False)
    fast = key.mac_function()
    for message in ("", "x", "ü" * 500, '{"a":1}'):
        expected = hmac.new(secret.encode(), message.encode(), "sha256").hexdigest()
        assert fast(message.encode()) == key.mac(message) == expected
