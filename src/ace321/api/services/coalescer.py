"""Screening of concurrent ``POST /v1/screen`` requests together, in one engine call.

The engine's cost is mostly per call, barely per shipment, so one process screens the requests
waiting at the same moment in one frame and splits the result. There is no waiting window: a
request that finds the screening thread idle is screened at once, alone; the requests that
arrive while the engine is busy are screened together as soon as it is free.

The result of each request is exactly what it alone would get, because requests are merged
only when they cannot affect each other:

- each has shipment ids, and no shipment id or order id is shared with another request;
- they have the same ``as_of`` (the engine's default arrival date) and the same exchange rates
  (their tenant's, the same table object);
- after screening, no person (``consignee_key``, on any day) spans two requests: persons are
  matched by folded name and postal code, or phone, transitively, and named by the smallest
  name key of their group, so a shared person could change a request's keys and totals.

Otherwise each request is screened by itself. Row numbers are shifted back, so issues name the
rows of each request's own body.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import queue
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ace321.api.services.orders import frame_from_rows, json_rows
from ace321.rules import RuleSet
from ace321.screening import ScreeningResult, screen
from ace321.screening.result import DECISION_ORDER

MAX_BATCH = 64
Engine = Callable[..., ScreeningResult]


@dataclass
class _Request:
    shipments: list[dict[str, Any]]
    as_of: dt.date | None
    rates: pl.DataFrame | None = None
    future: Future[dict[str, Any]] = field(default_factory=Future)
    lines: list[dict[str, str | None]] = field(default_factory=list)
    offset: int = 0
    """Where this request's rows start in the frame it is screened in."""
    frame: pl.DataFrame | None = None


class ScreenCoalescer:
    """One screening thread per process; requests wait for their own result."""

    def __init__(self, rules: RuleSet, max_batch: int = MAX_BATCH,
                 engine: Engine = screen) -> None:
        self.rules = rules
        self.max_batch = max_batch
        self.engine = engine
        self._queue: queue.Queue[_Request] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.calls = 0  # engine calls, for tests and metrics
        self.batches: deque[int] = deque(maxlen=100)  # sizes of the last batches taken

    def submit(self, shipments: list[dict[str, Any]], as_of: dt.date | None,
               rates: pl.DataFrame | None = None) -> Future[dict[str, Any]]:
        request = _Request(shipments, as_of, rates)
        self._start()
        self._queue.put(request)
        return request.future

    def decisions(self, shipments: list[dict[str, Any]], as_of: dt.date | None,
                  rates: pl.DataFrame | None = None) -> dict[str, Any]:
        """The decisions document of these shipments (blocks until screened)."""
        return self.submit(shipments, as_of, rates).result()

    async def decisions_async(self, shipments: list[dict[str, Any]], as_of: dt.date | None,
                              rates: pl.DataFrame | None = None) -> dict[str, Any]:
        """The same, awaited: no thread of the pool is held while the request waits."""
        return await asyncio.wrap_future(self.submit(shipments, as_of, rates))

    def _start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="ace321-screen",
                                                daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self.max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            self.batches.append(len(batch))
            try:
                self._screen(batch)
            except BaseException as error:  # never leave a request waiting
                for request in batch:
                    if not request.future.done():
                        request.future.set_exception(error)

    def _screen(self, batch: list[_Request]) -> None:
        # Each body is checked by itself (its errors are its own), then the canonical frame of
        # all of them is built once.
        ready: list[_Request] = []
        for request in batch:
            try:
                request.lines = json_rows(request.shipments)
            except Exception as error:
                request.future.set_exception(error)
                continue
            ready.append(request)
        if not ready:
            return
        start = 0
        for request in ready:
            request.offset = start
            start += len(request.lines)
        try:
            merged = frame_from_rows([line for r in ready for line in r.lines])
        except Exception:
            for request in ready:
                self._alone(request)
            return
        for request in ready:
            request.frame = merged.slice(request.offset, len(request.lines))
        alone, together = _mergeable(ready)
        for request in alone:
            self._alone(request)
        groups: dict[tuple[dt.date | None, int], list[_Request]] = {}
        for request in together:
            groups.setdefault((request.as_of, id(request.rates)), []).append(request)
        for (as_of, _), group in groups.items():
            self._together(group, as_of)

    def _alone(self, request: _Request) -> None:
        """Screen a request in a frame of its own (rows from 1)."""
        try:
            request.frame, request.offset = frame_from_rows(request.lines), 0
            self.calls += 1
            result = self.engine(request.frame, rules=self.rules, default_arrival=request.as_of,
                                 **_rates(request.rates))
            request.future.set_result(result.to_document())
        except Exception as error:
            request.future.set_exception(error)

    def _together(self, group: list[_Request], as_of: dt.date | None) -> None:
        """Screen requests with their slices of the batch frame, in one call if several."""
        frames = [r.frame for r in group if r.frame is not None]
        frame = frames[0] if len(frames) == 1 else pl.concat(frames, how="vertical_relaxed")
        self.calls += 1
        try:
            document = self.engine(frame, rules=self.rules, default_arrival=as_of,
                                   **_rates(group[0].rates)).to_document()
        except Exception as error:
            if len(group) == 1:
                group[0].future.set_exception(error)
            else:  # which one broke it? each gets its own answer
                for request in group:
                    self._alone(request)
            return
        owner: dict[str, int] = {}
        for index, request in enumerate(group):
            assert request.frame is not None
            for shipment_id in request.frame["shipment_id"].to_list():
                owner[shipment_id] = index
        parts: list[list[dict[str, Any]]] = [[] for _ in group]
        persons: dict[str, int] = {}
        for record in document["shipments"]:
            found = owner.get(record["shipment_id"])
            key = record["consignee_key"]
            if found is None or (key is not None and persons.setdefault(key, found) != found):
                # One person in two requests (or an id the engine made up): not separable.
                for request in group:
                    self._alone(request)
                return
            parts[found].append(record)
        for request, records in zip(group, parts, strict=True):
            if request.offset:
                for record in records:
                    for item in record["issues"]:
                        if item["row"] is not None:
                            item["row"] -= request.offset
            counts = dict.fromkeys(DECISION_ORDER, 0)
            for record in records:
                counts[record["decision"]] = counts.get(record["decision"], 0) + 1
            request.future.set_result({
                "rules_version": document["rules_version"],
                "summary": {"shipments": len(records), "by_decision": counts},
                "shipments": records,
            })


def _rates(rates: pl.DataFrame | None) -> dict[str, Any]:
    return {} if rates is None else {"rates": rates}


def _mergeable(group: list[_Request]) -> tuple[list[_Request], list[_Request]]:
    """(screened alone, screened together): requests sharing a shipment or order id, or with
    a shipment without an id, go alone."""
    alone: list[_Request] = []
    together: list[_Request] = []
    shipment_ids: set[str] = set()
    order_ids: set[str] = set()
    for request in group:
        assert request.frame is not None
        ids = request.frame["shipment_id"]
        orders = set(request.frame["order_id"].drop_nulls().to_list())
        own = set(ids.drop_nulls().to_list())
        if ids.null_count() or own & shipment_ids or orders & order_ids:
            alone.append(request)
            continue
        shipment_ids |= own
        order_ids |= orders
        together.append(request)
    return alone, together
