"""The discrete-event replica agrees with the fluid engine where the fluid approximation holds."""

from __future__ import annotations

import pytest

from removalsim.replica import SCALE, cross_check, replicate

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("scenario", ["fy2019", "millions-2019"])
def test_mean_removals_and_detention_agree_with_the_fluid_model_within_5_percent(scenario):
    check = cross_check(scenario, years=3, replications=3, seed=1)
    assert abs(check.removals_error) < 0.05, check
    assert abs(check.detained_error) < 0.05, check
    # the replica is slower than the engine by orders of magnitude: that is why the engine exists
    assert check.speed_ratio > 10


def test_the_replica_is_reproducible_and_counts_whole_people():
    a = replicate("fy2019", years=1, seed=4)
    b = replicate("fy2019", years=1, seed=4)
    c = replicate("fy2019", years=1, seed=5)
    assert a.removals == b.removals and a.detained_mean == b.detained_mean
    assert (a.events, a.detained_mean) != (c.events, c.detained_mean)
    assert float(a.removals).is_integer() and a.events > 1000
    assert a.scale == SCALE


def test_the_replica_scales_with_the_country():
    small = cross_check("fy2019", years=1, replications=1, scale=SCALE / 2, seed=2)
    assert abs(small.removals_error) < 0.15  # half the size: noisier, same answer
