"""One self-contained HTML report of a scenario: the answer, charts, sources, method and limits.

The file opens with no network. By default its charts are interactive, with plotly.js (from the
``plotly`` package, about 5 MB) inlined; with ``lite`` they are static SVG drawn by matplotlib and
the file has no script at all (well under 1 MB). Both draw the same chart descriptions
(:func:`removalsim.charts.run_charts`). The report states the model and data versions, the
scenario hash and the date, and prints cleanly to PDF. With ``draws``, percentile bands from
:func:`removalsim.analysis.mc.monte_carlo` are added.
"""

from __future__ import annotations

import datetime as dt
import html
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from removalsim.yamlio import InputError

if TYPE_CHECKING:
    from removalsim.charts import Chart
    from removalsim.results import Result

_CSS = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;max-width:1100px;
 margin:2em auto;padding:0 1em;color:#1d2433;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{margin-top:1.8em;border-bottom:1px solid #d8dde6}
.answer{font-size:1.25em;font-weight:600;background:#f3f6fb;border-left:4px solid #2b59c3;
 padding:.7em 1em}
.cards{display:flex;flex-wrap:wrap;gap:.8em}.card{border:1px solid #d8dde6;border-radius:6px;
 padding:.6em .9em;min-width:180px}.card .big{font-size:1.35em;font-weight:700}
.card .band{color:#5a6478;font-size:.85em}
table{border-collapse:collapse;margin:.6em 0}
td,th{border-bottom:1px solid #e4e8ef;padding:.3em .7em;text-align:left;vertical-align:top}
td.n{text-align:right;font-variant-numeric:tabular-nums}
.muted{color:#5a6478;font-size:.9em}.chart{min-height:360px}
figure{margin:1em 0}figure svg{max-width:100%;height:auto}figcaption{color:#5a6478;font-size:.85em}
.stamp{font-size:.9em;color:#3b4455;border:1px solid #d8dde6;border-radius:4px;padding:.4em .7em;
 display:inline-block}
@media print{
 body{max-width:none;margin:0;padding:0;font-size:10.5pt;color:#000}
 @page{margin:14mm}
 h2{break-after:avoid}h3{break-after:avoid}
 figure,.chart,table,.card,.answer{break-inside:avoid}
 .chart{min-height:0}.modebar-container{display:none!important}
 a{color:inherit;text-decoration:none}
 a[href^="http"]::after{content:" (" attr(href) ")";font-size:.8em;color:#444;word-break:break-all}
 .answer{background:none;border-left:3px solid #000}
}
"""


def _e(text: object) -> str:
    return html.escape(str(text))


def _num(x: float | None, digits: int = 0) -> str:
    return "-" if x is None else f"{x:,.{digits}f}"


def _money(x: float | None) -> str:
    from removalsim.cli import money

    return "-" if x is None else money(x)


def build_report(scenario: str, *, draws: int | None = None, seed: int = 0,
                 years: float | None = None, lite: bool = False) -> str:
    """The report's HTML text (static SVG charts and no script with ``lite``).

    Raises
    ------
    InputError
        On a bad scenario or number of draws, or when Monte Carlo is not available.
    """
    from removalsim.model import run

    result = run(scenario, years=years)
    mc = None
    if draws:
        try:
            from removalsim.analysis.mc import monte_carlo
        except ImportError as error:  # pragma: no cover - depends on another module
            raise InputError(f"--draws needs removalsim.analysis.mc ({error})") from None
        mc = monte_carlo(result.scenario, draws, seed)
    return _page(result, mc, lite)


def write_report(scenario: str, path: Path, *, draws: int | None = None, seed: int = 0,
                 years: float | None = None, lite: bool = False) -> Path:
    """Write the report to ``path`` (nothing is written if the run fails)."""
    text = build_report(scenario, draws=draws, seed=seed, years=years, lite=lite)
    path.write_text(text, encoding="utf-8")
    return path


def _page(result: Result, mc: Any | None, lite: bool) -> str:
    from removalsim.charts import run_charts, svg

    h = result.headline
    figures = []
    for chart in run_charts(result, mc=mc):
        drawn = svg(chart) if lite else _plotly(chart)
        figures.append(f'<figure class="chart" id="chart-{chart.key}"><h3>{_e(chart.title)}</h3>'
                       f'{drawn}<figcaption>{_e(chart.note)}</figcaption></figure>')
    script = "" if lite else f"<script>{_plotly_js()}</script>"
    stamp = (f"Model {h['model_version']} · data {h['data_version']} · scenario "
             f"{h['scenario']}, hash {h['scenario_hash']} · written {dt.date.today().isoformat()}"
             f" · prices in {h['price_year']} dollars")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>removalsim report: {_e(h['scenario'])}</title>
<link rel="icon" href="data:,">
<style>{_CSS}</style>
{script}
</head><body>
<h1>removalsim: {_e(h['scenario'])}</h1>
<p class="stamp" id="stamp">{_e(stamp)}</p>
<p class="muted">{_e(h['description'])}</p>
<p class="answer" id="answer">{_e(result.summary())}</p>
<h2>Headline numbers</h2>
{_cards(h, mc)}
<h2>Charts</h2>
{"".join(figures)}
<h2>What limits removals, and what more of each resource buys</h2>
{_binding(h)}
<h2>Changed parameters and sources</h2>
{_sources(result)}
<h2>Method and limits</h2>
{_method(h, mc)}
<p class="muted">{_e(stamp)}</p>
</body></html>
"""


def _plotly_js() -> str:
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _cards(h: dict[str, Any], mc: Any | None) -> str:
    from removalsim.results import binding_words

    rows = [
        ("Removals, total", "removals_total", _num(h["removals_total"])),
        ("Removals per year", "removals_per_year", _num(h["removals_per_year"])),
        ("Detention peak", "detention_peak", _num(h["detention_peak"])),
        ("Court backlog at end", "court_backlog_end", _num(h["court_backlog_end"])),
        (f"Cost, total ({h['price_year']} $)", "cost_total_usd", _money(h["cost_total_usd"])),
        ("Cost per removal", "cost_per_removal_usd", _money(h["cost_per_removal_usd"])),
        ("What limits removals", None, binding_words(h)),
    ]
    if h["target"]:
        years = h["years_to_target"]
        rows.insert(2, ("Years to target", "years_to_target",
                        "not within horizon" if years is None else f"{years:.1f}"))
    cards = []
    for name, key, value in rows:
        band = ""
        if mc is not None and key in mc.percentiles:
            p = mc.percentiles[key]
            digits = 1 if key == "years_to_target" else 0
            fmt = _money if key.startswith("cost") else partial(_num, digits=digits)
            band = (f'<div class="band">P5-P95: {_e(_band(fmt, p["p5"]))} to '
                    f'{_e(_band(fmt, p["p95"]))}</div>')
        cards.append(f'<div class="card"><div>{_e(name)}</div><div class="big">{_e(value)}</div>'
                     f"{band}</div>")
    extra = ""
    if mc is not None and mc.p_target is not None:
        extra = (f"<p>Probability of reaching the target within the horizon: "
                 f"<b>{mc.p_target:.0%}</b> ({mc.draws:,} draws, seed {mc.seed}).</p>")
    return f'<div class="cards" id="headline">{"".join(cards)}</div>{extra}'


def _band(fmt: Any, x: float) -> str:
    return "beyond horizon" if x == float("inf") else fmt(x)


def _plotly(chart: Chart) -> str:
    """One chart drawn by plotly, as an HTML fragment (plotly.js is inlined once, elsewhere)."""
    import plotly.graph_objects as go

    fig = go.Figure()
    for s in chart.series:
        if s.kind == "bar":
            error = None
            if s.low is not None and s.high is not None:
                error = {"type": "data", "symmetric": False, "color": "#333333",
                         "array": [max(0.0, hi - y) for hi, y in zip(s.high, s.y, strict=True)],
                         "arrayminus": [max(0.0, y - lo) for lo, y in zip(s.low, s.y, strict=True)]}
            fig.add_bar(x=s.x, y=s.y, name=s.name, error_y=error, marker={
                "color": s.color, "pattern": {"shape": ["/" if h else "" for h in s.hatched or []],
                                              "fillmode": "overlay", "fgcolor": "#ffffff"}})
            continue
        if s.low is not None and s.high is not None:
            fig.add_scatter(x=s.x, y=s.high, mode="lines", line={"width": 0}, showlegend=False,
                            hoverinfo="skip")
            fig.add_scatter(x=s.x, y=s.low, mode="lines", line={"width": 0}, fill="tonexty",
                            fillcolor="rgba(31,95,168,0.2)", name=f"{s.name} P5-P95")
        fig.add_scatter(x=s.x, y=s.y, mode="lines", name=s.name,
                        line={"color": s.color, "dash": "dot" if s.dashed else "solid"})
    if chart.target is not None:
        value, text = chart.target
        fig.add_hline(y=value, line={"dash": "dash", "color": "#333333", "width": 1.2},
                      annotation_text=text, annotation_position="top left")
    fig.update_layout(barmode="stack" if chart.stacked else "group", height=360,
                      margin={"l": 10, "r": 20, "t": 30, "b": 10}, template="plotly_white",
                      legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
                      xaxis={"title": {"text": chart.x_title}, "automargin": True},
                      yaxis={"title": {"text": chart.y_title}, "automargin": True,
                             "rangemode": "tozero"})
    if any(s.kind == "bar" for s in chart.series):
        fig.update_xaxes(type="category")
    return fig.to_html(full_html=False, include_plotlyjs=False,
                       config={"displaylogo": False, "responsive": True})


def _binding(h: dict[str, Any]) -> str:
    from removalsim.vocabulary import label

    shares = "".join(f'<tr><td>{_e(label(s))}</td><td class="n">{v:.0%}</td></tr>'
                     for s, v in h["binding_share"].items())
    marginal = "".join(
        f'<tr><td>{_e(label(name))}</td><td class="n">{_num(extra)}</td>'
        f'<td class="n">{"-" if per is None else _num(per, 1)}</td></tr>'
        for name, extra in h["marginal_removals"].items()
        for per in [h["marginal_removals_per_million_usd"][name]])
    return (f"<p>Share of days each stage limits removals:</p><table id='binding'>"
            f"<tr><th>stage</th><th>share of days</th></tr>{shares}</table>"
            f"<p>Extra removals over the horizon from 10% more of each resource:</p>"
            f"<table id='marginal'><tr><th>resource</th><th>extra removals</th>"
            f"<th>per extra $1M ({h['price_year']} $)</th></tr>{marginal}</table>")


def _sources(result: Result) -> str:
    from removalsim.cli.tables import number
    from removalsim.model import RESOURCES
    from removalsim.params import default_tree

    tree = default_tree()
    scenario = result.scenario
    changed = []
    for name, dated in sorted(scenario.changes.items()):
        values = "; ".join(f"{d.isoformat()}: {number(v)}" for d, v in sorted(dated.items()))
        changed.append(f"<tr><td><code>{_e(name)}</code></td><td>{_e(tree[name].description)}"
                       f"</td><td>{_e(values)} {_e(tree[name].unit)}</td>"
                       f"<td>{_cite(tree[name], scenario.start)}</td></tr>")
    changes = (f"<p>The scenario changes these parameters (values from the scenario file; the "
               f"last column cites the parameter's value in force at the start):</p>"
               f"<table id='changes'><tr><th>parameter</th><th>what</th><th>scenario values</th>"
               f"<th>source of the file value</th></tr>{''.join(changed)}</table>"
               if changed else "<p>The scenario changes no parameters.</p>")
    rows = []
    for label, name in RESOURCES.items():
        param = tree[name]
        value = param.value_at(scenario.start)
        rows.append(f"<tr><td>{_e(label)}</td><td class='n'>{_e(number(value))}</td>"
                    f"<td>{_e(param.unit)}</td><td>{_cite(param, scenario.start)}</td></tr>")
    return (changes + f"<p>Resources in the parameter files at the start "
            f"({scenario.start.isoformat()}):</p><table id='resources'><tr><th>resource</th>"
            f"<th>value</th><th>unit</th><th>source</th></tr>{''.join(rows)}</table>")


def _cite(param: Any, day: dt.date) -> str:
    entry = param.reference_at(day)
    ref = entry.reference
    if ref is None:
        return f"assumption: {_e(entry.reason)}"
    title = (f'<a href="{_e(ref.href)}">{_e(ref.title)}</a>' if ref.href
             else f"{_e(ref.title)} ({_e(ref.document)})")
    about = ", ".join(_e(x) for x in (ref.publisher, ref.published, ref.tier) if x)
    return f"{title}{f' <span class=src>({about})</span>' if about else ''}"


def _method(h: dict[str, Any], mc: Any | None) -> str:
    bands = (f"<li>Bands are the P5-P95 range over {mc.draws:,} draws of the uncertain "
             f"assumptions (seed {mc.seed}); levers stay as the scenario sets them.</li>"
             if mc is not None else
             "<li>No uncertainty bands: run with <code>--draws N</code> to add them.</li>")
    return f"""<ul>
<li>A daily stock-and-flow model of the pipeline from arrest to removal: arrests (officers and
jail transfers), detention beds, credible-fear screening, immigration courts and removal
transport. Each stage passes on at most its capacity each day; the binding constraint is the
stage that limits removals on the most days.</li>
<li>Costs are resource costs at cited rates (officer-years, bed-days and new-bed construction,
judge-years, flight hours, land removals) in {h['price_year']} dollars, converted with CPI-U.</li>
<li>Marginal values re-run the model with 10% more of one resource over the whole horizon.</li>
{bands}
<li>Limits: aggregate statistics only; people are not individuals but flows. Findability,
self-departure and the response to enforcement are uncertain assumptions with wide ranges.
Hiring, training and construction delays are in the dated parameter values, not modelled
as queues. Costs leave out the wider fiscal and economic effects (lost tax revenue, labour
markets) that some published estimates include.</li>
</ul>"""
