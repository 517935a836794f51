"""What would it take: goal, budget, estimates and report commands."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from removalsim.cli import JsonOpt, ScenarioArg, app, console, fail, money, output_file
from removalsim.vocabulary import label

FromOpt = Annotated[
    str, typer.Option("--from", help="Baseline scenario whose resources the plan adds to.")
]
HorizonOpt = Annotated[float, typer.Option("--years", help="Horizon in years (1-20).", min=0.01,
                                           max=20)]


def _segments(text: str | None) -> tuple[str, ...] | None:
    return tuple(s.strip() for s in text.split(",") if s.strip()) if text else None


@app.command()
def goal(
    remove: Annotated[int, typer.Option("--remove", help="Removals to reach.", min=1)],
    years: HorizonOpt,
    segments: Annotated[
        str | None,
        typer.Option("--segments", help="Whose removals count, comma-separated (default: all)."),
    ] = None,
    per_year: Annotated[
        bool, typer.Option("--per-year", help="Reach N removals within one year (best 365 days).")
    ] = False,
    scenario: FromOpt = "current",
    as_json: JsonOpt = False,
) -> None:
    """Is a removal goal feasible, and if not, the least-cost resource increases that reach it."""
    from removalsim.analysis.goal import solve_goal
    from removalsim.yamlio import InputError

    try:
        plan = solve_goal(scenario, remove, years, _segments(segments), per_year)
    except InputError as error:
        fail(str(error))
    out = plan.to_json()
    if as_json:
        typer.echo(json.dumps(out, indent=2))
        return
    _print_goal(out, plan.result.summary())


def _print_goal(out: dict[str, Any], summary: str) -> None:
    from rich.table import Table

    from removalsim.results import binding_words

    term = console()
    goal_words = f"{out['goal']['removals']:,} removals" + (
        " a year" if out["goal"]["per_year"] else "") + f" within {out['years']:g} years"
    if out["feasible"]:
        term.print(f"[bold]Feasible: the baseline ({out['scenario']}) reaches {goal_words} with "
                   f"its own resources ({out['baseline_removals']:,.0f}).[/bold]")
    elif out["reachable"]:
        term.print(f"[bold]Not feasible with {out['scenario']}'s resources "
                   f"({out['baseline_removals']:,.0f}); the least-cost plan below reaches "
                   f"{goal_words} for {money(out['added_cost_total_usd'])} more "
                   f"({out['price_year']} $).[/bold]")
    else:
        term.print(f"[bold red]Not reachable: {goal_words} is more than can be built or hired "
                   f"in the time ({out['plan_removals']:,.0f} at most).[/bold red]")
        for stop in out["stopped_by"]:
            term.print(f"[red]  stopped by {stop['bound']} (bound doubled: "
                       f"+{stop['gain_if_loosened']:,.0f} removals)[/red]")
        for note in out["notes"][1:]:
            if not note.startswith("stopped by"):
                term.print(f"  {note}")
    term.print(summary)
    table = Table(title="Resources (level at the end of the horizon; bound = what can be built "
                        "or hired by then)")
    for column in ("resource", "level", "added", "bound", "cost"):
        table.add_column(column, justify="left" if column in ("resource", "cost") else "right",
                         overflow="fold")
    for name, level in out["required"].items():
        added = out["added"].get(name)
        bound = out["bounds"].get(name)
        cost = bound["costing"] if bound else "not searched (below)"
        table.add_row(label(name), _num(level), f"+{_num(added)}" if added else "-",
                      _num(bound["reachable_level"]) if bound else "-", cost)
    term.print(table)
    for name, reason in out["not_searched"].items():
        term.print(f"Not searched: {name} ({reason})")
    costs = Table(title="Cost by fiscal year")
    for column in ("FY", f"total ({out['price_year']} $)", "added"):
        costs.add_column(column, justify="right")
    for fy, total, added in zip(out["fiscal_years"], out["cost_per_year_usd"],
                                out["added_cost_per_year_usd"], strict=True):
        costs.add_row(str(fy), money(total), money(added))
    costs.add_row("all", money(out["cost_total_usd"]), money(out["added_cost_total_usd"]))
    term.print(costs)
    if out["cost_outside_model_usd"]:
        term.print(f"Includes {money(out['cost_outside_model_usd'])} for levers the model does "
                   f"not cost (see the cost column).")
    term.print(f"Binding at the solution: {binding_words(out)}. "
               f"{out['runs']} model runs.")


def _num(x: float) -> str:
    return f"{x:,.2f}" if abs(x) < 100 else f"{x:,.0f}"


@app.command()
def budget(
    usd: Annotated[float, typer.Option("--usd", help="Extra dollars a year (model price year).",
                                       min=0)],
    years: HorizonOpt,
    scenario: FromOpt = "current",
    as_json: JsonOpt = False,
) -> None:
    """The allocation of an extra annual budget across resources that maximises removals."""
    from removalsim.analysis.budget import spend
    from removalsim.results import binding_words
    from removalsim.yamlio import InputError

    try:
        purchase = spend(scenario, usd, years)
    except InputError as error:
        fail(str(error))
    out = purchase.to_json()
    if as_json:
        typer.echo(json.dumps(out, indent=2))
        return
    from rich.table import Table

    term = console()
    term.print(f"[bold]{money(usd)} a year for {out['years']:g} years on top of "
               f"{out['scenario']} buys {out['extra_removals']:,.0f} more removals "
               f"({out['removals']:,.0f} in all, {out['baseline_removals']:,.0f} without it)."
               f"[/bold]")
    table = Table(title="Allocation")
    for column in ("resource", "added", "level at end", "bound", "cost"):
        table.add_column(column, justify="left" if column in ("resource", "cost") else "right",
                         overflow="fold")
    for name, added in out["added"].items():
        bound = out["bounds"][name]
        table.add_row(label(name), f"+{_num(added)}", _num(out["required"][name]),
                      _num(bound["reachable_level"]), bound["costing"])
    term.print(table)
    per = out["cost_per_extra_removal_usd"]
    term.print(f"Spent {money(out['added_cost_total_usd'])} of {money(out['budget_total_usd'])}"
               f" ({out['price_year']} $); "
               f"{'-' if per is None else money(per)} per extra removal; binding: "
               f"{binding_words(out)}.")
    if out["unspent_usd"] > 0.01 * out["budget_total_usd"]:
        why = ("no further step adds removals within what can be built or hired in the time"
               if out["search_ended"] == "no step adds removals" else
               f"the search ended at its step limit ({out['runs']} model runs)")
        term.print(f"{money(out['unspent_usd'])} stays unspent: {why}.")
    for words in out["at_time_bound"].values():
        term.print(f"At its time bound: {words}.")
    for name, reason in out["not_searched"].items():
        term.print(f"Not searched: {name} ({reason})")


@app.command()
def estimates(
    study: Annotated[
        list[str] | None, typer.Argument(help="Studies to show (default: all).")
    ] = None,
    study_file: Annotated[Path | None, typer.Option(
        "--study", help="A study file of your own, in the schema of the shipped "
        "published_estimates.yaml (one study, or studies: {name: study}).")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Published estimates side by side: their number, our reproduction, the model's answer."""
    from removalsim.unitcost import side_by_side

    rows = side_by_side(study or None, study_file)
    if as_json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    from rich.table import Table

    term = console()
    table = Table(title="Published estimates: their number, our unit-cost reproduction, and the"
                        " model's resource-mode answer")
    for column in ("study", "number", "published", "reproduced", "per removal (model $)",
                   "model: per removal", "model: answer"):
        table.add_column(column, overflow="fold")
    for row in rows:
        first = row["published"][0]
        model = row["model"]
        table.add_row(
            row["study"], first["metric"], _usd(first["published"]),
            _usd(first["reproduced"]) + ("" if first["matches"] else " (differs)"),
            _usd(row["per_removal_usd_model_price_year"]),
            "-" if model is None else _usd(model["cost_per_removal_usd"]),
            "no model question" if model is None else _model_words(model),
        )
    term.print(table)
    for row in rows:
        term.print(f"\n[bold]{row['study']}[/bold]: {row['title']}")
        for item in row["published"][1:]:
            verdict = "matches" if item["matches"] else "differs"
            term.print(f"  also {item['metric']}: published {_usd(item['published'])}, "
                       f"reproduced {_usd(item['reproduced'])} ({verdict})")
        if row["total_usd"] is not None:
            term.print(f"  total ({row['price_year']} $): {_usd(row['total_usd'])} with fixed "
                       f"costs, {_usd(row['total_without_fixed_usd'])} without "
                       f"({_usd(row['fixed_usd'])} fixed)")
        if row["model"] is not None:
            term.print(f"  model: {row['model']['sentence']}")
        for reason in row["differs_because"]:
            term.print(f"  - {reason}")


def _usd(x: float | None) -> str:
    return "-" if x is None else money(x)


def _model_words(model: dict[str, Any]) -> str:
    if model["kind"] == "replays":
        return f"{model['removals_per_year']:,.0f} removals a year"
    if model["reached"]:
        return f"reached in {model['years_to_target']:.1f} years"
    got = model["target_removals"]
    return (f"not reached in {model['years']:g} years ("
            + (f"best year {got:,.0f})" if model["target"]["per_year"] else f"{got:,.0f} removed)"))


@app.command()
def report(
    scenario: ScenarioArg,
    output: Annotated[Path, typer.Option("-o", "--output", help="HTML file to write.")],
    draws: Annotated[
        int | None, typer.Option("--draws", help="Monte Carlo draws for uncertainty bands.",
                                 min=2, max=100_000)
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the draws.", min=0)] = 0,
    years: Annotated[
        float | None, typer.Option("--years", help="Horizon in years (1-20).", min=0.01, max=20)
    ] = None,
    lite: Annotated[
        bool, typer.Option("--lite", help="Static SVG charts and no script: a file under 1 MB.")
    ] = False,
) -> None:
    """Write one self-contained HTML report (opens with no network)."""
    from removalsim.report import write_report
    from removalsim.yamlio import InputError

    output_file(output, "--output (an HTML report)", (".html", ".htm"))
    try:
        write_report(scenario, output, draws=draws, seed=seed, years=years, lite=lite)
    except InputError as error:
        fail(str(error))
    typer.echo(f"wrote {output} ({output.stat().st_size / 1e6:.1f} MB)")
