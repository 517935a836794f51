"""Unit-cost mode: the spreadsheet arithmetic of published mass-deportation cost estimates.

A study is a population to remove, a share that leaves before any contact with the government,
a share that needs no government transport, unit costs per removal by stage, fixed costs a year,
a horizon and a price year. Its cost is

    removed      = population * (1 - leave_before_contact)
    transported  = removed * (1 - no_transport_share)
    cost[stage]  = removed * unit_cost[stage]    (the removal stage: transported * unit_cost)
    cost[fixed]  = fixed_usd_per_year * horizon_years
    horizon      = horizon_years, or removed / removals_per_year

with no capacity anywhere: this is what the resource mode (the model) adds. Dollars convert
between price years with :func:`removalsim.prices.to_price_year`.

>>> study = UnitCostStudy(population=1000, unit_costs_usd={"arrests": 10.0}, price_year=2024)
>>> study.cost().total_usd
10000.0
"""

from __future__ import annotations

import ast
import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from removalsim import sources
from removalsim.prices import to_price_year
from removalsim.yamlio import InputError, describe, did_you_mean, line_of, read_yaml_file

TRANSPORT_STAGE = "removal"
"""The stage whose unit cost applies only to people the government transports."""


class UnitCostStudy(BaseModel):
    """A study's own assumptions, in unit-cost form.

    Attributes
    ----------
    population
        People to remove (None when the study gives only a per-removal figure).
    leave_before_contact
        Share that leaves on its own before any government contact.
    no_transport_share
        Share of those removed who need no government transport.
    unit_costs_usd
        Cost per person removed, by stage (``removal`` applies to transported people only).
    fixed_usd_per_year
        Costs that do not scale with removals (e.g. continuing enforcement), per year.
    horizon_years, removals_per_year
        The horizon, given directly or as the time to remove everyone at a rate.
    price_year
        The year whose dollars the unit costs are in.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    population: float | None = Field(default=None, gt=0)
    leave_before_contact: float = Field(default=0.0, ge=0, lt=1)
    no_transport_share: float = Field(default=0.0, ge=0, le=1)
    unit_costs_usd: dict[str, float] = Field(min_length=1)
    fixed_usd_per_year: float = Field(default=0.0, ge=0)
    horizon_years: float | None = Field(default=None, gt=0)
    removals_per_year: float | None = Field(default=None, gt=0)
    price_year: int = Field(ge=1990, le=2100)

    @model_validator(mode="after")
    def _consistent(self) -> UnitCostStudy:
        if self.horizon_years is not None and self.removals_per_year is not None:
            raise ValueError("give horizon_years or removals_per_year, not both")
        if self.fixed_usd_per_year and self.horizon is None:
            raise ValueError("fixed costs a year need a horizon")
        if any(v < 0 for v in self.unit_costs_usd.values()):
            raise ValueError("unit costs must not be negative")
        return self

    @property
    def removed(self) -> float | None:
        """People removed (the population less those who leave first)."""
        return None if self.population is None else self.population * (
            1 - self.leave_before_contact)

    @property
    def horizon(self) -> float | None:
        """Years the operation takes, when the study says."""
        if self.horizon_years is not None:
            return self.horizon_years
        if self.removals_per_year is not None and self.removed is not None:
            return self.removed / self.removals_per_year
        return None

    def cost(self, price_year: int | None = None) -> UnitCost:
        """The study's cost, in its own price year or converted to ``price_year``."""
        factor = 1.0 if price_year is None else to_price_year(1.0, self.price_year, price_year)
        transported_share = 1 - self.no_transport_share
        per_removal = {
            stage: usd * factor * (transported_share if stage == TRANSPORT_STAGE else 1.0)
            for stage, usd in self.unit_costs_usd.items()
        }
        removed, horizon = self.removed, self.horizon
        by_stage = None if removed is None else {s: removed * u for s, u in per_removal.items()}
        if by_stage is not None and self.fixed_usd_per_year:
            by_stage["fixed"] = self.fixed_usd_per_year * factor * horizon
        total = None if by_stage is None else sum(by_stage.values())
        fixed = None if by_stage is None else by_stage.get("fixed", 0.0)
        variable = sum(per_removal.values())
        return UnitCost(
            price_year=price_year or self.price_year,
            removed=removed,
            horizon_years=horizon,
            by_stage_usd=by_stage,
            total_usd=total,
            fixed_usd=fixed,
            total_without_fixed_usd=None if total is None else total - fixed,
            per_year_usd=None if total is None or not horizon else total / horizon,
            per_removal_usd=variable if total is None else total / removed,
        )


@dataclass(frozen=True)
class UnitCost:
    """A unit-cost result: totals (when the population is known) and the cost per removal.

    ``total_usd`` includes the fixed (continuing) costs, ``total_without_fixed_usd`` does not,
    and ``fixed_usd`` is their difference.
    """

    price_year: int
    removed: float | None
    horizon_years: float | None
    by_stage_usd: dict[str, float] | None
    total_usd: float | None
    fixed_usd: float | None
    total_without_fixed_usd: float | None
    per_year_usd: float | None
    per_removal_usd: float

    def metric(self, name: str) -> float | None:
        """A result by name: ``total``, ``total_without_fixed``, ``fixed``, ``per_year``,
        ``per_removal`` or ``stage:<stage>``."""
        if name.startswith("stage:"):
            return None if self.by_stage_usd is None else self.by_stage_usd.get(name[6:])
        return {"total": self.total_usd, "total_without_fixed": self.total_without_fixed_usd,
                "fixed": self.fixed_usd, "per_year": self.per_year_usd,
                "per_removal": self.per_removal_usd, "removed": self.removed}[name]



# --- published estimates as unit-cost scenarios ----------------------------------------------

ESTIMATES = Path(__file__).parent / "data" / "published_estimates.yaml"
_ARITHMETIC = (ast.Expression, ast.BinOp, ast.UnaryOp, ast.Constant, ast.Add, ast.Sub, ast.Mult,
               ast.Div, ast.USub)


def evaluate_arithmetic(text: str) -> float:
    """The value of an arithmetic expression of numbers, + - * / and brackets.

    >>> evaluate_arithmetic("(30591 + 109880) / 2")
    70235.5
    """
    tree = ast.parse(text, mode="eval")
    for node in ast.walk(tree):
        if not isinstance(node, _ARITHMETIC) or (
                isinstance(node, ast.Constant) and not isinstance(node.value, int | float)):
            raise ValueError(f"not plain arithmetic: {text!r}")
    return float(eval(compile(tree, "<arithmetic>", "eval"), {"__builtins__": {}}))  # noqa: S307


class Sourced(BaseModel):
    """A number with its research tag and its source URL, or (tag D) its arithmetic."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    value: float
    tag: Literal["S", "S2", "D", "U"]
    source: str | None = Field(default=None, pattern=r"^https?://")
    arithmetic: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _cited(self) -> Sourced:
        if self.tag == "D" and not self.arithmetic:
            raise ValueError("a derived number (tag D) must show its arithmetic")
        if self.tag != "D" and not self.source:
            raise ValueError(f"a number tagged {self.tag} needs a source URL")
        if self.arithmetic:
            computed = evaluate_arithmetic(self.arithmetic)
            if abs(computed - self.value) > max(0.006, 1e-6 * abs(computed)):
                raise ValueError(f"value {self.value} does not match its arithmetic "
                                 f"{self.arithmetic} = {computed}")
        return self


class Assumptions(BaseModel):
    """A study's own assumptions, each a sourced number."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    price_year: Sourced
    unit_costs_usd: dict[str, Sourced] = Field(min_length=1)
    population: Sourced | None = None
    leave_before_contact: Sourced | None = None
    no_transport_share: Sourced | None = None
    removals_per_year: Sourced | None = None
    horizon_years: Sourced | None = None
    fixed_usd_per_year: Sourced | None = None


class Published(BaseModel):
    """A number the study published, and whether our reproduction must match it."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    metric: str = Field(
        pattern=r"^(total|total_without_fixed|fixed|per_year|per_removal|stage:\w+)$")
    value: float = Field(gt=0)
    tag: Literal["S", "S2", "D", "U"]
    source: str = Field(pattern=r"^https?://")
    check: bool
    tolerance: float = Field(ge=0, lt=0.1)
    rounding: str
    note: str | None = None


class ModelQuestion(BaseModel):
    """Our choice of the same question for the resource-mode model."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    baseline: str | None = None
    years: float | None = Field(default=None, gt=0, le=20)
    removals: int | None = Field(default=None, gt=0)
    per_year: bool = False
    hold: dt.date | None = None
    replays: list[str] | None = None
    note: str | None = None


class Study(BaseModel):
    """A published estimate: its question, its own assumptions and numbers, and ours."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    title: str
    url: str = Field(pattern=r"^https?://")
    question: str
    reproduction: str
    assumptions: Assumptions
    published: list[Published] = Field(min_length=1)
    model_question: ModelQuestion | None = Field(
        default=None, description="Leave out for a study that is not about removals.")
    differs_because: list[str] = Field(min_length=1)

    def unit_cost(self) -> UnitCostStudy:
        """The study's assumptions as a unit-cost model."""
        a = self.assumptions

        def value(item: Sourced | None) -> float | None:
            return None if item is None else item.value

        return UnitCostStudy(
            population=value(a.population),
            leave_before_contact=value(a.leave_before_contact) or 0.0,
            no_transport_share=value(a.no_transport_share) or 0.0,
            unit_costs_usd={k: v.value for k, v in a.unit_costs_usd.items()},
            fixed_usd_per_year=value(a.fixed_usd_per_year) or 0.0,
            horizon_years=value(a.horizon_years),
            removals_per_year=value(a.removals_per_year),
            price_year=int(a.price_year.value),
        )

    def reproduce(self) -> list[dict[str, Any]]:
        """Each published number beside our unit-cost reproduction of it."""
        cost = self.unit_cost().cost()
        rows = []
        for item in self.published:
            ours = cost.metric(item.metric)
            error = None if ours is None else ours / item.value - 1
            rows.append({
                "metric": item.metric, "published": item.value, "tag": item.tag,
                "reproduced": ours, "relative_difference": error, "check": item.check,
                "tolerance": item.tolerance, "rounding": item.rounding,
                "matches": error is not None and abs(error) <= item.tolerance,
                "note": item.note,
            })
        return rows


@cache
def studies() -> dict[str, Study]:
    """The published estimates in ``data/published_estimates.yaml``.

    Raises
    ------
    InputError
        Naming the study and the problem (a number without a source, wrong arithmetic), or a
        source rule broken (:func:`removalsim.sources.estimate_problems`).
    """
    data, lines = read_yaml_file(ESTIMATES, "study file")
    sources.check_data_file(ESTIMATES, data, lines, sources.estimate_problems)
    return load_studies(ESTIMATES)


def load_studies(path: Path) -> dict[str, Study]:
    """Studies from a YAML file: ``studies: {name: study}`` as shipped, or one study.

    Raises
    ------
    InputError
        Naming the file, the line and the key of every problem.
    """
    path = Path(path)
    data, lines = read_yaml_file(path, "study file")
    if not isinstance(data, dict):
        raise InputError(f"{path}: line 1: a study file must be a mapping of keys")
    if "studies" in data:
        body, prefix = data["studies"], ("studies",)
        if not isinstance(body, dict) or not body:
            raise InputError(f"{path}: line {line_of(lines, prefix)}: key 'studies': give one "
                             "or more studies by name")
    else:
        body, prefix = {path.stem: data}, None
    out = {}
    for name, item in body.items():
        at = () if prefix is None else (*prefix, name)
        if not isinstance(item, dict):
            raise InputError(f"{path}: line {line_of(lines, at)}: study '{name}' must be a "
                             "mapping of keys")
        try:
            out[str(name)] = Study.model_validate(item)
        except ValidationError as error:
            raise InputError(describe(error, lines, str(path), Study, at)) from None
    return out


def model_answer(question: ModelQuestion) -> dict[str, Any]:
    """The resource-mode model's answer to a study's question (our framing of it)."""
    from removalsim.model import resolve, run
    from removalsim.scenario import Target

    if question.replays:
        results = [run(name, years=1, marginal=False).headline for name in question.replays]
        cost = sum(h["cost_total_usd"] for h in results)
        removals = sum(h["removals_total"] for h in results)
        return {"kind": "replays", "scenarios": question.replays,
                "removals_per_year": removals / len(results),
                "cost_per_removal_usd": cost / removals, "cost_total_usd": cost,
                "sentence": (f"The model's replays of {question.replays[0]}-{question.replays[-1]}"
                             f" average {removals / len(results):,.0f} removals a year at"
                             f" ${cost / removals:,.0f} per removal.")}
    scenario = resolve(question.baseline, question.years)
    target = Target(removals=question.removals, per_year=question.per_year)
    scenario = scenario.model_copy(update={"target": target, "hold": question.hold
                                           or scenario.hold})
    h = run(scenario, marginal=False).headline
    return {"kind": "run", "scenario": question.baseline, "years": question.years,
            "target": target.model_dump(), "reached": h["years_to_target"] is not None,
            "years_to_target": h["years_to_target"], "target_removals": h["target_removals"],
            "removals_total": h["removals_total"], "removals_per_year": h["removals_per_year"],
            "cost_total_usd": h["cost_total_usd"],
            "cost_per_year_usd": h["cost_total_usd"] / h["years"],
            "cost_per_removal_usd": h["cost_per_removal_usd"],
            "binding_constraint": h["binding_constraint"], "sentence": _sentence(h)}


def _sentence(headline: dict[str, Any]) -> str:
    from removalsim.results import sentence

    return sentence(headline)


def side_by_side(names: list[str] | None = None,
                 path: Path | None = None) -> list[dict[str, Any]]:
    """For each study: its published numbers, our reproduction and the model's own answer.

    Dollars per removal are also given in the model's price year (CPI-U), so the three can be
    compared; the model's answer is always in that price year. Totals are given with and
    without the study's fixed (continuing) costs.

    Parameters
    ----------
    names
        The studies to show (default: all).
    path
        A study file of one's own (default: the shipped published estimates).
    """
    from removalsim.prices import PRICE_YEAR

    table = studies() if path is None else load_studies(path)
    unknown = [n for n in names or [] if n not in table]
    if unknown:
        raise InputError(f"unknown study '{unknown[0]}'{did_you_mean(unknown[0], table)} "
                         f"(studies: {', '.join(table)})")
    rows = []
    for name in names or list(table):
        study = table[name]
        cost = study.unit_cost().cost()
        year = int(study.assumptions.price_year.value)
        rows.append({
            "study": name, "title": study.title, "url": study.url, "question": study.question,
            "reproduction_method": study.reproduction, "price_year": year,
            "published": study.reproduce(),
            "per_removal_usd": cost.per_removal_usd,
            "per_removal_usd_model_price_year": to_price_year(cost.per_removal_usd, year,
                                                              PRICE_YEAR),
            "total_usd": cost.total_usd,
            "total_without_fixed_usd": cost.total_without_fixed_usd,
            "fixed_usd": cost.fixed_usd,
            "model_price_year": PRICE_YEAR,
            "model": None if study.model_question is None else model_answer(
                study.model_question),
            "model_question_note": None if study.model_question is None else
            study.model_question.note,
            "differs_because": study.differs_because,
        })
    return rows
