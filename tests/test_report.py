"""The HTML report: self-contained, renders in headless Chromium with no console errors."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from removalsim.charts import run_charts
from removalsim.cli import app
from removalsim.model import RESOURCES, run
from removalsim.params import default_tree
from removalsim.report import build_report, write_report

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("report") / "millions.html"
    write_report("millions-2019", path, years=3)
    return path


@pytest.mark.slow
def test_report_is_self_contained(report):
    text = report.read_text(encoding="utf-8")
    assert not re.search(r"<script[^>]+src=", text)
    assert not re.search(r"<link[^>]+href=\"https?:", text)
    assert "Plotly" in text


@pytest.mark.slow
def test_report_states_answer_and_sources(report):
    text = report.read_text(encoding="utf-8")
    result = run("millions-2019", years=3)
    assert result.summary().replace("'", "&#x27;") in text
    assert f"{result.headline['removals_total']:,.0f}" in text
    assert "arrests.target.no_contact" in text  # a parameter the scenario changes
    assert "Method and limits" in text
    refs = [default_tree()[n].reference_at(result.scenario.start).reference
            for n in RESOURCES.values()]
    cited = [r for r in refs if r is not None and r.publisher and r.published and r.tier]
    assert cited
    for ref in cited:  # publisher, date and tier next to the link
        assert f"({ref.publisher}, {ref.published}, {ref.tier})".replace("'", "&#x27;") in text


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")
def test_report_renders_in_chromium_without_errors(report):
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: errors.append(f"network: {r.url}")
                if r.url.startswith("http") else None)
        page.goto(report.as_uri())
        page.wait_for_function("document.querySelectorAll('.js-plotly-plot .main-svg').length >= 5")
        answer = page.inner_text("#answer")
        charts = page.evaluate("document.querySelectorAll('.js-plotly-plot').length")
        titles = page.evaluate("[...document.querySelectorAll('.g-ytitle text')]"
                               ".map(t => t.textContent)")
        browser.close()
    assert errors == []
    assert "1,000,000 removals" in answer
    assert charts == len(run_charts(run("millions-2019", years=3)))
    assert len(titles) == charts and all(titles)  # every chart has a titled y-axis


def test_report_cli_rejects_bad_input(tmp_path):
    runner = CliRunner()
    bad = runner.invoke(app, ["report", "fy2019", "-o", str(tmp_path / "r.txt")])
    assert bad.exit_code == 2 and "HTML" in bad.output
    missing = runner.invoke(app, ["report", "no-such", "-o", str(tmp_path / "r.html")])
    assert missing.exit_code == 2 and "unknown scenario" in missing.output
    assert not (tmp_path / "r.html").exists()


@pytest.mark.slow
def test_report_with_draws_shows_bands():
    text = build_report("fy2019", draws=20, years=2)
    assert "P5-P95" in text


@pytest.fixture(scope="module")
def lite(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("lite") / "lite.html"
    out = CliRunner().invoke(app, ["report", "millions-2019", "-o", str(path), "--lite",
                                   "--draws", "20"])
    assert out.exit_code == 0, out.output
    return path


def test_lite_report_is_small_static_and_stamped(lite):
    text = lite.read_text(encoding="utf-8")
    assert lite.stat().st_size < 1_000_000
    assert "<script" not in text and "Plotly" not in text
    result = run("millions-2019")
    h = result.headline
    assert text.count("<svg") == len(run_charts(result))
    stamp = re.search(r'<p class="stamp" id="stamp">([^<]+)</p>', text).group(1)
    for part in (h["model_version"], h["data_version"], h["scenario_hash"],
                 dt.date.today().isoformat()):
        assert part in stamp
    assert "@media print" in text
    assert "Removals in the year" in text and "Cases pending" in text  # axis titles
    assert "Hatched: part years of the run, FY2019 (105 days)" in text
    assert "6000.0" not in text and "What limits removals" in text


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")
def test_lite_report_renders_and_prints_with_no_network(lite, tmp_path):
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page()
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("request", lambda r: errors.append(f"network: {r.url}")
                if not r.url.startswith("file:") else None)
        page.goto(lite.as_uri())
        shown = page.evaluate("[...document.querySelectorAll('figure svg')]"
                              ".map(s => s.getBoundingClientRect().height)")
        page.emulate_media(media="print")
        pdf = tmp_path / "report.pdf"
        page.pdf(path=str(pdf))
        browser.close()
    assert errors == []
    assert shown and all(h > 100 for h in shown)
    assert pdf.read_bytes().startswith(b"%PDF") and pdf.stat().st_size > 10_000
