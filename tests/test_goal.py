"""The goal solver: feasibility, plans that reach the goal in the model, lead times."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from removalsim.analysis.goal import goal_scenario, levers, plan_changes, ramp, solve_goal
from removalsim.cli import app
from removalsim.model import RESOURCES, resolve, run
from removalsim.params import default_tree
from removalsim.yamlio import InputError

KEYS = {"feasible", "baseline_removals", "required", "added", "cost_total_usd",
        "cost_per_year_usd", "binding_constraint"}


def test_every_lever_is_a_cited_parameter():
    tree = default_tree()
    table = levers()
    assert set(RESOURCES) <= set(table)
    for lever in table.values():
        assert lever.parameter in tree
        assert 0 <= lever.first_days <= lever.full_days
        assert lever.source


def test_ramp_adds_over_the_lead_time_on_top_of_the_baseline():
    scenario = resolve("current", 10)
    judges = levers()["judges"]
    dated = ramp(scenario, judges, 100)
    tree = default_tree()["courts.judges"]
    assert min(dated) == scenario.start + dt.timedelta(days=judges.first_days)
    full = scenario.start + dt.timedelta(days=judges.full_days)
    assert dated[full] == pytest.approx(tree.value_at(full) + 100)
    first = dated[min(dated)]
    assert tree.value_at(min(dated)) < first < tree.value_at(min(dated)) + 100
    beds = ramp(scenario, levers()["beds"], 5000)  # the baseline's own planned beds stay
    planned = max(d for d in default_tree()["detention.beds"].values)
    share = levers()["beds"].fraction((planned - scenario.start).days)
    expected = default_tree()["detention.beds"].value_at(planned) + 5000 * share
    assert 0 < share < 1 and beds[planned] == pytest.approx(expected)


def test_a_goal_the_baseline_reaches_is_feasible_as_is():
    base = run("fy2019", years=1, marginal=False).headline["removals_total"]
    plan = solve_goal("fy2019", int(base * 0.9), 1)
    assert plan.feasible and plan.reachable and plan.added == {}
    assert set(plan.to_json()) >= KEYS


@pytest.fixture(scope="module")
def plan():
    base = run("current", years=3, marginal=False).headline["removals_total"]
    return solve_goal("current", int(base * 1.15), 3), int(base * 1.15)


@pytest.mark.slow
def test_a_plan_reaches_the_goal_in_the_model(plan):
    plan, goal = plan
    assert not plan.feasible and plan.reachable and plan.added
    out = plan.to_json()
    assert set(out) >= KEYS
    scenario = goal_scenario("current", goal, 3).with_changes(
        plan_changes(resolve("current", 3), plan.added))
    check = run(scenario, marginal=False).headline
    assert check["target_removals"] >= goal * (1 - 1e-9)
    assert out["baseline_removals"] < goal <= out["plan_removals"]
    assert out["added_cost_total_usd"] > 0
    assert sum(out["cost_per_year_usd"]) == pytest.approx(out["cost_total_usd"])
    for name in out["added"]:
        assert out["required"][name] <= levers()[name].upper


@pytest.mark.slow
def test_a_plan_is_pruned_to_the_goal(plan):
    """No lever can be cut by a quarter and still reach the goal (the prune worked)."""
    plan, goal = plan
    scenario = goal_scenario("current", goal, 3)
    for name, added in plan.added.items():
        less = {**plan.added, name: added * 0.75}
        cut = run(scenario.with_changes(plan_changes(scenario, less)), marginal=False)
        assert cut.headline["target_removals"] < goal


def test_bad_goals_are_refused():
    with pytest.raises(InputError, match="unknown segment"):
        goal_scenario("current", 1000, 1, ("nobody",))
    runner = CliRunner()
    bad = runner.invoke(app, ["goal", "--remove", "1000", "--years", "1", "--segments", "x"])
    assert bad.exit_code == 2 and "unknown segment" in bad.output
    bad = runner.invoke(app, ["goal", "--remove", "1000", "--years", "1", "--from", "nope"])
    assert bad.exit_code == 2 and "unknown scenario" in bad.output


def test_goal_json_from_the_cli():
    runner = CliRunner()
    out = runner.invoke(app, ["goal", "--remove", "100000", "--years", "1", "--from", "fy2019",
                              "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["feasible"] is True and data["added"] == {}
