"""Fifty clients at once against a real server: each gets the answer a sequential call gives."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from removalsim.model import run
from removalsim.web import runs
from removalsim.web.server import running

pytestmark = pytest.mark.slow

CLIENTS = 50


def _spec(i: int) -> dict:
    # Distinct specs, so that no answer can come from another client's cache entry.
    # Floats, as JSON numbers arrive: the scenario hash tells 700 from 700.0.
    beds = 40_000.0 + 1_000 * (i % 40)
    return {"scenario": "fy2019" if i % 2 else "current", "years": 2,
            "changes": {"detention.beds": beds, "arrests.officers": 5_000.0 + 50 * i}}


def test_fifty_parallel_clients_get_the_right_answers():
    specs = [_spec(i) for i in range(CLIENTS)]
    expected = [
        json.loads(json.dumps(runs.finite(
            run(s["scenario"], years=s["years"], changes=s["changes"]).headline)))
        for s in specs
    ]
    start = threading.Barrier(CLIENTS)

    def client(spec: dict) -> tuple[int, dict]:
        with httpx.Client(timeout=120) as http:
            start.wait()
            response = http.post(f"{url}/api/run", json=spec)
            return response.status_code, response.json()

    with running() as url, ThreadPoolExecutor(CLIENTS) as pool:
        answers = list(pool.map(client, specs))
    for spec, want, (status, got) in zip(specs, expected, answers, strict=True):
        assert status == 200, got
        assert got["spec"]["changes"] == spec["changes"]
        assert got["headline"] == want
