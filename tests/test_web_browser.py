"""The page in Debian's headless Chromium, as a reader sees it at 390, 1400 and 1920 px.

A slider moves the numbers and the charts, a share link restores the same state, a chart
downloads as CSV; every chart has axis titles and no clipped label; an error clears the old
answer; a bad share link loads the scenario with a message; dated plans are scaled by default;
on a phone the answer comes first and the levers sit in a drawer. Screenshots are saved under
``docs/screenshots/``.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from removalsim import vocabulary
from removalsim.web.server import running

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
OFFICERS = '[data-name="arrests.officers"]'
BEDS = '[data-name="detention.beds"]'
SCREENSHOTS = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
WIDTHS = {390: 844, 1400: 1000, 1920: 1080}

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")]


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


def _tab(browser, width: int = 1400):
    context = browser.new_context(accept_downloads=True,
                                  viewport={"width": width, "height": WIDTHS.get(width, 1000)},
                                  bypass_csp=True)  # the test evaluates JavaScript strings
    tab = context.new_page()
    tab.errors = []
    tab.on("pageerror", lambda error: tab.errors.append(str(error)))
    return context, tab


@pytest.fixture
def page(browser):
    context, tab = _tab(browser)
    yield tab
    context.close()
    assert tab.errors == []


def _open(page, address: str) -> None:
    page.goto(address)
    _settle(page)


def _settle(page) -> None:
    page.wait_for_function("window.removalsim && window.removalsim.settled()", timeout=60_000)


def _shown(page) -> dict:
    return page.evaluate("""() => ({
        numbers: [...document.querySelectorAll('#headline .big')].map(e => e.textContent),
        answer: document.getElementById('answer').textContent,
        removals: document.getElementById('plot-removals').data[1].y,
        baseline: document.getElementById('plot-removals').data[0].y,
        officers: document.querySelector('[data-name="arrests.officers"] input[type=range]').value,
    })""")


def _save_small(page, path: Path) -> None:
    """A screenshot of the viewport as a small PNG (a 64-colour palette)."""
    from PIL import Image

    page.screenshot(path=str(path))
    with Image.open(path) as shot:
        small = shot.convert("RGB").quantize(colors=64)
    small.save(path, optimize=True)


# Every text of every visible chart (ticks, axis titles, legend, annotations) as a box, with
# the box of the chart's SVG: a label is clipped when its box leaves the SVG.
LABEL_BOXES = """() => [...document.querySelectorAll('.chart:not([hidden]) .js-plotly-plot')].map(
  (plot) => {
    const svg = plot.querySelector('.main-svg').getBoundingClientRect();
    const texts = [...plot.querySelectorAll(
      '.xtick text, .ytick text, .g-xtitle text, .g-ytitle text, .legendtext, .annotation-text')];
    return {
      id: plot.id, svg: [svg.left, svg.top, svg.right, svg.bottom],
      ytitle: (plot.querySelector('.g-ytitle text') || {}).textContent || '',
      xtitle: (plot.querySelector('.g-xtitle text') || {}).textContent || '',
      labels: texts.map((t) => [t, t.getBoundingClientRect()])
        .filter(([t, r]) => t.textContent.trim() && r.width > 0 && r.height > 0)
        .map(([t, r]) => [t.textContent, r.left, r.top, r.right, r.bottom]),
    };
  })"""


@pytest.mark.parametrize("width", sorted(WIDTHS))
def test_charts_have_axis_titles_and_no_clipped_labels(browser, url, width):
    context, page = _tab(browser, width)
    try:
        _open(page, f"{url}/#scenario=millions-2019&arrests.officers=9000")
        page.evaluate("document.getElementById('charts').scrollIntoView()")
        _settle(page)
        page.wait_for_timeout(200)
        plots = page.evaluate(LABEL_BOXES)
        assert {p["id"] for p in plots} >= {"plot-removals", "plot-target", "plot-detention",
                                            "plot-backlog", "plot-binding"}
        for plot in plots:
            assert plot["ytitle"].strip(), plot["id"]
            assert plot["xtitle"].strip(), plot["id"]
            left, top, right, bottom = plot["svg"]
            for text, x0, y0, x1, y1 in plot["labels"]:
                assert left - 0.5 <= x0 and x1 <= right + 0.5, (plot["id"], text, width)
                assert top - 0.5 <= y0 and y1 <= bottom + 0.5, (plot["id"], text, width)
        titles = {p["id"]: p["ytitle"] for p in plots}
        assert "Removals" in titles["plot-removals"]
        assert "People" in titles["plot-detention"]
        ticks = [t[0] for p in plots if p["id"] == "plot-removals" for t in p["labels"]]
        assert "2019" in ticks and "2029" in ticks  # whole fiscal years, never "FY20"
        page.evaluate("window.scrollTo(0, 0)")
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        _save_small(page, SCREENSHOTS / f"explorer-{width}.png")
        assert page.errors == []
    finally:
        context.close()


def test_marks_are_labelled_and_part_years_hatched(page, url):
    _open(page, f"{url}/#scenario=millions-2019")
    removals = page.evaluate("document.getElementById('plot-removals').data")
    shapes = removals[1]["marker"]["pattern"]["shape"]
    assert shapes[0] == "/" and shapes[-1] == "/" and set(shapes[1:-1]) == {""}  # FY2019, FY2029
    assert "part year" in page.inner_text("#chart-removals .note")
    target = page.evaluate("document.getElementById('plot-target').layout")
    assert target["annotations"][0]["text"].startswith("Target: 1,000,000")
    detention = page.evaluate("document.getElementById('plot-detention')._fullLayout.yaxis.range")
    assert detention[0] <= 0  # stock charts start at zero
    _open(page, f"{url}/#scenario=fy2019")
    assert page.locator("#chart-target").is_hidden()  # no target: no chart against it
    assert page.locator("#card-target").is_hidden()
    one = f"{url}/#scenario=one-million-a-year&years=3"
    _open(page, one)
    annotation = page.evaluate("document.getElementById('plot-removals').layout.annotations[0]")
    assert "a year" in annotation["text"]


def test_labels_come_from_the_vocabulary(page, url):
    _open(page, f"{url}/#scenario=current")
    stage = page.inner_text("#card-binding .big")
    assert stage in {t.label for t in vocabulary.STAGE_TERMS}
    levers = page.inner_text("#panel")
    assert not re.search(r"\b[a-z]+_[a-z_]+\b", levers.replace("arrests.", ""))
    glossary = page.evaluate("document.getElementById('glossary-list').textContent")
    assert vocabulary.OUTPUT_TERMS[0].meaning in glossary
    assert page.get_attribute("#card-removals h3", "title") == vocabulary.OUTPUT_TERMS[0].meaning
    assert page.get_attribute(f"{OFFICERS} label.name", "title")  # the parameter's description


def test_moving_a_slider_changes_the_numbers_and_the_chart(page, url):
    _open(page, f"{url}/#scenario=fy2019")
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
    source = page.inner_text('#changed-table tr[data-name="arrests.officers"] td:last-child')
    assert source.strip() and "undefined" not in source and "null" not in source
    assert page.locator(f"{OFFICERS} input[type=number]").input_value() == after["officers"]
    assert "arrests.officers" in page.inner_text("#python-code")
    colours = page.evaluate("""[...document.querySelectorAll('#headline .delta')]
        .map(e => getComputedStyle(e).color)""")
    assert len(set(colours)) == 1  # more and less look alike: no good/bad colours by sign


def test_a_dated_plan_is_scaled_unless_replaced(page, url):
    _open(page, f"{url}/#scenario=current")
    plan = page.inner_text(f"{OFFICERS} .plan")
    assert "The scenario plans:" in plan and "→" in plan
    box = page.locator(f"{OFFICERS} input[type=number]")
    start = float(box.input_value())
    box.fill(str(start * 2))
    box.press("Enter")
    _settle(page)
    assert "Your plan:" in page.inner_text(f"{OFFICERS} .plan")
    scaled = page.evaluate("JSON.parse(JSON.stringify(window.removalsim.state.changes))")
    assert "flat=" not in page.url
    more = _shown(page)
    assert more["numbers"][0] != more["removals"]
    assert sum(more["removals"]) > sum(more["baseline"])  # doubling the plan never lowers removals
    page.locator(f'{OFFICERS} input[value="flat"]').check()
    _settle(page)
    assert "flat=arrests.officers" in page.url
    assert "Flat" in page.inner_text(f"{OFFICERS} .plan")
    assert page.evaluate("JSON.parse(JSON.stringify(window.removalsim.state.changes))") == scaled
    assert _shown(page)["removals"] != more["removals"]


def test_an_error_clears_the_old_answer(page, url):
    _open(page, f"{url}/#scenario=millions-2019")
    box = page.locator(f"{BEDS} input[type=number]")
    box.fill("-5")
    box.press("Enter")
    _settle(page)
    error = page.inner_text("#error")
    assert page.locator("#error").is_visible()
    assert "Detention beds" in error and "changes[" not in error and "1,000,000" in error
    assert all(n == "–" for n in page.evaluate(
        "[...document.querySelectorAll('#headline .big')].map(e => e.textContent)"))
    assert page.locator(".chart:not([hidden])").count() == 0
    assert "No answer" in page.inner_text("#answer")
    box.fill("60000")
    box.press("Enter")
    _settle(page)
    assert page.locator("#error").is_hidden()
    assert page.locator("#chart-removals").is_visible()


def test_a_bad_share_link_loads_the_scenario_with_a_message(page, url):
    _open(page, f"{url}/#scenario=current&detention.beds=-5&arrests.officers=9000")
    notice = page.inner_text("#notice")
    assert "Detention beds" in notice and "current" in notice
    assert page.locator("#error").is_hidden()
    assert "detention.beds" not in page.url and "arrests.officers=9000" in page.url
    assert "removals a year" in page.inner_text("#answer")
    _open(page, f"{url}/#scenario=no-such-thing")
    assert "no scenario called" in page.inner_text("#notice")
    _open(page, f"{url}/#scenario=fy2019&years=99")
    assert "99 years" in page.inner_text("#notice") and "years=" not in page.url
    assert page.locator("#chart-removals").is_visible()


def test_phone_shows_the_answer_first_and_levers_in_a_drawer(browser, url):
    context, page = _tab(browser, 390)
    try:
        _open(page, f"{url}/#scenario=millions-2019")
        answer = page.locator("#answer").bounding_box()
        card = page.locator("#card-removals").bounding_box()
        assert answer["y"] < card["y"] < 844  # the answer and the first card on the first screen
        lever = page.locator(f"{OFFICERS}").bounding_box()
        assert lever["x"] >= 390  # the levers wait in the drawer, off screen
        page.locator("#levers-open").click()
        page.wait_for_timeout(400)
        lever = page.locator(f"{OFFICERS}").bounding_box()
        assert 0 <= lever["x"] < 390
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        _save_small(page, SCREENSHOTS / "explorer-390-levers.png")
        page.locator("#levers-close").click()
        assert page.evaluate("document.querySelectorAll('.modebar').length") == 0
        assert page.errors == []
    finally:
        context.close()


def test_exact_value_box_and_share_link_restore_the_same_state(page, browser, url):
    _open(page, f"{url}/#scenario=fy2019")
    box = page.locator(f"{BEDS} input[type=number]")
    box.fill("70000")
    box.press("Enter")
    page.locator('[data-name="pathways.expedited_removal"] input[type=checkbox]').check()
    _settle(page)
    shown = _shown(page)
    link = page.url
    assert "detention.beds=70000" in link and "pathways.expedited_removal=true" in link
    other = browser.new_page(viewport={"width": 1400, "height": 1000},
                             bypass_csp=True)  # the test evaluates JavaScript strings
    try:
        _open(other, link)
        assert _shown(other) == shown
        assert other.locator(f"{BEDS} input[type=range]").input_value() == "70000"
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
    data = page.evaluate("document.getElementById('plot-removals').data")
    days = [float(r["days"]) for r in rows]
    drawn = [y * d / 365 if d < 365 else y for y, d in zip(data[1]["y"], days, strict=True)]
    assert [float(r["removals"]) for r in rows] == pytest.approx(drawn)


def test_any_other_output_can_be_charted_with_its_label(page, url):
    _open(page, f"{url}/#scenario=fy2019&years=3")
    select = page.locator("#chart-other select")
    options = select.evaluate("s => [...s.options].map(o => [o.value, o.textContent])")
    names = dict(options)
    outputs = {term.name: term.label for term in vocabulary.OUTPUT_TERMS}
    assert "arrests" in names and names["arrests"] == outputs["arrests"]
    assert not any("_" in text for text in names.values())  # words, never record names
    wanted = "book_ins" if "book_ins" in names else options[-1][0]
    select.select_option(wanted)
    title = page.evaluate("document.getElementById('plot-other').layout.yaxis.title.text")
    assert names[wanted] in title
    with page.expect_download() as info:
        page.locator("#chart-other [data-download=csv]").click()
    header = Path(info.value.path()).read_text().splitlines()[0]
    assert header.endswith(f",{wanted}")
