"""Calibration: fits improve the objective, results are written safely and recorded in full."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from removalsim.analysis import calibrate as cal
from removalsim.cli import app
from removalsim.params import PARAMETERS_DIR, default_tree, load_tree
from removalsim.yamlio import InputError

runner = CliRunner()
STAY = cal.FitItem("detention.summary_days", dt.date(2011, 10, 1), "stay, test")


def _digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.yaml")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="module")
def small() -> cal.Calibration:
    return cal.calibrate([2013], [2012], items=[STAY], max_evaluations=40)


def test_fit_does_not_worsen_the_fit_years(small: cal.Calibration) -> None:
    start = cal.calibrate([2013], [2012], items=[STAY], max_evaluations=1)
    assert small.cost <= start.cost + 1e-12
    low, high = small.bounds[0]
    assert low <= small.values[0] <= high
    assert small.start[0] == default_tree()[STAY.name].values[STAY.date].value


def test_items_out_of_the_window_are_not_fitted() -> None:
    late = cal.FitItem("arrests.detainer_share", dt.date(2025, 1, 20), "late era")
    result = cal.calibrate([2013], [], items=[STAY, late], max_evaluations=5)
    assert result.items == [STAY]
    assert result.not_fitted == [late]


@pytest.mark.parametrize(
    "item, message",
    [
        (cal.FitItem("no.such", dt.date(2018, 10, 1), "x"), "unknown parameter"),
        (cal.FitItem("detention.beds", dt.date(1999, 1, 1), "x"), "has no value dated"),
        (cal.FitItem("pathways.expedited_removal", dt.date(2018, 10, 1), "x"), "plain number"),
    ],
)
def test_bad_items_are_refused(item: cal.FitItem, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cal.check_items([item], default_tree())


def test_overlapping_or_unrecorded_years_are_refused() -> None:
    with pytest.raises(ValueError, match="overlap"):
        cal.calibrate([2013, 2014], [2014], items=[STAY])
    with pytest.raises(ValueError, match="no full-year statistics"):
        cal.calibrate([2026], [], items=[STAY])


def _manual(value: float) -> cal.Calibration:
    return cal.Calibration(
        items=[STAY], start=[15.0], values=[value], bounds=[(5.0, 40.0)], fit_years=[2013],
        test_years=[2012], mape_fit={"removals": 5.0, "adp": 4.0},
        mape_test={"removals": 9.0, "adp": 8.0}, cost=0.1, evaluations=3, not_fitted=[],
    )


def test_write_records_value_status_and_window(tmp_path: Path) -> None:
    root = tmp_path / "parameters"
    shutil.copytree(PARAMETERS_DIR, root)
    written = cal.write(_manual(40.0), root=root, today=dt.date(2026, 1, 2))
    assert written == [root / "detention" / "summary_days.yaml"]
    param = load_tree(root)["detention.summary_days"]
    entry = param.values[STAY.date]
    assert entry.value == 40.0 and entry.status == "calibrated" and param.status == "calibrated"
    assert "ENDS AT A BOUND" in entry.reference.note
    assert param.fit["fit_years"] == [2013] and param.fit["test_years"] == [2012]
    assert param.fit["mape_fit_removals"] == 5.0 and param.fit["at_bound"] == "2011-10-01"
    assert _manual(20.0).at_bound() == [] and _manual(5.0).at_bound() == [STAY]


def test_invalid_result_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "parameters"
    shutil.copytree(PARAMETERS_DIR, root)
    before = _digest(root)
    with pytest.raises(InputError, match="fitted values are invalid"):
        cal.write(_manual(500.0), root=root)  # outside the assumption's range
    assert _digest(root) == before


def test_shipped_calibration_is_recorded() -> None:
    tree = default_tree()
    fitted = [p for p in tree.values() if p.fit]
    # v2 ships no calibrated value yet (hand-set values are labelled assumptions): whatever a
    # calibration run writes must carry its record
    assert all(e.status != "calibrated" for p in tree.values() if not p.fit
               for e in p.values.values())
    for param in fitted:
        assert param.status == "calibrated"
        assert not set(param.fit["fit_years"]) & set(param.fit["test_years"])
        flagged = {s.strip() for s in str(param.fit["at_bound"]).split(",") if s.strip() != "none"}
        for day, entry in param.values.items():
            if entry.status != "calibrated":
                continue
            low, high = cal.bounds_of(param, day)
            at_bound = min(entry.value - low, high - entry.value) <= cal.BOUND_TOLERANCE * (
                high - low)
            assert at_bound == (str(day) in flagged), (param.description, day)


def test_cli_dry_run_writes_nothing() -> None:
    before = _digest(PARAMETERS_DIR)
    out = runner.invoke(app, ["calibrate", "--fit", "2013", "--test", "2012", "--dry-run",
                              "--json", "--max-evaluations", "10"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["written"] == [] and data["fit_years"] == [2013]
    assert {"parameters", "mape_fit", "mape_test", "not_fitted"} <= set(data)
    assert _digest(PARAMETERS_DIR) == before


@pytest.mark.parametrize(
    "args, message",
    [(["--fit", "2030"], "years must run from"), (["--fit", "2013", "--test", "2013"], "overlap")],
)
def test_cli_bad_input(args: list[str], message: str) -> None:
    before = _digest(PARAMETERS_DIR)
    out = runner.invoke(app, ["calibrate", "--dry-run", *args])
    assert out.exit_code == 2 and message in out.output
    assert _digest(PARAMETERS_DIR) == before
