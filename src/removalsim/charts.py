"""The charts of a run, described once and drawn by matplotlib (PNG or SVG) or by the report.

:func:`run_charts` describes each chart as data (series, axis titles with units, a labelled
target, hatched part-years); :func:`svg` and :func:`run_chart` draw them with matplotlib, and
the interactive report draws the same descriptions with plotly. Labels come from
:mod:`removalsim.vocabulary`. Stock charts start at zero; a part-year (a run that starts or ends
inside a fiscal year) is hatched, and a flow in it is drawn at its yearly rate.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from removalsim.results import Result

RUN = "#1f5fa8"
BASE = "#9a9a9a"
BAND = "#1f5fa833"
INK = "#333333"
BACKLOG = ("at_large_pending_docket", "detained_court", "detained_appeal", "appeals_non_detained")
"""v1 daily stocks that make up the court backlog."""


@dataclass
class Series:
    """One drawn series: bars or a line (``low``/``high`` add a P5-P95 band)."""

    name: str
    x: list[Any]
    y: list[float]
    kind: str = "bar"
    color: str = RUN
    dashed: bool = False
    hatched: list[bool] | None = None
    low: list[float] | None = None
    high: list[float] | None = None


@dataclass
class Chart:
    """A chart described as data: what it shows, its axes and its marks."""

    key: str
    title: str
    x_title: str
    y_title: str
    series: list[Series] = field(default_factory=list)
    target: tuple[float, str] | None = None
    note: str = ""
    stacked: bool = False


def _part_years(result: Result) -> list[bool]:
    return [days < 365 for days in result.fiscal_years["days"]]


def _part_note(result: Result, rate: bool) -> str:
    fy = result.fiscal_years
    parts = [f"FY{y} ({d:.0f} days)" for y, d in zip(fy.index, fy["days"], strict=True) if d < 365]
    if not parts:
        return ""
    how = "drawn at the same yearly rate" if rate else "counting those days only"
    return f"Hatched: part year{'s' if len(parts) > 1 else ''} of the run, " \
           f"{' and '.join(parts)}, {how}."


def _yearly(result: Result, column: str) -> list[float]:
    """A fiscal-year flow with part-years scaled to a yearly rate."""
    fy = result.fiscal_years
    return [float(v) * (365 / d if d < 365 else 1) for v, d in zip(fy[column], fy["days"],
                                                                      strict=True)]


def _target_words(result: Result) -> str:
    from removalsim.vocabulary import label

    target = result.scenario.target
    who = ", ".join(label(s) for s in target.segments)
    return f"Target: {target.removals:,} removals{' a year' if target.per_year else ''} ({who})"


def _weekly(result: Result, values: Any) -> tuple[list[Any], list[float]]:
    weekly = values.resample("7D").mean()
    return list(weekly.index.to_pydatetime()), [float(v) for v in weekly]


def run_charts(result: Result, baseline: Result | None = None, mc: Any | None = None
               ) -> list[Chart]:
    """The charts of a run: removals by fiscal year, toward the target, detention, backlog, cost.

    Parameters
    ----------
    result
        The run.
    baseline
        A run to draw behind it, in grey.
    mc
        Monte Carlo draws (:class:`removalsim.analysis.mc.MonteCarlo`) for P5-P95 bands.
    """
    from removalsim.vocabulary import label

    fy = result.fiscal_years
    years = [str(y) for y in fy.index]
    parts = _part_years(result)
    name = result.scenario.name
    charts = []

    removals = Chart("removals", "Removals by fiscal year", "Fiscal year (October to September)",
                     "Removals in the year", note=_part_note(result, rate=True))
    if baseline is not None:
        removals.series.append(Series(f"{baseline.scenario.name} (baseline)",
                                      [str(y) for y in baseline.fiscal_years.index],
                                      _yearly(baseline, "removals"), color=BASE,
                                      hatched=_part_years(baseline)))
    run = Series(name, years, _yearly(result, "removals"), hatched=parts)
    if mc is not None:
        fan = mc.fan("removals")
        scale = [365 / d if d < 365 else 1 for d in fy["days"]]
        run.low = [float(v) * s for v, s in zip(fan["p5"], scale, strict=True)]
        run.high = [float(v) * s for v, s in zip(fan["p95"], scale, strict=True)]
    removals.series.append(run)
    target = result.scenario.target
    if target is not None and target.per_year:
        removals.target = (float(target.removals), _target_words(result))
    charts.append(removals)

    if target is not None and not target.per_year:
        counted = result.daily[[f"removals_{s}" for s in target.segments]].sum(axis=1).cumsum()
        x, y = _weekly(result, counted)
        toward = Chart("target", "Removals counted toward the target", "Date",
                       "Removals to date (cumulative)", target=(float(target.removals),
                                                               _target_words(result)))
        toward.series.append(Series(name, x, y, kind="line"))
        charts.append(toward)

    daily = result.daily
    detention = Chart("detention", "People in ICE detention, and beds", "Date",
                      "People (weekly average)", note="Weekly averages of the daily count.")
    for column, what, dashed in (("detained", "in detention", False), ("beds", "beds", True)):
        x, y = _weekly(result, daily[column])
        detention.series.append(Series(f"{what}, {name}", x, y, kind="line", dashed=dashed))
    if mc is not None:
        fan = mc.fan("detained_adp")
        detention.series.append(Series("in detention, yearly average", [
            _mid_year(y) for y in fy.index], [float(v) for v in fan["p50"]], kind="line",
            color=INK, low=list(fan["p5"]), high=list(fan["p95"])))
    charts.append(detention)

    backlog = Chart("backlog", "Immigration-court cases pending", "Date", "Cases pending",
                    note="Before immigration judges (detained and not) and on appeal.")
    x, y = _weekly(result, daily[[c for c in BACKLOG if c in daily]].sum(axis=1))
    backlog.series.append(Series(name, x, y, kind="line"))
    if mc is not None:
        fan = mc.fan("court_backlog_end")
        backlog.series.append(Series("end of fiscal year, P5-P95", [_year_end(y) for y in fy.index],
                                     [float(v) for v in fan["p50"]], kind="line", color=INK,
                                     low=list(fan["p5"]), high=list(fan["p95"])))
    charts.append(backlog)

    price = result.headline["price_year"]
    cost = Chart("cost", "Cost by stage and fiscal year", "Fiscal year (October to September)",
                 f"Cost ({price} dollars)", stacked=True, note=_part_note(result, rate=False))
    palette = ("#1f5fa8", "#6c8ebf", "#a9c1e0", "#444444", "#888888")
    for i, stage in enumerate(result.headline["cost_by_stage_usd"]):
        cost.series.append(Series(label(stage), years,
                                  [float(v) for v in fy[f"cost_{stage}_usd"]],
                                  color=palette[i % len(palette)], hatched=parts))
    charts.append(cost)
    return charts


def _mid_year(fiscal_year: int) -> dt.datetime:
    return dt.datetime(fiscal_year, 4, 1)


def _year_end(fiscal_year: int) -> dt.datetime:
    return dt.datetime(fiscal_year, 9, 30)


def draw(ax: Axes, chart: Chart) -> None:
    """Draw one chart on matplotlib axes: titled axes, labelled target, hatched part-years."""
    import numpy as np
    from matplotlib.patches import Patch
    from matplotlib.ticker import FuncFormatter

    bars = [s for s in chart.series if s.kind == "bar"]
    width = 0.8 / (1 if chart.stacked or not bars else len(bars))
    categories = sorted({x for s in bars for x in s.x}, key=lambda x: (len(x), x))
    where = {x: i for i, x in enumerate(categories)}
    bottom = None
    entries: list[tuple[Any, str]] = []
    for i, s in enumerate(bars):
        xs = np.array([where[x] for x in s.x]) + (
            0 if chart.stacked else (i - (len(bars) - 1) / 2) * width)
        drawn = ax.bar(xs, s.y, width, bottom=bottom, color=s.color, edgecolor="white",
                       linewidth=0.5)
        entries.append((Patch(facecolor=s.color), s.name))
        for patch, hatched in zip(drawn, s.hatched or [], strict=False):
            if hatched:
                patch.set_hatch("///")
                patch.set_alpha(0.7)
        if s.low is not None and s.high is not None:
            y = np.asarray(s.y)
            entries.append((ax.errorbar(xs, y, yerr=[np.maximum(0, y - s.low),
                                                     np.maximum(0, np.asarray(s.high) - y)],
                                        fmt="none", ecolor=INK, capsize=2, linewidth=1),
                            "P5-P95"))
        if chart.stacked:
            bottom = np.asarray(s.y) if bottom is None else bottom + np.asarray(s.y)
    if bars:
        ax.set_xticks(np.arange(len(categories)), categories)
        ax.tick_params(axis="x", labelrotation=0 if len(categories) <= 12 else 45)
    for s in chart.series:
        if s.kind != "line":
            continue
        (drawn,) = ax.plot(s.x, s.y, color=s.color, linestyle=":" if s.dashed else "-",
                           linewidth=1.8)
        entries.append((drawn, s.name))
        if s.low is not None and s.high is not None:
            entries.append((ax.fill_between(s.x, s.low, s.high, color=BAND, linewidth=0),
                            f"{s.name} P5-P95"))
    if chart.target is not None:
        value, text = chart.target
        ax.axhline(value, color=INK, linestyle="--", linewidth=1.2)
        ax.annotate(text, (0.01, value), xycoords=("axes fraction", "data"),
                    xytext=(0, 3), textcoords="offset points", fontsize=8, color=INK)
    ax.set_ylim(bottom=0)
    top = ax.get_ylim()[1]
    if chart.target is not None and chart.target[0] > 0.92 * top:
        ax.set_ylim(top=chart.target[0] * 1.12)
    ax.set_xlabel(chart.x_title)
    ax.set_ylabel(chart.y_title)
    ax.yaxis.set_major_formatter(FuncFormatter(_short))
    ax.grid(axis="y", color="#e6e6e6", linewidth=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    handles, labels = zip(*entries, strict=True)
    ax.legend(handles, labels, fontsize=8, frameon=False, loc="upper left",
              bbox_to_anchor=(0, -0.16), ncols=2)


def _short(value: float, _: Any = None) -> str:
    """Axis numbers: 1.2M, 350k, $4B is the caller's."""
    a = abs(value)
    if a >= 1e9:
        return f"{value / 1e9:g}B"
    if a >= 1e6:
        return f"{value / 1e6:g}M"
    if a >= 1e3:
        return f"{value / 1e3:g}k"
    return f"{value:g}"


def svg(chart: Chart, width: float = 7.5, height: float = 3.6) -> str:
    """One chart as an inline SVG element (text kept as text, so it is small and searchable)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with matplotlib.rc_context({"svg.fonttype": "none", "font.size": 9,
                                "svg.hashsalt": "removalsim"}):
        fig, ax = plt.subplots(figsize=(width, height), constrained_layout=True)
        draw(ax, chart)
        buffer = io.StringIO()
        fig.savefig(buffer, format="svg", metadata={"Date": None})
        plt.close(fig)
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def run_chart(result: Result, path: str | None = None, baseline: Result | None = None) -> Figure:
    """Removals by fiscal year, detention and beds, and court backlog side by side (PNG).

    Parameters
    ----------
    result
        The run to chart.
    path
        Write a PNG here if given.
    baseline
        A run to draw behind it, in grey.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    charts = {c.key: c for c in run_charts(result, baseline)}
    if baseline is not None:
        base = {c.key: c for c in run_charts(baseline)}
        for key in ("detention", "backlog"):
            for s in reversed(base[key].series):
                s.color = BASE
                s.name = s.name.replace(baseline.scenario.name,
                                        f"{baseline.scenario.name} (baseline)")
                charts[key].series.insert(0, s)
    fig, axes = plt.subplots(1, 3, figsize=(16, 5), constrained_layout=True)
    for ax, key in zip(axes, ("removals", "detention", "backlog"), strict=True):
        draw(ax, charts[key])
        ax.set_title(charts[key].title, loc="left", fontsize=10)
    fig.suptitle(result.summary(), fontsize=10, wrap=True)
    if path:
        fig.savefig(path, dpi=110)
        plt.close(fig)
    return fig
