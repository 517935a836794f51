"""Terminal tables that fit the width: labelled columns, numbers never cut, plain when piped.

A table of many numeric columns keeps the most important columns that fit the terminal (80 or
100 columns, say) and names the ones it leaves out, rather than cutting numbers. Piped output
uses plain ASCII rules and no colour, at ``COLUMNS`` columns (100 by default), so that it is
the same from one run to the next.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rich.console import Console
    from rich.table import Table

PIPED_WIDTH = 100
"""Width of piped output when ``COLUMNS`` is not set."""


def piped() -> bool:
    """True when standard output is not a terminal."""
    return not sys.stdout.isatty()


def width() -> int:
    """The width to print to: the terminal's, or ``COLUMNS`` (default 100) when piped."""
    import shutil

    if piped():
        text = os.environ.get("COLUMNS", "")
        return int(text) if text.isdigit() and int(text) >= 40 else PIPED_WIDTH
    return max(40, shutil.get_terminal_size((PIPED_WIDTH, 40)).columns)


def console() -> Console:
    """A Rich console at the terminal's width; no colour or markup styles when piped."""
    from rich.console import Console

    if piped():
        return Console(width=width(), color_system=None, force_terminal=False, highlight=False,
                       emoji=False, soft_wrap=False)
    return Console(width=width(), highlight=False)


def emit(out: Console, *things: Any) -> None:
    """Print renderables; when piped, without the trailing spaces Rich pads lines with."""
    if not piped():
        for thing in things:
            out.print(thing)
        return
    with out.capture() as captured:
        for thing in things:
            out.print(thing)
    sys.stdout.write("".join(line.rstrip() + "\n" for line in captured.get().splitlines()))


def table(title: str | None = None, *, show_header: bool = True) -> Table:
    """An empty table with a left-aligned title and light rules (ASCII ones when piped)."""
    from rich import box
    from rich.table import Table

    rules = box.Box("    \n    \n -- \n    \n    \n    \n    \n    \n") if piped() else (
        box.SIMPLE_HEAD)
    return Table(title=title, title_justify="left", box=rules, show_header=show_header,
                 show_edge=False, pad_edge=False, header_style="" if piped() else "bold",
                 title_style="" if piped() else "bold")


def number(x: Any, digits: int = 4) -> str:
    """A number for people to read: thousands separated, never in exponent notation.

    Examples
    --------
    >>> number(100000.0), number(0.35), number(1234.5), number(2.0), number(True)
    ('100,000', '0.35', '1,234', '2', 'on')
    """
    if isinstance(x, bool):
        return "on" if x else "off"
    if x is None:
        return "-"
    if not isinstance(x, int | float):
        return str(x)
    if abs(x) >= 1000 or float(x).is_integer():
        return f"{x:,.0f}"
    import numpy as np

    return np.format_float_positional(float(x), precision=digits, fractional=False, trim="-")


def percent_change(base: float | None, new: float | None) -> str:
    """``new`` against ``base`` as a signed percentage ("-" when undefined).

    Examples
    --------
    >>> percent_change(200.0, 250.0), percent_change(0.0, 5.0), percent_change(10.0, 10.0)
    ('+25.0%', '-', '0.0%')
    """
    if base is None or new is None or base == 0:
        return "-"
    change = 100 * (new - base) / abs(base)
    return f"{change:+.1f}%" if round(change, 1) else "0.0%"


def column_width(header: str, cells: Sequence[str]) -> int:
    """The width of a column: its widest cell, its longest header word, ideally 10 or more."""
    longest_word = max((len(w) for w in header.split()), default=0)
    return max([len(c) for c in cells] + [longest_word, min(len(header), 10)])


def fitting(widths: Sequence[int], space: int, keep: int = 1) -> int:
    """How many leading columns fit in ``space`` characters (at least ``keep``).

    Columns are separated by three spaces (a rule and one padding character each side), with
    none at the edges, as :func:`table` draws them.

    Examples
    --------
    >>> fitting([4, 10, 10, 10], 29)
    2
    """
    used = 0
    for count, w in enumerate(widths, start=1):
        used += w + (3 if count > 1 else 0)
        if used > space:
            return max(keep, count - 1)
    return len(widths)
