"""Global sensitivity: indices with intervals for every sampled assumption, a tornado, warnings."""

from __future__ import annotations

import json
import math

import pytest
from typer.testing import CliRunner

from removalsim.analysis.sensitivity import DUMMY, sensitivity
from removalsim.cli import app
from removalsim.yamlio import InputError

runner = CliRunner()


@pytest.fixture(scope="module")
def small():
    return sensitivity("millions-2019", "removals_total", draws=32, years=3, seed=2)


@pytest.mark.slow
def test_every_sampled_assumption_gets_an_index_with_an_interval(small):
    assert small.method == "sobol"
    assert small.runs == 32 * (len(small.parameters) + 3)  # + the dummy, + A and B
    assert DUMMY not in small.parameters
    for name in small.parameters:
        assert math.isfinite(small.index[name]) and small.index_conf[name] >= 0
        assert math.isfinite(small.first_order[name])
    rows = small.ranking()
    assert [r["index"] for r in rows] == sorted((r["index"] for r in rows), reverse=True)


@pytest.mark.slow
def test_cost_rates_are_left_out_unless_the_output_is_a_cost(small):
    assert not any(name.startswith("costs.") for name in small.parameters)
    cost = sensitivity("fy2019", "cost_total_usd", draws=8, years=1)
    assert any(name.startswith("costs.") for name in cost.parameters)


@pytest.mark.slow
def test_tornado_swings_bracket_the_central_run(small):
    for row in small.ranking():
        assert row["low"] < row["high"]
        assert math.isfinite(row["output_at_low"]) and math.isfinite(row["output_at_high"])
    top = small.ranking()[0]
    assert top["output_at_low"] != top["output_at_high"]


@pytest.mark.slow
def test_wide_intervals_for_the_sample_size_draw_a_warning(small):
    assert any("too wide for 32 draws" in w for w in small.warnings)
    assert any("--draws" in w for w in small.warnings)


def test_the_same_seed_gives_the_same_indices():
    a = sensitivity("fy2019", "removals_total", draws=8, years=1, seed=5)
    b = sensitivity("fy2019", "removals_total", draws=8, years=1, seed=5)
    assert a.to_json()["indices"] == b.to_json()["indices"]


@pytest.mark.slow
def test_years_to_target_counts_not_reached_as_the_horizon():
    s = sensitivity("millions-2019-all", "years_to_target", draws=8, years=10)
    assert any("lower bound" in note for note in s.notes)


@pytest.mark.slow
def test_delta_method_with_its_noise_floor():
    s = sensitivity("fy2019", "removals_total", method="delta", draws=128, years=1)
    assert s.index_name == "delta"
    assert s.noise_floor["index"] >= 0
    # delta lies in [0, 1]; SALib's estimate of a null one can dip below 0 within its interval
    assert all(-s.index_conf[n] <= s.index[n] <= 1 for n in s.parameters)


def test_clear_errors():
    with pytest.raises(InputError, match="unknown output"):
        sensitivity("fy2019", "happiness")
    with pytest.raises(InputError, match="has no target"):
        sensitivity("current", "years_to_target", draws=4)
    with pytest.raises(InputError, match="unknown method"):
        sensitivity("fy2019", method="morris")
    with pytest.raises(InputError, match="does not vary"):
        sensitivity("one-million-a-year", "years_to_target", draws=4, years=2)


def test_sobol_draws_round_up_to_a_power_of_two():
    s = sensitivity("fy2019", "removals_total", draws=5, years=1)
    assert s.draws == 8
    assert any("power of two" in note for note in s.notes)


@pytest.mark.slow
def test_sensitivity_command_json_and_tornado(tmp_path):
    png = tmp_path / "tornado.png"
    result = runner.invoke(app, ["sensitivity", "fy2019", "--output", "removals_total",
                                 "--draws", "8", "--years", "1", "--json", "--plot", str(png)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["output"] == "removals_total" and data["method"] == "sobol"
    first = data["indices"][0]
    assert {"parameter", "index", "index_conf", "first_order", "first_order_conf",
            "output_at_low", "output_at_high"} <= set(first)
    assert data["warnings"]
    assert png.stat().st_size > 10_000


def test_sensitivity_command_for_people():
    result = runner.invoke(app, ["sensitivity", "fy2019", "--draws", "8", "--years", "1",
                                 "--top", "5"])
    assert result.exit_code == 0, result.output
    assert "what moves removals_total" in result.output
    assert "warning:" in result.output
    bad = runner.invoke(app, ["sensitivity", "current", "--output", "years_to_target"])
    assert bad.exit_code == 2 and "has no target" in bad.output
