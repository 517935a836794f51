"""What the page reads from the API: the vocabulary, and dated plans scaled rather than replaced."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from removalsim import vocabulary
from removalsim.params import default_tree
from removalsim.scenario import load_scenario
from removalsim.web.app import create_app
from removalsim.web.catalog import scaled_plan, schedule


@pytest.fixture(scope="module")
def client():
    return TestClient(create_app(warm_up=False))


def _planned() -> str:
    """A parameter whose value `current` plans to change over its horizon."""
    scenario = load_scenario("current")
    for name, param in default_tree().items():
        if param.kind == "lever" and not param.is_switch and len(schedule(scenario, name)) > 1:
            return name
    raise AssertionError("current plans no dated change")


def test_vocabulary_endpoint_serves_the_one_vocabulary(client):
    response = client.get("/api/vocabulary")
    assert response.status_code == 200
    assert response.json() == vocabulary.as_dict()


def test_a_scaled_plan_keeps_its_shape():
    scenario = load_scenario("current")
    name = _planned()
    plan = schedule(scenario, name)
    start = plan[0][1]
    scaled = scaled_plan(scenario, name, 2 * start)
    for day, value in plan:
        assert scaled[day] == pytest.approx(2 * value)


def test_run_scales_a_plan_unless_asked_to_replace_it(client):
    name = _planned()
    start = schedule(load_scenario("current"), name)[0][1]
    body = {"scenario": "current", "years": 5, "marginal": False,
            "changes": {name: 2 * start}}
    flat = client.post("/api/run", json=body).json()
    scaled = client.post("/api/run", json={**body, "scaled": [name]}).json()
    assert scaled["spec"]["scaled"] == [name]
    assert scaled["headline"]["scenario_hash"] != flat["headline"]["scenario_hash"]
    assert "dt.date(" in scaled["python"] and "dt.date(" not in flat["python"]
    base = scaled["baseline"]["headline"]["removals_total"]
    assert scaled["headline"]["removals_total"] >= base  # doubling a plan never removes fewer


def test_scaled_name_without_a_change_is_ignored(client):
    """A name in scaled with no change has no plan to scale: the run is the flat one."""
    body = {"scenario": "current", "years": 1, "marginal": False}
    flat = client.post("/api/run", json=body).json()
    response = client.post("/api/run", json={**body, "scaled": ["detention.beds"]})
    assert response.status_code == 200
    assert response.json()["headline"]["removals_total"] == flat["headline"]["removals_total"]
    assert response.json()["headline"]["scenario_hash"] == flat["headline"]["scenario_hash"]
