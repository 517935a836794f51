"""Compare the continuous replay with the record, on a fit window and a test window.

``backtest()`` runs the replay (``analysis.replay``) once with the shipped values (or a
calibration file's) and scores every recorded series by fiscal year, and by month where the
record is monthly. ``backtest(fit_years, test_years, refit=True)`` first fits the behavioural
values on the fit window alone (``analysis.calibrate``), so the test window is data the fit never
saw.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from removalsim.analysis.replay import (
    REPLAY_START,
    SERIES,
    compare,
    fiscal_year_of,
    mape,
    record_end,
    replay_inputs,
    run_replay,
)

FIRST_YEAR = REPLAY_START.year + 1
LAST_YEAR = 2026
"""Fiscal years the replay covers (FY2026 in part: to the latest month on record)."""

TARGET_METRICS = ("removals", "adp")
"""The series DESIGN section 6 sets MAPE targets for."""

DEFAULT_FIT_YEARS = tuple(range(2012, 2020))
DEFAULT_TEST_YEARS = tuple(range(2022, 2026))
"""A split in time: fit FY2012-FY2019, test FY2022-FY2025 (the COVID years FY2020-21 are in
neither). The test window holds eras the fit never saw: Title 42's last year, the 2021
priorities and 2025."""


@dataclass
class Backtest:
    """Predicted against recorded, by series, fiscal year and month, with the fit/test split."""

    rows: list[dict[str, Any]]
    fit_years: list[int]
    test_years: list[int]
    refit: bool = False
    params_at_bound: list[str] = field(default_factory=list)
    era_constants: list[dict[str, Any]] = field(default_factory=list)
    fitted: list[dict[str, Any]] = field(default_factory=list)

    def mape(self, years: Iterable[int] | None = None, monthly: bool = False
             ) -> dict[str, float | None]:
        """MAPE of each series over fiscal years (default: every year with a record)."""
        chosen = list(years) if years is not None else sorted({r["fiscal_year"]
                                                               for r in self.rows})
        return {m: mape(self.rows, m, chosen, monthly) for m in SERIES}

    def role(self, year: int) -> str:
        """``fit``, ``test`` or ``other`` (in neither window)."""
        if year in self.fit_years:
            return "fit"
        return "test" if year in self.test_years else "other"

    def to_json(self) -> dict[str, Any]:
        """The ``backtest --json`` object."""
        series = {}
        for metric in SERIES:
            scored = [r for r in self.rows if r["metric"] == metric]
            if not scored:
                continue
            series[metric] = {
                "annual_years": sorted({r["fiscal_year"] for r in scored if r["month"] is None}),
                "months": sum(1 for r in scored if r["month"] is not None),
                "mape_fit": mape(self.rows, metric, self.fit_years),
                "mape_test": mape(self.rows, metric, self.test_years),
                "mape_fit_monthly": mape(self.rows, metric, self.fit_years, monthly=True),
                "mape_test_monthly": mape(self.rows, metric, self.test_years, monthly=True),
            }
        return {
            "rows": self.rows,
            "mape": self.mape(),
            "mape_fit": self.mape(self.fit_years),
            "mape_test": self.mape(self.test_years),
            "fit_years": self.fit_years,
            "test_years": self.test_years,
            "split": {
                "fit": _span(self.fit_years),
                "test": _span(self.test_years),
                "refit": self.refit,
                "replay": f"{REPLAY_START} to {record_end() - dt.timedelta(days=1)}",
            },
            "series": series,
            "params_at_bound": self.params_at_bound,
            "era_constants": {"count": len(self.era_constants), "items": self.era_constants},
            "fitted": self.fitted,
        }


def _span(years: list[int]) -> str:
    if not years:
        return "none"
    if years == list(range(years[0], years[-1] + 1)):
        return f"FY{years[0]}-FY{years[-1]}"
    return ", ".join(f"FY{y}" for y in years)


def era_constants() -> list[dict[str, Any]]:
    """Behavioural values (assumptions, not levers) that change by date inside the replay.

    A lever's dates are observed policy or resources, and prices are observed; an assumption that
    changes by era is a constant of that era, and each is listed with the reason it gives. The
    starting state (read on a run's first day only) is not one.
    """
    from removalsim.engine import STARTING_STATE
    from removalsim.params import default_tree

    end = record_end()
    out = []
    for name, param in sorted(default_tree().items()):
        if param.kind != "assumption" or name in STARTING_STATE or param.unit.startswith("USD"):
            continue
        later = [d for d in sorted(param.values)[1:] if REPLAY_START < d < end]
        if not later:
            continue
        out.append({
            "name": name,
            "dates": [str(d) for d in later],
            "reasons": [param.values[d].reason or (param.values[d].reference.note
                                                   if param.values[d].reference else None)
                        for d in later],
        })
    return out


def recorded_window() -> tuple[list[int], list[int]]:
    """Fit and test years recorded by the calibration in force, else the default split."""
    from removalsim.params import default_tree

    for param in default_tree().values():
        if param.fit and isinstance(param.fit.get("fit_years"), list):
            test = param.fit.get("test_years", [])
            return ([int(y) for y in param.fit["fit_years"]],
                    [int(y) for y in test] if isinstance(test, list) else [])
    return list(DEFAULT_FIT_YEARS), list(DEFAULT_TEST_YEARS)


def _shipped_at_bound() -> list[str]:
    from removalsim.params import default_tree

    out = []
    for name, param in sorted(default_tree().items()):
        flagged = str((param.fit or {}).get("at_bound", "none"))
        if param.fit and flagged != "none":
            out.append(f"{name} ({flagged})")
    return out


def backtest(
    fit_years: Iterable[int] | None = None,
    test_years: Iterable[int] | None = None,
    refit: bool = False,
    max_evaluations: int = 300,
) -> Backtest:
    """Score the continuous replay against the record.

    Parameters
    ----------
    fit_years, test_years
        The windows (default: as recorded by the calibration in force, else FY2012-2019 and
        FY2022-2025).
    refit
        Fit the behavioural values on ``fit_years`` first (in memory; nothing is written).
    max_evaluations
        Cap on replays for the refit.

    Returns
    -------
    Backtest
        One row per recorded value the replay covers.

    Raises
    ------
    ValueError
        If the windows overlap.
    """
    recorded_fit, recorded_test = recorded_window()
    fit = sorted(set(fit_years)) if fit_years is not None else recorded_fit
    test = sorted(set(test_years)) if test_years is not None else recorded_test
    if set(fit) & set(test):
        raise ValueError(f"fit and test years overlap: {sorted(set(fit) & set(test))}")
    if refit:
        from removalsim.analysis.calibrate import calibrate

        fitted = calibrate(fit, test, max_evaluations=max_evaluations)
        flagged = set(fitted.at_bound())
        data = fitted.to_json()
        rows = compare(fitted.replay)
        return Backtest(
            rows=rows, fit_years=fit, test_years=test, refit=True,
            params_at_bound=[f"{i.name} ({i.date})" for i in fitted.items if i in flagged],
            era_constants=era_constants(), fitted=data["parameters"],
        )
    rows = compare(run_replay(replay_inputs()))
    return Backtest(rows=rows, fit_years=fit, test_years=test, params_at_bound=_shipped_at_bound(),
                    era_constants=era_constants())


def plot(result: Backtest, path: str, metrics: Iterable[str] = ("removals", "adp", "arrests",
                                                                  "book_ins")) -> None:
    """Draw the replay against the record, one panel per series: fiscal-year values as points,
    monthly values (at twelve times their monthly rate for flows) as lines; fit years shaded grey
    and test years yellow."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    chosen = [m for m in metrics if any(r["metric"] == m for r in result.rows)]
    fig, axes = plt.subplots(len(chosen), 1, figsize=(9, 2.6 * len(chosen)), sharex=True)
    labels = {"removals": "ICE removals", "adp": "Detained (ADP)", "arrests": "ICE arrests",
              "book_ins": "Book-ins", "court_completions": "Court completions"}
    for ax, metric in zip(np.atleast_1d(axes), chosen, strict=True):
        rows = [r for r in result.rows if r["metric"] == metric]
        annual = [r for r in rows if r["month"] is None]
        monthly = [r for r in rows if r["month"] is not None and r["through"] is None]
        rate = 1.0 if metric == "adp" else 12.0
        if monthly:
            x = [_year_fraction(r["month"]) for r in monthly]
            ax.plot(x, [r["predicted"] * rate for r in monthly], "-", color="#1f77b4", lw=1)
            ax.plot(x, [r["actual"] * rate for r in monthly], "-", color="#d62728", lw=1)
        x = [r["fiscal_year"] for r in annual]
        ax.plot(x, [r["predicted"] for r in annual], "o", color="#1f77b4", label="model")
        ax.plot(x, [r["actual"] for r in annual], "s", color="#d62728", label="record")
        for year in result.fit_years:
            ax.axvspan(year - 0.5, year + 0.5, color="#eeeeee", zorder=0)
        for year in result.test_years:
            ax.axvspan(year - 0.5, year + 0.5, color="#fff3d6", zorder=0)
        fit, test = (mape(result.rows, metric, y) for y in (result.fit_years, result.test_years))
        ax.set_title(f"{labels.get(metric, metric)}: MAPE fit {_pct(fit)}, test {_pct(test)}",
                     fontsize=10, loc="left")
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
        ax.grid(alpha=0.3)
    np.atleast_1d(axes)[0].legend(loc="upper left", fontsize=8)
    np.atleast_1d(axes)[-1].set_xlabel("fiscal year (grey: fit, yellow: test; lines: months, flows "
                                       "at an annual rate)")
    np.atleast_1d(axes)[-1].xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _year_fraction(month: str) -> float:
    """A month's middle on the fiscal-year axis (FY2019 runs from 2018.5 to 2019.5)."""
    day = dt.date.fromisoformat(month)
    return fiscal_year_of(day) - 0.5 + ((day.month - 10) % 12 + 0.5) / 12


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1f}%"
