"""Concurrent /v1/screen requests screened together get exactly their own result."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from ace321.api.problems import ApiProblem
from ace321.api.services.coalescer import ScreenCoalescer, _Request
from ace321.intake import frame_from_shipments
from ace321.screening import screen


def alone(rules, shipments, as_of=None):
    return screen(frame_from_shipments(shipments), rules=rules,
                  default_arrival=as_of).to_document()


def run(rules, requests):
    coalescer = ScreenCoalescer(rules)
    batch = [_Request(shipments, as_of) for shipments, as_of in requests]
    coalescer._screen(batch)
    return coalescer, batch


def test_merged_results_equal_results_alone(rules, ship):
    requests = [
        ([ship("A1", person="Ann Lee", phone="+1 716-634-0101"),
          ship("A2", person="Ann Lee", phone="+1 716-634-0101", lines=[{"unit_price": "795"}])],
         None),
        ([ship("B1", person="Bob Roe", phone="+1 716-634-0102", lines=[{}, {"hts_code": "1"}])],
         None),
        ([{**ship("C1", person="Cy Poe", phone="+1 716-634-0103"), "arrival_date": None}], None),
        ([ship("D1", person="Di Fox", phone="+1 716-634-0104", is_gift="true")], None),
    ]
    coalescer, batch = run(rules, requests)
    assert coalescer.calls == 1
    for (shipments, as_of), request in zip(requests, batch, strict=True):
        assert request.future.result() == alone(rules, shipments, as_of)
    rows = [i["row"] for s in batch[1].future.result()["shipments"] for i in s["issues"]]
    assert rows == [2]  # the row of its own body, not of the merged frame


def test_shared_persons_orders_and_ids_are_screened_alone(rules, ship):
    requests = [
        ([ship("P1", person="Zed Lee", phone="+1 716-634-0199", lines=[{"unit_price": "500"}])],
         None),
        # the same person by phone, another name: totals would mix
        ([ship("P2", person="Adam Roe", phone="+1 716-634-0199", lines=[{"unit_price": "500"}])],
         None),
        ([ship("P3", order_id="P1", person="Q Q", phone="+1 716-634-0198")], None),
        ([ship("P1", person="R R", phone="+1 716-634-0197")], None),
        ([ship("S1", person="S S", phone="+1 716-634-0196")], dt.date(2025, 9, 2)),
        ([ship("S2", person="T T", phone="+1 716-634-0195")], dt.date(2025, 9, 2)),
    ]
    coalescer, batch = run(rules, requests)
    for (shipments, as_of), request in zip(requests, batch, strict=True):
        assert request.future.result() == alone(rules, shipments, as_of)
    assert coalescer.calls >= 4


def test_an_unusable_request_fails_alone(rules, ship):
    requests = [([{**ship("U1"), "lines": []}], None), ([ship("U2")], None)]
    _coalescer, batch = run(rules, requests)
    with pytest.raises(ApiProblem):
        batch[0].future.result()
    assert batch[1].future.result() == alone(rules, requests[1][0])


def test_concurrent_http_requests_each_get_their_own_document(api, rules):
    bodies = [[api.shipment(f"H{n}", person=f"Person {n}", phone=f"+1 716-634-02{n:02d}",
                            lines=[{"unit_price": str(100 * n)}])] for n in range(1, 13)]
    api.key()
    results: dict[int, dict] = {}

    def send(n: int) -> None:
        results[n] = api.post("/v1/screen", json=bodies[n]).json()

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(bodies))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    for n, body in enumerate(bodies):
        assert results[n] == alone(rules, body)
    assert api.app.state.coalescer.calls <= len(bodies)
