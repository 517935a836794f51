"""The FastAPI app: a JSON API over the model and the single-page explorer.

Endpoints: ``POST /api/run``, ``POST /api/compare``, ``GET /api/params``, ``GET /api/scenarios``,
``GET /api/vocabulary``;
the page at ``/``; its files under ``/static``; the OpenAPI schema at ``/openapi.json``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from removalsim import vocabulary
from removalsim.model import model_version, resolve
from removalsim.web import catalog, runs
from removalsim.web.limits import MAX_BODY_BYTES, BodyLimit
from removalsim.web.schemas import (
    CompareResponse,
    CompareSpec,
    ErrorResponse,
    ParameterInfo,
    RunResponse,
    RunSpec,
    ScenarioInfo,
    ScenarioName,
)
from removalsim.yamlio import InputError

STATIC_DIR = Path(__file__).parent / "static"
ERRORS: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorResponse, "description": "The body cannot be read as JSON text"},
    413: {"model": ErrorResponse, "description": f"Body larger than {MAX_BODY_BYTES} bytes"},
    422: {"model": ErrorResponse, "description": "A field is invalid; the message names it"},
}
COMPARED = ("removals_total", "removals_per_year", "years_to_target", "cost_total_usd",
            "cost_per_removal_usd", "detention_peak", "court_backlog_end")


class RequestProblem(Exception):
    """A request the model cannot answer, with the field to blame."""

    def __init__(self, loc: list[str | int], message: str) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message


def _json(content: Any, status: int = 200) -> Response:
    body = json.dumps(content, separators=(",", ":"), default=str, allow_nan=False)
    return Response(body, status_code=status, media_type="application/json")


def _problem(loc: list[str | int], message: str) -> Response:
    return _json({"detail": [{"loc": loc, "msg": message, "type": "value_error"}]}, 422)


def answer(spec: RunSpec, where: list[str | int]) -> dict[str, Any]:
    """The full answer to one run request: run, baseline, changes, warnings, bands, snippet.

    Raises
    ------
    RequestProblem
        When the model refuses the request, or bands are asked for but not available.
    """
    if spec.draws and not runs.bands_available():
        raise RequestProblem([*where, "draws"], "uncertainty bands are not available yet")
    try:
        result = runs.run_payload(spec)
        base = runs.run_payload(RunSpec(scenario=spec.scenario, years=spec.years,
                                        marginal=spec.marginal))
        bands = runs.bands_payload(spec) if spec.draws else None
        scenario = resolve(spec.scenario.value, spec.years)
    except InputError as error:
        raise RequestProblem(where, str(error)) from None
    changed = catalog.changed(scenario, spec.changes)
    return {
        **result,
        "spec": spec.model_dump(mode="json"),
        "baseline": base,
        "changed": changed,
        "warnings": [row["warning"] for row in changed if row["warning"]],
        "bands": bands,
        "python": catalog.python_snippet(spec.scenario.value, spec.years, spec.model_changes(),
                                         spec.draws, spec.seed),
    }


def difference(a: dict[str, Any], b: dict[str, Any]) -> list[dict[str, Any]]:
    """Headline numbers of two answers and ``b - a``."""
    rows = []
    for key in COMPARED:
        x, y = a["headline"][key], b["headline"][key]
        rows.append({"output": key, "a": x, "b": y,
                     "difference": None if x is None or y is None else y - x})
    return rows


@cache
def _parameters(scenario: str | None, day: dt.date | None) -> list[dict[str, Any]]:
    return catalog.parameters(scenario, day)


@cache
def _plotly_js() -> tuple[bytes, bytes]:
    """Plotly.js from the plotly package (no CDN), plain and gzipped."""
    from plotly.offline import get_plotlyjs

    text = get_plotlyjs().encode()
    return text, gzip.compress(text, compresslevel=6)


def warm() -> None:
    """Compile or load the engine and cache every shipped scenario's baseline."""
    for name in ScenarioName:
        for marginal in (True, False):
            runs.run_payload(RunSpec(scenario=name, marginal=marginal))
    _parameters(RunSpec().scenario.value, None)
    if runs.bands_available():
        runs.bands_payload(RunSpec(years=1, draws=2))


@asynccontextmanager
async def _lifespan(app: FastAPI) -> AsyncIterator[None]:
    warm()
    yield


def create_app(warm_up: bool = True) -> FastAPI:
    """The web app.

    Parameters
    ----------
    warm_up
        Compile the engine and run every shipped scenario at start-up (takes a few seconds),
        so the first slider move is as fast as the rest.
    """
    app = FastAPI(
        title="removalsim",
        version=model_version(),
        description="Can US immigration enforcement remove millions, how fast, where does it "
        "jam, and at what cost? Run the model with changed levers and assumptions.",
        lifespan=_lifespan if warm_up else None,
        docs_url=None,  # Swagger UI and ReDoc load from a CDN; the schema is at /openapi.json
        redoc_url=None,
    )
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> Response:
        items = [
            {"loc": [str(x) if not isinstance(x, int) else x for x in item["loc"]],
             "msg": str(item["msg"]).removeprefix("Value error, "), "type": str(item["type"])}
            for item in error.errors()
        ]
        return _json({"detail": items}, 422)

    @app.exception_handler(RequestProblem)
    async def _refused(request: Request, error: RequestProblem) -> Response:
        return _problem(error.loc, error.message)

    @app.post("/api/run", response_model=RunResponse, responses=ERRORS)
    def run_endpoint(spec: RunSpec) -> Response:
        """Run a shipped scenario with changes; the baseline's numbers come with it."""
        return _json(answer(spec, ["body"]))

    @app.post("/api/compare", response_model=CompareResponse, responses=ERRORS)
    def compare_endpoint(specs: CompareSpec) -> Response:
        """Run two specs and give the difference in their headline numbers (b - a)."""
        a, b = answer(specs.a, ["body", "a"]), answer(specs.b, ["body", "b"])
        return _json({"a": a, "b": b, "difference": difference(a, b)})

    @app.get("/api/params", response_model=list[ParameterInfo], responses=ERRORS)
    def params_endpoint(
        scenario: Annotated[ScenarioName | None, Query(
            description="Give values as in this scenario (at its start by default).")] = None,
        at: Annotated[dt.date | None, Query(
            description="Give values in force on this date.")] = None,
    ) -> Response:
        """Every parameter: value, unit, kind, status, bounds, label, source and history."""
        return _json(_parameters(scenario.value if scenario else None, at))

    @app.get("/api/scenarios", response_model=list[ScenarioInfo])
    def scenarios_endpoint() -> Response:
        """The shipped scenarios."""
        return _json(catalog.scenarios())

    @app.get("/api/vocabulary")
    def vocabulary_endpoint() -> Response:
        """Labels, units and meanings of outputs, stages, routes, groups and statuses."""
        return _json(vocabulary.as_dict())

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def page() -> HTMLResponse:
        return HTMLResponse((STATIC_DIR / "index.html").read_text(encoding="utf-8"))

    @app.get("/static/plotly.min.js", include_in_schema=False)
    def plotly_js(request: Request) -> Response:
        plain, packed = _plotly_js()
        headers = {"Cache-Control": "public, max-age=86400", "Vary": "Accept-Encoding"}
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return Response(packed, media_type="text/javascript", headers=headers)
        return Response(plain, media_type="text/javascript", headers=headers)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app

