"""Sources a reader can check: the reference rules, the loader that enforces them, `sources`."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from removalsim import params, sources, unitcost
from removalsim.analysis import goal as goal_module
from removalsim.cli import app
from removalsim.params import PARAMETERS_DIR, default_tree, load_parameter, load_tree
from removalsim.yamlio import InputError, read_yaml_file

README = Path(__file__).parents[1] / "README.md"

HEAD = """\
description: Detention beds ICE can fill
unit: beds
kind: lever
status: {status}
values:
  2019-01-01:
    value: 50000
    reference:
"""
TAIL = """\
ui:
  min: 0
  max: 1000000
  step: 500
  group: Detention
"""
GOOD_REF = {
    "publisher": "U.S. Immigration and Customs Enforcement",
    "title": "A release with the number",
    "href": "https://www.ice.gov/news/releases/x",
    "published": "2019-12-11",
    "tier": "official",
}


def _write(tmp_path: Path, ref: dict[str, str], status: str = "official",
           extra: str = "") -> Path:
    body = "".join(f"      {k}: {v}\n" for k, v in ref.items())
    path = tmp_path / "beds.yaml"
    path.write_text(HEAD.format(status=status) + body + TAIL + extra)
    return path


def test_a_complete_reference_passes(tmp_path: Path):
    assert load_parameter(_write(tmp_path, GOOD_REF), "detention.beds", strict=True).values


@pytest.mark.parametrize("field", ["publisher", "published", "tier"])
def test_a_reference_without_a_required_field_is_refused_with_file_key_and_line(
        tmp_path: Path, field: str):
    ref = {k: v for k, v in GOOD_REF.items() if k != field}
    with pytest.raises(InputError) as error:
        load_parameter(_write(tmp_path, ref), "detention.beds", strict=True)
    assert re.search(rf"beds.yaml: line 8: key 'values.2019-01-01.reference.{field}': "
                     rf"a reference needs a {field}", str(error.value))


def test_without_strict_the_same_file_loads(tmp_path: Path):
    ref = {k: v for k, v in GOOD_REF.items() if k != "publisher"}
    assert load_parameter(_write(tmp_path, ref), "detention.beds").values


def test_a_document_identifier_stands_in_for_an_href(tmp_path: Path):
    ref = {**GOOD_REF, "document": "CRS IN12492"}
    del ref["href"]
    assert load_parameter(_write(tmp_path, ref), "detention.beds", strict=True).values


def test_neither_href_nor_document_is_a_schema_error_even_without_strict(tmp_path: Path):
    ref = {k: v for k, v in GOOD_REF.items() if k != "href"}
    with pytest.raises(InputError, match=r"href or a document identifier"):
        load_parameter(_write(tmp_path, ref), "detention.beds")


@pytest.mark.parametrize(("href", "category"), [
    ("https://www.everycrsreport.com/reports/IN12492.html", "mirror"),
    ("https://docslib.org/doc/3527409/eoir", "mirror"),
    ("https://dchan.qorigins.org/qresearch/res/1899270.html", "forum"),
    ("https://someone.blogspot.com/2015/04/ice.html", "blog"),
    ("https://www.us-inquirer.com/story/x", "aggregator"),
    ("https://github.com/vera-institute/ice-fytd-stats", "mirror"),
])
def test_an_href_on_the_deny_list_is_refused(tmp_path: Path, href: str, category: str):
    with pytest.raises(InputError, match=rf"line 11: key 'values.2019-01-01.reference.href': "
                                         rf".* is on the deny list \({category}"):
        load_parameter(_write(tmp_path, {**GOOD_REF, "href": href}), "detention.beds",
                       strict=True)


def test_the_deny_list_matches_hosts_and_paths_not_substrings():
    assert sources.denied("https://github.com/deportationdata/cbp") is None
    assert sources.denied("https://www.ice.gov/everycrsreport.com") is None
    assert sources.denied("https://notdocslib.org/x") is None
    assert sources.denied("https://sub.docslib.org/x").category == "mirror"


def test_an_official_value_needs_an_official_source_or_relayed_press(tmp_path: Path):
    research = {**GOOD_REF, "tier": "research"}
    with pytest.raises(InputError, match=r"status: official value needs an official source"):
        load_parameter(_write(tmp_path, research), "detention.beds", strict=True)
    press = {**GOOD_REF, "tier": "press"}
    with pytest.raises(InputError, match=r"press relaying an agency figure"):
        load_parameter(_write(tmp_path, press), "detention.beds", strict=True)
    relayed = {**press, "relays": "ICE"}
    assert load_parameter(_write(tmp_path, relayed), "detention.beds", strict=True).values
    assert load_parameter(_write(tmp_path, research, status="estimate"), "detention.beds",
                          strict=True).values


def test_relays_is_only_for_press(tmp_path: Path):
    with pytest.raises(InputError, match=r"relays marks press"):
        load_parameter(_write(tmp_path, {**GOOD_REF, "relays": "ICE"}), "detention.beds",
                       strict=True)


def test_the_project_is_never_a_publisher(tmp_path: Path):
    ref = {**GOOD_REF, "publisher": "removalsim", "tier": "research"}
    with pytest.raises(InputError, match=r"notes inside this project are not a reference"):
        load_parameter(_write(tmp_path, ref, status="estimate"), "detention.beds", strict=True)


def test_a_calibrated_value_names_the_run_that_wrote_it(tmp_path: Path):
    path = _write(tmp_path, GOOD_REF, status="calibrated")
    with pytest.raises(InputError, match=r"line 6: key 'values.2019-01-01.status': a calibrated "
                                         r"value needs the calibration run"):
        load_parameter(path, "detention.beds", strict=True)
    path = _write(tmp_path, GOOD_REF, status="calibrated",
                  extra="fit:\n  run: calibrate-2026-11-28\n")
    assert load_parameter(path, "detention.beds", strict=True).fit["run"]


def test_waived_names_are_the_transition_list_and_nothing_else():
    # the v2 files are in: nothing is waived any more
    assert sources.WAIVED == ()
    assert not sources.waived("population.unauthorized_total")
    assert not sources.waived("courts.judges")
    assert not sources.waived("costs.judge_year_usd")
    assert not sources.waived("populationx")


def test_the_package_tree_is_loaded_strictly_and_meets_the_rules():
    tree = default_tree()
    enforced = {n: p for n, p in tree.items() if not sources.waived(n)}
    assert len(enforced) > 20
    for name, param in enforced.items():
        assert sources.parameter_problems(param) == [], name
        for item in param.values.values():
            ref = item.reference
            if ref is not None and (item.status or param.status) != "calibrated":
                assert ref.publisher and ref.published and ref.tier, name
                assert ref.href or ref.document, name


def test_the_loader_refuses_the_package_tree_when_an_enforced_file_breaks_a_rule(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    root = tmp_path / "parameters"
    shutil.copytree(PARAMETERS_DIR, root)
    beds = root / "costs" / "bed_day_usd.yaml"
    beds.write_text(beds.read_text().replace("      tier: official\n", "", 1))
    assert load_tree(root)  # another tree: not strict by default
    with pytest.raises(InputError, match=r"bed_day_usd.yaml: line \d+: key "
                                         r"'values.2018-10-01.reference.tier'"):
        load_tree(root, strict=True)
    monkeypatch.setattr(params, "PARAMETERS_DIR", root)
    result = sources.audit()
    assert [v["key"] for v in result.violations] == ["values.2018-10-01.reference.tier"]
    runner = CliRunner()
    outcome = runner.invoke(app, ["sources", "--check", "--no-rank"])
    assert outcome.exit_code == 1
    assert "bed_day_usd.yaml: line" in outcome.output
    assert runner.invoke(app, ["sources", "--no-rank"]).exit_code == 0


def test_sources_json_gives_the_counts_and_the_violations():
    outcome = CliRunner().invoke(app, ["sources", "--json", "--no-rank", "--check"])
    assert outcome.exit_code == 0, outcome.output
    data = json.loads(outcome.output)
    assert data["violations"] == []
    assert data["values"] == sum(data["by_status"].values()) == sum(data["by_tier"].values())
    assert set(data["by_tier"]) == {"official", "research", "press", "unset", "none"}
    assert data["values"] == sum(len(p.values) for p in default_tree().values())


def test_stale_lists_only_assumptions_older_than_their_value():
    result = sources.audit()
    tree = default_tree()
    for row in result.stale:
        assert tree[row["parameter"]].kind == "assumption"
        assert row["years"] >= sources.STALE_YEARS


def test_the_readme_shows_the_coverage_table_the_command_prints():
    block = README.read_text().split("<!-- sources:start -->")[1].split("<!-- sources:end -->")[0]
    table = block.split("```text\n")[1].split("\n```")[0]
    printed = CliRunner().invoke(app, ["sources", "--no-rank"]).output
    assert printed.startswith(table + "\n")


def test_the_ranking_moves_removals_only_through_people_flows():
    ranked = sources.ranking("current")
    assert ranked == sorted(ranked, key=lambda r: -max(r["removals_swing"], r["cost_swing"]))
    assert all(r["removals_swing"] >= 0 and r["cost_swing"] >= 0 for r in ranked)
    costs = [r for r in ranked if r["parameter"].startswith("costs.")]
    assert costs and all(r["removals_swing"] == 0 for r in costs)
    assert max(r["removals_swing"] for r in ranked) > 0.05


# --- the data files: lead times and published estimates --------------------------------------

LEAD_TIMES = sources.DATA_DIR / "lead_times.yaml"
ESTIMATES = sources.DATA_DIR / "published_estimates.yaml"
CRS = "        document: CRS R47637\n"


def _data_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, old: str,
               new: str) -> Path:
    """Both data files copied to ``tmp_path/data`` with one edit, and the package pointed there."""
    folder = tmp_path / "data"
    folder.mkdir()
    for path in (LEAD_TIMES, ESTIMATES):
        shutil.copy(path, folder / path.name)
    edited = folder / name
    text = edited.read_text()
    assert text.count(old) == 1, old
    edited.write_text(text.replace(old, new))
    monkeypatch.setattr(sources, "DATA_DIR", folder)
    monkeypatch.setattr(goal_module, "LEAD_TIMES", folder / LEAD_TIMES.name)
    monkeypatch.setattr(unitcost, "ESTIMATES", folder / ESTIMATES.name)
    goal_module.levers.cache_clear()
    unitcost.studies.cache_clear()
    return edited


@pytest.fixture
def fresh_caches():
    """Clear the loaders' caches after a test that pointed them at an edited copy."""
    yield
    goal_module.levers.cache_clear()
    unitcost.studies.cache_clear()


def _line(path: Path, text: str) -> int:
    return next(i for i, line in enumerate(path.read_text().splitlines(), 1) if text in line)


def test_the_shipped_data_files_meet_the_rules():
    for name, rules in sources.DATA_RULES.items():
        data, _ = read_yaml_file(sources.DATA_DIR / name)
        assert rules(data) == [], name
    assert goal_module.levers() and unitcost.studies()


def test_a_lead_time_on_a_mirror_is_refused_by_the_loader_and_by_check(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_caches):
    path = _data_copy(tmp_path, monkeypatch, "lead_times.yaml", CRS,
                      "        href: https://www.everycrsreport.com/reports/R47637.html\n")
    line = _line(path, "everycrsreport")
    with pytest.raises(InputError, match=rf"lead_times.yaml: line {line}: key "
                                         r"'levers.judges.rate.reference.href': "
                                         r"www.everycrsreport.com is on the deny list \(mirror"):
        goal_module.levers()
    assert [(v["file"], v["line"], v["key"]) for v in sources.audit().violations] == [
        ("data/lead_times.yaml", line, "levers.judges.rate.reference.href")]
    outcome = CliRunner().invoke(app, ["sources", "--check", "--no-rank"])
    assert outcome.exit_code == 1
    assert f"data/lead_times.yaml: line {line}: key 'levers.judges.rate.reference.href'" in \
        outcome.output


LT, ES = LEAD_TIMES.name, ESTIMATES.name
LOADERS = {LT: goal_module.levers, ES: unitcost.studies}
"""The loader that enforces each data file's rules."""


@pytest.mark.parametrize(("name", "old", "new", "key", "message"), [
    (LT, "        tier: official\n        note: >-\n          The page is undated",
     "        note: >-\n          The page is undated",
     "levers.judges.lag.reference.tier", "a reference needs a tier"),
    (LT, "      low: 56\n      high: 180\n", "      low: 56\n",
     "levers.officers.lag.high", "an assumption needs its high"),
    (LT, "        relays: Department of Defense\n", "",
     "levers.temporary_judges.cap.reference.tier", "a status: official value needs an official"),
    (LT, "      value: 90\n      low: 56\n      high: 180\n      status: assumption\n",
     "      value: 90\n      low: 56\n      high: 180\n      status: guess\n",
     "levers.officers.lag.status", "status must be one of official, estimate, assumption"),
    (LT, "(Stars and Stripes).", "(Stars and Stripes, https://www.visaverge.com/news/x).",
     "levers.beds.lag.reason", r"www.visaverge.com is on the deny list \(aggregator"),
    (ES, '[S2, The Federalist quoting AIC, https://thefederalist.com/',
     '[S2, https://cbnc.com/x, https://thefederalist.com/',
     "studies.aic-2024-one-million-a-year.assumptions.unit_costs_usd.arrests.note",
     r"cbnc.com is on the deny list \(aggregator"),
    (ES, "  - publisher: American Action Forum\n", "  - title_only: American Action Forum\n",
     "references.5.publisher", "a reference needs a publisher"),
    (ES, "    tier: research\n    note: dated March 2015 in the paper\n",
     "    note: dated March 2015 in the paper\n",
     "references.5.tier", "a reference needs a tier"),
])
def test_each_data_file_rule_names_the_file_the_key_and_the_line(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_caches, name: str, old: str,
        new: str, key: str, message: str):
    _data_copy(tmp_path, monkeypatch, name, old, new)
    with pytest.raises(InputError, match=rf"{re.escape(name)}: line \d+: key "
                                         rf"'{re.escape(key)}': {message}"):
        LOADERS[name]()


def test_an_estimate_source_outside_the_references_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fresh_caches):
    old = 'population: {value: 11300000, tag: S, source: "https://www.americanprogress.org/'
    path = _data_copy(tmp_path, monkeypatch, "published_estimates.yaml", old,
                      old.replace("americanprogress.org/", "americanprogress.org/other/"))
    line = _line(path, "americanprogress.org/other/")
    with pytest.raises(InputError, match=rf"published_estimates.yaml: line {line}: key "
                                         r"'studies.cap-2015.assumptions.population.source': "
                                         r"https://\S+ is not among the file's references"):
        unitcost.studies()
    assert [v["key"] for v in sources.audit().violations] == [
        "studies.cap-2015.assumptions.population.source"]


def test_a_study_file_of_ones_own_needs_no_references(tmp_path: Path):
    data, _ = read_yaml_file(ESTIMATES)
    study = tmp_path / "mine.yaml"
    study.write_text(yaml.safe_dump(data["studies"]["cap-2015"]))
    assert list(unitcost.load_studies(study)) == ["mine"]
