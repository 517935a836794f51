"""Command ``docs``: where the built documentation site is, or open it in a browser."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from removalsim.cli import app, fail

CHECKOUT = Path(__file__).resolve().parents[3]
"""The source checkout this package runs from (``src/removalsim/cli`` is three levels down)."""


@app.command()
def docs(
    site: Annotated[
        Path | None,
        typer.Option("--site", help="The built site's folder (default: site/ of the checkout)."),
    ] = None,
    open_it: Annotated[
        bool, typer.Option("--open", help="Open the site in the default web browser.")
    ] = False,
) -> None:
    """Print the path of the built documentation site (`make docs` builds it), or open it."""
    folder = site or CHECKOUT / "site"
    index = folder / "index.html"
    if not index.is_file():
        fail(f"no built site at {folder}: run `make docs` in the source checkout first")
    typer.echo(str(index.resolve()))
    if open_it:
        import webbrowser

        if not webbrowser.open(index.resolve().as_uri()):
            fail("no web browser could be started; open the path above")
