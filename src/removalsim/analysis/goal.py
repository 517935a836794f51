"""What would it take: the least-cost resource increases that reach a removal goal.

Method (a greedy marginal-cost search, run on the model itself):

1. Run the baseline with the goal as its target. If the goal is reached, it is feasible as is.
2. Otherwise, from the baseline, try one step of each lever (officers, task-force officers, jail
   cooperation, beds, judges, charter flights, asylum officers; ``data/lead_times.yaml``). An
   added resource is a dated scenario change: the step arrives in equal monthly parts between the
   lever's first and full lead times, on top of whatever the baseline already plans. Each trial is
   a full model run costed with the model's own resource costs (salaries, bed-days, new-bed
   construction, judges, flight hours), so induced costs such as the extra bed-days that more
   arrests fill are counted too.
3. Take the step that buys the most goal removals per extra dollar (a step that adds removals for
   no extra cost comes first). When no single step adds removals (two stages bind at once), try
   every pair of levers stepped together. A lever chosen twice in a row doubles its step.
4. When a step reaches the goal, shrink that step by bisection to the smallest part that still
   reaches it, then prune: lower each added lever, most expensive first, as far as the goal stays
   reached. The plan is a local optimum of the model, not a proven global one.

Lead times are data with sources or stated assumptions (``data/lead_times.yaml``), so a goal
with a short horizon cannot be met by judges who would arrive after it.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from removalsim.params import Parameter, default_tree
from removalsim.scenario import Scenario, Target, parameter_values
from removalsim.yamlio import InputError, read_yaml_file

if TYPE_CHECKING:
    from removalsim.results import Result

LEAD_TIMES = Path(__file__).parents[1] / "data" / "lead_times.yaml"
MAX_STEPS = 150
"""Most greedy steps one solve may take."""
_BISECT = 8
"""Bisection rounds when shrinking the last step and pruning (1/256 of the step)."""


@dataclass(frozen=True)
class Lever:
    """A resource the solvers may increase, with its lead time and source."""

    name: str
    parameter: str
    step: float
    first_days: int
    full_days: int
    upper: float
    source: str

    def fraction(self, day: int) -> float:
        """Share of an increase in place ``day`` days after the decision (monthly parts)."""
        if day < self.first_days:
            return 0.0
        parts = self.parts()
        done = sum(1 for offset in parts if offset <= day)
        return done / len(parts)

    def parts(self) -> list[int]:
        """Days after the decision on which each equal part of an increase arrives."""
        span = self.full_days - self.first_days
        n = max(1, round(span / 30.4))
        return [self.first_days + round(k * span / n) for k in range(n + 1)]


@cache
def levers() -> dict[str, Lever]:
    """The levers from ``data/lead_times.yaml``, checked against the parameter tree.

    Raises
    ------
    InputError
        On an unknown parameter or a lead time that is not first <= full.
    """
    data, _ = read_yaml_file(LEAD_TIMES)
    tree = default_tree()
    out = {}
    for name, spec in data["levers"].items():
        param = tree.get(spec["parameter"])
        if param is None:
            raise InputError(f"{LEAD_TIMES}: lever {name}: unknown parameter {spec['parameter']}")
        if not 0 <= spec["first_days"] <= spec["full_days"]:
            raise InputError(f"{LEAD_TIMES}: lever {name}: need 0 <= first_days <= full_days")
        if "reference" not in spec and "reason" not in spec:
            raise InputError(f"{LEAD_TIMES}: lever {name}: cite a reference or give a reason")
        ref = spec.get("reference")
        out[name] = Lever(
            name=name, parameter=spec["parameter"], step=float(spec["step"]),
            first_days=int(spec["first_days"]), full_days=int(spec["full_days"]),
            upper=param.ui.max if param.ui else math.inf,
            source=ref["title"] if ref else f"assumption: {spec['reason']}",
        )
    return out


def level_at(param: Parameter, scenario: Scenario, name: str, day: dt.date) -> float:
    """A parameter's value in force on ``day`` under the scenario."""
    values = parameter_values(param, scenario.changes.get(name), scenario.hold)
    current = values[0][1]
    for when, value in values:
        if when <= day:
            current = value
    return float(current)


def ramp(scenario: Scenario, lever: Lever, delta: float) -> dict[dt.date, float]:
    """The dated values of a lever with ``delta`` added over its lead time.

    The increase comes on top of the baseline's own dated values, capped at the valid maximum.
    """
    param = default_tree()[lever.parameter]
    start, end = scenario.start, scenario.end
    base_dates = {d for d, _ in parameter_values(param, scenario.changes.get(lever.parameter),
                                                 scenario.hold) if start < d < end}
    first = start + dt.timedelta(days=lever.first_days)
    dates = {start + dt.timedelta(days=k) for k in lever.parts()} | {
        d for d in base_dates if d > first}
    out = {}
    for day in sorted(d for d in dates if d < end):
        value = level_at(param, scenario, lever.parameter, day)
        value += delta * lever.fraction((day - start).days)
        out[day] = min(lever.upper, round(value, 6))
    return out


def plan_changes(scenario: Scenario, added: dict[str, float]) -> dict[str, dict]:
    """Scenario changes (parameter -> dated values) for added amounts of levers."""
    table = levers()
    out = {table[n].parameter: ramp(scenario, table[n], d) for n, d in added.items() if d > 0}
    return {p: dated for p, dated in out.items() if dated}


@dataclass(frozen=True)
class Point:
    """One model run of a plan: goal removals, all removals, cost, and whether the goal is met."""

    target_removals: float
    removals_total: float
    cost_total_usd: float
    reached: bool


class Evaluator:
    """Run a scenario with added levers (deterministic, cached by plan)."""

    def __init__(self, scenario: Scenario) -> None:
        self.scenario = scenario
        self.runs = 0
        self._cache: dict[tuple, Point] = {}

    def __call__(self, added: dict[str, float]) -> Point:
        key = tuple(sorted((n, round(v, 6)) for n, v in added.items() if v > 0))
        if key not in self._cache:
            self._cache[key] = self._run(dict(key))
        return self._cache[key]

    def _run(self, added: dict[str, float]) -> Point:
        from removalsim import engine
        from removalsim.inputs import build_inputs
        from removalsim.model import execute, target_vector

        scenario = self.scenario.with_changes(plan_changes(self.scenario, added))
        inputs = build_inputs(scenario)
        mult = np.ones((1, len(engine.INPUTS)))
        outcome, _ = execute(inputs, mult, np.zeros_like(mult), target_vector(scenario, inputs),
                             keep_daily=False)
        head = outcome.headline(None)
        self.runs += 1
        return Point(
            target_removals=float(outcome.summary[0, 2]),
            removals_total=float(head["removals_total"][0]),
            cost_total_usd=float(head["cost_total_usd"][0]),
            reached=bool(outcome.summary[0, 0] > 0),
        )

    def scenario_for(self, added: dict[str, float]) -> Scenario:
        """The plan as a scenario (for a full run)."""
        return self.scenario.with_changes(plan_changes(self.scenario, added))


Objective = Callable[[Point], float]


@dataclass
class Step:
    """One step of the greedy path: the plan after it and its model run."""

    added: dict[str, float]
    point: Point
    lever: str


def headroom(scenario: Scenario, lever: Lever, added: float) -> float:
    """How much more of a lever can be added before its level at the start hits the maximum."""
    param = default_tree()[lever.parameter]
    now = level_at(param, scenario, lever.parameter, scenario.start)
    return max(0.0, lever.upper - now - added)


def greedy_path(
    evaluate: Evaluator,
    objective: Objective,
    done: Callable[[Step], bool],
    names: list[str] | None = None,
) -> list[Step]:
    """Greedy steps from the baseline, best objective gain per extra dollar first.

    The path does not depend on when it stops, so a longer search only extends it.

    Parameters
    ----------
    evaluate
        Runs a plan.
    objective
        What to maximise (goal removals or all removals).
    done
        Stop after the step for which this is true.
    names
        Levers to use (default: all).
    """
    table = levers()
    names = names or list(table)
    start = Step({}, evaluate({}), "")
    path = [start]
    streak: dict[str, int] = {}
    while len(path) <= MAX_STEPS and not done(path[-1]):
        now = path[-1]
        best = _best_move(evaluate, objective, now, names, streak)
        if best is None:
            break
        streak = {best.lever: streak.get(best.lever, 0) + 1}
        path.append(best)
    return path


def _best_move(evaluate: Evaluator, objective: Objective, now: Step, names: list[str],
               streak: dict[str, int]) -> Step | None:
    table = levers()
    moves: list[dict[str, float]] = []
    for name in names:
        room = headroom(evaluate.scenario, table[name], now.added.get(name, 0.0))
        size = min(room, table[name].step * 2 ** min(streak.get(name, 0), 6))
        moves.append({name: size} if size > 0 else {})
    found = _pick(evaluate, objective, now, [m for m in moves if m])
    if found is None:  # no single lever helps: two stages bind together, try pairs
        singles = [m for m in moves if m]
        pairs = [a | b for i, a in enumerate(singles) for b in singles[i + 1:]]
        found = _pick(evaluate, objective, now, pairs)
    return found


def _pick(evaluate: Evaluator, objective: Objective, now: Step,
          moves: list[dict[str, float]]) -> Step | None:
    base = objective(now.point)
    best, best_score = None, -math.inf
    for move in moves:
        added = dict(now.added)
        for name, size in move.items():
            added[name] = added.get(name, 0.0) + size
        point = evaluate(added)
        gain = objective(point) - base
        if gain <= max(1.0, 1e-7 * abs(base)):
            continue
        extra = point.cost_total_usd - now.point.cost_total_usd
        score = math.inf if extra <= 0 else gain / extra
        if score > best_score or (score == best_score and best is not None
                                  and gain > objective(best.point) - base):
            best, best_score = Step(added, point, "+".join(move)), score
    return best


def between(a: dict[str, float], b: dict[str, float], t: float) -> dict[str, float]:
    """The plan a fraction ``t`` of the way from plan ``a`` to plan ``b``."""
    names = set(a) | set(b)
    return {n: a.get(n, 0.0) + t * (b.get(n, 0.0) - a.get(n, 0.0)) for n in names}


def bisect(lo: float, hi: float, ok: Callable[[float], bool], rounds: int = _BISECT) -> float:
    """The smallest ``t`` in [lo, hi] with ``ok(t)``, given ``ok(hi)`` and monotone ``ok``."""
    for _ in range(rounds):
        mid = (lo + hi) / 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


@dataclass
class GoalPlan:
    """The answer to "what would it take".

    Attributes
    ----------
    feasible
        True when the baseline's resources already reach the goal.
    reachable
        True when the plan reaches it (always true when feasible).
    added
        Resource increases, in each lever's unit (decided on the start date).
    """

    baseline: Result
    result: Result
    feasible: bool
    reachable: bool
    added: dict[str, float]
    required: dict[str, float]
    runs: int
    notes: list[str] = field(default_factory=list)

    @property
    def cost_per_year_usd(self) -> list[float]:
        """The plan's total cost in each fiscal year of the horizon."""
        return _cost_by_year(self.result)

    @property
    def added_cost_per_year_usd(self) -> list[float]:
        """The plan's extra cost over the baseline in each fiscal year."""
        base = _cost_by_year(self.baseline)
        return [p - b for p, b in zip(self.cost_per_year_usd, base, strict=True)]

    def to_json(self) -> dict[str, Any]:
        """The ``goal --json`` object."""
        head, base = self.result.headline, self.baseline.headline
        table = levers()
        return {
            "feasible": self.feasible,
            "reachable": self.reachable,
            "goal": head["target"],
            "scenario": base["scenario"],
            "start": head["start"],
            "years": head["years"],
            "baseline_removals": base["target_removals"],
            "plan_removals": head["target_removals"],
            "required": self.required,
            "added": self.added,
            "cost_total_usd": head["cost_total_usd"],
            "cost_per_year_usd": self.cost_per_year_usd,
            "added_cost_total_usd": head["cost_total_usd"] - base["cost_total_usd"],
            "added_cost_per_year_usd": self.added_cost_per_year_usd,
            "fiscal_years": [r["fiscal_year"] for r in head["removals_by_fiscal_year"]],
            "price_year": head["price_year"],
            "binding_constraint": head["binding_constraint"],
            "binding_share": head["binding_share"],
            "marginal_removals_per_million_usd": head["marginal_removals_per_million_usd"],
            "lead_times_days": {n: [table[n].first_days, table[n].full_days] for n in self.added},
            "changes": {p: {d.isoformat(): v for d, v in c.items()}
                        for p, c in plan_changes(self.baseline.scenario, self.added).items()},
            "runs": self.runs,
            "notes": self.notes,
        }


def _cost_by_year(result: Result) -> list[float]:
    columns = [c for c in result.fiscal_years.columns if c.startswith("cost_")]
    return [float(x) for x in result.fiscal_years[columns].sum(axis=1)]


def goal_scenario(scenario: str | Scenario, removals: int, years: float,
                  segments: tuple[str, ...] | None = None, per_year: bool = False) -> Scenario:
    """The baseline scenario with the goal as its target and ``years`` as its horizon.

    Raises
    ------
    InputError
        On an unknown scenario or segment, or a goal out of range.
    """
    from pydantic import ValidationError

    from removalsim.model import resolve

    base = resolve(scenario, years)
    try:
        target = Target(removals=removals, per_year=per_year,
                        **({"segments": tuple(segments)} if segments else {}))
    except ValidationError as error:
        raise InputError("; ".join(e["msg"] for e in error.errors())) from None
    return base.model_copy(update={"target": target})


def solve_goal(scenario: str | Scenario, removals: int, years: float,
               segments: tuple[str, ...] | None = None, per_year: bool = False) -> GoalPlan:
    """The least-cost resource increases that reach a removal goal (see the module docstring).

    Parameters
    ----------
    scenario
        The baseline (its resources and dated plans).
    removals
        The goal: this many removals within ``years`` (or a year, with ``per_year``).
    years
        Horizon in years from the scenario's start.
    segments
        Whose removals count (default: everyone).
    per_year
        Count the best 365 days instead of the whole horizon.

    Examples
    --------
    >>> plan = solve_goal("fy2019", removals=200_000, years=1)
    >>> plan.feasible, plan.added
    (True, {})
    """
    from removalsim.model import run

    goal = goal_scenario(scenario, removals, years, segments, per_year)
    evaluate = Evaluator(goal)
    baseline = run(goal)
    if baseline.headline["years_to_target"] is not None:
        return GoalPlan(baseline, baseline, True, True, {}, _required(goal, {}), 1)

    def objective(p: Point) -> float:
        return p.target_removals

    path = greedy_path(evaluate, objective, lambda s: s.point.reached)
    last = path[-1]
    notes = []
    if not last.point.reached:
        notes.append("the goal is not reached even with every lever raised as far as it helps"
                     f" ({last.point.target_removals:,.0f} of {removals:,} at most)")
        added = last.added
    else:
        before = path[-2].added
        t = bisect(0.0, 1.0, lambda t: evaluate(between(before, last.added, t)).reached)
        added = _prune(evaluate, between(before, last.added, t))
    added = {n: round(v, 4) for n, v in added.items() if v > 0}
    result = run(evaluate.scenario_for(added))
    reached = result.headline["years_to_target"] is not None
    return GoalPlan(baseline, result, False, reached, added, _required(goal, added),
                    evaluate.runs + 2, notes)


def _prune(evaluate: Evaluator, added: dict[str, float]) -> dict[str, float]:
    """Lower each lever, most expensive first, while the goal stays reached."""
    plan = dict(added)
    base_cost = evaluate({}).cost_total_usd
    order = sorted(plan, key=lambda n: -(evaluate({n: plan[n]}).cost_total_usd - base_cost))
    for name in order:
        full = plan[name]

        def ok(t: float, name: str = name, full: float = full) -> bool:
            return evaluate({**plan, name: t * full}).reached

        if ok(0.0):
            plan[name] = 0.0
        else:
            plan[name] = bisect(0.0, 1.0, ok) * full
    return {n: v for n, v in plan.items() if v > 0}


def _required(scenario: Scenario, added: dict[str, float]) -> dict[str, float]:
    """Each lever's level in force on the last day of the horizon, with the plan."""
    tree = default_tree()
    last = scenario.end - dt.timedelta(days=1)
    out = {}
    for name, lever in levers().items():
        level = level_at(tree[lever.parameter], scenario, lever.parameter, last)
        extra = added.get(name, 0.0) * lever.fraction((last - scenario.start).days)
        out[name] = min(lever.upper, level + extra)
    return out
