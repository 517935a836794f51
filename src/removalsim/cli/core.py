"""Core commands: run, compare, params, scenarios."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from removalsim.cli import (
    PLOT_SUFFIXES,
    JsonOpt,
    ScenarioArg,
    SetOpt,
    YearsOpt,
    app,
    console,
    fail,
    money,
    output_file,
    output_folder,
    parse_sets,
    run_scenario,
)
from removalsim.cli.tables import (
    column_width,
    emit,
    fitting,
    number,
    percent_change,
    piped,
    table,
)

if TYPE_CHECKING:
    from rich.table import Table

    from removalsim.results import Result


HEADLINE_LABELS = {
    "removals_total": "Removals, total",
    "removals_per_year": "Removals per year (average)",
    "years_to_target": "Years to target",
    "cost_total_usd": "Cost, total",
    "cost_per_removal_usd": "Cost per removal",
    "detention_peak": "Detention peak (people)",
    "court_backlog_end": "Court cases pending at the end",
}
"""Labels of the headline numbers, in the order ``run`` and ``compare`` show them."""

FISCAL_COLUMNS = ("removals", "arrests", "book_ins", "detained_adp", "beds", "court_pending",
                  "court_backlog_end", "court_completions", "self_departures", "released_no_bed")
"""Fiscal-year columns in the order a narrow terminal keeps them (all are in ``--csv``)."""

WIDE = 120
"""Terminals at least this wide get a table of parameters; narrower ones get a list."""

OLD_LABELS = {"court_backlog_end": "Court cases pending (end of year)"}
"""Labels of v1 record names the vocabulary does not name."""


def output_label(name: str) -> str:
    """A column's label: the vocabulary's, with the unit's qualifier ("daily average")."""
    from removalsim import vocabulary

    if name in OLD_LABELS:
        return OLD_LABELS[name]
    for term in vocabulary.OUTPUT_TERMS:
        if term.name == name:
            qualifier = term.unit.partition("(")[2].rstrip(")")
            return f"{term.label} ({qualifier})" if qualifier else term.label
    return vocabulary.label(name).replace("_", " ")


def headline_value(key: str, x: float | None) -> str:
    """A headline number as the tables show it: dollars, years or a whole number."""
    if x is None:
        return "not reached" if key == "years_to_target" else "-"
    if key.endswith("_usd"):
        return money(x)
    return f"{x:.1f}" if key.startswith("years") else number(x)


def _headline_rows(h: dict[str, Any]) -> list[tuple[str, str]]:
    from removalsim.results import binding_words
    from removalsim.vocabulary import label

    rows = []
    for key, name in HEADLINE_LABELS.items():
        if key == "years_to_target" and not h["target"]:
            continue
        shown = headline_value(key, h[key])
        if key == "years_to_target" and h[key] is None:
            shown = f"not within {h['years']:g} years"
        rows.append((f"{name} ({h['price_year']} $)" if key == "cost_total_usd" else name, shown))
    rows.insert(3 if h["target"] else 2, ("What limits removals", binding_words(h)))
    rows += [(f"  cost of {label(k).lower()}", money(v)) for k, v in h["cost_by_stage_usd"].items()]
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
    output_folder(csv, "--csv")
    output_file(plot, "--plot", PLOT_SUFFIXES)
    result = run_scenario(scenario, years, sets)
    if csv is not None:
        csv.mkdir(exist_ok=True)
        result.daily.to_csv(csv / "daily.csv", index_label="date")
        result.fiscal_years.to_csv(csv / "fiscal_years.csv")
    if plot is not None:
        result.plot(str(plot))
    if as_json:
        typer.echo(json.dumps(result.headline, indent=2))
        return
    _print_result(result, _changes(scenario, years, parse_sets(sets)))


def _changes(scenario: str, years: float | None, changes: dict[str, Any]) -> list[Any]:
    """What ``--set`` changed: a table of scenario and new values, and notes on dated plans."""
    if not changes:
        return []
    from removalsim.model import resolve
    from removalsim.params import default_tree
    from removalsim.web.catalog import label, schedule, value_in

    base = resolve(scenario, years)
    tree = default_tree()
    shown = table("Your changes (--set), in force from the start")
    for column in ("parameter", "scenario", "yours", "unit"):
        shown.add_column(column, justify="right" if column in ("scenario", "yours") else "left",
                         no_wrap=column in ("scenario", "yours"))
    notes = []
    for name, value in changes.items():
        param = tree[name]
        unit = "" if param.unit in ("switch", "choice") else param.unit
        shown.add_row(f"{label(name, param)} ({name})", number(value_in(base, name)),
                      number(value), unit)
        plan = schedule(base, name)
        if len(plan) > 1:
            steps = ", ".join(f"{number(v)} from {d:%b %Y}" for d, v in plan)
            notes.append(f"{label(name, param)}: your value replaces the scenario's plan "
                         f"({steps}) for the whole run.")
    return [shown, *notes]


def _print_result(result: Result, changes: list[Any]) -> None:
    h = result.headline
    out = console()
    plain = piped()
    emit(out, f"{'' if plain else '[bold]'}{escape(result.summary())}{'' if plain else '[/bold]'}")
    what = "Scenario as shipped: " if changes else ""
    emit(out, f"{what}{escape(h['description'])}", *(["", *changes] if changes else []))
    headline = table("Headline", show_header=False)
    headline.add_column("output")
    headline.add_column("value", justify="right", no_wrap=True)
    for name, value in _headline_rows(h):
        headline.add_row(name, value)
    emit(out, "", headline, "")
    if h["marginal_removals"]:
        emit(out, _marginal(h), "")
    fiscal, notes = _fiscal_table(result, out.width)
    emit(out, fiscal, *notes, "",
         f"model {h['model_version']} · data {h['data_version']} · scenario {h['scenario_hash']}")


def _marginal(h: dict[str, Any]) -> Table:
    from removalsim.vocabulary import label

    marginal = table("What 10% more of each resource adds (over the whole run)")
    marginal.add_column("resource")
    marginal.add_column("extra removals", justify="right", no_wrap=True)
    marginal.add_column(f"per extra $1M ({h['price_year']} $)", justify="right", no_wrap=True)
    for name, extra in h["marginal_removals"].items():
        per = h["marginal_removals_per_million_usd"][name]
        marginal.add_row(label(name), number(extra), "-" if per is None else f"{per:,.1f}")
    return marginal


def _fiscal_table(result: Result, space: int) -> tuple[Table, list[str]]:
    """The fiscal-year table with the columns that fit, and notes on part-years and the rest."""
    frame = result.fiscal_years
    names = [c for c in FISCAL_COLUMNS if c in frame.columns]
    first = [f"{fy}{'*' if days < 365 else ''}" for fy, days in zip(frame.index, frame["days"],
                                                                       strict=True)]
    cells = [[f"{x:,.0f}" for x in frame[c]] for c in names]
    headers = [output_label(c) for c in names]
    widths = [column_width("FY", first)] + [column_width(h, c) for h, c in
                                             zip(headers, cells, strict=True)]
    kept = fitting(widths, space, keep=2) - 1
    shown = table("By fiscal year (October to September)")
    shown.add_column("FY", no_wrap=True, width=widths[0])
    for header, w in zip(headers[:kept], widths[1:kept + 1], strict=True):
        shown.add_column(header, justify="right", no_wrap=False, width=w)
    for i, label in enumerate(first):
        shown.add_row(label, *(column[i] for column in cells[:kept]))
    notes = []
    parts = [f"FY{fy} has {days:.0f} days" for fy, days in zip(frame.index, frame["days"],
                                                                strict=True) if days < 365]
    if parts:
        end = result.scenario.end - dt.timedelta(days=1)
        notes.append(f"* Part year: the run covers {_day(result.scenario.start)} to "
                     f"{_day(end)}, so {' and '.join(parts)}; those rows count only those "
                     f"days.")
    if kept < len(names):
        notes.append(f"Not shown at {space} columns: "
                     f"{', '.join(h.lower() for h in headers[kept:])} (see --csv).")
    return shown, notes


@app.command()
def compare(
    a: Annotated[str, typer.Argument(help="Baseline scenario.")],
    b: Annotated[str, typer.Argument(help="Scenario to compare with the baseline.")],
    years: YearsOpt = None,
    as_json: JsonOpt = False,
    plot: Annotated[Path | None, typer.Option("--plot", help="Write a PNG chart.")] = None,
) -> None:
    """Run two scenarios and show the difference in the headline numbers."""
    from removalsim.results import binding_words

    output_file(plot, "--plot", PLOT_SUFFIXES)
    first, second = run_scenario(a, years, None), run_scenario(b, years, None)
    if plot is not None:
        second.plot(str(plot), baseline=first)
    rows = []
    for key in HEADLINE_LABELS:
        x, y = first.headline[key], second.headline[key]
        diff = None if x is None or y is None else y - x
        rows.append({"output": key, "a": x, "b": y, "difference": diff})
    if as_json:
        typer.echo(json.dumps({"a": first.headline, "b": second.headline, "difference": rows},
                              indent=2))
        return
    out = console()
    emit(out, f"Baseline, {a}: {escape(first.summary())}",
         f"Scenario, {b}: {escape(second.summary())}", "",
         _compare_table(a, b, first, second, rows, out.width),
         f"What limits removals: in {a}, {binding_words(first.headline).lower()}; "
         f"in {b}, {binding_words(second.headline).lower()}.")


def _compare_table(a: str, b: str, first: Result, second: Result,
                   rows: list[dict[str, Any]], space: int) -> Table:
    price = first.headline["price_year"]
    shown = table(f"{b} against the baseline {a} (dollars of {price})")
    body = []
    for row in rows:
        key, diff = row["output"], row["difference"]
        change = "-" if diff is None else (
            ("+" if diff > 0 else "-" if diff < 0 else "") + headline_value(key, abs(diff)))
        body.append([headline_value(key, row["a"]), headline_value(key, row["b"]), change,
                     percent_change(row["a"], row["b"])])
    headers = [f"{a} (baseline)", b, "change", "% change"]
    widths = [column_width(h, [r[i] for r in body]) for i, h in enumerate(headers)]
    shown.add_column("", min_width=max(12, space - sum(widths) - 3 * len(widths)))
    for header, w in zip(headers, widths, strict=True):
        shown.add_column(header, justify="right", width=w)
    for row, cells in zip(rows, body, strict=True):
        shown.add_row(HEADLINE_LABELS[row["output"]], *cells)
    return shown


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

    try:
        day = dt.date.fromisoformat(at) if at else dt.date.today()
    except ValueError:
        fail(f"--at takes a date as YYYY-MM-DD, got '{at}'")
    tree = default_tree()
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
        from removalsim.yamlio import did_you_mean

        fail(f"no parameter matches '{pattern}'{did_you_mean(pattern, tree)}")
    if as_json:
        typer.echo(json.dumps(rows, indent=2, default=str))
        return
    out = console()
    if out.width >= WIDE:
        shown = table(f"Parameters in force on {day}")
        for column in ("name", "value", "unit", "kind", "status", "source"):
            shown.add_column(column, justify="right" if column == "value" else "left",
                             no_wrap=column in ("name", "value"), overflow="fold")
        for row in rows:
            shown.add_row(row["name"], number(row["value"]), row["unit"], row["kind"],
                          row["status"], row["source"])
        emit(out, shown)
        return
    import textwrap

    lines = [f"Parameters in force on {day}", ""]
    for row in rows:
        unit = "" if row["unit"] in ("switch", "choice") else f" {row['unit']}"
        kind = row["kind"] if row["status"] == row["kind"] else f"{row['kind']}, {row['status']}"
        lines.append(f"{row['name']} = {number(row['value'])}{unit} ({kind})")
        lines += textwrap.wrap(f"source: {row['source']}", out.width, initial_indent="  ",
                               subsequent_indent="    ")
    emit(out, "\n".join(escape(line) for line in lines))


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
    shown = table("Shipped scenarios")
    for column in ("name", "start", "years", "description"):
        shown.add_column(column, overflow="fold", no_wrap=column in ("start", "years"))
    for row in rows:
        shown.add_row(row["name"], row["start"], f"{row['years']:g}", row["description"])
    emit(console(), shown)


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"
