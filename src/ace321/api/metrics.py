"""Prometheus metrics of one server process, in the text exposition format (version 0.0.4).

Request counts by method, route and status; a request latency histogram by method and route;
decisions by code (screened and stored). With several workers each process counts its own
requests; a scraper sums them.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _labels(names: tuple[str, ...], values: tuple[str, ...]) -> str:
    def escape(value: str) -> str:
        return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')

    return ",".join(f'{n}="{escape(v)}"' for n, v in zip(names, values, strict=True))


class Metrics:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.requests: dict[tuple[str, str, str], int] = defaultdict(int)
        self.latency_counts: dict[tuple[str, str], list[int]] = {}
        self.latency_sums: dict[tuple[str, str], float] = defaultdict(float)
        self.decisions: dict[tuple[str, str], int] = defaultdict(int)

    def observe_request(self, method: str, route: str, status: int, seconds: float) -> None:
        with self._lock:
            self.requests[(method, route, str(status))] += 1
            key = (method, route)
            counts = self.latency_counts.get(key)
            if counts is None:
                counts = self.latency_counts[key] = [0] * (len(LATENCY_BUCKETS) + 1)
            for index, bound in enumerate(LATENCY_BUCKETS):
                if seconds <= bound:
                    counts[index] += 1
                    break
            else:
                counts[-1] += 1
            self.latency_sums[key] += seconds

    def count_decisions(self, source: str, by_decision: dict[str, int]) -> None:
        with self._lock:
            for decision, count in by_decision.items():
                if count:
                    self.decisions[(source, decision)] += count

    def render(self) -> str:
        with self._lock:
            lines: list[str] = []
            lines += _family("ace321_http_requests_total", "counter",
                             "HTTP requests by method, route and status.",
                             ((_labels(("method", "route", "status"), k), v)
                              for k, v in sorted(self.requests.items())))
            lines.append("# HELP ace321_http_request_duration_seconds Request latency.")
            lines.append("# TYPE ace321_http_request_duration_seconds histogram")
            for key in sorted(self.latency_counts):
                base = _labels(("method", "route"), key)
                running = 0
                for bound, count in zip((*LATENCY_BUCKETS, float("inf")),
                                        self.latency_counts[key], strict=True):
                    running += count
                    le = "+Inf" if bound == float("inf") else repr(bound)
                    lines.append(f'ace321_http_request_duration_seconds_bucket{{{base},le="{le}"}}'
                                 f" {running}")
                lines.append(f"ace321_http_request_duration_seconds_sum{{{base}}} "
                             f"{self.latency_sums[key]:.6f}")
                lines.append(f"ace321_http_request_duration_seconds_count{{{base}}} {running}")
            lines += _family("ace321_decisions_total", "counter",
                             "Shipment decisions by code: source `screen` (not stored) or "
                             "`batch` (stored).",
                             ((_labels(("source", "decision"), k), v)
                              for k, v in sorted(self.decisions.items())))
        return "\n".join(lines) + "\n"


def _family(name: str, kind: str, help_text: str, samples: Iterable[tuple[str, int]]
            ) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    lines += [f"{name}{{{labels}}} {value}" for labels, value in samples]
    return lines
