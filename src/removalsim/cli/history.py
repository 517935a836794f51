"""Commands ``backtest``, ``calibrate`` and ``nowcast``: replay the record, fit what cannot be
observed, and run on past the fit."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from removalsim.cli import JsonOpt, app, console, fail, output_file

if TYPE_CHECKING:
    from rich.table import Table

FitOpt = Annotated[
    str | None,
    typer.Option("--fit", help="Fit years, e.g. 2012-2019 or 2012,2014,2016."),
]
TestOpt = Annotated[
    str | None,
    typer.Option("--test", help="Years left out of the fit, same form."),
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


MaxEvalOpt = Annotated[
    int, typer.Option("--max-evaluations", min=10, max=20000,
                      help="Cap on replays in the fit (finite differences included).")
]
NAMES = {"removals": "removals", "removals_interior": "interior", "removals_border": "border",
         "arrests": "arrests", "book_ins": "book-ins", "adp": "detained ADP",
         "court_completions": "completions"}
"""Series shown in the backtest tables (every series is in ``--json``)."""


NOWCAST_NAMES = {"removals": "removals", "arrests": "arrests", "book_ins": "book-ins",
                 "adp": "detained ADP", "atd_enrolled": "ATD"}


def _band(row: dict) -> str:
    """A prediction with its 5-95% band, as the nowcast tables show it."""
    return f"{_fmt(row['predicted'])} [{_fmt(row['p5'])}-{_fmt(row['p95'])}]"


def _band_table(title: str, first: str, rows: list[dict], key: Callable[[dict], str],
                metrics: Iterable[str], record: bool) -> Table:
    """One row per key (a month or a fiscal year), a banded cell per series; with ``record``,
    the recorded value follows in brackets where there is one."""
    from rich.table import Table

    table = Table(title=title, title_justify="left")
    table.add_column(first)
    chosen = list(metrics)
    for metric in chosen:
        table.add_column(NOWCAST_NAMES[metric], justify="right")
    grouped: dict[str, dict[str, dict]] = {}
    for row in rows:
        grouped.setdefault(key(row), {})[row["metric"]] = row
    for label, cells in grouped.items():
        table.add_row(label, *(
            _band(cells[m]) + (f" ({_fmt(cells[m]['actual'])})"
                               if record and cells[m]["actual"] is not None else "")
            for m in chosen))
    return table


def _windows(fit: str | None, test: str | None) -> tuple[list[int] | None, list[int] | None]:
    fit_years = parse_years(fit, "--fit") if fit else None
    test_years = parse_years(test, "--test") if test else None
    if fit_years and test_years and set(fit_years) & set(test_years):
        fail(f"--fit and --test overlap: {sorted(set(fit_years) & set(test_years))}")
    return fit_years, test_years


@app.command()
def backtest(
    json_out: JsonOpt = False,
    plot: Annotated[str | None, typer.Option("--plot", help="Write a chart to FILE.png.")] = None,
    fit: FitOpt = None,
    test: TestOpt = None,
    max_evaluations: MaxEvalOpt = 300,
) -> None:
    """Replay the record from FY2012 as one run: model against record by year, error and MAPE.

    With --fit, the behavioural values are first fitted on those years alone (nothing is
    written), so the --test years are data the fit never saw. Without it, the values in force
    (shipped, or a --calibration file) are scored on the windows their calibration records.
    """
    from rich.table import Table

    from removalsim.analysis.backtest import TARGET_METRICS
    from removalsim.analysis.backtest import backtest as run_backtest
    from removalsim.analysis.backtest import plot as draw

    fit_years, test_years = _windows(fit, test)
    if test_years and not fit_years:
        fail("--test needs --fit (the years the values are fitted on)")
    output_file(Path(plot) if plot else None, "--plot", (".png", ".svg"))
    try:
        result = run_backtest(fit_years, test_years, refit=fit_years is not None,
                              max_evaluations=max_evaluations)
    except ValueError as error:
        fail(str(error))
        return
    if plot is not None:
        draw(result, plot)
    if json_out:
        typer.echo(json.dumps(result.to_json()))
        return
    out = console()
    shown = [m for m in NAMES if any(r["metric"] == m for r in result.rows)]
    table = Table(title="Backtest: model (record) and error by fiscal year, one continuous replay",
                  title_justify="left")
    table.add_column("FY", justify="right")
    table.add_column("set")
    for metric in shown:
        table.add_column(NAMES[metric], justify="right")
    by_year: dict[int, dict[str, dict]] = {}
    for row in result.rows:
        if row["month"] is None:
            by_year.setdefault(row["fiscal_year"], {})[row["metric"]] = row
    for year, rows in sorted(by_year.items()):
        cells = []
        for metric in shown:
            r = rows.get(metric)
            cells.append("-" if r is None else f"{_fmt(r['predicted'])} ({_fmt(r['actual'])}) "
                         f"{_fmt(r['error_pct'], pct=True)}")
        table.add_row(str(year), result.role(year), *cells)
    out.print(table)
    mape = Table(title="Mean absolute percentage error (MAPE), fiscal-year values",
                 title_justify="left")
    mape.add_column("years")
    for metric in shown:
        mape.add_column(NAMES[metric], justify="right")
    for label, years in (("fit", result.fit_years), ("test", result.test_years),
                         ("all", None)):
        values = result.mape(years)
        mape.add_row(label, *(f"{values[m]:.1f}%" if values[m] is not None else "-"
                              for m in shown))
    out.print(mape)
    data = result.to_json()
    how = "fitted on the fit years first" if result.refit else "values in force"
    out.print(f"Fit: {data['split']['fit']}. Test: {data['split']['test']} ({how}). Replay "
              f"{data['split']['replay']}. Targets for "
              f"{' and '.join(NAMES[m] for m in TARGET_METRICS)}: MAPE <= 15% fit, <= 25% test.")
    out.print(f"Values at a bound of their range: {', '.join(result.params_at_bound) or 'none'}. "
              f"Era constants (assumptions that change by date): {len(result.era_constants)}.")


@app.command()
def calibrate(
    fit: FitOpt = None,
    test: TestOpt = None,
    json_out: JsonOpt = False,
    out_file: Annotated[Path, typer.Option(
        "--out", help="Calibration file to write (outside the package).")]
    = Path("removalsim-calibration.yaml"),
    write_package: Annotated[bool, typer.Option(
        "--write-package", help="Rewrite the package's shipped values instead of --out.")]
    = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Fit and report; write nothing.")]
    = False,
    max_evaluations: MaxEvalOpt = 400,
) -> None:
    """Fit behavioural values to the record (least squares on the continuous replay).

    Writes a calibration file (--out; use it with `removalsim --calibration FILE ...`), or the
    package's values with --write-package. Reports the error on the test years and flags any
    value that ends at a bound of its range. Default window: fit FY2012-FY2025, test FY2026.
    """
    from rich.table import Table

    from removalsim.analysis import calibrate as cal

    fit_years, test_years = _windows(fit, test)
    fit_years = fit_years or list(range(2012, 2026))
    if test_years is None:
        test_years = [] if fit else [2026]
    try:
        result = cal.calibrate(fit_years, test_years, max_evaluations=max_evaluations)
        if dry_run:
            written: list[Path] = []
        elif write_package:
            written = cal.write_package(result)
        else:
            written = [cal.write_overlay(result, out_file)]
    except ValueError as error:
        fail(str(error))
        return
    if json_out:
        typer.echo(json.dumps({**result.to_json(), "written": [str(p) for p in written]}))
        return
    out = console()
    flagged = set(result.at_bound())
    table = Table(title="Fitted values", title_justify="left")
    for column in ("parameter", "what", "before", "fitted", "range", "note"):
        table.add_column(column, justify="right" if column in ("before", "fitted") else "left")
    for item, start, value, (low, high) in zip(
        result.items, result.start, result.values, result.bounds, strict=True
    ):
        table.add_row(item.name, item.why, f"{start:.3g}", f"{value:.3g}",
                      f"{low:g}-{high:g}", "AT BOUND" if item in flagged else "")
    out.print(table)
    stats = Table(title="MAPE by series (fiscal-year values)", title_justify="left")
    stats.add_column("years")
    shown = [m for m in NAMES if result.mape_fit.get(m) is not None]
    for metric in shown:
        stats.add_column(NAMES[metric], justify="right")
    for label, values in (("fit", result.mape_fit), ("test", result.mape_test)):
        stats.add_row(label, *(f"{values[m]:.1f}%" if values[m] is not None else "-"
                               for m in shown))
    out.print(stats)
    out.print(f"Fit FY{result.fit_years[0]}-FY{result.fit_years[-1]}; test "
              f"{', '.join(f'FY{y}' for y in result.test_years) or 'none'}; "
              f"{result.evaluations} replays (cap {max_evaluations}).")
    if result.not_fitted:
        out.print("Not fitted (not in force in the fit years): " + "; ".join(
            f"{i.name} from {i.date}" for i in result.not_fitted))
    if flagged:
        out.print(f"{len(flagged)} value(s) end at a bound of their range: the range, or the "
                  "model's structure, limits the fit there.")
    if dry_run:
        out.print("Dry run: nothing written.")
    elif write_package:
        out.print(f"Wrote {len(written)} parameter files in the package.")
    else:
        out.print(f"Wrote {written[0]}; use it with: removalsim --calibration {written[0]} ...")


@app.command()
def nowcast(
    json_out: JsonOpt = False,
    draws: Annotated[int, typer.Option("--draws", help="Draws for the 5-95% bands (1-1000).")]
    = 40,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the draws.")] = 0,
    plot: Annotated[str | None, typer.Option("--plot", help="Write a chart to FILE.png.")] = None,
) -> None:
    """FY2026-FY2027 month by month: the replay past the fit (through FY2025), with bands, next
    to what was recorded since."""
    from rich.table import Table

    from removalsim.analysis.nowcast import METRICS
    from removalsim.analysis.nowcast import nowcast as run_nowcast
    from removalsim.analysis.nowcast import plot as draw

    output_file(Path(plot) if plot else None, "--plot", (".png", ".svg"))
    try:
        result = run_nowcast(draws, seed)
    except ValueError as error:
        fail(str(error))
        return
    if plot is not None:
        draw(result, plot)
    if json_out:
        typer.echo(json.dumps(result.to_json(), default=str))
        return
    out = console()
    out.print(_band_table("Nowcast: model [5-95%] (record) by month", "month", result.rows,
                          lambda r: r["month"][:7], METRICS, record=True))
    out.print(_band_table("By fiscal year", "FY", result.fiscal_years,
                          lambda r: str(r["fiscal_year"]), METRICS, record=False))
    if result.removals_to_date:
        ytd = Table(title="ICE removals in the fiscal year to date", title_justify="left")
        for column in ("through", "model [5-95%]", "record", "error"):
            ytd.add_column(column, justify="left" if column == "through" else "right")
        for r in result.removals_to_date:
            error = 100 * (r["predicted"] - r["actual"]) / r["actual"]
            ytd.add_row(r["through"], _band(r), _fmt(r["actual"]), _fmt(error, pct=True))
        out.print(ytd)
    data = result.to_json()
    fitted = (f"FY{result.fit_years[0]}-FY{result.fit_years[-1]}" if result.fit_years
              else "nothing (no calibration in force)")
    out.print(f"Fitted on {fitted}; record to {data['record_end']}; forecast to "
              f"{data['forecast_to']}; {result.draws} draws. Flows are per month; ADP and ATD "
              "are monthly averages.")
