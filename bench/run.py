"""Benchmarks of DESIGN section 6: run `python bench/run.py` (or `make bench`).

Measures, on this machine:

- one deterministic 10-year daily run of ``current`` (``--scenario``): the engine call alone (and
  its cost per simulated day, warm-up included), and ``removalsim.run`` end to end;
- 10,000 Monte Carlo draws of that run (wall time and the process's peak memory);
- the cold start of ``removalsim --help``;
- the discrete-event replica against the fluid engine: agreement and speed ratio.

Prints a table with the targets (DESIGN section 6, tightened by issue 9: one run at most 2 ms,
10,000 draws at most 5 s on 2 cores, aiming at 2 s), and with ``--save`` writes
``bench/results.json``. Timings are medians (or best-of where noted) after a warm-up call, so
numba's compile is not counted. The machine may be shared: compare versions in one session.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from saved import save

SCENARIO = "current"
MIB = 1024 * 1024


def machine() -> dict[str, object]:
    """What the numbers were measured on."""
    import numba
    import numpy

    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    memory = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return {"cpu": cpu, "cores": cores, "memory_gib": memory, "os": platform.platform(),
            "python": platform.python_version(), "numpy": numpy.__version__,
            "numba": numba.__version__, "numba_threads": numba.config.NUMBA_NUM_THREADS}


def deterministic(scenario_name: str, repeats: int = 50) -> dict[str, float]:
    """One 10-year daily run: the engine call, and removalsim.run end to end (no marginals)."""
    import numpy as np

    from removalsim import engine
    from removalsim.inputs import build_inputs
    from removalsim.model import execute, resolve, run, target_vector

    scenario = resolve(scenario_name, years=10)
    inputs = build_inputs(scenario)
    target = target_vector(scenario, inputs)
    mult = np.ones((1, len(engine.INPUTS)))
    add = np.zeros_like(mult)
    execute(inputs, mult, add, target, keep_daily=True)  # compile or load the cache
    kernel = []
    for _ in range(repeats):
        started = time.perf_counter()
        execute(inputs, mult, add, target, keep_daily=True)
        kernel.append(time.perf_counter() - started)
    end_to_end = []
    run(scenario, marginal=False)
    for _ in range(max(5, repeats // 5)):
        started = time.perf_counter()
        run(scenario, marginal=False)
        end_to_end.append(time.perf_counter() - started)
    days = inputs.series.shape[0] + engine.WARMUP_DAYS
    return {"engine_ms": statistics.median(kernel) * 1e3,
            "engine_ns_per_day": statistics.median(kernel) / days * 1e9,
            "run_ms": statistics.median(end_to_end) * 1e3}


_MC_CHILD = """
import json, resource, sys, time
from removalsim.analysis.mc import monte_carlo
monte_carlo({scenario!r}, 8, years=10)  # compile or load the cache; imports
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
started = time.perf_counter()
mc = monte_carlo({scenario!r}, {draws}, seed=1, years=10)
seconds = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({{"seconds": seconds, "peak_kib": peak, "base_kib": base,
                  "p_target": mc.p_target}}))
"""


def draws(scenario_name: str, n: int = 10_000) -> dict[str, float]:
    """Monte Carlo draws in a fresh process: wall time and peak resident memory."""
    code = _MC_CHILD.format(scenario=scenario_name, draws=n)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return {"draws": n, "seconds": data["seconds"], "peak_mib": data["peak_kib"] / 1024,
            "before_mib": data["base_kib"] / 1024}


def cold_start(repeats: int = 7) -> dict[str, float]:
    """``removalsim --help`` in a new process (the installed console script)."""
    script = shutil.which("removalsim", path=str(Path(sys.executable).parent)) or shutil.which(
        "removalsim")
    command = [script, "--help"] if script else [
        sys.executable, "-c", "from removalsim.cli import main; main()", "--help"]
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        times.append(time.perf_counter() - started)
    return {"median_s": statistics.median(times), "best_s": min(times)}


def replica(scenarios: tuple[str, ...] = ("fy2019", "millions-2019"), years: float = 10,
            replications: int = 3) -> list[dict[str, float]]:
    """The discrete-event replica against the engine: mean removals, detention, speed (with the
    engine's transport hold switched off in both, as in the tests: the replica has none)."""
    from removalsim.model import resolve
    from removalsim.replica import NO_TRANSPORT_HOLD, cross_check

    rows = []
    for name in scenarios:
        check = cross_check(resolve(name).with_changes(NO_TRANSPORT_HOLD), years=years,
                            replications=replications)
        rows.append({"scenario": name, "years": years, "scale": check.scale,
                     "replications": replications,
                     "removals_error": check.removals_error,
                     "detained_error": check.detained_error,
                     "detained_end_of_day_error":
                         check.replica_detained_end_of_day / check.fluid_detained - 1.0,
                     "replica_seconds": check.replica_seconds,
                     "fluid_seconds": check.fluid_seconds, "speed_ratio": check.speed_ratio})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--save", action="store_true", help="write bench/results.json")
    parser.add_argument("--scenario", default=SCENARIO, help="shipped scenario (10 years)")
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--skip-replica", action="store_true")
    args = parser.parse_args()

    results: dict[str, object] = {"machine": machine(), "scenario": args.scenario}
    print("measuring: deterministic run ...", file=sys.stderr)
    results["deterministic"] = det = deterministic(args.scenario)
    print(f"measuring: {args.draws:,} draws ...", file=sys.stderr)
    results["draws"] = mc = draws(args.scenario, args.draws)
    print("measuring: cold start ...", file=sys.stderr)
    results["cold_start"] = cold = cold_start()
    if not args.skip_replica:
        print("measuring: discrete-event replica ...", file=sys.stderr)
        results["replica"] = rep = replica()
    else:
        rep = []

    m = results["machine"]
    print(f"\nmachine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; {m['os']}; "
          f"Python {m['python']}, numpy {m['numpy']}, numba {m['numba']}\n")
    rows = [
        (f"one deterministic 10-year daily run of {args.scenario} (engine)",
         f"{det['engine_ms']:.2f} ms",
         "<= 2 ms", "", det["engine_ms"] <= 2),
        ("  per simulated day (warm-up included)", f"{det['engine_ns_per_day']:.0f} ns", "", "",
         None),
        ("  the same through removalsim.run (inputs, result)", f"{det['run_ms']:.2f} ms",
         "", "", None),
        (f"{mc['draws']:,} draws of that run", f"{mc['seconds']:.2f} s",
         "<= 5 s on 2 cores", "<= 2 s", mc["seconds"] <= 5),
        (f"peak memory of {mc['draws']:,} draws (whole process)", f"{mc['peak_mib']:.0f} MiB",
         "<= 2 GiB", "<= 0.5 GiB", mc["peak_mib"] <= 2048),
        ("  of which before the draws (Python, numba, libraries)",
         f"{mc['before_mib']:.0f} MiB", "", "", None),
        ("removalsim --help cold start (median)", f"{cold['median_s']:.2f} s", "<= 1 s",
         "<= 0.3 s", cold["median_s"] <= 1),
    ]
    for r in rep:
        rows.append((f"replica vs engine, {r['scenario']} ({r['years']:g} y, "
                     f"scale {r['scale']:g}, {r['replications']} runs, no transport hold)",
                     f"removals {r['removals_error']:+.1%}, detained {r['detained_error']:+.1%}",
                     "within 5%", "", max(abs(r["removals_error"]),
                                          abs(r["detained_error"])) <= 0.05))
        rows.append((f"  speed: one replica run / one engine run ({r['scenario']})",
                     f"{r['replica_seconds']:.2f} s / {r['fluid_seconds'] * 1e3:.1f} ms = "
                     f"{r['speed_ratio']:,.0f}x", "", "", None))
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  {'measured':>38}  {'must':>18}  {'aim':>10}  ok")
    for what, measured, must, aim, ok in rows:
        flag = "" if ok is None else ("yes" if ok else "NO")
        print(f"{what:<{width}}  {measured:>38}  {must:>18}  {aim:>10}  {flag}")
    if args.save:  # the other benches' numbers in the file (server, web_latency) stay
        print(f"\nwrote {save(results)}")


if __name__ == "__main__":
    main()
