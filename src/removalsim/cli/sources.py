"""Command ``sources``: where the numbers come from, and every rule a source breaks."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from removalsim.cli import JsonOpt, app, fail

TOP = 12
"""Assumptions listed in the ranking."""


@app.command()
def sources(
    json_out: JsonOpt = False,
    check: Annotated[bool, typer.Option(
        "--check", help="Exit 1 if any source rule is broken (parameters or history).")] = False,
    scenario: Annotated[str, typer.Option(
        "--scenario", help="Scenario whose headline numbers rank the assumptions.")] = "current",
    rank: Annotated[bool, typer.Option(
        "--rank/--no-rank", help="Rank the assumptions (about 5 s of model runs).")] = True,
) -> None:
    """Coverage of the parameters by status and tier, values resting only on press, stale
    references, assumptions ranked by how much they move the headline numbers, and rules broken."""
    from removalsim.sources import audit, ranking
    from removalsim.yamlio import InputError

    try:
        result = audit()
        ranked = ranking(scenario) if rank else []
    except InputError as error:
        fail(str(error))
        raise  # unreachable
    if json_out:
        typer.echo(json.dumps({**result.to_json(), "ranking": ranked}))
    else:
        _print(result, ranked, scenario)
    if check and result.violations:
        raise typer.Exit(1)


def _print(result, ranked: list[dict], scenario: str) -> None:
    from removalsim.sources import coverage_table

    out = [coverage_table(result), ""]
    out.append("Resting only on press: " + (", ".join(result.press_only) or "none"))
    out.append("")
    if result.stale:
        out.append("Assumptions whose reference is 2+ years older than the value:")
        out += [f"  {s['parameter']} ({s['date']}): published {s['published']}, "
                f"{s['years']:g} years before" for s in result.stale]
    else:
        out.append("No assumption rests on a reference 2+ years older than its value.")
    if ranked:
        out += ["", f"Assumptions that move the headline numbers most (scenario '{scenario}'):",
                "the swing in total removals and cost with each at the low and the high end of its",
                "range, the others central"]
        width = max(len(r["parameter"]) for r in ranked[:TOP])
        out.append(f"  {'assumption':<{width}}  removals   cost  status")
        out += [f"  {r['parameter']:<{width}}  {r['removals_swing']:>8.1%}  {r['cost_swing']:>5.1%}"
                f"  {r['status']}" for r in ranked[:TOP]]
    out.append("")
    if result.violations:
        out.append(f"{len(result.violations)} rules broken:")
        out += [f"  {v['file']}: line {v['line']}: key '{v['key']}': {v['message']}"
                if v["key"] else f"  {v['file']}: {v['message']}" for v in result.violations]
    else:
        out.append("No source rule is broken.")
    if result.waived:
        files = len({v["file"] for v in result.waived})
        out.append(f"{len(result.waived)} more in {files} parameter files waived while the v2 "
                   "rewrite replaces them (removalsim.sources.WAIVED).")
    typer.echo("\n".join(out))
