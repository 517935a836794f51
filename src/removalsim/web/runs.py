"""Run the model for web requests: results as small JSON-ready payloads, cached.

The engine's parallel kernel is not safe to launch from several threads at once with every numba
threading layer, so the server's deterministic runs are serialised by a lock; each takes
milliseconds. Monte Carlo bands run in worker processes instead (:mod:`removalsim.web.pool`).
"""

from __future__ import annotations

import importlib.util
import math
import threading
from collections import OrderedDict
from typing import Any

import numpy as np

from removalsim.engine import ORIGINS, RECORD
from removalsim.model import run
from removalsim.results import Result
from removalsim.web.schemas import RunSpec

_K = {name: i for i, name in enumerate(RECORD)}
_BACKLOG = ("court_pending",)
WEEKLY_STOCKS = ("detained", "beds")
"""Daily stocks averaged by week for the charts."""
FAN_COLUMNS = ("removals", "detained_adp", "court_backlog_end")
"""Fiscal-year columns that get uncertainty bands."""

_model_lock = threading.Lock()
_CACHE_SIZE = 256


class _Cache:
    """A small thread-safe LRU cache of payloads by request key."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.items: OrderedDict[tuple, Any] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: tuple) -> Any | None:
        with self.lock:
            if key in self.items:
                self.items.move_to_end(key)
                return self.items[key]
        return None

    def put(self, key: tuple, value: Any) -> None:
        with self.lock:
            self.items[key] = value
            self.items.move_to_end(key)
            while len(self.items) > self.size:
                self.items.popitem(last=False)


_runs = _Cache(_CACHE_SIZE)
_bands = _Cache(_CACHE_SIZE // 4)


def finite(value: Any) -> Any:
    """The value with every NaN or infinity replaced by None (JSON has no NaN)."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


EXACT = 2.0**53
"""Whole numbers below this are exact as floats and as 64-bit integers."""


def _numbers(values: np.ndarray) -> list[int | None]:
    """Whole numbers for JSON (people, beds, dollars): small and exact enough for charts."""
    rounded = np.rint(np.asarray(values, dtype=float))
    if np.all(np.abs(rounded) < EXACT):  # every value finite and exact: convert in one go
        return rounded.astype(np.int64).tolist()
    return [None if not math.isfinite(x) else int(x) for x in rounded.tolist()]


def weekly(result: Result) -> dict[str, Any]:
    """Daily series by week for the charts: stocks averaged, backlog and removals to date.

    ``cumulative_target_removals`` counts only removals of the segments the scenario's target
    counts (all removals when there is no target).
    """
    record = result.daily_record
    days = len(record)
    starts = np.arange(0, days, 7)
    lengths = np.diff(np.append(starts, days))
    ends = starts + lengths - 1
    columns: dict[str, list[int | None]] = {}
    for name in WEEKLY_STOCKS:
        columns[name] = _numbers(np.add.reduceat(record[:, _K[name]], starts) / lengths)
    backlog = record[:, [_K[n] for n in _BACKLOG]].sum(axis=1)
    columns["court_backlog"] = _numbers(backlog[ends])
    columns["cumulative_removals"] = _numbers(np.cumsum(record[:, _K["removals"]])[ends])
    target = result.scenario.target
    counted = [o for o in ORIGINS if target is None or o in target.segments]
    by_origin = record[:, [_K[f"removals_{o}"] for o in counted]].sum(axis=1)
    columns["cumulative_target_removals"] = _numbers(np.cumsum(by_origin)[ends])
    dates = np.datetime64(result.scenario.start.isoformat()) + starts.astype("timedelta64[D]")
    return {"index": np.datetime_as_string(dates, unit="D").tolist(), "columns": columns}


def fiscal_table(result: Result) -> dict[str, Any]:
    """The fiscal-year table as columns of whole numbers."""
    frame = result.fiscal_years
    table = frame.to_numpy(dtype=float)
    return {
        "index": [int(fy) for fy in frame.index],
        "columns": {str(c): _numbers(table[:, j]) for j, c in enumerate(frame.columns)},
    }


def run_payload(spec: RunSpec) -> dict[str, Any]:
    """The deterministic run of a request (no draws): summary, headline and chart series.

    Raises
    ------
    removalsim.yamlio.InputError
        When the model refuses the spec.
    """
    key = (spec.scenario.value, spec.years, tuple(sorted(spec.changes.items())),
           tuple(sorted(spec.scaled)), spec.marginal)
    cached = _runs.get(key)
    if cached is not None:
        return cached
    with _model_lock:
        result = run(spec.scenario.value, years=spec.years, changes=spec.model_changes(),
                     marginal=spec.marginal)
    payload = {
        "summary": result.summary(),
        "headline": finite(result.headline),
        "fiscal_years": fiscal_table(result),  # whole numbers or None already
        "weekly": weekly(result),
    }
    _runs.put(key, payload)
    return payload


def bands_available() -> bool:
    """True when the Monte Carlo module is installed."""
    try:
        return importlib.util.find_spec("removalsim.analysis.mc") is not None
    except ModuleNotFoundError:
        return False


def cached_bands(spec: RunSpec) -> dict[str, Any] | None:
    """The bands of a request if they were computed before."""
    return _bands.get(spec.key())


def keep_bands(spec: RunSpec, payload: dict[str, Any]) -> None:
    """Remember the bands of a request (computed in a worker process)."""
    _bands.put(spec.key(), payload)


def compute_bands(spec: RunSpec) -> dict[str, Any]:
    """Uncertainty bands of a request with ``draws``: percentiles, P(target), fan charts.

    The server runs this in a worker process (see :mod:`removalsim.web.pool`), one job per
    process at a time, so it takes no lock.
    """
    from removalsim.analysis.mc import monte_carlo

    mc = monte_carlo(spec.scenario.value, spec.draws, seed=spec.seed, years=spec.years,
                     changes=spec.model_changes() or None, progress=False)
    fan = {}
    for column in FAN_COLUMNS:
        frame = mc.fan(column)
        fan[column] = {"fiscal_year": [int(fy) for fy in frame.index],
                       **{p: [float(x) for x in frame[p]] for p in ("p5", "p50", "p95")}}
    percentiles = {
        str(output): {str(p): _scalar(v) for p, v in dict(values).items()}
        for output, values in dict(mc.percentiles).items()
    }
    return finite({
        "draws": spec.draws, "seed": spec.seed, "percentiles": percentiles,
        "p_target": _scalar(mc.p_target), "fan": fan,
    })


def _scalar(value: Any) -> float | None:
    """A number or None (a percentile of an output that may be undefined, as years to target)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None
