"""One vocabulary for every layer: decisions and statuses parsed the same by the CLI, the API
and the storage queries."""

from __future__ import annotations

import pytest

from ace321.api.schemas.shipments import DecisionCode, OverrideCreate, Status
from ace321.screening import DECISIONS
from ace321.storage.lifecycle import OVERRIDE_DECISIONS, STATUSES
from ace321.storage.trip_models import TRIP_STATUSES
from ace321.vocabulary import (
    Decision,
    OverrideDecision,
    RiskBand,
    ShipmentStatus,
    TripStatus,
    UnknownValue,
    parse,
    parse_optional,
)


def test_every_layer_uses_the_same_values() -> None:
    assert DECISIONS == Decision.values() == tuple(DecisionCode)
    assert STATUSES == ShipmentStatus.values() == tuple(Status)
    assert OVERRIDE_DECISIONS == OverrideDecision.values() == ("INFORMAL_ENTRY", "FORMAL_ENTRY")
    assert TripStatus.values() == TRIP_STATUSES
    assert set(OverrideDecision.values()) < set(Decision.values())


@pytest.mark.parametrize("text", ["invalid", "INVALID", " Invalid "])
def test_values_match_in_any_case(text: str) -> None:
    assert parse(Decision, text) is Decision.INVALID
    assert OverrideCreate(decision="formal_entry", reason="broker").decision == "FORMAL_ENTRY"


def test_an_unknown_value_names_the_valid_ones() -> None:
    with pytest.raises(UnknownValue, match="unknown shipment status 'bogus'; valid: SCREENED, "
                                           "MANIFESTED, TRANSMITTED"):
        parse(ShipmentStatus, "bogus")
    with pytest.raises(UnknownValue, match="unknown override decision 'SECTION_321'"):
        parse(OverrideDecision, "SECTION_321")
    with pytest.raises(UnknownValue, match="unknown risk band 'severe'; valid: low, medium, high"):
        parse(RiskBand, "severe")
    assert parse(RiskBand, "HIGH") is RiskBand.HIGH
    assert parse_optional(Decision, None) is None
    assert parse_optional(Decision, "") is None
