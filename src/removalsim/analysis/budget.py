"""What a budget buys: the allocation of extra money across resources that maximises removals.

The reverse of :mod:`removalsim.analysis.goal`, with the same levers, time bounds and costing
(levers the engine does not cost carry their cost outside the model). The budget is extra dollars
a year on top of the baseline's own spending, for ``years`` years; the plan may spend
``usd_per_year * years`` in all (spending may be uneven across years, since new beds are paid for
when they are built).

Method: follow the goal solver's greedy path (the step that buys the most removals per extra
dollar first, every removal counting, each lever up to what can be built or hired in the time)
until the next step would overspend, then take the largest part of that step that fits
(bisection). The path does not depend on the budget, so a bigger budget never buys fewer
removals. When every useful lever is at its time bound, the rest of the money stays unspent and
the answer says which bounds stopped it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from removalsim.analysis.goal import (
    MAX_STEPS,
    Evaluator,
    Point,
    Step,
    between,
    changes_json,
    cost_by_year,
    greedy_path,
    outside_costs,
    required,
    rounded,
)
from removalsim.yamlio import InputError

if TYPE_CHECKING:
    from removalsim.analysis.goal import Bounds
    from removalsim.results import Result
    from removalsim.scenario import Scenario

MAX_USD_PER_YEAR = 1e12
"""Largest budget accepted (a trillion dollars a year)."""
_AT_BOUND = 1e-6
"""Share of a lever's room under which it counts as at its time bound."""


@dataclass
class Purchase:
    """What a budget buys: added resources, the removals they give, and what binds."""

    baseline: Result
    result: Result
    bounds: Bounds
    usd_per_year: float
    added: dict[str, float]
    runs: int
    ended: str = "budget"
    """Why the search ended: ``budget``, ``no step adds removals`` or ``step limit``."""

    @property
    def outside_cost_per_year_usd(self) -> list[float]:
        """Costs added outside the model (levers the engine does not cost), by fiscal year."""
        return [float(x) for x in outside_costs(self.bounds, self.baseline.inputs,
                                                self.result.inputs)]

    @property
    def added_cost_per_year_usd(self) -> list[float]:
        """Extra cost of the plan over the baseline in each fiscal year."""
        return [p - b + o for p, b, o in zip(cost_by_year(self.result),
                                             cost_by_year(self.baseline),
                                             self.outside_cost_per_year_usd, strict=True)]

    @property
    def added_cost_total_usd(self) -> float:
        """Extra cost of the plan over the baseline, whole horizon."""
        return sum(self.added_cost_per_year_usd)

    @property
    def at_bound(self) -> list[str]:
        """The added levers that are at what can be built or hired in the time."""
        reach = self.bounds.reach
        return [n for n, a in self.added.items()
                if reach[n].max_added - a <= _AT_BOUND * max(1.0, reach[n].max_added)]

    def to_json(self) -> dict[str, Any]:
        """The ``budget --json`` object."""
        head, base = self.result.headline, self.baseline.headline
        budget_total = self.usd_per_year * head["years"]
        added_cost = self.added_cost_total_usd
        extra = head["removals_total"] - base["removals_total"]
        bounds = self.bounds.to_json()
        return {
            "scenario": base["scenario"],
            "start": head["start"],
            "years": head["years"],
            "budget_usd_per_year": self.usd_per_year,
            "budget_total_usd": budget_total,
            "added": self.added,
            "required": required(self.bounds, self.added),
            "bounds": bounds,
            "at_time_bound": {n: bounds[n]["words"] for n in self.at_bound},
            "not_searched": {n: lever.excluded for n, lever in self.bounds.table.items()
                             if lever.excluded},
            "baseline_removals": base["removals_total"],
            "removals": head["removals_total"],
            "extra_removals": extra,
            "removals_per_year": head["removals_per_year"],
            "added_cost_total_usd": added_cost,
            "added_cost_per_year_usd": self.added_cost_per_year_usd,
            "cost_outside_model_usd": sum(self.outside_cost_per_year_usd),
            "unspent_usd": max(0.0, budget_total - added_cost),
            "cost_total_usd": head["cost_total_usd"] + sum(self.outside_cost_per_year_usd),
            "cost_per_extra_removal_usd": added_cost / extra if extra > 0 else None,
            "fiscal_years": [r["fiscal_year"] for r in head["removals_by_fiscal_year"]],
            "price_year": head["price_year"],
            "binding_constraint": head["binding_constraint"],
            "binding_share": head["binding_share"],
            "shadow_removals": head.get("shadow_removals"),
            "changes": changes_json(self.bounds, self.added),
            "search_ended": self.ended,
            "runs": self.runs,
        }


def spend(scenario: str | Scenario, usd_per_year: float, years: float) -> Purchase:
    """The allocation of ``usd_per_year`` extra dollars that maximises removals.

    Parameters
    ----------
    scenario
        The baseline whose resources the money adds to.
    usd_per_year
        Extra dollars a year (in the model's price year).
    years
        Horizon in years; the plan may spend ``usd_per_year * years`` in all.

    Raises
    ------
    InputError
        On a negative or absurd budget, or a bad scenario.

    Examples
    --------
    >>> small, large = spend("fy2019", 1e8, 1), spend("fy2019", 1e9, 1)
    >>> large.result.headline["removals_total"] >= small.result.headline["removals_total"]
    True
    """
    from removalsim.model import resolve, run

    if not 0 <= usd_per_year <= MAX_USD_PER_YEAR:
        raise InputError(f"the budget must be between $0 and ${MAX_USD_PER_YEAR:,.0f} a year,"
                         f" got {usd_per_year:,.0f}")
    base = resolve(scenario, years).model_copy(update={"target": None})
    evaluate = Evaluator(base)
    limit = usd_per_year * base.years
    start_cost = evaluate({}).cost_total_usd

    def objective(p: Point) -> float:
        return p.removals_total

    def over(step: Step) -> bool:
        return step.point.cost_total_usd - start_cost > limit

    path = greedy_path(evaluate, objective, over)
    added = path[-1].added
    ended = "budget" if over(path[-1]) else (
        "step limit" if len(path) > MAX_STEPS else "no step adds removals")
    if len(path) > 1 and over(path[-1]):
        before, after = path[-2].added, path[-1].added
        lo, hi = 0.0, 1.0
        for _ in range(10):
            mid = (lo + hi) / 2
            if evaluate(between(before, after, mid)).cost_total_usd - start_cost <= limit:
                lo = mid
            else:
                hi = mid
        added = between(before, after, lo)
    added = rounded(added, evaluate)
    return Purchase(run(base), run(evaluate.scenario_for(added)), evaluate.bounds, usd_per_year,
                    added, evaluate.runs + 2, ended)
