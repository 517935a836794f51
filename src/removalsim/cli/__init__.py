"""The ``removalsim`` command line: tables for people, ``--json`` and ``--csv`` for programs.

Each module in this package adds its commands to ``app``; they are found and imported here, and
import anything heavy inside the command functions so that ``removalsim --help`` stays fast.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING, Annotated, Any

import typer

if TYPE_CHECKING:
    from removalsim.results import Result

app = typer.Typer(
    help="removalsim: can US immigration enforcement remove millions, how fast, where does it "
    "jam, and at what cost?",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ScenarioArg = Annotated[
    str, typer.Argument(help="A shipped scenario name (see `scenarios`), a YAML path, or a+b.")
]
YearsOpt = Annotated[
    float | None, typer.Option("--years", help="Horizon in years (1-20).", min=0.01, max=20)
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Change a parameter from the start: NAME=VALUE (repeatable)."),
]


def fail(message: str) -> None:
    """Print an error naming the problem and exit with status 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def parse_sets(pairs: list[str] | None) -> dict[str, Any]:
    """Turn ``--set NAME=VALUE`` options into parameter changes."""
    changes: dict[str, Any] = {}
    for pair in pairs or []:
        name, sep, raw = pair.partition("=")
        if not sep or not name.strip():
            fail(f"--set takes NAME=VALUE, got '{pair}'")
        text = raw.strip()
        lowered = text.lower()
        if lowered in {"true", "on", "false", "off"}:
            value: Any = lowered in {"true", "on"}
        else:
            try:
                value = float(text)
            except ValueError:
                value = text
        changes[name.strip()] = value
    return changes


def run_scenario(scenario: str, years: float | None, sets: list[str] | None) -> Result:
    """Run a scenario, turning input errors into a clean exit."""
    from removalsim.model import run
    from removalsim.yamlio import InputError

    try:
        return run(scenario, years=years, changes=parse_sets(sets))
    except InputError as error:
        fail(str(error))
        raise  # unreachable


def console():
    """A Rich console at the terminal's width (plain, ``COLUMNS`` or 100 wide, when piped)."""
    from removalsim.cli.tables import console as fitted

    return fitted()


def money(x: float) -> str:
    """Dollars, shortened to millions or billions."""
    if abs(x) >= 1e9:
        return f"${x / 1e9:,.1f}B"
    if abs(x) >= 1e6:
        return f"${x / 1e6:,.1f}M"
    return f"${x:,.0f}"


def main() -> None:  # pragma: no cover - console entry point
    """Entry point of the ``removalsim`` command."""
    app(prog_name="removalsim")


for _module in pkgutil.iter_modules(__path__):
    importlib.import_module(f"{__name__}.{_module.name}")
