"""Cited historical statistics on US immigration enforcement, FY2008 to the latest year.

The data live in ``data/history.csv`` (described by ``data/datapackage.json``). The file is tidy:
one row per published number, with its source and a note. Only aggregate public statistics are
included, never data on identifiable individuals.

Each row's source follows the same rules as a parameter's reference (:mod:`removalsim.sources`):
``publisher``, ``title``, ``href`` (the publisher's own page) or ``document`` (a product number such
as ``CRS IN12492``), ``published`` (YYYY-MM-DD) and ``tier`` (official, research or press); no href
on the deny list of mirrors, forums, blogs and aggregators. A ``derived`` row names the publisher of
the figures it is computed from.

Conventions
-----------
* ``fiscal_year`` is the US federal fiscal year (October to September).
* ``month`` is the calendar month (1-12) inside that fiscal year, so October 2024 is
  ``fiscal_year=2025, month=10``. It is empty for a full-year value.
* ``coverage`` is one of ``full_year``, ``partial_year`` (a fiscal year to date), ``full_month``
  (a flow over a whole calendar month, or an average over it), ``partial_month`` (the same for
  only part of a month: the note gives the days), ``snapshot`` (a stock measured at a point in
  time) or ``derived`` (arithmetic on published figures for a full fiscal year; partial-year
  arithmetic is marked ``partial_year``).
* For stocks (pending cases, judges, beds, dockets) a ``full_year`` row is the end-of-year level.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from removalsim.sources import reference_problems

try:  # pandera >= 0.24 exposes the pandas API under ``pandera.pandas``
    import pandera.pandas as pa
except ImportError:  # pragma: no cover - older pandera
    import pandera as pa

__all__ = [
    "COVERAGE_VALUES",
    "DEFAULT_PATH",
    "KNOWN_METRICS",
    "HistoryValidationError",
    "annual",
    "load_history",
    "source_problems",
]

DEFAULT_PATH = Path(__file__).resolve().parent / "data" / "history.csv"

SOURCE_COLUMNS = ("publisher", "title", "href", "document", "published", "tier")
COLUMNS = ("fiscal_year", "month", "metric", "value", "unit", "coverage", *SOURCE_COLUMNS, "note")

COVERAGE_VALUES = frozenset(
    {"full_year", "partial_year", "full_month", "partial_month", "snapshot", "derived"}
)

#: Coverage values that :func:`annual` treats as a complete fiscal year.
FULL_YEAR_COVERAGE = frozenset({"full_year", "derived"})

KNOWN_METRICS = frozenset(
    {
        # removals
        "removals",
        "removals_interior",
        "removals_border",
        "removals_dhs",
        "removals_fytd",
        "removals_mexico",
        "removals_northern_triangle",
        "voluntary_returns",
        # arrests and intake
        "arrests",
        "arrests_at_large",
        "arrests_custodial",
        "book_ins",
        "book_ins_cbp",
        "book_ins_ice",
        "book_outs_bonded",
        "book_outs_final",
        "book_outs_released",
        "book_outs_to_removal",
        # detention
        "adp",
        "adp_cbp",
        "adp_ice",
        "alos_days",
        "alos_days_cbp",
        "alos_days_ice",
        "alos_days_implied",
        "funded_beds",
        "bed_day_cost_usd",
        # budget and staff
        "ice_budget_usd",
        "deportation_officers",
        "ice_officers_and_agents",
        # immigration courts
        "immigration_judges",
        "court_receipts",
        "court_completions",
        "court_pending",
        "in_absentia_orders",
        "in_absentia_rate",
        # border
        "border_apprehensions",
        "border_apprehensions_usbp_nationwide",
        "border_encounters_cbp_sw",
        # alternatives to detention and dockets
        "atd_enrolled",
        "atd_participants_fy",
        "non_detained_docket",
        "final_orders_non_detained",
        "agreements_287g",
        # population
        "unauthorized_population",
    }
)


class HistoryValidationError(ValueError):
    """Raised when ``history.csv`` fails validation; the message names each bad row and column."""


def _schema() -> pa.DataFrameSchema:
    """Build the pandera schema for the parsed history table.

    Returns
    -------
    pandera.DataFrameSchema
        Schema checking types, ranges, allowed values and the unique key.
    """
    non_blank = pa.Check(
        lambda s: s.str.strip().str.len() > 0, element_wise=False, name="non_blank"
    )
    return pa.DataFrameSchema(
        {
            "fiscal_year": pa.Column("Int64", pa.Check.in_range(2000, 2030), nullable=False),
            "month": pa.Column("Int64", pa.Check.in_range(1, 12), nullable=True),
            "metric": pa.Column(str, pa.Check.isin(sorted(KNOWN_METRICS)), nullable=False),
            "value": pa.Column(float, pa.Check.ge(0), nullable=False),
            "unit": pa.Column(str, non_blank, nullable=False),
            "coverage": pa.Column(str, pa.Check.isin(sorted(COVERAGE_VALUES)), nullable=False),
            **{c: pa.Column(str, nullable=False) for c in SOURCE_COLUMNS},
            "note": pa.Column(str, nullable=False),
        },
        unique=["fiscal_year", "month", "metric"],
        strict=True,
        ordered=True,
        coerce=False,
    )


def _line(index: object) -> str:
    """Describe a DataFrame index as a data row and a file line (header is line 1)."""
    try:
        i = int(index)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return "table"
    return f"row {i + 1} (line {i + 2})"


def _parse(raw: pd.DataFrame) -> tuple[pd.DataFrame, list[tuple[int, str]]]:
    """Convert the all-text CSV table to typed columns, collecting parse problems.

    Parameters
    ----------
    raw : pandas.DataFrame
        Table read with every column as text.

    Returns
    -------
    tuple of (pandas.DataFrame, list of (int, str))
        The typed table and (row index, message) pairs for cells that could not be parsed.
    """
    problems: list[tuple[int, str]] = []
    df = raw.copy()
    for col, optional in (("fiscal_year", False), ("month", True), ("value", False)):
        text = raw[col].str.strip()
        num = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = num.isna() & ((text != "") | (not optional))
        for idx in raw.index[bad]:
            problems.append(
                (
                    int(idx),
                    f"{_line(idx)}, column '{col}': expected a number, got {raw.at[idx, col]!r}",
                )
            )
        if col == "value":
            df[col] = num.astype(float)
        else:
            frac = num.notna() & (num != num.round())
            for idx in raw.index[frac]:
                msg = f"{_line(idx)}, column '{col}': expected an integer, got {raw.at[idx, col]!r}"
                problems.append((int(idx), msg))
            df[col] = num.where(~frac).round().astype("Int64")
    return df, problems


def _describe_failures(err: pa.errors.SchemaErrors, df: pd.DataFrame) -> list[tuple[int, str]]:
    """Turn pandera's failure cases into one message per failing cell or duplicated key.

    Parameters
    ----------
    err : pandera.errors.SchemaErrors
        The lazily collected validation errors.
    df : pandas.DataFrame
        The validated table, used to quote the duplicated key values.

    Returns
    -------
    list of (int, str)
        Sort position (the row index, or -1 for table-level problems) and message.
    """
    messages: list[tuple[int, str]] = []
    seen_dup: set[int] = set()
    for rec in err.failure_cases.itertuples(index=False):
        column = getattr(rec, "column", None)
        check = str(getattr(rec, "check", ""))
        failure = getattr(rec, "failure_case", None)
        index = getattr(rec, "index", None)
        pos = int(index) if isinstance(index, (int, float)) and not pd.isna(index) else -1
        where = _line(index)
        if "unique" in check.lower() or "duplicate" in check.lower():
            if pos in seen_dup:
                continue
            seen_dup.add(pos)
            if pos >= 0:
                key = df.loc[pos, ["fiscal_year", "month", "metric"]].tolist()
                month = "empty" if pd.isna(key[1]) else key[1]
                key_txt = f"fiscal_year={key[0]}, month={month}, metric={key[2]!r}"
            else:
                key_txt = f"value {failure!r}"
            messages.append(
                (pos, f"{where}, columns (fiscal_year, month, metric): duplicate key ({key_txt})")
            )
        elif column == "metric" and check.startswith("isin"):
            messages.append((pos, f"{where}, column 'metric': unknown metric {failure!r}"))
        elif column == "coverage" and check.startswith("isin"):
            messages.append(
                (
                    pos,
                    f"{where}, column 'coverage': {failure!r} is not one of "
                    f"{sorted(COVERAGE_VALUES)}",
                )
            )
        elif check == "non_blank":
            messages.append((pos, f"{where}, column '{column}': empty value"))
        else:
            messages.append(
                (pos, f"{where}, column '{column}': failed check {check} (value {failure!r})")
            )
    return messages


def load_history(path: str | Path | None = None) -> pd.DataFrame:
    """Read and validate the historical statistics table.

    Parameters
    ----------
    path : str or pathlib.Path, optional
        CSV file to read. Defaults to the ``history.csv`` shipped with the package.

    Returns
    -------
    pandas.DataFrame
        Columns ``fiscal_year`` (Int64), ``month`` (Int64, null for full-year values),
        ``metric``, ``value`` (float), ``unit``, ``coverage``, the source columns ``publisher``,
        ``title``, ``href``, ``document``, ``published`` and ``tier``, and ``note``.

    Raises
    ------
    HistoryValidationError
        If any cell fails a check: types, ``fiscal_year`` in 2000-2030, ``month`` in 1-12 or
        empty, ``value >= 0``, non-empty ``unit``, known ``coverage`` and ``metric`` values, a
        unique ``(fiscal_year, month, metric)`` key, and a source meeting the rules of
        :mod:`removalsim.sources`. The message lists every problem with its data row, file line
        and column.
    FileNotFoundError
        If ``path`` does not exist.
    """
    csv_path = Path(path) if path is not None else DEFAULT_PATH
    raw = pd.read_csv(csv_path, dtype=str, keep_default_na=False, na_filter=False)
    missing = [c for c in COLUMNS if c not in raw.columns]
    extra = [c for c in raw.columns if c not in COLUMNS]
    if missing or extra:
        raise HistoryValidationError(
            f"{csv_path}: wrong columns (missing {missing}, unexpected {extra}); "
            f"expected {list(COLUMNS)}"
        )
    raw = raw[list(COLUMNS)]
    df, parse_problems = _parse(raw)
    problems: list[tuple[int, str]] = list(parse_problems)
    if not problems:
        try:
            df = _schema().validate(df, lazy=True)
        except pa.errors.SchemaErrors as err:
            problems.extend(_describe_failures(err, df))
    if not problems:
        problems.extend(source_problems(df))
    if problems:
        listing = "\n  ".join(msg for _, msg in sorted(set(problems)))
        raise HistoryValidationError(f"{csv_path} failed validation:\n  {listing}")
    return df


def source_problems(df: pd.DataFrame) -> list[tuple[int, str]]:
    """Every source rule a row breaks (:func:`removalsim.sources.reference_problems`).

    Parameters
    ----------
    df : pandas.DataFrame
        The parsed table.

    Returns
    -------
    list of (int, str)
        Row index and message naming the row, the file line and the column.
    """
    problems: list[tuple[int, str]] = []
    for idx, row in df[list(SOURCE_COLUMNS)].iterrows():
        ref = {c: row[c].strip() for c in SOURCE_COLUMNS}
        if ref["published"]:
            try:
                ref["published"] = dt.date.fromisoformat(ref["published"])
            except ValueError:
                problems.append((int(idx), f"{_line(idx)}, column 'published': expected a date "
                                           f"YYYY-MM-DD, got {row['published']!r}"))
        for column, message in reference_problems(ref):
            problems.append((int(idx), f"{_line(idx)}, column '{column}': {message}"))
    return problems


def annual(metric: str, full_year_only: bool = True, path: str | Path | None = None) -> pd.Series:
    """Return the fiscal-year series of one metric.

    Parameters
    ----------
    metric : str
        A metric name from :data:`KNOWN_METRICS`, e.g. ``"removals"``.
    full_year_only : bool, default True
        If True, keep only rows covering a whole fiscal year (``coverage`` of ``full_year`` or
        ``derived``). If False, also keep fiscal-year-to-date (``partial_year``) and point-in-time
        (``snapshot``) values that have no month.
    path : str or pathlib.Path, optional
        Alternative CSV file, passed to :func:`load_history`.

    Returns
    -------
    pandas.Series
        Values indexed by ``fiscal_year`` (sorted), named after the metric. Empty if the metric
        has no qualifying rows.

    Raises
    ------
    KeyError
        If ``metric`` is not a known metric name.

    Examples
    --------
    >>> int(annual("removals").loc[2019])
    267258
    """
    if metric not in KNOWN_METRICS:
        raise KeyError(f"unknown metric {metric!r}; known metrics: {sorted(KNOWN_METRICS)}")
    df = load_history(path)
    rows = df[(df["metric"] == metric) & df["month"].isna()]
    if full_year_only:
        rows = rows[rows["coverage"].isin(FULL_YEAR_COVERAGE)]
    series = rows.set_index("fiscal_year")["value"].sort_index()
    series.index = series.index.astype(int)
    series.name = metric
    return series
