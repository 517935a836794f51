"""`run`, `compare` and `params` in a real pseudo-terminal 80 and 100 columns wide, and piped.

Every line fits the width, no number is cut (no ellipsis, and the headline numbers appear whole),
dropped columns and part-years are explained, and piped output is plain ASCII-ruled text.
"""

from __future__ import annotations

import fcntl
import os
import pty
import re
import select
import struct
import subprocess
import sys
import termios

import pytest
from typer.testing import CliRunner

from removalsim.cli import app
from removalsim.cli.tables import column_width, fitting, number, percent_change
from removalsim.model import run

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")
CLI = [sys.executable, "-c", "from removalsim.cli import main; main()"]


def in_terminal(args: list[str], columns: int) -> list[str]:
    """Run the CLI attached to a pseudo-terminal of the given width; its lines, ANSI removed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["TERM"] = "xterm-256color"
    process = subprocess.Popen([*CLI, *args], stdin=follower, stdout=follower, stderr=follower,
                               env=env, close_fds=True)
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 120)
        if not ready:
            process.kill()
            raise TimeoutError(args)
        try:
            data = os.read(leader, 65536)
        except OSError:  # the terminal closed
            break
        if not data:
            break
        chunks.append(data)
    os.close(leader)
    assert process.wait(timeout=60) == 0
    text = ANSI.sub("", b"".join(chunks).decode("utf-8"))
    return text.replace("\r\n", "\n").split("\n")


def assert_fits(lines: list[str], columns: int) -> None:
    too_long = [line for line in lines if len(line) > columns]
    assert too_long == []
    assert not any("…" in line for line in lines)


@pytest.mark.parametrize("columns", [80, 100])
def test_run_fits_the_terminal_and_lists_changes(columns):
    lines = in_terminal(["run", "millions-2019", "--set", "arrests.officers=8000"], columns)
    assert_fits(lines, columns)
    text = "\n".join(lines)
    result = run("millions-2019", changes={"arrests.officers": 8000.0})
    h = result.headline
    assert f"{h['removals_total']:,.0f}" in text
    for removals in result.fiscal_years["removals"]:  # the table's first column, whole
        assert f"{removals:,.0f}" in text
    assert "Your changes (--set)" in text and "Deportation officers (arrests.officers)" in text
    assert re.search(r"5,300\s+8,000\s+officers", text)  # scenario value, new value, unit
    assert "Scenario as shipped:" in text
    assert "* Part year:" in text and "FY2019 has 105 days" in text
    assert "2019*" in text
    title = [line.strip() for line in lines].index("By fiscal year (October to September)")
    rule = next(i for i in range(title, len(lines))
                if lines[i].strip() and set(lines[i]) <= {"-", "─", " "})
    header = " ".join(" ".join(lines[title + 1:rule]).split())
    assert "ICE" in header and "removals" in header and "_" not in header  # vocabulary labels
    if columns == 80:
        assert "Not shown at 80 columns:" in text


@pytest.mark.parametrize("columns", [80, 100])
def test_compare_is_a_labelled_table_that_fits(columns):
    lines = in_terminal(["compare", "fy2019", "millions-2019"], columns)
    assert_fits(lines, columns)
    text = "\n".join(lines)
    a, b = run("fy2019").headline, run("millions-2019").headline
    header = next(line for line in lines if "% change" in line)
    assert "millions-2019" in header and "change" in header
    row = next(line for line in lines if line.startswith("Removals, total"))
    diff = b["removals_total"] - a["removals_total"]
    assert f"{a['removals_total']:,.0f}" in row and f"{b['removals_total']:,.0f}" in row
    assert f"{diff:+,.0f}" in row
    assert percent_change(a["removals_total"], b["removals_total"]) in row
    cost = next(line for line in lines if line.startswith("Cost, total"))
    assert "$" in cost and "B" in cost and "_usd" not in text
    assert "removals_total" not in text


def test_params_at_80_columns_has_no_exponents():
    lines = in_terminal(["params", "detention"], 80)
    assert_fits(lines, 80)
    text = "\n".join(lines)
    assert "detention.beds = " in text
    assert not re.search(r"\de[+-]\d", text)


def test_piped_output_is_plain_and_100_wide():
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    done = subprocess.run([*CLI, "compare", "fy2019", "fy2018"], capture_output=True, text=True,
                          env=env, timeout=120, check=True)
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 100
    assert "\x1b[" not in done.stdout
    assert not any(ch in done.stdout for ch in "─━┃│┏")
    assert all(line == line.rstrip() for line in lines)
    again = subprocess.run([*CLI, "compare", "fy2019", "fy2018"], capture_output=True, text=True,
                           env=env, timeout=120, check=True)
    assert again.stdout == done.stdout


def test_json_output_is_unchanged_by_the_width():
    out = CliRunner().invoke(app, ["compare", "fy2019", "fy2018", "--json"], env={"COLUMNS": "80"})
    assert out.exit_code == 0
    assert '"difference"' in out.output


def test_helpers():
    assert number(100000.0) == "100,000" and number(0.0003) == "0.0003"
    assert column_width("People in ICE detention", ["54,949"]) == 10
    assert fitting([5, 10, 10], 20) == 2 and fitting([5, 10, 10], 200) == 3
    assert percent_change(None, 1.0) == "-"
