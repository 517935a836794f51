"""The documentation site's pages generated from the code and data, so they cannot disagree with it.

:func:`generate` returns every generated page and chart (the parameter groups, the shipped
scenarios with their answers, the glossary of the model's vocabulary) and the blocks that
hand-written pages embed with ``<!-- generated: NAME -->`` (the answers, the table of parameters,
the backtest, the nowcast and the published estimates). It renders whatever fields the parameter
files, references and results carry, so new fields appear without a change here. Nothing here
imports MkDocs: ``tools/docs_hooks.py`` hands the files to the site build.

>>> cell("a | b\\nc")
'a \\\\| b c'
"""

from __future__ import annotations

import datetime as dt
import io
import json
import tempfile
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from removalsim.params import DatedValue, Parameter
    from removalsim.results import Result
    from removalsim.scenario import Scenario

PARAMETERS = "parameters"
SCENARIOS = "scenarios"
BACKTEST_CHART = "validation/backtest.svg"
NOWCAST_CHART = "validation/nowcast.svg"
GENERATED_NOTE = (
    "!!! note \"Generated\"\n    This page is generated from the code and data of removalsim "
    "{version} (data {data}) when the site is built. Do not edit it: edit the {what}.\n"
)


@dataclass(frozen=True)
class DocFile:
    """One generated file of the site.

    Attributes
    ----------
    path
        Path under the docs folder, with ``/``.
    content
        Markdown text for a page, bytes for a chart.
    title
        The page's title in the navigation (None for a chart).
    """

    path: str
    content: str | bytes
    title: str | None = None


@dataclass
class Generated:
    """Everything :func:`generate` makes.

    Attributes
    ----------
    files
        Generated pages and charts.
    sections
        For each generated section's index page, the section's pages in order (path, title).
    blocks
        Markdown that hand-written pages embed with ``<!-- generated: NAME -->``.
    """

    files: list[DocFile] = field(default_factory=list)
    sections: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    blocks: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------------------------------------
# Formatting


def cell(text: object) -> str:
    """Text safe inside a Markdown table cell (no pipe, no line break)."""
    return " ".join(str(text).split()).replace("|", "\\|")


def table(header: Iterable[str], rows: Iterable[Iterable[object]]) -> str:
    """A Markdown table."""
    head = [cell(h) for h in header]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines) + "\n"


def number(value: object, key: str = "") -> str:
    """A value as a reader wants it, guided by the name of its key.

    Dollars (``*usd``, not ``*per_million_usd``) shortened, shares in percent, percentage errors
    (``mape*``, ``*_pct``) with a percent sign, years plain, other numbers with thousands
    separated.

    >>> number(2.5e9, "cost_usd"), number(0.25, "binding_share"), number(4.81, "mape_fit")
    ('$2.5B', '25%', '4.8%')
    >>> number(2019, "fit_years"), number(1234.5), number(35.39, "removals_per_million_usd")
    ('2019', '1,234', '35.4')
    """
    from removalsim.cli import money

    if value is None:
        return "-"
    if isinstance(value, bool):
        return "on" if value else "off"
    if not isinstance(value, int | float):
        return str(value)
    if value != value or value in (float("inf"), float("-inf")):  # nan or infinite
        return str(value)
    if key.endswith("usd") and "per_million" not in key:
        return money(float(value))
    if "share" in key and 0 <= value <= 1:
        return f"{value:.0%}"
    if "mape" in key or key.endswith("_pct"):
        return f"{value:.1f}%"
    if "year" in key and float(value).is_integer() and 1900 <= value <= 2100:
        return str(int(value))
    if abs(value) >= 100 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:.3g}"


def render(data: Mapping[str, Any], skip: Iterable[str] = ()) -> str:
    """Render a JSON-like mapping: scalars in one table, each mapping of scalars and each list of
    records as its own table (mappings with the same keys share a table).

    Used for the outputs of runs and commands, so new keys appear without a change here.
    """
    skipped = set(skip)
    scalars: list[tuple[str, object]] = []
    tables: dict[tuple[str, ...], list[tuple[str, Mapping[str, Any]]]] = {}
    records: list[tuple[str, list[Mapping[str, Any]]]] = []
    nested: list[tuple[str, Mapping[str, Any]]] = []
    for key, value in data.items():
        if key in skipped:
            continue
        if isinstance(value, Mapping) and all(not isinstance(v, Mapping | list)
                                              for v in value.values()):
            tables.setdefault(tuple(value), []).append((key, value))
        elif isinstance(value, Mapping):
            nested.append((key, value))
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            records.append((key, value))
        elif isinstance(value, list):
            scalars.append((key, ", ".join(number(v, key) for v in value) or "-"))
        else:
            scalars.append((key, value))
    parts = []
    if scalars:
        parts.append(table(["", "value"], [(f"`{k}`", number(v, k)) for k, v in scalars]))
    for keys, members in tables.items():
        header = ["", *(f"`{k}`" for k, _ in members)]
        parts.append(table(header, [(k, *(number(m[k], name) for name, m in members))
                                    for k in keys]))
    for key, rows in records:
        columns = list(dict.fromkeys(c for row in rows for c in row))
        parts.append(f"`{key}`\n\n" + table(
            columns, [[number(row.get(c), c) if not isinstance(row.get(c), Mapping | list)
                       else json.dumps(row.get(c), default=str) for c in columns]
                      for row in rows]))
    for key, value in nested:
        parts.append(f"`{key}`\n\n" + render(value))
    return "\n".join(parts)


def _svg(fig: Figure, tight: bool = True) -> bytes:
    """A figure as SVG bytes, identical from build to build (no date, fixed ids)."""
    import matplotlib

    buffer = io.BytesIO()
    with matplotlib.rc_context({"svg.hashsalt": "removalsim", "svg.fonttype": "none"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None},
                    bbox_inches="tight" if tight else None)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Parameters


def groups(tree: Mapping[str, Parameter]) -> dict[str, dict[str, Parameter]]:
    """Parameters by group: the first part of their name (their folder)."""
    out: dict[str, dict[str, Parameter]] = {}
    for name, param in tree.items():
        out.setdefault(name.split(".")[0], {})[name] = param
    return out


def changed_by(scenarios: Mapping[str, Scenario]) -> dict[str, list[str]]:
    """For each parameter, the shipped scenarios that change it (directly or via a baseline)."""
    out: dict[str, list[str]] = {}
    for name, scenario in scenarios.items():
        for param in scenario.changes:
            out.setdefault(param, []).append(name)
    return out


def value_chart(name: str, param: Parameter) -> bytes | None:
    """A small step chart of a numeric parameter's dated values, with its uncertainty range.

    Returns None for a switch, a choice, or a parameter with a single value.
    """
    if param.is_switch or param.choices is not None or len(param.values) < 2:
        return None
    from matplotlib.figure import Figure

    dates = sorted(param.values)
    end = max(dates[-1] + dt.timedelta(days=730), dt.date(dates[-1].year + 1, 1, 1))
    xs = [*dates, end]
    ys = [float(param.values[d].value) for d in dates]
    fig = Figure(figsize=(6.4, 2.0))
    ax = fig.add_subplot()
    ranges = [param.range_at(d) for d in dates]
    if all(low is not None and high is not None for low, high in ranges):
        ax.fill_between(xs, [r[0] for r in ranges] + [ranges[-1][0]],
                        [r[1] for r in ranges] + [ranges[-1][1]], step="post",
                        color="#1f5fa8", alpha=0.15, linewidth=0)
    ax.step(xs, [*ys, ys[-1]], where="post", color="#1f5fa8", linewidth=1.6)
    ax.plot(dates, ys, "o", color="#1f5fa8", markersize=3)
    ax.set_ylabel(param.unit, fontsize=8)
    ax.tick_params(labelsize=8)
    ax.grid(alpha=0.3)
    ax.set_title(name, fontsize=9, loc="left")
    return _svg(fig)


def _source(entry: DatedValue) -> str:
    """A value's source: its title (a link when it has one), then every other field of the
    reference (``document`` names a document with no page to link); or the reason."""
    ref = entry.reference
    if ref is None:
        return f"assumption: {entry.reason}"
    fields = ref.model_dump(exclude_none=True, exclude={"title", "href"})
    extra = " · ".join(f"{k}: {v}" for k, v in fields.items())
    title = f"[{ref.title}]({ref.href})" if ref.href else ref.title
    return title + (f" · {extra}" if extra else "")


_SHOWN_ENTRY = {"value", "reference", "reason", "status", "low", "high", "price_year"}
_SHOWN_PARAM = {"description", "unit", "kind", "status", "values", "uncertainty", "ui"}


def _entry_value(entry: DatedValue) -> str:
    shown = number(entry.value) if not isinstance(entry.value, str) else f"`{entry.value}`"
    return f"{shown} ({entry.price_year} $)" if entry.price_year else shown


def parameter_section(name: str, param: Parameter, scenarios: list[str], chart: str | None) -> str:
    """One parameter: what it is, its dated values with their sources, ranges and scenarios."""
    lines = [f"## `{name}` {{#{name}}}\n", f"{param.description}\n"]
    facts = [("unit", param.unit), ("kind", param.kind), ("status", param.status)]
    if param.ui is not None:
        facts.append(("valid range", f"{number(param.ui.min)} to {number(param.ui.max)} "
                      f"(step {number(param.ui.step)})"))
    if param.uncertainty is not None:
        spread = param.uncertainty
        bounds = (f", {number(spread.low)} to {number(spread.high)}"
                  if spread.low is not None and spread.high is not None else " (range by value)")
        facts.append(("uncertainty", spread.distribution + bounds))
    for key, value in param.model_dump(exclude_none=True, exclude=_SHOWN_PARAM).items():
        facts.append((key, json.dumps(value, default=str)))
    lines.append(table([k for k, _ in facts], [[v for _, v in facts]]))
    if chart:
        lines.append(f"![{name}: dated values]({chart})\n")
    rows = []
    for day in sorted(param.values):
        entry = param.values[day]
        low, high = param.range_at(day)
        span = "-" if low is None or high is None else f"{number(low)} to {number(high)}"
        others = entry.model_dump(exclude_none=True, exclude=_SHOWN_ENTRY)
        source = _source(entry) + "".join(f" · {k}: {v}" for k, v in others.items())
        rows.append([day.isoformat(), _entry_value(entry),
                     entry.status or param.status, span, source])
    lines.append(table(["from", "value", "status", "range", "source"], rows))
    if scenarios:
        links = ", ".join(f"[`{s}`](../{SCENARIOS}/{s}.md)" for s in scenarios)
        lines.append(f"Changed by the shipped scenarios: {links}.\n")
    else:
        lines.append("No shipped scenario changes it.\n")
    return "\n".join(lines)


def parameter_pages(tree: Mapping[str, Parameter], scenarios: Mapping[str, Scenario],
                    note: str) -> tuple[list[DocFile], list[tuple[str, str]], str]:
    """One page per parameter group with its charts; the group pages in order; and the table of
    every parameter for the hand-written index page."""
    files: list[DocFile] = []
    section: list[tuple[str, str]] = []
    users = changed_by(scenarios)
    overview = []
    for group, members in groups(tree).items():
        path = f"{PARAMETERS}/{group}.md"
        title = group.replace("_", " ").capitalize()
        parts = [f"# {title}\n", note,
                 f"{len(members)} parameters. Their files are under "
                 f"`src/removalsim/parameters/{group}/`.\n"]
        for name, param in members.items():
            svg = value_chart(name, param)
            chart = None
            if svg is not None:
                chart = f"charts/{name}.svg"
                files.append(DocFile(f"{PARAMETERS}/{chart}", svg))
            parts.append(parameter_section(name, param, users.get(name, []), chart))
            overview.append((f"[`{name}`]({group}.md#{name})", param.description, param.unit,
                             param.kind, param.status))
        files.append(DocFile(path, "\n".join(parts), title))
        section.append((path, title))
    index = (f"{len(tree)} parameters in {len(section)} groups.\n\n"
             + table(["parameter", "description", "unit", "kind", "status"], overview))
    return files, section, index


# ---------------------------------------------------------------------------------------------
# Scenarios


def _baseline_name(name: str) -> str:
    from removalsim.scenario import shipped
    from removalsim.yamlio import read_yaml_file

    data, _ = read_yaml_file(shipped()[name])
    return str(data.get("baseline", "defaults"))


def _target_words(scenario: Scenario) -> str:
    from removalsim.results import describe_segments

    target = scenario.target
    if target is None:
        return "none"
    words = f"{target.removals:,} removals of {describe_segments(target.segments)}"
    return words + (" a year" if target.per_year else "")


def scenario_page(name: str, result: Result, tree: Mapping[str, Parameter], note: str) -> str:
    """A shipped scenario: what it asks, its changes, its answer, the fiscal years and a chart."""
    scenario = result.scenario
    baseline = _baseline_name(name)
    base_link = baseline if baseline == "defaults" else f"[`{baseline}`]({baseline}.md)"
    facts = table(["start", "horizon", "target", "hold values from", "baseline"], [[
        scenario.start.isoformat(), f"{scenario.years:g} years", _target_words(scenario),
        scenario.hold.isoformat() if scenario.hold else "-", base_link]])
    changes = []
    for param, dated in sorted(scenario.changes.items()):
        group = param.split(".")[0]
        for day, value in sorted(dated.items()):
            before = tree[param].value_at(day)
            changes.append([f"[`{param}`](../{PARAMETERS}/{group}.md#{param})", day.isoformat(),
                            number(value), number(before)])
    change_text = (table(["parameter", "from", "value", "in the files then"], changes)
                   if changes else "None: it runs the parameter files as they are.\n")
    fiscal = result.fiscal_years
    fiscal_rows = [[f"`{column}`", *(number(v, column) for v in fiscal[column])]
                   for column in fiscal.columns]
    years = [f"FY{fy}" for fy in fiscal.index]
    return "\n".join([
        f"# {name}\n", note,
        f"{scenario.description}\n",
        facts,
        "## Changes\n",
        "Parameter changes from their dates on, its baseline's included.\n",
        change_text,
        "## Answer\n",
        f"**{result.summary()}**\n",
        f"![{name}: removals, detention and court backlog]({name}.svg)\n" if charted(result)
        else "",
        f"### Headline numbers\n\nAs `removalsim run {name} --json` gives them.\n",
        render(result.headline, skip=("scenario", "description", "removals_by_fiscal_year")),
        "## By fiscal year\n",
        "Flows are summed over the days of the year in the run (`days`); stocks are averages "
        "or year-end values.\n",
        table(["", *years], fiscal_rows),
        "## Reproduce\n",
        f"```sh\nremovalsim run {name}\nremovalsim run {name} --json\n```\n",
    ])


def charted(result: Result) -> bool:
    """Whether a scenario's page shows its run's chart: not for one-year replays (their record
    is charted on the validation page), which also keeps the build fast."""
    return _kind(result.scenario) != "replays"


def scenario_chart(result: Result) -> bytes:
    """The run's chart (removals, detention, backlog) as SVG."""
    import matplotlib.pyplot as plt

    fig = result.plot()
    try:
        return _svg(fig, tight=False)
    finally:
        plt.close(fig)


def _kind(scenario: Scenario) -> str:
    if scenario.target is not None:
        return "questions"
    return "baselines" if scenario.years > 1.5 else "replays"


_KINDS = {
    "questions": "The questions: scenarios with a target",
    "baselines": "Baselines: the resources of a year, carried forward",
    "replays": "One-year replays of the record",
}


def answers(results: Mapping[str, Result], prefix: str) -> str:
    """The shipped scenarios' answers, one sentence each, grouped by what they ask."""
    parts = []
    for kind, heading in _KINDS.items():
        chosen = {n: r for n, r in results.items() if _kind(r.scenario) == kind}
        if not chosen:
            continue
        if kind == "replays":
            rows = [(f"[`{n}`]({prefix}{n}.md)", number(r.headline["removals_total"]),
                     r.headline["binding_constraint"]) for n, r in chosen.items()]
            parts.append(f"**{heading}**\n\n" + table(["scenario", "removals", "binding"], rows))
        else:
            items = "\n".join(f"- [`{n}`]({prefix}{n}.md): {r.summary()}"
                              for n, r in chosen.items())
            parts.append(f"**{heading}**\n\n{items}\n")
    return "\n".join(parts)


def scenario_pages(results: Mapping[str, Result], tree: Mapping[str, Parameter],
                   note: str) -> tuple[list[DocFile], list[tuple[str, str]]]:
    """One page and one chart per shipped scenario, and the scenarios' index page."""
    files: list[DocFile] = []
    section = []
    for name, result in results.items():
        files.append(DocFile(f"{SCENARIOS}/{name}.md", scenario_page(name, result, tree, note),
                             name))
        if charted(result):
            files.append(DocFile(f"{SCENARIOS}/{name}.svg", scenario_chart(result)))
        section.append((f"{SCENARIOS}/{name}.md", name))
    index = "\n".join([
        "# Scenarios\n", note,
        "A scenario is a YAML file: a baseline, a start date, a horizon, a target and dated "
        "parameter changes ([Writing a scenario](../guides/scenario.md)). These ship with the "
        "package; `removalsim scenarios` lists them.\n",
        answers(results, ""),
    ])
    files.append(DocFile(f"{SCENARIOS}/index.md", index, "Scenarios"))
    return files, section


# ---------------------------------------------------------------------------------------------
# Validation


def svg_of(plot: Callable[[Any, str], None], result: Any) -> bytes:
    """The SVG a chart function draws for a result (it writes files, the site wants bytes)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "chart.svg"
        plot(result, str(path))
        return path.read_bytes()


def backtest_block() -> tuple[str, bytes]:
    """The backtest's years, chart, errors by set of years and per-series tables; the chart."""
    from removalsim.analysis.backtest import backtest, plot

    result = backtest()
    data = result.to_json()
    chart = svg_of(plot, result)
    fit = ", ".join(map(str, result.fit_years))
    test = ", ".join(map(str, result.test_years)) or "none"
    per_metric = []
    annual = [r for r in data["rows"] if r["month"] is None]
    for metric in dict.fromkeys(r["metric"] for r in annual):
        rows = [r for r in annual if r["metric"] == metric]
        per_metric.append(f"### `{metric}`\n\n" + table(
            ["FY", "set", "model", "record", "error"],
            [(r["fiscal_year"], result.role(r["fiscal_year"]), number(r["predicted"]),
              number(r["actual"]),
              "-" if r["error_pct"] is None else f"{r['error_pct']:+.1f}%") for r in rows]))
    text = "\n".join([
        f"One continuous replay from {data['split']['replay']}. Years used to fit the "
        f"calibrated values: FY {fit}. Years **left out of the fit** (the holdout): FY {test}. "
        "Monthly values are in `removalsim backtest --json`.\n",
        f"![Backtest: model against the record]({BACKTEST_CHART})\n",
        "### Errors by set of years\n",
        "Mean absolute percentage error per series, on the fit years, the left-out years and "
        "all scored years.\n",
        render(data, skip=("rows", "series", "era_constants", "fitted")),
        *per_metric,
    ])
    return text, chart


def estimates_block() -> str:
    """Each published estimate, our reproduction and the model's answer, then each in detail."""
    from removalsim.unitcost import side_by_side

    rows = side_by_side()
    summary = []
    details = []
    for row in rows:
        first = row["published"][0]
        verdict = "matches" if first["matches"] else "differs"
        summary.append((f"[{row['study']}]({row['url']})", first["metric"],
                        number(first["published"], "usd"),
                        f"{number(first['reproduced'], 'usd')} ({verdict})",
                        number(row["model"].get("cost_per_removal_usd"), "usd"),
                        row["model"]["sentence"]))
        numbers = table(["number", "published", "reproduced", "difference", "matches"], [
            (p["metric"], number(p["published"], "usd"), number(p["reproduced"], "usd"),
             "-" if p["relative_difference"] is None else f"{p['relative_difference']:+.1%}",
             "yes" if p["matches"] else "no") for p in row["published"]])
        reasons = "\n".join(f"- {r}" for r in row["differs_because"])
        details.append(f"### {row['study']}\n\n[{row['title']}]({row['url']}). "
                       f"{row['question']}\n\n{numbers}\n"
                       f"Why the model's answer differs:\n\n{reasons}\n")
    return "\n".join([
        f"The model's answers are in {rows[0]['model_price_year'] if rows else ''} dollars.\n",
        table(["study", "number", "published", "reproduced", "model: per removal",
               "model: answer"], summary),
        *details,
    ])


def nowcast_block() -> tuple[str, bytes]:
    """The nowcast by fiscal year, ICE's removals to date against the model, and its chart."""
    from removalsim.analysis.nowcast import nowcast, plot

    result = nowcast()
    data = result.to_json()
    chart = svg_of(plot, result)
    fitted = (f"FY{result.fit_years[0]}-FY{result.fit_years[-1]}" if result.fit_years
              else "nothing (no calibration in force)")
    years = table(["FY", "series", "model", "5-95%", "record"], [
        (r["fiscal_year"], r["metric"], number(r["predicted"]),
         f"{number(r['p5'])}-{number(r['p95'])}", number(r["actual"]))
        for r in data["fiscal_years"]])
    to_date = table(["through", "model", "5-95%", "ICE", "error"], [
        (r["through"], number(r["predicted"]), f"{number(r['p5'])}-{number(r['p95'])}",
         number(r["actual"]), f"{100 * (r['predicted'] - r['actual']) / r['actual']:+.1f}%")
        for r in data["removals_to_date"]])
    return "\n".join([
        "## Nowcast: FY2026-FY2027\n",
        f"`removalsim nowcast`: the replay run on past the fit (fitted on {fitted}, nothing "
        f"after 30 September 2025), with the levers on record since, compared with the record to "
        f"{data['record_end']} and run on to {data['forecast_to']}. Bands: 5th-95th percentile "
        f"over {data['draws']} draws of the uncertain assumptions.\n",
        f"![Nowcast: model and record by month]({NOWCAST_CHART})\n",
        "### ICE removals in the fiscal year to date\n", to_date,
        "### By fiscal year\n", years,
    ]), chart


def holdout_block() -> str:
    """The temporal split: fit FY2012-2019 only, score FY2022-2025, with what was fitted."""
    from removalsim.analysis.backtest import DEFAULT_FIT_YEARS, DEFAULT_TEST_YEARS, backtest

    result = backtest(DEFAULT_FIT_YEARS, DEFAULT_TEST_YEARS, refit=True)
    data = result.to_json()
    series = [m for m, v in data["series"].items() if v["mape_fit"] is not None
              or v["mape_test"] is not None]
    mape = table(["series", f"fit {data['split']['fit']}", f"test {data['split']['test']}"], [
        (f"`{m}`", _pct(data["series"][m]["mape_fit"]), _pct(data["series"][m]["mape_test"]))
        for m in series])
    fitted = table(["value", "fitted", "range", "at a bound"], [
        (f"`{f['name']}`", f"{f['value']:.4g}", f"{f['low']:g}-{f['high']:g}",
         "yes" if f["at_bound"] else "no") for f in data["fitted"]])
    eras = table(["value", "changes on", "reasons"], [
        (f"`{e['name']}`", ", ".join(e["dates"]), "; ".join(str(r) for r in e["reasons"]))
        for e in data["era_constants"]["items"]])
    return "\n".join([
        "### The holdout: fitted on FY2012-FY2019, scored on FY2022-FY2025\n",
        "`removalsim backtest --fit 2012-2019 --test 2022-2025`: the behavioural values are "
        "fitted on the first window alone, and the replay is then scored on the second, which "
        "the fit never saw. MAPE of fiscal-year values; targets for `removals` and `adp`: at "
        "most 15% on the fit years and 25% on the test years.\n",
        mape, "\nThe fitted values:\n", fitted,
        f"\nEra constants ({data['era_constants']['count']}): behavioural values that change "
        "by date, with the reason each gives.\n", eras,
    ])


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}%"


# ---------------------------------------------------------------------------------------------
# Glossary


def glossary_page(note: str) -> DocFile:
    """The model's vocabulary: every name of a cell, stage, capacity, route and output."""
    from removalsim.vocabulary import as_dict

    parts = ["# Glossary\n", note,
             "The names the model uses for its population cells, stages, capacities, removal "
             "routes and outputs, from `removalsim.vocabulary`: the engine, the results, the "
             "API and these pages all read them from there.\n"]
    for kind, terms in as_dict().items():
        parts.append(f"## {kind.replace('_', ' ').capitalize()}\n")
        parts.append(table(["name", "label", "unit", "meaning"],
                           [(f"`{t['name']}`", t["label"], t["unit"], t["meaning"])
                            for t in terms]))
    return DocFile("glossary.md", "\n".join(parts), "Glossary")


# ---------------------------------------------------------------------------------------------


def generate() -> Generated:
    """Run every shipped scenario, the backtest and the estimates, and write their pages.

    Returns
    -------
    Generated
        The pages and charts, the generated sections' page lists, and the embedded blocks.
    """
    from removalsim.model import data_version, model_version, run
    from removalsim.params import default_tree
    from removalsim.scenario import load_scenario, shipped

    tree = default_tree()
    results = {name: run(name) for name in shipped()}
    scenarios = {name: load_scenario(name) for name in shipped()}

    def note(what: str) -> str:
        return GENERATED_NOTE.format(version=model_version(), data=data_version(), what=what)

    out = Generated()
    files, section, out.blocks["parameter-table"] = parameter_pages(tree, scenarios,
                                                                    note("parameter files"))
    out.files += files
    out.sections[f"{PARAMETERS}/index.md"] = section
    files, section = scenario_pages(results, tree, note("scenario files"))
    out.files += files
    out.sections[f"{SCENARIOS}/index.md"] = section
    out.blocks["backtest"], chart = backtest_block()
    out.files.append(DocFile(BACKTEST_CHART, chart))
    out.blocks["nowcast"], chart = nowcast_block()
    out.files.append(DocFile(NOWCAST_CHART, chart))
    out.blocks["fit-results"] = holdout_block()
    out.blocks["estimates"] = estimates_block()
    out.files.append(glossary_page(note("vocabulary module")))
    out.blocks["answers"] = answers(results, f"{SCENARIOS}/")
    out.blocks["version"] = f"removalsim {model_version()}, data {data_version()}"
    return out
