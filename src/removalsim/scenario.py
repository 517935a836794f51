"""Scenarios: a start date, a horizon, a target and dated parameter changes, written as data.

A scenario names a baseline (another scenario, or ``defaults`` for the parameter files alone) and
changes parameters from dates on. Scenarios compose: ``a+b`` applies ``b``'s changes over ``a``'s.
"""

from __future__ import annotations

import contextvars
import datetime as dt
import hashlib
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from removalsim.params import Parameter, Value, check_value, default_tree
from removalsim.prices import PRICE_YEAR, cpi, to_price_year
from removalsim.vocabulary import SEGMENTS as ORIGINS
from removalsim.yamlio import (
    InputError,
    describe,
    did_you_mean,
    line_of,
    read_text,
    read_yaml,
    read_yaml_file,
)

SCENARIOS_DIR = Path(__file__).parent / "scenarios"
MAX_YEARS = 20

Changes = dict[str, dict[dt.date, Value]]

_PRICED = re.compile(r"^\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)\s*@\s*(\d{4})\s*$")
_loading: contextvars.ContextVar[tuple[str, ...]] = contextvars.ContextVar("loading", default=())


class Target(BaseModel):
    """What counts as success: a number of removals of people from some segments.

    ``per_year`` targets a sustained annual rate (for example 1,000,000 a year) instead of a
    cumulative total.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)
    removals: int = Field(gt=0, le=100_000_000)
    segments: tuple[str, ...] = ORIGINS
    per_year: bool = False

    @field_validator("segments")
    @classmethod
    def _known(cls, segments: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [s for s in segments if s not in ORIGINS]
        if unknown or not segments:
            hint = did_you_mean(unknown[0], ORIGINS) if unknown else ""
            named = ", ".join(f"'{s}'" for s in unknown) or "none"
            raise PydanticCustomError(
                "unknown_segment", f"unknown segment {named}{hint} (segments: "
                f"{', '.join(ORIGINS)})")
        return tuple(segments)


class ScenarioFile(BaseModel):
    """The YAML form of a scenario, before its baseline is resolved."""

    model_config = ConfigDict(extra="forbid")
    description: str = Field(min_length=5)
    baseline: str = "defaults"
    start: dt.date | None = None
    years: float | None = Field(default=None, gt=0, le=MAX_YEARS)
    hold: dt.date | None = None
    target: Target | None = None
    changes: dict[str, Value | dict[dt.date, Value]] = Field(default_factory=dict)


class Scenario(BaseModel):
    """A resolved scenario: everything needed for a run, and a hash that identifies it."""

    model_config = ConfigDict(frozen=True)
    name: str
    description: str
    start: dt.date
    years: float
    target: Target | None
    changes: Changes
    hold: dt.date | None = None

    @property
    def end(self) -> dt.date:
        """The first day after the horizon."""
        return self.start + dt.timedelta(days=round(self.years * 365.25))

    @property
    def hash(self) -> str:
        """A short hash of what the scenario runs (name and description excluded)."""
        body = {
            "start": self.start.isoformat(),
            "years": self.years,
            "hold": self.hold.isoformat() if self.hold else None,
            "target": self.target.model_dump() if self.target else None,
            "changes": {
                k: {d.isoformat(): _canonical(v) for d, v in sorted(c.items())}
                for k, c in sorted(self.changes.items())
            },
        }
        return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]

    def with_changes(self, changes: dict[str, Any], name: str | None = None) -> Scenario:
        """A copy with more parameter changes (scalars apply from the start date).

        Raises
        ------
        InputError
            On an unknown parameter or an invalid value.
        """
        extra = _normalise(changes, self.start, name or self.name, {})
        merged = _merge(self.changes, extra)
        return self.model_copy(update={"changes": merged, "name": name or self.name})

    def with_horizon(self, years: float) -> Scenario:
        """A copy with another horizon in years."""
        if not 0 < years <= MAX_YEARS:
            raise InputError(f"years must be in (0, {MAX_YEARS}], got {years}")
        return self.model_copy(update={"years": float(years)})


def _canonical(value: Value) -> Value:
    """Numbers as floats, so that 700 and 700.0 hash alike (switches stay booleans)."""
    return float(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _merge(base: Changes, extra: Changes) -> Changes:
    """Apply ``extra`` over ``base``: a dated change replaces base values from its date on."""
    merged = {k: dict(v) for k, v in base.items()}
    for name, dated in extra.items():
        first = min(dated)
        kept = {d: v for d, v in merged.get(name, {}).items() if d < first}
        merged[name] = {**kept, **dated}
    return merged


def _normalise(raw: dict[str, Any], start: dt.date, where: str, lines: dict) -> Changes:
    tree = default_tree()
    out: Changes = {}
    for name, change in raw.items():
        line = line_of(lines, ("changes", name))
        at = f"{where}: line {line}: " if line else f"{where}: "
        if name not in tree:
            raise InputError(f"{at}key 'changes.{name}': unknown parameter"
                             f"{did_you_mean(name, tree)}")
        dated = change if isinstance(change, dict) else {start: change}
        if not dated:
            raise InputError(f"{at}key 'changes.{name}': give a value, or dated values")
        checked: dict[dt.date, Value] = {}
        for day, value in dated.items():
            when = _date(day, f"{at}key 'changes.{name}'")
            try:
                checked[when] = parameter_value(tree[name], value, f"changes.{name} on {when}")
            except ValueError as error:
                raise InputError(f"{at}{error}") from None
        out[name] = checked
    return out


def _date(day: object, where: str) -> dt.date:
    """A change's date: a date, or its ISO text (as JSON gives it back)."""
    if isinstance(day, dt.datetime):
        return day.date()
    if isinstance(day, dt.date):
        return day
    try:
        return dt.date.fromisoformat(str(day))
    except ValueError:
        raise InputError(f"{where}: '{day}' is not a date (YYYY-MM-DD)") from None


def parameter_value(param: Parameter, value: Any, where: str) -> Value:
    """A value given for a parameter, checked; dollars converted to the model's price year.

    A dollar amount (a parameter whose unit starts with ``USD``) may state its price year as
    ``"132.9@2017"``; a plain number is in dollars of :data:`removalsim.prices.PRICE_YEAR`.

    Raises
    ------
    ValueError
        Naming ``where`` when the value does not fit the parameter.
    """
    if isinstance(value, str) and param.unit.startswith("USD"):
        match = _PRICED.match(value)
        if match is None:
            raise ValueError(f"{where}: give a number of dollars ({PRICE_YEAR} dollars), or "
                             f"NUMBER@YEAR for dollars of another year, got {value!r}")
        amount, year = float(match.group(1)), int(match.group(2))
        if year not in cpi():
            raise ValueError(f"{where}: no CPI-U value for {year}; price years run from "
                             f"{min(cpi())} to {max(cpi())}")
        value = to_price_year(amount, year, PRICE_YEAR)
    check_value(param, value, where)
    return value


def parse_scenario(text: str, name: str, source: str | None = None) -> Scenario:
    """Parse and resolve a scenario from YAML text.

    Parameters
    ----------
    text
        The scenario YAML.
    name
        The scenario's name.
    source
        What to call it in errors (a file path); defaults to ``name``.

    Raises
    ------
    InputError
        Naming the file, the key and the line of the problem.
    """
    where = source or name
    data, lines = read_yaml(text, where)
    if not isinstance(data, dict):
        raise InputError(f"{where}: line 1: a scenario must be a mapping of keys")
    try:
        spec = ScenarioFile.model_validate(data)
    except ValidationError as error:
        raise InputError(describe(error, lines, where, ScenarioFile)) from None
    base = _baseline(spec.baseline, where)
    start = spec.start or base.start
    own = _normalise(spec.changes, start, where, lines)
    return Scenario(
        name=name,
        description=spec.description,
        start=start,
        years=spec.years or base.years,
        target=spec.target or base.target,
        changes=_merge(base.changes, own),
        hold=spec.hold or base.hold,
    )


def _baseline(name: str, where: str) -> Scenario:
    if name == "defaults":
        return Scenario(
            name="defaults", description="The parameter files as shipped",
            start=dt.date(2025, 10, 1), years=10.0, target=None, changes={},
        )
    try:
        return load_scenario(name)
    except InputError as error:
        raise InputError(f"{where}: key 'baseline': {error}") from None


def shipped() -> dict[str, Path]:
    """The scenarios shipped with the package, by name."""
    return {p.stem: p for p in sorted(SCENARIOS_DIR.glob("*.yaml"))}


def _load_one(name: str) -> Scenario:
    """One scenario by name or path, refusing a baseline that leads back to itself."""
    key = name if name in shipped() else str(Path(name).resolve())
    chain = _loading.get()
    if key in chain:
        names = [*(Path(k).name for k in chain[chain.index(key):]), Path(key).name]
        raise InputError(f"baseline cycle: {' -> '.join(names)}")
    token = _loading.set((*chain, key))
    try:
        return _load_cached(name)
    finally:
        _loading.reset(token)


@cache
def _load_cached(name: str) -> Scenario:
    path = shipped().get(name)
    if path is None:
        candidate = Path(name)
        if candidate.suffix.lower() in {".yaml", ".yml"} or len(candidate.parts) > 1:
            if not candidate.exists():
                raise InputError(f"{name}: no such scenario file"
                                 f"{did_you_mean(candidate.stem, shipped())}")
            path = candidate
        else:
            raise InputError(f"unknown scenario '{name}'{did_you_mean(name, shipped())} "
                             f"(shipped: {', '.join(shipped())}; or give a .yaml file)")
    text = read_text(path, "scenario file")
    return parse_scenario(text, path.stem, str(path))


def load_scenario(spec: str) -> Scenario:
    """Load a scenario by name or path; ``a+b`` composes scenarios left to right.

    Raises
    ------
    InputError
        On an unknown scenario or an invalid file.
    """
    parts = [p.strip() for p in spec.split("+")]
    if any(not p for p in parts):
        raise InputError(f"bad scenario expression '{spec}'")
    result = _load_one(parts[0])
    for part in parts[1:]:
        spec, path, lines = _read_spec(part)
        start = spec.start or result.start
        result = Scenario(
            name=f"{result.name}+{_load_one(part).name}",
            description=f"{result.description} + {spec.description}",
            start=start,
            years=spec.years or result.years,
            target=spec.target or result.target,
            changes=_merge(result.changes, _normalise(spec.changes, start, path, lines)),
            hold=spec.hold or result.hold,
        )
    return result


def _read_spec(name: str) -> tuple[ScenarioFile, str, dict]:
    """A scenario file's own content (validated by loading it first)."""
    _load_one(name)
    path = shipped().get(name) or Path(name)
    data, lines = read_yaml_file(path)
    return ScenarioFile.model_validate(data), str(path), lines


def parameter_values(
    param: Parameter, changes: dict[dt.date, Value] | None, hold: dt.date | None = None
) -> list[tuple[dt.date, Value]]:
    """A parameter's dated values with a scenario's changes applied, in date order.

    With ``hold``, file values dated after it are ignored: the value in force on that date stays.
    """
    values = {d: item.value for d, item in param.values.items() if hold is None or d <= hold}
    if not values:
        first = min(param.values)
        values = {first: param.values[first].value}
    if changes:
        first = min(changes)
        values = {d: v for d, v in values.items() if d < first} | dict(changes)
    return sorted(values.items())
