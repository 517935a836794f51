"""Monte Carlo: run a scenario for many draws of its assumptions and report percentile bands.

The levers stay as the scenario sets them; the assumptions are sampled (see ``uncertainty``). The
answer is a range: P5, P50 and P95 of every headline number, the probability of reaching the
target within the horizon, and fan charts of the fiscal-year table.

"Not reached" is kept honest: a draw that does not reach the target within the horizon has no
years-to-target. Its value counts as beyond the horizon (infinite), so a percentile above the
share of draws that reach the target is ``inf`` (``null`` in JSON), never a made-up number.

>>> mc = monte_carlo("fy2019", draws=20, years=2, seed=3)
>>> p = mc.percentiles["removals_total"]
>>> p["p5"] <= p["p50"] <= p["p95"]
True
>>> monte_carlo("fy2019", draws=20, years=2, seed=3).percentiles == mc.percentiles
True
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from removalsim.analysis.uncertainty import (
    Assumption,
    assumption_names,
    assumptions,
    quantiles,
    transform,
)
from removalsim.engine import STAGES
from removalsim.inputs import Inputs, build_inputs
from removalsim.model import data_version, execute, model_version, resolve, target_vector
from removalsim.results import COST_STAGES, Outcome
from removalsim.scenario import Scenario
from removalsim.yamlio import InputError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

MAX_DRAWS = 100_000
"""Most draws one Monte Carlo run may ask for (10,000 draws take seconds and ~100 MB)."""
PERCENTILES = {"p5": 5.0, "p50": 50.0, "p95": 95.0}
OUTPUTS = (
    "removals_total",
    "removals_per_year",
    "years_to_target",
    "target_removals",
    "cost_total_usd",
    "cost_per_removal_usd",
    "detention_peak",
    "court_backlog_end",
)
"""Scalar headline numbers (named as in ``run --json``) that get percentiles."""
_CHUNK = 512
"""Draws per engine call: small enough for a smooth progress bar, large enough to use all cores."""
_SHOW_PROGRESS_AFTER = 1.0
"""Seconds: a run expected to take longer shows a progress bar (when asked for)."""


@dataclass
class MonteCarlo:
    """Many draws of one scenario: per-draw outputs, percentiles, P(target) and fans.

    Attributes
    ----------
    scenario
        The resolved scenario (levers fixed).
    draws, seed
        How many draws, and the seed that reproduces them.
    outputs
        Per-draw headline numbers, shape (draws,) each: ``OUTPUTS`` plus
        ``cost_by_stage_usd.<stage>`` and ``binding_share.<stage>``. ``years_to_target`` is NaN
        where the target is not reached within the horizon.
    fiscal
        Per-draw fiscal-year table: column -> array of shape (draws, fiscal years).
    sampled
        The assumptions that were sampled, with their ranges.
    pinned
        Assumptions the scenario sets, held at its values.
    quantiles
        The uniform quantile of every sampled assumption in every draw, shape (draws, sampled).
    """

    scenario: Scenario
    inputs: Inputs
    draws: int
    seed: int
    outputs: dict[str, np.ndarray]
    fiscal: dict[str, np.ndarray]
    sampled: list[Assumption]
    pinned: list[str]
    quantiles: np.ndarray
    seconds: float = 0.0
    model_version: str = field(default_factory=model_version)
    data_version: str = field(default_factory=data_version)

    @property
    def has_target(self) -> bool:
        """True when the scenario has a target."""
        return self.scenario.target is not None

    @property
    def p_target(self) -> float | None:
        """Share of draws that reach the target within the horizon (None without a target)."""
        if not self.has_target:
            return None
        return float(np.mean(np.isfinite(self.outputs["years_to_target"])))

    @cached_property
    def percentiles(self) -> dict[str, dict[str, float]]:
        """P5, P50 and P95 of every headline number.

        ``years_to_target`` is ``inf`` at percentiles beyond the share of draws that reach the
        target. Without a target, ``years_to_target`` and ``target_removals`` are left out.
        """
        out: dict[str, dict[str, float]] = {}
        for name, values in self.outputs.items():
            if name in {"years_to_target", "target_removals"} and not self.has_target:
                continue
            out[name] = percentiles(values)
        return out

    @cached_property
    def binding(self) -> dict[str, float]:
        """Share of draws in which each stage binds on the most days."""
        shares = np.stack([self.outputs[f"binding_share.{s}"] for s in STAGES], axis=1)
        most = np.argmax(shares, axis=1)
        return {s: float(np.mean(most == i)) for i, s in enumerate(STAGES)}

    def fan(self, column: str) -> pd.DataFrame:
        """P5, P50 and P95 of a column of ``Result.fiscal_years``, indexed by fiscal year."""
        import pandas as pd

        if column == "days":
            days = np.bincount(self.inputs.fy_index, minlength=len(self.inputs.fiscal_years))
            values = np.broadcast_to(days.astype(float), (self.draws, len(days)))
        elif column in self.fiscal:
            values = self.fiscal[column]
        else:
            raise KeyError(f"no fiscal-year column '{column}'; choose from "
                           f"{', '.join(['days', *self.fiscal])}")
        table = {name: np.percentile(values, q, axis=0) for name, q in PERCENTILES.items()}
        index = pd.Index(self.inputs.fiscal_years, name="fiscal_year")
        return pd.DataFrame(table, index=index)

    def notes(self) -> list[str]:
        """Plain-words caveats about this result."""
        notes = []
        if self.has_target:
            share = self.p_target or 0.0
            reached = [k for k, q in PERCENTILES.items() if q / 100 <= share]
            if share < 1.0:
                notes.append(
                    f"The target is reached within the horizon in {share:.0%} of draws. "
                    "years_to_target is null (beyond the horizon) at percentiles above that share"
                    + (f"; {', '.join(reached)} within it." if reached else ".")
                )
        if self.pinned:
            notes.append("Held at the scenario's values (not sampled): " + ", ".join(self.pinned))
        if self.draws < 100:
            notes.append(f"Only {self.draws} draws: P5 and P95 are rough; use 1,000 or more.")
        return notes

    def to_json(self) -> dict[str, Any]:
        """A JSON-ready summary (infinite percentiles become null)."""
        target = self.scenario.target
        return {
            "scenario": self.scenario.name,
            "draws": self.draws,
            "seed": self.seed,
            "percentiles": {k: {p: _finite(v) for p, v in q.items()}
                            for k, q in self.percentiles.items()},
            "p_target": self.p_target,
            "target": target.model_dump() if target else None,
            "binding_constraint_share": self.binding,
            "removals_by_fiscal_year": _fan_json(self.fan("removals")),
            "sampled": [a.name for a in self.sampled],
            "pinned": self.pinned,
            "notes": self.notes(),
            "model_version": self.model_version,
            "data_version": self.data_version,
            "scenario_hash": self.scenario.hash,
        }

    def plot(self, path: str | None = None) -> Figure:
        """Fan charts (removals, detention, court backlog) and the spread of the answer."""
        return fan_chart(self, path)


def percentiles(values: np.ndarray) -> dict[str, float]:
    """P5, P50, P95 of ``values``, where NaN means "beyond the range" and sorts last (inf)."""
    clean = np.where(np.isnan(values), np.inf, values)
    out = {}
    for name, q in PERCENTILES.items():
        with np.errstate(invalid="ignore"):
            v = float(np.percentile(clean, q))
        out[name] = math.inf if math.isnan(v) else v
    return out


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def _fan_json(frame: pd.DataFrame) -> list[dict[str, float]]:
    return [{"fiscal_year": int(fy), **{k: float(v) for k, v in row.items()}}
            for fy, row in frame.iterrows()]


def check_draws(draws: int) -> None:
    """Raise InputError unless 1 <= draws <= MAX_DRAWS."""
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer):
        raise InputError(f"draws must be a whole number, got {draws!r}")
    if not 1 <= draws <= MAX_DRAWS:
        raise InputError(f"draws must be between 1 and {MAX_DRAWS:,}, got {draws:,}")


def check_seed(seed: int) -> None:
    """Raise InputError unless the seed is a non-negative whole number."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise InputError(f"seed must be a non-negative whole number, got {seed!r}")


def reduce(outcome: Outcome, has_target: bool) -> tuple[dict[str, np.ndarray], dict]:
    """Per-draw headline numbers and fiscal-year table of an engine outcome."""
    head = outcome.headline(1 if has_target else None)
    outputs = {name: head[name] for name in OUTPUTS}
    for i, stage in enumerate(COST_STAGES):
        outputs[f"cost_by_stage_usd.{stage}"] = head["cost_by_stage_usd"][:, i]
    for i, stage in enumerate(STAGES):
        outputs[f"binding_share.{stage}"] = head["binding_share"][:, i]
    return outputs, outcome.fiscal_table()


def simulate(
    scenario: Scenario, inputs: Inputs, u: np.ndarray, *, progress: bool = False,
    label: str = "draws",
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray], list[Assumption], list[str]]:
    """Run the engine for quantile rows ``u``, in chunks, keeping yearly aggregates only."""
    sampled, pinned = assumptions(scenario, inputs)
    target = target_vector(scenario, inputs)
    has_target = scenario.target is not None
    parts: list[tuple[dict, dict]] = []
    n = u.shape[0]
    with ProgressBar(n, label, enabled=progress) as bar:
        for first in range(0, n, _CHUNK):
            mult, add = transform(sampled, u[first:first + _CHUNK])
            outcome, _ = execute(inputs, mult, add, target, keep_daily=False)
            parts.append(reduce(outcome, has_target))
            bar.advance(mult.shape[0])
    outputs = {k: np.concatenate([p[0][k] for p in parts]) for k in parts[0][0]}
    fiscal = {k: np.concatenate([p[1][k] for p in parts]) for k in parts[0][1]}
    return outputs, fiscal, sampled, pinned


def monte_carlo(
    scenario: str | Scenario,
    draws: int,
    seed: int = 0,
    *,
    years: float | None = None,
    changes: dict | None = None,
    progress: bool = False,
) -> MonteCarlo:
    """Run a scenario for ``draws`` draws of its assumptions.

    Parameters
    ----------
    scenario
        A shipped scenario name, a YAML path, an expression ``a+b``, or a Scenario.
    draws
        Number of draws, 1 to ``MAX_DRAWS``.
    seed
        The same seed gives the same result.
    years, changes
        Horizon and extra parameter changes, as in ``removalsim.run``. An assumption set here is
        held at that value rather than sampled.
    progress
        Show a progress bar (on stderr) when the run takes more than a second.

    Raises
    ------
    InputError
        On a bad scenario, change, number of draws or seed.
    """
    check_draws(draws)
    check_seed(seed)
    started = time.perf_counter()
    resolved = resolve(scenario, years, changes)
    inputs = build_inputs(resolved)
    u = quantiles(int(draws), int(seed))
    outputs, fiscal, sampled, pinned = simulate(resolved, inputs, u, progress=progress)
    columns = [assumption_names().index(a.name) for a in sampled]
    return MonteCarlo(
        scenario=resolved, inputs=inputs, draws=int(draws), seed=int(seed), outputs=outputs,
        fiscal=fiscal, sampled=sampled, pinned=pinned, quantiles=u[:, columns],
        seconds=time.perf_counter() - started,
    )


class ProgressBar:
    """A Rich progress bar on stderr that appears only once a job looks longer than a second.

    >>> with ProgressBar(10, "draws", enabled=False) as bar:
    ...     bar.advance(10)
    """

    def __init__(self, total: int, label: str, enabled: bool) -> None:
        self.total = total
        self.label = label
        self.enabled = enabled
        self.done = 0
        self.started = 0.0
        self.bar = None
        self.task = None

    def __enter__(self) -> ProgressBar:
        self.started = time.perf_counter()
        return self

    def advance(self, n: int) -> None:
        self.done += n
        if not self.enabled or self.done >= self.total:
            if self.bar is not None:
                self.bar.update(self.task, completed=self.done)
            return
        if self.bar is None:
            elapsed = time.perf_counter() - self.started
            expected = elapsed / self.done * self.total
            if expected < _SHOW_PROGRESS_AFTER:
                return
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                TextColumn,
                TimeRemainingColumn,
            )

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(),
                                MofNCompleteColumn(), TimeRemainingColumn(),
                                console=Console(stderr=True), transient=True)
            self.bar.start()
            self.task = self.bar.add_task(self.label, total=self.total)
        self.bar.update(self.task, completed=self.done)

    def __exit__(self, *exc: object) -> None:
        if self.bar is not None:
            self.bar.stop()


def fan_chart(mc: MonteCarlo, path: str | None = None) -> Figure:
    """Fan charts (P5-P95 band and median) of removals, detention and the court backlog, and the
    spread of total removals (or of years to target when the scenario has one)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(18, 4.5), constrained_layout=True)
    panels = (("removals", "Removals by fiscal year (thousands)", 1e3),
              ("detained_adp", "Detained, average daily (thousands)", 1e3),
              ("court_backlog_end", "Court backlog at year end (millions)", 1e6))
    target = mc.scenario.target
    for ax, (column, title, unit) in zip(axes, panels, strict=False):
        frame = mc.fan(column)
        years = frame.index.to_numpy()
        ax.fill_between(years, frame["p5"] / unit, frame["p95"] / unit, color="#1f5fa8",
                        alpha=0.25, label="P5-P95")
        ax.plot(years, frame["p50"] / unit, color="#1f5fa8", label="median")
        if column == "removals" and target is not None and target.per_year:
            ax.axhline(target.removals / unit, color="#c0392b", linestyle="--", label="target")
        ax.set_title(title)
        ax.set_xlabel("fiscal year")
        ax.legend(fontsize=8)
    ax = axes[3]
    if target is not None:
        years = np.sort(mc.outputs["years_to_target"])
        reached = np.isfinite(years)
        share = np.arange(1, len(years) + 1) / len(years)
        ax.step(np.r_[0.0, years[reached], mc.scenario.years],
                np.r_[0.0, share[reached], mc.p_target], where="post", color="#1f5fa8")
        ax.set_xlim(0, mc.scenario.years)
        ax.set_ylim(0, 1)
        ax.set_xlabel("years from the start")
        ax.set_ylabel("share of draws that reached the target")
        ax.set_title(f"Target reached by the horizon in {mc.p_target:.0%} of draws")
    else:
        ax.hist(mc.outputs["removals_total"] / 1e6, bins=40, color="#1f5fa8")
        ax.set_xlabel("removals over the horizon (millions)")
        ax.set_title("Spread of total removals")
    fig.suptitle(f"{mc.scenario.name}: {mc.draws:,} draws of the assumptions (seed {mc.seed})",
                 fontsize=10)
    if path:
        fig.savefig(path, dpi=110)
        plt.close(fig)
    return fig
