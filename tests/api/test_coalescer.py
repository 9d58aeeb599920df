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


class GatedEngine:
    """The real engine behind a gate: holds the first call until released, records frames."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.heights: list[int] = []

    def __call__(self, frame, **kw):
        self.heights.append(frame.height)
        self.entered.set()
        assert self.release.wait(30)
        return screen(frame, **kw)


def test_a_request_finding_the_engine_idle_is_screened_at_once(rules, ship):
    engine = GatedEngine()
    engine.release.set()
    coalescer = ScreenCoalescer(rules, engine=engine)
    future = coalescer.submit([ship("I1")], None)
    # No waiting window: the lone request is screened by itself straight away.
    assert future.result(timeout=30) == alone(rules, [ship("I1")])
    assert list(coalescer.batches) == [1]
    assert engine.heights == [1]


def test_requests_queued_while_the_engine_is_busy_are_screened_together(rules, ship):
    engine = GatedEngine()
    coalescer = ScreenCoalescer(rules, engine=engine)
    first = coalescer.submit([ship("Q0", person="Q Zero", phone="+1 716-634-0300")], None)
    assert engine.entered.wait(30)
    bodies = [[ship(f"Q{n}", person=f"Q Person {n}", phone=f"+1 716-634-03{n:02d}")]
              for n in range(1, 6)]
    futures = [coalescer.submit(body, None) for body in bodies]
    engine.release.set()
    assert first.result(timeout=30) == alone(rules, [ship("Q0", person="Q Zero",
                                                          phone="+1 716-634-0300")])
    for body, future in zip(bodies, futures, strict=True):
        assert future.result(timeout=30) == alone(rules, body)
    assert list(coalescer.batches) == [1, 5]
    assert engine.heights == [1, 5]
    assert coalescer.calls == 2


def test_a_decision_can_be_awaited(rules, ship):
    import asyncio

    coalescer = ScreenCoalescer(rules)
    document = asyncio.run(coalescer.decisions_async([ship("W1")], None))
    assert document == alone(rules, [ship("W1")])
