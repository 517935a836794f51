"""Sweeps: a grid of levers times draws on a local Dask cluster, written to a queryable DuckDB."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pytest
from typer.testing import CliRunner

from removalsim.analysis.mc import monte_carlo
from removalsim.analysis.sweep import Grid, load_grid, sweep
from removalsim.cli import app
from removalsim.yamlio import InputError

EXAMPLE = Path(__file__).parents[1] / "examples" / "grid.yaml"
GRID = """\
scenario: [millions-2019, fy2019]
years: 2
draws: 12
seed: 3
levers:
  detention.beds: [40000, 90000]
  courts.rocket_docket_share: [0.0, 0.2]
"""


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sweep")
    grid = folder / "grid.yaml"
    grid.write_text(GRID)
    out = folder / "results.duckdb"
    result = sweep(grid, out, workers=2)
    return result, duckdb.connect(str(out), read_only=True)


@pytest.mark.slow
def test_every_point_and_draw_lands_in_duckdb(swept):
    result, con = swept
    assert result.points == 8 and result.workers == 2 and result.scheduler == "local"
    assert con.execute("SELECT count(*) FROM points").fetchone()[0] == 8
    assert con.execute("SELECT count(*) FROM draws").fetchone()[0] == 8 * 12
    levers = con.execute("SELECT DISTINCT detention_beds, courts_rocket_docket_share FROM points "
                         "ORDER BY ALL").fetchall()
    assert levers == [(40000.0, 0.0), (40000.0, 0.2), (90000.0, 0.0), (90000.0, 0.2)]
    assert con.execute("SELECT count(DISTINCT output) FROM fiscal_years").fetchone()[0] > 10
    n = con.execute("SELECT count(*) FROM samples").fetchone()[0]
    assert n == 12 * con.execute("SELECT count(DISTINCT parameter) FROM samples").fetchone()[0]


@pytest.mark.slow
def test_a_point_equals_a_monte_carlo_run_with_its_levers(swept):
    _, con = swept
    point, scenario = con.execute(
        "SELECT point_id, scenario FROM points WHERE detention_beds = 90000 "
        "AND courts_rocket_docket_share = 0.2 AND scenario = 'millions-2019'").fetchone()
    stored = con.execute(
        f"SELECT removals_total FROM draws WHERE point_id = {point} ORDER BY draw"
    ).fetchnumpy()["removals_total"]
    mc = monte_carlo(scenario, 12, seed=3, years=2,
                     changes={"detention.beds": 90000, "courts.rocket_docket_share": 0.2})
    np.testing.assert_allclose(stored, mc.outputs["removals_total"], rtol=1e-12)


@pytest.mark.slow
def test_not_reached_is_null_and_the_summary_view_is_honest(swept):
    _, con = swept
    rows = con.execute("SELECT p_target, years_to_target_p95, has_target FROM summary").fetchall()
    for p_target, p95, has_target in rows:
        if not has_target:
            assert p_target is None and p95 is None
        elif p_target < 0.95:
            assert p95 == float("inf")
    reached = con.execute("SELECT count(*) FROM draws WHERE reached AND years_to_target IS NULL")
    assert reached.fetchone()[0] == 0
    assert con.execute("SELECT count(*) FROM draws WHERE isnan(years_to_target)").fetchone()[0] == 0


def test_an_existing_file_is_not_overwritten_unless_asked(tmp_path):
    out = tmp_path / "r.duckdb"
    out.write_text("keep me")
    grid = Grid(scenario="fy2019", years=1, draws=2)
    with pytest.raises(InputError, match="exists"):
        sweep(grid, out)
    assert out.read_text() == "keep me"


@pytest.mark.parametrize(("text", "message"), [
    ("scenario: fy2019\ndraws: 2\nlevers:\n  detention.bedz: [1]\n", "unknown parameter"),
    ("scenario: fy2019\ndraws: 2\ncolour: red\n", "unknown key"),
    ("scenario: fy2019\ndraws: 0\n", "draws"),
    ("scenario: fy2019\nlevers:\n  detention.beds: [-5]\n", "outside the valid range"),
    ("scenario: nowhere\n", "unknown scenario"),
])
def test_bad_grids_are_refused_with_the_file_and_line(tmp_path, text, message):
    grid = tmp_path / "bad.yaml"
    grid.write_text(text)
    out = tmp_path / "r.duckdb"
    with pytest.raises(InputError, match=message):
        sweep(grid, out)
    assert not out.exists()


def test_the_example_grid_is_valid():
    grid, text = load_grid(EXAMPLE)
    assert len(grid.points()) == 18 and "levers" in text


@pytest.mark.slow
def test_sweep_command(tmp_path):
    grid = tmp_path / "grid.yaml"
    grid.write_text("scenario: fy2019\nyears: 1\ndraws: 4\nlevers:\n"
                    "  arrests.officers: [5000, 7000]\n")
    out = tmp_path / "r.duckdb"
    result = CliRunner().invoke(app, ["sweep", str(grid), "--out", str(out), "--workers", "1",
                                      "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["points"] == 2 and data["draws"] == 4
    with duckdb.connect(str(out), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM summary").fetchone()[0] == 2
    again = CliRunner().invoke(app, ["sweep", str(grid), "--out", str(out)])
    assert again.exit_code == 2 and "exists" in again.output
