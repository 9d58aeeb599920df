"""Scores, bands, facts, determinism, the model file and the shipped vocabulary."""

from __future__ import annotations

import datetime as dt
import random
import shutil
from pathlib import Path

import polars as pl
import pytest
from risk_builders import DAY, frame, line

from ace321.risk import load_model, score_lines
from ace321.rules import RuleError

SHARED = Path(__file__).resolve().parents[2].parent / "shared" / "data"


def mixed() -> list[dict]:
    rows = [line(f"H{i:03d}", unit_usd=20 + i % 3, person=f"p{i % 40}|1",
                 address=f"{i % 40} elm st|1", arrival=DAY + dt.timedelta(days=i % 9))
            for i in range(120)]
    rows += [line("CHEAP", unit_usd=3.0), line("VAGUE", description="Gift"),
             line("BOTH", description="Parts", unit_usd=2.0, kg=3.0)]
    rows += [line(f"R{i}", person=f"n{i}|9", address="1 hub rd|9") for i in range(7)]
    return rows


def test_score_is_the_capped_sum_and_bands_follow_the_model(score) -> None:
    scored = score(mixed())
    assert scored["VAGUE"]["score"] == 30 and scored["VAGUE"]["band"] == "medium"
    both = scored["BOTH"]
    assert both["score"] == min(100, sum(s["weight"] for s in both["signals"]))
    assert both["band"] == "high" and both["score"] >= 50
    assert scored["H001"]["score"] == 0 and scored["H001"]["band"] == "low"
    weights = [s["weight"] for s in both["signals"]]
    assert weights == sorted(weights, reverse=True)


def test_row_order_never_changes_a_score(model, rules) -> None:
    rows = mixed()
    expected = score_lines(frame(rows), model=model, rules=rules).shipments
    for seed in range(4):
        shuffled = rows[:]
        random.Random(seed).shuffle(shuffled)
        again = score_lines(frame(shuffled), model=model, rules=rules).shipments
        assert again.equals(expected)


def test_history_rows_are_not_scored_and_batch_ids_win(score) -> None:
    scored = score([line("NEW")], history=[line("NEW", unit_usd=1.0), line("OLD")])
    assert list(scored) == ["NEW"]


def test_facts_join_with_low_weights(score) -> None:
    facts = pl.DataFrame({"shipment_id": ["A", "A"], "code": ["DUPLICATE_SHIPMENT", "NOT_A_FACT"],
                          "message": ["stored with other content", "x"]})
    scored = score([line("A")], facts=facts)
    assert [(s["code"], s["weight"]) for s in scored["A"]["signals"]] == [("DUPLICATE_SHIPMENT", 10)]


def test_a_score_never_changes_a_decision(model, rules) -> None:
    from ace321.intake import read_orders
    from ace321.intake.rates import read_rates
    from ace321.risk import score_result
    from ace321.screening import screen

    examples = Path(__file__).resolve().parents[2] / "examples"
    result = screen(read_orders(examples / "orders.csv"), rules=rules,
                    default_arrival=dt.date(2025, 6, 2), rates=read_rates(examples / "rates.csv"))
    before = result.shipments.clone()
    risk = score_result(result, model=model, rules=rules)
    assert result.shipments.equals(before)
    assert risk.shipments.height == before.height
    assert set(risk.shipments["shipment_id"]) == set(before["shipment_id"])


def test_model_refuses_a_value_without_reference(tmp_path) -> None:
    from ace321.risk.model import DATA_DIR

    copy = tmp_path / "model"
    shutil.copytree(DATA_DIR, copy)
    path = copy / "signals" / "undervalued.yaml"
    path.write_text(path.read_text().replace(
        "reference: ace321 risk model 2026.12; at most a third", "note: at most a third"))
    with pytest.raises(RuleError, match=r"undervalued.yaml \(parameters.max_ratio\).*no reference"):
        load_model(copy)


def test_model_refuses_an_unknown_key_and_changes_version(tmp_path) -> None:
    from ace321.risk.model import DATA_DIR

    copy = tmp_path / "model"
    shutil.copytree(DATA_DIR, copy)
    bands = copy / "bands.yaml"
    bands.write_text(bands.read_text().replace("value: 50", "value: 55"))
    assert load_model(copy).version != load_model().version
    bands.write_text(bands.read_text() + "colour: red\n")
    with pytest.raises(RuleError, match="unknown key 'colour'"):
        load_model(copy)


@pytest.mark.skipif(not (SHARED / "hts_2026_revision_4.csv").is_file(), reason="no ../shared")
def test_shipped_vocabulary_is_the_schedules(tmp_path) -> None:
    from ace321.risk.vocabulary import VOCABULARY_FILE, write_vocabulary

    rebuilt = tmp_path / "vocabulary.tsv"
    write_vocabulary(SHARED / "hts_2026_revision_4.csv", rebuilt)
    assert rebuilt.read_text() == VOCABULARY_FILE.read_text()
