"""The briefing's figures (matplotlib, as inline SVG), for gatesim.report. Each figure comes with
a caption that says what it shows and what its band means. Values come from the Results of the
briefing's entries (bands and distributions the C++ studies wrote); one colour per scenario
(plots.scenario_colour), numbers in M, bn and $bn (plots.human_number), legends outside the data.
"""
from __future__ import annotations

import io
import re

import numpy as np

from . import stats
from .plots import _value_formatter, human_number, legend_outside, scenario_colour
from .stats import quantile_label

WIDTH = 10.0  # inches: a slide or an A4 page's width at readable font sizes
FAN = 20      # runs drawn one by one when their series were kept


def _plt():
    import matplotlib.pyplot as plt

    return plt


def svg(fig) -> str:
    """The figure as an <svg> element to inline in HTML (no XML prolog, no fixed pixel size)."""
    import matplotlib

    buffer = io.StringIO()
    # Text as paths: WeasyPrint sizes SVG text against the page, not the figure's viewBox. A fixed
    # hash salt keeps the ids, and so the page, the same for the same results.
    with matplotlib.rc_context({"svg.fonttype": "path", "svg.hashsalt": "gatesim"}):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    _plt().close(fig)
    text = buffer.getvalue()
    text = text[text.index("<svg"):]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, count=1, flags=re.S)  # matplotlib's RDF block
    return re.sub(r'<svg([^>]*?) width="[^"]*" height="[^"]*"', r'<svg\1', text, count=1)


def _days(res):
    return res.dates if res.dates is not None else res.day


def _outer(res):
    q = res.default_quantiles
    return min(q), max(q)


def _band_text(res) -> str:
    lo, hi = _outer(res)
    return f"{quantile_label(lo).upper()}-{quantile_label(hi).upper()} of runs"


def disruption(entries):
    plt = _plt()
    fig, axes = plt.subplots(1, 2, figsize=(WIDTH, 3.6), sharey=False)
    shown = [e for e in entries if e.has("peak_blocked") and e.stat("peak_blocked").value > 0]
    for ax, metric, title in zip(axes, ("blocked_intended", "blocked_collateral"),
                                 ("Intended: foreign nationals blocked", "Collateral: everyone else blocked")):
        for e in shown:
            res, colour = e.res, scenario_colour(e.label)
            if res.is_ensemble and res.has_replicate_series(metric):  # a fan of the runs themselves
                runs = res.stack(metric)
                for r in range(min(len(runs), FAN)):
                    ax.plot(_days(res), runs[r], color=colour, alpha=0.25, linewidth=0.7)
                ax.plot(_days(res), res.quantile(metric, 0.5), color=colour, label=e.label, linewidth=1.8)
            elif res.is_ensemble:
                lo, hi = _outer(res)
                low, mid, high = res.quantile(metric, [lo, 0.5, hi])
                ax.fill_between(_days(res), low, high, color=colour, alpha=0.18, linewidth=0)
                ax.plot(_days(res), mid, color=colour, label=e.label)
            else:
                ax.plot(_days(res), res.series(metric), color=colour, label=e.label)
        ax.set_title(title, fontsize=10)
        ax.set_ylabel("users")
        ax.set_xlabel("date" if shown and shown[0].res.dates is not None else "day of the run")
        ax.yaxis.set_major_formatter(_value_formatter("users"))
        ax.grid(alpha=0.3)
        if shown and shown[0].res.dates is not None:
            ax.tick_params(axis="x", labelrotation=30)
    if shown:
        legend_outside(axes[1], 9)
    first = shown[0].res if shown else None
    if first is not None and first.is_ensemble and first.has_replicate_series("blocked_intended"):
        band = (f"thin lines are single runs (up to {FAN} of each scenario), each following its own reopening day; "
                "the thick line is the median of each day across runs")
    elif first is not None and first.is_ensemble:
        band = (f"lines are the median of each day across runs; the shaded band holds the middle "
                f"{_band_text(first)} on that day, not the path of any one run: where the reopening day varies "
                "the band spans open and closed runs (the timeline figure shows the share of runs reopened)")
    else:
        band = "single runs, no band"
    caption = (f"Users whose preferred model is closed to them, each day: foreign nationals the order bars (left) and "
               f"everyone else (right); {band}.")
    return fig, caption


def _flow_totals(res):
    """(from labels, to labels, matrix of users moved over the run): the sum of the daily medians
    for an ensemble whose runs' series were not kept, else the run's (median run's) totals."""
    info = res.info("switching_flows")
    (_, sources), (_, targets) = info.axes
    if res.has_replicate_series("switching_flows"):
        totals = np.nansum(res.stack("switching_flows"), axis=1)
        matrix = totals[0] if res.replicates == 1 else stats.quantiles(totals, [0.5])[0]
    else:
        matrix = np.nansum(res.quantile("switching_flows", 0.5), axis=0)
    return sources, targets, matrix


def substitution(entries):
    plt = _plt()
    shown = [e for e in entries if "switching_flows" in e.res.series_names and e.stat("peak_blocked").value > 0]
    if not shown:
        return None
    fig, axes = plt.subplots(1, len(shown), figsize=(WIDTH, 0.32 * 8 + 1.4), squeeze=False)
    for ax, e in zip(axes[0], shown):
        sources, targets, matrix = _flow_totals(e.res)
        flows = [(matrix[i, j], f"{s} → {t}") for i, s in enumerate(sources) for j, t in enumerate(targets)
                 if s != t and np.isfinite(matrix[i, j]) and matrix[i, j] > 0]
        flows = sorted(flows, reverse=True)[:8][::-1]
        y = np.arange(len(flows))
        ax.barh(y, [v for v, _ in flows], color=scenario_colour(e.label))
        ax.set_yticks(y, [name for _, name in flows], fontsize=8)
        for k, (v, _) in enumerate(flows):
            ax.text(v, k, " " + human_number(v, "users"), va="center", fontsize=8)
        ax.xaxis.set_major_formatter(_value_formatter("users"))
        ax.set_title(e.label, fontsize=10, color=scenario_colour(e.label))
        ax.set_xlabel("user moves over the run")
        ax.margins(x=0.3)
    fig.tight_layout()
    kind = "medians of each day's moves across runs, summed over the run" if shown[0].res.is_ensemble else "one run"
    caption = (f"Where users went: the largest moves between models (from → to) over the whole run, with their "
               f"number ({kind}). Moves include switches away, returns and enterprise migrations.")
    return fig, caption


def _entity_scalars(entries, prefix: str):
    names = []
    for e in entries:
        names += [n for n in e.res.scalar_names if n.startswith(prefix) and n not in names]
    return names


def revenue(entries):
    plt = _plt()
    shown = [e for e in entries if e.stat("peak_blocked").value > 0]
    providers = _entity_scalars(shown, "revenue_change.")
    partners = _entity_scalars(shown, "cloud_partner_revenue_change.")
    names = providers + partners
    if not shown or not names:
        return None
    fig, ax = plt.subplots(figsize=(WIDTH, 0.16 * len(names) * len(shown) + 0.25 * len(names) + 1.2))
    height = 0.8 / len(shown)
    for k, e in enumerate(shown):
        mid, lo, hi = [], [], []
        for n in names:
            value = e.stat(n).value if e.has(n) else np.nan
            interval = e.interval(n) if e.has(n) else None
            mid.append(value)
            lo.append(interval[0].value if interval else value)
            hi.append(interval[1].value if interval else value)
        y = np.arange(len(names)) + k * height
        mid, lo, hi = map(np.asarray, (mid, lo, hi))
        ax.barh(y, mid, height=height, color=scenario_colour(e.label), label=e.label,
                xerr=[np.clip(mid - lo, 0, None), np.clip(hi - mid, 0, None)], capsize=2, error_kw={"linewidth": 0.8})
        for yy, v, a, b in zip(y, mid, lo, hi):
            if np.isfinite(v):  # beyond the whisker, so that the number never sits on it
                ax.text(b if v >= 0 else a, yy, f" {human_number(v, 'USD', True)} ", va="center", fontsize=7,
                        ha="left" if v >= 0 else "right")
    labels = [n.replace("revenue_change.", "provider ").replace("cloud_partner_provider ", "cloud partner ")
              .replace("cloud_partner_revenue_change.", "cloud partner ") for n in names]
    ax.set_yticks(np.arange(len(names)) + 0.4 - height / 2, labels)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.8)
    ax.xaxis.set_major_formatter(_value_formatter("USD"))
    ax.set_xlabel("net revenue minus the counterfactual's, over the horizon ($)")
    ax.margins(x=0.25)
    legend_outside(ax, 9)
    ax.grid(axis="x", alpha=0.3)
    band = _band_text(shown[0].res) if shown[0].res.is_ensemble else "no interval: single runs"
    caption = (f"Revenue change against the same world without the order, for each provider and cloud partner over "
               f"the horizon: bars are medians across runs, whiskers the {band}.")
    return fig, caption


ROUTES = ("false_accept", "circumvention", "exemption", "account_sharing", "reseller", "permitted", "unrestricted")


def policy(entries):
    plt = _plt()
    shown = [e for e in entries if e.has("foreign_access_days_prevented") and e.stat("peak_blocked").value > 0]
    if not shown:
        return None
    fig, (left, right) = plt.subplots(1, 2, figsize=(WIDTH, 0.5 * len(shown) + 1.8), sharey=True,
                                      gridspec_kw={"width_ratios": [2, 1]})
    y = np.arange(len(shown))
    colours = {"prevented": "#4d4d4d", "false_accept": "#e6550d", "circumvention": "#fd8d3c", "exemption": "#fdae6b",
               "account_sharing": "#a63603", "reseller": "#d94801",
               "permitted": "#9ecae1", "unrestricted": "#c6dbef"}
    for k, e in enumerate(shown):
        start = 0.0
        parts = [("prevented", e.stat("foreign_access_days_prevented").value)]
        parts += [(r, e.stat(f"foreign_access_days_{r}").value) for r in ROUTES if e.has(f"foreign_access_days_{r}")]
        for name, value in parts:
            if not np.isfinite(value) or value <= 0:
                continue
            left.barh(k, value, left=start, color=colours[name], label=name.replace("_", " ") if k == 0 else None)
            start += value
        collateral = e.stat("us_person_blocked_days").value
        right.barh(k, collateral, color=scenario_colour(e.label))
        right.text(collateral, k, " " + human_number(collateral, "user-days"), va="center", fontsize=8)
    left.set_yticks(y, [e.label for e in shown])
    left.invert_yaxis()
    left.xaxis.set_major_formatter(_value_formatter("user-days"))
    right.xaxis.set_major_formatter(_value_formatter("user-days"))
    left.set_xlabel("foreign access-days: prevented, and leaked by route")
    right.set_xlabel("US-person blocked-days (collateral)")
    right.margins(x=0.35)
    left.legend(loc="upper center", bbox_to_anchor=(0.5, -0.28), ncol=3, fontsize=8, frameon=False)
    fig.tight_layout()
    caption = ("Policy effect, medians across runs: the foreign nationals' access-days to the controlled models that "
               "the response prevented (dark) next to those still reached, by route (false accepts in verification, "
               "circumvention, employer exemptions, shared accounts and resellers, access the rule permits, days before any rule), and the "
               "collateral: blocked-days of US persons. Parts are each one's own median, so they need not add up "
               "to the counterfactual exactly.")
    return fig, caption


def _stage_days(e):
    stages = e.scenario_value("directive.stages") or {}
    out = []
    for name, stage in (stages.items() if isinstance(stages, dict) else []):
        if isinstance(stage, dict) and stage.get("trigger") == "day" and isinstance(stage.get("day"), (int, float)):
            out.append((name, float(stage["day"])))
    return out


def verified_so_far(res):
    """US persons verified by each day: the median over runs of each run's running total when
    the runs' series were kept, else the running total of the daily medians; None without any."""
    if "verification" not in res.series_names:
        return None, ""
    column = res.info("verification").labels("verification_measure").index("verified_us_person")
    if res.has_replicate_series("verification"):
        totals = np.cumsum(res.stack("verification")[:, :, column], axis=1)
        values, kind = (totals[0] if len(totals) == 1 else stats.quantiles(totals, [0.5])[0]), "median of runs"
    else:
        values, kind = np.cumsum(res.quantile("verification", 0.5)[:, column]), "running total of daily medians"
    return (values, kind) if np.nanmax(values) > 0 else (None, "")


def _verification_panel(ax, shown) -> str:
    kind = ""
    for e in shown:
        values, k = verified_so_far(e.res)
        if values is not None:
            ax.plot(np.arange(e.res.days), values, color=scenario_colour(e.label), label=e.label)
            kind = k
    ax.set_ylabel("users")
    ax.yaxis.set_major_formatter(_value_formatter("users"))
    ax.set_title("US persons verified so far (verification coverage)", fontsize=10)
    legend_outside(ax)
    return kind


def timeline(entries):
    plt = _plt()
    shown = [e for e in entries if e.has("directive_day") and np.isfinite(e.stat("directive_day").value)]
    if not shown:
        return None
    verifying = any(verified_so_far(e.res)[0] is not None for e in shown)
    ratios = [max(1, len(shown)), 2] + ([2] if verifying else [])
    fig, axes = plt.subplots(len(ratios), 1, figsize=(WIDTH, 0.45 * len(shown) + 1.7 * len(ratios)), sharex=True,
                             gridspec_kw={"height_ratios": ratios})
    top, bottom = axes[0], axes[1]
    for k, e in enumerate(shown):
        colour = scenario_colour(e.label)
        directive = e.stat("directive_day").value
        if np.isfinite(directive):
            top.plot([directive], [k], marker="v", color="black", markersize=8, linestyle="none",
                     label="order issued" if k == 0 else None)
        top.plot([], [], marker="|", color="black", linestyle="none", markersize=10, markeredgewidth=2,
                 label="a stage of the response starts" if k == 0 else None)
        for name, day in _stage_days(e):
            top.plot([day], [k], marker="|", color=colour, markersize=14, markeredgewidth=2, linestyle="none")
            top.annotate(name, (day, k), xytext=(2, 6), textcoords="offset points", fontsize=7)
        talks = e.scenario_value("regulator.news.talks.day")
        if isinstance(talks, (int, float)):
            top.plot([talks], [k], marker="o", color="#666", markersize=5, linestyle="none",
                     label="talks reported" if k == 0 else None)
        if e.has("decision_day"):
            days = e.res.stack("decision_day", "scalar")
            finite = np.sort(days[np.isfinite(days)])
            if finite.size:
                lo, hi = _outer(e.res) if e.res.is_ensemble else (0.5, 0.5)
                a, m, b = (stats.quantile_of(finite, p) for p in (lo, 0.5, hi))
                top.plot([a, b], [k, k], color=colour, linewidth=4, alpha=0.4, solid_capstyle="butt")
                top.plot([m], [k], marker="D", color=colour, linestyle="none",
                         label="regulator decision (median, band of runs)" if k == 0 else None)
                share = np.searchsorted(finite, np.arange(e.res.days), side="right") / len(days)
                bottom.step(np.arange(e.res.days), share, where="post", color=colour, label=e.label)
    top.set_yticks(np.arange(len(shown)), [e.label for e in shown])
    top.invert_yaxis()
    legend_outside(top)
    top.set_title("Events", fontsize=10)
    bottom.set_ylabel("share of runs")
    bottom.yaxis.set_major_formatter(_value_formatter("fraction"))
    bottom.set_ylim(0, 1.02)
    bottom.set_title("Share of runs in which the regulator has decided (the order is lifted) by each day", fontsize=10)
    legend_outside(bottom)
    verified = _verification_panel(axes[2], shown) if verifying else ""
    axes[-1].set_xlabel("day of the run")
    for ax in axes:
        ax.grid(axis="x", alpha=0.3)
    fig.tight_layout()
    caption = ("Event timeline by scenario: the order (triangle), the response's stages on their days (ticks), talks "
               "(dot), and the regulator's decision, whose day is uncertain: the diamond is its median across runs, "
               "the bar the band of runs. Below, the share of runs in which the decision has come by each day: the "
               "honest picture of an uncertain reopening, which no median path shows. Responses that share the "
               "regulator's timeline and seeds (a comparison) share these days. Stages triggered by verification "
               "coverage have no fixed day and are not drawn.")
    if verified:
        caption += (f" Last, the US persons verified so far ({verified}), the coverage on which stages triggered "
                    "by verification wait.")
    return fig, caption


def sensitivity(studies):
    from . import plots

    out = []
    for s in studies:
        fig = plots.tornado(s)
        fig.set_size_inches(WIDTH, fig.get_size_inches()[1])
        out.append((fig, f"What drives the result ({'Sobol' if s.method == 'sobol' else 'Morris'} "
                         f"sensitivity analysis): parameters ranked by their index, with bootstrap intervals."))
    return out


def figures(entries, audience: str, sensitivity_studies=()) -> list[dict]:
    makers = [("disruption", disruption), ("substitution", substitution), ("revenue", revenue)]
    if audience == "policy":
        makers = [("disruption", disruption), ("policy", policy), ("substitution", substitution), ("revenue", revenue)]
    makers.append(("timeline", timeline))
    out = []
    for name, make in makers:
        made = make(entries)
        if made is not None:
            out.append({"id": f"figure-{name}", "svg": _markup(svg(made[0])), "caption": made[1]})
    for k, (fig, caption) in enumerate(sensitivity(sensitivity_studies)):
        out.append({"id": f"figure-sensitivity-{k}", "svg": _markup(svg(fig)), "caption": caption})
    return out


def _markup(text: str):
    from markupsafe import Markup

    return Markup(text)
