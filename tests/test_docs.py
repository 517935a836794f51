"""The documentation site: it builds with no warning, covers every parameter, scenario and stage,
shows the holdout, and opens from files in Chromium with no network request."""

from __future__ import annotations

import html
import importlib.util
import os
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from typer.testing import CliRunner

from removalsim import docs_pages
from removalsim.cli import app
from removalsim.params import Parameter, default_tree

ROOT = Path(__file__).parents[1]
CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> tuple[Path, str]:
    """The site built as `make docs` builds it, into a temporary folder; and the build's log."""
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1",
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT / "src"),
                                                       os.environ.get("PYTHONPATH")]))}
    build = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600,
    )
    assert build.returncode == 0, build.stdout + build.stderr
    return out, build.stdout + build.stderr


def text_of(path: Path) -> str:
    """A page's text without tags, entities decoded."""
    return html.unescape(re.sub(r"<[^>]+>", "", path.read_text(encoding="utf-8")))


def test_the_site_builds_strictly_with_no_warning(site):
    folder, log = site
    assert "WARNING" not in log and "ERROR" not in log
    for page in ("index", "method", "glossary", "validation", "changelog", "parameters/index",
                 "scenarios/index", "guides/scenario", "guides/whatif", "guides/sweep",
                 "guides/estimate", "guides/api"):
        assert (folder / f"{page}.html").is_file(), page


def test_the_method_page_names_every_stage_of_the_engine():
    from removalsim.vocabulary import STAGES

    method = (ROOT / "docs" / "method.md").read_text(encoding="utf-8")
    stages = list(STAGES)
    assert stages
    missing = [s for s in stages if f"`{s}`" not in method]
    assert missing == []


def test_every_parameter_has_its_entry_with_its_sources(site):
    folder, _ = site
    for name, param in default_tree().items():
        page = folder / "parameters" / f"{name.split('.')[0]}.html"
        markup = page.read_text(encoding="utf-8")
        words = " ".join(text_of(page).split())
        assert f'id="{name}"' in markup, name
        for entry in param.values.values():
            if entry.reference is not None:
                if entry.reference.href is not None:
                    assert f'href="{html.escape(entry.reference.href)}"' in markup, name
                else:
                    assert entry.reference.document in words, name
                assert " ".join(entry.reference.title.split()) in words, name
            else:
                assert " ".join((entry.reason or "").split()) in words, name


def test_every_shipped_scenario_has_a_page_with_its_answer(site):
    from removalsim.model import run
    from removalsim.scenario import shipped

    folder, _ = site
    start = text_of(folder / "index.html")
    for name in shipped():
        sentence = run(name).summary()  # as the page runs it: the shadow values name what binds
        assert sentence in text_of(folder / "scenarios" / f"{name}.html"), name
        assert name in start
    assert "<!-- generated" not in (folder / "index.html").read_text(encoding="utf-8")


def test_the_validation_page_shows_the_holdout(site):
    from removalsim.analysis.backtest import backtest

    folder, _ = site
    result = backtest()
    text = text_of(folder / "validation.html")
    assert result.test_years
    assert f"left out of the fit (the holdout): FY {', '.join(map(str, result.test_years))}" in text
    for metric, value in result.mape(result.test_years).items():
        if value is not None:
            assert docs_pages.number(value, "mape_test") in text, metric
    assert (folder / "validation" / "backtest.svg").read_bytes().startswith(b"<?xml")
    assert "The holdout: fitted on FY2012-FY2019, scored on FY2022-FY2025" in text
    assert (folder / "validation" / "nowcast.svg").read_bytes().startswith(b"<?xml")


def test_math_is_rendered_as_mathml_without_a_script(site):
    folder, _ = site
    method = (folder / "method.html").read_text(encoding="utf-8")
    assert method.count("<math") > 10
    assert "arithmatex" not in method
    assert "mathjax" not in method.lower() and "katex" not in method.lower()


def test_no_page_loads_anything_from_the_network(site):
    folder, _ = site
    remote = re.compile(r"""<(?:script|link|img|iframe)[^>]+(?:src|href)=["']?(?:https?:)?//""")
    pages = list(folder.rglob("*.html"))
    assert len(pages) > 30
    assert [p.name for p in pages if remote.search(p.read_text(encoding="utf-8"))] == []


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed")
def test_pages_open_from_files_in_chromium_with_no_request_and_search_works(site):
    from playwright.sync_api import sync_playwright

    folder, _ = site
    requests: list[str] = []
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        tab = browser.new_page()
        tab.on("request", lambda r: requests.append(r.url))
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        for page in ("index.html", "method.html", "parameters/detention.html",
                     "scenarios/current.html", "validation.html", "guides/sweep.html"):
            tab.goto((folder / page).as_uri())
            tab.wait_for_load_state("load")
        tab.goto((folder / "index.html").as_uri())
        tab.keyboard.press("s")  # the search shortcut
        tab.wait_for_selector(".md-search__input:focus")
        tab.keyboard.type("detention beds")
        tab.wait_for_selector(".md-search-result__item", timeout=30_000)
        browser.close()
    assert requests and [r for r in requests if not r.startswith("file://")] == []
    assert errors == []


def test_the_docs_command_prints_the_built_site(site):
    folder, _ = site
    out = CliRunner().invoke(app, ["docs", "--site", str(folder)])
    assert out.exit_code == 0
    assert out.stdout.strip() == str((folder / "index.html").resolve())


def test_the_docs_command_without_a_built_site_exits_2(tmp_path):
    out = CliRunner().invoke(app, ["docs", "--site", str(tmp_path)])
    assert out.exit_code == 2
    assert out.stderr.count("\n") == 1 and "make docs" in out.stderr


def test_render_shows_keys_it_has_never_seen():
    text = docs_pages.render({
        "new_total": 1234.5, "cost_usd": 2e9,
        "shadow": {"beds": 10.0, "judges": 20.0}, "other": {"beds": 1.0, "judges": 2.0},
        "by_route": [{"route": "land", "removals": 5.0}],
    })
    assert "`new_total`" in text and "1,234" in text and "$2.0B" in text
    assert "|  | `shadow` | `other` |" in text  # mappings with the same keys share one table
    assert "| land | 5 |" in text


def test_a_reference_shows_every_field_it_has():
    param = Parameter.model_validate({
        "description": "A test parameter with a source", "unit": "beds", "kind": "lever",
        "status": "official",
        "values": {"2020-01-01": {"value": 5, "reference": {
            "title": "A report", "href": "https://example.org/r", "publisher": "An Agency",
            "published": "2020-02-01", "tier": "official"}},
                   "2021-01-01": {"value": 7, "reference": {
                       "title": "Another report", "href": "https://example.org/s"}},
                   "2022-01-01": {"value": 8, "reference": {
                       "title": "A notice with no page", "document": "90 FR 8139"}}},
    })
    text = docs_pages.parameter_section("group.test", param, ["fy2019"], None)
    assert "[A report](https://example.org/r)" in text
    assert "publisher: An Agency" in text and "published: 2020-02-01" in text
    assert "tier: official" in text
    assert "A notice with no page · document: 90 FR 8139" in text and "(None)" not in text
    assert "[`fy2019`](../scenarios/fy2019.md)" in text
    chart = docs_pages.value_chart("group.test", param)
    assert chart is not None and chart == docs_pages.value_chart("group.test", param)


def test_the_nowcast_block_sets_the_model_against_ice():
    text, chart = docs_pages.nowcast_block()
    assert "## Nowcast: FY2026-FY2027" in text
    assert "### ICE removals in the fiscal year to date" in text
    assert f"]({docs_pages.NOWCAST_CHART})" in text
    assert chart.startswith(b"<?xml")


def load_hooks():
    """The MkDocs hooks module (not a package module: MkDocs loads it from its path)."""
    spec = importlib.util.spec_from_file_location("docs_hooks", ROOT / "tools" / "docs_hooks.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_a_generated_block_is_filled_and_an_unknown_one_stops_the_build(monkeypatch):
    from mkdocs.exceptions import PluginError

    hooks = load_hooks()
    monkeypatch.setattr(hooks, "_generated", docs_pages.Generated(blocks={"answers": "- a"}))
    page = SimpleNamespace(file=SimpleNamespace(src_uri="index.md"))
    assert hooks.on_page_markdown("x <!-- generated: answers --> y", page, None, None) == "x - a y"
    with pytest.raises(PluginError, match="index.md: unknown generated block 'answer'"):
        hooks.on_page_markdown("<!-- generated: answer -->", page, None, None)


def test_generated_pages_follow_their_section_index_in_the_navigation():
    hooks = load_hooks()
    nav = [{"Start": "index.md"}, {"Parameters": "parameters/index.md"},
           {"Guides": [{"One": "guides/one.md"}]}]
    sections = {"parameters/index.md": [("parameters/a.md", "A"), ("parameters/b.md", "B")]}
    assert hooks.expand_nav(nav, sections) == [
        {"Start": "index.md"},
        {"Parameters": ["parameters/index.md", {"A": "parameters/a.md"}, {"B": "parameters/b.md"}]},
        {"Guides": [{"One": "guides/one.md"}]},
    ]
