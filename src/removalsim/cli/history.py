"""Commands ``backtest`` and ``calibrate``: replay the record and fit what cannot be observed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from removalsim.cli import JsonOpt, app, console, fail, output_file

FitOpt = Annotated[
    str | None,
    typer.Option("--fit", help="Fit years, e.g. 2012-2019 or 2012,2014,2016 (default: as last "
                 "calibrated)."),
]
TestOpt = Annotated[
    str | None,
    typer.Option("--test", help="Years left out of the fit, same form (default: as last "
                 "calibrated)."),
]


def parse_years(text: str, option: str) -> list[int]:
    """Turn ``2012-2019`` or ``2012,2014,2016-2018`` into a sorted list of fiscal years."""
    from removalsim.analysis.backtest import FIRST_YEAR, LAST_YEAR

    years: set[int] = set()
    for part in (p.strip() for p in text.split(",")):
        first, sep, last = part.partition("-")
        try:
            low = int(first)
            high = int(last) if sep else low
        except ValueError:
            fail(f"{option} takes years like 2012-2019 or 2012,2014; got '{text}'")
        if low > high or low < FIRST_YEAR or high > LAST_YEAR:
            fail(f"{option}: years must run from {FIRST_YEAR} to {LAST_YEAR}, got '{part}'")
        years.update(range(low, high + 1))
    return sorted(years)


def _fmt(value: float | None, pct: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.1f}%" if pct else f"{value:,.0f}"


@app.command()
def backtest(
    json_out: JsonOpt = False,
    plot: Annotated[str | None, typer.Option("--plot", help="Write a chart to FILE.png.")] = None,
    fit: FitOpt = None,
    test: TestOpt = None,
) -> None:
    """Replay each fiscal year FY2008-FY2025: predicted against actual, error and MAPE."""
    from rich.table import Table

    from removalsim.analysis.backtest import METRICS, TARGET_METRICS
    from removalsim.analysis.backtest import backtest as run_backtest
    from removalsim.analysis.backtest import plot as draw

    fit_years = parse_years(fit, "--fit") if fit else None
    test_years = parse_years(test, "--test") if test else None
    if fit_years and test_years and set(fit_years) & set(test_years):
        fail(f"--fit and --test overlap: {sorted(set(fit_years) & set(test_years))}")
    output_file(Path(plot) if plot else None, "--plot", (".png",))
    result = run_backtest(fit_years, test_years)
    if plot is not None:
        draw(result, plot)
    if json_out:
        typer.echo(json.dumps(result.to_json()))
        return
    out = console()
    names = {"removals": "removals", "arrests": "arrests", "adp": "detained ADP",
             "book_ins": "book-ins", "court_completions": "court completions"}
    table = Table(title="Backtest: model (actual) and error by fiscal year", title_justify="left")
    table.add_column("FY", justify="right")
    table.add_column("set")
    for metric in METRICS:
        table.add_column(names[metric], justify="right")
    by_year: dict[int, dict[str, dict]] = {}
    for row in result.rows:
        by_year.setdefault(row["fiscal_year"], {})[row["metric"]] = row
    for year, rows in by_year.items():
        cells = []
        for metric in METRICS:
            r = rows[metric]
            if r["actual"] is None:
                cells.append(f"{_fmt(r['predicted'])} (n/a)")
            else:
                cells.append(f"{_fmt(r['predicted'])} ({_fmt(r['actual'])}) "
                             f"{_fmt(r['error_pct'], pct=True)}")
        table.add_row(str(year), result.role(year), *cells)
    out.print(table)
    mape = Table(title="Mean absolute percentage error (MAPE)", title_justify="left")
    mape.add_column("years")
    for metric in METRICS:
        mape.add_column(names[metric], justify="right")
    for label, years in (("fit", result.fit_years), ("left out", result.test_years),
                         ("all scored", None)):
        values = result.mape(years)
        mape.add_row(label, *(f"{values[m]:.1f}%" if values[m] is not None else "-"
                              for m in METRICS))
    out.print(mape)
    fy = ", ".join(str(y) for y in result.fit_years)
    ty = ", ".join(str(y) for y in result.test_years)
    out.print(f"Fit years: FY {fy}. Left out: FY {ty}. Targets for "
              f"{' and '.join(names[m] for m in TARGET_METRICS)}: MAPE <= 15% fit, <= 25% left "
              "out. n/a: no full-year value on record (data/GAPS.md).")


@app.command()
def calibrate(
    fit: FitOpt = None,
    test: TestOpt = None,
    json_out: JsonOpt = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Fit and report; write nothing.")]
    = False,
    max_evaluations: Annotated[
        int, typer.Option("--max-evaluations", min=10, max=20000, help="Cap on model runs.")
    ] = 2000,
) -> None:
    """Fit arrest productivity, pathway shares, depletion and stays to the record (least squares).

    Writes the values as status: calibrated with the fit window and statistics, reports the error
    on the years left out and flags any value that ends at a bound of its range.
    """
    from rich.table import Table

    from removalsim.analysis import calibrate as cal
    from removalsim.analysis.backtest import DEFAULT_FIT_YEARS, DEFAULT_TEST_YEARS
    from removalsim.yamlio import InputError

    fit_years = parse_years(fit, "--fit") if fit else list(DEFAULT_FIT_YEARS)
    test_years = parse_years(test, "--test") if test else (
        [] if fit else list(DEFAULT_TEST_YEARS))
    test_years = [y for y in test_years if y not in fit_years] if not test else test_years
    try:
        result = cal.calibrate(fit_years, test_years, max_evaluations=max_evaluations)
        written = [] if dry_run else cal.write(result)
    except (ValueError, InputError) as error:
        fail(str(error))
        return
    if json_out:
        typer.echo(json.dumps({**result.to_json(), "written": [str(p) for p in written]}))
        return
    out = console()
    flagged = set(result.at_bound())
    table = Table(title="Calibrated values", title_justify="left")
    for column in ("parameter", "from", "what", "before", "fitted", "range", "note"):
        table.add_column(column, justify="right" if column in ("before", "fitted") else "left")
    for item, start, value, (low, high) in zip(
        result.items, result.start, result.values, result.bounds, strict=True
    ):
        table.add_row(item.name, str(item.date), item.why, f"{start:g}", f"{value:.3g}",
                      f"{low:g}-{high:g}", "AT BOUND" if item in flagged else "")
    out.print(table)
    stats = Table(title="MAPE", title_justify="left")
    stats.add_column("years")
    for metric in result.mape_fit:
        stats.add_column(metric, justify="right")
    for label, values in (("fit", result.mape_fit), ("left out", result.mape_test)):
        stats.add_row(label, *(f"{v:.1f}%" if v is not None else "-" for v in values.values()))
    out.print(stats)
    out.print(f"Fit FY{', '.join(map(str, result.fit_years))}; left out FY"
              f"{', '.join(map(str, result.test_years)) or ' none'}; {result.evaluations} model "
              f"evaluations.")
    if result.not_fitted:
        out.print("Not fitted (no fit year in force): " + "; ".join(
            f"{i.name} from {i.date}" for i in result.not_fitted))
    if flagged:
        out.print(f"{len(flagged)} value(s) end at a bound of their range: the range, or the "
                  "model's structure, limits the fit there.")
    out.print("Dry run: nothing written." if dry_run else f"Wrote {len(written)} parameter files.")
