"""Every console, message and table of the CLI: values printed as they are, ids never cut.

Values come from files and databases (ids, names, field paths such as ``lines[2].hts_code``),
so nothing printed is read as Rich markup or emoji codes: consoles are made with both off, and
table cells and messages are plain ``Text``. Style is given as data (``style=``), never as
``[red]`` in a string.

Widths: the terminal's, else ``COLUMNS``, else 80 (Rich's rule). A table never cuts a value
column (ids, codes, dates, amounts): free-text columns wrap first; if the value columns alone
do not fit, they fold onto several lines rather than lose characters. Long free text can be
shortened at a word boundary (``Clipped``); the JSON output always has it in full.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

ELLIPSIS = "…"


def console(*, stderr: bool = False) -> Console:
    """The console for output on stdout (or stderr): no markup, no emoji codes, no highlighting."""
    return Console(stderr=stderr, markup=False, emoji=False, highlight=False)


def say(text: str | Text, *, stderr: bool = False, style: str | None = None) -> None:
    """Print one message; long lines are left to the terminal, so an id is never broken."""
    console(stderr=stderr).print(_plain(text), style=style, soft_wrap=True)


def error(message: str | Text) -> None:
    """``error: MESSAGE`` on stderr, the word ``error:`` in red."""
    console(stderr=True).print(Text.assemble(("error:", "red"), " ", _plain(message)),
                               soft_wrap=True)


def _plain(value: Any) -> Text:
    if isinstance(value, Text):
        return value
    return Text("" if value is None else str(value))


@dataclass(frozen=True)
class Col:
    """A table column. A value column (the default) is never cut; ``text=True`` may wrap."""

    header: str
    text: bool = False
    right: bool = False


class Clipped:
    """Free text wrapped to at most ``lines`` lines, shortened at a word boundary with ``…``.

    A single word longer than the space is folded whole rather than cut.
    """

    def __init__(self, text: str, lines: int = 2, style: str = "") -> None:
        self.text = text
        self.lines = lines
        self.style = style

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Text(self.text).__rich_measure__(console, options)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        width = max(1, options.max_width)
        yield Text(shorten(self.text, width, self.lines, console), style=self.style,
                   overflow="fold")


def shorten(text: str, width: int, lines: int, console: Console | None = None) -> str:
    """``text`` if it wraps into ``lines`` lines of ``width``, else its longest word-boundary
    prefix that does with ``…`` appended (the whole text when not even one word fits)."""
    render = console or Console(width=width, markup=False, emoji=False)

    def fits(candidate: str) -> bool:
        return len(Text(candidate).wrap(render, width, overflow="fold")) <= lines

    if fits(text):
        return text
    words = text.split()
    low, high = 0, len(words)  # the longest prefix of `low` words fits; `high` does not
    while high - low > 1:
        middle = (low + high) // 2
        if fits(" ".join(words[:middle]) + ELLIPSIS):
            low = middle
        else:
            high = middle
    if low == 0:
        return text
    return " ".join(words[:low]).rstrip(",;:") + ELLIPSIS


class OutputTable(Table):
    """A Rich table whose cells are plain text and whose value columns are never cut.

    Widths are planned here rather than by Rich, which shrinks the widest columns first and,
    when the no-wrap ones alone are too wide, crops them: value columns keep their full width;
    free-text columns share what is left (each at least ``TEXT_MIN`` wide, or its natural width
    if smaller); only when the value columns cannot all fit do the widest of them fold.
    """

    TEXT_MIN = 10

    def __init__(self, title: str, columns: Iterable[Col | str], **options: Any) -> None:
        options.setdefault("box", box.SIMPLE_HEAD)
        options.setdefault("show_edge", False)
        options.setdefault("pad_edge", False)
        options.setdefault("collapse_padding", True)
        super().__init__(title=Text(title), **options)
        for column in columns:
            spec = Col(column) if isinstance(column, str) else column
            self.add_column(Text(spec.header), justify="right" if spec.right else "left",
                            no_wrap=not spec.text, overflow="fold")

    def add_row(self, *values: Any, style: Any = None, end_section: bool = False) -> None:  # type: ignore[override]
        super().add_row(*(value if isinstance(value, Clipped | Text) else _plain(value)
                          for value in values), style=style, end_section=end_section)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        self._plan_widths(options.max_width)
        yield from super().__rich_console__(console, options)

    def _plan_widths(self, max_width: int) -> None:
        columns = self.columns
        if not columns:
            return
        padding = sum(self._get_padding_width(index) for index in range(len(columns)))
        available = max(len(columns), max_width - self._extra_width - padding)
        natural = [max(_width(cell) for cell in (column.header, *column._cells))
                   for column in columns]
        values = [i for i, column in enumerate(columns) if column.no_wrap]
        texts = [i for i, column in enumerate(columns) if not column.no_wrap]
        text_min = [min(natural[i], max(self.TEXT_MIN, _longest_word(columns[i].header)))
                    for i in texts]
        widths = list(natural)
        value_room = max(len(values), available - sum(text_min))
        if sum(natural[i] for i in values) > value_room:
            level = _level([natural[i] for i in values], value_room)
            for i in values:
                if natural[i] > level:
                    widths[i] = level
                    columns[i].no_wrap = False  # fold: every character stays
        text_room = max(len(texts), available - sum(widths[i] for i in values))
        level = _level([natural[i] for i in texts], text_room)
        for i in texts:
            widths[i] = max(1, min(natural[i], level))
        for column, width in zip(columns, widths, strict=True):
            column.width = max(1, width)


def _level(widths: list[int], room: int) -> int:
    """The largest cap such that the widths, each capped at it, add up to at most ``room``."""
    if not widths or sum(widths) <= room:
        return max(widths, default=1)
    low, high = 1, max(widths)
    while low < high:
        middle = (low + high + 1) // 2
        if sum(min(width, middle) for width in widths) <= room:
            low = middle
        else:
            high = middle - 1
    return low


def _longest_word(cell: Any) -> int:
    text = cell.plain if isinstance(cell, Text) else str(cell)
    return max((cell_len(word) for word in text.split()), default=0)


def _width(cell: Any) -> int:
    if isinstance(cell, Text):
        return max((cell_len(line) for line in cell.plain.splitlines()), default=0)
    if isinstance(cell, Clipped):
        return cell_len(cell.text)
    if isinstance(cell, str):
        return cell_len(cell)
    return 1
