"""What would it take: the least-cost resource increases that reach a removal goal in time.

Bounds from time. Every lever (``data/lead_times.yaml``) has a start lag and a fastest rate of
increase (officers trained a year, beds built a day, judges hired a year, flights added), each
cited or a stated assumption. On day ``t`` of the horizon a lever can be at most its level on the
start date plus ``rate x (t - lag)`` (or the scenario's own planned level when that is higher, and
never above an authorised cap). An increase ``a`` of a lever is a dated scenario change: the
scenario's own level plus ``a``, held below that reachable level, in monthly steps. The solvers
never exceed it, and the web sliders' maxima play no part.

Costs. Each trial is a full model run costed with the model's own resource costs (salaries,
bed-days and new beds, judges, flight hours, land removals), so induced costs are counted too. A
lever the engine does not cost (Board of Immigration Appeals, asylum officers) carries a cited or
assumed cost per unit-year that is added outside the model; a lever with no price at all (jail
cooperation) is left out of the search with the reason given.

Method (on the model itself):

1. Run the baseline with the goal as its target. If the goal is reached, it is feasible as is.
2. Run every lever at its reachable maximum. If that misses the goal, the goal is not reachable
   in time; each lever's bound is then relaxed in turn (twice the rate, half the lag, twice any
   cap) and the levers whose relaxation adds removals are named as the bounds that stop it.
3. Otherwise take greedy steps, the one that buys the most goal removals per extra dollar first
   (a step that adds removals at no extra cost comes first; pairs of levers when no single one
   helps; a lever chosen twice in a row doubles its step), up to each lever's bound.
4. When a step reaches the goal, shrink it by bisection, then prune: lower each lever, most
   expensive first, as far as the goal stays reached. When the greedy path stalls, prune the
   all-levers-at-their-bound plan instead. The plan is a local optimum, not a proven global one.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from removalsim import sources
from removalsim.params import Parameter, default_tree
from removalsim.scenario import Scenario, Target, parameter_values
from removalsim.vocabulary import label
from removalsim.yamlio import InputError, read_yaml_file

if TYPE_CHECKING:
    from removalsim.inputs import Inputs
    from removalsim.results import Result

LEAD_TIMES = Path(__file__).parents[1] / "data" / "lead_times.yaml"
MAX_STEPS = 150
"""Most greedy steps one solve may take."""
_BISECT = 8
"""Bisection rounds when shrinking the last step and pruning (1/256 of the step)."""
GRID_DAYS = 30
"""Days between the monthly steps of a planned increase."""
RELAX = 2.0
"""How much a bound is loosened to test whether it stops a goal (rate and cap x2, lag / 2)."""
STOPS_SHARE = 1e-3
"""A relaxed bound stops the goal when it adds more than this share of the plan's goal removals."""
IDLE_SHARE = 1e-4
"""A lever at its bound is left out of a not-reachable plan when it adds less than this share."""


@dataclass(frozen=True)
class Sourced:
    """A number with its range and where it comes from (a citation or a stated assumption)."""

    value: float
    low: float | None
    high: float | None
    source: str


@dataclass(frozen=True)
class Lever:
    """A resource the solvers may increase, with the bounds of time and its cost.

    Attributes
    ----------
    lag
        Days from the decision until the first of an increase is working.
    rate
        Fastest increase of the level, in units a year (None when read from ``rate_parameter``).
    rate_parameter
        A per-day model parameter giving the rate (beds: the engine's own build rate).
    cap
        An authorised maximum of the level, if any.
    usd_per_unit_year
        Cost of one unit of the level for a year added outside the model (0: the model costs it).
    excluded
        Why the lever is left out of the search (None: searched).
    """

    name: str
    parameter: str
    label: str
    step: float
    rate_words: str
    lag: Sourced | None
    rate: Sourced | None
    rate_parameter: str | None
    cap: Sourced | None
    usd_per_unit_year: float
    costing: str
    excluded: str | None
    cost_source: str | None = None
    rate_factor: float = 1.0

    def per_year(self, scenario: Scenario) -> float:
        """The fastest increase a year, for a decision taken on the scenario's start date."""
        if self.rate_parameter is not None:
            param = default_tree()[self.rate_parameter]
            rate = 365.0 * level_at(param, scenario, self.rate_parameter, scenario.start)
        else:
            rate = self.rate.value if self.rate else 0.0
        return rate * self.rate_factor

    def relaxed(self) -> Lever:
        """The lever with its bound loosened (``RELAX`` x the rate and cap, the lag / ``RELAX``)."""
        def scale(item: Sourced | None, factor: float) -> Sourced | None:
            return None if item is None else replace(item, value=item.value * factor)

        return replace(self, lag=scale(self.lag, 1 / RELAX), cap=scale(self.cap, RELAX),
                       rate_factor=self.rate_factor * RELAX)


def _sourced(spec: dict[str, Any], where: str) -> Sourced:
    if "value" not in spec:
        raise InputError(f"{where}: needs a value")
    if "reference" in spec:
        ref = spec["reference"]
        where_from = ref.get("href") or ref.get("document")
        source = f"{ref.get('publisher', '')}: {ref['title']} ({where_from})".lstrip(": ")
    elif "reason" in spec:
        source = f"assumption: {spec['reason'].strip()}"
    else:
        raise InputError(f"{where}: cite a reference or give a reason")
    return Sourced(float(spec["value"]), spec.get("low"), spec.get("high"), source)


@cache
def levers() -> dict[str, Lever]:
    """The levers from ``data/lead_times.yaml``, checked against the parameter tree.

    Raises
    ------
    InputError
        On an unknown parameter, a searched lever without a lag, rate or cost, or a bound that
        is not cited and not a stated assumption; or a source rule broken
        (:func:`removalsim.sources.lead_time_problems`), naming the file, the line and the key.
    """
    from removalsim.prices import to_price_year

    data, lines = read_yaml_file(LEAD_TIMES)
    tree = default_tree()
    out = {}
    for name, spec in data["levers"].items():
        where = f"{LEAD_TIMES}: lever {name}"
        param = tree.get(spec["parameter"])
        if param is None:
            raise InputError(f"{where}: unknown parameter {spec['parameter']}")
        title = label(name) if label(name) != name else (param.ui.label if param.ui else name)
        if spec.get("search", True) is False:
            if not spec.get("reason"):
                raise InputError(f"{where}: say why it is left out of the search")
            out[name] = Lever(name, spec["parameter"], title, 0.0, "", None, None, None, None,
                              0.0, "not searched", " ".join(spec["reason"].split()))
            continue
        for key in ("lag", "rate", "cost", "step", "rate_words"):
            if key not in spec:
                raise InputError(f"{where}: needs {key}")
        lag = _sourced(spec["lag"], f"{where}: lag")
        if lag.value < 0:
            raise InputError(f"{where}: the lag must be >= 0 days")
        rate_spec = spec["rate"]
        rate_parameter = rate_spec.get("parameter")
        if rate_parameter is not None and rate_parameter not in tree:
            raise InputError(f"{where}: unknown rate parameter {rate_parameter}")
        rate = None if rate_parameter else _sourced(rate_spec, f"{where}: rate")
        cost = spec["cost"]
        cost_source = None
        if cost == "model":
            usd, costing = 0.0, f"in the model: {spec.get('cost_note', 'its cost parameters')}"
        else:
            item = _sourced({"value": cost["usd_per_unit_year"], **cost}, f"{where}: cost")
            if "price_year" not in cost:
                raise InputError(f"{where}: cost needs its price_year")
            if "per" not in cost:
                raise InputError(f"{where}: cost needs `per` (what one unit-year is, in words)")
            usd = to_price_year(item.value, int(cost["price_year"]))
            kind = "assumed" if item.source.startswith("assumption") else "cited"
            costing = f"outside the model: ${usd:,.0f} per {cost['per']} ({kind})"
            cost_source = item.source
        out[name] = Lever(
            name=name, parameter=spec["parameter"], label=title, step=float(spec["step"]),
            rate_words=spec["rate_words"], lag=lag, rate=rate, rate_parameter=rate_parameter,
            cap=_sourced(spec["cap"], f"{where}: cap") if "cap" in spec else None,
            usd_per_unit_year=usd, costing=" ".join(costing.split()), excluded=None,
            cost_source=cost_source,
        )
    sources.check_data_file(LEAD_TIMES, data, lines, sources.lead_time_problems)
    return out


def level_at(param: Parameter, scenario: Scenario, name: str, day: dt.date) -> float:
    """A parameter's value in force on ``day`` under the scenario."""
    values = parameter_values(param, scenario.changes.get(name), scenario.hold)
    current = values[0][1]
    for when, value in values:
        if when <= day:
            current = value
    return float(current)


@dataclass(frozen=True)
class Reach:
    """How far a lever can go within a scenario's horizon.

    Attributes
    ----------
    start_level
        The level on the start date.
    level
        The reachable level on ``by`` (the last monthly step of the horizon).
    max_added
        The largest increase over the scenario's own level that the bound lets through on any
        day of the horizon (more adds nothing).
    """

    start_level: float
    level: float
    by: dt.date
    max_added: float
    per_year: float


class Bounds:
    """The time bounds of the levers within one scenario's horizon."""

    def __init__(self, scenario: Scenario, table: dict[str, Lever] | None = None) -> None:
        self.scenario = scenario
        self.table = table if table is not None else levers()
        start, end = scenario.start, scenario.end
        last = end - dt.timedelta(days=1)
        self.grid = sorted({start + dt.timedelta(days=k)
                            for k in range(0, (end - start).days, GRID_DAYS)} | {last})
        self.reach = {n: self._reach(lever) for n, lever in self.table.items()
                      if lever.excluded is None}

    def baseline(self, lever: Lever, day: dt.date) -> float:
        """The scenario's own level of a lever on ``day``."""
        return level_at(default_tree()[lever.parameter], self.scenario, lever.parameter, day)

    def ceiling(self, lever: Lever, day: dt.date) -> float:
        """The most the lever can be on ``day``: the pipeline, or the scenario's own plan."""
        start = self.scenario.start
        param = default_tree()[lever.parameter]
        top = min(param.ui.max if param.ui else math.inf,
                  lever.cap.value if lever.cap else math.inf)
        s0 = self.baseline(lever, start)
        days = max(0.0, (day - start).days - (lever.lag.value if lever.lag else 0.0))
        pipeline = min(top, s0 + lever.per_year(self.scenario) * days / 365.0)
        return max(self.baseline(lever, day), pipeline)

    def _dates(self, lever: Lever) -> list[dt.date]:
        param = default_tree()[lever.parameter]
        start, end = self.scenario.start, self.scenario.end
        planned = {d for d, _ in parameter_values(param, self.scenario.changes.get(lever.parameter),
                                                  self.scenario.hold) if start < d < end}
        return sorted(set(self.grid) | planned)

    def _reach(self, lever: Lever) -> Reach:
        dates = self._dates(lever)
        room = max(self.ceiling(lever, d) - self.baseline(lever, d) for d in dates)
        last = self.grid[-1]
        return Reach(self.baseline(lever, self.scenario.start), self.ceiling(lever, last), last,
                     max(0.0, room), lever.per_year(self.scenario))

    def path(self, name: str, added: float) -> dict[dt.date, float]:
        """The dated values of a lever raised by ``added`` within its bound (monthly steps)."""
        lever = self.table[name]
        out: dict[dt.date, float] = {}
        for day in self._dates(lever):
            base = self.baseline(lever, day)
            value = min(base + added, self.ceiling(lever, day))
            if out or value > base:
                out[day] = round(value, 6)
        return out

    def changes(self, added: dict[str, float]) -> dict[str, dict[dt.date, float]]:
        """Scenario changes (parameter -> dated values) for added amounts of levers.

        A lever whose rate is a model parameter (beds: the engine's build rate) and whose bound
        is loosened also loosens that parameter, so that the run can follow the path.
        """
        out = {self.table[n].parameter: self.path(n, a) for n, a in added.items() if a > 0}
        for name in (n for n, a in added.items() if a > 0):
            lever = self.table[name]
            if lever.rate_parameter is not None and lever.rate_factor != 1.0:
                out[lever.rate_parameter] = {
                    self.scenario.start: lever.per_year(self.scenario) / 365.0}
        return {p: dated for p, dated in out.items() if dated}

    def words(self, name: str) -> str:
        """The bound of a lever in words, e.g. 'judges: at most 757 by 2027-09-26 (...)'."""
        lever, reach = self.table[name], self.reach[name]
        fy = reach.by.year + (1 if reach.by.month >= 10 else 0)
        per = _fmt(reach.per_year / 365 if lever.rate_parameter else reach.per_year)
        cap = f", capped at {lever.cap.value:,.0f}" if lever.cap else ""
        valid = default_tree()[lever.parameter].ui
        if valid is not None and reach.level >= valid.max:
            cap += f" (and held at {_fmt(valid.max)}, the top of the model's valid range)"
        lag = lever.lag.value if lever.lag else 0
        return (f"{lever.label.lower()}: at most {_fmt(reach.level)} by {reach.by:%Y-%m-%d} "
                f"(FY{fy}) from {_fmt(reach.start_level)}, at {per} {lever.rate_words} after "
                f"{lag:.0f} days{cap}")

    def to_json(self) -> dict[str, dict[str, Any]]:
        """Each searched lever's bound over the horizon, with its sources."""
        out = {}
        for name, reach in self.reach.items():
            lever = self.table[name]
            out[name] = {
                "parameter": lever.parameter,
                "start_level": reach.start_level,
                "reachable_level": reach.level,
                "by": reach.by.isoformat(),
                "max_added": reach.max_added,
                "lag_days": lever.lag.value if lever.lag else 0.0,
                "rate_per_year": reach.per_year,
                "cap": lever.cap.value if lever.cap else None,
                "words": self.words(name),
                "sources": {k: (s.source if isinstance(s, Sourced) else s) for k, s in (
                    ("lag", lever.lag), ("rate", lever.rate or lever.rate_parameter),
                    ("cap", lever.cap), ("cost", lever.cost_source)) if s is not None},
                "costing": lever.costing,
            }
        return out


def _fmt(x: float) -> str:
    return f"{x:,.2f}" if abs(x) < 100 else f"{x:,.0f}"


@dataclass(frozen=True)
class Point:
    """One model run of a plan: goal removals, all removals, cost, and whether the goal is met.

    ``cost_total_usd`` includes the costs added outside the model.
    """

    target_removals: float
    removals_total: float
    cost_total_usd: float
    reached: bool


def outside_costs(bounds: Bounds, base: Inputs, plan: Inputs) -> np.ndarray:
    """Cost by fiscal year of the levers the engine does not cost (their increase over base)."""
    from removalsim.engine import INPUTS

    out = np.zeros(len(plan.fiscal_years))
    for lever in bounds.table.values():
        if lever.usd_per_unit_year > 0:
            j = INPUTS.index(lever.parameter)
            extra = np.clip(plan.series[:, j], plan.lo[j], plan.hi[j]) - np.clip(
                base.series[:, j], base.lo[j], base.hi[j])
            out += np.bincount(plan.fy_index, weights=extra * lever.usd_per_unit_year / 365.0,
                               minlength=len(out))
    return out


class Evaluator:
    """Run a scenario with added levers (deterministic, cached by plan)."""

    def __init__(self, scenario: Scenario, table: dict[str, Lever] | None = None) -> None:
        from removalsim.inputs import build_inputs

        self.scenario = scenario
        self.bounds = Bounds(scenario, table)
        self.base_inputs = build_inputs(scenario)
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

        scenario = self.scenario_for(added)
        inputs = build_inputs(scenario)
        mult = np.ones((1, len(engine.INPUTS)))
        outcome, _ = execute(inputs, mult, np.zeros_like(mult), target_vector(scenario, inputs),
                             keep_daily=False)
        head = outcome.headline(None)
        self.runs += 1
        return Point(
            target_removals=float(outcome.summary[0, 2]),
            removals_total=float(head["removals_total"][0]),
            cost_total_usd=float(head["cost_total_usd"][0])
            + float(outside_costs(self.bounds, self.base_inputs, inputs).sum()),
            reached=bool(outcome.summary[0, 0] > 0),
        )

    def scenario_for(self, added: dict[str, float]) -> Scenario:
        """The plan as a scenario (for a full run)."""
        return self.scenario.with_changes(self.bounds.changes(added))

    def headroom(self, name: str, added: float) -> float:
        """How much more of a lever its time bound lets through."""
        return max(0.0, self.bounds.reach[name].max_added - added)

    def full(self) -> dict[str, float]:
        """Every searched lever at its bound."""
        return {n: r.max_added for n, r in self.bounds.reach.items() if r.max_added > 0}


Objective = Callable[[Point], float]


@dataclass
class Step:
    """One step of the greedy path: the plan after it and its model run."""

    added: dict[str, float]
    point: Point
    lever: str


def greedy_path(evaluate: Evaluator, objective: Objective,
                done: Callable[[Step], bool]) -> list[Step]:
    """Greedy steps from the baseline, best objective gain per extra dollar first.

    The path does not depend on when it stops, so a longer search only extends it. Each lever
    stops at its time bound.

    Parameters
    ----------
    evaluate
        Runs a plan.
    objective
        What to maximise (goal removals or all removals).
    done
        Stop after the step for which this is true.
    """
    path = [Step({}, evaluate({}), "")]
    streak: dict[str, int] = {}
    while len(path) <= MAX_STEPS and not done(path[-1]):
        best = _best_move(evaluate, objective, path[-1], streak)
        if best is None:
            break
        streak = {best.lever: streak.get(best.lever, 0) + 1}
        path.append(best)
    return path


def _best_move(evaluate: Evaluator, objective: Objective, now: Step,
               streak: dict[str, int]) -> Step | None:
    moves: list[dict[str, float]] = []
    for name, lever in evaluate.bounds.table.items():
        if lever.excluded is not None:
            continue
        room = evaluate.headroom(name, now.added.get(name, 0.0))
        size = min(room, lever.step * 2 ** min(streak.get(name, 0), 6))
        if size > 0:
            moves.append({name: size})
    found = _pick(evaluate, objective, now, moves)
    if found is None:  # no single lever helps: two stages bind together, try pairs
        pairs = [a | b for i, a in enumerate(moves) for b in moves[i + 1:]]
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


def rounded(added: dict[str, float], evaluate: Evaluator) -> dict[str, float]:
    """A plan's additions to 4 decimals, never past what a lever can reach in time.

    Rounding to the nearest could step over a lever's bound (4508.2192 officers where 4508.21918
    can be sworn in time): the value at the bound is kept exact.
    """
    reach = evaluate.bounds.reach
    return {n: min(round(v, 4), reach[n].max_added) if n in reach else round(v, 4)
            for n, v in added.items() if v > 0}


def bisect(lo: float, hi: float, ok: Callable[[float], bool], rounds: int = _BISECT) -> float:
    """The smallest ``t`` in [lo, hi] with ``ok(t)``, given ``ok(hi)`` and monotone ``ok``."""
    for _ in range(rounds):
        mid = (lo + hi) / 2
        if ok(mid):
            hi = mid
        else:
            lo = mid
    return hi


@dataclass(frozen=True)
class Stop:
    """A lever whose time bound stops a goal: loosening it alone adds ``gain`` goal removals."""

    lever: str
    words: str
    gain: float


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
        Increases over the scenario's own levels, in each lever's unit (held within the bounds).
    stops
        When not reachable: the levers whose time bound stops the goal, most removals first.
    """

    baseline: Result
    result: Result
    bounds: Bounds
    feasible: bool
    reachable: bool
    added: dict[str, float]
    runs: int
    stops: list[Stop] = field(default_factory=list)
    relaxed_removals: float | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def outside_cost_per_year_usd(self) -> list[float]:
        """Costs added outside the model (levers the engine does not cost), by fiscal year."""
        return [float(x) for x in outside_costs(self.bounds, self.baseline.inputs,
                                                self.result.inputs)]

    @property
    def cost_per_year_usd(self) -> list[float]:
        """The plan's total cost in each fiscal year of the horizon (outside costs included)."""
        return [m + o for m, o in zip(cost_by_year(self.result), self.outside_cost_per_year_usd,
                                      strict=True)]

    @property
    def added_cost_per_year_usd(self) -> list[float]:
        """The plan's extra cost over the baseline in each fiscal year."""
        base = cost_by_year(self.baseline)
        return [p - b for p, b in zip(self.cost_per_year_usd, base, strict=True)]

    def to_json(self) -> dict[str, Any]:
        """The ``goal --json`` object."""
        head, base = self.result.headline, self.baseline.headline
        total = sum(self.cost_per_year_usd)
        return {
            "feasible": self.feasible,
            "reachable": self.reachable,
            "goal": head["target"],
            "scenario": base["scenario"],
            "start": head["start"],
            "years": head["years"],
            "baseline_removals": base["target_removals"],
            "plan_removals": head["target_removals"],
            "required": required(self.bounds, self.added),
            "added": self.added,
            "bounds": self.bounds.to_json(),
            "stopped_by": [{"lever": s.lever, "bound": s.words, "gain_if_loosened": s.gain}
                           for s in self.stops],
            "removals_with_bounds_loosened": self.relaxed_removals,
            "not_searched": {n: lever.excluded for n, lever in self.bounds.table.items()
                             if lever.excluded},
            "cost_total_usd": total,
            "cost_per_year_usd": self.cost_per_year_usd,
            "cost_outside_model_usd": sum(self.outside_cost_per_year_usd),
            "added_cost_total_usd": total - base["cost_total_usd"],
            "added_cost_per_year_usd": self.added_cost_per_year_usd,
            "fiscal_years": [r["fiscal_year"] for r in head["removals_by_fiscal_year"]],
            "price_year": head["price_year"],
            "binding_constraint": head["binding_constraint"],
            "binding_share": head["binding_share"],
            "shadow_removals": head.get("shadow_removals"),
            "marginal_removals_per_million_usd": head["marginal_removals_per_million_usd"],
            "changes": changes_json(self.bounds, self.added),
            "runs": self.runs,
            "notes": self.notes,
        }


def changes_json(bounds: Bounds, added: dict[str, float]) -> dict[str, dict[str, float]]:
    """A plan's scenario changes as JSON (``removalsim.run(changes=...)`` accepts them)."""
    return {p: {d.isoformat(): v for d, v in c.items()} for p, c in bounds.changes(added).items()}


def cost_by_year(result: Result) -> list[float]:
    """The model's cost by fiscal year (stages summed)."""
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
               segments: tuple[str, ...] | None = None, per_year: bool = False,
               table: dict[str, Lever] | None = None) -> GoalPlan:
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
    table
        The levers and their bounds (default: ``data/lead_times.yaml``).

    Examples
    --------
    >>> plan = solve_goal("fy2019", removals=200_000, years=1)
    >>> plan.feasible, plan.added
    (True, {})
    """
    from removalsim.model import run

    goal = goal_scenario(scenario, removals, years, segments, per_year)
    evaluate = Evaluator(goal, table)
    baseline = run(goal)
    if baseline.headline["years_to_target"] is not None:
        return GoalPlan(baseline, baseline, evaluate.bounds, True, True, {}, 1)

    def objective(p: Point) -> float:
        return p.target_removals

    full = evaluate.full()
    top = evaluate(full)
    notes: list[str] = []
    stops: list[Stop] = []
    relaxed = None
    if not top.reached:
        stops, relaxed = _stops(goal, evaluate, full, top)
        added = _drop_idle(evaluate, full)
        notes.append(f"not reachable in time: with every lever at what can be built or hired by "
                     f"then, the model reaches {top.target_removals:,.0f} of {removals:,}; the "
                     f"plan keeps the levers that add removals")
        if stops:
            notes.append("stopped by " + "; ".join(
                f"{s.words} (loosened: +{s.gain:,.0f})" for s in stops))
        else:
            notes.append("no lever's time bound stops it: loosening any one adds nothing, so the "
                         "limit lies outside the levers (see what binds)")
        if relaxed is not None and relaxed < removals:
            notes.append(f"even with every bound loosened (rates and caps x{RELAX:g}, lags "
                         f"/{RELAX:g}) the model reaches {relaxed:,.0f}")
    else:
        path = greedy_path(evaluate, objective, lambda s: s.point.reached)
        last = path[-1]
        if last.point.reached:
            before = path[-2].added
            t = bisect(0.0, 1.0, lambda t: evaluate(between(before, last.added, t)).reached)
            added = _prune(evaluate, between(before, last.added, t))
        else:
            notes.append("the greedy path stalled; the plan is the all-levers-at-their-bound plan,"
                         " pruned")
            added = _prune(evaluate, full)
    added = rounded(added, evaluate)
    result = run(evaluate.scenario_for(added))
    reached = result.headline["years_to_target"] is not None
    return GoalPlan(baseline, result, evaluate.bounds, False, reached, added,
                    evaluate.runs + 2, stops, relaxed, notes)


def _stops(goal: Scenario, evaluate: Evaluator, full: dict[str, float],
           top: Point) -> tuple[list[Stop], float | None]:
    """The levers whose time bound stops the goal, and the goal removals with all loosened."""
    table = evaluate.bounds.table
    loose = {n: lever.relaxed() if lever.excluded is None else lever
             for n, lever in table.items()}
    stops = []
    for name in evaluate.bounds.reach:
        one = Evaluator(goal, {**table, name: loose[name]})
        point = one({**full, name: one.bounds.reach[name].max_added})
        evaluate.runs += one.runs
        gain = point.target_removals - top.target_removals
        if gain > STOPS_SHARE * top.target_removals:
            stops.append(Stop(name, evaluate.bounds.words(name), gain))
    every = Evaluator(goal, loose)
    relaxed = every(every.full()).target_removals
    evaluate.runs += every.runs
    return sorted(stops, key=lambda s: -s.gain), relaxed


def _drop_idle(evaluate: Evaluator, added: dict[str, float]) -> dict[str, float]:
    """Leave out the levers whose increase adds no goal removals (most expensive first)."""
    plan = dict(added)
    base_cost = evaluate({}).cost_total_usd
    for name in sorted(added, key=lambda n: -(evaluate({n: added[n]}).cost_total_usd
                                              - base_cost)):
        trial = {n: a for n, a in plan.items() if n != name}
        now = evaluate(plan).target_removals
        if evaluate(trial).target_removals >= now * (1 - IDLE_SHARE):
            plan = trial
    return plan


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


def required(bounds: Bounds, added: dict[str, float]) -> dict[str, float]:
    """Each lever's level in force on the last day of the horizon, with the plan."""
    scenario = bounds.scenario.with_changes(bounds.changes(added)) if added else bounds.scenario
    last = scenario.end - dt.timedelta(days=1)
    tree = default_tree()
    return {name: level_at(tree[lever.parameter], scenario, lever.parameter, last)
            for name, lever in bounds.table.items()}
