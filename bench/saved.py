"""``bench/results.json``: every bench adds its numbers under its own keys, the others' stay."""

from __future__ import annotations

import json
from pathlib import Path

RESULTS = Path(__file__).parent / "results.json"


def save(entries: dict) -> Path:
    """Merge ``entries`` into ``bench/results.json`` (replacing those keys only); its path."""
    saved = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    RESULTS.write_text(json.dumps(saved | entries, indent=2) + "\n")
    return RESULTS
