"""A study file of one's own: validated with file, key and line; totals with and without fixed
costs; no model question needed for a study that is not about removals. The numbers here are
made up for the test (round numbers), not taken from any publication."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from removalsim.cli import app
from removalsim.unitcost import load_studies, side_by_side

SOURCE = "https://example.org/a-test-study"
STUDY = f"""\
title: A made-up cost of added detention (test)
url: {SOURCE}
question: What do 1,000 more detention beds cost for two years?
reproduction: Beds times the cost of a bed-year, plus a fixed cost a year.
assumptions:
  price_year: {{value: 2020, tag: S, source: {SOURCE}}}
  population: {{value: 1000, tag: S, source: {SOURCE}}}
  horizon_years: {{value: 2, tag: S, source: {SOURCE}}}
  unit_costs_usd:
    detention: {{value: 50000, tag: S, source: {SOURCE}}}
  fixed_usd_per_year: {{value: 1000000, tag: S, source: {SOURCE}}}
published:
  - {{metric: total, value: 52000000, tag: S, source: {SOURCE}, check: true, tolerance: 0.001,
     rounding: exact}}
differs_because: [It is a test.]
"""


def test_a_study_without_a_model_question(tmp_path: Path):
    path = tmp_path / "beds.yaml"
    path.write_text(STUDY)
    [row] = side_by_side(None, path)
    assert row["study"] == "beds" and row["model"] is None
    assert row["total_usd"] == pytest.approx(52e6)
    assert row["total_without_fixed_usd"] == pytest.approx(50e6)
    assert row["fixed_usd"] == pytest.approx(2e6)
    assert row["published"][0]["matches"]
    result = CliRunner().invoke(app, ["estimates", "--study", str(path), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)[0]["total_without_fixed_usd"] == pytest.approx(50e6)
    table = CliRunner().invoke(app, ["estimates", "--study", str(path)])
    assert table.exit_code == 0 and "without" in table.output


def test_the_shipped_layout_works_too(tmp_path: Path):
    path = tmp_path / "many.yaml"
    path.write_text("studies:\n  beds:\n" + "".join(f"    {line}\n" for line in
                                                     STUDY.splitlines()))
    assert list(load_studies(path)) == ["beds"]


@pytest.mark.parametrize(("old", "new", "message"), [
    ("question:", "questoin:", "line 3: key 'questoin': unknown key; did you mean 'question'?"),
    ("value: 50000, tag: S", "value: 50000, tag: X", "line 10: key "
     "'assumptions.unit_costs_usd.detention.tag'"),
    (f"tag: S, source: {SOURCE}}}\n  population", "tag: S}\n  population",
     "needs a source URL"),
])
def test_a_bad_study_file_names_the_line_and_key(tmp_path: Path, old: str, new: str,
                                                   message: str):
    path = tmp_path / "bad.yaml"
    assert old in STUDY
    path.write_text(STUDY.replace(old, new, 1))
    result = CliRunner().invoke(app, ["estimates", "--study", str(path)])
    assert result.exit_code == 2
    assert "bad.yaml" in result.output and message in result.output, result.output
    assert "Value error" not in result.output
