"""Replay each fiscal year of the record and compare the model with what happened.

A replay of fiscal year ``Y`` starts on 1 October of ``Y - 1`` with that day's parameter values
(the engine's warm-up fills detention and the queues first), runs to 30 September of ``Y`` and
follows every dated value in force during the year: officers, beds, judges, CBP book-ins, policy
switches and the fitted values of each policy era.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from removalsim import engine
from removalsim.inputs import Inputs, build_inputs
from removalsim.scenario import Scenario

FIRST_YEAR = 2008
LAST_YEAR = 2025
"""The fiscal years a replay covers (FY2026 is still running)."""

METRICS: dict[str, str] = {
    "removals": "removals",
    "arrests": "arrests",
    "adp": "detained_adp",
    "book_ins": "book_ins",
    "court_completions": "court_completions",
}
"""Backtested metric (a ``history.csv`` metric) -> the model's fiscal-year column."""

TARGET_METRICS = ("removals", "adp")
"""The metrics the issue sets MAPE targets for."""

SCORED_FROM = 2012
"""First year scored by default: from FY2012 the CBP book-ins are derived from published counts
(book-ins less ICE arrests, later Vera's CBP book-ins); before it they are assumed."""

DEFAULT_FIT_YEARS = tuple(range(SCORED_FROM + 1, LAST_YEAR + 1, 2))
DEFAULT_TEST_YEARS = tuple(range(SCORED_FROM, LAST_YEAR + 1, 2))
"""Odd years fit, even years left out. Alternate years put every policy era on both sides (a
contiguous split asks the fit to foresee eras it never saw; ``calibrate --fit/--test`` runs one),
and the odd years include FY2019 and FY2025, the years the shipped scenarios start from."""

_AVERAGES = frozenset({"adp"})  # averages over the year: monthly rows are averaged, not summed


def fiscal_year_start(year: int) -> dt.date:
    """First day of a US federal fiscal year (FY2016 began on 2015-10-01)."""
    return dt.date(year - 1, 10, 1)


def replay_scenario(year: int) -> Scenario:
    """The one-year replay of a fiscal year: its dated resources, no changes, no hold.

    Parameters
    ----------
    year
        Fiscal year, ``FIRST_YEAR`` to ``LAST_YEAR``.

    Returns
    -------
    Scenario
        Starts on the fiscal year's first day and covers exactly its days.
    """
    start = fiscal_year_start(year)
    days = (fiscal_year_start(year + 1) - start).days
    return Scenario(
        name=f"fy{year}",
        description=f"Replay of FY{year}: the resources and policies in force that year",
        start=start,
        years=days / 365.25,
        target=None,
        changes={},
    )


def actuals(metrics: Iterable[str] = METRICS) -> dict[str, dict[int, float]]:
    """The recorded value of each metric by fiscal year, where it covers the whole year.

    A year counts if ``history.csv`` has a full-year (or derived) value, or a fiscal-year value
    together with all twelve monthly values (the Vera archive marks complete years as
    fiscal-year-to-date); otherwise the year is a gap and is not scored.

    Returns
    -------
    dict
        ``{metric: {fiscal_year: value}}``.
    """
    from removalsim.history import load_history

    table = load_history()
    out: dict[str, dict[int, float]] = {}
    for metric in metrics:
        rows = table[table["metric"] == metric]
        annual = rows[rows["month"].isna()]
        months = rows[rows["month"].notna()].groupby("fiscal_year")["month"].nunique()
        values: dict[int, float] = {}
        for row in annual.itertuples(index=False):
            year = int(row.fiscal_year)
            complete = row.coverage in ("full_year", "derived") or (
                row.coverage == "partial_year" and months.get(year, 0) == 12
            )
            if complete and FIRST_YEAR <= year <= LAST_YEAR:
                values[year] = float(row.value)
        out[metric] = dict(sorted(values.items()))
    return out


def replay_inputs(years: Iterable[int]) -> dict[int, Inputs]:
    """Engine inputs of the replay of each fiscal year."""
    return {year: build_inputs(replay_scenario(year)) for year in years}


def predict(inputs: Mapping[int, Inputs]) -> dict[int, dict[str, float]]:
    """Run each replay once and read the backtested metrics of its fiscal year.

    Parameters
    ----------
    inputs
        Engine inputs by fiscal year (possibly edited, as calibration does).

    Returns
    -------
    dict
        ``{fiscal_year: {metric: value}}``.
    """
    from removalsim.model import execute, target_vector

    n = len(engine.INPUTS)
    out: dict[int, dict[str, float]] = {}
    for year, item in inputs.items():
        outcome, _ = execute(
            item, np.ones((1, n)), np.zeros((1, n)),
            target_vector(replay_scenario(year), item), keep_daily=False,
        )
        table = outcome.fiscal_table()
        column = item.fiscal_years.index(year)
        out[year] = {m: float(table[c][0, column]) for m, c in METRICS.items()}
    return out


def error_pct(predicted: float, actual: float) -> float:
    """Signed error of a prediction in percent of the actual value."""
    return 100.0 * (predicted - actual) / actual


@dataclass
class Backtest:
    """Predicted against actual by fiscal year and metric, with the MAPE on each year set."""

    rows: list[dict[str, Any]]
    fit_years: list[int]
    test_years: list[int]
    predicted: dict[int, dict[str, float]] = field(repr=False)

    def mape(self, years: Iterable[int] | None = None) -> dict[str, float | None]:
        """Mean absolute percentage error per metric over ``years`` (default: all scored)."""
        chosen = set(years) if years is not None else None
        out: dict[str, float | None] = {}
        for metric in METRICS:
            errors = [
                abs(r["error_pct"]) for r in self.rows
                if r["metric"] == metric and r["actual"] is not None
                and (chosen is None or r["fiscal_year"] in chosen)
            ]
            out[metric] = round(float(np.mean(errors)), 2) if errors else None
        return out

    def to_json(self) -> dict[str, Any]:
        """The ``backtest --json`` object."""
        return {
            "rows": self.rows,
            "mape": self.mape(),
            "mape_fit": self.mape(self.fit_years),
            "mape_test": self.mape(self.test_years),
            "fit_years": self.fit_years,
            "test_years": self.test_years,
        }

    def role(self, year: int) -> str:
        """``fit``, ``test`` or ``other`` (scored but in neither set)."""
        if year in self.fit_years:
            return "fit"
        return "test" if year in self.test_years else "other"


def fit_window() -> tuple[list[int], list[int]]:
    """Fit and test years recorded by the last ``calibrate`` in the parameter files.

    Falls back to ``DEFAULT_FIT_YEARS`` and ``DEFAULT_TEST_YEARS`` when no parameter records one.
    """
    from removalsim.params import default_tree

    for param in default_tree().values():
        if param.fit and "fit_years" in param.fit:
            fit = param.fit["fit_years"]
            test = param.fit.get("test_years", [])
            if isinstance(fit, list) and isinstance(test, list):
                return [int(y) for y in fit], [int(y) for y in test]
    return list(DEFAULT_FIT_YEARS), list(DEFAULT_TEST_YEARS)


def backtest(
    fit_years: Iterable[int] | None = None,
    test_years: Iterable[int] | None = None,
    years: Iterable[int] | None = None,
) -> Backtest:
    """Replay every fiscal year of the record and compare with the actual values.

    Parameters
    ----------
    fit_years, test_years
        Years used to fit and left out; default: those recorded by the last calibration.
    years
        Years to replay (default ``FIRST_YEAR`` to ``LAST_YEAR``).

    Returns
    -------
    Backtest
        One row per year and metric; ``actual`` and ``error_pct`` are None for a gap.
    """
    recorded_fit, recorded_test = fit_window()
    fit = sorted(fit_years) if fit_years is not None else recorded_fit
    test = sorted(test_years) if test_years is not None else recorded_test
    span = sorted(years) if years is not None else list(range(FIRST_YEAR, LAST_YEAR + 1))
    predicted = predict(replay_inputs(span))
    actual = actuals()
    rows: list[dict[str, Any]] = []
    for year in span:
        for metric in METRICS:
            value = actual[metric].get(year)
            guess = predicted[year][metric]
            rows.append({
                "fiscal_year": year,
                "metric": metric,
                "actual": value,
                "predicted": round(guess, 1),
                "error_pct": round(error_pct(guess, value), 2) if value else None,
            })
    return Backtest(rows=rows, fit_years=fit, test_years=test, predicted=predicted)


def plot(result: Backtest, path: str, metrics: Iterable[str] = ("removals", "adp", "arrests",
                                                                  "book_ins")) -> None:
    """Draw predicted against actual by fiscal year, one panel per metric, fit years shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    chosen = list(metrics)
    fig, axes = plt.subplots(len(chosen), 1, figsize=(9, 2.6 * len(chosen)), sharex=True)
    labels = {"removals": "Removals", "adp": "Detained (ADP)", "arrests": "ICE arrests",
              "book_ins": "Book-ins", "court_completions": "Court completions"}
    for ax, metric in zip(np.atleast_1d(axes), chosen, strict=True):
        rows = [r for r in result.rows if r["metric"] == metric]
        years = [r["fiscal_year"] for r in rows]
        ax.plot(years, [r["predicted"] for r in rows], "o-", color="#1f77b4", label="model")
        seen = [(r["fiscal_year"], r["actual"]) for r in rows if r["actual"] is not None]
        ax.plot(*zip(*seen, strict=True), "s--", color="#d62728", label="actual")
        for year in result.fit_years:
            ax.axvspan(year - 0.5, year + 0.5, color="#eeeeee", zorder=0)
        for year in result.test_years:
            ax.axvspan(year - 0.5, year + 0.5, color="#fff3d6", zorder=0)
        mape = result.mape(result.fit_years)[metric], result.mape(result.test_years)[metric]
        ax.set_title(f"{labels[metric]}: MAPE fit {_pct(mape[0])}, left out {_pct(mape[1])}",
                     fontsize=10, loc="left")
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.grid(alpha=0.3)
    np.atleast_1d(axes)[0].legend(loc="upper right", fontsize=8)
    np.atleast_1d(axes)[-1].set_xlabel("fiscal year (grey: fit years, yellow: left out)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"
