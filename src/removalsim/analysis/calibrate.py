"""Fit what cannot be observed directly to the historical record, by least squares.

The fitted quantities are arrest productivity and jail cooperation in each enforcement-policy
era, depletion, pathway shares and lengths of stay. Each is a dated value in a parameter file
(``FitItem``). Resources, policy switches and CBP book-ins are observed and are never fitted.
The objective is the weighted sum of squared log errors of the replayed fiscal years in the fit
window; the result is written back as ``status: calibrated`` with the window and fit statistics.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from removalsim.analysis.backtest import (
    TARGET_METRICS,
    actuals,
    error_pct,
    predict,
    replay_inputs,
)
from removalsim.engine import INPUTS
from removalsim.inputs import Inputs
from removalsim.params import PARAMETERS_DIR, Parameter, default_tree

WEIGHTS: dict[str, float] = {"removals": 1.0, "adp": 1.0, "arrests": 0.5, "book_ins": 0.5}
"""Weight of each metric's log error in the objective."""

BOUND_TOLERANCE = 0.005
"""A fitted value within this share of its range from a bound is flagged as at the bound."""

FIT_REFERENCE = {
    "title": "removalsim calibrate: least squares on the ICE, EOIR and Vera statistics in"
    " data/history.csv",
    "href": "https://www.ice.gov/information-library/annual-report",
}


@dataclass(frozen=True)
class FitItem:
    """One fitted value: a parameter's dated value, in force from ``date`` to its next date.

    Attributes
    ----------
    name
        Parameter name, e.g. ``arrests.jail_cooperation``.
    date
        The dated value that is fitted (it must exist in the parameter file).
    why
        One line on what the value stands for (a policy era, a length of stay).
    """

    name: str
    date: dt.date
    why: str


_START = dt.date(2011, 10, 1)
DEFAULT_ITEMS: tuple[FitItem, ...] = (
    FitItem("arrests.search_rate", _START, "at-large arrests per officer-day per findable person"),
    FitItem("arrests.jail_bookings_per_person_year", _START, "custodial arrests"),
    FitItem("detention.summary_days", _START, "stay before a summary removal"),
    FitItem("border.transfer_summary_share", _START, "summary cases among CBP transfers"),
)
"""What ``calibrate`` fits: behavioural values once for the whole record (no era constants);
policy changes enter only as dated levers (priorities, detainers, expedited-removal scope)."""


@dataclass
class Calibration:
    """The outcome of a fit: values, bounds, errors in and out of the window."""

    items: list[FitItem]
    start: list[float]
    values: list[float]
    bounds: list[tuple[float, float]]
    fit_years: list[int]
    test_years: list[int]
    mape_fit: dict[str, float | None]
    mape_test: dict[str, float | None]
    cost: float
    evaluations: int
    not_fitted: list[FitItem]

    def at_bound(self) -> list[FitItem]:
        """Fitted values that end within ``BOUND_TOLERANCE`` of a bound of their range."""
        out = []
        for item, value, (low, high) in zip(self.items, self.values, self.bounds, strict=True):
            margin = BOUND_TOLERANCE * (high - low)
            if value <= low + margin or value >= high - margin:
                out.append(item)
        return out

    def to_json(self) -> dict[str, Any]:
        """The ``calibrate --json`` object."""
        flagged = set(self.at_bound())
        return {
            "fit_years": self.fit_years,
            "test_years": self.test_years,
            "parameters": [
                {
                    "name": it.name, "date": it.date.isoformat(), "why": it.why,
                    "start": round(s, 4), "value": round(v, 4), "low": lo, "high": hi,
                    "at_bound": it in flagged,
                }
                for it, s, v, (lo, hi) in zip(
                    self.items, self.start, self.values, self.bounds, strict=True
                )
            ],
            "mape_fit": self.mape_fit,
            "mape_test": self.mape_test,
            "not_fitted": [
                {"name": it.name, "date": it.date.isoformat(), "why": it.why}
                for it in self.not_fitted
            ],
            "cost": self.cost,
            "evaluations": self.evaluations,
        }


def bounds_of(param: Parameter, day: dt.date) -> tuple[float, float]:
    """Search range of a fitted value: an assumption's uncertainty range, else its valid range.

    Raises
    ------
    ValueError
        If the parameter has neither.
    """
    if param.kind == "assumption":
        low, high = param.range_at(day)
        if low is not None and high is not None:
            return float(low), float(high)
    if param.ui is None:
        raise ValueError(f"no range to search for {param.description!r}")
    return float(param.ui.min), float(param.ui.max)


def _span(param: Parameter, day: dt.date) -> tuple[dt.date, dt.date]:
    """Days governed by the dated value of ``day``: from it (or forever before, for the first)
    to the next dated value."""
    dates = sorted(param.values)
    later = [d for d in dates if d > day]
    first = dt.date.min if day == dates[0] else day
    return first, later[0] if later else dt.date.max


def check_items(items: Iterable[FitItem], tree: Mapping[str, Parameter]) -> list[FitItem]:
    """Validate fit items against the parameter tree.

    Raises
    ------
    ValueError
        Naming an unknown parameter, a parameter the engine does not read, a missing dated value
        or a non-numeric parameter.
    """
    checked = []
    for item in items:
        if item.name not in tree:
            raise ValueError(f"unknown parameter {item.name!r}")
        if item.name not in INPUTS:
            raise ValueError(f"parameter {item.name!r} is not an engine input")
        param = tree[item.name]
        if item.date not in param.values:
            dates = ", ".join(str(d) for d in sorted(param.values))
            raise ValueError(f"{item.name} has no value dated {item.date} (dates: {dates})")
        if param.is_switch or param.choices is not None or param.unit.startswith("USD"):
            raise ValueError(f"{item.name} is not a plain number and cannot be fitted")
        checked.append(item)
    return checked


class _Replays:
    """The replays of a set of years, with fitted values written into copies of their inputs."""

    def __init__(self, years: Iterable[int], items: list[FitItem], tree: Mapping[str, Parameter]):
        self.base = replay_inputs(years)
        self.slots: list[list[tuple[int, int, np.ndarray]]] = []
        for item in items:
            first, last = _span(tree[item.name], item.date)
            column = INPUTS.index(item.name)
            slots = []
            for year, inputs in self.base.items():
                dates = np.array(
                    [inputs.start + dt.timedelta(days=i) for i in range(len(inputs.series))]
                )
                mask = (dates >= first) & (dates < last)
                if mask.any():
                    slots.append((year, column, mask))
            self.slots.append(slots)
        self.evaluations = 0

    def inputs(self, values: Iterable[float]) -> dict[int, Inputs]:
        edited = {y: np.array(i.series) for y, i in self.base.items()}
        for slots, value in zip(self.slots, values, strict=True):
            for year, column, mask in slots:
                edited[year][mask, column] = value
        return {
            y: Inputs(edited[y], i.lo, i.hi, i.fy_index, i.fiscal_years, i.start, i.target_mask)
            for y, i in self.base.items()
        }

    def predict(self, values: Iterable[float]) -> dict[int, dict[str, float]]:
        self.evaluations += 1
        return predict(self.inputs(values))


def _mape(predicted: Mapping[int, Mapping[str, float]], actual: Mapping[str, Mapping[int, float]],
          years: Iterable[int]) -> dict[str, float | None]:
    out: dict[str, float | None] = {}
    for metric in (*TARGET_METRICS, "arrests", "book_ins", "court_completions"):
        errors = [abs(error_pct(predicted[y][metric], actual[metric][y]))
                  for y in years if y in actual.get(metric, {}) and y in predicted]
        out[metric] = round(float(np.mean(errors)), 2) if errors else None
    return out


def calibrate(
    fit_years: Iterable[int],
    test_years: Iterable[int],
    items: Iterable[FitItem] = DEFAULT_ITEMS,
    max_evaluations: int = 400,
) -> Calibration:
    """Fit the items to the fit years by least squares and measure the error on the test years.

    Parameters
    ----------
    fit_years, test_years
        Fiscal years to fit, and years left out (they must not overlap).
    items
        The dated values to fit.
    max_evaluations
        Cap on model evaluations (each replays every fit year once).

    Returns
    -------
    Calibration
        Fitted values with their search ranges and the MAPE in and out of the window.

    Raises
    ------
    ValueError
        On overlapping or empty year sets, years without a record, or a bad item.
    """
    from scipy.optimize import least_squares

    fit, test = sorted(set(fit_years)), sorted(set(test_years))
    if not fit:
        raise ValueError("no fit years given")
    if set(fit) & set(test):
        raise ValueError(f"fit and test years overlap: {sorted(set(fit) & set(test))}")
    actual = actuals((*WEIGHTS, "court_completions"))
    missing = [y for y in (*fit, *test) if not any(y in actual[m] for m in WEIGHTS)]
    if missing:
        raise ValueError(f"no full-year statistics on record for FY{missing}")
    tree = default_tree()
    chosen = check_items(items, tree)
    if not chosen:
        raise ValueError("nothing to fit")
    replays = _Replays(fit, chosen, tree)
    skipped = [i for i, slots in zip(chosen, replays.slots, strict=True) if not slots]
    chosen = [i for i, slots in zip(chosen, replays.slots, strict=True) if slots]
    if not chosen:
        raise ValueError("no fitted value is in force during the fit years")
    replays.slots = [s for s in replays.slots if s]
    bounds = [bounds_of(tree[i.name], i.date) for i in chosen]
    start = [float(tree[i.name].values[i.date].value) for i in chosen]
    # search in units of each range, so that a step means the same for every item
    low = np.array([b[0] for b in bounds])
    width = np.array([b[1] - b[0] for b in bounds])
    x0 = np.clip((np.array(start) - low) / width, 0.0, 1.0)

    def residuals(x: np.ndarray) -> np.ndarray:
        predicted = replays.predict(low + x * width)
        out = []
        for metric, weight in WEIGHTS.items():
            for year in fit:
                if year in actual[metric]:
                    ratio = max(predicted[year][metric], 1.0) / actual[metric][year]
                    out.append(weight * np.log(ratio))
        return np.array(out)

    solution = least_squares(
        residuals, x0, bounds=(0.0, 1.0), diff_step=1e-3, x_scale=1.0,
        max_nfev=max_evaluations, method="trf",
    )
    values = list(low + solution.x * width)
    fitted = replays.predict(values)
    outside = _Replays(test, chosen, tree).predict(values) if test else {}
    return Calibration(
        items=chosen,
        start=start,
        values=[float(v) for v in values],
        bounds=bounds,
        fit_years=fit,
        test_years=test,
        mape_fit=_mape(fitted, actual, fit),
        mape_test=_mape(outside, actual, test),
        cost=float(solution.cost),
        evaluations=replays.evaluations,
        not_fitted=skipped,
    )


def write(result: Calibration, root: Path = PARAMETERS_DIR, today: dt.date | None = None) -> list[
        Path]:
    """Write fitted values into the parameter files as ``status: calibrated``.

    Every changed file is validated before any is written, so a failure changes nothing.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    import yaml

    from removalsim.yamlio import InputError

    flagged = set(result.at_bound())
    stamp = (today or dt.date.today()).isoformat()
    stats: dict[str, str | float | list[int]] = {
        "method": "least squares on weighted log errors (scipy trf)",
        "fit_years": result.fit_years,
        "test_years": result.test_years,
        "calibrated_on": stamp,
        "weights": ", ".join(f"{k} {v}" for k, v in WEIGHTS.items()),
    }
    for key, mape in (("fit", result.mape_fit), ("test", result.mape_test)):
        for metric in TARGET_METRICS:
            if mape.get(metric) is not None:
                stats[f"mape_{key}_{metric}"] = float(mape[metric])  # type: ignore[arg-type]
    documents: dict[Path, dict] = {}
    for item, value in zip(result.items, result.values, strict=True):
        path = root / Path(*item.name.split(".")).with_suffix(".yaml")
        data = documents.setdefault(path, yaml.safe_load(path.read_text(encoding="utf-8")))
        entry = dict(data["values"][item.date])
        entry["value"] = round(float(value), 4)
        entry["reference"] = {
            **FIT_REFERENCE,
            "note": f"fitted: {item.why}; FY{result.fit_years[0]}-FY{result.fit_years[-1]}"
            + (" (ENDS AT A BOUND of its range)" if item in flagged else ""),
        }
        entry.pop("reason", None)
        entry["status"] = "calibrated"
        data["values"][item.date] = entry
        data["status"] = "calibrated"
        bounded = [str(i.date) for i in flagged if i.name == item.name]
        data["fit"] = {**stats, "at_bound": ", ".join(bounded) if bounded else "none"}
    for path, data in documents.items():
        try:
            Parameter.model_validate(data)
        except Exception as error:  # noqa: BLE001 - report any validation failure, write nothing
            raise InputError(f"{path}: fitted values are invalid: {error}") from None
    for path, data in documents.items():
        text = yaml.safe_dump(data, sort_keys=False, width=100, allow_unicode=True)
        tmp = path.with_suffix(".yaml.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    if root == PARAMETERS_DIR:
        default_tree.cache_clear()
        from removalsim.model import data_version

        data_version.cache_clear()
    return sorted(documents)
