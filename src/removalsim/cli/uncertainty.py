"""Uncertainty commands: mc (percentile bands), sensitivity (what matters), sweep (grids)."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from removalsim.cli import (
    JsonOpt,
    ScenarioArg,
    SetOpt,
    YearsOpt,
    app,
    console,
    output_file,
    parse_sets,
    warn_unusual,
)

if TYPE_CHECKING:
    from removalsim.analysis.mc import MonteCarlo
    from removalsim.analysis.sensitivity import Sensitivity

SeedOpt = Annotated[int, typer.Option("--seed", help="Seed: the same seed gives the same result.",
                                      min=0)]
PlotOpt = Annotated[Path | None, typer.Option("--plot", help="Write a PNG chart.")]

_LABELS = {
    "removals_total": "Removals, total",
    "removals_per_year": "Removals per year (average)",
    "years_to_target": "Years to target",
    "target_removals": "Removals counted toward the target",
    "cost_total_usd": "Cost, total (2025 $)",
    "cost_per_removal_usd": "Cost per removal",
    "detention_peak": "Detention peak",
    "court_backlog_end": "Court backlog at end",
}


@app.command()
def mc(
    scenario: ScenarioArg,
    draws: Annotated[int, typer.Option("--draws", help="Number of draws (1-100,000).")] = 1000,
    seed: SeedOpt = 0,
    years: YearsOpt = None,
    sets: SetOpt = None,
    as_json: JsonOpt = False,
    plot: PlotOpt = None,
) -> None:
    """Monte Carlo: P5, P50 and P95 of every headline number, and the chance of the target.

    The uncertain assumptions are sampled in their ranges; the levers stay as the scenario sets
    them. The same seed gives the same result.
    """
    from removalsim.analysis.mc import monte_carlo

    output_file(plot, "--plot")
    changes = parse_sets(sets)
    result = monte_carlo(scenario, draws, seed, years=years, changes=changes, progress=True)
    warn_unusual(result.scenario, changes)
    if plot is not None:
        result.plot(str(plot))
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2))
        return
    _print_mc(result)


def _answer(result: MonteCarlo) -> str:
    from removalsim.results import describe_segments

    s = result.scenario
    removals = result.percentiles["removals_total"]
    spread = (f"removals over {s.years:g} years: {_short(removals['p50'])} (median), "
              f"{_short(removals['p5'])} to {_short(removals['p95'])} (P5 to P95)")
    head = f"From {s.start:%B %Y}, over {result.draws:,} draws of the assumptions"
    if s.target is None:
        return f"{head}, {spread}."
    goal = f"{s.target.removals:,} removals of {describe_segments(s.target.segments)}"
    if s.target.per_year:
        goal += " a year"
    return (f"{head}, {goal} is reached within {s.years:g} years with probability "
            f"{result.p_target:.0%}; {spread}.")


def _short(x: float) -> str:
    if not math.isfinite(x):
        return "beyond the horizon"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.2f} million"
    return f"{x:,.0f}"


def _value(name: str, x: float) -> str:
    from removalsim.cli import money

    if not math.isfinite(x):
        return "beyond horizon" if name == "years_to_target" else "-"
    if name == "years_to_target":
        return f"{x:.1f}"
    if name.endswith("_usd"):
        return money(x)
    return f"{x:,.0f}"


def _print_mc(result: MonteCarlo) -> None:
    from rich.table import Table

    from removalsim.engine import STAGES

    out = console()
    out.print(f"[bold]{_answer(result)}[/bold]")
    table = Table(title=f"Headline numbers over {result.draws:,} draws (seed {result.seed})")
    for column in ("output", "P5", "P50", "P95"):
        table.add_column(column, justify="left" if column == "output" else "right")
    for name, label in _LABELS.items():
        if name in result.percentiles:
            p = result.percentiles[name]
            table.add_row(label, *(_value(name, p[k]) for k in ("p5", "p50", "p95")))
    if result.p_target is not None:
        table.add_row("P(target within horizon)", "", f"{result.p_target:.1%}", "")
    out.print(table)
    binding = Table(title="Binding constraint (share of draws where each stage binds most days)")
    binding.add_column("stage")
    binding.add_column("share of draws", justify="right")
    binding.add_column("median share of days", justify="right")
    for stage in STAGES:
        days = result.percentiles[f"binding_share.{stage}"]["p50"]
        binding.add_row(stage, f"{result.binding[stage]:.0%}", f"{days:.0%}")
    out.print(binding)
    fan = result.fan("removals")
    years = Table(title="Removals by fiscal year")
    for column in ("FY", "P5", "P50", "P95"):
        years.add_column(column, justify="right")
    days = result.fan("days")["p50"]
    for fy, row in fan.iterrows():
        partial = "*" if days[fy] < 365 else ""
        years.add_row(f"{fy}{partial}", *(f"{row[k]:,.0f}" for k in ("p5", "p50", "p95")))
    out.print(years)
    for note in result.notes():
        out.print(f"[dim]note: {note}[/dim]")
    out.print(f"[dim]{len(result.sampled)} assumptions sampled · model {result.model_version} · "
              f"data {result.data_version} · scenario {result.scenario.hash} · "
              f"{result.seconds:.1f} s[/dim]")


@app.command()
def sensitivity(
    scenario: ScenarioArg,
    output: Annotated[str, typer.Option(
        "--output", help="What to explain: years_to_target, removals_total or cost_total_usd "
        "(also removals_per_year, target_removals, detention_peak, court_backlog_end, "
        "cost_per_removal_usd).")] = "removals_total",
    method: Annotated[str, typer.Option(
        "--method", help="sobol (S1 and total ST indices) or delta (Borgonovo).")] = "sobol",
    draws: Annotated[int | None, typer.Option(
        "--draws", help="Base sample size N (sobol: N x (assumptions + 2) runs, default 256; "
        "delta: N runs, default 1024).", min=4)] = None,
    seed: SeedOpt = 0,
    years: YearsOpt = None,
    sets: SetOpt = None,
    as_json: JsonOpt = False,
    plot: PlotOpt = None,
    top: Annotated[int, typer.Option("--top", help="Assumptions to show.", min=1)] = 15,
) -> None:
    """Sensitivity: which uncertain assumptions move the answer (Sobol or delta, via SALib).

    Prints each assumption's index with a 95% interval and the output at each end of its range
    (a tornado), and warns when the intervals are too wide for the sample size.
    """
    from removalsim.analysis.sensitivity import sensitivity as analyse

    output_file(plot, "--plot")
    changes = parse_sets(sets)
    result = analyse(scenario, output, method=method, draws=draws, seed=seed, years=years,
                     changes=changes, progress=True)
    warn_unusual(result.scenario, changes)
    if plot is not None:
        result.plot(str(plot), top=top)
    if as_json:
        typer.echo(json.dumps(result.to_json(), indent=2))
        return
    _print_sensitivity(result, top)


def _print_sensitivity(result: Sensitivity, top: int) -> None:
    from rich.table import Table

    out = console()
    rows = result.ranking()
    out.print(f"[bold]{result.scenario.name}: what moves {result.output} "
              f"(central run: {_value(result.output, result.central)})[/bold]")
    table = Table(title=f"{result.method} indices, 95% intervals, {result.runs:,} runs "
                  f"(N = {result.draws:,}, seed {result.seed})")
    total = {"ST": "share of the spread, with interactions (ST)",
             "delta": "effect on the whole distribution (delta)"}.get(result.index_name,
                                                                     result.index_name)
    for column in ("#", "assumption", total, "share of the spread alone (S1)",
                   "at the low end of its range", "at the high end"):
        if column == "assumption":
            table.add_column(column, overflow="fold")
        else:
            table.add_column(column, justify="right")
    for i, row in enumerate(rows[:top], start=1):
        mark = "" if row["above_noise"] else " [dim](noise)[/dim]"
        table.add_row(
            str(i), row["parameter"] + mark, _pm(row["index"], row["index_conf"]),
            _pm(row["first_order"], row["first_order_conf"]),
            _value(result.output, _nan(row["output_at_low"])),
            _value(result.output, _nan(row["output_at_high"])),
        )
    out.print(table)
    floor = result.noise_floor
    out.print(f"[dim]noise floor, the index of a dummy assumption the model never reads: "
              f"{_pm(floor['index'], floor['conf'])}; (noise) marks an interval that does not "
              "clear it[/dim]")
    for warning in result.warnings:
        out.print(f"[bold yellow]warning:[/bold yellow] {warning}")
    for note in result.notes:
        out.print(f"[dim]note: {note}[/dim]")


def _nan(x: float | None) -> float:
    return math.nan if x is None else x


def _pm(x: float | None, conf: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:.3f} ± {conf:.3f}" if conf is not None else f"{x:.3f}"


@app.command()
def sweep(
    grid: Annotated[Path, typer.Argument(help="A grid YAML file (see examples/grid.yaml).")],
    out: Annotated[Path, typer.Option("--out", help="The DuckDB file to write.")],
    scheduler: Annotated[str | None, typer.Option(
        "--scheduler", help="Address of a running Dask scheduler, e.g. tcp://host:8786 "
        "(default: a local cluster).")] = None,
    workers: Annotated[int | None, typer.Option(
        "--workers", help="Worker processes of the local cluster (default: one per core).",
        min=1)] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace OUT if it exists.")]
    = False,
    as_json: JsonOpt = False,
) -> None:
    """Run a grid of lever values times draws on Dask and write the results to DuckDB."""
    from removalsim.analysis.sweep import check_out, load_grid
    from removalsim.analysis.sweep import sweep as run_sweep

    check_out(out, overwrite)
    spec, text = load_grid(grid)
    if not as_json:
        where = scheduler or f"a local Dask cluster ({workers or 'one worker per core'})"
        typer.echo(f"{len(spec.points()):,} grid points x {spec.draws:,} draws on {where}",
                   err=True)
    result = run_sweep(spec, out, scheduler=scheduler, workers=workers, overwrite=overwrite,
                       progress=True, grid_text=text)
    summary = {"out": str(result.path), "points": result.points, "draws": result.draws,
               "seconds": result.seconds, "workers": result.workers,
               "scheduler": result.scheduler}
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    import duckdb

    from removalsim.analysis.sweep import column_name

    levers = [column_name(n) for n in spec.levers]
    columns = (["scenario"] if len(spec.scenarios) > 1 else []) + levers + [
        "p_target", "years_to_target_p50", "removals_per_year_p50", "binding_constraint"]
    con = duckdb.connect(str(result.path), read_only=True)
    try:
        frame = con.execute(f"SELECT {', '.join(columns)} FROM summary ORDER BY point_id "
                            "LIMIT 30").df()
        targeted = con.execute("SELECT bool_or(has_target) FROM points").fetchone()[0]
    finally:
        con.close()
    if not targeted:
        frame = frame.drop(columns=["p_target", "years_to_target_p50"])
    typer.echo(f"wrote {result.points:,} points x {result.draws:,} draws to {result.path} in "
               f"{result.seconds:.1f} s ({result.workers} workers, {result.scheduler})")
    from rich.table import Table

    table = Table(title=f"summary view (medians; first {len(frame)} of {result.points:,} points)")
    for column in frame.columns:
        table.add_column(column.replace("_p50", " (P50)").replace("_", " "), justify="right")
    for _, row in frame.iterrows():
        table.add_row(*(_cell(v) for v in row))
    console().print(table)
    typer.echo(f"query it: python -c \"import duckdb; print(duckdb.connect('{result.path}')"
               ".sql('SELECT * FROM summary'))\"")


def _cell(v: object) -> str:
    import numpy as np

    if isinstance(v, bool | np.bool_):
        return "yes" if v else "no"
    if isinstance(v, float | np.floating):
        if math.isnan(v):
            return "-"
        if math.isinf(v):
            return "beyond horizon"
        return f"{v:.2f}" if abs(v) < 10 else f"{v:,.0f}"
    return str(v)
