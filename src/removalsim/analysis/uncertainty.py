"""Sample the uncertain assumptions of a scenario; the levers stay as the scenario sets them.

Each ``kind: assumption`` parameter has a distribution (triangular or uniform) over the range
``[low, high]`` of the value in force at the start, with the mode at that value. A draw scales the
parameter's whole dated path by ``drawn / value at the start``, so a draw that says "officers make
40% more arrests than the central estimate" says so for every year of the run. (A parameter whose
value at the start is 0 is shifted by the drawn value instead.)

An assumption the scenario itself changes (a ``changes:`` entry or ``--set``) is the scenario's
premise: it is held at the scenario's values and not sampled.

Draws come from quantiles: a matrix ``u`` of uniform numbers in [0, 1), one column per assumption
of the parameter tree (in engine order, sampled or not), mapped through each distribution's
inverse CDF. Two scenarios run with the same seed therefore share their draws (common random
numbers), and the first ``n`` draws of a run are the same whatever the total.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from removalsim.engine import INPUTS
from removalsim.inputs import Inputs, numeric
from removalsim.params import Parameter, default_tree
from removalsim.scenario import Scenario


@dataclass(frozen=True)
class Assumption:
    """One sampled assumption, in the engine's units (dollars already in the price year).

    Attributes
    ----------
    name
        Parameter name, e.g. ``arrests.depletion``.
    column
        Its column in the engine's input matrix.
    distribution
        ``triangular`` or ``uniform``.
    low, mode, high
        The range and the value in force at the start.
    """

    name: str
    column: int
    distribution: str
    low: float
    mode: float
    high: float

    def values(self, u: np.ndarray) -> np.ndarray:
        """Values at quantiles ``u`` (inverse CDF)."""
        a, c, b = self.low, self.mode, self.high
        if self.distribution == "uniform":
            return a + u * (b - a)
        left = (c - a) / (b - a)
        below = a + np.sqrt(u * (b - a) * (c - a))
        above = b - np.sqrt((1.0 - u) * (b - a) * (b - c))
        return np.where(u < left, below, above)


def assumption_names() -> list[str]:
    """Every assumption the engine reads, in engine order: the columns of the quantile matrix."""
    tree = default_tree()
    return [name for name in INPUTS if tree[name].kind == "assumption"]


def assumptions(scenario: Scenario, inputs: Inputs) -> tuple[list[Assumption], list[str]]:
    """The assumptions to sample in a scenario, and those its changes hold fixed.

    Returns
    -------
    sampled, pinned
        The sampled assumptions (engine order) and the names of the ones the scenario sets.
    """
    tree = default_tree()
    day = min(scenario.start, scenario.hold) if scenario.hold else scenario.start
    sampled: list[Assumption] = []
    pinned: list[str] = []
    for name in assumption_names():
        param = tree[name]
        if name in scenario.changes:
            pinned.append(name)
            continue
        column = INPUTS.index(name)
        mode = float(inputs.series[0, column])
        low, high = _range(param, day)
        if not low < high:
            pinned.append(name)
            continue
        sampled.append(Assumption(
            name=name, column=column, distribution=param.uncertainty.distribution,
            low=low, mode=min(max(mode, low), high), high=high,
        ))
    return sampled, pinned


def _range(param: Parameter, day: dt.date) -> tuple[float, float]:
    """The range of the value in force on ``day``, converted like the value itself."""
    low, high = param.range_at(day)
    entry_day = max((d for d in param.values if d <= day), default=min(param.values))
    return numeric(param, low, entry_day), numeric(param, high, entry_day)


def quantiles(draws: int, seed: int) -> np.ndarray:
    """Uniform quantiles, shape (draws, number of assumptions in the tree)."""
    rng = np.random.Generator(np.random.PCG64(seed))
    return rng.random((draws, len(assumption_names())))


def transform(sampled: list[Assumption], u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The engine's ``(mult, add)`` for quantile rows ``u`` (columns as in ``assumption_names``).

    Returns
    -------
    mult, add
        Shape (draws, len(INPUTS)): each input's value on each day is ``series * mult + add``.
    """
    names = assumption_names()
    mult = np.ones((u.shape[0], len(INPUTS)))
    add = np.zeros_like(mult)
    for item in sampled:
        drawn = item.values(u[:, names.index(item.name)])
        if item.mode != 0.0:
            mult[:, item.column] = drawn / item.mode
        else:
            add[:, item.column] = drawn
    return mult, add


def sample(
    scenario: Scenario, inputs: Inputs, draws: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Draw the scenario's assumptions: the ``(mult, add)`` arrays for ``model.execute``.

    Parameters
    ----------
    scenario, inputs
        A resolved scenario and its inputs (``build_inputs(scenario)``).
    draws
        Number of draws.
    seed
        The same seed gives the same draws.

    Examples
    --------
    >>> from removalsim.inputs import build_inputs
    >>> from removalsim.model import resolve
    >>> scenario = resolve("fy2019", years=1)
    >>> mult, add = sample(scenario, build_inputs(scenario), 3, seed=1)
    >>> mult.shape == (3, len(INPUTS))
    True
    >>> bool((mult[:, INPUTS.index("arrests.officers")] == 1).all())   # a lever: never sampled
    True
    """
    sampled, _ = assumptions(scenario, inputs)
    return transform(sampled, quantiles(draws, seed))
