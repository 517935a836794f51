"""Fit behavioural values to the record on the continuous replay, by least squares.

What is fitted are values no statistic observes directly: at-large arrest productivity, jail
bookings, judge productivity, pathway shares and stays (``DEFAULT_ITEMS``). Each is fitted once
for the whole record; policy changes enter only as dated levers (priorities, detainers, Title 42,
expedited-removal scope, beds, officers, judges), which are never fitted.

The objective is the weighted sum of squared log errors of every recorded series in the fit
window (``data/fit_weights.yaml`` gives each series its weight and the reason), each series
scaled by the square root of its number of observations so that a monthly series does not
outweigh an annual one by its count. The fit always starts from the middle of each value's range,
so the same record gives the same result however often it is run.

The result goes to a calibration file outside the package (``write_overlay``), which the loader
overlays when asked (``removalsim --calibration FILE ...``); only ``write_package`` rewrites the
package's shipped values.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from removalsim.analysis.replay import (
    REPLAY_START,
    SERIES,
    Observation,
    Replay,
    compare,
    mape,
    observations,
    record_end,
    replay_inputs,
    run_replay,
)
from removalsim.engine import INPUTS
from removalsim.params import OVERLAY_ENV, PARAMETERS_DIR, Parameter, default_tree

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
WEIGHTS_FILE = DATA_DIR / "fit_weights.yaml"
DEFAULT_OUT = Path("removalsim-calibration.yaml")
"""Where ``calibrate`` writes its result unless told otherwise (the current directory)."""

BOUND_TOLERANCE = 0.005
"""A fitted value within this share of its range from a bound is flagged as at the bound."""

TARGET_METRICS = ("removals", "adp")
"""The series DESIGN section 6 sets error targets for."""

FIT_REFERENCE = {
    "title": "removalsim calibrate: least squares of the continuous replay on the ICE, EOIR and"
    " CBP statistics in data/history.csv",
    "document": "removalsim data/history.csv (each row names its publisher)",
}
"""A fitted value's reference: the record it was fitted to, not a publication (each recorded row
cites its own first publisher)."""


@dataclass(frozen=True)
class FitItem:
    """One fitted value: a parameter's dated value, in force from ``date`` to its next date.

    Attributes
    ----------
    name
        Parameter name, e.g. ``arrests.search_rate``.
    date
        The dated value that is fitted (it must exist in the parameter file).
    why
        One line on what the value stands for.
    """

    name: str
    date: dt.date
    why: str


DEFAULT_ITEMS: tuple[FitItem, ...] = (
    FitItem("arrests.search_rate", REPLAY_START, "at-large arrests per officer-day per findable "
            "person"),
    FitItem("arrests.jail_bookings_per_person_year", REPLAY_START, "jail bookings of removable "
            "people (custodial arrests)"),
    FitItem("courts.hearings_per_judge_year", REPLAY_START, "judge productivity"),
    FitItem("detention.summary_days", REPLAY_START, "stay before a summary removal"),
    FitItem("detention.usable_share", REPLAY_START, "people held per funded bed"),
    FitItem("detention.bond_release_share", REPLAY_START, "court cases held at discretion "
            "released on bond before their detained case ends"),
    FitItem("border.transfer_summary_share", REPLAY_START, "summary cases among CBP transfers"),
    FitItem("border.release_ice_nta_share", REPLAY_START, "people released at the border without "
            "a Notice to Appear whom ICE serves one later (an arrest, no book-in)"),
    FitItem("border.ice_executed_share", REPLAY_START, "summary removals of Mexicans from CBP "
            "custody that ICE carries out"),
)
"""What ``calibrate`` fits: behavioural values no statistic observes, each once for the whole
record (no era constants). Sourced values (the fear-claim share, from GAO) are not fitted."""


def load_weights(path: Path = WEIGHTS_FILE) -> dict[str, float]:
    """Weight of each recorded series in the objective, from the weights file.

    Raises
    ------
    InputError
        Naming the file, key and line of an unknown series, a bad weight or a missing reason.
    """
    from removalsim.yamlio import InputError, line_of, read_yaml_file

    data, lines = read_yaml_file(path, "fit weights")
    if not isinstance(data, dict) or not data:
        raise InputError(f"{path}: expected a mapping of series to {{weight, reason}}")
    out: dict[str, float] = {}
    for name, entry in data.items():
        where = f"{path}: line {line_of(lines, (name,))}: key '{name}'"
        if name not in SERIES:
            raise InputError(f"{where}: unknown series (known: {', '.join(SERIES)})")
        if not isinstance(entry, dict) or set(entry) != {"weight", "reason"}:
            raise InputError(f"{where}: give exactly a weight and a reason")
        weight = entry["weight"]
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 <= weight <= 10:
            raise InputError(f"{where}: weight must be a number from 0 to 10")
        if not isinstance(entry["reason"], str) or len(entry["reason"]) < 10:
            raise InputError(f"{where}: the reason must be a sentence")
        out[str(name)] = float(weight)
    return out


def bounds_of(param: Parameter, day: dt.date) -> tuple[float, float]:
    """Search range of a fitted value: its dated range, else its uncertainty range.

    Raises
    ------
    ValueError
        If the value has no range (a fitted value must say what it may be).
    """
    low, high = param.range_at(day)
    if low is None or high is None:
        raise ValueError(f"{param.description!r} has no low/high range to search")
    return float(low), float(high)


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
        Naming an unknown parameter, a parameter the engine does not read, a missing dated value,
        a non-numeric parameter or a lever (observed, never fitted).
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
        if param.kind == "lever":
            raise ValueError(f"{item.name} is a lever (observed policy or resource), not fitted")
        checked.append(item)
    return checked


class _OutOfEvaluations(Exception):
    """The evaluation cap is reached."""


class _Replays:
    """The continuous replay to a given end, with fitted values written into its inputs."""

    def __init__(self, end: dt.date, items: list[FitItem], tree: Mapping[str, Parameter],
                 cap: int | None = None):
        self.base = replay_inputs(end)
        days = np.array([self.base.start + dt.timedelta(days=i)
                         for i in range(len(self.base.series))])
        self.slots: list[tuple[int, np.ndarray]] = []
        for item in items:
            first, last = _span(tree[item.name], item.date)
            self.slots.append((INPUTS.index(item.name), (days >= first) & (days < last)))
        self.cap = cap
        self.evaluations = 0

    def run(self, values: Iterable[float]) -> Replay:
        if self.cap is not None and self.evaluations >= self.cap:
            raise _OutOfEvaluations
        self.evaluations += 1
        series = np.array(self.base.series)
        for (column, mask), value in zip(self.slots, values, strict=True):
            series[mask, column] = value
        return run_replay(replace(self.base, series=series))


def _residuals(replay: Replay, chosen: list[Observation],
               weights: Mapping[str, float]) -> np.ndarray:
    """Weighted log errors, each series scaled by one over the root of its count."""
    counts: dict[tuple[str, bool], int] = {}
    for obs in chosen:
        key = (obs.metric, obs.month is not None)
        counts[key] = counts.get(key, 0) + 1
    out = []
    for obs in chosen:
        scale = weights[obs.metric] / np.sqrt(counts[(obs.metric, obs.month is not None)])
        ratio = max(replay.predicted(obs), 1.0) / max(obs.value, 1.0)
        out.append(scale * np.log(ratio))
    return np.array(out)


def window_observations(years: Iterable[int], weights: Mapping[str, float]
                        ) -> list[Observation]:
    """The weighted observations of the given fiscal years."""
    chosen = set(years)
    return [o for o in observations() if o.fiscal_year in chosen and weights.get(o.metric, 0) > 0]


@dataclass
class Calibration:
    """The outcome of a fit: values, ranges, errors by series in and out of the window."""

    items: list[FitItem]
    start: list[float]
    values: list[float]
    bounds: list[tuple[float, float]]
    fit_years: list[int]
    test_years: list[int]
    weights: dict[str, float]
    rows: list[dict[str, Any]]
    cost: float
    evaluations: int
    not_fitted: list[FitItem]
    replay: Replay | None = field(default=None, repr=False)

    def at_bound(self) -> list[FitItem]:
        """Fitted values that end within ``BOUND_TOLERANCE`` of a bound of their range."""
        out = []
        for item, value, (low, high) in zip(self.items, self.values, self.bounds, strict=True):
            margin = BOUND_TOLERANCE * (high - low)
            if value <= low + margin or value >= high - margin:
                out.append(item)
        return out

    def mape(self, years: Iterable[int], monthly: bool = False) -> dict[str, float | None]:
        """MAPE of each recorded series over fiscal years (annual or monthly values)."""
        chosen = list(years)
        return {m: mape(self.rows, m, chosen, monthly) for m in SERIES}

    @property
    def mape_fit(self) -> dict[str, float | None]:
        """Annual MAPE of each series on the fit years."""
        return self.mape(self.fit_years)

    @property
    def mape_test(self) -> dict[str, float | None]:
        """Annual MAPE of each series on the years left out."""
        return self.mape(self.test_years)

    def to_json(self) -> dict[str, Any]:
        """The ``calibrate --json`` object."""
        flagged = set(self.at_bound())
        return {
            "fit_years": self.fit_years,
            "test_years": self.test_years,
            "parameters": [
                {
                    "name": it.name, "date": it.date.isoformat(), "why": it.why,
                    "start": round(s, 6), "value": float(f"{v:.6g}"), "low": lo, "high": hi,
                    "at_bound": it in flagged,
                }
                for it, s, v, (lo, hi) in zip(
                    self.items, self.start, self.values, self.bounds, strict=True
                )
            ],
            "weights": self.weights,
            "mape_fit": self.mape_fit,
            "mape_test": self.mape_test,
            "mape_fit_monthly": self.mape(self.fit_years, monthly=True),
            "mape_test_monthly": self.mape(self.test_years, monthly=True),
            "not_fitted": [
                {"name": it.name, "date": it.date.isoformat(), "why": it.why}
                for it in self.not_fitted
            ],
            "cost": self.cost,
            "evaluations": self.evaluations,
        }


def fiscal_year_end(year: int) -> dt.date:
    """The day after a fiscal year ends (FY2019 ends on 2019-09-30)."""
    return dt.date(year, 10, 1)


def calibrate(
    fit_years: Iterable[int],
    test_years: Iterable[int],
    items: Iterable[FitItem] = DEFAULT_ITEMS,
    max_evaluations: int = 400,
    weights: Mapping[str, float] | None = None,
) -> Calibration:
    """Fit the items to the fit years' record and measure the error on the test years.

    The fit runs the replay only to the end of the last fit year, so nothing recorded later
    enters it.

    Parameters
    ----------
    fit_years, test_years
        Fiscal years to fit, and years left out (they must not overlap).
    items
        The dated values to fit.
    max_evaluations
        Cap on replays, the finite-difference ones included.
    weights
        Weight of each series (default: the weights file).

    Returns
    -------
    Calibration
        Fitted values with their search ranges, and predicted against recorded on every year.

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
    weights = dict(weights) if weights is not None else load_weights()
    chosen_obs = window_observations(fit, weights)
    seen = {o.fiscal_year for o in chosen_obs}
    missing = [y for y in fit if y not in seen]
    if missing:
        raise ValueError(f"no statistics on record for FY{missing}")
    tree = default_tree()
    chosen = check_items(items, tree)
    end = fiscal_year_end(fit[-1])
    in_window = [_span(tree[i.name], i.date)[0] < end for i in chosen]
    skipped = [i for i, ok in zip(chosen, in_window, strict=True) if not ok]
    chosen = [i for i, ok in zip(chosen, in_window, strict=True) if ok]
    if not chosen:
        raise ValueError("no fitted value is in force during the fit years")
    bounds = [bounds_of(tree[i.name], i.date) for i in chosen]
    start = [float(tree[i.name].values[i.date].value) for i in chosen]
    # search in units of each range from its middle, so the result does not depend on the values
    # the files hold now (a second run gives the first run's result)
    low = np.array([b[0] for b in bounds])
    width = np.array([b[1] - b[0] for b in bounds])
    replays = _Replays(end, chosen, tree, cap=max_evaluations)
    best: dict[str, Any] = {"cost": np.inf, "x": np.full(len(chosen), 0.5)}

    def residuals(x: np.ndarray) -> np.ndarray:
        res = _residuals(replays.run(low + x * width), chosen_obs, weights)
        cost = 0.5 * float(res @ res)
        if cost < best["cost"]:
            best.update(cost=cost, x=x.copy())
        return res

    with contextlib.suppress(_OutOfEvaluations):
        least_squares(residuals, best["x"].copy(), bounds=(0.0, 1.0), diff_step=1e-3,
                      x_scale=1.0, method="trf", max_nfev=max_evaluations)
    values = [float(v) for v in low + best["x"] * width]
    full = _Replays(max(record_end(), end), chosen, tree)
    replay = full.run(values)
    rows = [r for r in compare(replay) if r["fiscal_year"] in set(fit) | set(test)]
    return Calibration(
        items=chosen, start=start, values=values, bounds=bounds, fit_years=fit,
        test_years=test, weights=weights, rows=rows, cost=float(best["cost"]),
        evaluations=replays.evaluations, not_fitted=skipped, replay=replay,
    )


def fit_record(result: Calibration) -> dict[str, Any]:
    """What a calibration run records about itself: window, method, weights and statistics.

    The run's name is a hash of its window, weights and values, so the same fit names the same
    run (no date: a second run on the same record writes the same file). ``record_version`` is a
    hash of the record and the weights the fit read.
    """
    flagged = set(result.at_bound())
    record: dict[str, Any] = {
        "method": "least squares of weighted log errors of the continuous replay (scipy trf)",
        "fit_years": result.fit_years,
        "test_years": result.test_years,
        "weights": ", ".join(f"{k} {v:g}" for k, v in result.weights.items()),
        "evaluations": result.evaluations,
        "cost": float(f"{result.cost:.6g}"),
        "record_version": hashlib.sha256((DATA_DIR / "history.csv").read_bytes()
                                         + WEIGHTS_FILE.read_bytes()).hexdigest()[:12],
        "at_bound": ", ".join(f"{i.name} {i.date}" for i in flagged) or "none",
    }
    for key, years in (("fit", result.fit_years), ("test", result.test_years)):
        for metric in TARGET_METRICS:
            value = mape(result.rows, metric, years)
            if value is not None:
                record[f"mape_{key}_{metric}"] = value
    text = repr((record, [(i.name, str(i.date), f"{v:.6g}")
                          for i, v in zip(result.items, result.values, strict=True)]))
    return {"run": "calibrate-" + hashlib.sha256(text.encode()).hexdigest()[:12], **record}


def write_overlay(result: Calibration, path: Path = DEFAULT_OUT) -> Path:
    """Write the fitted values to a calibration file outside the package.

    The loader overlays it on the shipped values when asked (``removalsim --calibration FILE``,
    or the ``REMOVALSIM_CALIBRATION`` environment variable).

    Raises
    ------
    InputError
        If the path is inside the package's parameter folder (use ``write_package``).
    """
    import yaml

    from removalsim.yamlio import InputError

    target = Path(path)
    if target.resolve().is_relative_to(PARAMETERS_DIR.parent.resolve()):
        raise InputError(f"{target}: a calibration file is written outside the package "
                         "(use --write-package to change the shipped values)")
    flagged = set(result.at_bound())
    document = {
        "fit": fit_record(result),
        "values": {
            item.name: {
                "date": item.date, "value": float(f"{value:.6g}"), "low": low, "high": high,
                "at_bound": item in flagged, "why": item.why,
            }
            for item, value, (low, high) in zip(result.items, result.values, result.bounds,
                                                  strict=True)
        },
    }
    header = (f"# Written by `removalsim calibrate`; overlay it with `removalsim --calibration "
              f"{target.name} COMMAND` (or {OVERLAY_ENV}={target.name}).\n")
    text = header + yaml.safe_dump(document, sort_keys=False, width=100)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return target


def write_package(result: Calibration, root: Path = PARAMETERS_DIR) -> list[Path]:
    """Write fitted values into the package's parameter files as ``status: calibrated``.

    Every changed file is validated before any is written, so a failure changes nothing.

    Returns
    -------
    list of pathlib.Path
        The files written.
    """
    import yaml

    from removalsim.yamlio import InputError

    flagged = set(result.at_bound())
    record = fit_record(result)
    documents: dict[Path, dict] = {}
    for item, value in zip(result.items, result.values, strict=True):
        path = root / Path(*item.name.split(".")).with_suffix(".yaml")
        data = documents.setdefault(path, yaml.safe_load(path.read_text(encoding="utf-8")))
        entry = dict(data["values"][item.date])
        entry["value"] = float(f"{value:.6g}")
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
        data["fit"] = {**record, "at_bound": ", ".join(bounded) if bounded else "none"}
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
