"""The web API: answers equal the model's, every field is validated, sizes are capped."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi.testclient import TestClient

from removalsim.model import run
from removalsim.params import default_tree
from removalsim.scenario import load_scenario, shipped
from removalsim.web import runs
from removalsim.web.app import create_app
from removalsim.web.limits import MAX_BODY_BYTES
from removalsim.web.schemas import MAX_DRAWS


@pytest.fixture(scope="module")
def client():
    with TestClient(create_app(warm_up=False)) as c:
        yield c


def _problem(response) -> str:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"]
    assert isinstance(detail, list) and detail
    return " ".join(f"{item['loc']} {item['msg']}" for item in detail)


def _same(x, y):
    return json.loads(json.dumps(runs.finite(x))) == y


def test_run_answer_equals_the_model():
    changes = {"detention.beds": 90000.0, "arrests.officers": 9000.0}
    with TestClient(create_app(warm_up=False)) as c:
        data = c.post("/api/run", json={"scenario": "current", "years": 3,
                                        "changes": changes}).json()
    direct = run("current", years=3, changes=changes)
    assert _same(direct.headline, data["headline"])
    assert data["summary"] == direct.summary()
    assert data["fiscal_years"]["index"] == list(direct.fiscal_years.index)
    removals = direct.fiscal_years["removals"].round().tolist()
    assert data["fiscal_years"]["columns"]["removals"] == removals
    assert _same(run("current", years=3).headline, data["baseline"]["headline"])


def test_baseline_and_changed_list(client):
    officers = default_tree()["arrests.officers"]
    start = load_scenario("current").start
    more = 3 * float(officers.value_at(start))
    data = client.post("/api/run", json={"changes": {"arrests.officers": more}}).json()
    assert data["headline"]["removals_total"] != data["baseline"]["headline"]["removals_total"]
    assert data["weekly"]["columns"]["cumulative_removals"] != (
        data["baseline"]["weekly"]["columns"]["cumulative_removals"])
    [row] = data["changed"]
    assert row["name"] == "arrests.officers" and row["value"] == more
    assert row["baseline_value"] == officers.value_at(start)
    assert row["source_href"].startswith("http")
    assert row["source_publisher"] and row["source_tier"] in {"official", "research", "press"}
    assert row["source_published"][:2] in {"19", "20"}
    plain = client.post("/api/run", json={}).json()
    assert plain["changed"] == [] and plain["warnings"] == []
    assert plain["headline"] == plain["baseline"]["headline"]


def test_warns_outside_the_record(client):
    ui = default_tree()["detention.beds"].ui
    data = client.post("/api/run", json={"changes": {"detention.beds": ui.max}}).json()
    assert len(data["warnings"]) == 1 and "outside anything on record" in data["warnings"][0]
    inside = client.post("/api/run", json={"scenario": "fy2019",
                                           "changes": {"detention.beds": 56000}}).json()
    assert inside["warnings"] == []


def test_python_snippet_reproduces_the_run(client):
    spec = {"scenario": "fy2019", "years": 1, "changes": {"courts.judges": 700}}
    data = client.post("/api/run", json=spec).json()
    namespace: dict = {}
    exec(data["python"].replace("print(", "str("), namespace)  # noqa: S102 - our own snippet
    assert _same(namespace["result"].headline, data["headline"])


def test_compare_gives_b_minus_a(client):
    body = {"a": {"scenario": "fy2019", "years": 2}, "b": {"scenario": "border-surge-2019",
                                                           "years": 2}}
    data = client.post("/api/compare", json=body).json()
    rows = {r["output"]: r for r in data["difference"]}
    a, b = data["a"]["headline"], data["b"]["headline"]
    assert rows["removals_total"]["a"] == a["removals_total"]
    assert rows["removals_total"]["difference"] == pytest.approx(
        b["removals_total"] - a["removals_total"])


def test_params_and_scenarios(client):
    tree = default_tree()
    rows = client.get("/api/params", params={"scenario": "fy2019"}).json()
    assert {r["name"] for r in rows} == set(tree)
    start = load_scenario("fy2019").start
    for row in rows:
        param = tree[row["name"]]
        assert row["kind"] == param.kind and row["unit"] == param.unit
        assert row["min"] <= row["max"]
        history = row["history"]
        assert history["min"] is None or history["min"] <= history["max"]
        if row["name"] not in load_scenario("fy2019").changes:
            assert row["value"] == param.value_at(start)
    dated = client.get("/api/params", params={"at": "2019-06-01"}).json()
    beds = next(r for r in dated if r["name"] == "detention.beds")
    assert beds["value"] == tree["detention.beds"].value_at(dt.date(2019, 6, 1))
    names = [s["name"] for s in client.get("/api/scenarios").json()]
    assert names == list(shipped())


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"scenario": "no-such-scenario"}, "scenario"),
        ({"scenario": "../../etc/passwd"}, "scenario"),
        ({"scenario": "src/removalsim/scenarios/current.yaml"}, "scenario"),
        ({"scenario": "fy2019+current"}, "scenario"),
        ({"changes": {"no.such.parameter": 1}}, "no.such.parameter"),
        ({"changes": {"detention.beds": -5}}, "detention.beds"),
        ({"changes": {"detention.beds": "lots"}}, "detention.beds"),
        ({"changes": {"pathways.expedited_removal": 1}}, "pathways.expedited_removal"),
        ({"changes": {"detention.when_full": "build more"}}, "detention.when_full"),
        ({"years": 0}, "years"),
        ({"years": 21}, "years"),
        ({"draws": MAX_DRAWS + 1}, "draws"),
        ({"draws": 0}, "draws"),
        ({"seed": -1}, "seed"),
        ({"path": "/etc/passwd"}, "path"),
        ({"changes": []}, "changes"),
    ],
)
def test_bad_requests_get_a_422_naming_the_field(client, body, field):
    assert field in _problem(client.post("/api/run", json=body))


def test_not_a_number_is_refused(client):
    response = client.post("/api/run", content=b'{"years": NaN}',
                           headers={"content-type": "application/json"})
    assert "years" in _problem(response)
    broken = client.post("/api/run", content=b'{"years": ', headers={
        "content-type": "application/json"})
    assert broken.status_code == 422


def test_compare_names_the_side(client):
    response = client.post("/api/compare", json={"a": {}, "b": {"years": 50}})
    assert "'b'" in _problem(response) or "b" in response.json()["detail"][0]["loc"]


@pytest.mark.slow
def test_draws_give_bands_or_a_clear_refusal(client):
    response = client.post("/api/run", json={"scenario": "fy2019", "years": 1, "draws": 20})
    if not runs.bands_available():
        assert "uncertainty bands are not available yet" in _problem(response)
        return
    bands = response.json()["bands"]
    assert bands["draws"] == 20
    fan = bands["fan"]["removals"]
    assert all(lo <= hi for lo, hi in zip(fan["p5"], fan["p95"], strict=True))


def test_request_size_is_capped(client):
    big = json.dumps({"scenario": "current", "pad": "x" * MAX_BODY_BYTES}).encode()
    response = client.post("/api/run", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413 and "larger than" in response.json()["detail"]

    def chunks():
        for _ in range(MAX_BODY_BYTES // 1024 + 2):
            yield b" " * 1024

    streamed = client.post("/api/run", content=chunks(),
                           headers={"content-type": "application/json"})
    assert streamed.status_code == 413


def test_extreme_levers_give_finite_json(client):
    zero = {"arrests.officers": 0, "arrests.task_force_officers": 0,
            "arrests.jail_cooperation": 0, "detention.beds": 0}
    response = client.post("/api/run", json={"changes": zero, "years": 0.01})
    assert response.status_code == 200, response.text
    json.loads(response.text, parse_constant=lambda c: pytest.fail(f"{c} in JSON"))


def test_page_and_plotly_are_served_locally(client):
    page = client.get("/")
    assert page.status_code == 200 and "/static/plotly.min.js" in page.text
    assert "http" not in page.text.split("<body>")[0].replace("http-equiv", "")
    script = client.get("/static/plotly.min.js")
    assert script.status_code == 200 and len(script.content) > 1_000_000
    assert client.get("/static/app.js").status_code == 200
    assert client.get("/static/../app.py").status_code == 404
    schema = client.get("/openapi.json").json()
    assert {"/api/run", "/api/compare", "/api/params", "/api/scenarios"} <= set(schema["paths"])
