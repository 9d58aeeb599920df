"""Item 10.3: a batch with a value no backend may store is refused whole, before anything is
written, with the row and field, identically on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

TABLES = ("batches", "shipments", "parties", "shipment_lines", "decisions", "audit_events")


@pytest.mark.parametrize(("fields", "code", "field"), [
    ({"consignee_name": "Ann\x00Lee"}, "CONTROL_CHARACTER", "consignee.name"),
    ({"consignee_name": "A" * 1_000_000}, "VALUE_TOO_LONG", "consignee.name"),
    ({"lines": [{}, {"sku": "x\x00"}]}, "CONTROL_CHARACTER", "lines[1].sku"),
    ({"lines": [{"hts_code": "6" * 31}]}, "VALUE_TOO_LONG", "lines[0].hts_code"),
])
def test_unstorable_values_refuse_the_whole_batch(db, kit, fields, code, field):
    from ace321.storage import StorageError
    from ace321.storage.database import UnstorableBatch

    fields = dict(fields)
    lines = fields.pop("lines", None)
    good = kit.shipment("S1")
    bad = kit.shipment("S2", person="Bo Diaz", phone="+1 716-634-0102", lines=lines, **fields)
    with pytest.raises(UnstorableBatch) as refused:
        kit.ingest(db, [good, bad])
    assert isinstance(refused.value, StorageError)
    first = refused.value.issues[0]
    assert (first["code"], first["field"], first["row"], first["shipment_id"]) == (
        code, field, 1 + len(lines or [{}]), "S2")
    assert f"row {first['row']}, {field}: {code}" in str(refused.value)
    for table in TABLES:
        assert kit.count(db, table) == 0, table
    assert kit.verify(db).ok


def test_an_ace_only_problem_is_stored_as_an_invalid_shipment(db, kit):
    """What ACE cannot carry (a Chinese name) is an error of the shipment, not of storage."""
    report = kit.ingest(db, [kit.shipment("S1", person="张伟")])
    assert report.stored == ["S1"]
    assert kit.stored(db, "S1").decision == "INVALID"
    codes = {i["code"] for i in report.result.issues.to_dicts()}
    assert "NOT_ACE_TEXT" in codes


def test_schema_problems_of_a_manifest_name_the_shipment_by_id():
    from types import SimpleNamespace

    from ace321.app.filing_checks import by_shipment_id

    manifest = SimpleNamespace(shipments=[SimpleNamespace(shipment_id="MF-1"),
                                          SimpleNamespace(shipment_id="MF-2")])
    text = "shipments[1].consignee.name: '' is too short"
    assert by_shipment_id(text, manifest) == "shipments[MF-2].consignee.name: '' is too short"
    assert by_shipment_id("shipments[7].x: y", manifest) == "shipments[7].x: y"
