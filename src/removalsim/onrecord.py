"""What is on record for a parameter, and a warning when a value lies outside it.

Used by the command line (``--set``) and the web explorer alike, so both warn the same way.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from removalsim.params import Parameter, Value
from removalsim.prices import PRICE_YEAR, to_price_year


def label(name: str, param: Parameter) -> str:
    """The parameter's display label (its name when the file gives none)."""
    return (param.ui.label if param.ui and param.ui.label else None) or name


def history(param: Parameter, today: dt.date | None = None) -> dict[str, Any]:
    """The range of a parameter's dated values up to today: what has been on record."""
    today = today or dt.date.today()
    dated = {d: item.value for d, item in param.values.items() if d <= today}
    if not dated:
        first = min(param.values)
        dated = {first: param.values[first].value}
    values = list(dated.values())
    numeric = [float(v) for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    numbers = bool(numeric) and not param.is_switch and param.choices is None
    seen = [] if numbers else sorted(set(values), key=str)
    return {
        "min": min(numeric) if numbers else None,
        "max": max(numeric) if numbers else None,
        "seen": seen,
        "first": min(dated),
        "last": max(dated),
    }


def show(value: Value, unit: str = "") -> str:
    """A value in words for warnings: thousands separators, on/off for switches."""
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, int | float):
        text = f"{value:,.0f}" if abs(value) >= 1000 else f"{value:g}"
        return f"{text} {unit}".strip() if unit not in ("switch", "choice") else text
    return str(value)


def warning(name: str, param: Parameter, value: Value, day: dt.date) -> str | None:
    """A warning when a value lies outside anything on record (or an assumption's range).

    Parameters
    ----------
    name, param
        The parameter.
    value
        The value given for it (dollars in the model's price year).
    day
        The date it applies from (an assumption's range may depend on the date).
    """
    what = f"{label(name, param)} = {show(value, param.unit)}"
    year = param.reference_at(day).price_year
    if param.unit.startswith("USD") and year and year != PRICE_YEAR:
        # given in the model's price year; the record is in each value's own price year
        value = to_price_year(float(value), PRICE_YEAR, year)
        what += f" ({show(value)} in {year} dollars)"
    if param.kind == "assumption":
        low, high = param.range_at(day)
        if low is not None and high is not None and not low <= float(value) <= high:
            return (f"{what} is outside the stated uncertainty range "
                    f"({show(low)} to {show(high)} {param.unit}).")
        return None
    seen = history(param)
    years = f"{seen['first'].year}-{seen['last'].year}"
    if seen["min"] is not None:
        if not seen["min"] <= float(value) <= seen["max"]:
            return (f"{what} is outside anything on record ({show(seen['min'])} to "
                    f"{show(seen['max'], param.unit)}, {years}).")
        return None
    if value not in seen["seen"]:
        on_record = ", ".join(show(v) for v in seen["seen"])
        return f"{what} has never been in force (on record, {years}: {on_record})."
    return None
