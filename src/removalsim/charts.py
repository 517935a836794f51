"""Static charts of a run (matplotlib, PNG): removals, detention against beds, court backlog."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from removalsim.results import Result


def run_chart(result: Result, path: str | None = None, baseline: Result | None = None) -> Figure:
    """Three panels: removals by fiscal year (with the target), detention and beds, backlog.

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

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), constrained_layout=True)
    fy = result.fiscal_years
    width = 0.4 if baseline is not None else 0.8
    if baseline is not None:
        base = baseline.fiscal_years
        axes[0].bar(base.index - width / 2, base["removals"] / 1e3, width, color="#bbbbbb",
                    label=f"{baseline.scenario.name} (baseline)")
    offset = width / 2 if baseline is not None else 0
    axes[0].bar(fy.index + offset, fy["removals"] / 1e3, width, color="#1f5fa8",
                label=result.scenario.name)
    target = result.scenario.target
    if target is not None and target.per_year:
        axes[0].axhline(target.removals / 1e3, color="#c0392b", linestyle="--", label="target")
    axes[0].set_title("Removals by fiscal year (thousands)")
    axes[0].legend(fontsize=8)

    daily = result.daily
    if baseline is not None:
        axes[1].plot(baseline.daily.index, baseline.daily["detained"] / 1e3, color="#bbbbbb",
                     label="detained, baseline")
    axes[1].plot(daily.index, daily["detained"] / 1e3, color="#1f5fa8", label="detained")
    axes[1].plot(daily.index, daily["beds"] / 1e3, color="#444444", linestyle=":", label="beds")
    axes[1].set_title("Detention (thousands)")
    axes[1].legend(fontsize=8)

    backlog = ["at_large_pending_docket", "detained_court", "detained_appeal",
               "appeals_non_detained"]
    if baseline is not None:
        axes[2].plot(baseline.daily.index, baseline.daily[backlog].sum(axis=1) / 1e6,
                     color="#bbbbbb", label="baseline")
    axes[2].plot(daily.index, daily[backlog].sum(axis=1) / 1e6, color="#1f5fa8",
                 label=result.scenario.name)
    axes[2].set_title("Court backlog (millions)")
    axes[2].legend(fontsize=8)
    fig.suptitle(result.summary(), fontsize=10, wrap=True)
    if path:
        fig.savefig(path, dpi=110)
        plt.close(fig)
    return fig
