"""Parameter files: one YAML file per parameter, strictly validated, with dated, cited values.

A parameter's name is its path under ``parameters/`` with dots, e.g.
``detention/beds.yaml`` is ``detention.beds``.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from removalsim import sources
from removalsim.yamlio import InputError, did_you_mean, line_of, read_yaml_file

PARAMETERS_DIR = Path(__file__).parent / "parameters"

Value = bool | float | str


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Reference(_Strict):
    """Where a value comes from: its first publisher (the rules are in :mod:`removalsim.sources`).

    ``href`` is the publisher's own page; ``document`` identifies a document that has no such
    page to link (``CRS IN12492``, ``GAO-21-186``, ``90 FR 8139``). ``relays`` names the agency
    whose figure a press story reports.
    """

    publisher: str | None = Field(default=None, min_length=2)
    title: str = Field(min_length=3)
    href: str | None = Field(default=None, min_length=8, pattern=r"^https?://")
    document: str | None = Field(default=None, min_length=3)
    published: dt.date | None = None
    tier: Literal["official", "research", "press"] | None = None
    relays: str | None = Field(default=None, min_length=2)
    note: str | None = None

    @model_validator(mode="after")
    def _linked(self) -> Reference:
        if self.href is None and self.document is None:
            raise ValueError("a reference needs an href or a document identifier")
        return self


class DatedValue(_Strict):
    """A value in force from a date on, with its source or the reason it is assumed."""

    value: Value
    reference: Reference | None = None
    reason: str | None = Field(default=None, min_length=10)
    status: Literal["official", "estimate", "assumption", "calibrated"] | None = None
    low: float | None = None
    high: float | None = None
    price_year: int | None = Field(default=None, ge=1990, le=2100)


class Uncertainty(_Strict):
    """How an uncertain assumption is sampled: a distribution over [low, high].

    The mode is the value in force. A dated value may give its own ``low`` and ``high``, which
    then replace these for the time it is in force.
    """

    distribution: Literal["triangular", "uniform"]
    low: float | None = None
    high: float | None = None


class UI(_Strict):
    """Bounds of valid values (also the slider's range) and display hints."""

    min: float
    max: float
    step: float = Field(gt=0)
    group: str
    label: str | None = None


class Parameter(_Strict):
    """One model parameter: description, unit, kind, status, dated values and sources."""

    description: str = Field(min_length=10)
    unit: str = Field(min_length=1)
    kind: Literal["lever", "assumption"]
    status: Literal["official", "estimate", "assumption", "calibrated"]
    values: dict[dt.date, DatedValue] = Field(min_length=1)
    uncertainty: Uncertainty | None = None
    ui: UI | None = None
    choices: list[str] | None = None
    fit: dict[str, str | float | list[int]] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Parameter:
        for day, item in self.values.items():
            if item.reference is None and "assumption" not in (self.status, item.status):
                raise ValueError(
                    f"value of {day} has no reference; cite one, or set status: assumption"
                    " and give a one-line reason"
                )
            if item.reference is None and item.reason is None:
                raise ValueError(f"value of {day} has neither a reference nor a reason")
            check_value(self, item.value, str(day))
            if self.unit.startswith("USD") and item.price_year is None:
                raise ValueError(f"value of {day} is in {self.unit} but has no price_year")
        if self.kind == "assumption":
            if self.uncertainty is None:
                raise ValueError("an assumption needs an uncertainty: {distribution, low, high}")
            for day in self.values:
                low, high = self.range_at(day)
                value = self.values[day].value
                if low is None or high is None:
                    raise ValueError(f"value of {day} has no uncertainty range (low, high)")
                if not low <= value <= high or not low < high:
                    raise ValueError(
                        f"value of {day} ({value}) must lie in its range [{low}, {high}]"
                        " with low < high"
                    )
                if self.ui is not None and (low < self.ui.min or high > self.ui.max):
                    raise ValueError(
                        f"uncertainty range [{low}, {high}] of {day} leaves the valid range"
                        f" [{self.ui.min}, {self.ui.max}]"
                    )
        return self

    def range_at(self, day: dt.date) -> tuple[float | None, float | None]:
        """The uncertainty range (low, high) for the value in force on ``day``."""
        item = self.reference_at(day)
        default = self.uncertainty or Uncertainty(distribution="triangular")
        low = item.low if item.low is not None else default.low
        high = item.high if item.high is not None else default.high
        return low, high

    @property
    def is_switch(self) -> bool:
        """True for an on/off parameter."""
        return self.unit == "switch"

    def value_at(self, day: dt.date) -> Value:
        """The value in force on ``day`` (the earliest value before the first date)."""
        dates = sorted(self.values)
        current = self.values[dates[0]].value
        for d in dates:
            if d <= day:
                current = self.values[d].value
        return current

    def reference_at(self, day: dt.date) -> DatedValue:
        """The dated entry (value with its reference or reason) in force on ``day``."""
        dates = [d for d in sorted(self.values) if d <= day] or sorted(self.values)[:1]
        return self.values[dates[-1]]


def check_value(param: Parameter, value: Value, where: str) -> None:
    """Raise ValueError if ``value`` does not fit the parameter's type and bounds."""
    if param.is_switch:
        if not isinstance(value, bool):
            raise ValueError(f"{where}: value must be true or false, got {value!r}")
        return
    if param.choices is not None:
        if value not in param.choices:
            raise ValueError(f"{where}: value {value!r} is not one of {param.choices}")
        return
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: value must be a number, got {value!r}")
    if param.ui is not None and not param.ui.min <= value <= param.ui.max:
        raise ValueError(
            f"{where}: value {value} is outside the valid range [{param.ui.min}, {param.ui.max}]"
            f" ({param.unit})"
        )


def _describe(error: ValidationError, lines: dict, name: str) -> str:
    messages = []
    for item in error.errors():
        loc = tuple(item["loc"])
        dated = re.search(r"value of (\d{4}-\d{2}-\d{2})", item["msg"])
        if not loc and dated:  # a whole-file check about one dated value: point at it
            loc = ("values", dated.group(1))
        keyed = tuple(_date_or_key(k) for k in loc)
        line = line_of(lines, keyed)
        key = ".".join(str(k) for k in loc) or "(top level)"
        msg = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            msg = "unknown key"
        messages.append(f"{name}: line {line}: key '{key}': {msg}")
    return "\n".join(messages)


def _date_or_key(key: object) -> object:
    try:
        return dt.date.fromisoformat(str(key))
    except ValueError:
        return key


def load_parameter(path: Path, name: str | None = None, strict: bool = False) -> Parameter:
    """Load and validate one parameter file.

    Parameters
    ----------
    path
        The YAML file.
    name
        The parameter's dotted name (its path under the tree's root).
    strict
        Also enforce the source rules of :mod:`removalsim.sources` (unless ``name`` is waived
        there during the transition).

    Raises
    ------
    InputError
        Naming the file, the key and the line of every problem.
    """
    data, lines = read_yaml_file(path)
    if not isinstance(data, dict):
        raise InputError(f"{path}: line 1: a parameter file must be a mapping of keys")
    try:
        param = Parameter.model_validate(data)
    except ValidationError as error:
        raise InputError(_describe(error, lines, str(path))) from None
    if strict and not (name is not None and sources.waived(name)):
        problems = sources.parameter_problems(param)
        if problems:
            raise InputError("\n".join(
                f"{path}: line {line_of(lines, key)}: key '{sources.dotted(key)}': {message}"
                for key, message in problems
            ))
    return param


def load_tree(root: Path = PARAMETERS_DIR, strict: bool | None = None) -> dict[str, Parameter]:
    """Load every parameter under ``root``; all files must be valid or nothing is returned.

    Parameters
    ----------
    root
        The tree's folder.
    strict
        Enforce the source rules (see :func:`load_parameter`); by default on for the package's
        own tree and off for any other.

    Raises
    ------
    InputError
        Listing every invalid file (the whole tree is rejected).
    """
    if strict is None:
        strict = Path(root).resolve() == PARAMETERS_DIR.resolve()
    tree: dict[str, Parameter] = {}
    problems: list[str] = []
    for path in sorted(Path(root).rglob("*.yaml")):
        name = ".".join(path.relative_to(root).with_suffix("").parts)
        try:
            tree[name] = load_parameter(path, name, strict)
        except InputError as error:
            problems.append(str(error))
    if problems:
        raise InputError("invalid parameter files:\n" + "\n".join(problems))
    if not tree:
        raise InputError(f"{root}: no parameter files found")
    return tree


OVERLAY_ENV = "REMOVALSIM_CALIBRATION"
"""Environment variable naming a calibration file to overlay on the shipped values."""


@cache
def default_tree() -> dict[str, Parameter]:
    """The shipped parameter tree, with the calibration file of ``OVERLAY_ENV`` overlaid if set
    (loaded once per process)."""
    tree = load_tree()
    overlay = os.environ.get(OVERLAY_ENV)
    return overlay_calibration(tree, Path(overlay)) if overlay else tree


def overlay_calibration(tree: dict[str, Parameter], path: Path) -> dict[str, Parameter]:
    """The tree with the fitted values of a calibration file (``removalsim calibrate``) in place.

    Raises
    ------
    InputError
        Naming the file, key and line of an unknown parameter, a date the parameter has no value
        for, or a value outside the parameter's valid range.
    """
    data, lines = read_yaml_file(path, "calibration file")
    if not isinstance(data, dict) or not isinstance(data.get("fit"), dict) or not isinstance(
            data.get("values"), dict) or not data["values"]:
        raise InputError(f"{path}: not a calibration file (expected 'fit' and 'values' written "
                         "by removalsim calibrate)")
    fit = data["fit"]
    out = dict(tree)
    for name, entry in data["values"].items():
        where = f"{path}: line {line_of(lines, ('values', name))}: key 'values.{name}'"
        if name not in tree:
            raise InputError(f"{where}: unknown parameter{did_you_mean(name, tree)}")
        param = tree[name]
        if not isinstance(entry, dict) or entry.get("date") not in param.values:
            raise InputError(f"{where}: 'date' must be one of the parameter's dates "
                             f"({', '.join(str(d) for d in sorted(param.values))})")
        value = entry.get("value")
        try:
            check_value(param, value, "value")
        except ValueError as error:
            raise InputError(f"{where}: {error}") from None
        item = DatedValue(value=value, status="calibrated", low=entry.get("low"),
                          high=entry.get("high"),
                          reason=f"fitted by {fit.get('run', 'calibrate')} ({path.name})")
        values = {**param.values, entry["date"]: item}
        record = {k: v for k, v in fit.items() if isinstance(v, str | float | int | list)}
        out[name] = param.model_copy(update={"values": values, "status": "calibrated",
                                             "fit": record})
    return out
