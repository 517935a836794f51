"""One continuous replay of the record, from FY2012 to the latest month with data.

The replay is a single run that starts on 1 October 2011 from the engine's partition of that
day and follows every dated value (officers, beds, judges, CBP apprehensions, policy switches)
to the end of the record. Each recorded series in ``data/history.csv`` is compared with the
model over the same period: fiscal-year rows with the fiscal-year table, monthly rows with the
monthly table. Nothing restarts from a guessed state between years.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

import numpy as np

from removalsim import engine
from removalsim.inputs import Inputs, build_inputs
from removalsim.scenario import Scenario

if TYPE_CHECKING:
    import pandas as pd

REPLAY_START = dt.date(2011, 10, 1)
"""First day of the replay (FY2012): from FY2012 the CBP transfers and ICE arrests are published."""

SERIES: dict[str, str] = {
    "removals": "removals",
    "removals_interior": "removals_interior",
    "removals_border": "removals_border",
    "removals_dhs": "removals_dhs",
    "removals_mexico": "removals_mexico",
    "removals_northern_triangle": "removals_northern_triangle",
    "arrests": "arrests",
    "arrests_at_large": "arrests_at_large",
    "arrests_custodial": "arrests_custodial",
    "book_ins": "book_ins",
    "book_ins_cbp": "book_ins_border",
    "book_ins_ice": "book_ins_interior",
    "adp": "detained_adp",
    "adp_cbp": "detained_adp_border",
    "book_outs_bonded": "released_on_bond",
    "book_outs_to_removal": "removals_from_detention",
    "atd_enrolled": "atd_enrolled",
    "court_receipts": "court_receipts",
    "court_completions": "court_completions",
    "court_pending": "court_backlog_end",
    "final_orders_non_detained": "final_order_at_large_end",
}
"""Recorded series (a ``history.csv`` metric) -> the model's column of the same quantity."""

_FULL = ("full_year", "derived")
_THROUGH = re.compile(r"through (\d{4}-\d{2}-\d{2})")
"""How a year-to-date value says the day it runs to ("data through 2025-09-20")."""
_MONTHLY = ("partial_year", "snapshot", "full_month", "derived")


@dataclass(frozen=True)
class Observation:
    """One recorded value and the period it covers.

    Attributes
    ----------
    metric
        The ``history.csv`` metric (a key of ``SERIES``).
    fiscal_year
        The fiscal year of the value (of its month, for a monthly value).
    month
        First day of the month for a monthly value, None for a fiscal-year value.
    value
        The recorded value.
    through
        Last day a fiscal-year-to-date value covers, when it stops short of the year's end.
    """

    metric: str
    fiscal_year: int
    month: dt.date | None
    value: float
    through: dt.date | None = None


@cache
def observations() -> tuple[Observation, ...]:
    """Every recorded value the replay is compared with.

    - A fiscal-year value counts when it covers the whole year (``full_year`` or ``derived``, or
      a year-to-date value with twelve whole months). One that stops short says the day it runs
      to ("through 2025-09-20" in its title or note) and is compared over those days.
    - A monthly value counts unless it is marked ``partial_month`` (a month the record covers
      only in part).
    - ``removals_fytd``, ICE's removals for the fiscal year to date, is compared with the model's
      removals from the year's first day to the table's date (its ``published`` day).

    Returns
    -------
    tuple of Observation
        Sorted by metric, fiscal year, month and day.
    """
    from removalsim.history import load_history

    table = load_history()
    out: list[Observation] = []
    to_date = [Observation("removals", int(row.fiscal_year), day.replace(day=1), float(row.value),
                           day)
               for row in table[table["metric"] == "removals_fytd"].itertuples(index=False)
               for day in [dt.date.fromisoformat(str(row.published)[:10])]]
    table = table[table["metric"].isin(list(SERIES))]
    for metric, rows in table.groupby("metric"):
        monthly = rows[rows["month"].notna()]
        whole = monthly[monthly["coverage"] != "partial_month"]
        months = whole.groupby("fiscal_year")["month"].nunique()
        for row in rows[rows["month"].isna()].itertuples(index=False):
            year = int(row.fiscal_year)
            if row.coverage in _FULL or (row.coverage == "partial_year"
                                         and months.get(year, 0) == 12):
                out.append(Observation(str(metric), year, None, float(row.value)))
            elif row.coverage == "partial_year":
                through = _THROUGH.search(f"{row.title} {row.note}")
                day = dt.date.fromisoformat(through.group(1)) if through else None
                if day and fiscal_year_of(day) == year:
                    out.append(Observation(str(metric), year, None, float(row.value), day))
        for row in whole.itertuples(index=False):
            if row.coverage not in _MONTHLY:
                continue
            year, month = int(row.fiscal_year), int(row.month)
            calendar = year - 1 if month >= 10 else year
            out.append(Observation(str(metric), year, dt.date(calendar, month, 1),
                                   float(row.value)))
    annual = {(o.metric, o.through) for o in out if o.through is not None}
    out += [o for o in to_date if (o.metric, o.through) not in annual]  # a count once
    out = [o for o in out if o.fiscal_year > REPLAY_START.year]
    return tuple(sorted(out, key=lambda o: (o.metric, o.fiscal_year, o.month or dt.date.min,
                                            o.through or dt.date.min)))


def fiscal_year_of(day: dt.date) -> int:
    """The fiscal year a day falls in (2019-10-01 is in FY2020)."""
    return day.year + (day.month >= 10)


def record_end() -> dt.date:
    """The day after the last day the record covers: where the replay stops."""
    ends = [o.through + dt.timedelta(days=1) if o.through else
            dt.date(o.month.year + o.month.month // 12, o.month.month % 12 + 1, 1)
            for o in observations() if o.through or o.month]
    return max(ends)


def replay_scenario(end: dt.date | None = None) -> Scenario:
    """The continuous replay: dated resources and policies from FY2012 to ``end``.

    Parameters
    ----------
    end
        First day not replayed (default: ``record_end()``).
    """
    stop = end or record_end()
    return Scenario(
        name="replay",
        description=f"Replay of the record from {REPLAY_START} to {stop}: the resources and "
        "policies in force each day",
        start=REPLAY_START,
        years=(stop - REPLAY_START).days / 365.25,
        target=None,
        changes={},
    )


@dataclass(frozen=True)
class Replay:
    """The model's monthly and fiscal-year tables over the replay, and its daily record."""

    months: pd.DataFrame
    fiscal_years: pd.DataFrame
    daily: np.ndarray
    start: dt.date

    def predicted(self, observation: Observation) -> float:
        """The model's value of the quantity and period an observation records."""
        column = SERIES[observation.metric]
        if observation.through is not None:
            return self.between(dt.date(observation.fiscal_year - 1, 10, 1),
                                observation.through, column)
        if observation.month is None:
            return float(self.fiscal_years.at[observation.fiscal_year, column])
        return float(self.months.at[observation.month, column])

    def between(self, first: dt.date, last: dt.date, column: str) -> float:
        """A column's flow summed from ``first`` to ``last`` (both included)."""
        from removalsim.results import period_table

        a, b = (first - self.start).days, (last - self.start).days + 1
        table = period_table(self.daily[a:b].sum(axis=0)[None, :], self.daily[b - 1][None, :],
                             np.array([float(b - a)]))
        return float(table[column][0])

    def covers(self, observation: Observation) -> bool:
        """True if the replay runs over the whole period of the observation."""
        if observation.through is not None:
            return (observation.through - self.start).days < len(self.daily)
        if observation.month is not None:
            return observation.month in self.months.index
        years = self.fiscal_years
        return observation.fiscal_year in set(years.index[years["days"] >= 365])


def replay_inputs(end: dt.date | None = None) -> Inputs:
    """Engine inputs of the continuous replay."""
    return build_inputs(replay_scenario(end))


def run_replay(inputs: Inputs) -> Replay:
    """Run the replay once (possibly on edited inputs, as calibration does).

    Returns
    -------
    Replay
        Monthly and fiscal-year tables; only fiscal years the replay covers in full are kept.
    """
    import pandas as pd

    from removalsim.model import execute
    from removalsim.results import monthly_table

    n = len(engine.INPUTS)
    outcome, daily = execute(inputs, np.ones((1, n)), np.zeros((1, n)),
                             np.concatenate([inputs.target_mask, [0.0, 0.0]]), keep_daily=True)
    table = {k: v[0] for k, v in outcome.fiscal_table().items()}
    years = pd.DataFrame(table, index=pd.Index(inputs.fiscal_years, name="fiscal_year"))
    years.insert(0, "days", outcome.days_per_year)
    return Replay(months=monthly_table(daily, inputs.start), fiscal_years=years, daily=daily,
                  start=inputs.start)


def compare(replay: Replay, chosen: Iterable[Observation] | None = None) -> list[dict[str, Any]]:
    """Predicted against recorded, one row per observation the replay covers.

    Returns
    -------
    list of dict
        ``{metric, fiscal_year, month, through, actual, predicted, error_pct}``: ``month`` is an
        ISO date for a monthly value and None for a fiscal-year value; ``through`` is the last day
        of a fiscal-year-to-date value that stops short of the year's end.
    """
    rows = []
    for obs in chosen if chosen is not None else observations():
        if not replay.covers(obs):
            continue
        guess = replay.predicted(obs)
        rows.append({
            "metric": obs.metric,
            "fiscal_year": obs.fiscal_year,
            "month": obs.month.isoformat() if obs.month else None,
            "through": obs.through.isoformat() if obs.through else None,
            "actual": obs.value,
            "predicted": round(guess, 1),
            "error_pct": round(error_pct(guess, obs.value), 2),
        })
    return rows


def error_pct(predicted: float, actual: float) -> float:
    """Signed error of a prediction in percent of the actual value."""
    return 100.0 * (predicted - actual) / actual


def mape(rows: Iterable[Mapping[str, Any]], metric: str, years: Iterable[int],
         monthly: bool = False) -> float | None:
    """Mean absolute percentage error of one metric over fiscal years (annual or monthly rows)."""
    chosen = set(years)
    errors = [abs(r["error_pct"]) for r in rows
              if r["metric"] == metric and r["fiscal_year"] in chosen
              and (r["month"] is not None) == monthly]
    return round(float(np.mean(errors)), 2) if errors else None
