"""Running Polars query plans: always on the in-memory engine.

Polars 2 runs ``LazyFrame.collect()`` on its streaming engine by default. Its start-up costs
about 150 microseconds per query, the whole budget of a one-shipment call when a screening runs
a dozen queries; on a million lines it was no faster here. It also panicked on a filter over a
window (``CONFLICTING_SHIPMENT`` on a shipment whose lines disagree), which the in-memory engine
computes correctly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

import polars as pl

ENGINE: Final[Literal["in-memory"]] = "in-memory"


def collect(plan: pl.LazyFrame) -> pl.DataFrame:
    return plan.collect(engine=ENGINE)


def collect_all(plans: Sequence[pl.LazyFrame]) -> list[pl.DataFrame]:
    return pl.collect_all(plans, engine=ENGINE)
