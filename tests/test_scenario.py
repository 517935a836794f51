"""Scenarios as data: loading, composition, errors that name the problem."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from removalsim.engine import INPUTS
from removalsim.inputs import build_inputs
from removalsim.scenario import load_scenario, shipped
from removalsim.yamlio import InputError

REQUIRED = {"fy2019", "millions-2019", "millions-2019-all", "border-surge-2019", "current",
            "one-million-a-year"}


def test_required_scenarios_are_shipped_and_distinct():
    assert set(shipped()) >= REQUIRED
    hashes = {load_scenario(name).hash for name in shipped()}
    assert len(hashes) == len(shipped())


def test_targets():
    assert load_scenario("millions-2019").target.segments == ("final_order",)
    assert load_scenario("millions-2019").target.removals == 1_000_000
    everyone = load_scenario("millions-2019-all").target.segments
    assert "no_contact" in everyone and "case_closed" in everyone and "border" not in everyone
    assert load_scenario("one-million-a-year").target.per_year


def test_baseline_chain_and_hold():
    surge = load_scenario("border-surge-2019")
    assert surge.start == dt.date(2018, 10, 1)  # from fy2019
    assert surge.hold == dt.date(2019, 6, 1)
    column = INPUTS.index("arrests.officers")
    series = build_inputs(surge).series[:, column]
    assert (series == 5300).all()  # held at 2019 levels over ten years
    assert build_inputs(load_scenario("current")).series[:, column].max() > 10_000


def _write(path: Path, text: str) -> str:
    path.write_text(text)
    return str(path)


def test_composition_applies_right_over_left(tmp_path: Path):
    beds = _write(tmp_path / "beds.yaml",
                  "description: more beds\nchanges:\n  detention.beds: 90000\n")
    cut = _write(tmp_path / "cut.yaml",
                 "description: fewer beds, more flights\nchanges:\n  detention.beds: 20000\n"
                 "  removal.charter_flights_per_day: 10\n")
    combined = load_scenario(f"fy2019+{beds}+{cut}")
    inputs = build_inputs(combined)
    assert (inputs.series[:, INPUTS.index("detention.beds")] == 20000).all()
    assert (inputs.series[:, INPUTS.index("removal.charter_flights_per_day")] == 10).all()
    assert combined.start == load_scenario("fy2019").start
    assert load_scenario(f"fy2019+{beds}").hash != load_scenario("fy2019").hash


def test_dated_change_replaces_later_file_values(tmp_path: Path):
    path = _write(tmp_path / "s.yaml", "description: beds from 2027\nbaseline: current\n"
                  "changes:\n  detention.beds:\n    2027-01-01: 150000\n")
    series = build_inputs(load_scenario(path)).series[:, INPUTS.index("detention.beds")]
    day = (dt.date(2027, 1, 1) - dt.date(2025, 10, 1)).days
    assert series[day - 1] < 150000 and (series[day:] == 150000).all()


def test_inputs_built_from_a_recent_table_are_those_built_from_scratch():
    from removalsim import inputs

    current = load_scenario("current")
    sequence = [
        current,
        current.with_changes({"arrests.officers": 7000}),
        current.with_changes({"arrests.officers": 7000.0, "detention.beds": 120000}),
        current.with_changes({"detention.beds": {dt.date(2027, 1, 1): 150000}}),
        current.with_changes({"pathways.expedited_removal": False}),
        current.with_horizon(3).with_changes({"courts.judges": 900}),
        current.with_horizon(3),
        current,
    ]
    for scenario in sequence:
        reused = build_inputs(scenario)  # from a recent table of the same dates, when there is one
        kept = dict(inputs._recent)
        inputs._recent.clear()
        scratch = build_inputs(scenario)
        inputs._recent.clear()
        inputs._recent.update(kept)
        assert reused.series.tobytes() == scratch.series.tobytes()
        assert np.array_equal(reused.lo, scratch.lo) and np.array_equal(reused.hi, scratch.hi)
        reused.series[:] = -1.0  # a caller's edit does not reach the next build


@pytest.mark.parametrize(
    "text, fragments",
    [
        ("description: x y z\nchanges:\n  detention.bedz: 5\n",
         ["line 3", "changes.detention.bedz", "unknown parameter"]),
        ("description: x y z\nchanges:\n  detention.beds: -5\n",
         ["line 3", "outside the valid range"]),
        ("description: x y z\nyeras: 5\n", ["line 2", "yeras", "unknown key"]),
        ("description: x y z\nyears: 50\n", ["years"]),
        ("description: x y z\nbaseline: nowhere\n", ["baseline", "unknown scenario"]),
        ("description: x y z\ntarget:\n  removals: 10\n  segments: [martians]\n",
         ["martians", "unknown segment"]),
        ("description: x y z\ndescription: again\n", ["duplicate key", "line 2"]),
        ("description: x y z\nchanges:\n  pathways.expedited_removal: maybe\n",
         ["true or false"]),
    ],
)
def test_broken_scenario_file_names_the_problem(tmp_path: Path, text: str, fragments: list[str]):
    path = _write(tmp_path / "broken.yaml", text)
    with pytest.raises(InputError) as error:
        load_scenario(path)
    for fragment in fragments:
        assert fragment in str(error.value), str(error.value)


def test_unknown_scenario_lists_shipped_ones():
    with pytest.raises(InputError, match="millions-2019"):
        load_scenario("no-such-scenario")


def test_changes_and_horizon_are_validated():
    base = load_scenario("fy2019")
    with pytest.raises(InputError, match="unknown parameter"):
        base.with_changes({"bogus": 1})
    with pytest.raises(InputError, match="years"):
        base.with_horizon(25)
    assert base.with_changes({"detention.beds": 1000}).hash != base.hash
    assert base.with_horizon(3).years == 3


def test_hash_does_not_depend_on_number_spelling():
    base = load_scenario("fy2019")
    assert base.with_changes({"courts.judges": 700}).hash == base.with_changes(
        {"courts.judges": 700.0}).hash
    assert base.with_changes({"courts.rocket_docket_share": 0.2}).hash != base.hash
