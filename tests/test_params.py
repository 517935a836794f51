"""The parameter files: every value cited or an explicit assumption, and a strict loader."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from removalsim.params import PARAMETERS_DIR, default_tree, load_parameter, load_tree
from removalsim.yamlio import InputError

BEDS = PARAMETERS_DIR / "detention" / "beds.yaml"
GOOD = """\
description: Detention beds ICE can fill
unit: beds
kind: lever
status: official
values:
  2019-01-01:
    value: 50000
    reference:
      title: A cited source
      href: https://example.org/beds
ui:
  min: 0
  max: 1000000
  step: 500
  group: Detention
"""


def test_every_shipped_value_has_a_source_or_is_a_stated_assumption():
    tree = default_tree()
    assert len(tree) > 60
    for name, param in tree.items():
        for day, item in param.values.items():
            if item.reference is None:
                assert "assumption" in (param.status, item.status), (name, day)
                assert item.reason and len(item.reason) >= 10, (name, day)
            else:
                ref = item.reference
                assert (ref.href or "").startswith("http") or ref.document, (name, day)


def test_every_assumption_has_a_range_around_its_values():
    for name, param in default_tree().items():
        if param.kind != "assumption":
            continue
        for day, item in param.values.items():
            low, high = param.range_at(day)
            assert low is not None and high is not None, name
            assert low <= item.value <= high, (name, day)


def test_costs_carry_a_price_year():
    costs = {n: p for n, p in default_tree().items() if p.unit.startswith("USD")}
    assert costs
    for name, param in costs.items():
        assert all(item.price_year for item in param.values.values()), name


def test_value_at_follows_dates():
    import datetime as dt

    officers = default_tree()["arrests.officers"]
    dates = sorted(officers.values)
    first, second = dates[0], dates[1]
    assert officers.value_at(first) == officers.values[first].value
    assert officers.value_at(second - dt.timedelta(days=1)) == officers.values[first].value
    assert officers.value_at(second) == officers.values[second].value
    # before the first date, the first value holds
    assert officers.value_at(first - dt.timedelta(days=3650)) == officers.values[first].value


BROKEN = {
    "unknown key": (GOOD + "colour: red\n", ["colour", "unknown key", "line 16"]),
    "duplicate key": (GOOD.replace("unit: beds\n", "unit: beds\nunit: cells\n"),
                      ["duplicate key 'unit'", "line 3"]),
    "missing unit": (GOOD.replace("unit: beds\n", ""), ["'unit'", "Field required"]),
    "missing source": (
        GOOD.replace("    reference:\n      title: A cited source\n", "").replace(
            "      href: https://example.org/beds\n", ""
        ),
        ["no reference", "status: assumption", "line 6", "values.2019-01-01"],
    ),
    "negative beds": (GOOD.replace("value: 50000", "value: -5"), ["outside the valid range", "-5"]),
    "wrong type": (GOOD.replace("value: 50000", "value: lots"), ["must be a number", "lots"]),
    "bad yaml": (GOOD.replace("unit: beds", "unit: [beds"), ["not valid YAML"]),
    "bad kind": (GOOD.replace("kind: lever", "kind: guess"), ["'kind'", "line 3"]),
    "assumption without range": (
        GOOD.replace("kind: lever", "kind: assumption"), ["uncertainty"],
    ),
    "dollars without price year": (GOOD.replace("unit: beds", "unit: USD per bed"),
                                   ["price_year"]),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_parameter_file_is_rejected_with_file_key_and_line(tmp_path: Path, case: str):
    text, expected = BROKEN[case]
    path = tmp_path / "detention" / "beds.yaml"
    path.parent.mkdir()
    path.write_text(text)
    with pytest.raises(InputError) as error:
        load_parameter(path)
    message = str(error.value)
    assert str(path) in message
    for fragment in expected:
        assert fragment in message, (case, message)


def test_good_file_loads(tmp_path: Path):
    path = tmp_path / "beds.yaml"
    path.write_text(GOOD)
    assert load_parameter(path).values


def test_one_broken_file_rejects_the_whole_tree(tmp_path: Path):
    root = tmp_path / "parameters"
    shutil.copytree(PARAMETERS_DIR, root)
    broken = root / "courts" / "judges.yaml"
    broken.write_text(broken.read_text().replace("unit: judges", "unit: judges\nunits: x"))
    with pytest.raises(InputError) as error:
        load_tree(root)
    assert "judges.yaml" in str(error.value) and "units" in str(error.value)
    assert len(load_tree(PARAMETERS_DIR)) == len(default_tree())  # shipped tree untouched
