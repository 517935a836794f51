"""Monte Carlo: assumptions sampled in their ranges, levers fixed, honest percentiles, same seed
same result."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from removalsim.analysis.mc import MAX_DRAWS, OUTPUTS, monte_carlo, percentiles
from removalsim.analysis.uncertainty import (
    assumption_names,
    assumptions,
    quantiles,
    sample,
    transform,
)
from removalsim.cli import app
from removalsim.engine import INPUTS
from removalsim.inputs import build_inputs
from removalsim.model import resolve, run
from removalsim.params import default_tree
from removalsim.yamlio import InputError

runner = CliRunner()


@pytest.fixture(scope="module")
def millions():
    return monte_carlo("millions-2019", 300, seed=7, years=10)


@pytest.mark.parametrize("name", ["fy2019", "millions-2019", "current"])
def test_levers_stay_fixed_and_assumptions_stay_in_their_ranges(name):
    scenario = resolve(name, years=2)
    inputs = build_inputs(scenario)
    mult, add = sample(scenario, inputs, 500, seed=3)
    tree = default_tree()
    sampled, _ = assumptions(scenario, inputs)
    ranges = {a.name: (a.low, a.high) for a in sampled}
    for j, param in enumerate(INPUTS):
        drawn = inputs.series[0, j] * mult[:, j] + add[:, j]
        if tree[param].kind == "lever":
            assert (mult[:, j] == 1).all() and (add[:, j] == 0).all(), param
        elif param in ranges:
            low, high = ranges[param]
            assert drawn.min() >= low - 1e-9 * abs(low) and drawn.max() <= high * (1 + 1e-9)
            assert drawn.std() > 0, param


def test_triangular_draws_have_their_mode_and_mean():
    scenario = resolve("fy2019", years=1)
    inputs = build_inputs(scenario)
    sampled, _ = assumptions(scenario, inputs)
    item = next(a for a in sampled if a.name == "arrests.depletion")
    values = item.values(quantiles(20_000, 1)[:, assumption_names().index(item.name)])
    assert values.mean() == pytest.approx((item.low + item.mode + item.high) / 3, rel=0.02)
    central = (item.mode - item.low) / (item.high - item.low)
    assert item.values(np.array([central]))[0] == pytest.approx(item.mode)


def test_dollar_ranges_are_converted_like_the_values():
    scenario = resolve("fy2019", years=1)
    inputs = build_inputs(scenario)
    sampled, _ = assumptions(scenario, inputs)
    bed = next(a for a in sampled if a.name == "costs.bed_day_usd")
    param = default_tree()["costs.bed_day_usd"]
    low, high = param.range_at(scenario.start)
    value = param.value_at(scenario.start)
    # the range and the value are in the same price year, so their ratios survive conversion
    assert bed.low / bed.mode == pytest.approx(low / value)
    assert bed.high / bed.mode == pytest.approx(high / value)


def test_an_assumption_the_scenario_sets_is_held_not_sampled():
    scenario = resolve("fy2019", years=1).with_changes({"courts.min_case_days": 200})
    inputs = build_inputs(scenario)
    sampled, pinned = assumptions(scenario, inputs)
    assert "courts.min_case_days" in pinned
    assert "courts.min_case_days" not in {a.name for a in sampled}
    mult, add = sample(scenario, inputs, 50, seed=1)
    j = INPUTS.index("courts.min_case_days")
    assert (mult[:, j] == 1).all() and (add[:, j] == 0).all()
    mc = monte_carlo("fy2019", 5, years=1, changes={"courts.min_case_days": 200})
    assert "courts.min_case_days" in mc.pinned


def test_central_quantiles_reproduce_the_deterministic_run():
    scenario = resolve("millions-2019", years=3)
    inputs = build_inputs(scenario)
    sampled, _ = assumptions(scenario, inputs)
    u = np.full((1, len(assumption_names())), 0.5)
    for item in sampled:
        u[0, assumption_names().index(item.name)] = (item.mode - item.low) / (item.high - item.low)
    mult, add = transform(sampled, u)
    np.testing.assert_allclose(mult, 1.0, rtol=1e-12)
    from removalsim.analysis.mc import simulate

    outputs, *_ = simulate(scenario, inputs, u)
    det = run(scenario, marginal=False).headline
    # (the mode comes back within 3e-16 of itself; the day loop's kinks, where a bed or a seat
    # runs out, carry that to about 1e-7 of the total over three years)
    assert outputs["removals_total"][0] == pytest.approx(det["removals_total"], rel=1e-6)


def test_the_same_seed_gives_the_same_result_and_another_seed_does_not():
    a = monte_carlo("fy2019", 40, seed=11, years=2)
    b = monte_carlo("fy2019", 40, seed=11, years=2)
    c = monte_carlo("fy2019", 40, seed=12, years=2)
    assert a.to_json()["percentiles"] == b.to_json()["percentiles"]
    assert a.percentiles != c.percentiles
    # the first draws of a larger run are the draws of a smaller one
    d = monte_carlo("fy2019", 80, seed=11, years=2)
    np.testing.assert_array_equal(d.outputs["removals_total"][:40], a.outputs["removals_total"])


def test_percentiles_are_ordered_and_named_as_in_run_json(millions):
    keys = set(run("millions-2019", years=1, marginal=False).headline)
    for name, p in millions.percentiles.items():
        assert name.split(".")[0] in keys, name
        assert set(p) == {"p5", "p50", "p95"}
        assert p["p5"] <= p["p50"] <= p["p95"], name
    for name in OUTPUTS:
        assert name in millions.percentiles


def test_not_reached_is_beyond_the_horizon_not_a_number(millions):
    share = millions.p_target
    assert 0.0 <= share <= 1.0
    years = millions.percentiles["years_to_target"]
    for key, q in (("p5", 0.05), ("p50", 0.5), ("p95", 0.95)):
        if q > share + 1 / millions.draws:
            assert years[key] == math.inf
        elif math.isfinite(years[key]):
            assert 0 < years[key] <= millions.scenario.years
    blob = millions.to_json()
    json.dumps(blob, allow_nan=False)  # null, never NaN or Infinity
    if share < 1:
        assert any("beyond the horizon" in note for note in blob["notes"])


def test_percentile_helper_counts_nan_as_beyond():
    p = percentiles(np.array([1.0, 2.0, 3.0, np.nan, np.nan, np.nan, np.nan, np.nan, np.nan,
                              np.nan]))
    assert math.isfinite(p["p5"])
    assert p["p50"] == math.inf and p["p95"] == math.inf
    assert percentiles(np.arange(101.0)) == {"p5": 5.0, "p50": 50.0, "p95": 95.0}


def test_a_scenario_without_target_has_no_p_target_nor_years():
    mc = monte_carlo("current", 20, years=2)
    assert mc.p_target is None
    assert "years_to_target" not in mc.percentiles
    assert mc.to_json()["p_target"] is None


def test_fan_covers_every_fiscal_year_column(millions):
    result = run("millions-2019", years=10, marginal=False)
    for column in result.fiscal_years.columns:
        fan = millions.fan(column)
        assert list(fan.index) == list(result.fiscal_years.index)
        assert fan.index.name == "fiscal_year"
        assert list(fan.columns) == ["p5", "p50", "p95"]
        assert (fan["p5"] <= fan["p50"] + 1e-9).all() and (fan["p50"] <= fan["p95"] + 1e-9).all()
    with pytest.raises(KeyError, match="no fiscal-year column"):
        millions.fan("nonsense")


def test_draws_are_capped_and_checked():
    for bad in (0, -3, MAX_DRAWS + 1):
        with pytest.raises(InputError, match="draws must be between"):
            monte_carlo("fy2019", bad)
    with pytest.raises(InputError, match="seed"):
        monte_carlo("fy2019", 10, seed=-1)
    with pytest.raises(InputError, match="unknown parameter"):
        monte_carlo("fy2019", 10, changes={"detention.bedz": 5})


def test_only_yearly_aggregates_are_kept(millions):
    years = len(millions.inputs.fiscal_years)
    for values in millions.outputs.values():
        assert values.shape == (millions.draws,)
    for values in millions.fiscal.values():
        assert values.shape == (millions.draws, years)


@pytest.mark.slow
def test_mc_command_json_and_plot(tmp_path):
    png = tmp_path / "fan.png"
    result = runner.invoke(app, ["mc", "millions-2019", "--draws", "30", "--seed", "4", "--years",
                                 "3", "--json", "--plot", str(png)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {"draws", "seed", "percentiles", "p_target"} <= set(data)
    assert data["draws"] == 30 and data["seed"] == 4
    assert set(data["percentiles"]["removals_total"]) == {"p5", "p50", "p95"}
    assert png.stat().st_size > 10_000


def test_mc_command_for_people():
    result = runner.invoke(app, ["mc", "fy2019", "--draws", "20", "--years", "1"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("From October 2018")
    assert "P50" in result.output and "Removals by fiscal year" in result.output


def test_mc_command_refuses_too_many_draws():
    result = runner.invoke(app, ["mc", "fy2019", "--draws", str(MAX_DRAWS + 1)])
    assert result.exit_code == 2
    assert "draws must be between" in result.output
