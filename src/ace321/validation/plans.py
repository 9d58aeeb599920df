"""Running Polars query plans: on the in-memory engine, optimised only when it pays.

Polars 2 runs ``LazyFrame.collect()`` on its streaming engine by default. Its start-up costs
about 150 microseconds per query, the whole budget of a one-shipment call when a screening runs
a dozen queries, and it panicked on a filter over a window (``CONFLICTING_SHIPMENT`` on a
shipment whose lines disagree), which the in-memory engine computes correctly.

The query optimiser costs a fixed 0.2 to 0.5 ms on the screening's larger plans, whatever the
size of the data: on a few shipments that is 40 % of the call, on a million lines it is nothing
and common-subexpression elimination and pushdowns pay off. ``rows`` picks one or the other.
Likewise, column groups are computed in parallel on large frames and one after another on small
ones, where handing each expression to a thread costs more than evaluating it (the validation
masks alone: 25-30 %; a whole one-shipment call: about 4 %).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Final, Literal

import polars as pl

ENGINE: Final[Literal["in-memory"]] = "in-memory"
SMALL: Final = 20_000
_UNOPTIMISED = pl.QueryOptFlags.none()
# Common-subexpression elimination made the validation query 2.5 times slower (1.2 s to 3.1 s
# on a million lines): the checks share little, and what they share is cheap.
_OPTIMISED = pl.QueryOptFlags(comm_subexpr_elim=False)


def _flags(rows: int) -> pl.QueryOptFlags:
    return _UNOPTIMISED if rows < SMALL else _OPTIMISED


def with_columns(plan: pl.LazyFrame, exprs: Iterable[pl.Expr], rows: int) -> pl.LazyFrame:
    return plan.with_columns(exprs) if rows >= SMALL else plan.with_columns_seq(exprs)


def select(plan: pl.LazyFrame, exprs: Iterable[pl.Expr | str], rows: int) -> pl.LazyFrame:
    return plan.select(exprs) if rows >= SMALL else plan.select_seq(exprs)


def collect(plan: pl.LazyFrame, rows: int) -> pl.DataFrame:
    """Run ``plan``, whose input has about ``rows`` rows."""
    return plan.collect(engine=ENGINE, optimizations=_flags(rows))


def collect_all(plans: Sequence[pl.LazyFrame], rows: int) -> list[pl.DataFrame]:
    return pl.collect_all(plans, engine=ENGINE, optimizations=_flags(rows))
