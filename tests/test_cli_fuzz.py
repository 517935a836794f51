"""Fuzzing the command line: random and mutated scenario files, grids and flags.

Whatever it is given, a command ends with exit code 0 (it worked) or 2 (a one-line error naming
the problem), never a traceback, and writes nothing but the output it was asked for; on an error
it writes nothing at all. Parameter names come from the parameter tree.
"""

from __future__ import annotations

import os
import tempfile
import traceback
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from removalsim.cli import app
from removalsim.params import default_tree
from removalsim.scenario import shipped

runner = CliRunner()
TREE = default_tree()
NAMES = sorted(TREE)
SHIPPED = sorted(shipped())
TEXTS = [path.read_text(encoding="utf-8") for path in shipped().values()]
NASTY = ["2019-02-30", "2020-13-01", "&a [*a]", "*a", "~", "-1", "1e999", ".nan", "[", "{",
         "'", '"', "!!python/object:os.system", "0x10", "yes", "132.9@2017", "5@1800", "",
         "{2020-13-01: 3}", "- 1", "100000000000", "true", "fy2019", "self.yaml", "é"]
"""Values that have broken a parser or a checker somewhere."""


def TEXT(size: int) -> st.SearchStrategy[str]:  # noqa: N802 - reads like a strategy constant
    """Short text of any characters YAML can hold."""
    return st.text(st.characters(exclude_categories=("Cs",)), max_size=size)


def _values() -> st.SearchStrategy:
    return st.one_of(
        st.sampled_from(NASTY),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(-10**12, 10**12),
        st.booleans(),
        TEXT(12),
        st.dictionaries(st.sampled_from(["2020-01-01", "2019-02-30", "x", "2030-06-01"]),
                        st.floats(-1e6, 1e7) | st.booleans(), max_size=2),
    )


def _names() -> st.SearchStrategy[str]:
    """Parameter names from the tree, and near misses of them."""
    return st.sampled_from(NAMES) | st.sampled_from(NAMES).map(lambda n: n[:-1] + "z") | \
        st.text(alphabet="abcdefghij._", min_size=1, max_size=15)


@st.composite
def scenario_texts(draw) -> bytes:
    """A shipped scenario with a few lines mutated, one built from random parts, or bytes."""
    kind = draw(st.sampled_from(["mutated", "built", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=64))
    if kind == "built":
        keys = {"description": TEXT(20) | st.just("A user's scenario"),
                "baseline": st.sampled_from([*SHIPPED[:3], "defaults", "self.yaml", "nope"]),
                "start": st.sampled_from(["2019-10-01", "2019-02-30", "1900-01-01", "x"]),
                "years": st.sampled_from([0.5, 1, 0, -1, 25, "ten"]),
                "target": st.fixed_dictionaries({"removals": st.integers(-5, 10**9)}),
                "changes": st.dictionaries(_names(), _values(), max_size=3),
                "unknown_key": _values()}
        chosen = draw(st.lists(st.sampled_from(sorted(keys)), unique=True, max_size=6))
        data = {key: draw(keys[key]) for key in chosen}
        return yaml.safe_dump(data, allow_unicode=True).encode("utf-8", "surrogatepass")
    lines = draw(st.sampled_from(TEXTS)).splitlines()
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        head, sep, _ = lines[i].partition(":")
        replacement = draw(st.sampled_from(NASTY) | TEXT(8))
        lines[i] = f"{head}{sep} {replacement}" if sep else replacement
    return "\n".join(lines).encode("utf-8", "surrogatepass")


def _sets() -> st.SearchStrategy[list[str]]:
    pair = st.builds(lambda n, v: f"{n}={v}", _names(),
                     st.sampled_from(NASTY) | st.floats(-1e7, 1e7).map(str) | st.booleans().map(
                         str))
    return st.lists(pair | st.sampled_from(["noequals", "=5"]), max_size=2)


OUTPUTS = ["out.png", "missing/out.png", "folder", "existing.txt", "out.txt", "scenario.yaml",
           "out.svg"]
"""Output paths, relative to the test's folder: fine, missing folder, a folder, wrong kinds."""


@st.composite
def invocations(draw) -> tuple[list[str], list[str]]:
    """A command line and the output paths it asks for (relative to the test's folder)."""
    command = draw(st.sampled_from(["run", "compare", "mc", "params", "estimates"]))
    scenario = draw(st.sampled_from(["scenario.yaml", "self.yaml", *SHIPPED[:2], "nope.yaml",
                                     "fy2109", "folder", "fy2019+scenario.yaml"]))
    args: list[str] = []
    outputs: list[str] = []
    if command == "params":
        args = ["params", draw(st.sampled_from(["", "beds", "zzz", *NAMES[:3]]))]
        if draw(st.booleans()):
            args += ["--at", draw(st.sampled_from(["2019-10-01", "notadate", "0", "2019-02-30"]))]
    elif command == "estimates":
        args = ["estimates", *draw(st.lists(st.sampled_from(["nope", "cap-2015"]), max_size=1))]
    else:
        args = [command, scenario]
        if command == "compare":
            args.append(draw(st.sampled_from([*SHIPPED[:2], "scenario.yaml", "nope"])))
        if command == "mc":
            args += ["--draws", draw(st.sampled_from(["3", "0", "-2", "x"]))]
        if command != "compare":
            for pair in draw(_sets()):
                args += ["--set", pair]
        if command == "run" and draw(st.booleans()):
            csv = draw(st.sampled_from(["csvout", "existing.txt", "deep/er/csv", "folder"]))
            args += ["--csv", csv]
            outputs.append(csv)
        if draw(st.booleans()):
            plot = draw(st.sampled_from(OUTPUTS))
            args += ["--plot", plot]
            outputs.append(plot)
    years = draw(st.sampled_from([None, "1", "1", "0.5", "0", "-1", "21", "nan", "x"]))
    if years is not None and command not in ("params", "estimates"):
        args += ["--years", years]
    if draw(st.booleans()):
        args.append("--json")
    return args, outputs


def _snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``root``: size and modification time."""
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            stat = path.stat()
            out[str(path.relative_to(root))] = (stat.st_size, stat.st_mtime_ns)
    return out


def _inside(path: str, outputs: list[str]) -> bool:
    return any(path == o or path.startswith(o.rstrip("/") + "/") for o in outputs)


def _check(args: list[str], files: dict[str, bytes], outputs: list[str]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "folder").mkdir()
        (root / "existing.txt").write_text("keep me\n")
        (root / "self.yaml").write_text("description: my own baseline\nbaseline: self.yaml\n")
        for name, body in files.items():
            (root / name).write_bytes(body)
        before = _snapshot(root)
        cwd = os.getcwd()
        os.chdir(root)
        try:
            result = runner.invoke(app, args)
        finally:
            os.chdir(cwd)
        after = _snapshot(root)
    shown = f"removalsim {' '.join(args)}\n{result.output}"
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        pytest.fail(shown + "".join(traceback.format_exception(*result.exc_info)))
    assert result.exit_code in (0, 2), shown
    assert "Traceback" not in result.output, shown
    changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
    if result.exit_code == 2:
        assert result.output.startswith("error: ") or "\nerror: " in result.output, shown
        assert not changed, f"{shown}\nan error left changes behind: {sorted(changed)}"
    else:
        stray = {p for p in changed if not _inside(p, outputs)}
        assert not stray, f"{shown}\nwrote outside the requested output: {sorted(stray)}"


HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large]


@settings(max_examples=10, suppress_health_check=HEALTH)
@given(invocations(), scenario_texts())
def test_any_command_line_exits_0_or_2_and_writes_only_its_output(invocation, text):
    args, outputs = invocation
    _check(args, {"scenario.yaml": text}, outputs)


@pytest.mark.slow
@settings(max_examples=200, suppress_health_check=HEALTH)
@given(invocations(), scenario_texts())
def test_many_more_command_lines(invocation, text):
    args, outputs = invocation
    _check(args, {"scenario.yaml": text}, outputs)


GRID_KEYS = {
    "scenario": st.sampled_from(["fy2019", "nope", "self.yaml", "scenario.yaml"]) | st.lists(
        st.sampled_from(["fy2019", "current", "x"]), max_size=2),
    "years": st.sampled_from([0.1, 0, -1, 30, "x"]),
    "draws": st.sampled_from([1, 2, 0, -1, 10**9, "x"]),
    "seed": st.sampled_from([0, -1, "x"]),
    "levers": st.dictionaries(_names(), st.lists(_values(), max_size=3), max_size=2),
    "bogus": _values(),
}


@st.composite
def grid_texts(draw) -> bytes:
    """A grid from random parts (often invalid), or bytes."""
    if draw(st.integers(0, 5)) == 0:
        return draw(st.binary(max_size=64))
    chosen = draw(st.lists(st.sampled_from(sorted(GRID_KEYS)), unique=True, max_size=5))
    data = {key: draw(GRID_KEYS[key]) for key in chosen}
    return yaml.safe_dump(data, allow_unicode=True).encode("utf-8", "surrogatepass")


@pytest.mark.slow
@settings(max_examples=10, suppress_health_check=HEALTH)
@given(grid_texts(), st.sampled_from(["out.duckdb", "folder", "missing/out.duckdb",
                                      "existing.txt"]), st.booleans())
def test_sweep_with_any_grid_exits_0_or_2_and_writes_only_its_output(text, out, overwrite):
    args = ["sweep", "grid.yaml", "--out", out, "--workers", "1", "--json"]
    _check(args + (["--overwrite"] if overwrite else []), {"grid.yaml": text}, [out])
