"""Screening of concurrent ``POST /v1/screen`` requests together, in one engine call.

The engine's cost is mostly per call (a few dozen milliseconds), barely per shipment, so one
process screens the requests waiting at the same moment in one frame and splits the result.
The result of each request is exactly what it alone would get, because requests are merged
only when they cannot affect each other:

- each has shipment ids, and no shipment id or order id is shared with another request;
- they have the same ``as_of`` (the engine's default arrival date);
- after screening, no person (``consignee_key``, on any day) spans two requests: persons are
  matched by folded name and postal code, or phone, transitively, and named by the smallest
  name key of their group, so a shared person could change a request's keys and totals.

Otherwise (and for a request alone) each request is screened by itself. Row numbers are
shifted back, so issues name the rows of each request's own body.
"""

from __future__ import annotations

import datetime as dt
import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from ace321.api.services.orders import frame_from_json
from ace321.intake import columns
from ace321.rules import RuleSet
from ace321.screening import ScreeningResult, screen

MAX_BATCH = 64


@dataclass
class _Request:
    shipments: list[dict[str, Any]]
    as_of: dt.date | None
    future: Future[dict[str, Any]] = field(default_factory=Future)
    frame: pl.DataFrame | None = None


class ScreenCoalescer:
    """One screening thread per process; requests wait for their own result."""

    def __init__(self, rules: RuleSet, max_batch: int = MAX_BATCH) -> None:
        self.rules = rules
        self.max_batch = max_batch
        self._queue: queue.Queue[_Request] = queue.Queue()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.calls = 0  # engine calls, for tests and metrics

    def decisions(self, shipments: list[dict[str, Any]], as_of: dt.date | None
                  ) -> dict[str, Any]:
        """The decisions document of these shipments (blocks until screened)."""
        request = _Request(shipments, as_of)
        self._start()
        self._queue.put(request)
        return request.future.result()

    def _start(self) -> None:
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
            try:
                self._screen(batch)
            except BaseException as error:  # never leave a request waiting
                for request in batch:
                    if not request.future.done():
                        request.future.set_exception(error)

    def _screen(self, batch: list[_Request]) -> None:
        ready: list[_Request] = []
        for request in batch:
            try:
                request.frame = frame_from_json(request.shipments)
            except Exception as error:
                request.future.set_exception(error)
                continue
            ready.append(request)
        groups: dict[dt.date | None, list[_Request]] = {}
        for request in ready:
            groups.setdefault(request.as_of, []).append(request)
        for as_of, group in groups.items():
            alone, together = _mergeable(group)
            for request in alone:
                self._alone(request)
            if len(together) == 1:
                self._alone(together[0])
            elif together:
                self._together(together, as_of)

    def _alone(self, request: _Request) -> None:
        assert request.frame is not None
        try:
            self.calls += 1
            result = screen(request.frame, rules=self.rules, default_arrival=request.as_of)
            request.future.set_result(result.to_document())
        except Exception as error:
            request.future.set_exception(error)

    def _together(self, group: list[_Request], as_of: dt.date | None) -> None:
        offsets, frames, start = [], [], 0
        for request in group:
            assert request.frame is not None
            offsets.append(start)
            frames.append(request.frame.with_columns(pl.col(columns.ROW) + start))
            start += request.frame.height
        self.calls += 1
        result = screen(pl.concat(frames, how="vertical_relaxed"), rules=self.rules,
                        default_arrival=as_of)
        owner: dict[str, int] = {}
        for index, request in enumerate(group):
            assert request.frame is not None
            for shipment_id in request.frame["shipment_id"].unique().to_list():
                owner[shipment_id] = index
        persons: dict[str, int] = {}
        for shipment_id, key in result.shipments.select(
                "shipment_id", "consignee_key").iter_rows():
            if key is None:
                continue
            seen = persons.setdefault(key, owner[shipment_id])
            if seen != owner[shipment_id]:  # one person in two requests: not separable
                for request in group:
                    self._alone(request)
                return
        for index, request in enumerate(group):
            assert request.frame is not None
            ids = request.frame["shipment_id"].unique().implode()
            part = ScreeningResult(
                result.rules_version, result.disclaimer,
                result.shipments.filter(pl.col("shipment_id").is_in(ids)),
                result.issues.filter(pl.col("shipment_id").is_in(ids)),
                result.lines.filter(pl.col("shipment_id").is_in(ids)))
            document = part.to_document()
            if offsets[index]:
                for record in document["shipments"]:
                    for item in record["issues"]:
                        if item["row"] is not None:
                            item["row"] -= offsets[index]
            request.future.set_result(document)


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
