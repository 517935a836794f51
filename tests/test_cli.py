"""The command line: the answer for people, JSON and CSV for programs, clean errors."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from removalsim.cli import app

runner = CliRunner()
KEYS = {"scenario", "removals_by_fiscal_year", "removals_total", "target", "years_to_target",
        "binding_constraint", "binding_share", "marginal_removals", "cost_total_usd",
        "cost_per_removal_usd", "cost_by_stage_usd", "detention_peak", "court_backlog_end",
        "model_version", "data_version", "scenario_hash"}


def _invoke(*args: str):
    return runner.invoke(app, list(args))


def test_run_prints_the_answer_first():
    result = _invoke("run", "millions-2019")
    assert result.exit_code == 0, result.output
    first = result.output.strip().splitlines()[0]
    assert "1,000,000 removals of people with final orders" in first
    assert "By fiscal year" in result.output


def test_run_json_has_every_key_with_finite_numbers():
    result = _invoke("run", "current", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert set(data) >= KEYS

    def finite(value):
        if isinstance(value, dict):
            return all(finite(v) for v in value.values())
        if isinstance(value, list):
            return all(finite(v) for v in value)
        return not isinstance(value, float) or math.isfinite(value)

    assert finite(data)
    assert data["binding_constraint"] in data["shadow_removals"]
    assert data["binding_stage"] in data["binding_share"]
    assert sum(r["removals"] for r in data["removals_by_fiscal_year"]) == pytest.approx(
        data["removals_total"])


@pytest.mark.slow
def test_run_writes_csv_and_png(tmp_path: Path):
    result = _invoke("run", "fy2019", "--years", "2", "--csv", str(tmp_path / "out"),
                     "--plot", str(tmp_path / "chart.png"))
    assert result.exit_code == 0, result.output
    daily = (tmp_path / "out" / "daily.csv").read_text().splitlines()
    assert daily[0].startswith("date,") and len(daily) == round(2 * 365.25) + 1
    assert (tmp_path / "out" / "fiscal_years.csv").exists()
    assert (tmp_path / "chart.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_set_changes_the_answer_and_rejects_bad_values():
    base = json.loads(_invoke("run", "fy2019", "--years", "2", "--json").output)
    more = json.loads(_invoke("run", "fy2019", "--years", "2", "--json",
                              "--set", "arrests.officers=8000").output)
    assert more["removals_total"] > base["removals_total"]
    assert more["scenario_hash"] != base["scenario_hash"]
    bad = _invoke("run", "fy2019", "--set", "detention.beds=-5")
    assert bad.exit_code == 2 and "outside the valid range" in bad.output
    unknown = _invoke("run", "fy2019", "--set", "detention.bedz=5")
    assert unknown.exit_code == 2 and "unknown parameter" in unknown.output


def test_broken_scenario_file_errors_cleanly(tmp_path: Path):
    path = tmp_path / "broken.yaml"
    path.write_text("description: broken one\nchanges:\n  courts.judgez: 900\n")
    result = _invoke("run", str(path), "--json")
    assert result.exit_code == 2
    assert "broken.yaml" in result.output and "line 3" in result.output
    assert "courts.judgez" in result.output and "{" not in result.output


def test_compare_reports_differences():
    result = _invoke("compare", "fy2019", "border-surge-2019", "--years", "2", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    rows = {r["output"]: r for r in data["difference"]}
    assert rows["removals_total"]["difference"] == pytest.approx(
        data["b"]["removals_total"] - data["a"]["removals_total"])
    table = _invoke("compare", "fy2019", "border-surge-2019", "--years", "2")
    assert "% change" in table.output and "border-surge-2019 (baseline)" not in table.output


def test_params_and_scenarios():
    beds = _invoke("params", "detention.beds", "--at", "2019-06-01", "--json")
    rows = json.loads(beds.output)
    assert rows[0]["value"] == 45000 and rows[0]["href"].startswith("http")  # the FY2019 act
    assert "detention.beds" in _invoke("params", "beds").output
    assert _invoke("params", "no-such-thing").exit_code == 2
    names = {row["name"] for row in json.loads(_invoke("scenarios", "--json").output)}
    assert {"fy2019", "millions-2019", "current", "one-million-a-year"} <= names
