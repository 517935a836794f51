"""Whole-model regression: the shipped scenarios' headline numbers (Tax-Calculator style).

After an intended change, regenerate with ``REMOVALSIM_UPDATE_GOLDEN=1 pytest tests/test_golden.py``
and explain the differences in the commit.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from removalsim.model import run
from removalsim.scenario import shipped

GOLDEN = Path(__file__).parent / "golden" / "headlines.json"
KEYS = ["removals_total", "years_to_target", "target_removals", "binding_constraint",
        "cost_total_usd", "detention_peak", "court_backlog_end", "removals_by_fiscal_year",
        "removals_interior", "removals_border", "court_pending_start", "court_pending_end",
        "unauthorized_population_start", "unauthorized_population_end"]


def _headlines() -> dict:
    out = {}
    for name in shipped():
        h = run(name).headline
        out[name] = {k: h[k] for k in KEYS}
    return out


def test_shipped_scenarios_match_golden_headlines():
    current = _headlines()
    if os.environ.get("REMOVALSIM_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(current, indent=1, sort_keys=True) + "\n")
    golden = json.loads(GOLDEN.read_text())
    assert set(golden) == set(current)
    for name, expected in golden.items():
        got = current[name]
        for key in KEYS:
            if isinstance(expected[key], float):
                assert got[key] == pytest.approx(expected[key], rel=1e-6), (name, key)
            elif key == "removals_by_fiscal_year":
                for a, b in zip(got[key], expected[key], strict=True):
                    assert a["fiscal_year"] == b["fiscal_year"], (name, a)
                    assert a["removals"] == pytest.approx(b["removals"], rel=1e-6), (name, a)
            else:
                assert got[key] == expected[key], (name, key)
