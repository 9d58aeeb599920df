"""Small-call screening benchmark: ``screen()`` in-process on 1, 10 and 50 shipments.

This is the cost the REST API pays per request (POST /v1/screen screens a few shipments at a
time), so interpreter start-up and CSV reading are left out: the frames are built once from the
synthetic generator (``generate_orders.py``), then each size is screened ``--calls`` times after
``--warmup`` untimed calls. Reports the median and p99 wall time per call in milliseconds.

Targets: 1 shipment at most 3 ms median, 50 shipments at most 10 ms median.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import time

import generate_orders
import polars as pl

from ace321.intake.canonical import canonical_frame
from ace321.intake.rates import read_rates
from ace321.rules import load_rules
from ace321.screening import screen

SIZES = (1, 10, 50)
TARGETS_MS = {1: 3.0, 50: 10.0}


def frames(sizes: tuple[int, ...]) -> dict[int, pl.DataFrame]:
    """The canonical frame of the first ``n`` shipments of a small generated file, per size."""
    raw, _ = generate_orders.generate(lines=max(sizes) * 6)
    order = raw["shipment_id"].unique(maintain_order=True)
    return {
        n: canonical_frame(raw.filter(pl.col("shipment_id").is_in(order.head(n).implode())), "<bench>")
        for n in sizes
    }


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="timed calls per size (default 300)")
    parser.add_argument("--warmup", type=int, default=20, help="untimed calls first (default 20)")
    parser.add_argument("--rates", action="store_true",
                        help="pass the generator's CAD rates (the API screens without rates)")
    args = parser.parse_args()
    rules = load_rules()
    rates = None
    if args.rates:
        path = generate_orders.write_rates(generate_orders.DATA_DIR / "rates.csv")
        rates = read_rates(path)
    arrival = dt.date(2025, 6, 2)
    print(f"load average {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    print(f"{'shipments':>9} {'lines':>6} {'median ms':>10} {'p99 ms':>8}  target")
    for n, frame in frames(SIZES).items():
        for _ in range(args.warmup):
            screen(frame, rules=rules, default_arrival=arrival, rates=rates)
        times = []
        for _ in range(args.calls):
            started = time.perf_counter()
            screen(frame, rules=rules, default_arrival=arrival, rates=rates)
            times.append((time.perf_counter() - started) * 1000)
        median = statistics.median(times)
        target = TARGETS_MS.get(n)
        mark = "" if target is None else f"<= {target:g} ms: {'ok' if median <= target else 'MISSED'}"
        print(f"{n:>9} {frame.height:>6} {median:>10.2f} {_percentile(times, 0.99):>8.2f}  {mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
