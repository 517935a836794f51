"""Core commands: run, compare, params, scenarios."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from removalsim.cli import (
    JsonOpt,
    ScenarioArg,
    SetOpt,
    YearsOpt,
    app,
    console,
    fail,
    money,
    run_scenario,
)

if TYPE_CHECKING:
    from removalsim.results import Result


def _headline_rows(h: dict[str, Any]) -> list[tuple[str, str]]:
    from removalsim.results import binding_words
    years = h["years_to_target"]
    rows = [
        ("Removals, total", f"{h['removals_total']:,.0f}"),
        ("Removals per year (average)", f"{h['removals_per_year']:,.0f}"),
    ]
    if h["target"]:
        rows.append(("Years to target", "not within horizon" if years is None else f"{years:.1f}"))
    rows += [
        ("What binds", binding_words(h)),
        ("Detention peak", f"{h['detention_peak']:,.0f}"),
        ("Court backlog at end", f"{h['court_backlog_end']:,.0f}"),
        (f"Cost, total ({h['price_year']} $)", money(h["cost_total_usd"])),
        ("Cost per removal", money(h["cost_per_removal_usd"])),
    ]
    rows += [(f"  cost: {k}", money(v)) for k, v in h["cost_by_stage_usd"].items()]
    return rows


@app.command()
def run(
    scenario: ScenarioArg,
    years: YearsOpt = None,
    as_json: JsonOpt = False,
    csv: Annotated[
        Path | None, typer.Option("--csv", help="Write daily.csv and fiscal_years.csv here.")
    ] = None,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write a PNG chart.")] = None,
    sets: SetOpt = None,
) -> None:
    """Run a scenario and print the answer, the headline numbers and a fiscal-year table."""
    result = run_scenario(scenario, years, sets)
    if csv is not None:
        csv.mkdir(parents=True, exist_ok=True)
        result.daily.to_csv(csv / "daily.csv", index_label="date")
        result.fiscal_years.to_csv(csv / "fiscal_years.csv")
    if plot is not None:
        result.plot(str(plot))
    if as_json:
        typer.echo(json.dumps(result.headline, indent=2))
        return
    _print_result(result)


def _print_result(result: Result) -> None:
    from rich.table import Table

    h = result.headline
    out = console()
    out.print(f"[bold]{result.summary()}[/bold]")
    out.print(f"[dim]{h['description']}[/dim]")
    table = Table(title="Headline", show_header=False)
    for name, value in _headline_rows(h):
        table.add_row(name, value)
    marginal = Table(title="Marginal value of +10% of each resource (over the horizon)")
    marginal.add_column("resource")
    marginal.add_column("extra removals", justify="right")
    marginal.add_column("per extra $1M", justify="right")
    for name, extra in h["marginal_removals"].items():
        per = h["marginal_removals_per_million_usd"][name]
        marginal.add_row(name, f"{extra:,.0f}", "-" if per is None else f"{per:,.1f}")
    out.print(table)
    out.print(marginal)
    out.print(_fiscal_table(result))
    out.print(
        f"[dim]model {h['model_version']} · data {h['data_version']} · "
        f"scenario {h['scenario_hash']}[/dim]"
    )


def _fiscal_table(result: Result):
    from rich.table import Table

    columns = {
        "removals": "removals",
        "arrests": "arrests",
        "book_ins": "book-ins",
        "detained_adp": "detained (ADP)",
        "beds": "beds",
        "released_no_bed": "released, no bed",
        "court_completions": "court completions",
        "court_backlog_end": "court backlog (end)",
        "self_departures": "self-departures",
    }
    table = Table(title="By fiscal year")
    table.add_column("FY")
    for label in columns.values():
        table.add_column(label, justify="right")
    for fy, row in result.fiscal_years.iterrows():
        partial = "*" if row["days"] < 365 else ""
        table.add_row(f"{fy}{partial}", *(f"{row[c]:,.0f}" for c in columns))
    return table


@app.command()
def compare(
    a: Annotated[str, typer.Argument(help="Baseline scenario.")],
    b: Annotated[str, typer.Argument(help="Scenario to compare with the baseline.")],
    years: YearsOpt = None,
    as_json: JsonOpt = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write a PNG chart.")] = None,
) -> None:
    """Run two scenarios and show the difference in the headline numbers."""
    first, second = run_scenario(a, years, None), run_scenario(b, years, None)
    if plot is not None:
        second.plot(str(plot), baseline=first)
    keys = ["removals_total", "removals_per_year", "years_to_target", "cost_total_usd",
            "cost_per_removal_usd", "detention_peak", "court_backlog_end"]
    rows = []
    for key in keys:
        x, y = first.headline[key], second.headline[key]
        diff = None if x is None or y is None else y - x
        rows.append({"output": key, "a": x, "b": y, "difference": diff})
    if as_json:
        typer.echo(json.dumps({"a": first.headline, "b": second.headline, "difference": rows},
                              indent=2))
        return
    from rich.table import Table

    out = console()
    out.print(f"[bold]A:[/bold] {first.summary()}")
    out.print(f"[bold]B:[/bold] {second.summary()}")
    table = Table(title=f"{a} (A) vs {b} (B)")
    for column in ("output", "A", "B", "B - A"):
        table.add_column(column, justify="left" if column == "output" else "right")
    for row in rows:
        table.add_row(row["output"], *(_fmt(row[k]) for k in ("a", "b", "difference")))
    table.add_row("binding constraint", first.headline["binding_constraint"],
                  second.headline["binding_constraint"], "")
    out.print(table)


def _fmt(x: float | None) -> str:
    if x is None:
        return "-"
    return f"{x:,.1f}" if abs(x) < 100 else f"{x:,.0f}"


@app.command()
def params(
    pattern: Annotated[str, typer.Argument(help="Show parameters whose name contains this.")] = "",
    at: Annotated[
        str | None, typer.Option("--at", help="Values in force on this date (YYYY-MM-DD).")
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """List parameters: value, unit, kind, status and source."""
    from removalsim.params import default_tree
    from removalsim.yamlio import InputError

    try:
        day = dt.date.fromisoformat(at) if at else dt.date.today()
        tree = default_tree()
    except (ValueError, InputError) as error:
        fail(str(error))
    rows = []
    for name, param in tree.items():
        if pattern.lower() not in name.lower():
            continue
        entry = param.reference_at(day)
        ref = entry.reference
        rows.append({
            "name": name, "value": entry.value, "unit": param.unit, "kind": param.kind,
            "status": entry.status or param.status,
            "source": ref.title if ref else f"assumption: {entry.reason}",
            "href": ref.href if ref else None, "range": param.range_at(day),
        })
    if not rows:
        fail(f"no parameter matches '{pattern}'")
    if as_json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    from rich.table import Table

    table = Table(title=f"Parameters in force on {day}")
    for column in ("name", "value", "unit", "kind", "status", "source"):
        table.add_column(column, overflow="fold")
    for row in rows:
        value = row["value"]
        shown = f"{value:,.4g}" if isinstance(value, float) else str(value)
        table.add_row(row["name"], shown, row["unit"], row["kind"], row["status"], row["source"])
    console().print(table)


@app.command()
def scenarios(as_json: JsonOpt = False) -> None:
    """List the shipped scenarios."""
    from removalsim.scenario import load_scenario, shipped

    rows = []
    for name in shipped():
        s = load_scenario(name)
        rows.append({"name": name, "start": s.start.isoformat(), "years": s.years,
                     "target": s.target.model_dump() if s.target else None,
                     "description": s.description})
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    from rich.table import Table

    table = Table(title="Shipped scenarios")
    for column in ("name", "start", "years", "description"):
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(row["name"], row["start"], f"{row['years']:g}", row["description"])
    console().print(table)
