"""What a budget buys: the allocation of extra money across resources that maximises removals.

The reverse of :mod:`removalsim.analysis.goal`, with the same levers, lead times and costing.
The budget is extra dollars a year on top of the baseline's own spending, for ``years`` years;
the plan may spend ``usd_per_year * years`` in all (spending may be uneven across years, since new
beds are paid for when they are built).

Method: follow the goal solver's greedy path (the step that buys the most removals per extra
dollar first, every removal counting) until the next step would overspend, then take the
largest part of that step that fits (bisection). The path does not depend on the budget, so a
bigger budget never buys fewer removals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from removalsim.analysis.goal import (
    Evaluator,
    Point,
    Step,
    between,
    greedy_path,
    plan_changes,
)
from removalsim.yamlio import InputError

if TYPE_CHECKING:
    from removalsim.results import Result
    from removalsim.scenario import Scenario

MAX_USD_PER_YEAR = 1e12
"""Largest budget accepted (a trillion dollars a year)."""


@dataclass
class Purchase:
    """What a budget buys: added resources, the removals they give, and what binds."""

    baseline: Result
    result: Result
    usd_per_year: float
    added: dict[str, float]
    runs: int

    @property
    def added_cost_total_usd(self) -> float:
        """Extra cost of the plan over the baseline, whole horizon."""
        return self.result.headline["cost_total_usd"] - self.baseline.headline["cost_total_usd"]

    def to_json(self) -> dict[str, Any]:
        """The ``budget --json`` object."""
        from removalsim.analysis.goal import _cost_by_year, _required

        head, base = self.result.headline, self.baseline.headline
        plan_years, base_years = _cost_by_year(self.result), _cost_by_year(self.baseline)
        budget_total = self.usd_per_year * head["years"]
        return {
            "scenario": base["scenario"],
            "start": head["start"],
            "years": head["years"],
            "budget_usd_per_year": self.usd_per_year,
            "budget_total_usd": budget_total,
            "added": self.added,
            "required": _required(self.baseline.scenario, self.added),
            "baseline_removals": base["removals_total"],
            "removals": head["removals_total"],
            "extra_removals": head["removals_total"] - base["removals_total"],
            "removals_per_year": head["removals_per_year"],
            "added_cost_total_usd": self.added_cost_total_usd,
            "added_cost_per_year_usd": [p - b for p, b in zip(plan_years, base_years,
                                                                strict=True)],
            "unspent_usd": max(0.0, budget_total - self.added_cost_total_usd),
            "cost_total_usd": head["cost_total_usd"],
            "cost_per_extra_removal_usd": (
                self.added_cost_total_usd / (head["removals_total"] - base["removals_total"])
                if head["removals_total"] > base["removals_total"] else None),
            "fiscal_years": [r["fiscal_year"] for r in head["removals_by_fiscal_year"]],
            "price_year": head["price_year"],
            "binding_constraint": head["binding_constraint"],
            "binding_share": head["binding_share"],
            "changes": {p: {d.isoformat(): v for d, v in c.items()}
                        for p, c in plan_changes(self.baseline.scenario, self.added).items()},
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
    added = {n: round(v, 4) for n, v in added.items() if v > 0}
    return Purchase(run(base), run(evaluate.scenario_for(added)), usd_per_year, added,
                    evaluate.runs + 2)
