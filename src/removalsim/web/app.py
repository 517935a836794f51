"""The FastAPI app: a JSON API over the model and the single-page explorer.

Endpoints: ``POST /api/run``, ``POST /api/compare``, ``GET /api/params``, ``GET /api/scenarios``,
``GET /api/vocabulary``;
the page at ``/``; its files under ``/static``; the OpenAPI schema at ``/openapi.json``.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import cache, lru_cache
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.staticfiles import StaticFiles

from removalsim import vocabulary
from removalsim.model import model_version, resolve
from removalsim.scenario import Scenario
from removalsim.web import catalog, pool, runs
from removalsim.web.limits import MAX_BODY_BYTES, BodyLimit, SecurityHeaders
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
HEAVY_ERRORS: dict[int | str, dict[str, Any]] = {
    429: {"model": ErrorResponse, "description": "The client already has a request with draws "
          "running"},
    503: {"model": ErrorResponse, "description": "The draws ran past the time budget"},
}
COMPARED = ("removals_total", "removals_per_year", "years_to_target", "cost_total_usd",
            "cost_per_removal_usd", "detention_peak", "court_backlog_end")


class RequestProblem(Exception):
    """A request the model cannot answer, with the field to blame."""

    def __init__(self, loc: list[str | int], message: str, status: int = 422) -> None:
        super().__init__(message)
        self.loc = loc
        self.message = message
        self.status = status


def _json(content: Any, status: int = 200) -> Response:
    body = json.dumps(content, separators=(",", ":"), default=str, allow_nan=False)
    return Response(body, status_code=status, media_type="application/json")


def _problem(loc: list[str | int], message: str, status: int = 422) -> Response:
    return _json({"detail": [{"loc": loc, "msg": message, "type": "value_error"}]}, status)


class Heavy:
    """Runs of requests with draws: in worker processes, one at a time per client.

    Parameters
    ----------
    workers
        Worker processes (default: one fewer than the cores, at least one).
    seconds
        Time budget of one request's bands.
    """

    def __init__(self, workers: int | None = None, seconds: float = pool.HEAVY_SECONDS) -> None:
        self.pool = pool.Pool(workers)
        self.seconds = seconds
        self.busy: set[str] = set()

    @asynccontextmanager
    async def slot(self, request: Request, where: list[str | int]) -> AsyncIterator[None]:
        """Hold the client's one heavy slot for the block (429 if it is taken).

        The request's time budget starts here.
        """
        client = request.client.host if request.client else "unknown"
        if client in self.busy:
            raise RequestProblem([*where, "draws"], "one request with draws at a time per "
                                 "client: wait for the one running", status=429)
        self.busy.add(client)
        request.state.deadline = time.monotonic() + self.seconds
        try:
            yield
        finally:
            self.busy.discard(client)

    async def bands(self, spec: RunSpec, request: Request,
                    where: list[str | int]) -> dict[str, Any]:
        """The bands of a request: cached, or computed in a worker within the time budget."""
        cached = runs.cached_bands(spec)
        if cached is not None:
            return cached
        try:
            payload = await self.pool.bands(spec.model_dump(mode="json"),
                                            request.state.deadline, request.is_disconnected)
        except pool.TooSlow:
            raise RequestProblem([*where, "draws"], f"the draws took longer than "
                                 f"{self.seconds:g} s; ask for fewer", status=503) from None
        except pool.Cancelled:
            raise RequestProblem([*where, "draws"], "the client went away",
                                 status=503) from None
        except pool.JobFailed as error:
            if error.kind == "input":
                raise RequestProblem(where, error.message) from None
            raise RuntimeError(error.message) from None
        runs.keep_bands(spec, payload)
        return payload


def _deterministic(spec: RunSpec) -> tuple[dict[str, Any], dict[str, Any], Scenario]:
    """The run of a request and its baseline (no draws), in the server's process."""
    result = runs.run_payload(spec)
    base = runs.run_payload(RunSpec(scenario=spec.scenario, years=spec.years,
                                    marginal=spec.marginal))
    return result, base, resolve(spec.scenario.value, spec.years)


async def answer(spec: RunSpec, where: list[str | int], request: Request,
                 heavy: Heavy) -> dict[str, Any]:
    """The full answer to one run request: run, baseline, changes, warnings, bands, snippet.

    Raises
    ------
    RequestProblem
        When the model refuses the request, or bands are asked for but not available.
    """
    if spec.draws and not runs.bands_available():
        raise RequestProblem([*where, "draws"], "uncertainty bands are not available yet")
    try:
        result, base, scenario = await anyio.to_thread.run_sync(_deterministic, spec)
    except InputError as error:
        raise RequestProblem(where, str(error)) from None
    bands = await heavy.bands(spec, request, where) if spec.draws else None
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


PARAMETER_CACHE = 64
"""Most ``/api/params`` answers kept (each about 100 KB; any date may be asked for)."""


@lru_cache(maxsize=PARAMETER_CACHE)
def _parameters(scenario: str | None, day: dt.date | None) -> list[dict[str, Any]]:
    return catalog.parameters(scenario, day)


@cache
def _plotly_js() -> tuple[bytes, bytes]:
    """Plotly.js from the plotly package (no CDN), plain and gzipped."""
    from plotly.offline import get_plotlyjs

    text = get_plotlyjs().encode()
    return text, gzip.compress(text, compresslevel=6)


def warm(heavy: Heavy) -> None:
    """Compile or load the engine, cache every shipped scenario's baseline, start the workers."""
    # the page asks for runs without shadow values; those (19 runs each) are made on request
    for name in ScenarioName:
        runs.run_payload(RunSpec(scenario=name, marginal=False))
    _parameters(RunSpec().scenario.value, None)
    if runs.bands_available():
        heavy.pool.warm(RunSpec(years=1, draws=2).model_dump(mode="json"))


def create_app(warm_up: bool = True, workers: int | None = None,
               heavy_seconds: float = pool.HEAVY_SECONDS) -> FastAPI:
    """The web app.

    Parameters
    ----------
    warm_up
        Compile the engine, run every shipped scenario and start the worker processes at
        start-up (takes a few seconds), so the first slider move is as fast as the rest.
    workers
        Worker processes for requests with draws (default: one fewer than the cores).
    heavy_seconds
        Time budget of a request's draws, in seconds.
    """
    heavy = Heavy(workers, heavy_seconds)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if warm_up:
            await anyio.to_thread.run_sync(warm, heavy)
        try:
            yield
        finally:
            heavy.pool.close()

    app = FastAPI(
        title="removalsim",
        version=model_version(),
        description="Can US immigration enforcement remove millions, how fast, where does it "
        "jam, and at what cost? Run the model with changed levers and assumptions.",
        lifespan=lifespan,
        docs_url=None,  # Swagger UI and ReDoc load from a CDN; the schema is at /openapi.json
        redoc_url=None,
    )
    app.add_middleware(BodyLimit, limit=MAX_BODY_BYTES)
    app.add_middleware(SecurityHeaders)
    app.state.heavy = heavy

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
        return _problem(error.loc, error.message, error.status)

    @app.post("/api/run", response_model=RunResponse, responses=ERRORS | HEAVY_ERRORS)
    async def run_endpoint(spec: RunSpec, request: Request) -> Response:
        """Run a shipped scenario with changes; the baseline's numbers come with it."""
        if not spec.draws:
            return _json(await answer(spec, ["body"], request, heavy))
        async with heavy.slot(request, ["body"]):
            return _json(await answer(spec, ["body"], request, heavy))

    @app.post("/api/compare", response_model=CompareResponse, responses=ERRORS | HEAVY_ERRORS)
    async def compare_endpoint(specs: CompareSpec, request: Request) -> Response:
        """Run two specs and give the difference in their headline numbers (b - a)."""
        async def both() -> dict[str, Any]:
            a = await answer(specs.a, ["body", "a"], request, heavy)
            b = await answer(specs.b, ["body", "b"], request, heavy)
            return {"a": a, "b": b, "difference": difference(a, b)}

        if not (specs.a.draws or specs.b.draws):
            return _json(await both())
        async with heavy.slot(request, ["body"]):
            return _json(await both())

    @app.get("/api/params", response_model=list[ParameterInfo], responses=ERRORS)
    async def params_endpoint(
        scenario: Annotated[ScenarioName | None, Query(
            description="Give values as in this scenario (at its start by default).")] = None,
        at: Annotated[str | None, Query(
            pattern=r"^\d{4}-\d{2}-\d{2}$", json_schema_extra={"format": "date"},
            description="Give values in force on this date (YYYY-MM-DD).")] = None,
    ) -> Response:
        """Every parameter: value, unit, kind, status, bounds, label, source and history."""
        try:
            day = dt.date.fromisoformat(at) if at else None
        except ValueError as error:
            raise RequestProblem(["query", "at"], f"'{at}' is not a date: {error}") from None
        rows = await anyio.to_thread.run_sync(_parameters, scenario.value if scenario else None,
                                              day)
        return _json(rows)

    @app.get("/api/scenarios", response_model=list[ScenarioInfo])
    async def scenarios_endpoint() -> Response:
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

