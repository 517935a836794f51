"""Unit-cost mode: the arithmetic of published estimates."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from removalsim.prices import to_price_year
from removalsim.unitcost import UnitCostStudy, evaluate_arithmetic


def test_cost_follows_the_stage_arithmetic():
    study = UnitCostStudy(
        population=1000, leave_before_contact=0.2, no_transport_share=0.5,
        unit_costs_usd={"arrests": 10.0, "removal": 4.0}, fixed_usd_per_year=100.0,
        removals_per_year=200, price_year=2020,
    )
    cost = study.cost()
    assert cost.removed == 800
    assert cost.horizon_years == 4
    assert cost.by_stage_usd == {"arrests": 8000.0, "removal": 1600.0, "fixed": 400.0}
    assert cost.total_usd == 10000.0
    assert cost.per_year_usd == 2500.0
    assert cost.per_removal_usd == 12.5


def test_price_year_conversion_uses_the_cpi_table():
    study = UnitCostStudy(population=10, unit_costs_usd={"all": 100.0}, price_year=2015)
    assert study.cost(2025).total_usd == pytest.approx(to_price_year(1000.0, 2015, 2025))


def test_a_per_removal_study_has_no_totals():
    cost = UnitCostStudy(unit_costs_usd={"a": 1.0, "b": 2.0}, price_year=2025).cost()
    assert cost.total_usd is None and cost.per_removal_usd == 3.0


@pytest.mark.parametrize("bad", [
    {"horizon_years": 1, "removals_per_year": 5},
    {"leave_before_contact": 1.0},
    {"unit_costs_usd": {"a": -1.0}},
    {"fixed_usd_per_year": 5.0},
])
def test_inconsistent_studies_are_refused(bad):
    spec = {"population": 10, "unit_costs_usd": {"a": 1.0}, "price_year": 2020} | bad
    with pytest.raises(ValidationError):
        UnitCostStudy(**spec)


def test_arithmetic_is_plain_numbers_only():
    assert evaluate_arithmetic("315.7e9 / 20") == pytest.approx(15.785e9)
    with pytest.raises(ValueError):
        evaluate_arithmetic("__import__('os')")
