"""Scenarios: a start date, a horizon, a target and dated parameter changes, written as data.

A scenario names a baseline (another scenario, or ``defaults`` for the parameter files alone) and
changes parameters from dates on. Scenarios compose: ``a+b`` applies ``b``'s changes over ``a``'s.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from removalsim.params import Parameter, Value, check_value, default_tree
from removalsim.vocabulary import SEGMENTS as ORIGINS
from removalsim.yamlio import InputError, line_of, read_yaml, read_yaml_file

SCENARIOS_DIR = Path(__file__).parent / "scenarios"
MAX_YEARS = 20

Changes = dict[str, dict[dt.date, Value]]


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
            raise ValueError(f"unknown segment(s) {unknown}; choose from {list(ORIGINS)}")
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
            raise InputError(f"{at}key 'changes.{name}': unknown parameter")
        dated = change if isinstance(change, dict) else {start: change}
        dated = {_day(d, f"{at}key 'changes.{name}'"): v for d, v in dated.items()}
        for day, value in dated.items():
            try:
                check_value(tree[name], value, f"changes.{name} on {day}")
            except ValueError as error:
                raise InputError(f"{at}{error}") from None
        out[name] = dict(dated)
    return out


def _day(day: object, where: str) -> dt.date:
    """A change's date: a date, or its ISO text as in ``--json`` output (``YYYY-MM-DD``)."""
    if isinstance(day, dt.date):
        return day
    try:
        return dt.date.fromisoformat(str(day))
    except ValueError:
        raise InputError(f"{where}: '{day}' is not a date (YYYY-MM-DD)") from None


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
        problems = []
        for item in error.errors():
            loc = tuple(item["loc"])
            msg = "unknown key" if item["type"] == "extra_forbidden" else item["msg"]
            key = ".".join(str(k) for k in loc)
            problems.append(f"{where}: line {line_of(lines, loc)}: key '{key}': {msg}")
        raise InputError("\n".join(problems)) from None
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


@cache
def _load_one(name: str) -> Scenario:
    path = shipped().get(name)
    if path is None:
        candidate = Path(name)
        if candidate.suffix in {".yaml", ".yml"} and candidate.is_file():
            path = candidate
        else:
            raise InputError(f"unknown scenario '{name}'; shipped: {', '.join(shipped())}")
    data_text = path.read_text(encoding="utf-8")
    read_yaml_file(path)  # syntax and duplicate keys, with the file's name
    return parse_scenario(data_text, path.stem, str(path))


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
