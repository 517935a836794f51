"""Turn a scenario into the engine's input arrays: one value per input and day."""

from __future__ import annotations

import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from removalsim.engine import INPUTS, ORIGINS
from removalsim.params import Parameter, default_tree
from removalsim.prices import PRICE_YEAR, to_price_year
from removalsim.scenario import Scenario, parameter_values


@dataclass(frozen=True)
class Inputs:
    """The engine's inputs for one scenario.

    Attributes
    ----------
    series
        Shape (days, len(INPUTS)): each input's value on each day.
    lo, hi
        Valid range of each input.
    fy_index
        Index of each day's fiscal year (0 = the first fiscal year of the run).
    fiscal_years
        The fiscal years the run touches.
    target_mask
        1.0 for each origin whose removals count toward the target.
    """

    series: np.ndarray
    lo: np.ndarray
    hi: np.ndarray
    fy_index: np.ndarray
    fiscal_years: list[int]
    start: dt.date
    target_mask: np.ndarray

    @property
    def changes(self) -> np.ndarray:
        """True on the days when any input differs from the day before."""
        changed = np.zeros(len(self.series), dtype=bool)
        changed[1:] = (self.series[1:] != self.series[:-1]).any(axis=1)
        return changed


def fiscal_year(day: dt.date) -> int:
    """The US federal fiscal year of a date (FY2020 began on 2019-10-01)."""
    return day.year + 1 if day.month >= 10 else day.year


def numeric(param: Parameter, value: object, day: dt.date) -> float:
    """A parameter value as a number: switches 0/1, choices by index, dollars in PRICE_YEAR."""
    if param.is_switch:
        return 1.0 if value else 0.0
    if param.choices is not None:
        return float(param.choices.index(value))
    if param.unit.startswith("USD"):
        year = param.reference_at(day).price_year if day in param.values else None
        return to_price_year(float(value), year or PRICE_YEAR)
    return float(value)


RECENT_BUILDS = 4
"""Input tables kept to build others from, one per set of dates (about 4 MB for 10 years)."""
_recent: OrderedDict[tuple, tuple[dict, dict, np.ndarray]] = OrderedDict()
_recent_lock = threading.Lock()
_COLUMN = {name: j for j, name in enumerate(INPUTS)}


def build_inputs(scenario: Scenario) -> Inputs:
    """Daily input series for a scenario (levers and central values of assumptions).

    A table built before for the same dates and tree is the starting point when there is one:
    only the inputs whose changes differ from its own are filled again (a slider move in the
    explorer changes one or two). The arrays are the same as those of a build from scratch.
    """
    tree = default_tree()
    days = (scenario.end - scenario.start).days
    where = (id(tree), scenario.start, days, scenario.hold)  # the entry holds the tree: no
    # other tree can take its id while it is kept (default_tree's cache is cleared at times)
    keys = {name: _changes_key(changed) for name, changed in scenario.changes.items()
            if changed and name in _COLUMN}
    with _recent_lock:
        recent = _recent.get(where)
        if recent is not None:
            _recent.move_to_end(where)
    if recent is not None:
        _, kept, table = recent
        series = table.copy()  # the kept table stays as it is: a caller may edit its copy
        for name in keys.keys() | kept.keys():
            if keys.get(name) != kept.get(name):
                series[:, _COLUMN[name]] = _column(tree[name], scenario.changes.get(name),
                                                   scenario, days)
    else:
        by_input = np.empty((len(INPUTS), days))  # filled input by input, then laid out by day
        for j, name in enumerate(INPUTS):
            by_input[j] = _column(tree[name], scenario.changes.get(name), scenario, days)
        series = np.ascontiguousarray(by_input.T)
        with _recent_lock:
            _recent[where] = (tree, keys, series.copy())
            while len(_recent) > RECENT_BUILDS:
                _recent.popitem(last=False)
    lo = np.array([tree[name].ui.min if tree[name].ui else -np.inf for name in INPUTS])
    hi = np.array([tree[name].ui.max if tree[name].ui else np.inf for name in INPUTS])
    # fiscal year of each day: the calendar year, plus one from October on
    dates = np.datetime64(scenario.start, "D") + np.arange(days)
    month = dates.astype("datetime64[M]").astype(np.int64)  # months since January 1970
    years = month // 12 + 1970 + (month % 12 >= 9)
    first_year = fiscal_year(scenario.start)
    target = scenario.target
    mask = np.array([1.0 if target is None or o in target.segments else 0.0 for o in ORIGINS])
    return Inputs(
        series=series,
        lo=lo,
        hi=hi,
        fy_index=(years - first_year).astype(np.int64),
        fiscal_years=list(range(first_year, int(years[-1]) + 1)),
        start=scenario.start,
        target_mask=mask,
    )


def _column(param: Parameter, changed: dict | None, scenario: Scenario, days: int) -> np.ndarray:
    """One input's value on each day of a scenario, with the scenario's changes to it."""
    values = parameter_values(param, changed, scenario.hold)
    column = np.empty(days)
    column[:] = numeric(param, values[0][1], _dated(param, values[0][0], changed))
    for day, value in values:  # each dated value holds from its day on
        first = max((day - scenario.start).days, 0)
        column[first:] = numeric(param, value, _dated(param, day, changed))
    return column


def _changes_key(changed: dict | None) -> tuple[tuple[dt.date, str], ...]:
    """A scenario's changes to one input as a key: equal keys give the same column (values by
    ``repr``, so 1, 1.0, True and -0.0 stay apart)."""
    return tuple((day, repr(value)) for day, value in sorted((changed or {}).items()))


def _dated(param: Parameter, day: dt.date, changed: dict | None) -> dt.date:
    """The date whose price year applies: a file value's own date; changes are in PRICE_YEAR."""
    if changed and day in changed:
        return dt.date.min
    return day
