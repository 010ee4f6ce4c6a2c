"""Charts comparing a portfolio of scenarios against a baseline, and :func:`comparison_charts`.

Time charts take ``timeseries_by_scenario`` (scenario name -> the ``timeseries`` frame of its
replications, columns as in :mod:`model.charts.shaping`) and show each scenario's mean with its band of
95 % of runs. Outcome charts take ``summaries``, one row per scenario and outcome (as
:func:`model.compare.comparison_table` writes ``comparison.csv``), and show each scenario's mean, or its
paired difference to the baseline, with the 95 % confidence interval of the mean. Outcome titles, units,
formats and better directions come from the outcome catalogue (:mod:`model.outcomes.catalogue`).
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .bands import band_handles, lines_text, plot_band
from .shaping import LARGE, SMALL, gap_series, mean_band, n_replications, select
from .language import caption, outcome_title, tr
from .numbers import missing, quantity
from .style import (ADOPTION_NOTE, BASELINE_COLOR, SIZE_BAND_LABELS, describe, final_year_text, literal,
                    new_figure, nice_locator, percent_axis, points_axis, save, series_colors, series_linestyles,
                    shade_programmes, share_limits, styled, titles, year_axis)

#: the outcomes the comparison charts show unless told otherwise
DEFAULT_OUTCOMES = ("final_adoption", "final_adoption_pop", "gap_small_large", "pilot_to_scale_rate",
                    "share_no_adoption", "cost_per_extra_adoption_msek")
#: default outcomes a comparison may lack without a note (no cost without levers that spend)
OPTIONAL_OUTCOMES = ("cost_per_extra_adoption_msek",)
SUMMARY_COLUMNS = ("scenario", "outcome", "mean", "ci95_low", "ci95_high")
DIFFERENCE_COLUMNS = ("diff_vs_baseline", "diff_ci95_low", "diff_ci95_high")


def scenario_order(names: Iterable[str], baseline: str) -> list[str]:
    """The distinct ``names`` in their order, ``baseline`` first."""
    names = list(dict.fromkeys(names))
    return [baseline] + [n for n in names if n != baseline]


def scenario_colors(names: Sequence[str], baseline: str) -> dict[str, str]:
    """Scenario name -> colour: the baseline dark grey, the others colour-blind-safe colours in order
    (Okabe–Ito up to six, Paul Tol's muted nine for more: :func:`model.charts.style.series_colors`)."""
    others = [n for n in names if n != baseline]
    colors = {baseline: BASELINE_COLOR}
    colors.update(zip(others, series_colors(len(others))))
    return colors


def scenario_linestyles(names: Sequence[str], baseline: str) -> dict[str, str]:
    """Scenario name -> line style: solid, until colours repeat (more than nine scenarios besides the baseline)."""
    others = [n for n in names if n != baseline]
    return {baseline: "-", **dict(zip(others, series_linestyles(len(others))))}


def check_baseline(baseline: str, scenarios: Iterable[str]) -> None:
    """Raise ValueError, naming the scenarios there are, unless ``baseline`` is one of ``scenarios``."""
    scenarios = list(scenarios)
    if baseline not in scenarios:
        raise ValueError(f"baseline scenario {baseline!r} is not among the scenarios: "
                         f"{', '.join(repr(s) for s in scenarios) or 'none'}")


def replications_text(counts: Mapping[str, int], lang: str = "en") -> str:
    """``"5 replications per scenario."``, or each scenario's count when they differ (in ``lang``)."""
    values = set(counts.values())
    sv = lang == "sv"
    if len(values) == 1:
        return f"{values.pop()} {'replikeringar per scenario' if sv else 'replications per scenario'}."
    return ("Replikeringar: " if sv else "Replications: ") + ", ".join(f"{n}: {c}" for n, c in counts.items()) + "."


def baseline_label(name: str, baseline: str, labels: Mapping[str, str] | None = None, lang: str = "en") -> str:
    """What the scenario is called (``labels``: e.g. its description, else its name), marked
    ``(baseline)`` if it is the baseline and the label does not say so."""
    label = (labels or {}).get(name, name)
    return (f"{label} {tr('(baseline)', lang)}" if name == baseline and "baseline" not in label.lower()
            and tr("baseline", lang) not in label.lower() else label)


# ---------------------------------------------------------------------------------------------------------
# Over time


def _over_time(timeseries_by_scenario: Mapping[str, pd.DataFrame], baseline: str,
               band_of: Callable[[pd.DataFrame], pd.DataFrame], scale: float = 1.0,
               labels: Mapping[str, str] | None = None, programmes: Sequence[tuple[float, float]] = (),
               lang: str = "en") -> tuple[Figure, object, dict[str, pd.DataFrame], dict[str, int]]:
    """A figure with one mean line and band per scenario (``band_of`` turns a timeseries into a band).

    The baseline's band is a faint fill with dotted edges, drawn on top. Scenarios are called by
    ``labels`` (name -> label); the years of lever ``programmes`` are shaded. Returns the figure, its
    axes, the bands and the replications per scenario.
    """
    check_baseline(baseline, timeseries_by_scenario)
    names = scenario_order(timeseries_by_scenario, baseline)
    bands = {n: band_of(timeseries_by_scenario[n]) for n in names}
    counts = {n: n_replications(timeseries_by_scenario[n]) for n in names}
    fig = new_figure(10.0, 5.4)
    ax = fig.add_subplot()
    colors = scenario_colors(names, baseline)
    styles = scenario_linestyles(names, baseline)
    lines = {}
    for name in reversed(names):  # baseline drawn last, on top
        is_base = name == baseline
        lines[name] = plot_band(ax, bands[name], colors[name], literal(baseline_label(name, baseline, labels, lang)),
                                scale=scale, linewidth=2.6 if is_base else 1.9, linestyle=styles[name],
                                alpha=0.06 if is_base else (0.10 if len(bands) > 3 else 0.15),
                                outline=is_base, zorder=3 if is_base else 2)
    shaded = shade_programmes(ax, programmes, lang)
    handles = [lines[name] for name in names] + band_handles(min(counts.values())) + ([shaded] if shaded else [])
    ax.legend(handles, [h.get_label() for h in handles], title=tr("Scenario", lang), loc="upper left",
              bbox_to_anchor=(1.01, 1.0), alignment="left")
    year_axis(ax, bands[baseline]["year"])
    return fig, ax, bands, counts


@styled
def comparison_diffusion_chart(timeseries_by_scenario: Mapping[str, pd.DataFrame], baseline: str,
                               title: str = "Adoption over time, by scenario",
                               labels: Mapping[str, str] | None = None,
                               programmes: Sequence[tuple[float, float]] = (), lang: str = "en") -> Figure:
    """Overall adoption (all innovations, unweighted) over time, one line and band per scenario, called by
    ``labels`` (name -> label, e.g. from its description), the years of lever ``programmes`` shaded.

    Raises ValueError when ``baseline`` is not a scenario or a timeseries has no overall rows.
    """
    fig, ax, bands, counts = _over_time(timeseries_by_scenario, baseline,
                                        lambda ts: mean_band(select(ts, "all", "overall"), "adoption_share"),
                                        labels=labels, programmes=programmes, lang=lang)
    percent_axis(ax)
    share_limits(ax, *bands.values())
    ax.set_ylabel(tr("Adoption share, all innovations (%)", lang))
    ax.set_xlabel(tr("Year", lang))
    fewest = min(counts.values())
    end = final_year_text(bands[baseline]["year"].max(), lang)
    simulated = f"Simulerat till {end}." if lang == "sv" else f"Simulated to the {end}."
    titles(fig, tr(title, lang), f"{replications_text(counts, lang)} {simulated}\n{lines_text(fewest, lang=lang)}\n"
           f"{tr(ADOPTION_NOTE, lang)}")
    return fig


@styled
def comparison_gap_chart(timeseries_by_scenario: Mapping[str, pd.DataFrame], baseline: str,
                         title: str = "Adoption gap between large and small municipalities, by scenario",
                         labels: Mapping[str, str] | None = None,
                         programmes: Sequence[tuple[float, float]] = (), lang: str = "en") -> Figure:
    """The adoption gap between the largest and smallest municipalities over time, per scenario, in pp
    (``labels``, ``programmes``: as :func:`comparison_diffusion_chart`).

    Raises ValueError when ``baseline`` is not a scenario or a timeseries lacks those size bands.
    """
    fig, ax, _, counts = _over_time(timeseries_by_scenario, baseline, lambda ts: mean_band(gap_series(ts), "gap"),
                                    scale=100.0, labels=labels, programmes=programmes, lang=lang)
    title = tr(title, lang)
    ax.set_xlabel(tr("Year", lang))
    ax.axhline(0, color="0.4", linewidth=0.9, zorder=1)
    points_axis(ax)
    if lang == "sv":
        ax.set_ylabel("Gap: över 100 000 minus under 10 000\n(procentenheter)")
        titles(fig, title, f"{replications_text(counts, lang)}\nGap = spridningen i kommuner med över 100 000 "
               "invånare minus den i kommuner under 10 000, beräknat per replikering. "
               + lines_text(min(counts.values()), lang=lang))
        return fig
    ax.set_ylabel(f"Gap: {SIZE_BAND_LABELS[LARGE]} minus {SIZE_BAND_LABELS[SMALL]}\n(percentage points)")
    titles(fig, title, f"{replications_text(counts)}\nGap = adoption share of municipalities with over 100 000 "
           "inhabitants minus that of those under 10 000, computed per replication. "
           + lines_text(min(counts.values())))
    return fig


# ---------------------------------------------------------------------------------------------------------
# Outcomes


def _outcome_table(summaries: pd.DataFrame, baseline: str, outcomes: Sequence[str] | None,
                   scenarios: Sequence[str] | None, columns: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """Check ``summaries``; return the scenario order, the outcomes to show and those asked for but absent."""
    missing = set(columns) - set(summaries.columns)
    if missing:
        raise ValueError(f"summaries lacks column(s) {sorted(missing)}; needs {list(columns)}")
    listed = list(scenarios) if scenarios is not None else list(pd.unique(summaries["scenario"]))
    check_baseline(baseline, listed)
    names = scenario_order(listed, baseline)
    names += [s for s in pd.unique(summaries["scenario"]) if s not in names]
    wanted = list(outcomes) if outcomes is not None else list(DEFAULT_OUTCOMES)
    present = set(summaries["outcome"])
    shown = [o for o in wanted if o in present]
    absent = [o for o in wanted if o not in present and (outcomes is not None or o not in OPTIONAL_OUTCOMES)]
    if not shown:
        raise ValueError(f"summaries has none of the outcomes {wanted}")
    return names, shown, absent


def _value_axis(ax, fmt: str, values: np.ndarray) -> None:
    """The x axis of one outcome panel: ticks in the outcome's format, limits around ``values``.

    Costs, counts and other non-share values that are all non-negative start at zero.
    """
    if fmt == "percent":
        percent_axis(ax, "x")
    elif fmt == "pp":
        points_axis(ax, "x")
    else:
        ax.xaxis.set_major_locator(nice_locator())
    finite = values[np.isfinite(values)]
    if not finite.size:
        return
    lo, hi = finite.min(), finite.max()
    if fmt not in ("percent", "pp") and lo >= 0:
        ax.set_xlim(0, hi * 1.15 if hi > 0 else 1.0)
    else:
        pad = 0.12 * (hi - lo) if hi > lo else max(abs(hi) * 0.1, 0.01)
        ax.set_xlim(lo - pad, hi + pad)


def _outcome_panels(summaries: pd.DataFrame, names: Sequence[str], shown: Sequence[str], baseline: str,
                    columns: Sequence[str], difference: bool, labels: Mapping[str, str] | None = None,
                    lang: str = "en") -> Figure:
    """One panel per outcome, one row per scenario: a point with its interval (``columns``: value, low, high).

    ``difference``: values are differences to the baseline (shares become percentage points, the reference
    line is zero); otherwise levels, with the baseline's value as the reference line.
    """
    colors = scenario_colors(list(names), baseline)
    ncols = min(3, len(shown))
    nrows = math.ceil(len(shown) / ncols)
    height = max(2.4, 0.42 * len(names) + 1.3)
    fig = new_figure(4.6 * ncols + 1.2, height * nrows + 0.6)
    axes = fig.subplots(nrows, ncols, squeeze=False)
    y = np.arange(len(names))[::-1]  # first scenario (the baseline) on top
    for k, name_ in enumerate(shown):
        ax = axes[k // ncols][k % ncols]
        declared = describe(name_)
        unit = declared.unit
        if difference:
            if declared.format == "percent":  # a difference of shares is in percentage points
                declared = dataclasses.replace(declared, format="pp")
            unit = ("difference, percentage points" if declared.format == "pp"
                    else f"difference{', ' + unit if unit else ''}")
        table = summaries[summaries["outcome"] == name_].drop_duplicates("scenario", keep="last")
        table = table.set_index("scenario").reindex(list(names))
        scale = 100.0 if declared.format == "pp" else 1.0
        value, low, high = (table[c].to_numpy(dtype=float) * scale for c in columns)
        for i, name in enumerate(names):
            if not np.isfinite(value[i]):
                ax.text(0.02, y[i], missing(lang), transform=ax.get_yaxis_transform(), va="center", fontsize=8,
                        color="0.5")
                continue
            has_ci = np.isfinite(low[i]) and np.isfinite(high[i])
            err = [[max(value[i] - low[i], 0)], [max(high[i] - value[i], 0)]] if has_ci else None
            ax.errorbar(value[i], y[i], xerr=err, fmt="o" if has_ci else "D", color=colors[name],
                        ecolor=colors[name], markersize=7 if name == baseline else 6, elinewidth=1.6, capsize=3,
                        zorder=3, mfc=colors[name] if has_ci else "white", mew=1.5)
            kind = "pp" if difference and declared.format == "percent" else declared.format
            text = quantity(value[i] / scale, kind, lang, signed=difference or declared.format == "pp")
            ax.annotate(text, (value[i], y[i]), xytext=(0, 7), textcoords="offset points", ha="center",
                        va="bottom", fontsize=8, color="0.25",
                        bbox=dict(boxstyle="square,pad=0.1", facecolor="white", edgecolor="none", alpha=0.8))
        reference = 0.0 if difference else value[list(names).index(baseline)]
        if np.isfinite(reference):
            ax.axvline(reference, color=BASELINE_COLOR, linestyle="-" if difference else ":", linewidth=1.0,
                       zorder=1)
        shown_names = [literal((labels or {}).get(n, n)) for n in names]
        ax.set_yticks(y, shown_names if k % ncols == 0 else [""] * len(names))
        for tick, name in zip(ax.get_yticklabels(), names):
            tick.set_fontweight("bold" if name == baseline else "normal")
        ax.set_ylim(-0.7, len(names) - 0.3)
        ax.grid(axis="y", visible=False)
        heading = outcome_title(name_, declared.title, lang)
        unit = tr(unit, lang) if unit.startswith("difference") else unit
        ax.set_title(literal(f"{heading}\n({unit})" if unit else heading), loc="left", fontsize=9.5)
        if declared.better:
            ax.set_xlabel(f"{tr(declared.better + ' is better', lang)} {'→' if declared.better == 'higher' else '←'}",
                          fontsize=8.5, color="0.4")
        _value_axis(ax, declared.format, np.concatenate([value, low, high] + ([[0.0]] if difference else [])))
    for k in range(len(shown), nrows * ncols):
        axes[k // ncols][k % ncols].set_visible(False)
    return fig


def _no_interval_note(summaries: pd.DataFrame, shown: Sequence[str], names: Sequence[str],
                      columns: Sequence[str], lang: str = "en") -> str:
    """A caption sentence naming the outcomes shown with a value but no interval (open diamonds), or ``""``."""
    rows = summaries[summaries["outcome"].isin(shown) & summaries["scenario"].isin(names)]
    value, low, high = columns
    bare = rows[rows[value].notna() & (rows[low].isna() | rows[high].isna())]
    if bare.empty:
        return ""
    which = ", ".join(outcome_title(o, describe(o).title, lang).lower() for o in sorted(set(bare["outcome"])))
    return (f"Öppna romber: inget intervall ({which})." if lang == "sv" else
            f"Open diamonds: no interval available ({which}).")


@styled
def comparison_outcomes_chart(summaries: pd.DataFrame, baseline: str, outcomes: Sequence[str] | None = None,
                              scenarios: Sequence[str] | None = None,
                              title: str = "Outcomes by scenario", labels: Mapping[str, str] | None = None,
                              lang: str = "en") -> Figure:
    """One panel per outcome: each scenario's mean with its 95 % confidence interval, baseline marked.

    ``summaries`` needs :data:`SUMMARY_COLUMNS`; ``outcomes`` defaults to :data:`DEFAULT_OUTCOMES` (those
    present); ``scenarios`` orders the rows (baseline first). Raises ValueError for missing columns, a
    baseline that is not a scenario, or none of the outcomes present.
    """
    names, shown, absent = _outcome_table(summaries, baseline, outcomes, scenarios, SUMMARY_COLUMNS)
    columns = SUMMARY_COLUMNS[2:]
    fig = _outcome_panels(summaries, names, shown, baseline, columns, difference=False, labels=labels, lang=lang)
    title = tr(title, lang)
    notes = [caption("outcomes", lang), _no_interval_note(summaries, shown, names, columns, lang)]
    if absent:
        notes.append(f"Not in the summaries: {', '.join(absent)}.")
    titles(fig, title, "\n".join(n for n in notes if n))
    return fig


@styled
def comparison_differences_chart(summaries: pd.DataFrame, baseline: str, outcomes: Sequence[str] | None = None,
                                 scenarios: Sequence[str] | None = None,
                                 title: str = "", labels: Mapping[str, str] | None = None,
                                 lang: str = "en") -> Figure:
    """Each scenario's paired difference to the baseline with its 95 % confidence interval, per outcome.

    Needs the columns ``scenario``, ``outcome`` and :data:`DIFFERENCE_COLUMNS` (``diff_vs_baseline``,
    ``diff_ci95_low``, ``diff_ci95_high``, as :func:`model.compare.comparison_table` writes them).
    Replications are paired on common random numbers, so these intervals are narrower than the separate
    means' and are the ones to judge a difference by. Raises ValueError as
    :func:`comparison_outcomes_chart`, and when no outcome asked for has a difference.
    """
    columns = DIFFERENCE_COLUMNS
    names, shown, absent = _outcome_table(summaries, baseline, outcomes, scenarios, ("scenario", "outcome",
                                                                                    *columns))
    usable = summaries[summaries["outcome"].isin(shown)].groupby("outcome")[columns[0]].apply(
        lambda v: v.notna().any())
    shown = [o for o in shown if usable.get(o, False)]
    if not shown:
        raise ValueError("summaries has no differences to the baseline for the outcomes asked for")
    others = [n for n in names if n != baseline]
    fig = _outcome_panels(summaries, others or names, shown, baseline, columns, difference=True, labels=labels,
                          lang=lang)
    notes = [caption("differences", lang), _no_interval_note(summaries, shown, others, columns, lang)]
    default = ("Difference from the baseline" + ("" if baseline.lower() == "baseline" else f" ({baseline})")
               + ", by scenario")
    titles(fig, title or (tr("Difference from the baseline, by scenario", lang) if lang != "en" else default),
           "\n".join(n for n in notes if n))
    return fig


def comparison_charts(timeseries_by_scenario: Mapping[str, pd.DataFrame], summaries: pd.DataFrame, out: Path,
                      baseline: str, outcomes: Sequence[str] | None = None, labels: Mapping[str, str] | None = None,
                      programmes: Sequence[tuple[float, float]] = (), lang: str = "en") -> list[Path]:
    """Write the charts comparing a portfolio of scenarios into ``out`` and return their paths.

    ``comparison_diffusion.png`` (overall adoption over time per scenario), ``comparison_outcomes.png``
    (selected outcomes with 95 % confidence intervals, from ``summaries``: columns ``scenario``,
    ``outcome``, ``mean``, ``ci95_low``, ``ci95_high``) and ``comparison_gap.png`` (the small–large gap
    over time); and, when ``summaries`` has the paired differences of :func:`model.compare.comparison_table`
    (``diff_vs_baseline``, ``diff_ci95_low``, ``diff_ci95_high``), ``comparison_differences.png``.
    ``baseline`` must be one of the scenarios (a ValueError names it otherwise, before anything is written).
    ``labels`` (scenario name -> what readers call it), lever ``programmes`` (years shaded) and ``lang``
    (``en`` or ``sv``) are passed to every chart.
    """
    check_baseline(baseline, timeseries_by_scenario)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    names = scenario_order(timeseries_by_scenario, baseline)
    charts = {
        "comparison_diffusion.png": lambda: comparison_diffusion_chart(
            timeseries_by_scenario, baseline, labels=labels, programmes=programmes, lang=lang),
        "comparison_outcomes.png": lambda: comparison_outcomes_chart(summaries, baseline, outcomes, names,
                                                                     labels=labels, lang=lang),
        "comparison_gap.png": lambda: comparison_gap_chart(timeseries_by_scenario, baseline, labels=labels,
                                                           programmes=programmes, lang=lang),
    }
    if set(DIFFERENCE_COLUMNS) <= set(summaries.columns) and len(names) > 1:
        charts["comparison_differences.png"] = lambda: comparison_differences_chart(
            summaries, baseline, outcomes, names, labels=labels, lang=lang)
    return [save(make(), out / name) for name, make in charts.items()]
