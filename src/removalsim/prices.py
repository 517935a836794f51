"""Price years: convert dollars between years with the CPI-U annual averages shipped in data/."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

CPI_FILE = Path(__file__).parent / "data" / "cpi_u.csv"
PRICE_YEAR = 2025
"""All costs are reported in dollars of this year."""


@cache
def cpi() -> dict[int, float]:
    """CPI-U annual averages by calendar year (BLS series CUUR0000SA0)."""
    with CPI_FILE.open(encoding="utf-8") as handle:
        return {int(row["year"]): float(row["cpi_u"]) for row in csv.DictReader(handle)}


def to_price_year(usd: float, from_year: int, to_year: int = PRICE_YEAR) -> float:
    """Convert an amount in dollars of ``from_year`` to dollars of ``to_year``.

    Examples
    --------
    >>> round(to_price_year(100.0, 2019, 2025), 2)
    125.93
    """
    table = cpi()
    for year in (from_year, to_year):
        if year not in table:
            covered = f"{min(table)}-{max(table)}"
            raise ValueError(f"no CPI-U value for {year}; the table covers {covered}")
    return usd * table[to_year] / table[from_year]
