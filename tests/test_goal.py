"""The goal solver: bounds from time, plans that reach the goal, the bounds that stop one."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace

import pytest
from typer.testing import CliRunner

import removalsim
from removalsim.analysis import goal as goal_module
from removalsim.analysis.goal import (
    Bounds,
    Evaluator,
    goal_scenario,
    levers,
    solve_goal,
)
from removalsim.cli import app
from removalsim.model import RESOURCES, resolve, run
from removalsim.params import default_tree
from removalsim.yamlio import InputError

KEYS = {"feasible", "reachable", "baseline_removals", "required", "added", "bounds",
        "stopped_by", "cost_total_usd", "cost_per_year_usd", "binding_constraint", "changes"}


def test_every_capacity_is_a_lever_with_sourced_bounds_and_a_cost():
    tree = default_tree()
    table = levers()
    assert set(RESOURCES) <= set(table)
    for lever in table.values():
        assert lever.parameter in tree
        if lever.excluded is not None:  # left out of the search, with the reason given
            assert len(lever.excluded) > 20
            continue
        assert lever.lag is not None and lever.lag.value >= 0 and lever.lag.source
        assert lever.rate_parameter in tree if lever.rate is None else lever.rate.source
        assert lever.per_year(resolve("current", 1)) > 0
        if lever.usd_per_unit_year == 0:  # costed by the model: through real cost parameters
            named = re.findall(r"costs\.\w+", lever.costing)
            assert named and all(n in tree for n in named)
        else:
            assert lever.costing.startswith("outside the model")


def test_a_lead_times_file_without_a_rate_is_refused(tmp_path, monkeypatch):
    bad = tmp_path / "lead_times.yaml"
    bad.write_text("levers:\n  judges:\n    parameter: courts.judges\n    step: 10\n"
                   "    rate_words: judges a year\n    cost: model\n"
                   "    lag: {value: 10, reason: a test}\n")
    monkeypatch.setattr(goal_module, "LEAD_TIMES", bad)
    levers.cache_clear()
    try:
        with pytest.raises(InputError, match="lever judges: needs rate"):
            levers()
    finally:
        monkeypatch.undo()
        levers.cache_clear()


def test_bounds_come_from_time_not_from_the_sliders():
    scenario = resolve("current", 2)
    bounds = Bounds(scenario)
    tree = default_tree()
    last = scenario.end - dt.timedelta(days=1)
    for name, reach in bounds.reach.items():
        lever = levers()[name]
        assert reach.by == last
        days = (last - scenario.start).days - lever.lag.value
        pipeline = reach.start_level + lever.per_year(scenario) * max(0, days) / 365
        if lever.cap is not None:
            pipeline = min(pipeline, lever.cap.value)
        assert reach.level == pytest.approx(max(pipeline, bounds.baseline(lever, last)))
        assert reach.level < tree[lever.parameter].ui.max  # far below the slider maxima
        # a huge increase is held below the bound on every day
        for day, value in bounds.path(name, 1e9).items():
            assert value <= bounds.ceiling(lever, day) + 1e-6
            assert value >= bounds.baseline(lever, day) - 1e-6


@pytest.fixture(scope="module")
def plan():
    base = run("current", years=1, marginal=False).headline["removals_total"]
    goal = int(base * 1.1)
    return solve_goal("current", goal, 1), goal


def test_a_plan_reaches_the_goal_and_round_trips_into_run(plan):
    plan, goal = plan
    assert not plan.feasible and plan.reachable and plan.added
    out = json.loads(json.dumps(plan.to_json()))
    assert set(out) >= KEYS
    check = removalsim.run("current", years=1, changes=out["changes"], marginal=False).headline
    assert check["removals_total"] == pytest.approx(out["plan_removals"], rel=1e-9)
    assert check["removals_total"] >= goal * (1 - 1e-9) and out["baseline_removals"] < goal
    assert out["added_cost_total_usd"] > 0
    assert sum(out["cost_per_year_usd"]) == pytest.approx(out["cost_total_usd"])
    for name, added in out["added"].items():
        assert added <= out["bounds"][name]["max_added"] + 1e-6


def test_a_plan_is_pruned_to_the_goal(plan):
    """No lever can be cut by a quarter and still reach the goal (the prune worked)."""
    plan, goal = plan
    evaluate = Evaluator(goal_scenario("current", goal, 1))
    for name, added in plan.added.items():
        assert not evaluate({**plan.added, name: added * 0.75}).reached


def _only(name: str, table: dict) -> dict:
    """The lever table with every lever but ``name`` left out of the search."""
    return {n: lever if n == name else replace(lever, excluded="left out for this test")
            for n, lever in table.items()}


def test_the_answer_names_the_time_bound_that_stops_a_goal():
    """Only beds may grow; a goal between what beds allow in time and what twice the build rate
    allows is not reachable, the answer names the beds bound, and loosening it reaches the goal."""
    table = _only("beds", levers())
    loose = {**table, "beds": table["beds"].relaxed()}
    # flights plentiful (20 a day), so that beds are what stops the goal: at FY2019's flights,
    # seats bind once beds grow and the looser build rate gains under 1%
    surge = resolve("border-surge-2019").with_changes({"removal.charter_flights_per_day": 20})
    probe = goal_scenario(surge, 1, 1)
    tight, relaxed = Evaluator(probe, table), Evaluator(probe, loose)
    at_bound = tight(tight.full()).target_removals
    beyond = relaxed(relaxed.full()).target_removals
    assert beyond > at_bound * 1.01
    goal = int((at_bound + beyond) / 2)
    answer = solve_goal(surge, goal, 1, table=table)
    out = answer.to_json()
    assert not answer.reachable and [s["lever"] for s in out["stopped_by"]] == ["beds"]
    words = out["stopped_by"][0]["bound"]
    assert words.startswith("detention beds: at most ") and "beds built a day" in words
    assert f"{out['bounds']['beds']['reachable_level']:,.0f}" in words
    assert any("stopped by detention beds" in n for n in out["notes"])
    assert solve_goal(surge, goal, 1, table=loose).reachable


@pytest.fixture(scope="module")
def eleven_million():
    runner = CliRunner()
    out = runner.invoke(app, ["goal", "--remove", "11300000", "--years", "2", "--json"])
    assert out.exit_code == 0, out.output
    return json.loads(out.output)


def test_eleven_million_in_two_years_is_not_reachable_and_names_its_bounds(eleven_million):
    data = eleven_million
    assert data["reachable"] is False and data["plan_removals"] < 11_300_000
    assert data["stopped_by"], "the answer must name the bound that stops it"
    for stop in data["stopped_by"]:
        assert stop["lever"] in data["bounds"] and " at most " in stop["bound"]
        assert stop["gain_if_loosened"] > 0
    assert data["notes"][0].startswith("not reachable in time")
    for name, bound in data["bounds"].items():  # the plan never exceeds what can be built
        assert data["required"][name] <= bound["reachable_level"] + 1e-6
    assert "jail_cooperation" in data["not_searched"]
    uncosted = [n for n in data["added"] if levers()[n].usd_per_unit_year > 0]
    assert uncosted and data["cost_outside_model_usd"] > 0  # no lever is free


def test_the_terminal_answer_names_the_stopping_bound(eleven_million, capsys):
    from removalsim.cli.whatif import _print_goal

    _print_goal(eleven_million, "(summary)")
    text = " ".join(capsys.readouterr().out.split())
    assert "Not reachable" in text and "stopped by" in text
    assert eleven_million["stopped_by"][0]["bound"].split(":")[0] in text.lower()


def test_a_goal_the_baseline_reaches_is_feasible_as_is():
    base = run("fy2019", years=1, marginal=False).headline["removals_total"]
    plan = solve_goal("fy2019", int(base * 0.9), 1)
    assert plan.feasible and plan.reachable and plan.added == {}
    assert set(plan.to_json()) >= KEYS


def test_bad_goals_are_refused():
    with pytest.raises(InputError, match="unknown segment"):
        goal_scenario("current", 1000, 1, ("nobody",))
    runner = CliRunner()
    bad = runner.invoke(app, ["goal", "--remove", "1000", "--years", "1", "--segments", "x"])
    assert bad.exit_code == 2 and "unknown segment" in bad.output
    bad = runner.invoke(app, ["goal", "--remove", "1000", "--years", "1", "--from", "nope"])
    assert bad.exit_code == 2 and "unknown scenario" in bad.output
