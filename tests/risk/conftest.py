"""Fixtures of the risk tests; the line builders live in ``risk_builders``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import polars as pl
import pytest

sys.path.insert(0, str(Path(__file__).parent))

from risk_builders import frame

from ace321.risk import load_model
from ace321.rules import load_rules


@pytest.fixture(scope="session")
def model() -> Any:
    return load_model()


@pytest.fixture(scope="session")
def rules() -> Any:
    return load_rules()


class Scorer:
    def __init__(self, model: Any, rules: Any) -> None:
        self.model, self.rules = model, rules

    def __call__(self, rows: list[dict[str, Any]], *, history: list[dict[str, Any]] | None = None,
                 facts: pl.DataFrame | None = None) -> dict[str, dict[str, Any]]:
        from ace321.risk import score_lines

        result = score_lines(frame(rows), model=self.model, rules=self.rules,
                             history=frame(history) if history else None, facts=facts)
        return {row["shipment_id"]: row for row in result.records()}


@pytest.fixture(scope="session")
def score(model: Any, rules: Any) -> Scorer:
    return Scorer(model, rules)


