"""The tariff schedule's rate lines: the shipped HTS revision or a USITC CSV export given with ``--hts``.

A declared code's rates come from its own line when that line carries a General rate, else
from its eight-digit parent (ten-digit statistical lines usually carry none). The unit of
quantity is the declared line's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from ace321.intake.errors import UnusableInput

DATA_DIR = Path(__file__).parent / "data"
SHIPPED_FILE = DATA_DIR / "hts_2026_revision_4.parquet"
SHIPPED_REVISION = "HTS 2026 revision 4"
COLUMNS = ("hts", "indent", "description", "unit", "general", "special", "column2")
_SOURCE_COLUMNS = {
    "hts number": "hts", "indent": "indent", "description": "description",
    "unit of quantity": "unit", "general rate of duty": "general",
    "special rate of duty": "special", "column 2 rate of duty": "column2",
}
_REVISION_NAME = re.compile(r"(\d{4})[ _-]*(?:revision|rev)[ _-]*(\d+)", re.IGNORECASE)


@dataclass(frozen=True)
class RateLine:
    hts: str
    general: str | None
    special: str | None
    column2: str | None
    unit: str | None


@dataclass(frozen=True)
class Schedule:
    revision: str
    """Named in every estimate, e.g. ``HTS 2026 revision 4``."""
    lines: dict[str, RateLine]
    """The lines looked up so far (all of them after ``subset`` of every code)."""
    frame: pl.DataFrame | None = None

    def subset(self, codes: list[str]) -> Schedule:
        """The schedule with the rate lines of ``codes`` and their eight-digit parents ready:
        building 30,000 lines costs more than pricing a file's few thousand codes."""
        if self.frame is None:
            return self
        wanted = {code for code in codes if code} | {code[:8] for code in codes if code}
        return _schedule(self.frame.filter(pl.col("hts").is_in(list(wanted))), self.revision)

    def rate_line(self, hts: str) -> RateLine | None:
        """The line whose rates apply to ``hts`` (digits): its own, or its eight-digit parent's."""
        own = self.lines.get(hts)
        if own is not None and own.general is not None:
            return own
        if len(hts) == 10:
            parent = self.lines.get(hts[:8])
            if parent is not None and parent.general is not None:
                return parent
        return None

    def unit(self, hts: str) -> str | None:
        own = self.lines.get(hts)
        return own.unit if own is not None else None


def _cell(name: str) -> pl.Expr:
    return pl.col(name).cast(pl.String).str.strip_chars().replace("", None)


def schedule_frame(raw: pl.DataFrame, source: str) -> pl.DataFrame:
    """A USITC CSV export's columns renamed (``COLUMNS``), digits-only codes, units as text."""
    raw = raw.rename({name: name.strip().lower().lstrip("\ufeff") for name in raw.columns})
    missing = [shown for shown in ("HTS Number", "General Rate of Duty") if shown.lower() not in raw.columns]
    if missing:
        raise UnusableInput(source, f"not an HTS table: no {missing[0]!r} column")
    present = {name: target for name, target in _SOURCE_COLUMNS.items() if name in raw.columns}
    frame = raw.select(_cell(name).alias(target) for name, target in present.items())
    frame = frame.with_columns(
        pl.lit(None, dtype=pl.String).alias(name) for name in COLUMNS if name not in frame.columns
    ).select(COLUMNS)
    return frame.with_columns(
        pl.col("hts").str.replace_all(r"[.\s]", ""),
        # ["No.","kg"] -> No., kg
        pl.col("unit").str.replace_all(r'[\[\]"]', "").str.replace_all(",", ", "),
    ).filter(pl.col("hts").is_not_null())


def _schedule(frame: pl.DataFrame, revision: str, *, lazy: bool = False) -> Schedule:
    if lazy:
        return Schedule(revision=revision, lines={}, frame=frame)
    lines = {
        hts: RateLine(hts, general, special, column2, unit)
        for hts, general, special, column2, unit in frame.select(
            "hts", "general", "special", "column2", "unit"
        ).iter_rows()
    }
    return Schedule(revision=revision, lines=lines)


@lru_cache(maxsize=1)
def shipped_schedule() -> Schedule:
    """The HTS revision shipped with ace321 (see ``tariff/data/README.md``)."""
    return _schedule(pl.read_parquet(SHIPPED_FILE, columns=["hts", "unit", "general", "special", "column2"]),
                     SHIPPED_REVISION, lazy=True)


def revision_name(path: Path) -> str:
    """The revision a user's file names (``hts_2026_revision_4.csv`` -> ``HTS 2026 revision 4``),
    or the file's name.

    >>> revision_name(Path("/tmp/hts_2026_revision_5.csv")), revision_name(Path("my.csv"))
    ('HTS 2026 revision 5', 'HTS file my.csv')
    """
    found = _REVISION_NAME.search(path.name)
    if found:
        return f"HTS {found.group(1)} revision {found.group(2)}"
    return f"HTS file {path.name}"


def read_schedule(path: Path) -> Schedule:
    """A USITC HTS CSV export as the schedule (``--hts FILE``)."""
    from ace321.intake.csv_orders import read_raw_csv

    return _schedule(schedule_frame(read_raw_csv(path), str(path)), revision_name(path), lazy=True)
