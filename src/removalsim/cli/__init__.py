"""The ``removalsim`` command line: tables for people, ``--json`` and ``--csv`` for programs.

Each module in this package adds its commands to ``app``; they are found and imported here, and
import anything heavy inside the command functions so that ``removalsim --help`` stays fast.
"""

from __future__ import annotations

import importlib
import math
import os
import pkgutil
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from removalsim.prices import PRICE_YEAR

if TYPE_CHECKING:
    from removalsim.results import Result

EXTRAS = {
    "fastapi": "web", "uvicorn": "web", "starlette": "web", "plotly": "report",
    "dask": "sweep", "distributed": "sweep", "duckdb": "sweep", "SALib": "sweep",
    "simpy": "sweep", "pandera": "history",
}
"""The optional part of the package (``pip install 'removalsim[EXTRA]'``) each module comes in."""


def user_error(error: BaseException) -> str | None:
    """The one-line message of an error caused by the user's input, or None for a bug.

    Bad files, values and requests (:class:`removalsim.yamlio.InputError`, pydantic validation
    errors), files that cannot be read or written, and a missing optional dependency.
    """
    from pydantic import ValidationError

    from removalsim.yamlio import InputError

    if isinstance(error, InputError):
        return str(error)
    if isinstance(error, ValidationError):
        return "; ".join(
            f"{'.'.join(map(str, e['loc']))}: {str(e['msg']).removeprefix('Value error, ')}"
            for e in error.errors())
    if isinstance(error, ModuleNotFoundError) and error.name:
        extra = EXTRAS.get(error.name.split(".")[0])
        if extra:
            return (f"this command needs the optional '{extra}' dependencies: "
                    f"pip install 'removalsim[{extra}]'")
        return None
    if isinstance(error, OSError) and error.filename:
        return f"{error.filename}: {error.strerror or error}"
    return None


_UsageError = typer.BadParameter.__base__
"""Click's UsageError, as the installed typer raises it (typer may bundle its own click)."""


def _usage(error: Any) -> None:
    """A bad option or argument: one line naming it, not a box."""
    command = error.ctx.command_path if error.ctx else "removalsim"
    fail(f"{error.format_message()} (see '{command} --help')")


class _Commands(TyperGroup):
    """The command group: an error in the user's input ends a command with one line, exit 2."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except _UsageError as error:
            if not error.format_message():  # no command given: the help was shown
                raise
            _usage(error)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except _UsageError as error:
            _usage(error)
        except Exception as error:
            message = user_error(error)
            if message is None:
                raise
            fail(message)


def _version(value: bool) -> None:
    if value:
        from removalsim import __version__

        typer.echo(f"removalsim {__version__}")
        raise typer.Exit()


app = typer.Typer(
    cls=_Commands,
    help="removalsim: can US immigration enforcement remove millions, how fast, where does it "
    "jam, and at what cost?",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


@app.callback()
def _main(
    version: Annotated[bool, typer.Option(
        "--version", callback=_version, is_eager=True, help="Print the version and exit.")]
    = False,
    calibration: Annotated[Path | None, typer.Option(
        "--calibration", help="Overlay the fitted values of a calibration file written by "
        "`removalsim calibrate` on the shipped values.")] = None,
) -> None:
    """Options of the ``removalsim`` command itself (the help text is the app's)."""
    if calibration is not None:
        use_calibration(calibration)


def use_calibration(path: Path) -> None:
    """Overlay a calibration file on the shipped values for the rest of this process.

    A bad file ends the command with one line naming it (exit 2) and changes nothing.
    """
    from removalsim.model import data_version
    from removalsim.params import OVERLAY_ENV, default_tree, load_tree, overlay_calibration
    from removalsim.yamlio import InputError

    try:
        overlay_calibration(load_tree(), path)
    except InputError as error:
        fail(str(error))
    os.environ[OVERLAY_ENV] = str(path)
    default_tree.cache_clear()
    data_version.cache_clear()

ScenarioArg = Annotated[
    str, typer.Argument(help="A shipped scenario name (see `scenarios`), a YAML path, or a+b.")
]
YearsOpt = Annotated[
    float | None, typer.Option("--years", help="Horizon in years (1-20).", min=0.01, max=20)
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="Change a parameter from the start: NAME=VALUE (repeatable). "
                 f"Dollars are {PRICE_YEAR} dollars; give NAME=VALUE@YEAR for dollars of another "
                 "year."),
]
PLOT_SUFFIXES = (".png", ".svg", ".pdf")


def fail(message: str) -> None:
    """Print an error naming the problem and exit with status 2."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(2)


def parse_sets(pairs: list[str] | None) -> dict[str, Any]:
    """Turn ``--set NAME=VALUE`` options into parameter changes.

    ``true``/``on`` and ``false``/``off`` are switches, numbers are numbers, anything else
    (a choice, or dollars with their price year such as ``132.9@2017``) stays text and is
    checked against the parameter when the scenario is built.
    """
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
            if isinstance(value, float) and not math.isfinite(value):
                fail(f"--set {name.strip()}: give a finite number, got '{text}'")
        if name.strip() in changes:
            fail(f"--set {name.strip()} is given twice")
        changes[name.strip()] = value
    return changes


def run_scenario(scenario: str, years: float | None, sets: list[str] | None) -> Result:
    """Run a scenario (errors in the input end the command with one line, exit 2)."""
    from removalsim.model import run

    changes = parse_sets(sets)
    result = run(scenario, years=years, changes=changes)
    warn_unusual(result.scenario, changes)
    return result


def warn_unusual(scenario: Any, changes: dict[str, Any]) -> None:
    """Print a warning for each changed value outside the record or an assumption's range."""
    from removalsim.onrecord import warning
    from removalsim.params import default_tree

    tree = default_tree()
    for name in changes:
        value = dict(scenario.changes[name]).get(scenario.start)
        message = None if value is None else warning(name, tree[name], value, scenario.start)
        if message:
            typer.echo(f"warning: {message}", err=True)


def output_file(path: Path | None, option: str, suffixes: tuple[str, ...] = PLOT_SUFFIXES) -> None:
    """Check, before any work, that a file can be written at ``path`` (exit 2 if not)."""
    if path is None:
        return
    if suffixes and path.suffix.lower() not in suffixes:
        fail(f"{option} needs a {' or '.join(suffixes)} file name, got '{path}'")
    if path.is_dir():
        fail(f"{option}: '{path}' is a folder; give a file name")
    if path.exists() and not path.is_file():
        fail(f"{option}: '{path}' exists and is not a regular file")
    folder = path.absolute().parent
    if not folder.is_dir():
        fail(f"{option}: folder '{folder}' does not exist")
    if not os.access(folder, os.W_OK):
        fail(f"{option}: cannot write in folder '{folder}'")


def output_folder(path: Path | None, option: str) -> None:
    """Check, before any work, that files can be written in folder ``path``: the folder is made
    if needed, in a folder that exists (nothing is made outside the requested output)."""
    if path is None:
        return
    if path.exists() and not path.is_dir():
        fail(f"{option}: '{path}' is a file; {option} takes a folder to write into")
    existing = path.absolute() if path.exists() else path.absolute().parent
    if not existing.is_dir():
        fail(f"{option}: folder '{existing}' does not exist, so '{path}' cannot be made")
    if not os.access(existing, os.W_OK):
        fail(f"{option}: cannot write in folder '{existing}'")


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
