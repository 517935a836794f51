"""removalsim: an open, reproducible model of US immigration-enforcement capacity.

>>> import removalsim
>>> result = removalsim.run("millions-2019", years=2, marginal=False)
>>> result.headline["target"]["removals"]
1000000
"""

from __future__ import annotations

from functools import cache
from typing import Any

__all__ = ["run", "load_scenario", "__version__"]


@cache
def _installed_version() -> str:
    """The installed package's version (``0+unknown`` when run from a bare source tree); read
    once, since every result is stamped with it."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("removalsim")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


def __getattr__(name: str) -> Any:
    """Import the heavy parts (numba, numpy) only when they are used."""
    if name == "__version__":
        return _installed_version()
    if name == "run":
        from removalsim.model import run

        return run
    if name == "load_scenario":
        from removalsim.scenario import load_scenario

        return load_scenario
    raise AttributeError(name)
