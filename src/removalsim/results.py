"""What a run returns: daily stocks and flows, a fiscal-year table and the headline numbers."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

import numpy as np

from removalsim.engine import ORIGINS, RECORD, STAGES
from removalsim.inputs import Inputs
from removalsim.scenario import Scenario
from removalsim.vocabulary import COURT_OUTCOMES, GROUPS, REMOVABLE_STATUSES, ROUTES, label

if TYPE_CHECKING:
    import pandas as pd

COST_STAGES = ("arrests", "detention", "courts", "removal")
_K = {name: i for i, name in enumerate(RECORD)}
_COST = [_K[f"cost_{s}"] for s in COST_STAGES]
_BACKLOG = _K["court_pending"]

# Fiscal-year and monthly tables: column name -> (record name, how to aggregate: sum | mean | end)
FY_COLUMNS: dict[str, tuple[str, str]] = {
    "removals": ("removals", "sum"),
    **{f"removals_{o}": (f"removals_{o}", "sum") for o in ORIGINS},
    "removals_interior": ("removals_interior", "sum"),
    "removals_expedited_interior": ("removals_expedited_interior", "sum"),
    **{f"removals_{r}": (f"removals_{r}", "sum") for r in ROUTES},
    **{f"removals_{g}": (f"removals_{g}", "sum") for g in GROUPS},
    "removals_cbp_executed": ("removals_cbp_executed", "sum"),
    "removals_dhs": ("removals", "sum"),  # plus CBP-executed removals, added below
    "removals_from_detention": ("removals", "sum"),  # less those from CBP custody, below
    "returns_cbp": ("returns_cbp", "sum"),
    "expulsions_title42": ("expulsions_title42", "sum"),
    "arrests": ("arrests_custodial", "sum"),  # plus the other three kinds, added below
    "arrests_custodial": ("arrests_custodial", "sum"),
    "arrests_at_large": ("arrests_at_large", "sum"),
    "arrests_check_in": ("arrests_check_in", "sum"),
    "arrests_processing": ("arrests_processing", "sum"),
    "book_ins": ("book_ins_border", "sum"),  # plus interior, added below
    "book_ins_border": ("book_ins_border", "sum"),
    "book_ins_interior": ("book_ins_interior", "sum"),
    "detained_adp": ("detained", "mean"),
    "detained_adp_border": ("detained_border", "mean"),
    "beds": ("beds", "mean"),
    "atd_enrolled": ("atd_enrolled", "mean"),
    "released_no_bed": ("released_no_bed", "sum"),
    "released_on_processing": ("released_on_processing", "sum"),
    "released_for_beds": ("released_for_beds", "sum"),
    "released_on_bond": ("released_on_bond", "sum"),
    "released_on_supervision": ("released_on_supervision", "sum"),
    "court_receipts": ("court_receipts", "sum"),
    "court_completions": ("court_completions_detained", "sum"),  # plus non-detained
    **{f"court_{o}": (f"court_{o}", "sum") for o in COURT_OUTCOMES},
    "court_dismissed_for_expedited": ("court_dismissed_for_expedited", "sum"),
    "removal_orders": ("removal_orders", "sum"),
    "self_departures": ("self_departures", "sum"),
    "voluntary_departures": ("voluntary_departures", "sum"),
    "court_backlog_end": ("court_pending", "end"),
    "bia_pending_end": ("bia_pending", "end"),
    "final_order_at_large_end": ("population_final_order", "end"),
    "unauthorized_population_end": ("unauthorized_population", "end"),
    **{f"cost_{s}_usd": (f"cost_{s}", "sum") for s in COST_STAGES},
}


_ADDED = {"arrests": ("arrests_at_large", "arrests_check_in", "arrests_processing"),
          "removals_dhs": ("removals_cbp_executed",),
          "book_ins": ("book_ins_interior",),
          "court_completions": ("court_completions_non_detained",)}
"""Columns that add further records to the first one named in ``FY_COLUMNS``."""

_LESS = {"removals_from_detention": ("removals_cbp_custody",)}
"""Columns that take records away from the first one named in ``FY_COLUMNS``: ICE's removals of
people it held in its own detention (its book-outs to removal) are its removals less those it
carried out straight from CBP custody."""


def period_table(sums: np.ndarray, ends: np.ndarray, days: np.ndarray) -> dict[str, np.ndarray]:
    """Each ``FY_COLUMNS`` column over periods (fiscal years or months).

    Parameters
    ----------
    sums, ends
        Records summed over each period and at its last day, shape (..., periods, records).
    days
        Days in each period, shape (periods,).

    Returns
    -------
    dict
        Column name -> array of shape (..., periods).
    """
    out: dict[str, np.ndarray] = {}
    for column, (record, how) in FY_COLUMNS.items():
        k = _K[record]
        if how == "sum":
            out[column] = sums[..., k].copy()
        elif how == "mean":
            out[column] = sums[..., k] / days
        else:
            out[column] = ends[..., k].copy()
    for column, records in _ADDED.items():
        for record in records:
            out[column] += sums[..., _K[record]]
    for column, records in _LESS.items():
        for record in records:
            out[column] -= sums[..., _K[record]]
    return out


def monthly_table(daily: np.ndarray, start: dt.date) -> pd.DataFrame:
    """One row per calendar month of a daily record, aggregated as ``FY_COLUMNS`` says.

    Parameters
    ----------
    daily
        Daily stocks and flows, shape (days, len(RECORD)).
    start
        Date of the first day.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``month`` (the month's first day, a ``datetime.date``), with a ``days`` column
        (a month cut by the start or end of the run has fewer days).
    """
    import pandas as pd

    dates = pd.date_range(start, periods=len(daily), freq="D")
    code = dates.year * 12 + dates.month - 1
    first = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    last = np.r_[first[1:], len(daily)] - 1
    days = (last - first + 1).astype(float)
    table = period_table(np.add.reduceat(daily, first, axis=0), daily[last], days)
    index = pd.Index([dt.date(c // 12, c % 12 + 1, 1) for c in code[first]], name="month")
    frame = pd.DataFrame(table, index=index)
    frame.insert(0, "days", days)
    return frame


@dataclass(frozen=True)
class Outcome:
    """Raw engine output for one or more draws (leading axis = draw)."""

    year_sum: np.ndarray
    year_end: np.ndarray
    binding: np.ndarray
    summary: np.ndarray
    days_per_year: np.ndarray

    def fiscal_table(self) -> dict[str, np.ndarray]:
        """Each fiscal-year column, shape (draws, years)."""
        return period_table(self.year_sum, self.year_end, self.days_per_year)

    def headline(self, target: int | None) -> dict[str, np.ndarray]:
        """Headline numbers per draw, shape (draws,) each (or (draws, n) for by-stage values)."""
        removals = self.year_sum[:, :, _K["removals"]].sum(axis=1)
        cost_by_stage = self.year_sum[:, :, _COST].sum(axis=1)
        cost = cost_by_stage.sum(axis=1)
        days = self.days_per_year.sum()
        reached = self.summary[:, 0]
        years = np.where(reached > 0, reached / 365.25, np.nan) if target else np.full_like(
            reached, np.nan
        )
        return {
            "removals_total": removals,
            "removals_per_year": removals / (days / 365.25),
            "years_to_target": years,
            "cost_total_usd": cost,
            "cost_per_removal_usd": np.where(removals > 0, cost / np.maximum(removals, 1), np.nan),
            "detention_peak": self.summary[:, 1],
            "target_removals": self.summary[:, 2],
            "court_backlog_end": self.year_end[:, -1, _BACKLOG],
            "binding_share": self.binding / days,
            "cost_by_stage_usd": cost_by_stage,
        }


@dataclass
class Result:
    """The result of one deterministic run.

    Attributes
    ----------
    scenario
        The resolved scenario that was run.
    outcome
        Engine output (one draw).
    marginal
        Extra removals over the horizon from +10% of each resource, and per extra $1M.
    shadow
        Removals gained (``plus_10``) and lost (``minus_10``, negative) over the horizon when each
        capacity is raised or cut by 10%.
    bottleneck
        The binding constraint: the capacity whose +10% gains most, or ``co-binding: a+b``.
    daily_record
        Daily stocks and flows, shape (days, len(RECORD)).
    """

    scenario: Scenario
    inputs: Inputs
    outcome: Outcome
    daily_record: np.ndarray
    marginal: dict[str, dict[str, float]] = field(default_factory=dict)
    shadow: dict[str, dict[str, float]] = field(default_factory=dict)
    bottleneck: str | None = None
    model_version: str = ""
    data_version: str = ""

    @cached_property
    def daily(self) -> pd.DataFrame:
        """Daily stocks (end of day) and flows, indexed by date."""
        import pandas as pd

        index = pd.date_range(self.scenario.start, periods=len(self.daily_record), freq="D")
        frame = pd.DataFrame(self.daily_record, index=index, columns=list(RECORD))
        frame["binding"] = [STAGES[int(b)] for b in frame["binding"]]
        return frame

    @cached_property
    def fiscal_years(self) -> pd.DataFrame:
        """One row per fiscal year: flows summed, populations averaged or at year end."""
        import pandas as pd

        table = {k: v[0] for k, v in self.outcome.fiscal_table().items()}
        frame = pd.DataFrame(table, index=pd.Index(self.inputs.fiscal_years, name="fiscal_year"))
        frame.insert(0, "days", self.outcome.days_per_year)
        return frame

    @cached_property
    def months(self) -> pd.DataFrame:
        """One row per calendar month: flows summed, populations averaged or at month end."""
        return monthly_table(self.daily_record, self.scenario.start)

    @cached_property
    def headline(self) -> dict[str, Any]:
        """The headline numbers (the keys of ``run --json``)."""
        target = self.scenario.target
        h = {k: v[0] for k, v in self.outcome.headline(target.removals if target else None).items()}
        share = {s: float(x) for s, x in zip(STAGES, h["binding_share"], strict=True)}
        years = float(h["years_to_target"])
        table = self.outcome.fiscal_table()
        first, last = self.daily_record[0], self.daily_record[-1]

        def total(column: str) -> float:
            return float(table[column][0].sum())

        return {
            "scenario": self.scenario.name,
            "description": self.scenario.description,
            "start": self.scenario.start.isoformat(),
            "years": self.scenario.years,
            "removals_by_fiscal_year": [
                {"fiscal_year": int(fy), "removals": float(r), "days": int(days)}
                for fy, r, days in zip(
                    self.inputs.fiscal_years,
                    self.outcome.year_sum[0, :, _K["removals"]],
                    self.outcome.days_per_year,
                    strict=True,
                )
            ],
            "removals_total": float(h["removals_total"]),
            "removals_per_year": float(h["removals_per_year"]),
            "target": target.model_dump() if target else None,
            "years_to_target": None if np.isnan(years) else years,
            "target_removals": float(h["target_removals"]) if target else None,
            "binding_constraint": self.bottleneck,
            "binding_stage": max(share, key=share.get),
            "binding_share": share,
            "shadow_removals": self.shadow,
            "removals_by_route": {r: total(f"removals_{r}") for r in ROUTES},
            "removals_by_group": {g: total(f"removals_{g}") for g in GROUPS},
            "removals_by_status_at_arrest": {s: total(f"removals_{s}") for s in REMOVABLE_STATUSES},
            "removals_interior": total("removals_interior"),
            "removals_border": total("removals_border"),
            "removals_cbp_executed": total("removals_cbp_executed"),
            "returns_cbp": total("returns_cbp"),
            "expulsions_title42": total("expulsions_title42"),
            "court_pending_start": float(first[_K["court_pending"]]),
            "court_pending_end": float(last[_K["court_pending"]]),
            "court_outcomes": {o: total(f"court_{o}") for o in COURT_OUTCOMES},
            "unauthorized_population_start": float(first[_K["unauthorized_population"]]),
            "unauthorized_population_end": float(last[_K["unauthorized_population"]]),
            "marginal_removals": {k: v["removals"] for k, v in self.marginal.items()},
            "marginal_removals_per_million_usd": {
                k: v["per_million_usd"] for k, v in self.marginal.items()
            },
            "cost_total_usd": float(h["cost_total_usd"]),
            "cost_per_removal_usd": float(h["cost_per_removal_usd"]),
            "cost_by_stage_usd": {
                s: float(c) for s, c in zip(COST_STAGES, h["cost_by_stage_usd"], strict=True)
            },
            "price_year": _price_year(),
            "detention_peak": float(h["detention_peak"]),
            "court_backlog_end": float(h["court_backlog_end"]),
            "model_version": self.model_version,
            "data_version": self.data_version,
            "scenario_hash": self.scenario.hash,
            "seed": None,
        }

    def summary(self) -> str:
        """The answer in one sentence."""
        return sentence(self.headline)

    def plot(self, path: str | None = None, baseline: Result | None = None):
        """Chart removals, detention and the court backlog (optionally against a baseline)."""
        from removalsim.charts import run_chart

        return run_chart(self, path, baseline)

    def conservation_error(self) -> float:
        """Largest relative error of the people balance over all days."""
        return float(self.daily_record[:, _K["conservation_error"]].max())


def _price_year() -> int:
    from removalsim.prices import PRICE_YEAR

    return PRICE_YEAR


SEGMENT_WORDS = {
    "no_contact": "people never in contact",
    "docket": "people awaiting a court decision",
    "final_order": "people with final orders",
    "prior_removal": "people who re-entered after a removal",
    "status_ended": "people whose status was ended",
    "case_closed": "people whose case was closed",
    "border": "people arrested at the border",
}
"""Target segments in plain words, for sentences."""


def describe_segments(segments: tuple[str, ...]) -> str:
    """Plain words for a set of target segments."""
    interior = set(REMOVABLE_STATUSES)
    if set(segments) >= interior:
        if "border" in segments:
            return "people (interior and border arrests)"
        return "undocumented people arrested in the interior"
    return " and ".join(SEGMENT_WORDS[s] for s in segments)


def binding_words(h: dict[str, Any]) -> str:
    """What binds, in words: the bottleneck with its shadow value, or the stage that limits flow."""
    name = h["binding_constraint"]
    shadow = h.get("shadow_removals") or {}
    counted = "of them" if h.get("target") else ""
    if name is None:
        stage = h["binding_stage"]
        return f"{label(stage).lower()} limit flow on {h['binding_share'][stage]:.0%} of days"
    if name == "none":
        return "no capacity binds (+10% of any gains under 1%)"
    if name.startswith("co-binding: "):
        names, _, gain = name[12:].partition(" (")
        return f"{' and '.join(label(n).lower() for n in names.split('+'))} bind together ({gain}"
    gain = shadow[name]["plus_10"]
    whose = f" {counted}" if counted else ""
    noun = label(name).lower()
    verb = "bind" if noun.endswith("s") else "binds"  # "beds bind", "jail cooperation binds"
    return f"{noun} {verb} (+10% adds {gain:,.0f} removals{whose})"


def sentence(h: dict[str, Any]) -> str:
    """The answer in one sentence, from headline numbers."""
    per_year = f"{h['removals_per_year']:,.0f} removals a year"
    start = dt.date.fromisoformat(h["start"])
    bind = binding_words(h)
    target = h["target"]
    if not target:
        return f"From {start:%B %Y}, the model gives {per_year}; {bind}."
    who = describe_segments(tuple(target["segments"]))
    goal = f"{target['removals']:,} removals of {who}"
    if target["per_year"]:
        goal += " a year"
    if h["years_to_target"] is None:
        counted = h["target_removals"]
        got = (f"at most {counted:,.0f} in a year" if target["per_year"]
               else f"{counted:,.0f} of them removed")
        return (
            f"From {start:%B %Y}, {goal} is not reached within {h['years']:g} years "
            f"({got}; {per_year} in all); {bind}."
        )
    verb = "sustaining" if target["per_year"] else "reaching"
    return f"From {start:%B %Y}, {verb} {goal} takes {h['years_to_target']:.1f} years; {bind}."
