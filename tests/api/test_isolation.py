"""Every route with another tenant's ids answers 404, exactly as for a missing id."""

from __future__ import annotations


def _same_404(helpers, theirs, missing):
    a, b = helpers.problem(theirs, 404), helpers.problem(missing, 404)
    strip = lambda body: {k: v for k, v in body.items() if k not in ("detail", "instance")}  # noqa: E731
    assert strip(a) == strip(b)
    return a


def test_another_tenants_ids_are_not_found(api, helpers):
    mine = api.upload([api.shipment("T1")], tenant="acme")
    batch_id, shipment_id = mine["id"], "T1"
    missing_batch = "00000000-0000-4000-8000-000000000000"
    for role in ("viewer", "admin"):
        _same_404(helpers, api.get(f"/v1/batches/{batch_id}", tenant="rival", role=role),
                  api.get(f"/v1/batches/{missing_batch}", tenant="rival", role=role))
        body = _same_404(helpers, api.get(f"/v1/shipments/{shipment_id}", tenant="rival",
                                          role=role),
                         api.get("/v1/shipments/NOPE", tenant="rival", role=role))
        assert body["detail"] == "no shipment 'T1'"
    override = {"decision": "FORMAL_ENTRY", "reason": "x"}
    _same_404(helpers, api.post(f"/v1/shipments/{shipment_id}/override", json=override,
                                tenant="rival"),
              api.post("/v1/shipments/NOPE/override", json=override, tenant="rival"))
    listing = api.get("/v1/shipments", tenant="rival").json()
    assert listing == {"items": [], "next_cursor": None}
    # The rival's own shipment with the same id is another shipment.
    theirs = api.upload([api.shipment("T1", lines=[{"unit_price": "900.00"}])], tenant="rival")
    assert theirs["counts"]["stored"] == 1
    assert api.get("/v1/shipments/T1", tenant="rival").json()["value_usd"] == "900.00"
    assert api.get("/v1/shipments/T1", tenant="acme").json()["value_usd"] == "10.00"
    # Nothing the rival did touched acme's shipment.
    assert api.get("/v1/shipments/T1").json()["decision"] == "SECTION_321"


def test_history_does_not_cross_tenants(api):
    api.upload([api.shipment("P1", lines=[{"unit_price": "500.00"}])], tenant="acme")
    theirs = api.upload([api.shipment("P2", lines=[{"unit_price": "500.00"}])], tenant="rival")
    assert theirs["shipments"][0]["decision"] == "SECTION_321"
    assert theirs["rescreened"] == []
