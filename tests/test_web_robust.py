"""The API refuses what it cannot take, bounds its memory, limits heavy work and sends headers."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from pathlib import Path
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from removalsim.params import default_tree
from removalsim.web import app as web_app
from removalsim.web.app import Heavy, RequestProblem, create_app
from removalsim.web.limits import MAX_BODY_BYTES, SECURITY_HEADERS
from removalsim.web.pool import Cancelled, Pool, TooSlow
from removalsim.web.schemas import RunSpec

NUMBER = next(n for n, p in default_tree().items()
              if p.ui and not p.is_switch and p.choices is None)
SWITCH = next(n for n, p in default_tree().items() if p.is_switch)


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(warm_up=False)) as c:
        yield c


@pytest.mark.parametrize(("body", "field"), [
    ({"years": "10"}, "years"),
    ({"years": True}, "years"),
    ({"seed": "5"}, "seed"),
    ({"seed": False}, "seed"),
    ({"seed": 1.5}, "seed"),
    ({"draws": True}, "draws"),
    ({"draws": "20"}, "draws"),
    ({"marginal": "yes"}, "marginal"),
    ({"changes": {NUMBER: "5"}}, "changes"),
    ({"changes": {SWITCH: 1}}, "changes"),
])
def test_wrong_types_are_refused_not_coerced(client, body, field):
    response = client.post("/api/run", json={"scenario": "fy2019", "years": 1, **body})
    assert response.status_code == 422, response.text
    assert any(field in item["loc"] for item in response.json()["detail"])


@pytest.mark.parametrize("at", ["0", "notadate", "2019-02-30", "20190101", "2019-1-1"])
def test_a_bad_date_is_refused_naming_at(client, at):
    response = client.get("/api/params", params={"at": at})
    assert response.status_code == 422, response.text
    assert any("at" in item["loc"] for item in response.json()["detail"])


def test_whole_floats_are_whole_numbers(client):
    response = client.post("/api/run", json={"scenario": "fy2019", "years": 1, "seed": 3.0,
                                             "marginal": False})
    assert response.status_code == 200 and response.json()["spec"]["seed"] == 3


def test_the_schema_states_each_parameter_type_and_range(client):
    schema = client.get("/openapi.json").json()["components"]["schemas"]["RunSpec"]
    changes = schema["properties"]["changes"]
    assert changes["additionalProperties"] is False
    tree = default_tree()
    assert set(changes["properties"]) == set(tree)
    for name, param in tree.items():
        spec = changes["properties"][name]
        if param.is_switch:
            assert spec == {"type": "boolean"}
        elif param.choices is not None:
            assert spec["enum"] == param.choices
        else:
            assert spec["type"] == "number"
            if param.ui:
                assert (spec["minimum"], spec["maximum"]) == (param.ui.min, param.ui.max)


def test_security_headers_on_every_answer(client):
    answers = [client.get("/"), client.get("/api/scenarios"), client.get("/static/app.js"),
               client.get("/nowhere"), client.post("/api/run", json={"years": "x"}),
               client.post("/api/run", content=b"x" * (MAX_BODY_BYTES + 1),
                           headers={"content-type": "application/json"})]
    assert [a.status_code for a in answers] == [200, 200, 200, 404, 422, 413]
    for answer in answers:
        for name, value in SECURITY_HEADERS.items():
            assert answer.headers[name] == value, (answer.request.url, name)


def test_the_parameters_cache_is_bounded(client):
    web_app._parameters.cache_clear()
    for i in range(web_app.PARAMETER_CACHE + 20):
        at = (dt.date(2010, 1, 1) + dt.timedelta(days=i)).isoformat()
        assert client.get("/api/params", params={"at": at}).status_code == 200
    assert web_app._parameters.cache_info().currsize == web_app.PARAMETER_CACHE


def test_one_heavy_request_per_client():
    heavy = Heavy(workers=1)
    one = SimpleNamespace(client=SimpleNamespace(host="10.0.0.1"), state=SimpleNamespace())
    other = SimpleNamespace(client=SimpleNamespace(host="10.0.0.2"), state=SimpleNamespace())

    async def scenario() -> int:
        async with heavy.slot(one, ["body"]):
            async with heavy.slot(other, ["body"]):
                pass
            try:
                async with heavy.slot(one, ["body"]):
                    pass
            except RequestProblem as problem:
                return problem.status
        return 200

    assert asyncio.run(scenario()) == 429
    assert not heavy.busy


@pytest.mark.slow
def test_a_job_past_its_budget_or_abandoned_is_stopped_and_its_worker_replaced():
    """A job in a started worker is stopped by ending the worker (a worker still starting is
    kept: only the request gives up)."""
    pool = Pool(size=1)
    body = RunSpec(scenario="current", years=20, draws=2000).model_dump(mode="json")

    async def gone() -> bool:
        return True

    async def scenario() -> list[str]:
        outcomes = []
        for deadline, check in ((time.monotonic() + 0.5, None), (time.monotonic() + 60, gone)):
            started = time.monotonic()
            try:
                await pool.bands(body, deadline, check)
            except (TooSlow, Cancelled) as stop:
                outcomes.append(type(stop).__name__)
            assert time.monotonic() - started < 30
        small = RunSpec(scenario="fy2019", years=1, draws=5).model_dump(mode="json")
        outcomes.append(str((await pool.bands(small, time.monotonic() + 120))["draws"]))
        return outcomes

    try:
        pool.warm(RunSpec(scenario="fy2019", years=0.1, draws=2).model_dump(mode="json"))
        assert asyncio.run(scenario()) == ["TooSlow", "Cancelled", "5"]
        assert pool.replaced == 2
    finally:
        pool.close()


@pytest.mark.slow
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="Debian chromium not installed")
def test_the_page_works_under_its_content_security_policy():
    from playwright.sync_api import sync_playwright

    from removalsim.web.server import running

    blocked: list[str] = []
    with running() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--headless", "--disable-gpu"])
        page = browser.new_page()
        page.on("console", lambda m: blocked.append(m.text)
                if "Content Security Policy" in m.text else None)
        page.on("pageerror", lambda error: blocked.append(str(error)))
        page.goto(url)  # (no string evaluation here: the policy rightly forbids it)
        page.wait_for_selector(".js-plotly-plot .main-svg", timeout=60_000)
        charts = page.locator(".js-plotly-plot").count()
        browser.close()
    assert blocked == [] and charts > 0
