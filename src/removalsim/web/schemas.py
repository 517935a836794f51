"""Request and response models of the web API, validated field by field.

A request names a shipped scenario (never a file path), a horizon, parameter changes checked
against the parameter tree, and optionally a number of Monte Carlo draws (capped) and a seed.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    field_validator,
)
from pydantic_core import PydanticCustomError

from removalsim.params import Parameter, check_value, default_tree
from removalsim.prices import PRICE_YEAR
from removalsim.scenario import MAX_YEARS, shipped
from removalsim.yamlio import did_you_mean

MAX_DRAWS = 2000
"""Most Monte Carlo draws one request may ask for."""

MAX_CHANGES = 200
"""Most parameter changes one request may carry (the tree has fewer parameters)."""

MAX_SEED = 2**32 - 1

ScenarioName = Enum("ScenarioName", {name: name for name in shipped()}, type=str)  # type: ignore[misc]
"""The shipped scenarios, the only ones a request may name."""

Number = Annotated[float, Field(allow_inf_nan=False, strict=True)]


def _whole(value: Any) -> Any:
    """A JSON whole number (``5`` or ``5.0``) as an int; text, booleans and fractions refused."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("int_type", "Input should be a whole number")
    if isinstance(value, float):
        if not value.is_integer():
            raise PydanticCustomError("int_from_float", "Input should be a whole number")
        return int(value)
    return value

ChangeValue = StrictBool | Number | Annotated[str, Field(max_length=100)]


def parameter_schema(param: Parameter) -> dict[str, Any]:
    """The JSON schema of one parameter's value: its type, and its range or choices."""
    if param.is_switch:
        return {"type": "boolean"}
    if param.choices is not None:
        return {"type": "string", "enum": list(param.choices)}
    schema: dict[str, Any] = {"type": "number", "description": param.unit}
    if param.unit.startswith("USD"):
        schema["description"] = f"{param.unit}, in {PRICE_YEAR} dollars"
    if param.ui is not None:
        schema |= {"minimum": param.ui.min, "maximum": param.ui.max}
    return schema


def _changes_schema(schema: dict[str, Any]) -> None:
    """Every parameter by name with its own type and range; no other names."""
    schema.pop("propertyNames", None)
    schema["properties"] = {name: parameter_schema(p) for name, p in default_tree().items()}
    schema["additionalProperties"] = False


class RunSpec(BaseModel):
    """One run: a shipped scenario, a horizon, parameter changes, and optional draws."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"scenario": "current", "years": 10,
                          "changes": {"detention.beds": 150000, "arrests.officers": 12000}}]
        },
    )

    scenario: ScenarioName = Field(
        default=ScenarioName("current"), description="A shipped scenario (see /api/scenarios)."
    )
    years: Annotated[float, Field(ge=0.01, le=MAX_YEARS, allow_inf_nan=False, strict=True)] | None \
        = Field(
        default=None, description=f"Horizon in years (0.01-{MAX_YEARS}); default: the scenario's."
    )
    changes: dict[Annotated[str, Field(max_length=100)], ChangeValue] = Field(
        default_factory=dict,
        max_length=MAX_CHANGES,
        description="Parameter changes from the start date, {name: value} (see /api/params); "
        f"dollars are {PRICE_YEAR} dollars.",
        json_schema_extra=_changes_schema,
    )
    scaled: list[Annotated[str, Field(max_length=100)]] = Field(
        default_factory=list,
        max_length=MAX_CHANGES,
        description="Names in changes whose value scales the scenario's dated plan (every planned "
        "value times the new start value over the planned one) instead of replacing it with a "
        "flat value from the start. A name not in changes has no plan to scale and is ignored.",
    )
    draws: Annotated[int, Field(ge=1, le=MAX_DRAWS), BeforeValidator(_whole)] | None = Field(
        default=None, description=f"Monte Carlo draws for uncertainty bands (1-{MAX_DRAWS}); "
        "one such request per client at a time."
    )
    seed: Annotated[int, Field(ge=0, le=MAX_SEED), BeforeValidator(_whole)] = Field(
        default=0, description="Seed of the Monte Carlo draws."
    )
    marginal: StrictBool = Field(
        default=True,
        description="Also measure the extra removals from +10% of each resource (slower).",
    )

    @field_validator("changes")
    @classmethod
    def _known_and_valid(cls, changes: dict[str, Any]) -> dict[str, Any]:
        tree = default_tree()
        for name, value in changes.items():
            if name not in tree:
                raise ValueError(f"changes: unknown parameter '{name}'"
                                 f"{did_you_mean(name, tree)} (see /api/params)")
            check_value(tree[name], value, f"changes['{name}']")
        return changes

    def model_changes(self) -> dict[str, Any]:
        """The changes as ``removalsim.run`` takes them, a scaled plan as dated values."""
        if not self.scaled:
            return dict(self.changes)
        from removalsim.scenario import load_scenario
        from removalsim.web.catalog import scaled_plan

        scenario = load_scenario(self.scenario.value)
        return {name: scaled_plan(scenario, name, value) if name in self.scaled else value
                for name, value in self.changes.items()}

    def key(self) -> tuple:
        """A hashable identity of the request, for caching."""
        return (self.scenario.value, self.years, tuple(sorted(self.changes.items())),
                tuple(sorted(set(self.scaled) & set(self.changes))), self.draws, self.seed,
                self.marginal)


class CompareSpec(BaseModel):
    """Two runs to compare: ``b`` against ``a``."""

    model_config = ConfigDict(extra="forbid")
    a: RunSpec
    b: RunSpec


class Table(BaseModel):
    """Columns of numbers over a shared index (fiscal years or week-start dates)."""

    index: list[int | str]
    columns: dict[str, list[float | None]]


class Run(BaseModel):
    """The numbers of one deterministic run."""

    summary: str = Field(description="The answer in one sentence.")
    headline: dict[str, Any] = Field(description="The `removalsim run --json` object.")
    fiscal_years: Table = Field(description="The fiscal-year table.")
    weekly: Table = Field(description="Detention, beds, backlog and removals to date, by week.")


class Band(BaseModel):
    """Percentiles of one fiscal-year column over the draws."""

    fiscal_year: list[int]
    p5: list[float | None]
    p50: list[float | None]
    p95: list[float | None]


class Bands(BaseModel):
    """Monte Carlo uncertainty: percentiles of the outputs and the chance of the target."""

    draws: int
    seed: int
    percentiles: dict[str, dict[str, float | None]]
    p_target: float | None
    fan: dict[str, Band]


class Source(BaseModel):
    """Where a value comes from: its first publisher, title, link or document, date and tier."""

    source_title: str | None
    source_href: str | None
    source_document: str | None = Field(
        description="A document number (CRS IN12492, GAO-15-26) when there is no page to link.")
    source_publisher: str | None
    source_published: dt.date | None
    source_tier: str | None = Field(description="official, research or press.")
    reason: str | None = Field(description="Why the value is assumed, when it has no source.")


class ChangedParameter(Source):
    """A parameter the request changes, with the value it replaces and that value's source."""

    name: str
    label: str
    unit: str
    kind: str
    value: bool | float | str
    baseline_value: bool | float | str
    warning: str | None = Field(description="Set when the value is outside anything on record.")


class RunResponse(Run):
    """A run, the same scenario's baseline, what changed, and optional uncertainty bands."""

    spec: RunSpec
    baseline: Run
    changed: list[ChangedParameter]
    warnings: list[str]
    bands: Bands | None
    python: str = Field(description="Python code that reproduces this run.")


class Difference(BaseModel):
    """One headline number of both runs and ``b - a``."""

    output: str
    a: float | None
    b: float | None
    difference: float | None


class CompareResponse(BaseModel):
    """Two runs and the difference in their headline numbers."""

    a: RunResponse
    b: RunResponse
    difference: list[Difference]


class History(BaseModel):
    """The range of a parameter's dated values up to today (what has been seen)."""

    min: float | None
    max: float | None
    seen: list[bool | float | str]
    first: dt.date
    last: dt.date


class ParameterInfo(Source):
    """A parameter as the page needs it: value, bounds, labels, source and history."""

    name: str
    description: str
    label: str
    group: str
    unit: str
    kind: str
    status: str
    value: bool | float | str
    min: float | None
    max: float | None
    step: float | None
    choices: list[str] | None
    switch: bool
    low: float | None = Field(description="Low end of an assumption's uncertainty range.")
    high: float | None = Field(description="High end of an assumption's uncertainty range.")
    history: History
    schedule: list[tuple[dt.date, bool | float | str]] = Field(
        description="Dated values in force over the scenario's horizon."
    )


class ScenarioInfo(BaseModel):
    """A shipped scenario."""

    name: str
    description: str
    start: dt.date
    years: float
    target: dict[str, Any] | None
    changes: list[str]


class ErrorItem(BaseModel):
    """One problem with a request."""

    loc: list[str | int]
    msg: str
    type: str


class ErrorResponse(BaseModel):
    """A request that cannot be used, and why (status 413, 422, 429 or 503)."""

    detail: list[ErrorItem] | str
