"""The explorer's server under load: cheap requests while heavy ones run, and memory.

Starts ``removalsim serve`` in its own process (as a user would) and measures:

- ``cheap``: p50/p95 of a slider request (``POST /api/run`` with a new value each time, so the
  model runs every time) while ``--heavy`` clients each keep a request of ``--draws`` draws
  running (each client from its own loopback address, so each may run one);
- ``abandoned``: p50/p95 of the same cheap request right after 4 compare requests with draws
  whose client gave up after 2 s (their work must stop, not hold up what follows);
- ``memory``: the server process's resident memory before and after ``--params`` requests of
  ``/api/params`` for distinct dates, and the growth.

Must: cheap p95 < 300 ms; memory growth < 50 MB after 5,000 distinct ``/api/params`` requests.
Run: ``python bench/server_load.py`` (``--save`` adds the numbers to ``bench/results.json``).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import statistics
import threading
import time

import httpx
import psutil

from removalsim.web.server import serving
from saved import save

MB = 1_000_000


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), interpolated."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * q / 100
    low, high = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def _server() -> psutil.Process:
    """The ``removalsim serve`` process started by :func:`serving` (a child of this one)."""
    for child in psutil.Process().children():
        if "serve" in child.cmdline():
            return child
    raise RuntimeError("the server process was not found")


def _cheap(http: httpx.Client, url: str, count: int, first: int) -> list[float]:
    """Slider requests with a new value each time; latencies in ms."""
    latencies = []
    for i in range(count):
        # what the explorer sends when a slider moves (app.js): no shadow values, which would
        # take 18 more runs
        spec = {"scenario": "current", "years": 10, "marginal": False,
                "changes": {"arrests.officers": 6000.0 + first + i}}
        started = time.perf_counter()
        response = http.post(f"{url}/api/run", json=spec)
        latencies.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    return latencies


def _summary(latencies: list[float]) -> dict[str, float]:
    return {"n": len(latencies), "p50_ms": statistics.median(latencies),
            "p95_ms": percentile(latencies, 95), "max_ms": max(latencies)}


def under_load(url: str, heavy: int, draws: int, cheap: int) -> dict[str, object]:
    """Cheap request latency while ``heavy`` clients each keep a heavy request running."""
    stop = threading.Event()
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def client(n: int) -> None:
        transport = httpx.HTTPTransport(local_address=f"127.0.0.{n + 2}")
        with httpx.Client(transport=transport, timeout=600) as http:
            seed = 0
            while not stop.is_set():
                seed += 1
                response = http.post(f"{url}/api/run", json={
                    "scenario": "current", "years": 10, "draws": draws, "seed": 1000 * n + seed,
                    "marginal": False})
                with lock:
                    statuses[response.status_code] = statuses.get(response.status_code, 0) + 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(heavy)]
    for thread in threads:
        thread.start()
    time.sleep(2)  # the heavy requests are queued and running
    with httpx.Client(timeout=60) as http:
        latencies = _cheap(http, url, cheap, first=0)
    stop.set()
    return {**_summary(latencies), "heavy_clients": heavy, "draws": draws,
            "heavy_statuses_while_measured": statuses}


def abandoned(url: str, draws: int, cheap: int) -> dict[str, object]:
    """Cheap request latency right after 4 heavy compares abandoned by their client after 2 s."""
    def give_up(n: int) -> None:
        transport = httpx.HTTPTransport(local_address=f"127.0.1.{n + 2}")
        body = {"a": {"scenario": "current", "draws": draws, "seed": 7 + n},
                "b": {"scenario": "fy2019", "draws": draws, "seed": 7 + n}}
        with httpx.Client(transport=transport, timeout=2) as http, \
                contextlib.suppress(httpx.TimeoutException):
            http.post(f"{url}/api/compare", json=body)

    threads = [threading.Thread(target=give_up, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with httpx.Client(timeout=60) as http:
        return _summary(_cheap(http, url, cheap, first=10_000))


def memory(url: str, requests: int) -> dict[str, float]:
    """Server memory before and after ``requests`` distinct /api/params requests."""
    server = _server()
    day = dt.date(2000, 1, 1)
    with httpx.Client(timeout=60) as http:
        http.get(f"{url}/api/params", params={"at": day.isoformat()}).raise_for_status()
        before = server.memory_info().rss
        for i in range(requests):
            at = (day + dt.timedelta(days=i + 1)).isoformat()
            http.get(f"{url}/api/params", params={"at": at}).raise_for_status()
        after = server.memory_info().rss
    return {"requests": requests, "before_mb": before / MB, "after_mb": after / MB,
            "growth_mb": (after - before) / MB}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--heavy", type=int, default=20, help="Clients with heavy requests.")
    parser.add_argument("--draws", type=int, default=2000, help="Draws per heavy request.")
    parser.add_argument("--cheap", type=int, default=100, help="Cheap requests measured.")
    parser.add_argument("--params", type=int, default=5000, help="Distinct /api/params asked.")
    parser.add_argument("--save", action="store_true", help="Add to bench/results.json.")
    args = parser.parse_args()
    with serving() as url:
        with httpx.Client(timeout=60) as http:  # warm: the first cheap runs load the engine
            _cheap(http, url, 5, first=50_000)
        results = {
            "cheap_under_load": under_load(url, args.heavy, args.draws, args.cheap),
            "cheap_after_abandoned": abandoned(url, args.draws, args.cheap // 2),
            "memory": memory(url, args.params),
        }
    print(json.dumps(results, indent=2))
    load, mem = results["cheap_under_load"], results["memory"]
    print(f"cheap p95 under load: {load['p95_ms']:.0f} ms (must be < 300); memory growth after "
          f"{mem['requests']:,} /api/params: {mem['growth_mb']:.1f} MB (must be < 50)")
    if args.save:
        save({"server": results})


if __name__ == "__main__":
    main()
