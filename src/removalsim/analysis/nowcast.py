"""Nowcast 2025-27: the replay run on past the fit, month by month, with bands.

The calibration in force is fitted on the record through FY2025 at most (``calibrate`` records its
fit years). From 1 October 2025 the replay follows only the levers on record after that date
(beds as contracted or built, officers as sworn, judges, flights, policy switches), and is
compared month by month with what ICE and others recorded since; nothing recorded after the fit
window enters the fit. Past the latest month with data it is a forecast, to the end of FY2027.
The bands are the 5th and 95th percentiles over draws of the uncertain assumptions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import numpy as np

from removalsim.analysis.replay import (
    REPLAY_START,
    SERIES,
    fiscal_year_of,
    observations,
    record_end,
)

FIT_THROUGH = dt.date(2025, 9, 30)
"""Last day the fit may use: the end of FY2025."""

NOWCAST_FROM = dt.date(2025, 10, 1)
NOWCAST_END = dt.date(2027, 10, 1)
"""The nowcast's months: FY2026 and FY2027."""

METRICS: tuple[str, ...] = ("removals", "arrests", "book_ins", "adp", "atd_enrolled")
"""Nowcast series (``history.csv`` metrics; ``replay.SERIES`` names the model's column)."""


@dataclass
class Nowcast:
    """Monthly and fiscal-year predictions with bands, next to the record where there is one;
    ``removals_to_date`` compares removals for the fiscal year to each date of ICE's tables."""

    rows: list[dict[str, Any]]
    fiscal_years: list[dict[str, Any]]
    removals_to_date: list[dict[str, Any]]
    fit_years: list[int]
    record_end: dt.date
    draws: int
    seed: int

    def to_json(self) -> dict[str, Any]:
        """The ``nowcast --json`` object."""
        return {
            "rows": self.rows,
            "fiscal_years": self.fiscal_years,
            "removals_to_date": self.removals_to_date,
            "fit_years": self.fit_years,
            "fit_through": FIT_THROUGH.isoformat(),
            "record_end": (self.record_end - dt.timedelta(days=1)).isoformat(),
            "forecast_to": (NOWCAST_END - dt.timedelta(days=1)).isoformat(),
            "draws": self.draws,
            "seed": self.seed,
        }


def fit_years_in_force() -> list[int]:
    """The fit years recorded by the calibration in force (empty if nothing is calibrated).

    Raises
    ------
    ValueError
        If the calibration in force was fitted on data after ``FIT_THROUGH``.
    """
    from removalsim.params import default_tree

    years: set[int] = set()
    for param in default_tree().values():
        if param.fit and isinstance(param.fit.get("fit_years"), list):
            years.update(int(y) for y in param.fit["fit_years"])
    if years and max(years) > FIT_THROUGH.year:
        raise ValueError(f"the calibration in force is fitted on FY{max(years)}; the nowcast "
                         f"needs a fit through FY{FIT_THROUGH.year} at most (removalsim calibrate "
                         f"--fit 2012-{FIT_THROUGH.year})")
    return sorted(years)


def nowcast(draws: int = 40, seed: int = 0) -> Nowcast:
    """Run the replay to the end of FY2027: deterministic values and bands over draws.

    Parameters
    ----------
    draws
        Draws of the uncertain assumptions for the bands (1 to 1,000).
    seed
        The same seed gives the same bands.

    Raises
    ------
    InputError
        On a bad number of draws or seed.
    ValueError
        If the calibration in force was fitted past FY2025.
    """
    from removalsim.analysis.mc import check_seed
    from removalsim.analysis.replay import replay_scenario
    from removalsim.analysis.uncertainty import sample
    from removalsim.engine import RECORD
    from removalsim.inputs import build_inputs
    from removalsim.model import execute
    from removalsim.results import monthly_table
    from removalsim.yamlio import InputError

    if isinstance(draws, bool) or not isinstance(draws, int) or not 1 <= draws <= 1000:
        raise InputError(f"draws must be a whole number from 1 to 1,000, got {draws!r}")
    check_seed(seed)
    fit_years = fit_years_in_force()
    scenario = replay_scenario(NOWCAST_END)
    inputs = build_inputs(scenario)
    n = inputs.series.shape[1]
    target = np.concatenate([inputs.target_mask, [0.0, 0.0]])
    mult, add = sample(scenario, inputs, draws, seed)
    mult = np.vstack([np.ones((1, n)), mult])
    add = np.vstack([np.zeros((1, n)), add])
    frames = []
    first = (NOWCAST_FROM - REPLAY_START).days
    removed = []  # removals by day from NOWCAST_FROM, each draw
    for i in range(draws + 1):
        _, daily = execute(inputs, mult[i:i + 1], add[i:i + 1], target, keep_daily=True)
        table = monthly_table(daily, REPLAY_START)
        frames.append(table[table.index >= NOWCAST_FROM])
        removed.append(daily[first:, RECORD.index("removals")])
    central = frames[0]
    stack = {m: np.array([f[SERIES[m]].to_numpy() for f in frames[1:]]) for m in METRICS}
    recorded = {(o.metric, o.month): o.value for o in observations()
                if o.month is not None and o.through is None}  # year-to-date counts go below
    rows = []
    for j, month in enumerate(central.index):
        for metric in METRICS:
            low, high = np.percentile(stack[metric][:, j], [5, 95])
            rows.append({
                "month": month.isoformat(), "metric": metric,
                "predicted": round(float(central.iloc[j][SERIES[metric]]), 1),
                "p5": round(float(low), 1), "p95": round(float(high), 1),
                "actual": recorded.get((metric, month)),
            })
    years = []
    fiscal = np.array([fiscal_year_of(m) for m in central.index])
    annual = {(o.metric, o.fiscal_year): o.value for o in observations() if o.month is None}
    for year in sorted(set(fiscal)):
        pick = fiscal == year
        for metric in METRICS:
            column = SERIES[metric]
            how = "mean" if metric in ("adp", "atd_enrolled") else "sum"
            values = [_aggregate(f[column].to_numpy()[pick], f["days"].to_numpy()[pick], how)
                      for f in frames]
            low, high = np.percentile(values[1:], [5, 95])
            years.append({"fiscal_year": int(year), "metric": metric,
                          "predicted": round(values[0], 1), "p5": round(float(low), 1),
                          "p95": round(float(high), 1), "actual": annual.get((metric, year))})
    to_date = []
    for obs in observations():
        if obs.metric != "removals" or obs.through is None or obs.through < NOWCAST_FROM:
            continue
        start = (dt.date(obs.fiscal_year - 1, 10, 1) - NOWCAST_FROM).days
        stop = (obs.through - NOWCAST_FROM).days + 1
        values = [float(r[start:stop].sum()) for r in removed]
        low, high = np.percentile(values[1:], [5, 95])
        to_date.append({"through": obs.through.isoformat(), "fiscal_year": obs.fiscal_year,
                        "predicted": round(values[0], 1), "p5": round(float(low), 1),
                        "p95": round(float(high), 1), "actual": obs.value})
    to_date.sort(key=lambda r: r["through"])
    return Nowcast(rows=rows, fiscal_years=years, removals_to_date=to_date, fit_years=fit_years,
                   record_end=record_end(), draws=draws, seed=seed)


def _aggregate(values: np.ndarray, days: np.ndarray, how: str) -> float:
    if how == "sum":
        return float(values.sum())
    return float((values * days).sum() / days.sum())



def plot(result: Nowcast, path: str) -> None:
    """Draw the nowcast: one panel per series, the model's monthly value with its 5-95% band and
    the record's months as points; the record's end marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    labels = {"removals": "ICE removals per month", "arrests": "ICE arrests per month",
              "book_ins": "Book-ins per month", "adp": "Detained (ADP)",
              "atd_enrolled": "Enrolled in ATD"}
    fig, axes = plt.subplots(len(METRICS) + 1, 1, figsize=(9, 2.2 * (len(METRICS) + 1)),
                             sharex=True)
    end = result.record_end
    ax = axes[0]
    points = result.removals_to_date
    x = [dt.date.fromisoformat(r["through"]) for r in points]
    ax.errorbar(x, [r["predicted"] for r in points],
                yerr=[[r["predicted"] - r["p5"] for r in points],
                      [r["p95"] - r["predicted"] for r in points]],
                fmt="o", color="#1f77b4", ms=4, capsize=2, label="model, 5-95%")
    ax.plot(x, [r["actual"] for r in points], "s", color="#d62728", ms=4, label="record")
    ax.set_title("ICE removals in the fiscal year to date (ICE's table dates)", fontsize=10,
                 loc="left")
    ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.grid(alpha=0.3)
    ax.legend(loc="upper left", fontsize=8)
    for ax, metric in zip(axes[1:], METRICS, strict=True):
        rows = [r for r in result.rows if r["metric"] == metric]
        x = [dt.date.fromisoformat(r["month"]) for r in rows]
        ax.fill_between(x, [r["p5"] for r in rows], [r["p95"] for r in rows], color="#1f77b4",
                        alpha=0.2, lw=0, label="model 5-95%")
        ax.plot(x, [r["predicted"] for r in rows], "-", color="#1f77b4", label="model")
        seen = [(d, r["actual"]) for d, r in zip(x, rows, strict=True) if r["actual"] is not None]
        if seen:
            ax.plot(*zip(*seen, strict=True), "s", color="#d62728", ms=4, label="record")
        ax.axvline(end, color="#777777", lw=0.8, ls="--")
        ax.set_title(labels[metric], fontsize=10, loc="left")
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.grid(alpha=0.3)
    axes[1].legend(loc="upper left", fontsize=8)
    axes[-1].set_xlabel("month (dashed: end of the record; fitted through FY2025)")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
