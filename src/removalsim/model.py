"""Run a scenario: build its inputs, call the engine, and measure marginal values of resources."""

from __future__ import annotations

import hashlib
import os
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from removalsim import engine
from removalsim.inputs import Inputs, build_inputs
from removalsim.params import OVERLAY_ENV
from removalsim.results import Outcome, Result
from removalsim.scenario import Scenario, load_scenario
from removalsim.vocabulary import CAPACITY_PARAMETERS

RESOURCES: dict[str, str] = CAPACITY_PARAMETERS
"""Capacities whose shadow value each run measures (name -> parameter)."""

MARGINAL_STEP = 0.10
CRITICAL_LOSS = 0.01
"""A capacity is critical when cutting it by 10% loses more than this share of removals."""


def model_version() -> str:
    """The installed package version (``removalsim.__version__``)."""
    from removalsim import _installed_version

    return _installed_version()


@cache
def data_version() -> str:
    """A short hash of every shipped parameter, scenario and data file."""
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for folder in ("parameters", "scenarios", "data"):
        for path in sorted((root / folder).rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    overlay = os.environ.get(OVERLAY_ENV)
    if overlay and Path(overlay).is_file():
        digest.update(Path(overlay).read_bytes())
    return digest.hexdigest()[:12]


def target_vector(scenario: Scenario, inputs: Inputs) -> np.ndarray:
    """The engine's target argument: origin mask, number, per-year flag."""
    target = scenario.target
    number = float(target.removals) if target else 0.0
    per_year = 1.0 if target and target.per_year else 0.0
    return np.concatenate([inputs.target_mask, [number, per_year]])


def execute(
    inputs: Inputs, mult: np.ndarray, add: np.ndarray, target: np.ndarray, keep_daily: bool
) -> tuple[Outcome, np.ndarray]:
    """Call the engine for the given per-draw transformations of the inputs."""
    year_sum, year_end, binding, summary, daily = engine.simulate(
        inputs.series, inputs.changes, mult, add, inputs.lo, inputs.hi, inputs.fy_index, target,
        len(inputs.fiscal_years), keep_daily,
    )
    days = np.bincount(inputs.fy_index, minlength=len(inputs.fiscal_years)).astype(float)
    return Outcome(year_sum, year_end, binding, summary, days), daily


def resolve(scenario: str | Scenario, years: float | None = None,
            changes: dict[str, Any] | None = None) -> Scenario:
    """A scenario object from a name or expression, with an optional horizon and changes."""
    resolved = load_scenario(scenario) if isinstance(scenario, str) else scenario
    if years is not None:
        resolved = resolved.with_horizon(years)
    if changes:
        resolved = resolved.with_changes(changes)
    return resolved


def run(
    scenario: str | Scenario,
    *,
    years: float | None = None,
    changes: dict[str, Any] | None = None,
    marginal: bool = True,
) -> Result:
    """Run one scenario deterministically.

    Parameters
    ----------
    scenario
        A shipped scenario name, a path to a scenario file, an expression ``a+b``, or a Scenario.
    years
        Horizon in years (overrides the scenario's).
    changes
        Extra parameter changes, ``{name: value}`` (from the start) or ``{name: {date: value}}``.
    marginal
        Also measure the extra removals from +10% of each resource (one extra draw each).

    Returns
    -------
    Result
        Daily stocks and flows, the fiscal-year table and the headline numbers.

    Examples
    --------
    >>> result = run("fy2019", years=1, marginal=False)
    >>> result.headline["removals_total"] > 100_000
    True
    """
    resolved = resolve(scenario, years, changes)
    inputs = build_inputs(resolved)
    n_inputs = len(engine.INPUTS)
    columns = [engine.INPUTS.index(p) for p in RESOURCES.values()] if marginal else []
    # rows: the run, each capacity +10%, each capacity -10%
    mult = np.ones((1 + 2 * len(columns), n_inputs))
    for i, column in enumerate(columns):
        mult[1 + i, column] = 1.0 + MARGINAL_STEP
        mult[1 + len(columns) + i, column] = 1.0 - MARGINAL_STEP
    add = np.zeros_like(mult)
    target = target_vector(resolved, inputs)
    outcome, daily = execute(inputs, mult, add, target, keep_daily=True)
    head = outcome.headline(None)
    # shadow values count what the question counts: the target's removals when there is one
    removals = head["target_removals"] if resolved.target else head["removals_total"]
    cost = head["cost_total_usd"]
    values: dict[str, dict[str, float | None]] = {}
    shadow: dict[str, dict[str, float]] = {}
    for i, name in enumerate(RESOURCES if marginal else []):
        extra = float(removals[1 + i] - removals[0])
        extra_cost = float(cost[1 + i] - cost[0])
        values[name] = {
            "removals": extra,
            "per_million_usd": extra / (extra_cost / 1e6) if extra_cost > 0 else None,
        }
        shadow[name] = {"minus_10": float(removals[1 + len(columns) + i] - removals[0]),
                        "plus_10": extra}
    bottleneck = None
    if marginal:
        key = "target_removals" if resolved.target else "removals_total"
        bottleneck = _bottleneck(shadow, float(removals[0]), inputs, target, columns, key)
    base = Outcome(*(a[:1] for a in (outcome.year_sum, outcome.year_end, outcome.binding,
                                     outcome.summary)), outcome.days_per_year)
    return Result(
        scenario=resolved,
        inputs=inputs,
        outcome=base,
        daily_record=daily,
        marginal=values,
        shadow=shadow,
        bottleneck=bottleneck,
        model_version=model_version(),
        data_version=data_version(),
    )


def _bottleneck(shadow: dict[str, dict[str, float]], removals: float, inputs: Inputs,
                target: np.ndarray, columns: list[int], key: str) -> str:
    """The binding constraint from the shadow values.

    The bottleneck is the capacity whose +10% gains most. When that gain is under 1% of removals
    while two or more capacities are critical (their -10% loses more than 1%), the critical ones
    bind together: ``co-binding: a+b`` (raising them together is what gains); with fewer, no
    capacity binds (``none``: removals are limited by whom there is to find).
    """
    names = list(shadow)
    best = max(names, key=lambda n: shadow[n]["plus_10"])
    critical = [n for n in names if -shadow[n]["minus_10"] > CRITICAL_LOSS * removals]
    if shadow[best]["plus_10"] >= CRITICAL_LOSS * removals:
        return best
    if len(critical) < 2:
        return "none"
    mult = np.ones((1, len(engine.INPUTS)))
    for n in critical:
        mult[0, columns[names.index(n)]] = 1.0 + MARGINAL_STEP
    together, _ = execute(inputs, mult, np.zeros_like(mult), target, keep_daily=False)
    gain = float(together.headline(None)[key][0] - removals)
    return "co-binding: " + "+".join(critical) + f" (+10% of each together adds {gain:,.0f})"
