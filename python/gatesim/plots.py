"""Briefing charts from gatesim results (matplotlib). Each function returns the Figure.

Every chart follows the same rules: the title names the metric and the selection drawn
(`provider=lab_a`), labels are words with units, numbers read 41.2M, 1.23bn, $12.3bn or 12.5%,
a scenario has one colour everywhere (scenario_colour), legends sit outside the data, and the
default size is a 16:9 slide (SLIDE). Intervals are of one kind: `confidence=c` (default
gs.options.confidence, 0.9) draws the central interval holding a share c of the runs (P5-P95
at 0.9), on bands, markers and paired deltas alike; gs.options sets the style and dpi; savefig
writes a figure with the results' provenance in the image's metadata.

- timeseries: a daily metric with its quantile band, the directive and restore days marked
  (on calendar dates when the scenario sets a start date)
- substitution: where users went (stacked users by model, or a model -> model flow diagram)
- comparison: paired deltas against a baseline, with intervals, one row per scenario
- tornado: a one-at-a-time sensitivity ranking
- calibration_fit, calibration_pairs: a calibration's fit against its observations, with the
  band over the values consistent with the data, and the pairs of those values

The functions take anything shaped like gatesim.Results (or a Comparison or Sensitivity): they
import nothing from the modules that build results, and every band and median is the C++
statistics' (gatesim.stats), as in the files.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np

from . import stats
from .stats import quantile_label


#: A 16:9 slide at the default dpi.
SLIDE = (10.0, 5.625)


class Options:
    """gs.options: how every chart of the package is drawn.

    style       a matplotlib style name or file ("default", "ggplot", "seaborn-v0_8-paper", ...)
    dpi         dots per inch of new figures and of savefig
    confidence  share of runs inside every drawn interval unless confidence= says otherwise
                (0.9: P5-P95)
    """

    def __init__(self):
        self.style = "default"
        self.dpi = 100
        self.confidence = 0.9

    def __repr__(self) -> str:
        return f"<gatesim.options style={self.style!r} dpi={self.dpi} confidence={self.confidence}>"


options = Options()


def _subplots(*args, **kwargs):
    """plt.subplots in gs.options' style and dpi (artists take the style when made)."""
    import matplotlib.pyplot as plt

    with plt.style.context(options.style):
        return plt.subplots(*args, dpi=options.dpi, **kwargs)


def provenance_metadata(results=None) -> dict[str, str]:
    """What savefig embeds: the gatesim version, and for results (or a study) the file's
    provenance: version, commit, seed, scenario file, command line, start time, label."""
    import json

    from . import _core

    about = {"gatesim_version": _core.__version__, "git_commit": _core.git_commit}
    provenance = dict(getattr(results, "provenance", None) or {})
    for key in ("gatesim_version", "git_commit", "seed", "scenario_file", "command_line", "start_time"):
        if key in provenance:
            about[key] = str(provenance[key])
    for key in ("label", "path"):
        if getattr(results, key, None):
            about[key] = str(getattr(results, key))
    return {key: str(value) for key, value in about.items()} | {"json": json.dumps(about, sort_keys=True)}


def savefig(fig, path, results=None, **kwargs):
    """fig.savefig(path) at gs.options.dpi, with the provenance of `results` (Results or a
    study) in the image's metadata: PNG text chunks (one per key, and 'gatesim' as JSON), the SVG
    and PDF description. Returns the path."""
    import os

    from . import _core

    about = provenance_metadata(results)
    kind = (kwargs.get("format") or os.path.splitext(os.fspath(path))[1].lstrip(".") or "png").lower()
    creator = f"gatesim {_core.__version__}"
    if kind == "png":
        metadata = {"Software": creator, "gatesim": about.pop("json"), **{f"gatesim:{k}": v for k, v in about.items()}}
    elif kind == "svg":
        metadata = {"Creator": creator, "Description": about["json"]}
    elif kind == "pdf":
        metadata = {"Creator": creator, "Subject": about["json"]}
    else:
        metadata = None  # formats without metadata (jpg, ...): the image alone
    fig.savefig(path, dpi=kwargs.pop("dpi", options.dpi), metadata=metadata, **kwargs)
    return path


def outer_quantiles(confidence: float | None, quantiles: Sequence[float] | None = None) -> tuple[float, float]:
    """The probabilities bounding the central interval that holds a share `confidence` of the runs
    (0.9 -> 0.05, 0.95); the outer ones of `quantiles` when given without confidence."""
    if confidence is None:
        if quantiles is not None:
            return min(quantiles), max(quantiles)
        confidence = options.confidence
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1 (a share of runs), got {confidence!r}")
    return round((1 - confidence) / 2, 10), round((1 + confidence) / 2, 10)


def interval_label(lo: float, hi: float) -> str:
    """'90% of runs (P5-P95)'."""
    return f"{round(100 * (hi - lo))}% of runs ({quantile_label(lo).upper()}-{quantile_label(hi).upper()})"


def readable_name(name: str) -> str:
    """A metric's name in words: 'blocked_intended' -> 'blocked intended'."""
    return name.replace("_", " ").replace(".", " ")


def selection_text(select: Mapping[str, str] | None) -> str:
    return ", ".join(f"{k}={v}" for k, v in (select or {}).items())


def legend_outside(ax, fontsize="small") -> None:
    """The legend right of the data, when anything is labelled."""
    if ax.get_legend_handles_labels()[0]:
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=fontsize, frameon=False)


def _figure(ax, **kwargs):
    if ax is not None:
        return ax.figure, ax
    return _subplots(**kwargs)


def human_number(value: float, unit: str, sign: bool = False) -> str:
    """A number for a reader: 41.2M, 1.23bn, $12.3bn, 12.5%; n/a for NaN (the briefing's and
    the axes' one format: three significant digits, k/M/bn/tn, money with $)."""
    if not np.isfinite(value):
        return "n/a"
    if unit == "fraction":
        return stats.compact(value, unit, sign)
    text = stats.compact(abs(value), "").replace("B", "bn").replace("T", "tn")
    lead = "-" if value < 0 else ("+" if sign and value > 0 else "")
    return lead + ("$" if unit.startswith("USD") else "") + text


#: One colour per scenario, the same in every figure: a scenario's colour depends on its name only.
SCENARIO_COLOURS = {"baseline": "#7f7f7f", "global_shutdown": "#d62728", "nationality_gate": "#1f77b4",
                    "phased_reopening": "#2ca02c", "geo_fence": "#9467bd", "vetted_partners": "#8c564b",
                    "industry_wide": "#e377c2", "prerelease_review": "#17becf", "capability_leak": "#bcbd22",
                    "order": "#000000"}
_OTHER_COLOURS = ("#ff7f0e", "#393b79", "#637939", "#8c6d31", "#843c39", "#7b4173")


def scenario_colour(label: str) -> str:
    """The colour of a scenario (a library scenario's own; another by a stable hash of its name)."""
    base = label.split(" - ")[0]
    if base in SCENARIO_COLOURS:
        return SCENARIO_COLOURS[base]
    import zlib

    return _OTHER_COLOURS[zlib.crc32(base.encode()) % len(_OTHER_COLOURS)]


def _value_formatter(unit: str):
    from matplotlib.ticker import FuncFormatter

    return FuncFormatter(lambda v, _pos: "0" if v == 0 else human_number(v, unit))


def _time(res):
    """The x values of a run's days: calendar dates when the scenario sets a start date (the day
    index then in the axis label), else day indices."""
    dates = getattr(res, "dates", None)
    return res.day if dates is None else dates


def _at_day(res, day: float):
    """A day index (possibly fractional, e.g. a median) on the time axis."""
    dates = getattr(res, "dates", None)
    if dates is None:
        return day
    return np.datetime64(res.start_date, "D") + np.timedelta64(int(round(day)), "D")


def _time_axis(ax, results: list) -> None:
    first = results[0]
    if getattr(first, "dates", None) is None:
        ax.set_xlabel("day")
        ax.set_xlim(0, max(r.days for r in results) - 1)
        return
    ax.set_xlabel(f"date (day 0 = {first.start_date})")
    ax.set_xlim(min(_time(r)[0] for r in results), max(_time(r)[-1] for r in results))
    ax.figure.autofmt_xdate()


def _is_results(value) -> bool:
    return hasattr(value, "stack") and hasattr(value, "replicates")


def _labelled(results) -> list:
    if _is_results(results):
        return [(results.label, results)]
    if isinstance(results, Mapping):
        return [(str(k), v) for k, v in results.items()]
    return [(r.label, r) for r in results]


def _select(res, metric: str, select: Mapping[str, str] | None, q: Sequence[float] | None = None) -> np.ndarray:
    """(replicate, day) values of a series, or with q its (quantile, day) bands, with its axes
    fixed by select={axis: label}."""
    info = res.info(metric)
    stack = res.stack(metric) if q is None else res.quantile(metric, list(q))
    select = dict(select or {})
    for position, (axis, labels) in reversed(list(enumerate(info.axes))):
        if axis not in select:
            raise ValueError(f"{metric} has a {axis} axis: choose one with select={{'{axis}': ...}} "
                             f"from {', '.join(labels)}")
        stack = np.take(stack, labels.index(select[axis]), axis=position + 2)
    return stack


def timeseries(results, metric: str = "blocked", *, select: Mapping[str, str] | None = None,
               quantiles: Sequence[float] | None = None, confidence: float | None = None, markers: bool = True,
               fan: int = 0, ax=None, title: str | None = None):
    """A daily metric over time: the median (or the single run) with the band holding a share
    `confidence` of the runs on each day (default 0.9: P5-P95; or the outer of `quantiles`),
    for one Results or several ({label: results} or a list). The directive day and the restore
    day (median, with the same interval of runs shaded) are marked. fan=N draws up to N runs one by
    one instead of the band (when their series were kept): where a step's day is uncertain (a
    reopening), a band spans open and closed runs and its median steps where no run does, while
    a fan shows each run's own step."""
    low, high = outer_quantiles(confidence, quantiles)
    fig, ax = _figure(ax, figsize=SLIDE)
    unit = ""
    marked: set = set()
    for label, res in _labelled(results):
        info = res.info(metric)
        unit = info.unit
        color = scenario_colour(label)
        if res.is_ensemble and fan and res.has_replicate_series(metric):
            runs = _select(res, metric, select)
            for r in range(min(fan, len(runs))):
                ax.plot(_time(res), runs[r], color=color, alpha=0.3, linewidth=0.7,
                        label=f"{label}: {min(fan, len(runs))} runs" if r == 0 else None)
            ax.plot(_time(res), _select(res, metric, select, [0.5])[0], color=color, linewidth=1.8,
                    label=f"{label}: median")
        elif res.is_ensemble:
            lo, mid, hi = _select(res, metric, select, [low, 0.5, high])
            ax.fill_between(_time(res), lo, hi, color=color, alpha=0.25, linewidth=0,
                            label=f"{label}: {interval_label(low, high)}")
            ax.plot(_time(res), mid, color=color, label=f"{label}: median")
        else:
            ax.plot(_time(res), _select(res, metric, select)[0], color=color, label=label)
        if markers:
            _mark_days(ax, res, color, marked, (low, high))
    _time_axis(ax, [r for _, r in _labelled(results)])
    ax.set_ylabel(f"{readable_name(metric)} ({unit})" if unit else readable_name(metric))
    ax.yaxis.set_major_formatter(_value_formatter(unit))
    chosen = selection_text(select)
    ax.set_title(title or (readable_name(metric) + (f" ({chosen})" if chosen else "")))
    legend_outside(ax)
    fig.tight_layout()
    return fig


def _mark_days(ax, res, color: str, labelled: set, interval: tuple[float, float] = (0.05, 0.95)) -> None:
    """The directive day (dotted), and later marked days (dashed, at the median across
    replicates, with their interval of runs shaded). Each kind of marker is labelled once."""
    for k, (key, days) in enumerate(res.marker_days().items()):
        finite = days[np.isfinite(days)]
        if not finite.size:
            continue
        varies = res.replicates > 1 and finite.min() != finite.max()
        label = None if key in labelled else (f"{key} (median)" if varies else key)
        labelled.add(key)
        median = stats.quantile_of(finite, 0.5)
        if key == "directive":
            ax.axvline(_at_day(res, median), color="black", linestyle=":", linewidth=1, label=label)
            continue
        ax.axvline(_at_day(res, median), color=color, linestyle=("--", "-.", (0, (5, 1)))[k % 3], linewidth=1,
                   label=label)
        if varies:
            lo, hi = stats.quantile_of(finite, interval[0]), stats.quantile_of(finite, interval[1])
            ax.axvspan(_at_day(res, lo), _at_day(res, hi), color=color, alpha=0.07, linewidth=0)


def _flow_series(res) -> str | None:
    """A series holding a model -> model matrix: two axes with the same labels."""
    for name in res.series_names:
        axes = res.info(name).axes
        if len(axes) == 2 and set(axes[0][1]) == set(axes[1][1]):
            return name
    return None


def substitution(res, series: str = "users_by_model", *, kind: str = "auto", flow_series: str | None = None,
                 ax=None, title: str | None = None):
    """Where users went. kind="area": stacked users of each model over time (median across
    replicates); kind="flow": a model -> model diagram of a flow-matrix series (the total over
    the run, median across replicates); "auto" draws the flow diagram when such a series exists."""
    flow = flow_series or (_flow_series(res) if kind in ("auto", "flow") else None)
    if kind == "flow" and flow is None:
        raise ValueError("these results have no model -> model flow series (two axes with the same labels)")
    if flow is not None and kind != "area":
        return _flow_diagram(res, flow, ax=ax, title=title)
    info = res.info(series)
    if len(info.axes) != 1:
        raise ValueError(f"{series} needs exactly one axis (e.g. model) for a stacked area chart")
    axis, labels = info.axes[0]
    values = res.quantile(series, 0.5) if res.is_ensemble else res.series(series)
    fig, ax = _figure(ax, figsize=SLIDE)
    ax.stackplot(_time(res), values.T, labels=labels, alpha=0.85)
    _mark_days(ax, res, "black", set())
    _time_axis(ax, [res])
    ax.set_ylabel(f"{readable_name(series)} ({info.unit})" if info.unit else readable_name(series))
    ax.yaxis.set_major_formatter(_value_formatter(info.unit))
    ax.set_title(title or f"{res.label}: {readable_name(series)}" + (" (median of runs)" if res.replicates > 1 else ""))
    legend_outside(ax)
    fig.tight_layout()
    return fig


def _flow_diagram(res, name: str, ax=None, title: str | None = None):
    info = res.info(name)
    (from_axis, sources), (to_axis, targets) = info.axes
    if res.has_replicate_series(name):
        totals = np.nansum(res.stack(name), axis=1)  # (replicate, from, to) over the run
        matrix = totals[0] if res.replicates == 1 else stats.quantiles(totals, [0.5])[0]
    else:  # only the bands were kept: the daily medians, summed
        matrix = np.nansum(res.quantile(name, 0.5), axis=0)
    fig, ax = _figure(ax, figsize=(7, 0.5 * max(len(sources), len(targets)) + 1.5))
    y_from = {label: -i for i, label in enumerate(sources)}
    y_to = {label: -i for i, label in enumerate(targets)}
    largest = np.nanmax(matrix) if np.isfinite(matrix).any() and np.nanmax(matrix) > 0 else 1.0
    for i, source in enumerate(sources):
        for j, target in enumerate(targets):
            value = matrix[i, j]
            if not np.isfinite(value) or value <= 0 or source == target:
                continue
            ax.plot([0, 1], [y_from[source], y_to[target]], color=f"C{i % 10}", alpha=0.6,
                    linewidth=0.5 + 14 * value / largest, solid_capstyle="butt")
            if value >= 0.05 * largest:  # the number of each visible flow, at its middle
                ax.text(0.5, (y_from[source] + y_to[target]) / 2, human_number(value, info.unit.split(" per ")[0]),
                        ha="center", va="center", fontsize="x-small",
                        bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.7, "pad": 0.5})
    for label, y in y_from.items():
        ax.text(-0.02, y, label, ha="right", va="center", fontsize="small")
    for label, y in y_to.items():
        ax.text(1.02, y, label, ha="left", va="center", fontsize="small")
    ax.set_xlim(-0.4, 1.4)
    ax.set_ylim(-max(len(sources), len(targets)) + 0.5, 0.5)
    ax.axis("off")
    ax.set_title(title or f"{res.label}: {readable_name(name)}, {from_axis} -> {to_axis}\n(line width: total over the "
                 f"run; widest = {human_number(largest, info.unit.split(' per ')[0])})", fontsize="medium")
    return fig


def comparison(deltas, metrics: Sequence[str] | str = ("churn_at_horizon",), *,
               quantiles: Sequence[float] | None = None, confidence: float | None = None, ax=None,
               title: str | None = None):
    """Paired deltas against a baseline, one row per scenario and one panel per metric: the
    median paired difference with the interval holding a share `confidence` of the runs' paired
    differences (default 0.9: P5-P95; or the outer of `quantiles`). deltas: a gs.compare result,
    {label: delta results} or a list of delta results (from res.delta(baseline)). The bootstrap
    interval of the mean difference is cmp.deltas()'s mean_low and mean_high."""
    metrics = [metrics] if isinstance(metrics, str) else list(metrics)
    low, high = outer_quantiles(confidence, quantiles)
    if hasattr(deltas, "deltas") and hasattr(deltas, "reference"):  # a gs.compare result
        rows = [(name, deltas.delta(name)) for name in deltas.names[1:]]
    else:
        rows = _labelled(deltas)
    if ax is not None and len(metrics) != 1:
        raise ValueError("ax= works with a single metric")
    if ax is None:
        fig, axes = _subplots(1, len(metrics), figsize=(SLIDE[0], max(2.4, 0.55 * len(rows) + 1.8)),
                                 squeeze=False, sharey=True)
        axes = axes[0]
    else:
        fig, axes = ax.figure, [ax]
    y = np.arange(len(rows))[::-1]
    for panel, metric in zip(axes, metrics):
        unit = ""
        for k, (label, res) in enumerate(rows):
            unit = res.info(metric, "scalar").unit
            lo, mid, hi = res.quantile(metric, [low, 0.5, high], kind="scalar")
            if not np.isfinite(mid):
                continue
            panel.errorbar(mid, y[k], xerr=[[mid - lo], [hi - mid]], fmt="o", color=scenario_colour(label), capsize=4)
            panel.annotate(human_number(mid, unit, True), (mid, y[k]), xytext=(0, 7), textcoords="offset points",
                           ha="center", fontsize="x-small")
        panel.axvline(0, color="black", linewidth=0.8)
        panel.set_yticks(y, [label.split(" - ")[0] for label, _ in rows])
        panel.xaxis.set_major_formatter(_value_formatter(unit))
        panel.set_xlabel(f"change in {readable_name(metric)} ({unit})" if unit else f"change in {readable_name(metric)}")
        panel.grid(axis="x", alpha=0.3)
    baseline = next((r.baseline_label for _, r in rows if r.baseline_label), None)
    fig.suptitle(title or (f"Paired difference from {baseline}: median and {interval_label(low, high)}" if baseline else
                           f"Paired differences: median and {interval_label(low, high)}"))
    fig.tight_layout()
    return fig


def _ranking(sens, output: str | None, ax, title: str | None):
    """plots.tornado for a gs.sensitivity result: parameters ranked by total index or mu*."""
    outputs = list(dict.fromkeys(sens.indices["output"])) if len(sens.indices) else []
    output = output or (outputs[0] if outputs else None)
    table = sens.ranking(output).iloc[::-1]
    measure = sens.measure
    fig, ax = _figure(ax, figsize=(SLIDE[0], 0.45 * len(table) + 1.6))
    y = np.arange(len(table))
    value = table[measure].to_numpy(dtype=float)
    low, high = table[f"{measure}_low"].to_numpy(dtype=float), table[f"{measure}_high"].to_numpy(dtype=float)
    ax.barh(y, value, color="C0", xerr=[np.clip(value - low, 0, None), np.clip(high - value, 0, None)], capsize=3)
    if sens.method == "sobol":
        ax.barh(y, table["first_order"].to_numpy(dtype=float), color="C1", height=0.4, label="first order")
        legend_outside(ax)
    ax.set_yticks(y, table["parameter"])
    unit = table["unit"].iloc[0] if len(table) else ""
    ax.set_xlabel("total-order index (share of variance)" if sens.method == "sobol"
                  else f"mu* ({unit} per normalised range)")
    ax.set_title(title or f"What drives {output} ({'Sobol' if sens.method == 'sobol' else 'Morris'})")
    fig.tight_layout()
    return fig


def tornado(table, *, baseline: float | None = None, metric: str | None = None, unit: str = "", ax=None,
            title: str | None = None):
    """A tornado chart of a one-at-a-time sensitivity analysis. table: a DataFrame (or list of
    dicts) with columns parameter, low and high (the metric with the parameter at its low and
    high setting) and optionally baseline; the widest swing is drawn on top. Given a
    gs.sensitivity result instead, ranks its parameters (metric= names the output)."""
    import pandas as pd

    if hasattr(table, "ranking") and hasattr(table, "indices"):  # a gs.sensitivity result
        return _ranking(table, metric, ax, title)

    frame = pd.DataFrame(table).copy()
    missing = {"parameter", "low", "high"} - set(frame.columns)
    if missing:
        raise ValueError(f"tornado needs columns parameter, low, high (missing: {', '.join(sorted(missing))})")
    if baseline is None:
        if "baseline" not in frame.columns:
            raise ValueError("give baseline= or a baseline column")
        baseline = float(frame["baseline"].iloc[0])
    frame["swing"] = (frame["high"] - frame["low"]).abs()
    frame = frame.sort_values("swing", ascending=True)
    fig, ax = _figure(ax, figsize=(SLIDE[0], 0.45 * len(frame) + 1.6))
    y = np.arange(len(frame))
    ax.barh(y, frame["low"] - baseline, left=baseline, color="C0", label="parameter low")
    ax.barh(y, frame["high"] - baseline, left=baseline, color="C3", label="parameter high")
    ax.axvline(baseline, color="black", linewidth=0.8)
    ax.set_yticks(y, frame["parameter"])
    ax.xaxis.set_major_formatter(_value_formatter(unit))
    ax.set_xlabel(f"{metric or 'metric'} ({unit})" if unit else (metric or "metric"))
    ax.set_title(title or f"What drives {metric or 'the metric'} (one at a time)")
    legend_outside(ax)
    fig.tight_layout()
    return fig


def calibration_fit(cal, quantities: Sequence[str] | str | None = None, *, confidence: float | None = None,
                    figsize=None):
    """A calibration's fitted values against its observations, one panel per quantity: the
    observations with their uncertainty (1 sd), the best fit, and the band of the fitted means
    over the trials consistent with the data (a share `confidence` of them, default
    gs.options.confidence)."""
    names = [quantities] if isinstance(quantities, str) else list(quantities or cal.quantities)
    lo, hi = outer_quantiles(confidence)
    fig, axes = _subplots(len(names), 1, figsize=figsize or (SLIDE[0], max(2.6, 2.4 * len(names))), squeeze=False)
    for ax, name in zip(axes[:, 0], names):
        o = cal.observed[name]
        inside = cal.predictions[name][cal.accepted]
        order = np.argsort(o["day"])
        day = o["day"][order]
        band = np.quantile(inside, [lo, hi], axis=0)[:, order]
        ax.fill_between(day, band[0], band[1], color="#1f77b4", alpha=0.25, lw=0,
                        label=f"fit, {round(100 * (hi - lo))}% of consistent trials")
        ax.plot(day, cal.predictions[name][cal.best_index][order], color="#1f77b4", lw=1.6, label="best fit")
        sigma = np.where(np.isfinite(o["uncertainty"]), o["uncertainty"], 0.0)[order]
        ax.errorbar(day, o["value"][order], yerr=sigma, fmt="o", ms=3.5, color="#000000", elinewidth=0.8,
                    label="observed (±1 sd)")
        ax.set_title(f"{readable_name(name)}: {o['metric']}", loc="left", fontsize="medium")
        ax.set_xlabel("day")
        ax.yaxis.set_major_formatter(_value_formatter(""))
        legend_outside(ax)
    fig.suptitle(f"Calibration fit: {', '.join(cal.keys)}", x=0.01, ha="left")
    fig.tight_layout()
    return fig


def calibration_pairs(cal, *, figsize=None):
    """Pair plots of the fitted parameters: every trial (grey) and those consistent with the data
    (blue), the best fit (star); on the diagonal, histograms of the consistent values over the
    prior range. A ridge (strong correlation) means only a combination is pinned down."""
    k = len(cal.keys)
    fig, axes = _subplots(k, k, figsize=figsize or (2.6 * k + 1.5, 2.4 * k + 0.6), squeeze=False)
    best = cal.trial_values[cal.best_index]
    for i in range(k):
        for j in range(k):
            ax = axes[i, j]
            pi, pj = cal.parameters[i], cal.parameters[j]
            if i == j:
                ax.hist(cal.sample[:, i], bins=12, range=(pi.low, pi.high), color="#1f77b4", alpha=0.7)
                ax.set_xlim(pi.low, pi.high)
                ax.set_yticks([])
            else:
                ax.scatter(cal.trial_values[:, j], cal.trial_values[:, i], s=6, color="#bbbbbb", label="trials")
                ax.scatter(cal.sample[:, j], cal.sample[:, i], s=9, color="#1f77b4", label="consistent with the data")
                ax.scatter([best[j]], [best[i]], marker="*", s=90, color="#d62728", label="best fit")
                ax.set_xlim(pj.low, pj.high)
                ax.set_ylim(pi.low, pi.high)
            if i == k - 1:
                ax.set_xlabel(readable_name(pj.key_path), fontsize="small")
            if j == 0 and i != j:
                ax.set_ylabel(readable_name(pi.key_path), fontsize="small")
    if k > 1:
        legend_outside(axes[0, k - 1])
    fig.suptitle(f"Parameter values consistent with the data ({cal.level:.0%} region)", x=0.01, ha="left")
    fig.tight_layout()
    return fig
