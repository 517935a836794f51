"""Published estimates: every number sourced, each reproduced from the study's own inputs."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from removalsim.cli import app
from removalsim.unitcost import evaluate_arithmetic, side_by_side, studies
from removalsim.yamlio import InputError

REQUIRED = {"aic-2024-one-time", "aic-2024-one-million-a-year", "pwbm-2025", "cap-2015",
            "aaf-2015-low", "aaf-2015-high", "critique-2025"}


def test_the_required_studies_are_there():
    assert set(studies()) >= REQUIRED


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_reproduction_matches_the_published_numbers(name):
    rows = studies()[name].reproduce()
    checked = [r for r in rows if r["check"]]
    assert checked, "each study must have a number we reproduce"
    for row in checked:
        assert row["matches"], row
        assert abs(row["reproduced"] / row["published"] - 1) <= row["tolerance"]


@pytest.mark.parametrize("name", sorted(REQUIRED))
def test_every_assumption_is_sourced_or_derived(name):
    a = studies()[name].assumptions
    items = [v for v in a.model_dump().values() if isinstance(v, dict) and "tag" in v]
    items += list(a.model_dump()["unit_costs_usd"].values())
    for item in items:
        if item["tag"] == "D":
            assert evaluate_arithmetic(item["arithmetic"]) == pytest.approx(item["value"],
                                                                            abs=0.01)
        else:
            assert item["source"].startswith("http")


def test_aic_totals_not_reproduced_are_flagged():
    rows = {r["metric"]: r for r in studies()["aic-2024-one-million-a-year"].reproduce()}
    assert rows["per_year"]["matches"]
    assert not rows["total"]["check"] and not rows["total"]["matches"]


def test_side_by_side_includes_the_model_answer():
    rows = side_by_side(["cap-2015", "critique-2025"])
    for row in rows:
        assert row["model"]["cost_per_removal_usd"] > 0
        assert row["differs_because"]
    assert rows[0]["per_removal_usd_model_price_year"] > rows[0]["per_removal_usd"]  # inflation
    with pytest.raises(InputError, match="unknown study"):
        side_by_side(["nope"])


def test_estimates_cli():
    runner = CliRunner()
    out = runner.invoke(app, ["estimates", "pwbm-2025", "--json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data[0]["published"][0]["published"] == 70236
    table = runner.invoke(app, ["estimates"])
    assert table.exit_code == 0 and "aaf-2015-high" in table.output
    assert runner.invoke(app, ["estimates", "nope"]).exit_code == 2
