"""The USITC HTS export: real facts of the 2026 revision 4, and malformed tables."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from ace321.intake.errors import UnusableInput
from ace321.intake.hts_table import full_description, hts_digits, known_codes, read_hts_table

# The shared data sits beside the repository (CI clones it into another sibling folder).
HTS_CSV = Path(__file__).resolve().parents[3] / "shared" / "data" / "hts_2026_revision_4.csv"


@pytest.fixture(scope="module")
def table() -> pl.DataFrame:
    return read_hts_table(HTS_CSV)


@pytest.fixture(scope="module")
def known(table: pl.DataFrame) -> set[str]:
    return set(known_codes(table).to_list())


def test_columns_and_numbered_lines_only(table: pl.DataFrame) -> None:
    assert table.schema["hts"] == pl.String
    assert table.schema["indent"] == pl.Int64
    assert {"hts", "indent", "description", "general_rate"} <= set(table.columns)
    assert table["hts"].null_count() == 0
    assert table["hts"].str.contains(r"^[0-9]+$").all()
    assert "Horses:" not in table["description"].to_list()  # an unnumbered heading line


def test_real_counts(table: pl.DataFrame) -> None:
    lengths = table["hts"].str.len_chars()
    assert (lengths == 10).sum() == 19_856
    assert set(lengths.unique()) == {4, 6, 8, 10}


def test_rates_sit_on_eight_digit_parents(table: pl.DataFrame) -> None:
    rate = dict(zip(table["hts"], table["general_rate"], strict=True))
    assert rate["01012100"] == "Free"
    assert rate["0101210010"] is None
    assert rate["0101300000"] == "6.8%"
    row = table.filter(pl.col("hts") == "0101210010").row(0, named=True)
    assert (row["indent"], row["description"]) == (3, "Males")


def test_known_codes(known: set[str]) -> None:
    assert "0101210010" in known
    assert hts_digits("0101.21.00") in known
    assert hts_digits("0101.21.00") == "01012100"
    assert "010121" in known  # implied by 0101.21.00.10: the table has no 0101.21 line
    assert "9999999999" not in known
    assert "0101" not in known  # four-digit headings are not codes of a line
    assert "0101210030" not in known
    assert all(len(code) in (6, 8, 10) for code in known)


def test_known_codes_is_a_unique_string_series(table: pl.DataFrame) -> None:
    codes = known_codes(table)
    assert codes.dtype == pl.String
    assert codes.n_unique() == codes.len()
    assert (codes.str.len_chars() == 10).sum() == 19_856


def test_full_description_follows_indent_through_unnumbered_lines(table: pl.DataFrame) -> None:
    assert (
        full_description(table, "0101.21.00.10")
        == "Live horses, asses, mules and hinnies: Horses: Purebred breeding animals: Males"
    )
    assert (
        full_description(table, "0102210030")
        == "Live bovine animals: Cattle: Purebred breeding animals: Other: Male"
    )
    # A sibling at a shallower indent closes the deeper branch ("Horses:" is not an ancestor).
    assert (
        full_description(table, "0101.90.30.00")
        == "Live horses, asses, mules and hinnies: Other: Imported for immediate slaughter"
    )
    with pytest.raises(KeyError):
        full_description(table, "9999999999")


def test_small_table_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "hts.csv"
    path.write_bytes(
        b'\xef\xbb\xbf"HTS Number","Indent","Description","Unit of Quantity",'
        b'"General Rate of Duty"\n'
        b'"0101","0","Live horses:","",""\n'
        b'"","1","Horses","",""\n'
        b'"0101.21.00","2","Purebred","","Free"\n'
        b'"0101.21.00.10","3","Males","[""No.""]",""\n'
    )
    table = read_hts_table(path)
    assert table.select("hts", "indent", "description", "general_rate").rows() == [
        ("0101", 0, "Live horses:", None),
        ("01012100", 2, "Purebred", "Free"),
        ("0101210010", 3, "Males", None),
    ]
    # An ancestor without a trailing colon still reads as a heading.
    assert full_description(table, "0101210010") == "Live horses: Horses: Purebred: Males"
    assert known_codes(table).to_list() == ["010121", "01012100", "0101210010"]


def test_table_without_hts_number_column_is_unusable(tmp_path: Path) -> None:
    path = tmp_path / "not_hts.csv"
    path.write_text("code,Indent,Description\n0101,0,Live horses\n", encoding="utf-8")
    with pytest.raises(UnusableInput, match="'HTS Number'") as error:
        read_hts_table(path)
    assert error.value.source == str(path)


def test_bad_indent_is_unusable(tmp_path: Path) -> None:
    path = tmp_path / "hts.csv"
    path.write_text(
        '"HTS Number","Indent","Description"\n"0101","0","x"\n"0101.21","two","y"\n',
        encoding="utf-8",
    )
    with pytest.raises(UnusableInput, match="row 2, field Indent: bad value 'two'"):
        read_hts_table(path)
