"""The ``serve`` command: the web explorer and its JSON API."""

from __future__ import annotations

from typing import Annotated

import typer

from removalsim.cli import app


@app.command()
def serve(
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", help="Port to listen on.", min=0, max=65535)
    ] = 8000,
) -> None:
    """Start the web explorer (sliders, charts, share links) and its JSON API at /api."""
    import uvicorn  # without the [web] extra: a one-line message naming it

    from removalsim.web.app import create_app
    typer.echo(f"removalsim explorer: http://{host}:{port}/  (API schema: /openapi.json; "
               "warming up the model first)")
    uvicorn.run(create_app(), host=host, port=port, log_level="warning")
