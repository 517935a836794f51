"""The README's answers and its split table are what the model prints now."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from removalsim.model import run
from removalsim.scenario import shipped

README = Path(__file__).parents[1] / "README.md"


def test_readme_answers_match_the_model():
    text = README.read_text()
    block = text.split("<!-- answers:start -->")[1].split("<!-- answers:end -->")[0]
    listed = dict(re.findall(r"^- `([^`]+)`: (.+)$", block, flags=re.MULTILINE))
    assert set(listed) == set(shipped())
    for name, sentence in listed.items():
        assert run(name).summary() == sentence, name


@pytest.mark.slow
def test_readme_split_table_is_what_the_backtest_prints():
    from removalsim.analysis.backtest import DEFAULT_FIT_YEARS, DEFAULT_TEST_YEARS, backtest

    block = README.read_text().split("<!-- split:start -->")[1].split("<!-- split:end -->")[0]
    result = backtest(DEFAULT_FIT_YEARS, DEFAULT_TEST_YEARS, refit=True)
    for label, years in (("fit", result.fit_years), ("test", result.test_years)):
        row = next(line for line in block.splitlines() if line.startswith(f"│ {label} "))
        shown = re.findall(r"([\d.]+)%", row)
        mape = result.mape(years)
        assert shown[0] == f"{mape['removals']:.1f}" and shown[5] == f"{mape['adp']:.1f}", label
