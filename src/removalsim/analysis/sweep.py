"""Sweeps: a grid of lever values times Monte Carlo draws, run on Dask, stored in DuckDB.

A grid file names one or more scenarios and lists values for some levers; every combination is
a grid point, and every point runs the same draws of the assumptions (the same seed, so the
points differ only by their levers: common random numbers). The points run as Dask tasks on a
local cluster (one single-threaded worker process per core) or on a remote scheduler, and the
results land in one DuckDB file:

- ``sweep``: one row describing the run (grid text, draws, seed, versions, time taken);
- ``points``: one row per grid point: ``point_id``, ``scenario``, ``scenario_hash``,
  ``has_target`` and one column per lever (``detention.beds`` becomes ``detention_beds``);
- ``draws``: one row per point and draw: the headline numbers, ``reached`` and
  ``binding_constraint``; ``years_to_target`` is NULL when the target is not reached;
- ``fiscal_years``: P5, P50 and P95 of every fiscal-year column, per point and fiscal year;
- ``samples``: the quantile (0-1) of each assumption in each draw (the same for every point);
- ``summary`` (a view): per point, P(target) and P5/P50/P95 of the main outputs, with
  years-to-target beyond the horizon shown as ``inf``.

The file is written under a temporary name (``.OUT.PID.partial`` next to it) and moved into place
with one atomic ``os.replace`` when the sweep is complete, so a failed sweep leaves no
half-written results and never loses an earlier file. The partial files of a sweep that was
killed are removed by the next sweep to the same file (which says so); a sweep still running
to the same file is refused.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import os
import re
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from removalsim.params import Value, default_tree
from removalsim.scenario import MAX_YEARS, Scenario, load_scenario, parameter_value
from removalsim.yamlio import InputError, describe, did_you_mean, line_of, read_text, read_yaml

MAX_POINTS = 10_000
MAX_RUNS = 20_000_000
"""Most grid points, and most runs (points times draws), one sweep may ask for."""
HEADLINE = ("removals_total", "removals_per_year", "years_to_target", "target_removals",
            "cost_total_usd", "cost_per_removal_usd", "detention_peak", "court_backlog_end")
_lock = threading.Lock()


class Grid(BaseModel):
    """A sweep grid, as written in YAML.

    Examples
    --------
    >>> grid = Grid(scenario="fy2019", draws=10, levers={"detention.beds": [40000, 80000]})
    >>> len(grid.points())
    2
    """

    model_config = ConfigDict(extra="forbid")
    description: str | None = None
    scenario: str | Annotated[list[str], Field(min_length=1)] = Field(
        description="Scenario name(s), paths or a+b expressions.")
    years: float | None = Field(default=None, gt=0, le=MAX_YEARS)
    draws: int = Field(default=100, ge=1, le=100_000)
    seed: int = Field(default=0, ge=0)
    levers: dict[str, list[Value]] = Field(default_factory=dict)

    @field_validator("levers")
    @classmethod
    def _known(cls, levers: dict[str, list[Value]]) -> dict[str, list[Value]]:
        tree = default_tree()
        for name, values in levers.items():
            if name not in tree:
                raise ValueError(f"unknown parameter '{name}'{did_you_mean(name, tree)}")
            if not values:
                raise ValueError(f"'{name}' needs at least one value")
            if len(set(map(repr, values))) != len(values):
                raise ValueError(f"'{name}' lists a value twice")
        return levers

    @property
    def scenarios(self) -> list[str]:
        """The scenario names, as a list."""
        return [self.scenario] if isinstance(self.scenario, str) else list(self.scenario)

    def points(self) -> list[tuple[str, dict[str, Value]]]:
        """Every (scenario, lever values) combination, in a stable order."""
        names = list(self.levers)
        combos = itertools.product(*(self.levers[n] for n in names))
        values = [dict(zip(names, combo, strict=True)) for combo in combos]
        return [(s, v) for s in self.scenarios for v in values]


def load_grid(path: str | Path) -> tuple[Grid, str]:
    """Read and check a grid file; returns the grid and its text.

    Raises
    ------
    InputError
        Naming the file, the key and the line of the problem.
    """
    path = Path(path)
    text = read_text(path, "grid file")
    data, lines = read_yaml(text, str(path))
    if not isinstance(data, dict):
        raise InputError(f"{path}: line 1: a grid must be a mapping of keys")
    try:
        grid = Grid.model_validate(data)
    except ValidationError as error:
        raise InputError(describe(error, lines, str(path), Grid)) from None
    count = len(grid.scenarios) * math.prod(len(v) for v in grid.levers.values())
    if count > MAX_POINTS:
        raise InputError(f"{path}: line {line_of(lines, ('levers',))}: key 'levers': the grid "
                         f"has {count:,} points; the limit is {MAX_POINTS:,}")
    tree = default_tree()
    for name, values in grid.levers.items():
        for i, value in enumerate(values):
            try:
                values[i] = parameter_value(tree[name], value, f"key 'levers.{name}'")
            except ValueError as error:
                line = line_of(lines, ("levers", name, i))
                raise InputError(f"{path}: line {line}: {error}") from None
    for i, name in enumerate(grid.scenarios):
        try:
            load_scenario(name)
        except InputError as error:
            loc = ("scenario",) if isinstance(grid.scenario, str) else ("scenario", i)
            raise InputError(f"{path}: line {line_of(lines, loc)}: key 'scenario': "
                             f"{error}") from None
    return grid, text


def check_out(out: str | Path, overwrite: bool) -> Path:
    """Check, before any work, that a sweep can write its DuckDB file at ``out``.

    Raises
    ------
    InputError
        When ``out`` is a folder, its folder is missing, or it exists and ``overwrite`` is off.
    """
    out = Path(out)
    if out.is_dir():
        raise InputError(f"--out: '{out}' is a folder; give the DuckDB file to write")
    if out.exists() and not overwrite:
        raise InputError(f"{out} exists; choose another file or pass --overwrite")
    if out.exists() and not out.is_file():
        raise InputError(f"--out: '{out}' exists and is not a regular file")
    if not out.absolute().parent.is_dir():
        raise InputError(f"--out: folder '{out.absolute().parent}' does not exist")
    if not os.access(out.absolute().parent, os.W_OK):
        raise InputError(f"--out: cannot write in folder '{out.absolute().parent}'")
    return out


def clean_partials(out: Path) -> list[Path]:
    """Remove what killed sweeps to ``out`` left behind; returns the files removed.

    Raises
    ------
    InputError
        When a sweep to the same file is still running.
    """
    removed = []
    for partial in sorted(out.absolute().parent.glob(f".{out.name}.*.partial*")):
        match = re.fullmatch(rf"\.{re.escape(out.name)}\.(\d+)\.partial(\.wal)?", partial.name)
        if match is None:
            continue
        pid = int(match.group(1))
        if pid != os.getpid() and _alive(pid):
            raise InputError(f"another sweep (process {pid}) is writing {out}; wait for it, or "
                             "choose another file")
        partial.unlink(missing_ok=True)
        removed.append(partial)
    return removed


def _alive(pid: int) -> bool:
    """True if a process with this id is running."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # pragma: no cover - another user's process
        return True
    return True


def column_name(parameter: str) -> str:
    """The DuckDB column of a lever: ``detention.beds`` -> ``detention_beds``."""
    return re.sub(r"\W", "_", parameter)


@dataclass
class SweepResult:
    """What a sweep wrote: where, how many points and draws, how long it took."""

    path: Path
    points: int
    draws: int
    seconds: float
    workers: int
    scheduler: str


def _resolve_points(grid: Grid) -> list[dict[str, Any]]:
    from removalsim.model import resolve

    points = grid.points()
    if len(points) > MAX_POINTS:
        raise InputError(f"the grid has {len(points):,} points; the limit is {MAX_POINTS:,}")
    if len(points) * grid.draws > MAX_RUNS:
        raise InputError(f"{len(points):,} points x {grid.draws:,} draws is more than "
                         f"{MAX_RUNS:,} runs; use fewer points or draws")
    out = []
    for point_id, (name, levers) in enumerate(points):
        scenario = resolve(name, grid.years, levers or None)  # checks every value
        out.append({"point_id": point_id, "scenario": scenario, "levers": levers})
    return out


def run_point(scenario: Scenario, draws: int, seed: int, numba_threads: int | None) -> dict:
    """One grid point (a Dask task): Monte Carlo draws reduced to small arrays."""
    from removalsim.analysis.mc import PERCENTILES, monte_carlo
    from removalsim.engine import STAGES

    with _lock:  # one engine call at a time per process, whatever the worker's thread count
        if numba_threads is not None:
            import numba

            numba.set_num_threads(max(1, min(numba_threads, numba.config.NUMBA_NUM_THREADS)))
        mc = monte_carlo(scenario, draws, seed)
    shares = np.stack([mc.outputs[f"binding_share.{s}"] for s in STAGES], axis=1)
    fan = {column: np.stack([np.percentile(values, q, axis=0) for q in PERCENTILES.values()])
           for column, values in mc.fiscal.items()}
    return {
        "outputs": {k: mc.outputs[k] for k in HEADLINE},
        "binding": np.asarray(STAGES, dtype=object)[np.argmax(shares, axis=1)],
        "fan": fan,
        "fiscal_years": list(mc.inputs.fiscal_years),
        "sampled": [a.name for a in mc.sampled],
        "quantiles": mc.quantiles,
    }


def sweep(
    grid: Grid | str | Path,
    out: str | Path,
    *,
    scheduler: str | None = None,
    workers: int | None = None,
    overwrite: bool = False,
    progress: bool = False,
    grid_text: str | None = None,
) -> SweepResult:
    """Run every grid point on Dask and write the results to a DuckDB file.

    Parameters
    ----------
    grid
        A Grid, or the path of a grid YAML file.
    out
        The DuckDB file to write.
    scheduler
        Address of a running Dask scheduler (``tcp://host:8786``); by default a local cluster
        with one single-threaded worker process per core is started and stopped.
    workers
        Worker processes of the local cluster (default: the number of cores).
    overwrite
        Replace ``out`` if it exists.
    progress
        Show a progress bar over the grid points (on stderr).

    Raises
    ------
    InputError
        On a bad grid, an existing output file, or a scheduler that cannot be reached.
    """
    started = time.perf_counter()
    if not isinstance(grid, Grid):
        grid, grid_text = load_grid(grid)
    out = check_out(out, overwrite)
    points = _resolve_points(grid)
    for stale in clean_partials(out):
        if progress:
            print(f"removed {stale}, left by an interrupted sweep", file=sys.stderr)

    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    try:
        if scheduler:
            try:
                client = Client(scheduler, timeout="10s")
            except OSError as error:
                raise InputError(
                    f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
            numba_threads = None
        else:
            n = max(1, min(workers or os.cpu_count() or 1, len(points)))
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
            numba_threads = 1
        n_workers = len(client.scheduler_info().get("workers", {}))
        tmp = out.with_name(f".{out.name}.{os.getpid()}.partial")
        wal = tmp.with_name(f"{tmp.name}.wal")
        try:
            with _Writer(tmp, grid, grid_text, points) as writer:
                futures = [
                    client.submit(run_point, p["scenario"], grid.draws, grid.seed, numba_threads,
                                  key=f"removalsim-point-{p['point_id']}-{time.time_ns()}",
                                  pure=False)
                    for p in points
                ]
                ids = {f.key: p["point_id"] for f, p in zip(futures, points, strict=True)}
                from removalsim.analysis.mc import ProgressBar

                with ProgressBar(len(points), "grid points", enabled=progress) as bar:
                    for future in as_completed(futures):
                        writer.add(ids[future.key], future.result())
                        bar.advance(1)
                seconds = time.perf_counter() - started
                writer.finish(seconds)
            os.replace(tmp, out)
        finally:
            tmp.unlink(missing_ok=True)
            wal.unlink(missing_ok=True)
            client.close()
    finally:
        if cluster is not None:
            cluster.close()
    return SweepResult(path=out, points=len(points), draws=grid.draws,
                       seconds=time.perf_counter() - started, workers=n_workers,
                       scheduler=scheduler or "local")


def _sql_type(values: list[Value]) -> str:
    if all(isinstance(v, bool) for v in values):
        return "BOOLEAN"
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
        return "DOUBLE"
    return "VARCHAR"


class _Writer:
    """Writes a sweep into a DuckDB file as the points arrive."""

    def __init__(self, path: Path, grid: Grid, grid_text: str | None, points: list[dict]) -> None:
        self.path = path
        self.grid = grid
        self.grid_text = grid_text
        self.points = points
        self.samples_written = False

    def __enter__(self) -> _Writer:
        import duckdb

        self.con = duckdb.connect(str(self.path))
        levers = {name: _sql_type(values) for name, values in self.grid.levers.items()}
        lever_cols = "".join(f', "{column_name(n)}" {t}' for n, t in levers.items())
        headline = ", ".join(f"{k} DOUBLE" for k in HEADLINE)
        self.con.execute(f"""
            CREATE TABLE sweep (grid VARCHAR, scenarios VARCHAR[], levers VARCHAR[], points INTEGER,
                draws INTEGER, seed BIGINT, model_version VARCHAR, data_version VARCHAR,
                created TIMESTAMP, seconds DOUBLE);
            CREATE TABLE points (point_id INTEGER PRIMARY KEY, scenario VARCHAR,
                scenario_hash VARCHAR, has_target BOOLEAN, years DOUBLE{lever_cols});
            CREATE TABLE draws (point_id INTEGER, draw INTEGER, {headline}, reached BOOLEAN,
                binding_constraint VARCHAR);
            CREATE TABLE fiscal_years (point_id INTEGER, fiscal_year INTEGER, output VARCHAR,
                p5 DOUBLE, p50 DOUBLE, p95 DOUBLE);
            CREATE TABLE samples (draw INTEGER, parameter VARCHAR, quantile DOUBLE);
        """)
        rows = []
        for p in self.points:
            s: Scenario = p["scenario"]
            rows.append([p["point_id"], s.name, s.hash, s.target is not None, s.years,
                         *(p["levers"][n] for n in levers)])
        marks = ", ".join("?" * (5 + len(levers)))
        self.con.executemany(f"INSERT INTO points VALUES ({marks})", rows)
        return self

    def add(self, point_id: int, payload: dict) -> None:
        import pandas as pd

        outputs = payload["outputs"]
        n = len(outputs["removals_total"])
        draws = pd.DataFrame({"point_id": np.full(n, point_id, dtype=np.int32),
                              "draw": np.arange(n, dtype=np.int32)})
        for k in HEADLINE:
            draws[k] = outputs[k]
        draws["reached"] = np.isfinite(outputs["years_to_target"])
        draws["binding_constraint"] = payload["binding"].astype(str)
        self.con.register("incoming", draws)
        self.con.execute("INSERT INTO draws SELECT * FROM incoming")
        self.con.unregister("incoming")  # NaN (not reached) becomes NULL below
        years = payload["fiscal_years"]
        fan = pd.DataFrame([
            {"point_id": point_id, "fiscal_year": fy, "output": column,
             "p5": q[0, i], "p50": q[1, i], "p95": q[2, i]}
            for column, q in payload["fan"].items() for i, fy in enumerate(years)
        ])
        self.con.register("incoming", fan)
        self.con.execute("INSERT INTO fiscal_years SELECT * FROM incoming")
        self.con.unregister("incoming")
        if not self.samples_written:
            names = payload["sampled"]
            u = payload["quantiles"]
            samples = pd.DataFrame({
                "draw": np.repeat(np.arange(u.shape[0], dtype=np.int32), len(names)),
                "parameter": np.tile(np.asarray(names, dtype=object), u.shape[0]),
                "quantile": u.reshape(-1),
            })
            self.con.register("incoming", samples)
            self.con.execute("INSERT INTO samples SELECT * FROM incoming")
            self.con.unregister("incoming")
            self.samples_written = True

    def finish(self, seconds: float) -> None:
        from removalsim.model import data_version, model_version

        self.con.execute(
            "UPDATE draws SET years_to_target = NULL WHERE isnan(years_to_target);"
            "UPDATE draws SET cost_per_removal_usd = NULL WHERE isnan(cost_per_removal_usd);"
            "UPDATE draws SET target_removals = NULL WHERE point_id IN "
            "(SELECT point_id FROM points WHERE NOT has_target)"
        )
        self.con.execute(
            "INSERT INTO sweep VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [self.grid_text or self.grid.model_dump_json(), self.grid.scenarios,
             list(self.grid.levers), len(self.points), self.grid.draws, self.grid.seed,
             model_version(), data_version(), dt.datetime.now(), seconds],
        )
        q = "quantile_cont({0}, {1}) AS {0}_{2}"
        stats = ",\n                ".join(
            q.format(k, f, name) for k in ("removals_total", "removals_per_year",
                                           "cost_total_usd", "detention_peak")
            for name, f in (("p5", 0.05), ("p50", 0.5), ("p95", 0.95))
        )
        years = ",\n                ".join(
            f"quantile_disc(coalesce(years_to_target, 'infinity'::DOUBLE), {f}) "
            f"AS years_to_target_{name}"
            for name, f in (("p5", 0.05), ("p50", 0.5), ("p95", 0.95))
        )
        targeted = ", ".join(
            f"CASE WHEN p.has_target THEN d.years_to_target_{name} END AS years_to_target_{name}"
            for name in ("p5", "p50", "p95")
        )
        self.con.execute(f"""
            CREATE VIEW summary AS
            WITH by_point AS (
                SELECT point_id, count(*) AS draws, avg(reached::DOUBLE) AS p_target,
                {years},
                {stats},
                mode(binding_constraint) AS binding_constraint
                FROM draws GROUP BY point_id
            )
            SELECT p.*, d.draws, CASE WHEN p.has_target THEN d.p_target END AS p_target,
                {targeted},
                d.* EXCLUDE (point_id, draws, p_target, years_to_target_p5,
                             years_to_target_p50, years_to_target_p95)
            FROM points p JOIN by_point d USING (point_id)
            ORDER BY p.point_id
        """)
        self.con.execute("CHECKPOINT")

    def __exit__(self, *exc: object) -> None:
        self.con.close()
