"""Global sensitivity: which uncertain assumptions move the answer, with confidence intervals.

Two methods, both from SALib, over the same quantile space the Monte Carlo samples (each
assumption's quantile is uniform on [0, 1) and mapped through its own distribution):

- ``sobol`` (default): Saltelli's design, first-order (S1) and total (ST) Sobol indices, ranked
  by ST. It costs ``N * (D + 2)`` runs for ``D`` assumptions.
- ``delta``: Borgonovo's moment-independent delta from a Latin-hypercube sample of ``N`` runs,
  with S1 from the same data, ranked by delta.

Confidence intervals (95%) come from SALib's bootstrap. A dummy assumption that the model never
reads is analysed with the others: its index is the noise floor of the estimate, and an
assumption whose interval does not clear it is flagged as not distinguishable from noise. When
the intervals of the leading assumptions are wider than ``WIDE`` the result carries a warning
saying how many draws would narrow them.

A one-at-a-time tornado comes with it: the output with each assumption at the low and the high
end of its range, the others at their central values.

Cost rates never feed back into arrests, detention, courts or removals, so they are left out when
the output is not a cost.

>>> s = sensitivity("fy2019", "removals_total", draws=8, years=1, seed=1)
>>> s.ranking()[0]["parameter"] in s.parameters
True
"""

from __future__ import annotations

import contextlib
import io
import math
import warnings
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from removalsim.analysis.mc import check_seed, simulate
from removalsim.analysis.uncertainty import Assumption, assumption_names, assumptions
from removalsim.inputs import build_inputs
from removalsim.model import data_version, model_version, resolve
from removalsim.scenario import Scenario
from removalsim.yamlio import InputError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

OUTPUTS = ("removals_total", "years_to_target", "cost_total_usd", "removals_per_year",
           "target_removals", "detention_peak", "court_backlog_end", "cost_per_removal_usd")
"""Outputs a sensitivity analysis can explain (the first three are the usual ones)."""
COST_OUTPUTS = {"cost_total_usd", "cost_per_removal_usd"}
DEFAULT_DRAWS = {"sobol": 256, "delta": 1024}
MIN_DRAWS = {"sobol": 4, "delta": 128}
DELTA_RESAMPLES = 10
"""Bootstrap resamples of SALib's delta (its cost grows with them; 10 give usable intervals)."""
MAX_RUNS = 500_000
WIDE = 0.10
"""A 95% half-interval wider than this, on a leading assumption's index, draws a warning."""
LEADING = 10
"""How many top-ranked assumptions the width warning looks at."""
DUMMY = "dummy (no effect)"
CONF_LEVEL = 0.95


@dataclass
class Sensitivity:
    """Indices of each assumption for one output, with intervals, a tornado and warnings.

    Attributes
    ----------
    index, index_conf
        The ranking index (ST for sobol, delta for delta) and its 95% half-interval, by name.
    first_order, first_order_conf
        S1 and its 95% half-interval, by name.
    tornado
        Output at the low and the high end of each assumption's range (others central).
    """

    scenario: Scenario
    output: str
    method: str
    draws: int
    runs: int
    seed: int
    parameters: list[str]
    index: dict[str, float]
    index_conf: dict[str, float]
    first_order: dict[str, float]
    first_order_conf: dict[str, float]
    noise_floor: dict[str, float]
    central: float
    tornado: dict[str, dict[str, float]]
    ranges: dict[str, tuple[float, float]]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def index_name(self) -> str:
        """``ST`` (total Sobol index) or ``delta``."""
        return "ST" if self.method == "sobol" else "delta"

    def above_noise(self, name: str) -> bool:
        """True if the index's interval lies above the dummy's."""
        floor = self.noise_floor["index"] + self.noise_floor["conf"]
        return self.index[name] - self.index_conf[name] > floor

    def ranking(self) -> list[dict[str, Any]]:
        """Assumptions by decreasing index, with intervals and the tornado's swing."""
        rows = []
        for name in sorted(self.parameters, key=lambda n: -_num(self.index[n])):
            low, high = self.ranges[name]
            rows.append({
                "parameter": name,
                "index": _finite(self.index[name]),
                "index_conf": _finite(self.index_conf[name]),
                "first_order": _finite(self.first_order[name]),
                "first_order_conf": _finite(self.first_order_conf[name]),
                "above_noise": self.above_noise(name),
                "low": low,
                "high": high,
                "output_at_low": _finite(self.tornado[name]["low"]),
                "output_at_high": _finite(self.tornado[name]["high"]),
            })
        return rows

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        return {
            "scenario": self.scenario.name,
            "output": self.output,
            "method": self.method,
            "index": self.index_name,
            "draws": self.draws,
            "runs": self.runs,
            "seed": self.seed,
            "conf_level": CONF_LEVEL,
            "central": _finite(self.central),
            "indices": self.ranking(),
            "noise_floor": {k: _finite(v) for k, v in self.noise_floor.items()},
            "warnings": self.warnings,
            "notes": self.notes,
            "model_version": model_version(),
            "data_version": data_version(),
            "scenario_hash": self.scenario.hash,
        }

    def plot(self, path: str | None = None, top: int = 15) -> Figure:
        """A tornado chart (output at each end of the range) and the indices with intervals."""
        return tornado_chart(self, path, top)


def _finite(x: float) -> float | None:
    return float(x) if x is not None and math.isfinite(x) else None


def _num(x: float) -> float:
    return x if math.isfinite(x) else -math.inf


def _values(outputs: dict[str, np.ndarray], output: str, horizon: float) -> np.ndarray:
    values = outputs[output]
    if output == "years_to_target":  # not reached: counts as the horizon (a lower bound)
        values = np.where(np.isfinite(values), values, horizon)
    return values


def sensitivity(
    scenario: str | Scenario,
    output: str = "removals_total",
    *,
    method: Literal["sobol", "delta"] = "sobol",
    draws: int | None = None,
    seed: int = 0,
    years: float | None = None,
    changes: dict | None = None,
    progress: bool = False,
) -> Sensitivity:
    """Rank the assumptions by how much they move ``output``.

    Parameters
    ----------
    scenario
        A shipped scenario name, a YAML path, an expression ``a+b``, or a Scenario.
    output
        One of ``OUTPUTS``; ``years_to_target`` needs a target (draws that do not reach it count
        as the horizon).
    method
        ``sobol`` (S1 and ST, ``draws * (D + 2)`` runs) or ``delta`` (``draws`` runs).
    draws
        Base sample size ``N`` (a power of two for sobol; rounded up). Defaults: 256 / 1024.
    seed
        The same seed gives the same result.
    years, changes
        Horizon and extra parameter changes, as in ``removalsim.run``.
    progress
        Show a progress bar when the runs take more than a second.

    Raises
    ------
    InputError
        On a bad scenario, output, method or sample size, or an output that does not vary.
    """
    if output not in OUTPUTS:
        raise InputError(f"unknown output '{output}'; choose from {', '.join(OUTPUTS)}")
    if method not in DEFAULT_DRAWS:
        raise InputError(f"unknown method '{method}'; choose sobol or delta")
    check_seed(seed)
    resolved = resolve(scenario, years, changes)
    if output in {"years_to_target", "target_removals"} and resolved.target is None:
        raise InputError(f"scenario '{resolved.name}' has no target, so it has no {output}; "
                         "choose removals_total or cost_total_usd")
    inputs = build_inputs(resolved)
    sampled, pinned = assumptions(resolved, inputs)
    notes = []
    if output not in COST_OUTPUTS:
        sampled = [a for a in sampled if not a.name.startswith("costs.")]
        notes.append("Cost rates are left out: they do not change people's flows.")
    if pinned:
        notes.append("Held at the scenario's values (not sampled): " + ", ".join(pinned))
    names = [a.name for a in sampled]
    problem = {"num_vars": len(names) + 1, "names": [*names, DUMMY],
               "bounds": [[0.0, 1.0]] * (len(names) + 1)}
    n = int(draws or DEFAULT_DRAWS[method])
    if n < MIN_DRAWS[method]:
        raise InputError(f"{method} needs at least {MIN_DRAWS[method]} draws, got {n}")
    if method == "sobol" and n & (n - 1):
        rounded = 1 << (n - 1).bit_length()
        notes.append(f"Sobol sampling needs a power of two: {n} draws rounded up to {rounded}.")
        n = rounded
    runs = n * (problem["num_vars"] + 2) if method == "sobol" else n
    if runs > MAX_RUNS:
        raise InputError(f"{runs:,} runs is more than the limit of {MAX_RUNS:,}; use fewer draws")

    x = _sample(problem, method, n, seed)
    central = _central_quantiles(sampled)
    u = _full_quantiles(sampled, x[:, :-1], central)
    outputs, *_ = simulate(resolved, inputs, u, progress=progress, label="sensitivity runs")
    y = _values(outputs, output, resolved.years)
    if output == "years_to_target":
        share = float(np.mean(np.isfinite(outputs["years_to_target"])))
        notes.append(f"The target is reached in {share:.0%} of runs; the others count as the "
                     f"horizon ({resolved.years:g} years), a lower bound.")
    if not np.all(np.isfinite(y)):
        raise InputError(f"{output} is undefined in some runs; choose another output")
    if np.ptp(y) <= 1e-9 * max(1.0, float(np.abs(y).max())):
        raise InputError(f"{output} does not vary over the assumptions' ranges (it is "
                         f"{y[0]:,.4g} in every run), so there is nothing to rank")
    index, index_conf, first, first_conf = _analyze(problem, method, x, y, seed)

    tornado = _tornado(resolved, inputs, sampled, central, output)
    base = tornado.pop("__central__")["low"]
    dummy = {"index": index.pop(DUMMY), "conf": index_conf.pop(DUMMY)}
    first.pop(DUMMY)
    first_conf.pop(DUMMY)
    result = Sensitivity(
        scenario=resolved, output=output, method=method, draws=n, runs=runs, seed=int(seed),
        parameters=names, index=index, index_conf=index_conf, first_order=first,
        first_order_conf=first_conf, noise_floor=dummy, central=base, tornado=tornado,
        ranges={a.name: (a.low, a.high) for a in sampled}, notes=notes,
    )
    result.warnings = _width_warnings(result)
    return result


def one_at_a_time(
    scenario: str | Scenario, output: str = "removals_total", *, years: float | None = None,
) -> tuple[float, dict[str, dict[str, float]]]:
    """The tornado alone: ``output`` with each assumption at the low and the high end of its range.

    A cheap ranking (two runs per assumption, the others at their central values) for audits that
    cannot afford the global indices of :func:`sensitivity`.

    Returns
    -------
    central, ends
        The output with every assumption central, and ``{name: {"low": .., "high": ..}}``.
    """
    if output not in OUTPUTS:
        raise InputError(f"unknown output '{output}'; choose from {', '.join(OUTPUTS)}")
    resolved = resolve(scenario, years, None)
    inputs = build_inputs(resolved)
    sampled, _ = assumptions(resolved, inputs)
    ends = _tornado(resolved, inputs, sampled, _central_quantiles(sampled), output)
    return ends.pop("__central__")["low"], ends


def _sample(problem: dict, method: str, n: int, seed: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if method == "sobol":
            from SALib.sample import sobol

            return sobol.sample(problem, n, calc_second_order=False, seed=seed)
        from SALib.sample import latin

        return latin.sample(problem, n, seed=seed)


def _analyze(problem: dict, method: str, x: np.ndarray, y: np.ndarray, seed: int):
    names = problem["names"]
    formatter = warnings.formatwarning  # SALib's delta replaces it for the whole process
    with warnings.catch_warnings(record=True):  # and resets the filters: record, never print
        warnings.simplefilter("ignore")
        if method == "sobol":
            from SALib.analyze import sobol

            # SALib ignores a seed of 0, hence seed + 1 (here and below)
            res = sobol.analyze(problem, y, calc_second_order=False, num_resamples=200,
                                conf_level=CONF_LEVEL, seed=seed + 1)
            keys = ("ST", "ST_conf", "S1", "S1_conf")
        else:
            from SALib.analyze import delta

            # SALib's delta seeds numpy's global generator: keep the caller's state
            state = np.random.get_state()  # noqa: NPY002
            quiet = io.StringIO()  # SALib prints a notice per assumption
            try:
                with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
                    res = delta.analyze(problem, x, y, num_resamples=DELTA_RESAMPLES,
                                        conf_level=CONF_LEVEL, seed=seed + 1, method="all")
            finally:
                np.random.set_state(state)  # noqa: NPY002
            keys = ("delta_raw", "delta_raw_conf", "S1", "S1_conf")
    warnings.formatwarning = formatter
    return tuple({n: float(v) for n, v in zip(names, res[k], strict=True)} for k in keys)


def _central_quantiles(sampled: list[Assumption]) -> np.ndarray:
    """The quantile of each assumption's central value (the mode)."""
    return np.array([(a.mode - a.low) / (a.high - a.low) for a in sampled])


def _full_quantiles(sampled: list[Assumption], x: np.ndarray, central: np.ndarray) -> np.ndarray:
    """Quantile rows over every assumption of the tree (unsampled columns are not read)."""
    names = assumption_names()
    u = np.full((x.shape[0], len(names)), 0.5)
    for j, item in enumerate(sampled):
        u[:, names.index(item.name)] = x[:, j]
    return u


def _tornado(scenario, inputs, sampled, central, output) -> dict[str, dict[str, float]]:
    """Output with each assumption at each end of its range, the others at their centres."""
    k = len(sampled)
    x = np.tile(central, (2 * k + 1, 1))
    for j in range(k):
        x[2 * j, j] = 0.0
        x[2 * j + 1, j] = 1.0
    outputs, *_ = simulate(scenario, inputs, _full_quantiles(sampled, x, central))
    y = _values(outputs, output, scenario.years)
    table = {a.name: {"low": float(y[2 * j]), "high": float(y[2 * j + 1])}
             for j, a in enumerate(sampled)}
    table["__central__"] = {"low": float(y[-1]), "high": float(y[-1])}
    return table


def _width_warnings(s: Sensitivity) -> list[str]:
    leading = sorted(s.parameters, key=lambda n: -_num(s.index[n]))[:LEADING]
    widest = max((s.index_conf[n] for n in leading if math.isfinite(s.index_conf[n])),
                 default=0.0)
    out = []
    if widest > WIDE:
        factor = (widest / WIDE) ** 2
        suggest = s.draws * factor
        if s.method == "sobol":
            suggest = 1 << math.ceil(math.log2(suggest))
        out.append(
            f"The 95% intervals of the leading assumptions are too wide for {s.draws:,} draws "
            f"(up to ±{widest:.2f} on {s.index_name}); the ranking is not reliable. "
            f"Rerun with --draws {int(math.ceil(suggest)):,} or more."
        )
    noisy = [n for n in leading[:5] if not s.above_noise(n)]
    if noisy:
        out.append("Not distinguishable from the noise floor (the dummy's index): "
                   + ", ".join(noisy))
    return out


def tornado_chart(s: Sensitivity, path: str | None = None, top: int = 15) -> Figure:
    """Left: tornado (output at the low and high end of each range). Right: indices with 95%
    intervals and the noise floor."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    rows = s.ranking()[:top]
    names = [r["parameter"] for r in rows][::-1]
    fig, (left, right) = plt.subplots(1, 2, figsize=(15, 0.4 * len(names) + 2.2),
                                      constrained_layout=True, sharey=True)
    base = s.central
    ypos = np.arange(len(names))
    low = np.array([s.tornado[n]["low"] for n in names]) - base
    high = np.array([s.tornado[n]["high"] for n in names]) - base
    # the longer bar of each row first, so that a shorter one on the same side stays visible
    low_first = np.abs(low) >= np.abs(high)
    for first in (True, False):
        rows_low = low_first == first
        left.barh(ypos[rows_low], low[rows_low], color="#c0392b",
                  label="assumption at the low end" if first else None)
        left.barh(ypos[~rows_low], high[~rows_low], color="#1f5fa8",
                  label="assumption at the high end" if first else None)
    left.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.4g}"))
    left.axvline(0, color="#333333", linewidth=0.8)
    left.set_yticks(ypos, names, fontsize=8)
    left.set_xlabel(f"change in {s.output} from the central run ({base:,.0f})")
    left.set_title("One at a time (tornado)")
    left.legend(fontsize=8)
    index = np.array([s.index[n] for n in names])
    conf = np.array([s.index_conf[n] for n in names])
    right.barh(ypos, np.clip(index, 0, None), xerr=conf, color="#1f5fa8", ecolor="#333333",
               capsize=2)
    floor = s.noise_floor["index"] + s.noise_floor["conf"]
    right.axvline(floor, color="#c0392b", linestyle="--", label="noise floor (dummy)")
    right.set_xlabel(f"{s.index_name} with 95% interval")
    right.set_title(f"Global ({s.method}, {s.runs:,} runs)")
    right.legend(fontsize=8)
    fig.suptitle(f"{s.scenario.name}: what moves {s.output}", fontsize=10)
    if path:
        fig.savefig(path, dpi=110)
        plt.close(fig)
    return fig
