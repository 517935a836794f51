"""What the page shows about parameters and scenarios: values, sources, history and warnings."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from removalsim.onrecord import history, label, warning
from removalsim.params import DatedValue, Parameter, Value, default_tree
from removalsim.scenario import Scenario, load_scenario, parameter_values, shipped


def source(entry: DatedValue) -> dict[str, str | dt.date | None]:
    """Where a dated value comes from: its reference (publisher, date and tier with the link or
    document number), or the reason it is assumed."""
    ref = entry.reference
    return {
        "source_title": ref.title if ref else None,
        "source_href": ref.href if ref else None,
        "source_document": ref.document if ref else None,
        "source_publisher": ref.publisher if ref else None,
        "source_published": ref.published if ref else None,
        "source_tier": ref.tier if ref else None,
        "reason": entry.reason,
    }


def value_in(scenario: Scenario, name: str, day: dt.date | None = None) -> Value:
    """The value of a parameter in force on ``day`` (default: the start) in a scenario."""
    param = default_tree()[name]
    day = day or scenario.start
    values = parameter_values(param, scenario.changes.get(name), scenario.hold)
    current = values[0][1]
    for when, value in values:
        if when <= day:
            current = value
    return current


def schedule(scenario: Scenario, name: str) -> list[tuple[dt.date, Value]]:
    """The dated values of a parameter in force over a scenario's horizon."""
    param = default_tree()[name]
    values = parameter_values(param, scenario.changes.get(name), scenario.hold)
    inside = [(d, v) for d, v in values if scenario.start < d < scenario.end]
    return [(scenario.start, value_in(scenario, name)), *inside]


def scaled_plan(scenario: Scenario, name: str, value: Value) -> dict[dt.date, Value]:
    """A scenario's dated plan of a parameter scaled so that it starts at ``value``.

    Every planned value is multiplied by ``value`` over the planned value at the start, so a
    planned ramp keeps its shape; a plan starting at zero, or a non-number, is replaced by
    ``value`` from the start.

    Examples
    --------
    >>> from removalsim.scenario import load_scenario
    >>> plan = scaled_plan(load_scenario("fy2019"), "detention.beds", 1.0)
    >>> [round(v, 2) for v in plan.values()]  # the FY2019 act's beds from 15 Feb 2019, scaled
    [1.0, 1.11]
    """
    start = value_in(scenario, name)
    numbers = all(isinstance(x, int | float) and not isinstance(x, bool) for x in (value, start))
    if not numbers or not start:
        return {scenario.start: value}
    factor = float(value) / float(start)
    param = default_tree()[name]
    later = parameter_values(param, scenario.changes.get(name), scenario.hold)
    return {scenario.start: value,
            **{d: float(v) * factor for d, v in later if d > scenario.start}}


def parameter_info(name: str, param: Parameter, scenario: Scenario | None,
                   day: dt.date) -> dict[str, Any]:
    """One parameter for ``/api/params``: value on ``day`` (in a scenario if given) and more."""
    if scenario is not None:
        value = value_in(scenario, name, day)
        plan = schedule(scenario, name)
    else:
        value = param.value_at(day)
        plan = [(day, value)]
    entry = param.reference_at(day)
    low, high = param.range_at(day) if param.kind == "assumption" else (None, None)
    ui = param.ui
    return {
        "name": name,
        "description": param.description,
        "label": label(name, param),
        "group": ui.group if ui else name.split(".")[0].title(),
        "unit": param.unit,
        "kind": param.kind,
        "status": entry.status or param.status,
        "value": value,
        "min": ui.min if ui else None,
        "max": ui.max if ui else None,
        "step": ui.step if ui else None,
        "choices": param.choices,
        "switch": param.is_switch,
        "low": low,
        "high": high,
        **source(entry),
        "history": history(param),
        "schedule": plan,
    }


def parameters(scenario_name: str | None, day: dt.date | None) -> list[dict[str, Any]]:
    """Every parameter, with values on ``day`` (default: the scenario's start, or today)."""
    scenario = load_scenario(scenario_name) if scenario_name else None
    when = day or (scenario.start if scenario else dt.date.today())
    return [parameter_info(n, p, scenario, when) for n, p in default_tree().items()]


def scenarios() -> list[dict[str, Any]]:
    """The shipped scenarios: name, description, start, horizon, target, changed parameters."""
    rows = []
    for name in shipped():
        s = load_scenario(name)
        rows.append({"name": name, "description": s.description, "start": s.start,
                     "years": s.years, "target": s.target.model_dump() if s.target else None,
                     "changes": sorted(s.changes)})
    return rows


def changed(scenario: Scenario, changes: dict[str, Value]) -> list[dict[str, Any]]:
    """The changed parameters: new and replaced values, the replaced value's source, warnings."""
    tree = default_tree()
    rows = []
    for name, value in sorted(changes.items()):
        param = tree[name]
        entry = param.reference_at(scenario.start)
        base = value_in(scenario, name)
        rows.append({
            "name": name,
            "label": label(name, param),
            "unit": param.unit,
            "kind": param.kind,
            "value": value,
            "baseline_value": base,
            **source(entry),
            "warning": warning(name, param, value, scenario.start),
        })
    return rows


def python_snippet(scenario: str, years: float | None,
                   changes: dict[str, Value | dict[dt.date, Value]],
                   draws: int | None = None, seed: int = 0) -> str:
    """Python code that reproduces a request."""
    options = []
    if years is not None:
        options.append(f"years={years:g}")
    if changes:
        items = "".join(f"    {json.dumps(k)}: {_py(v)},\n" for k, v in sorted(changes.items()))
        options.append(f"changes={{\n{items}}}")
    name = json.dumps(scenario)
    dated = any(isinstance(v, dict) for v in changes.values())
    lines = [*(["import datetime as dt"] if dated else []), "import removalsim", "",
             f"result = removalsim.run({', '.join([name, *options])})",
             "print(result.summary())", "result.fiscal_years  # the fiscal-year table"]
    if draws:
        call = ", ".join([name, str(draws), f"seed={seed}", *options])
        lines += ["", "from removalsim.analysis.mc import monte_carlo", "",
                  f"bands = monte_carlo({call})",
                  "bands.percentiles  # p5, p50, p95 of each output"]
    return "\n".join(lines) + "\n"


def _py(value: Value | dict[dt.date, Value]) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"dt.date({d.year}, {d.month}, {d.day}): {_py(v)}"
                               for d, v in value.items()) + "}"
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):  # floats stay floats: the scenario hash tells 700 from 700.0
        return repr(value)
    return json.dumps(value)
