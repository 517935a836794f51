"""Calibration: fits improve the objective, respect their cap, give the same result twice, and
write outside the package unless told otherwise."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from removalsim import sources
from removalsim.analysis import calibrate as cal
from removalsim.cli import app
from removalsim.params import OVERLAY_ENV, PARAMETERS_DIR, default_tree, load_tree
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
    return cal.calibrate([2013], [2014], items=[STAY], max_evaluations=15)


@pytest.fixture
def overlay_env(monkeypatch):
    """Undo any overlay a test switches on (the tree and data version are cached)."""
    from removalsim.model import data_version

    monkeypatch.delenv(OVERLAY_ENV, raising=False)
    yield monkeypatch
    monkeypatch.delenv(OVERLAY_ENV, raising=False)
    default_tree.cache_clear()
    data_version.cache_clear()


def test_fit_does_not_worsen_the_start_and_respects_the_cap(small: cal.Calibration) -> None:
    start = cal.calibrate([2013], [2014], items=[STAY], max_evaluations=1)
    assert start.evaluations == 1 and small.evaluations <= 15
    assert small.cost <= start.cost + 1e-12
    low, high = small.bounds[0]
    assert low <= small.values[0] <= high
    assert start.values[0] == pytest.approx((low + high) / 2)  # the search starts mid-range
    assert small.start[0] == default_tree()[STAY.name].values[STAY.date].value


def test_the_same_record_gives_the_same_fit(small: cal.Calibration, tmp_path: Path) -> None:
    again = cal.calibrate([2013], [2014], items=[STAY], max_evaluations=15)
    assert again.values == small.values and again.cost == small.cost
    a = cal.write_overlay(small, tmp_path / "a.yaml").read_text(encoding="utf-8")
    b = cal.write_overlay(again, tmp_path / "b.yaml").read_text(encoding="utf-8")
    assert a.replace("a.yaml", "b.yaml") == b


def test_calibrating_twice_changes_nothing(small: cal.Calibration, tmp_path: Path,
                                           overlay_env) -> None:
    first = cal.write_overlay(small, tmp_path / "fit.yaml").read_bytes()
    overlay_env.setenv(OVERLAY_ENV, str(tmp_path / "fit.yaml"))  # the first fit now in force
    default_tree.cache_clear()
    again = cal.calibrate([2013], [2014], items=[STAY], max_evaluations=15)
    assert again.start[0] == pytest.approx(small.values[0], rel=1e-5)
    assert cal.write_overlay(again, tmp_path / "fit.yaml").read_bytes() == first


def test_items_out_of_the_window_are_not_fitted() -> None:
    late = cal.FitItem("courts.relief_share", dt.date(2025, 1, 20), "late era")
    result = cal.calibrate([2013], [], items=[STAY, late], max_evaluations=5)
    assert result.items == [STAY]
    assert result.not_fitted == [late]


@pytest.mark.parametrize(
    "item, message",
    [
        (cal.FitItem("no.such", dt.date(2018, 10, 1), "x"), "unknown parameter"),
        (cal.FitItem("detention.summary_days", dt.date(1999, 1, 1), "x"), "has no value dated"),
        (cal.FitItem("pathways.expedited_removal", dt.date(2018, 10, 1), "x"), "plain number"),
        (cal.FitItem("detention.beds", dt.date(2019, 10, 1), "x"), "is a lever"),
    ],
)
def test_bad_items_are_refused(item: cal.FitItem, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        cal.check_items([item], default_tree())


def test_overlapping_or_unrecorded_years_are_refused() -> None:
    with pytest.raises(ValueError, match="overlap"):
        cal.calibrate([2013, 2014], [2014], items=[STAY])
    with pytest.raises(ValueError, match="no statistics on record"):
        cal.calibrate([2030], [], items=[STAY])


def test_weights_file_errors_name_file_key_and_line(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("removals:\n  weight: 1\n  reason: the headline series\nbogus:\n"
                    "  weight: 1\n  reason: not a series at all\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"w.yaml: line 4: key 'bogus': unknown series"):
        cal.load_weights(path)
    path.write_text("removals:\n  weight: -1\n  reason: the headline series\n", encoding="utf-8")
    with pytest.raises(InputError, match="weight must be a number"):
        cal.load_weights(path)
    assert set(cal.load_weights()) <= set(cal.SERIES)


def test_overlay_is_written_outside_the_package_only(small: cal.Calibration) -> None:
    with pytest.raises(InputError, match="outside the package"):
        cal.write_overlay(small, PARAMETERS_DIR / "x.yaml")
    assert not (PARAMETERS_DIR / "x.yaml").exists()


def test_the_loader_overlays_a_calibration_file(small: cal.Calibration, tmp_path: Path,
                                                overlay_env) -> None:
    path = cal.write_overlay(small, tmp_path / "cal.yaml")
    shipped = default_tree()[STAY.name].values[STAY.date].value
    overlay_env.setenv(OVERLAY_ENV, str(path))
    default_tree.cache_clear()
    param = default_tree()[STAY.name]
    assert param.values[STAY.date].value == pytest.approx(small.values[0], rel=1e-5)
    assert param.status == "calibrated" and param.fit["fit_years"] == [2013]
    assert param.values[STAY.date].value != shipped


def test_a_bad_calibration_file_is_one_line_and_exit_2(tmp_path: Path, overlay_env) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("fit:\n  run: x\nvalues:\n  detention.sumary_days:\n    date: 2011-10-01\n"
                    "    value: 3\n", encoding="utf-8")
    out = runner.invoke(app, ["--calibration", str(path), "run", "fy2019", "--years", "1"])
    assert out.exit_code == 2 and len(out.output.strip().splitlines()) == 1
    assert "bad.yaml: line 4: key 'values.detention.sumary_days': unknown parameter" in out.output
    assert "detention.summary_days" in out.output  # did you mean


def test_write_package_records_value_status_and_run(small: cal.Calibration,
                                                    tmp_path: Path) -> None:
    root = tmp_path / "parameters"
    shutil.copytree(PARAMETERS_DIR, root)
    written = cal.write_package(small, root=root)
    assert written == [root / "detention" / "summary_days.yaml"]
    param = load_tree(root)["detention.summary_days"]
    entry = param.values[STAY.date]
    assert entry.status == "calibrated" and param.status == "calibrated"
    assert entry.value == pytest.approx(small.values[0], rel=1e-5)
    assert param.fit["fit_years"] == [2013] and param.fit["run"].startswith("calibrate-")
    assert sources.parameter_problems(param) == []


def test_an_invalid_result_writes_nothing(small: cal.Calibration, tmp_path: Path) -> None:
    root = tmp_path / "parameters"
    shutil.copytree(PARAMETERS_DIR, root)
    before = _digest(root)
    bad = cal.Calibration(**{**small.__dict__, "values": [500.0]})  # outside its valid range
    with pytest.raises(InputError, match="fitted values are invalid"):
        cal.write_package(bad, root=root)
    assert _digest(root) == before


def test_shipped_calibration_is_recorded() -> None:
    tree = default_tree()
    for param in tree.values():
        if not param.fit:
            assert all(e.status != "calibrated" for e in param.values.values())
            continue
        assert param.status == "calibrated" and param.fit["run"].startswith("calibrate-")
        assert not set(param.fit["fit_years"]) & set(param.fit["test_years"])
        flagged = str(param.fit["at_bound"])
        for day, entry in param.values.items():
            if entry.status != "calibrated":
                continue
            low, high = cal.bounds_of(param, day)
            margin = cal.BOUND_TOLERANCE * (high - low)
            at_bound = entry.value <= low + margin or entry.value >= high - margin
            assert at_bound == (str(day) in flagged), (param.description, day)


def test_cli_writes_the_overlay_and_never_the_package(tmp_path: Path) -> None:
    before = _digest(PARAMETERS_DIR)
    target = tmp_path / "fit.yaml"
    out = runner.invoke(app, ["calibrate", "--fit", "2013", "--test", "2014", "--json",
                              "--max-evaluations", "10", "--out", str(target)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["written"] == [str(target)] and target.is_file()
    assert data["evaluations"] <= 10 and data["fit_years"] == [2013]
    assert {"parameters", "mape_fit", "mape_test", "not_fitted", "weights"} <= set(data)
    assert _digest(PARAMETERS_DIR) == before
    dry = runner.invoke(app, ["calibrate", "--fit", "2013", "--dry-run", "--json",
                              "--max-evaluations", "10", "--out", str(tmp_path / "no.yaml")])
    assert json.loads(dry.output)["written"] == [] and not (tmp_path / "no.yaml").exists()


@pytest.mark.parametrize(
    "args, message",
    [(["--fit", "2030"], "years must run from"), (["--fit", "2013", "--test", "2013"], "overlap")],
)
def test_cli_bad_input(args: list[str], message: str) -> None:
    before = _digest(PARAMETERS_DIR)
    out = runner.invoke(app, ["calibrate", "--dry-run", *args])
    assert out.exit_code == 2 and message in out.output
    assert _digest(PARAMETERS_DIR) == before
