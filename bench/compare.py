"""Two engine versions timed side by side, interleaved, on this (possibly shared) machine.

Run: ``python bench/compare.py BEFORE_SRC AFTER_SRC [--scenario current] [--rounds 6]
[--draws 0]``, where each ``*_SRC`` is a ``src`` directory, e.g. one exported with
``git archive main src | tar -x -C bench/.before``. Each version runs in its own process with its
``src`` first on the path; rounds alternate between them, so both see the same load. A round times
5 single 10-year runs of the engine and, with ``--draws N``, one batch of N Monte Carlo draws (the
parallel path of ``removalsim.analysis.mc``). Prints medians, bests and the speed-up as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

CHILD = r'''
import json, sys, time
import numpy as np
from removalsim import engine
from removalsim.inputs import build_inputs
from removalsim.model import execute, resolve, target_vector
from removalsim.analysis.mc import quantiles, simulate
name, draws = sys.argv[1], int(sys.argv[2])
s = resolve(name, years=10)
i = build_inputs(s)
m = np.ones((1, len(engine.INPUTS))); a = np.zeros_like(m)
t = target_vector(s, i)
execute(i, m, a, t, False)
u = quantiles(max(draws, 8), 1)
simulate(s, i, u[:8])
print("ready", flush=True)
for line in sys.stdin:
    ts = []
    for _ in range(5):
        t0 = time.perf_counter(); execute(i, m, a, t, False); ts.append(time.perf_counter() - t0)
    mc = None
    if draws:
        t0 = time.perf_counter(); simulate(s, i, u[:draws]); mc = time.perf_counter() - t0
    print(json.dumps({"run": ts, "mc": mc}), flush=True)
'''


def start(src: str, name: str, draws: int) -> subprocess.Popen:
    """A child process with ``src`` first on the path, warmed up and waiting for rounds."""
    env = dict(os.environ, PYTHONPATH=src)
    p = subprocess.Popen([sys.executable, "-c", CHILD, name, str(draws)], env=env,
                         stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if p.stdout.readline().strip() != "ready":
        raise SystemExit(f"the child process for {src} did not start")
    return p


def main() -> None:
    """Time both versions in alternating rounds and print the summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", help="src directory of the version before")
    parser.add_argument("after", help="src directory of the version after")
    parser.add_argument("--scenario", default="current")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--draws", type=int, default=0)
    args = parser.parse_args()
    before, after, name = args.before, args.after, args.scenario
    rounds, draws = args.rounds, args.draws
    procs = {"before": start(before, name, draws), "after": start(after, name, draws)}
    res = {k: {"run": [], "mc": []} for k in procs}
    for _ in range(rounds):
        for k, p in procs.items():
            p.stdin.write("go\n")
            p.stdin.flush()
            r = json.loads(p.stdout.readline())
            res[k]["run"] += r["run"]
            if r["mc"] is not None:
                res[k]["mc"].append(r["mc"])
    for p in procs.values():
        p.stdin.close()
        p.wait()
    out = {}
    for k, r in res.items():
        out[k] = {"run_ms_best": min(r["run"]) * 1e3,
                  "run_ms_median": statistics.median(r["run"]) * 1e3}
        if r["mc"]:
            out[k].update({"draws": draws, "mc_s_best": min(r["mc"]),
                           "mc_s_median": statistics.median(r["mc"])})
    out["speedup_run_median"] = out["before"]["run_ms_median"] / out["after"]["run_ms_median"]
    if draws:
        out["speedup_mc_median"] = out["before"]["mc_s_median"] / out["after"]["mc_s_median"]
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
