"""One override policy for every delivery layer (``ace321.app.permissions``): an override only
makes a path stricter, so clerks (web), operators (API keys) and admins may do it, viewers
never; the workflow itself refuses a viewer, whatever layer calls it."""

from __future__ import annotations

import pytest

from ace321.app import permissions


@pytest.mark.parametrize(("role", "may"), [("viewer", False), ("clerk", True),
                                           ("operator", True), ("admin", True),
                                           ("auditor", False), ("", False)])
def test_who_may_override(role, may):
    assert permissions.may_override(role) is may


def test_each_layer_names_its_own_lowest_role_for_the_same_rule():
    assert permissions.needed_role(permissions.OVERRIDE, "web") == "clerk"
    assert permissions.needed_role(permissions.OVERRIDE, "api") == "operator"


def test_the_workflow_refuses_a_viewer_and_changes_nothing(kit, db):
    from ace321.app.shipments import override_decision, show_shipment

    kit.ingest(db, [kit.shipment("P1")])
    with pytest.raises(permissions.Forbidden) as refused:
        override_decision(db, kit.rules, tenant="default", actor="t", role="viewer",
                          now=kit.NOW, shipment_id="P1", decision="FORMAL_ENTRY", reason="x")
    assert refused.value.code == "FORBIDDEN" and "operator" in refused.value.message
    assert show_shipment(db, tenant="default", shipment_id="P1")["decision"] == "INFORMAL_ENTRY"
    change = override_decision(db, kit.rules, tenant="default", actor="t", role="clerk",
                               now=kit.NOW, shipment_id="P1", decision="FORMAL_ENTRY",
                               reason="x")
    assert (change.before, change.after) == ("INFORMAL_ENTRY", "FORMAL_ENTRY")
