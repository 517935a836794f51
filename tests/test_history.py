"""Tests for the cited historical dataset and its loader."""

from __future__ import annotations

import calendar
import csv
import json
from pathlib import Path

import pandas as pd
import pytest

from removalsim.history import (
    COVERAGE_VALUES,
    DEFAULT_PATH,
    KNOWN_METRICS,
    HistoryValidationError,
    annual,
    load_history,
)

DATA_DIR = DEFAULT_PATH.parent


@pytest.fixture(scope="module")
def history() -> pd.DataFrame:
    return load_history()


def _raw_rows() -> list[dict[str, str]]:
    with DEFAULT_PATH.open(newline="") as fh:
        return list(csv.DictReader(fh))


def _write(rows: list[dict[str, str]], path: Path) -> Path:
    with path.open("w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def _row_index(rows: list[dict[str, str]], fy: str, metric: str) -> int:
    return next(
        i
        for i, r in enumerate(rows)
        if r["fiscal_year"] == fy and r["metric"] == metric and r["month"] == ""
    )


# --------------------------------------------------------------------------- shipped file


def test_shipped_file_passes_schema(history: pd.DataFrame) -> None:
    assert len(history) > 500
    assert list(history.columns) == [
        "fiscal_year",
        "month",
        "metric",
        "value",
        "unit",
        "coverage",
        "publisher",
        "title",
        "href",
        "document",
        "published",
        "tier",
        "note",
    ]
    assert history["fiscal_year"].between(2008, 2030).all()
    assert set(history["coverage"]) <= COVERAGE_VALUES
    assert set(history["metric"]) <= KNOWN_METRICS


def test_every_row_names_its_first_publisher(history: pd.DataFrame) -> None:
    assert (history["publisher"].str.strip().str.len() > 1).all()
    assert ((history["href"].str.startswith("http")) | (history["document"].str.len() > 2)).all()
    assert set(history["tier"]) == {"official", "research", "press"}
    assert not history["href"].str.contains("vera-institute").any()
    hosts = history["href"].str.extract(r"https?://([^/]+)")[0].dropna()
    assert not hosts.str.contains("docslib|scribd|everycrsreport|crimmigration").any()


def test_key_is_unique(history: pd.DataFrame) -> None:
    key = history[["fiscal_year", "month", "metric"]]
    assert not key.duplicated().any()


def test_excluded_ai_generated_sources_absent(history: pd.DataFrame) -> None:
    text = (history["href"] + " " + history["note"]).str.lower()
    assert not text.str.contains("wifitalents|gitnux").any()


def test_no_cpi_rows(history: pd.DataFrame) -> None:
    assert not history["metric"].str.contains("cpi").any()


# --------------------------------------------------------------------------- spot checks


@pytest.mark.parametrize(
    ("metric", "fy", "expected"),
    [
        ("removals", 2019, 267_258),  # ICE FY2019 ERO report
        ("removals", 2024, 271_484),  # ICE FY2024 annual report
        ("removals", 2018, 256_085),  # ICE FY2018 ERO report, not the 256,058 transposition
        ("adp", 2019, 50_165),  # ICE FY2019 ERO report
        ("adp", 2024, 37_745),  # ICE "FY overall", preferred over day-weighted 37,722
        ("arrests", 2015, 117_983),  # DHS Yearbook 2021 Table 35
        ("arrests", 2024, 113_431),  # ICE FY2024 annual report
        ("border_apprehensions", 2019, 851_508),  # DHS Yearbook, not 851,553
        ("court_pending", 2019, 1_087_201),  # latest EOIR vintage
        ("court_completions", 2016, 143_489),  # latest EOIR table
        ("book_ins", 2019, 510_854),  # ICE detention statistics (Vera archive)
    ],
)
def test_spot_values(metric: str, fy: int, expected: float) -> None:
    series = annual(metric)
    assert series.loc[fy] == pytest.approx(expected)


def test_partial_years_are_marked(history: pd.DataFrame) -> None:
    row = history[
        (history["metric"] == "removals")
        & (history["fiscal_year"] == 2025)
        & history["month"].isna()
    ].iloc[0]
    assert row["coverage"] == "partial_year"
    assert row["value"] == pytest.approx(319_980)
    assert 2025 not in annual("removals").index
    assert annual("removals", full_year_only=False).loc[2025] == pytest.approx(319_980)


def test_monthly_book_ins_add_up_to_annual(history: pd.DataFrame) -> None:
    monthly = history[(history["metric"] == "book_ins") & history["month"].notna()]
    sums = monthly.groupby("fiscal_year")["value"].sum()
    full = annual("book_ins")
    for fy in (2019, 2020, 2023, 2024):
        assert sums.loc[fy] == pytest.approx(full.loc[fy])


def test_annual_series_shape() -> None:
    series = annual("removals")
    assert series.name == "removals"
    assert series.index.is_monotonic_increasing
    assert series.index.dtype.kind == "i"
    assert list(range(2008, 2025)) == list(series.index)


def test_annual_unknown_metric() -> None:
    with pytest.raises(KeyError, match="not_a_metric"):
        annual("not_a_metric")


# --------------------------------------------------------------------------- corrupted copies


def test_negative_value_rejected(tmp_path: Path) -> None:
    rows = _raw_rows()
    i = _row_index(rows, "2019", "removals")
    rows[i]["value"] = "-5"
    path = _write(rows, tmp_path / "bad.csv")
    with pytest.raises(HistoryValidationError, match=rf"row {i + 1} .*column 'value'"):
        load_history(path)


def test_duplicate_key_rejected(tmp_path: Path) -> None:
    rows = _raw_rows()
    i = _row_index(rows, "2019", "adp")
    rows.append(dict(rows[i]))
    path = _write(rows, tmp_path / "dup.csv")
    pattern = r"duplicate key \(fiscal_year=2019, month=empty, metric='adp'\)"
    with pytest.raises(HistoryValidationError, match=pattern):
        load_history(path)


@pytest.mark.parametrize(
    ("changes", "pattern"),
    [
        ({"publisher": "  "}, r"column 'publisher': a reference needs a publisher"),
        ({"href": "https://www.everycrsreport.com/reports/IN12492.html"},
         r"column 'href': www.everycrsreport.com is on the deny list \(mirror"),
        ({"href": "https://dchan.qorigins.org/qresearch/res/1.html"},
         r"column 'href': dchan.qorigins.org is on the deny list \(forum"),
        ({"href": "", "document": ""}, r"column 'href': .*href or a document"),
        ({"tier": "blog"}, r"column 'tier': tier must be one of official, research, press"),
        ({"published": "Dec 2024"}, r"column 'published': expected a date YYYY-MM-DD"),
        ({"published": ""}, r"column 'published': a reference needs a published date"),
    ],
)
def test_source_rules_apply_to_every_row(tmp_path: Path, changes: dict[str, str],
                                         pattern: str) -> None:
    rows = _raw_rows()
    i = _row_index(rows, "2019", "removals")
    rows[i].update(changes)
    path = _write(rows, tmp_path / "src.csv")
    with pytest.raises(HistoryValidationError, match=rf"row {i + 1} \(line {i + 2}\), {pattern}"):
        load_history(path)


@pytest.mark.parametrize(
    ("column", "bad", "pattern"),
    [
        ("fiscal_year", "1999", r"column 'fiscal_year'"),
        ("month", "13", r"column 'month'"),
        ("value", "lots", r"column 'value': expected a number"),
        ("coverage", "annual", r"column 'coverage': 'annual' is not one of"),
    ],
)
def test_other_bad_cells_rejected(tmp_path: Path, column: str, bad: str, pattern: str) -> None:
    rows = _raw_rows()
    rows[5][column] = bad
    path = _write(rows, tmp_path / "bad.csv")
    with pytest.raises(HistoryValidationError, match=rf"row 6 \(line 7\), {pattern}"):
        load_history(path)


def test_wrong_columns_rejected(tmp_path: Path) -> None:
    rows = [{k: v for k, v in r.items() if k != "tier"} for r in _raw_rows()]
    path = _write(rows, tmp_path / "cols.csv")
    with pytest.raises(HistoryValidationError, match="missing \\['tier'\\]"):
        load_history(path)


# --------------------------------------------------------------------------- descriptor


def test_datapackage_matches_csv() -> None:
    descriptor = json.loads((DATA_DIR / "datapackage.json").read_text())
    resource = descriptor["resources"][0]
    assert resource["path"] == "history.csv"
    fields = [f["name"] for f in resource["schema"]["fields"]]
    assert fields == list(_raw_rows()[0])
    assert resource["schema"]["primaryKey"] == ["fiscal_year", "month", "metric"]
    by_name = {f["name"]: f for f in resource["schema"]["fields"]}
    assert set(by_name["metric"]["constraints"]["enum"]) == set(KNOWN_METRICS)
    assert set(by_name["coverage"]["constraints"]["enum"]) == set(COVERAGE_VALUES)
    assert descriptor["licenses"]


# ------------------------------------------------------------------ ICE detention statistics


def _monthly(history: pd.DataFrame, metric: str, fy: int) -> pd.Series:
    rows = history[(history["metric"] == metric) & (history["fiscal_year"] == fy)]
    return rows[rows["month"].notna()].set_index("month")["value"]


@pytest.mark.parametrize("fy", [2019, 2020, 2021, 2022, 2023, 2024, 2025])
def test_monthly_book_ins_are_one_vintage(history: pd.DataFrame, fy: int) -> None:
    """Each year's months add up to ICE's year total, and the agency split to the total."""
    total = _monthly(history, "book_ins", fy)
    assert len(total) == 12
    assert total.sum() == pytest.approx(annual("book_ins", full_year_only=False).loc[fy])
    split = _monthly(history, "book_ins_cbp", fy) + _monthly(history, "book_ins_ice", fy)
    assert (split.sort_index() == total.sort_index()).all()


@pytest.mark.parametrize("fy", [2019, 2020, 2023])
def test_monthly_adp_is_the_month_average(history: pd.DataFrame, fy: int) -> None:
    """Weighted by days, the monthly ADPs give ICE's fiscal-year ADP (a year-to-date average
    would instead end the year at the annual figure)."""
    months = _monthly(history, "adp", fy)
    days = pd.Series(
        {m: calendar.monthrange(fy - 1 if m >= 10 else fy, m)[1] for m in months.index}
    )
    mean = (months * days).sum() / days.sum()
    assert mean == pytest.approx(annual("adp").loc[fy], abs=1)
    assert months.loc[9] != pytest.approx(annual("adp").loc[fy], abs=1)


def test_book_outs_add_up(history: pd.DataFrame) -> None:
    final = _monthly(history, "book_outs_final", 2024)
    removed = _monthly(history, "book_outs_to_removal", 2024)
    released = _monthly(history, "book_outs_released", 2024)
    assert len(final) == 12
    assert ((removed + released) <= final).all()
    assert final.sum() == pytest.approx(annual("book_outs_final").loc[2024])


def test_removals_year_to_date_rise_within_a_year(history: pd.DataFrame) -> None:
    rows = history[history["metric"] == "removals_fytd"].copy()
    rows["order"] = (rows["month"] + 2) % 12
    for _, year in rows.sort_values("order").groupby("fiscal_year"):
        assert year["value"].is_monotonic_increasing
    fy25 = _monthly(history, "removals_fytd", 2025)
    assert fy25.max() == pytest.approx(319_980)


def test_detention_rows_cite_an_ice_workbook(history: pd.DataFrame) -> None:
    """Every ICE detention-statistics row names its workbook and ICE's page, none a copy."""
    rows = history[history["title"].str.startswith("ICE Detention Statistics")]
    assert len(rows) > 700
    assert (rows["href"] == "https://www.ice.gov/detain/detention-management").all()
    dated = r"FY20\d\d \(.*(?:data through|dated) 20\d\d-\d\d-\d\d\)"
    assert rows["title"].str.contains(dated).all()
    assert not history["note"].str.contains("scribd").any()


def test_partial_months_are_marked(history: pd.DataFrame) -> None:
    """A month a workbook covers only in part is ``partial_month``, a whole one ``full_month``."""
    monthly = history[history["month"].notna() & history["metric"].str.startswith("book_ins")]
    assert set(monthly["coverage"]) == {"full_month", "partial_month"}
    partial = monthly[monthly["coverage"] == "partial_month"]
    assert {(2021, 9), (2022, 9), (2025, 9), (2026, 2)} == set(
        zip(partial["fiscal_year"], partial["month"], strict=True)
    )
    assert partial["note"].str.contains(r"PARTIAL MONTH \(\w{3} 1-\d+").all()
