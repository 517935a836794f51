"""The budget solver: more money never buys fewer removals, it stays within the budget and within
what can be built or hired in the time, and its plan runs as it says."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

import removalsim
from removalsim.analysis.budget import spend
from removalsim.cli import app
from removalsim.yamlio import InputError


@pytest.fixture(scope="module")
def purchases():
    return [spend("current", usd, 1) for usd in (0.0, 5e8, 2e9)]


@pytest.mark.slow
def test_a_bigger_budget_never_buys_fewer_removals(purchases):
    removals = [p.result.headline["removals_total"] for p in purchases]
    assert removals == sorted(removals)
    assert removals[-1] > removals[0]


@pytest.mark.slow
def test_a_purchase_stays_within_its_budget_and_its_time_bounds(purchases):
    for p in purchases:
        out = p.to_json()
        assert out["added_cost_total_usd"] <= out["budget_total_usd"] * (1 + 1e-6) + 1.0
        assert out["removals"] >= out["baseline_removals"] - 1e-6
        assert sum(out["added_cost_per_year_usd"]) == pytest.approx(out["added_cost_total_usd"])
        for name, added in out["added"].items():
            assert added <= out["bounds"][name]["max_added"] + 1e-6
            assert out["required"][name] <= out["bounds"][name]["reachable_level"] + 1e-6
    assert purchases[0].added == {}


def test_a_purchase_round_trips_into_run(purchases):
    out = json.loads(json.dumps(purchases[-1].to_json()))
    assert out["changes"]
    check = removalsim.run("current", years=1, changes=out["changes"], marginal=False).headline
    assert check["removals_total"] == pytest.approx(out["removals"], rel=1e-9)


def test_bad_budgets_are_refused():
    with pytest.raises(InputError, match="budget"):
        spend("current", -1.0, 1)
    runner = CliRunner()
    bad = runner.invoke(app, ["budget", "--usd", "-5", "--years", "1"])
    assert bad.exit_code == 2
    out = runner.invoke(app, ["budget", "--usd", "1e8", "--years", "1", "--from", "fy2019",
                              "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert {"added", "removals", "binding_constraint", "added_cost_total_usd", "bounds",
            "at_time_bound", "not_searched"} <= set(data)
