"""Bad input of every kind gets one line naming the file, key and line (or the option), exit 2.

Also: nothing is written when a command fails, sweeps replace their file atomically and clean up
after a killed run, and the output of ``goal`` and ``budget`` runs again as it is printed.
Parameter names are taken from the parameter tree, never written out.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

import removalsim
from removalsim.analysis.sweep import clean_partials
from removalsim.cli import app
from removalsim.params import default_tree
from removalsim.prices import PRICE_YEAR, to_price_year
from removalsim.scenario import load_scenario
from removalsim.yamlio import InputError

runner = CliRunner()
TREE = default_tree()
LEVER = next(n for n, p in TREE.items() if p.kind == "lever" and p.ui and not p.is_switch
             and p.choices is None and p.ui.max > 10 and not p.unit.startswith("USD"))
"""A numeric lever (any will do)."""
DOLLARS = next(n for n, p in TREE.items() if p.unit.startswith("USD")
               and any(v.price_year and v.price_year < PRICE_YEAR for v in p.values.values()))
"""A dollar parameter whose value is in an earlier year's dollars."""


def _error(*args: str) -> str:
    """Run a command that must fail: one line starting ``error:``, exit 2, no traceback."""
    result = runner.invoke(app, list(args))
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.output
    assert "Traceback" not in result.output and "Value error," not in result.output
    return lines[0]


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", [["run"], ["mc", "--draws", "2"]])
def test_a_binary_scenario_file(tmp_path: Path, command: list[str]):
    path = tmp_path / "b.yaml"
    path.write_bytes(bytes(range(256)))
    line = _error(*command[:1], str(path), *command[1:])
    assert "b.yaml" in line and "not a text" in line


def test_a_control_character_in_a_scenario_file(tmp_path: Path):
    # valid UTF-8 that YAML refuses (found by the CLI fuzz test under seed 5)
    path = _write(tmp_path / "c.yaml", "description: ok\nyears: 2\n\x1f: 1\n")
    line = _error("compare", f"fy2019+{path}", "fy2019")
    assert "c.yaml: line 3:" in line and "#x001f" in line


def test_a_binary_grid_file(tmp_path: Path):
    grid = tmp_path / "g.yaml"
    grid.write_bytes(b"\xff\xfe\x00binary")
    line = _error("sweep", str(grid), "--out", str(tmp_path / "r.duckdb"))
    assert "g.yaml" in line and "not a text" in line


@pytest.mark.parametrize(("text", "where"), [
    ("description: a bad start date\nstart: 2019-02-30\n", "line 2: '2019-02-30'"),
    (f"description: a bad change date\nchanges:\n  {LEVER}:\n    2020-13-01: 5\n",
     "line 4: '2020-13-01'"),
])
def test_impossible_dates(tmp_path: Path, text: str, where: str):
    line = _error("run", str(_write(tmp_path / "d.yaml", text)))
    assert where in line and "d.yaml" in line


def test_a_scenario_that_is_its_own_baseline(tmp_path: Path):
    own = _write(tmp_path / "own.yaml",
                 f"description: my own base\nbaseline: {tmp_path}/own.yaml\n")
    assert "baseline cycle: own.yaml -> own.yaml" in _error("run", str(own))
    _write(tmp_path / "a.yaml", f"description: a on b\nbaseline: {tmp_path}/b.yaml\n")
    _write(tmp_path / "b.yaml", f"description: b on a\nbaseline: {tmp_path}/a.yaml\n")
    assert "a.yaml -> b.yaml -> a.yaml" in _error("run", str(tmp_path / "a.yaml"))


@pytest.mark.parametrize("text", ["x: &a [*a]\n", "x: &a {y: *a}\n"])
def test_recursive_yaml_anchors(tmp_path: Path, text: str):
    assert "recursive anchor" in _error("run", str(_write(tmp_path / "r.yaml", text)))


def test_many_aliases_are_refused():
    layers = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"] + [
        f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 7)]
    with pytest.raises(InputError, match="aliases used too often"):
        removalsim.scenario.parse_scenario("\n".join(layers), "bomb")


def test_a_bad_plot_path_is_refused_before_any_work(tmp_path: Path):
    assert "does not exist" in _error("run", "fy2019", "--plot", "/nonexistent/dir/x.png")
    (tmp_path / "x.png").mkdir()
    assert "is a folder" in _error("run", "fy2019", "--plot", str(tmp_path / "x.png"))
    assert ".png" in _error("run", "fy2019", "--plot", str(tmp_path / "x.txt"))
    assert "does not exist" in _error("compare", "fy2019", "current", "--plot",
                                      "/nonexistent/x.png")
    assert "does not exist" in _error("mc", "fy2019", "--plot", "/nonexistent/x.png")


def test_a_csv_path_that_is_a_file_is_refused(tmp_path: Path):
    existing = _write(tmp_path / "passwd", "root:x:0:0\n")
    assert "is a file" in _error("run", "fy2019", "--csv", str(existing))
    assert existing.read_text() == "root:x:0:0\n"
    # the folder is made, but not the folders above it (found by the CLI fuzz test, seed 7)
    line = _error("run", "fy2019", "--csv", str(tmp_path / "deep" / "er" / "csv"))
    assert "does not exist" in line and not (tmp_path / "deep").exists()


def test_sweep_out_a_folder_is_refused_before_the_cluster(tmp_path: Path):
    grid = _write(tmp_path / "g.yaml", "scenario: fy2019\ndraws: 1\nyears: 0.1\n")
    line = _error("sweep", str(grid), "--out", str(tmp_path), "--overwrite")
    assert "is a folder" in line


def test_sweep_grid_errors_name_file_and_line_before_the_cluster(tmp_path: Path):
    grid = _write(tmp_path / "g.yaml", f"scenario: fy2019\ndraws: 1\nlevers:\n  {LEVER}:"
                                       " [1, -5]\n")
    line = _error("sweep", str(grid), "--out", str(tmp_path / "r.duckdb"))
    assert "g.yaml: line 4" in line and "outside the valid range" in line
    grid = _write(tmp_path / "g.yaml", "scenario: [fy2019, fy2109]\ndraws: 1\n")
    line = _error("sweep", str(grid), "--out", str(tmp_path / "r.duckdb"))
    assert "g.yaml: line 1" in line and "did you mean 'fy2019'" in line


def test_stale_partial_files_are_removed_and_live_ones_refused(tmp_path: Path):
    out = tmp_path / "r.duckdb"
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()
    stale = [_write(tmp_path / f".r.duckdb.{dead}.partial", "x"),
             _write(tmp_path / f".r.duckdb.{dead}.partial.wal", "x")]
    other = _write(tmp_path / ".other.duckdb.1.partial", "x")
    assert clean_partials(out) == sorted(stale)
    assert not any(p.exists() for p in stale) and other.exists()
    _write(tmp_path / f".r.duckdb.{os.getppid()}.partial", "x")
    with pytest.raises(InputError, match="another sweep"):
        clean_partials(out)


def test_params_at_a_bad_date():
    assert "--at takes a date as YYYY-MM-DD, got 'notadate'" in _error("params", "--at",
                                                                        "notadate")


def test_a_mistyped_segment_is_named_with_a_suggestion():
    line = _error("goal", "--remove", "1000", "--years", "1", "--segments", "final_ordr")
    assert "unknown segment 'final_ordr'; did you mean 'final_order'?" in line


def test_an_unknown_study_is_named_not_listed():
    line = _error("estimates", "nosuch")
    assert "unknown study 'nosuch'" in line and "[" not in line


def test_a_missing_file_is_not_an_unknown_scenario(tmp_path: Path):
    line = _error("run", str(tmp_path / "fy2019.yaml"))
    assert "no such scenario file" in line and "did you mean 'fy2019'" in line
    assert "did you mean 'fy2019'" in _error("run", "fy2109")


def test_mistyped_names_and_keys_get_suggestions(tmp_path: Path):
    typo = LEVER[:-1] + ("x" if LEVER[-1] != "x" else "y")
    assert f"did you mean '{LEVER}'" in _error("run", "fy2019", "--set", f"{typo}=1")
    path = _write(tmp_path / "k.yaml", "description: a typo in a key\nchangez: {}\n")
    assert "line 2: key 'changez': unknown key; did you mean 'changes'?" in _error("run",
                                                                                   str(path))


def test_usage_errors_are_one_line():
    assert "--years" in _error("run", "fy2019", "--years", "0")
    assert "No such option" in _error("run", "fy2019", "--bogus")
    assert "Did you mean 'run'" in _error("rn")


def test_version(monkeypatch):
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"removalsim {removalsim.__version__}"
    assert removalsim.__version__[0].isdigit()
    # the shell is detected from the process tree, which depends on how the suite was started
    monkeypatch.setattr("typer.completion._get_shell_name", lambda: "bash")
    completion = runner.invoke(app, ["--show-completion"], prog_name="removalsim")
    assert completion.exit_code == 0 and "_removalsim_completion" in completion.output


def test_dollars_state_their_price_year():
    year = min(v.price_year for v in TREE[DOLLARS].values.values() if v.price_year)
    base = TREE[DOLLARS].value_at(load_scenario("fy2019").start)
    stated = load_scenario("fy2019").with_changes({DOLLARS: f"{base}@{year}"})
    plain = load_scenario("fy2019").with_changes({DOLLARS: to_price_year(base, year)})
    assert stated.changes[DOLLARS] == pytest.approx(plain.changes[DOLLARS])
    default = load_scenario("fy2019").with_changes({DOLLARS: base})
    assert next(iter(default.changes[DOLLARS].values())) == base  # plain numbers: 2025 dollars
    line = _error("run", "fy2019", "--set", f"{DOLLARS}=12@1800")
    assert "no CPI-U value for 1800" in line
    assert "NUMBER@YEAR" in _error("run", "fy2019", "--set", f"{DOLLARS}=cheap")


def test_values_off_the_record_draw_a_warning():
    top = TREE[LEVER].ui.max
    result = runner.invoke(app, ["run", "fy2019", "--years", "1", "--json",
                                 "--set", f"{LEVER}={top}"])
    assert result.exit_code == 0
    assert "warning:" in result.output and "outside anything on record" in result.output


@pytest.mark.slow
@pytest.mark.parametrize("command", [["goal", "--remove", "450000"], ["budget", "--usd", "1e9"]])
def test_goal_and_budget_changes_run_again(tmp_path: Path, command: list[str]):
    result = runner.invoke(app, [*command, "--years", "1", "--from", "fy2019", "--json"])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert out["changes"], out
    again = removalsim.run("fy2019", years=1, changes=out["changes"], marginal=False)
    plain = removalsim.run("fy2019", years=1, marginal=False)
    assert again.headline["removals_total"] > plain.headline["removals_total"]
    scenario = _write(tmp_path / "plan.yaml", json.dumps(
        {"description": "the plan, as printed", "baseline": "fy2019", "years": 1,
         "changes": out["changes"]}))
    cli = runner.invoke(app, ["run", str(scenario), "--json"])
    assert cli.exit_code == 0, cli.output
    assert json.loads(cli.output)["removals_total"] == pytest.approx(
        again.headline["removals_total"])


@pytest.mark.parametrize(("module", "command", "extra"), [
    ("uvicorn", ["serve"], "web"),
    ("plotly", ["report", "fy2019", "-o", "r.html"], "report"),
])
def test_a_missing_extra_is_named(monkeypatch, tmp_path: Path, module: str, command: list[str],
                                  extra: str):
    monkeypatch.setitem(sys.modules, module, None)  # as if it were not installed
    monkeypatch.chdir(tmp_path)
    line = _error(*command)
    assert f"pip install 'removalsim[{extra}]'" in line
