"""The page in Debian's headless Chromium: a slider moves the numbers and the charts, a share
link restores the same state, and a chart downloads as CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from removalsim.web.server import running

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
OFFICERS = '[data-name="arrests.officers"]'

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")


@pytest.fixture(scope="module")
def url():
    with running() as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1300, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    yield tab
    context.close()
    assert errors == []


def _open(page, address: str) -> None:
    page.goto(address)
    _settle(page)


def _settle(page) -> None:
    page.wait_for_function("window.removalsim && window.removalsim.idle()", timeout=60_000)


def _shown(page) -> dict:
    return page.evaluate("""() => ({
        numbers: [...document.querySelectorAll('#headline .big')].map(e => e.textContent),
        answer: document.getElementById('answer').textContent,
        removals: document.getElementById('plot-removals').data[1].y,
        baseline: document.getElementById('plot-removals').data[0].y,
        officers: document.querySelector('[data-name="arrests.officers"] input[type=range]').value,
    })""")


def test_moving_a_slider_changes_the_numbers_and_the_chart(page, url):
    _open(page, f"{url}/#scenario=current")
    before = _shown(page)
    assert before["removals"] == before["baseline"]  # no changes yet: the run is the baseline
    slider = page.locator(f"{OFFICERS} input[type=range]")
    slider.focus()
    for _ in range(5):
        slider.press("PageUp")
    _settle(page)
    after = _shown(page)
    assert int(after["officers"]) > int(before["officers"])
    assert after["numbers"][0] != before["numbers"][0]
    assert after["removals"] != before["removals"]
    assert after["baseline"] == before["baseline"]  # the baseline stays on the chart
    assert page.locator('#changed-table tr[data-name="arrests.officers"]').is_visible()
    assert page.locator(f"{OFFICERS} input[type=number]").input_value() == after["officers"]
    assert "arrests.officers" in page.inner_text("#python-code")


def test_exact_value_box_and_share_link_restore_the_same_state(page, browser, url):
    _open(page, f"{url}/#scenario=fy2019")
    box = page.locator('[data-name="detention.beds"] input[type=number]')
    box.fill("70000")
    box.press("Enter")
    page.locator('[data-name="pathways.expedited_removal"] input[type=checkbox]').check()
    _settle(page)
    shown = _shown(page)
    link = page.url
    assert "detention.beds=70000" in link and "pathways.expedited_removal=true" in link
    other = browser.new_page()
    try:
        _open(other, link)
        assert _shown(other) == shown
        assert other.locator('[data-name="detention.beds"] input[type=range]').input_value() == (
            "70000")
        assert other.locator('[data-name="pathways.expedited_removal"] input').is_checked()
        assert other.locator("#scenario").input_value() == "fy2019"
    finally:
        other.close()


def test_chart_downloads_as_csv(page, url):
    _open(page, f"{url}/#scenario=fy2019&years=3&courts.judges=900")
    with page.expect_download() as info:
        page.locator("#chart-removals [data-download=csv]").click()
    download = info.value
    assert download.suggested_filename == "removalsim-removals.csv"
    rows = list(csv.DictReader(io.StringIO(Path(download.path()).read_text())))
    shown = _shown(page)
    assert [float(r["removals"]) for r in rows] == shown["removals"]
    assert [float(r["baseline_removals"]) for r in rows] == shown["baseline"]
