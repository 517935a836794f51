"""Invariants of the engine, as properties over random assumptions and levers (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from removalsim.engine import INPUTS, RECORD
from removalsim.inputs import build_inputs
from removalsim.model import RESOURCES, execute, resolve, run, target_vector
from removalsim.params import default_tree

SCENARIOS = ["fy2019", "millions-2019", "border-surge-2019", "current"]
STOCKS = [k for k in RECORD if k.startswith(("at_large_", "detained", "appeals_", "atd_"))]
K = {name: i for i, name in enumerate(RECORD)}
_INPUTS = {}


def _inputs(name: str):
    if name not in _INPUTS:
        scenario = resolve(name, years=3)
        _INPUTS[name] = (scenario, build_inputs(scenario))
    return _INPUTS[name]


@st.composite
def worlds(draw):
    """A shipped scenario with every assumption drawn in its range and some levers moved."""
    name = draw(st.sampled_from(SCENARIOS))
    scenario, inputs = _inputs(name)
    tree = default_tree()
    mult = np.ones(len(INPUTS))
    for j, param_name in enumerate(INPUTS):
        param = tree[param_name]
        value = inputs.series[0, j]
        if param.kind == "assumption" and value > 0:
            low, high = param.range_at(scenario.start)
            mult[j] = draw(st.floats(low, high)) / value
    add = np.zeros(len(INPUTS))
    for lever in ("detention.when_full", "pathways.mandatory_detention",
                  "pathways.expedited_removal", "courts.expedited_docket"):
        j = INPUTS.index(lever)
        mult[j] = 0.0
        add[j] = draw(st.sampled_from([0.0, 1.0]))
    for lever, top in (("detention.beds", 150_000), ("arrests.officers", 20_000),
                       ("removal.charter_flights_per_day", 20)):
        j = INPUTS.index(lever)
        mult[j] = 0.0
        add[j] = draw(st.floats(0, top))
    return scenario, inputs, mult, add


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(worlds())
def test_people_are_conserved_stocks_stay_non_negative_and_finite(world):
    scenario, inputs, mult, add = world
    outcome, daily = execute(inputs, mult[None], add[None], target_vector(scenario, inputs), True)
    assert np.isfinite(daily).all()
    assert np.isfinite(outcome.year_sum).all()
    assert daily[:, K["conservation_error"]].max() < 1e-6
    stocks = daily[:, [K[s] for s in STOCKS]]
    assert stocks.min() > -1e-6
    for flow in ("removals", "arrests_custodial", "arrests_at_large", "self_departures"):
        assert daily[:, K[flow]].min() >= -1e-9


@FAST
@given(worlds(), st.floats(1.05, 3.0))
def test_more_capacity_never_means_fewer_removals(world, factor):
    scenario, inputs, mult, add = world
    rows = [mult]
    for param in RESOURCES.values():
        bigger = mult.copy()
        j = INPUTS.index(param)
        bigger[j] *= factor
        rows.append(bigger)
    adds = np.repeat(add[None], len(rows), axis=0)
    for row, param in enumerate(RESOURCES.values(), start=1):
        adds[row, INPUTS.index(param)] *= factor
    outcome, _ = execute(inputs, np.array(rows), adds, target_vector(scenario, inputs), False)
    removals = outcome.year_sum[:, :, K["removals"]].sum(axis=1)
    orders = outcome.year_sum[:, :, K["removal_orders"]].sum(axis=1)
    for row, name in enumerate(RESOURCES, start=1):
        if name == "judges":
            # judges also grant relief, which can shrink the removable population, so the
            # property is on what courts produce: removal orders
            assert orders[row] >= orders[0] * (1 - 1e-9), name
        else:
            # re-prioritising full beds can push a few removals past the horizon (seen: up
            # to 0.05% with a few hundred beds); anything above 0.1% is a real reversal
            assert removals[row] >= removals[0] * (1 - 1e-3), (name, removals[0], removals[row])


def _run(name: str, **changes):
    return run(name, years=3, changes=changes, marginal=False)


def test_no_beds_means_no_removals():
    result = _run("fy2019", **{"detention.beds": 0})
    assert result.headline["removals_total"] == pytest.approx(0, abs=1e-6)
    assert result.fiscal_years["detained_adp"].max() == pytest.approx(0, abs=1e-6)


def test_no_officers_and_no_jail_cooperation_means_no_interior_arrests():
    result = _run("fy2019", **{"arrests.officers": 0, "arrests.jail_cooperation": 0})
    assert result.fiscal_years["arrests"].sum() == pytest.approx(0, abs=1e-6)
    assert result.fiscal_years["removals_border"].sum() > 100_000


def test_without_flights_no_one_is_removed_by_air():
    result = _run("fy2019", **{"removal.charter_flights_per_day": 0,
                               "removal.commercial_per_day": 0})
    assert result.daily["removals_air"].max() == pytest.approx(0, abs=1e-9)
    assert result.headline["binding_share"]["transport"] > 0.5


def test_full_beds_release_or_stop():
    released = _run("fy2019", **{"detention.beds": 20_000})
    stopped = _run("fy2019", **{"detention.beds": 20_000, "detention.when_full": "stop"})
    assert released.headline["binding_constraint"] == "detention"
    assert released.fiscal_years["released_no_bed"].sum() > stopped.fiscal_years[
        "released_no_bed"].sum()
    assert stopped.fiscal_years["arrests"].sum() < released.fiscal_years["arrests"].sum()


def test_binding_shares_add_up_and_marginal_values_are_reported():
    result = run("current", years=2)
    assert sum(result.headline["binding_share"].values()) == pytest.approx(1.0)
    assert set(result.headline["marginal_removals"]) == set(RESOURCES)
    assert result.headline["marginal_removals"]["officers"] > 0


def test_run_is_side_effect_free_and_deterministic():
    first = run("current", years=2, changes={"detention.beds": 80_000})
    again = run("current", years=2)
    base = run("current", years=2)
    assert first.headline["removals_total"] != base.headline["removals_total"]
    assert again.headline == base.headline
