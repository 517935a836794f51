"""The README's list of answers is what the model prints now."""

from __future__ import annotations

import re
from pathlib import Path

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
