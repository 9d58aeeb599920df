"""The identifier modules: their doctests, their common face and their edge cases."""

from __future__ import annotations

import doctest
from types import ModuleType

import pytest

from ace321.identifiers import (
    exceptions,
    fast_card,
    port_code,
    scac,
    scn,
    trip_number,
    un_number,
    vin,
)

MODULES = [exceptions, fast_card, port_code, scac, scn, trip_number, un_number, vin]
IDENTIFIERS: list[tuple[ModuleType, str, str]] = [
    # module, a valid value in raw form, its compact form
    (scac, " mapl ", "MAPL"),
    (scn, "MAPL-0001-23", "MAPL000123"),
    (trip_number, "mapl20261123a", "MAPL20261123A"),
    (vin, "1FUJ GLDR3C LBP8834", "1FUJGLDR3CLBP8834"),
    (fast_card, "4270-5555-5555-01", "42705555555501"),
    (port_code, "0901", "0901"),
    (un_number, "un 1203", "UN1203"),
]


@pytest.mark.parametrize("module", MODULES, ids=lambda m: m.__name__)
def test_doctests(module: ModuleType) -> None:
    assert module.__doc__ and ">>>" in module.__doc__
    result = doctest.testmod(module, optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0


@pytest.mark.parametrize(("module", "raw", "clean"), IDENTIFIERS, ids=lambda x: getattr(x, "__name__", ""))
def test_same_face(module: ModuleType, raw: str, clean: str) -> None:
    assert module.compact(raw) == clean
    assert module.validate(raw) == clean
    assert module.is_valid(raw) is True


@pytest.mark.parametrize("module", [m for m in MODULES if m is not exceptions], ids=lambda m: m.__name__)
@pytest.mark.parametrize("bad", ["", "?", "X" * 40])
def test_invalid_values_raise_value_errors_and_is_valid_never_raises(module: ModuleType, bad: str) -> None:
    with pytest.raises(exceptions.ValidationError) as caught:
        module.validate(bad)
    assert isinstance(caught.value, ValueError)
    assert str(caught.value)
    assert module.is_valid(bad) is False


@pytest.mark.parametrize("module", [m for m in MODULES if m is not exceptions], ids=lambda m: m.__name__)
def test_is_valid_survives_non_strings(module: ModuleType) -> None:
    assert module.is_valid(None) is False  # type: ignore[arg-type]
    assert module.is_valid(1234) is False  # type: ignore[arg-type]


def test_exception_tree_has_class_level_messages() -> None:
    for cls in (exceptions.InvalidFormat, exceptions.InvalidLength, exceptions.InvalidChecksum,
                exceptions.InvalidComponent):
        assert issubclass(cls, exceptions.ValidationError)
        assert issubclass(cls, ValueError)
        assert str(cls()) == cls.message
        assert str(cls("specific")) == "specific"


def test_scac() -> None:
    assert scac.validate("MAPL") == "MAPL"
    with pytest.raises(exceptions.InvalidLength):
        scac.validate("MAPLE")
    with pytest.raises(exceptions.InvalidFormat):
        scac.validate("MÄPL")


def test_scn() -> None:
    assert scn.validate("MAPL1234") == "MAPL1234"  # 8, the shortest
    assert scn.validate("MAPL123456789012") == "MAPL123456789012"  # 16, the longest
    with pytest.raises(exceptions.InvalidLength):
        scn.validate("MAPL1234567890123")
    with pytest.raises(exceptions.InvalidFormat):
        scn.validate("MAP11234")
    with pytest.raises(exceptions.InvalidComponent):
        scn.validate("MAPL1234", scac="ABCD")
    assert scn.is_valid("MAPL1234", scac="mapl") is True
    assert scn.is_valid("MAPL1234", scac="ABCD") is False


def test_trip_number() -> None:
    assert trip_number.validate("MAPL1234") == "MAPL1234"  # 8
    assert trip_number.validate("MAPL" + "9" * 21) == "MAPL" + "9" * 21  # 25
    with pytest.raises(exceptions.InvalidLength):
        trip_number.validate("MAPL" + "9" * 22)
    with pytest.raises(exceptions.InvalidLength):
        trip_number.validate("MAPL123")
    with pytest.raises(exceptions.InvalidComponent):
        trip_number.validate("MAPL1234", scac="ABCD")
    with pytest.raises(exceptions.InvalidComponent):
        trip_number.validate("MAP11234")


def test_vin_check_digit() -> None:
    assert vin.calc_check_digit("1FUJGLDR3CLBP8834") == "3"
    assert vin.is_valid("1FUJGLDR3CLBP8834")
    assert vin.is_valid("11111111111111111")  # the classic all-ones VIN: check digit 1
    assert vin.is_valid("1M8GDM9AXKP042788")  # remainder 10 is written X
    for wrong in "012456789X":
        assert not vin.is_valid(f"1FUJGLDR{wrong}CLBP8834")
    with pytest.raises(exceptions.InvalidChecksum):
        vin.validate("1FUJGLDRXCLBP8834")
    for letter in "IOQ":
        with pytest.raises(exceptions.InvalidFormat):
            vin.validate(f"1FUJGLDR3CLBP883{letter}")


def test_fast_card_validate_is_length_only_and_heuristic_is_separate() -> None:
    assert fast_card.validate("12345678901234") == "12345678901234"
    assert fast_card.looks_genuine("42701234567801")
    assert fast_card.looks_genuine("42701234567802")
    assert not fast_card.looks_genuine("42701234567803")
    assert not fast_card.looks_genuine("52701234567801")
    assert not fast_card.looks_genuine("4270123456780")  # too short: not even valid
    with pytest.raises(exceptions.InvalidLength):
        fast_card.validate("427012345678011")


def test_port_code() -> None:
    with pytest.raises(exceptions.InvalidLength):
        port_code.validate("09011")
    with pytest.raises(exceptions.InvalidFormat):
        port_code.validate("٠٩٠١")  # Arabic-Indic digits are digits to str.isdigit, not to CBP


def test_un_number() -> None:
    assert un_number.validate("UN0004") == "UN0004"
    with pytest.raises(exceptions.InvalidFormat):
        un_number.validate("UN12A3")
    with pytest.raises(exceptions.InvalidComponent):
        un_number.validate("UN0000")
